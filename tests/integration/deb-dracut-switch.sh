#!/bin/sh
# softoff-agent installed with dpkg into a Debian 12 root; the dracut image made there,
# booted on Debian's generic kernel with a small root disk: the agent runs in the initramfs
# and the cleanup hook stops it before the switch, so no softoff-agent is left in the real root
# (whose /sbin/init counts them). deb-dracut tests a press; no_timer_check: see there.
. "$(dirname "$0")/../lib.sh"
need_debian_image dracut
expect_agent_stopped_before_real_root "the cleanup hook"
t_done
