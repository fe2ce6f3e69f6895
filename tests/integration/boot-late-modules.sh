#!/bin/sh
# The button and evdev modules load 1 s after the agent starts
# (softoff.delay-modules=1): the agent waits, arms when the device appears, and works.
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
build_image "$T_DIR/initrd.gz"
softoff_boot --initrd "$T_DIR/initrd.gz" --append softoff.delay-modules=1
expect_status 99 "QEMU status with late modules"
waiting=$(console_line 'softoff-agent: waiting for a power button')
button=$(console_line 'input: Power Button')
armed=$(console_line 'softoff-agent: armed on .*LNXPWRBN')
echo "lines: agent waiting at $waiting, button appeared at $button, armed at $armed"
t_that "the agent was waiting before the button appeared" \
	'[ -n "$waiting" ] && [ -n "$button" ] && [ "$waiting" -lt "$button" ]'
t_that "the agent armed after the button appeared" '[ -n "$armed" ] && [ "$armed" -gt "$button" ]'
t_done
