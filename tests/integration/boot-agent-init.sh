#!/bin/sh
# softoff-agent as /init of an otherwise empty initramfs, packed by cpio from a directory with
# only the agent, evdev.ko + button.ko and /etc/softoff/modules (docs/initramfs.md, "The
# embedded image"; plus tests/guest/payload as /payload for the payload cases), on Debian's
# cloud kernel:
# - the agent mounts proc, sysfs and devtmpfs, loads the listed modules, arms, and a press
#   powers off (99);
# - `-- run /payload ...` on the kernel command line: QEMU's status is the payload's; the words
#   after `--` (even with '=') are its arguments, a second `--` ends them, and a word with '='
#   before `--` is in its environment;
# - an image that hides the kernel's /dev/console: the kernel starts /init with fds 0-2 closed,
#   and the payload's output still reaches the console;
# - a button that appears after the agent started (the payload loads button.ko once the agent
#   says it is waiting for one) is armed and works;
# - control: the same image without the module list never arms (evdev and button are modules
#   in this kernel), so the boot fails, naming the missing button: the loading is what passes.
. "$(dirname "$0")/../lib.sh"
need_kernel
agent_image_dir "$T_DIR/img" evdev button
pack_image "$T_DIR/img" "$T_DIR/img.cpio"
echo "figures: image $(stat -c %s "$T_DIR/img.cpio") bytes as cpio," \
	"$(gzip -9n <"$T_DIR/img.cpio" | wc -c) gzipped (agent $(stat -c %s "$T_AGENT") bytes)"

softoff_boot --initrd "$T_DIR/img.cpio"
expect_press_poweroff "the agent is the image's /init"
expect_console "softoff-agent: the image's /init: mounted /proc /sys /dev" \
	"the agent mounted the kernel filesystems"
expect_console 'softoff-agent: 2 of 2 modules from /etc/softoff/modules loaded in [0-9]+ ms' \
	"the agent loaded both listed modules"
expect_no_console 'softoff-agent: load module' "no module failed to load"

# quiet: the payload's lines and the agent's go through the console tty a whole line per write;
# a kernel line printed meanwhile could land in the middle of a payload line
image_add_payload "$T_DIR/img"
pack_image "$T_DIR/img" "$T_DIR/payload.cpio"
softoff_boot --initrd "$T_DIR/payload.cpio" --press never --expect guest:5 \
	--append 'quiet FROM_KERNEL=yes -- run /payload exit 5 X=y "two words" -- dropped'
expect_status 139 "QEMU status for /payload exiting 5"
expect_console 'payload: argv\[0\]=/payload$' "the agent ran /payload (argv: /init run /payload)"
expect_console 'payload: argv\[2\]=5$' "the words after -- are the payload's arguments"
expect_console 'payload: argv\[3\]=X=y$' "a word with = after -- is an argument"
expect_console 'payload: argv\[4\]=two words$' "double quotes group words"
expect_no_console 'payload: argv\[5\]' "a second -- ends init's arguments"
expect_console 'payload: env FROM_KERNEL=yes$' "a word with = before -- is in the environment"

mkdir "$T_DIR/img/dev" "$T_DIR/img/dev/console" # replaces the kernel's built-in node
pack_image "$T_DIR/img" "$T_DIR/no-console.cpio"
rm -r "$T_DIR/img/dev"
softoff_boot --initrd "$T_DIR/no-console.cpio" --press never --expect guest:3 --append 'quiet -- run /payload exit 3'
expect_status 135 "QEMU status for /payload exiting 3 (no console node in the image)"
expect_console 'Warning: unable to open an initial console' "the kernel started /init with fds 0-2 closed"
expect_console 'payload: argv\[1\]=exit$' "the payload's output reaches the console"

agent_image_dir "$T_DIR/late" evdev
image_add_payload "$T_DIR/late"
button=$(image_add_module "$T_DIR/late" button)
pack_image "$T_DIR/late" "$T_DIR/late.cpio"
softoff_boot --initrd "$T_DIR/late.cpio" --append "-- run /payload load-late $button"
expect_status 99 "QEMU status after a press on a button that appeared after the agent started"
expect_late_button_armed

rm "$T_DIR/img/etc/softoff/modules"
pack_image "$T_DIR/img" "$T_DIR/no-list.cpio"
softoff_boot --initrd "$T_DIR/no-list.cpio" --timeout 30
expect_status timeout "control: without the module list the boot times out before a press"
expect_console 'softoff-agent: waiting for a power button' "control: the agent waited for a button"
expect_no_console 'softoff-agent: armed' "control: the agent never armed"
t_check "control: softoff-qemu names the missing button" \
	grep -q 'likely: the agent found no power button' "$boot_dir/out"
t_done
