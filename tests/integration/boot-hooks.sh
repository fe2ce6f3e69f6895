#!/bin/sh
# Hooks run in order with their output on the console; a hanging hook is
# killed at hook-timeout and the power-off still completes with status 99.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-first 'echo "first hook, argv1=$1 event=$SOFTOFF_EVENT"'
make_hook "$T_DIR/hooks" 20-hang 'echo "hanging now"; sleep 1000'
make_hook "$T_DIR/hooks" 30-last 'echo "last hook"'
printf 'hook-timeout = 2\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks" --config "$T_DIR/agent.conf"
softoff_boot --initrd "$T_DIR/initrd.gz"
expect_status 99 "QEMU status after a hanging hook"
expect_console 'softoff-agent: hook 10-first: first hook, argv1=poweroff event=power-button' \
	"first hook ran with argv[1]=poweroff and SOFTOFF_EVENT=power-button"
expect_console 'softoff-agent: hook 20-hang: time is up' "the hanging hook was stopped at its timeout"
expect_in_order "hooks ran in order (10-first < 20-hang < 30-last)" \
	'hook 10-first: first hook' 'hook 20-hang: hanging now' 'hook 30-last: last hook'
t_that "power-off took less than 8 s with a 2 s hook-timeout (${boot_exit_ms:-?} ms)" \
	'[ -n "$boot_exit_ms" ] && [ "$boot_exit_ms" -lt 8000 ]'
t_done
