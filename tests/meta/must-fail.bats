#!/usr/bin/env bats
# This file must fail. CI runs it on its own and expects a failure, to
# prove that a failing test is reported as failed and never swallowed.

@test "a failing assertion fails the run" {
	[ 1 = 2 ]
}
