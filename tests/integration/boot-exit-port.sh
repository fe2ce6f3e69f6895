#!/bin/sh
# Exit-port = 0xf4 with `-device isa-debug-exit,iobase=0xf4,iosize=4` and a
# chosen exit-value 0x2a -> QEMU status (0x2a << 1) | 1 = 85.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
printf 'exit-port = 0xf4\nexit-value = 0x2a\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/initrd.gz" --config "$T_DIR/agent.conf"
softoff_boot --initrd "$T_DIR/initrd.gz" --debug-exit isa-debug-exit,iobase=0xf4,iosize=4
expect_status 85 "QEMU status for exit-value 0x2a on port 0xf4"
t_done
