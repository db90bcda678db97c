#!/usr/bin/env bats
# The deterministic performance gate (bench/run --gate) that CI applies:
# it must be able to fail, or it proves nothing.

load test_helper

@test "the gate fails a build that breaks the instruction budget (-O0)" {
	need_root
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "the gate measures the static build, not this one"
	[ -z "${SU_EXEC_STATIC:-}" ] || skip "the gate measures the static build of this checkout, not a given one"
	command -v musl-gcc >/dev/null || skip "needs musl-gcc (musl-tools)"
	local root=$BATS_TEST_DIRNAME/..
	musl-gcc -std=c11 -O0 -static -DVERSION='"gate"' \
		-o "$BATS_TEST_TMPDIR/su-exec-O0" "$root/su-exec.c"
	run -1 env SU_EXEC_STATIC="$BATS_TEST_TMPDIR/su-exec-O0" GATE_SIZE=1000000 \
		"$root/bench/run" --gate
	[[ "${lines[0]}" == "FAIL  instructions before exec: "* ]]
	[[ "${lines[1]}" == "PASS  static binary: "* ]]
}

@test "the gate fails a binary over the size budget" {
	need_root
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "the gate measures the static build, not this one"
	[ -z "${SU_EXEC_STATIC:-}" ] || skip "the gate measures the static build of this checkout, not a given one"
	command -v musl-gcc >/dev/null || skip "needs musl-gcc (musl-tools)"
	local root=$BATS_TEST_DIRNAME/..
	musl-gcc -std=c11 -Os -static -DVERSION='"gate"' \
		-o "$BATS_TEST_TMPDIR/su-exec-big" "$root/su-exec.c"
	run -1 env SU_EXEC_STATIC="$BATS_TEST_TMPDIR/su-exec-big" GATE_RATIO=1000 \
		GATE_SIZE=20000 "$root/bench/run" --gate
	[[ "${lines[0]}" == "PASS  instructions before exec: "* ]]
	[[ "${lines[1]}" == "FAIL  static binary: "*" bytes (gate 20000)" ]]
}
