#!/bin/bash
# The container's entry point under `docker stop` semantics: SIGTERM once the agent is armed,
# SIGKILL 10 s later if still running. The guest must power off cleanly (exit 0) well before
# the SIGKILL, with the agent's shutdown on the console.
set -u
top=${SOFTOFF_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
B=${SOFTOFF_BUILD:-$top/build}
[ -f "$B/initramfs.cpio.gz" ] || { echo "FAIL build/initramfs.cpio.gz missing (make initramfs)"; exit 1; }
out=$(mktemp)
trap 'kill -KILL $pid 2>/dev/null; rm -f "$out"' EXIT
SOFTOFF_ROOT=$top "$top/scripts/docker-entrypoint.sh" >"$out" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 600); do
	grep -q 'softoff-agent: armed' "$out" && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
grep -q 'softoff-agent: armed' "$out" || { echo "FAIL agent never armed"; cat "$out"; exit 1; }
start=$(date +%s%N)
kill -TERM $pid # docker stop
for _ in $(seq 1 100); do
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
if kill -0 $pid 2>/dev/null; then
	kill -KILL $pid
	echo "FAIL still running 10 s after SIGTERM: docker would SIGKILL it"
	exit 1
fi
wait $pid
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
tr -d '\r' <"$out" | grep -E 'softoff-agent: (shutting down|writing)|softoff-qemu' | sed 's/^/  /'
[ $rc = 0 ] || { echo "FAIL entry point exited $rc, expected 0 (clean power-off)"; exit 1; }
grep -q 'softoff-agent: shutting down' "$out" || { echo "FAIL no agent shutdown on the console"; exit 1; }
echo "PASS docker stop: clean power-off in $ms ms after SIGTERM (limit 10000)"
