#!/bin/sh
# On a machine that does not look like QEMU the agent does not write the exit port (on real
# hardware the range may belong to the chipset): it says why and takes the fallback at once.
# The machine is a q35 in disguise: another vendor in SMBIOS and in the ACPI OEM IDs, and no
# TCG CPUID signature, so QEMU exits 0 (ACPI power-off), not 99. The control: the same machine
# with `exit-port-guard = off` in the config writes the port and exits 99; and with only the
# TCG signature left, that signature identifies QEMU.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
build_image "$T_DIR/guarded.gz"
printf 'exit-port-guard = off\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/forced.gz" --config "$T_DIR/agent.conf"
disguise='q35,x-oem-id=LENOVO,x-oem-table-id=CB-01'

softoff_boot --initrd "$T_DIR/guarded.gz" --timeout 40 --machine "$disguise" \
	-- -smbios type=1,manufacturer=LENOVO -cpu qemu64,tcg-cpuid=off
expect_status 0 "not QEMU by any sign: QEMU status (fallback power-off)"
expect_console "softoff-agent: not writing port 0x501: no sign of QEMU \(DMI sys_vendor 'LENOVO', ACPI OEM 'LENOVO/CB-01'" \
	"the agent says why it does not write the port"
expect_no_console 'softoff-agent: writing 0x31' "the port was not written"
expect_console 'softoff-agent: fallback: poweroff' "it took the fallback"
t_that "the fallback came at once, without the 1 s wait after a write" \
	"! console_has 'still running .* after writing port'"

softoff_boot --initrd "$T_DIR/forced.gz" --machine "$disguise" \
	-- -smbios type=1,manufacturer=LENOVO -cpu qemu64,tcg-cpuid=off
expect_status 99 "exit-port-guard = off: QEMU status"
expect_console 'softoff-agent: writing 0x31 to port 0x501 \(isa-debug-exit; exit-port-guard = off\)' \
	"exit-port-guard = off: the port is written"

softoff_boot --initrd "$T_DIR/guarded.gz" --machine "$disguise" -- -smbios type=1,manufacturer=LENOVO
expect_status 99 "TCG CPUID signature left: QEMU status"
expect_console 'softoff-agent: writing 0x31 to port 0x501 \(isa-debug-exit; QEMU by its CPUID signature TCGTCGTCGTCG\)' \
	"identified as QEMU by the TCG CPUID signature"
t_done
