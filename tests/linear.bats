#!/usr/bin/env bats
# Time grows linearly with the two files plus the command line, whatever
# they hold. Each hard case is timed against a plain case of about the same
# size in the same run; the ratio allowed is generous, as the machine may be
# busy, but far below what a quadratic path takes (seconds to minutes).

load test_helper

# How many times slower than its plain case a hard case may be, and a
# floor in milliseconds under which timings are noise.
RATIO=4
SLACK_MS=100

# best_ms ARGS...: the fastest of three runs of su-exec -p ARGS over
# $PASSWD and $GROUP, in milliseconds; each run must succeed.
best_ms() {
	local i start ms best=
	for i in 1 2 3; do
		start=$(date +%s%N)
		in_ns "$PASSWD" "$GROUP" "$SU_EXEC" -p "$@" >/dev/null || return 1
		ms=$((($(date +%s%N) - start) / 1000000))
		[ -n "$best" ] && [ "$best" -le "$ms" ] || best=$ms
	done
	echo "$best"
}

# once_ms ARGS...: one run of su-exec -p ARGS over $PASSWD and $GROUP, in
# milliseconds, whatever its status (a hard case may be an error); a run
# that hangs is stopped after a minute, far over any ratio.
once_ms() {
	local start
	start=$(date +%s%N)
	in_ns "$PASSWD" "$GROUP" timeout 60 "$SU_EXEC" -p "$@" >/dev/null 2>&1 || true
	echo $((($(date +%s%N) - start) / 1000000))
}

# within_ratio HARD PLAIN: HARD ms is within RATIO times PLAIN ms.
within_ratio() {
	echo "hard case ${1} ms, plain case ${2} ms"
	[ "$1" -le $((RATIO * $2 + SLACK_MS)) ]
}

# groups_of_app FIRST COUNT: group lines FIRST.. listing app.
groups_of_app() {
	seq "$1" "$(($1 + $2 - 1))" | sed 's/.*/g&:x:&:app/'
}

@test "duplicate memberships near the 65,536-group limit cost what distinct ones do" {
	need_root
	skip_if_emulated "timings under qemu measure the emulator's translation too"
	local plain hard
	# app is in 65,535 groups besides its own: exactly the limit
	groups_of_app 1001 65535 >"$GROUP"
	plain=$(best_ms app)
	# the same, then 5,000 more lines for groups app already has
	groups_of_app 1001 5000 | sed 's/^g/d/' >>"$GROUP"
	run -0 in_ns "$PASSWD" "$GROUP" "$SU_EXEC" -p app
	[ "${output:0:32}" = "uid=1000 gid=1000 groups=1000,10" ]
	hard=$(best_ms app)
	within_ratio "$hard" "$plain"
}

@test "the same --group-add repeated past the limit costs what it does below it" {
	need_root
	skip_if_emulated "timings under qemu measure the emulator's translation too"
	local plain hard args out
	# one command each: bats makes every shell line of a test slow
	mapfile -t args < <(yes $'-G\n10' | head -n 40000)
	plain=$(best_ms "${args[@]}" app)
	# app in 65,535 groups besides its own: every -G then adds a duplicate
	# to a full set
	groups_of_app 1001 65535 | sed 's/^g1010:x:1010:/wheel:x:10:/' >"$GROUP"
	out=$(in_ns "$PASSWD" "$GROUP" "$SU_EXEC" -p "${args[@]}" app)
	[ "${out:0:32}" = "uid=1000 gid=1000 groups=1000,10" ]
	hard=$(best_ms "${args[@]}" app)
	within_ratio "$hard" "$plain"
}

@test "thousands of --group-add names take one pass over /etc/group" {
	need_root
	skip_if_emulated "timings under qemu measure the emulator's translation too"
	local plain hard args out
	groups_of_app 5001 10000 >>"$GROUP"
	mapfile -t args < <(seq 5001 15000 | sed 's/.*/-G\ng&/')
	# plain: the same command line, numeric, which needs no file
	plain=$(best_ms "${args[@]//g/}" app:app)
	out=$(in_ns "$PASSWD" "$GROUP" "$SU_EXEC" -p "${args[@]}" app:app)
	[ "${out:0:37}" = "uid=1000 gid=1000 groups=1000,5001,50" ]
	hard=$(best_ms "${args[@]}" app:app)
	within_ratio "$hard" "$plain"
}

@test "a long name against lines of its own letter costs what a short one does" {
	need_root
	skip_if_emulated "timings under qemu measure the emulator's translation too"
	local plain hard name
	# 4 MB of 'a' lines of 100 bytes, then app; the name sought is 120 KB
	# of 'a': each line is a prefix of it
	{
		head -c 4000000 /dev/zero | tr '\0' a | fold -w 100
		echo
		cat "$PASSWD"
	} >"$PASSWD.big"
	PASSWD=$PASSWD.big
	plain=$(best_ms app)
	name=$(head -c 120000 /dev/zero | tr '\0' a)
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" "$SU_EXEC" -p "$name"
	[ "${stderr:0:30}" = "su-exec: unknown user 'aaaaaaa" ]
	hard=$(once_ms "$name")
	within_ratio "$hard" "$plain"
}
