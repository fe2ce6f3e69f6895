#!/bin/bash
# The compatibility matrix (`make matrix`): every arrangement x kernel x command line x
# machine (tests/compat-lib.sh; docs/compat.md explains each value) boots once, gets one
# press, and must power off with status 99 within the power-off bound. Builds each image once
# (cached in build/matrix/images until an input changes), boots the cells in parallel, prints
# one line per cell and the table, and writes the table into docs/compat.md (full runs only).
#
# Usage: tests/matrix.sh [--jobs N] [--timeout S] [--no-doc] [--DIMENSION 'VALUE...']...
#   --jobs N        boots at once (default: the number of CPUs)
#   --timeout S     per boot (default 60; a cell without a ready line costs this much)
#   --no-doc        do not rewrite docs/compat.md
#   --arrangements, --kernels, --cmdlines, --machines 'VALUE...'
#                   only these values (a partial run never rewrites docs/compat.md)
# Cell logs and consoles: build/matrix/cells/. Exit status: 0 every cell passed, 1 some
# cell failed, 2 usage error.
SOFTOFF_TOP=$(cd "$(dirname "$0")/.." && pwd -P)
SOFTOFF_BUILD=${SOFTOFF_BUILD:-$SOFTOFF_TOP/build}
export SOFTOFF_TOP SOFTOFF_BUILD
out=$SOFTOFF_BUILD/matrix
matrix=$SOFTOFF_TOP/tests/matrix.sh
doc=$SOFTOFF_TOP/docs/compat.md

# One cell (run by the driver below, in parallel): boot the prebuilt image, judge it, and
# write "RESULT|POWER-OFF-MS|PRESSES|READY-MS" to build/matrix/cells/NAME.result.
if [ "${1:-}" = --cell ]; then
	shift
	. "$SOFTOFF_TOP/tests/lib.sh"
	. "$SOFTOFF_TOP/tests/compat-lib.sh"
	name=$1.$2.$3.$4
	compat_need_kernel "$2"
	compat_boot "$1" "$3" "$4" "$out/images/$1-$2.gz" --console "$out/cells/$name.console"
	compat_expect_poweroff "$1"
	echo "$(compat_result "$1")|$boot_exit_ms|$boot_pressed|$boot_armed_ms" >"$out/cells/$name.result"
	t_done
fi

usage_error() { echo "matrix.sh: $*; see --help" >&2; exit 2; }
jobs=$(nproc 2>/dev/null || echo 2)
write_doc=1 partial=0
. "$SOFTOFF_TOP/tests/lib.sh"
. "$SOFTOFF_TOP/tests/compat-lib.sh"
while [ $# -gt 0 ]; do
	case $1 in
	--jobs | --timeout | --arrangements | --kernels | --cmdlines | --machines)
		[ $# -ge 2 ] || usage_error "$1 needs an argument" ;;&
	--jobs) jobs=$2; shift ;;
	--timeout) COMPAT_TIMEOUT=$2; shift ;;
	--arrangements) COMPAT_ARRANGEMENTS=$2 partial=1; shift ;;
	--kernels) COMPAT_KERNELS=$2 partial=1; shift ;;
	--cmdlines) COMPAT_CMDLINES=$2 partial=1; shift ;;
	--machines) COMPAT_MACHINES=$2 partial=1; shift ;;
	--no-doc) write_doc=0 ;;
	-h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
	shift
done
case $jobs in '' | *[!0-9]* | 0) usage_error "--jobs '$jobs' is not a positive number" ;; esac
case $COMPAT_TIMEOUT in '' | *[!0-9]* | 0) usage_error "--timeout '$COMPAT_TIMEOUT' is not a positive number" ;; esac
export COMPAT_TIMEOUT

# Everything an image is made of; an image is rebuilt when their digest changes.
image_inputs_digest() { # kernel-modules-dir
	{
		find "$SOFTOFF_TOP/initramfs" "$SOFTOFF_TOP/acpi-scripts" "$SOFTOFF_TOP/tests/data/arrangements" \
			"$SOFTOFF_TOP/tests/data/compat" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
		sha256sum "$SOFTOFF_TOP/tests/compat-lib.sh" "$T_AGENT" /bin/busybox "$1/modules.dep"
		[ -x /usr/sbin/acpid ] && sha256sum /usr/sbin/acpid
	} | sha256sum | cut -c1-16
}

build_images() {
	need_agent
	need_harness
	mkdir -p "$out/images"
	for kernel in $COMPAT_KERNELS; do
		compat_need_kernel "$kernel"
		digest=$(image_inputs_digest "$T_MODULES")
		for arr in $COMPAT_ARRANGEMENTS; do
			image=$out/images/$arr-$kernel.gz
			if [ -f "$image" ] && [ "$(cat "$image.digest" 2>/dev/null)" = "$digest" ]; then
				echo "image $arr-$kernel: up to date"
				continue
			fi
			echo "image $arr-$kernel:"
			compat_image "$arr" "$image"
			echo "$digest" >"$image.digest"
		done
	done
}

cells() {
	for arr in $COMPAT_ARRANGEMENTS; do
		for kernel in $COMPAT_KERNELS; do
			for cmdline in $COMPAT_CMDLINES; do
				for machine in $COMPAT_MACHINES; do echo "$arr $kernel $cmdline $machine"; done
			done
		done
	done
}

# One cell's line as it finishes (run by xargs).
run_cell() { # arr kernel cmdline machine
	name=$1.$2.$3.$4
	"$matrix" --cell "$@" >"$out/cells/$name.log" 2>&1 </dev/null
	IFS='|' read -r result ms presses _ <"$out/cells/$name.result" 2>/dev/null || result='no result'
	printf '%-4s %-13s %-7s %-10s %-7s %s%s\n' "$([ "$result" = pass ] && echo PASS || echo FAIL)" \
		"$1" "$2" "$3" "$4" "$result" "${ms:+, power-off $ms ms}${presses:+, $presses press(es)}"
}
export -f run_cell
export out matrix

# A table cell: "pass, 0.06 s", or the failure in bold with the time when there was one.
cell_text() { # name
	IFS='|' read -r result ms _ _ <"$out/cells/$1.result" 2>/dev/null || result='no result'
	time=${ms:+$(awk -v ms="$ms" 'BEGIN { printf "%.2f s", ms / 1000 }')}
	if [ "$result" = pass ]; then echo "pass, $time"; else echo "**$result**${time:+, $time}"; fi
}

# The markdown table: one row per arrangement, kernel and command line; a column per machine.
table() {
	printf '| arrangement | kernel | command line |'
	for machine in $COMPAT_MACHINES; do printf ' %s |' "$machine"; done
	printf '\n|---|---|---|'
	for _ in $COMPAT_MACHINES; do printf -- '---|'; done
	echo
	for arr in $COMPAT_ARRANGEMENTS; do
		for kernel in $COMPAT_KERNELS; do
			for cmdline in $COMPAT_CMDLINES; do
				printf '| %s | %s | %s |' "$arr" "$kernel" "$cmdline"
				for machine in $COMPAT_MACHINES; do
					printf ' %s |' "$(cell_text "$arr.$kernel.$cmdline.$machine")"
				done
				echo
			done
		done
	done
}

# The power-off times of the passing cells: count, median, maximum.
passing_times() {
	cat "$out"/cells/*.result | awk -F'|' '$1 == "pass" { print $2 }' | sort -n |
		awk '{ t[NR] = $1 } END { if (NR) printf "%d passing cells: power-off median %d ms, max %d ms", NR, t[int((NR + 1) / 2)], t[NR] }'
}

# Replace what lies between the two marker lines of docs/compat.md with FILE.
write_doc() { # file
	awk -v file="$1" '
	/^<!-- matrix: begin/ { print; while ((getline line < file) > 0) print line; skip = 1; next }
	/^<!-- matrix: end/ { skip = 0 }
	!skip' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
}

main() {
	start=$(date +%s)
	build_images
	rm -rf "$out/cells"
	mkdir -p "$out/cells"
	total=$(cells | wc -l)
	echo "matrix: $total cells, $jobs at a time, timeout $COMPAT_TIMEOUT s per boot"
	cells | xargs -P "$jobs" -L 1 bash -c 'run_cell "$@"' _
	failed=$(cells | while read -r a k c m; do
		grep -qs '^pass|' "$out/cells/$a.$k.$c.$m.result" || echo x
	done | wc -l)
	seconds=$(($(date +%s) - start))
	{
		table
		echo
		echo "$((total - failed)) of $total cells passed; $(passing_times)."
		echo "Generated by \`make matrix\` on $(date -u +%Y-%m-%d): QEMU $(qemu-system-x86_64 --version |
			sed -n '1s/.*version \([^ ]*\).*/\1/p'), kernels $(for k in $COMPAT_KERNELS; do
				compat_need_kernel "$k"; cat "$(dirname "$T_KERNEL")/version" 2>/dev/null || echo "$k"
			done | paste -sd' '), TCG, $jobs boots at a time on $(nproc) CPUs, timeout $COMPAT_TIMEOUT s per boot, $seconds s in all."
	} >"$T_DIR/table.md"
	echo
	cat "$T_DIR/table.md"
	if [ "$write_doc" = 1 ] && [ "$partial" = 0 ]; then
		write_doc "$T_DIR/table.md"
		echo "matrix: table written to ${doc#"$SOFTOFF_TOP"/}"
	fi
	[ "$failed" = 0 ]
}

main
