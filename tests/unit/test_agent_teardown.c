/* Teardown: unmount planning from sample mounts files, the unmount executor (busy → remount
 * read-only, hung step bounded), and the kill executor, all with fake system calls. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/teardown.h"
#include "test_agent_util.h"

#define FIXTURES "tests/unit/fixtures/agent/"

static struct td_plan plan;

static void test_plan_initramfs_mounts(void **state)
{
	(void)state;
	assert_int_equal(td_plan_unmounts(FIXTURES "mounts-initramfs", &plan), 5);
	assert_string_equal(plan.m[0].dir, "/mnt/data/cache/deep\ttab");
	assert_string_equal(plan.m[1].dir, "/mnt/data/cache");
	assert_string_equal(plan.m[2].dir, "/srv/my disk");
	assert_string_equal(plan.m[3].dir, "/mnt/data");
	assert_string_equal(plan.m[4].dir, "/mnt");
	for (int i = 0; i < plan.count; i++)
		assert_int_equal(plan.m[i].result, TD_PENDING);
}

static void test_plan_root_disk_later_mount_first(void **state)
{
	(void)state;
	assert_int_equal(td_plan_unmounts(FIXTURES "mounts-rootdisk", &plan), 4);
	/* /boot/efi twice (stacked): the later mount comes off first; / last */
	assert_string_equal(plan.m[0].dir, "/boot/efi");
	assert_int_equal(plan.m[0].line, 8);
	assert_string_equal(plan.m[1].dir, "/boot/efi");
	assert_int_equal(plan.m[1].line, 5);
	assert_string_equal(plan.m[2].dir, "/boot");
	assert_string_equal(plan.m[3].dir, "/");
}

static void test_plan_missing_file(void **state)
{
	(void)state;
	assert_int_equal(td_plan_unmounts(FIXTURES "no-such-file", &plan), -ENOENT);
}

/* Fakes run in the bounded child: they report through tu_note(). */
static int fake_unmount(const char *dir)
{
	tu_note("umount", dir);
	if (!strcmp(dir, "/hang"))
		sleep(10);
	if (!strcmp(dir, "/"))
		return -EBUSY;
	if (!strcmp(dir, "/broken"))
		return -EIO;
	return 0;
}

static int fake_remount(const char *dir)
{
	tu_note("remount-ro", dir);
	return 0;
}

static void add_mount(const char *dir)
{
	memset(&plan.m[plan.count], 0, sizeof(plan.m[0]));
	strcpy(plan.m[plan.count++].dir, dir);
}

static void test_unmount_executor(void **state)
{
	const struct td_ops ops = { NULL, NULL, fake_unmount, fake_remount };
	long long t0 = tu_ms();

	(void)state;
	plan.count = 0;
	add_mount("/mnt/data");
	add_mount("/hang");
	add_mount("/broken");
	add_mount("/");
	td_unmount_all(&ops, &plan, 300);
	assert_true(tu_ms() - t0 < 6000); /* not the hung step's 10 s */
	assert_int_equal(plan.m[0].result, TD_UNMOUNTED);
	assert_int_equal(plan.m[1].result, TD_TIMED_OUT);
	assert_int_equal(plan.m[2].result, TD_FAILED);
	assert_int_equal(plan.m[2].error, EIO);
	assert_int_equal(plan.m[3].result, TD_REMOUNTED_RO);
	assert_string_equal(tu_read("calls"),
			    "umount /mnt/data\numount /hang\numount /broken\numount /\nremount-ro /\n");
	assert_non_null(strstr(tu_log(), "unmounted /mnt/data"));
	assert_non_null(strstr(tu_log(), "unmount /hang: timed out"));
	assert_non_null(strstr(tu_log(), "remounted / read-only"));
}

static int fail_with_enospc(const char *arg)
{
	(void)arg;
	return -ENOSPC;
}

static void test_run_bounded(void **state)
{
	(void)state;
	assert_int_equal(td_run_bounded(fail_with_enospc, NULL, 1000), -ENOSPC);
}

/* The fake process table: 100 and 101 go on SIGTERM, 102 only on SIGKILL. */
static int alive[3];
static int sent[3][2]; /* [pid][0 TERM, 1 KILL] */

static int fake_list(pid_t *pids, int max, pid_t spare)
{
	int n = 0;

	(void)spare;
	for (int i = 0; i < 3 && n < max; i++)
		if (alive[i])
			pids[n++] = 100 + i;
	return n;
}

static int fake_signal(pid_t pid, int sig)
{
	int i = pid - 100;

	sent[i][sig == SIGKILL]++;
	if (sig == SIGKILL || i < 2)
		alive[i] = 0;
	return 0;
}

static void test_kill_term_then_kill(void **state)
{
	const struct td_ops ops = { fake_list, fake_signal, NULL, NULL };
	long long t0 = tu_ms();

	(void)state;
	alive[0] = alive[1] = alive[2] = 1;
	memset(sent, 0, sizeof(sent));
	assert_int_equal(td_kill_processes(&ops, 200, 0), 0);
	assert_true(tu_ms() - t0 >= 200);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sent[i][0], 1);
	assert_int_equal(sent[0][1], 0);
	assert_int_equal(sent[1][1], 0);
	assert_int_equal(sent[2][1], 1);
	assert_non_null(strstr(tu_log(), "stopping 3 processes: SIGTERM"));
	assert_non_null(strstr(tu_log(), "1 processes still running after 200 ms: SIGKILL"));
}

static void test_kill_nothing_to_do(void **state)
{
	const struct td_ops ops = { fake_list, fake_signal, NULL, NULL };

	(void)state;
	alive[0] = alive[1] = alive[2] = 0;
	memset(sent, 0, sizeof(sent));
	assert_int_equal(td_kill_processes(&ops, 200, 0), 0);
	assert_int_equal(sent[2][0] + sent[2][1], 0);
}

static void test_system_list_spares_us_and_pid1(void **state)
{
	static pid_t pids[TD_PID_MAX];
	int n = td_system_ops.list_pids(pids, TD_PID_MAX, getppid());

	(void)state;
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		assert_int_not_equal(pids[i], 1);
		assert_int_not_equal(pids[i], getpid());
		assert_int_not_equal(pids[i], getppid());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_plan_initramfs_mounts),
		TU_TEST(test_plan_root_disk_later_mount_first),
		TU_TEST(test_plan_missing_file),
		TU_TEST(test_unmount_executor),
		TU_TEST(test_run_bounded),
		TU_TEST(test_kill_term_then_kill),
		TU_TEST(test_kill_nothing_to_do),
		TU_TEST(test_system_list_spares_us_and_pid1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
