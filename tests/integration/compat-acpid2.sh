#!/bin/sh
# Compatibility matrix, arrangement "acpid2": Debian's acpid with the acpi-scripts rule calls
# `softoff-agent poweroff` (mkinitramfs.sh --acpid2); no agent daemon. Status 99 within the
# power-off bound, although acpid2 fires twice for one press.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
compat_test acpid2 cloud none q35
expect_console 'softoff-agent: shutting down \(command\)' "the rule ran softoff-agent poweroff"
expect_no_console 'softoff-agent: armed' "no agent daemon was started"
t_done
