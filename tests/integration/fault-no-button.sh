#!/bin/sh
# Issue 5 §2, fault: no power button at all (the guest kernel runs with acpi=off).
# The agent says it is waiting for one and keeps waiting; presses change nothing. Under
# `softoff-qemu boot` the test ends with the harness's timeout status (3), never a pass, and
# the console tail is shown.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/fault-lib.sh"
need_kernel
need_agent
need_harness
build_image "$T_DIR/initrd.gz"
# presses from 4 s on, every 2 s, until the 8 s timeout
softoff_boot --initrd "$T_DIR/initrd.gz" --press 4 --timeout 8 --append acpi=off
expect_status timeout "the guest without a power button is still running at the timeout"
t_that "presses were sent ($boot_pressed)" '[ "$boot_pressed" -ge 2 ]'
expect_console 'softoff-agent: waiting for a power button \(buttons = acpi\) in /dev/input' \
	"the agent says it is waiting for a power button"
expect_no_console 'softoff-agent: armed' "the agent armed on nothing (the keyboard is not a power button)"
expect_no_console 'softoff-agent: (shutting down|writing)' "no shutdown started"
expect_no_console 'Kernel panic' "no panic"

t0=$(now_ms)
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/initrd.gz" --timeout 8 \
	--append acpi=off --console "$T_DIR/harness-console.log" >"$T_DIR/harness.out" 2>&1
rc=$?
ms=$(($(now_ms) - t0))
sed 's/^/    | /' "$T_DIR/harness.out"
t_check "softoff-qemu boot exits with its timeout status 3 (got $rc)" [ "$rc" = 3 ]
t_within "it gave up at its 8 s --timeout (ms)" "$ms" 7500 14000
t_that "its output shows the console tail with the waiting line" \
	"grep -q 'softoff-agent: waiting for a power button' '$T_DIR/harness.out'"
t_that "the console file it kept has the waiting line" \
	"grep -q 'softoff-agent: waiting for a power button' '$T_DIR/harness-console.log'"
t_done
