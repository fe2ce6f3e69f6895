/* The agent as the image's /init: when it mounts the kernel filesystems and which ones, the
 * console opened onto closed fds after devtmpfs, the module list parser, and module loading
 * (already loaded = loaded, a failure logged once and skipped), all with fake system calls. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/earlyinit.h"
#include "test_agent_util.h"

/* The fake system: what is true of it, set by each test; every call is noted in "calls". */
static struct {
	bool pid1;
	const char *mounted;   /* directories already mounted, space-separated */
	int mkdir_rc, mount_rc; /* for every call */
	const char *mount_fails; /* this directory's mount fails with mount_rc */
	bool fd_open[3];
	int console_rc;
} sys;

static bool fake_is_pid1(void)
{
	return sys.pid1;
}

static bool fake_mounted(const char *dir)
{
	const char *p = sys.mounted ? strstr(sys.mounted, dir) : NULL;

	return p && (p[strlen(dir)] == ' ' || p[strlen(dir)] == '\0');
}

static int fake_make_dir(const char *dir)
{
	tu_note("mkdir", dir);
	return sys.mkdir_rc;
}

static int fake_mount_fs(const struct earlyinit_fs *fs)
{
	char what[64];

	snprintf(what, sizeof(what), "%s %s", fs->type, fs->dir);
	tu_note("mount", what);
	return sys.mount_fails && !strcmp(sys.mount_fails, fs->dir) ? sys.mount_rc : 0;
}

static bool fake_fd_open(int fd)
{
	return sys.fd_open[fd];
}

static int fake_console_onto(int fd)
{
	char what[8];

	snprintf(what, sizeof(what), "%d", fd);
	tu_note("console", what);
	return sys.console_rc;
}

/* Runs in the bounded child. "/old.ko" is loaded already, "/missing.ko" is not there. */
static int fake_load_module(const char *path)
{
	tu_note("load", path);
	if (!strcmp(path, "/old.ko"))
		return -EEXIST;
	return strcmp(path, "/missing.ko") ? 0 : -ENOENT;
}

static const struct earlyinit_ops fake_ops = {
	fake_is_pid1, fake_mounted, fake_make_dir, fake_mount_fs, fake_fd_open, fake_console_onto,
	fake_load_module,
};

static struct earlyinit_state st;

static int setup(void **state)
{
	memset(&sys, 0, sizeof(sys));
	sys.pid1 = true;
	sys.mkdir_rc = -EEXIST;
	for (int fd = 0; fd < 3; fd++)
		sys.fd_open[fd] = true;
	return tu_setup(state);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tu_teardown)

static const char *const all_mounts = "mkdir /proc\nmount proc /proc\nmkdir /sys\nmount sysfs /sys\n"
				      "mkdir /dev\nmount devtmpfs /dev\n";

/* PID 1 on an empty image: all three, in order, each after making its directory. */
static void test_first_program_mounts_all(void **state)
{
	(void)state;
	earlyinit_start(&st, &fake_ops);
	assert_true(st.active);
	assert_string_equal(tu_read("calls"), all_mounts);
	for (int i = 0; i < EARLYINIT_FS_COUNT; i++)
		assert_true(st.mounted[i]);
}

static void test_not_pid1_does_nothing(void **state)
{
	(void)state;
	sys.pid1 = false;
	earlyinit_start(&st, &fake_ops);
	assert_false(st.active);
	assert_string_equal(tu_read("calls"), "");
}

/* A shell /init or a container runtime mounted /proc before starting the agent. */
static void test_proc_mounted_means_another_init(void **state)
{
	(void)state;
	sys.mounted = "/proc";
	earlyinit_start(&st, &fake_ops);
	assert_false(st.active);
	assert_string_equal(tu_read("calls"), "");
}

/* init= on a root disk: the kernel mounted devtmpfs itself (CONFIG_DEVTMPFS_MOUNT), not proc. */
static void test_only_what_is_missing(void **state)
{
	(void)state;
	sys.mounted = "/dev";
	earlyinit_start(&st, &fake_ops);
	assert_true(st.active);
	assert_string_equal(tu_read("calls"), "mkdir /proc\nmount proc /proc\nmkdir /sys\nmount sysfs /sys\n");
	assert_false(st.mounted[2]);
	assert_int_equal(st.mount_rc[2], 0);
}

/* The kernel could not open a console (no /dev/console in the image): after devtmpfs. */
static void test_console_onto_closed_fds_after_mounts(void **state)
{
	(void)state;
	sys.fd_open[0] = sys.fd_open[2] = false;
	earlyinit_start(&st, &fake_ops);
	assert_string_equal(tu_read("calls") + strlen(all_mounts), "console 0\nconsole 2\n");
	assert_int_equal(st.console_rc, 0);
}

static void test_console_left_alone_when_not_first(void **state)
{
	(void)state;
	sys.pid1 = false;
	sys.fd_open[1] = false;
	earlyinit_start(&st, &fake_ops);
	assert_string_equal(tu_read("calls"), "");
}

/* A mkdir failing other than "exists" skips that mount; failures are logged at finish. */
static void test_failures_reported_after_log_open(void **state)
{
	(void)state;
	sys.mkdir_rc = -EROFS;
	sys.fd_open[0] = false;
	sys.console_rc = -ENOENT;
	earlyinit_start(&st, &fake_ops);
	assert_string_equal(tu_read("calls"), "mkdir /proc\nmkdir /sys\nmkdir /dev\nconsole 0\n");
	assert_int_equal(st.mount_rc[0], -EROFS);
	assert_string_equal(tu_log(), "");
	earlyinit_finish(&st, &fake_ops, tu_path("no-list"));
	assert_non_null(strstr(tu_log(), "create /proc to mount proc on: Read-only file system"));
	assert_non_null(strstr(tu_log(), "create /dev to mount devtmpfs on: Read-only file system"));
	assert_non_null(strstr(tu_log(), "open '/dev/console' as stdin/stdout/stderr: No such file"));
}

static void test_mount_failure_named(void **state)
{
	(void)state;
	sys.mount_fails = "/sys";
	sys.mount_rc = -ENODEV;
	earlyinit_start(&st, &fake_ops);
	assert_string_equal(tu_read("calls"), all_mounts); /* /dev still mounted after /sys failed */
	earlyinit_finish(&st, &fake_ops, tu_path("no-list"));
	assert_non_null(strstr(tu_log(), "mount sysfs on /sys: No such device"));
	assert_non_null(strstr(tu_log(), "the image's /init: mounted /proc /dev\n"));
}

static void test_parse_list(void **state)
{
	char text[] = "# load order\n\n/lib/a.ko\n  /lib/b c.ko \t\r\nrel/c.ko\n   # indented comment\n/lib/d.ko";
	const char *paths[4];

	(void)state;
	assert_int_equal(earlyinit_parse_modules(text, "LIST", paths, 4), 3);
	assert_string_equal(paths[0], "/lib/a.ko");
	assert_string_equal(paths[1], "/lib/b c.ko");
	assert_string_equal(paths[2], "/lib/d.ko");
	assert_non_null(strstr(tu_log(), "LIST:5: 'rel/c.ko' is not an absolute path; skipped"));
}

static void test_parse_list_capped(void **state)
{
	char text[] = "/a.ko\n/b.ko\n/c.ko\n";
	const char *paths[2];

	(void)state;
	assert_int_equal(earlyinit_parse_modules(text, "LIST", paths, 2), 2);
	assert_non_null(strstr(tu_log(), "LIST:3: more than 2 modules; '/c.ko' skipped"));
}

static void test_parse_empty(void **state)
{
	char text[] = "";
	const char *paths[2];

	(void)state;
	assert_int_equal(earlyinit_parse_modules(text, "LIST", paths, 2), 0);
	assert_string_equal(tu_log(), "");
}

/* In order; one already loaded counts; a failure is logged once, and the next still loads. */
static void test_load_modules(void **state)
{
	(void)state;
	tu_write("modules", "/old.ko\n/missing.ko\n/new.ko\n", 0644);
	assert_int_equal(earlyinit_load_modules(&fake_ops, tu_path("modules")), 2);
	assert_string_equal(tu_read("calls"), "load /old.ko\nload /missing.ko\nload /new.ko\n");
	assert_non_null(strstr(tu_log(), "load module '/missing.ko': No such file or directory\n"));
	assert_null(strstr(strstr(tu_log(), "'/missing.ko'") + 1, "'/missing.ko'"));
	assert_null(strstr(tu_log(), "load module '/old.ko'"));
	assert_non_null(strstr(tu_log(), "2 of 3 modules from"));
}

static void test_no_list_nothing_to_load(void **state)
{
	(void)state;
	assert_int_equal(earlyinit_load_modules(&fake_ops, tu_path("modules")), 0);
	assert_string_equal(tu_read("calls"), "");
	assert_string_equal(tu_log(), "");
}

/* Only the image's /init loads the list: a shell /init's list (relative paths) is its own. */
static void test_finish_loads_only_as_first_program(void **state)
{
	(void)state;
	tu_write("modules", "/new.ko\n", 0644);
	sys.pid1 = false;
	earlyinit_start(&st, &fake_ops);
	earlyinit_finish(&st, &fake_ops, tu_path("modules"));
	assert_string_equal(tu_read("calls"), "");
	sys.pid1 = true; /* control */
	earlyinit_start(&st, &fake_ops);
	earlyinit_finish(&st, &fake_ops, tu_path("modules"));
	assert_non_null(strstr(tu_read("calls"), "load /new.ko\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_first_program_mounts_all),
		T(test_not_pid1_does_nothing),
		T(test_proc_mounted_means_another_init),
		T(test_only_what_is_missing),
		T(test_console_onto_closed_fds_after_mounts),
		T(test_console_left_alone_when_not_first),
		T(test_failures_reported_after_log_open),
		T(test_mount_failure_named),
		T(test_parse_list),
		T(test_parse_list_capped),
		T(test_parse_empty),
		T(test_load_modules),
		T(test_no_list_nothing_to_load),
		T(test_finish_loads_only_as_first_program),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
