/* Hooks: run-parts order, argv/env, output capture, time limits, failures, permissions. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "../../agent/hooks.h"
#include "test_agent_util.h"

static struct agent_config cfg;
static const struct hook_env env = { "power-button", "/dev/input/event1" };

static int setup(void **state)
{
	(void)state;
	tu_setup_dir();
	mkdir(tu_path("hooks.d"), 0755);
	config_defaults(&cfg);
	snprintf(cfg.hooks[0], CONFIG_PATH_MAX, "%s", tu_path("hooks.d"));
	cfg.n_hooks = 1;
	cfg.hook_timeout_ms = 2000;
	cfg.deadline_ms = 5000;
	cfg.hook_owner = getuid();
	setenv("OUT", tu_path("out"), 1);
	return 0;
}

#define SH "#!/bin/sh\n"

static void test_order_is_bytewise_and_names_filtered(void **state)
{
	struct hook_list list;

	(void)state;
	tu_write("hooks.d/20-b", SH "echo 20-b >>\"$OUT\"\n", 0755);
	tu_write("hooks.d/10-a", SH "echo 10-a >>\"$OUT\"\n", 0755);
	tu_write("hooks.d/3-c", SH "echo 3-c >>\"$OUT\"\n", 0755);
	tu_write("hooks.d/B_upper.sh", SH "echo B >>\"$OUT\"\n", 0755);
	tu_write("hooks.d/.hidden", SH "echo hidden >>\"$OUT\"\n", 0755);
	tu_write("hooks.d/bad~", SH "echo tilde >>\"$OUT\"\n", 0755);
	tu_write("single", SH "echo single >>\"$OUT\"\n", 0755);
	snprintf(cfg.hooks[1], CONFIG_PATH_MAX, "%s", tu_path("single"));
	cfg.n_hooks = 2;
	assert_int_equal(hook_collect(&cfg, &list), 5);
	hook_run_all(&cfg, &env);
	assert_string_equal(tu_read("out"), "10-a\n20-b\n3-c\nB\nsingle\n");
}

static void test_argv_env_stdin_and_output_lines(void **state)
{
	(void)state;
	tu_write("hooks.d/10-env",
		 SH "echo \"$1 $SOFTOFF_EVENT $SOFTOFF_DEVICE\"\nread x && echo got-stdin\n"
		    "echo to-stderr >&2\nprintf 'no newline'\n", 0755);
	hook_run_all(&cfg, &env);
	assert_non_null(strstr(tu_log(), "softoff-agent: hook 10-env: poweroff power-button /dev/input/event1\n"));
	assert_null(strstr(tu_log(), "got-stdin"));
	assert_non_null(strstr(tu_log(), "softoff-agent: hook 10-env: to-stderr\n"));
	assert_non_null(strstr(tu_log(), "softoff-agent: hook 10-env: no newline\n"));
}

static void test_long_lines_are_capped(void **state)
{
	const char *line;

	(void)state;
	tu_write("hooks.d/10-long", SH "i=0; while [ $i -lt 300 ]; do printf xxxxxxxxxx; i=$((i+1)); done; echo\n", 0755);
	hook_run_all(&cfg, &env);
	line = strstr(tu_log(), "hook 10-long: ");
	assert_non_null(line);
	assert_true(strchr(line, '\n') - line < HOOK_LINE_MAX + 40);
	assert_non_null(strstr(line, " [...]\n"));
}

/* Waits for pid (an orphan re-parented to us, the subreaper) and returns its wait status. */
static int reap_orphan(pid_t pid)
{
	int status = -1;

	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(10000);
	}
	return -1;
}

static void test_timeout_kills_the_whole_group(void **state)
{
	struct hook_result res;
	long long t0 = tu_ms();
	int bg, bg_status;

	(void)state;
	tu_write("hooks.d/10-hang", SH "sleep 30 & echo $! >\"$OUT\"\nsleep 30\n", 0755);
	/* 2.5 s: time for the hook to start its child even when QEMUs load every core */
	assert_int_equal(hook_run(tu_path("hooks.d/10-hang"), &env, tu_ms() + 2500, &res), 0);
	assert_true(tu_ms() - t0 < 10000); /* not the hook's 30 s */
	assert_true(res.timed_out);
	assert_false(res.killed);
	assert_true(res.reaped && WIFSIGNALED(res.status) && WTERMSIG(res.status) == SIGTERM);
	bg = atoi(tu_read("out"));
	assert_true(bg > 0);
	bg_status = reap_orphan(bg);
	if (bg_status != -1)
		assert_int_equal(WTERMSIG(bg_status), SIGTERM);
	else /* the agent's own reaping (it acts as PID 1) may have collected it first */
		assert_true(kill(bg, 0) == -1 && errno == ESRCH);
	assert_non_null(strstr(tu_log(), "hook 10-hang: time is up; sending SIGTERM"));
}

static void test_term_ignoring_hook_is_killed(void **state)
{
	struct hook_result res;
	long long t0 = tu_ms(), took;

	(void)state;
	tu_write("hooks.d/10-stubborn", SH "trap '' TERM\nsleep 30\n", 0755);
	assert_int_equal(hook_run(tu_path("hooks.d/10-stubborn"), &env, tu_ms() + 200, &res), 0);
	took = tu_ms() - t0;
	assert_true(took >= 1100 && took < 8000); /* KILL 1 s after TERM, not the hook's 30 s */
	assert_true(res.killed);
	assert_true(res.reaped && WIFSIGNALED(res.status) && WTERMSIG(res.status) == SIGKILL);
	assert_non_null(strstr(tu_log(), "still running 1 s after SIGTERM; sending SIGKILL"));
}

static void test_failure_does_not_stop_the_rest(void **state)
{
	(void)state;
	tu_write("hooks.d/10-fail", SH "exit 3\n", 0755);
	tu_write("hooks.d/20-crash", SH "kill -SEGV $$\n", 0755);
	tu_write("hooks.d/30-ok", SH "echo ran >\"$OUT\"\n", 0755);
	hook_run_all(&cfg, &env);
	assert_string_equal(tu_read("out"), "ran\n");
	assert_non_null(strstr(tu_log(), "hook 10-fail: failed with exit status 3"));
	assert_non_null(strstr(tu_log(), "hook 20-crash: killed by signal 11"));
}

static void test_deadline_bounds_all_hooks(void **state)
{
	long long t0 = tu_ms();

	(void)state;
	cfg.hook_timeout_ms = 5000;
	cfg.deadline_ms = 400;
	tu_write("hooks.d/10-slow", SH "sleep 30\n", 0755);
	tu_write("hooks.d/20-late", SH "echo ran >\"$OUT\"\n", 0755);
	hook_run_all(&cfg, &env);
	assert_true(tu_ms() - t0 < 4000); /* not hook-timeout's 5 s */
	assert_string_equal(tu_read("out"), "");
	assert_non_null(strstr(tu_log(), "deadline of 400 ms passed; skipping"));
}

static void test_lingering_background_child_does_not_stall(void **state)
{
	struct hook_result res;
	long long t0 = tu_ms();

	(void)state;
	tu_write("hooks.d/10-daemon", SH "sleep 10 &\necho started\nexit 0\n", 0755);
	assert_int_equal(hook_run(tu_path("hooks.d/10-daemon"), &env, tu_ms() + 5000, &res), 0);
	assert_true(tu_ms() - t0 < 4000); /* not the 5 s timeout, nor the child's 10 s */
	assert_true(res.reaped && WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0);
	assert_false(res.timed_out);
	assert_non_null(strstr(tu_log(), "hook 10-daemon: started\n"));
	kill(-res.pid, SIGKILL);
}

/* The last 4 KiB of the agent's log (tu_log holds only the first 64 KiB). */
static const char *log_tail(void)
{
	static char buf[4096];
	FILE *f = fopen(tu_path("agent.log"), "r");
	size_t n = 0;

	if (f) {
		(void)fseek(f, -(long)(sizeof(buf) - 1), SEEK_END);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* The hook exits at once, but its child keeps the pipe full with 150,000 lines (no fork
 * between them, so no pause): copying them into the log takes far longer than 0.2 s, and
 * every line is kept (the old fixed 0.2 s drain cut the tail on a slow console). */
static void test_output_after_exit_is_drained_while_it_flows(void **state)
{
	struct hook_result res;

	(void)state;
	tu_write("hooks.d/10-trail",
		 SH "(i=0; while [ $i -lt 150000 ]; do echo \"tail $i\"; i=$((i + 1)); done; echo end) &\n"
		    "exit 0\n", 0755);
	assert_int_equal(hook_run(tu_path("hooks.d/10-trail"), &env, tu_ms() + 60000, &res), 0);
	assert_true(res.reaped && WIFEXITED(res.status) && WEXITSTATUS(res.status) == 0);
	assert_non_null(strstr(tu_log(), "hook 10-trail: tail 0\n"));
	assert_non_null(strstr(log_tail(), "hook 10-trail: tail 149999\nsoftoff-agent: hook 10-trail: end\n"));
}

/* A child that never stops writing is still cut at the hook's own time limit. */
static void test_endless_output_after_exit_stops_at_the_limit(void **state)
{
	struct hook_result res;
	long long t0 = tu_ms();

	(void)state;
	tu_write("hooks.d/10-yes", SH "(while :; do echo more; sleep 0.01; done) &\nexit 0\n", 0755);
	assert_int_equal(hook_run(tu_path("hooks.d/10-yes"), &env, tu_ms() + 1000, &res), 0);
	assert_true(tu_ms() - t0 < 3000);
	assert_non_null(strstr(tu_log(), "hook 10-yes: more\n"));
	kill(-res.pid, SIGKILL);
}

static void test_unsafe_hooks_are_refused(void **state)
{
	(void)state;
	tu_write("hooks.d/10-world", SH "echo world >>\"$OUT\"\n", 0757);
	tu_write("hooks.d/20-group", SH "echo group >>\"$OUT\"\n", 0775);
	tu_write("hooks.d/30-ok", SH "echo ok >>\"$OUT\"\n", 0755);
	assert_int_equal(hook_check(tu_path("hooks.d/10-world"), getuid()), -EACCES);
	assert_int_equal(hook_check(tu_path("hooks.d/30-ok"), getuid() + 1), -EACCES);
	assert_non_null(strstr(tu_log(), "refusing hook"));
	assert_non_null(strstr(tu_log(), "writable by group or others (mode 0757)"));
	assert_non_null(strstr(tu_log(), "not the agent's user"));
	hook_run_all(&cfg, &env);
	assert_string_equal(tu_read("out"), "ok\n");
}

static void test_non_executable_is_skipped(void **state)
{
	(void)state;
	tu_write("hooks.d/10-plain", SH "echo plain >>\"$OUT\"\n", 0644);
	tu_write("hooks.d/20-ok", SH "echo ok >>\"$OUT\"\n", 0755);
	assert_int_equal(hook_check(tu_path("hooks.d/10-plain"), getuid()), -ENOEXEC);
	hook_run_all(&cfg, &env);
	assert_string_equal(tu_read("out"), "ok\n");
	assert_non_null(strstr(tu_log(), "skipping hook"));
	assert_non_null(strstr(tu_log(), "10-plain': not an executable file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_is_bytewise_and_names_filtered, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_argv_env_stdin_and_output_lines, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_long_lines_are_capped, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills_the_whole_group, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_term_ignoring_hook_is_killed, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_failure_does_not_stop_the_rest, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_deadline_bounds_all_hooks, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_lingering_background_child_does_not_stall, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_output_after_exit_is_drained_while_it_flows, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_endless_output_after_exit_stops_at_the_limit, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_hooks_are_refused, setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_non_executable_is_skipped, setup, tu_teardown),
	};

	/* orphans of hooks come to us, so tests can see how they ended */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
