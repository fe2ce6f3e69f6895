/* Stops processes and unmounts filesystems before the exit write; nothing here may hang. */
#include "teardown.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "readfile.h"
#include "timeutil.h"

#define TD_KILL_GRACE_MS 1000 /* after SIGKILL, how long to wait for processes to go */
#define TD_POLL_MS 20
#define TD_PF_KTHREAD 0x00200000u

static const char *const td_virtual_types[] = {
	"proc", "sysfs", "devtmpfs", "devpts", "tmpfs", "ramfs", "rootfs", "cgroup", "cgroup2",
	"debugfs", "tracefs", "securityfs", "pstore", "bpf", "mqueue", "hugetlbfs", "configfs",
	"fusectl", "efivarfs", "autofs", "binfmt_misc", "nsfs", "selinuxfs", "rpc_pipefs", NULL,
};

static bool td_is_virtual(const char *type)
{
	for (int i = 0; td_virtual_types[i]; i++)
		if (!strcmp(type, td_virtual_types[i]))
			return true;
	return false;
}

static bool td_is_writable(char *opts)
{
	char *save = NULL;

	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (!strcmp(o, "rw"))
			return true;
	return false;
}

/* /proc/self/mounts writes ' ', '\t', '\n' and '\\' as \ooo. */
void td_unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
		    isdigit((unsigned char)s[3])) {
			*out++ = (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

static int td_depth(const char *dir)
{
	int depth = 0;

	for (; *dir; dir++)
		if (*dir == '/' && dir[1])
			depth++;
	return depth;
}

static int td_deepest_first(const void *a, const void *b)
{
	const struct td_mount *x = a, *y = b;

	if (x->depth != y->depth)
		return y->depth - x->depth;
	return y->line - x->line;
}

/* Splits line on blanks into at most max fields; returns how many. */
static int td_fields(char *line, char **f, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *t = strtok_r(line, " \t\n", &save); t && n < max; t = strtok_r(NULL, " \t\n", &save))
		f[n++] = t;
	return n;
}

static void td_plan_line(struct td_plan *plan, char *line, int lineno)
{
	struct td_mount *m = &plan->m[plan->count];
	char *f[4];

	if (plan->count == TD_MOUNT_MAX || td_fields(line, f, 4) != 4)
		return;
	if (td_is_virtual(f[2]) || !td_is_writable(f[3]))
		return;
	td_unescape(f[1]);
	if (strlen(f[1]) >= sizeof(m->dir) || strlen(f[2]) >= sizeof(m->type))
		return;
	memset(m, 0, sizeof(*m));
	strcpy(m->dir, f[1]);
	strcpy(m->type, f[2]);
	m->depth = td_depth(m->dir);
	m->line = lineno;
	plan->count++;
}

int td_plan_unmounts(const char *mounts_path, struct td_plan *plan)
{
	static char text[65536];
	int err, lineno = 0;

	plan->count = 0;
	err = rf_read_text(mounts_path, text, sizeof(text));
	if (!rf_has_text(err))
		return err;
	for (char *next, *line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		td_plan_line(plan, line, ++lineno);
	}
	qsort(plan->m, (size_t)plan->count, sizeof(plan->m[0]), td_deepest_first);
	return plan->count;
}

static int td_wait_child(pid_t pid, int timeout_ms)
{
	long long end = tu_now_ms() + timeout_ms;
	int status, step = 1;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR;
		if (r < 0)
			return -errno;
		if (tu_now_ms() >= end) {
			(void)kill(pid, SIGKILL); /* does nothing in D state; then it stays a zombie */
			(void)waitpid(pid, &status, WNOHANG);
			return -ETIMEDOUT;
		}
		tu_backoff(&step, TD_POLL_MS / 2);
	}
}

int td_run_bounded(int (*fn)(const char *arg), const char *arg, int timeout_ms)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(-fn(arg) & 0xff);
	return td_wait_child(pid, timeout_ms);
}

static int td_sync_now(const char *unused)
{
	(void)unused;
	sync();
	return 0;
}

void td_sync(int timeout_ms)
{
	if (td_run_bounded(td_sync_now, NULL, timeout_ms) == -ETIMEDOUT)
		log_msg("sync: still running after %d ms; going on", timeout_ms);
}

/* The ops are looked up in the child through this pointer (fn takes only a path). */
static const struct td_ops *td_step_ops;

static int td_step_unmount(const char *dir)
{
	return td_step_ops->unmount(dir);
}

static int td_step_remount(const char *dir)
{
	return td_step_ops->remount_ro(dir);
}

static void td_unmount_one(struct td_mount *m, int step_timeout_ms)
{
	int rc = td_run_bounded(td_step_unmount, m->dir, step_timeout_ms);

	if (rc == 0) {
		m->result = TD_UNMOUNTED;
		log_msg("unmounted %s", m->dir);
		return;
	}
	if (rc == -EBUSY || rc == -EINVAL) /* busy, or the root: keep it, read-only */
		rc = td_run_bounded(td_step_remount, m->dir, step_timeout_ms);
	if (rc == 0) {
		m->result = TD_REMOUNTED_RO;
		log_msg("remounted %s read-only (busy)", m->dir);
		return;
	}
	m->result = rc == -ETIMEDOUT ? TD_TIMED_OUT : TD_FAILED;
	m->error = -rc;
	log_msg("unmount %s: %s", m->dir, rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
}

void td_unmount_all(const struct td_ops *ops, struct td_plan *plan, int step_timeout_ms)
{
	td_step_ops = ops;
	for (int i = 0; i < plan->count; i++)
		td_unmount_one(&plan->m[i], step_timeout_ms);
}

/* Waits up to ms for the process list to empty; returns how many are left. */
static int td_wait_gone(const struct td_ops *ops, pid_t *pids, int ms, pid_t spare)
{
	long long end = tu_now_ms() + ms;
	int n, step = 1;

	while ((n = ops->list_pids(pids, TD_PID_MAX, spare)) > 0 && tu_now_ms() < end)
		tu_backoff(&step, TD_POLL_MS);
	return n < 0 ? 0 : n;
}

int td_kill_processes(const struct td_ops *ops, int timeout_ms, pid_t spare)
{
	static pid_t pids[TD_PID_MAX];
	int n = ops->list_pids(pids, TD_PID_MAX, spare);

	if (n <= 0)
		return 0;
	log_msg("stopping %d processes: SIGTERM", n);
	for (int i = 0; i < n; i++)
		(void)ops->signal(pids[i], SIGTERM);
	n = td_wait_gone(ops, pids, timeout_ms, spare);
	if (n == 0)
		return 0;
	log_msg("%d processes still running after %d ms: SIGKILL", n, timeout_ms);
	for (int i = 0; i < n; i++)
		(void)ops->signal(pids[i], SIGKILL);
	n = td_wait_gone(ops, pids, TD_KILL_GRACE_MS, spare);
	if (n > 0)
		log_msg("%d processes survived SIGKILL; going on", n);
	return n;
}

/* Kernel threads ignore signals and zombies are already gone: neither is waited for. */
static bool td_is_stoppable(pid_t pid)
{
	char path[64], buf[512], state, *p, *f[7];
	unsigned flags;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || td_fields(p + 1, f, 7) != 7)
		return false;
	state = f[0][0];
	flags = 0;
	for (p = f[6]; *p >= '0' && *p <= '9'; p++)
		flags = flags * 10 + (unsigned)(*p - '0');
	return state != 'Z' && state != 'X' && !(flags & TD_PF_KTHREAD);
}

static int td_system_list(pid_t *pids, int max, pid_t spare)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < max) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid > 1 && pid != getpid() && pid != spare && td_is_stoppable(pid))
			pids[n++] = pid;
	}
	(void)closedir(d);
	return n;
}

static int td_system_signal(pid_t pid, int sig)
{
	return kill(pid, sig) < 0 ? -errno : 0;
}

static int td_system_unmount(const char *dir)
{
	return umount2(dir, 0) < 0 ? -errno : 0;
}

static int td_system_remount_ro(const char *dir)
{
	return mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 ? -errno : 0;
}

const struct td_ops td_system_ops = {
	td_system_list, td_system_signal, td_system_unmount, td_system_remount_ro,
};
