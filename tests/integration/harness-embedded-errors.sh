#!/bin/sh
# `softoff-qemu boot` without --initrd refuses bad inputs before QEMU starts, with status 2
# and one line naming the object and the reason: a kernel that is no bzImage, no modules
# directory (every place looked is named), a module neither in modules.dep nor built in, a
# compressed module, an x86 kernel given --arch aarch64 (no arm64 header), an agent or payload
# that is not a static x86-64 program, and the image options next to --initrd. Controls: the
# same runs with good inputs do start QEMU.
. "$(dirname "$0")/../lib.sh"
need_harness
need_agent
need_kernel

# refused DESCRIPTION MESSAGE-REGEX BOOT-OPTION...: status 2, the message, QEMU not started.
refused() {
	rf_desc=$1 rf_msg=$2
	shift 2
	rm -f "$T_DIR/started"
	FAKE_QEMU_MARKER=$T_DIR/started FAKE_QEMU_MODE=exit "$T_HARNESS" boot --qemu "$FAKE_QEMU" \
		--timeout 10 "$@" >"$T_DIR/out" 2>&1
	rf_rc=$?
	t_that "$rf_desc: status 2, QEMU not started (got $rf_rc): $(head -n 1 "$T_DIR/out")" \
		'[ $rf_rc = 2 ] && [ ! -e "$T_DIR/started" ]'
	t_that "$rf_desc: the message says /$rf_msg/" 'grep -qE -- "$rf_msg" "$T_DIR/out"'
}
# started BOOT-OPTION...: the control, QEMU does start.
started() {
	rm -f "$T_DIR/started"
	FAKE_QEMU_MARKER=$T_DIR/started FAKE_QEMU_MODE=exit "$T_HARNESS" boot --qemu "$FAKE_QEMU" \
		--timeout 10 "$@" >"$T_DIR/out" 2>&1
	t_that "control: QEMU starts with $*" '[ -e "$T_DIR/started" ]'
}
release=$(cat "$(dirname "$T_KERNEL")/version")

started --kernel "$T_KERNEL"
refused "a kernel that is no bzImage" \
	"^softoff-qemu boot: --kernel '$T_AGENT': no 'HdrS' boot header at 0x202: not an x86 bzImage \\(QEMU not started\\)$" \
	--kernel "$T_AGENT" --arch x86_64
refused "an x86 kernel given --arch aarch64" \
	"^softoff-qemu boot: --kernel '$T_KERNEL': no 'ARM\\\\x64' magic at 56: not an arm64 Image \\(QEMU not started\\)$" \
	--kernel "$T_KERNEL" --arch aarch64 --firmware none
head -c 300 "$T_KERNEL" >"$T_DIR/short-kernel"
refused "a truncated kernel" "--kernel '$T_DIR/short-kernel': only 300 bytes" \
	--kernel "$T_DIR/short-kernel"

# A copy of the kernel alone: no modules next to it (and none on the host for its release
# unless the host runs it).
cp "$T_KERNEL" "$T_DIR/vmlinuz"
if [ ! -e "/lib/modules/$release/modules.dep" ]; then
	refused "no modules directory anywhere" \
		"no modules for kernel $release \\('$T_DIR/vmlinuz'\\): no $T_DIR/root/lib/modules/$release/modules.dep, $T_DIR/../lib/modules/$release/modules.dep, /lib/modules/$release/modules.dep \\(give --modules DIR\\)" \
		--kernel "$T_DIR/vmlinuz"
fi
started --kernel "$T_DIR/vmlinuz" --modules "$T_MODULES"
refused "--modules DIR that does not exist" \
	"no modules for kernel $release .*no $T_DIR/nowhere/modules.dep, $T_DIR/nowhere/lib/modules/$release/modules.dep" \
	--kernel "$T_KERNEL" --modules "$T_DIR/nowhere"

# A modules directory without evdev, then with a compressed one.
mkdir -p "$T_DIR/mods"
echo 'kernel/drivers/acpi/button.ko:' >"$T_DIR/mods/modules.dep"
: >"$T_DIR/mods/modules.builtin"
refused "a module in neither modules.dep nor modules.builtin" \
	"module 'evdev' is in neither $T_DIR/mods/modules.dep nor $T_DIR/mods/modules.builtin" \
	--kernel "$T_KERNEL" --modules "$T_DIR/mods"
echo 'kernel/drivers/input/evdev.ko.zst:' >>"$T_DIR/mods/modules.dep"
refused "a compressed module" "module 'kernel/drivers/input/evdev.ko.zst' is compressed" \
	--kernel "$T_KERNEL" --modules "$T_DIR/mods"
printf 'kernel/drivers/input/evdev.ko:\nkernel/drivers/acpi/button.ko:\n' >"$T_DIR/mods/modules.dep"
refused "a module file missing" "read module '$T_DIR/mods/kernel/drivers/input/evdev.ko': No such file" \
	--kernel "$T_KERNEL" --modules "$T_DIR/mods"
printf 'kernel/drivers/input/evdev.ko\nkernel/drivers/acpi/button.ko\n' >"$T_DIR/mods/modules.builtin"
started --kernel "$T_KERNEL" --modules "$T_DIR/mods"

# Agents and payloads that could not run in an image with no libraries.
printf '#!/bin/sh\necho hi\n' >"$T_DIR/script"
refused "--agent: a script" "--agent '$T_DIR/script': not an ELF file" \
	--kernel "$T_KERNEL" --agent "$T_DIR/script"
refused "--agent: a dynamically linked program" "--agent '/bin/true': dynamically linked" \
	--kernel "$T_KERNEL" --agent /bin/true
refused "--agent: missing" "read --agent '$T_DIR/none': No such file" \
	--kernel "$T_KERNEL" --agent "$T_DIR/none"
refused "--payload: a dynamically linked program" "--payload '/bin/true': dynamically linked" \
	--kernel "$T_KERNEL" --payload /bin/true --expect guest:0
refused "--payload and a '--' in --append" "--payload: --append already has a '--' word" \
	--kernel "$T_KERNEL" --payload "$T_AGENT" --append "quiet -- x"
started --kernel "$T_KERNEL" --payload "$T_AGENT" --append "quiet --x"

: >"$T_DIR/initrd"
for opt in --agent --modules --payload --save-initrd; do
	refused "$opt with --initrd" "$opt: only without --initrd" \
		--kernel "$T_KERNEL" --initrd "$T_DIR/initrd" $opt "$T_AGENT"
done
t_done
