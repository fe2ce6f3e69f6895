/* One running QEMU: child, QMP, console, captured output and signals in one poll step. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "session.h"
#include "sigwatch.h"

enum { SESSION_FD_SIG, SESSION_FD_QMP, SESSION_FD_CONSOLE, SESSION_FD_OUTPUT, SESSION_NFDS };

int session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	s->vm = (struct vm){ .pid = -1, .qmp_fd = -1, .console_fd = -1, .output_fd = -1 };
	s->qmp_ready_ms = -1;
	s->exit_ms = -1;
	s->sigfd = sigwatch_open(&s->orig_mask);
	return s->sigfd < 0 ? s->sigfd : 0;
}

void session_die_with_parent(int signo)
{
	pid_t parent = getppid();

	if (getpid() == 1 || parent <= 1)
		return;
	(void)prctl(PR_SET_PDEATHSIG, signo);
	if (getppid() != parent) /* it died before prctl: act as if it had just died */
		(void)kill(getpid(), signo);
}

static void session_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (fd >= 0 && flags >= 0)
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int session_start(struct session *s, struct vm_config *cfg, FILE *console_keep,
		  FILE *console_echo, char *err, size_t errlen)
{
	int r;

	cfg->child_mask = &s->orig_mask;
	memset(&s->output, 0, sizeof(s->output));
	s->qmp_ready_ms = s->exit_ms = -1;
	s->qmp_failed = false;
	s->start_ms = clock_now_ms();
	r = vm_start(cfg, &s->vm, err, errlen);
	if (r < 0)
		return r;
	s->qmp = qmp_client_new(s->vm.qmp_fd);
	if (!s->qmp) {
		snprintf(err, errlen, "QMP client: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	s->vm.qmp_fd = -1; /* owned by the client now */
	session_set_nonblock(s->vm.console_fd);
	session_set_nonblock(s->vm.output_fd);
	console_init(&s->console, s->vm.console_fd, console_keep, console_echo);
	return 0;
}

static void session_read_output(struct session *s)
{
	char buf[4096];
	ssize_t n;

	for (int i = 0; i < 16; i++) {
		n = read(s->vm.output_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			(void)close(s->vm.output_fd);
			s->vm.output_fd = -1;
			return;
		}
		tail_append(&s->output, buf, (size_t)n);
		if (log_get_level() >= LOG_LEVEL_DEBUG)
			(void)!write(2, buf, (size_t)n);
	}
}

static void session_serve_qmp(struct session *s)
{
	int r = qmp_client_process(s->qmp);

	if (s->qmp_ready_ms < 0 && qmp_client_state(s->qmp) == QMP_STATE_RUNNING)
		s->qmp_ready_ms = clock_now_ms();
	if (r < 0) {
		s->qmp_failed = true;
		s->qmp_failed_ms = clock_now_ms();
		log_debug("%s", qmp_client_error(s->qmp));
	}
}

static int session_read_signals(struct session *s, int *sigs)
{
	int n = 0, signo;

	while ((signo = sigwatch_read(s->sigfd)) > 0) {
		if (signo == SIGCHLD) {
			if (vm_reap(&s->vm) && s->exit_ms < 0)
				s->exit_ms = clock_now_ms();
		} else if (n < SESSION_MAX_SIGNALS) {
			sigs[n++] = signo;
		}
	}
	return n;
}

static void session_fill_pollfds(struct session *s, struct pollfd *p)
{
	p[SESSION_FD_SIG] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
	p[SESSION_FD_QMP] = (struct pollfd){ .fd = s->qmp ? qmp_client_fd(s->qmp) : -1,
					     .events = POLLIN };
	p[SESSION_FD_CONSOLE] = (struct pollfd){
		.fd = s->console.eof ? -1 : s->vm.console_fd, .events = POLLIN };
	p[SESSION_FD_OUTPUT] = (struct pollfd){ .fd = s->vm.output_fd, .events = POLLIN };
}

int session_step(struct session *s, int64_t deadline_ms, int *sigs)
{
	struct pollfd p[SESSION_NFDS];
	int r, n = 0;

	session_fill_pollfds(s, p);
	r = poll(p, SESSION_NFDS, clock_poll_timeout(deadline_ms));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (p[SESSION_FD_QMP].revents)
		session_serve_qmp(s);
	if (p[SESSION_FD_CONSOLE].revents)
		(void)console_read(&s->console);
	if (p[SESSION_FD_OUTPUT].revents)
		session_read_output(s);
	if (p[SESSION_FD_SIG].revents)
		n = session_read_signals(s, sigs);
	if (s->exit_ms < 0 && vm_reap(&s->vm))
		s->exit_ms = clock_now_ms();
	return n;
}

void session_drain(struct session *s)
{
	int64_t deadline = clock_now_ms() + 500;

	/* QEMU is gone, so every fd reaches EOF quickly; the bound covers a stray holder */
	while (clock_now_ms() < deadline) {
		bool open_qmp = s->qmp && qmp_client_fd(s->qmp) >= 0;
		bool open_con = s->vm.console_fd >= 0 && !s->console.eof;
		bool open_out = s->vm.output_fd >= 0;
		int sigs[SESSION_MAX_SIGNALS];

		if (!open_qmp && !open_con && !open_out)
			break;
		(void)session_step(s, clock_now_ms() + 50, sigs);
	}
}

bool session_command(struct session *s, const char *command)
{
	int r;

	if (!s->qmp || qmp_client_state(s->qmp) == QMP_STATE_CLOSED)
		return false;
	r = qmp_client_send(s->qmp, command, NULL, QMP_SEND_DISCARD_REPLY, NULL);
	if (r < 0)
		log_debug("QMP %s: %s", command, strerror(-r));
	return r >= 0;
}

bool session_qmp_running(const struct session *s)
{
	return s->qmp && qmp_client_state(s->qmp) == QMP_STATE_RUNNING;
}

void session_end(struct session *s)
{
	if (s->vm.pid > 0 && !vm_reap(&s->vm)) {
		vm_signal(&s->vm, SIGKILL);
		(void)waitpid(s->vm.pid, &s->vm.wait_status, 0);
		s->vm.exited = true;
	}
	qmp_client_free(s->qmp);
	s->qmp = NULL;
	vm_close(&s->vm);
	s->vm.pid = -1;
}
