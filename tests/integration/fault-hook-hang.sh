#!/bin/sh
# Hooks that hang. boot-hooks.sh already checks that a hanging hook is
# stopped and the power-off completes; this adds when: SIGTERM exactly at hook-timeout, the
# hook reported as killed by signal 15, and the overall `deadline`: a second hanging hook is
# cut short at the deadline and later hooks are skipped, so the hooks never take longer.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-hang 'echo "hanging"; sleep 1000 & wait'
make_hook "$T_DIR/hooks" 20-hang-too 'echo "hanging too"; sleep 1000'
make_hook "$T_DIR/hooks" 30-late 'echo "late hook ran"'
printf 'hook-timeout = 2\ndeadline = 3\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks" --config "$T_DIR/agent.conf"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 40
expect_status 99 "QEMU status after hanging hooks"
t0=$(console_ms 'softoff-agent: shutting down')
h1=$(console_ms 'softoff-agent: running hook .*/10-hang$')
term1=$(console_ms 'hook 10-hang: time is up; sending SIGTERM')
h2=$(console_ms 'softoff-agent: running hook .*/20-hang-too')
term2=$(console_ms 'hook 20-hang-too: time is up; sending SIGTERM')
echo "guest times (ms): shutdown $t0, 10-hang $h1 (TERM $term1), 20-hang-too $h2 (TERM $term2)"
t_within "10-hang got SIGTERM at hook-timeout, 2 s after it started (ms)" "$((term1 - h1))" 1900 5000
expect_console 'softoff-agent: hook 10-hang: killed by signal 15' "10-hang reported as killed by SIGTERM"
t_within "20-hang-too got SIGTERM at the 3 s deadline, before its own 2 s (ms after it started)" \
	"$((term2 - h2))" 500 1900
t_within "the hooks' deadline held: 3 s from the first hook to the last SIGTERM (ms)" \
	"$((term2 - h1))" 2900 4000
expect_console "softoff-agent: hooks: deadline of 3000 ms passed; skipping '.*/30-late'" \
	"the hook after the deadline was skipped, with a message"
expect_no_console 'hook 30-late: late hook ran' "30-late did not run"
t_before "teardown came after the hooks" 'hook 20-hang-too: time is up' 'writing 0x31 to port'
t_done
