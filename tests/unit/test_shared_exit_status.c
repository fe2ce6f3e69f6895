/* Unit tests for the exit-status contract shared by the agent and the harness. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "softoff/exit_status.h"

static void poweroff_is_99(void **state)
{
	(void)state;
	assert_int_equal(softoff_qemu_status(SOFTOFF_EXIT_POWEROFF), 99);
	assert_int_equal(softoff_decode(99).outcome, SOFTOFF_OUTCOME_POWEROFF);
}

static void payload_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s <= SOFTOFF_EXIT_PAYLOAD_MAX; s++) {
		int q = softoff_qemu_status(softoff_encode_payload(s));
		struct softoff_decoded d = softoff_decode(q);

		assert_int_equal(d.outcome, SOFTOFF_OUTCOME_PAYLOAD);
		assert_int_equal(d.payload_status, s);
	}
}

static void payload_status_clamped(void **state)
{
	(void)state;
	struct softoff_decoded d = softoff_decode(softoff_qemu_status(softoff_encode_payload(200)));

	assert_int_equal(d.payload_status, SOFTOFF_EXIT_PAYLOAD_MAX);
	assert_true(softoff_encode_payload(255) <= 0x7f);
}

static void special_values_distinct(void **state)
{
	(void)state;
	assert_int_equal(softoff_decode(softoff_qemu_status(SOFTOFF_EXIT_PAYLOAD_SIGNALED)).outcome,
			 SOFTOFF_OUTCOME_PAYLOAD_SIGNALED);
	assert_int_equal(softoff_decode(softoff_qemu_status(SOFTOFF_EXIT_AGENT_FAILURE)).outcome,
			 SOFTOFF_OUTCOME_AGENT_FAILURE);
	assert_int_equal(softoff_decode(0).outcome, SOFTOFF_OUTCOME_NOT_DEBUG_EXIT);
	assert_int_equal(softoff_decode(1).outcome, SOFTOFF_OUTCOME_QEMU_ERROR);
	assert_int_equal(softoff_decode(2).outcome, SOFTOFF_OUTCOME_OTHER);
	assert_int_equal(softoff_decode(3).outcome, SOFTOFF_OUTCOME_OTHER);
	assert_int_equal(softoff_decode(-1).outcome, SOFTOFF_OUTCOME_OTHER);
	assert_int_equal(softoff_decode(99).payload_status, -1);
}

static void only_low_bits_survive(void **state)
{
	(void)state;
	/* v = 0x80 gives status 1, like QEMU's own error */
	assert_int_equal(softoff_qemu_status(0x80), 1);
	assert_int_equal(softoff_qemu_status(0x7f), 255);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(poweroff_is_99),
		cmocka_unit_test(payload_round_trip),
		cmocka_unit_test(payload_status_clamped),
		cmocka_unit_test(special_values_distinct),
		cmocka_unit_test(only_low_bits_survive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
