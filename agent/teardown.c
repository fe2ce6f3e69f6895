/* Stops processes and unmounts filesystems before the exit write; nothing here may hang. */
#define _GNU_SOURCE /* syncfs */
#include "teardown.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h> /* FIFREEZE */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "bounded.h"
#include "log.h"
#include "readfile.h"
#include "timeutil.h"

#define TD_KILL_GRACE_MS 1000 /* after SIGKILL, how long to wait for processes to go */
#define TD_POLL_MS 20
#define TD_REMOUNT_TRIES 30   /* about half a second of EBUSY before giving up */

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

/* The steps run in a bounded child and reach the system calls through ctx, the td_ops. */
static int td_step_unmount(const void *ctx, const char *dir)
{
	return ((const struct td_ops *)ctx)->unmount(dir);
}

static int td_step_remount(const void *ctx, const char *dir)
{
	return ((const struct td_ops *)ctx)->remount_ro(dir);
}

static int td_step_freeze(const void *ctx, const char *dir)
{
	return ((const struct td_ops *)ctx)->freeze(dir);
}

static int td_step_sync_fs(const void *ctx, const char *dir)
{
	return ((const struct td_ops *)ctx)->sync_fs(dir);
}

struct td_way {
	bnd_step_fn *step;
	enum td_result result;
	const char *name;           /* for the log: "freeze /mnt: ..." */
	const char *done, *done_tail; /* "froze /mnt", "remounted /mnt read-only" */
};

static const struct td_way td_unmount_way = { td_step_unmount, TD_UNMOUNTED, "unmount", "unmounted", "" };
static const struct td_way td_freeze_way = { td_step_freeze, TD_FROZEN, "freeze", "froze", "" };
static const struct td_way td_remount_way = { td_step_remount, TD_REMOUNTED_RO, "remount read-only",
					      "remounted", " read-only" };

/* Nothing else can run: unmount, or keep a busy filesystem mounted read-only, or frozen.
 * Others may run (PID 1 is not us, or a process survived): never unmount, since their next
 * write would land in the directory underneath and vanish at power-off. Freezing blocks
 * writers (none fails, so a PID 1 that dies on a failed write cannot panic the kernel), and
 * leaves ext3/ext4 (journal flushed, needs_recovery cleared) and btrfs (transaction committed)
 * clean on disk. xfs's freeze only covers its log, which xfs_repair still finds dirty, and vfat
 * cannot be frozen: for those and any other type a read-only remount comes first (it writes
 * xfs's unmount record and clears vfat's dirty bit; writers then fail with EROFS), and a
 * freeze only if the remount stays busy. */
static const struct td_way *const td_alone_ways[] = { &td_unmount_way, &td_remount_way, &td_freeze_way, NULL };
static const struct td_way *const td_freeze_first_ways[] = { &td_freeze_way, &td_remount_way, NULL };
static const struct td_way *const td_remount_first_ways[] = { &td_remount_way, &td_freeze_way, NULL };
static const char *const td_clean_when_frozen[] = { "ext3", "ext4", "btrfs", NULL };

static const struct td_way *const *td_ways_for(const struct td_mount *m, bool alone)
{
	if (alone)
		return td_alone_ways;
	for (int i = 0; td_clean_when_frozen[i]; i++)
		if (!strcmp(m->type, td_clean_when_frozen[i]))
			return td_freeze_first_ways;
	return td_remount_first_ways;
}

/* Busy, the root, or not supported by this filesystem: the next way is the normal course. */
static bool td_way_refused(int rc)
{
	return rc == -EBUSY || rc == -EINVAL || rc == -EOPNOTSUPP || rc == -ENOTTY;
}

/* Tries each way in turn until one works; a step that timed out ends the attempt (a hung
 * device would hang the next step too). */
static void td_make_safe(const struct td_ops *ops, struct td_mount *m, const struct td_way *const *ways,
			 int step_timeout_ms)
{
	const char *why = ways == td_alone_ways ? "busy" : "other processes may run";
	int rc = -EINVAL;

	for (int i = 0; ways[i]; i++) {
		rc = bnd_run(ways[i]->step, ops, m->dir, step_timeout_ms);
		if (rc == 0) {
			m->result = ways[i]->result;
			if (i == 0 && ways == td_alone_ways)
				log_msg("%s %s", ways[i]->done, m->dir);
			else
				log_msg("%s %s%s (%s)", ways[i]->done, m->dir, ways[i]->done_tail, why);
			return;
		}
		if (!td_way_refused(rc) || !ways[i + 1])
			log_important("%s %s: %s", ways[i]->name, m->dir,
				      rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
		if (rc == -ETIMEDOUT)
			break;
	}
	m->result = rc == -ETIMEDOUT ? TD_TIMED_OUT : TD_FAILED;
	m->error = -rc;
}

void td_make_safe_all(const struct td_ops *ops, struct td_plan *plan, int step_timeout_ms, bool alone)
{
	for (int i = 0; i < plan->count; i++)
		td_make_safe(ops, &plan->m[i], td_ways_for(&plan->m[i], alone), step_timeout_ms);
}

/* A global sync could block on a frozen filesystem: only the ones not made safe are synced. */
void td_sync_unsafe(const struct td_ops *ops, const struct td_plan *plan, int step_timeout_ms)
{
	for (int i = 0; i < plan->count; i++) {
		const struct td_mount *m = &plan->m[i];

		if (m->result == TD_FAILED && bnd_run(td_step_sync_fs, ops, m->dir, step_timeout_ms) < 0)
			log_important("sync %s: failed or timed out; going on", m->dir);
	}
}

static int td_pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Keeps in pids[0..n) only those still in the process table; returns how many. */
static int td_keep_running(const struct td_ops *ops, pid_t *pids, int n, pid_t spare)
{
	static pid_t now[TD_PID_MAX];
	int m = ops->list_pids(now, TD_PID_MAX, spare), kept = 0;

	if (m < 0)
		return 0;
	qsort(now, (size_t)m, sizeof(now[0]), td_pid_cmp);
	for (int i = 0; i < n; i++)
		if (bsearch(&pids[i], now, (size_t)m, sizeof(now[0]), td_pid_cmp))
			pids[kept++] = pids[i];
	return kept;
}

/* Waits up to ms for the signalled processes (and only them) to go; returns how many are left.
 * A respawning PID 1 starts new children meanwhile: waiting for those would never end. */
static int td_wait_signalled(const struct td_ops *ops, pid_t *pids, int n, int ms, pid_t spare)
{
	long long end = time_now_ms() + ms;
	int step = 1;

	while ((n = td_keep_running(ops, pids, n, spare)) > 0 && time_now_ms() < end)
		time_backoff(&step, TD_POLL_MS);
	return n;
}

/* SIGKILL to every process there is now: the survivors of SIGTERM, and whatever started since
 * (not waited for). Returns how many were not signalled before. */
static int td_sweep(const struct td_ops *ops, const pid_t *signalled, int n, pid_t spare)
{
	static pid_t now[TD_PID_MAX];
	int m = ops->list_pids(now, TD_PID_MAX, spare), newcomers = 0;

	for (int i = 0; i < m; i++) {
		bool known = false;

		for (int j = 0; j < n && !known; j++)
			known = now[i] == signalled[j];
		newcomers += !known;
		(void)ops->signal(now[i], SIGKILL);
	}
	return newcomers;
}

static void td_name_survivors(const struct td_ops *ops, const pid_t *pids, int n)
{
	char comm[64];

	for (int i = 0; i < n; i++) {
		if (ops->comm(pids[i], comm, sizeof(comm)) < 0)
			strcpy(comm, "?");
		log_important("pid %d (%s) survived SIGKILL; going on", (int)pids[i], comm);
	}
}

int td_kill_processes(const struct td_ops *ops, int timeout_ms, pid_t spare)
{
	static pid_t pids[TD_PID_MAX];
	int n = ops->list_pids(pids, TD_PID_MAX, spare), newcomers;

	if (n <= 0)
		return 0;
	log_msg("stopping %d processes: SIGTERM", n);
	for (int i = 0; i < n; i++)
		(void)ops->signal(pids[i], SIGTERM);
	n = td_wait_signalled(ops, pids, n, timeout_ms, spare);
	if (n > 0)
		log_important("%d processes still running after %d ms: SIGKILL", n, timeout_ms);
	newcomers = td_sweep(ops, pids, n, spare);
	if (newcomers > 0)
		log_msg("%d processes started since SIGTERM: SIGKILL, not waited for", newcomers);
	n = td_wait_signalled(ops, pids, n, TD_KILL_GRACE_MS, spare);
	td_name_survivors(ops, pids, n);
	return n;
}

/* Kernel threads ignore signals and zombies are already gone: neither is waited for. Neither
 * has an address space, so /proc/PID/exe cannot be resolved for them: one cheap readlink per
 * process instead of reading and parsing /proc/PID/stat. */
static bool td_is_stoppable(pid_t pid)
{
	char path[64], target[8];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return readlink(path, target, sizeof(target)) >= 0;
}

/* Every process in /proc, for kernels without /proc/PID/task/TID/children. */
static int td_scan_all(pid_t *pids, int max, pid_t self, pid_t spare)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < max) {
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid > 1 && pid != self && pid != spare && td_is_stoppable(pid))
			pids[n++] = pid;
	}
	(void)closedir(d);
	return n;
}

/* Appends the children of every thread of pid to tree[n..max); returns the new count. */
static int td_add_children(pid_t pid, pid_t *tree, int n, int max)
{
	static char text[16384];
	char path[320];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return n;
	while ((e = readdir(d)) && n < max) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children", (int)pid, e->d_name);
		if (!rf_has_text(rf_read_text(path, text, sizeof(text))))
			continue;
		for (char *p = text, *end; n < max; p = end) {
			long child = strtol(p, &end, 10);

			if (end == p)
				break;
			tree[n++] = (pid_t)child;
		}
	}
	(void)closedir(d);
	return n;
}

/* Every process but kernel threads descends from PID 1 (orphans are re-parented to it), so
 * walking its descendants finds them all without reading an entry per kernel thread. */
static int td_system_list(pid_t *pids, int max, pid_t spare)
{
	static pid_t tree[TD_PID_MAX];
	pid_t self = getpid();
	int found, n = 0;

	if (access("/proc/1/task/1/children", R_OK) < 0)
		return td_scan_all(pids, max, self, spare);
	found = td_add_children(1, tree, 0, TD_PID_MAX);
	for (int i = 0; i < found && n < max; i++) {
		found = td_add_children(tree[i], tree, found, TD_PID_MAX);
		if (tree[i] != self && tree[i] != spare && td_is_stoppable(tree[i]))
			pids[n++] = tree[i];
	}
	return n;
}

static int td_system_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	rc = rf_read_text(path, buf, size);
	if (rc < 0)
		return rc;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int td_system_signal(pid_t pid, int sig)
{
	return kill(pid, sig) < 0 ? -errno : 0;
}

static int td_system_unmount(const char *dir)
{
	return umount2(dir, 0) < 0 ? -errno : 0;
}

/* A writer between open and close makes the remount fail with EBUSY: try again a few times
 * (a shell appending line by line holds the file open only briefly). */
static int td_system_remount_ro(const char *dir)
{
	int step = 1;

	for (int i = 0; i < TD_REMOUNT_TRIES; i++) {
		if (mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0)
			return 0;
		if (errno != EBUSY)
			break;
		time_backoff(&step, TD_POLL_MS);
	}
	return -errno;
}

/* call(fd) on the filesystem's root directory: 0 or -errno. */
static int td_on_dir(const char *dir, int (*call)(int fd))
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (call(fd) < 0)
		rc = -errno;
	(void)close(fd);
	return rc;
}

/* Writers block until a thaw that never comes; the filesystem syncs itself first. */
static int td_fifreeze(int fd)
{
	return ioctl(fd, FIFREEZE, 0);
}

static int td_system_freeze(const char *dir)
{
	return td_on_dir(dir, td_fifreeze);
}

static int td_system_sync_fs(const char *dir)
{
	return td_on_dir(dir, syncfs);
}

const struct td_ops td_system_ops = {
	.list_pids = td_system_list,
	.signal = td_system_signal,
	.comm = td_system_comm,
	.unmount = td_system_unmount,
	.remount_ro = td_system_remount_ro,
	.freeze = td_system_freeze,
	.sync_fs = td_system_sync_fs,
};
