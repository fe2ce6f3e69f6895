#!/bin/sh
# softoff-agent installed with dpkg into a Debian 12 root: the image its initramfs-tools
# (update-initramfs, triggered by dpkg) makes carries the agent, its config and hooks, evdev
# and the ACPI button; booted on Debian's generic kernel with no root disk, the agent is armed
# while the initramfs waits for root, and one press ends QEMU with status 99.
# deb-initramfs-tools-switch tests the stop before the real root.
. "$(dirname "$0")/../lib.sh"
need_debian_image initramfs-tools
for f in usr/sbin/softoff-agent usr/lib/softoff/agent-ctl etc/softoff/agent.conf etc/softoff/hooks.d \
	scripts/init-top/softoff scripts/init-bottom/softoff; do
	t_check "the image has $f" grep -qxF "$f" "$T_IMAGE_LIST"
done
t_check "the image has evdev.ko" grep -q '/kernel/drivers/input/evdev\.ko' "$T_IMAGE_LIST"
t_check "the image has button.ko" grep -q '/kernel/drivers/acpi/button\.ko' "$T_IMAGE_LIST"

# Debian's image with all its modules needs more than the default 256M to unpack.
# No rootdelay=: bookworm's initramfs-tools first sleeps rootdelay seconds unconditionally
# (before init-premount), then waits for the root device until max(30, rootdelay) seconds
# after its drivers loaded, so with rootdelay=60 its wait loop gives up at its first check.
# Without it the loop waits about 30 s; the press comes at its first line.
# no_timer_check: the generic kernel's IO-APIC timer check fails on a loaded TCG host.
softoff_boot --initrd "$T_IMAGE" --memory 1G --timeout 270 --append "root=/dev/vda no_timer_check" \
	--ready 'Begin: Waiting for root file system'
expect_status 99 "QEMU status after a press while the initramfs waits for root"
# softoff-qemu presses again every 2 s until QEMU ends; the agent's teardown may take longer
# (it waits kill-timeout for the processes PID 1 keeps starting), so the first press must be
# the one that started the one shutdown, and any later one is logged as ignored.
t_that "one shutdown, from the first press ($boot_pressed presses sent)" \
	'[ "$(console_count "softoff-agent: shutting down")" = 1 ] &&
	 [ "$(console_count "during shutdown: ignored")" = $((boot_pressed - 1)) ]'
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, LNXPWRBN/' \
	"the agent is armed on the ACPI power button"
armed=$(console_line 'softoff-agent: armed')
waiting=$(console_line 'Begin: Waiting for root file system')
t_that "armed (line ${armed:-none}) before the wait for root (line ${waiting:-none})" \
	'[ -n "$armed" ] && [ -n "$waiting" ] && [ "$armed" -lt "$waiting" ]'
expect_no_console 'Gave up waiting for root' "the press came during the wait, not after it"
echo "figures: boot to ready $boot_armed_ms ms, press to exit $boot_exit_ms ms"
t_done
