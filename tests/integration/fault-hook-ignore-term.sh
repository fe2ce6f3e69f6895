#!/bin/sh
# A hook that ignores SIGTERM. At hook-timeout its group gets SIGTERM,
# 1 s later SIGKILL; the kill is reported, the next hook runs, QEMU status 99.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
# `trap '' TERM` makes SIGTERM ignored in the hook and in the sleep it starts (inherited)
make_hook "$T_DIR/hooks" 10-stubborn "trap '' TERM; echo 'ignoring SIGTERM'; sleep 1000"
make_hook "$T_DIR/hooks" 20-next 'echo "next hook ran"'
printf 'hook-timeout = 1.5\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks" --config "$T_DIR/agent.conf"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 40
expect_status 99 "QEMU status after a hook that ignores SIGTERM"
start=$(console_ms 'softoff-agent: running hook .*/10-stubborn')
term=$(console_ms 'hook 10-stubborn: time is up; sending SIGTERM')
kill=$(console_ms 'hook 10-stubborn: still running 1 s after SIGTERM; sending SIGKILL')
echo "guest times (ms): hook started $start, SIGTERM $term, SIGKILL $kill"
t_that "the hook ignored SIGTERM (it printed its line)" "console_has 'hook 10-stubborn: ignoring SIGTERM'"
t_that "SIGTERM and SIGKILL were both sent" '[ -n "$term" ] && [ -n "$kill" ]'
t_within "SIGTERM came at hook-timeout 1.5 s after the hook started (ms)" "$((term - start))" 1400 5000
t_within "SIGKILL came 1 s after SIGTERM (ms)" "$((kill - term))" 900 5000
expect_console 'softoff-agent: hook 10-stubborn: killed by signal 9' "the hook is reported killed by SIGKILL"
expect_no_console 'did not die after SIGKILL' "the hook died of the SIGKILL"
t_before "the next hook ran after the kill" 'hook 10-stubborn: killed by signal 9' 'hook 20-next: next hook ran'
t_poweroff_under 10000
t_done
