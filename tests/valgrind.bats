#!/usr/bin/env bats
# Memcheck over the normal path and each kind of error path: no invalid
# read or write, no use of uninitialised memory, before the exec or the exit.

load test_helper

setup() {
	write_db
	shared_tmpdir
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "valgrind cannot run a sanitizer build"
	skip_if_emulated "valgrind cannot run a foreign binary"
}

# memcheck STATUS ARGS...: su-exec under valgrind as root over the test
# database must exit STATUS with no error reported.
memcheck() {
	local want=$1
	shift
	# valgrind's own reports start with ==PID==; an error also makes it exit 99
	run --separate-stderr -"$want" in_ns "$PASSWD" "$GROUP" valgrind -q \
		--vgdb=no --error-exitcode=99 --trace-children=no \
		--track-origins=yes "$SU_EXEC" "$@"
	if [[ "$stderr" == *"=="* ]]; then
		echo "su-exec $*: valgrind reported:"
		echo "$stderr"
		return 1
	fi
}

@test "valgrind: switching and exec'ing, and every error path" {
	need_root
	command -v valgrind >/dev/null || skip "needs valgrind"
	local big=$BATS_TEST_TMPDIR/bigpasswd
	{ printf 'app:x:1000:1000:'; head -c 1100000 /dev/zero | tr '\0' g; echo; } >"$big"
	memcheck 0 nobody true
	memcheck 0 app /bin/true
	memcheck 0 -G staff --no-new-privs app:users true
	memcheck 0 -p crlf
	memcheck 0 -p 4000:4000
	memcheck 0 --help
	memcheck 0 --version
	memcheck 125 bogus true
	memcheck 125 app:bogus true
	memcheck 125 4294967296 true
	memcheck 125 --bogus app true
	memcheck 125 app
	memcheck 125
	memcheck 127 app no-such-command
	memcheck 127 app /no/such/file
	memcheck 126 app /etc/passwd
	memcheck 3 app sh -c 'exit 3'
	PASSWD=$big memcheck 125 -p app
}

@test "valgrind: an unprivileged caller's refusal" {
	need_root
	command -v valgrind >/dev/null || skip "needs valgrind"
	run --separate-stderr in_ns "$PASSWD" "$GROUP" setpriv --reuid=1234 \
		--regid=1234 --clear-groups -- valgrind -q --vgdb=no --error-exitcode=99 \
		"$SU_EXEC" app true
	[ "$status" = 125 ]
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
}
