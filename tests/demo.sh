#!/bin/sh
# `make demo`: build the image (with two demo hooks), boot it under QEMU (TCG) with the
# console shown, press the power button once the agent is armed, and show the outcome:
# the hooks on the console, then QEMU's exit status and what it means.
#
# QEMU is driven by tests/lib.sh (QMP over a FIFO pair) until softoff-qemu takes over.
SOFTOFF_TOP=${SOFTOFF_TOP:-$(cd "$(dirname "$0")/.." && pwd -P)}
. "$SOFTOFF_TOP/tests/lib.sh"

demo=$SOFTOFF_BUILD/demo
mkdir -p "$demo"
echo "== 1. kernel and agent"
need_kernel
need_agent
echo "kernel: $(cat "$SOFTOFF_BUILD/kernel/version") ($T_KERNEL)"
echo "agent:  $T_AGENT ($(wc -c <"$T_AGENT") bytes, static)"

echo "== 2. image (initramfs/mkinitramfs.sh --hooks initramfs/demo-hooks)"
"$SOFTOFF_TOP/initramfs/mkinitramfs.sh" -o "$demo/initramfs.cpio.gz" --modules "$T_MODULES" \
	--agent "$T_AGENT" --hooks "$SOFTOFF_TOP/initramfs/demo-hooks" || t_abort "image build failed"

echo "== 3. boot (console follows; loglevel=6 hides the kernel's info chatter)"
echo "qemu-system-x86_64 -accel tcg -machine q35 -m 256M -nodefaults -no-reboot -display none"
echo "    -serial file:console.log -qmp pipe:qmp -device isa-debug-exit"
echo "    -kernel $T_KERNEL -initrd $demo/initramfs.cpio.gz -append 'console=ttyS0 panic=-1 loglevel=6'"
echo
SOFTOFF_SHOW_CONSOLE=1 softoff_boot --initrd "$demo/initramfs.cpio.gz" --append loglevel=6 \
	--console "$demo/console.log" --timeout 90
echo

echo "== 4. outcome"
case $boot_status in
99) meaning="clean power-off: the agent wrote 0x31 to isa-debug-exit" ;;
0) meaning="QEMU ended without isa-debug-exit (fallback power-off)" ;;
timeout) meaning="the guest did not power off in time; QEMU was killed" ;;
*) meaning="unexpected (see include/softoff/exit_status.h)" ;;
esac
echo "QEMU exit status: $boot_status - $meaning"
echo "boot -> armed: ${boot_armed_ms:-?} ms; press -> QEMU exit: ${boot_exit_ms:-?} ms;" \
	"presses: $boot_pressed; image: $(wc -c <"$demo/initramfs.cpio.gz") bytes"
echo "hooks that ran:"
console_grep 'softoff-agent: hook ' | sed 's/^\[[ 0-9.]*\] /  /'
echo "console log: $demo/console.log"
[ "$boot_status" = 99 ]
