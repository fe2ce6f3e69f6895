#!/bin/sh
# A hook that writes megabytes: 4 MB in one line, then 2000 numbered
# lines of 1000 bytes (6 MB in all). The agent keeps draining the pipe (the hook is never
# blocked into its timeout), cuts each line at 200 bytes with " [...]", loses no line,
# and the power-off completes.
. "$(dirname "$0")/../fault-lib.sh"
need_kernel
need_agent
make_hook "$T_DIR/hooks" 10-flood 'head -c 4000000 /dev/zero | tr "\0" x; echo
awk "BEGIN { p = sprintf(\"%990s\", \"\"); gsub(/ /, \"y\", p); for (i = 1; i <= 2000; i++) print \"L\" i \" \" p }"
echo "flood done"'
make_hook "$T_DIR/hooks" 20-next 'echo "next hook ran"'
printf 'hook-timeout = 60\ndeadline = 60\n' >"$T_DIR/agent.conf"
build_image "$T_DIR/initrd.gz" --hooks "$T_DIR/hooks" --config "$T_DIR/agent.conf"
softoff_boot --initrd "$T_DIR/initrd.gz" --timeout 90
expect_status 99 "QEMU status after a hook that wrote 6 MB"
expect_console 'hook 10-flood: flood done' "the hook wrote to its end"
expect_no_console 'hook 10-flood: time is up' "the hook finished by itself, long before its 60 s timeout"
expect_no_console 'hook 10-flood: (failed|killed)' "the hook exited 0 (not killed by SIGPIPE or a signal)"
x_line=$(console_grep -m 1 'hook 10-flood: x' | sed 's/.*hook 10-flood: //')
t_that "the 4 MB line is logged once, cut to 200 bytes + ' [...]' (${#x_line} bytes)" \
	'[ "$x_line" = "$(printf "%200s" "" | tr " " x) [...]" ] && [ "$(console_count "hook 10-flood: x")" = 1 ]'
n=$(console_count 'hook 10-flood: L[0-9]+ y+ \[\.\.\.\]$')
t_check "all 2000 numbered lines are logged, each cut with ' [...]' (found $n)" [ "$n" = 2000 ]
long=$(console_grep 'hook 10-flood: L' | sed 's/.*hook 10-flood: //; s/ \[\.\.\.\]$//' | awk 'length($0) != 200' | wc -l)
t_check "every logged line holds exactly 200 bytes of output ($long do not)" [ "$long" = 0 ]
t_that "the numbered lines are in order, none lost" \
	'[ "$(console_grep -o "hook 10-flood: L[0-9]+" | sed "s/.*L//" | awk "\$1 != NR" | wc -l)" = 0 ]'
expect_console 'softoff-agent: hook 20-next: next hook ran' "the next hook ran"
t=$(($(console_ms 'running hook .*/20-next') - $(console_ms 'running hook .*/10-flood')))
t_within "the flood hook took under 30 s in the guest (ms)" "$t" 0 30000
t_done
