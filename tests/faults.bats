#!/usr/bin/env bats
# The checks that only a failing kernel can reach: strace makes a system
# call fail, or pretend to succeed without doing anything, and su-exec must
# notice and run nothing.

load test_helper

setup() {
	write_db
	shared_tmpdir
	command -v strace >/dev/null || skip "needs strace"
	[ -z "${SU_EXEC_SANITIZED:-}" ] || skip "a sanitizer build makes system calls of its own"
}

# inject_rule INJECT: strace's -e inject rule for the calls INJECT names.
# A 32-bit x86 build makes the 32-bit id calls, which strace names apart
# (setgroups32...): the rule names both.
inject_rule() {
	local name names=
	for name in $(printf '%s' "${1%%:*}" | tr , ' '); do
		case $name in
		setgroups | setresgid | setresuid | setuid | setgid | \
			getresuid | getresgid | getgroups)
			name=$name,${name}32 ;;
		esac
		names=${names:+$names,}$name
	done
	printf '%s' "$names:${1#*:}"
}

# faulty INJECT ARGS...: su-exec as root over the test database, with
# strace's -e INJECT rule.
faulty() {
	local inject
	inject=$(inject_rule "$1")
	shift
	in_ns "$PASSWD" "$GROUP" strace -qq -o /dev/null -e inject="$inject" \
		"$SU_EXEC" "$@"
}

# faulty_as SETPRIV_ARGS -- INJECT[;INJECT...] ARGS...: the same, for a
# caller that setpriv makes with SETPRIV_ARGS, with one rule or several.
faulty_as() {
	local caller=() rules=() rule
	while [ "$1" != -- ]; do
		caller+=("$1")
		shift
	done
	while read -r -d ';' rule; do
		rules+=(-e "inject=$(inject_rule "$rule")")
	done <<<"$2;"
	shift 2
	in_ns "$PASSWD" "$GROUP" setpriv "${caller[@]}" -- strace -qq \
		-o /dev/null "${rules[@]}" "$SU_EXEC" "$@"
}

@test "groups that were not set are caught by the check after the switch" {
	need_root
	run --separate-stderr -125 faulty setgroups:retval=0 app touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: the group list did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "gids that were not set are caught by the check after the switch" {
	need_root
	run --separate-stderr -125 faulty setresgid:retval=0 app touch "$SHARED_TMPDIR/ran"
	[ "$stderr" = "su-exec: uid 1000 gid 1000 did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "a uid 0 that can be regained is refused" {
	need_root
	run --separate-stderr -125 faulty setuid:retval=0 app touch "$SHARED_TMPDIR/ran"
	[ "$stderr" = "su-exec: could regain uid 0 after switching to uid 1000" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "capabilities that were not dropped are refused" {
	need_root
	command -v capsh >/dev/null || skip "needs capsh (libcap2-bin)"
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" capsh --inh=cap_chown -- -c \
		'exec strace -qq -o /dev/null -e inject=capset:retval=0 "$SU_EXEC" app true'
	[ "$stderr" = "su-exec: capabilities remain after the switch" ]
}

@test "a failed setgroups names the error" {
	need_root
	run --separate-stderr -125 faulty setgroups:error=EINVAL app true
	[ "$stderr" = "su-exec: cannot set groups: Invalid argument (a group not mapped in this user namespace: see /proc/self/gid_map)" ]
	run --separate-stderr -125 faulty setgroups:error=ENOMEM app true
	[ "$stderr" = "su-exec: cannot set groups: Cannot allocate memory" ] ||
		[ "$stderr" = "su-exec: cannot set groups: Out of memory" ]
}

@test "a failed setresgid names the error, and what it means" {
	need_root
	run --separate-stderr -125 faulty setresgid:error=EPERM app true
	[ "$stderr" = "su-exec: cannot set gid 1000: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
	run --separate-stderr -125 faulty setresgid:error=EINVAL app true
	[ "$stderr" = "su-exec: cannot set gid 1000: Invalid argument (not mapped in this user namespace: see /proc/self/gid_map)" ]
	run --separate-stderr -125 faulty setresgid:error=EIO app true
	[[ "$stderr" == "su-exec: cannot set gid 1000: "@(Input/output|I/O)" error" ]]
}

@test "no_new_privs that cannot be set is an error" {
	need_root
	run --separate-stderr -125 faulty prctl:error=EINVAL --no-new-privs app touch "$SHARED_TMPDIR/ran"
	[ "$stderr" = "su-exec: cannot set no_new_privs: Invalid argument" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "a read interrupted by a signal is retried" {
	need_root
	run --separate-stderr -0 in_ns "$PASSWD" "$GROUP" strace -qq -o /dev/null \
		-P /etc/group -e trace=read -e inject=read:error=EINTR:when=1 \
		"$SU_EXEC" -p app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app" ]
}

@test "a read error is an error naming the file, never a partial answer" {
	need_root
	# a group file longer than one read: the second read fails, after the
	# first has given a block
	seq 3000 | awk '{ printf "filler%d:x:%d:\n", $1, 5000 + $1 }' >>"$GROUP"
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" strace -qq -o /dev/null \
		-P /etc/group -e trace=read -e inject=read:error=EIO:when=2 \
		"$SU_EXEC" -p app
	[ "$output" = "" ]
	# glibc's words for EIO, or musl's (the release builds)
	[[ "$stderr" == "su-exec: cannot read /etc/group: "@(Input/output|I/O)" error" ]]
}

@test "a capget that writes nothing reads as capabilities kept, never as none" {
	need_root
	skip_if_emulated "qemu hands the binary its own copy of what capget wrote"
	# capset is faked too, so nothing was dropped: the check must see it
	run --separate-stderr -125 faulty capset,capget:retval=0 app touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: capabilities remain after the switch" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "id read-backs that write nothing read as not the target" {
	need_root
	run --separate-stderr -125 faulty getresuid,getresgid:retval=0 app touch "$SHARED_TMPDIR/ran"
	[ "$stderr" = "su-exec: uid 1000 gid 1000 did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "a group read-back that writes nothing never passes for the target's groups" {
	need_root
	# The buffer that getgroups fills held the passwd file last: its first
	# bytes are gid 1000 as the machine stores it (a line with NUL bytes,
	# malformed and skipped). The caller is uid and gid 1000 in group 77
	# only; a getgroups that says "1 group" without writing must not make
	# it look like 1000:1000 in group 1000, which would skip the switch.
	local gid1000
	gid1000=$(printf '%08x' 1000 | sed 's/\(..\)\(..\)\(..\)\(..\)/\\x\1\\x\2\\x\3\\x\4/')
	[ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" != 1 ] ||
		gid1000=$(printf '%s' "$gid1000" | sed 's/\(....\)\(....\)\(....\)\(....\)/\4\3\2\1/')
	{ printf "$gid1000"; printf '\nx:x:1000:1000::/home/x:/bin/sh\n'; } >"$PASSWD"
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 \
		--regid=1000 --groups=77 -- strace -qq -o /dev/null \
		-e inject=/^getgroups:retval=1 "$SU_EXEC" 1000:1000 id -G
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
}

@test "id read-backs that write nothing never pass for uid or gid 0" {
	need_root
	skip_if_emulated "qemu hands the binary its own copy of what the faked call wrote"
	# A caller with the target's ids skips the switch, so only a caller
	# with other ids reaches the check: a gid set by nobody, read back as
	# nothing, must not look like gid 0 ...
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv --regid=5 \
		--clear-groups -- strace -qq -o /dev/null \
		-e inject=setresgid,setresgid32,getresgid,getresgid32:retval=0 \
		"$SU_EXEC" 0:0 touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: uid 0 gid 0 did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
	# ... nor a uid, for a caller that may set it (CAP_SETUID) but is not 0
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv --reuid=5 \
		--regid=0 --clear-groups --inh-caps=+setuid,+setgid \
		--ambient-caps=+setuid,+setgid -- strace -qq -o /dev/null \
		-e inject=setresuid,setresuid32,getresuid,getresuid32:retval=0 \
		"$SU_EXEC" 0:0 touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: uid 0 gid 0 did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "a group read-back that claims more groups than it was given room for is refused" {
	need_root
	skip_if_emulated "qemu hands the binary its own copy of what the faked call wrote"
	# getgroups never returns more than its size: a count beyond it is a
	# fake, read as "not the target", never as that many gids
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 \
		--regid=1000 --groups=77 -- strace -qq -o /dev/null \
		-e inject=/^getgroups:retval=2000000000 "$SU_EXEC" 1000:1000 id -G
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
}

@test "after a switch, faked setgroups and getgroups never keep the caller's groups" {
	need_root
	# nohome's only group is its gid 1007; the caller is root in 0, 1, 2
	# and 3. A getgroups that "succeeds" with no group must not pass for
	# 1007 alone: the kernel still holds 0, 1, 2 and 3.
	run --separate-stderr -125 faulty_as --groups=0,1,2,3 -- \
		setgroups,getgroups:retval=0 nohome touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: the group list did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
	# getgroups alone: setgroups took, but what was read back is not it
	run --separate-stderr -125 faulty_as --groups=0,1,2,3 -- \
		getgroups:retval=0 nohome touch "$SHARED_TMPDIR/ran"
	[ "$stderr" = "su-exec: the group list did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
	# without the fakes the caller's groups go
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --groups=0,1,2,3 -- \
		"$SU_EXEC" nohome id -G
	[ "$output" = "1007" ]
}

@test "a caller with the target's ids and CAP_SETGID gets the full switch, fake or not" {
	need_root
	local caller=(--reuid=1007 --regid=1007 --groups=0 --inh-caps=+setgid
		--ambient-caps=+setgid)
	# it holds group 0, which nohome has not, and could drop it
	run -0 in_ns "$PASSWD" "$GROUP" setpriv "${caller[@]}" -- \
		"$SU_EXEC" nohome id -G
	[ "$output" = "1007" ]
	# a faked getgroups must not make it look like nohome already, which
	# would skip the switch and keep group 0
	run --separate-stderr -125 faulty_as "${caller[@]}" -- \
		getgroups:retval=0 nohome touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: the group list did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
	# the same with CAP_SETUID alone
	run --separate-stderr -125 faulty_as --reuid=1007 --regid=1007 \
		--groups=0 --inh-caps=+setuid --ambient-caps=+setuid -- \
		getgroups:retval=0 nohome touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "a capget that writes nothing, or fails, reads as privileged: the full switch runs" {
	need_root
	skip_if_emulated "qemu hands the binary its own copy of what capget wrote"
	# the caller is nohome in group 0, without capabilities: a faked
	# capget must not clear it for the shortcut, which would keep group 0
	# (with getgroups faked too); the full switch is refused instead
	run --separate-stderr -125 faulty_as --reuid=1007 --regid=1007 \
		--groups=0 -- capget,getgroups:retval=0 nohome \
		touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
	# a capget that fails reads the same, even for a caller that is nohome
	# exactly
	run --separate-stderr -125 faulty_as --reuid=1007 --regid=1007 \
		--groups=1007 -- capget:error=EPERM:when=1 nohome \
		touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "root in groups 0 and 5 switching to 0:0 never keeps group 5" {
	need_root
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --groups=0,5 -- "$SU_EXEC" 0:0 id -G
	[ "$output" = "0" ]
	# root holds CAP_SETUID: the full switch runs, and a faked read-back
	# is caught
	run --separate-stderr -125 faulty_as --groups=0,5 -- \
		getgroups:retval=0 0:0 touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: the group list did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}

@test "a group read-back of the right count that writes nothing never passes for gid 0" {
	need_root
	skip_if_emulated "qemu hands the binary its own copy of what the faked call wrote"
	# setgroups faked: the kernel keeps 0 and 5. A getgroups that says
	# "1 group" without writing leaves the buffer as it was filled, which
	# must be no gid a target has (0 would pass for 0:0 and keep group 5).
	run --separate-stderr -125 faulty_as --groups=0,5 -- \
		"setgroups:retval=0;getgroups:retval=1" 0:0 touch "$SHARED_TMPDIR/ran"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: the group list did not take effect" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}
