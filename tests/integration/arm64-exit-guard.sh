#!/bin/sh
# arm64: exit-port-guard = qemu (the default) keeps the semihosting call to machines identified
# as QEMU (on real hardware with a halting debugger attached, the call would stop the core).
# The machine is QEMU's virt in disguise: another vendor in SMBIOS and in the ACPI OEM IDs
# (arm64 has no CPUID signature), so the agent does not make the call and powers off: QEMU
# status 0, although QEMU has semihosting on. The control: the same machine with
# exit-port-guard = off makes the call and QEMU exits 99.
. "$(dirname "$0")/../lib.sh"
need_arm64
build_image "$T_DIR/guarded.gz"
printf 'exit-port-guard = off\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/forced.gz" --config "$T_DIR/agent.conf"
disguise='virt,x-oem-id=LENOVO,x-oem-table-id=CB-01'

softoff_boot --initrd "$T_DIR/guarded.gz" --machine "$disguise" -- -smbios type=1,manufacturer=LENOVO
expect_status 0 "not QEMU by any sign: QEMU status (fallback power-off)"
expect_console "softoff-agent: not asking QEMU to exit by semihosting: no sign of QEMU \(DMI sys_vendor 'LENOVO', ACPI OEM 'LENOVO/CB-01'" \
	"the agent says why it makes no call"
expect_no_console 'softoff-agent: asking QEMU to exit' "no semihosting call"
expect_console 'softoff-agent: fallback: poweroff' "it took the fallback"

softoff_boot --initrd "$T_DIR/forced.gz" --machine "$disguise" -- -smbios type=1,manufacturer=LENOVO
expect_status 99 "exit-port-guard = off: QEMU status"
expect_console 'softoff-agent: asking QEMU to exit 99 \(semihosting SYS_EXIT; exit-port-guard = off\)' \
	"exit-port-guard = off: the call is made"
t_done
