#!/bin/sh
# softoff-agent as /init of a minimal image (docs/initramfs.md, "The embedded image") on
# Debian's generic kernel, where evdev and button are modules without dependencies too, and the
# AT keyboard is event0 and claims KEY_POWER. The list also names a module missing from the
# image and evdev twice: the missing one is reported once and skipped, the second evdev counts
# as loaded, and the agent still arms on the ACPI button (not event0) and powers off.
. "$(dirname "$0")/../lib.sh"
need_kernel amd64
agent_image_dir "$T_DIR/img" evdev button
t_check "evdev and button are modules with no dependencies in the generic kernel's modules.dep" \
	sh -c "[ \$(grep -cE '/(evdev|button)\.ko:\$' '$T_MODULES/modules.dep') = 2 ]"
list=$T_DIR/img/etc/softoff/modules
evdev=$(head -n 1 "$list")
{
	echo "# evdev first; a module that is not there; evdev again"
	echo /lib/modules/none/missing.ko
	cat "$list"
	echo "$evdev"
} >"$T_DIR/list" && mv "$T_DIR/list" "$list"
pack_image "$T_DIR/img" "$T_DIR/img.cpio"
softoff_boot --initrd "$T_DIR/img.cpio" --timeout 90
expect_press_poweroff "the agent is /init on the generic kernel"
expect_console 'input: AT Translated Set 2 keyboard' "the generic kernel has the AT keyboard"
expect_no_console 'softoff-agent: armed on /dev/input/event0 ' "event0 (the keyboard) is not armed"
t_that "the missing module is reported once, naming it and the reason" \
	'[ "$(console_count "load module .*/missing.ko")" = 1 ] &&
	 console_has "softoff-agent: load module '\''/lib/modules/none/missing.ko'\'': No such file or directory"'
expect_console "softoff-agent: loaded module $evdev \\(already loaded\\)" "evdev listed twice: already loaded"
expect_console 'softoff-agent: 3 of 4 modules from /etc/softoff/modules loaded' "the agent went on after the failure"
t_done
