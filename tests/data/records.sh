#!/bin/sh
# Guest writer of the data-safety test: mount the virtio disk (whatever filesystem is on it)
# and append numbered records without fsync. "ack N" reaches the console only after the
# append of record N succeeded, so each acknowledged record sits at least in the guest's page
# cache; the host then checks that every acknowledged record is on the disk after the VM was
# stopped. Runs as the agent's payload (`softoff-agent run`), or sourced by PID 1 itself
# (tests/data/arrangements/shell-respawn.init, softoff.workload=): then it never exits (that
# would panic the kernel): a failed append ends the loop and PID 1 goes on with its own.
records_stop() { echo "records: $*"; [ $$ = 1 ] || exit 1; }
mkdir -p /mnt
if mount /dev/vda /mnt; then
	echo "records: writing to /mnt/records ($(awk '$2 == "/mnt" { print $3 }' /proc/mounts), pid $$)"
	i=0
	while :; do
		i=$((i + 1))
		echo "record $i" >>/mnt/records || { records_stop "append of record $i failed"; break; }
		echo "ack $i"
	done
else
	records_stop "cannot mount /dev/vda"
fi
