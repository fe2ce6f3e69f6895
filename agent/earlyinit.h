/* The agent as the first program of an initramfs (the kernel's /init, PID 1, nothing mounted):
 * it mounts the kernel filesystems, puts the console on fds 0-2 when the kernel could not, and
 * loads the kernel modules the image lists, before the buttons are scanned. The system calls
 * sit behind struct earlyinit_ops so that tests can check the decisions without mounting. */
#ifndef SOFTOFF_AGENT_EARLYINIT_H
#define SOFTOFF_AGENT_EARLYINIT_H

#include <stdbool.h>

/* Kernel filesystems: proc, sysfs, devtmpfs */
#define EARLYINIT_FS_COUNT 3
/* The module list: bytes read at most, paths taken at most, and one module load's bound */
#define EARLYINIT_LIST_MAX 16384
#define EARLYINIT_MODULES_MAX 64
#define EARLYINIT_MODULE_TIMEOUT_MS 10000

struct earlyinit_fs {
	const char *type;
	const char *dir; /* a directory of "/" */
	unsigned long flags;
	const char *data;
};

struct earlyinit_ops {
	bool (*is_pid1)(void);
	bool (*mounted)(const char *dir);              /* dir is a mount point */
	int (*make_dir)(const char *dir);              /* mkdir 0755: 0 or -errno (-EEXIST) */
	int (*mount_fs)(const struct earlyinit_fs *fs); /* 0 or -errno */
	bool (*fd_open)(int fd);
	int (*console_onto)(int fd);     /* opens /dev/console as fd: 0 or -errno */
	int (*load_module)(const char *path); /* finit_module: 0 or -errno; runs in a bounded child */
};

extern const struct earlyinit_ops earlyinit_system_ops;

/* What earlyinit_start did, for earlyinit_finish to report once the log is open. */
struct earlyinit_state {
	bool active;                        /* the agent is the image's /init */
	bool mounted[EARLYINIT_FS_COUNT];   /* mounted here (not found mounted) */
	int mount_rc[EARLYINIT_FS_COUNT];   /* 0 or -errno of the mount, or of its mkdir: */
	bool no_dir[EARLYINIT_FS_COUNT];    /* the directory could not be made */
	int console_rc;                     /* 0, or -errno of the first failed console open */
};

/* As PID 1 with /proc not mounted (no other init ran before us): mounts each kernel
 * filesystem that is not mounted yet, creating its directory if missing, then opens
 * /dev/console onto those of fds 0, 1, 2 that are closed (docs/facts.md: "The console the
 * kernel opens for init"). Says nothing: the log is not open yet. */
void earlyinit_start(struct earlyinit_state *st, const struct earlyinit_ops *ops);

/* After log_open, when start found the agent to be the image's /init: logs what was mounted
 * and what failed, then loads the modules listed in list_path. Otherwise does nothing. */
void earlyinit_finish(const struct earlyinit_state *st, const struct earlyinit_ops *ops,
		      const char *list_path);

/* Splits a module list in place into paths (at most max): one absolute path a line, blank
 * lines and lines starting with # skipped, blanks around a path trimmed. A line that is not
 * an absolute path is logged as FILE:LINE and skipped, and so is everything past max.
 * Returns the number of paths. */
int earlyinit_parse_modules(char *text, const char *file, const char **paths, int max);

/* Loads each module of list_path in order, each bounded by EARLYINIT_MODULE_TIMEOUT_MS; one
 * already loaded counts as loaded, and a failure is logged and skipped. No file: nothing to
 * load. Returns how many modules are loaded. */
int earlyinit_load_modules(const struct earlyinit_ops *ops, const char *list_path);

#endif
