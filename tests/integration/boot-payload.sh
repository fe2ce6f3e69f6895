#!/bin/sh
# Payloads. softoff.run= a command exiting 0, then 3: QEMU's status decodes
# to payload status 0 and 3 (0x40 + s -> QEMU status 129 + 2s). A payload built into the
# image (--run) exiting 5 -> 139; and the kernel command line overrides it.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
build_image "$T_DIR/initrd.gz"
payload_status() { [ "$((boot_status & 1))" = 1 ] && echo $(((boot_status >> 1) - 64)); }

softoff_boot --initrd "$T_DIR/initrd.gz" --press never --append 'softoff.run="echo payload-zero; exit 0"'
expect_status 129 "QEMU status for a payload exiting 0"
expect_console 'payload-zero' "the payload's output is on the console"
echo "decoded payload status: $(payload_status)"

softoff_boot --initrd "$T_DIR/initrd.gz" --press never --append 'softoff.run="echo payload-three; exit 3"'
expect_status 135 "QEMU status for a payload exiting 3"
t_check "status decodes to payload status 3" [ "$(payload_status)" = 3 ]

build_image "$T_DIR/builtin.gz" --run 'echo built-in payload; exit 5'
softoff_boot --initrd "$T_DIR/builtin.gz" --press never
expect_status 139 "QEMU status for a built-in payload exiting 5"
softoff_boot --initrd "$T_DIR/builtin.gz" --press never --append 'softoff.run="exit 7"'
expect_status 143 "softoff.run= overrides the built-in payload (exit 7)"
t_done
