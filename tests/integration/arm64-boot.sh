#!/bin/sh
# An arm64 guest under `softoff-qemu boot`: `make kernel KERNEL_ARCH=arm64` puts Debian's cloud
# arm64 kernel in build/kernel-arm64; boot reads "aarch64" from the image and runs the virt
# machine with UEFI (ACPI, so the PNP0C0C power button), the console on ttyAMA0 and
# semihosting, through which the agent's clean power-off comes back as status 99
# (arm64-exit-fallback.sh: --debug-exit none leaves semihosting out, and the same press ends in
# the fallback power-off).
. "$(dirname "$0")/../lib.sh"
need_arm64
kdir=$SOFTOFF_BUILD/kernel-arm64
t_that "make kernel KERNEL_ARCH=arm64: Debian's cloud arm64 kernel in $kdir" \
	'[ "$(cat "$kdir/source")" = "debian linux-image-cloud-arm64" ] && [ -f "$kdir/modules/modules.dep" ]'
t_that "... its vmlinuz is an arm64 Image ($(file -bL "$T_KERNEL" | cut -d, -f1))" \
	'file -bL "$T_KERNEL" | grep -q "ARM64 boot executable Image"'
make -s -C "$SOFTOFF_TOP" kernel KERNEL_ARCH=arm64 >"$T_DIR/fetch" 2>&1
t_check "... and a second make kernel KERNEL_ARCH=arm64 finds it cached" grep -q ': cached ' "$T_DIR/fetch"

build_image "$T_DIR/initrd.gz"
softoff_boot --initrd "$T_DIR/initrd.gz"
expect_status 99 "QEMU status after one press (arm64, semihosting)"
expect_console 'Booting Linux on physical CPU .*\[0x411fd07' "the kernel started on a Cortex-A57"
expect_console 'EFI stub: Booting Linux Kernel' "through UEFI"
expect_console 'DMI: QEMU QEMU Virtual Machine' "on QEMU's virt machine"
expect_console 'input: Power Button as .*/PNP0C0C' "ACPI gave it the power button"
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, PNP0C0C/' \
	"the agent is armed on the ACPI power button"
echo "figures: boot to ready $boot_armed_ms ms, press to exit $boot_exit_ms ms"
t_done
