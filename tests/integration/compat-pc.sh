#!/bin/sh
# Compatibility matrix, machine "pc" (i440FX + PIIX, QEMU's default machine): its ACPI power
# button is LNXPWRBN as on q35; status 99 within the power-off bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test agent-daemon cloud none pc
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, LNXPWRBN/' \
	"armed on the ACPI power button"
t_done
