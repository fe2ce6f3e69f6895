#!/bin/sh
# Issue 5 §2, fault: a filesystem that is still busy when the agent unmounts. The payload
# mounts an ext4 virtio disk, writes records without sync, and attaches a read-only loop
# device to a file on it: the loop device is held by the kernel, not by a process, so the
# kill step cannot free it and umount says EBUSY. The agent must remount it read-only; then,
# on the host, the filesystem needs no journal recovery, `e2fsck -fn` finds it clean, and
# every record is there.
. "$(dirname "$0")/../lib.sh"
. "$SOFTOFF_TOP/tests/fault-lib.sh"
need_kernel
need_agent
cat >"$T_DIR/busy-payload" <<'PAYLOAD'
#!/bin/sh
mkdir -p /mnt/data && mount -t ext4 /dev/vda /mnt/data || { echo "payload: mount failed"; exit 1; }
dd if=/dev/zero of=/mnt/data/backing bs=64k count=16 2>/dev/null
loop=$(losetup -r -f --show /mnt/data/backing 2>/dev/null) || {
	losetup -r -f /mnt/data/backing && loop=$(losetup -a | grep -m 1 backing | cut -d: -f1); }
[ -n "$loop" ] || { echo "payload: losetup failed"; exit 1; }
i=1
while [ $i -le 500 ]; do echo "record $i"; i=$((i + 1)); done >/mnt/data/records
echo "payload: $loop holds /mnt/data/backing; 500 records written, not synced"
exec sleep 1000
PAYLOAD
chmod +x "$T_DIR/busy-payload"
build_image "$T_DIR/initrd.gz" --module virtio_pci --module virtio_blk --module loop \
	--file "$T_DIR/busy-payload:/usr/bin/busy-payload" --run /usr/bin/busy-payload
disk=$T_DIR/disk.img
truncate -s 64M "$disk"
mkfs.ext4 -q -F "$disk" || t_abort "mkfs.ext4 failed"
softoff_boot --initrd "$T_DIR/initrd.gz" --ready 'payload: /dev/loop[0-9]+ holds' --timeout 40 \
	-- -drive "file=$disk,format=raw,if=virtio"
expect_status 99 "QEMU status with a busy filesystem"
expect_console 'payload: /dev/loop[0-9]+ holds /mnt/data/backing' "the payload made /mnt/data busy"
expect_console 'softoff-agent: stopping [0-9]+ processes' "the kill step ran"
expect_console 'softoff-agent: remounted /mnt/data read-only \(busy\)' \
	"the busy filesystem was remounted read-only, and the console says so"
expect_no_console 'softoff-agent: unmount /mnt/data: ' "no unmount error"
t_before "remounted before the exit write" 'remounted /mnt/data read-only' 'writing 0x31 to port'
if dumpe2fs -h "$disk" 2>/dev/null | grep -q needs_recovery; then
	t_fail "the filesystem needs journal recovery (dumpe2fs -h shows needs_recovery)"
else
	t_ok "the filesystem needs no journal recovery (no needs_recovery)"
fi
state=$(dumpe2fs -h "$disk" 2>/dev/null | sed -n 's/^Filesystem state: *//p')
t_check "dumpe2fs says the filesystem state is clean ('$state')" [ "$state" = clean ]
e2fsck -fn "$disk" >"$T_DIR/fsck.out" 2>&1
rc=$?
sed 's/^/    | /' "$T_DIR/fsck.out"
t_check "e2fsck -fn finds it clean (status $rc)" [ "$rc" = 0 ]
debugfs -R 'cat /records' "$disk" 2>/dev/null >"$T_DIR/records"
n=$(grep -c '^record ' "$T_DIR/records")
t_check "all 500 unsynced records are on the disk ($n)" [ "$n" = 500 ]
t_done
