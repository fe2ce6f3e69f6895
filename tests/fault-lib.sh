# Helpers for the fault-*.sh tests (POSIX sh): sources tests/lib.sh, so one line is the
# whole preamble of a fault test: . "$(dirname "$0")/../fault-lib.sh"
#
# Adds: kernel timestamps of console lines (to check when something happened in the guest),
# range checks, and a way to run `softoff-qemu run` / `softoff-qemu boot` in the background
# with a known pid, so that a test can signal it, SIGKILL it, or SIGKILL its QEMU.

. "$(dirname "$0")/../lib.sh"

# --- console timing -----------------------------------------------------------------------------

# Kernel timestamp in ms ("[    4.340276] ..." -> 4340) of the Nth (default first) line of
# the last boot's console that matches REGEX, or nothing.
console_ms() { # regex [n]
	tr -d '\r' <"$boot_console" | grep -E -- "$1" | sed -n "${2:-1}p" |
		awk 'match($0, /^\[ *[0-9]+\.[0-9]+\]/) {
			t = substr($0, RSTART + 1, RLENGTH - 2); sub(/^ +/, "", t); printf "%d\n", t * 1000 }'
}

# t_within DESCRIPTION VALUE LOW HIGH: pass if VALUE is a number in [LOW, HIGH].
t_within() {
	case $2 in
	'' | *[!0-9-]*) t_fail "$1 (no value)" ;;
	*) if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then t_ok "$1 ($2, expected $3..$4)"; else
		t_fail "$1 ($2, expected $3..$4)"; fi ;;
	esac
}

# t_poweroff_under MS: softoff_boot's press-to-exit time (boot_exit_ms) was under MS ms.
t_poweroff_under() {
	t_that "power-off took under $(($1 / 1000)) s after the press (${boot_exit_ms:-?} ms)" \
		'[ -n "$boot_exit_ms" ] && [ "$boot_exit_ms" -lt '"$1"' ]'
}

# t_before DESCRIPTION REGEX-A REGEX-B: the first line matching A comes before the first
# matching B on the last boot's console (both present).
t_before() {
	tb_a=$(console_line "$2")
	tb_b=$(console_line "$3")
	t_that "$1 (lines ${tb_a:-none} < ${tb_b:-none})" \
		'[ -n "$tb_a" ] && [ -n "$tb_b" ] && [ "$tb_a" -lt "$tb_b" ]'
}

# --- softoff-qemu in the background -------------------------------------------------------------

# The set-up of the tests that use fault_start_armed: the kernel, the agent, softoff-qemu,
# and the default image in T_DIR/initrd.gz.
fault_need_default_image() {
	need_kernel
	need_agent
	need_harness
	build_image "$T_DIR/initrd.gz"
}

# fault_start_armed MODE CONSOLE: start `softoff-qemu run` (grace 10 s, isa-debug-exit) or
# `softoff-qemu boot` (no press, 30 s timeout) on T_DIR/initrd.gz in the background as bg job
# MODE, its console in CONSOLE; return once the guest is armed, with the QEMU's pid in
# qemu_pid. Aborts the test if there is no QEMU or no armed line within 30 s.
fault_start_armed() { # run|boot console
	fs_mode=$1 fs_console=$2
	if [ "$fs_mode" = run ]; then
		guest_qemu "$T_DIR/qemu" "$T_DIR/initrd.gz" "$fs_console"
		bg_start run "$T_HARNESS" run --grace 10 -- "$T_DIR/qemu"
	else
		bg_start boot "$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/initrd.gz" \
			--press never --timeout 30 --console "$fs_console"
	fi
	qemu_pid=$(qemu_of "$bg_pid") || t_abort "softoff-qemu $fs_mode started no QEMU"
	wait_for_line "$fs_console" 'softoff-agent: armed' 30 ||
		t_abort "the guest did not arm under $fs_mode"
}

# bg_start NAME COMMAND...: run COMMAND in the background (stdin /dev/null, output in
# T_DIR/NAME.out). Sets bg_pid (COMMAND's own pid: signal it directly) and bg_t0.
# bg_wait NAME SECONDS then gives its exit status in bg_status ("timeout" if still running)
# and shows its output.
bg_start() {
	bg_dir=$T_DIR/bg.$1
	shift
	mkdir -p "$bg_dir"
	bg_t0=$(now_ms)
	(
		"$@" >"$bg_dir.out" 2>&1 </dev/null &
		echo $! >"$bg_dir/pid"
		wait $!
		echo $? >"$bg_dir/status.tmp"
		mv "$bg_dir/status.tmp" "$bg_dir/status"
	) &
	while [ ! -s "$bg_dir/pid" ]; do sleep 0.01; done
	bg_pid=$(cat "$bg_dir/pid")
	bg_pids="${bg_pids:-} $bg_pid"
}

bg_wait() { # name seconds [regex of output lines not to show]
	bw_dir=$T_DIR/bg.$1
	bw_end=$(($(now_ms) + $2 * 1000))
	while [ ! -f "$bw_dir/status" ] && [ "$(now_ms)" -lt "$bw_end" ]; do sleep 0.05; done
	bg_ms=$(($(now_ms) - bg_t0))
	if [ -f "$bw_dir/status" ]; then bg_status=$(cat "$bw_dir/status"); else bg_status=timeout; fi
	echo "$1: status $bg_status after $bg_ms ms"
	grep -Ev -- "${3:-^\$.}" "$T_DIR/bg.$1.out" | sed 's/^/    | /'
}

# The pids of PID's children (one line each).
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | sed '/^$/d'; }

# PID's descendants, children first (one pid a line).
descendants_of() {
	for d_c in $(children_of "$1"); do
		echo "$d_c"
		descendants_of "$d_c"
	done
}

# The pid of the QEMU that the softoff-qemu process PID started (its child, or a child of
# its child), once it runs a guest (10 s at most).
qemu_of() { # pid
	i=0
	while [ $i -lt 200 ]; do
		for c in $(descendants_of "$1"); do
			case $(cat /proc/"$c"/comm 2>/dev/null) in qemu-system*) echo "$c"; return 0 ;; esac
		done
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# Nothing a test started outlives it: its harnesses and their QEMUs, by pid.
fault_cleanup() {
	for p in ${bg_pids:-}; do
		for c in $(descendants_of "$p"); do kill -KILL "$c" 2>/dev/null; done
		kill -KILL "$p" 2>/dev/null
	done
	t_cleanup
}
trap 'fault_cleanup' EXIT
