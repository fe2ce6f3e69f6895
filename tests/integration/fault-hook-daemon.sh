#!/bin/sh
# A hook that leaves a daemon holding its stdout/stderr. Once the hook
# itself has exited the agent drains the pipe until 0.2 s of silence, so the next hook starts at
# once (not at hook-timeout), what the daemon wrote is logged, and the daemon is stopped by
# the kill step: the power-off completes with status 99.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-daemon '(echo "daemon talking"; exec sleep 1000) &
sleep 0.3; echo "hook leaves"; exit 0'
make_hook "$T_DIR/hooks" 20-next 'echo "next hook ran"'
printf 'hook-timeout = 10\nkill-timeout = 2\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks" --config "$T_DIR/agent.conf"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 40
expect_status 99 "QEMU status after a hook that left a daemon"
expect_console 'softoff-agent: hook 10-daemon: hook leaves' "the hook's own output is logged"
expect_console 'softoff-agent: hook 10-daemon: daemon talking' "the daemon's output is logged"
expect_no_console 'hook 10-daemon: (time is up|failed|killed)' "the hook ended by itself with status 0"
h1=$(console_ms 'running hook .*/10-daemon')
h2=$(console_ms 'running hook .*/20-next')
t_within "the next hook started within 6 s, not at the 10 s hook-timeout (ms)" "$((h2 - h1))" 300 6000
expect_console 'softoff-agent: hook 20-next: next hook ran' "the next hook ran"
expect_console 'softoff-agent: stopping [0-9]+ processes: SIGTERM' "the kill step found the daemon"
expect_no_console 'processes still running after' "the daemon went at SIGTERM (no SIGKILL needed)"
t_poweroff_under 5000
t_done
