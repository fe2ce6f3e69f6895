# Shared helpers for softoff's integration tests (POSIX sh; source it, do not run it).
#
# Every boot test runs `softoff-qemu boot` through softoff_boot; the harness tests call
# softoff-qemu ($T_HARNESS) directly. Each test gets T_DIR, a private temporary directory
# removed at exit, and ends with t_done.
#
# Environment: SOFTOFF_TOP (the repository), SOFTOFF_BUILD (its build dir), both defaulted
# from this file's location. SOFTOFF_SHOW_CONSOLE=1 echoes the console of every boot;
# SOFTOFF_KEEP=1 keeps T_DIR (console logs, softoff-qemu's logs).

SOFTOFF_TOP=${SOFTOFF_TOP:-$(cd "$(dirname "$0")/../.." && pwd -P)}
SOFTOFF_BUILD=${SOFTOFF_BUILD:-$SOFTOFF_TOP/build}
export SOFTOFF_TOP SOFTOFF_BUILD
T_NAME=$(basename "$0" .sh)
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/softoff-$T_NAME.XXXXXX")
T_FAILED=0
T_KEEP=${SOFTOFF_KEEP:-0}
T_HARNESS=$SOFTOFF_BUILD/softoff-qemu
FAKE_QEMU=$SOFTOFF_TOP/tests/unit/fixtures/harness/fake-qemu # a QEMU that speaks bad QMP
T_PIDS=    # processes to kill at exit (t_track)
boot_pid=  # a running softoff_boot's softoff-qemu
boot_seq=0

# --- test bookkeeping ------------------------------------------------------------------------

t_cleanup() {
	# softoff-qemu stops its QEMU on SIGTERM; the tracked processes get no second chance
	[ -n "$boot_pid" ] && kill -TERM "$boot_pid" 2>/dev/null && wait "$boot_pid" 2>/dev/null
	for p in $T_PIDS; do kill -KILL "$p" 2>/dev/null; done
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

# Nothing to test here (a tool is missing): pass with a SKIP line.
t_skip() {
	echo "SKIP $T_NAME: $*"
	exit 0
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

# --- processes -----------------------------------------------------------------------------

# t_track PID...: SIGKILL these at exit (the test's own QEMUs and softoff-qemus).
t_track() { T_PIDS="$T_PIDS $*"; }

# Alive = exists and is not a zombie.
pid_alive() {
	pa_state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/"$1"/status 2>/dev/null)
	[ -n "$pa_state" ] && [ "$pa_state" != Z ] && [ "$pa_state" != X ]
}

# The first child of PID (QEMU under softoff-qemu), waiting up to 5 s.
first_child_of() {
	for _ in $(seq 50); do
		fc_pid=$(pgrep -P "$1" | head -n 1)
		[ -n "$fc_pid" ] && { echo "$fc_pid"; return 0; }
		sleep 0.1
	done
	return 1
}

# Wait until FILE has a line matching REGEX (SECONDS at most).
wait_for_line() { # file regex seconds
	wl_end=$(($(now_ms) + $3 * 1000))
	until tr -d '\r' 2>/dev/null <"$1" | grep -qE -- "$2"; do
		[ "$(now_ms)" -ge "$wl_end" ] && return 1
		sleep 0.05
	done
}

# wait_for_socket PATH SECONDS: until PATH is a socket; status 1 at the timeout.
wait_for_socket() {
	ws_end=$(($(now_ms) + $2 * 1000))
	until [ -S "$1" ]; do
		[ "$(now_ms)" -ge "$ws_end" ] && return 1
		sleep 0.05
	done
}

# --- console assertions (on the last boot's console) ------------------------------------------

# The console as lines, carriage returns removed and kernel messages cut out of the lines
# they landed in. The kernel prints to the serial port directly, so a message can split a
# line a program is writing: "softoff: stopped b[   10.02] Not activating ...\nefore the".
# That becomes the kernel's line, then "softoff: stopped before the" whole.
console_text() {
	tr -d '\r' <"$boot_console" | awk '{
		while (match($0, /.\[ *[0-9]+\.[0-9]+\] /)) {
			pre = substr($0, 1, RSTART)
			print substr($0, RSTART + 1)
			if ((getline rest) <= 0)
				rest = ""
			$0 = pre rest
		}
		print
	}'
}
# Lines of the console that match an extended regex.
console_grep() { console_text | grep -E "$@"; }
console_has() { console_grep -q -- "$1"; }
console_count() { console_grep -c -- "$1" || true; }
# Line number of the first line matching REGEX, or nothing.
console_line() { console_text | grep -n -E -m 1 -- "$1" | cut -d: -f1; }

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

# --- inputs: kernel, agent, harness, images -----------------------------------------------------

# The kernel directory of FLAVOUR (cloud-amd64 default), fetched through make when missing.
need_kernel() { # [flavour]
	flavour=${1:-cloud-amd64}
	case $flavour in
	cloud-amd64) kdir=$SOFTOFF_BUILD/kernel ;;
	cloud-arm64) kdir=$SOFTOFF_BUILD/kernel-arm64 ;;
	*) kdir=$SOFTOFF_BUILD/kernel-$flavour ;;
	esac
	if [ ! -f "$kdir/modules/modules.dep" ] || [ ! -e "$kdir/vmlinuz" ]; then
		make -s -C "$SOFTOFF_TOP" kernel KERNEL_FLAVOUR="$flavour" >&2 ||
			t_abort "make kernel KERNEL_FLAVOUR=$flavour failed"
	fi
	T_KERNEL=$kdir/vmlinuz
	T_MODULES=$kdir/modules
}

# need_built PATH: build/PATH through make when it is missing.
need_built() {
	[ -x "$SOFTOFF_BUILD/$1" ] || make -s -C "$SOFTOFF_TOP" "build/$1" >&2
	[ -x "$SOFTOFF_BUILD/$1" ] || t_abort "$SOFTOFF_BUILD/$1 is missing (make build/$1)"
}

need_agent() { need_built softoff-agent && T_AGENT=$SOFTOFF_BUILD/softoff-agent; }

# An arm64 guest: Debian's cloud arm64 kernel, the arm64 agent, and T_ARCH=aarch64 for
# guest_qemu (softoff-qemu boot reads the architecture from the kernel image itself).
need_arm64() {
	command -v qemu-system-aarch64 >/dev/null && [ -f "$T_ARM64_FIRMWARE" ] ||
		t_abort "qemu-system-aarch64 or $T_ARM64_FIRMWARE missing (scripts/deps.sh test)"
	need_kernel cloud-arm64
	need_built arm64/softoff-agent
	T_AGENT=$SOFTOFF_BUILD/arm64/softoff-agent
	T_ARCH=aarch64
}
T_ARM64_FIRMWARE=/usr/share/qemu-efi-aarch64/QEMU_EFI.fd

# The guest a test that runs on both architectures boots: x86_64 (the cloud kernel and the
# agent), or an arm64 one when the file that sources the test sets T_GUEST_ARCH=aarch64.
need_guest() {
	if [ "${T_GUEST_ARCH:-x86_64}" = aarch64 ]; then
		need_arm64
	else
		need_kernel
		need_agent
	fi
}

# The Debian packages from `make deb` (built once for tests running in parallel): sets
# T_DEB_AGENT and T_DEB_QEMU.
need_debs() {
	mkdir -p "$SOFTOFF_BUILD"
	flock "$SOFTOFF_BUILD/deb.lock" make -s -C "$SOFTOFF_TOP" deb >"$T_DIR/deb.log" 2>&1 || {
		tail -n 30 "$T_DIR/deb.log"
		t_abort "make deb failed"
	}
	nd_version=$(cat "$SOFTOFF_TOP/VERSION")
	T_DEB_AGENT=$SOFTOFF_BUILD/deb/softoff-agent_${nd_version}_amd64.deb
	T_DEB_QEMU=$SOFTOFF_BUILD/deb/softoff-qemu_${nd_version}_amd64.deb
	[ -f "$T_DEB_AGENT" ] && [ -f "$T_DEB_QEMU" ] || t_abort "make deb made no $T_DEB_AGENT, $T_DEB_QEMU"
}
need_harness() { need_built softoff-qemu; }

# Debian's python3 with python3-junitparser, an independent reader of boot's --junit XML:
# skips the test without it. junit_python runs it with tests/tools (junit_suite.py) importable.
need_junitparser() {
	junit_python -c 'import junitparser' 2>/dev/null ||
		t_skip "python3-junitparser is not installed (scripts/deps.sh test)"
}
junit_python() {
	PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$SOFTOFF_TOP/tests/tools /usr/bin/python3 "$@"
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

# The full Debian guest NAME (debian-guest/build.sh, cached in build/debian-guest/NAME) with the
# data-safety records service enabled; more builder options (--no-softoff) follow the name.
# Sets T_DEBIAN (rootfs.img, vmlinuz, initrd.img).
need_debian_guest() { # name [debian-guest/build.sh options...]
	T_DEBIAN=$SOFTOFF_BUILD/debian-guest/$1
	shift
	"$SOFTOFF_TOP/debian-guest/build.sh" --out "$T_DEBIAN" "$@" \
		--file "$SOFTOFF_TOP/tests/data/records.sh:/usr/local/bin/records" \
		--file "$SOFTOFF_TOP/tests/data/records.service:/etc/systemd/system/softoff-records.service" \
		--enable softoff-records.service:multi-user.target >"$T_DIR/debian-guest.log" 2>&1 || {
		tail -n 20 "$T_DIR/debian-guest.log"
		t_abort "building the Debian guest $T_DEBIAN failed"
	}
	sed 's/^/    /' "$T_DIR/debian-guest.log"
}

# One tests/data-safety.sh cycle on the Debian guest T_DEBIAN (more options: --grace N).
# Sets ds_out (its report, also printed) and ds_rc (its status); ds_says TEXT greps the report.
debian_data_safety() {
	ds_out=$("$SOFTOFF_TOP/tests/data-safety.sh" --debian "$T_DEBIAN" --cycles 1 "$@")
	ds_rc=$?
	echo "$ds_out"
}
ds_says() { echo "$ds_out" | grep -q -- "$1"; }
# An initramfs image made inside a throwaway Debian root by GENERATOR (initramfs-tools or
# dracut) after `dpkg -i` of the softoff-agent package (tests/debian-image.sh; cached). Sets
# T_IMAGE and T_IMAGE_LIST (its file list). Needs root and mmdebstrap, else the test is skipped.
need_debian_image() { # generator
	[ "$(id -u)" = 0 ] || t_skip "needs root (chroot into a Debian root)"
	command -v mmdebstrap >/dev/null || t_skip "mmdebstrap missing (scripts/deps.sh test)"
	need_kernel amd64
	need_debs
	"$SOFTOFF_TOP/tests/debian-image.sh" "$1" "$T_DEB_AGENT" >"$T_DIR/image.log" 2>&1 || {
		tail -n 30 "$T_DIR/image.log"
		t_abort "tests/debian-image.sh $1 failed"
	}
	sed 's/^/    /' "$T_DIR/image.log"
	T_IMAGE=$(tail -n 1 "$T_DIR/image.log")
	T_IMAGE_LIST=$T_IMAGE.list
}

# A root disk OUT (ext4, raw) whose /sbin/init (static busybox) reports how many
# softoff-agent processes survived the switch from the initramfs, then powers off.
make_real_root_disk() { # out
	mr_dir=$T_DIR/real-root
	# proc, sys and dev: dracut takes a root without them for a broken layout
	mkdir -p "$mr_dir/bin" "$mr_dir/sbin" "$mr_dir/proc" "$mr_dir/sys" "$mr_dir/dev"
	cp /bin/busybox "$mr_dir/bin/busybox"
	cat >"$mr_dir/sbin/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
n=0
for comm in /proc/[0-9]*/comm; do
	[ "$(/bin/busybox cat "$comm" 2>/dev/null)" = softoff-agent ] && n=$((n + 1))
done
echo "real-root: PID 1 is $(/bin/busybox cat /proc/1/comm); softoff-agent processes: $n"
/bin/busybox poweroff -f
INIT
	chmod 0755 "$mr_dir/sbin/init"
	mke2fs -q -t ext4 -d "$mr_dir" "$1" 16M || t_abort "mke2fs -d $mr_dir $1 failed"
}

# Each extended REGEX names a path in the image (T_IMAGE_LIST: lsinitramfs's or lsinitrd's
# listing; the path is a whole word of a line).
expect_image_has() { # regex...
	for eh_path; do
		t_check "the image has $eh_path" grep -qE "(^| )$eh_path( |\$)" "$T_IMAGE_LIST"
	done
}

# The agent's armed line comes before the first console line matching REGEX (WHAT names it).
expect_armed_before() { # regex what
	ea_armed=$(console_line 'softoff-agent: armed')
	ea_other=$(console_line "$1")
	t_that "armed (line ${ea_armed:-none}) before $2 (line ${ea_other:-none})" \
		'[ -n "$ea_armed" ] && [ -n "$ea_other" ] && [ "$ea_armed" -lt "$ea_other" ]'
}

# The checks after a boot that one press should have ended: QEMU status 99, the agent armed on
# the ACPI button, and one shutdown, started by the first press. softoff-qemu presses again
# every 2 s until QEMU ends, and in a distribution's initramfs the teardown may take longer
# (it waits kill-timeout for the processes PID 1 keeps starting): later presses must be
# logged as ignored.
expect_press_poweroff() { # while-description
	expect_status 99 "QEMU status after a press while $1"
	expect_console 'softoff-agent: armed on /dev/input/event[0-9]+ \(Power Button, LNXPWRBN/' \
		"the agent is armed on the ACPI power button"
	t_that "one shutdown, from the first press ($boot_pressed presses sent)" \
		'[ "$(console_count "softoff-agent: shutting down")" = 1 ] &&
		 [ "$(console_count "during shutdown: ignored")" = $((boot_pressed - 1)) ]'
	echo "figures: boot to ready $boot_armed_ms ms, press to exit $boot_exit_ms ms"
}

# expect_in_order DESCRIPTION REGEX...: the first console line matching each REGEX comes
# after the one matching the REGEX before it.
expect_in_order() {
	io_desc=$1
	shift
	io_prev=0 io_lines= io_ok=1
	for io_re; do
		io_line=$(console_line "$io_re")
		io_lines="$io_lines ${io_line:-none}"
		{ [ -n "$io_line" ] && [ "$io_line" -gt "$io_prev" ]; } || io_ok=0
		io_prev=${io_line:-0}
	done
	t_that "$io_desc (console lines$io_lines)" '[ $io_ok = 1 ]'
}

# A button whose module loaded after the agent started: the agent said it was waiting before
# the kernel added the ACPI button, and armed on it after.
expect_late_button_armed() {
	expect_in_order "the agent waited for a button, the button appeared, the agent armed on it" \
		'softoff-agent: waiting for a power button' 'input: Power Button' \
		'softoff-agent: armed on .*LNXPWRBN'
}

# Boots T_IMAGE (a distribution's image with the softoff-agent package) with a small real root
# disk, no press: the agent must run in the initramfs, STAGE must stop it before the switch,
# and the real root's init must find no softoff-agent.
expect_agent_stopped_before_real_root() { # stage
	make_real_root_disk "$T_DIR/root.img"
	# no_timer_check: the generic kernel's IO-APIC timer check fails on a loaded TCG host
	softoff_boot --initrd "$T_IMAGE" --memory 1G --timeout 270 --append "root=/dev/vda no_timer_check" \
		--disk "$T_DIR/root.img" --ready 'real-root: ' --press never --expect qemu:0
	expect_console 'softoff-agent: armed' "the agent ran in the initramfs"
	expect_console 'softoff: softoff-agent stopped before the switch to the real root' \
		"$1 stopped the agent"
	expect_no_console 'agent-ctl: .*not found' "agent-ctl needs no tool the image lacks (klibc has no rm)"
	expect_console 'real-root: PID 1 is init; softoff-agent processes: 0' \
		"the real root's init runs with no softoff-agent left"
}

# --- images whose /init is the agent itself (docs/initramfs.md, "The embedded image") ---------

# image_add_module DIR NAME: copies NAME.ko from T_MODULES (uncompressed, as Debian's kernels
# ship them) into DIR at its place under /lib/modules/VERSION and prints that path in the image.
image_add_module() {
	am_rel=$(sed -n "s|^\([^:]*/$2\.ko\):.*|\1|p" "$T_MODULES/modules.dep")
	[ -n "$am_rel" ] || t_abort "no $2.ko in $T_MODULES/modules.dep"
	am_path=/lib/modules/$(basename "$(readlink -f "$T_MODULES")")/$am_rel
	mkdir -p "$1${am_path%/*}"
	cp "$T_MODULES/$am_rel" "$1$am_path" || t_abort "copy $am_rel failed"
	echo "$am_path"
}

# agent_image_dir DIR [MODULE...]: the tree of a minimal image: the agent as /init and each
# MODULE (evdev, button) of the test kernel, listed in that order in /etc/softoff/modules.
# Pack it with pack_image.
agent_image_dir() {
	ai_dir=$1
	shift
	need_agent
	mkdir -p "$ai_dir/etc/softoff"
	cp "$T_AGENT" "$ai_dir/init"
	: >"$ai_dir/etc/softoff/modules"
	for ai_name; do
		image_add_module "$ai_dir" "$ai_name" >>"$ai_dir/etc/softoff/modules"
	done
}

# image_add_payload DIR: build/tests/guest/payload as DIR/payload.
image_add_payload() {
	need_built tests/guest/payload
	cp "$SOFTOFF_BUILD/tests/guest/payload" "$1/payload"
}

# pack_image DIR OUT: DIR as an uncompressed newc cpio archive, parents before their entries.
pack_image() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$2" || t_abort "cpio of $1 failed"
}

# A hook file HOOKDIR/NAME running the shell text BODY.
make_hook() { # dir name body
	mkdir -p "$1"
	printf '#!/bin/sh\n%s\n' "$3" >"$1/$2"
	chmod 0755 "$1/$2"
}

# --- booting QEMU ------------------------------------------------------------------------------

# guest_qemu FILE INITRD CONSOLE [APPEND]: writes FILE, an executable that runs QEMU on
# T_KERNEL and INITRD as softoff-qemu boot would (TCG, q35, 256M, isa-debug-exit, no
# reboot; with T_ARCH=aarch64: virt, cortex-a57, UEFI, semihosting), the serial console
# going to the file CONSOLE, plus the arguments it is given: a QEMU command line for
# `softoff-qemu run -- FILE`. No quotes in the paths.
guest_qemu() {
	case ${T_ARCH:-x86_64} in
	aarch64)
		gq_machine="qemu-system-aarch64 -machine virt -cpu cortex-a57 -bios $T_ARM64_FIRMWARE"
		gq_machine="$gq_machine -semihosting-config enable=on,target=native,userspace=on"
		gq_append="console=ttyAMA0 panic=-1" ;;
	*)
		gq_machine="qemu-system-x86_64 -machine q35 -device isa-debug-exit,iobase=0x501,iosize=2"
		gq_append="console=ttyS0 panic=-1 no_timer_check" ;;
	esac
	cat >"$1" <<QEMU
#!/bin/sh
exec $gq_machine -accel tcg -m 256M -nodefaults -no-reboot -display none \\
	-serial 'file:$3' \\
	-kernel '$T_KERNEL' -initrd '$2' -append '$gq_append ${4:-}' "\$@"
QEMU
	chmod +x "$1"
}

# softoff_boot [OPTION...] [-- EXTRA-QEMU-ARG...]: one `softoff-qemu boot` (see its --help):
# boot, press the power button, wait for the end. The options are softoff-qemu boot's, with
# the defaults --kernel $T_KERNEL, --timeout 60, --console T_DIR/console.N.log. Mostly used:
#   --initrd FILE (without it, the image softoff-qemu makes in memory), --append TEXT, --press armed|SECONDS|never, --ready REGEX,
#   --presses N, --press-interval SECONDS, --debug-exit DEVICE|none, --timeout SECONDS.
# Whatever the status, the tests judge it (expect_status); --expect does not matter here.
# Sets:
#   boot_status    QEMU's exit status; "timeout" (stopped at --timeout); "failed" (QEMU did
#                  not start, its monitor failed, or softoff-qemu was interrupted)
#   boot_console   the console log
#   boot_armed_ms  QEMU's start to the ready line (empty if it never came)
#   boot_exit_ms   first press to QEMU's exit (empty without a press)
#   boot_pressed   how many presses were sent
#   boot_dir       T_DIR/boot.N: `out` (softoff-qemu's stdout: console echo, then TAP with
#                  the figures) and `qmp.log` (its --verbose log: QMP traffic, events)
# Returns 0 when QEMU ended by itself, else 1.
softoff_boot() {
	need_harness
	boot_seq=$((boot_seq + 1))
	boot_dir=$T_DIR/boot.$boot_seq
	boot_console=$(boot_option --console "$T_DIR/console.$boot_seq.log" "$@")
	mkdir -p "$boot_dir"
	"$T_HARNESS" boot --tap --verbose --kernel "${T_KERNEL:-$SOFTOFF_BUILD/kernel/vmlinuz}" \
		--timeout 60 --console "$boot_console" "$@" \
		>"$boot_dir/out" 2>"$boot_dir/qmp.log" </dev/null &
	boot_pid=$!
	if [ "${SOFTOFF_SHOW_CONSOLE:-0}" = 1 ]; then
		tail -s 0.1 --pid="$boot_pid" -n +1 -f "$boot_dir/out" &
		boot_tail=$!
	fi
	wait "$boot_pid"
	boot_rc=$?
	boot_pid=
	[ -n "${boot_tail:-}" ] && wait "$boot_tail"
	boot_tail=
	boot_read_result
}

# The value of option NAME in an argument list (before --), or DEFAULT.
boot_option() { # name default args...
	bo_name=$1 bo_value=$2
	shift 2
	while [ $# -gt 1 ] && [ "$1" != -- ]; do
		[ "$1" = "$bo_name" ] && bo_value=$2
		shift
	done
	echo "$bo_value"
}

# One figure from the YAML block after softoff-qemu's TAP line (qemu-status, boot-ms, ...).
boot_figure() {
	sed -n '/^\(not \)\{0,1\}ok 1 - /,/^  \.\.\.$/s/^  '"$1"': //p' "$boot_dir/out"
}

boot_read_result() {
	boot_status=$(boot_figure qemu-status)
	case $boot_rc in 3 | 9) boot_status=timeout ;; esac # before / after the press
	boot_status=${boot_status:-failed}
	boot_armed_ms=$(boot_figure boot-ms)
	boot_exit_ms=$(boot_figure power-off-ms)
	boot_pressed=$(boot_figure presses)
	boot_pressed=${boot_pressed:-0}
	echo "boot: status $boot_status; ready ${boot_armed_ms:-?} ms; press->exit ${boot_exit_ms:-?} ms;" \
		"presses $boot_pressed; console $boot_console"
	# softoff-qemu's verdict and QEMU's own output (the console tail comes with t_done)
	sed -n '/^\(not \)\{0,1\}ok 1 - /,$p' "$boot_dir/out" | grep -v '^#   | \|^# last console\|^  ' | sed 's/^/    /'
	if [ "$boot_status" = failed ]; then
		grep -v '^softoff-qemu: \(qmp [<-]\|QMP \)' "$boot_dir/qmp.log" | tail -n 20 | sed 's/^/    /'
		return 1
	fi
	[ "$boot_status" != timeout ]
}
