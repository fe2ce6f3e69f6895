/* Writes one whole line per write(2): kmsg keeps records, and concurrent children do not mix.
 * An important line goes to kmsg like any other; when the kernel would not print kmsg's notice
 * level on the console (docs/facts.md: quiet hides kmsg's notice level), it is written to
 * /dev/console too, so it shows once whatever the loglevel. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"
#include "timeutil.h"

#define LOG_LINE_MAX 480
#define LOG_STR(x) #x
#define LOG_XSTR(x) LOG_STR(x)
#define LOG_LEVEL_TAG "<" LOG_XSTR(LOG_KMSG_LEVEL) ">" /* kmsg only: left out elsewhere */
#define LOG_PREFIX LOG_LEVEL_TAG "softoff-agent: "
#define LOG_LEVEL_HEAD (sizeof(LOG_LEVEL_TAG) - 1)
#define LOG_PRINTK "/proc/sys/kernel/printk"
#define LOG_IGNORE_LOGLEVEL "/sys/module/printk/parameters/ignore_loglevel"
/* The console loglevel is read again at most this often: a read costs an open, a read and a
 * close, and the shutdown sequence logs a dozen important lines in well under a second. */
#define LOG_LEVEL_TTL_MS 1000

static int log_kmsg_fd = -1;
static int log_err_fd = 2;
static int log_console_fd = -1;
static const char *log_printk_path = LOG_PRINTK;
static bool log_ignore_loglevel;
static bool log_kmsg_shown;
static long long log_level_read_ms = -1;

/* Without this, kmsg writes from user space are limited to 10 per 5 s and hook output is lost. */
static void log_unlimit_kmsg(void)
{
	int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	(void)!write(fd, "on\n", 3);
	(void)close(fd);
}

static bool log_same_device(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && S_ISCHR(sa.st_mode) &&
	       S_ISCHR(sb.st_mode) && sa.st_rdev == sb.st_rdev;
}

/* The console copy for important lines; not needed when stderr, which gets every line, is the
 * console (an init script's `exec >/dev/console 2>&1` with log = both). */
static void log_open_console(void)
{
	char flag[8];
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (log_err_fd >= 0 && log_same_device(fd, log_err_fd)) {
		(void)close(fd);
		return;
	}
	log_console_fd = fd;
	log_ignore_loglevel = rf_read_text(LOG_IGNORE_LOGLEVEL, flag, sizeof(flag)) > 0 && flag[0] == 'Y';
}

void log_open(enum log_target target)
{
	if (target == LOG_TARGET_STDERR)
		return;
	log_unlimit_kmsg();
	log_kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (log_kmsg_fd < 0) {
		if (target != LOG_TARGET_AUTO)
			log_important("open '/dev/kmsg': %s; logging to stderr", strerror(errno));
		return;
	}
	if (target != LOG_TARGET_BOTH)
		log_err_fd = -1;
	log_open_console();
}

void log_use_fd(int fd)
{
	log_kmsg_fd = -1;
	log_console_fd = -1;
	log_err_fd = fd;
}

void log_use_files(int kmsg_fd, int console_fd, const char *printk_path)
{
	log_kmsg_fd = kmsg_fd;
	log_console_fd = console_fd;
	log_err_fd = -1;
	log_printk_path = printk_path;
	log_ignore_loglevel = false;
	log_level_read_ms = -1;
}

bool log_kmsg_reaches_console(int level, const char *printk_text, bool ignore_loglevel)
{
	char *end;
	long console_level;

	if (ignore_loglevel)
		return true;
	if (!printk_text) /* unknown: a doubled line is better than a lost one */
		return false;
	console_level = strtol(printk_text, &end, 10);
	return end != printk_text && level < console_level;
}

static bool log_kmsg_on_console(void)
{
	char text[64];
	long long now = time_now_ms();

	if (log_level_read_ms >= 0 && now - log_level_read_ms < LOG_LEVEL_TTL_MS)
		return log_kmsg_shown;
	log_level_read_ms = now;
	log_kmsg_shown = log_kmsg_reaches_console(
		LOG_KMSG_LEVEL, rf_has_text(rf_read_text(log_printk_path, text, sizeof(text))) ? text : NULL,
		log_ignore_loglevel);
	return log_kmsg_shown;
}

static void log_line(bool important, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX + 32];
	const size_t head = sizeof(LOG_PREFIX) - 1;
	int n;

	memcpy(line, LOG_PREFIX, head);
	n = vsnprintf(line + head, LOG_LINE_MAX, fmt, ap);
	if (n < 0)
		return;
	if (n >= LOG_LINE_MAX)
		n = LOG_LINE_MAX - 1;
	n += (int)head;
	line[n++] = '\n';
	if (log_kmsg_fd >= 0) {
		(void)!write(log_kmsg_fd, line, (size_t)n);
		if (important && log_console_fd >= 0 && !log_kmsg_on_console())
			(void)!write(log_console_fd, line + LOG_LEVEL_HEAD, (size_t)n - LOG_LEVEL_HEAD);
	}
	if (log_err_fd >= 0)
		(void)!write(log_err_fd, line + LOG_LEVEL_HEAD, (size_t)n - LOG_LEVEL_HEAD);
}

void log_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(false, fmt, ap);
	va_end(ap);
}

void log_important(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(true, fmt, ap);
	va_end(ap);
}
