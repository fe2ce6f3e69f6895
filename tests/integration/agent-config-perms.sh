#!/bin/sh
# Run as root, softoff-agent refuses a config that someone other than root may write (it
# chooses the port written and what runs as root at power-off): `--check-config` on a
# 0666 or a user-owned file exits 2 and says why; the control, the same file as root's
# 0644, is ok. Host only: the static agent runs here.
. "$(dirname "$0")/../lib.sh"
need_agent
[ "$(id -u)" = 0 ] || t_skip "needs root (the check applies only to an agent running as root)"
printf 'exit-value = 0x31\n' >"$T_DIR/agent.conf"

check() { "$T_AGENT" --config "$T_DIR/agent.conf" --check-config >"$T_DIR/out" 2>&1; }

chmod 0644 "$T_DIR/agent.conf"
check
t_check "0644 root:root: ok (rc $?)" grep -q ': ok$' "$T_DIR/out"

chmod 0666 "$T_DIR/agent.conf"
check
rc=$?
t_check "0666: exit status 2 (got $rc)" [ "$rc" = 2 ]
t_check "0666: refused, saying why" grep -q "refusing config '.*agent.conf': writable by group or others (mode 0666); that would let anyone choose what the agent does as root at power-off" "$T_DIR/out"

chmod 0644 "$T_DIR/agent.conf"
chown 1000 "$T_DIR/agent.conf"
check
rc=$?
t_check "owned by uid 1000: exit status 2 (got $rc)" [ "$rc" = 2 ]
t_check "owned by uid 1000: refused, saying why" grep -q "owned by uid 1000, not root" "$T_DIR/out"
t_done
