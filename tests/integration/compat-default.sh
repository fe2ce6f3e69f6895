#!/bin/sh
# Compatibility matrix, the cell every other compat test varies one dimension of: the agent
# as PID 1 (daemon), Debian's cloud kernel, no extra command line, q35. One press -> QEMU
# exits 99 within the power-off bound (docs/compat.md).
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test agent-daemon cloud none q35
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, LNXPWRBN/' \
	"armed on the ACPI power button"
t_done
