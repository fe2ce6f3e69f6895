/* Signals as events: block them, read them from a signalfd in the poll loop, and give
 * children the original mask and default dispositions back before exec. */
#ifndef SOFTOFF_QEMU_SIGWATCH_H
#define SOFTOFF_QEMU_SIGWATCH_H

#include <signal.h>

/* Blocks SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGCONT, SIGWINCH,
 * ignores SIGPIPE, stores the previous mask in *orig and returns a non-blocking signalfd
 * (or -errno). */
int sigwatch_open(sigset_t *orig);

/* Whether sigwatch_open() watches signo. */
int sigwatch_is_watched(int signo);

/* The next pending signal number, 0 when none is pending, or -errno. */
int sigwatch_read(int fd);

/* In a forked child before exec: every disposition back to default, mask back to orig. */
void sigwatch_restore_child(const sigset_t *orig);

/* "SIGTERM" -> 15 (also "TERM", "15"); -EINVAL when unknown. */
int sigwatch_parse(const char *name);
const char *sigwatch_name(int signo);

#endif
