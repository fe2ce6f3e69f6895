/* Whole-file reads for the config parser and the /proc readers. */
#include "readfile.h"

#include <fcntl.h>
#include <unistd.h>

int rf_read_text(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -errno;
	while (len < cap - 1 && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	(void)close(fd);
	buf[len] = '\0';
	if (n < 0)
		return -EIO;
	return len == cap - 1 ? -EFBIG : (int)len;
}
