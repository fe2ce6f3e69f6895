/* One poll loop: a signalfd, the inotify fd and every button; nothing runs in a handler. */
#define _GNU_SOURCE /* pipe2 */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "softoff/exit_status.h"

static void loop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGPWR);
	sigaddset(set, SIGCHLD);
	sigaddset(set, LOOP_SIG_TINY_POWER_BUTTON);
}

/* The sequence runs in a child: the loop keeps reading buttons (repeat) and reaping. */
static void loop_fork_sequence(struct loop *l, const struct seq_request *rq)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_important("fork shutdown sequence: %s; running it in the main process", strerror(errno));
		seq_run(l->cfg, rq);
		return;
	}
	if (pid == 0) {
		seq_run(l->cfg, rq);
		_exit(1);
	}
	l->sequencer = pid;
}

static void loop_default_leave_now(struct loop *l, unsigned exit_value)
{
	seq_leave_now(l->cfg, exit_value);
}

int loop_init(struct loop *l, const struct agent_config *cfg, const char *input_dir, const char *sys_dir)
{
	sigset_t set;

	memset(l, 0, sizeof(*l));
	l->cfg = cfg;
	l->payload_status = -1;
	l->is_pid1 = getpid() == 1;
	l->start = loop_fork_sequence;
	l->leave_now = loop_default_leave_now;
	btn_init(&l->buttons, cfg, input_dir, sys_dir);
	loop_signal_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	(void)signal(SIGPIPE, SIG_IGN);
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return l->sigfd < 0 ? -errno : 0;
}

static void __attribute__((noreturn)) loop_exec_payload(char *const argv[], int report)
{
	sigset_t none;
	int err;

	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	(void)signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], argv);
	err = errno;
	(void)!write(report, &err, sizeof(err));
	_exit(127);
}

int loop_start_payload(struct loop *l, char *const argv[])
{
	int pfd[2], err = 0;
	ssize_t n;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	l->payload = fork();
	if (l->payload < 0) {
		err = errno;
	} else if (l->payload == 0) {
		loop_exec_payload(argv, pfd[1]);
	}
	(void)close(pfd[1]);
	/* the pipe closes on a successful exec; otherwise the child sends errno */
	while (l->payload > 0 && (n = read(pfd[0], &err, sizeof(err))) < 0 && errno == EINTR)
		;
	(void)close(pfd[0]);
	if (err && l->payload > 0)
		(void)waitpid(l->payload, NULL, 0);
	if (err)
		l->payload = 0;
	else
		log_important("started payload %s (pid %d)", argv[0], (int)l->payload);
	return -err;
}

void loop_trigger(struct loop *l, const char *event, const char *device, unsigned exit_value,
		  bool run_hooks)
{
	struct seq_request rq = { event, device, exit_value, run_hooks, getpid() };

	if (!l->latched) {
		l->latched = true;
		l->exit_value = exit_value;
		log_important("shutting down (%s%s%s)", event, *device ? " on " : "", device);
		l->start(l, &rq);
		return;
	}
	if (l->cfg->repeat == REPEAT_IGNORE) {
		log_important("%s%s%s during shutdown: ignored (repeat = ignore)", event,
			      *device ? " on " : "", device);
		return;
	}
	log_important("%s during shutdown: leaving now (repeat = force)", event);
	if (l->sequencer > 0)
		(void)kill(l->sequencer, SIGKILL);
	l->leave_now(l, l->exit_value);
}

void loop_on_button(struct loop *l, int i)
{
	char device[CONFIG_PATH_MAX];
	int presses;

	strcpy(device, l->buttons.dev[i].path);
	presses = btn_read(&l->buttons, i);
	for (int p = 0; p < presses; p++)
		loop_trigger(l, "power-button", device, l->cfg->exit_value, true);
}

static void loop_stop_daemon(struct loop *l, int signo)
{
	if (l->payload > 0) {
		log_important("signal %d: passing it to the payload (pid %d)", signo, (int)l->payload);
		(void)kill(l->payload, signo);
	} else if (l->is_pid1) {
		log_important("signal %d: ignored, PID 1 cannot exit (use SIGPWR or the button to power off)",
			      signo);
	} else {
		log_important("signal %d: stopping, without powering off", signo);
		l->stop = true;
	}
}

void loop_on_signal(struct loop *l, int signo)
{
	if (signo == SIGPWR || signo == LOOP_SIG_TINY_POWER_BUTTON)
		loop_trigger(l, "signal", "", l->cfg->exit_value, true);
	else if (signo == SIGTERM || signo == SIGINT || signo == SIGHUP)
		loop_stop_daemon(l, signo);
}

static int loop_payload_value(int status)
{
	if (WIFSIGNALED(status))
		return SOFTOFF_EXIT_PAYLOAD_SIGNALED;
	return (int)softoff_encode_payload(WEXITSTATUS(status));
}

static void loop_sequence_ended(struct loop *l, int status)
{
	l->sequencer = 0;
	log_important("shutdown sequence ended (status %d) and the machine is still running", status);
	if (l->is_pid1)
		return;
	l->stop = true;
	if (l->payload_status >= 0 && l->cfg->fallback == FALLBACK_NONE)
		l->exit_code = WIFSIGNALED(l->payload_status) ? 128 + WTERMSIG(l->payload_status) :
								 WEXITSTATUS(l->payload_status);
	else
		l->exit_code = l->cfg->fallback == FALLBACK_NONE ? 0 : 1;
}

static void loop_reap(struct loop *l)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == l->payload) {
			l->payload = 0;
			l->payload_status = status;
			log_important("payload ended (%s %d)", WIFSIGNALED(status) ? "signal" : "status",
				      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			if (!l->latched) /* else a shutdown already runs: it decides the value */
				loop_trigger(l, "command", "", (unsigned)loop_payload_value(status), false);
		} else if (pid == l->sequencer) {
			loop_sequence_ended(l, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
	}
}

static void loop_read_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			loop_reap(l);
		else
			loop_on_signal(l, (int)si.ssi_signo);
	}
}

static void loop_poll_once(struct loop *l)
{
	struct pollfd p[2 + BTN_MAX];
	int nb = l->buttons.count;

	p[0] = (struct pollfd){ l->sigfd, POLLIN, 0 };
	p[1] = (struct pollfd){ l->buttons.inotify_fd, POLLIN, 0 };
	for (int i = 0; i < nb; i++)
		p[2 + i] = (struct pollfd){ l->buttons.dev[i].fd, POLLIN, 0 };
	if (poll(p, (nfds_t)(2 + nb), -1) < 0)
		return;
	if (p[0].revents)
		loop_read_signals(l);
	/* backwards: a vanished device shifts only the ones already handled */
	for (int i = nb - 1; i >= 0; i--) {
		if (!p[2 + i].revents)
			continue;
		if (p[2 + i].revents & POLLIN)
			loop_on_button(l, i);
		else /* hung up with nothing to read: gone */
			btn_drop(&l->buttons, i);
	}
	if (p[1].revents)
		btn_on_inotify(&l->buttons);
}

int loop_run(struct loop *l)
{
	int rc = btn_start(&l->buttons);

	if (rc < 0)
		log_important("watch input devices: %s", strerror(-rc));
	while (!l->stop)
		loop_poll_once(l);
	return l->exit_code;
}

void loop_close(struct loop *l)
{
	btn_close_all(&l->buttons);
	if (l->sigfd >= 0)
		(void)close(l->sigfd);
}
