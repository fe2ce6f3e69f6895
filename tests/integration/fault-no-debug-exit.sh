#!/bin/sh
# No isa-debug-exit device. boot-fallback.sh checks the guest side (the
# agent falls back to reboot(RB_POWER_OFF), QEMU status 0, the console says so); this checks
# that `softoff-qemu boot` never reports that as success: it must fail with its mismatch
# status 1 and name QEMU's status 0.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
build_image "$T_DIR/initrd.gz"
softoff_boot --initrd "$T_DIR/initrd.gz" --debug-exit none --timeout 40
expect_status 0 "QEMU status without isa-debug-exit"
expect_console 'softoff-agent: armed' "the guest armed and was pressed"
expect_console 'softoff-agent: .*(fallback|no isa-debug-exit)' "the agent fell back"
expect_console 'reboot: Power down' "the guest powered off through ACPI"
t_check "softoff-qemu boot failed with its mismatch status 1 (got $boot_rc)" [ "$boot_rc" = 1 ]
t_that "its verdict is 'not ok' and names QEMU status 0" \
	"grep -Eq '^not ok 1 - .*(exited|status) 0([^0-9]|\$)' '$boot_dir/out'"
t_done
