/* Signals as events: one signalfd read in the poll loop, nothing in handlers. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sigwatch.h"

static const int sigwatch_signals[] = {
	SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGCONT, SIGWINCH,
};

static const struct {
	int signo;
	const char *name;
} sigwatch_names[] = {
	{ SIGHUP, "HUP" },   { SIGINT, "INT" },   { SIGQUIT, "QUIT" },   { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" }, { SIGUSR2, "USR2" }, { SIGTERM, "TERM" },   { SIGCHLD, "CHLD" },
	{ SIGCONT, "CONT" }, { SIGPIPE, "PIPE" }, { SIGWINCH, "WINCH" }, { SIGALRM, "ALRM" },
	{ SIGPWR, "PWR" },
};

int sigwatch_open(sigset_t *orig)
{
	sigset_t set;
	int fd;

	(void)sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigwatch_signals) / sizeof(sigwatch_signals[0]); i++)
		(void)sigaddset(&set, sigwatch_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, orig) < 0)
		return -errno;
	(void)signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int sigwatch_is_watched(int signo)
{
	for (size_t i = 0; i < sizeof(sigwatch_signals) / sizeof(sigwatch_signals[0]); i++)
		if (sigwatch_signals[i] == signo)
			return 1;
	return 0;
}

int sigwatch_read(int fd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n != (ssize_t)sizeof(si))
		return -EIO;
	return (int)si.ssi_signo;
}

void sigwatch_restore_child(const sigset_t *orig)
{
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	(void)sigprocmask(SIG_SETMASK, orig, NULL);
}

int sigwatch_parse(const char *name)
{
	char *end;
	long n;

	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < sizeof(sigwatch_names) / sizeof(sigwatch_names[0]); i++)
		if (strcasecmp(name, sigwatch_names[i].name) == 0)
			return sigwatch_names[i].signo;
	n = strtol(name, &end, 10);
	if (*name && !*end && n > 0 && n < NSIG)
		return (int)n;
	return -EINVAL;
}

const char *sigwatch_name(int signo)
{
	for (size_t i = 0; i < sizeof(sigwatch_names) / sizeof(sigwatch_names[0]); i++)
		if (sigwatch_names[i].signo == signo)
			return sigwatch_names[i].name;
	return "?";
}
