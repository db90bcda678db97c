#!/usr/bin/env bats
# The build: install and uninstall at the conventional paths, honouring
# PREFIX and DESTDIR; the man page installed with the binary.

load test_helper

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

@test "make install honours PREFIX and DESTDIR; make uninstall undoes it" {
	command -v make >/dev/null || skip "needs make"
	local dest=$BATS_TEST_TMPDIR/dest
	run -0 make -s -C "$REPO" install DESTDIR="$dest" PREFIX=/usr
	run -0 find "$dest" -type f -printf '%P %m\n'
	[ "$(echo "$output" | sort)" = "usr/bin/su-exec 755
usr/share/man/man1/su-exec.1 644" ]
	run -0 "$dest/usr/bin/su-exec" --version
	run -0 make -s -C "$REPO" uninstall DESTDIR="$dest" PREFIX=/usr
	run -0 find "$dest" -type f
	[ "$output" = "" ]
}

@test "the man page renders without a warning" {
	command -v mandoc >/dev/null || skip "needs mandoc"
	run -0 mandoc -Tlint -Wwarning "$REPO/su-exec.1"
	[ "$output" = "" ]
}

@test "the static build needs no shared library" {
	[ -x "$REPO/su-exec-static" ] || skip "no static build: run make static"
	run file "$REPO/su-exec-static"
	[[ "$output" == *"statically linked"* ]]
	run ldd "$REPO/su-exec-static"
	[[ "$output" == *"not a dynamic executable"* ]]
}
