#!/bin/sh
# The one-command kernel boot test: `softoff-qemu boot --kernel K` and nothing else passes
# (QEMU status 99 after one press) with Debian's cloud kernel and with the generic one, the
# image made in memory with the agent as /init and the kernel's evdev and button modules,
# found next to the kernel (make kernel's layout). Then with --modules, given as the
# lib/modules/RELEASE directory and as the root holding it.
. "$(dirname "$0")/../lib.sh"
need_harness
need_agent

for flavour in cloud-amd64 amd64; do
	need_kernel $flavour
	"$T_HARNESS" boot --kernel "$T_KERNEL" --timeout 180 >"$T_DIR/out" 2>&1
	rc=$?
	cat "$T_DIR/out"
	t_that "$flavour: boot --kernel alone passes (got $rc)" '[ $rc = 0 ]'
	t_that "$flavour: PASS guest powered off cleanly (status 99)" \
		'grep -q "^PASS guest powered off cleanly (status 99)" "$T_DIR/out"'
done

need_kernel cloud-amd64
softoff_boot --modules "$T_MODULES"
expect_press_poweroff "--modules is lib/modules/RELEASE"
expect_console 'softoff-agent: armed' "the agent ran as /init"

need_kernel amd64
softoff_boot --timeout 180 --modules "$(dirname "$T_KERNEL")/root"
expect_press_poweroff "--modules is a root holding lib/modules/RELEASE (generic kernel)"
t_done
