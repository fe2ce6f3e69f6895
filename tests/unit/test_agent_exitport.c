/* Leaving QEMU: the port write, the fallback when the write does not end the process, and the
 * immediate fallback when ioperm fails. The system calls are fakes that record. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/exitport.h"
#include "test_agent_util.h"

static char calls[512];
static int ioperm_result;

static void record(const char *fmt, unsigned a, unsigned b)
{
	char one[64];

	snprintf(one, sizeof(one), fmt, a, b);
	strncat(calls, one, sizeof(calls) - strlen(calls) - 1);
}

static int fake_ioperm(unsigned port)
{
	record("ioperm(0x%x) ", port, 0);
	return ioperm_result;
}

static void fake_outb(unsigned value, unsigned port)
{
	record("outb(0x%x,0x%x) ", value, port);
}

static void fake_sleep(long ms)
{
	record("sleep(%u) ", (unsigned)ms, 0);
}

static int fake_fallback(enum fallback_action a)
{
	record("fallback(%u) ", (unsigned)a, 0);
	return -EPERM;
}

static const struct xp_ops ops = { fake_ioperm, fake_outb, fake_sleep, fake_fallback };

static int setup(void **state)
{
	(void)state;
	tu_setup_dir();
	calls[0] = '\0';
	ioperm_result = 0;
	return 0;
}

static void test_fallback_when_write_does_not_end_us(void **state)
{
	(void)state;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "ioperm(0x501) outb(0x31,0x501) sleep(1000) fallback(0) ");
	assert_non_null(strstr(tu_log(), "writing 0x31 to port 0x501"));
	assert_non_null(strstr(tu_log(), "no isa-debug-exit device there?"));
	assert_non_null(strstr(tu_log(), "fallback poweroff: Operation not permitted"));
}

static void test_halt_fallback_and_other_port(void **state)
{
	(void)state;
	xp_leave(&ops, 0x45, 0xf4, FALLBACK_HALT);
	assert_string_equal(calls, "ioperm(0xf4) outb(0x45,0xf4) sleep(1000) fallback(1) ");
}

static void test_fallback_none_stays_up(void **state)
{
	(void)state;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_NONE);
	assert_string_equal(calls, "ioperm(0x501) outb(0x31,0x501) sleep(1000) ");
	assert_non_null(strstr(tu_log(), "fallback is none"));
}

static void test_ioperm_failure_falls_back_at_once(void **state)
{
	(void)state;
	ioperm_result = -EPERM;
	xp_leave(&ops, 0x31, 0x501, FALLBACK_POWEROFF);
	assert_string_equal(calls, "ioperm(0x501) fallback(0) ");
	assert_non_null(strstr(tu_log(), "ioperm port 0x501: Operation not permitted"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fallback_when_write_does_not_end_us, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_halt_fallback_and_other_port, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_fallback_none_stays_up, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_ioperm_failure_falls_back_at_once, setup, tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
