#!/bin/sh
# arm64: the agent leaves QEMU through semihosting SYS_EXIT, made in a child process because a
# guest cannot see whether QEMU has semihosting on. With it (softoff-qemu boot's default for
# aarch64), QEMU exits 99 and nothing traps. Without it (--debug-exit none: no
# -semihosting-config), the call traps, the child dies of a signal, and the agent takes the
# fallback power-off at once: QEMU status 0, the same press.
. "$(dirname "$0")/../lib.sh"
need_arm64
build_image "$T_DIR/initrd.gz"

softoff_boot --initrd "$T_DIR/initrd.gz"
expect_status 99 "with semihosting: QEMU status"
expect_console 'softoff-agent: asking QEMU to exit 99 \(semihosting SYS_EXIT; QEMU by its DMI sys_vendor\)' \
	"the agent asked for status 99 through semihosting"
expect_no_console 'semihosting SYS_EXIT trapped' "with semihosting: the call did not trap"
expect_no_console 'softoff-agent: fallback' "with semihosting: no fallback"

softoff_boot --initrd "$T_DIR/initrd.gz" --debug-exit none
expect_status 0 "without semihosting: QEMU status (the fallback power-off)"
expect_console 'softoff-agent: asking QEMU to exit 99 \(semihosting SYS_EXIT' "the agent made the call"
expect_console 'softoff-agent: semihosting SYS_EXIT trapped \(its child died of a signal\)' \
	"the call trapped and the agent says so"
expect_console 'softoff-agent: fallback: poweroff' "it took the fallback"
t_that "the fallback came at once, without the 1 s wait for a call that hangs" \
	"! console_has 'still running .* after the semihosting'"
expect_console 'reboot: Power down' "the kernel powered off"
t_done
