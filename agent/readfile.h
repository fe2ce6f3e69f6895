/* Reading a small text file (config, /proc/self/mounts, /proc/swaps) whole, in one place. */
#ifndef SOFTOFF_AGENT_READFILE_H
#define SOFTOFF_AGENT_READFILE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

/* Reads path into buf and NUL-terminates it. Returns the length read, or -errno when it cannot
 * be opened, -EIO on a read error, -EFBIG when it does not fit (a file of cap - 1 bytes or
 * more); with -EIO and -EFBIG buf still holds what was read. */
int rf_read_text(const char *path, char *buf, size_t cap);

/* The /proc readers use partial text; the config parser refuses it. */
static inline bool rf_has_text(int rc)
{
	return rc >= 0 || rc == -EIO || rc == -EFBIG;
}

#endif
