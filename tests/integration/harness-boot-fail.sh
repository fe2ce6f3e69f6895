#!/bin/sh
# `softoff-qemu boot` tells failures apart, each with its own status and words: an image
# without the agent times out (3, never a pass, console tail shown); a kernel panic gives 4
# and quotes the panic line: with panic=-1 (QEMU sees only a reset), through pvpanic
# (GUEST_PANICKED), and with panic=0 (the kernel hangs after the panic: stopped a few
# seconds later, not at --timeout); a guest that reboots gives 7.
. "$(dirname "$0")/../lib.sh"
need_harness
need_kernel
need_agent

# boot_fail NAME [softoff-qemu boot option...]: one boot into $T_DIR/out.NAME, status in rc.
boot_fail() {
	bf_name=$1
	shift
	start=$(now_ms)
	"$T_HARNESS" boot --verbose --kernel "$T_KERNEL" "$@" >"$T_DIR/log.$bf_name" 2>&1
	rc=$? ms=$(($(now_ms) - start))
	grep -v '^softoff-qemu: \(qmp \|QMP \)' "$T_DIR/log.$bf_name" | grep '^FAIL\|^PASS' >"$T_DIR/out.$bf_name"
	echo "$bf_name: status $rc in $ms ms: $(cat "$T_DIR/out.$bf_name")"
}

build_image "$T_DIR/noagent.gz" --no-agent
boot_fail noagent --initrd "$T_DIR/noagent.gz" --timeout 12
t_that "no agent: timeout status 3 (got $rc)" '[ $rc = 3 ]'
t_that "no agent: stops at --timeout 12 ($ms ms)" '[ $ms -ge 11500 ] && [ $ms -lt 20000 ]'
t_that "no agent: says no armed line came" 'grep -q "no .softoff-agent: armed. line" "$T_DIR/out.noagent"'
t_that "no agent: prints the console tail" 'grep -q "last console lines" "$T_DIR/log.noagent"'

build_image "$T_DIR/agent.gz"
boot_fail rdinit --initrd "$T_DIR/agent.gz" --append "rdinit=/nonexistent" --timeout 60
t_that "kernel panic (panic=-1): status 4 (got $rc)" '[ $rc = 4 ]'
t_that "kernel panic (panic=-1): the summary quotes the panic" \
	'grep -q "^FAIL guest kernel panicked: Kernel panic - not syncing" "$T_DIR/out.rdinit"'

build_image "$T_DIR/panic.gz" --module pvpanic-mmio --run 'echo c >/proc/sysrq-trigger'
boot_fail pvpanic --initrd "$T_DIR/panic.gz" --timeout 60
t_that "pvpanic: status 4 (got $rc)" '[ $rc = 4 ]'
t_that "pvpanic: QEMU reported GUEST_PANICKED" 'grep -q "QMP event GUEST_PANICKED" "$T_DIR/log.pvpanic"'
t_that "pvpanic: the summary quotes the panic line" \
	'grep -q "^FAIL guest kernel panicked: Kernel panic - not syncing: sysrq triggered crash" "$T_DIR/out.pvpanic"'

boot_fail hang --initrd "$T_DIR/panic.gz" --pvpanic none --append panic=0 --timeout 100
t_that "panic=0 (the kernel hangs): status 4, not a timeout (got $rc)" '[ $rc = 4 ]'
t_that "panic=0: the summary quotes the panic line" \
	'grep -q "^FAIL guest kernel panicked: Kernel panic - not syncing: sysrq" "$T_DIR/out.hang"'
t_that "panic=0: ended long before --timeout 100 ($ms ms)" '[ $ms -lt 70000 ]'

build_image "$T_DIR/reboot.gz" --run 'reboot -f'
boot_fail reboot --initrd "$T_DIR/reboot.gz" --timeout 60
t_that "reboot: status 7 (got $rc)" '[ $rc = 7 ]'
t_that "reboot: the summary says the guest reset" \
	'grep -q "^FAIL guest reset (SHUTDOWN reason guest-reset)" "$T_DIR/out.reboot"'
t_done
