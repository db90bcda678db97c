#!/usr/bin/env bats
# The options people give `podman run` (the same as `docker run`'s) around
# `su-exec app CMD`, in the image of the README's Debian recipe: each result
# read from the kernel (/proc/self/status, printed by myapp, which su-exec
# runs) and the exit status podman returns. The image's entrypoint script
# runs any command but myapp as it is, so `IMAGE su-exec app myapp` is
# su-exec started by the container's first process, as root unless --user
# says otherwise. app is in its own group and in "data" (2000).

load helper

IMAGE=$TEST_IMAGES/debian-app
NO_SETGID='su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)'

setup_file() {
	probe_podman
	[ -z "$(cat "$BATS_FILE_TMPDIR/podman-probe")" ] || return 0
	debian_app_image
	app_ids
	export APP_UID APP_GID
}

# as_app [NO_NEW_PRIVS]: myapp's output as app, PID 1, without privilege.
as_app() {
	myapp_output "$APP_UID" "$APP_GID" "$APP_GID 2000" /home/app "${1:-0}"
}

# app_under OPTION...: `su-exec app myapp` in a container run with OPTION...
# must exit 0, print nothing on stderr, and run myapp as app.
app_under() {
	run -0 --separate-stderr ctr "$@" "$IMAGE" su-exec app myapp
	[ "$stderr" = "" ]
}

@test "defaults (root, the default capabilities and seccomp profile): app, no capability, Seccomp 2" {
	need_podman
	app_under
	[ "$output" = "$(as_app)" ]
}

@test "--user app: already app and its groups; the command runs, without privilege" {
	need_podman
	app_under --user app
	[ "$output" = "$(as_app)" ]
}

@test "--user UID:GID, app's ids without its groups: refused, 125, nothing runs" {
	need_podman
	run -125 --separate-stderr ctr --user "$APP_UID:$APP_GID" "$IMAGE" \
		su-exec app myapp
	[ "$output" = "" ]
	[ "$stderr" = "$NO_SETGID" ]
}

@test "--user UID:GID --group-add 2000: app's ids and groups; the command runs, without privilege" {
	need_podman
	app_under --user "$APP_UID:$APP_GID" --group-add 2000
	[ "$output" = "$(as_app)" ]
}

@test "--cap-drop ALL: refused, 125, naming the capability" {
	need_podman
	run -125 --separate-stderr ctr --cap-drop ALL "$IMAGE" su-exec app myapp
	[ "$output" = "" ]
	[ "$stderr" = "$NO_SETGID" ]
}

@test "--cap-drop ALL --cap-add SETUID --cap-add SETGID: enough for the switch" {
	need_podman
	app_under --cap-drop ALL --cap-add SETUID --cap-add SETGID
	[ "$output" = "$(as_app)" ]
}

@test "--security-opt no-new-privileges: the switch works; NoNewPrivs 1" {
	need_podman
	app_under --security-opt no-new-privileges
	[ "$output" = "$(as_app 1)" ]
}

@test "--read-only: su-exec writes nothing" {
	need_podman
	app_under --read-only
	[ "$output" = "$(as_app)" ]
}

@test "--uidmap and --gidmap: in a user namespace, app's ids as the container sees them" {
	need_podman
	run -0 --separate-stderr ctr --uidmap 0:100000:65536 --gidmap 0:100000:65536 \
		"$IMAGE" su-exec app sh -c '
			read -r inside outside count </proc/self/uid_map
			echo "uid_map $inside $outside $count"
			read -r inside outside count </proc/self/gid_map
			echo "gid_map $inside $outside $count"
			exec myapp'
	[ "$stderr" = "" ]
	[ "$output" = "uid_map 0 100000 65536
gid_map 0 100000 65536
$(as_app)" ]
}

@test "exit statuses through podman run: the command's, 125, 126, 127" {
	need_podman
	run -0 ctr "$IMAGE" su-exec app true
	run -7 ctr "$IMAGE" su-exec app sh -c 'exit 7'
	run -125 --separate-stderr ctr "$IMAGE" su-exec nosuch true
	[ "$stderr" = "su-exec: unknown user 'nosuch': no such user in /etc/passwd" ]
	run -126 --separate-stderr ctr "$IMAGE" su-exec app /etc/passwd
	[ "$stderr" = "su-exec: cannot run '/etc/passwd': Permission denied" ]
	run -127 --separate-stderr ctr "$IMAGE" su-exec app nosuch
	[ "$stderr" = "su-exec: cannot run 'nosuch': command not found" ]
}

# Kubernetes' securityContext as podman options: runAsUser and runAsGroup
# are --user UID:GID, supplementalGroups --group-add, allowPrivilegeEscalation:
# false --security-opt no-new-privileges, capabilities drop ALL --cap-drop ALL.

@test "securityContext runAsUser, runAsGroup, supplementalGroups, no escalation, drop ALL: su-exec app runs the command" {
	need_podman
	app_under --user "$APP_UID:$APP_GID" --group-add 2000 \
		--security-opt no-new-privileges --cap-drop ALL
	[ "$output" = "$(as_app 1)" ]
}

@test "securityContext without supplementalGroups: su-exec app refuses, 125; the service alone runs without app's groups" {
	need_podman
	local opts=(--user "$APP_UID:$APP_GID" --security-opt no-new-privileges
		--cap-drop ALL)
	run -125 --separate-stderr ctr "${opts[@]}" "$IMAGE" su-exec app myapp
	[ "$stderr" = "$NO_SETGID" ]
	# The image's own entrypoint, started as app's ids, runs the service
	# as it is: with the one group the runtime gave it.
	run -0 --separate-stderr ctr "${opts[@]}" "$IMAGE"
	[ "$output" = "$(myapp_output "$APP_UID" "$APP_GID" "$APP_GID" /home/app 1)" ]
}

@test "securityContext drop ALL and no escalation, started as root: su-exec app refuses, 125" {
	need_podman
	run -125 --separate-stderr ctr --security-opt no-new-privileges \
		--cap-drop ALL "$IMAGE" su-exec app myapp
	[ "$stderr" = "$NO_SETGID" ]
	# With the two capabilities it needs, it works under no_new_privs.
	app_under --security-opt no-new-privileges --cap-drop ALL \
		--cap-add SETUID --cap-add SETGID
	[ "$output" = "$(as_app 1)" ]
}

# summary OUTPUT: myapp's uid, groups, effective capabilities and
# no_new_privs on one line.
summary() {
	printf '%s\n' "$1" | awk '
		/^Uid:/ { u = $2 } /^Groups:/ { $1 = ""; g = NF > 1 ? substr($0, 2) : "none" }
		/^CapEff:/ { c = $2 == "0000000000000000" ? "none" : "some" }
		/^NoNewPrivs:/ { n = $2 }
		END { printf "uid %s groups %s caps %s nnp %s\n", u, g, c, n }'
}

@test "the same options without su-exec: what the service gets from the runtime alone" {
	need_podman
	local opts want
	# options | uid, groups, effective capabilities, no_new_privs
	while IFS='|' read -r opts want; do
		# shellcheck disable=SC2086 # opts is a word list
		run -0 --separate-stderr ctr --entrypoint /usr/local/bin/myapp $opts "$IMAGE"
		echo "$opts: $(summary "$output")"
		[ "$(summary "$output")" = "$want" ]
	done <<-ROWS
		|uid 0 groups none caps some nnp 0
		--user $APP_UID:$APP_GID|uid $APP_UID groups $APP_GID caps none nnp 0
		--user $APP_UID:$APP_GID --group-add 2000|uid $APP_UID groups $APP_GID 2000 caps none nnp 0
		--security-opt no-new-privileges|uid 0 groups none caps some nnp 1
		--cap-drop ALL|uid 0 groups none caps none nnp 0
		--cap-drop ALL --cap-add SETUID --cap-add SETGID|uid 0 groups none caps some nnp 0
		--user $APP_UID:$APP_GID --group-add 2000 --security-opt no-new-privileges --cap-drop ALL|uid $APP_UID groups $APP_GID 2000 caps none nnp 1
	ROWS
}
