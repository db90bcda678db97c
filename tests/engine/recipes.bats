#!/usr/bin/env bats
# Every Dockerfile of README.md, taken from the README's text and built
# with `podman build`, then run. The base images are local stand-ins
# (tests/engine/images). The release recipes fetch from a `make release`
# of this tree (amd64 and arm64, built in the test's folder) served by
# busybox httpd on 127.0.0.1, as a mirror of the release would serve it.

load helper

# Every ```dockerfile block of the README, by section and number. A recipe
# added to the README fails the first test until a test here builds it.
RECIPES='Installing a release binary #1
Installing a release binary #2
Alpine #1
Debian and Ubuntu #1
Distroless and scratch #1
Distroless and scratch #2'

setup_file() {
	probe_podman
	[ -z "$(cat "$BATS_FILE_TMPDIR/podman-probe")" ] || return 0
	base_images debian distroless
	release_to_serve
	start_httpd
	build_all
}

teardown_file() {
	[ ! -s "$BATS_FILE_TMPDIR/httpd.pid" ] ||
		kill "$(cat "$BATS_FILE_TMPDIR/httpd.pid")" 2>/dev/null || true
	# The emulator's handler, when this file registered it.
	[ ! -e "$BATS_FILE_TMPDIR/binfmt-registered" ] ||
		echo -1 >/proc/sys/fs/binfmt_misc/su-exec-aarch64 || true
}

teardown() {
	remove_containers
}

# release_to_serve: BATS_FILE_TMPDIR/www/good, a release: SU_EXEC_DIST
# when set (a dist/ folder of `make release`), else the output of `make
# release` of a copy of the tree for amd64 (and arm64 when its cross
# compiler is there); and www/bad, the same with su-exec-amd64 one byte
# longer: a broken download.
release_to_serve() {
	local www=$BATS_FILE_TMPDIR/www
	mkdir -p "$www"
	if [ -n "${SU_EXEC_DIST:-}" ]; then
		cp -R "$SU_EXEC_DIST" "$www/good"
	else
		make_release "$www/good" || return
	fi
	cp -R "$www/good" "$www/bad"
	printf 'x' >>"$www/bad/su-exec-amd64"
}

# make_release DIR: DIR holding what `make release` puts in dist/.
make_release() {
	local tree=$BATS_FILE_TMPDIR/tree arches=amd64
	command -v aarch64-linux-gnu-gcc >/dev/null && arches="amd64 arm64"
	mkdir -p "$tree/release"
	cp "$REPO/su-exec.c" "$REPO/su-exec.1" "$REPO/Makefile" "$tree/"
	cp "$REPO"/release/* "$tree/release/"
	make -C "$tree" release ARCHES="$arches" >"$tree.log" 2>&1 || {
		sed 's/^/# /' "$tree.log" >&3
		return 1
	}
	cp -R "$tree/dist" "$1"
}

# start_httpd: busybox httpd on a free port of 127.0.0.1, serving
# BATS_FILE_TMPDIR/www; its URL in BATS_FILE_TMPDIR/url.
start_httpd() {
	local port pid _
	for _ in 1 2 3 4 5 6 7 8; do
		port=$((20000 + RANDOM % 40000))
		"$BUSYBOX" httpd -f -p "127.0.0.1:$port" -h "$BATS_FILE_TMPDIR/www" \
			</dev/null >/dev/null 2>&1 3>/dev/null &
		pid=$!
		sleep 0.2
		if "$BUSYBOX" wget -q -O /dev/null \
			"http://127.0.0.1:$port/good/SHA256SUMS" 2>/dev/null; then
			echo "$pid" >"$BATS_FILE_TMPDIR/httpd.pid"
			echo "http://127.0.0.1:$port" >"$BATS_FILE_TMPDIR/url"
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	echo "# busybox httpd found no free port on 127.0.0.1" >&3
	return 1
}

url() {
	echo "$(cat "$BATS_FILE_TMPDIR/url")/$1"
}

# The images, built side by side in two lanes while the file starts (the
# builds wait on the network and on apt and dpkg, rarely on one core
# alone), each from its context BATS_FILE_TMPDIR/build/NAME, tagged
# $TEST_IMAGES/NAME; the tests then read the outcome: NAME.status, NAME.log.
build_all() {
	local lane1 lane2=(targetarch-amd64 release-bad) name
	# arm64's build needs its release binary.
	[ ! -e "$BATS_FILE_TMPDIR/www/good/su-exec-arm64" ] ||
		lane2=(targetarch-amd64 targetarch-arm64 release-bad)
	myapp_binary native >/dev/null
	for name in distroless scratch release "${lane2[@]}"; do
		prepare_build "$name"
	done
	build_lane debian-app distroless scratch release 3>/dev/null &
	lane1=$!
	build_lane "${lane2[@]}" 3>/dev/null &
	# Not a bare wait: httpd runs in the background too.
	wait "$lane1" "$!"
}

build_lane() {
	local name status
	for name; do
		status=0
		if [ "$name" = debian-app ]; then
			debian_app_image >/dev/null 2>&1 || status=$?
		else
			build "$name" >/dev/null || status=$?
		fi
		echo "$status" >"$BATS_FILE_TMPDIR/build/$name.status"
	done
}

# "build" stands for the application's own build stage in the recipes:
# here a stage holding the static test service.
BUILD_STAGE=('FROM scratch AS build' 'COPY myapp /out/myapp')

# prepare_build NAME: NAME's build context: the README's recipe, after a
# build stage of the test's own where it needs one.
prepare_build() {
	local ctx=$BATS_FILE_TMPDIR/build/$1
	recipe_context "$ctx"
	case $1 in
	distroless)
		printf '%s\n' "${BUILD_STAGE[@]}"
		readme_block dockerfile 'Distroless and scratch #1' ;;
	scratch)
		# The scratch recipe continues the distroless one: its su-exec stage.
		printf '%s\n' "${BUILD_STAGE[@]}"
		readme_block dockerfile 'Distroless and scratch #1'
		readme_block dockerfile 'Distroless and scratch #2' ;;
	release | release-bad)
		readme_block dockerfile 'Installing a release binary #1' ;;
	targetarch-*)
		readme_block dockerfile 'Installing a release binary #2' ;;
	esac >"$ctx/Dockerfile"
}

# build NAME: podman build of NAME's context, with NAME's options.
build() {
	local url opts=()
	url=$(url good)
	case $1 in
	release-bad) url=$(url bad) ;;
	targetarch-*)
		# Podman 4.3 sets BUILDPLATFORM for RUN but not in FROM lines,
		# where FROM --platform=$BUILDPLATFORM would then pick the
		# target's image: given here, as BuildKit would set it.
		opts=(--platform "linux/${1#targetarch-}" --build-arg
			"BUILDPLATFORM=linux/$(podman info --format '{{.Host.Arch}}')") ;;
	esac
	build_image "$TEST_IMAGES/$1" "$BATS_FILE_TMPDIR/build/$1" \
		--build-arg "SU_EXEC_URL=$url" "${opts[@]}"
}

# built NAME: NAME's build succeeded; else its log's end, and a failure.
built() {
	local status
	status=$(cat "$BATS_FILE_TMPDIR/build/$1.status")
	[ "$status" = 0 ] && return 0
	echo "build of $1 failed ($status):"
	tail -n 40 "$BATS_FILE_TMPDIR/build/$1.log"
	return 1
}

# build_log NAME: NAME's build output.
build_log() {
	cat "$BATS_FILE_TMPDIR/build/$1.log"
}

# file_in IMAGE PATH: the file PATH of IMAGE, copied out to
# BATS_TEST_TMPDIR/out without running anything in it.
file_in() {
	local id
	# A command of some sort: distroless images have none of their own.
	id=$(podman create --pull=never "$1" /none) || return
	podman cp "$id:$2" "$BATS_TEST_TMPDIR/out"
	podman rm "$id" >/dev/null
}

@test "README: every Dockerfile is one these tests build, or say they cannot" {
	need_podman
	run -0 readme_blocks dockerfile
	[ "$output" = "$RECIPES" ]
}

@test "README Alpine #1: not buildable here, it needs Alpine's package archive" {
	need_podman
	run -0 readme_block dockerfile 'Alpine #1'
	[[ "$output" == "FROM alpine:"* ]]
	skip "README 'Alpine #1' is not built: FROM alpine and apk add need Alpine's registry and package archive, which cannot be reached here"
}

@test "README Debian and Ubuntu #1: builds su-exec from source; the image runs it" {
	need_podman
	local version
	version=$(sed -n 's/^VERSION = //p' "$REPO/Makefile")
	built debian-app
	# Not "myapp": the recipe's entrypoint runs the command as it is.
	run -0 --separate-stderr ctr "$TEST_IMAGES/debian" su-exec --version
	[ "$output" = "su-exec $version" ]
	[ "$stderr" = "" ]
	run -0 --separate-stderr ctr "$TEST_IMAGES/debian" su-exec --print app
	[[ "$output" == "uid="*" home=/home/app" ]]
	# The static build: it reads no shared library, not even the C library.
	file_in "$TEST_IMAGES/debian" /usr/local/bin/su-exec
	run -0 file -b "$BATS_TEST_TMPDIR/out"
	[[ "$output" == *"statically linked"* ]]
}

@test "README Distroless and scratch #1: the service runs as nonroot, PID 1" {
	need_podman
	built distroless
	run -0 --separate-stderr ctr "$TEST_IMAGES/distroless" --flag
	[ "$output" = "$(myapp_output 65532 65532 65532 /home/nonroot 0 --flag)" ]
	[ "$stderr" = "" ]
}

@test "README Distroless and scratch #2: scratch with the README's passwd and group" {
	need_podman
	built scratch
	run -0 --separate-stderr ctr "$TEST_IMAGES/scratch"
	[ "$output" = "$(myapp_output 10001 10001 10001 /home/app)" ]
	[ "$stderr" = "" ]
	# Nothing else is in the image: no shell, no /bin.
	run -127 ctr --entrypoint /bin/sh "$TEST_IMAGES/scratch"
}

@test "README Installing a release binary #1: fetched over HTTP, checked, installed" {
	need_podman
	built release
	build_log release | grep -qx 'su-exec-amd64: OK'
	file_in "$TEST_IMAGES/release" /usr/local/bin/su-exec
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_FILE_TMPDIR/www/good/su-exec-amd64"
	run -0 --separate-stderr ctr "$TEST_IMAGES/release" su-exec nobody \
		sh -c 'echo "$(id -u):$(id -g) $HOME"'
	[ "$output" = "65534:65534 /nonexistent" ]
}

@test "README Installing a release binary #1: a corrupted download fails the build" {
	need_podman
	run ! built release-bad
	build_log release-bad | grep -qx 'su-exec-amd64: FAILED'
	run ! podman image exists "$TEST_IMAGES/release-bad"
}

# targetarch_image ARCH: the TARGETARCH recipe built for linux/ARCH: its
# su-exec must be the release's file for ARCH, and the image ARCH's.
targetarch_image() {
	local tag=$TEST_IMAGES/targetarch-$1
	built "targetarch-$1"
	build_log "targetarch-$1" | grep -qx "su-exec-$1: OK"
	[ "$(podman image inspect --format '{{.Architecture}}' "$tag")" = "$1" ]
	file_in "$tag" /usr/local/bin/su-exec
	cmp "$BATS_TEST_TMPDIR/out" "$BATS_FILE_TMPDIR/www/good/su-exec-$1"
}

@test "README Installing a release binary #2: TARGETARCH, linux/amd64" {
	need_podman
	targetarch_image amd64
	run -0 --separate-stderr ctr -v "$(myapp_binary native):/myapp:ro" \
		"$TEST_IMAGES/targetarch-amd64" /usr/local/bin/su-exec nonroot /myapp
	[ "$output" = "$(myapp_output 65532 65532 65532 /home/nonroot)" ]
	[ "$stderr" = "" ]
}

# emulate_arm64: the kernel runs aarch64 binaries, in any container,
# through the static qemu of Debian's qemu-user-static (unpacked into
# QEMU_CACHE, never installed), registered with the F flag: the kernel
# opens the emulator once, here, so the image needs no copy of it. The
# handler is removed when the file's tests end.
QEMU_CACHE=${QEMU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/su-exec/qemu}
emulate_arm64() {
	local misc=/proc/sys/fs/binfmt_misc deb name type offset magic mask
	local interp=$QEMU_CACHE/usr/libexec/qemu-binfmt/aarch64-binfmt-P
	[ -e "$misc/register" ] || mount -t binfmt_misc binfmt_misc "$misc" ||
		return
	[ ! -e "$misc/su-exec-aarch64" ] || return 0
	if [ ! -x "$interp" ]; then
		mkdir -p "$QEMU_CACHE"
		deb=$(ls "$QEMU_CACHE"/qemu-user-static_*.deb 2>/dev/null) ||
			(cd "$QEMU_CACHE" && apt-get download -q qemu-user-static >&2) ||
			return
		deb=$(ls "$QEMU_CACHE"/qemu-user-static_*.deb)
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$QEMU_CACHE" \
			./usr/bin/qemu-aarch64-static ./usr/libexec/qemu-binfmt/aarch64-binfmt-P ||
			return
	fi
	# Debian's magic and mask for aarch64 ELF files; the flags of
	# qemu-user-static's own handler: O (the binary as a descriptor),
	# P (argv[0] kept; qemu sees it from its name, *-binfmt-P), F.
	IFS=: read -r _ name type offset magic mask _ <\
		/usr/lib/binfmt.d/qemu-aarch64.conf
	printf ':su-exec-aarch64:%s:%s:%s:%s:%s:OPF\n' "$type" "$offset" \
		"$magic" "$mask" "$interp" >"$misc/register" || return
	touch "$BATS_FILE_TMPDIR/binfmt-registered"
}

@test "README Installing a release binary #2: TARGETARCH, linux/arm64, run under emulation" {
	need_podman
	[ -e "$BATS_FILE_TMPDIR/www/good/su-exec-arm64" ] ||
		skip "no su-exec-arm64 in the release (make release needs gcc-aarch64-linux-gnu)"
	[ -f /usr/lib/binfmt.d/qemu-aarch64.conf ] ||
		skip "needs qemu-user-binfmt for aarch64's magic"
	targetarch_image arm64
	emulate_arm64
	run -0 --separate-stderr ctr --platform linux/arm64 \
		-v "$(myapp_binary arm64):/myapp:ro" \
		"$TEST_IMAGES/targetarch-arm64" /usr/local/bin/su-exec nonroot /myapp
	[ "$output" = "$(myapp_output 65532 65532 65532 /home/nonroot)" ]
}
