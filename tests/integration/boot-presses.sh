#!/bin/sh
# Ten quick presses -> the hooks run once -> status 99.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-once 'echo "hook ran"; sleep 1'
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks"
softoff_boot --initrd "$T_DIR/initrd.gz" --presses 10
expect_status 99 "QEMU status after ten presses"
n=$(console_count 'softoff-agent: hook 10-once: hook ran')
t_check "the hook ran once (ran $n times)" [ "$n" = 1 ]
t_done
