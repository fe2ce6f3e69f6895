#!/bin/sh
# The agent's lifecycle lines reach the serial console whatever the kernel's console loglevel
# says, each exactly once: at the default loglevel (7) kmsg shows them and the agent adds no
# copy; with `quiet` (4) and `loglevel=1` kmsg hides its notice level and the agent writes them
# to /dev/console itself, so `softoff-qemu boot` still sees `softoff-agent: armed` and the
# guest exits 99. A hook's output is not a lifecycle line: kmsg only, so hidden by `quiet`
# (the control that the copy is per line, not everything).
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-fails 'echo "hook output line"; exit 3'
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks"

# each lifecycle line once; $1 names the boot
expect_lifecycle_once() {
	for re in 'softoff-agent: softoff-agent [^ ]+ starting' \
		'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button' \
		'softoff-agent: shutting down \(power-button on ' \
		'softoff-agent: hook 10-fails: failed with exit status 3$' \
		'softoff-agent: writing 0x31 to port 0x501'; do
		n=$(console_count "$re")
		t_that "$1: /$re/ on the console once (got $n)" '[ "$n" = 1 ]'
	done
}

softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 60
expect_status 99 "default loglevel: QEMU status"
expect_lifecycle_once "default loglevel"
expect_console 'softoff-agent: hook 10-fails: hook output line' "default loglevel: hook output shows (kmsg)"

for append in quiet loglevel=1; do
	softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 60 --append "$append"
	expect_status 99 "$append: QEMU status"
	t_check "$append: softoff-qemu boot passed (rc $boot_rc)" [ "$boot_rc" = 0 ]
	expect_lifecycle_once "$append"
	expect_no_console 'hook output line' "$append: hook output stays in kmsg (hidden)"
done
t_done
