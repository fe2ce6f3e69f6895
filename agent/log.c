/* Writes one whole line per write(2): kmsg keeps records, and concurrent children do not mix. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LOG_LINE_MAX 480
#define LOG_KMSG_LEVEL "<5>" /* notice: on the console at the default loglevel */

static int log_kmsg_fd = -1;
static int log_err_fd = 2;

/* Without this, kmsg writes from user space are limited to 10 per 5 s and hook output is lost. */
static void log_unlimit_kmsg(void)
{
	int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	(void)!write(fd, "on\n", 3);
	(void)close(fd);
}

void log_open(enum log_target target)
{
	if (target == LOG_TARGET_STDERR)
		return;
	log_unlimit_kmsg();
	log_kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (log_kmsg_fd < 0) {
		if (target != LOG_TARGET_AUTO)
			log_msg("open '/dev/kmsg': %s; logging to stderr", strerror(errno));
		return;
	}
	if (target != LOG_TARGET_BOTH)
		log_err_fd = -1;
}

void log_use_fd(int fd)
{
	log_kmsg_fd = -1;
	log_err_fd = fd;
}

void log_msg(const char *fmt, ...)
{
	char line[LOG_LINE_MAX + 32];
	int head = 3, n;
	va_list ap;

	memcpy(line, LOG_KMSG_LEVEL "softoff-agent: ", 18);
	va_start(ap, fmt);
	n = vsnprintf(line + 18, LOG_LINE_MAX, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= LOG_LINE_MAX)
		n = LOG_LINE_MAX - 1;
	n += 18;
	line[n++] = '\n';
	if (log_kmsg_fd >= 0)
		(void)!write(log_kmsg_fd, line, (size_t)n);
	if (log_err_fd >= 0)
		(void)!write(log_err_fd, line + head, (size_t)(n - head));
}
