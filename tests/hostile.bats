#!/usr/bin/env bats
# Hostile databases and specs: files that are no files, that cannot be
# read, that are huge, malformed or crafted, and specs full of junk. Each
# run must end quickly with either exactly the right identity or one
# clean line on stderr and exit 125: never a hang, a crash, a guess, root.

load test_helper

# Seconds a run may take before it counts as a hang (timeout exits 124).
LIMIT=20

# hostile ARGS...: su-exec as root over $PASSWD and $GROUP, time-bounded.
hostile() {
	in_ns "$PASSWD" "$GROUP" timeout "$LIMIT" "$SU_EXEC" "$@"
}

# hostile_etc DIR ARGS...: the same with DIR as the whole of /etc.
hostile_etc() {
	local dir=$1
	shift
	in_etc "$dir" timeout "$LIMIT" "$SU_EXEC" "$@"
}

# hostile_as UID GID ARGS...: the same, started by an unprivileged caller.
hostile_as() {
	local uid=$1 gid=$2
	shift 2
	in_ns "$PASSWD" "$GROUP" setpriv --reuid="$uid" --regid="$gid" \
		--clear-groups -- timeout "$LIMIT" "$SU_EXEC" "$@"
}

# fake_etc: $ETC, a folder to stand for /etc, with the standard database.
fake_etc() {
	ETC=$BATS_TEST_TMPDIR/etc
	mkdir "$ETC"
	cp "$PASSWD" "$GROUP" "$ETC/"
}

# repeat CHAR COUNT: CHAR written COUNT times, fast.
repeat() {
	head -c "$2" /dev/zero | tr '\0' "$1"
}

# is_switched UID GID "GROUPS" HOME: $output is SHOW_ID's for that identity.
is_switched() {
	[ "$output" = "Uid: $1 $1 $1 $1
Gid: $2 $2 $2 $2
Groups: $3
CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapAmb: 0000000000000000
NoNewPrivs: 0
HOME=$4" ]
}

# refuses_to_run ARGS...: exit 125 and the command (touching a marker) never
# ran; the message is left in $stderr.
refuses_to_run() {
	local marker=$BATS_TEST_TMPDIR/ran
	run --separate-stderr -125 hostile "$@" touch "$marker"
	[ "$output" = "" ]
	[ ! -e "$marker" ]
}

# is_loop_error FILE: $stderr says FILE cannot be opened for ELOOP, in
# glibc's words or musl's.
is_loop_error() {
	[ "$stderr" = "su-exec: cannot open $1: Too many levels of symbolic links" ] ||
		[ "$stderr" = "su-exec: cannot open $1: Symbolic link loop" ]
}

APP='uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app'

# add_app_groups N: N more groups in $GROUP that list app, gids from 100001.
add_app_groups() {
	awk -v n="$1" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "g%d:x:%d:app\n", i, 100000 + i
	}' >>"$GROUP"
}

# app_resolves_and_switches: over $PASSWD and $GROUP, app resolves to $APP
# and a real switch gives the command exactly that identity.
app_resolves_and_switches() {
	run --separate-stderr -0 hostile --print app
	[ "$output" = "$APP" ]
	run -0 hostile app sh -c "$SHOW_ID"
	is_switched 1000 1000 "10 50 100 1000" /home/app
}
LONG="longer than 1048576 bytes"

# ---- not a regular file ------------------------------------------------

# refuses_odd_file MAKE: for passwd, then group, an /etc whose file is
# made by MAKE (mkfifo, mkdir) instead; su-exec must refuse it at once.
refuses_odd_file() {
	local f
	for f in passwd group; do
		rm -rf "$BATS_TEST_TMPDIR/etc"
		fake_etc
		rm "$ETC/$f"
		"$1" "$ETC/$f"
		run --separate-stderr -125 hostile_etc "$ETC" --print app
		[ "$output" = "" ]
		[ "$stderr" = "su-exec: cannot read /etc/$f: not a regular file" ]
	done
}

@test "a FIFO as passwd or group is refused at once, never waited on" {
	need_root
	refuses_odd_file mkfifo
}

@test "a directory as passwd or group is refused" {
	need_root
	refuses_odd_file mkdir
}

@test "/dev/zero bound over passwd or group is refused, not read forever" {
	need_root
	run --separate-stderr -125 in_ns /dev/zero "$GROUP" \
		timeout "$LIMIT" "$SU_EXEC" --print app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot read /etc/passwd: not a regular file" ]

	run --separate-stderr -125 in_ns "$PASSWD" /dev/zero \
		timeout "$LIMIT" "$SU_EXEC" --print app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot read /etc/group: not a regular file" ]
}

# refuses_pseudo_file TARGET: /etc/passwd, then /etc/group, a link to
# TARGET, a pseudo file that calls itself regular: refused at once, naming
# the file.
refuses_pseudo_file() {
	local f start
	for f in passwd group; do
		rm -rf "$BATS_TEST_TMPDIR/etc"
		fake_etc
		ln -sf "$1" "$ETC/$f"
		start=$(date +%s%N)
		run --separate-stderr -125 hostile_etc "$ETC" --print app
		[ "$output" = "" ]
		[ "$stderr" = "su-exec: cannot read /etc/$f: a pseudo file (proc, sys), not a database" ]
		# at once: well under the second the contract allows
		[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000 ]
	done
}

@test "/proc/self/pagemap as passwd or group is refused at once, not read for minutes" {
	need_root
	[ -r /proc/self/pagemap ] || skip "no /proc/self/pagemap here"
	refuses_pseudo_file /proc/self/pagemap
}

@test "a sysfs file as passwd or group is refused at once" {
	need_root
	[ -r /sys/kernel/mm/transparent_hugepage/enabled ] ||
		[ -r /sys/power/state ] || skip "no readable sysfs file here"
	if [ -r /sys/kernel/mm/transparent_hugepage/enabled ]; then
		refuses_pseudo_file /sys/kernel/mm/transparent_hugepage/enabled
	else
		refuses_pseudo_file /sys/power/state
	fi
}

# sparse_db FILE SIZE LINE: FILE of exactly SIZE bytes, a NUL-filled
# malformed line (sparse, so instant) ending in a newline, then LINE.
sparse_db() {
	rm -f "$1"
	printf '\n' >"$1"
	truncate -s "$(($2 - ${#3} - 2))" "$1"
	printf '\n%s\n' "$3" >>"$1"
	[ "$(stat -c %s "$1")" = "$2" ]
}

@test "a database of exactly 256 MiB is read; one byte more is an error" {
	need_root
	local max=$((256 * 1024 * 1024))
	sparse_db "$BATS_TEST_TMPDIR/p" "$max" 'app:x:1000:1000::/home/app:/bin/sh'
	run --separate-stderr -0 in_ns "$BATS_TEST_TMPDIR/p" "$GROUP" \
		timeout "$LIMIT" "$SU_EXEC" -p app
	[ "$output" = "$APP" ]
	sparse_db "$BATS_TEST_TMPDIR/p" "$((max + 1))" 'app:x:1000:1000::/home/app:/bin/sh'
	run --separate-stderr -125 in_ns "$BATS_TEST_TMPDIR/p" "$GROUP" \
		timeout "$LIMIT" "$SU_EXEC" -p app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot read /etc/passwd: larger than 256 MiB" ]
	sparse_db "$BATS_TEST_TMPDIR/g" "$((max + 1))" 'staff:x:50:'
	run --separate-stderr -125 in_ns "$PASSWD" "$BATS_TEST_TMPDIR/g" \
		timeout "$LIMIT" "$SU_EXEC" -p app:staff
	[ "$stderr" = "su-exec: cannot read /etc/group: larger than 256 MiB" ]
}

@test "a pseudo file not known as one stops at 256 MiB read" {
	need_root
	skip_if_emulated "/proc/self is qemu's own process there"
	command -v strace >/dev/null || skip "needs strace"
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "a sanitizer build makes system calls of its own"
	[ -r /proc/self/pagemap ] || skip "no /proc/self/pagemap here"
	# A 32-bit process's pagemap ends after 8 MiB, well before the limit;
	# a 64-bit one's only after 256 GiB.
	case $(file -bL "$SU_EXEC") in
	ELF\ 32-bit*) skip "a 32-bit process's /proc/self/pagemap is only 8 MiB" ;;
	esac
	fake_etc
	ln -sf /proc/self/pagemap "$ETC/passwd"
	# fstatfs fails, as on a file system it cannot tell: pagemap says it
	# is regular and of size 0, and reads on: the count of bytes stops it
	run --separate-stderr -125 in_etc "$ETC" timeout "$LIMIT" \
		strace -qq -o /dev/null -e inject=/^fstatfs:error=ENOSYS \
		"$SU_EXEC" -p app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot read /etc/passwd: larger than 256 MiB" ]
}

@test "a symlink loop as passwd or group is an error naming the file" {
	need_root
	fake_etc
	ln -s loop-b "$ETC/loop-a"
	ln -s loop-a "$ETC/loop-b"
	rm "$ETC/passwd"
	ln -s loop-a "$ETC/passwd"
	run --separate-stderr -125 hostile_etc "$ETC" --print app
	[ "$output" = "" ]
	is_loop_error /etc/passwd

	rm "$ETC/passwd" "$ETC/group"
	cp "$PASSWD" "$ETC/passwd"
	ln -s group "$ETC/group"
	run --separate-stderr -125 hostile_etc "$ETC" --print app
	[ "$output" = "" ]
	is_loop_error /etc/group
}

@test "a dangling symlink counts as a missing file: empty, ids still work" {
	need_root
	fake_etc
	rm "$ETC/passwd"
	ln -s nowhere "$ETC/passwd"
	run --separate-stderr -0 hostile_etc "$ETC" --print 4000:4000
	[ "$output" = "uid=4000 gid=4000 groups=4000 home=/" ]
	run --separate-stderr -125 hostile_etc "$ETC" --print app
	[ "$stderr" = "su-exec: unknown user 'app': no such user in /etc/passwd" ]
}

@test "an unreadable passwd or group is an error for an unprivileged caller" {
	need_root
	# root reads a mode 000 file anyway: only a caller without
	# CAP_DAC_OVERRIDE meets the error
	chmod 000 "$PASSWD"
	run --separate-stderr -125 hostile_as 1000 1000 --print app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot open /etc/passwd: Permission denied" ]
	run --separate-stderr -0 hostile --print app
	[ "$output" = "$APP" ]

	chmod 644 "$PASSWD"
	chmod 000 "$GROUP"
	run --separate-stderr -125 hostile_as 1000 1000 --print app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot open /etc/group: Permission denied" ]
}

@test "out of descriptors, a database is an error, not a missing file" {
	need_root
	skip_if_emulated "qemu-user needs descriptors of its own"
	command -v readelf >/dev/null || skip "needs readelf (Debian: binutils) to tell a static build"
	! readelf -l "$SU_EXEC" | grep -q 'program interpreter' ||
		skip "needs a static build: a dynamic loader cannot load it without a descriptor"
	# a missing file is no error for numeric ids: one that cannot be
	# opened must never pass for missing
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" sh -c \
		'ulimit -n 3 && exec "$1" --print 1000:1000' sh "$SU_EXEC"
	[ "$output" = "" ]
	# glibc's words, then musl's
	[ "$stderr" = "su-exec: cannot open /etc/passwd: Too many open files" ] ||
		[ "$stderr" = "su-exec: cannot open /etc/passwd: No file descriptors available" ]
}

# ---- long lines ---------------------------------------------------------

@test "a 3 MB passwd line for another user is skipped and the switch works" {
	need_root
	{
		printf 'big:x:2000:2000:'
		repeat g 3000000
		printf ':/home/big:/bin/sh\n'
		cat "$PASSWD"
	} >"$PASSWD.big"
	PASSWD=$PASSWD.big
	app_resolves_and_switches
}

@test "a 3 MB passwd line for the target is an error naming the file" {
	need_root
	{
		printf 'root:x:0:0:root:/root:/bin/sh\n'
		printf 'app:x:1000:1000:'
		repeat g 3000000
		printf ':/home/app:/bin/sh\n'
		printf 'app:x:0:0::/root:/bin/sh\n'
	} >"$PASSWD.big"
	PASSWD=$PASSWD.big
	refuses_to_run app
	[ "$stderr" = "su-exec: cannot read /etc/passwd: line 2 is $LONG" ]
	# by uid: the uid field is whole in the first MiB, so the line concerns
	# uid 1000 and does not concern uid 0
	refuses_to_run 1000
	[ "$stderr" = "su-exec: cannot read /etc/passwd: line 2 is $LONG" ]
	run --separate-stderr -0 hostile --print 0
	[ "$output" = "uid=0 gid=0 groups=0,10 home=/root" ]
}

@test "a 3 MB group line listing the target is an error naming the file" {
	need_root
	{
		printf 'big:x:5000:'
		repeat u 3000000
		printf ',app\n'
		cat "$GROUP"
	} >"$GROUP.big"
	GROUP=$GROUP.big
	refuses_to_run app
	[ "$stderr" = "su-exec: cannot read /etc/group: line 1 is $LONG" ]
}

@test "a 3 MB group line for another group is skipped with an explicit GROUP" {
	need_root
	{
		printf 'big:x:5000:'
		repeat u 3000000
		printf '\n'
		cat "$GROUP"
	} >"$GROUP.big"
	GROUP=$GROUP.big
	run --separate-stderr -0 hostile --print app:staff
	[ "$output" = "uid=1000 gid=50 groups=50 home=/home/app" ]
	run -0 hostile app:staff sh -c "$SHOW_ID"
	is_switched 1000 50 "50" /home/app
	# without GROUP the members past the first MiB could name app: an error
	refuses_to_run app
	[ "$stderr" = "su-exec: cannot read /etc/group: line 1 is $LONG" ]
}

@test "a 2 MB name in passwd: skipped for a name, an error for a uid" {
	need_root
	{
		repeat a 2000000
		printf ':x:0:0::/root:/bin/sh\n'
		cat "$PASSWD"
	} >"$PASSWD.big"
	PASSWD=$PASSWD.big
	run --separate-stderr -0 hostile --print app
	[ "$output" = "$APP" ]
	# the uid lies past the first MiB: it could be the one sought
	refuses_to_run 0
	[ "$stderr" = "su-exec: cannot read /etc/passwd: line 1 is $LONG" ]
}

@test "blanks past 1 MiB before an entry make a long line, never a skip" {
	need_root
	# Trimmed, the line is app's; it is longer than 1 MiB, so it is an
	# error: skipping it would pick the next line, here uid 0.
	{
		repeat ' ' 1100000
		printf 'app:x:1000:1000::/home/app:/bin/sh\n'
		printf 'app:x:0:0::/root:/bin/sh\n'
	} >"$PASSWD.big"
	PASSWD=$PASSWD.big
	refuses_to_run app
	[ "$stderr" = "su-exec: cannot read /etc/passwd: line 1 is $LONG" ]
}

@test "blanks past 1 MiB before a group line make a long line, never a skip" {
	need_root
	{
		cat "$GROUP"
		repeat ' ' 1100000
		printf 'more:x:5000:app\n'
	} >"$GROUP.big"
	GROUP=$GROUP.big
	refuses_to_run app
	[ "$stderr" = "su-exec: cannot read /etc/group: line 17 is $LONG" ]
}

# ---- odd bytes ----------------------------------------------------------

@test "a NUL byte makes a line malformed, never root" {
	need_root
	printf 'app:x:0:0:\0:/root:/bin/sh\napp\0:x:0:0::/root:/bin/sh\n' >"$PASSWD"
	printf 'app:x:1000:1000::/home/app:/bin/sh\n' >>"$PASSWD"
	printf 'root:x:0:app\0\nwheel\0:x:0:app\nwheel:x:10:app\n' >"$GROUP"
	run --separate-stderr -0 hostile --print app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10 home=/home/app" ]
	run -0 hostile app sh -c "$SHOW_ID"
	is_switched 1000 1000 "10 1000" /home/app
}

@test "a NUL at any place of a line makes the line malformed" {
	need_root
	# not i: bats' run sets it
	# 37 bytes: two steps of sixteen, and a last one that overlaps them
	local pw='app:x:0:0:the root:/root:/usr/bin/zsh'
	local gr='staff:x:50:app,bin,daemon,lp,sys,adm1' at
	[ "${#pw}" = 37 ] && [ "${#gr}" = 37 ]
	printf 'users:x:100:app\n' >"$GROUP"
	for ((at = 0; at < ${#pw}; at++)); do
		printf '%s\0%s\napp:x:1000:1000::/home/app:/bin/sh\n' \
			"${pw:0:at}" "${pw:at+1}" >"$PASSWD"
		run --separate-stderr -0 hostile --print app
		[ "$output" = "uid=1000 gid=1000 groups=1000,100 home=/home/app" ] ||
			{ echo "passwd, NUL at $at: $output"; return 1; }
	done
	printf 'app:x:1000:1000::/home/app:/bin/sh\n' >"$PASSWD"
	for ((at = 0; at < ${#gr}; at++)); do
		printf '%s\0%s\nusers:x:100:app\n' "${gr:0:at}" "${gr:at+1}" >"$GROUP"
		run --separate-stderr -0 hostile --print app
		[ "$output" = "uid=1000 gid=1000 groups=1000,100 home=/home/app" ] ||
			{ echo "group, NUL at $at: $output"; return 1; }
	done
}

@test "a user with an empty name, found by uid, is in no group by that name" {
	need_root
	# an empty entry in a member list names nobody, not the nameless user
	printf ':x:1010:1010::/home/noname:/bin/sh\n' >"$PASSWD"
	printf 'e1:x:7:,app\ne2:x:8:app,\ne3:x:9:\ne4:x:11:,\n' >"$GROUP"
	run --separate-stderr -0 hostile --print 1010
	[ "$output" = "uid=1010 gid=1010 groups=1010 home=/home/noname" ]
}

@test "CRLF files are read, and no carriage return reaches HOME" {
	need_root
	sed 's/$/\r/' "$PASSWD" >"$PASSWD.crlf"
	sed 's/$/\r/' "$GROUP" >"$GROUP.crlf"
	PASSWD=$PASSWD.crlf
	GROUP=$GROUP.crlf
	app_resolves_and_switches
}

@test "a last line without its newline is read" {
	need_root
	printf 'root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh' \
		>"$PASSWD"
	printf 'root:x:0:\nwheel:x:10:app' >"$GROUP"
	run --separate-stderr -0 hostile --print app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10 home=/home/app" ]
	run --separate-stderr -0 hostile --print app:wheel
	[ "$output" = "uid=1000 gid=10 groups=10 home=/home/app" ]
}

@test "malformed id fields are skipped, never read as root" {
	need_root
	printf 'app:x:%s:0::/root:/bin/sh\n' '' -0 -1 +0 0x0 0x3e8 ' 0' '0 ' \
		'0	' 1e3 4294967296 4294968296 2147483648 \
		99999999999999999999 >"$PASSWD"
	printf 'app:x:1000:%s::/root:/bin/sh\n' '' -0 +0 0x0 ' 0' 4294967296 \
		2147483648 >>"$PASSWD"
	printf 'app:x:1000:1000::/home/app:/bin/sh\n' >>"$PASSWD"
	printf 'wheel:x:%s:app\n' '' -0 +0 0x0 ' 0' '0 ' 4294967296 \
		2147483648 >"$GROUP"
	printf 'wheel:x:10:app\n' >>"$GROUP"
	run --separate-stderr -0 hostile --print app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10 home=/home/app" ]
	run --separate-stderr -0 hostile --print app:wheel
	[ "$output" = "uid=1000 gid=10 groups=10 home=/home/app" ]
	# no line has a valid uid 0: uid 0 is used as a bare number
	run --separate-stderr -0 hostile --print 0
	[ "$output" = "uid=0 gid=0 groups=0 home=/" ]
	run -0 hostile app sh -c "$SHOW_ID"
	is_switched 1000 1000 "10 1000" /home/app
}

# ---- size ---------------------------------------------------------------

@test "1,000,000 entries with the target last: fast, in bounded memory" {
	need_root
	local stats=$BATS_TEST_TMPDIR/stats start ms base kb
	awk 'BEGIN {
		for (i = 1; i <= 1000000; i++)
			printf "u%d:x:%d:%d:User %d:/home/u%d:/bin/sh\n",
				i, 100000 + i, 100000 + i, i, i
		print "app:x:1000:1000::/home/app:/bin/sh"
	}' >"$PASSWD.big"
	awk 'BEGIN {
		for (i = 1; i <= 1000000; i++)
			printf "g%d:x:%d:u%d,u%d\n", i, 100000 + i, i, i + 1
		print "wheel:x:10:app"
	}' >"$GROUP.big"

	# time: the whole run, namespace included; generous for a loaded
	# machine, as a linear scan takes well under a second
	start=$(date +%s%N)
	run --separate-stderr -0 in_ns "$PASSWD.big" "$GROUP.big" \
		timeout "$LIMIT" "$SU_EXEC" --print app
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$output" = "uid=1000 gid=1000 groups=1000,10 home=/home/app" ]
	echo "1,000,000 entries: $ms ms"
	[ "$ms" -lt 5000 ]

	# memory: the peak, against the same lookup in the small database; the
	# files hold 70 MB, reading them into memory would show
	/usr/bin/time -f %M true >/dev/null 2>&1 ||
		skip "memory not measured: needs GNU time (/usr/bin/time)"
	run -0 in_ns "$PASSWD" "$GROUP" timeout "$LIMIT" \
		/usr/bin/time -f %M -o "$stats" "$SU_EXEC" --print app
	base=$(cat "$stats")
	run -0 in_ns "$PASSWD.big" "$GROUP.big" timeout "$LIMIT" \
		/usr/bin/time -f %M -o "$stats" "$SU_EXEC" --print app
	kb=$(cat "$stats")
	echo "peak memory: $kb KB (small database: $base KB)"
	[ "$kb" -le $((base + 8192)) ]
}

@test "a user in 70,000 groups is an error, never a silent cut" {
	need_root
	add_app_groups 70000
	refuses_to_run app
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
	run --separate-stderr -125 hostile --print app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
}

@test "a user in exactly 65,536 groups gets them all; one more is an error" {
	need_root
	# app already has 4 (1000, 10, 50, 100): 65,532 more make 65,536
	add_app_groups 65532
	run --separate-stderr -0 hostile --print app
	[[ "$output" == "uid=1000 gid=1000 groups=1000,10,50,100,100001,"* ]]
	[[ "$output" == *",165532 home=/home/app" ]]
	groups=${output#* groups=}
	groups=${groups%% *}
	[ "$(printf '%s\n' "$groups" | tr ',' '\n' | sort -u | wc -l)" = 65536 ]

	run -0 hostile app sh -c 'grep -E "^(Uid|Gid):" /proc/self/status
		grep ^Groups: /proc/self/status | wc -w'
	[ "$output" = "Uid:	1000	1000	1000	1000
Gid:	1000	1000	1000	1000
65537" ]

	# one more, by membership or by --group-add
	refuses_to_run -G 7 app
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
	printf 'one-more:x:7:app\n' >>"$GROUP"
	refuses_to_run app
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
}

@test "131,074 memberships naming exactly 65,536 gids work; one more gid is an error" {
	need_root
	# The gid set makes room for 131,074 before it first removes
	# duplicates: here the memberships fill it exactly. Each of the gids
	# 1-65,536 is named twice, 1 and 2 a third time; app's gid 1000 is
	# one of them.
	awk 'BEGIN {
		for (i = 0; i < 131074; i++)
			printf "m%d:x:%d:app\n", i, 1 + i % 65536
	}' >"$GROUP"
	run --separate-stderr -0 hostile --print app
	[[ "$output" == "uid=1000 gid=1000 groups=1000,1,2,3,"*",999,1001,"*",65535,65536 home=/home/app" ]]
	groups=${output#* groups=}
	groups=${groups%% *}
	[ "$(printf '%s\n' "$groups" | tr ',' '\n' | wc -l)" = 65536 ]
	[ "$(printf '%s\n' "$groups" | tr ',' '\n' | sort -u | wc -l)" = 65536 ]
	run -0 hostile app sh -c 'grep ^Groups: /proc/self/status | wc -w'
	[ "$output" = 65537 ]

	# one more membership of a gid already named: the set, full, removes
	# its duplicates and finds exactly 65,536, which fit
	printf 'm131074:x:3:app\n' >>"$GROUP"
	run --separate-stderr -0 hostile --print app
	[[ "$output" == "uid=1000 gid=1000 groups=1000,1,2,3,"*",65535,65536 home=/home/app" ]]

	# one more distinct gid
	printf 'm131075:x:65537:app\n' >>"$GROUP"
	refuses_to_run app
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
	run --separate-stderr -125 hostile --print app
	[ "$stderr" = "su-exec: 'app' needs more than 65536 groups (the Linux limit)" ]
}

# ---- hostile specs ------------------------------------------------------

@test "the longest name Linux passes gets a short one-line message" {
	need_root
	# One argument holds at most 128 KiB (MAX_ARG_STRLEN) with its NUL, so
	# a longer name never reaches su-exec.
	local name a64
	name=$(repeat a 131071)
	a64=$(repeat a 64)
	run --separate-stderr -125 hostile --print "$name"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: unknown user '$a64'...: no such user in /etc/passwd" ]
	run --separate-stderr -125 hostile --print "app:$(repeat g 100000)"
	[ "$stderr" = "su-exec: unknown group '$(repeat g 64)'...: no such group in /etc/group" ]
	run --separate-stderr -125 hostile --print "$(repeat 9 100000)"
	[ "$stderr" = "su-exec: invalid user id '$(repeat 9 64)'...: out of range (0 to 2147483647)" ]
	run --separate-stderr -125 hostile -G "$(repeat g 100000)" --print app
	[ "$stderr" = "su-exec: unknown group '$(repeat g 64)'...: no such group in /etc/group" ]
}

@test "newlines, tabs, escapes and non-UTF-8 in the spec are escaped on one line" {
	need_root
	run --separate-stderr -125 hostile --print $'a\nb\tc\xff\xfe\e[31m'
	[ "$output" = "" ]
	[ "$stderr" = 'su-exec: unknown user '\''a\x0ab\x09c\xff\xfe\x1b[31m'\'': no such user in /etc/passwd' ]
	run --separate-stderr -125 hostile --print $'app:\r\n\x7f'
	[ "$stderr" = 'su-exec: unknown group '\''\x0d\x0a\x7f'\'': no such group in /etc/group' ]
	run --separate-stderr -125 hostile --print -G $'\x01x' app
	[ "$stderr" = 'su-exec: unknown group '\''\x01x'\'': no such group in /etc/group' ]
	run --separate-stderr -125 hostile --print "o'k\\"
	[ "$stderr" = 'su-exec: unknown user '\''o\x27k\x5c'\'': no such user in /etc/passwd' ]
	# cut after 64 bytes, each shown as \xff
	run --separate-stderr -125 hostile --print "$(repeat '\377' 100)"
	[ "$stderr" = "su-exec: unknown user '$(printf '%.0s\\xff' $(seq 64))'...: no such user in /etc/passwd" ]
}
