#!/bin/sh
# softoff-agent installed with dpkg into a Debian 12 root; the initramfs-tools image made there,
# booted on Debian's generic kernel with a small root disk: the agent runs in the initramfs
# and init-bottom stops it before the switch, so no softoff-agent is left in the real root
# (whose /sbin/init counts them). deb-initramfs-tools tests a press; no_timer_check: see there.
. "$(dirname "$0")/../lib.sh"
need_debian_image initramfs-tools
expect_agent_stopped_before_real_root "init-bottom"
t_done
