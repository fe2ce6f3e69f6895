#!/bin/sh
# softoff-agent installed with dpkg into a Debian 12 root with dracut: the image its dracut
# makes carries the module (90softoff), the agent, its config and hooks, evdev and the ACPI
# button; booted on Debian's generic kernel with no root disk, the agent is armed while dracut
# waits for root, and one press ends QEMU with status 99. deb-dracut-switch tests the stop
# before the real root.
. "$(dirname "$0")/../lib.sh"
need_debian_image dracut
for f in usr/sbin/softoff-agent usr/lib/softoff/agent-ctl etc/softoff/agent.conf etc/softoff/hooks.d; do
	t_check "the image has $f" grep -qE " $f(\$| )" "$T_IMAGE_LIST"
done
t_check "the image starts the agent in a cmdline hook" grep -qE ' usr/lib/dracut/hooks/cmdline/00-softoff-start\.sh' "$T_IMAGE_LIST"
t_check "the image stops it in a cleanup hook" grep -qE ' usr/lib/dracut/hooks/cleanup/99-softoff-stop\.sh' "$T_IMAGE_LIST"
t_check "the image has evdev.ko" grep -q '/kernel/drivers/input/evdev\.ko' "$T_IMAGE_LIST"
t_check "the image has button.ko" grep -q '/kernel/drivers/acpi/button\.ko' "$T_IMAGE_LIST"

# Pressed once udev has loaded the disk drivers (the ahci ports report): dracut is then in its
# initqueue, waiting for /dev/vda. no_timer_check: see deb-initramfs-tools.
softoff_boot --initrd "$T_IMAGE" --memory 1G --timeout 270 --append "root=/dev/vda no_timer_check" \
	--ready 'SATA link down'
expect_status 99 "QEMU status after a press while dracut waits for root"
# softoff-qemu presses again every 2 s until QEMU ends; the agent's teardown may take longer
# (it waits kill-timeout for the processes PID 1 keeps starting), so the first press must be
# the one that started the one shutdown, and any later one is logged as ignored.
t_that "one shutdown, from the first press ($boot_pressed presses sent)" \
	'[ "$(console_count "softoff-agent: shutting down")" = 1 ] &&
	 [ "$(console_count "during shutdown: ignored")" = $((boot_pressed - 1)) ]'
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, LNXPWRBN/' \
	"the agent is armed on the ACPI power button"
armed=$(console_line 'softoff-agent: armed')
udev=$(console_line 'SATA link down')
t_that "armed (line ${armed:-none}) before udev loaded the disk drivers (line ${udev:-none})" \
	'[ -n "$armed" ] && [ -n "$udev" ] && [ "$armed" -lt "$udev" ]'
expect_no_console 'Could not boot' "the press came while dracut was still waiting"
echo "figures: boot to ready $boot_armed_ms ms, press to exit $boot_exit_ms ms"
t_done
