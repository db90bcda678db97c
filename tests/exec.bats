#!/usr/bin/env bats
# Running the command: exec not fork, signals, descriptors, environment,
# PATH lookup after the switch, and the 126/127 convention.

load test_helper

teardown() {
	# a failed signal test must not leave its namespace running
	[ -z "${NS_INIT:-}" ] || kill -KILL "$NS_INIT" 2>/dev/null || true
	rm -rf "$SHARED_TMPDIR"
}

@test "arguments reach the command verbatim, options after USER included" {
	need_root
	run -0 su_exec app printf '[%s]' --help -p '' 'a b' '*' $'x\ny'
	[ "$output" = "[--help][-p][][a b][*][x
y]" ]
}

@test "a command named like an option runs as a command" {
	need_root
	mkdir -p "$SHARED_TMPDIR/bin"
	printf '#!/bin/sh\necho "dash-h ran as $(id -u)"\n' >"$SHARED_TMPDIR/bin/-h"
	printf '#!/bin/sh\necho "dash-dash ran as $(id -u)"\n' >"$SHARED_TMPDIR/bin/--"
	chmod 755 "$SHARED_TMPDIR" "$SHARED_TMPDIR/bin" "$SHARED_TMPDIR/bin/-h" "$SHARED_TMPDIR/bin/--"
	PATH=$SHARED_TMPDIR/bin:$PATH run -0 su_exec app -h
	[ "$output" = "dash-h ran as 1000" ]
	PATH=$SHARED_TMPDIR/bin:$PATH run -0 su_exec app --
	[ "$output" = "dash-dash ran as 1000" ]
}

@test "the command's exit status is passed on" {
	need_root
	for code in 0 1 2 42 124 125 126 127 255; do
		run -"$code" su_exec app sh -c "exit $code"
	done
	run -143 su_exec app sh -c 'kill -TERM $$'
}

@test "exec, not fork: the command keeps the PID" {
	need_root
	run -0 su_exec root sh -c 'echo $$; exec "$SU_EXEC" app sh -c "echo \$\$"'
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${#lines[@]}" = 2 ]
}

@test "as PID 1 of a PID namespace the command gets SIGTERM itself" {
	need_root
	local d=$SHARED_TMPDIR
	chmod 777 "$d"
	# No --mount-proc: the host's /proc tells the command its host PID,
	# read by the shell itself (a builtin, not a child).
	in_ns "$PASSWD" "$GROUP" unshare --pid --fork -- "$SU_EXEC" app sh -c '
		trap "echo term as \$(id -u) >>$0/out; exit 42" TERM
		while read -r key host ns; do
			[ "$key" = NSpid: ] && echo "$host $ns" >"$0/hostpid.new"
		done </proc/self/status
		echo "pid $$" >"$0/out"; mv "$0/hostpid.new" "$0/hostpid"
		while :; do sleep 0.05; done' "$d" >/dev/null 2>&1 3>&- &
	local job=$! i=0
	while [ ! -s "$d/hostpid" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	read -r NS_INIT ns <"$d/hostpid"
	[ "$ns" = 1 ]
	kill -TERM "$NS_INIT"
	local rc=0
	wait "$job" || rc=$?
	NS_INIT=
	[ "$rc" = 42 ]
	run -0 cat "$d/out"
	[ "$output" = "pid 1
term as 1000" ]
}

@test "no descriptor su-exec opened reaches the command; inherited ones do" {
	need_root
	local list='cd /proc/self/fd && echo *'
	run -0 in_ns "$PASSWD" "$GROUP" sh -c "$list; exec \"\$SU_EXEC\" app sh -c '$list'" 7</dev/null
	[ "${#lines[@]}" = 2 ]
	[ "${lines[0]}" = "${lines[1]}" ]
	[[ " ${lines[1]} " == *" 7 "* ]]
}

@test "started with 0, 1 and 2 closed, the command gets them closed too" {
	need_root
	skip_if_emulated "the kernel hands qemu the program on the lowest free descriptor, and it stays open"
	# the files su-exec reads take the lowest free descriptors: 0 and 1
	local check='[ "$(id -u)" = 1000 ] && [ ! -e /proc/self/fd/0 ] &&
		[ ! -e /proc/self/fd/1 ] && [ ! -e /proc/self/fd/2 ]'
	run -0 in_ns "$PASSWD" "$GROUP" sh -c \
		'exec "$1" app sh -c "$2" <&- >&- 2>&-' sh "$SU_EXEC" "$check"
	# with no stderr, an error still exits 125, with nothing written
	run -125 in_ns "$PASSWD" "$GROUP" sh -c \
		'exec "$1" nosuchuser true <&- >&- 2>&-' sh "$SU_EXEC"
	[ "$output" = "" ]
}

@test "HOME is set to the target's home; the rest of the environment is untouched" {
	need_root
	skip_if_emulated "qemu hands the program its environment in reverse order"
	run -0 in_ns "$PASSWD" "$GROUP" env -i FOO=bar HOME=/root PATH=/usr/bin:/bin \
		EMPTY= HOME=/again "$SU_EXEC" app /usr/bin/env
	[ "$output" = "FOO=bar
HOME=/home/app
PATH=/usr/bin:/bin
EMPTY=" ]
	run -0 in_ns "$PASSWD" "$GROUP" env -i A=1 "$SU_EXEC" nohome /usr/bin/env
	[ "$output" = "A=1
HOME=/" ]
}

@test "without PATH, Docker's default PATH is searched" {
	need_root
	run -0 in_ns "$PASSWD" "$GROUP" env -i "$SU_EXEC" app env
	[ "$output" = "HOME=/home/app" ]
}

@test "without PATH, Docker's default PATH is searched, /usr/local/bin first" {
	need_root
	local d=$SHARED_TMPDIR
	mkdir "$d/local"
	printf '#!/bin/sh\necho local tool\n' >"$d/local/only-local"
	chmod 755 "$d/local" "$d/local/only-local"
	run -0 in_ns "$PASSWD" "$GROUP" sh -c '
		mount --bind "$1" /usr/local/bin && exec env -i "$SU_EXEC" app only-local' \
		sh "$d/local"
	[ "$output" = "local tool" ]
}

@test "a symbolic link loop in PATH stops the search, as execvp does" {
	need_root
	local d=$SHARED_TMPDIR
	mkdir "$d/loop"
	ln -s tool "$d/loop/tool"
	chmod 755 "$d/loop"
	run --separate-stderr -126 in_ns "$PASSWD" "$GROUP" env PATH="$d/loop:/usr/bin:/bin" \
		"$SU_EXEC" app tool
	[[ "$stderr" == "su-exec: cannot run '$d/loop/tool': "* ]]
}

@test "PATH is searched after the switch: unsearchable entries are skipped" {
	need_root
	local d=$SHARED_TMPDIR
	mkdir -p "$d/closed" "$d/open"
	printf '#!/bin/sh\necho closed\n' >"$d/closed/tool"
	printf '#!/bin/sh\necho open\n' >"$d/open/tool"
	chmod 755 "$d" "$d/open" "$d/closed/tool" "$d/open/tool"
	chmod 700 "$d/closed"
	PATH=$d/closed:$d/open:/usr/bin:/bin run -0 su_exec app tool
	[ "$output" = "open" ]
	PATH=$d/closed:$d/open:/usr/bin:/bin run -0 su_exec root tool
	[ "$output" = "closed" ]
}

@test "an empty PATH entry is the current directory" {
	need_root
	local d=$SHARED_TMPDIR
	printf '#!/bin/sh\necho here\n' >"$d/here-tool"
	chmod 755 "$d" "$d/here-tool"
	cd "$d"
	run -0 in_ns "$PASSWD" "$GROUP" env PATH=/nonexistent: "$SU_EXEC" app here-tool
	[ "$output" = "here" ]
}

@test "a command not found exits 127 and says so" {
	need_root
	run --separate-stderr -127 su_exec app no-such-command
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot run 'no-such-command': command not found" ]
	run --separate-stderr -127 su_exec app /no/such/file
	[ "$stderr" = "su-exec: cannot run '/no/such/file': No such file or directory" ]
	run --separate-stderr -127 su_exec app ''
	[ "$stderr" = "su-exec: cannot run '': command not found" ]
}

@test "a command that cannot run exits 126 and says why" {
	need_root
	local d=$SHARED_TMPDIR
	chmod 755 "$d"
	printf 'echo not run\n' >"$d/noexec" && chmod 644 "$d/noexec"
	printf 'echo not run\n' >"$d/noshebang" && chmod 755 "$d/noshebang"
	printf '#!/no/such/interpreter\n' >"$d/badinterp" && chmod 755 "$d/badinterp"
	run --separate-stderr -126 su_exec app "$d/noexec"
	[ "$stderr" = "su-exec: cannot run '$d/noexec': Permission denied" ]
	run --separate-stderr -126 su_exec app "$d/noshebang"
	[ "$stderr" = "su-exec: cannot run '$d/noshebang': not an executable format the kernel knows" ]
	run --separate-stderr -126 su_exec app "$d/badinterp"
	[ "$stderr" = "su-exec: cannot run '$d/badinterp': its interpreter or loader is missing" ]
	run --separate-stderr -126 su_exec app "$d"
	[ "$stderr" = "su-exec: cannot run '$d': Permission denied" ]
	run --separate-stderr -126 in_ns "$PASSWD" "$GROUP" env PATH="$d" "$SU_EXEC" app noexec
	[ "$stderr" = "su-exec: cannot run '$d/noexec': Permission denied" ]
}

@test "a long command name is quoted and cut in the message" {
	need_root
	local long
	long=$(printf 'x%.0s' $(seq 200))
	run --separate-stderr -127 su_exec app "$long"
	[ "$stderr" = "su-exec: cannot run '$(printf 'x%.0s' $(seq 64))'...: command not found" ]
}

@test "only PATH itself is searched, never a variable that starts with PATH" {
	need_root
	run -0 in_ns "$PASSWD" "$GROUP" env -i PATHEXT=/nonexistent PAT=/nonexistent \
		PATH=/usr/bin:/bin "$SU_EXEC" app sh -c 'echo ran'
	[ "$output" = "ran" ]
}

@test "variables that only start with HOME reach the command untouched, in order" {
	need_root
	skip_if_emulated "qemu hands the command the environment in reverse order"
	run -0 in_ns "$PASSWD" "$GROUP" env -i HOMEBREW=/x HOME_X=1 HOME=/root \
		HOM=2 HOMEY= "$SU_EXEC" app /usr/bin/env
	[ "$output" = "HOMEBREW=/x
HOME_X=1
HOME=/home/app
HOM=2
HOMEY=" ]
	run -0 in_ns "$PASSWD" "$GROUP" env -i HOMEBREW=/x HOME_X=1 "$SU_EXEC" app /usr/bin/env
	[ "$output" = "HOMEBREW=/x
HOME_X=1
HOME=/home/app" ]
}

@test "a path through a file (ENOTDIR) is a command not found, 127" {
	need_root
	run --separate-stderr -127 su_exec app /etc/passwd/x
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: cannot run '/etc/passwd/x': Not a directory" ]
}

@test "of several PATH entries whose command cannot run, the first is named" {
	need_root
	local d=$SHARED_TMPDIR
	mkdir "$d/one" "$d/two"
	printf 'echo not run\n' >"$d/one/tool"
	printf 'echo not run\n' >"$d/two/tool"
	chmod 755 "$d" "$d/one" "$d/two"
	chmod 644 "$d/one/tool" "$d/two/tool"
	run --separate-stderr -126 in_ns "$PASSWD" "$GROUP" \
		env PATH="/nonexistent:$d/one:$d/two" "$SU_EXEC" app tool
	[ "$stderr" = "su-exec: cannot run '$d/one/tool': Permission denied" ]
}

@test "a command only in PATH entries the target may not search is not found" {
	need_root
	local d=$SHARED_TMPDIR
	mkdir "$d/closed"
	printf '#!/bin/sh\necho closed\n' >"$d/closed/tool"
	chmod 755 "$d" "$d/closed/tool"
	chmod 700 "$d/closed"
	run --separate-stderr -127 in_ns "$PASSWD" "$GROUP" \
		env PATH="$d/closed" "$SU_EXEC" app tool
	[ "$stderr" = "su-exec: cannot run 'tool': command not found" ]
}

@test "a command name too long for a file name is not found, 127" {
	need_root
	local long
	long=$(printf 'x%.0s' $(seq 300))
	run --separate-stderr -127 su_exec app "$long"
	[ "$stderr" = "su-exec: cannot run '$(printf 'x%.0s' $(seq 64))'...: command not found" ]
}

@test "of several HOME entries the first is replaced in place, the others dropped" {
	need_root
	skip_if_emulated "qemu hands the command the environment in reverse order"
	# env(1) and shells keep one entry per name: perl calls execve itself
	run -0 in_ns "$PASSWD" "$GROUP" perl -e '
		require "syscall.ph";
		my @env = ("A=1", "HOME=/first", "B=2", "HOME=/second", "C=3");
		syscall(&SYS_execve, $ARGV[0], pack("p*", @ARGV, undef),
			pack("p*", @env, undef));
		die "execve: $!\n"' "$SU_EXEC" app /usr/bin/env
	[ "$output" = "A=1
HOME=/home/app
B=2
C=3" ]
}
