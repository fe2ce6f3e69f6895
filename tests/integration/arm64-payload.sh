#!/bin/sh
# harness-boot-payload.sh on an arm64 guest: `softoff-qemu boot --expect guest:N` gets the
# payload's exit status back through semihosting as QEMU status 129+2N, as on x86 through
# isa-debug-exit.
T_GUEST_ARCH=aarch64
. "$(dirname "$0")/harness-boot-payload.sh"
