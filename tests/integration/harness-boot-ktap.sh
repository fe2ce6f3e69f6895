#!/bin/sh
# `softoff-qemu boot --ktap`: a payload (tests/data/ktap-payload.sh) prints KTAP the way KUnit
# and kselftest do, then exits 0. Passing (nested two levels, skipped, todo, through
# /dev/kmsg with printk timestamps, a kernel line in between), failing, cut short, and none
# at all: boot's exit status, the TAP it prints (checked line by line, and by perl's prove),
# and the JUnit XML (read back by Debian's python3-junitparser). The control: the failing
# payload without --ktap passes, with TAP's plan 1..1 as before.
. "$(dirname "$0")/../lib.sh"
need_harness
need_kernel
need_agent
need_junitparser
command -v prove >/dev/null || t_skip "prove is not installed (perl; scripts/deps.sh test)"

# junit_rows FILE: "tests failures skipped", then per case "classname|name|result|message"
junit_rows() {
	junit_python - "$1" <<'PY'
import sys
from junitparser import Failure, Skipped
from junit_suite import load
suite = load(sys.argv[1])
print(suite.tests, suite.failures, suite.skipped)
for case in suite:
    kind, msg = "pass", ""
    for r in case.result:
        kind = "failure" if isinstance(r, Failure) else "skipped" if isinstance(r, Skipped) else type(r).__name__
        msg = r.message or ""
    name = "boot" if case.classname == "softoff-qemu.boot" else case.name
    print("%s|%s|%s|%s" % (case.classname, name, kind, msg))
PY
}

# ktap_boot CASE [OPTION...]: boots the payload CASE; sets rc, out (TAP), xml
ktap_boot() {
	kb_case=$1
	shift
	out=$T_DIR/$kb_case.tap xml=$T_DIR/$kb_case.xml
	"$T_HARNESS" boot --kernel "$T_KERNEL" --initrd "$T_DIR/ktap.gz" --timeout 90 \
		--append "softoff.run=\"ktap-payload $kb_case\"" --expect guest:0 --tap \
		--console "$T_DIR/$kb_case.console" --junit "$xml" "$@" >"$out" 2>&1
	rc=$?
	echo "== $kb_case $*: status $rc"
	grep -v '^#   | ' "$out" | sed 's/^/    /'
}

# The nested TAP block of test 2 and its result line.
tap_ktap() { sed -n '/^    # Subtest: ktap$/,/^\(not \)\{0,1\}ok 2 - /p' "$out"; }

# expect_same WHAT EXPECTED-FILE ACTUAL-FILE
expect_same() {
	if diff -u "$2" "$3" >"$T_DIR/diff"; then t_ok "$1"; else t_fail "$1"; sed 's/^/    /' "$T_DIR/diff"; fi
}

# prove_says: prove's verdict on the TAP (a TAP consumer other than ours); its status
prove_says() {
	(cd "$T_DIR" && prove --exec cat "$(basename "$out")") >"$T_DIR/prove.out" 2>&1
	prove_rc=$?
	sed 's/^/    prove: /' "$T_DIR/prove.out"
}

build_image "$T_DIR/ktap.gz" --file "$SOFTOFF_TOP/tests/data/ktap-payload.sh:/bin/ktap-payload"

ktap_boot pass --ktap
t_that "pass: status 0 (got $rc)" '[ $rc = 0 ]'
cat >"$T_DIR/want" <<'TAP'
    # Subtest: ktap
    1..2
        # Subtest: example
        1..3
        ok 1 - example_simple_test
        ok 2 - example_skip_test # SKIP this test should be skipped
            # Subtest: example_params_test
            1..2
            ok 1 - example value 1
            not ok 2 - example value 0 # TODO not supported yet
        ok 3 - example_params_test
    ok 1 - example
    ok 2 - other_suite
ok 2 - KTAP: 7 tests: 5 passed, 0 failed, 1 skipped, 1 todo
TAP
tap_ktap >"$T_DIR/got"
expect_same "pass: TAP test 2 holds the KTAP tests, nested as in the guest" "$T_DIR/want" "$T_DIR/got"
t_that "pass: TAP plan 1..2, test 1 the boot" \
	'sed -n 2,3p "$out" | tr "\n" "|" | grep -q "^1\.\.2|ok 1 - payload exited 0 (status 129)"'
prove_says
t_that "pass: prove reads 2 tests, all passed (status $prove_rc)" \
	'[ $prove_rc = 0 ] && grep -q "Tests=2" "$T_DIR/prove.out"'
junit_rows "$xml" >"$T_DIR/got" || t_fail "pass: the JUnit XML parses"
cat >"$T_DIR/want" <<'ROWS'
8 0 2
softoff-qemu.boot|boot|pass|
ktap.example|example_simple_test|pass|
ktap.example|example_skip_test|skipped|this test should be skipped
ktap.example.example_params_test|example value 1|pass|
ktap.example.example_params_test|example value 0|skipped|TODO not supported yet
ktap.example|example_params_test|pass|
ktap|example|pass|
ktap|other_suite|pass|
ROWS
expect_same "pass: JUnit has a testcase per KTAP test, classname from the suite path" \
	"$T_DIR/want" "$T_DIR/got"
t_that "pass: the KTAP came with printk timestamps (through /dev/kmsg)" \
	'grep -q "^\[ *[0-9.]*\]     ok 1 example_simple_test" "$T_DIR/pass.console"'

ktap_boot fail --ktap
t_that "fail: status 10 (got $rc)" '[ $rc = 10 ]'
cat >"$T_DIR/want" <<'TAP'
    # Subtest: ktap
    1..1
        # Subtest: math
        1..2
        ok 1 - adds
        not ok 2 - subtracts
        # subtracts: EXPECTATION FAILED at lib/math_test.c:12
    not ok 1 - math
not ok 2 - KTAP: 3 tests: 1 passed, 2 failed, 0 skipped; first failure: math.subtracts
TAP
tap_ktap >"$T_DIR/got"
expect_same "fail: TAP test 2 fails, with the failing case and its diagnostic" "$T_DIR/want" "$T_DIR/got"
t_that "fail: TAP test 1 (the boot) still passed" 'grep -q "^ok 1 - payload exited 0" "$out"'
prove_says
t_that "fail: prove reads 2 tests, test 2 failed, no parse errors (status $prove_rc)" \
	'[ $prove_rc = 1 ] && grep -q "Failed test:  2\$" "$T_DIR/prove.out" &&
	 ! grep -q "Parse errors" "$T_DIR/prove.out"'
junit_rows "$xml" >"$T_DIR/got" || t_fail "fail: the JUnit XML parses"
cat >"$T_DIR/want" <<'ROWS'
4 2 0
softoff-qemu.boot|boot|pass|
ktap.math|adds|pass|
ktap.math|subtracts|failure|subtracts: EXPECTATION FAILED at lib/math_test.c:12
ktap|math|failure|not ok
ROWS
expect_same "fail: JUnit fails the failing case and its suite, not the boot" "$T_DIR/want" "$T_DIR/got"

ktap_boot cut --ktap
t_that "cut short: status 10 (got $rc)" '[ $rc = 10 ]'
cat >"$T_DIR/want" <<'TAP'
    # Subtest: ktap
    1..1
        # Subtest: slow
        1..1
        ok 1 - first
    not ok 1 - slow
    # the output ended (after 1 of 3 subtests)
not ok 2 - KTAP: 2 tests: 1 passed, 1 failed, 0 skipped; first failure: slow; the output ended inside slow
TAP
tap_ktap >"$T_DIR/got"
expect_same "cut short: the unfinished suite fails, and test 2 says where the output ended" \
	"$T_DIR/want" "$T_DIR/got"
junit_rows "$xml" >"$T_DIR/got" || t_fail "cut short: the JUnit XML parses"
cat >"$T_DIR/want" <<'ROWS'
4 2 0
softoff-qemu.boot|boot|pass|
ktap.slow|first|pass|
ktap|slow|failure|the output ended (after 1 of 3 subtests)
ktap|KTAP output|failure|the output ended inside slow
ROWS
expect_same "cut short: JUnit fails the suite and the KTAP output" "$T_DIR/want" "$T_DIR/got"

ktap_boot none --ktap
t_that "no KTAP at all: status 10 (got $rc)" '[ $rc = 10 ]'
t_that "no KTAP at all: test 2 says so" \
	'grep -q "^not ok 2 - KTAP: 0 tests: .*; no KTAP version line on the console\$" "$out"'

# the control: without --ktap the failing payload's boot passes, as before
ktap_boot fail
t_that "without --ktap: the failing KTAP does not count, status 0 (got $rc)" '[ $rc = 0 ]'
t_that "without --ktap: TAP plan 1..1, no test 2" \
	'sed -n 2p "$out" | grep -qx "1\.\.1" && ! grep -q "ok 2 - " "$out"'
junit_rows "$xml" >"$T_DIR/got" || t_fail "without --ktap: the JUnit XML parses"
t_that "without --ktap: JUnit holds the boot's testcase only" \
	'[ "$(head -n 1 "$T_DIR/got")" = "1 0 0" ]'
t_done
