#!/bin/sh
# `softoff-qemu boot` reads the guest's architecture from the kernel image: a file it cannot
# place is refused before QEMU starts (status 2, the file and the reason named, "give
# --arch"); --arch then boots it; missing firmware is refused the same way. QEMU here is the
# fake one (tests/unit/fixtures/harness/fake-qemu): only the start is in question.
. "$(dirname "$0")/../lib.sh"
need_harness
: >"$T_DIR/initrd"
printf 'not a kernel at all\n' >"$T_DIR/text-kernel"
printf 'data' | gzip -n >"$T_DIR/Image.gz"

boot_fake() { # kernel [options...]
	rm -f "$T_DIR/started"
	bf_kernel=$1
	shift
	FAKE_QEMU_MARKER=$T_DIR/started FAKE_QEMU_MODE=exit \
		"$T_HARNESS" boot --qemu "$FAKE_QEMU" --kernel "$bf_kernel" --initrd "$T_DIR/initrd" \
		--press never --timeout 20 "$@" >"$T_DIR/out" 2>&1
	bf_rc=$?
	sed 's/^/    /' "$T_DIR/out"
}

boot_fake "$T_DIR/text-kernel"
t_that "unknown kernel format: status 2 (got $bf_rc), QEMU not started" \
	'[ $bf_rc = 2 ] && [ ! -e "$T_DIR/started" ]'
t_that "... one line naming the file, the formats it knows and --arch" \
	'[ "$(wc -l <"$T_DIR/out")" = 1 ] &&
	 grep -q "kernel .*text-kernel.*not an x86 bzImage.*give --arch x86_64 or aarch64" "$T_DIR/out"'
boot_fake "$T_DIR/Image.gz"
t_that "gzip-compressed kernel: status 2, says gzip (got $bf_rc)" \
	'[ $bf_rc = 2 ] && grep -q "Image.gz.*gzip-compressed" "$T_DIR/out"'
boot_fake "$T_DIR/Image.gz" --arch aarch64
t_that "control: with --arch aarch64 QEMU starts (status $bf_rc)" \
	'[ $bf_rc != 2 ] && [ -e "$T_DIR/started" ]'
boot_fake "$T_DIR/Image.gz" --arch aarch64 --firmware "$T_DIR/no-such-firmware.fd"
t_that "missing firmware: status 2 naming it (got $bf_rc), QEMU not started" \
	'[ $bf_rc = 2 ] && [ ! -e "$T_DIR/started" ] && grep -q "firmware .*no-such-firmware.fd.*No such file" "$T_DIR/out"'
boot_fake "$T_DIR/Image.gz" --arch sparc
t_that "unknown --arch: status 2 (got $bf_rc)" '[ $bf_rc = 2 ] && grep -q "sparc" "$T_DIR/out"'
t_done
