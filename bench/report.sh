# Turns build/bench/samples.tsv into the table and results.json (bash; sourced by run.sh).
# Needs: out, samples, runs (set by run.sh).

ms() { awk -v us="$1" 'BEGIN { printf "%.1f", us / 1000 }'; } # microseconds -> ms

# Per GROUP VARIANT METRIC: runs, median, p90 (nearest rank), min, max, sum, sorted samples.
summarize() {
	sort -k1,1 -k2,2 -k3,3 -k4,4g "$samples" | awk '
	function flush(   med, p) {
		if (key == "") return
		med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		p = int(0.9 * n); if (p < 0.9 * n) p++
		print key, n, med, v[p], v[1], v[n], sum, list
	}
	{
		k = $1 " " $2 " " $3
		if (k != key) { flush(); key = k; n = 0; sum = 0; list = "" }
		v[++n] = $4; sum += $4; list = list (n > 1 ? "," : "") $4
	}
	END { flush() }' >"$out/stats.txt"
}

# One figure: FIELD is runs, median, p90, min, max or sum; n/a when there is no such sample.
figure() { # group variant metric field
	awk -v k="$1 $2 $3" -v f="$4" '
	BEGIN { split("runs median p90 min max sum", names, " "); for (i in names) col[names[i]] = i + 3 }
	$1 " " $2 " " $3 == k { print $col[f]; found = 1; exit }
	END { if (!found) print "n/a" }' "$out/stats.txt"
}

# printf FORMAT of an awk EXPRESSION; n/a when a figure in it is missing.
calc() { # format expression
	case $2 in *n/a*) echo n/a ;; *) awk "BEGIN { printf \"$1\", $2 }" ;; esac
}

# --- goals: NAME VALUE UNIT GOAL-TEXT MET(0/1); one list for the table and the JSON -------------

goal() { printf '%s|%s|%s|%s|%s\n' "$@" >>"$out/goals.tsv"; }

check_goals() {
	local ratio share overhead bin rss wake img fail
	: >"$out/goals.tsv"
	ratio=$(calc %.2f "$(figure poweroff softoff latency_ms median) / $(figure poweroff busybox latency_ms median)")
	goal "power-off latency, softoff / busybox acpid (median)" "$ratio" "x" "<= 0.5" "$(calc %d "$ratio <= 0.5")"
	ratio=$(calc %.2f "$(figure poweroff respawn latency_ms median) / $(figure poweroff softoff latency_ms median)")
	goal "power-off latency, respawning shell PID 1 / agent PID 1 (median)" "$ratio" "x" "<= 1.5" \
		"$(calc %d "$ratio <= 1.5")"
	share=$(calc %.1f "$(figure poweroff softoff guest_sequence_ms median)")
	goal "agent's own share, nothing to tear down (guest clock, median)" "$share" "ms" "<= 5" \
		"$(calc %d "$share <= 5")"
	overhead=$(calc %.1f "100 * ($(figure boot softoff wall_ms median) / $(figure boot floor wall_ms median) - 1)")
	goal "boot-test cycle, overhead over the floor (median)" "$overhead" "%" "<= 10" "$(calc %d "$overhead <= 10")"
	overhead=$(calc %.1f "100 * ($(figure boot embedded wall_ms median) / $(figure boot embedded-floor wall_ms median) - 1)")
	goal "boot-test cycle, embedded image over its floor (median)" "$overhead" "%" "<= 3" \
		"$(calc %d "$overhead <= 3")"
	bin=$(calc %.1f "$(figure footprint agent binary_bytes max) / 1024")
	goal "agent binary" "$bin" "KiB" "<= 64" "$(calc %d "$bin <= 64")"
	rss=$(figure footprint agent peak_rss_kib max)
	goal "agent peak RSS in the guest (VmHWM, armed)" "$rss" "KiB" "<= 256" "$(calc %d "$rss <= 256")"
	wake=$(figure footprint agent idle_wakeups max)
	goal "agent wake-ups while idle for $idle s" "$wake" "" "0" "$(calc %d "$wake == 0")"
	img=$(calc %.2f "$(figure footprint image size_bytes max) / 1048576")
	goal "initramfs (default image)" "$img" "MiB" "<= 1.3" "$(calc %d "$img <= 1.3")"
	img=$(calc %.1f "$(figure footprint embedded-image size_bytes max) / 1024")
	goal "embedded image (boot without --initrd, uncompressed)" "$img" "KiB" "< 200" \
		"$(calc %d "$img < 200")"
	overhead=$(calc %.1f "100 * ($(figure boot softoff-arm64 wall_ms median) / $(figure boot floor-arm64 wall_ms median) - 1)")
	goal "arm64 boot-test cycle, overhead over its floor (median)" "$overhead" "%" "<= 10" \
		"$(calc %d "$overhead <= 10")"
	fail=$(awk '$1 == "scale" && $3 == "failures" { s += $9; n++ } END { print n ? s : "n/a" }' "$out/stats.txt")
	goal "failures in the scale runs" "$fail" "" "0" "$(calc %d "$fail == 0")"
}

# --- the table ---------------------------------------------------------------------------------

f1() { calc %.1f "$1"; } # one decimal
f0() { calc %.0f "$1"; } # whole number

latency_row() { # variant label [reference variant for the ratio]
	local med ref=${3:-busybox}
	med=$(figure poweroff "$1" latency_ms median)
	printf '  %-30s %8s %8s %8s %5s %9s %9s %8s %10s\n' "$2" "$(f1 "$med")" \
		"$(f1 "$(figure poweroff "$1" latency_ms p90)")" "$(f1 "$(figure poweroff "$1" latency_ms min)")" \
		"$(figure poweroff "$1" latency_ms runs)" \
		"$(figure poweroff "$1" failures sum)" "$(figure poweroff "$1" repressed sum)" \
		"$(f0 "$(figure poweroff "$1" ready_ms median)")" \
		"$(calc %.2f "$med / $(figure poweroff "$ref" latency_ms median)")"
}

boot_row() { # variant label [floor variant]
	local med floor=${3:-floor}
	med=$(figure boot "$1" wall_ms median)
	printf '  %-30s %8s %8s %8s %5s %9s %10s %10s %9s\n' "$2" "$(f0 "$med")" \
		"$(f0 "$(figure boot "$1" wall_ms p90)")" "$(f0 "$(figure boot "$1" wall_ms min)")" \
		"$(figure boot "$1" wall_ms runs)" \
		"$(figure boot "$1" failures sum)" \
		"$(calc %+.1f "100 * ($med / $(figure boot "$floor" wall_ms median) - 1)")" \
		"$(f0 "$(figure boot "$1" harness_cpu_ms median)")" \
		"$(f0 "$(figure boot "$1" harness_peak_rss_kib median)")"
}

scale_row() { # parallel
	local wall
	wall=$(figure scale "$1" wall_ms median)
	printf '  %-30s %8s %10s %8s\n' "$1" "$(f0 "$wall")" "$(calc %.0f "$wall / $1")" \
		"$(figure scale "$1" failures sum)"
}

arm64_rows() {
	printf '%-32s %8s %8s %8s %5s %9s %10s %10s %9s\n' "arm64 boot-test cycle (ms)" median p90 min runs \
		failures "vs floor %" "harn. CPU" "harn. KiB"
	boot_row floor-arm64 "floor (/init = semihosting)" floor-arm64
	boot_row softoff-arm64 "softoff-agent (arm64 image)" floor-arm64
	printf '%-32s %8s %8s %8s %5s %9s %9s %8s %10s\n' "arm64 power-off latency (ms)" median p90 min runs \
		failures re-press ready_ms "vs x86_64"
	latency_row softoff-arm64 "softoff-agent (arm64 image)" softoff
	echo "  (qemu-system-aarch64 -machine virt -cpu cortex-a57, UEFI, semihosting exit, kernel" \
		"$(cat "$top/build/kernel-arm64/version" 2>/dev/null);"
	echo "   the same press and timing as above; on the guest's clock, medians: /init started -> armed" \
		"$(f1 "$(figure poweroff softoff-arm64 guest_init_to_armed_ms median)") ms;"
	echo "   agent 'shutting down' -> 'asking QEMU to exit'" \
		"$(f1 "$(figure poweroff softoff-arm64 guest_sequence_ms median)") ms)"
}

debian_row() {
	printf '%-32s %8s %8s %8s %5s %9s\n' "full Debian guest (ms)" median p90 min runs failures
	local m
	for m in login_ms armed_ms sigterm_exit_ms; do
		printf '  %-30s %8s %8s %8s %5s %9s\n' "$m" "$(f0 "$(figure debian guest "$m" median)")" \
			"$(f0 "$(figure debian guest "$m" p90)")" "$(f0 "$(figure debian guest "$m" min)")" \
			"$(figure debian guest "$m" runs)" "$(figure debian guest failures sum)"
	done
	echo "  (make debian-guest under softoff-qemu run --grace 60: login_ms QEMU start -> login prompt;"
	echo "   armed_ms kernel start -> agent armed (guest clock); sigterm_exit_ms SIGTERM 1 s after the"
	echo "   prompt -> softoff-qemu exited, through systemd's shutdown; QEMU status 99 else a failure)"
}

# "met", or "MISSED by" how far the value is past the limit.
verdict() { # value unit target met
	[ "$4" = 1 ] && { echo met; return; }
	[ "$1" = n/a ] && { echo "not measured (BENCH_SECTIONS)"; return; }
	echo "MISSED by $(calc %g "$1 - ${3#<= }") $2"
}

goal_rows() {
	local name value unit target met
	while IFS='|' read -r name value unit target met; do
		printf '  %-52s %8s %-4s %-8s %s\n' "$name" "$value" "$unit" "$target" \
			"$(verdict "$value" "$unit" "$target" "$met")"
	done <"$out/goals.tsv"
}

print_table() {
	local n
	echo "softoff benchmarks: $runs runs per variant, interleaved; kernel $(cat "$top/build/kernel/version")," \
		"$(qemu-system-x86_64 --version | sed -n '1s/ emulator version / /p') TCG, $(nproc) cores"
	echo
	printf '%-32s %8s %8s %8s %5s %9s %9s %8s %10s\n' "power-off latency (ms)" median p90 min runs failures \
		re-press ready_ms "vs busybox"
	latency_row softoff "softoff-agent"
	latency_row busybox "busybox acpid + sync + outb"
	latency_row acpid2 "acpid2 + sync + outb"
	latency_row respawn "softoff-agent, shell PID 1"
	echo "  (QMP system_powerdown sent -> QEMU exited; pressed ${vm_settle} s after the ready line;" \
		"ready_ms: QEMU start -> ready line)"
	echo "  (softoff image on the guest's clock, medians: /init started -> armed" \
		"$(f1 "$(figure poweroff softoff guest_init_to_armed_ms median)") ms;"
	echo "   agent 'shutting down' -> 'writing 0x31' $(f1 "$(figure poweroff softoff guest_sequence_ms median)") ms;" \
		"with the respawning shell PID 1: $(f1 "$(figure poweroff respawn guest_sequence_ms median)") ms)"
	echo
	printf '%-32s %8s %8s %8s %5s %9s %10s %10s %9s\n' "boot-test cycle (ms)" median p90 min runs failures \
		"vs floor %" "harn. CPU" "harn. KiB"
	boot_row floor "floor (/init = outb)"
	boot_row softoff "softoff-agent (default image)"
	boot_row embedded-floor "floor, embedded (/init = outb)"
	boot_row embedded "softoff-agent, embedded image"
	echo "  (softoff-qemu boot start -> exit; harness CPU ms and peak RSS are its own, QEMU's CPU:" \
		"$(figure boot softoff qemu_cpu_ms median) ms per boot)"
	echo
	printf '%-32s %8s %10s %8s\n' "scale (boot tests at once)" "wall ms" "ms / boot" failures
	for n in $scale; do scale_row "$n"; done
	echo
	debian_row
	echo
	arm64_rows
	echo
	echo "goals"
	goal_rows
	echo "  (agent: idle count starts 1 s after arming; wake-ups in that first second:" \
		"$(figure footprint agent settle_wakeups max). VmHWM read with the agent as PID 1 in run mode)"
}

# --- results.json ------------------------------------------------------------------------------

# {"GROUP": {"VARIANT": {"METRIC": {runs, median, p90, min, max, samples}}}} from stats.txt.
json_results() {
	awk '
	{
		if ($1 != g) { printf "%s\"%s\": {", (g == "" ? "" : "}}, "), $1; g = $1; v = "" }
		if ($2 != v) { printf "%s\"%s\": {", (v == "" ? "" : "}, "), $2; v = $2; m = 0 }
		printf "%s\"%s\": {\"runs\": %s, \"median\": %s, \"p90\": %s, \"min\": %s, \"max\": %s, \"samples\": [%s]}",
			(m++ ? ", " : ""), $3, $4, $5, $6, $7, $8, $10
	}
	END { if (g != "") printf "}}" }' "$out/stats.txt"
}

json_goals() {
	awk -F '|' '{
		printf "%s{\"name\": \"%s\", \"value\": %s, \"unit\": \"%s\", \"goal\": \"%s\", \"met\": %s}",
			(NR > 1 ? ", " : ""), $1, ($2 ~ /^[-+0-9.]+$/ ? $2 : "null"), $3, $4, ($5 == 1 ? "true" : "false")
	}' "$out/goals.tsv"
}

write_json() {
	{
		printf '{"command": "make bench BENCH_RUNS=%s", "date": "%s", "cpus": %s,\n' "$runs" \
			"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc)"
		printf ' "revision": "%s",\n' "$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
		printf ' "kernel_arm64": "%s",\n' "$(cat "$top/build/kernel-arm64/version" 2>/dev/null)"
		printf ' "kernel": "%s", "qemu": "%s", "settle_s": %s,\n' "$(cat "$top/build/kernel/version")" \
			"$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')" "$vm_settle"
		printf ' "goals": [%s],\n' "$(json_goals)"
		printf ' "results": {%s}}\n' "$(json_results)"
	} >"$out/results.json"
}

report() {
	summarize
	check_goals
	print_table | tee "$out/table.txt"
	write_json
	echo
	echo "raw samples: $samples; results: $out/results.json"
}
