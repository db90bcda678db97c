#!/usr/bin/env bats
# The README's entrypoint script in the image of its Debian recipe, both
# taken from the README's text, with myapp (tests/engine/myapp.c) as the
# service the recipe's CMD names: what `podman run`, `podman stop` and a
# mounted volume do with it.

load helper

IMAGE=$TEST_IMAGES/debian-app

setup_file() {
	probe_podman
	[ -z "$(cat "$BATS_FILE_TMPDIR/podman-probe")" ] || return 0
	debian_app_image
	app_ids
	export APP_UID APP_GID
}

teardown() {
	remove_containers
}

# as_app [ARGS]: myapp's output as app, PID 1, without privilege.
as_app() {
	myapp_output "$APP_UID" "$APP_GID" "$APP_GID 2000" /home/app 0 "$1"
}

# owners DIR: the owner of every file under DIR (itself included), sorted.
owners() {
	(cd "$1" && find . -exec stat -c '%n %u:%g' {} + | LC_ALL=C sort)
}

@test "podman run IMAGE: a root-owned volume is given to app; the service runs as app, PID 1" {
	need_podman
	local data=$BATS_TEST_TMPDIR/data before after
	mkdir -p "$data/sub"
	touch "$data/file" "$data/sub/file" "$data/mine"
	chown -R 0:0 "$data"
	chown "$APP_UID:$APP_GID" "$data/mine"
	before=$(stat -c %Z "$data/mine")
	sleep 1.1
	run -0 --separate-stderr ctr -v "$data:/data" "$IMAGE"
	[ "$output" = "$(as_app)" ]
	[ "$stderr" = "" ]
	run -0 owners "$data"
	[ "$output" = ". $APP_UID:$APP_GID
./file $APP_UID:$APP_GID
./mine $APP_UID:$APP_GID
./sub $APP_UID:$APP_GID
./sub/file $APP_UID:$APP_GID" ]
	# What app owned already was left alone (its inode did not change).
	after=$(stat -c %Z "$data/mine")
	[ "$before" = "$after" ]
}

# wait_for_log NAME TEXT: up to 30 s for the container NAME to print TEXT.
wait_for_log() {
	local _
	for _ in $(seq 150); do
		podman logs "$1" 2>/dev/null | grep -qx "$2" && return 0
		sleep 0.2
	done
	echo "container $1 never printed '$2'" >&2
	return 1
}

@test "podman stop: SIGTERM reaches the service, which stops at once with its own status" {
	need_podman
	local start elapsed_ms
	new_name
	timeout 60 podman run --detach --pull=never --name "$CTR_NAME" \
		--env MYAPP_WAIT=1 "$IMAGE" >/dev/null
	wait_for_log "$CTR_NAME" ready
	start=${EPOCHREALTIME/./}
	# The grace period, after which podman would kill it: 10 s.
	timeout 60 podman stop --time 10 "$CTR_NAME" >/dev/null
	elapsed_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	echo "podman stop took $elapsed_ms ms"
	[ "$elapsed_ms" -lt 5000 ]
	# 43: myapp's own exit on SIGTERM; a kill at the end would give 137.
	[ "$(podman inspect --format '{{.State.ExitCode}}' "$CTR_NAME")" = 43 ]
	run -0 podman logs "$CTR_NAME"
	[ "$output" = "$(as_app)
ready
myapp: SIGTERM" ]
}

@test "podman run IMAGE --verbose: options go to the default program, run as app" {
	need_podman
	run -0 --separate-stderr ctr "$IMAGE" --verbose
	[ "$output" = "$(as_app --verbose)" ]
	[ "$stderr" = "" ]
}

@test "podman run -i IMAGE sh: another command runs as it is, as root" {
	need_podman
	run -0 --separate-stderr bash -c "echo 'exec myapp shell' |
		timeout 120 podman run --rm --pull=never -i '$IMAGE' sh"
	[ "$stderr" = "" ]
	[[ "$output" == "Pid: 1
Uid: 0 0 0 0
Gid: 0 0 0 0
"* ]]
	# Docker's default capabilities, which root keeps.
	[[ "$output" == *"
CapEff: "* ]]
	[[ "$output" != *"
CapEff: 0000000000000000
"* ]]
	[[ "$output" == *"
HOME=/root
args: shell" ]]
}

@test "podman run --user app IMAGE: no root step; the service runs as app" {
	need_podman
	local data=$BATS_TEST_TMPDIR/data
	mkdir -p "$data"
	run -0 --separate-stderr ctr --user app -v "$data:/data" "$IMAGE"
	[ "$output" = "$(as_app)" ]
	[ "$stderr" = "" ]
	# Started as app, the script had no root step to take.
	[ "$(stat -c %u:%g "$data")" = 0:0 ]
}
