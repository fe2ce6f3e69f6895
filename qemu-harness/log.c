/* Messages from softoff-qemu: "softoff-qemu: " + text on stderr, filtered by level.
 * The level is the one piece of process-wide state; SOFTOFF_QEMU_DEBUG=1 turns debug on. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static enum log_level current_level = LOG_LEVEL_INFO;
static int debug_env_read;

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	const char *env;

	if (!debug_env_read) {
		debug_env_read = 1;
		env = getenv("SOFTOFF_QEMU_DEBUG");
		if (env && *env && *env != '0')
			current_level = LOG_LEVEL_DEBUG;
	}
	return current_level;
}

static void log_emit(enum log_level level, const char *fmt, va_list ap)
{
	if (log_get_level() < level)
		return;
	fputs("softoff-qemu: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}
