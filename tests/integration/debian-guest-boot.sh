#!/bin/sh
# `softoff-qemu boot` on the full Debian guest with the softoff-agent package: the agent runs in
# the initramfs (the package's initramfs-tools hook) and is stopped before the switch; then,
# started by its systemd unit, it arms on the ACPI button (the press waits for that stage); the press goes to systemd (signal 38 to PID 1), not to the agent's own
# teardown; systemd-shutdown unmounts everything, then runs the softoff hook, which writes the
# port: QEMU exits 99. The root disk is attached with boot's --disk.
. "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/lib.sh"

need_debian_guest test-softoff
cp --sparse=always "$T_DEBIAN/rootfs.img" "$T_DIR/root.img"
T_KERNEL=$T_DEBIAN/vmlinuz
softoff_boot --initrd "$T_DEBIAN/initrd.img" --disk "$T_DIR/root.img" --memory 512M \
	--append "root=/dev/vda rw" --timeout 240 --ready 'softoff-agent: systemd is the init'
expect_console 'softoff: softoff-agent stopped before the switch to the real root' \
	"the initramfs stage stopped its agent before the switch"
expect_status 99
expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button' "the agent armed under systemd"
expect_console 'systemd-logind is not running: asking systemd to power off \(signal 38 to PID 1' \
	"the press was handed to systemd"
expect_no_console 'softoff-agent: stopping [0-9]+ processes' "the agent did not tear down itself"
unmounted=$(console_line 'systemd-shutdown\[1\]: All filesystems unmounted')
written=$(console_line 'softoff-agent: writing 0x31 to port 0x501')
t_that "systemd-shutdown unmounted everything before the port was written (lines $unmounted < $written)" \
	'[ -n "$unmounted" ] && [ -n "$written" ] && [ "$unmounted" -lt "$written" ]'
t_that "the disk is clean after the power-off" 'e2fsck -fn "$T_DIR/root.img" >/dev/null 2>&1'
t_done
