#!/bin/sh
# The full Debian guest (systemd, udev, no dbus, so no systemd-logind) with softoff, under
# `softoff-qemu run --grace 30`, while a service appends records without fsync: SIGTERM once
# it runs. The agent hands the press to systemd, systemd shuts down in order, and its
# system-shutdown hook writes the exit port: run exits 0, QEMU's status is 99, e2fsck -fn
# finds the image clean (no needs_recovery), and every acknowledged record is on it.
. "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/lib.sh"

need_debian_guest test-softoff
debian_data_safety --grace 30
t_that "filesystem clean and no acknowledged record lost (data-safety status $ds_rc)" '[ "$ds_rc" = 0 ]'
t_that "softoff-qemu run exited 0" 'ds_says "exit status 0,"'
t_that "QEMU exited 99: the port written by systemd-shutdown" 'ds_says "QEMU status 99,"'
t_done
