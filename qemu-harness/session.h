/* One running QEMU as both subcommands see it: the child, its QMP client, its console and
 * captured output, and the signalfd, all served by one poll() step with a deadline. */
#ifndef SOFTOFF_QEMU_SESSION_H
#define SOFTOFF_QEMU_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "qmp.h"
#include "tail.h"
#include "vm.h"

#define SESSION_MAX_SIGNALS 8

struct session {
	struct vm vm;
	struct qmp_client *qmp;
	struct console console; /* valid when vm.console_fd >= 0 */
	struct tail output;     /* QEMU's own stdout/stderr when captured */
	int sigfd;
	sigset_t orig_mask;
	int64_t start_ms, exit_ms;
	int64_t qmp_ready_ms;   /* handshake finished, or -1 */
	bool qmp_failed;        /* the QMP connection ended while QEMU ran (error logged) */
	int64_t qmp_failed_ms;
};

/* Blocks and watches signals (call first, before anything can fork). -errno on failure. */
int session_init(struct session *s);

/* Asks for signo when our parent dies (not when we are PID 1 or already orphaned). */
void session_die_with_parent(int signo);

/* Starts QEMU per cfg (argv, console, capture, pdeathsig; child_mask is filled in here).
 * console_keep/console_echo as in console_init(). -errno with err filled in on failure. */
int session_start(struct session *s, struct vm_config *cfg, FILE *console_keep,
		  FILE *console_echo, char *err, size_t errlen);

/* Serves every ready fd once, waiting at most until deadline_ms (<0: no deadline). Signals
 * read are stored in sigs (up to SESSION_MAX_SIGNALS), their count returned; -errno on a
 * poll failure. SIGCHLD is handled here (QEMU reaped, vm.exited set) and not returned. */
int session_step(struct session *s, int64_t deadline_ms, int *sigs);

/* After QEMU exited: read what is left on the console and QMP (the last events). */
void session_drain(struct session *s);

/* Sends a QMP command whose reply nobody waits for; false when QMP is unusable. */
bool session_command(struct session *s, const char *command);

/* Whether the QMP handshake is done and the connection still open. */
bool session_qmp_running(const struct session *s);

/* Kills QEMU if still running, reaps it, frees everything except the signalfd. */
void session_end(struct session *s);

#endif
