#!/bin/sh
# A hook that exits 3. It is logged with its status, the next hook runs,
# and the power-off ends with QEMU status 99 all the same (a hook cannot change the outcome).
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-fails 'echo "about to fail" >&2; exit 3'
make_hook "$T_DIR/hooks" 20-next 'echo "next hook ran"'
make_hook "$T_DIR/hooks" 30-ok 'exit 0'
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 40
expect_status 99 "QEMU status after a hook that exited 3"
expect_console 'softoff-agent: hook 10-fails: about to fail' "the failing hook's stderr is logged"
expect_console 'softoff-agent: hook 10-fails: failed with exit status 3$' "the failure is logged with status 3"
t_before "the failure is logged before the next hook runs" 'hook 10-fails: failed with exit status 3' \
	'running hook .*/20-next'
expect_console 'softoff-agent: hook 20-next: next hook ran' "the next hook ran"
t_that "exactly one failure line (a hook exiting 0 is not reported as failed)" \
	'[ "$(console_count "softoff-agent: hook .*: failed with exit status")" = 1 ]'
t_before "the power-off went on after the hooks" 'running hook .*/30-ok' 'writing 0x31 to port 0x501'
t_done
