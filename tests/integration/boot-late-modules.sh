#!/bin/sh
# The button and evdev modules load 1 s after the agent starts
# (softoff.delay-modules=1): the agent waits, arms when the device appears, and works.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
build_image "$T_DIR/initrd.gz"
softoff_boot --initrd "$T_DIR/initrd.gz" --append softoff.delay-modules=1
expect_status 99 "QEMU status with late modules"
expect_late_button_armed
t_done
