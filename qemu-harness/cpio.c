/* The newc cpio writer (the kernel's initramfs format, Documentation/driver-api/
 * early-userspace/buffer-format.rst): a 110-byte ASCII header of "070701" and thirteen
 * 8-digit hex fields, the NUL-terminated name, padding to 4 bytes, the data, padding to 4. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"

#define CPIO_HEADER_SIZE 110
#define CPIO_MAX_NAME 1024

struct cpio_entry {
	const char *name; /* without the leading '/' */
	mode_t mode;      /* type and permissions */
	uint32_t nlink, rdev_major, rdev_minor;
	const void *data;
	size_t size;
};

void cpio_init(struct cpio *c)
{
	memset(c, 0, sizeof(*c));
	c->next_ino = 1;
}

void cpio_free(struct cpio *c)
{
	free(c->data);
	for (int i = 0; i < c->n_dirs; i++)
		free(c->dirs[i]);
	cpio_init(c);
}

static int cpio_reserve(struct cpio *c, size_t more)
{
	size_t cap = c->cap ? c->cap : 65536;
	unsigned char *p;

	if (more > CPIO_MAX_SIZE || c->len + more > CPIO_MAX_SIZE)
		return -EFBIG;
	while (cap < c->len + more)
		cap *= 2;
	if (cap == c->cap)
		return 0;
	p = realloc(c->data, cap);
	if (!p)
		return -ENOMEM;
	c->data = p, c->cap = cap;
	return 0;
}

/* Zero bytes up to the next multiple of 4. */
static void cpio_pad(struct cpio *c)
{
	while (c->len % 4)
		c->data[c->len++] = 0;
}

static int cpio_write(struct cpio *c, const struct cpio_entry *e)
{
	size_t namesize = strlen(e->name) + 1;
	int r = cpio_reserve(c, CPIO_HEADER_SIZE + namesize + e->size + 8);

	if (r < 0)
		return r;
	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
	 * rdevminor, namesize, check */
	c->len += (size_t)sprintf((char *)c->data + c->len,
				  CPIO_MAGIC "%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
				  c->next_ino++, (unsigned)e->mode, 0u, 0u, e->nlink, 0u,
				  (unsigned)e->size, 0u, 0u, e->rdev_major, e->rdev_minor,
				  (unsigned)namesize, 0u);
	memcpy(c->data + c->len, e->name, namesize);
	c->len += namesize;
	cpio_pad(c);
	if (e->size)
		memcpy(c->data + c->len, e->data, e->size);
	c->len += e->size;
	cpio_pad(c);
	return 0;
}

static bool cpio_has_dir(const struct cpio *c, const char *name)
{
	for (int i = 0; i < c->n_dirs; i++)
		if (strcmp(c->dirs[i], name) == 0)
			return true;
	return false;
}

/* Writes the directory name (no leading '/') unless it is there already. */
static int cpio_write_dir(struct cpio *c, const char *name, mode_t perm)
{
	struct cpio_entry e = { .name = name, .mode = S_IFDIR | perm, .nlink = 2 };

	if (cpio_has_dir(c, name))
		return 0;
	if (c->n_dirs >= CPIO_MAX_DIRS)
		return -ENOSPC;
	c->dirs[c->n_dirs] = strdup(name);
	if (!c->dirs[c->n_dirs])
		return -ENOMEM;
	c->n_dirs++;
	return cpio_write(c, &e);
}

/* Strips leading '/' into name; adds every parent directory of it. */
static int cpio_parents(struct cpio *c, const char *path, char *name)
{
	char *slash;
	int r;

	while (*path == '/')
		path++;
	if (!*path)
		return -EINVAL;
	if (strlen(path) >= CPIO_MAX_NAME)
		return -ENAMETOOLONG;
	strcpy(name, path);
	for (slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		r = cpio_write_dir(c, name, 0755);
		*slash = '/';
		if (r < 0)
			return r;
	}
	return 0;
}

static int cpio_add(struct cpio *c, const char *path, struct cpio_entry *e)
{
	char name[CPIO_MAX_NAME];
	int r = cpio_parents(c, path, name);

	if (r < 0)
		return r;
	if (S_ISDIR(e->mode))
		return cpio_write_dir(c, name, e->mode & 07777);
	e->name = name;
	return cpio_write(c, e);
}

int cpio_add_file(struct cpio *c, const char *path, mode_t perm, const void *data, size_t size)
{
	struct cpio_entry e = { .mode = S_IFREG | (perm & 07777), .nlink = 1, .data = data,
				.size = size };

	return cpio_add(c, path, &e);
}

int cpio_add_dir(struct cpio *c, const char *path, mode_t perm)
{
	struct cpio_entry e = { .mode = S_IFDIR | (perm & 07777) };

	return cpio_add(c, path, &e);
}

int cpio_add_chardev(struct cpio *c, const char *path, mode_t perm, unsigned major,
		     unsigned minor)
{
	struct cpio_entry e = { .mode = S_IFCHR | (perm & 07777), .nlink = 1,
				.rdev_major = major, .rdev_minor = minor };

	return cpio_add(c, path, &e);
}

int cpio_finish(struct cpio *c)
{
	struct cpio_entry e = { .name = CPIO_TRAILER, .nlink = 1 };

	return cpio_write(c, &e);
}
