#!/bin/sh
# Twenty system_powerdown in one second (boot-presses.sh sends ten back
# to back; here they are 50 ms apart, while the hooks run). One shutdown only: the hooks run
# once, every later press is logged as ignored, QEMU status 99.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-once 'echo "hook ran"; sleep 3'
make_hook "$T_DIR/hooks" 20-once-too 'echo "hook two ran"'
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks"
softoff_boot --initrd "$T_DIR/initrd.gz" --presses 20 --press-interval 0.05 --timeout 40
expect_status 99 "QEMU status after twenty presses"
sent=$(grep -c '"execute": *"system_powerdown"' "$boot_dir/qmp.log")
t_within "softoff-qemu sent the twenty presses (then one every 2 s until SHUTDOWN)" "$sent" 20 30
t_check "its figure agrees ($boot_pressed presses)" [ "$boot_pressed" = "$sent" ]
first=$(console_ms 'softoff-agent: shutting down')
ign=$(console_count 'power-button on /dev/input/event[0-9]+ during shutdown: ignored \(repeat = ignore\)')
last=$(console_ms 'during shutdown: ignored' 19) # the 20th press (re-presses come 2 s later)
t_within "the twenty presses reached the guest within a few seconds (ms)" "$((last - first))" 500 5000
t_check "one shutdown started ($(console_count 'softoff-agent: shutting down') lines)" \
	[ "$(console_count 'softoff-agent: shutting down')" = 1 ]
t_check "hook 10-once ran once" [ "$(console_count 'softoff-agent: hook 10-once: hook ran')" = 1 ]
t_check "hook 20-once-too ran once" [ "$(console_count 'softoff-agent: hook 20-once-too: hook two ran')" = 1 ]
t_check "every later press was seen and ignored ($ign ignored of $sent)" [ "$ign" = $((sent - 1)) ]
t_done
