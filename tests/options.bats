#!/usr/bin/env bats
# --print, --group-add and --no-new-privs: beyond su-exec and gosu.

load test_helper

@test "--group-add adds groups by name or id, sorted, each once" {
	need_root
	run -0 su_exec -G 7 --group-add staff --group-add=2003 -G10 app:dupg id -G
	[ "$output" = "2000 7 10 50 2003" ]
	run -0 su_exec -p -G 7 --group-add staff --group-add=2003 -G10 app:dupg
	[ "$output" = "uid=1000 gid=2000 groups=2000,7,10,50,2003 home=/home/app" ]
}

@test "--group-add adds to the user's own memberships" {
	need_root
	run -0 su_exec -G 7 -G 50 -G 1000 app grep ^Groups: /proc/self/status
	[ "$output" = "Groups:	7 10 50 100 1000 " ]
}

@test "--group-add follows the rules of GROUP" {
	need_root
	run -0 su_exec -p -G 1003 -G dupg -G badg 4000:4000
	[ "$output" = "uid=4000 gid=4000 groups=4000,1003,2000,2002 home=/" ]
	run --separate-stderr -125 su_exec -p -G nosuch app
	[ "$stderr" = "su-exec: unknown group 'nosuch': no such group in /etc/group" ]
	run --separate-stderr -125 su_exec -p -G 2147483648 app
	[ "$stderr" = "su-exec: invalid group id '2147483648': out of range (0 to 2147483647)" ]
	run --separate-stderr -125 su_exec -p -G nosuch app:nosuch2
	[ "$stderr" = "su-exec: unknown group 'nosuch2': no such group in /etc/group" ]
	run --separate-stderr -125 su_exec -p -G nosuch nosuchuser
	[ "$stderr" = "su-exec: unknown user 'nosuchuser': no such user in /etc/passwd" ]
}

@test "options short and long can be mixed and clustered" {
	need_root
	run -0 su_exec -pG 7 app
	[ "$output" = "uid=1000 gid=1000 groups=1000,7,10,50,100 home=/home/app" ]
	run -0 su_exec --print -- app
	[ "$output" = "uid=1000 gid=1000 groups=1000,10,50,100 home=/home/app" ]
}

@test "--no-new-privs sets no_new_privs for the command" {
	need_root
	run -0 su_exec --no-new-privs app grep -E '^(Uid|NoNewPrivs):' /proc/self/status
	[ "$output" = "Uid:	1000	1000	1000	1000
NoNewPrivs:	1" ]
}

@test "--no-new-privs keeps a setuid program from gaining root" {
	need_root
	cp "$(command -v id)" "$SHARED_TMPDIR/suid-id"
	chmod 4755 "$SHARED_TMPDIR/suid-id"
	run -0 su_exec app "$SHARED_TMPDIR/suid-id" -u
	[ "$output" = "0" ]
	run -0 su_exec --no-new-privs app "$SHARED_TMPDIR/suid-id" -u
	[ "$output" = "1000" ]
}

@test "--no-new-privs also works on the same-identity path" {
	need_root
	run -0 in_ns "$PASSWD" "$GROUP" setpriv --reuid=1000 --regid=1000 \
		--groups=10,50,100 -- "$SU_EXEC" --no-new-privs app \
		grep ^NoNewPrivs: /proc/self/status
	[ "$output" = "NoNewPrivs:	1" ]
}

@test "a group added twice, or already held, is set once" {
	need_root
	run -0 su_exec -p -G 7 -G 7 -G 50 -G 1000 --group-add=7 app
	[ "$output" = "uid=1000 gid=1000 groups=1000,7,10,50,100 home=/home/app" ]
	run -0 su_exec -G 7 -G 7 -G 50 -G 1000 app id -G
	[ "$output" = "1000 7 10 50 100" ]
}

@test "a --group-add holding a colon is a name" {
	need_root
	run --separate-stderr -125 su_exec -p -G 5:0 app
	[ "$stderr" = "su-exec: unknown group '5:0': no such group in /etc/group" ]
}

# repeat_arg N ARG: ARG N times, one a line.
repeat_arg() {
	awk -v n="$1" -v a="$2" 'BEGIN { for (i = 0; i < n; i++) print a }'
}

# bats test_tags=slow
@test "65,536 --group-add are taken; 65,537 are a usage error, never a crash" {
	need_root
	local args
	mapfile -t args < <(repeat_arg 65536 -G7)
	run --separate-stderr -0 su_exec -p "${args[@]}" app
	[ "$output" = "uid=1000 gid=1000 groups=1000,7,10,50,100 home=/home/app" ]
	mapfile -t args < <(repeat_arg 65535 --group-add=7)
	run --separate-stderr -0 su_exec -p "${args[@]}" -G 8 4000:4000
	[ "$output" = "uid=4000 gid=4000 groups=4000,7,8 home=/" ]

	mapfile -t args < <(repeat_arg 65537 -G7)
	run --separate-stderr -125 su_exec -p "${args[@]}" app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: option '-G' given more than 65536 times" ]
	mapfile -t args < <(repeat_arg 65537 --group-add=7)
	run --separate-stderr -125 su_exec -p "${args[@]}" app
	[ "$stderr" = "su-exec: option '--group-add' given more than 65536 times" ]
}
