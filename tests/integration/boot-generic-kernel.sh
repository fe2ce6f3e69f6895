#!/bin/sh
# The same on Debian's generic kernel, where the AT keyboard is event0 and
# claims KEY_POWER (docs/facts.md): the agent must arm the ACPI button, not event0. The image
# also carries ext4 through --module, so module dependencies (crc16, mbcache, jbd2) load too.
. "$(dirname "$0")/../lib.sh"
need_kernel amd64
need_agent
build_image "$T_DIR/initrd.gz" --module ext4
zcat "$T_DIR/initrd.gz" | cpio -i --quiet --to-stdout etc/softoff/modules >"$T_DIR/modules" 2>/dev/null
t_check "image loads crc16, mbcache, jbd2 before ext4" \
	sh -c "tr '\n' ' ' <'$T_DIR/modules' | grep -q 'crc16.ko .*mbcache.ko .*jbd2.ko .*ext4.ko'"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 90
expect_status 99 "QEMU status after one press (generic kernel)"
expect_console 'input: AT Translated Set 2 keyboard' "the generic kernel has the AT keyboard"
expect_console 'softoff-agent: armed on /dev/input/event[1-9][0-9]* \(Power Button, LNXPWRBN/' \
	"armed on the ACPI power button, not event0"
expect_no_console 'softoff-agent: armed on /dev/input/event0 ' "event0 (the keyboard) is not armed"
expect_no_console 'softoff-init: load module' "every module (ext4 and its dependencies) loaded"
t_done
