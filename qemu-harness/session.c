/* The supervision core: one QEMU, one poll loop, events decoded once, presses, the quit ->
 * SIGKILL escalation and the monitor's health, with `boot` and `run` as policies on top. */
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

static void session_die_with_parent(int signo)
{
	pid_t parent = getppid();

	if (getpid() == 1 || parent <= 1)
		return;
	(void)prctl(PR_SET_PDEATHSIG, signo);
	if (getppid() != parent) /* it died before prctl: act as if it had just died */
		(void)kill(getpid(), signo);
}

int session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	s->vm = (struct vm){ .pid = -1, .qmp_fd = -1, .console_fd = -1, .output_fd = -1 };
	s->sigfd = sigwatch_open(&s->orig_mask);
	if (s->sigfd < 0) {
		log_error("watch signals: %s", strerror(-s->sigfd));
		return s->sigfd;
	}
	session_die_with_parent(SIGTERM);
	return 0;
}

static void session_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (fd >= 0 && flags >= 0)
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Everything about the previous QEMU (boot's KVM attempt) is forgotten; the signalfd stays. */
static void session_reset(struct session *s, const struct session_config *cfg)
{
	int sigfd = s->sigfd;
	sigset_t orig_mask = s->orig_mask;

	memset(s, 0, sizeof(*s));
	s->sigfd = sigfd;
	s->orig_mask = orig_mask;
	s->cfg = *cfg;
	s->vm = (struct vm){ .pid = -1, .qmp_fd = -1, .console_fd = -1, .output_fd = -1 };
	s->exit_ms = s->qmp_ready_ms = s->kill_at_ms = -1;
	s->first_press_ms = s->next_press_ms = -1;
}

int session_start(struct session *s, struct vm_config *vm, const struct session_config *cfg,
		  char *err, size_t errlen)
{
	int r;

	session_reset(s, cfg);
	vm->child_mask = &s->orig_mask;
	s->start_ms = clock_now_ms();
	r = vm_start(vm, &s->vm, err, errlen);
	if (r < 0)
		return r;
	s->qmp = qmp_client_new(s->vm.qmp_fd, "QEMU's monitor");
	if (!s->qmp) {
		snprintf(err, errlen, "QMP client for QEMU's monitor: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	s->vm.qmp_fd = -1; /* owned by the client now */
	session_set_nonblock(s->vm.console_fd);
	session_set_nonblock(s->vm.output_fd);
	console_init(&s->console, s->vm.console_fd, cfg->console_keep, cfg->console_echo);
	console_set_ready(&s->console, cfg->ready);
	s->console.ktap = cfg->ktap;
	return 0;
}

/* ---- reading the fds ------------------------------------------------------------------- */

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

static void session_note_exit(struct session *s)
{
	if (s->exit_ms < 0 && vm_reap(&s->vm))
		s->exit_ms = clock_now_ms();
}

static void session_read_signals(struct session *s, const struct session_policy *p)
{
	int signo;

	while ((signo = sigwatch_read(s->sigfd)) > 0) {
		if (signo == SIGCHLD)
			session_note_exit(s);
		else if (p->on_signal)
			p->on_signal(p->ctx, signo);
	}
}

/* Signals are read only while QEMU runs: afterwards there is nothing left to do with them. */
static void session_fill_pollfds(const struct session *s, struct pollfd *p)
{
	p[SESSION_FD_SIG] = (struct pollfd){ .fd = s->vm.exited ? -1 : s->sigfd,
					     .events = POLLIN };
	p[SESSION_FD_QMP] = (struct pollfd){ .fd = s->qmp ? qmp_client_fd(s->qmp) : -1,
					     .events = s->qmp ? qmp_client_poll_events(s->qmp) : 0 };
	p[SESSION_FD_CONSOLE] = (struct pollfd){
		.fd = s->console.eof ? -1 : s->vm.console_fd, .events = POLLIN };
	p[SESSION_FD_OUTPUT] = (struct pollfd){ .fd = s->vm.output_fd, .events = POLLIN };
}

/* Serves every ready fd once, waiting at most until deadline_ms (<0: no deadline). */
static void session_step(struct session *s, const struct session_policy *p, int64_t deadline_ms)
{
	struct pollfd fds[SESSION_NFDS];

	session_fill_pollfds(s, fds);
	if (poll(fds, SESSION_NFDS, clock_poll_timeout(deadline_ms)) < 0)
		return; /* EINTR; nothing else can fail with these arguments */
	if (fds[SESSION_FD_QMP].revents)
		session_serve_qmp(s);
	if (fds[SESSION_FD_CONSOLE].revents)
		(void)console_read(&s->console);
	if (fds[SESSION_FD_OUTPUT].revents)
		session_read_output(s);
	if (fds[SESSION_FD_SIG].revents)
		session_read_signals(s, p);
	session_note_exit(s);
}

/* ---- events ---------------------------------------------------------------------------- */

static enum session_event_kind session_event_kind(const char *name)
{
	static const struct { const char *name; enum session_event_kind kind; } kinds[] = {
		{ "SHUTDOWN", SESSION_EVENT_SHUTDOWN }, { "POWERDOWN", SESSION_EVENT_POWERDOWN },
		{ "GUEST_PANICKED", SESSION_EVENT_GUEST_PANICKED }, { "STOP", SESSION_EVENT_STOP },
		{ "RESUME", SESSION_EVENT_RESUME },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(name, kinds[i].name) == 0)
			return kinds[i].kind;
	return SESSION_EVENT_OTHER;
}

enum session_shutdown session_shutdown_kind(const char *reason)
{
	static const struct { const char *reason; enum session_shutdown kind; } kinds[] = {
		{ "guest-shutdown", SESSION_SHUTDOWN_POWEROFF },
		{ "guest-reset", SESSION_SHUTDOWN_RESET },
		{ "guest-panic", SESSION_SHUTDOWN_PANIC },
		{ "host-signal", SESSION_SHUTDOWN_HOST_SIGNAL },
	};

	for (size_t i = 0; reason && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(reason, kinds[i].reason) == 0)
			return kinds[i].kind;
	return SESSION_SHUTDOWN_OTHER;
}

/* What the core itself does with an event, before the policy sees it. */
static void session_on_event(struct session *s, const struct session_event *ev)
{
	if (ev->kind == SESSION_EVENT_SHUTDOWN) {
		s->shutdown_seen = true;
		s->next_press_ms = -1;
		/* the guest is done (powered off, reset under -no-reboot, panicked):
		 * -no-shutdown and -action shutdown=pause would keep QEMU; without them it
		 * exits 0 now anyway */
		if (ev->shutdown == SESSION_SHUTDOWN_POWEROFF ||
		    ev->shutdown == SESSION_SHUTDOWN_RESET || ev->shutdown == SESSION_SHUTDOWN_PANIC)
			(void)session_stop(s);
	} else if (ev->kind == SESSION_EVENT_RESUME && !s->running_seen) {
		s->status_query_sent = false; /* it may run now: ask again */
	}
}

static void session_dispatch(struct session *s, const struct session_policy *p,
			     const struct session_event *ev)
{
	session_on_event(s, ev);
	if (p->on_event)
		p->on_event(p->ctx, ev);
}

static void session_take_events(struct session *s, const struct session_policy *p)
{
	json_t *msg;

	while (s->qmp && (msg = qmp_client_next_event(s->qmp))) {
		const char *name = qmp_event_name(msg);
		struct session_event ev = {
			.kind = session_event_kind(name), .name = name,
			.reason = json_string_value(json_object_get(json_object_get(msg, "data"),
								    "reason")),
		};

		if (ev.kind == SESSION_EVENT_SHUTDOWN)
			ev.shutdown = session_shutdown_kind(ev.reason);

		log_debug("QMP event %s%s%s", name, ev.reason ? " " : "", ev.reason ? ev.reason : "");
		session_dispatch(s, p, &ev);
		json_decref(msg);
	}
}

/* With watch_running: query-status after the handshake (and after each RESUME until the
 * guest runs), and one SESSION_EVENT_RUNNING when it does. */
static void session_watch_running(struct session *s, const struct session_policy *p)
{
	json_t *ret = NULL;
	int r;

	if (!s->cfg.watch_running || s->running_seen || s->qmp_ready_ms < 0 || !s->qmp)
		return;
	if (!s->status_query_sent) {
		s->status_query_sent = qmp_client_send(s->qmp, "query-status", NULL,
						       QMP_SEND_KEEP_REPLY, &s->status_query) == 0;
		return;
	}
	r = qmp_client_reply(s->qmp, s->status_query, &ret, NULL);
	if (r == -EINPROGRESS)
		return;
	s->running_seen = r == 0 && json_is_true(json_object_get(ret, "running"));
	json_decref(ret);
	s->status_query_sent = s->running_seen; /* not running yet: ask again after RESUME */
	if (s->running_seen)
		session_dispatch(s, p, &(struct session_event){ .kind = SESSION_EVENT_RUNNING,
								.name = "RUNNING" });
}

/* ---- presses, stops, the monitor's health ------------------------------------------- */

static bool session_press_once(struct session *s, int64_t now)
{
	if (!session_command(s, "system_powerdown"))
		return false;
	if (s->first_press_ms < 0) {
		s->first_press_ms = now;
		log_debug("power button pressed");
	}
	s->presses++;
	return true;
}

/* Presses what is due now: the rest of a burst, or a re-press. */
static void session_press_due(struct session *s, int64_t now)
{
	bool ok;

	do {
		ok = session_press_once(s, now);
		if (s->burst_left > 0)
			s->burst_left--;
	} while (ok && s->burst_left > 0 && s->burst_interval_ms == 0);
	s->next_press_ms = now + (s->burst_left > 0 ? s->burst_interval_ms : SESSION_REPRESS_MS);
	if (!ok)
		s->next_press_ms = -1;
}

bool session_press(struct session *s, int count, int64_t interval_ms)
{
	int before = s->presses;

	s->burst_left = count;
	s->burst_interval_ms = interval_ms;
	session_press_due(s, clock_now_ms());
	return s->presses > before;
}

bool session_stop(struct session *s)
{
	bool quit;

	if (s->stop != SESSION_STOP_NONE)
		return false;
	s->stop = SESSION_STOP_QUIT;
	s->next_press_ms = -1;
	s->kill_at_ms = clock_now_ms() + s->cfg.quit_timeout_ms;
	/* before the handshake a command would only be held: signal instead */
	quit = s->qmp && qmp_client_state(s->qmp) == QMP_STATE_RUNNING &&
	       session_command(s, "quit");
	if (!quit)
		vm_signal(&s->vm, SIGTERM);
	log_debug("%s to QEMU; SIGKILL in %.1f s", quit ? "quit" : "SIGTERM",
		  s->cfg.quit_timeout_ms / 1000.0);
	return quit;
}

void session_kill(struct session *s)
{
	s->stop = SESSION_STOP_KILL;
	s->next_press_ms = s->kill_at_ms = -1;
	vm_signal(&s->vm, SIGKILL);
}

/* QMP gone while QEMU runs (EOF, garbage, no handshake): nothing can be pressed or quit. */
static void session_check_qmp(struct session *s, int64_t now)
{
	bool no_handshake = s->qmp_ready_ms < 0 && !s->qmp_failed &&
			    now >= s->start_ms + s->cfg.qmp_timeout_ms;
	bool closed = s->qmp_failed && now >= s->qmp_failed_ms + SESSION_QMP_EXIT_MS;

	if (s->qmp_broken || s->vm.exited || s->shutdown_seen || (!no_handshake && !closed))
		return;
	s->qmp_broken = true;
	if (no_handshake)
		log_error("QEMU did not complete the QMP handshake within %.0f s: stopping QEMU",
			  s->cfg.qmp_timeout_ms / 1000.0);
	else
		log_error("QEMU's QMP monitor failed (%s): stopping QEMU",
			  session_qmp_error(s) ? session_qmp_error(s) : "?");
	(void)session_stop(s);
}

static void session_on_timers(struct session *s, int64_t now)
{
	session_check_qmp(s, now);
	if (s->stop == SESSION_STOP_QUIT && now >= s->kill_at_ms) {
		log_info("QEMU did not exit within %.1f s of quit: SIGKILL",
			 s->cfg.quit_timeout_ms / 1000.0);
		session_kill(s);
	}
	if (s->next_press_ms >= 0 && now >= s->next_press_ms && !s->shutdown_seen &&
	    s->stop == SESSION_STOP_NONE)
		session_press_due(s, now);
}

static int64_t session_next_deadline(const struct session *s, const struct session_policy *p)
{
	int64_t d = clock_earliest(s->next_press_ms, s->stop == SESSION_STOP_QUIT ? s->kill_at_ms : -1);

	if (s->qmp_ready_ms < 0 && !s->qmp_failed)
		d = clock_earliest(d, s->start_ms + s->cfg.qmp_timeout_ms);
	if (s->qmp_failed && !s->qmp_broken)
		d = clock_earliest(d, s->qmp_failed_ms + SESSION_QMP_EXIT_MS);
	if (p->next_deadline)
		d = clock_earliest(d, p->next_deadline(p->ctx));
	return d;
}

/* ---- the loop ---------------------------------------------------------------------------- */

static bool session_fds_open(const struct session *s)
{
	return (s->qmp && qmp_client_fd(s->qmp) >= 0) ||
	       (s->vm.console_fd >= 0 && !s->console.eof) || s->vm.output_fd >= 0;
}

void session_run(struct session *s, const struct session_policy *p)
{
	int64_t drain_end = -1, now;

	for (;;) {
		now = clock_now_ms();
		if (s->vm.exited && drain_end < 0)
			drain_end = now + SESSION_DRAIN_MS; /* the fds reach EOF soon */
		if (s->vm.exited && (!session_fds_open(s) || now >= drain_end))
			break;
		session_step(s, p, s->vm.exited ? drain_end : session_next_deadline(s, p));
		session_take_events(s, p);
		if (s->vm.exited)
			continue;
		session_watch_running(s, p);
		now = clock_now_ms();
		session_on_timers(s, now);
		if (p->on_tick)
			p->on_tick(p->ctx, now);
	}
}

/* ---- commands, the end, and what happened ------------------------------------------------ */

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

bool session_exited(const struct session *s) { return s->vm.exited; }
int session_wait_status(const struct session *s) { return s->vm.wait_status; }
int64_t session_start_ms(const struct session *s) { return s->start_ms; }
int64_t session_exit_ms(const struct session *s) { return s->exit_ms; }
bool session_qmp_ready(const struct session *s) { return s->qmp_ready_ms >= 0; }
bool session_qmp_broken(const struct session *s) { return s->qmp_broken; }
enum session_stop session_stopping(const struct session *s) { return s->stop; }
int session_presses(const struct session *s) { return s->presses; }
int64_t session_first_press_ms(const struct session *s) { return s->first_press_ms; }
const struct console *session_console(const struct session *s) { return &s->console; }
const struct tail *session_output(const struct session *s) { return &s->output; }

const char *session_qmp_error(const struct session *s)
{
	return s->qmp ? qmp_client_error(s->qmp) : NULL;
}
