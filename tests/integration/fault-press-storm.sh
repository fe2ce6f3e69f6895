#!/bin/sh
# Issue 5 §2, fault: twenty system_powerdown in one second (boot-presses.sh sends ten back
# to back; here they are spread over a second while the hooks run). One shutdown only: the
# hooks run once, the later presses are logged as ignored, QEMU status 99.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/fault-lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-once 'echo "hook ran"; sleep 2.5'
make_hook "$T_DIR/hooks" 20-once-too 'echo "hook two ran"'
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks"
# softoff_boot presses nothing (--press never); this writes the presses into its QMP FIFO
(
	console=$T_DIR/console.1.log
	wait_for_line "$console" 'softoff-agent: armed' 30 || exit 1
	now_ms >"$T_DIR/presses-start"
	i=0
	while [ $i -lt 20 ]; do
		printf '{"execute":"system_powerdown"}\n'
		i=$((i + 1))
		sleep 0.05
	done >"$T_DIR/boot.1/qmp.in"
	now_ms >"$T_DIR/presses-done"
) &
softoff_boot --initrd "$T_DIR/initrd.gz" --press never --timeout 40
wait
expect_status 99 "QEMU status after twenty presses"
[ -s "$T_DIR/presses-done" ] || t_abort "the presses were not sent (no armed line?)"
t_within "the twenty presses took at most 1.5 s (ms)" \
	"$(($(cat "$T_DIR/presses-done") - $(cat "$T_DIR/presses-start")))" 0 1500
n=$(grep -c '"return"' "$T_DIR/boot.1/qmp.log" || true)
t_check "QEMU answered 21 commands (qmp_capabilities + 20 presses; got $n)" [ "$n" = 21 ]
t_check "one shutdown started ($(console_count 'softoff-agent: shutting down') lines)" \
	[ "$(console_count 'softoff-agent: shutting down')" = 1 ]
t_check "hook 10-once ran once" [ "$(console_count 'softoff-agent: hook 10-once: hook ran')" = 1 ]
t_check "hook 20-once-too ran once" [ "$(console_count 'softoff-agent: hook 20-once-too: hook two ran')" = 1 ]
ign=$(console_count 'power-button on /dev/input/event[0-9]+ during shutdown: ignored \(repeat = ignore\)')
t_check "the 19 later presses were each seen and ignored ($ign)" [ "$ign" = 19 ]
t_done
