#!/bin/sh
# An arm64 guest booted without UEFI (--firmware none: a device tree, no DMI, no ACPI, so no
# power button) can still run a payload: the agent identifies QEMU by the device tree's
# "linux,dummy-virt" and makes the semihosting call, so the payload's status 3 comes back as
# QEMU status 135. Without that sign it would take the fallback (status 0).
. "$(dirname "$0")/../lib.sh"
need_arm64
build_image "$T_DIR/initrd.gz"
softoff_boot --initrd "$T_DIR/initrd.gz" --firmware none --append 'softoff.run="exit 3"' --expect guest:3
expect_status 135 "payload exit 3 under a device tree: QEMU status"
expect_no_console 'EFI stub' "booted without UEFI"
expect_console 'softoff-agent: asking QEMU to exit 135 \(semihosting SYS_EXIT; QEMU by its device tree \(linux,dummy-virt\)\)' \
	"QEMU identified by its device tree"
t_done
