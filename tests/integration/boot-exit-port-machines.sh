#!/bin/sh
# The exit port is written only on a machine identified as QEMU, and the machines softoff
# supports are all identified: q35 and pc by their DMI sys_vendor, microvm (ACPI, no SMBIOS)
# by QEMU's ACPI table OEM IDs. Each exits 99 through isa-debug-exit.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
build_image "$T_DIR/initrd.gz"

for machine in q35 pc; do
	softoff_boot --initrd "$T_DIR/initrd.gz" --machine "$machine"
	expect_status 99 "$machine: QEMU status"
	expect_console 'softoff-agent: writing 0x31 to port 0x501 \(isa-debug-exit; QEMU by its DMI sys_vendor\)' \
		"$machine: identified as QEMU by DMI"
done

# docs/facts.md: microvm needs tsc_early_khz under a loaded TCG host
softoff_boot --initrd "$T_DIR/initrd.gz" --machine microvm,acpi=on --append tsc_early_khz=1000000
expect_status 99 "microvm: QEMU status"
expect_console 'softoff-agent: armed on .*PNP0C0C' "microvm: armed on its GED power button"
expect_console 'DMI not present' "microvm: the kernel found no DMI (so DMI cannot be what identified it)"
expect_console 'softoff-agent: writing 0x31 to port 0x501 \(isa-debug-exit; QEMU by its ACPI tables \(OEM BOCHS/BXPC\)\)' \
	"microvm: identified as QEMU by its ACPI tables"
t_done
