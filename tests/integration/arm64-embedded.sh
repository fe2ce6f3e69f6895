#!/bin/sh
# `softoff-qemu boot --kernel K` alone for an arm64 guest: the image made in memory holds the
# arm64 agent (build/arm64/softoff-agent, beside softoff-qemu) as /init and evdev, the one
# module the agent needs that Debian's cloud arm64 kernel has as a module (its ACPI button is
# built in), under the release read from the Image's "Linux version" banner. It passes with
# QEMU status 99. With --payload (tests/guest/payload built for arm64, which given no words
# prints its usage and exits 2), --expect guest:2 passes and guest:0 is a mismatch naming both.
# Refused before QEMU starts: an x86-64 --agent, and no arm64 agent beside softoff-qemu (the
# control: one put there is the image's /init).
. "$(dirname "$0")/../lib.sh"
need_harness
need_arm64
need_built arm64/tests/guest/payload
command -v cpio >/dev/null || t_skip "GNU cpio missing"
release=$(cat "$(dirname "$T_KERNEL")/version")
mods=lib/modules/$release/kernel/drivers

"$T_HARNESS" boot --kernel "$T_KERNEL" --timeout 300 --save-initrd "$T_DIR/image.cpio" \
	--console "$T_DIR/console" >"$T_DIR/out" 2>&1
rc=$?
cat "$T_DIR/out"
t_that "boot --kernel alone (arm64) passes (got $rc)" '[ $rc = 0 ]'
t_that "PASS guest powered off cleanly (status 99)" \
	'grep -q "^PASS guest powered off cleanly (status 99)" "$T_DIR/out"'
t_check "the agent ran as /init and armed on the ACPI power button" \
	grep -qE 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, PNP0C0C/' "$T_DIR/console"

mkdir -p "$T_DIR/x"
(cd "$T_DIR/x" && cpio -id --quiet <"$T_DIR/image.cpio")
t_that "/init is build/arm64/softoff-agent" 'cmp -s "$T_DIR/x/init" "$T_AGENT"'
t_that "the module list is evdev alone, under release $release: $(tr '\n' ' ' <"$T_DIR/x/etc/softoff/modules")" \
	'[ "$(cat "$T_DIR/x/etc/softoff/modules")" = "/$mods/input/evdev.ko" ]'
t_that "... and evdev.ko is the kernel's" \
	'cmp -s "$T_DIR/x/$mods/input/evdev.ko" "$T_MODULES/kernel/drivers/input/evdev.ko"'
size=$(stat -c %s "$T_DIR/image.cpio")
echo "figures: arm64 image $size bytes ($((size / 1024)) KiB), gzip -9: $(gzip -9 -n -c "$T_DIR/image.cpio" | wc -c) bytes"

payload=$SOFTOFF_BUILD/arm64/tests/guest/payload
"$T_HARNESS" boot --kernel "$T_KERNEL" --timeout 300 --payload "$payload" --expect guest:2 \
	--console "$T_DIR/console.payload" >"$T_DIR/out" 2>&1
rc=$?
cat "$T_DIR/out"
t_that "--payload, --expect guest:2: pass (got $rc)" '[ $rc = 0 ]'
t_check "... the arm64 payload ran (its usage line)" grep -q 'usage: payload exit N' "$T_DIR/console.payload"
"$T_HARNESS" boot --kernel "$T_KERNEL" --timeout 300 --payload "$payload" --expect guest:0 \
	>"$T_DIR/out" 2>&1
rc=$?
head -n 1 "$T_DIR/out"
t_that "--payload, --expect guest:0: mismatch status 1 naming both (got $rc)" \
	'[ $rc = 1 ] && head -n 1 "$T_DIR/out" | grep -q "expected payload exit 0 .*got: payload exited 2"'

# refused MESSAGE BOOT-OPTION...: status 2, the one line, QEMU not started (it would be false).
refused() {
	rf_msg=$1
	shift
	"$T_HARNESS" boot --qemu false --kernel "$T_KERNEL" "$@" >"$T_DIR/out" 2>&1
	rf_rc=$?
	t_that "status 2 (got $rf_rc) and: $rf_msg" \
		'[ $rf_rc = 2 ] && grep -qxF -- "softoff-qemu boot: $rf_msg (QEMU not started)" "$T_DIR/out"'
}
need_agent
refused "--agent '$T_AGENT': built for x86-64, the guest needs arm64" --agent "$T_AGENT"
cp "$T_HARNESS" "$T_DIR/softoff-qemu"
T_HARNESS=$T_DIR/softoff-qemu
refused "no aarch64 softoff-agent: looked at $T_DIR/arm64/softoff-agent; no package installs one for aarch64 (give --agent FILE)"
mkdir -p "$T_DIR/arm64"
cp "$SOFTOFF_BUILD/arm64/softoff-agent" "$T_DIR/arm64/softoff-agent"
"$T_HARNESS" boot --qemu false --kernel "$T_KERNEL" --save-initrd "$T_DIR/beside.cpio" >"$T_DIR/out" 2>&1
t_that "control: the agent in arm64/ beside softoff-qemu is taken" \
	'[ -s "$T_DIR/beside.cpio" ] && ! grep -q "QEMU not started" "$T_DIR/out"'
t_done
