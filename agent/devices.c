/* Finds every power button (docs/facts.md, "Finding the button"), keeps watching for late ones, and reads presses
 * through libevdev, including its resync after SYN_DROPPED. */
#include "devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"

#define BTN_READ_MAX 512 /* events per wake-up, so one chatty device cannot starve the loop */

static bool btn_prefixed(const char *s, const char *a, const char *b)
{
	return s && (!strncmp(s, a, strlen(a)) || !strncmp(s, b, strlen(b)));
}

bool btn_classify(enum btn_mode mode, const char *phys, const char *parent, bool has_power_key)
{
	if (!has_power_key)
		return false;
	if (mode != BTN_MODE_ACPI)
		return true;
	if (phys && *phys)
		return btn_prefixed(phys, "LNXPWRBN/", "PNP0C0C/");
	return btn_prefixed(parent, "LNXPWRBN", "PNP0C0C");
}

void btn_init(struct btn_set *set, const struct agent_config *cfg, const char *input_dir,
	      const char *sys_dir)
{
	memset(set, 0, sizeof(*set));
	set->cfg = cfg;
	set->inotify_fd = -1;
	set->watch = -1;
	snprintf(set->input_dir, sizeof(set->input_dir), "%s", input_dir ? input_dir : "/dev/input");
	snprintf(set->sys_dir, sizeof(set->sys_dir), "%s", sys_dir ? sys_dir : "/sys");
}

/* The sysfs name of the device behind /dev/input/eventN, e.g. "LNXPWRBN:00", or "". */
static void btn_sysfs_parent(const struct btn_set *set, const char *path, char *out, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	ssize_t n;

	out[0] = '\0';
	snprintf(link, sizeof(link), "%s/class/input/%s/device/device", set->sys_dir, base);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	if (snprintf(out, len, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target) >= (int)len)
		out[0] = '\0';
}

static bool btn_is_open(const struct btn_set *set, const char *path)
{
	for (int i = 0; i < set->count; i++)
		if (!strcmp(set->dev[i].path, path))
			return true;
	return false;
}

static bool btn_wanted_path(const struct btn_set *set, const char *path)
{
	if (set->cfg->buttons != BTN_MODE_PATHS)
		return true;
	for (int i = 0; i < set->cfg->n_button_paths; i++)
		if (!strcmp(set->cfg->button_paths[i], path))
			return true;
	return false;
}

static void btn_announce(const struct btn_device *d, const char *parent)
{
	const char *phys = libevdev_get_phys(d->evdev);

	log_important("armed on %s (%s, %s)", d->path, libevdev_get_name(d->evdev),
		      phys && *phys ? phys : *parent ? parent : "no phys");
}

/* Opens path if it is a power button not yet open. 1 added, 0 not a button, -errno. */
static int btn_add(struct btn_set *set, const char *path)
{
	struct btn_device *d = &set->dev[set->count];
	char parent[128];
	bool power;
	int rc;

	if (btn_is_open(set, path) || !btn_wanted_path(set, path) || set->count == BTN_MAX)
		return 0;
	d->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (d->fd < 0)
		return -errno;
	rc = libevdev_new_from_fd(d->fd, &d->evdev);
	if (rc < 0) {
		(void)close(d->fd);
		return rc;
	}
	btn_sysfs_parent(set, path, parent, sizeof(parent));
	power = libevdev_has_event_code(d->evdev, EV_KEY, KEY_POWER);
	if (!btn_classify(set->cfg->buttons, libevdev_get_phys(d->evdev), parent, power)) {
		libevdev_free(d->evdev);
		(void)close(d->fd);
		return 0;
	}
	snprintf(d->path, sizeof(d->path), "%s", path);
	set->count++;
	btn_announce(d, parent);
	return 1;
}

/* Tries path; an explicitly configured device that fails is worth a line, others are not. */
static void btn_try(struct btn_set *set, const char *path)
{
	int rc = btn_add(set, path);

	if (rc < 0 && rc != -ENOENT && set->cfg->buttons == BTN_MODE_PATHS)
		log_important("open '%s': %s", path, strerror(-rc));
}

static void btn_scan(struct btn_set *set)
{
	char path[CONFIG_PATH_MAX];
	struct dirent *e;
	DIR *dir;

	if (set->cfg->buttons == BTN_MODE_PATHS) {
		for (int i = 0; i < set->cfg->n_button_paths; i++)
			btn_try(set, set->cfg->button_paths[i]);
		return;
	}
	dir = opendir(set->input_dir);
	if (!dir)
		return;
	while ((e = readdir(dir)))
		if (!strncmp(e->d_name, "event", 5)) {
			if (snprintf(path, sizeof(path), "%s/%s", set->input_dir, e->d_name) < (int)sizeof(path))
				btn_try(set, path);
		}
	(void)closedir(dir);
}

/* Watch input_dir, or its parent until input_dir appears. */
static int btn_watch(struct btn_set *set)
{
	char parent[sizeof(set->input_dir)];
	uint32_t mask = IN_CREATE | IN_ATTRIB | IN_MOVED_TO;

	if (set->watch >= 0)
		(void)inotify_rm_watch(set->inotify_fd, set->watch);
	set->watch = inotify_add_watch(set->inotify_fd, set->input_dir, mask);
	set->watching_parent = false;
	if (set->watch >= 0)
		return 0;
	snprintf(parent, sizeof(parent), "%s", set->input_dir);
	if (strrchr(parent, '/'))
		*strrchr(parent, '/') = '\0';
	set->watch = inotify_add_watch(set->inotify_fd, *parent ? parent : "/", IN_CREATE | IN_MOVED_TO);
	set->watching_parent = set->watch >= 0;
	return set->watch >= 0 ? 0 : -errno;
}

int btn_start(struct btn_set *set)
{
	int rc;

	set->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (set->inotify_fd < 0)
		return -errno;
	rc = btn_watch(set);
	if (rc < 0)
		log_important("watch '%s': %s; devices that appear later will be missed", set->input_dir,
			      strerror(-rc));
	btn_scan(set);
	if (set->count == 0)
		log_important("waiting for a power button (buttons = %s) in %s",
			      set->cfg->buttons == BTN_MODE_ACPI ? "acpi" :
			      set->cfg->buttons == BTN_MODE_ANY ? "any" : "paths", set->input_dir);
	return 0;
}

static void btn_on_name(struct btn_set *set, const struct inotify_event *ev)
{
	char path[CONFIG_PATH_MAX];
	const char *dir_name = strrchr(set->input_dir, '/');

	if (set->watching_parent) {
		if (dir_name && !strcmp(ev->name, dir_name + 1) && btn_watch(set) == 0)
			btn_scan(set);
		return;
	}
	if (strncmp(ev->name, "event", 5))
		return;
	if (snprintf(path, sizeof(path), "%s/%s", set->input_dir, ev->name) < (int)sizeof(path))
		btn_try(set, path);
}

void btn_on_inotify(struct btn_set *set)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(set->inotify_fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->len && ev->wd == set->watch)
				btn_on_name(set, ev);
			p += sizeof(*ev) + ev->len;
		}
	if (set->cfg->buttons == BTN_MODE_PATHS)
		btn_scan(set); /* explicit paths may live anywhere (by-path symlinks) */
}

static void btn_release(struct btn_set *set, int i)
{
	libevdev_free(set->dev[i].evdev);
	(void)close(set->dev[i].fd);
	memmove(&set->dev[i], &set->dev[i + 1], (size_t)(set->count - i - 1) * sizeof(set->dev[0]));
	set->count--;
}

void btn_drop(struct btn_set *set, int i)
{
	log_important("removed %s (the device is gone); %d power button%s left", set->dev[i].path,
		      set->count - 1, set->count == 2 ? "" : "s");
	btn_release(set, i);
}

static int btn_is_press(const struct input_event *ev)
{
	return ev->type == EV_KEY && ev->code == KEY_POWER && ev->value == 1;
}

int btn_read(struct btn_set *set, int i)
{
	unsigned flag = LIBEVDEV_READ_FLAG_NORMAL;
	struct input_event ev;
	int presses = 0;

	for (int n = 0; n < BTN_READ_MAX; n++) {
		int rc = libevdev_next_event(set->dev[i].evdev, flag, &ev);

		if (rc == LIBEVDEV_READ_STATUS_SYNC) {
			/* SYN_DROPPED, then the state libevdev rebuilt: a held key reads as a press */
			flag = LIBEVDEV_READ_FLAG_SYNC;
			presses += btn_is_press(&ev);
		} else if (rc == LIBEVDEV_READ_STATUS_SUCCESS) {
			presses += btn_is_press(&ev);
		} else if (rc == -EAGAIN && flag == LIBEVDEV_READ_FLAG_SYNC) {
			flag = LIBEVDEV_READ_FLAG_NORMAL;
		} else if (rc == -EAGAIN || rc == -EINTR) {
			break;
		} else {
			btn_drop(set, i); /* unplugged (-ENODEV) or broken */
			break;
		}
	}
	return presses;
}

void btn_close_all(struct btn_set *set)
{
	while (set->count > 0)
		btn_release(set, set->count - 1);
	if (set->inotify_fd >= 0)
		(void)close(set->inotify_fd);
	set->inotify_fd = -1;
}
