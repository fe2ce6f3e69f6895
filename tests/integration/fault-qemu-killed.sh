#!/bin/sh
# QEMU SIGKILLed mid-run (by someone else: the OOM killer, an admin).
# `softoff-qemu run` exits 128+9 = 137 and says so; `softoff-qemu boot` exits with its
# "QEMU was killed by a signal" status 6. Neither hangs, neither calls it a clean power-off.
. "$(dirname "$0")/../fault-lib.sh"
fault_need_default_image

# softoff-qemu run
fault_start_armed run "$T_DIR/console.run.log"
t_kill=$(now_ms)
kill -KILL "$qemu_pid"
bg_wait run 10
t_check "softoff-qemu run exits 137 = 128 + SIGKILL (got $bg_status)" [ "$bg_status" = 137 ]
t_within "it noticed at once (ms after the kill)" "$((bg_t0 + bg_ms - t_kill))" 0 3000
t_that "it says QEMU was killed by signal 9" "grep -Eiq 'killed by signal 9|signal 9|SIGKILL' '$T_DIR/bg.run.out'"

# softoff-qemu boot (no press, so the guest would wait for the 30 s timeout)
fault_start_armed boot "$T_DIR/console.boot.log"
t_kill=$(now_ms)
kill -KILL "$qemu_pid"
bg_wait boot 10 '^  \| ' # (without the console tail)
t_check "softoff-qemu boot exits 6, 'QEMU was killed by a signal' (got $bg_status)" [ "$bg_status" = 6 ]
t_within "it noticed at once (ms after the kill)" "$((bg_t0 + bg_ms - t_kill))" 0 3000
t_that "its summary is a FAIL naming signal 9" "grep -q '^FAIL' '$T_DIR/bg.boot.out' && grep -Eiq 'signal 9|SIGKILL' '$T_DIR/bg.boot.out'"
t_done
