/* Kernel-held files that keep a filesystem busy after every process is gone: active swap
 * areas and bound loop devices. A swap file or a read-write loop file makes both umount and
 * remount-read-only fail with EBUSY, so they are released before the unmount step. */
#ifndef SOFTOFF_AGENT_HOLDERS_H
#define SOFTOFF_AGENT_HOLDERS_H

#include "config.h"

#define HOLD_MAX 64

struct hold_list {
	char path[HOLD_MAX][CONFIG_PATH_MAX];
	int count;
};

struct hold_ops {
	int (*swapoff)(const char *path);    /* 0 or -errno; called in a bounded child */
	int (*detach_loop)(const char *dev); /* 0 or -errno; called in a bounded child */
};

extern const struct hold_ops hold_system_ops;

/* Active swap areas from a /proc/swaps style file. Returns how many, or -errno. */
int hold_list_swaps(const char *swaps_path, struct hold_list *list);

/* Bound loop devices: SYS_BLOCK/loopN/loop/backing_file exists -> DEV_DIR/loopN, sorted by
 * name. Returns how many, or -errno when SYS_BLOCK cannot be read. */
int hold_list_loops(const char *sys_block, const char *dev_dir, struct hold_list *list);

/* Swaps off every swap area, then detaches every loop device (a loop device still in use,
 * e.g. mounted, is set to detach itself at its last close), each step bounded. */
void hold_release_all(const struct hold_ops *ops, const char *swaps_path, const char *sys_block,
		      const char *dev_dir, int step_timeout_ms);

#endif
