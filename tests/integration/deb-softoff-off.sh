#!/bin/sh
# `softoff=off` on the kernel command line: the initramfs-tools image (which has the agent,
# armed in deb-initramfs-tools) starts no agent for this boot. Cheap: the image is cached, and
# the boot ends by itself: initramfs-tools gives up waiting for root after about 30 s and
# panics; panic=-1 resets, -no-reboot ends QEMU.
. "$(dirname "$0")/../lib.sh"
need_debian_image initramfs-tools
expect_image_has usr/sbin/softoff-agent # the control: the agent is there, just not started
softoff_boot --initrd "$T_IMAGE" --memory 1G --timeout 120 --press never \
	--append "root=/dev/vda softoff=off no_timer_check"
expect_console 'softoff: softoff=off: agent not started' "init-top says the agent is off"
expect_console 'Gave up waiting for root' "the initramfs ran to its end (where the agent would have armed)"
expect_no_console 'softoff-agent: armed' "no armed line"
t_done
