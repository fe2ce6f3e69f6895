/* Power-button discovery and reading: classify evdev devices, watch /dev/input, count presses. */
#ifndef SOFTOFF_AGENT_DEVICES_H
#define SOFTOFF_AGENT_DEVICES_H

#include <stdbool.h>

#include "config.h"

#define BTN_MAX 16

struct libevdev;

struct btn_device {
	int fd;
	struct libevdev *evdev;
	char path[CONFIG_PATH_MAX];
};

struct btn_set {
	const struct agent_config *cfg;
	char input_dir[128]; /* /dev/input; tests use a temporary directory */
	char sys_dir[128];   /* /sys */
	int inotify_fd;
	int watch;
	bool watching_parent; /* input_dir did not exist yet: watching its parent */
	struct btn_device dev[BTN_MAX];
	int count;
};

/* True when a device with these properties is a power button under mode. parent is the
 * sysfs name of the input device's parent (e.g. "LNXPWRBN:00"), used when phys is empty. */
bool btn_classify(enum btn_mode mode, const char *phys, const char *parent, bool has_power_key);

/* input_dir/sys_dir NULL = /dev/input and /sys. */
void btn_init(struct btn_set *set, const struct agent_config *cfg, const char *input_dir,
	      const char *sys_dir);

/* inotify first, then the scan (docs/facts.md: presses before open are lost). Logs "armed on ..." or "waiting for ...". */
int btn_start(struct btn_set *set);

/* Handles readable inotify_fd: opens buttons that appeared. */
void btn_on_inotify(struct btn_set *set);

/* Drains device i. Returns the number of presses (KEY_POWER value 1) seen; a device that
 * vanished is closed and removed (indices above i shift down) and 0 is returned. */
int btn_read(struct btn_set *set, int i);

/* Closes device i, which is gone, and removes it (indices above i shift down), saying so. */
void btn_drop(struct btn_set *set, int i);

void btn_close_all(struct btn_set *set);

#endif
