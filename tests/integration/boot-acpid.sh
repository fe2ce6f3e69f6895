#!/bin/sh
# The acpid variant: busybox acpid + the acpi-scripts drop-in (no agent
# daemon) -> a press runs `softoff-agent poweroff` -> hooks run -> status 99.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-acpid 'echo "hook via acpid, event=$SOFTOFF_EVENT"'
build_image "$T_DIR/initrd.gz" --acpid --hooks "$T_DIR/hooks"
softoff_boot --initrd "$T_DIR/initrd.gz" --ready 'softoff-init: busybox acpid started'
expect_status 99 "QEMU status with busybox acpid"
expect_console 'softoff-agent: hook 10-acpid: hook via acpid' "the hook ran through acpid"
n=$(console_count 'softoff-agent: hook 10-acpid: hook via acpid')
t_check "the hook ran once (ran $n times)" [ "$n" = 1 ]
t_check "the first press was handled ($boot_pressed sent; /init waits until acpid has the devices open)" [ "$boot_pressed" = 1 ]
expect_no_console 'softoff-agent: armed' "no agent daemon was started"
t_done
