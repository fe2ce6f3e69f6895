#!/bin/sh
# Payload of the footprint image: softoff-agent is PID 1 (run mode) and this runs under it.
# Prints the agent's peak RSS once it is armed, and how often it woke up (voluntary context
# switches) in the first second after arming and then while the guest sat idle for IDLE
# seconds (the goal is 0).
idle=${1:-10}
status_field() { awk -v key="$1:" '$1 == key { print $2 }' /proc/1/status; }

i=0
until dmesg | grep -q 'softoff-agent: armed'; do
	[ $i -lt 100 ] || { echo "bench-footprint: the agent never armed"; exit 1; }
	sleep 0.1
	i=$((i + 1))
done
# the agent may still be finishing its start when the armed line shows: let it settle 1 s
vol=$(status_field voluntary_ctxt_switches)
sleep 1
settle=$(($(status_field voluntary_ctxt_switches) - vol))
vol=$(status_field voluntary_ctxt_switches)
invol=$(status_field nonvoluntary_ctxt_switches)
sleep "$idle"
echo "bench-footprint: vmhwm_kib=$(status_field VmHWM) idle_s=$idle settle_wakeups=$settle" \
	"wakeups=$(($(status_field voluntary_ctxt_switches) - vol))" \
	"involuntary=$(($(status_field nonvoluntary_ctxt_switches) - invol))"
