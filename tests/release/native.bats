#!/usr/bin/env bats
# release/test finds out how each binary runs: natively when the kernel
# runs it, under qemu through a binfmt_misc handler when it does not. Each
# test runs release/test in a user namespace of its own with a binfmt_misc
# of its own (Linux 6.7 and later), so the handlers it registers serve that
# namespace alone: the rest of the machine keeps running i386 programs as
# it did.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
MISC=/proc/sys/fs/binfmt_misc

# in_own_binfmt COMMAND...: COMMAND as root in a new user namespace that
# maps every id to itself, with a mount namespace and a fresh, empty
# binfmt_misc of its own; exits 99 if that binfmt_misc cannot be mounted.
# The maps are written from outside, as only a parent may; the FIFO holds
# COMMAND back until they are.
in_own_binfmt() {
	local go=$BATS_TEST_TMPDIR/go pid me
	rm -f "$go" && mkfifo "$go"
	unshare --user --mount --propagation private -- bash -c '
		read -r _ <"$0" &&
			mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
			exit 99
		exec "$@"' "$go" "$@" &
	pid=$!
	me=$(readlink /proc/self/ns/user)
	for _ in $(seq 200); do
		[ "$(readlink "/proc/$pid/ns/user")" = "$me" ] || break
		sleep 0.05
	done
	echo '0 0 4294967295' >"/proc/$pid/uid_map"
	echo '0 0 4294967295' >"/proc/$pid/gid_map"
	# A plain open for writing waits for the reader, so the line cannot
	# be lost before it opens the FIFO (a line written to a FIFO nobody
	# holds open is dropped); the time limit ends the wait when unshare
	# has already failed.
	timeout 60 bash -c 'echo go >"$0"' "$go"
	wait "$pid"
}

setup_file() {
	local reason=''
	if [ "$(id -u)" != 0 ]; then
		reason="needs root"
	elif [ ! -f "$REPO/dist/SHA256SUMS" ]; then
		reason="no dist/: run make release"
	elif [ ! -x /usr/bin/qemu-i386 ]; then
		reason="needs qemu-i386 (Debian package qemu-user)"
	elif ! in_own_binfmt true 2>/dev/null; then
		reason="needs binfmt_misc in a user namespace (Linux 6.7 or later)"
	fi
	printf '%s' "$reason" >"$BATS_FILE_TMPDIR/reason"
}

setup() {
	local reason
	reason=$(cat "$BATS_FILE_TMPDIR/reason")
	[ -z "$reason" ] || skip "$reason"
}

# release_test VAR=VALUE... -- ARCH...: release/test for ARCH in a binfmt_misc
# of its own, with only the suite SUITE names (tests/arch.bats by default),
# no container tests and no run of tests/release (this file among them),
# then "left:" and the handlers still registered there. BEFORE is shell
# run in the namespace first.
release_test() {
	local vars=()
	while [ "$1" != -- ]; do
		vars+=("$1") && shift
	done
	shift
	run in_own_binfmt env SUITE=tests/arch.bats RELEASE_SUITE='' \
		CONTAINER_ARCHES='' TAP_DIR="$BATS_TEST_TMPDIR/tap" "${vars[@]}" \
		bash -c 'eval "${BEFORE:-}" || exit; "$0" "$@"; rc=$?
			cd '"$MISC"' && echo "left:" * && exit "$rc"' \
		"$REPO/release/test" "$@"
	echo "$output"
}

# has_line REGEX: a line of the output matches the extended REGEX.
has_line() {
	printf '%s\n' "${lines[@]}" | grep -qE "$1"
}

@test "release/test: a kernel that refuses i386 (stand-in): the suite runs under qemu, with its skips, and passes" {
	release_test REFUSE_NATIVE=i386 SUITE='tests/exec.bats tests/arch.bats' -- i386
	[ "$status" = 0 ]
	has_line '^i386: +qemu +[1-9][0-9]* passed, 0 failed, +[1-9][0-9]* skipped .*, through su-exec-qemu-i386-[0-9]+\)$'
	has_line '^[1-9][0-9]* passed, 0 failed, [1-9][0-9]* skipped$'
	# Its own handler is gone once the run is over.
	[ "${lines[-1]}" = "left: register status" ]
}

@test "release/test: without a handler, native where the kernel runs the binary and qemu where it refuses it" {
	local arch host want
	host=$(dpkg --print-architecture)
	release_test SUITE='tests/cli.bats tests/arch.bats' -- "$host" i386
	[ "$status" = 0 ]
	[ "${lines[-1]}" = "left: register status" ]
	for arch in "$host" i386; do
		want=native
		in_own_binfmt "$REPO/dist/su-exec-$arch" --version || want=qemu
		has_line "^$arch: +$want +[1-9][0-9]* passed, 0 failed"
	done
}

@test "release/test: a handler that already claims the binary is used and left in place" {
	local magic mask
	magic='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00'
	mask='\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
	release_test BEFORE="printf %s ':other-i386:M::$magic:$mask:/usr/bin/qemu-i386:OP' >$MISC/register" -- i386
	[ "$status" = 0 ]
	has_line '^i386: +qemu .*, through other-i386\)$'
	[ "${lines[-1]}" = "left: other-i386 register status" ]
}
