#!/usr/bin/env bats
# The README's install recipes, run against dist/ as they are written: the
# RUN lines of its Dockerfiles become a shell script, with curl replaced by
# a copy from dist/ and the install folder by a scratch one.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
	[ -f "$REPO/dist/SHA256SUMS" ] || skip "no dist/: run make release"
	BIN=$BATS_TEST_TMPDIR/bin
	mkdir -p "$BIN" "$BATS_TEST_TMPDIR/tmp" "$BATS_TEST_TMPDIR/url"
	cp "$REPO"/dist/su-exec-* "$REPO/dist/SHA256SUMS" "$BATS_TEST_TMPDIR/url"
}

# recipe WORD: the shell lines of the README's RUN instruction that
# contains WORD: from "RUN set -eux" to the first line without a
# continuation, with apt-get left out, curl fetching from a local folder
# and every path moved under the test's own folder.
recipe() {
	awk -v word="$1" '
		/^RUN set -eux/ { on = 1; buf = "" }
		on { buf = buf $0 "\n" }
		on && !/\\$/ { on = 0; if (index(buf, word)) { printf "%s", buf; exit } }
	' "$REPO/README.md" |
		sed -e 's/^RUN //' -e 's/\\$//' -e '/apt-get\|rm -rf \/var/d' \
			-e "s#/usr/local/bin#$BIN#g; s#/out/#$BIN/#g; s#cd /tmp#cd $BATS_TEST_TMPDIR/tmp#"
}

# run_recipe WORD [VAR=VALUE...]: the recipe under sh, as Docker's RUN
# runs it, with curl -fsSLO URL taken as a copy of the local file URL names.
run_recipe() {
	local script
	script=$(recipe "$1")
	shift
	[ -n "$script" ]
	run env "$@" SU_EXEC_URL="$BATS_TEST_TMPDIR/url" PATH="$BIN:$PATH" sh -c '
		curl() { for url; do :; done; cp "$url" .; }
		'"$script"
}

@test "README: the Debian recipe checks and installs this machine's binary" {
	command -v dpkg >/dev/null || skip "needs dpkg"
	run_recipe 'dpkg --print-architecture'
	echo "$output"
	[ "$status" = 0 ]
	[[ "$output" == *"su-exec-$(dpkg --print-architecture): OK"* ]]
	cmp "$BIN/su-exec" "$REPO/dist/su-exec-$(dpkg --print-architecture)"
	[ "$(stat -c %a "$BIN/su-exec")" = 755 ]
}

@test "README: the Debian recipe stops on a corrupted download" {
	command -v dpkg >/dev/null || skip "needs dpkg"
	local arch
	arch=$(dpkg --print-architecture)
	printf 'x' >>"$BATS_TEST_TMPDIR/url/su-exec-$arch"
	run_recipe 'dpkg --print-architecture'
	[ "$status" != 0 ]
	[[ "$output" == *"su-exec-$arch: FAILED"* ]]
	[ ! -e "$BIN/su-exec" ]
}

@test "README: the Debian recipe stops when SHA256SUMS lacks the binary" {
	command -v dpkg >/dev/null || skip "needs dpkg"
	sed -i "/ su-exec-$(dpkg --print-architecture)\$/d" "$BATS_TEST_TMPDIR/url/SHA256SUMS"
	run_recipe 'dpkg --print-architecture'
	[ "$status" != 0 ]
	[ ! -e "$BIN/su-exec" ]
}

@test "README: the TARGETARCH recipe picks the right file for every platform" {
	local row platform arch variant file
	for row in amd64//amd64 amd64/v3/amd64 arm64//arm64 arm64/v8/arm64 \
		arm/v7/armhf arm/v6/armel arm/v5/armel 386//i386 \
		ppc64le//ppc64el s390x//s390x riscv64//riscv64 mips64le//mips64el; do
		IFS=/ read -r arch variant file <<<"$row"
		rm -rf "$BIN" && mkdir -p "$BIN"
		run_recipe TARGETARCH TARGETARCH="$arch" TARGETVARIANT="$variant"
		echo "$arch/$variant: $output"
		[ "$status" = 0 ]
		cmp "$BIN/su-exec" "$REPO/dist/su-exec-$file"
	done
	for platform in arm/ mips/ ppc64/ sparc64/; do
		run_recipe TARGETARCH TARGETARCH="${platform%/}" TARGETVARIANT=
		[ "$status" != 0 ]
		[[ "$output" == *"no su-exec for $platform"* ]]
	done
}
