#!/bin/sh
# -no-shutdown (libvirt puts it on every command line) and -action shutdown=pause keep QEMU
# alive, in run state "shutdown", after the guest powers off through ACPI (S5). `run` must
# take the guest's SHUTDOWN (reason guest-shutdown) as the clean power-off it is: end QEMU at
# once and exit 0, not wait out --grace and report a forced quit (124). `boot` must end QEMU
# too and judge its status 0, not wait for --timeout.
. "$(dirname "$0")/../lib.sh"
need_harness
need_kernel
need_agent
# no isa-debug-exit at 0xf4: the agent's port write does nothing and it powers off via ACPI
printf 'exit-port = 0xf4\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/s5.gz" --config "$T_DIR/agent.conf"

n=0
for opt in -no-shutdown "-action shutdown=pause"; do
	n=$((n + 1))
	guest_qemu "$T_DIR/qemu" "$T_DIR/s5.gz" "$T_DIR/console.$n"
	# shellcheck disable=SC2086 # $opt is one or two words
	"$T_HARNESS" run --grace 30 -- "$T_DIR/qemu" $opt >"$T_DIR/out.$n" 2>&1 &
	run_pid=$!
	t_track "$run_pid"
	wait_for_line "$T_DIR/console.$n" "softoff-agent: armed" 60 || t_abort "$opt: the agent never armed"
	start=$(now_ms)
	kill -TERM "$run_pid"
	wait "$run_pid"
	rc=$? ms=$(($(now_ms) - start))
	sed 's/^/    /' "$T_DIR/out.$n"
	t_that "run, $opt: the guest powered off through ACPI" \
		'grep -q "reboot: Power down" "$T_DIR/console.$n"'
	t_that "run, $opt: exit 0 (got $rc) well within the 30 s grace ($ms ms)" \
		'[ $rc = 0 ] && [ $ms -lt 15000 ]'
done

start=$(now_ms)
softoff_boot --initrd "$T_DIR/s5.gz" --timeout 40 -- -no-shutdown
ms=$(($(now_ms) - start))
t_that "boot -- -no-shutdown: QEMU ended after the guest's power-off, status 0 (got $boot_status)" \
	'[ "$boot_status" = 0 ]'
t_that "boot -- -no-shutdown: judged a mismatch (1) against --expect poweroff (got $boot_rc)" \
	'[ "$boot_rc" = 1 ]'
t_that "boot -- -no-shutdown: ended well before --timeout ($ms ms)" '[ $ms -lt 30000 ]'
t_done
