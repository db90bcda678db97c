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
18446744073709551616|!invalid user id '"'"'18446744073709551616'"'"': out of range (0 to 2147483647)
app:18446744073709551616|!invalid group id '"'"'18446744073709551616'"'"': out of range (0 to 2147483647)
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
app:+50|!unknown group '"'"'+50'"'"': no such group in /etc/group
app:5:0|!unknown group '"'"'5:0'"'"': no such group in /etc/group
-|!unknown user '"'"'-'"'"': no such user in /etc/passwd'

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

# ---- names match whole, ids in their own field ----------------------------

@test "a user name matches whole, never by its beginning" {
	need_root
	# each decoy holds the text sought, so that the search looks at it
	printf '%s\n' \
		'ap:x:0:0:appl app:/root:/bin/sh' \
		'apple:x:0:0::/root:/bin/sh' \
		'xapp:x:0:0::/root:/bin/sh' \
		'app:x:1000:1000::/home/app:/bin/sh' >"$PASSWD"
	printf '%s\n' 'wheel:x:10:app' >"$GROUP"
	run --separate-stderr -0 su_exec -p app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10 home=/home/app" ]
	run --separate-stderr -125 su_exec -p appl
	[ "$stderr" = "su-exec: unknown user 'appl': no such user in /etc/passwd" ]
}

@test "a group name matches whole, never by its beginning" {
	need_root
	printf '%s\n' \
		'staf:x:0:staff' \
		'staffs:x:0:' \
		'xstaff:x:0:' \
		'staff:x:50:' >"$GROUP"
	run --separate-stderr -0 su_exec -p app:staff
	[ "$output" = "uid=1000 gid=50 groups=50 home=/home/app" ]
	run --separate-stderr -0 su_exec -p -G staff 4000:4000
	[ "$output" = "uid=4000 gid=4000 groups=4000,50 home=/" ]
	run --separate-stderr -0 su_exec -p app:staf
	[ "$output" = "uid=1000 gid=0 groups=0 home=/home/app" ]
}

@test "a member matches whole: 'apple' or 'xapp' listed does not make 'app' one" {
	need_root
	printf '%s\n' \
		'fruit:x:3001:apple' \
		'other:x:3002:xapp,ap,app2' \
		'tail:x:3003:root,apps' \
		'both:x:3004:apple,app' >"$GROUP"
	run --separate-stderr -0 su_exec -p app
	[ "$output" = "uid=1000 gid=1000 groups=1000,3004 home=/home/app" ]
}

@test "a numeric USER is sought in the uid field, never the gid field" {
	need_root
	uneven_users
	run --separate-stderr -0 su_exec -p 1100
	[ "$output" = "uid=1100 gid=1200 groups=1200,1300 home=/home/swap" ]
	run --separate-stderr -0 su_exec -p swap
	[ "$output" = "uid=1100 gid=1200 groups=1200,1300 home=/home/swap" ]
	run --separate-stderr -0 su_exec -p 1200
	[ "$output" = "uid=1200 gid=1100 groups=1100 home=/home/pews" ]
	run --separate-stderr -0 su_exec -p pews:g1200
	[ "$output" = "uid=1200 gid=1200 groups=1200 home=/home/pews" ]
	run --separate-stderr -0 su_exec -p 1100:1100
	[ "$output" = "uid=1100 gid=1100 groups=1100 home=/home/swap" ]
}

# ---- short lines ------------------------------------------------------------

@test "a group line with fewer than three fields is malformed, never gid 0" {
	need_root
	printf '%s\n' 'onef' 'twof:x' 'staff:x:50:app' >"$GROUP"
	run --separate-stderr -125 su_exec -p app:onef
	[ "$stderr" = "su-exec: unknown group 'onef': no such group in /etc/group" ]
	run --separate-stderr -125 su_exec -p app:twof
	[ "$stderr" = "su-exec: unknown group 'twof': no such group in /etc/group" ]
	run --separate-stderr -125 su_exec -p -G twof app
	[ "$stderr" = "su-exec: unknown group 'twof': no such group in /etc/group" ]
	printf '%s\n' 'twof:x:3200:' >>"$GROUP"
	run --separate-stderr -0 su_exec -p app:twof
	[ "$output" = "uid=1000 gid=3200 groups=3200 home=/home/app" ]
}

@test "a passwd line may end after the home or before it" {
	need_root
	printf '%s\n' \
		'six:x:1400:1400::/home/six' \
		'five:x:1401:1401:gecos' >>"$PASSWD"
	run --separate-stderr -0 su_exec -p six
	[ "$output" = "uid=1400 gid=1400 groups=1400 home=/home/six" ]
	run --separate-stderr -0 su_exec -p five
	[ "$output" = "uid=1401 gid=1401 groups=1401 home=/" ]
}

@test "names and homes of every length are kept whole" {
	need_root
	local k home want=
	for k in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		home=/$(head -c "$k" /dev/zero | tr "\\0" h)
		printf 'l%d:x:%d:%d::%s:/bin/sh\n' "$k" $((1500 + k)) $((1500 + k)) "$home" >>"$PASSWD"
	done
	for k in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
		home=/$(head -c "$k" /dev/zero | tr "\\0" h)
		run --separate-stderr -0 su_exec -p "l$k"
		[ "$output" = "uid=$((1500 + k)) gid=$((1500 + k)) groups=$((1500 + k)) home=$home" ]
	done
}

# ---- the group limit --------------------------------------------------------

# member_lines FROM COUNT CYCLE: COUNT group lines listing app, whose gids
# run from FROM through FROM + CYCLE - 1 and then start over.
member_lines() {
	awk -v from="$1" -v n="$2" -v cycle="$3" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "m%d:x:%d:app\n", i, from + i % cycle
	}' >>"$GROUP"
}

# bats test_tags=slow
@test "1,500,000 memberships in 4,000 groups: each group once, nothing lost" {
	need_root
	member_lines 100000 1500000 4000
	run --separate-stderr -0 su_exec -p app
	[[ "$output" == "uid=1000 gid=1000 groups=1000,10,50,100,100000,100001,"* ]]
	[[ "$output" == *",103998,103999 home=/home/app" ]]
	groups=${output#* groups=}
	groups=${groups%% *}
	[ "$(printf '%s\n' "$groups" | tr ',' '\n' | sort -u | wc -l)" = 4004 ]
}

# bats test_tags=slow
@test "past 65,536 groups, and with 1,500,000 memberships beyond, it is an error" {
	need_root
	member_lines 100000 1500000 1500000
	run --separate-stderr -125 su_exec -p app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
	# a name never reached is not said to be unknown
	run --separate-stderr -125 su_exec -p -G nosuch app
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
	run --separate-stderr -125 su_exec -G nosuch app true
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
}

# bats test_tags=slow
@test "past 65,536 groups the reading stops: what follows is never read" {
	need_root
	command -v strace >/dev/null || skip "needs strace"
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "a sanitizer build makes system calls of its own"
	member_lines 100000 1500000 1500000
	# 65,537 lines take about 75 reads of 16 KiB, the whole file 2,000:
	# every read from the 400th on fails
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" strace -qq -o /dev/null \
		-P /etc/group -e trace=read -e inject=read:error=EIO:when=400+ \
		"$SU_EXEC" -p -G nosuch app
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
	# the same file read to its end does fail there
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" strace -qq -o /dev/null \
		-P /etc/group -e trace=read -e inject=read:error=EIO:when=400+ \
		"$SU_EXEC" -p app:nosuch
	[[ "$stderr" == "su-exec: cannot read /etc/group: "@(Input/output|I/O)" error" ]]
}

# ---- keys the lookup must find, and names it must not mix up -------------------

@test "a uid written with leading zeros is found by its number" {
	need_root
	# the gid differs: the digits must be found in the uid field
	printf '%s\n' 'zero:x:03010:1000::/home/zero:/bin/sh' >>"$PASSWD"
	run --separate-stderr -0 su_exec -p 3010
	[ "$output" = "uid=3010 gid=1000 groups=1000 home=/home/zero" ]
	run --separate-stderr -0 su_exec -p 003010
	[ "$output" = "uid=3010 gid=1000 groups=1000 home=/home/zero" ]
	# any number of zeros, and uid 0 written with several
	printf '%s\n' 'zeros:x:0003012:1000::/home/zeros:/bin/sh' \
		'nil:x:000:1000::/home/nil:/bin/sh' >"$PASSWD"
	run --separate-stderr -0 su_exec -p 3012
	[ "$output" = "uid=3012 gid=1000 groups=1000 home=/home/zeros" ]
	run --separate-stderr -0 su_exec -p 0
	[ "$output" = "uid=0 gid=1000 groups=1000 home=/home/nil" ]
}

@test "a user name holding a comma is found" {
	need_root
	printf '%s\n' 'web,app:x:3011:3011::/home/web:/bin/sh' >>"$PASSWD"
	run --separate-stderr -0 su_exec -p web,app
	[ "$output" = "uid=3011 gid=3011 groups=3011 home=/home/web" ]
}

@test "the first of duplicate group lines wins while other names are still sought" {
	need_root
	run --separate-stderr -0 su_exec -p -G dupg -G nogroup app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100,2000,65533 home=/home/app" ]
	run --separate-stderr -0 su_exec -p -G nogroup -G dupg -G dupg app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100,2000,65533 home=/home/app" ]
}

@test "140,000 memberships of one group, with a name still sought after them" {
	need_root
	# more additions than the set holds before it is compacted, while the
	# group scan still looks for a name
	{
		echo 'root:x:0:'
		seq 1 140000 | sed 's/.*/g&:x:5:app/'
		echo 'late:x:6000:'
	} >"$GROUP"
	run --separate-stderr -0 su_exec -p -G late app
	[ "$output" = "uid=1000 gid=1000 groups=1000,5,6000 home=/home/app" ]
}

# bats test_tags=slow
@test "one group past the limit when the set first fills stops the reading too" {
	need_root
	command -v strace >/dev/null || skip "needs strace"
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "a sanitizer build makes system calls of its own"
	# wheel, staff, users and 65,534 groups cycled: exactly 65,537 distinct
	# gids when the set is first full, after about 150 reads of 16 KiB
	member_lines 100000 1500000 65534
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" strace -qq -o /dev/null \
		-P /etc/group -e trace=read -e inject=read:error=EIO:when=400+ \
		"$SU_EXEC" -p app
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
}
