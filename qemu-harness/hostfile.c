/* Reading a host file into memory, bounded. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "hostfile.h"

static int hostfile_read_fd(int fd, size_t max, bool head_only, char *buf, size_t *len)
{
	ssize_t n;
	char extra;

	*len = 0;
	while (*len < max) {
		n = read(fd, buf + *len, max - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		*len += (size_t)n;
	}
	if (head_only)
		return 0;
	do
		n = read(fd, &extra, 1);
	while (n < 0 && errno == EINTR);
	return n == 0 ? 0 : n < 0 ? -errno : -EFBIG;
}

int hostfile_read(const char *path, size_t max, bool head_only, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = malloc(max + 1);
	if (!buf) {
		(void)close(fd);
		return -ENOMEM;
	}
	r = hostfile_read_fd(fd, max, head_only, buf, len);
	(void)close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[*len] = '\0';
	*data = buf;
	return 0;
}
