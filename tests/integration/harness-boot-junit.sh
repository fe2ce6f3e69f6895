#!/bin/sh
# `softoff-qemu boot --junit FILE`, read back by an independent parser (Debian's
# python3-junitparser): a pass (one testcase, its time, no failure, the console in
# system-out), a failure (its message is the summary line), and a console holding XML's
# special characters (<, &, ]]>, quotes), control characters and bytes that are not UTF-8:
# the document still parses and the text comes back. A --junit that cannot be created is a
# usage error before QEMU starts.
. "$(dirname "$0")/../lib.sh"
need_harness
need_kernel
need_agent
need_junitparser

# junit_read FILE: prints "tests failures", then per case "name|time|message", then the
# case's system-out on the following lines; status 1 when the XML does not parse.
junit_read() {
	junit_python - "$1" <<'PY'
import sys
from junit_suite import load
suite = load(sys.argv[1])
print(suite.tests, suite.failures)
for case in suite:
    msgs = [r.message for r in case.result]
    print("%s|%.3f|%s" % (case.name, case.time, msgs[0] if msgs else ""))
    print(case.system_out or "")
PY
}

build_image "$T_DIR/agent.gz"
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" --timeout 90 \
	--junit "$T_DIR/pass.xml" >"$T_DIR/pass.out" 2>&1
rc=$?
cat "$T_DIR/pass.out"
t_that "pass: status 0 (got $rc)" '[ $rc = 0 ]'
junit_read "$T_DIR/pass.xml" >"$T_DIR/pass.txt" || t_fail "pass: the JUnit XML parses"
sed -n '1,2p' "$T_DIR/pass.txt" | sed 's/^/    /'
t_that "pass: one test, no failure" '[ "$(sed -n 1p "$T_DIR/pass.txt")" = "1 0" ]'
t_that "pass: the testcase names the kernel and initrd, has a time > 0 and no message" \
	'sed -n 2p "$T_DIR/pass.txt" | grep -Eq "^boot $T_KERNEL $T_DIR/agent.gz\|[0-9]*\.[0-9]{3}\|\$" &&
	 ! sed -n 2p "$T_DIR/pass.txt" | grep -q "|0.000|"'
t_that "pass: the console is in system-out" 'grep -q "^softoff-agent: armed\|\] softoff-agent: armed" "$T_DIR/pass.txt"'

# the payload prints XML's specials, controls (SOH, ESC), and bytes that are not UTF-8
build_image "$T_DIR/weird.gz" \
	--run 'printf "weird: a<b & c ]]> d \"q\" \001\033[1m x\377\376y caf\303\251 end\n"; exit 3'
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/weird.gz" --timeout 90 --expect guest:4 \
	--junit "$T_DIR/fail.xml" >"$T_DIR/fail.out" 2>&1
rc=$?
head -n 1 "$T_DIR/fail.out"
t_that "fail: status 1 (got $rc)" '[ $rc = 1 ]'
junit_read "$T_DIR/fail.xml" >"$T_DIR/fail.txt" || t_fail "fail: the JUnit XML parses"
sed -n '1,2p' "$T_DIR/fail.txt" | sed 's/^/    /'
t_that "fail: one test, one failure" '[ "$(sed -n 1p "$T_DIR/fail.txt")" = "1 1" ]'
summary=$(head -n 1 "$T_DIR/fail.out" | sed 's/^FAIL //')
t_that "fail: the failure's message is the summary line" \
	'[ "$(sed -n 2p "$T_DIR/fail.txt" | cut -d"|" -f3-)" = "$summary" ]'
t_that "fail: the console's special characters come back as text" \
	'grep -Fq "weird: a<b & c ]]> d \"q\" [1m xy caf$(printf "\303\251") end" "$T_DIR/fail.txt"'
t_that "fail: no control characters in the file" \
	'! tr -d "\n\t" <"$T_DIR/fail.xml" | LC_ALL=C grep -q "[[:cntrl:]]"'

start=$(now_ms)
"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/agent.gz" \
	--junit "$T_DIR/no/such/dir/r.xml" >"$T_DIR/bad.out" 2>&1
rc=$? ms=$(($(now_ms) - start))
cat "$T_DIR/bad.out"
t_that "--junit in a missing directory: usage error 2 (got $rc), QEMU not started ($ms ms)" \
	'[ $rc = 2 ] && [ $ms -lt 5000 ] && grep -q "create --junit .*(QEMU not started)" "$T_DIR/bad.out"'
t_done
