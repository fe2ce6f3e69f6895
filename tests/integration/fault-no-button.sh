#!/bin/sh
# No power button at all (the guest kernel runs with acpi=off). The agent
# says it is waiting for one and keeps waiting; presses change nothing; `softoff-qemu boot`
# ends with its status for a timeout after the press, 9 (never a pass), and shows the
# console tail.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
build_image "$T_DIR/initrd.gz"
# presses from 4 s on, then every 2 s, until the 15 s timeout (room for a loaded machine to
# reach /init)
t0=$(now_ms)
softoff_boot --initrd "$T_DIR/initrd.gz" --press 4 --timeout 15 --append acpi=off
ms=$(($(now_ms) - t0))
expect_status timeout "the guest without a power button is still running at the timeout"
t_check "softoff-qemu boot exits with its timeout-after-the-press status 9 (got $boot_rc)" [ "$boot_rc" = 9 ]
t_within "it gave up at its 15 s --timeout (ms)" "$ms" 14500 30000
t_that "presses were sent ($boot_pressed)" '[ "$boot_pressed" -ge 2 ]'
expect_console 'softoff-agent: waiting for a power button \(buttons = acpi\) in /dev/input' \
	"the agent says it is waiting for a power button"
expect_no_console 'softoff-agent: armed' "the agent armed on nothing (the keyboard is not a power button)"
expect_no_console 'softoff-agent: (shutting down|writing)' "no shutdown started"
expect_no_console 'Kernel panic' "no panic"
t_that "its verdict is 'not ok' and shows the console tail with the waiting line" \
	"grep -q '^not ok 1 - timeout' '$boot_dir/out' && grep -q '#.*softoff-agent: waiting for a power button' '$boot_dir/out'"
t_done
