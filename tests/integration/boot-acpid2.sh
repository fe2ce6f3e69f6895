#!/bin/sh
# The acpid2 variant (mkinitramfs.sh --acpid2): Debian's acpid with its libraries + the
# acpi-scripts rule -> a press runs `softoff-agent poweroff` -> hooks run once -> status 99.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
[ -x /usr/sbin/acpid ] || t_abort "no /usr/sbin/acpid (Debian package acpid: scripts/deps.sh test)"
make_hook "$T_DIR/hooks" 10-acpid2 'echo "hook via acpid2, event=$SOFTOFF_EVENT"'
build_image "$T_DIR/initrd.gz" --acpid2 /usr/sbin/acpid --hooks "$T_DIR/hooks"
softoff_boot --initrd "$T_DIR/initrd.gz" --ready 'softoff-init: acpid2 started'
expect_status 99 "QEMU status with acpid2"
expect_console 'softoff-agent: hook 10-acpid2: hook via acpid2' "the hook ran through acpid2"
n=$(console_count 'softoff-agent: hook 10-acpid2: hook via acpid2')
t_check "the hook ran once (ran $n times; acpid2 sees each press twice)" [ "$n" = 1 ]
t_check "the first press was handled ($boot_pressed sent)" [ "$boot_pressed" = 1 ]
expect_no_console 'softoff-agent: armed' "no agent daemon was started"
t_done
