#!/bin/sh
# softoff-agent installed with dpkg into a Debian 12 root; the dracut image made there,
# booted on Debian's generic kernel with a small root disk: the agent runs in the initramfs
# and the cleanup hook stops it before the switch, so no softoff-agent is left in the real root
# (whose /sbin/init counts them). deb-dracut tests a press; no_timer_check: see there.
. "$(dirname "$0")/../lib.sh"
need_debian_image dracut
make_real_root_disk "$T_DIR/root.img"
softoff_boot --initrd "$T_IMAGE" --memory 1G --timeout 270 --append "root=/dev/vda no_timer_check" \
	--disk "$T_DIR/root.img" --ready 'real-root: ' --press never --expect qemu:0
expect_console 'softoff-agent: armed' "the agent ran in the initramfs"
expect_console 'softoff: softoff-agent stopped before the switch to the real root' \
	"the cleanup hook stopped the agent"
expect_no_console 'agent-ctl: .*not found' "agent-ctl needs no tool the image lacks"
expect_console 'real-root: PID 1 is init; softoff-agent processes: 0' \
	"the real root's init runs with no softoff-agent left"
t_done
