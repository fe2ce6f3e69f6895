#!/bin/sh
# `softoff-qemu boot` without --initrd makes the image itself: checked here without booting
# (a stand-in QEMU copies the -initrd it is given). GNU cpio reads it; /init is the agent;
# the module list names evdev and button, which are in the image; QEMU reads the same bytes
# --save-initrd writes (through the memfd it inherits); the same inputs give the same bytes;
# --payload adds /payload and ends the kernel command line with "-- run /payload", after
# --append. Prints the sizes (uncompressed, and what gzip -9 would make of it).
. "$(dirname "$0")/../lib.sh"
need_harness
need_agent
command -v cpio >/dev/null || t_skip "GNU cpio missing"

# A QEMU that keeps its command line and a copy of its -initrd, then speaks QMP as a fake.
cat >"$T_DIR/qemu" <<EOF2
#!/bin/bash
printf '%s\n' "\$@" >"$T_DIR/argv"
prev=
for a in "\$@"; do [ "\$prev" = -initrd ] && cat "\$a" >"$T_DIR/seen.cpio"; prev=\$a; done
exec "$FAKE_QEMU" "\$@"
EOF2
chmod +x "$T_DIR/qemu"

# image FLAVOUR [boot options...]: boot that kernel with the stand-in (it exits after the
# QMP handshake), keeping its command line and its copy of the image (T_DIR/seen.cpio).
image() {
	need_kernel "$1"
	shift
	rm -f "$T_DIR/seen.cpio" "$T_DIR/argv"
	FAKE_QEMU_MODE=exit "$T_HARNESS" boot --qemu "$T_DIR/qemu" --kernel "$T_KERNEL" \
		--timeout 10 "$@" >"$T_DIR/out" 2>&1
	im_release=$(cat "$(dirname "$T_KERNEL")/version")
	[ -s "$T_DIR/argv" ] || { cat "$T_DIR/out"; t_abort "the stand-in QEMU did not run"; }
}

for flavour in cloud-amd64 amd64; do
	image $flavour --save-initrd "$T_DIR/$flavour.cpio"
	img=$T_DIR/$flavour.cpio
	cpio -t <"$img" >"$T_DIR/list" 2>"$T_DIR/cpio.err"
	t_that "$flavour: GNU cpio -t reads the image ($(tail -n 1 "$T_DIR/cpio.err"))" '[ $? = 0 ]'
	mods=lib/modules/$im_release/kernel/drivers
	for path in init dev/console proc sys etc/softoff/modules "$mods/input/evdev.ko" \
		"$mods/acpi/button.ko"; do
		t_that "$flavour: the image has /$path" 'grep -qx "$path" "$T_DIR/list"'
	done
	mkdir -p "$T_DIR/x.$flavour"
	(cd "$T_DIR/x.$flavour" && cpio -id --quiet <"$img")
	x=$T_DIR/x.$flavour
	t_that "$flavour: /init is build/softoff-agent, mode 0755" \
		'cmp -s "$x/init" "$T_AGENT" && [ "$(stat -c %a "$x/init")" = 755 ]'
	t_that "$flavour: /etc/softoff/modules lists evdev and button: $(tr '\n' ' ' <"$x/etc/softoff/modules")" \
		'[ "$(cat "$x/etc/softoff/modules")" = "/$mods/input/evdev.ko
/$mods/acpi/button.ko" ]'
	t_that "$flavour: the listed modules are the kernel's" \
		'cmp -s "$x/$mods/input/evdev.ko" "$T_MODULES/kernel/drivers/input/evdev.ko"'
	t_that "$flavour: QEMU read the same image through /proc/self/fd/N" \
		'grep -qx "/proc/self/fd/[0-9]*" "$T_DIR/argv" && cmp -s "$T_DIR/seen.cpio" "$img"'
	size=$(stat -c %s "$img")
	gz=$(gzip -9 -n -c "$img" | wc -c)
	echo "figures: $flavour image $size bytes ($((size / 1024)) KiB), gzip -9: $gz bytes"
	t_that "$flavour: the image is under 200 KiB ($size bytes)" '[ "$size" -lt 204800 ]'
done

# without --save-initrd: nothing on disk (in the working or the temporary directory)
mkdir "$T_DIR/empty"
(cd "$T_DIR/empty" && TMPDIR=$T_DIR/empty image cloud-amd64)
t_that "the same inputs give the same bytes" 'cmp -s "$T_DIR/seen.cpio" "$T_DIR/cloud-amd64.cpio"'
t_that "without --save-initrd nothing is written: $(ls -A "$T_DIR/empty" | tr '\n' ' ')" \
	'[ -z "$(ls -A "$T_DIR/empty")" ]'

image cloud-amd64 --save-initrd "$T_DIR/payload.cpio" --payload "$T_AGENT" --append 'quiet softoff.x=1'
(cd "$T_DIR" && cpio -t <payload.cpio >list.payload 2>/dev/null)
t_that "--payload: the image has /payload" 'grep -qx payload "$T_DIR/list.payload"'
t_that "--payload: the command line ends with '-- run /payload', after --append" \
	'grep -qx "console=ttyS0 panic=-1 no_timer_check quiet softoff.x=1 -- run /payload" "$T_DIR/argv"'
image cloud-amd64 --junit "$T_DIR/junit.xml"
t_that "--junit names the test after the kernel alone (not /proc/self/fd/N)" \
	'grep -q "name=\"boot $T_KERNEL\"" "$T_DIR/junit.xml"'
t_that "without --payload: no '--' on the command line" '! grep -q -- " -- " "$T_DIR/argv"'
t_done
