#!/usr/bin/env bats
# What depends on the CPU. A 32-bit kernel interface keeps the old 16-bit
# id calls (setuid, setgroups...) beside the 32-bit ones (setuid32,
# setgroups32...): a build that made the 16-bit calls would cut every id
# above 65535. release/test runs this file on every architecture.

load test_helper

# id_calls: the names of the credential system calls su-exec makes while
# switching to app, one a line, traced by strace or, for a foreign build,
# by qemu's own -strace (SU_EXEC_QEMU names the emulator).
id_calls() {
	local trace=$BATS_TEST_TMPDIR/trace
	if [ -n "${SU_EXEC_EMULATED:-}" ]; then
		[ -n "${SU_EXEC_QEMU:-}" ] || skip "SU_EXEC_QEMU names no qemu to trace with"
		in_ns "$PASSWD" "$GROUP" "$SU_EXEC_QEMU" -strace -D "$trace" \
			"$SU_EXEC" app true || return
	else
		command -v strace >/dev/null || skip "needs strace"
		in_ns "$PASSWD" "$GROUP" strace -qq -o "$trace" "$SU_EXEC" app true ||
			return
	fi
	grep -oE '^([0-9]+ +)?[a-z_0-9]+\(' "$trace" | sed 's/^[0-9 ]*//; s/($//' |
		grep -E '^(set|get)(res|e|fs)?[ug]id|^(set|get)groups' | sort -u
}

@test "a 32-bit build makes the 32-bit id calls, never the 16-bit ones" {
	need_root
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "a sanitizer build makes system calls of its own"
	run -0 file -bL "$SU_EXEC"
	[[ "$output" == *"32-bit"* ]] || skip "a 64-bit build has only the one set of id calls"
	run -0 id_calls
	echo "$output"
	[[ " ${lines[*]} " == *" setgroups32 "* ]]
	[[ " ${lines[*]} " == *" setresgid32 "* ]]
	[[ " ${lines[*]} " == *" setresuid32 "* ]]
	local call
	for call in "${lines[@]}"; do
		[[ "$call" == *32 ]]
	done
}
