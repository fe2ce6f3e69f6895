/* The teardown before power-off: stop other processes, then make filesystems safe (unmount,
 * freeze or remount read-only). Every step that can hang runs in a bounded child (bounded.h);
 * the system calls sit behind struct td_ops so tests can plan and execute without touching
 * the host. */
#ifndef SOFTOFF_AGENT_TEARDOWN_H
#define SOFTOFF_AGENT_TEARDOWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

#define TD_MOUNT_MAX 64
#define TD_PID_MAX 4096

enum td_result { TD_PENDING, TD_UNMOUNTED, TD_REMOUNTED_RO, TD_FROZEN, TD_FAILED, TD_TIMED_OUT };

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
	int (*comm)(pid_t pid, char *buf, size_t size); /* the process's name, or -errno */
	int (*unmount)(const char *dir);    /* 0 or -errno; called in a bounded child */
	int (*remount_ro)(const char *dir); /* 0 or -errno; called in a bounded child */
	int (*freeze)(const char *dir);     /* FIFREEZE: 0 or -errno; called in a bounded child */
	int (*sync_fs)(const char *dir);    /* syncfs(2): 0 or -errno; called in a bounded child */
};

extern const struct td_ops td_system_ops;

/* Reads a /proc/self/mounts style file and keeps writable, non-virtual filesystems,
 * deepest first. Returns the number planned or -errno. */
int td_plan_unmounts(const char *mounts_path, struct td_plan *plan);

/* Makes each planned filesystem safe, filling in results: after this no write to it can
 * succeed without reaching the disk. alone (no process but us can run any more): unmount,
 * else remount read-only, else freeze. Otherwise never unmount (a writer's next open would
 * land in the directory underneath): ext3, ext4 and btrfs are frozen, else remounted
 * read-only; any other type is remounted read-only, else frozen. */
void td_make_safe_all(const struct td_ops *ops, struct td_plan *plan, int step_timeout_ms, bool alone);

/* syncfs(2) on the planned filesystems whose every step failed (never on a frozen one). */
void td_sync_unsafe(const struct td_ops *ops, const struct td_plan *plan, int step_timeout_ms);

/* SIGTERM to every process but PID 1, us and spare; waits up to timeout_ms for those (only
 * those: a respawning PID 1's new children are not waited for); then SIGKILL to every
 * process left, newcomers included, and up to a second more for the signalled ones.
 * Returns how many signalled processes survived (each is logged by pid and name). */
int td_kill_processes(const struct td_ops *ops, int timeout_ms, pid_t spare);

/* Decodes the \ooo escapes of /proc/self/mounts and /proc/swaps in place. */
void td_unescape(char *s);

#endif
