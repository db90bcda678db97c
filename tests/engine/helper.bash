# Shared by the engine tests: the README's Dockerfiles, taken from the
# README's own text, built with `podman build` and run with `podman run`,
# as a user of the image would. Needs root, podman, mmdebstrap and a C
# compiler for static binaries (musl-gcc or cc -static); skips, saying why,
# where Podman cannot run a container, and fails instead under CI (CI=true),
# which must run them.
#
# Local stand-ins: the base images the recipes name (debian:bookworm-slim,
# gcr.io/distroless/static-debian12) are made here from Debian's packages by
# tests/engine/images, which says how; the test images are tagged
# localhost/su-exec-test/NAME and kept, with Podman's layer cache, so a
# second run rebuilds only what changed.
#
# This machine's quirk: without CAP_SYS_RESOURCE, Podman's default rlimits
# cannot be applied ("error setting rlimit type 6 [or 7]: operation not
# permitted"), so every podman command here reads containers.conf beside
# this file (CONTAINERS_CONF), which sets smaller ones; the machine's own
# configuration is never read or changed.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
export CONTAINERS_CONF=$BATS_TEST_DIRNAME/containers.conf
TEST_IMAGES=localhost/su-exec-test
BUSYBOX=${BUSYBOX:-$(command -v busybox || echo /bin/busybox)}

# The compiler for the static test program: musl-gcc when there.
static_cc() {
	if command -v musl-gcc >/dev/null; then
		echo musl-gcc
	else
		echo "${CC:-cc}"
	fi
}

# probe_podman: the reason the engine tests cannot run here, or nothing;
# kept for the file's tests in BATS_FILE_TMPDIR/podman-probe. A trivial
# container (busybox true) answers the last question; its error is the
# reason.
probe_podman() {
	local reason=
	if [ "$(id -u)" != 0 ]; then
		reason="needs root to run podman and mmdebstrap"
	elif ! command -v podman >/dev/null; then
		reason="needs podman (Debian packages podman, containernetworking-plugins)"
	elif ! command -v mmdebstrap >/dev/null; then
		reason="needs mmdebstrap to make the base images"
	elif [ ! -x "$BUSYBOX" ] || ldd "$BUSYBOX" >/dev/null 2>&1; then
		reason="needs a static busybox (Debian package busybox-static)"
	elif ! echo 'int main(void) { return 0; }' |
		"$(static_cc)" -static -x c -o "$BATS_FILE_TMPDIR/static-cc" - 2>/dev/null; then
		reason="needs a C compiler that links static binaries (musl-tools)"
	else
		reason=$(probe_container)
	fi
	printf '%s' "$reason" >"$BATS_FILE_TMPDIR/podman-probe"
}

probe_container() {
	local dir=$BATS_FILE_TMPDIR/busybox err
	mkdir -p "$dir/bin"
	cp "$BUSYBOX" "$dir/bin/busybox"
	if ! err=$(tar -C "$dir" -c . | timeout 120 podman import --quiet - \
		"$TEST_IMAGES/busybox" 2>&1 >/dev/null); then
		echo "podman cannot import an image: ${err:-no message}"
	elif ! err=$(ctr "$TEST_IMAGES/busybox" /bin/busybox true 2>&1); then
		echo "podman cannot run a container here: ${err:-no message}"
	fi
	rm -rf "$dir"
}

# need_podman: skip (fail under CI) unless the probe found nothing amiss.
need_podman() {
	local reason
	reason=$(cat "$BATS_FILE_TMPDIR/podman-probe")
	[ -z "$reason" ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "CI must run the engine tests, but: $reason" >&2
		return 1
	fi
	skip "$reason"
}

# ctr ARG...: podman run, removed afterwards, no input, never pulling.
ctr() {
	timeout 120 podman run --rm --pull=never "$@" </dev/null
}

# build_image TAG CONTEXT [OPTION...]: podman build of CONTEXT/Dockerfile,
# on the host's network (apt-get reaches Debian's archive, curl a server
# on 127.0.0.1), never pulling: every base image is a local one. The
# build's output goes to CONTEXT.log, shown when the build fails.
build_image() {
	local tag=$1 context=$2
	shift 2
	timeout 900 podman build --pull=never --network host --tag "$tag" \
		"$@" "$context" >"$context.log" 2>&1 || {
		local status=$?
		tail -n 40 "$context.log"
		return "$status"
	}
}

# readme_blocks LANG [NAME]: without NAME, the name of every code block of
# README.md fenced as LANG ("dockerfile", "sh", or "" for none), one a
# line: its section's heading and its number in that section
# ("Alpine #1"); with NAME, the text of that block.
readme_blocks() {
	awk -v lang="$1" -v want="${2:-}" '
		/^```/ {
			if (fenced) { fenced = 0; on = 0; next }
			fenced = 1
			if (substr($0, 4) != lang) next
			name = heading " #" ++n
			if (want == "") print name
			on = want == name
			next
		}
		!fenced && /^#+ / { heading = $0; sub(/^#+ +/, "", heading); n = 0 }
		on { print }
	' "$REPO/README.md"
}

# readme_block LANG NAME: that block's text; fails when it is missing, so
# a renamed section breaks the test instead of building nothing.
readme_block() {
	local text
	text=$(readme_blocks "$1" "$2")
	[ -n "$text" ] || {
		echo "README.md has no ${1:-plain} block '$2'" >&2
		return 1
	}
	printf '%s\n' "$text"
}

# recipe_context DIR: a build context as the README's recipes expect one:
# the su-exec source tree in su-exec/, the README's docker-entrypoint.sh,
# the scratch recipe's passwd and group, and myapp, the test service.
recipe_context() {
	local dir=$1
	mkdir -p "$dir/su-exec/release"
	cp "$REPO/su-exec.c" "$REPO/su-exec.1" "$REPO/Makefile" "$dir/su-exec/"
	cp "$REPO"/release/* "$dir/su-exec/release/"
	readme_block sh 'An entrypoint script #1' >"$dir/docker-entrypoint.sh"
	chmod 755 "$dir/docker-entrypoint.sh"
	scratch_database passwd >"$dir/passwd"
	scratch_database group >"$dir/group"
	cp "$(myapp_binary native)" "$dir/myapp"
}

# scratch_database FILE: the lines the README gives for FILE (passwd or
# group) in its example for scratch images.
scratch_database() {
	readme_block '' 'Distroless and scratch #1' |
		awk -v file="$1" '$0 == "# " file { on = 1; next } /^$/ { on = 0 } on'
}

# myapp_binary ARCH: the static test service (tests/engine/myapp.c), built
# once per run: for this machine (native), or for ARCH with the release's
# musl sysroot.
myapp_binary() {
	local arch=$1 out cc
	out=$BATS_RUN_TMPDIR/myapp-$arch
	if [ ! -x "$out" ]; then
		if [ "$arch" = native ]; then
			cc=$(static_cc)
		else
			cc=$("$REPO/release/sysroot" "$arch")/bin/cc || return
		fi
		"$cc" -static -Os -s -o "$out" "$BATS_TEST_DIRNAME/myapp.c" >&2 || return
	fi
	echo "$out"
}

# base_images NAME...: the local stand-ins (tests/engine/images).
base_images() {
	"$BATS_TEST_DIRNAME/images" "$@" 2>&1 | sed 's/^/# /' >&3
	return "${PIPESTATUS[0]}"
}

# debian_app_image: the README's Debian recipe built from its text, then a
# layer for the tests: myapp, the service the recipe's CMD names, and a
# group "data" that app belongs to. Tagged $TEST_IMAGES/debian-app; the
# ids of app are set in APP_UID and APP_GID.
debian_app_image() {
	local ctx=$BATS_FILE_TMPDIR/debian
	base_images debian
	rm -rf "$ctx" && recipe_context "$ctx"
	readme_block dockerfile 'Debian and Ubuntu #1' >"$ctx/Dockerfile"
	build_image "$TEST_IMAGES/debian" "$ctx" || return
	mkdir -p "$ctx-app"
	cp "$ctx/myapp" "$ctx-app/myapp"
	printf '%s\n' "FROM $TEST_IMAGES/debian" \
		'RUN groupadd --gid 2000 data && usermod --append --groups data app' \
		'COPY myapp /usr/local/bin/myapp' >"$ctx-app/Dockerfile"
	build_image "$TEST_IMAGES/debian-app" "$ctx-app"
}

# app_ids: APP_UID and APP_GID, as the image's database has them.
app_ids() {
	local ids
	ids=$(ctr --entrypoint /usr/local/bin/su-exec "$TEST_IMAGES/debian-app" \
		--print app) || return
	APP_UID=$(printf '%s\n' "$ids" | sed -n 's/^uid=\([0-9]*\) .*/\1/p')
	APP_GID=$(printf '%s\n' "$ids" | sed -n 's/.* gid=\([0-9]*\) .*/\1/p')
	[ -n "$APP_UID" ] && [ -n "$APP_GID" ]
}

# myapp_output UID GID GROUPS HOME [NO_NEW_PRIVS [ARGS]]: what myapp prints
# as PID 1 with no capability left and the default seccomp profile.
myapp_output() {
	printf '%s\n' 'Pid: 1' "Uid: $1 $1 $1 $1" "Gid: $2 $2 $2 $2" \
		"Groups: $3" \
		'CapInh: 0000000000000000' 'CapPrm: 0000000000000000' \
		'CapEff: 0000000000000000' 'CapAmb: 0000000000000000' \
		"NoNewPrivs: ${5:-0}" 'Seccomp: 2' "HOME=$4" "args:${6:+ $6}"
}

# Containers started in the background get a name unique on the machine;
# teardown removes them.
CTR_NAMES=()
new_name() {
	CTR_NAME=su-exec-test-$$-$BATS_TEST_NUMBER-${#CTR_NAMES[@]}
	CTR_NAMES+=("$CTR_NAME")
}

remove_containers() {
	local name
	for name in "${CTR_NAMES[@]}"; do
		podman rm --force --time 0 "$name" >/dev/null 2>&1 || true
	done
	CTR_NAMES=()
}
