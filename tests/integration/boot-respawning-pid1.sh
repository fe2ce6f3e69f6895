#!/bin/sh
# PID 1 is a busybox sh /init that starts the agent in the background and respawns a child
# forever (tests/data/arrangements/shell-respawn.init), on Debian's generic kernel. The kill
# step must wait only for the processes it signalled: the child PID 1 starts after the
# SIGTERM gets SIGKILL at once and is not waited for. kill-timeout is 20 s here, so waiting
# for the newcomers (as the agent once did) would take over 20 s; the bound is 10 s.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/fault-lib.sh"
need_kernel amd64
need_agent
printf 'kill-timeout = 20\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/initrd.gz" --init "$SOFTOFF_TOP/tests/data/arrangements/shell-respawn.init" \
	--config "$T_DIR/agent.conf"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 90
expect_status 99 "QEMU status after one press, PID 1 a respawning shell"
expect_console 'softoff-agent: stopping 1 processes: SIGTERM' "the shell's child got SIGTERM"
# the shell may respawn its child before the sweep (then that one gets SIGKILL: "1 processes
# started since SIGTERM") or after it (then nobody waits for it): either way no waiting
expect_no_console 'still running after' "nothing signalled outlived the SIGTERM"
expect_no_console 'survived SIGKILL' "nothing is reported as surviving SIGKILL"
t_poweroff_under 10000
t_done
