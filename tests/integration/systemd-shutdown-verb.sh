#!/bin/sh
# contrib/systemd/system-shutdown/softoff writes the exit port for `poweroff` only: a reboot,
# halt or kexec must stay one (QEMU's 99 would report it as a clean power-off). Run on the
# host with a recording softoff-agent bound over /usr/sbin in a private mount namespace.
. "${SOFTOFF_TOP:-$(dirname "$0")/../..}/tests/lib.sh"

[ "$(id -u)" = 0 ] || t_skip "needs root (a private mount namespace)"
command -v unshare >/dev/null || t_skip "unshare (util-linux) is missing"
hook=$SOFTOFF_TOP/contrib/systemd/system-shutdown/softoff
mkdir -p "$T_DIR/sbin"
printf '#!/bin/sh\necho "softoff-agent $*" >>"%s/calls"\n' "$T_DIR" >"$T_DIR/sbin/softoff-agent"
chmod 755 "$T_DIR/sbin/softoff-agent"

verb() { # verb: runs the hook as systemd-shutdown would; prints what the agent was asked
	: >"$T_DIR/calls"
	unshare -m sh -c 'mount --bind "$1" /usr/sbin && exec "$2" "$3"' _ "$T_DIR/sbin" "$hook" "$1" ||
		echo "hook failed"
	cat "$T_DIR/calls"
}

t_that "the hook is executable (systemd-shutdown runs only executables)" '[ -x "$hook" ]'
t_that "poweroff: softoff-agent exit-port (the control: the fake agent is called)" \
	'[ "$(verb poweroff)" = "softoff-agent exit-port" ]'
for v in reboot halt kexec ''; do
	t_that "${v:-no verb}: the port is left alone" '[ -z "$(verb "$v")" ]'
done
t_done
