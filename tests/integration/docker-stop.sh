#!/bin/bash
# The container's entry point under `docker stop` semantics: SIGTERM once the agent is armed,
# SIGKILL 10 s later if still running. The guest must power off cleanly well before the
# SIGKILL: QEMU exits 99 (isa-debug-exit), the entry point exits 0, and the agent's shutdown
# is on the console.
#
# Usage: docker-stop.sh [--root DIR [--workdir DIR] ENTRYPOINT...]
#   (no arguments)  the source tree's scripts/docker-entrypoint.sh, on its build/
#   --root DIR      ENTRYPOINT from the container root filesystem DIR, run as docker runs it:
#                   chrooted, PID 1 of new PID and mount namespaces, with its own /proc and a
#                   /dev of the usual device nodes (no /dev/kvm); the SIGTERM goes to that PID 1
#   --workdir DIR   the directory ENTRYPOINT starts in, inside the root (default /)
set -u
. "$(dirname "$0")/../lib.sh"
top=$SOFTOFF_TOP
B=$SOFTOFF_BUILD
stop_limit_ms=10000 # docker stop's default wait before SIGKILL

# In new namespaces the mounts vanish with the last process: nothing to clean up on the host.
start_in_root() { # root workdir entrypoint...
	exec unshare --mount --pid --fork --kill-child sh -c '
		root=$1 workdir=$2
		shift 2
		mount -t proc proc "$root/proc" &&
			mount -t tmpfs -o mode=755,nosuid dev "$root/dev" || exit 125
		for n in null zero full random urandom tty; do
			: >"$root/dev/$n" && mount --bind "/dev/$n" "$root/dev/$n" || exit 125
		done
		exec chroot "$root" env --chdir="$workdir" "$@"' sh "$@"
}

out=$T_DIR/out
if [ "${1:-}" = --root ]; then
	root=${2:-} workdir=/
	shift 2
	[ "${1:-}" = --workdir ] && { workdir=${2:-}; shift 2; }
	if [ ! -d "$root" ] || [ $# = 0 ]; then
		echo "docker-stop.sh: --root needs a directory and an entry point" >&2
		exit 2
	fi
	start_in_root "$root" "$workdir" "$@" >"$out" 2>&1 </dev/null &
	pid=$!
	t_track "$pid"
	# unshare waits; the entry point is its child, PID 1 inside
	target=$(first_child_of "$pid") || { cat "$out"; t_abort "the entry point did not start"; }
else
	[ -f "$B/initramfs.cpio.gz" ] || t_abort "build/initramfs.cpio.gz missing (make initramfs)"
	SOFTOFF_ROOT=$top "$top/scripts/docker-entrypoint.sh" >"$out" 2>&1 </dev/null &
	pid=$!
	t_track "$pid"
	target=$pid
fi
wait_for_line "$out" 'softoff-agent: armed' 60 || { cat "$out"; t_abort "the agent never armed"; }
start=$(date +%s%N)
kill -TERM "$target" # docker stop
for _ in $(seq 1 $((stop_limit_ms / 100))); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
if kill -0 $pid 2>/dev/null; then
	kill -KILL $pid
	t_abort "still running $((stop_limit_ms / 1000)) s after SIGTERM: docker would SIGKILL it"
fi
wait $pid
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
tr -d '\r' <"$out" | grep -E 'softoff-agent: (shutting down|writing)|softoff-qemu' | sed 's/^/  /'
t_ok "docker stop: the entry point ended $ms ms after SIGTERM (limit $stop_limit_ms)"
t_check "the entry point exited 0 (clean power-off), got $rc" [ $rc = 0 ]
t_check "QEMU exited with status 99" grep -q 'QEMU exited with status 99;' "$out"
t_check "the agent's shutdown is on the console" grep -q 'softoff-agent: shutting down' "$out"
t_done
