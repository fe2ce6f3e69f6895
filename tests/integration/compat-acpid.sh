#!/bin/sh
# Compatibility matrix, arrangement "acpid": busybox acpid with the acpi-scripts drop-in
# calls `softoff-agent poweroff` (mkinitramfs.sh --acpid); no agent daemon. Status 99 within
# the power-off bound.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test acpid cloud none q35
expect_console 'softoff-agent: shutting down \(command\)' "the drop-in ran softoff-agent poweroff"
expect_no_console 'softoff-agent: armed' "no agent daemon was started"
t_done
