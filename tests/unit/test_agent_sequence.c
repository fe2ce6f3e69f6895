/* The shutdown sequence's order, with every step a fake that records: hooks, kill, sync,
 * holders, make safe, leave; which steps the config and the request switch off; when the
 * filesystems may be unmounted (alone) and when not; and that a step that fails or times out
 * never stops the later ones, the exit write above all. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/sequence.h"
#include "test_agent_util.h"

static char calls[512];
static int survivors; /* what the fake kill step reports */
static pid_t self_pid;

static void note(const char *what)
{
	strncat(calls, what, sizeof(calls) - strlen(calls) - 1);
	strncat(calls, " ", sizeof(calls) - strlen(calls) - 1);
}

static void fake_hooks(const struct agent_config *cfg, const struct seq_request *rq)
{
	(void)cfg;
	(void)rq;
	note("hooks");
}

static int fake_kill(const struct agent_config *cfg, pid_t spare)
{
	(void)cfg;
	(void)spare;
	note("kill");
	return survivors;
}

static void fake_sync(int timeout_ms)
{
	(void)timeout_ms;
	note("sync");
}

static void fake_holders(const struct agent_config *cfg)
{
	(void)cfg;
	note("holders");
}

static void fake_make_safe(const struct agent_config *cfg, bool alone)
{
	(void)cfg;
	note(alone ? "safe(alone)" : "safe(shared)");
}

static void fake_leave(const struct agent_config *cfg, unsigned exit_value)
{
	(void)cfg;
	note(exit_value == 0x31 ? "leave(0x31)" : "leave(other)");
}

static pid_t fake_self(void)
{
	return self_pid;
}

static const struct seq_ops ops = {
	fake_hooks, fake_kill, fake_sync, fake_holders, fake_make_safe, fake_leave, fake_self,
};

static struct agent_config cfg;

/* The sequencer is the agent's child: the request spares the agent's main process. */
static const char *run(pid_t self, pid_t spare, bool run_hooks)
{
	struct seq_request rq = { "power-button", "/dev/input/event1", 0x31, run_hooks, spare };

	calls[0] = '\0';
	self_pid = self;
	seq_run_with(&ops, &cfg, &rq);
	return calls;
}

static int setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	survivors = 0;
	return 0;
}

static void test_order_agent_pid1(void **state)
{
	(void)state;
	assert_string_equal(run(42, 1, true), "hooks kill sync holders safe(alone) leave(0x31) ");
	assert_string_equal(run(1, 0, true), "hooks kill sync holders safe(alone) leave(0x31) ");
}

/* A shell or an init as PID 1 goes on running: filesystems are never unmounted under it. */
static void test_other_pid1_never_alone(void **state)
{
	(void)state;
	assert_string_equal(run(42, 41, true), "hooks kill sync holders safe(shared) leave(0x31) ");
}

/* A survivor of SIGKILL (or no kill step at all) may still write. */
static void test_survivor_or_no_kill_step_not_alone(void **state)
{
	(void)state;
	survivors = 1;
	assert_string_equal(run(42, 1, true), "hooks kill sync holders safe(shared) leave(0x31) ");
	survivors = -ENOENT;
	assert_string_equal(run(42, 1, true), "hooks kill sync holders safe(shared) leave(0x31) ");
	survivors = 0;
	cfg.kill_processes = false;
	assert_string_equal(run(42, 1, true), "hooks sync holders safe(shared) leave(0x31) ");
}

static void test_switched_off_steps(void **state)
{
	(void)state;
	assert_string_equal(run(42, 1, false), "kill sync holders safe(alone) leave(0x31) ");
	cfg.unmount = false;
	assert_string_equal(run(42, 1, true), "hooks kill sync leave(0x31) ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_order_agent_pid1, setup),
		cmocka_unit_test_setup(test_other_pid1_never_alone, setup),
		cmocka_unit_test_setup(test_survivor_or_no_kill_step_not_alone, setup),
		cmocka_unit_test_setup(test_switched_off_steps, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
