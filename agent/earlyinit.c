/* The agent as the kernel's /init of an otherwise empty initramfs: the kernel filesystems, the
 * console and the modules that a shell /init would otherwise set up before starting it. */
#define _GNU_SOURCE /* finit_module's number in <sys/syscall.h> */
#include "earlyinit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bounded.h"
#include "log.h"
#include "readfile.h"
#include "timeutil.h"

/* The order matters: devtmpfs's /dev/console is opened after the mounts. */
static const struct earlyinit_fs earlyinit_fs[EARLYINIT_FS_COUNT] = {
	{ "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "devtmpfs", "/dev", MS_NOSUID, "mode=0755" },
};

static bool earlyinit_sys_is_pid1(void)
{
	return getpid() == 1;
}

/* The filesystems are directories of "/": mounted when their device differs from the root's. */
static bool earlyinit_sys_mounted(const char *dir)
{
	struct stat root, st;

	return stat("/", &root) == 0 && stat(dir, &st) == 0 && st.st_dev != root.st_dev;
}

static int earlyinit_sys_make_dir(const char *dir)
{
	return mkdir(dir, 0755) == 0 ? 0 : -errno;
}

static int earlyinit_sys_mount_fs(const struct earlyinit_fs *fs)
{
	return mount(fs->type, fs->dir, fs->type, fs->flags, fs->data) == 0 ? 0 : -errno;
}

static bool earlyinit_sys_fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* No O_CLOEXEC: these are the fds the payload and the hooks inherit. */
static int earlyinit_sys_console_onto(int fd)
{
	int c = open("/dev/console", O_RDWR | O_NOCTTY);
	int rc = 0;

	if (c < 0)
		return -errno;
	if (c != fd) {
		rc = dup2(c, fd) < 0 ? -errno : 0;
		(void)close(c);
	}
	return rc;
}

/* musl has no wrapper; the empty parameter string and no flags are insmod's defaults. */
static int earlyinit_sys_load_module(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = syscall(SYS_finit_module, fd, "", 0) == 0 ? 0 : -errno;
	(void)close(fd);
	return rc;
}

const struct earlyinit_ops earlyinit_system_ops = {
	earlyinit_sys_is_pid1, earlyinit_sys_mounted, earlyinit_sys_make_dir, earlyinit_sys_mount_fs,
	earlyinit_sys_fd_open, earlyinit_sys_console_onto, earlyinit_sys_load_module,
};

static void earlyinit_mount(struct earlyinit_state *st, const struct earlyinit_ops *ops, int i)
{
	int rc = ops->make_dir(earlyinit_fs[i].dir); /* an image written by a cpio tool may lack it */

	st->no_dir[i] = rc < 0 && rc != -EEXIST;
	st->mount_rc[i] = st->no_dir[i] ? rc : ops->mount_fs(&earlyinit_fs[i]);
	st->mounted[i] = st->mount_rc[i] == 0;
}

void earlyinit_start(struct earlyinit_state *st, const struct earlyinit_ops *ops)
{
	memset(st, 0, sizeof(*st));
	/* Another init (a shell /init, systemd, a container runtime) mounts /proc first. */
	if (!ops->is_pid1() || ops->mounted(earlyinit_fs[0].dir))
		return;
	st->active = true;
	for (int i = 0; i < EARLYINIT_FS_COUNT; i++)
		if (!ops->mounted(earlyinit_fs[i].dir))
			earlyinit_mount(st, ops, i);
	for (int fd = 0; fd <= 2; fd++) {
		int rc = ops->fd_open(fd) ? 0 : ops->console_onto(fd);

		if (rc < 0 && st->console_rc == 0)
			st->console_rc = rc;
	}
}

static void earlyinit_report(const struct earlyinit_state *st)
{
	char done[64] = "";

	for (int i = 0; i < EARLYINIT_FS_COUNT; i++) {
		const struct earlyinit_fs *fs = &earlyinit_fs[i];

		if (st->mounted[i])
			snprintf(done + strlen(done), sizeof(done) - strlen(done), " %s", fs->dir);
		else if (st->no_dir[i])
			log_important("create %s to mount %s on: %s", fs->dir, fs->type, strerror(-st->mount_rc[i]));
		else if (st->mount_rc[i] < 0)
			log_important("mount %s on %s: %s", fs->type, fs->dir, strerror(-st->mount_rc[i]));
	}
	log_msg("the image's /init: mounted%s", *done ? done : " nothing");
	if (st->console_rc < 0)
		log_important("open '/dev/console' as stdin/stdout/stderr: %s", strerror(-st->console_rc));
}

void earlyinit_finish(const struct earlyinit_state *st, const struct earlyinit_ops *ops,
		      const char *list_path)
{
	if (!st->active)
		return;
	earlyinit_report(st);
	(void)earlyinit_load_modules(ops, list_path);
}

/* The line without the blanks around it. */
static char *earlyinit_trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

int earlyinit_parse_modules(char *text, const char *file, const char **paths, int max)
{
	int n = 0, line = 0;

	for (char *next = text; next;) {
		char *path = next, *nl = strchr(next, '\n');

		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		line++;
		path = earlyinit_trim(path);
		if (!*path || *path == '#')
			continue;
		if (*path != '/')
			log_important("%s:%d: '%s' is not an absolute path; skipped", file, line, path);
		else if (n == max)
			log_important("%s:%d: more than %d modules; '%s' skipped", file, line, max, path);
		else
			paths[n++] = path;
	}
	return n;
}

static int earlyinit_step_load(const void *ctx, const char *path)
{
	return ((const struct earlyinit_ops *)ctx)->load_module(path);
}

/* 1 loaded (or already loaded), 0 failed and logged. */
static int earlyinit_load_one(const struct earlyinit_ops *ops, const char *path)
{
	int rc = bnd_run(earlyinit_step_load, ops, path, EARLYINIT_MODULE_TIMEOUT_MS);

	if (rc == 0 || rc == -EEXIST) {
		log_msg("loaded module %s%s", path, rc ? " (already loaded)" : "");
		return 1;
	}
	if (rc == -ETIMEDOUT)
		log_important("load module '%s': still loading after %d ms; going on", path,
			      EARLYINIT_MODULE_TIMEOUT_MS);
	else
		log_important("load module '%s': %s", path, strerror(-rc));
	return 0;
}

int earlyinit_load_modules(const struct earlyinit_ops *ops, const char *list_path)
{
	static char text[EARLYINIT_LIST_MAX];
	const char *paths[EARLYINIT_MODULES_MAX];
	long long start = time_now_ms();
	int rc = rf_read_text(list_path, text, sizeof(text)), n, loaded = 0;

	if (rc == -ENOENT)
		return 0;
	if (rc < 0) {
		if (rc == -EFBIG)
			log_important("read module list '%s': %d bytes or more; no module loaded", list_path,
				      EARLYINIT_LIST_MAX - 1);
		else
			log_important("read module list '%s': %s; no module loaded", list_path, strerror(-rc));
		return 0;
	}
	n = earlyinit_parse_modules(text, list_path, paths, EARLYINIT_MODULES_MAX);
	for (int i = 0; i < n; i++)
		loaded += earlyinit_load_one(ops, paths[i]);
	log_msg("%d of %d modules from %s loaded in %lld ms", loaded, n, list_path, time_now_ms() - start);
	return loaded;
}
