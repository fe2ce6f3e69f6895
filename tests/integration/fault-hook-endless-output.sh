#!/bin/sh
# A hook that writes megabytes, the endless kind (`yes`: tens of MB/s
# for as long as it lives). The agent's logging must not make it miss the hook's timeout:
# SIGTERM at hook-timeout (2 s), the hook dies, the next hook runs and the power-off
# completes. fault-hook-flood.sh checks the line cap and that no line is lost.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-endless 'yes "endless line"'
make_hook "$T_DIR/hooks" 20-next 'echo "next hook ran"'
printf 'hook-timeout = 2\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks" --config "$T_DIR/agent.conf"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 60
expect_status 99 "QEMU status after an endless writer"
n=$(console_count 'softoff-agent: hook 10-endless: endless line$')
# how many lines 2 s of `yes` give depends on how fast the console is (the host's load)
t_that "its output reached the console line by line ($n lines)" '[ "$n" -ge 100 ]'
h1=$(console_ms 'running hook .*/10-endless')
term=$(console_ms 'hook 10-endless: time is up; sending SIGTERM')
dead=$(console_ms 'hook 10-endless: killed by signal 15')
h2=$(console_ms 'running hook .*/20-next')
echo "guest times (ms): start $h1, SIGTERM $term, reported dead $dead, next hook $h2"
t_within "SIGTERM on time: 2 s after the hook started (ms)" "$((term - h1))" 1900 5000
t_that "the hook died of the SIGTERM" '[ -n "$dead" ]'
t_within "the next hook started within 3 s of the SIGTERM (ms)" "$((h2 - term))" 0 3000
expect_console 'softoff-agent: hook 20-next: next hook ran' "the next hook ran"
t_poweroff_under 10000
t_done
