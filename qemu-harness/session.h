/* The supervision core both subcommands run on: one QEMU child, its QMP client, console and
 * captured output, and the signalfd, served by one poll loop (session_run). The core decodes
 * QMP events, presses the power button (and presses again until the guest reacts), stops QEMU
 * (quit, then SIGKILL), notices a failed monitor, and owns the timing that goes with it.
 * `boot` and `run` are policies on top: callbacks that decide what a signal, an event or the
 * passing of time means, and read the outcome through the functions below. */
#ifndef SOFTOFF_QEMU_SESSION_H
#define SOFTOFF_QEMU_SESSION_H

#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "console.h"
#include "qmp.h"
#include "tail.h"
#include "vm.h"

#define SESSION_REPRESS_S 2 /* presses before the guest listens are lost: press again */
#define SESSION_REPRESS_MS (SESSION_REPRESS_S * 1000)
#define SESSION_QMP_EXIT_MS 1000 /* QEMU closes its monitor as it exits: a closed monitor is a
				    failure only if QEMU still runs this long after */
#define SESSION_DRAIN_MS 500     /* after QEMU exited: read what its fds still hold */

/* A QMP event, decoded once for every policy. */
enum session_event_kind {
	SESSION_EVENT_SHUTDOWN,       /* reason: guest-shutdown, host-signal, guest-reset, ... */
	SESSION_EVENT_POWERDOWN,
	SESSION_EVENT_GUEST_PANICKED,
	SESSION_EVENT_STOP,
	SESSION_EVENT_RESUME,
	SESSION_EVENT_RUNNING,        /* not QEMU's: query-status said the guest runs (once) */
	SESSION_EVENT_OTHER,
};

/* What a SHUTDOWN's reason says ended the guest, for the verdicts. */
enum session_shutdown {
	SESSION_SHUTDOWN_NONE,        /* not a SHUTDOWN event */
	SESSION_SHUTDOWN_POWEROFF,    /* guest-shutdown: the guest powered off (ACPI S5) */
	SESSION_SHUTDOWN_RESET,       /* guest-reset: a reboot, which -no-reboot turns into an end */
	SESSION_SHUTDOWN_PANIC,       /* guest-panic: pvpanic reported a panic */
	SESSION_SHUTDOWN_HOST_SIGNAL, /* host-signal: QEMU got SIGTERM/SIGINT/SIGHUP */
	SESSION_SHUTDOWN_OTHER,       /* host-qmp-quit, host-ui, ... */
};

struct session_event {
	enum session_event_kind kind;
	const char *name;   /* QEMU's event name */
	const char *reason; /* SHUTDOWN's data.reason, or NULL */
	enum session_shutdown shutdown; /* SHUTDOWN's reason decoded */
};

/* SHUTDOWN's reason, decoded (NULL: SESSION_SHUTDOWN_OTHER). */
enum session_shutdown session_shutdown_kind(const char *reason);

/* How far stopping QEMU has gone; it only moves forward. */
enum session_stop { SESSION_STOP_NONE, SESSION_STOP_QUIT, SESSION_STOP_KILL };

/* What a policy decides. Every callback may be NULL. */
struct session_policy {
	void *ctx;
	void (*on_signal)(void *ctx, int signo);                         /* not SIGCHLD */
	void (*on_event)(void *ctx, const struct session_event *ev);
	void (*on_tick)(void *ctx, int64_t now_ms);     /* after each step, while QEMU runs */
	int64_t (*next_deadline)(void *ctx);            /* the policy's next timer, or -1 */
};

struct session_config {
	int64_t qmp_timeout_ms;  /* QEMU must finish the QMP handshake within this */
	int64_t quit_timeout_ms; /* after quit (or SIGTERM without QMP), SIGKILL */
	bool watch_running;      /* query-status until the guest runs: SESSION_EVENT_RUNNING */
	const regex_t *ready;    /* the console's ready line, NULL: softoff-agent's armed line */
	FILE *console_keep, *console_echo; /* as in console_init() */
	struct ktap *ktap;       /* the console's lines go to it too (boot --ktap), or NULL */
};

/* Private to session.c: use the functions below. In the header so callers can hold one. */
struct session {
	struct session_config cfg;
	struct vm vm;
	struct qmp_client *qmp;
	struct console console;
	struct tail output;
	int sigfd;
	sigset_t orig_mask;
	int64_t start_ms, exit_ms, qmp_ready_ms, qmp_failed_ms;
	bool qmp_failed, qmp_broken, shutdown_seen;
	enum session_stop stop;
	int64_t kill_at_ms;
	int presses, burst_left;
	int64_t first_press_ms, next_press_ms, burst_interval_ms;
	bool running_seen, status_query_sent;
	unsigned status_query;
};

/* Blocks and watches signals (call first, before anything can fork) and asks for SIGTERM
 * when our parent dies (not when we are PID 1 or already orphaned): a clean stop. -errno on
 * failure, with the error logged. */
int session_init(struct session *s);

/* Starts QEMU per vm (argv, console, capture, pdeathsig; child_mask is filled in here).
 * -errno with err filled in on failure. */
int session_start(struct session *s, struct vm_config *vm, const struct session_config *cfg,
		  char *err, size_t errlen);

/* Runs the loop until QEMU has exited and its fds are drained, calling the policy. */
void session_run(struct session *s, const struct session_policy *p);

/* Presses the power button: count system_powerdown, interval_ms apart (0: back to back),
 * then once every SESSION_REPRESS_MS until the guest's SHUTDOWN or a stop. false when QMP
 * cannot send. */
bool session_press(struct session *s, int count, int64_t interval_ms);

/* Stops QEMU: quit (SIGTERM when the monitor is not usable), SIGKILL after the quit
 * timeout. Once stopping, does nothing: session_kill() goes on at once. Returns true when
 * this call sent quit. */
bool session_stop(struct session *s);
void session_kill(struct session *s);

/* Sends a QMP command whose reply nobody waits for; false when QMP is unusable. */
bool session_command(struct session *s, const char *command);

/* Kills QEMU if still running, reaps it, frees everything except the signalfd. */
void session_end(struct session *s);

/* What happened, for the policies and their verdicts. Times are clock_now_ms() values, -1
 * when it has not happened. */
bool session_exited(const struct session *s);
int session_wait_status(const struct session *s);
int64_t session_start_ms(const struct session *s);
int64_t session_exit_ms(const struct session *s);
bool session_qmp_ready(const struct session *s);   /* the handshake completed */
bool session_qmp_broken(const struct session *s);  /* failed while QEMU ran: it was stopped */
const char *session_qmp_error(const struct session *s); /* why QMP closed, or NULL */
enum session_stop session_stopping(const struct session *s);
int session_presses(const struct session *s);
int64_t session_first_press_ms(const struct session *s);
const struct console *session_console(const struct session *s);
const struct tail *session_output(const struct session *s); /* QEMU's stdout + stderr */

#endif
