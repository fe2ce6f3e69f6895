/* Runs power-off hooks one by one, each in its own process group with a time limit, and
 * copies their output into the agent's log line by line. */
#define _GNU_SOURCE /* pipe2 */
#include "hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"

#define HOOK_KILL_AFTER_MS 1000 /* SIGTERM → SIGKILL */
#define HOOK_POLL_MS 20

struct hook_watch {
	const char *name;
	int fd;
	char line[HOOK_LINE_MAX + 1];
	int len;
	bool cut;
	long long drain_end;
};

static const char *hook_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* run-parts names: [A-Za-z0-9_.-]+, not starting with '.' (skips editor and dpkg leftovers) */
static bool hook_valid_name(const char *name)
{
	if (!*name || *name == '.')
		return false;
	for (; *name; name++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *name))
			return false;
	return true;
}

static int hook_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void hook_add(struct hook_list *list, const char *dir, const char *name)
{
	char *slot = list->path[list->count];

	if (list->count == HOOK_MAX) {
		log_important("hooks: more than %d entries; ignoring '%s'", HOOK_MAX, name);
		return;
	}
	if (snprintf(slot, CONFIG_PATH_MAX, "%s%s%s", dir, *dir ? "/" : "", name) < CONFIG_PATH_MAX)
		list->count++;
}

static void hook_collect_dir(const char *dir, struct hook_list *list)
{
	static char names[HOOK_MAX][CONFIG_PATH_MAX];
	char *sorted[HOOK_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d) {
		log_important("read hook directory '%s': %s", dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) && n < HOOK_MAX)
		if (hook_valid_name(e->d_name) && strlen(e->d_name) < CONFIG_PATH_MAX) {
			strcpy(names[n], e->d_name);
			sorted[n] = names[n];
			n++;
		}
	(void)closedir(d);
	qsort(sorted, (size_t)n, sizeof(sorted[0]), hook_cmp);
	for (int i = 0; i < n; i++)
		hook_add(list, dir, sorted[i]);
}

int hook_collect(const struct agent_config *cfg, struct hook_list *list)
{
	struct stat st;

	list->count = 0;
	for (int i = 0; i < cfg->n_hooks; i++) {
		if (stat(cfg->hooks[i], &st) < 0)
			continue; /* a missing hook directory just means no hooks */
		if (S_ISDIR(st.st_mode))
			hook_collect_dir(cfg->hooks[i], list);
		else
			hook_add(list, "", cfg->hooks[i]);
	}
	return list->count;
}

int hook_check(const char *path, uid_t owner)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		log_important("skipping hook '%s': %s", path, strerror(errno));
		return -ENOEXEC;
	}
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		log_important("skipping hook '%s': not an executable file", path);
		return -ENOEXEC;
	}
	if (st.st_mode & 022) {
		log_important("refusing hook '%s': writable by group or others (mode %04o); "
			      "that would let them run code as root at power-off", path, st.st_mode & 07777);
		return -EACCES;
	}
	if (st.st_uid != owner) {
		log_important("refusing hook '%s': owned by uid %u, not %s", path, (unsigned)st.st_uid,
			      owner == 0 ? "root" : "the agent's user");
		return -EACCES;
	}
	return 0;
}

static void __attribute__((noreturn)) hook_exec(const char *path, const struct hook_env *env, int out)
{
	sigset_t none;
	int null = open("/dev/null", O_RDONLY);

	(void)setpgid(0, 0);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
	if (null >= 0)
		(void)dup2(null, 0);
	(void)dup2(out, 1);
	(void)dup2(out, 2);
	(void)setenv("SOFTOFF_EVENT", env->event, 1);
	(void)setenv("SOFTOFF_DEVICE", env->device ? env->device : "", 1);
	execl(path, path, "poweroff", (char *)NULL);
	dprintf(2, "exec: %s\n", strerror(errno));
	_exit(126);
}

static void hook_flush_line(struct hook_watch *w)
{
	if (w->len == 0 && !w->cut)
		return;
	w->line[w->len] = '\0';
	log_msg("hook %s: %s%s", w->name, w->line, w->cut ? " [...]" : "");
	w->len = 0;
	w->cut = false;
}

/* Reads what is there. Returns 1 after reading output, 0 when there was none, -1 at EOF or
 * error. */
static int hook_pump(struct hook_watch *w)
{
	char buf[512];
	ssize_t n = read(w->fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		hook_flush_line(w);
		return -1;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			hook_flush_line(w);
		else if (w->len < HOOK_LINE_MAX)
			w->line[w->len++] = buf[i] == '\t' || (unsigned char)buf[i] >= ' ' ? buf[i] : '?';
		else
			w->cut = true;
	}
	return 1;
}

/* After the hook exits its pipe is read until HOOK_DRAIN_MS pass without output: a slow
 * console (each line is a kmsg write) must not cut what the hook already wrote, and a silent
 * daemon holding the pipe must not stall us. The hook's own time limit bounds it all. */
static void hook_drain_more(struct hook_watch *w, long long end_ms, long long now)
{
	w->drain_end = now + HOOK_DRAIN_MS < end_ms ? now + HOOK_DRAIN_MS : end_ms;
}

/* The time limits: TERM to the group at end_ms, KILL a second later, give up a second after. */
static bool hook_enforce(struct hook_watch *w, struct hook_result *res, long long end_ms, long long now)
{
	if (!res->timed_out && now >= end_ms) {
		log_important("hook %s: time is up; sending SIGTERM to process group %d", w->name, (int)res->pid);
		(void)kill(-res->pid, SIGTERM);
		res->timed_out = true;
	}
	if (res->timed_out && !res->killed && now >= end_ms + HOOK_KILL_AFTER_MS) {
		log_important("hook %s: still running 1 s after SIGTERM; sending SIGKILL", w->name);
		(void)kill(-res->pid, SIGKILL);
		res->killed = true;
	}
	return res->killed && now >= end_ms + 2 * HOOK_KILL_AFTER_MS; /* stuck in the kernel */
}

/* A hook that exits while a background child still holds its stdout must not stall us:
 * once the hook itself is gone, its pipe is drained while output keeps coming. */
static void hook_wait(struct hook_watch *w, struct hook_result *res, long long end_ms)
{
	int step = 1;

	for (;;) {
		long long now = time_now_ms();
		struct pollfd p = { w->fd, POLLIN, 0 };

		if (!res->reaped && waitpid(res->pid, &res->status, WNOHANG) == res->pid) {
			res->reaped = true;
			hook_drain_more(w, end_ms, now);
		}
		if (res->reaped && (w->fd < 0 || now >= w->drain_end))
			break;
		if (!res->reaped && hook_enforce(w, res, end_ms, now)) {
			log_important("hook %s: did not die after SIGKILL; going on without it", w->name);
			break;
		}
		if (w->fd < 0) {
			time_backoff(&step, HOOK_POLL_MS);
		} else if (poll(&p, 1, HOOK_POLL_MS) > 0) {
			int got = hook_pump(w);

			if (got < 0) {
				(void)close(w->fd);
				w->fd = -1;
			} else if (got > 0 && res->reaped) {
				hook_drain_more(w, end_ms, time_now_ms());
			}
		}
	}
	hook_flush_line(w);
}

int hook_run(const char *path, const struct hook_env *env, long long end_ms, struct hook_result *res)
{
	struct hook_watch w = { .name = hook_name(path) };
	int pfd[2];

	memset(res, 0, sizeof(*res));
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	res->pid = fork();
	if (res->pid < 0) {
		(void)close(pfd[0]);
		(void)close(pfd[1]);
		return -errno;
	}
	if (res->pid == 0)
		hook_exec(path, env, pfd[1]);
	(void)setpgid(res->pid, res->pid); /* also here: no window where kill(-pid) misses */
	(void)close(pfd[1]);
	(void)fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	w.fd = pfd[0];
	hook_wait(&w, res, end_ms);
	if (w.fd >= 0)
		(void)close(w.fd);
	return 0;
}

static void hook_report(const char *path, const struct hook_result *res)
{
	const char *name = hook_name(path);

	if (!res->reaped)
		return;
	if (WIFSIGNALED(res->status))
		log_important("hook %s: killed by signal %d", name, WTERMSIG(res->status));
	else if (WEXITSTATUS(res->status) != 0)
		log_important("hook %s: failed with exit status %d", name, WEXITSTATUS(res->status));
}

void hook_run_all(const struct agent_config *cfg, const struct hook_env *env)
{
	static struct hook_list list;
	long long deadline = time_now_ms() + cfg->deadline_ms;
	struct hook_result res;

	hook_collect(cfg, &list);
	for (int i = 0; i < list.count; i++) {
		long long now = time_now_ms(), end = now + cfg->hook_timeout_ms;
		int rc;

		if (hook_check(list.path[i], cfg->hook_owner) < 0)
			continue;
		if (now >= deadline) {
			log_important("hooks: deadline of %d ms passed; skipping '%s' and %d more", cfg->deadline_ms,
				      list.path[i], list.count - i - 1);
			return;
		}
		log_msg("running hook %s", list.path[i]);
		rc = hook_run(list.path[i], env, end < deadline ? end : deadline, &res);
		if (rc < 0)
			log_important("start hook '%s': %s", list.path[i], strerror(-rc));
		hook_report(list.path[i], &res);
	}
}
