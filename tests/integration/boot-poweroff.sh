#!/bin/sh
# Boot the default image on Debian's cloud kernel -> `softoff-agent: armed`
# on the ACPI button (not the keyboard) -> one system_powerdown -> QEMU exits 99.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
build_image "$T_DIR/initrd.gz"
softoff_boot --initrd "$T_DIR/initrd.gz"
expect_status 99 "QEMU status after one press"
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, LNXPWRBN/' \
	"armed on the ACPI power button (LNXPWRBN)"
expect_no_console 'softoff-agent: armed on .*AT Translated' "the AT keyboard is not armed"
expect_no_console 'softoff-init: .*failed' "/init reported no failed step"
expect_no_console 'Kernel panic' "no kernel panic"
t_done
