/* Power-off hooks: run-parts style ordering, permission checks, timed runs with logged output. */
#ifndef SOFTOFF_AGENT_HOOKS_H
#define SOFTOFF_AGENT_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

#define HOOK_MAX 64
#define HOOK_LINE_MAX 200 /* longer output lines are cut and marked " [...]" */
#define HOOK_DRAIN_MS 200 /* after the hook exits, stop reading its pipe after this much silence */

struct hook_env {
	const char *event;  /* SOFTOFF_EVENT: power-button | signal | command */
	const char *device; /* SOFTOFF_DEVICE: the button's path, or "" */
};

struct hook_list {
	char path[HOOK_MAX][CONFIG_PATH_MAX];
	int count;
};

struct hook_result {
	pid_t pid;      /* also the hook's process group */
	int status;     /* wait status, valid when reaped */
	bool reaped;
	bool timed_out; /* SIGTERM was sent to its group */
	bool killed;    /* SIGKILL was sent too */
};

/* Expands the configured entries: a directory gives its valid names sorted bytewise, a file
 * is taken as is, a missing entry is skipped. Returns the number of hooks. */
int hook_collect(const struct agent_config *cfg, struct hook_list *list);

/* 0 runnable; -EACCES refused (writable by others / wrong owner); -ENOEXEC skipped. Logs why. */
int hook_check(const char *path, uid_t owner);

/* Runs one hook until it ends or until end_ms (monotonic): then TERM, KILL 1 s later. */
int hook_run(const char *path, const struct hook_env *env, long long end_ms, struct hook_result *res);

/* Runs every configured hook in order within hook-timeout each and deadline in total. */
void hook_run_all(const struct agent_config *cfg, const struct hook_env *env);

#endif
