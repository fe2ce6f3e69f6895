#!/bin/sh
# Compatibility matrix, machine "microvm" (-machine microvm,acpi=on): no PCI, no PIT under
# TCG, and the power button is a PNP0C0C device behind ACPI's generic event device, not
# LNXPWRBN. The serial console is microvm's own ISA serial port (-nodefaults keeps it); the
# kernel needs tsc_early_khz= to boot at all (docs/compat.md). Status 99 within the bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test agent-daemon cloud none microvm
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, PNP0C0C/' \
	"armed on microvm's PNP0C0C power button"
t_done
