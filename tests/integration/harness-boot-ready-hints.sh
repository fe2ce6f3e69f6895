#!/bin/sh
# When the ready line never comes, `softoff-qemu boot`'s timeout verdict names the likely
# cause from what the console showed: no output at all (ttyS0 is not ours), kernel output
# but no agent line (no agent in the image), an agent that found no power button (acpi=off).
. "$(dirname "$0")/../lib.sh"
need_kernel
need_agent
build_image "$T_DIR/agent.gz"
build_image "$T_DIR/no-agent.gz" --no-agent

# verdict: the TAP line of the last boot
verdict() { sed -n 's/^not ok 1 - //p' "$boot_dir/out"; }

# an extra -serial before softoff-qemu's own takes ttyS0, where the kernel writes
softoff_boot --initrd "$T_DIR/agent.gz" --timeout 8 -- -serial null
t_check "-serial null: timeout status 3 (got $boot_rc)" [ "$boot_rc" = 3 ]
t_that "-serial null: says there was no console output at all: $(verdict)" \
	'verdict | grep -q "likely: no console output at all: the kernel writes to no port"'

# generous timeouts: the verdict describes how far the guest got, and a loaded host is slow
softoff_boot --initrd "$T_DIR/no-agent.gz" --timeout 30
t_check "no agent: timeout status 3 (got $boot_rc)" [ "$boot_rc" = 3 ]
t_that "no agent: says there is kernel output but no agent line: $(verdict)" \
	'verdict | grep -q "likely: kernel output but no softoff-agent line: no agent in the image"'

softoff_boot --initrd "$T_DIR/agent.gz" --timeout 40 --append acpi=off
t_check "acpi=off: timeout status 3 (got $boot_rc)" [ "$boot_rc" = 3 ]
t_that "acpi=off: says the agent found no power button and names acpi=off: $(verdict)" \
	'verdict | grep -q "the agent found no power button.*acpi=off in --append"'
t_that "acpi=off: quotes the agent's last line" \
	'verdict | grep -q "the agent'"'"'s last line: '"'"'softoff-agent: waiting for a power button"'
t_done
