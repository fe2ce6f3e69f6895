/* The agent's log: every line starts "softoff-agent: " and goes to /dev/kmsg and/or stderr. */
#ifndef SOFTOFF_AGENT_LOG_H
#define SOFTOFF_AGENT_LOG_H

enum log_target {
	LOG_TARGET_AUTO,   /* kmsg when /dev/kmsg is writable, else stderr */
	LOG_TARGET_KMSG,
	LOG_TARGET_STDERR,
	LOG_TARGET_BOTH,
};

/* Opens the chosen targets (idempotent); lines logged before this go to stderr. */
void log_open(enum log_target target);

/* Tests: send every line to fd (instead of stderr) and nowhere else. */
void log_use_fd(int fd);

void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
