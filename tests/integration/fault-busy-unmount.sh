#!/bin/sh
# A filesystem that is still busy when the agent unmounts. The payload
# mounts an ext4 virtio disk and writes records without sync; then it keeps the filesystem
# busy with things the kill step cannot remove, all held by the kernel, not by a process:
# proc mounted inside it (a chroot's /proc: virtual, so never unmounted), a swap file and a
# read-write loop device on it (each holds a file open for writing, which would make even
# the remount read-only fail). The agent must swap off, detach the loop device, find the
# filesystem still busy and remount it read-only, and say so on the console. Then, on the
# host: no journal recovery needed, `e2fsck -fn` clean, every record there.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
cat >"$T_DIR/busy-payload" <<'PAYLOAD'
#!/bin/sh
fail() { echo "payload: $* failed"; exit 1; }
d=/mnt/data
mkdir -p $d && mount -t ext4 /dev/vda $d || fail "mount /dev/vda"
mkdir -p $d/chroot/proc && mount -t proc proc $d/chroot/proc || fail "mount proc"
dd if=/dev/zero of=$d/swapfile bs=64k count=16 2>/dev/null && mkswap $d/swapfile >/dev/null &&
	swapon $d/swapfile || fail "swapon"
dd if=/dev/zero of=$d/loop.img bs=64k count=16 2>/dev/null && losetup -f $d/loop.img || fail "losetup"
loop=$(losetup -a | grep -m 1 loop.img | cut -d: -f1)
i=1
while [ $i -le 500 ]; do echo "record $i"; i=$((i + 1)); done >$d/records
echo "payload: $d busy: proc on $d/chroot/proc, swap on $d/swapfile, $loop on $d/loop.img;" \
	"500 records written, not synced"
exec sleep 1000
PAYLOAD
chmod +x "$T_DIR/busy-payload"
build_image "$T_DIR/initrd.gz" --module virtio_pci --module virtio_blk --module loop \
	--file "$T_DIR/busy-payload:/usr/bin/busy-payload" --run /usr/bin/busy-payload
disk=$T_DIR/disk.img
truncate -s 64M "$disk"
mkfs.ext4 -q -F "$disk" || t_abort "mkfs.ext4 failed"
softoff_boot --initrd "$T_DIR/initrd.gz" --ready 'payload: /mnt/data busy' --timeout 40 \
	-- -drive "file=$disk,format=raw,if=virtio"
expect_status 99 "QEMU status with a busy filesystem"
expect_console 'payload: /mnt/data busy: .* /dev/loop[0-9]+ on /mnt/data/loop.img' \
	"the payload made /mnt/data busy"
expect_console 'softoff-agent: swapped off /mnt/data/swapfile' "the swap file was swapped off"
expect_console 'softoff-agent: detached loop device /dev/loop[0-9]+' "the loop device was detached"
expect_console 'softoff-agent: stopping [0-9]+ processes' "the kill step ran"
expect_console 'softoff-agent: remounted /mnt/data read-only \(busy\)' \
	"the busy filesystem was remounted read-only, and the console says so"
expect_no_console 'softoff-agent: unmount /mnt/data: ' "no unmount error"
t_before "swap off and loop detach came before the remount" 'detached loop device' \
	'remounted /mnt/data read-only'
t_before "remounted before the exit write" 'remounted /mnt/data read-only' 'writing 0x31 to port'
# dumpe2fs must have read the superblock: a missing tool or an unreadable disk is a failure,
# never a clean journal
features=$(dumpe2fs -h "$disk" 2>/dev/null | sed -n 's/^Filesystem features: *//p')
t_that "dumpe2fs read the superblock (features: $features)" '[ -n "$features" ]'
case " $features " in
*" needs_recovery "*) t_fail "the filesystem needs journal recovery (dumpe2fs -h shows needs_recovery)" ;;
*) t_ok "the filesystem needs no journal recovery (no needs_recovery)" ;;
esac
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
