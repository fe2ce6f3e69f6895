# The compatibility matrix's definitions (POSIX sh; source it after tests/lib.sh).
#
# One cell = arrangement x kernel x command line x machine. tests/integration/compat-*.sh
# boot one value of one dimension against the defaults of the others (the first value of
# each list); tests/matrix.sh (`make matrix`) boots every combination. Both build images
# with compat_image, boot with compat_boot and judge with compat_expect_poweroff, so a cell
# means the same in both. docs/compat.md explains each value.

. "$SOFTOFF_TOP/tests/fault-lib.sh" # t_poweroff_under

COMPAT_ARRANGEMENTS='agent-daemon agent-run shell-respawn busybox-init acpid acpid2'
COMPAT_KERNELS='cloud generic'
COMPAT_CMDLINES='none quiet loglevel=1'
COMPAT_MACHINES='q35 pc microvm smp4'
# Press to QEMU's exit, as an upper bound: tens of ms when all is well, several seconds when
# the sequence waits out its kill-timeout (3 s) for children that a PID 1 keeps restarting.
COMPAT_POWEROFF_MS=${COMPAT_POWEROFF_MS:-3000}
# Seconds per boot: the generic kernel is ready after 35 s when the host is busy.
COMPAT_TIMEOUT=${COMPAT_TIMEOUT:-60}
# A long-running payload that writes all the time, as a user's service does.
COMPAT_PAYLOAD='echo "payload: running"; while :; do date >>/tmp/payload.log; sleep 0.1; done'
arrangements=$SOFTOFF_TOP/tests/data/arrangements
compat_data=$SOFTOFF_TOP/tests/data/compat

# need_kernel for a kernel of the matrix (cloud, generic).
compat_need_kernel() {
	case $1 in
	cloud) need_kernel ;;
	generic) need_kernel amd64 ;;
	*) t_abort "unknown kernel '$1' (cloud, generic)" ;;
	esac
}

# compat_image ARRANGEMENT OUT: build the image of ARRANGEMENT for T_MODULES into OUT.
compat_image() {
	case $1 in
	agent-daemon) set -- "$2" ;;
	agent-run) set -- "$2" --run "$COMPAT_PAYLOAD" ;;
	shell-respawn)
		set -- "$2" --init "$arrangements/shell-respawn.init" \
			--file "$compat_data/shell-workload.sh:/etc/compat/workload.sh"
		;;
	busybox-init)
		set -- "$2" --init "$arrangements/busybox-init.init" --file "$compat_data/inittab:/etc/inittab"
		;;
	acpid) set -- "$2" --acpid ;;
	acpid2)
		[ -x /usr/sbin/acpid ] || t_abort "no /usr/sbin/acpid (Debian package acpid: scripts/deps.sh test)"
		set -- "$2" --acpid2 /usr/sbin/acpid
		;;
	*) t_abort "unknown arrangement '$1' ($COMPAT_ARRANGEMENTS)" ;;
	esac
	build_image "$@"
}

# The host's TSC rate in kHz, for microvm (see compat_boot). A wrong rate only skews the
# guest's early clock: its watchdog soon falls back to jiffies (2 GHz when /proc says nothing).
host_tsc_khz() {
	awk '/^cpu MHz/ { printf "%d\n", $4 * 1000; found = 1; exit } END { if (!found) print 2000000 }' /proc/cpuinfo
}

# compat_boot ARRANGEMENT CMDLINE MACHINE INITRD [softoff_boot option...]: boot INITRD as
# that cell, press once when it is ready, wait for the end (softoff_boot's results).
compat_boot() {
	cb_arr=$1 cb_cmdline=$2 cb_machine=$3 cb_initrd=$4
	shift 4
	# TCG vCPUs on a busy host miss the kernel's IO-APIC timer check now and then ("IO-APIC +
	# timer doesn't work!", a panic before /init): VM images turn the check off, so do we.
	case $cb_cmdline in
	none) cb_append=no_timer_check ;;
	quiet | loglevel=[0-9]) cb_append="no_timer_check $cb_cmdline" ;;
	*) t_abort "unknown command line '$cb_cmdline' ($COMPAT_CMDLINES)" ;;
	esac
	# The ready line: the agent's armed line; the workload's once PID 1 waits for its
	# children; /init's once an acpid has the buttons open.
	case $cb_arr in
	shell-respawn)
		cb_append="$cb_append softoff.workload=/etc/compat/workload.sh"
		set -- --ready 'compat: services up' "$@"
		;;
	busybox-init) set -- --ready 'compat: services up' "$@" ;;
	acpid) set -- --ready 'softoff-init: busybox acpid started' "$@" ;;
	acpid2) set -- --ready 'softoff-init: acpid2 started' "$@" ;;
	esac
	case $cb_machine in
	q35 | pc) set -- --machine "$cb_machine" "$@" ;;
	smp4) set -- --machine q35 "$@" -- -smp 4 ;;
	microvm)
		# microvm has no PIT, HPET or PM timer under TCG: the kernel cannot calibrate the
		# TSC and hangs in its delay loop unless it is told the rate.
		cb_append="$cb_append tsc_early_khz=$(host_tsc_khz)"
		set -- --machine microvm,acpi=on "$@"
		;;
	*) t_abort "unknown machine '$cb_machine' ($COMPAT_MACHINES)" ;;
	esac
	softoff_boot --initrd "$cb_initrd" --timeout "$COMPAT_TIMEOUT" --append "$cb_append" "$@"
}

# Whether ARRANGEMENT runs the agent as a daemon, which must say `softoff-agent: armed`
# on the console (the acpid arrangements run `softoff-agent poweroff` only).
compat_has_daemon() {
	case $1 in acpid | acpid2) return 1 ;; esac
}

# compat_expect_poweroff ARRANGEMENT: what every cell must show: the armed line (hosts wait
# for it), a clean power-off through isa-debug-exit, promptly.
compat_expect_poweroff() {
	if compat_has_daemon "$1"; then
		expect_console 'softoff-agent: armed' "the armed line reaches the console"
	fi
	expect_status 99 "QEMU status (clean power-off through isa-debug-exit)"
	t_poweroff_under "$COMPAT_POWEROFF_MS"
}

# compat_result ARRANGEMENT: the last boot's result in a word or two, for the table (the
# same checks as compat_expect_poweroff): pass, "no ready line" (timed out before it),
# timeout, failed, "kernel panic or reset", status N, slow (status 99 but not within the
# bound), "no armed line".
compat_result() {
	case $boot_status in
	99) ;;
	timeout) if [ -z "$boot_armed_ms" ]; then echo 'no ready line'; else echo timeout; fi; return ;;
	failed) echo failed; return ;;
	*) if [ "$boot_rc" = 4 ]; then echo 'kernel panic or reset'; else echo "status $boot_status"; fi; return ;;
	esac
	if [ -z "$boot_exit_ms" ] || [ "$boot_exit_ms" -ge "$COMPAT_POWEROFF_MS" ]; then
		echo slow
	elif compat_has_daemon "$1" && ! console_has 'softoff-agent: armed'; then
		echo 'no armed line'
	else
		echo pass
	fi
}

# compat_test ARRANGEMENT KERNEL CMDLINE MACHINE: one cell as a test: build, boot, judge.
compat_test() {
	compat_need_kernel "$2"
	need_agent
	compat_image "$1" "$T_DIR/initrd.gz"
	compat_boot "$1" "$3" "$4" "$T_DIR/initrd.gz"
	compat_expect_poweroff "$1"
}
