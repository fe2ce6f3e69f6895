/* Unit tests for the KTAP reader (boot --ktap): KUnit's and kselftest's output as the console
 * shows it, passing, failing, skipped, nested, with plans not met, cut short, between other
 * kernel lines, with printk timestamps and prefixes, and the TAP 13/14 variants; and boot's
 * JUnit cases made of them. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../qemu-harness/boot.h"
#include "../../qemu-harness/console.h"
#include "../../qemu-harness/ktap.h"
#include "test_harness_ktap_util.h"

static struct ktap k;

static int setup(void **state)
{
	(void)state;
	ktap_init(&k);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ktap_free(&k);
	return 0;
}

/* Result i is PATH.NAME with this outcome. */
static void result_is(size_t i, const char *path, const char *name, int depth,
		      enum ktap_outcome outcome)
{
	assert_true(i < k.n_results);
	assert_string_equal(k.results[i].path, path);
	assert_string_equal(k.results[i].name, name);
	assert_int_equal(k.results[i].depth, depth);
	assert_int_equal(k.results[i].outcome, outcome);
}

static void summary_is(const char *want)
{
	char buf[1024];

	ktap_summary(&k, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* KUnit since 6.x: a top level of suites, each a subtest with "# Subtest:" after its
 * version line, results without "-". */
static void kunit_passing(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n"
			   "1..1\n"
			   "    KTAP version 1\n"
			   "    # Subtest: example\n"
			   "    # module: kunit_example_test\n"
			   "    1..2\n"
			   "    ok 1 example_simple_test\n"
			   "    ok 2 example_mark_test\n"
			   "    # example: pass:2 fail:0 skip:0 total:2\n"
			   "ok 1 example\n");
	assert_true(ktap_passed(&k));
	assert_int_equal(k.n_results, 3);
	result_is(0, "example", "example_simple_test", 1, KTAP_PASS);
	result_is(1, "example", "example_mark_test", 1, KTAP_PASS);
	result_is(2, "", "example", 0, KTAP_PASS);
	summary_is("3 tests: 3 passed, 0 failed, 0 skipped");
	assert_int_equal(k.depth, 0); /* the plan is met: the document is over */
}

/* A failing case: its diagnostic lines become its note; the suite fails too. */
static void kunit_failing(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n"
			   "1..1\n"
			   "    KTAP version 1\n"
			   "    # Subtest: math\n"
			   "    1..2\n"
			   "    ok 1 adds\n"
			   "    # subtracts: EXPECTATION FAILED at lib/math_test.c:12\n"
			   "    # Expected 3 - 1 == 1, but\n"
			   "    not ok 2 subtracts\n"
			   "not ok 1 math\n");
	assert_false(ktap_passed(&k));
	assert_int_equal(k.failed, 2);
	result_is(1, "math", "subtracts", 1, KTAP_FAIL);
	assert_string_equal(k.results[1].note, "subtracts: EXPECTATION FAILED at "
			    "lib/math_test.c:12\nExpected 3 - 1 == 1, but");
	result_is(2, "", "math", 0, KTAP_FAIL);
	assert_string_equal(k.error, "");
	summary_is("3 tests: 1 passed, 2 failed, 0 skipped; first failure: math.subtracts");
}

/* SKIP after ok or not ok, any case, with or without a reason: skipped, not failed. */
static void skipped(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n"
			   "1..4\n"
			   "ok 1 needs_iommu # SKIP no IOMMU here\n"
			   "not ok 2 needs_numa # skip\n"
			   "ok 3 - needs_disk # SKIPPED: no disk\n"
			   "ok 4 check return code # rcode=0\n");
	assert_true(ktap_passed(&k));
	assert_int_equal(k.skipped, 3);
	result_is(0, "", "needs_iommu", 0, KTAP_SKIP);
	assert_string_equal(k.results[0].note, "no IOMMU here");
	result_is(1, "", "needs_numa", 0, KTAP_SKIP);
	assert_string_equal(k.results[1].note, "");
	result_is(2, "", "needs_disk", 0, KTAP_SKIP);
	assert_string_equal(k.results[2].note, "no disk");
	result_is(3, "", "check return code", 0, KTAP_PASS); /* data, not a directive */
	assert_string_equal(k.results[3].note, "rcode=0");
	summary_is("4 tests: 1 passed, 0 failed, 3 skipped");
}

/* The spec's example: two levels of nesting by version lines alone (2 spaces a level),
 * names known only from the result lines that close the subtests. */
static void nested_two_levels(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n"
			   "1..1\n"
			   "  KTAP version 1\n"
			   "  1..2\n"
			   "    KTAP version 1\n"
			   "    1..1\n"
			   "    # test_1: initializing test_1\n"
			   "    ok 1 test_1\n"
			   "  ok 1 example_test_1\n"
			   "    KTAP version 1\n"
			   "    1..2\n"
			   "    ok 1 test_1 # SKIP test_1 skipped\n"
			   "    # test_2: FAIL\n"
			   "    not ok 2 test_2\n"
			   "  not ok 2 example_test_2\n"
			   "not ok 1 main_test\n");
	assert_int_equal(k.n_results, 6);
	result_is(0, "main_test.example_test_1", "test_1", 2, KTAP_PASS);
	result_is(1, "main_test", "example_test_1", 1, KTAP_PASS);
	result_is(2, "main_test.example_test_2", "test_1", 2, KTAP_SKIP);
	result_is(3, "main_test.example_test_2", "test_2", 2, KTAP_FAIL);
	assert_string_equal(k.results[3].note, "test_2: FAIL");
	result_is(4, "main_test", "example_test_2", 1, KTAP_FAIL);
	result_is(5, "", "main_test", 0, KTAP_FAIL);
	assert_string_equal(k.error, "");
	summary_is("6 tests: 2 passed, 3 failed, 1 skipped; first failure: "
		   "main_test.example_test_2.test_2");
}

/* Fewer results than a subtest planned fail its parent; the top level's plan is a problem. */
static void plan_not_met(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n"
			   "1..3\n"
			   "    KTAP version 1\n"
			   "    # Subtest: short\n"
			   "    1..3\n"
			   "    ok 1 a\n"
			   "    ok 2 b\n"
			   "ok 1 short\n"
			   "ok 2 other\n");
	assert_false(ktap_passed(&k));
	result_is(2, "", "short", 0, KTAP_FAIL);
	assert_string_equal(k.results[2].note, "planned 3 subtests, got 2");
	result_is(3, "", "other", 0, KTAP_PASS);
	assert_string_equal(k.error, "planned 3 tests, got 2 (the output ended)");
}

/* The console ends inside a subtest: it and its parents get failed results made up. */
static void truncated(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n"
			   "1..2\n"
			   "    KTAP version 1\n"
			   "    # Subtest: slow\n"
			   "    1..3\n"
			   "        KTAP version 1\n"
			   "        # Subtest: params\n"
			   "        ok 1 params value 1\n"
			   "    ok 1 params\n"
			   "    ok 2 b\n");
	assert_false(ktap_passed(&k));
	assert_int_equal(k.n_results, 4);
	result_is(2, "slow", "b", 1, KTAP_PASS);
	result_is(3, "", "slow", 0, KTAP_FAIL);
	assert_string_equal(k.results[3].note, "the output ended (after 2 of 3 subtests)");
	assert_string_equal(k.error, "the output ended inside slow");
	summary_is("4 tests: 3 passed, 1 failed, 0 skipped; first failure: slow; "
		   "the output ended inside slow");
}

/* Ended deeper: every open level gets its made-up result, innermost first. */
static void truncated_deep(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n1..1\n"
			   "  KTAP version 1\n  1..1\n"
			   "    KTAP version 1\n    1..2\n    ok 1 only\n");
	assert_int_equal(k.n_results, 3);
	result_is(0, "test 1.test 1", "only", 2, KTAP_PASS);
	result_is(1, "test 1", "test 1", 1, KTAP_FAIL);
	result_is(2, "", "test 1", 0, KTAP_FAIL);
	assert_string_equal(k.error, "the output ended inside a subtest");
}

/* Unknown lines anywhere, indented or not, change nothing; "okay" is not a result. */
static void garbage_between(void **state)
{
	(void)state;
	ktap_read_text(&k, "ok 1 before any version line\n"
			   "random: crng init done\n"
			   "KTAP version 1\n"
			   "1..2\n"
			   "okay, here we go\n"
			   "    KTAP version 1\n"
			   "    # Subtest: suite\n"
			   "ACPI: button: Power Button [PWRF]\n"
			   "    1..1\n"
			   "        some indented log line\n"
			   "    ok 1 case\n"
			   "ok1 glued\n"
			   "ok 1 suite\n"
			   "not ok\n"
			   "ok 3 after the plan was met\n");
	assert_false(ktap_passed(&k)); /* "not ok" with no number is the 2nd result */
	assert_int_equal(k.n_results, 3);
	result_is(0, "suite", "case", 1, KTAP_PASS);
	result_is(1, "", "suite", 0, KTAP_PASS);
	result_is(2, "", "test 2", 0, KTAP_FAIL);
	assert_string_equal(k.error, "");
}

/* Through the console: printk timestamps removed, indentation kept; CRs dropped. */
static void timestamps_through_console(void **state)
{
	static const char text[] =
		"[    0.912345] KTAP version 1\r\n"
		"[    0.912346] 1..1\r\n"
		"[    0.912400]     KTAP version 1\r\n"
		"[    0.912401]     # Subtest: example\r\n"
		"[    0.912402]     1..1\r\n"
		"[    0.913000] some driver: probed\r\n"
		"[    0.913100]     ok 1 example_simple_test\r\n"
		"[    0.913200] ok 1 example\r\n";
	struct console con;

	(void)state;
	console_init(&con, -1, NULL, NULL);
	con.ktap = &k;
	console_feed(&con, text, sizeof(text) - 1);
	ktap_finish(&k);
	assert_true(ktap_passed(&k));
	result_is(0, "example", "example_simple_test", 1, KTAP_PASS);
	result_is(1, "", "example", 0, KTAP_PASS);
}

/* A kernel message that lands inside a program's line on the shared console: the program's
 * part waits for its rest, the next line that is not the kernel's; a line that ended just
 * before the message is whole again with the empty rest. */
static void lines_cut_by_kernel_messages(void **state)
{
	static const char text[] =
		"KTAP version 1\r\n1..1\r\n"
		"    KTAP version 1\r\n    # Subtest: math\r\n    1..2\r\n"
		"    ok 1 ad[    2.000001] random: crng init done\r\n"
		"[    2.000002] another kernel line\r\n"
		"ds\r\n"
		"    # subtracts: EXPECTATION FAILED at lib/math_[    2.114809] softoff-agent: x\r\n"
		"test.c:12\r\n"
		"    not ok 2 subtracts[    2.2] kernel\r\n"
		"\r\n"
		"not ok 1 math\r\n";
	struct console con;

	(void)state;
	console_init(&con, -1, NULL, NULL);
	con.ktap = &k;
	console_feed(&con, text, sizeof(text) - 1);
	ktap_finish(&k);
	assert_int_equal(k.n_results, 3);
	result_is(0, "math", "adds", 1, KTAP_PASS);
	result_is(1, "math", "subtracts", 1, KTAP_FAIL);
	assert_string_equal(k.results[1].note, "subtracts: EXPECTATION FAILED at lib/math_test.c:12");
	result_is(2, "", "math", 0, KTAP_FAIL);
	assert_string_equal(k.error, "");
}

/* A prefix before the version line ("kunit: ", or a payload's) must come before each of the
 * document's lines; lines without it are someone else's. */
static void prefixed_lines(void **state)
{
	(void)state;
	ktap_read_text(&k, "kunit: KTAP version 1\n"
			   "kunit: 1..2\n"
			   "ok 1 not ours\n"
			   "kunit:     KTAP version 1\n"
			   "kunit:     1..1\n"
			   "kunit:     ok 1 inner\n"
			   "kunit: ok 1 outer\n"
			   "kunit: ok 2 second\n");
	assert_true(ktap_passed(&k));
	assert_int_equal(k.n_results, 3);
	result_is(0, "outer", "inner", 1, KTAP_PASS);
	result_is(2, "", "second", 0, KTAP_PASS);
}

/* kselftest's "TAP version 13" (results with "-"), KUnit 5.x/6.1's "TAP version 14" with
 * "# Subtest:" and no nested version line: both read like KTAP. */
static void tap13_and_tap14(void **state)
{
	(void)state;
	ktap_read_text(&k, "TAP version 13\n"
			   "1..2\n"
			   "ok 1 - selftests: timers: posix_timers\n"
			   "not ok 2 - selftests: timers: nanosleep # TIMEOUT 45 seconds\n"
			   "TAP version 14\n"
			   "1..1\n"
			   "    # Subtest: list-kunit-test\n"
			   "    1..1\n"
			   "    ok 1 - list_test_list_init\n"
			   "ok 1 - list-kunit-test\n");
	assert_int_equal(k.documents, 2);
	result_is(0, "", "selftests: timers: posix_timers", 0, KTAP_PASS);
	result_is(1, "", "selftests: timers: nanosleep", 0, KTAP_FAIL);
	assert_string_equal(k.results[1].directive, "TIMEOUT");
	assert_string_equal(k.results[1].note, "45 seconds");
	result_is(2, "list-kunit-test", "list_test_list_init", 1, KTAP_PASS);
	result_is(3, "", "list-kunit-test", 0, KTAP_PASS);
	assert_string_equal(k.error, "");
}

/* TODO and XFAIL are never failures, whatever ok / not ok says. */
static void todo_directives(void **state)
{
	(void)state;
	ktap_read_text(&k, "TAP version 13\n"
			   "1..3\n"
			   "not ok 1 - unfinished # TODO not written yet\n"
			   "ok 2 - fixed early # TODO\n"
			   "not ok 3 known_bug # XFAIL bug 1234\n");
	assert_true(ktap_passed(&k));
	assert_int_equal(k.todo, 3);
	result_is(0, "", "unfinished", 0, KTAP_TODO);
	assert_string_equal(k.results[0].directive, "TODO");
	assert_string_equal(k.results[0].note, "not written yet");
	result_is(2, "", "known_bug", 0, KTAP_TODO);
	assert_string_equal(k.results[2].directive, "XFAIL");
	summary_is("3 tests: 0 passed, 0 failed, 0 skipped, 3 todo");
}

/* No version line at all is a failure: the tests did not run, or printed elsewhere. */
static void nothing_read(void **state)
{
	(void)state;
	ktap_read_text(&k, "Linux version 6.1.0\nok 1 looks like a result\n1..1\n");
	assert_false(ktap_passed(&k));
	assert_int_equal(k.n_results, 0);
	summary_is("0 tests: 0 passed, 0 failed, 0 skipped; no KTAP version line on the console");
}

static void bail_out(void **state)
{
	(void)state;
	ktap_read_text(&k, "TAP version 13\n1..3\nok 1 - first\nBail out! no /dev/kvm\nok 2 - later\n");
	assert_false(ktap_passed(&k));
	assert_int_equal(k.n_results, 1);
	assert_string_equal(k.error, "bail out! no /dev/kvm");
}

/* A new top-level document while one is open ends that one (a module loaded later prints
 * its own); with its plan met, the next is simply another. */
static void documents_one_after_another(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n1..1\nok 1 built_in\n"
			   "KTAP version 1\n1..2\nok 1 module_a\n"
			   "KTAP version 1\n1..1\nok 1 module_b\n");
	assert_int_equal(k.documents, 3);
	assert_int_equal(k.n_results, 3);
	assert_string_equal(k.error, "planned 2 tests, got 1 (a new KTAP version line came)");
}

/* A result line at no open level's indentation (a subtest never announced) opens one. */
static void results_without_header(void **state)
{
	(void)state;
	ktap_read_text(&k, "KTAP version 1\n1..1\n    ok 1 inner\n    ok 2 inner2\nok 1 outer\n");
	assert_true(ktap_passed(&k));
	result_is(0, "outer", "inner", 1, KTAP_PASS);
	result_is(2, "", "outer", 0, KTAP_PASS);
}

/* Deeper than KTAP_MAX_DEPTH: the extra levels are unknown lines, nothing overflows. */
static void too_deep(void **state)
{
	char line[256];

	(void)state;
	ktap_line(&k, "KTAP version 1");
	for (int d = 1; d < KTAP_MAX_DEPTH + 4; d++) {
		snprintf(line, sizeof(line), "%*sKTAP version 1", 2 * d, "");
		ktap_line(&k, line);
	}
	assert_int_equal(k.depth, KTAP_MAX_DEPTH);
	ktap_finish(&k);
	assert_int_equal(k.depth, 0);
	assert_int_equal(k.n_results, KTAP_MAX_DEPTH - 1);
	assert_false(ktap_passed(&k));
}

/* Beyond KTAP_MAX_RESULTS results are counted, not kept. */
static void many_results(void **state)
{
	char line[64];

	(void)state;
	ktap_line(&k, "KTAP version 1");
	for (int i = 1; i <= KTAP_MAX_RESULTS + 5; i++) {
		snprintf(line, sizeof(line), "ok %d t%d", i, i);
		ktap_line(&k, line);
	}
	ktap_finish(&k);
	assert_int_equal(k.n_results, KTAP_MAX_RESULTS);
	assert_int_equal(k.seen, KTAP_MAX_RESULTS + 5);
	assert_true(ktap_passed(&k)); /* no plan: as many as came */
}

/* boot's JUnit cases: classname from the path, failure and skipped messages, and one more
 * case for a problem no result carries. */
static void junit_cases(void **state)
{
	struct junit_case cases[8];
	void *strings;
	size_t n;

	(void)state;
	ktap_read_text(&k, "KTAP version 1\n1..2\n"
			   "    KTAP version 1\n    # Subtest: s\n"
			   "    ok 1 a # SKIP no disk\n"
			   "    not ok 2 b # TIMEOUT 30 s\n"
			   "    not ok 3 c # XFAIL known\n"
			   "    # d: went wrong\n"
			   "    not ok 4 d\n"
			   "not ok 1 s\n");
	assert_int_equal(boot_ktap_max_cases(&k), 6);
	n = boot_ktap_cases(&k, cases, &strings);
	assert_int_equal(n, 6);
	assert_string_equal(cases[0].classname, "ktap.s");
	assert_string_equal(cases[0].name, "a");
	assert_string_equal(cases[0].skipped, "no disk");
	assert_null(cases[0].failure);
	assert_string_equal(cases[1].failure, "TIMEOUT: 30 s");
	assert_string_equal(cases[2].skipped, "XFAIL known");
	assert_string_equal(cases[3].failure, "d: went wrong");
	assert_string_equal(cases[4].classname, "ktap");
	assert_string_equal(cases[4].failure, "not ok");
	assert_string_equal(cases[5].name, "KTAP output");
	assert_string_equal(cases[5].failure, "planned 2 tests, got 1 (the output ended)");
	free(strings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(kunit_passing, setup, teardown),
		cmocka_unit_test_setup_teardown(kunit_failing, setup, teardown),
		cmocka_unit_test_setup_teardown(skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(nested_two_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(plan_not_met, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(truncated_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(garbage_between, setup, teardown),
		cmocka_unit_test_setup_teardown(timestamps_through_console, setup, teardown),
		cmocka_unit_test_setup_teardown(lines_cut_by_kernel_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(prefixed_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(tap13_and_tap14, setup, teardown),
		cmocka_unit_test_setup_teardown(todo_directives, setup, teardown),
		cmocka_unit_test_setup_teardown(nothing_read, setup, teardown),
		cmocka_unit_test_setup_teardown(bail_out, setup, teardown),
		cmocka_unit_test_setup_teardown(documents_one_after_another, setup, teardown),
		cmocka_unit_test_setup_teardown(results_without_header, setup, teardown),
		cmocka_unit_test_setup_teardown(too_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(many_results, setup, teardown),
		cmocka_unit_test_setup_teardown(junit_cases, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
