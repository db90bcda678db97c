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

# The static build, and under release/test the release binary of each
# machine (ELF32 and ELF64, either byte order), is a standard ELF file:
# stripped of symbols, with its section headers, so that strip, file,
# readelf, objdump, gdb, package builders and SBOM scanners take it as any
# other program.
@test "the static build is stripped of symbols and keeps its section headers" {
	local bin=${SU_EXEC_STATIC:-$REPO/su-exec-static}
	[ -x "$bin" ] || skip "no static build: run make static"
	command -v file >/dev/null || skip "needs file"
	command -v readelf >/dev/null || skip "needs readelf (Debian: binutils)"
	run -0 file -b "$bin"
	[[ "$output" == *", stripped" ]]
	run -0 readelf -hW "$bin"
	[[ "$output" =~ "Number of section headers:"\ +[1-9] ]]
	run -0 readelf -SW "$bin"
	[[ "$output" == *" .text "* ]]
	[[ "$output" != *" .symtab "* ]]
}

@test "strip takes the static build as any other program" {
	[ -x "$REPO/su-exec-static" ] || skip "no static build: run make static"
	command -v strip >/dev/null || skip "needs strip (Debian: binutils)"
	local f=$BATS_TEST_TMPDIR/su-exec-static
	cp "$REPO/su-exec-static" "$f"
	run -0 strip "$f"
	[ "$output" = "" ]
	run -0 "$f" --version
	[ "$output" = "$("$REPO/su-exec-static" --version)" ]
}
