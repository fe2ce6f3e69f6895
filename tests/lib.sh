# Shared helpers for softoff's integration tests (POSIX sh; source it, do not run it).
#
# Every QEMU launch goes through softoff_boot, so the tests move onto `softoff-qemu boot` by
# changing this one file. Until then QEMU is driven from here: its QMP monitor is a pair of
# FIFOs (`-qmp pipe:DIR/qmp` reads DIR/qmp.in, writes DIR/qmp.out), which needs no socat, nc
# or python: the shell holds qmp.in open read-write, so writing never blocks, even before QEMU
# has opened it.
#
# Environment: SOFTOFF_TOP (the repository), SOFTOFF_BUILD (its build dir), both defaulted
# from this file's location. SOFTOFF_SHOW_CONSOLE=1 echoes the console of every boot.

SOFTOFF_TOP=${SOFTOFF_TOP:-$(cd "$(dirname "$0")/../.." && pwd -P)}
SOFTOFF_BUILD=${SOFTOFF_BUILD:-$SOFTOFF_TOP/build}
export SOFTOFF_TOP SOFTOFF_BUILD
T_NAME=$(basename "$0" .sh)
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/softoff-$T_NAME.XXXXXX")
T_FAILED=0
T_KEEP=${SOFTOFF_KEEP:-0} # 1: keep T_DIR (console logs) after the test
boot_qemu_pid=

# --- test bookkeeping ------------------------------------------------------------------------

t_cleanup() {
	boot_kill_qemu
	if [ "$T_KEEP" = 1 ]; then echo "kept $T_DIR"; else rm -rf "$T_DIR"; fi
}
trap 't_cleanup' EXIT
trap 'exit 130' INT TERM HUP

now_ms() { date +%s%3N; }

# Report one check. Usage: t_ok DESCRIPTION / t_fail DESCRIPTION
t_ok() { echo "ok   $*"; }
t_fail() { echo "FAIL $*"; T_FAILED=$((T_FAILED + 1)); }

# t_check DESCRIPTION COMMAND...: run COMMAND; pass if it succeeds.
t_check() {
	t_desc=$1
	shift
	if "$@"; then t_ok "$t_desc"; else t_fail "$t_desc"; fi
}

# t_that DESCRIPTION SHELL-TEXT: pass if SHELL-TEXT (evaluated here) is true.
t_that() {
	if eval "$2"; then t_ok "$1"; else t_fail "$1"; fi
}

# Stop the test now (set-up failed: nothing else can be checked).
t_abort() {
	echo "FAIL $*"
	[ -n "${boot_console:-}" ] && [ -f "$boot_console" ] && t_console_tail
	exit 1
}

# The verdict: call last.
t_done() {
	if [ "$T_FAILED" = 0 ]; then
		echo "PASS $T_NAME"
		exit 0
	fi
	[ -n "${boot_console:-}" ] && [ -f "$boot_console" ] && t_console_tail
	echo "FAIL $T_NAME: $T_FAILED check(s) failed"
	exit 1
}

t_console_tail() {
	echo "--- last 40 console lines ($boot_console)"
	tail -n 40 "$boot_console" | tr -d '\r'
	echo "---"
}

# --- console assertions (on the last boot's console) ------------------------------------------

# Lines of the console that match an extended regex (carriage returns removed).
console_grep() { tr -d '\r' <"$boot_console" | grep -E "$@"; }
console_has() { console_grep -q -- "$1"; }
console_count() { console_grep -c -- "$1" || true; }
# Line number of the first line matching REGEX, or nothing.
console_line() { tr -d '\r' <"$boot_console" | grep -n -E -m 1 -- "$1" | cut -d: -f1; }

expect_console() { # regex [description]
	t_check "${2:-console shows /$1/}" console_has "$1"
}
expect_no_console() { # regex [description]
	if console_has "$1"; then t_fail "${2:-console does not show /$1/}"; else t_ok "${2:-console does not show /$1/}"; fi
}
expect_status() { # qemu-status [description]
	if [ "$boot_status" = "$1" ]; then
		t_ok "${2:-QEMU exit status} is $1"
	else
		t_fail "${2:-QEMU exit status} is $boot_status, expected $1"
	fi
}

# --- inputs: kernel, agent, images --------------------------------------------------------------

# The kernel directory of FLAVOUR (cloud-amd64 default), fetched through make when missing.
need_kernel() { # [flavour]
	flavour=${1:-cloud-amd64}
	case $flavour in
	cloud-amd64) kdir=$SOFTOFF_BUILD/kernel ;;
	*) kdir=$SOFTOFF_BUILD/kernel-$flavour ;;
	esac
	if [ ! -f "$kdir/modules/modules.dep" ] || [ ! -e "$kdir/vmlinuz" ]; then
		make -s -C "$SOFTOFF_TOP" kernel KERNEL_FLAVOUR="$flavour" >&2 ||
			t_abort "make kernel KERNEL_FLAVOUR=$flavour failed"
	fi
	T_KERNEL=$kdir/vmlinuz
	T_MODULES=$kdir/modules
}

# build/softoff-agent, built when agent/ exists.
need_agent() {
	T_AGENT=$SOFTOFF_BUILD/softoff-agent
	[ -x "$T_AGENT" ] && return 0
	[ -d "$SOFTOFF_TOP/agent" ] && make -s -C "$SOFTOFF_TOP" build/softoff-agent >&2
	[ -x "$T_AGENT" ] || t_abort "no agent: $T_AGENT is missing (make build/softoff-agent)"
}

# Build an image into OUT with the test kernel's modules and the agent; options go to the
# builder (see initramfs/mkinitramfs.sh --help).
build_image() { # out [mkinitramfs options...]
	bi_out=$1
	shift
	"$SOFTOFF_TOP/initramfs/mkinitramfs.sh" -q -o "$bi_out" --modules "$T_MODULES" \
		--agent "${T_AGENT:-$SOFTOFF_BUILD/softoff-agent}" "$@" >"$T_DIR/build.log" 2>&1 || {
		cat "$T_DIR/build.log"
		t_abort "building image $bi_out failed"
	}
	sed 's/^/    /' "$T_DIR/build.log"
}

# A hook file HOOKDIR/NAME running the shell text BODY.
make_hook() { # dir name body
	mkdir -p "$1"
	printf '#!/bin/sh\n%s\n' "$3" >"$1/$2"
	chmod 0755 "$1/$2"
}

# --- booting QEMU ------------------------------------------------------------------------------

# softoff_boot [options] [-- EXTRA-QEMU-ARGS]: boot, press the power button, wait for the end.
#   --kernel FILE        default: $T_KERNEL
#   --initrd FILE        required
#   --append TEXT        added to "console=ttyS0 panic=-1"
#   --press WHEN         armed (default: once the console shows the ready line), SECONDS after
#                        start, or never (wait for the guest to end by itself)
#   --ready REGEX        the ready line (default "softoff-agent: armed")
#   --presses N          presses sent back to back at first (default 1); then one every 2 s
#                        until QEMU exits
#   --debug-exit SPEC    the isa-debug-exit device: "default", none, or a -device value
#   --timeout SECONDS    whole run (default 60); then QEMU is killed
#   --console FILE       where the serial console goes (default T_DIR/console.N.log)
# Sets: boot_status (QEMU's exit status, or "timeout"), boot_console, boot_armed_ms (start
# to ready line, or empty), boot_exit_ms (first press to exit), boot_total_ms,
# boot_pressed (how many presses were sent).
# Returns 0 when QEMU ended by itself, 1 on timeout (or when the ready line never came).
softoff_boot() {
	boot_parse_args "$@" || return 1
	boot_start_qemu
	boot_result=0
	if [ "$boot_press" != never ]; then
		boot_wait_ready || boot_result=1
		[ "$boot_result" = 0 ] && boot_press_button
	fi
	boot_wait_exit || boot_result=1
	boot_report
	return $boot_result
}

boot_seq=0
boot_parse_args() {
	boot_kernel=${T_KERNEL:-$SOFTOFF_BUILD/kernel/vmlinuz} boot_initrd='' boot_append=''
	boot_press=armed boot_ready='softoff-agent: armed' boot_presses=1 boot_timeout=60
	boot_debug_exit=default boot_seq=$((boot_seq + 1))
	boot_console=$T_DIR/console.$boot_seq.log
	while [ $# -gt 0 ]; do
		case $1 in
		--kernel) boot_kernel=$2; shift ;;
		--initrd) boot_initrd=$2; shift ;;
		--append) boot_append=$2; shift ;;
		--press) boot_press=$2; shift ;;
		--ready) boot_ready=$2; shift ;;
		--presses) boot_presses=$2; shift ;;
		--debug-exit) boot_debug_exit=$2; shift ;;
		--timeout) boot_timeout=$2; shift ;;
		--console) boot_console=$2; shift ;;
		--) shift; break ;;
		*) echo "softoff_boot: unknown option '$1'" >&2; return 1 ;;
		esac
		shift
	done
	boot_extra_args="$*" # word-split on purpose: tests pass simple device options
	[ -n "$boot_initrd" ] || { echo "softoff_boot: --initrd is required" >&2; return 1; }
}

boot_start_qemu() {
	boot_run=$T_DIR/boot.$boot_seq
	mkdir -p "$boot_run"
	mkfifo "$boot_run/qmp.in" "$boot_run/qmp.out"
	exec 8<>"$boot_run/qmp.in"
	# the reader must not block QEMU's writes; it ends at QEMU's exit
	cat "$boot_run/qmp.out" >"$boot_run/qmp.log" &
	boot_qmp_reader=$!
	case $boot_debug_exit in
	default) set -- -device isa-debug-exit ;;
	none) set -- ;;
	*) set -- -device "$boot_debug_exit" ;;
	esac
	: >"$boot_console"
	[ "${SOFTOFF_SHOW_CONSOLE:-0}" = 1 ] && { tail -n +1 -f "$boot_console" & boot_tail=$!; }
	boot_t0=$(now_ms)
	# shellcheck disable=SC2086
	# `timeout` is a safety net: no QEMU outlives a test that was itself SIGKILLed
	(
		timeout -k 5 $((boot_timeout + 30)) qemu-system-x86_64 -accel tcg -machine q35 -m 256M -nodefaults -no-reboot \
			-display none -serial "file:$boot_console" -qmp "pipe:$boot_run/qmp" "$@" \
			-kernel "$boot_kernel" -initrd "$boot_initrd" \
			-append "console=ttyS0 panic=-1 $boot_append" $boot_extra_args \
			</dev/null 2>"$boot_run/qemu.err" &
		echo $! >"$boot_run/qemu.pid"
		wait $!
		echo $? >"$boot_run/status.tmp"
		mv "$boot_run/status.tmp" "$boot_run/status"
	) &
	while [ ! -s "$boot_run/qemu.pid" ]; do sleep 0.01; done
	boot_qemu_pid=$(cat "$boot_run/qemu.pid")
	printf '{"execute":"qmp_capabilities"}\n' >&8
}

boot_exited() { [ -f "$boot_run/status" ]; }
boot_deadline_passed() { [ $(($(now_ms) - boot_t0)) -ge $((boot_timeout * 1000)) ]; }

boot_wait_ready() {
	boot_armed_ms=
	if [ "$boot_press" != armed ]; then
		while [ $(($(now_ms) - boot_t0)) -lt $((boot_press * 1000)) ]; do
			boot_exited && return 1
			sleep 0.05
		done
		return 0
	fi
	until grep -qE -- "$boot_ready" "$boot_console"; do
		if boot_exited || boot_deadline_passed; then
			echo "softoff_boot: no /$boot_ready/ on the console" >&2
			return 1
		fi
		sleep 0.05
	done
	boot_armed_ms=$(($(now_ms) - boot_t0))
}

# Press (N times at once), then again every 2 s until QEMU exits or the deadline passes.
boot_press_button() {
	boot_t_press=$(now_ms)
	[ "${SOFTOFF_SHOW_CONSOLE:-0}" = 1 ] && echo ">>> pressing the power button (QMP system_powerdown)"
	i=0
	while [ $i -lt "$boot_presses" ]; do
		printf '{"execute":"system_powerdown"}\n' >&8
		i=$((i + 1))
	done
	boot_presses_sent=$boot_presses
	while ! boot_exited && ! boot_deadline_passed; do
		sleep 0.05
		if [ $(($(now_ms) - boot_t_press)) -ge $((boot_presses_sent * 2000 / boot_presses)) ]; then
			printf '{"execute":"system_powerdown"}\n' >&8
			boot_presses_sent=$((boot_presses_sent + boot_presses))
		fi
	done
}

boot_wait_exit() {
	until boot_exited; do
		if boot_deadline_passed; then
			echo "softoff_boot: timed out after ${boot_timeout}s; killing QEMU" >&2
			boot_kill_qemu
			boot_status=timeout
			return 1
		fi
		sleep 0.05
	done
	boot_t_end=$(now_ms)
	boot_status=$(cat "$boot_run/status")
	boot_qemu_pid=
	boot_stop_helpers
}

boot_stop_helpers() {
	exec 8>&-
	[ -n "${boot_qmp_reader:-}" ] && kill "$boot_qmp_reader" 2>/dev/null
	[ -n "${boot_tail:-}" ] && { sleep 0.2; kill "$boot_tail" 2>/dev/null; }
	boot_qmp_reader='' boot_tail=''
	wait 2>/dev/null
}

boot_kill_qemu() {
	if [ -n "${boot_qemu_pid:-}" ]; then
		# the pid is timeout's: it passes SIGTERM on to QEMU, which quits at once
		kill -TERM "$boot_qemu_pid" 2>/dev/null
		i=0
		while ! boot_exited && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
		boot_exited || kill -KILL "$boot_qemu_pid" 2>/dev/null
		boot_qemu_pid=
	fi
	boot_stop_helpers 2>/dev/null
}

boot_report() {
	boot_total_ms=$(($(now_ms) - boot_t0))
	boot_exit_ms=
	[ -n "${boot_t_press:-}" ] && [ -n "${boot_t_end:-}" ] && boot_exit_ms=$((boot_t_end - boot_t_press))
	echo "boot: status $boot_status; ready ${boot_armed_ms:-?} ms; press->exit ${boot_exit_ms:-?} ms;" \
		"presses ${boot_presses_sent:-0}; total $boot_total_ms ms; console $boot_console"
	if [ -s "$boot_run/qemu.err" ]; then sed 's/^/qemu: /' "$boot_run/qemu.err"; fi
	boot_pressed=${boot_presses_sent:-0}
	boot_t_press='' boot_t_end='' boot_presses_sent=''
}
