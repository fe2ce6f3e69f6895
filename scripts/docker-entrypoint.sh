#!/bin/sh
# Container entry point: run a VM under `softoff-qemu run` so that `docker stop` (SIGTERM, then
# SIGKILL 10 s later) becomes an ACPI power-down with an 8 s grace, then `quit`, then
# SIGKILL 1 s later: all inside the 10 s docker allows.
# With no arguments it boots the image built into the container; arguments replace the QEMU
# command line: docker run IMAGE qemu-system-x86_64 -m 512M ...
# Environment: SOFTOFF_GRACE (default 8; raise it with the container runtime's stop timeout),
# SOFTOFF_ROOT (default: the directory above this script: /opt/softoff in the image, or the
# source tree, where the same build/ paths hold the programs, kernel and image).
set -eu
root=${SOFTOFF_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
grace=${SOFTOFF_GRACE:-8}
if [ $# -eq 0 ]; then
	set -- qemu-system-x86_64 -accel tcg -machine q35 -m 256M -nodefaults -no-reboot \
		-display none -serial stdio -device isa-debug-exit \
		-kernel "$root/build/kernel/vmlinuz" -initrd "$root/build/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 no_timer_check"
fi
exec "$root/build/softoff-qemu" run --grace "$grace" --quit-timeout 1 -- "$@"
