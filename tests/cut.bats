#!/usr/bin/env bats
# Lines cut at 1 MiB, at every boundary of the field that decides: one byte
# before the end of the sought key, exactly at its end, one byte after.
# Only what shows before the cut is known: a cut line whose visible part
# could still be the target's is an error naming the file and the line,
# never a skip (a later line, uid 0 here, would win); one that visibly
# cannot be is skipped.

load test_helper

MIB=1048576

# cut_line K TEXT: a line whose first MIB bytes are blanks and then the
# first K bytes of TEXT; the rest of TEXT lies past the cut.
cut_line() {
	[ "${#2}" -gt "$1" ] || return 1
	head -c "$((MIB - $1))" /dev/zero | tr '\0' ' '
	printf '%s\n' "$2"
}

# passwd_cut K TEXT: $PASSWD with the cut line first, then a uid-0 app.
passwd_cut() {
	{
		cut_line "$1" "$2"
		printf 'app:x:0:0::/root:/bin/sh\n'
		printf 'x:x:1000:1000::/home/x:/bin/sh\n'
	} >"$BATS_TEST_TMPDIR/passwd.cut"
}

# group_cut K TEXT: the cut line, then the standard group file.
group_cut() {
	{
		cut_line "$1" "$2"
		cat "$GROUP"
	} >"$BATS_TEST_TMPDIR/group.cut"
}

# lookup WHICH ARGS...: su-exec -p over the cut passwd or group file.
lookup() {
	local p=$PASSWD g=$GROUP
	case $1 in
	passwd) p=$BATS_TEST_TMPDIR/passwd.cut ;;
	group) g=$BATS_TEST_TMPDIR/group.cut ;;
	esac
	shift
	run --separate-stderr in_ns "$p" "$g" "$SU_EXEC" -p "$@"
}

# is_cut_error FILE: the lookup failed on line 1 of FILE, as it must.
is_cut_error() {
	[ "$status" = 125 ] || { echo "status $status: $output"; return 1; }
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot read /etc/$1: line 1 is longer than $MIB bytes" ]
}

@test "passwd, a name cut one byte before, at and after its end: an error" {
	need_root
	local k
	# the whole line would be app's, uid 1000; the next app line is uid 0
	for k in 2 3 4; do
		passwd_cut "$k" 'app:x:1000:1000::/home/app:/bin/sh'
		lookup passwd app
		is_cut_error passwd
	done
	# a longer name that starts with the one sought
	passwd_cut 3 'apple:x:1000:1000::/home/apple:/bin/sh'
	lookup passwd app
	is_cut_error passwd
}

@test "passwd, another name cut at and after its end: skipped" {
	need_root
	local k
	for k in 3 4; do
		passwd_cut "$k" 'apq:x:5:5::/home/apq:/bin/sh'
		lookup passwd app
		[ "$status" = 0 ]
		[ "$output" = "uid=0 gid=0 groups=0,10,50,100 home=/root" ]
	done
	# "appl" is no longer a beginning of "app"
	passwd_cut 4 'apple:x:5:5::/home/apple:/bin/sh'
	lookup passwd app
	[ "$output" = "uid=0 gid=0 groups=0,10,50,100 home=/root" ]
	# before its end, another name could still be "app"
	passwd_cut 2 'apq:x:5:5::/home/apq:/bin/sh'
	lookup passwd app
	is_cut_error passwd
	# a whole name that is only a beginning of "app"
	passwd_cut 3 'ap:x:5:5::/home/ap:/bin/sh'
	lookup passwd app
	[ "$output" = "uid=0 gid=0 groups=0,10,50,100 home=/root" ]
}

@test "passwd, blanks that the cut leaves at the end belong to the name" {
	need_root
	passwd_cut 5 'app  x:x:5:5::/home/x:/bin/sh'
	lookup passwd app
	[ "$output" = "uid=0 gid=0 groups=0,10,50,100 home=/root" ]
}

@test "passwd by uid, the uid field cut before, at and after its end: an error" {
	need_root
	local k
	# x:x:1000:... : the uid field is bytes 4 to 8
	for k in 3 4 5 7 8 9 10; do
		passwd_cut "$k" 'x:x:1000:1000::/home/x:/bin/sh'
		lookup passwd 1000
		is_cut_error passwd
	done
	# another uid, whole before the cut, is skipped; digits cut short are
	# never taken as another uid
	passwd_cut 9 'x:x:2000:2000::/home/x:/bin/sh'
	lookup passwd 1000
	[ "$output" = "uid=1000 gid=1000 groups=1000 home=/home/x" ]
	passwd_cut 8 'x:x:2000:2000::/home/x:/bin/sh'
	lookup passwd 1000
	is_cut_error passwd
	# a uid field that is visibly no number is malformed: skipped
	passwd_cut 6 'x:x:ab00:1000::/home/x:/bin/sh'
	lookup passwd 1000
	[ "$output" = "uid=1000 gid=1000 groups=1000 home=/home/x" ]
}

@test "passwd, the target's line cut in its gid field or later: an error" {
	need_root
	local k
	for k in 11 12 13 16 20; do
		passwd_cut "$k" 'app:x:1000:1000::/home/app:/bin/sh'
		lookup passwd app
		is_cut_error passwd
	done
}

@test "group, GROUP cut one byte before, at and after its end: an error" {
	need_root
	local k
	for k in 4 5 6 8 9 10; do
		group_cut "$k" 'staff:x:0:bob'
		lookup group app:staff
		is_cut_error group
		lookup group -G staff app:app
		is_cut_error group
	done
	group_cut 5 'staffs:x:0:bob'
	lookup group app:staff
	is_cut_error group
}

@test "group, another group cut at and after its end: skipped" {
	need_root
	local k
	for k in 5 6 9; do
		group_cut "$k" 'stafx:x:0:app'
		lookup group app:staff
		[ "$output" = "uid=1000 gid=50 groups=50 home=/home/app" ]
		lookup group -G staff app:app
		[ "$output" = "uid=1000 gid=1000 groups=1000,50 home=/home/app" ]
	done
	group_cut 6 'staffs:x:0:bob'
	lookup group app:staff
	[ "$output" = "uid=1000 gid=50 groups=50 home=/home/app" ]
	# a whole name that is only a beginning of "staff"
	for k in 5 6; do
		group_cut "$k" 'staf:x:0:bob'
		lookup group app:staff
		[ "$output" = "uid=1000 gid=50 groups=50 home=/home/app" ]
	done
}

@test "group, a cut line of a group already found: skipped" {
	need_root
	# staff is found before the cut line; late is still sought after it
	{
		cat "$GROUP"
		cut_line 5 'staff:x:0:bob'
		printf 'late:x:6000:\n'
	} >"$BATS_TEST_TMPDIR/group.cut"
	lookup group -G late app:staff
	[ "$status" = 0 ]
	[ "$output" = "uid=1000 gid=50 groups=50,6000 home=/home/app" ]
}

@test "group, memberships sought: a cut line is an error wherever the cut" {
	need_root
	local k
	# the members past the cut could name app
	for k in 3 6 9 10 11 12 14; do
		group_cut "$k" 'other:x:77:bob,app'
		lookup group app
		is_cut_error group
	done
	# a gid field that shows malformed whole before the cut: skipped
	group_cut 12 'other:x:7x7:bob,app'
	lookup group app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app" ]
	# with GROUP, memberships do not matter
	group_cut 14 'other:x:77:bob,app'
	lookup group app:staff
	[ "$output" = "uid=1000 gid=50 groups=50 home=/home/app" ]
}

@test "a cut line with a NUL before the cut is malformed: skipped, never an error" {
	need_root
	# what shows of the line would be the target's, but a NUL spoils it
	{
		printf 'app:x:1000:\0'
		cut_line 3 'app:x:1000:1000::/home/app:/bin/sh'
		printf 'app:x:1001:1001::/home/a1:/bin/sh\n'
	} >"$BATS_TEST_TMPDIR/passwd.cut"
	lookup passwd app
	[ "$status" = 0 ]
	[ "$output" = "uid=1001 gid=1001 groups=1001,10,50,100 home=/home/a1" ]
	# memberships sought: its members past the cut would count if it were
	# well formed
	{
		printf 'other:x:77:\0'
		cut_line 3 'bob,app'
		cat "$GROUP"
	} >"$BATS_TEST_TMPDIR/group.cut"
	lookup group app
	[ "$status" = 0 ]
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app" ]
}
