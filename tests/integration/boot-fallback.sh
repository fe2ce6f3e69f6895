#!/bin/sh
# No isa-debug-exit device: the port write does nothing, the agent falls
# back to reboot(RB_POWER_OFF), QEMU exits 0, and the console says so.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
build_image "$T_DIR/initrd.gz"
softoff_boot --initrd "$T_DIR/initrd.gz" --debug-exit none
expect_status 0 "QEMU status without isa-debug-exit"
expect_console 'softoff-agent: .*(fallback|no isa-debug-exit)' "the agent says it fell back"
expect_console 'reboot: Power down' "the kernel powered off"
t_done
