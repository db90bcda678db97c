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

# header_field ELF NAME: the number readelf gives for NAME in ELF's header.
header_field() {
	readelf -hW "$1" | sed -n "s/^ *$2: *\([0-9][0-9]*\).*/\1/p"
}

@test "the static build has no section headers and ends with its last segment" {
	# under release/test, the release binary of each machine: ELF32 and
	# ELF64, either byte order
	local bin=${SU_EXEC_STATIC:-$REPO/su-exec-static}
	[ -x "$bin" ] || skip "no static build: run make static"
	command -v readelf >/dev/null || skip "needs readelf (Debian: binutils)"
	[ "$(header_field "$bin" 'Start of section headers')" = 0 ]
	[ "$(header_field "$bin" 'Number of section headers')" = 0 ]
	[ "$(header_field "$bin" 'Section header string table index')" = 0 ]
	[ "$(wc -c <"$bin")" = "$(segments_end "$bin")" ]
}

# segments_end ELF: the end of the furthest segment's bytes in the file.
segments_end() {
	local off size m=0
	while read -r off size; do
		if ((off + size > m)); then m=$((off + size)); fi
	done < <(readelf -lW "$1" | awk '$2 ~ /^0x/ && $5 ~ /^0x/ { print $2, $5 }')
	echo "$m"
}

@test "drop-section-headers: the program still runs; a file laid out otherwise is refused, unchanged" {
	command -v readelf >/dev/null || skip "needs readelf (Debian: binutils)"
	local f=$BATS_TEST_TMPDIR/su-exec
	cp "$REPO/su-exec" "$f"
	run -0 readelf -hW "$f"
	[[ "$output" == *ELF64*"little endian"* ]] ||
		skip "the header is patched below as a little-endian ELF64's"
	[ "$(header_field "$f" 'Number of section headers')" -gt 0 ]
	run -0 "$REPO/release/drop-section-headers" "$f"
	[ "$output" = "" ]
	[ "$(wc -c <"$f")" = "$(segments_end "$f")" ]
	[ "$(wc -c <"$f")" -lt "$(wc -c <"$REPO/su-exec")" ]
	run -0 "$f" --version
	[ "$output" = "$("$REPO/su-exec" --version)" ]
	# a second time there is nothing to drop
	cp "$f" "$f.1"
	run -0 "$REPO/release/drop-section-headers" "$f"
	cmp "$f" "$f.1"
	# section headers said to start at byte 64, inside the first segment
	cp "$REPO/su-exec" "$f"
	printf '\100' | dd of="$f" bs=1 seek=40 conv=notrunc 2>/dev/null
	head -c 7 /dev/zero | dd of="$f" bs=1 seek=41 conv=notrunc 2>/dev/null
	cp "$f" "$f.1"
	run -1 "$REPO/release/drop-section-headers" "$f"
	[ "$output" = "release/drop-section-headers: $f: the section headers lie before a segment's end; left as it is" ]
	cmp "$f" "$f.1"
}
