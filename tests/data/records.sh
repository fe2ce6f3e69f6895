#!/bin/sh
# Guest payload of the data-safety test: mount the virtio disk and append numbered records
# without fsync. "ack N" reaches the console only after write() of record N returned, so each
# acknowledged record sits at least in the guest's page cache; the host then checks that every
# acknowledged record is on the disk after the VM was stopped.
mkdir -p /mnt && mount -t ext4 /dev/vda /mnt || { echo "records: cannot mount /dev/vda"; exit 1; }
echo "records: writing to /mnt/records"
i=0
while :; do
	i=$((i + 1))
	echo "record $i" >>/mnt/records || exit 1
	echo "ack $i"
done
