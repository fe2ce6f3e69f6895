#!/bin/sh
# harness-run-agent.sh on an arm64 guest (qemu-system-aarch64 -machine virt, UEFI,
# semihosting): SIGTERM to `softoff-qemu run` presses the ACPI button, the agent powers off
# cleanly (QEMU 99) and run exits 0; a payload's own status is passed through.
T_GUEST_ARCH=aarch64
. "$(dirname "$0")/harness-run-agent.sh"
