#!/bin/sh
# The image builder's options, without booting: --help, usage errors, --module resolution
# (missing and built-in modules), --file SRC:DEST, --no-agent, --acpid, --run.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
mk=$SOFTOFF_TOP/initramfs/mkinitramfs.sh
list() { zcat "$1" | cpio -it --quiet 2>/dev/null; }
extract() { zcat "$1" | cpio -i --quiet --to-stdout "$2" 2>/dev/null; }

t_check "--help exits 0 and shows the usage" sh -c "'$mk' --help | grep -q '^Usage: initramfs/mkinitramfs.sh -o OUT'"
"$mk" --modules "$T_MODULES" >/dev/null 2>&1
t_check "no -o: usage error, status 2 (got $?)" [ $? = 2 ]

"$mk" -o "$T_DIR/x.gz" --modules "$T_MODULES" --agent "$T_AGENT" --module no_such_module >"$T_DIR/err" 2>&1
rc=$?
cat "$T_DIR/err"
t_check "an unknown --module fails (status $rc)" [ "$rc" = 1 ]
t_check "... and names the module" grep -q 'no such module in .*: no_such_module' "$T_DIR/err"

# ext4 is built into the cloud kernel: a note, not an error
"$mk" -o "$T_DIR/b.gz" --modules "$T_MODULES" --agent "$T_AGENT" --module ext4 >"$T_DIR/out" 2>&1
t_check "a built-in --module is noted, not an error" grep -q 'module ext4 is built into the kernel' "$T_DIR/out"

mkdir -p "$T_DIR/extra/sub"
echo data >"$T_DIR/extra/sub/file"
echo tool >"$T_DIR/tool" && chmod 0775 "$T_DIR/tool"
build_image "$T_DIR/full.gz" --file "$T_DIR/extra:/opt/extra" --file "$T_DIR/tool:/usr/bin/tool" \
	--run 'echo hi'
list "$T_DIR/full.gz" >"$T_DIR/full.list"
t_check "--file copies a directory tree" grep -qx 'opt/extra/sub/file' "$T_DIR/full.list"
t_check "--file copies a file" grep -qx 'usr/bin/tool' "$T_DIR/full.list"
t_check "the image has busybox, applet links, the agent, /init and the modules" \
	sh -c "grep -qx bin/busybox '$T_DIR/full.list' && grep -qx bin/sh '$T_DIR/full.list' &&
		grep -qx usr/sbin/softoff-agent '$T_DIR/full.list' && grep -qx init '$T_DIR/full.list' &&
		grep -q 'evdev.ko\$' '$T_DIR/full.list' && grep -q 'button.ko\$' '$T_DIR/full.list'"
t_check "--run is stored for /init" sh -c "zcat '$T_DIR/full.gz' | cpio -i --quiet --to-stdout etc/softoff/init.conf 2>/dev/null | grep -qx \"softoff_run='echo hi'\""

build_image "$T_DIR/none.gz" --no-agent
t_check "--no-agent leaves the agent out" sh -c "! zcat '$T_DIR/none.gz' | cpio -it --quiet 2>/dev/null | grep -q softoff-agent"

build_image "$T_DIR/acpid.gz" --acpid
list "$T_DIR/acpid.gz" >"$T_DIR/acpid.list"
t_check "--acpid ships the busybox drop-in and an inittab" \
	sh -c "grep -qx etc/acpi/PWRF/00000080 '$T_DIR/acpid.list' && grep -qx etc/inittab '$T_DIR/acpid.list' && grep -qx var/log '$T_DIR/acpid.list'"
t_check "... whose drop-in calls softoff-agent poweroff" \
	sh -c "zcat '$T_DIR/acpid.gz' | cpio -i --quiet --to-stdout etc/acpi/PWRF/00000080 2>/dev/null | grep -q 'exec softoff-agent poweroff'"
t_check "the acpid2 rule matches button/power and calls softoff-agent poweroff" \
	sh -c "grep -qx 'event=button/power.\*' '$SOFTOFF_TOP/acpi-scripts/acpid2/events/softoff-power' &&
		grep -q '^action=.*/usr/sbin/softoff-agent poweroff' '$SOFTOFF_TOP/acpi-scripts/acpid2/events/softoff-power'"
t_done
