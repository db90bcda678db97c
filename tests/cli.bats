#!/usr/bin/env bats
# The command line: help, version, usage errors, where options stop.
# None of these reach the user database, so they need no namespace.

load test_helper

USAGE='usage: su-exec [OPTION...] USER[:GROUP] COMMAND [ARG...]'

@test "--help and -h print the usage on stdout and exit 0" {
	run --separate-stderr -0 "$SU_EXEC" --help
	[ "${lines[0]}" = "Usage: su-exec [OPTION...] USER[:GROUP] COMMAND [ARG...]" ]
	[[ "$output" == *"-G, --group-add GROUP"* ]]
	[[ "$output" == *"--no-new-privs"* ]]
	[[ "$output" == *"-p, --print"* ]]
	[ "$stderr" = "" ]
	help=$output
	run --separate-stderr -0 "$SU_EXEC" -h
	[ "$output" = "$help" ]
}

@test "--version and -v print the version on stdout and exit 0" {
	run --separate-stderr -0 "$SU_EXEC" --version
	[[ "$output" =~ ^su-exec\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ "$stderr" = "" ]
	version=$output
	run -0 "$SU_EXEC" -v
	[ "$output" = "$version" ]
}

@test "the version is the Makefile's" {
	run -0 "$SU_EXEC" --version
	[ "$output" = "su-exec $(sed -n 's/^VERSION = //p' "$BATS_TEST_DIRNAME/../Makefile")" ]
}

@test "no arguments at all: short usage on stderr, exit 125" {
	run --separate-stderr -125 "$SU_EXEC"
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: missing USER ($USAGE)" ]
}

@test "USER without COMMAND: short usage on stderr, exit 125" {
	run --separate-stderr -125 "$SU_EXEC" app
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: missing COMMAND ($USAGE)" ]
}

@test "-- alone leaves USER missing" {
	run --separate-stderr -125 "$SU_EXEC" --
	[ "$stderr" = "su-exec: missing USER ($USAGE)" ]
}

@test "an unknown option is a usage error that names it" {
	run --separate-stderr -125 "$SU_EXEC" --bogus app true
	[ "$output" = "" ]
	[ "$stderr" = "su-exec: unknown option '--bogus' (try 'su-exec --help')" ]
	run --separate-stderr -125 "$SU_EXEC" -x app true
	[ "$stderr" = "su-exec: unknown option '-x' (try 'su-exec --help')" ]
	run --separate-stderr -125 "$SU_EXEC" -px app true
	[ "$stderr" = "su-exec: unknown option '-x' (try 'su-exec --help')" ]
	run --separate-stderr -125 "$SU_EXEC" --print=yes app
	[ "$stderr" = "su-exec: unknown option '--print=yes' (try 'su-exec --help')" ]
}

@test "a -1 USER is read as an option" {
	run --separate-stderr -125 "$SU_EXEC" -1 true
	[ "$stderr" = "su-exec: unknown option '-1' (try 'su-exec --help')" ]
}

@test "--group-add needs a non-empty GROUP" {
	run --separate-stderr -125 "$SU_EXEC" --group-add
	[ "$stderr" = "su-exec: option '--group-add' needs a GROUP ($USAGE)" ]
	run --separate-stderr -125 "$SU_EXEC" -G
	[ "$stderr" = "su-exec: option '-G' needs a GROUP ($USAGE)" ]
	run --separate-stderr -125 "$SU_EXEC" -G '' app true
	[ "$stderr" = "su-exec: option '-G' needs a non-empty GROUP" ]
	run --separate-stderr -125 "$SU_EXEC" --group-add= app true
	[ "$stderr" = "su-exec: option '--group-add' needs a non-empty GROUP" ]
}

@test "an option's message escapes what the caller typed" {
	run --separate-stderr -125 "$SU_EXEC" $'--a\nb\x01\xff\\\'' app true
	[ "$stderr" = "su-exec: unknown option '--a\\x0ab\\x01\\xff\\x5c\\x27' (try 'su-exec --help')" ]
}

@test "a write error on stdout is reported, exit 125" {
	[ -w /dev/full ] || skip "needs /dev/full"
	run --separate-stderr -125 sh -c '"$SU_EXEC" --version >/dev/full'
	[ "$stderr" = "su-exec: cannot write to stdout: No space left on device" ]
}

@test "an option that only starts like a known one is unknown" {
	run --separate-stderr -125 "$SU_EXEC" --group-addx app true
	[ "$stderr" = "su-exec: unknown option '--group-addx' (try 'su-exec --help')" ]
	run --separate-stderr -125 "$SU_EXEC" --group-add7 app true
	[ "$stderr" = "su-exec: unknown option '--group-add7' (try 'su-exec --help')" ]
	run --separate-stderr -125 "$SU_EXEC" --prints app true
	[ "$stderr" = "su-exec: unknown option '--prints' (try 'su-exec --help')" ]
	run --separate-stderr -125 "$SU_EXEC" --no-new-privs= app true
	[ "$stderr" = "su-exec: unknown option '--no-new-privs=' (try 'su-exec --help')" ]
}

@test "an option's message shows DEL escaped and cuts a long option after 64 bytes" {
	local long
	long=--$(printf 'o%.0s' $(seq 100))
	run --separate-stderr -125 "$SU_EXEC" $'--\x7f' app true
	[ "$stderr" = "su-exec: unknown option '--\\x7f' (try 'su-exec --help')" ]
	run --separate-stderr -125 "$SU_EXEC" "$long" app true
	[ "$stderr" = "su-exec: unknown option '${long:0:64}'... (try 'su-exec --help')" ]
	run --separate-stderr -125 "$SU_EXEC" "${long:0:64}" app true
	[ "$stderr" = "su-exec: unknown option '${long:0:64}' (try 'su-exec --help')" ]
}
