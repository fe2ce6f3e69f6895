#!/bin/sh
# Hooks the agent must not run. A non-executable hook is skipped with a
# warning; hooks writable by others or by the group, or not owned by root, are refused with a
# message naming the reason; none of them runs, the hooks around them do, status 99.
# The image builder normalises modes (0755/0644, owner 0), so the first hook makes the bad
# modes at power-off: the agent checks each hook just before running it.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
d=/etc/softoff/hooks.d
make_hook "$T_DIR/hooks" 10-spoil "chmod 0757 $d/20-world-writable && chmod 0775 $d/30-group-writable &&
chown 1000:1000 $d/40-not-root && echo \"modes spoiled\""
for h in 20-world-writable 30-group-writable 40-not-root 50-not-executable; do
	make_hook "$T_DIR/hooks" $h "echo 'this must not run'"
done
chmod 0644 "$T_DIR/hooks/50-not-executable"
make_hook "$T_DIR/hooks" 60-last 'echo "last hook ran"'
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 40
expect_status 99 "QEMU status with refused and skipped hooks"
expect_console 'softoff-agent: hook 10-spoil: modes spoiled' "the first hook changed the modes"
expect_console "softoff-agent: refusing hook '$d/20-world-writable': writable by group or others \(mode 0757\)" \
	"the world-writable hook is refused, with its mode"
expect_console "softoff-agent: refusing hook '$d/30-group-writable': writable by group or others \(mode 0775\)" \
	"the group-writable hook is refused, with its mode"
expect_console "softoff-agent: refusing hook '$d/40-not-root': owned by uid 1000, not root" \
	"the hook owned by uid 1000 is refused"
expect_console "softoff-agent: skipping hook '$d/50-not-executable': not an executable file" \
	"the non-executable hook is skipped with a warning"
n=$(console_count 'this must not run|running hook .*/(20|30|40|50)-')
t_check "none of the four ran ($n lines say otherwise)" [ "$n" = 0 ]
expect_console 'softoff-agent: hook 60-last: last hook ran' "the hook after them ran"
t_before "in order: refusals and the skip, then the last hook" 'skipping hook .*50-not-executable' \
	'hook 60-last: last hook ran'
t_done
