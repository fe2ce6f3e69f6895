#!/bin/sh
# Guest payload of tests/integration/harness-boot-ktap.sh: prints one case's KTAP, the way
# KUnit and kselftest print theirs, then exits 0 (so only --ktap can fail the boot).
#   pass   KUnit-style, written to /dev/kmsg: printk timestamps in front, nested two levels,
#          skipped and todo results, kernel lines in between
#   fail   a failing case with its diagnostic line, on the console (no timestamps)
#   cut    the output ends inside a suite: 1 of its 3 planned results came
#   none   no KTAP at all
kmsg() { while IFS= read -r line; do echo "$line" >/dev/kmsg; done; }
case $1 in
pass)
	kmsg <<'KTAP'
KTAP version 1
1..2
    KTAP version 1
    # Subtest: example
    # module: example_test
    1..3
    ok 1 example_simple_test
    ok 2 example_skip_test # SKIP this test should be skipped
        KTAP version 1
        # Subtest: example_params_test
        ok 1 example value 1
        not ok 2 example value 0 # TODO not supported yet
    # example_params_test: pass:1 fail:0 skip:0 total:2
    ok 3 example_params_test
    # example: pass:2 fail:0 skip:1 total:3
ok 1 example
unrelated: a driver line between the results
ok 2 other_suite
KTAP
	;;
fail)
	printf '%s\n' 'KTAP version 1' '1..1' '    KTAP version 1' '    # Subtest: math' '    1..2' \
		'    ok 1 adds' '    # subtracts: EXPECTATION FAILED at lib/math_test.c:12' \
		'    not ok 2 subtracts' 'not ok 1 math'
	;;
cut)
	printf '%s\n' 'TAP version 14' '1..2' '    # Subtest: slow' '    1..3' '    ok 1 - first'
	;;
none)
	echo "no tests today"
	;;
esac
# What went to the console may still be on its way out of the serial port: the agent's line
# about the payload's end, printed by the kernel at once, would cut it in two. Let it drain.
sleep 1
exit 0
