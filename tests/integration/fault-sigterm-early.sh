#!/bin/sh
# SIGTERM to `softoff-qemu run` while the guest is still booting, before
# the agent armed (presses before that are lost in the guest). softoff-qemu keeps pressing
# every 2 s, so once the agent arms the guest powers off cleanly, well within the grace:
# exit 0. softoff.delay-modules=2 keeps the button away for 2 s more to widen the window.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
need_harness
make_hook "$T_DIR/hooks" 10-hook 'echo "hook ran"'
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks"
console=$T_DIR/console.log
guest_qemu "$T_DIR/qemu" "$T_DIR/initrd.gz" "$console" "softoff.delay-modules=2"
set -- "$T_DIR/qemu"
bg_start run "$T_HARNESS" run --grace 20 -- "$@"
qemu_of "$bg_pid" >/dev/null || t_abort "softoff-qemu run started no QEMU"
sleep 0.3
cp "$console" "$T_DIR/console.at-sigterm.log"
t_term=$(now_ms)
kill -TERM "$bg_pid"
bg_wait run 30
ms=$((bg_t0 + bg_ms - t_term))
boot_console=$console
t_that "SIGTERM came before the agent armed" \
	"! grep -q 'softoff-agent: armed' '$T_DIR/console.at-sigterm.log'"
t_check "softoff-qemu run exits 0: the guest powered off cleanly (got $bg_status)" [ "$bg_status" = 0 ]
t_within "within the 20 s grace: SIGTERM to exit (ms)" "$ms" 0 15000
expect_console 'softoff-agent: armed' "the agent armed after the SIGTERM"
t_before "the shutdown came after arming" 'softoff-agent: armed' 'softoff-agent: shutting down \(power-button'
t_check "one shutdown, hooks once" [ "$(console_count 'softoff-agent: hook 10-hook: hook ran')" = 1 ]
expect_console 'softoff-agent: writing 0x31 to port 0x501' "it left through isa-debug-exit"
t_that "softoff-qemu did not need quit or SIGKILL" "! grep -Eq 'quit sent|SIGKILL' '$T_DIR/bg.run.out'"
t_done
