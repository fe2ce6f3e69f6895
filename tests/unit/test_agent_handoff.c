/* Who handles a shutdown request on a fake root: the agent (no systemd), systemd (signal 38 to
 * PID 1) or systemd-logind (left alone, as its HandlePowerKey= says); the loop's hand-off; and
 * the exit-port command refused while systemd still runs as PID 1. The effects are fakes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/handoff.h"
#include "../../agent/loop.h"
#include "test_agent_util.h"

static struct agent_config cfg;
static int signals_sent, last_signal, ports_written, sequences;

static int fake_signal_init(int signo)
{
	signals_sent++;
	last_signal = signo;
	return 0;
}

static void fake_write_port(const struct agent_config *c)
{
	(void)c;
	ports_written++;
}

static const struct handoff_ops ops = { fake_signal_init, fake_write_port };

static void count_sequence(struct loop *l, const struct seq_request *rq)
{
	(void)l;
	(void)rq;
	sequences++;
}

static void mkdirs(const char *rel)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", tu_path(rel));
	assert_int_equal(system(cmd), 0);
}

/* A fake root: systemd booted (or not), and processes with these names as PIDs 1, 2, ... */
static void fake_root(bool systemd, const char *const *comms)
{
	if (systemd)
		mkdirs("run/systemd/system");
	for (int i = 0; comms && comms[i]; i++) {
		char rel[64], text[64];

		snprintf(rel, sizeof(rel), "proc/%d", i + 1);
		mkdirs(rel);
		snprintf(rel, sizeof(rel), "proc/%d/comm", i + 1);
		snprintf(text, sizeof(text), "%s\n", comms[i]);
		tu_write(rel, text, 0644);
	}
	mkdirs("proc/self"); /* not a PID: skipped */
}

static const char *const with_logind[] = { "systemd", "systemd-journal", "systemd-logind", NULL };
static const char *const without_logind[] = { "systemd", "systemd-udevd", "softoff-agent", NULL };

static int setup(void **state)
{
	(void)state;
	tu_setup_dir();
	config_defaults(&cfg);
	signals_sent = last_signal = ports_written = sequences = 0;
	return 0;
}

static enum handoff_owner decide(const char *event)
{
	char why[128];

	return handoff_decide(tu_dir, event, why, sizeof(why));
}

static void test_no_systemd_agent_does_it(void **state)
{
	(void)state;
	fake_root(false, (const char *const[]){ "init", "systemd-logind", NULL });
	assert_false(handoff_systemd_booted(tu_dir));
	assert_int_equal(decide("power-button"), HANDOFF_AGENT);
	assert_int_equal(decide("command"), HANDOFF_AGENT);
}

static void test_systemd_without_logind_gets_it(void **state)
{
	(void)state;
	fake_root(true, without_logind);
	assert_true(handoff_systemd_booted(tu_dir));
	assert_false(handoff_logind_running(tu_dir));
	assert_int_equal(decide("power-button"), HANDOFF_SYSTEMD);
}

static void test_logind_keeps_the_key_not_commands(void **state)
{
	(void)state;
	fake_root(true, with_logind);
	assert_true(handoff_logind_running(tu_dir));
	assert_int_equal(decide("power-button"), HANDOFF_LOGIND);
	assert_int_equal(decide("signal"), HANDOFF_SYSTEMD);
	assert_int_equal(decide("command"), HANDOFF_SYSTEMD);
}

static void test_logind_told_to_ignore_the_key(void **state)
{
	(void)state;
	fake_root(true, with_logind);
	mkdirs("etc/systemd");
	tu_write("etc/systemd/logind.conf", "[Login]\n#HandlePowerKey=poweroff\n HandlePowerKey = ignore \n", 0644);
	assert_int_equal(decide("power-button"), HANDOFF_SYSTEMD);
}

static const char *power_key(void)
{
	static char value[32];

	handoff_logind_power_key(tu_dir, value, sizeof(value));
	return value;
}

static void test_power_key_default_sections_and_dropins(void **state)
{
	(void)state;
	assert_string_equal(power_key(), "poweroff");
	mkdirs("etc/systemd/logind.conf.d");
	mkdirs("run/systemd/logind.conf.d");
	mkdirs("usr/lib/systemd/logind.conf.d");
	tu_write("etc/systemd/logind.conf", "[Login]\nHandlePowerKey=suspend\n[Other]\nHandlePowerKey=lock\n", 0644);
	assert_string_equal(power_key(), "suspend");
	/* drop-ins in name order over all directories, each after the main file */
	tu_write("usr/lib/systemd/logind.conf.d/20-vendor.conf", "[Login]\nHandlePowerKey=reboot\n", 0644);
	assert_string_equal(power_key(), "reboot");
	tu_write("run/systemd/logind.conf.d/10-early.conf", "[Login]\nHandlePowerKey=halt\n", 0644);
	assert_string_equal(power_key(), "reboot");
	/* the same name in a directory of higher priority masks the vendor's file */
	tu_write("etc/systemd/logind.conf.d/20-vendor.conf", "[Login]\nHandleLidSwitch=ignore\n", 0644);
	assert_string_equal(power_key(), "halt");
	tu_write("etc/systemd/logind.conf.d/30-not-a-conf.txt", "[Login]\nHandlePowerKey=ignore\n", 0644);
	assert_string_equal(power_key(), "halt");
}

static void attached_loop(struct loop *l)
{
	mkdirs("input");
	mkdirs("sys");
	assert_int_equal(loop_init(l, &cfg, tu_path("input"), tu_path("sys")), 0);
	l->start = count_sequence;
}

static void test_loop_hands_presses_to_systemd(void **state)
{
	static struct loop l;

	(void)state;
	fake_root(true, without_logind);
	attached_loop(&l);
	cfg.repeat = REPEAT_FORCE; /* never "leave now" under systemd: that would skip its shutdown */
	assert_true(handoff_attach(&l, tu_dir, &ops));
	loop_trigger(&l, "power-button", "/dev/input/event1", cfg.exit_value, true);
	loop_trigger(&l, "power-button", "/dev/input/event1", cfg.exit_value, true);
	assert_int_equal(signals_sent, 2);
	assert_int_equal(last_signal, 38);
	assert_int_equal(sequences, 0);
	assert_int_equal(ports_written, 0);
	assert_non_null(strstr(tu_log(), "starts poweroff.target"));
	loop_close(&l);
}

static void test_loop_leaves_presses_to_logind(void **state)
{
	static struct loop l;

	(void)state;
	fake_root(true, with_logind);
	attached_loop(&l);
	assert_true(handoff_attach(&l, tu_dir, &ops));
	loop_trigger(&l, "power-button", "/dev/input/event1", cfg.exit_value, true);
	assert_int_equal(signals_sent, 0);
	assert_int_equal(sequences, 0);
	assert_non_null(strstr(tu_log(), "HandlePowerKey=poweroff: leaving the power key to systemd-logind"));
	/* a payload's end is not a key: systemd gets it */
	loop_trigger(&l, "command", "", 0x40, false);
	assert_int_equal(signals_sent, 1);
	assert_int_equal(handoff_command(tu_dir, &ops), 0);
	assert_int_equal(signals_sent, 2);
	loop_close(&l);
}

static void test_no_systemd_loop_unchanged(void **state)
{
	static struct loop l;

	(void)state;
	fake_root(false, NULL);
	attached_loop(&l);
	assert_false(handoff_attach(&l, tu_dir, &ops));
	loop_trigger(&l, "power-button", "/dev/input/event1", cfg.exit_value, true);
	assert_int_equal(sequences, 1);
	assert_int_equal(signals_sent, 0);
	loop_close(&l);
}

static void test_exit_port_refused_while_systemd_runs(void **state)
{
	char why[256];

	(void)state;
	fake_root(true, without_logind);
	assert_false(handoff_exit_port_allowed(tu_dir, why, sizeof(why)));
	assert_non_null(strstr(why, "systemd is running as PID 1 ('systemd')"));
	assert_int_equal(handoff_exit_port(&cfg, tu_dir, &ops), 1);
	assert_int_equal(ports_written, 0);
}

static void test_exit_port_in_systemd_shutdown_or_other_init(void **state)
{
	(void)state;
	fake_root(true, (const char *const[]){ "systemd-shutdow", NULL });
	assert_int_equal(handoff_exit_port(&cfg, tu_dir, &ops), 0);
	assert_int_equal(ports_written, 1);
	tu_setup_dir();
	fake_root(false, (const char *const[]){ "init", NULL });
	assert_int_equal(handoff_exit_port(&cfg, tu_dir, &ops), 0);
	assert_int_equal(ports_written, 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tu_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_no_systemd_agent_does_it),
		T(test_systemd_without_logind_gets_it),
		T(test_logind_keeps_the_key_not_commands),
		T(test_logind_told_to_ignore_the_key),
		T(test_power_key_default_sections_and_dropins),
		T(test_loop_hands_presses_to_systemd),
		T(test_loop_leaves_presses_to_logind),
		T(test_no_systemd_loop_unchanged),
		T(test_exit_port_refused_while_systemd_runs),
		T(test_exit_port_in_systemd_shutdown_or_other_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
