/* Releases swap areas and loop devices before the unmount step: held by the kernel, not by a
 * process, they survive the kill step and would keep their filesystem busy and writable. */
#include "holders.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h> /* snprintf only */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/swap.h>
#include <unistd.h>

#include "bounded.h"
#include "log.h"
#include "readfile.h"
#include "teardown.h"

static void hold_add(struct hold_list *list, const char *path)
{
	if (list->count < HOLD_MAX && strlen(path) < CONFIG_PATH_MAX)
		strcpy(list->path[list->count++], path);
}

/* The first blank-separated field of each line after the first: /proc/swaps is a header
 * line, then "FILENAME TYPE SIZE USED PRIORITY" with octal escapes. No stdio: it would
 * double the static agent's size. */
static void hold_parse_swaps(char *text, struct hold_list *list)
{
	char *line = strchr(text, '\n');

	while (line && *++line) {
		char *end = line + strcspn(line, " \t\n"), *next = strchr(line, '\n');

		if (end > line) {
			*end = '\0';
			td_unescape(line);
			hold_add(list, line);
		}
		line = next;
	}
}

int hold_list_swaps(const char *swaps_path, struct hold_list *list)
{
	static char text[16384];
	int err;

	list->count = 0;
	err = rf_read_text(swaps_path, text, sizeof(text));
	if (!rf_has_text(err))
		return err;
	hold_parse_swaps(text, list);
	return list->count;
}

static bool hold_loop_is_bound(const char *sys_block, const char *name)
{
	char path[CONFIG_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s/loop/backing_file", sys_block, name);
	return access(path, F_OK) == 0;
}

static int hold_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

int hold_list_loops(const char *sys_block, const char *dev_dir, struct hold_list *list)
{
	char dev[CONFIG_PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(sys_block);

	list->count = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "loop", 4) && hold_loop_is_bound(sys_block, e->d_name) &&
		    snprintf(dev, sizeof(dev), "%s/%s", dev_dir, e->d_name) < (int)sizeof(dev))
			hold_add(list, dev);
	(void)closedir(d);
	qsort(list->path, (size_t)list->count, sizeof(list->path[0]), hold_cmp);
	return list->count;
}

/* The steps run in a bounded child and reach the system calls through ctx, the hold_ops. */
static int hold_step_swapoff(const void *ctx, const char *path)
{
	return ((const struct hold_ops *)ctx)->swapoff(path);
}

static int hold_step_detach(const void *ctx, const char *dev)
{
	return ((const struct hold_ops *)ctx)->detach_loop(dev);
}

/* One bounded step per entry; done: what the log says on success, action: on failure. */
static void hold_release(const struct hold_ops *ops, const struct hold_list *list, bnd_step_fn *step,
			 const char *done, const char *action, int step_timeout_ms)
{
	for (int i = 0; i < list->count; i++) {
		int rc = bnd_run(step, ops, list->path[i], step_timeout_ms);

		if (rc == 0)
			log_msg("%s %s", done, list->path[i]);
		else
			log_important("%s '%s': %s", action, list->path[i],
				      rc == -ETIMEDOUT ? "timed out" : strerror(-rc));
	}
}

void hold_release_all(const struct hold_ops *ops, const char *swaps_path, const char *sys_block,
		      const char *dev_dir, int step_timeout_ms)
{
	static struct hold_list list;

	if (hold_list_swaps(swaps_path, &list) > 0)
		hold_release(ops, &list, hold_step_swapoff, "swapped off", "swapoff", step_timeout_ms);
	if (hold_list_loops(sys_block, dev_dir, &list) > 0)
		hold_release(ops, &list, hold_step_detach, "detached loop device", "detach loop device",
			     step_timeout_ms);
}

static int hold_system_swapoff(const char *path)
{
	return swapoff(path) < 0 ? -errno : 0;
}

/* With other openers (a mount) the kernel only sets autoclear: it detaches at the last close. */
static int hold_system_detach(const char *dev)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (ioctl(fd, LOOP_CLR_FD, 0) < 0)
		rc = -errno;
	(void)close(fd);
	return rc;
}

const struct hold_ops hold_system_ops = { hold_system_swapoff, hold_system_detach };
