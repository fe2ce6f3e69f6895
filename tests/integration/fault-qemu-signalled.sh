#!/bin/sh
# Next to "QEMU SIGKILLed mid-run": QEMU SIGTERMed by someone else (not by
# softoff-qemu). QEMU then stops the guest without ACPI and exits 0 with SHUTDOWN reason
# host-signal (docs/facts.md): the plug was pulled. QEMU status 0 is never reported
# as success by default; `run --help` allows 0 only "after the guest shut itself down".
# So neither `run` nor `boot` may exit 0 here.
. "$(dirname "$0")/../fault-lib.sh"
fault_need_default_image

fault_start_armed run "$T_DIR/console.run.log"
kill -TERM "$qemu_pid"
bg_wait run 10
boot_console=$T_DIR/console.run.log
expect_no_console 'softoff-agent: shutting down' "the guest was not shut down (the plug was pulled)"
t_that "softoff-qemu run exits 122 (plug pulled by someone else), not 0, when QEMU was SIGTERMed (got $bg_status)" \
	'[ "$bg_status" = 122 ]'

fault_start_armed boot "$T_DIR/console.boot.log"
kill -TERM "$qemu_pid"
bg_wait boot 10 '^  \| ' # (without the console tail)
t_that "softoff-qemu boot fails when QEMU was SIGTERMed by someone else (got $bg_status)" \
	'[ "$bg_status" != 0 ] && [ "$bg_status" != timeout ]'
t_done
