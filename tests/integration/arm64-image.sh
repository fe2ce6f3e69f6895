#!/bin/sh
# The image builder for an arm64 guest, without booting: given the arm64 agent, it takes
# Debian's busybox-static for arm64 (build/arm64/busybox, not the host's), lists its applets
# through qemu-user, and takes evdev from the arm64 kernel's modules.dep (button is built into
# that kernel). Every binary in the image is built for AArch64; the same inputs give the same
# bytes. A busybox for another machine than the agent's is refused. The control: with the
# x86_64 agent the same builder takes the host's busybox.
. "$(dirname "$0")/../lib.sh"
need_arm64
mk=$SOFTOFF_TOP/initramfs/mkinitramfs.sh
machine() { readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p'; }
unpack() { mkdir -p "$2" && (cd "$2" && zcat "$1" | cpio -id --quiet 2>/dev/null); }

build_image "$T_DIR/a.gz"
unpack "$T_DIR/a.gz" "$T_DIR/a"
t_that "the modules to load: evdev only (button is built into the arm64 kernel): $(cat "$T_DIR/a/etc/softoff/modules")" \
	'[ "$(sed "s|.*/||" "$T_DIR/a/etc/softoff/modules")" = evdev.ko ]'
t_that "bin/busybox is built for AArch64 ($(machine "$T_DIR/a/bin/busybox"))" \
	'[ "$(machine "$T_DIR/a/bin/busybox")" = AArch64 ]'
t_that "... and it is build/arm64/busybox" 'cmp -s "$T_DIR/a/bin/busybox" "$SOFTOFF_BUILD/arm64/busybox"'
t_that "usr/sbin/softoff-agent is the arm64 agent" 'cmp -s "$T_DIR/a/usr/sbin/softoff-agent" "$T_AGENT"'
evdev=$(find "$T_DIR/a/lib/modules" -name evdev.ko)
t_that "evdev.ko from the arm64 kernel ($(machine "$evdev"))" '[ "$(machine "$evdev")" = AArch64 ]'
t_that "applet links made from the arm64 busybox's list (bin/sh -> $(readlink "$T_DIR/a/bin/sh"))" \
	'[ "$(readlink "$T_DIR/a/bin/sh")" = /bin/busybox ] && [ -L "$T_DIR/a/sbin/poweroff" ]'

build_image "$T_DIR/b.gz"
t_that "reproducible: the same inputs give the same sha256" \
	'[ "$(sha256sum <"$T_DIR/a.gz")" = "$(sha256sum <"$T_DIR/b.gz")" ]'

"$mk" -q -o "$T_DIR/bad.gz" --modules "$T_MODULES" --agent "$T_AGENT" --busybox /bin/busybox >"$T_DIR/err" 2>&1
rc=$?
cat "$T_DIR/err"
t_that "an x86_64 busybox with the arm64 agent is refused (status $rc)" '[ $rc = 1 ]'
t_check "... naming both machines" grep -q "busybox '/bin/busybox' is built for Advanced Micro Devices X86-64, the agent '$T_AGENT' for AArch64" "$T_DIR/err"

T_AGENT=$SOFTOFF_BUILD/softoff-agent
need_kernel
build_image "$T_DIR/x86.gz"
unpack "$T_DIR/x86.gz" "$T_DIR/x86"
t_that "control: with the x86_64 agent, the host's busybox" 'cmp -s "$T_DIR/x86/bin/busybox" /bin/busybox'
t_done
