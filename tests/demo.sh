#!/bin/sh
# `make demo`: build the image with two demo hooks (initramfs/demo-hooks), then show both of
# softoff-qemu's jobs with the guest's console on screen:
#   1. `softoff-qemu boot --verbose`, the CI boot test: boot, wait for the armed agent, press
#      the power button over QMP, check that QEMU exits with the clean power-off status;
#   2. `softoff-qemu run -- QEMU...`, the supervisor wrapper: the same image under a plain
#      QEMU command line; a SIGTERM once the agent is armed (what `systemctl stop` or
#      `docker stop` send) becomes an ACPI press, and the guest powers off cleanly.
# Ends with the outcome of each (status and meaning) and the figures. Files: build/demo/.
SOFTOFF_TOP=${SOFTOFF_TOP:-$(cd "$(dirname "$0")/.." && pwd -P)}
. "$SOFTOFF_TOP/tests/lib.sh"

demo=$SOFTOFF_BUILD/demo
mkdir -p "$demo"
echo "== 1. kernel, agent, harness"
need_kernel
need_agent
need_harness
echo "kernel: $(cat "$SOFTOFF_BUILD/kernel/version") ($T_KERNEL)"
echo "agent:  $T_AGENT ($(wc -c <"$T_AGENT") bytes, static)"
echo "host:   $T_HARNESS"

echo "== 2. image (initramfs/mkinitramfs.sh --hooks initramfs/demo-hooks)"
image=$demo/initramfs.cpio.gz
"$SOFTOFF_TOP/initramfs/mkinitramfs.sh" -o "$image" --modules "$T_MODULES" \
	--agent "$T_AGENT" --hooks "$SOFTOFF_TOP/initramfs/demo-hooks" || t_abort "image build failed"

echo "== 3. the CI boot test (console and QMP traffic follow; loglevel=6 hides kernel chatter)"
set -- boot --verbose --kernel "$T_KERNEL" --initrd "$image" --append loglevel=6 \
	--console "$demo/boot-console.log"
echo "softoff-qemu $*"
echo
{
	"$T_HARNESS" "$@" 2>&1
	echo $? >"$demo/boot.status"
} | tee "$demo/boot.out"
boot_rc=$(cat "$demo/boot.status")
summary=$(grep -E '^(PASS|FAIL) ' "$demo/boot.out" | tail -n 1)
echo

echo "== 4. the supervisor: SIGTERM to softoff-qemu run once the agent is armed"
console=$demo/run-console.log
: >"$console"
guest_qemu "$demo/qemu" "$image" "$console" loglevel=6
echo "softoff-qemu run --grace 20 -- \\"
sed -n '2,4{s/^exec /    /;s/ "\$@"$//;p}' "$demo/qemu"
echo
t0=$(now_ms)
"$T_HARNESS" run --grace 20 -- "$demo/qemu" &
run_pid=$!
t_track "$run_pid"
tail -s 0.1 --pid="$run_pid" -n +1 -f "$console" &
tail_pid=$!
wait_for_line "$console" 'softoff-agent: armed' 60 || t_abort "the guest did not arm under run"
t_armed=$(now_ms)
echo ">>> kill -TERM $run_pid (softoff-qemu run), as systemctl stop or docker stop would"
kill -TERM "$run_pid"
wait "$run_pid"
run_rc=$?
t_exit=$(now_ms)
wait "$tail_pid"
echo

echo "== 5. outcome"
verdict=${summary%% in [0-9]*} # "PASS guest powered off cleanly (status 99)"
echo "softoff-qemu boot: exit status $boot_rc - ${verdict#* }" \
	"($([ "$boot_rc" = 0 ] && echo "pass" || echo "see softoff-qemu boot --help"))"
echo "    boot -> armed: $(echo "$summary" | sed -n 's/.*: boot \([0-9.]*\) s.*/\1/p') s;" \
	"press -> QEMU exit: $(echo "$summary" | sed -n 's/.*power-off \([0-9.]*\) s.*/\1/p') s"
case $run_rc in
0) meaning="the guest powered off cleanly (QEMU status 99)" ;;
124) meaning="forced: the guest ignored the button; QEMU was stopped with quit" ;;
126) meaning="QEMU could not be started, or its QMP monitor failed" ;;
128) meaning="forced: QEMU ignored quit and was SIGKILLed" ;;
*) meaning="QEMU's own exit status, passed through" ;;
esac
echo "softoff-qemu run:  exit status $run_rc - $meaning"
echo "    QEMU start -> armed: $((t_armed - t0)) ms; SIGTERM -> exit: $((t_exit - t_armed)) ms"
echo "hooks that ran under run:"
tr -d '\r' <"$console" | grep 'softoff-agent: hook ' | sed 's/^\[[ 0-9.]*\] /  /'
echo "image: $image ($(wc -c <"$image") bytes); consoles: $demo/boot-console.log, $console"
[ "$boot_rc" = 0 ] && [ "$run_rc" = 0 ]
