# Shared by the container tests. Every test builds its own OCI bundle: a
# distroless-like root filesystem (the static su-exec, a static busybox as
# the application, /etc/passwd and /etc/group written here, nothing else)
# and a config.json from `runc spec`, edited with jq. Containers run with a
# private runc state root in the test's temporary folder and are deleted in
# teardown, whether the test passed or not.

bats_require_minimum_version 1.5.0

SU_EXEC_STATIC=${SU_EXEC_STATIC:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/su-exec-static}
BUSYBOX=${BUSYBOX:-$(command -v busybox || echo /bin/busybox)}
RUNC=${RUNC:-runc}

# Docker's default capability set: the one an official image's entrypoint
# starts with. runc spec's own default is much smaller.
DOCKER_CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER",
	"CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP",
	"CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL",
	"CAP_AUDIT_WRITE"]'

# The identity the service sees, in the kernel's words, read by the shell
# itself (builtins only, no child process), so /proc/self is the service.
SHOW_ID='
	while read -r key a b c d; do
		case $key in
		Uid:|Gid:) echo "$key $a $b $c $d" ;;
		Groups:) set -- $a $b $c $d; echo "Groups: $*" ;;
		Pid:|PPid:|CapInh:|CapPrm:|CapEff:|CapAmb:|NoNewPrivs:) echo "$key $a" ;;
		esac
	done </proc/self/status
	echo "HOME=$HOME"'

# Detected once per file: can runc start a container on this machine at
# all? A trivial container (busybox true) answers; its error is the reason.
probe_runc() {
	local reason=
	if [ "$(id -u)" != 0 ]; then
		reason="needs root to run runc"
	elif ! command -v "$RUNC" >/dev/null; then
		reason="needs runc (Debian package runc)"
	elif ! command -v jq >/dev/null; then
		reason="needs jq to edit config.json (Debian package jq)"
	elif [ ! -x "$BUSYBOX" ]; then
		reason="needs a static busybox (Debian package busybox-static)"
	elif ldd "$BUSYBOX" >/dev/null 2>&1; then
		reason="$BUSYBOX is dynamically linked: install busybox-static"
	else
		local dir=$BATS_FILE_TMPDIR/probe err
		make_rootfs "$dir"
		(cd "$dir" && "$RUNC" spec) &&
			edit_config "$dir" '.process.terminal = false |
				.process.args = ["/bin/busybox", "true"]' ||
			reason="runc spec failed"
		if [ -z "$reason" ] && ! err=$(timeout 60 "$RUNC" \
			--root "$BATS_FILE_TMPDIR/runc-state" run --bundle "$dir" \
			"su-exec-probe-$$" </dev/null 2>&1); then
			reason="runc cannot start a container here: ${err:-no message}"
		fi
		"$RUNC" --root "$BATS_FILE_TMPDIR/runc-state" delete -f \
			"su-exec-probe-$$" >/dev/null 2>&1 || true
		rm -rf "$dir" "$BATS_FILE_TMPDIR/runc-state"
	fi
	printf '%s' "$reason" >"$BATS_FILE_TMPDIR/runc-probe"
}

setup_file() {
	probe_runc
}

# need_runc: skip unless containers can run and the binary under test exists.
need_runc() {
	local reason
	reason=$(cat "$BATS_FILE_TMPDIR/runc-probe")
	[ -z "$reason" ] || skip "$reason"
	[ -x "$SU_EXEC_STATIC" ] ||
		skip "no static build at $SU_EXEC_STATIC: run make static"
}

# make_rootfs DIR: DIR/rootfs holding busybox, a few applet links, the
# folders runc mounts on and a world-writable /tmp. Nothing else.
make_rootfs() {
	mkdir -p "$1/rootfs"
	chmod 755 "$1" "$1/rootfs"
	fill_root "$1/rootfs"
	mkdir "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/sys"
}

# fill_root ROOT: busybox and its links in ROOT/bin, ROOT/tmp.
fill_root() {
	local root=$1 a
	mkdir -p "$root/bin" "$root/tmp"
	chmod 1777 "$root/tmp"
	cp "$BUSYBOX" "$root/bin/busybox"
	chmod 755 "$root/bin/busybox"
	for a in sh cat id ls touch sleep true; do
		ln -s busybox "$root/bin/$a"
	done
}

# add_su_exec ROOT: the static su-exec at ROOT/usr/local/bin/su-exec, the
# test's user database and nonroot's home.
add_su_exec() {
	local root=$1
	mkdir -p "$root/usr/local/bin" "$root/etc" "$root/home/nonroot"
	chown 65532:65532 "$root/home/nonroot"
	cp "$SU_EXEC_STATIC" "$root/usr/local/bin/su-exec"
	chmod 755 "$root/usr/local/bin/su-exec"
	# A foreign build (release/test) also needs its emulator in the image:
	# SU_EXEC_INTERP="PATH=FILE" puts the static qemu FILE at PATH, where
	# the kernel's binfmt_misc handler looks for it inside the container.
	if [ -n "${SU_EXEC_INTERP:-}" ]; then
		mkdir -p "$root$(dirname "${SU_EXEC_INTERP%%=*}")"
		cp "${SU_EXEC_INTERP#*=}" "$root${SU_EXEC_INTERP%%=*}"
	fi
	printf '%s\n' \
		'root:x:0:0:root:/root:/sbin/nologin' \
		'nonroot:x:65532:65532::/home/nonroot:/sbin/nologin' \
		'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \
		>"$root/etc/passwd"
	printf '%s\n' \
		'root:x:0:' \
		'data:x:2000:nonroot' \
		'nonroot:x:65532:' \
		'nogroup:x:65534:' \
		>"$root/etc/group"
}

# make_bundle DIR: a bundle as an image's entrypoint would see it: root,
# Docker's default capabilities, no no_new_privs, a writable root
# filesystem, the static su-exec and a small user database.
make_bundle() {
	local dir=$1
	make_rootfs "$dir"
	add_su_exec "$dir/rootfs"
	(cd "$dir" && "$RUNC" spec)
	edit_config "$dir" --argjson caps "$DOCKER_CAPS" '
		.process.terminal = false |
		.process.env = ["PATH=/usr/local/bin:/bin", "HOME=/root"] |
		.process.noNewPrivileges = false |
		.process.capabilities = {bounding: $caps, effective: $caps,
			permitted: $caps} |
		.root.readonly = false'
}

# edit_config DIR [JQ-OPTION...] FILTER: apply a jq filter to DIR/config.json.
edit_config() {
	local dir=$1
	shift
	jq "$@" <"$dir/config.json" >"$dir/config.json.new" &&
		mv "$dir/config.json.new" "$dir/config.json"
}

# set_args DIR ARG...: the container's process.args. Each one goes to jq
# as a JSON string, since jq would take an argument like -c for its own.
set_args() {
	local dir=$1 arg json=()
	shift
	for arg; do
		json+=("$(jq -n --arg a "$arg" '$a')") || return
	done
	edit_config "$dir" '.process.args = $ARGS.positional' \
		--jsonargs "${json[@]}"
}

# Every container gets an id unique on the machine: runc also names its
# cgroup after it.
CTR_COUNT=0
new_id() {
	CTR_COUNT=$((CTR_COUNT + 1))
	CTR_ID=su-exec-test-$$-$BATS_TEST_NUMBER-$CTR_COUNT
}

runc_() {
	"$RUNC" --root "$BATS_TEST_TMPDIR/runc-state" "$@"
}

# run_ctr DIR: run the bundle in the foreground; the status is the
# container's own.
run_ctr() {
	new_id
	timeout 120 "$RUNC" --root "$BATS_TEST_TMPDIR/runc-state" run \
		--bundle "$1" "$CTR_ID" </dev/null
}

# refused_in DIR SPEC MESSAGE: `su-exec SPEC touch /tmp/marker` in bundle
# DIR must exit 125 with MESSAGE alone on stderr, and never run the command.
refused_in() {
	local dir=$1 spec=$2 message=$3
	set_args "$dir" /usr/local/bin/su-exec "$spec" touch /tmp/marker
	run -125 --separate-stderr run_ctr "$dir"
	[ "$output" = "" ]
	[ "$stderr" = "$message" ]
	[ ! -e "$dir/rootfs/tmp/marker" ]
}

# wait_for FILE: up to 30 s for the container to write FILE.
wait_for() {
	local i
	for i in $(seq 300); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

teardown() {
	local id
	if [ -d "$BATS_TEST_TMPDIR/runc-state" ]; then
		for id in $(runc_ list -q 2>/dev/null); do
			runc_ delete -f "$id" >/dev/null 2>&1 ||
				echo "# could not delete container $id" >&3
		done
	fi
	# A foreground runc started in the background ends with its container.
	if [ -n "${RUNC_PID:-}" ]; then
		wait "$RUNC_PID" 2>/dev/null || true
	fi
	if [ -n "${OUTSIDE_DIR:-}" ]; then
		rm -rf "$OUTSIDE_DIR"
	fi
}
