#!/usr/bin/env bats
# Who the target is: Docker --user rules, checked with --print, which
# resolves exactly as a real switch does but runs nothing.

load test_helper

# Each row: SPEC|expected stdout (exit 0) or SPEC|!message (exit 125).
ROWS='app|uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app
app:|uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app
1000|uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app
00001000|uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app
app:staff|uid=1000 gid=50 groups=50 home=/home/app
app:50|uid=1000 gid=50 groups=50 home=/home/app
app:9999|uid=1000 gid=9999 groups=9999 home=/home/app
app:1003|uid=1000 gid=1003 groups=1003 home=/home/app
app:dupg|uid=1000 gid=2000 groups=2000 home=/home/app
app:badg|uid=1000 gid=2002 groups=2002 home=/home/app
app:empty|uid=1000 gid=2003 groups=2003 home=/home/app
app:2147483647|uid=1000 gid=2147483647 groups=2147483647 home=/home/app
1003|uid=1003 gid=0 groups=0 home=/
1004|uid=1004 gid=1004 groups=1004 home=/home/named-1003
1003:1003|uid=1003 gid=1003 groups=1003 home=/
|uid=0 gid=0 groups=0,10 home=/root
:|uid=0 gid=0 groups=0,10 home=/root
:staff|uid=0 gid=50 groups=50 home=/root
root|uid=0 gid=0 groups=0,10 home=/root
blank|uid=1001 gid=1001 groups=1001,50 home=/home/blank
crlf|uid=1002 gid=1002 groups=1002,100 home=/home/crlf
dup|uid=1005 gid=1005 groups=1005 home=/home/dup1
1006|uid=1006 gid=1006 groups=1006 home=/home/dup2
bad|uid=1009 gid=1009 groups=1009 home=/home/bad
nohome|uid=1007 gid=1007 groups=1007 home=/
short|uid=1008 gid=1008 groups=1008 home=/
nobody|uid=65534 gid=65534 groups=65534 home=/nonexistent
4000:4000|uid=4000 gid=4000 groups=4000 home=/
2147483647|uid=2147483647 gid=0 groups=0 home=/
2147483648|!invalid user id '"'"'2147483648'"'"': out of range (0 to 2147483647)
4294967296|!invalid user id '"'"'4294967296'"'"': out of range (0 to 2147483647)
99999999999999999999999|!invalid user id '"'"'99999999999999999999999'"'"': out of range (0 to 2147483647)
app:4294967296|!invalid group id '"'"'4294967296'"'"': out of range (0 to 2147483647)
4294967296:4294967296|!invalid user id '"'"'4294967296'"'"': out of range (0 to 2147483647)
bogus:4294967296|!unknown user '"'"'bogus'"'"': no such user in /etc/passwd
+1|!unknown user '"'"'+1'"'"': no such user in /etc/passwd
 1|!unknown user '"'"' 1'"'"': no such user in /etc/passwd
0x10|!unknown user '"'"'0x10'"'"': no such user in /etc/passwd
1e3|!unknown user '"'"'1e3'"'"': no such user in /etc/passwd
9999999999x|!unknown user '"'"'9999999999x'"'"': no such user in /etc/passwd
bogus|!unknown user '"'"'bogus'"'"': no such user in /etc/passwd
bogus:bogus|!unknown user '"'"'bogus'"'"': no such user in /etc/passwd
comment|!unknown user '"'"'comment'"'"': no such user in /etc/passwd
app:bogus|!unknown group '"'"'bogus'"'"': no such group in /etc/group
app:a:b|!unknown group '"'"'a:b'"'"': no such group in /etc/group
app:hidden|!unknown group '"'"'hidden'"'"': no such group in /etc/group
app:+50|!unknown group '"'"'+50'"'"': no such group in /etc/group'

@test "the resolution table" {
	need_root
	local spec want fails=0
	while IFS='|' read -r spec want; do
		if [ "${want#!}" != "$want" ]; then
			run --separate-stderr -125 su_exec -p "$spec"
			want="su-exec: ${want#!}"
			got=$stderr
			[ "$output" = "" ] || got="stdout: $output"
		else
			run --separate-stderr -0 su_exec -p "$spec"
			got=$output
			[ "$stderr" = "" ] || got="stderr: $stderr"
		fi
		if [ "$got" != "$want" ]; then
			echo "spec '$spec': got '$got' ($status), want '$want'"
			fails=$((fails + 1))
		fi
	done <<<"$ROWS"
	[ "$fails" = 0 ]
}

@test "after --, a USER may start with '-' and is then a name" {
	need_root
	run --separate-stderr -125 su_exec -- -1 true
	[ "$stderr" = "su-exec: unknown user '-1': no such user in /etc/passwd" ]
}

@test "an empty USER is the caller's real uid, resolved like a number" {
	need_root
	run -0 as_user 1000 1000 -p ''
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app" ]
	run -0 as_user 4321 77 -p ':'
	[ "$output" = "uid=4321 gid=77 groups=77 home=/" ]
}

@test "a numeric uid without a passwd line takes the caller's real gid" {
	need_root
	run -0 as_user 1000 55 -p 4000
	[ "$output" = "uid=4000 gid=55 groups=55 home=/" ]
}

@test "--print needs no privilege and no COMMAND, and ignores one given" {
	need_root
	run --separate-stderr -0 as_user 1234 1234 --print app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app" ]
	[ "$stderr" = "" ]
	run --separate-stderr -0 as_user 1234 1234 -p app sh -c 'echo ran >&2'
	[ "$stderr" = "" ]
}
