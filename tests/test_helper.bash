# Shared by every test file. The program always runs in a private mount
# namespace whose /etc/passwd and /etc/group are test files bind-mounted
# over the real ones, so the machine's own database is never read or changed.

bats_require_minimum_version 1.5.0

# SU_EXEC may name another build (sanitizers, static) to run the suite on.
SU_EXEC=${SU_EXEC:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)/su-exec}
export SU_EXEC

# skip_if_emulated REASON: for the few tests qemu-user cannot pass. The
# cross-architecture runner (release/test) sets SU_EXEC_EMULATED=1 when
# SU_EXEC is a foreign binary that the kernel hands to qemu.
skip_if_emulated() {
	[ -z "${SU_EXEC_EMULATED:-}" ] || skip "under qemu-user: $1"
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root: unshare -m and bind mounts"
	command -v unshare >/dev/null || skip "needs unshare (util-linux)"
}

# The standard test database. Its oddities are deliberate: a leading blank,
# a CRLF line, comments, a user named like a number, duplicates, empty and
# malformed id fields that must never become root.
write_db() {
	PASSWD=$BATS_TEST_TMPDIR/passwd
	GROUP=$BATS_TEST_TMPDIR/group
	printf '%s\n' \
		'root:x:0:0:root:/root:/bin/sh' \
		'# comment:x:0:0::/:' \
		'' \
		'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin' \
		'app:x:1000:1000:App:/home/app:/bin/sh' \
		'  blank:x:1001:1001::/home/blank:/bin/sh' \
		'crlf:x:1002:1002::/home/crlf:/bin/sh'$'\r' \
		'1003:x:1004:1004::/home/named-1003:/bin/sh' \
		'dup:x:1005:1005::/home/dup1:/bin/sh' \
		'dup:x:1006:1006::/home/dup2:/bin/sh' \
		'nohome:x:1007:1007:::/bin/sh' \
		'short:x:1008:1008' \
		'bad:x::0::/root:/bin/sh' \
		'bad:x:-1:0::/root:/bin/sh' \
		'bad:x:0x10:0::/root:/bin/sh' \
		'bad:x:4294967296:0::/root:/bin/sh' \
		'bad:x:1009: 0::/root:/bin/sh' \
		'bad:x:1009:1009::/home/bad:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' \
		>"$PASSWD"
	printf '%s\n' \
		'root:x:0:' \
		'daemon:x:1:' \
		'wheel:x:10:app,root' \
		'staff:x:50:blank,app' \
		'  users:x:100:crlf,app'$'\r' \
		'# hidden:x:0:app' \
		'app:x:1000:' \
		'1003:x:1001:' \
		'dupg:x:2000:' \
		'dupg:x:2001:' \
		'badg:x::app' \
		'badg:x:2147483648:app' \
		'badg:x:2002:' \
		'empty:x:2003' \
		'nobody:x:65534:' \
		'nogroup:x:65533:' \
		>"$GROUP"
}

# uneven_users: users whose uid and gid differ, each the other's mirror,
# so that a uid set from the gid, or read from the gid field, or the
# reverse, shows in some slot.
uneven_users() {
	printf '%s\n' \
		'swap:x:1100:1200::/home/swap:/bin/sh' \
		'pews:x:1200:1100::/home/pews:/bin/sh' >>"$PASSWD"
	printf '%s\n' \
		'g1100:x:1100:' \
		'g1200:x:1200:' \
		'extra:x:1300:swap' >>"$GROUP"
}

# in_ns PASSWD GROUP CMD...: CMD in a private mount namespace over those files.
in_ns() {
	unshare -m -- sh -c '
		mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group &&
		shift 2 && exec "$@"' in_ns "$@"
}

# in_etc DIR CMD...: CMD with DIR as the whole of /etc, for files that
# cannot be bind-mounted over a file (missing ones, directories, loops).
in_etc() {
	unshare -m -- sh -c 'mount --bind "$1" /etc && shift && exec "$@"' in_etc "$@"
}

# su_exec ARGS...: su-exec as root over the standard database.
su_exec() {
	in_ns "$PASSWD" "$GROUP" "$SU_EXEC" "$@"
}

# as_user UID GID ARGS...: su-exec started by an unprivileged caller.
as_user() {
	local uid=$1 gid=$2
	shift 2
	in_ns "$PASSWD" "$GROUP" setpriv --reuid="$uid" --regid="$gid" \
		--clear-groups -- "$SU_EXEC" "$@"
}

# The identity the command sees, read from the kernel: every uid and gid
# slot, the groups, the capability sets, no_new_privs and HOME.
SHOW_ID='
	while read -r key a b c d; do
		case $key in
		Uid:|Gid:) echo "$key $a $b $c $d" ;;
		Groups:) set -- $a $b $c $d; echo "Groups: $*" ;;
		CapInh:|CapPrm:|CapEff:|CapAmb:|NoNewPrivs:) echo "$key $a" ;;
		esac
	done </proc/self/status
	echo "HOME=$HOME"'

# A scratch folder every user may enter, for tests whose command runs as an
# unprivileged target (bats' own folders are private to root). SU_EXEC is
# run from a copy there: the checkout may lie in a folder that only its
# owner may search (a clone under /root, in a mktemp -d folder), and tests
# start it as other users too.
shared_tmpdir() {
	SHARED_TMPDIR=$(mktemp -d /tmp/su-exec-test.XXXXXX)
	chmod 755 "$SHARED_TMPDIR"
	mkdir -m 755 "$SHARED_TMPDIR/bin"
	cp "$SU_EXEC" "$SHARED_TMPDIR/bin/su-exec"
	SU_EXEC=$SHARED_TMPDIR/bin/su-exec
}

setup() {
	write_db
	shared_tmpdir
}

teardown() {
	rm -rf "$SHARED_TMPDIR"
}
