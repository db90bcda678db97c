#!/usr/bin/env bats
# The user database files: missing ones, line limits, file ends.

load test_helper

# fake_etc [passwd] [group]: a folder to serve as the whole /etc, holding
# copies of the standard files named.
fake_etc() {
	ETC=$BATS_TEST_TMPDIR/etc
	mkdir -p "$ETC"
	for f in "$@"; do cp "$BATS_TEST_TMPDIR/$f" "$ETC/$f"; done
}

@test "a missing /etc/passwd reads as empty: numeric ids still work" {
	need_root
	fake_etc group
	run -0 in_etc "$ETC" "$SU_EXEC" 4000:staff sh -c "$SHOW_ID"
	[ "${lines[0]}" = "Uid: 4000 4000 4000 4000" ]
	[ "${lines[1]}" = "Gid: 50 50 50 50" ]
	[ "${lines[8]}" = "HOME=/" ]
	run --separate-stderr -125 in_etc "$ETC" "$SU_EXEC" app true
	[ "$stderr" = "su-exec: unknown user 'app': no such user in /etc/passwd" ]
}

@test "a missing /etc/group reads as empty" {
	need_root
	fake_etc passwd
	run -0 in_etc "$ETC" "$SU_EXEC" app id -G
	[ "$output" = "1000" ]
	run -0 in_etc "$ETC" "$SU_EXEC" app:77 id -G
	[ "$output" = "77" ]
	run --separate-stderr -125 in_etc "$ETC" "$SU_EXEC" app:staff true
	[ "$stderr" = "su-exec: unknown group 'staff': no such group in /etc/group" ]
}

@test "a last line without a newline is read" {
	need_root
	printf 'app:x:1000:1000::/home/app:/bin/sh\nlast:x:1100:1100::/home/last' >"$PASSWD"
	printf 'last:x:1100:\nextra:x:1200:last' >"$GROUP"
	run -0 su_exec -p last
	[ "$output" = "uid=1100 gid=1100 groups=1100,1200 home=/home/last" ]
}

@test "the end of a file is where read() says so" {
	need_root
	command -v strace >/dev/null || skip "needs strace"
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "a sanitizer build makes system calls of its own"
	run -0 in_ns "$PASSWD" "$GROUP" strace -qq -o "$BATS_TEST_TMPDIR/reads" \
		-P /etc/group -e trace=read "$SU_EXEC" -p app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app" ]
	run -0 tail -n 1 "$BATS_TEST_TMPDIR/reads"
	[[ "$output" == "read("*" = 0" ]]
}

# A field that ends with the name sought, a few bytes before the line or
# member that is the name, at every offset of the two in the file.
@test "a name right after a place that only looks like it is found, at every offset" {
	need_root
	local pad name
	for pad in $(seq 0 15); do
		name=$(printf 'p%.0s' $(seq 0 "$pad"))
		printf '%s:x:1:1::/:/bin/app\napp:x:1000:1001::/home/app:/bin/sh\n' \
			"$name" >"$PASSWD"
		printf '%s:x:1300:zapp,app\n' "$name" >"$GROUP"
		run -0 su_exec -p app
		[ "$output" = "uid=1000 gid=1001 groups=1001,1300 home=/home/app" ]
	done
}

# Reads are 16 KiB: a line that starts a few bytes before the end of one
# is carried over to the next, whatever is left of it, even one byte.
@test "a line that starts near the end of a read is read whole, at every offset" {
	need_root
	local start
	for start in $(seq 16378 16386); do
		{ printf '#%*s\n' $((start - 2)) ''
		  printf 'app:x:1000:1001::/home/app:/bin/sh\n'; } >"$PASSWD"
		{ printf '#%*s\n' $((start - 2)) ''
		  printf 'staff:x:1300:app\n'; } >"$GROUP"
		run -0 su_exec -p app
		[ "$output" = "uid=1000 gid=1001 groups=1001,1300 home=/home/app" ] ||
			{ echo "at $start: $output"; return 1; }
	done
}

# members N NAME: a member list of N generated names, then NAME.
members() {
	awk -v n="$1" -v last="$2" 'BEGIN {
		for (i = 0; i < n; i++) printf "m%d,", i; printf "%s", last }'
}

@test "a group of 100,000 members is read in full" {
	need_root
	{ cat "$GROUP"; printf 'big:x:3000:'; members 99999 app; echo; } >"$BATS_TEST_TMPDIR/g"
	[ "$(wc -c <"$BATS_TEST_TMPDIR/g")" -lt $((1024 * 1024)) ]
	GROUP=$BATS_TEST_TMPDIR/g
	run -0 su_exec -p app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100,3000 home=/home/app" ]
}

@test "a line of exactly 1 MiB is read; one byte more is too long" {
	need_root
	local head='big:x:3000:' fill
	# 1048576 bytes before the newline, the user last on the line
	fill=$((1024 * 1024 - ${#head} - 4))
	{ printf '%s' "$head"; head -c "$fill" /dev/zero | tr '\0' 'x'; printf ',app\n'; cat "$GROUP"; } >"$BATS_TEST_TMPDIR/g"
	run -0 in_ns "$PASSWD" "$BATS_TEST_TMPDIR/g" "$SU_EXEC" -p app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100,3000 home=/home/app" ]
	{ printf '%s' "$head"; head -c "$((fill + 1))" /dev/zero | tr '\0' 'x'; printf ',app\n'; cat "$GROUP"; } >"$BATS_TEST_TMPDIR/g"
	run --separate-stderr -125 in_ns "$PASSWD" "$BATS_TEST_TMPDIR/g" "$SU_EXEC" -p app
	[ "$stderr" = "su-exec: cannot read /etc/group: line 1 is longer than 1048576 bytes" ]
	# ... and so it is when it ends the file, alone in the last read
	{ printf '%s' "$head"; head -c "$((fill + 1))" /dev/zero | tr '\0' 'x'; printf ',app\n'; } >"$BATS_TEST_TMPDIR/g"
	run --separate-stderr -125 in_ns "$PASSWD" "$BATS_TEST_TMPDIR/g" "$SU_EXEC" -p app
	[ "$stderr" = "su-exec: cannot read /etc/group: line 1 is longer than 1048576 bytes" ]
}

@test "a line too long to read is skipped when it cannot concern the target" {
	need_root
	{ printf 'huge:x:1:1:'; head -c 2000000 /dev/zero | tr '\0' 'g'; echo; cat "$PASSWD"; } >"$BATS_TEST_TMPDIR/p"
	{ printf 'hugeg:x:3000:'; members 200000 someone; echo; cat "$GROUP"; } >"$BATS_TEST_TMPDIR/g"
	# GROUP given: memberships do not matter, the huge group is not it
	run -0 in_ns "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/g" "$SU_EXEC" -p app:staff
	[ "$output" = "uid=1000 gid=50 groups=50 home=/home/app" ]
	# without GROUP, the members past the limit could name app
	run --separate-stderr -125 in_ns "$BATS_TEST_TMPDIR/p" "$BATS_TEST_TMPDIR/g" "$SU_EXEC" -p app
	[ "$stderr" = "su-exec: cannot read /etc/group: line 1 is longer than 1048576 bytes" ]
	# the huge passwd line is the one sought: never a partial answer
	run --separate-stderr -125 in_ns "$BATS_TEST_TMPDIR/p" "$GROUP" "$SU_EXEC" -p huge
	[ "$stderr" = "su-exec: cannot read /etc/passwd: line 1 is longer than 1048576 bytes" ]
	run --separate-stderr -125 in_ns "$BATS_TEST_TMPDIR/p" "$GROUP" "$SU_EXEC" -p 1
	[ "$stderr" = "su-exec: cannot read /etc/passwd: line 1 is longer than 1048576 bytes" ]
}

@test "lines after a line too long are read from their start" {
	need_root
	{ printf 'huge:x:1:1:'; head -c 3000000 /dev/zero | tr '\0' 'g'; printf '\nnext:x:1234:1234::/home/next:/bin/sh\n'; } >"$BATS_TEST_TMPDIR/p"
	run -0 in_ns "$BATS_TEST_TMPDIR/p" "$GROUP" "$SU_EXEC" -p next
	[ "$output" = "uid=1234 gid=1234 groups=1234 home=/home/next" ]
}

@test "the rest of a line too long is never read as a line of its own" {
	need_root
	local mib=$((1024 * 1024))
	# what the cut leaves of line 1 would be a uid-0 app line
	{ printf 'x:x:1:1:'; head -c $((mib - 8)) /dev/zero | tr '\0' g
	  printf 'app:x:0:0::/root:/bin/sh\n'; cat "$PASSWD"; } >"$BATS_TEST_TMPDIR/p"
	run -0 in_ns "$BATS_TEST_TMPDIR/p" "$GROUP" "$SU_EXEC" -p app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app" ]
	# and the line after it keeps its number
	{ printf 'x:x:1:1:'; head -c $((2 * mib)) /dev/zero | tr '\0' g; echo
	  printf 'app:x:1000:1000:'; head -c $((2 * mib)) /dev/zero | tr '\0' g; echo
	} >"$BATS_TEST_TMPDIR/p"
	run --separate-stderr -125 in_ns "$BATS_TEST_TMPDIR/p" "$GROUP" "$SU_EXEC" -p app
	[ "$stderr" = "su-exec: cannot read /etc/passwd: line 2 is longer than $mib bytes" ]
}

@test "numeric ids alone never read /etc/group, broken or not" {
	need_root
	fake_etc passwd
	mkfifo "$ETC/group"
	run -0 in_etc "$ETC" "$SU_EXEC" -p 4000:4000
	[ "$output" = "uid=4000 gid=4000 groups=4000 home=/" ]
	run --separate-stderr -125 in_etc "$ETC" "$SU_EXEC" -p app
	[ "$stderr" = "su-exec: cannot read /etc/group: not a regular file" ]
}
