#!/usr/bin/env bats
# The deterministic performance gate (bench/run --gate) that CI applies:
# it must be able to fail, or it proves nothing.

load test_helper

# gate_on OPT ENV...: bench/run --gate, with ENV, on a static musl build
# of this checkout made with -OPT; it must fail.
gate_on() {
	local root=$BATS_TEST_DIRNAME/.. opt=$1
	shift
	need_root
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "the gate measures the static build, not this one"
	[ -z "${SU_EXEC_STATIC:-}" ] || skip "the gate measures the static build of this checkout, not a given one"
	command -v musl-gcc >/dev/null || skip "needs musl-gcc (musl-tools)"
	musl-gcc -std=c11 "-$opt" -static -DVERSION='"gate"' \
		-o "$BATS_TEST_TMPDIR/su-exec-$opt" "$root/su-exec.c"
	run -1 env SU_EXEC_STATIC="$BATS_TEST_TMPDIR/su-exec-$opt" "$@" \
		"$root/bench/run" --gate
}

@test "the gate fails a build that breaks the instruction budget (-O0)" {
	gate_on O0 GATE_SIZE=1000000
	[[ "${lines[0]}" == "FAIL  instructions before exec: "* ]]
	[[ "${lines[1]}" == "PASS  static binary: "* ]]
}

@test "the gate fails a binary over the size budget" {
	gate_on Os GATE_RATIO=1000 GATE_SIZE=20000
	[[ "${lines[0]}" == "PASS  instructions before exec: "* ]]
	[[ "${lines[1]}" == "FAIL  static binary: "*" bytes (gate 20000)" ]]
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
