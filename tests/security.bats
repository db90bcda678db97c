#!/usr/bin/env bats
# Privilege: refusals, the same-identity path, capabilities, no_new_privs.

load test_helper

@test "an unprivileged caller is refused with a hint, and nothing runs" {
	need_root
	run --separate-stderr -125 as_user 1234 1234 app touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "without CAP_SETUID the uid switch fails with its own hint" {
	need_root
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" \
		setpriv --bounding-set=-setuid --inh-caps=-all -- "$SU_EXEC" app true
	[ "$stderr" = "su-exec: cannot set uid 1000: Operation not permitted (su-exec needs root or CAP_SETUID)" ]
}

@test "without CAP_SETGID the group switch fails with its hint" {
	need_root
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" \
		setpriv --bounding-set=-setgid -- "$SU_EXEC" app true
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
}

@test "a caller that already is the target needs no privilege" {
	need_root
	# the runtime may or may not list the primary gid among the groups
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 --regid=1000 \
		--groups=10,50,100,1000 -- "$SU_EXEC" app sh -c "$SHOW_ID"
	[ "${lines[0]}" = "Uid: 1000 1000 1000 1000" ]
	[ "${lines[2]}" = "Groups: 10 50 100 1000" ]
	[ "${lines[8]}" = "HOME=/home/app" ]
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 --regid=1000 \
		--groups=10,50,100 -- "$SU_EXEC" app id -G
	[ "$output" = "1000 10 50 100" ]
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=65532 --regid=65532 \
		--clear-groups -- "$SU_EXEC" 65532:65532 id -u
	[ "$output" = "65532" ]
}

@test "a caller that already is the target leaves with no capability" {
	need_root
	local caps='--inh-caps=+setuid,+setgid --ambient-caps=+setuid,+setgid'
	local app_without_caps="Uid: 1000 1000 1000 1000
Gid: 1000 1000 1000 1000
Groups: 10 50 100 1000
CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapAmb: 0000000000000000
NoNewPrivs: 0
HOME=/home/app"
	# the caller holds ambient CAP_SETUID and CAP_SETGID (0xc0), as a
	# runtime's --cap-add gives a non-root user
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 --regid=1000 \
		--groups=10,50,100,1000 $caps -- sh -c "$SHOW_ID"
	[ "${lines[3]}" = "CapInh: 00000000000000c0" ]
	[ "${lines[6]}" = "CapAmb: 00000000000000c0" ]
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 --regid=1000 \
		--groups=10,50,100,1000 $caps -- "$SU_EXEC" app sh -c "$SHOW_ID"
	[ "$output" = "$app_without_caps" ]
	# one that holds neither CAP_SETUID nor CAP_SETGID makes no privileged
	# call, and leaves what it holds (CAP_NET_BIND_SERVICE, 0x400) too
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 --regid=1000 \
		--groups=10,50,100,1000 --inh-caps=+net_bind_service \
		--ambient-caps=+net_bind_service -- sh -c "$SHOW_ID"
	[ "${lines[6]}" = "CapAmb: 0000000000000400" ]
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 --regid=1000 \
		--groups=10,50,100,1000 --inh-caps=+net_bind_service \
		--ambient-caps=+net_bind_service -- "$SU_EXEC" app sh -c "$SHOW_ID"
	[ "$output" = "$app_without_caps" ]
	# the same caller with other groups switches, with the same result
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 --regid=1000 \
		--groups=10 $caps -- "$SU_EXEC" app sh -c "$SHOW_ID"
	[ "${lines[2]}" = "Groups: 10 50 100 1000" ]
	[ "${lines[3]}" = "CapInh: 0000000000000000" ]
	[ "${lines[4]}" = "CapPrm: 0000000000000000" ]
	[ "${lines[6]}" = "CapAmb: 0000000000000000" ]
	# a uid-0 target keeps what it has: root is root
	run -0 in_ns "$PASSWD" "$GROUP" "$SU_EXEC" root sh -c "$SHOW_ID"
	[ "${lines[4]}" != "CapPrm: 0000000000000000" ]
}

@test "a caller with the target's ids but other groups is refused" {
	need_root
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv \
		--reuid=1000 --regid=1000 --groups=10 -- "$SU_EXEC" app true
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
}

# install_special MODE: a copy of su-exec with MODE, in a folder anyone may
# enter, as root:root.
install_special() {
	[ -z "${SU_EXEC_SANITIZED:-}" ] ||
		skip "a sanitizer runtime starts before main, with its own setuid rules"
	skip_if_emulated "a binfmt_misc handler without the C flag runs the binary with the caller's credentials: no setuid, setgid, file capabilities or AT_SECURE"
	cp "$SU_EXEC" "$SHARED_TMPDIR/su-exec"
	chmod "$1" "$SHARED_TMPDIR/su-exec"
	if [ "$(findmnt -no OPTIONS -T "$SHARED_TMPDIR" | grep -c nosuid)" != 0 ]; then
		skip "the scratch folder is on a nosuid mount"
	fi
}

@test "installed setuid root it refuses to run, even --help" {
	need_root
	install_special 4755
	for args in "app id" "--help" "--version" "-p app"; do
		run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv \
			--reuid=1234 --regid=1234 --clear-groups -- "$SHARED_TMPDIR/su-exec" $args
		[ "$output" = "" ]
		[ "$stderr" = "su-exec: refusing to run setuid, setgid or with file capabilities: it is not sudo" ]
	done
}

@test "installed setgid it refuses to run" {
	need_root
	install_special 2755
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv \
		--reuid=1234 --regid=1234 --clear-groups -- "$SHARED_TMPDIR/su-exec" app id
	[ "$stderr" = "su-exec: refusing to run setuid, setgid or with file capabilities: it is not sudo" ]
}

@test "with file capabilities it refuses to run" {
	need_root
	command -v setcap >/dev/null || skip "needs setcap (libcap2-bin)"
	install_special 755
	setcap cap_setuid,cap_setgid+ep "$SHARED_TMPDIR/su-exec" ||
		skip "this file system takes no file capabilities"
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv \
		--reuid=1234 --regid=1234 --clear-groups -- "$SHARED_TMPDIR/su-exec" app id
	[ "$stderr" = "su-exec: refusing to run setuid, setgid or with file capabilities: it is not sudo" ]
}

@test "no_new_privs is left alone without --no-new-privs" {
	need_root
	run -0 su_exec app grep ^NoNewPrivs: /proc/self/status
	[ "$output" = "NoNewPrivs:	0" ]
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --no-new-privs -- \
		"$SU_EXEC" app grep ^NoNewPrivs: /proc/self/status
	[ "$output" = "NoNewPrivs:	1" ]
}

@test "the blocked signals, the session and the process group are left alone" {
	need_root
	# SIGUSR1 blocked by the caller: bit 10 of the mask
	run -0 in_ns "$PASSWD" "$GROUP" perl -MPOSIX -e '
		sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR1));
		exec @ARGV' "$SU_EXEC" app grep ^SigBlk: /proc/self/status
	[ "$output" = "SigBlk:	0000000000000200" ]
	run -0 in_ns "$PASSWD" "$GROUP" sh -c 'echo $(ps -o sid=,pgid= -p $$);
		exec "$SU_EXEC" app sh -c "echo \$(ps -o sid=,pgid= -p \$\$)"'
	[ "${#lines[@]}" = 2 ]
	[ "${lines[0]}" = "${lines[1]}" ]
}

@test "the signal mask, ignored signals and rlimits are left alone" {
	need_root
	skip_if_emulated "qemu handles every signal that kills by default, even one the caller ignored: the exec resets it"
	run -0 in_ns "$PASSWD" "$GROUP" sh -c 'trap "" USR1; ulimit -n 123;
		exec "$SU_EXEC" app sh -c "grep ^SigIgn: /proc/self/status; ulimit -n"'
	[ "${lines[1]}" = "123" ]
	# SIGUSR1 is bit 10 of the ignored set
	[ $(( 0x${lines[0]#SigIgn:	} & 0x200 )) != 0 ]
}

# in_userns_of_root CMD...: CMD as root of a new user namespace that maps
# uid 0 and gid 0 alone, in a mount namespace of its own over the test
# database. The maps are written from outside, as a runtime does; its
# /proc/self/setgroups stays "allow".
in_userns_of_root() {
	local go pid ours tries=0
	go=$(mktemp -u "$BATS_TEST_TMPDIR/userns.XXXXXX") && mkfifo "$go" || return 1
	unshare -U -m -- sh -c 'read -r _ <"$1" &&
		mount --bind "$2" /etc/passwd && mount --bind "$3" /etc/group &&
		shift 3 && exec "$@"' sh "$go" "$PASSWD" "$GROUP" "$@" &
	pid=$!
	ours=$(readlink /proc/self/ns/user)
	while [ "$(readlink "/proc/$pid/ns/user")" = "$ours" ]; do
		tries=$((tries + 1))
		[ "$tries" -lt 500 ] || { kill "$pid"; return 1; }
		sleep 0.01
	done
	echo '0 0 1' >"/proc/$pid/uid_map" && echo '0 0 1' >"/proc/$pid/gid_map" &&
		echo go >"$go"
	wait "$pid"
}

@test "an id the user namespace does not map is named as such" {
	need_root
	run -0 in_userns_of_root "$SU_EXEC" 0:0 cat /proc/self/uid_map
	[ "$(echo $output)" = "0 0 1" ]
	# app's groups are not mapped
	run --separate-stderr -125 in_userns_of_root "$SU_EXEC" app true
	[ "$stderr" = "su-exec: cannot set groups: Invalid argument (a group not mapped in this user namespace: see /proc/self/gid_map)" ]
	# gid 0 is, uid 1000 is not
	run --separate-stderr -125 in_userns_of_root "$SU_EXEC" app:0 true
	[ "$stderr" = "su-exec: cannot set uid 1000: Invalid argument (not mapped in this user namespace: see /proc/self/uid_map)" ]
}
