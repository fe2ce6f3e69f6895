#!/bin/sh
# Compatibility matrix, arrangement "agent-run": the agent is PID 1 in run mode with a
# payload that keeps writing, as a user's service does (mkinitramfs.sh --run). A press while
# it runs is a power-off (99), not the payload's end (129 + 2s, or 101 once the kill step
# has signalled it).
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test agent-run cloud none q35
expect_console 'payload: running' "the payload was running (control: it is on the console)"
expect_console 'softoff-agent: shutting down \(power-button' "the press started the shutdown"
t_done
