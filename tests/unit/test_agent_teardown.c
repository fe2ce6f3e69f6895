/* Teardown: unmount planning from sample mounts files, making filesystems safe (unmount when
 * alone, else freeze or remount read-only; hung step bounded), the last sync, and the kill
 * executor (respawned newcomers not waited for), all with fake system calls. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../agent/bounded.h"
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

/* Fakes run in the bounded child: they report through tu_note(). "/" and "/writer" are busy;
 * "/writer" also has a file open for writing (no remount); "/vfat" cannot be frozen; "/broken"
 * fails every step; "/hang" hangs. */
static int fake_unmount(const char *dir)
{
	tu_note("umount", dir);
	if (!strcmp(dir, "/hang"))
		sleep(10);
	if (!strcmp(dir, "/") || !strcmp(dir, "/writer"))
		return -EBUSY;
	if (!strcmp(dir, "/broken"))
		return -EIO;
	return 0;
}

static int fake_remount(const char *dir)
{
	tu_note("remount-ro", dir);
	if (!strcmp(dir, "/writer"))
		return -EBUSY;
	return strcmp(dir, "/broken") ? 0 : -EIO;
}

static int fake_freeze(const char *dir)
{
	tu_note("freeze", dir);
	if (!strcmp(dir, "/vfat"))
		return -EOPNOTSUPP;
	return strcmp(dir, "/broken") ? 0 : -EIO;
}

static int fake_sync_fs(const char *dir)
{
	tu_note("syncfs", dir);
	return 0;
}

static const struct td_ops fs_ops = {
	.unmount = fake_unmount, .remount_ro = fake_remount, .freeze = fake_freeze, .sync_fs = fake_sync_fs,
};

static void add_mount(const char *dir)
{
	memset(&plan.m[plan.count], 0, sizeof(plan.m[0]));
	strcpy(plan.m[plan.count++].dir, dir);
}

/* The agent is PID 1 and alone: unmount; busy -> read-only; a writer holds it -> frozen. */
static void test_make_safe_alone(void **state)
{
	long long t0 = tu_ms();

	(void)state;
	plan.count = 0;
	add_mount("/mnt/data");
	add_mount("/hang");
	add_mount("/broken");
	add_mount("/writer");
	add_mount("/");
	td_make_safe_all(&fs_ops, &plan, 2000, true);
	assert_true(tu_ms() - t0 < 6000); /* not the hung step's 10 s */
	assert_int_equal(plan.m[0].result, TD_UNMOUNTED);
	assert_int_equal(plan.m[1].result, TD_TIMED_OUT);
	assert_int_equal(plan.m[2].result, TD_FAILED);
	assert_int_equal(plan.m[2].error, EIO);
	assert_int_equal(plan.m[3].result, TD_FROZEN);
	assert_int_equal(plan.m[4].result, TD_REMOUNTED_RO);
	assert_string_equal(tu_read("calls"), "umount /mnt/data\numount /hang\n"
			    "umount /broken\nremount-ro /broken\nfreeze /broken\n"
			    "umount /writer\nremount-ro /writer\nfreeze /writer\n"
			    "umount /\nremount-ro /\n");
	assert_non_null(strstr(tu_log(), "unmounted /mnt/data"));
	assert_non_null(strstr(tu_log(), "unmount /hang: timed out"));
	assert_non_null(strstr(tu_log(), "froze /writer (busy)"));
	assert_non_null(strstr(tu_log(), "remounted / read-only (busy)"));
}

static void add_typed_mount(const char *dir, const char *type)
{
	add_mount(dir);
	strcpy(plan.m[plan.count - 1].type, type);
}

/* PID 1 is not the agent: never unmount (its next write would land underneath and vanish).
 * ext4 and btrfs are frozen; xfs (its freeze leaves a log xfs_repair finds dirty) and vfat (no
 * freeze) are remounted read-only; a type whose remount stays busy is frozen after all. */
static void test_make_safe_with_others_running(void **state)
{
	(void)state;
	plan.count = 0;
	add_typed_mount("/mnt/ext4", "ext4");
	add_typed_mount("/btrfs", "btrfs");
	add_typed_mount("/xfs", "xfs");
	add_typed_mount("/vfat", "vfat");
	add_typed_mount("/writer", "xfs");
	add_typed_mount("/broken", "ext4");
	td_make_safe_all(&fs_ops, &plan, 2000, false);
	assert_int_equal(plan.m[0].result, TD_FROZEN);
	assert_int_equal(plan.m[1].result, TD_FROZEN);
	assert_int_equal(plan.m[2].result, TD_REMOUNTED_RO);
	assert_int_equal(plan.m[3].result, TD_REMOUNTED_RO);
	assert_int_equal(plan.m[4].result, TD_FROZEN);
	assert_int_equal(plan.m[5].result, TD_FAILED);
	assert_string_equal(tu_read("calls"), "freeze /mnt/ext4\nfreeze /btrfs\nremount-ro /xfs\n"
			    "remount-ro /vfat\nremount-ro /writer\nfreeze /writer\n"
			    "freeze /broken\nremount-ro /broken\n");
	assert_null(strstr(tu_read("calls"), "umount"));
	assert_non_null(strstr(tu_log(), "froze /mnt/ext4 (other processes may run)"));
	assert_non_null(strstr(tu_log(), "remounted /vfat read-only (other processes may run)"));
	assert_non_null(strstr(tu_log(), "remount read-only /broken: Input/output error"));
}

/* The last sync touches only what could not be made safe: a frozen filesystem would block it. */
static void test_sync_only_unsafe(void **state)
{
	(void)state;
	plan.count = 0;
	add_mount("/mnt/ext4");
	add_mount("/broken");
	add_mount("/hang");
	plan.m[0].result = TD_FROZEN;
	plan.m[1].result = TD_FAILED;
	plan.m[2].result = TD_TIMED_OUT;
	td_sync_unsafe(&fs_ops, &plan, 2000);
	assert_string_equal(tu_read("calls"), "syncfs /broken\n");
}

static int fail_with_enospc(const void *ctx, const char *arg)
{
	(void)ctx;
	(void)arg;
	return -ENOSPC;
}

static void test_run_bounded(void **state)
{
	(void)state;
	assert_int_equal(bnd_run(fail_with_enospc, NULL, NULL, 1000), -ENOSPC);
}

/* The fake process table. Each process goes on SIGTERM, only on SIGKILL, or never; a
 * respawned one is replaced by a new process (a shell PID 1 with a loop) when it goes. */
enum fake_kind { GOES_ON_TERM, GOES_ON_KILL, UNKILLABLE, RESPAWNED };
struct fake_proc {
	pid_t pid;
	enum fake_kind kind;
	int alive;
	int sent[2]; /* [0] SIGTERM, [1] SIGKILL */
};
static struct fake_proc procs[16];
static int nprocs;

static void add_proc(pid_t pid, enum fake_kind kind)
{
	procs[nprocs++] = (struct fake_proc){ pid, kind, 1, { 0, 0 } };
}

static int fake_list(pid_t *pids, int max, pid_t spare)
{
	int n = 0;

	(void)spare;
	for (int i = 0; i < nprocs && n < max; i++)
		if (procs[i].alive)
			pids[n++] = procs[i].pid;
	return n;
}

static int fake_signal(pid_t pid, int sig)
{
	for (int i = 0; i < nprocs; i++) {
		struct fake_proc *p = &procs[i];

		if (p->pid != pid || !p->alive)
			continue;
		p->sent[sig == SIGKILL]++;
		if (p->kind == UNKILLABLE || (p->kind == GOES_ON_KILL && sig != SIGKILL))
			return 0;
		p->alive = 0;
		if (p->kind == RESPAWNED && nprocs < 16)
			add_proc(pid + 1000, RESPAWNED);
		return 0;
	}
	return -ESRCH;
}

static int fake_comm(pid_t pid, char *buf, size_t size)
{
	snprintf(buf, size, "proc%d", (int)pid);
	return 0;
}

static const struct td_ops kill_ops = { .list_pids = fake_list, .signal = fake_signal, .comm = fake_comm };

static struct fake_proc *proc_of(pid_t pid)
{
	for (int i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	fail_msg("no process %d", (int)pid);
	return NULL;
}

static void test_kill_term_then_kill(void **state)
{
	long long t0 = tu_ms();

	(void)state;
	nprocs = 0;
	add_proc(100, GOES_ON_TERM);
	add_proc(101, GOES_ON_TERM);
	add_proc(102, GOES_ON_KILL);
	assert_int_equal(td_kill_processes(&kill_ops, 200, 0), 0);
	assert_true(tu_ms() - t0 >= 200);
	for (pid_t pid = 100; pid <= 102; pid++)
		assert_int_equal(proc_of(pid)->sent[0], 1);
	assert_int_equal(proc_of(100)->sent[1], 0);
	assert_int_equal(proc_of(101)->sent[1], 0);
	assert_int_equal(proc_of(102)->sent[1], 1);
	assert_non_null(strstr(tu_log(), "stopping 3 processes: SIGTERM"));
	assert_non_null(strstr(tu_log(), "1 processes still running after 200 ms: SIGKILL"));
}

/* A shell PID 1 restarts its child when SIGTERM ends it: the newcomer gets SIGKILL at once and
 * is not waited for (before, the kill step waited the whole kill-timeout, then 1 s more). */
static void test_kill_respawned_not_waited_for(void **state)
{
	long long t0 = tu_ms();

	(void)state;
	nprocs = 0;
	add_proc(100, RESPAWNED);
	assert_int_equal(td_kill_processes(&kill_ops, 3000, 0), 0);
	assert_true(tu_ms() - t0 < 1500);
	assert_int_equal(proc_of(100)->sent[0], 1);
	assert_int_equal(proc_of(1100)->sent[0], 0);
	assert_int_equal(proc_of(1100)->sent[1], 1);
	assert_null(strstr(tu_log(), "still running"));
	assert_null(strstr(tu_log(), "survived"));
	assert_non_null(strstr(tu_log(), "1 processes started since SIGTERM: SIGKILL, not waited for"));
}

static void test_kill_names_survivors(void **state)
{
	(void)state;
	nprocs = 0;
	add_proc(100, GOES_ON_TERM);
	add_proc(102, UNKILLABLE);
	assert_int_equal(td_kill_processes(&kill_ops, 100, 0), 1);
	assert_int_equal(proc_of(102)->sent[1], 1);
	assert_non_null(strstr(tu_log(), "pid 102 (proc102) survived SIGKILL; going on"));
	assert_null(strstr(tu_log(), "proc100"));
}

static void test_kill_nothing_to_do(void **state)
{
	(void)state;
	nprocs = 0;
	assert_int_equal(td_kill_processes(&kill_ops, 200, 0), 0);
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

static bool listed(pid_t pid)
{
	static pid_t pids[TD_PID_MAX];
	int n = td_system_ops.list_pids(pids, TD_PID_MAX, 0);

	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* A live process and its child are listed; a zombie (already gone, nothing to wait for) is not. */
static void test_system_list_skips_zombies(void **state)
{
	int pipefd[2];
	pid_t live, grandchild = 0, dead;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	live = fork();
	if (live == 0) {
		pid_t g = fork();

		if (g == 0) {
			pause();
			_exit(0);
		}
		(void)!write(pipefd[1], &g, sizeof(g));
		pause();
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &grandchild, sizeof(grandchild)), sizeof(grandchild));
	dead = fork();
	if (dead == 0)
		_exit(0);
	for (int i = 0; i < 200 && listed(dead); i++)
		usleep(10000);
	assert_true(listed(live));
	assert_true(listed(grandchild));
	assert_false(listed(dead));
	(void)kill(grandchild, SIGKILL);
	(void)kill(live, SIGKILL);
	(void)waitpid(live, NULL, 0);
	(void)waitpid(dead, NULL, 0);
	close(pipefd[0]);
	close(pipefd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_plan_initramfs_mounts),
		TU_TEST(test_plan_root_disk_later_mount_first),
		TU_TEST(test_plan_missing_file),
		TU_TEST(test_make_safe_alone),
		TU_TEST(test_make_safe_with_others_running),
		TU_TEST(test_sync_only_unsafe),
		TU_TEST(test_run_bounded),
		TU_TEST(test_kill_term_then_kill),
		TU_TEST(test_kill_respawned_not_waited_for),
		TU_TEST(test_kill_names_survivors),
		TU_TEST(test_kill_nothing_to_do),
		TU_TEST(test_system_list_spares_us_and_pid1),
		TU_TEST(test_system_list_skips_zombies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
