#!/usr/bin/env bats
# Real switches, checked in the kernel's own words (/proc/self/status).

load test_helper

# expect_id SPEC UID GID "GROUPS" HOME: every slot, the groups, no
# capability left, HOME.
expect_id() {
	local spec=$1 uid=$2 gid=$3 groups=$4 home=$5
	run -0 su_exec "$spec" sh -c "$SHOW_ID"
	[ "$output" = "Uid: $uid $uid $uid $uid
Gid: $gid $gid $gid $gid
Groups: $groups
CapInh: 0000000000000000
CapPrm: 0000000000000000
CapEff: 0000000000000000
CapAmb: 0000000000000000
NoNewPrivs: 0
HOME=$home" ]
}

@test "a name gets its uid, gid, memberships and home" {
	need_root
	expect_id app 1000 1000 "10 50 100 1000" /home/app
}

@test "an explicit group is the only group" {
	need_root
	expect_id app:staff 1000 50 "50" /home/app
	expect_id app:10 1000 10 "10" /home/app
}

@test "numeric ids with no database lines are used as they are" {
	need_root
	expect_id 4000:4000 4000 4000 "4000" /
}

@test "a numeric uid without a passwd line keeps the caller's real gid" {
	need_root
	expect_id 4000 4000 0 "0" /
}

@test "a numeric uid finds its passwd line, never a user named like it" {
	need_root
	expect_id 1003 1003 0 "0" /
	expect_id 1004 1004 1004 "1004" /home/named-1003
}

@test "a leading blank and a CRLF line are read" {
	need_root
	expect_id blank 1001 1001 "50 1001" /home/blank
	expect_id crlf 1002 1002 "100 1002" /home/crlf
}

@test "the first of duplicate names wins" {
	need_root
	expect_id dup 1005 1005 "1005" /home/dup1
}

@test "malformed lines are skipped, never read as root" {
	need_root
	expect_id bad 1009 1009 "1009" /home/bad
}

@test "an empty or missing home means HOME=/" {
	need_root
	expect_id nohome 1007 1007 "1007" /
	expect_id short 1008 1008 "1008" /
}

@test "switching to root stays root with its capabilities" {
	need_root
	run -0 su_exec root sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	[ "$output" = "Uid:	0	0	0	0
Gid:	0	0	0	0
Groups:	0 10 " ]
	run -0 su_exec root sh -c 'grep ^CapEff: /proc/self/status'
	[ "$output" != "CapEff:	0000000000000000" ]
}

@test "the inheritable capability set does not survive leaving root" {
	need_root
	command -v capsh >/dev/null || skip "needs capsh (libcap2-bin)"
	run -0 in_ns "$PASSWD" "$GROUP" capsh --inh=cap_chown -- -c \
		'grep ^CapInh: /proc/self/status; exec "$SU_EXEC" app grep -E "^Cap(Inh|Amb):" /proc/self/status'
	[ "$output" = "CapInh:	0000000000000001
CapInh:	0000000000000000
CapAmb:	0000000000000000" ]
}

@test "the caller's supplementary groups are never kept" {
	need_root
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --groups=7,8,9 -- \
		"$SU_EXEC" app sh -c 'grep ^Groups: /proc/self/status'
	[ "$output" = "Groups:	10 50 100 1000 " ]
}

@test "uid 0 cannot be regained after the switch" {
	need_root
	run -127 su_exec app setpriv --reuid=0 true
	[ "$output" = "setpriv: setresuid failed: Operation not permitted" ]
}

@test "a uid and a gid that differ each land in all their own slots" {
	need_root
	uneven_users
	expect_id swap 1100 1200 "1200 1300" /home/swap
	expect_id 1100 1100 1200 "1200 1300" /home/swap
	expect_id 1200 1200 1100 "1100" /home/pews
	expect_id swap:g1100 1100 1100 "1100" /home/swap
	expect_id 3000:4000 3000 4000 "4000" /
}

@test "a caller whose real and effective ids differ is refused, slots never mixed" {
	need_root
	[ -z "${SU_EXEC_SANITIZED:-}" ] ||
		skip "a sanitizer runtime starts before main, with its own setuid rules"
	# The kernel flags such an exec AT_SECURE: su-exec refuses before
	# looking at the slots, so it never meets a caller that is the target
	# in some slots only.
	local ids
	for ids in "--ruid=0 --euid=1000 --regid=1000" \
		"--ruid=1000 --euid=0 --regid=1000" \
		"--reuid=1000 --rgid=0 --egid=1000" \
		"--rgid=1000 --egid=0"; do
		run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv $ids \
			--groups=10,50,100 -- "$SU_EXEC" app touch "$SHARED_TMPDIR/ran"
		[ "$stderr" = "su-exec: refusing to run setuid, setgid or with file capabilities: it is not sudo" ]
		[ ! -e "$SHARED_TMPDIR/ran" ]
	done
}

@test "a caller with the target's ids but only some of its groups is refused" {
	need_root
	# the caller has gid 77 alone; the target wants 77 and 78
	run --separate-stderr -125 in_ns "$PASSWD" "$GROUP" setpriv --reuid=4000 \
		--regid=77 --clear-groups -- "$SU_EXEC" -G 78 4000:77 touch "$SHARED_TMPDIR/ran"
	[ "$stderr" = "su-exec: cannot set groups: Operation not permitted (su-exec needs root or CAP_SETGID)" ]
	[ ! -e "$SHARED_TMPDIR/ran" ]
}
