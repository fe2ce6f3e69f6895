#!/bin/bash
# dracut module (softoff-agent package): puts softoff-agent, its config, its hooks and the
# modules it needs (evdev, the ACPI button) into the image, starts the agent at the earliest
# hook (cmdline) and stops it at the last one (cleanup), just before the switch to the real root.

# Included whenever the agent is installed.
check() {
	require_binaries /usr/sbin/softoff-agent || return 1
	return 0
}

depends() {
	return 0
}

# Not only in host-only images whose host happens to have them loaded.
installkernel() {
	hostonly='' instmods evdev button
}

install() {
	local p f
	inst_simple /usr/sbin/softoff-agent # static: no libraries to follow
	inst_simple /usr/lib/softoff/agent-ctl
	inst_multiple cat sleep modprobe
	[ -f /etc/softoff/agent.conf ] && inst_simple /etc/softoff/agent.conf
	inst_dir /etc/softoff/hooks.d
	for p in $(/usr/lib/softoff/agent-ctl hook-paths); do
		if [ -d "$p" ]; then
			inst_dir "$p"
			for f in "$p"/*; do [ -f "$f" ] && inst_simple "$f"; done
		elif [ -f "$p" ]; then
			inst_simple "$p"
		fi
	done
	inst_hook cmdline 00 "$moddir/softoff-start.sh"
	inst_hook cleanup 99 "$moddir/softoff-stop.sh"
}
