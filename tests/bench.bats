#!/usr/bin/env bats
# The limits in bench/limits: the deterministic gate (bench/run --gate)
# that CI applies must be able to fail, or it proves nothing, and the
# README must quote the limits the file holds.

load test_helper

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

# limits_with NAME=VALUE...: a copy of bench/limits with those values
# changed (a later assignment wins), in BENCH_LIMITS.
limits_with() {
	export BENCH_LIMITS=$BATS_TEST_TMPDIR/limits
	{ cat "$ROOT/bench/limits"; printf '%s\n' "$@"; } >"$BENCH_LIMITS"
}

# gate_build: a stripped static musl build of this checkout, in GATE_BIN,
# for bench/run --gate to check instead of su-exec-static.
gate_build() {
	need_root
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "the gate measures the static build, not this one"
	[ -z "${SU_EXEC_STATIC:-}" ] || skip "the gate measures the static build of this checkout, not a given one"
	command -v musl-gcc >/dev/null || skip "needs musl-gcc (musl-tools)"
	GATE_BIN=$BATS_TEST_TMPDIR/su-exec-gate
	musl-gcc -std=c11 -Os -static -s -DVERSION='"gate"' -o "$GATE_BIN" "$ROOT/su-exec.c"
}

@test "the gate fails a build over the instruction limit" {
	gate_build
	# nothing does less than the floor
	limits_with MAX_INSTRUCTIONS_RATIO=1 MAX_STATIC_BYTES=1000000
	run -1 env SU_EXEC_STATIC="$GATE_BIN" "$ROOT/bench/run" --gate
	[[ "${lines[0]}" == "FAIL  instructions before exec: "*"(limit 1x)" ]]
	[[ "${lines[1]}" == "PASS  static binary: "* ]]
}

@test "the gate fails a binary one byte over the size limit, passes it at the limit" {
	gate_build
	local size
	size=$(wc -c <"$GATE_BIN")
	limits_with MAX_STATIC_BYTES=$((size - 1))
	run -1 env SU_EXEC_STATIC="$GATE_BIN" "$ROOT/bench/run" --gate
	[[ "${lines[0]}" == "PASS  instructions before exec: "* ]]
	[ "${lines[1]}" = "FAIL  static binary: $size bytes (limit $((size - 1)))" ]
	limits_with MAX_STATIC_BYTES="$size"
	run -0 env SU_EXEC_STATIC="$GATE_BIN" "$ROOT/bench/run" --gate
	[ "${lines[1]}" = "PASS  static binary: $size bytes (limit $size)" ]
}

@test "bench/run refuses a limit that is not a number" {
	limits_with MAX_STATIC_BYTES=24KiB
	run -2 "$ROOT/bench/run" --gate
	[ "$output" = "bench/run: $BENCH_LIMITS: MAX_STATIC_BYTES must be a number, not '24KiB'" ]
}

# The README quotes each limit in a table row that names it:
# | what | value | in CI |, the name in backquotes in the first cell.
@test "the README quotes the limits that bench/limits holds" {
	local names name quoted want
	names=$(sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' "$ROOT/bench/limits")
	[ -n "$names" ]
	for name in $names; do
		want=$(sh -c '. "$1"; eval "echo \${$2}"' sh "$ROOT/bench/limits" "$name")
		quoted=$(sed -n "s/^| [^|]*(\`$name\`) | \([0-9][0-9,.]*\)[ |].*/\1/p" "$ROOT/README.md")
		[ "$(printf '%s\n' "$quoted" | grep -c .)" = 1 ] ||
			{ echo "README: $name quoted ${quoted:+more than once}${quoted:-nowhere}"; false; }
		[ "${quoted//,/}" = "$want" ] ||
			{ echo "README: $name is $quoted, bench/limits says $want"; false; }
	done
	# and no limit that the file does not hold
	quoted=$(sed -n 's/^| [^|]*(`\(MAX_[A-Z0-9_]*\)`) |.*/\1/p' "$ROOT/README.md" | sort)
	[ "$quoted" = "$(printf '%s\n' $names | sort)" ]
}

@test "bench/profile tells where the instructions before the exec go" {
	local root=$BATS_TEST_DIRNAME/..
	need_root
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "the profile is of the static build, not this one"
	[ -z "${SU_EXEC_STATIC:-}" ] || skip "the profile is of the static build of this checkout, not a given one"
	command -v valgrind >/dev/null || skip "needs valgrind"
	command -v musl-gcc >/dev/null || skip "needs musl-gcc (musl-tools)"
	run -0 "$root/bench/profile"
	[[ "$output" == *" PROGRAM TOTALS"* ]]
	[[ "$output" == *":split_fields "* ]]
	[[ "$output" == *":main "* ]]
	run -0 "$root/bench/profile" --tree
	[[ "$output" == *":db_next_line "* ]]
}
