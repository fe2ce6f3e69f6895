/* Config parsing: defaults, every key, and every error kind reported as FILE:LINE: reason; as
 * root, a config file that someone other than root may write is refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/wait.h>

#include "../../agent/config.h"
#include "test_agent_util.h"

static void test_missing_default_file_means_defaults(void **state)
{
	struct agent_config c;
	char err[256] = "";

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load(&c, tu_path("none.conf"), false, err, sizeof(err)), 0);
	assert_int_equal(c.buttons, BTN_MODE_ACPI);
	assert_string_equal(c.hooks[0], "/etc/softoff/hooks.d");
	assert_int_equal(c.hook_timeout_ms, 10000);
	assert_int_equal(c.deadline_ms, 30000);
	assert_int_equal(c.kill_timeout_ms, 3000);
	assert_int_equal(c.exit_port, 0x501);
	assert_int_equal(c.exit_value, 0x31);
	assert_int_equal(c.fallback, FALLBACK_POWEROFF);
	assert_int_equal(c.repeat, REPEAT_IGNORE);
	assert_int_equal(c.exit_port_guard, EXIT_PORT_GUARD_QEMU);
	assert_true(c.kill_processes && c.unmount);
}

static void test_missing_explicit_file_is_an_error(void **state)
{
	struct agent_config c;
	char err[256] = "";

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load(&c, tu_path("none.conf"), true, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "none.conf"));
	assert_non_null(strstr(err, "No such file"));
}

static void test_every_key_parsed(void **state)
{
	struct agent_config c;
	char err[256] = "";

	(void)state;
	tu_write("a.conf",
		 "# comment\n\n  buttons = /dev/input/event1 /dev/input/event7   # two\n"
		 "hooks = /etc/h.d /etc/acpi/PWRF/00000080\nhook-timeout = 0.5\ndeadline = 2.25s\n"
		 "kill-processes = no\nkill-timeout = 0\nunmount = off\nunmount-timeout = 1\n"
		 "exit-port = 0xf4\nexit-value = 17\nfallback = halt\nrepeat = force\nlog = both\n"
		 "exit-port-guard = off\n",
		 0644);
	config_defaults(&c);
	assert_int_equal(config_load(&c, tu_path("a.conf"), true, err, sizeof(err)), 0);
	assert_int_equal(c.buttons, BTN_MODE_PATHS);
	assert_int_equal(c.n_button_paths, 2);
	assert_string_equal(c.button_paths[1], "/dev/input/event7");
	assert_int_equal(c.n_hooks, 2);
	assert_string_equal(c.hooks[1], "/etc/acpi/PWRF/00000080");
	assert_int_equal(c.hook_timeout_ms, 500);
	assert_int_equal(c.deadline_ms, 2250);
	assert_false(c.kill_processes);
	assert_int_equal(c.kill_timeout_ms, 0);
	assert_false(c.unmount);
	assert_int_equal(c.unmount_timeout_ms, 1000);
	assert_int_equal(c.exit_port, 0xf4);
	assert_int_equal(c.exit_value, 17);
	assert_int_equal(c.fallback, FALLBACK_HALT);
	assert_int_equal(c.repeat, REPEAT_FORCE);
	assert_int_equal(c.log, LOG_TARGET_BOTH);
	assert_int_equal(c.exit_port_guard, EXIT_PORT_GUARD_OFF);
}

static void test_buttons_any_and_hooks_none(void **state)
{
	struct agent_config c;
	char err[256] = "";

	(void)state;
	tu_write("b.conf", "buttons = any\nhooks = none\n", 0644);
	config_defaults(&c);
	assert_int_equal(config_load(&c, tu_path("b.conf"), true, err, sizeof(err)), 0);
	assert_int_equal(c.buttons, BTN_MODE_ANY);
	assert_int_equal(c.n_hooks, 0);
}

/* Each error kind: the text, the line it is on, and what the message must say. */
static const struct {
	const char *text;
	int line;
	const char *reason;
} bad_configs[] = {
	{ "buttons = acpi\nbogus = 1\n", 2, "unknown key 'bogus'" },
	{ "\n\njust words\n", 3, "expected 'key = value'" },
	{ "hook-timeout = soon\n", 1, "bad value 'soon'" },
	{ "hook-timeout = 0\n", 1, "above 0" },
	{ "deadline = -1\n", 1, "bad value '-1'" },
	{ "kill-timeout = 99999\n", 1, "at most 3600" },
	{ "kill-processes = maybe\n", 1, "yes or no" },
	{ "unmount = 2\n", 1, "yes or no" },
	{ "exit-value = 0\n", 1, "1..0x7f" },
	{ "exit-value = 0x80\n", 1, "1..0x7f" },
	{ "exit-value = 0x\n", 1, "1..0x7f" },
	{ "exit-port = 0x10000\n", 1, "0..0xffff" },
	{ "exit-port = 12ab\n", 1, "bad value '12ab'" },
	{ "fallback = reboot\n", 1, "poweroff, halt or none" },
	{ "repeat = twice\n", 1, "ignore or force" },
	{ "log = syslog\n", 1, "auto, kmsg, stderr or both" },
	{ "hooks = relative/dir\n", 1, "absolute paths" },
	{ "buttons = event1\n", 1, "absolute paths" },
	{ "buttons =\n", 1, "'acpi', 'any' or device paths" },
	{ "hooks = /1 /2 /3 /4 /5 /6 /7 /8 /9\n", 1, "too many" },
};

static void test_each_error_names_file_and_line(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_configs) / sizeof(bad_configs[0]); i++) {
		struct agent_config c;
		char err[512] = "", want[512];

		tu_write("bad.conf", bad_configs[i].text, 0644);
		config_defaults(&c);
		assert_int_equal(config_load(&c, tu_path("bad.conf"), true, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "%s:%d: ", tu_path("bad.conf"), bad_configs[i].line);
		if (strncmp(err, want, strlen(want)) || !strstr(err, bad_configs[i].reason))
			fail_msg("case %zu: got '%s', want '%s...%s'", i, err, want, bad_configs[i].reason);
		assert_false(strchr(err, '\n'));
	}
}

static void test_overlong_line_rejected(void **state)
{
	static char text[3000];
	struct agent_config c;
	char err[512] = "";

	(void)state;
	memset(text, 'x', sizeof(text) - 2);
	text[sizeof(text) - 2] = '\n';
	tu_write("long.conf", text, 0644);
	config_defaults(&c);
	assert_int_equal(config_load(&c, tu_path("long.conf"), true, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "long.conf:1: line longer than"));
}

static void test_nul_byte_rejected_and_value_kept(void **state)
{
	static const char text[] = "log = stderr\nexit-value = 0\0\0x31\n";
	struct agent_config c;
	char err[512] = "";
	FILE *f = fopen(tu_path("nul.conf"), "w");

	(void)state;
	fwrite(text, 1, sizeof(text) - 1, f);
	fclose(f);
	config_defaults(&c);
	assert_int_equal(config_load(&c, tu_path("nul.conf"), true, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nul.conf:2: NUL byte"));
	tu_write("zero.conf", "exit-value = 0\n", 0644);
	assert_int_equal(config_load(&c, tu_path("zero.conf"), true, err, sizeof(err)), -EINVAL);
	assert_int_equal(c.exit_value, 0x31); /* a rejected value never lands in the config */
}

static void test_fixture_config_is_valid(void **state)
{
	struct agent_config c;
	char err[512] = "";

	(void)state;
	config_defaults(&c);
	assert_int_equal(config_load(&c, "tests/unit/fixtures/agent/full.conf", true, err, sizeof(err)), 0);
	assert_int_equal(c.hook_timeout_ms, 2500);
	assert_int_equal(c.exit_value, 0x31);
}

static int load(const char *name, char *err, size_t errlen)
{
	struct agent_config c;

	config_defaults(&c);
	return config_load(&c, tu_path(name), true, err, errlen);
}

static void test_exit_port_guard_values(void **state)
{
	char err[256] = "";

	(void)state;
	tu_write("g.conf", "exit-port-guard = qemu\n", 0644);
	assert_int_equal(load("g.conf", err, sizeof(err)), 0);
	tu_write("g.conf", "exit-port-guard = maybe\n", 0644);
	assert_int_equal(load("g.conf", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "g.conf:1: bad value 'maybe': expected qemu or off"));
}

/* The unit tests run as root (as CI does); the checks apply only then. */
static void test_root_refuses_writable_or_foreign_config(void **state)
{
	char err[512] = "";

	(void)state;
	if (geteuid() != 0)
		skip();
	tu_write("ok.conf", "exit-value = 0x31\n", 0644);
	assert_int_equal(load("ok.conf", err, sizeof(err)), 0);
	tu_write("ok.conf", "exit-value = 0x31\n", 0600);
	assert_int_equal(load("ok.conf", err, sizeof(err)), 0);
	tu_write("world.conf", "exit-value = 0x31\n", 0666);
	assert_int_equal(load("world.conf", err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "world.conf': writable by group or others (mode 0666); "
				    "that would let anyone choose what the agent does as root at power-off"));
	tu_write("group.conf", "exit-value = 0x31\n", 0664);
	assert_int_equal(load("group.conf", err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "refusing config '"));
	tu_write("user.conf", "exit-value = 0x31\n", 0644);
	assert_int_equal(chown(tu_path("user.conf"), 1000, 0), 0);
	assert_int_equal(load("user.conf", err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "user.conf': owned by uid 1000, not root"));
}

/* Not root: the agent cannot write ports or act as root, and its own files are fine. */
static void test_non_root_accepts_its_own_config(void **state)
{
	char err[512] = "";
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	tu_write("mine.conf", "exit-value = 0x31\n", 0666);
	assert_int_equal(chown(tu_path("mine.conf"), 65534, 65534), 0);
	assert_int_equal(chmod(tu_dir, 0755), 0);
	pid = fork();
	if (pid == 0)
		_exit(setgid(65534) == 0 && setuid(65534) == 0 ? -load("mine.conf", err, sizeof(err)) : 99);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_missing_default_file_means_defaults),
		TU_TEST(test_missing_explicit_file_is_an_error),
		TU_TEST(test_every_key_parsed),
		TU_TEST(test_buttons_any_and_hooks_none),
		TU_TEST(test_each_error_names_file_and_line),
		TU_TEST(test_overlong_line_rejected),
		TU_TEST(test_nul_byte_rejected_and_value_kept),
		TU_TEST(test_fixture_config_is_valid),
		TU_TEST(test_exit_port_guard_values),
		TU_TEST(test_root_refuses_writable_or_foreign_config),
		TU_TEST(test_non_root_accepts_its_own_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
