/* Reading a host file into memory, bounded. */
#ifndef SOFTOFF_QEMU_HOSTFILE_H
#define SOFTOFF_QEMU_HOSTFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Reads path into a malloc'd buffer (*data, *len bytes, NUL-terminated one past the end).
 * At most max bytes: a longer file is -EFBIG, unless head_only (then its first max bytes).
 * 0 or -errno. */
int hostfile_read(const char *path, size_t max, bool head_only, char **data, size_t *len);

#endif
