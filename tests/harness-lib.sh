# Shell helpers for the softoff-qemu integration tests (tests/integration/harness-*.sh).
# Source it; it sets SQ (the softoff-qemu binary), FAKE_QEMU, H_DIR (a temporary directory
# removed at exit) and kills every process recorded with h_track at exit.
# Environment: SOFTOFF_TOP, SOFTOFF_BUILD (defaulted from this file's location).

SOFTOFF_TOP=${SOFTOFF_TOP:-$(cd "$(dirname "$0")/../.." && pwd -P)}
SOFTOFF_BUILD=${SOFTOFF_BUILD:-$SOFTOFF_TOP/build}
export SOFTOFF_TOP SOFTOFF_BUILD
SQ=$SOFTOFF_BUILD/softoff-qemu
FAKE_QEMU=$SOFTOFF_TOP/tests/unit/fixtures/harness/fake-qemu
H_NAME=$(basename "$0" .sh)
H_DIR=$(mktemp -d "${TMPDIR:-/tmp}/softoff-$H_NAME.XXXXXX")
H_FAILED=0
H_PIDS=

h_cleanup() {
	for p in $H_PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$H_DIR"
}
trap h_cleanup EXIT
trap 'exit 130' INT TERM HUP

h_ok() { echo "ok   $*"; }
h_fail() { echo "FAIL $*"; H_FAILED=$((H_FAILED + 1)); }
# h_that DESCRIPTION SHELL-TEXT
h_that() { if eval "$2"; then h_ok "$1"; else h_fail "$1"; fi; }
h_done() {
	[ "$H_FAILED" = 0 ] && { echo "PASS $H_NAME"; exit 0; }
	echo "FAIL $H_NAME ($H_FAILED checks failed)"
	exit 1
}
h_skip() { echo "SKIP $H_NAME: $*"; exit 0; }
h_track() { H_PIDS="$H_PIDS $*"; }
now_ms() { date +%s%3N; }

[ -x "$SQ" ] || { echo "FAIL $H_NAME: $SQ is not built (make build/softoff-qemu)"; exit 1; }

# h_alive PID: true while PID exists and is not a zombie.
h_alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# h_wait_file FILE PATTERN SECONDS: wait until FILE contains PATTERN (grep -E).
h_wait_file() {
	end=$(($(date +%s) + $3))
	while [ "$(date +%s)" -lt "$end" ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# h_child_of PID: the first child of PID (QEMU under softoff-qemu), waiting up to 5 s.
h_child_of() {
	for _ in $(seq 50); do
		c=$(pgrep -P "$1" | head -n 1)
		[ -n "$c" ] && { echo "$c"; return 0; }
		sleep 0.1
	done
	return 1
}

# The guest pieces: skip when another part of the project is not built yet.
KERNEL=$SOFTOFF_BUILD/kernel/vmlinuz
h_need_guest() {
	[ -f "$KERNEL" ] || h_skip "no $KERNEL (make kernel)"
	[ -x "$SOFTOFF_BUILD/softoff-agent" ] || h_skip "no softoff-agent (make build/softoff-agent)"
	[ -x "$SOFTOFF_TOP/initramfs/mkinitramfs.sh" ] || h_skip "no initramfs/mkinitramfs.sh"
}

# h_image NAME [mkinitramfs options]: builds $H_DIR/NAME.cpio.gz, prints its path.
h_image() {
	name=$1
	shift
	"$SOFTOFF_TOP/initramfs/mkinitramfs.sh" -q -o "$H_DIR/$name.cpio.gz" \
		--agent "$SOFTOFF_BUILD/softoff-agent" --modules "$SOFTOFF_BUILD/kernel/modules" \
		"$@" >/dev/null || { echo "FAIL $H_NAME: mkinitramfs.sh $*"; exit 1; }
	echo "$H_DIR/$name.cpio.gz"
}
