#!/bin/sh
# A bad agent.conf: the console shows `agent.conf:LINE: reason`, and /init
# says so and powers off (QEMU status 0) instead of hanging or panicking. The kernel
# command line's softoff.conf= picks another config file, checked the same way.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
printf '# a comment\nhook-timeout = 5\nno-such-key = 1\n' >"$T_DIR/agent.conf"
printf 'deadline = 10\nhook-timeout = soon\n' >"$T_DIR/other.conf"
build_image "$T_DIR/initrd.gz" --config "$T_DIR/agent.conf" --file "$T_DIR/other.conf:/etc/softoff/other.conf"

softoff_boot --initrd "$T_DIR/initrd.gz" --press never --timeout 40
expect_console 'agent\.conf:3: ' "the console names agent.conf line 3"
expect_console 'softoff-init: softoff-agent rejected its config' "/init says the agent did not start"
expect_status 0 "QEMU status (powered off by /init)"
expect_no_console 'Kernel panic' "no kernel panic"

softoff_boot --initrd "$T_DIR/initrd.gz" --press never --timeout 40 --append softoff.conf=/etc/softoff/other.conf
expect_console 'other\.conf:2: ' "softoff.conf=: the console names other.conf line 2"
expect_status 0 "QEMU status (powered off by /init)"
t_done
