/* The agent's log: every line starts "softoff-agent: " and goes to /dev/kmsg and/or stderr.
 * log_important() marks the lines a host or a person at the console needs (starting, armed,
 * shutting down and why, failures, refusals, the port write or fallback): they also reach the
 * console when the console loglevel (`quiet`, `loglevel=N`) hides kmsg's notice level. */
#ifndef SOFTOFF_AGENT_LOG_H
#define SOFTOFF_AGENT_LOG_H

#include <stdbool.h>

enum log_target {
	LOG_TARGET_AUTO,   /* kmsg when /dev/kmsg is writable, else stderr */
	LOG_TARGET_KMSG,
	LOG_TARGET_STDERR,
	LOG_TARGET_BOTH,
};

/* The kernel level of the agent's kmsg records: notice. */
#define LOG_KMSG_LEVEL 5

/* Opens the chosen targets (idempotent); lines logged before this go to stderr. With kmsg it
 * also opens /dev/console for important lines, unless stderr is the console already. */
void log_open(enum log_target target);

/* Tests: send every line to fd (instead of stderr) and nowhere else. */
void log_use_fd(int fd);

/* Tests: kmsg records (with their "<5>") to kmsg_fd, console copies to console_fd, and the
 * console loglevel read from printk_path (instead of /proc/sys/kernel/printk). */
void log_use_files(int kmsg_fd, int console_fd, const char *printk_path);

/* Whether the kernel prints a kmsg record of this level on the console. printk_text is the
 * content of /proc/sys/kernel/printk (its first field is the console loglevel: records below
 * it are printed), or NULL when it could not be read; ignore_loglevel is the kernel parameter. */
bool log_kmsg_reaches_console(int level, const char *printk_text, bool ignore_loglevel);

/* An ordinary line (progress, hook output): kmsg and/or stderr only. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A line that must reach the console whatever the loglevel, and only once. */
void log_important(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
