#!/usr/bin/env bats
# su-exec as the last line of a container's entrypoint, under runc: the
# static binary in a root filesystem with nothing but busybox and a user
# database. Needs root, runc, jq and busybox-static; skips otherwise.

load helper

# nonroot_id [NO_NEW_PRIVS [GROUPS]]: the nonroot service as the kernel
# shows it in /proc/self/status.
nonroot_id() {
	printf '%s\n' \
		'Pid: 1' \
		'PPid: 0' \
		'Uid: 65532 65532 65532 65532' \
		'Gid: 65532 65532 65532 65532' \
		"Groups: ${2:-2000 65532}" \
		'CapInh: 0000000000000000' \
		'CapPrm: 0000000000000000' \
		'CapEff: 0000000000000000' \
		'CapAmb: 0000000000000000' \
		"NoNewPrivs: ${1:-0}" \
		'HOME=/home/nonroot'
}

@test "entrypoint pattern: the service is PID 1, alone, as nonroot" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	# Builtins and a glob only: no child process shows up in /proc.
	set_args "$b" /usr/local/bin/su-exec nonroot sh -c "$SHOW_ID"'
		echo "pid $$"
		for d in /proc/[0-9]*; do echo "process ${d#/proc/}"; done
		exit 3'
	run -3 --separate-stderr run_ctr "$b"
	[ "$output" = "$(nonroot_id)
pid 1
process 1" ]
	[ "$stderr" = "" ]
}

@test "runc kill TERM reaches the service; its status is the container's" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle rc=0
	make_bundle "$b"
	set_args "$b" /usr/local/bin/su-exec nonroot sh -c '
		trap "echo TERM >/tmp/got; exit 42" TERM
		echo "pid $$ uid $(id -u)" >/tmp/ready
		while :; do sleep 1 & wait $!; done'
	new_id
	# The foreground runc returns the container's status; bats's fd 3
	# must not stay open in it.
	timeout 60 "$RUNC" --root "$BATS_TEST_TMPDIR/runc-state" run \
		--bundle "$b" "$CTR_ID" </dev/null >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" 3>&- &
	RUNC_PID=$!
	wait_for "$b/rootfs/tmp/ready"
	[ "$(cat "$b/rootfs/tmp/ready")" = "pid 1 uid 65532" ]
	runc_ kill "$CTR_ID" TERM
	wait "$RUNC_PID" || rc=$?
	RUNC_PID=
	[ "$rc" = 42 ]
	[ "$(cat "$b/rootfs/tmp/got")" = TERM ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "without CAP_SETGID: exact message, 125, the command never runs" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	# docker run --cap-drop SETUID --cap-drop SETGID
	edit_config "$b" '.process.capabilities |= map_values(map(
		select(. != "CAP_SETUID" and . != "CAP_SETGID")))'
	refused_in "$b" nonroot \
		"su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)"
}

@test "without CAP_SETUID: exact message, 125, the command never runs" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	edit_config "$b" '.process.capabilities |= map_values(map(
		select(. != "CAP_SETUID")))'
	refused_in "$b" nonroot \
		"su-exec: cannot set uid 65532: Operation not permitted (su-exec needs root or CAP_SETUID)"
}

@test "already nonroot with no capabilities (--user, runAsNonRoot): runs" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle row gids
	make_bundle "$b"
	set_args "$b" /usr/local/bin/su-exec nonroot sh -c "$SHOW_ID"
	# With and without the primary gid in the runtime's list (gids:what
	# the kernel shows): nothing is switched, the groups stay the runtime's.
	for row in '2000:2000' '65532 2000:2000 65532'; do
		gids=${row%:*}
		edit_config "$b" --arg gids "$gids" '
			.process.user = {uid: 65532, gid: 65532,
				additionalGids: ($gids | split(" ") | map(tonumber))} |
			.process.capabilities = {bounding: [], effective: [],
				permitted: []} |
			.process.noNewPrivileges = true'
		run -0 --separate-stderr run_ctr "$b"
		[ "$output" = "$(nonroot_id 1 "${row#*:}")" ]
		[ "$stderr" = "" ]
	done
}

@test "already nonroot but short of a group: fails closed, never runs" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	edit_config "$b" '.process.user = {uid: 65532, gid: 65532} |
		.process.capabilities = {bounding: [], effective: [],
			permitted: []}'
	set_args "$b" /usr/local/bin/su-exec nonroot touch /tmp/marker
	run -125 --separate-stderr run_ctr "$b"
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
	[ ! -e "$b/rootfs/tmp/marker" ]
}

@test "--print needs no privilege in a container" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	edit_config "$b" '.process.user = {uid: 4000, gid: 4000} |
		.process.capabilities = {bounding: [], effective: [],
			permitted: []}'
	set_args "$b" /usr/local/bin/su-exec --print nonroot
	run -0 --separate-stderr run_ctr "$b"
	[ "$output" = "uid=65532 gid=65532 groups=65532,2000 home=/home/nonroot" ]
	[ "$stderr" = "" ]
}

@test "numeric 4000:4000 with no database lines" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	set_args "$b" /usr/local/bin/su-exec 4000:4000 sh -c "$SHOW_ID"
	run -0 --separate-stderr run_ctr "$b"
	[ "$output" = "Pid: 1
PPid: 0
Uid: 4000 4000 4000 4000
Gid: 4000 4000 4000 4000
Groups: 4000
CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapAmb: 0000000000000000
NoNewPrivs: 0
HOME=/" ]
	[ "$stderr" = "" ]
}

@test "an unknown user: exact message, 125, the command never runs" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	refused_in "$b" nosuchuser \
		"su-exec: unknown user 'nosuchuser': no such user in /etc/passwd"
}

@test "a command missing from the image: 127, named" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	set_args "$b" /usr/local/bin/su-exec nonroot nosuchcommand
	run -127 --separate-stderr run_ctr "$b"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot run 'nosuchcommand': command not found" ]
}

@test "a read-only root filesystem" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle
	make_bundle "$b"
	edit_config "$b" '.root.readonly = true'
	set_args "$b" /usr/local/bin/su-exec nonroot sh -c "$SHOW_ID"'
		touch /tmp/marker || echo read-only'
	run -0 --separate-stderr run_ctr "$b"
	[ "$output" = "$(nonroot_id)
read-only" ]
	[ "$stderr" = "touch: /tmp/marker: Read-only file system" ]
	[ ! -e "$b/rootfs/tmp/marker" ]
}

# runc itself needs /proc in the container (it closes its descriptors
# through /proc/self/fd before the exec), so a config.json without the proc
# mount never reaches su-exec. busybox chroot (CAP_SYS_CHROOT, in Docker's
# default set; it execs, no fork) enters a tree with no /proc, /dev or /sys.
@test "no /proc, /dev or /sys at all: the switch still happens" {
	need_runc
	local b=$BATS_TEST_TMPDIR/bundle j
	make_bundle "$b"
	j=$b/rootfs/jail
	fill_root "$j"
	add_su_exec "$j"
	set_args "$b" /bin/busybox chroot /jail /usr/local/bin/su-exec nonroot sh -c '
		id -u; id -g; id -G; echo "HOME=$HOME"
		for d in /proc /dev /sys; do [ -e "$d" ] && echo "$d exists"; done
		touch /tmp/made'
	run -0 --separate-stderr run_ctr "$b"
	[ "$output" = "65532
65532
65532 2000
HOME=/home/nonroot" ]
	[ "$stderr" = "" ]
	[ "$(stat -c %u:%g "$j/tmp/made")" = 65532:65532 ]
}

# A user namespace as dockerd --userns-remap makes: root inside is host
# uid 100000, unprivileged outside. runc must traverse the bundle's path as
# that uid, so the bundle lives in a world-searchable folder of its own.
@test "in a user namespace, root inside switches to nonroot inside" {
	need_runc
	local b err
	OUTSIDE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/su-exec-userns.XXXXXX")
	chmod 755 "$OUTSIDE_DIR"
	b=$OUTSIDE_DIR/bundle
	make_bundle "$b"
	edit_config "$b" '.linux.namespaces += [{type: "user"}] |
		.linux.uidMappings = [{containerID: 0, hostID: 100000,
			size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: 100000,
			size: 65536}]'
	set_args "$b" /bin/busybox true
	err=$(run_ctr "$b" 2>&1) ||
		skip "runc cannot start a user-namespaced container here: $err"
	set_args "$b" /usr/local/bin/su-exec nonroot sh -c "$SHOW_ID"'
		while read -r inside outside count; do
			echo "uid_map $inside $outside $count"
		done </proc/self/uid_map
		touch /tmp/made'
	run -0 --separate-stderr run_ctr "$b"
	[ "$output" = "$(nonroot_id)
uid_map 0 100000 65536" ]
	[ "$stderr" = "" ]
	[ "$(stat -c %u:%g "$b/rootfs/tmp/made")" = 165532:165532 ]
}
