/* The teardown before power-off: stop other processes, sync, unmount or remount read-only.
 * Every step that can hang runs in a child with a time bound; the system calls sit behind
 * struct td_ops so tests can plan and execute without touching the host. */
#ifndef SOFTOFF_AGENT_TEARDOWN_H
#define SOFTOFF_AGENT_TEARDOWN_H

#include <sys/types.h>

#include "config.h"

#define TD_MOUNT_MAX 64
#define TD_PID_MAX 4096

enum td_result { TD_PENDING, TD_UNMOUNTED, TD_REMOUNTED_RO, TD_FAILED, TD_TIMED_OUT };

struct td_mount {
	char dir[CONFIG_PATH_MAX];
	char type[32];
	int depth;
	int line; /* order in the mounts file: later mounts go first among equals */
	enum td_result result;
	int error; /* errno of the failing step, for TD_FAILED */
};

struct td_plan {
	struct td_mount m[TD_MOUNT_MAX];
	int count;
};

struct td_ops {
	int (*list_pids)(pid_t *pids, int max, pid_t spare); /* processes to stop, or -errno */
	int (*signal)(pid_t pid, int sig);
	int (*unmount)(const char *dir);    /* 0 or -errno; called in a bounded child */
	int (*remount_ro)(const char *dir); /* 0 or -errno; called in a bounded child */
};

extern const struct td_ops td_system_ops;

/* Reads a /proc/self/mounts style file and keeps writable, non-virtual filesystems,
 * deepest first. Returns the number planned or -errno. */
int td_plan_unmounts(const char *mounts_path, struct td_plan *plan);

/* Unmounts each planned filesystem (remount read-only when busy), filling in results. */
void td_unmount_all(const struct td_ops *ops, struct td_plan *plan, int step_timeout_ms);

/* SIGTERM to every process but PID 1, us and spare; SIGKILL after timeout_ms.
 * Returns how many were still there at the end. */
int td_kill_processes(const struct td_ops *ops, int timeout_ms, pid_t spare);

/* Decodes the \ooo escapes of /proc/self/mounts and /proc/swaps in place. */
void td_unescape(char *s);

/* Runs fn(arg) in a child; 0, the child's -errno, or -ETIMEDOUT after timeout_ms. */
int td_run_bounded(int (*fn)(const char *arg), const char *arg, int timeout_ms);

/* sync(2) in a bounded child. */
void td_sync(int timeout_ms);

#endif
