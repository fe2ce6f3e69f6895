#!/bin/sh
# softoff-agent installed with dpkg into a Debian 12 root with dracut: the image its dracut
# makes carries the module (90softoff), the agent, its config and hooks, evdev and the ACPI
# button; booted on Debian's generic kernel with no root disk, the agent is armed while dracut
# waits for root, and one press ends QEMU with status 99. deb-dracut-switch tests the stop
# before the real root.
. "$(dirname "$0")/../lib.sh"
need_debian_image dracut
expect_image_has usr/sbin/softoff-agent usr/lib/softoff/agent-ctl etc/softoff/agent.conf \
	etc/softoff/hooks.d usr/lib/dracut/hooks/cmdline/00-softoff-start\.sh \
	usr/lib/dracut/hooks/cleanup/99-softoff-stop\.sh \
	'[^ ]*/kernel/drivers/input/evdev\.ko' '[^ ]*/kernel/drivers/acpi/button\.ko'

# Pressed once udev has loaded the disk drivers (the ahci ports report): dracut is then in its
# initqueue, waiting for /dev/vda. no_timer_check: see expect_agent_stopped_before_real_root.
softoff_boot --initrd "$T_IMAGE" --memory 1G --timeout 270 --append "root=/dev/vda no_timer_check" \
	--ready 'SATA link down'
expect_press_poweroff "dracut waits for root"
expect_armed_before 'SATA link down' "udev loaded the disk drivers"
expect_no_console 'Could not boot' "the press came while dracut was still waiting"
t_done
