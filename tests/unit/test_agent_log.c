/* The log: which lines reach the console whatever the loglevel (`quiet`, `loglevel=N`), and
 * that none is doubled when kmsg already shows it. kmsg and the console are files here, and
 * the console loglevel comes from a fake /proc/sys/kernel/printk. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/log.h"
#include "test_agent_util.h"

static int kmsg_fd = -1, console_fd = -1;

/* kmsg and console files in the test dir; the console loglevel is printk's first field. */
static void use_files(const char *printk)
{
	tu_write("printk", printk, 0644);
	kmsg_fd = open(tu_path("kmsg"), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	console_fd = open(tu_path("console"), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	log_use_files(kmsg_fd, console_fd, tu_path("printk"));
}

static int teardown(void **state)
{
	(void)close(kmsg_fd);
	(void)close(console_fd);
	return tu_teardown(state);
}

static void test_decision_from_console_loglevel(void **state)
{
	(void)state;
	assert_true(log_kmsg_reaches_console(5, "7\t4\t1\t7\n", false));  /* the default */
	assert_false(log_kmsg_reaches_console(5, "4\t4\t1\t7\n", false)); /* quiet */
	assert_false(log_kmsg_reaches_console(5, "1\t4\t1\t7\n", false)); /* loglevel=1 */
	assert_false(log_kmsg_reaches_console(5, "5\t4\t1\t7\n", false)); /* only levels below */
	assert_true(log_kmsg_reaches_console(5, "6\t4\t1\t7\n", false));
	assert_true(log_kmsg_reaches_console(5, "15\t4\t1\t7\n", false)); /* debug, ignore_loglevel */
}

static void test_decision_unknown_means_copy(void **state)
{
	(void)state;
	assert_false(log_kmsg_reaches_console(5, NULL, false));
	assert_false(log_kmsg_reaches_console(5, "", false));
	assert_false(log_kmsg_reaches_console(5, "x", false));
	assert_true(log_kmsg_reaches_console(5, "4\t4\t1\t7\n", true)); /* ignore_loglevel */
}

static void test_quiet_important_line_reaches_console_once(void **state)
{
	(void)state;
	use_files("4\t4\t1\t7\n");
	log_important("armed on %s", "/dev/input/event1");
	log_msg("hook %s: %s", "10-a", "output");
	assert_string_equal(tu_read("kmsg"), "<5>softoff-agent: armed on /dev/input/event1\n"
					     "<5>softoff-agent: hook 10-a: output\n");
	assert_string_equal(tu_read("console"), "softoff-agent: armed on /dev/input/event1\n");
}

static void test_loglevel_1_important_line_reaches_console(void **state)
{
	(void)state;
	use_files("1\t4\t1\t7\n");
	log_important("shutting down (%s)", "signal");
	assert_string_equal(tu_read("console"), "softoff-agent: shutting down (signal)\n");
}

static void test_default_loglevel_no_copy(void **state)
{
	(void)state;
	use_files("7\t4\t1\t7\n");
	log_important("armed on %s", "/dev/input/event1");
	assert_string_equal(tu_read("kmsg"), "<5>softoff-agent: armed on /dev/input/event1\n");
	assert_string_equal(tu_read("console"), "");
}

static void test_unreadable_printk_copies(void **state)
{
	(void)state;
	use_files("7\n");
	log_use_files(kmsg_fd, console_fd, tu_path("no-such-printk"));
	log_important("starting");
	assert_string_equal(tu_read("console"), "softoff-agent: starting\n");
}

static void test_stderr_lines_have_no_level_tag(void **state)
{
	(void)state;
	log_important("writing 0x%x to port 0x%x", 0x31u, 0x501u);
	log_msg("plain");
	assert_string_equal(tu_log(), "softoff-agent: writing 0x31 to port 0x501\nsoftoff-agent: plain\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_decision_from_console_loglevel),
		TU_TEST(test_decision_unknown_means_copy),
		cmocka_unit_test_setup_teardown(test_quiet_important_line_reaches_console_once, tu_setup, teardown),
		cmocka_unit_test_setup_teardown(test_loglevel_1_important_line_reaches_console, tu_setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_loglevel_no_copy, tu_setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_printk_copies, tu_setup, teardown),
		TU_TEST(test_stderr_lines_have_no_level_tag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
