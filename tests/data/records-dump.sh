#!/bin/sh
# Guest reader of the data-safety test, for filesystems the host cannot read without mounting
# (xfs, btrfs, vfat): mount a copy of the stopped VM's disk (/dev/vda; mounting replays its
# log, as the next boot would) and copy the records file raw onto /dev/vdb for the host.
mkdir -p /mnt
mount /dev/vda /mnt || { echo "records-dump: cannot mount /dev/vda"; exit 1; }
cat /mnt/records >/dev/vdb || { echo "records-dump: copying /mnt/records to /dev/vdb failed"; exit 1; }
sync
echo "records-dump: copied $(wc -l </mnt/records) lines"
