#!/bin/sh
# softoff-agent installed with dpkg into a Debian 12 root: the image its initramfs-tools
# (update-initramfs, triggered by dpkg) makes carries the agent, its config and hooks, evdev
# and the ACPI button; booted on Debian's generic kernel with no root disk, the agent is armed
# while the initramfs waits for root, and one press ends QEMU with status 99.
# deb-initramfs-tools-switch tests the stop before the real root.
. "$(dirname "$0")/../lib.sh"
need_debian_image initramfs-tools
expect_image_has usr/sbin/softoff-agent usr/lib/softoff/agent-ctl etc/softoff/agent.conf \
	etc/softoff/hooks.d scripts/init-top/softoff scripts/init-bottom/softoff \
	'[^ ]*/kernel/drivers/input/evdev\.ko' '[^ ]*/kernel/drivers/acpi/button\.ko'

# Debian's image with all its modules needs more than the default 256M to unpack.
# No rootdelay=: bookworm's initramfs-tools first sleeps rootdelay seconds unconditionally
# (before init-premount), then waits for the root device until max(30, rootdelay) seconds
# after its drivers loaded, so with rootdelay=60 its wait loop gives up at its first check.
# Without it the loop waits about 30 s; the press comes at its first line.
# no_timer_check: see expect_agent_stopped_before_real_root.
softoff_boot --initrd "$T_IMAGE" --memory 1G --timeout 270 --append "root=/dev/vda no_timer_check" \
	--ready 'Begin: Waiting for root file system'
expect_press_poweroff "the initramfs waits for root"
expect_armed_before 'Begin: Waiting for root file system' "the wait for root"
expect_no_console 'Gave up waiting for root' "the press came during the wait, not after it"
t_done
