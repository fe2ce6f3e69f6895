#!/bin/sh
# Runs COMMAND chrooted in ROOT with /proc, /sys and /dev mounted, in a private mount namespace
# (the mounts vanish with it). The Debian image and guest builders run dpkg and the initramfs
# generators this way. Needs root.
# Usage: scripts/in-root.sh ROOT COMMAND [ARG...]
set -eu
[ $# -ge 2 ] || { echo "in-root.sh: usage: in-root.sh ROOT COMMAND [ARG...]" >&2; exit 2; }
root=$1
shift
exec unshare --mount --fork sh -ec 'r=$1; shift
	mount -t proc proc "$r/proc"; mount -t sysfs sysfs "$r/sys"; mount --rbind /dev "$r/dev"
	exec chroot "$r" "$@"' sh "$root" "$@"
