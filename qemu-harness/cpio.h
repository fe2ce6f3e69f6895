/* A newc ("070701") cpio archive written into memory: the format the kernel unpacks as an
 * initramfs. Deterministic: inode numbers count up from 1 in the order entries are added,
 * mtime 0, uid and gid 0, so the same entries give the same bytes. */
#ifndef SOFTOFF_QEMU_CPIO_H
#define SOFTOFF_QEMU_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CPIO_MAX_SIZE (64u << 20) /* an image bigger than this is a mistake, not a boot test */
#define CPIO_MAX_DIRS 64          /* directories one image may hold */
#define CPIO_MAGIC "070701"
#define CPIO_TRAILER "TRAILER!!!"

struct cpio {
	unsigned char *data;
	size_t len, cap;
	uint32_t next_ino;
	char *dirs[CPIO_MAX_DIRS]; /* directories written so far, without the leading '/' */
	int n_dirs;
};

void cpio_init(struct cpio *c);
void cpio_free(struct cpio *c);

/* Adds a regular file (path absolute or relative to the root; its parent directories are
 * added first, mode 0755, when not there yet). 0, -ENOMEM, -EFBIG past CPIO_MAX_SIZE,
 * -ENAMETOOLONG, -EINVAL for an empty name. */
int cpio_add_file(struct cpio *c, const char *path, mode_t perm, const void *data, size_t size);

/* Adds a directory (and its parents); one already there is not added again. */
int cpio_add_dir(struct cpio *c, const char *path, mode_t perm);

/* Adds a character device node (and its parents). */
int cpio_add_chardev(struct cpio *c, const char *path, mode_t perm, unsigned major,
		     unsigned minor);

/* Ends the archive with the trailer entry; nothing may be added after it. */
int cpio_finish(struct cpio *c);

#endif
