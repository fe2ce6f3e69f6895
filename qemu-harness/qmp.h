/* A QMP client on one connected fd: handshake, id-matched commands, an event queue.
 *
 * No global state and no blocking outside the explicit wait functions: a poll loop watches
 * qmp_client_fd() for qmp_client_poll_events() and calls qmp_client_process(); the helpers
 * qmp_client_wait(), qmp_client_handshake() and qmp_client_call() do the same with a
 * deadline. What the socket does not take at once is kept (up to QMP_MAX_OUTPUT) and
 * written by qmp_client_process() as it drains, so sending never waits. Commands sent
 * before the handshake is done are held and sent once QEMU accepts qmp_capabilities.
 * Events (also those that arrive during the handshake or before a command's reply, like
 * POWERDOWN) are queued in arrival order; take them with qmp_client_next_event(). */
#ifndef SOFTOFF_QEMU_QMP_H
#define SOFTOFF_QEMU_QMP_H

#include <jansson.h>
#include <stdint.h>

#define QMP_MAX_MESSAGE (16u << 20) /* a line longer than this ends the connection */
#define QMP_MAX_EVENTS 4096         /* beyond this the oldest queued event is dropped */
#define QMP_MAX_PENDING 256         /* commands waiting for their reply */
#define QMP_MAX_OUTPUT (4u << 20)   /* unsent bytes beyond this end the connection */

enum qmp_state {
	QMP_STATE_GREETING,    /* waiting for {"QMP": ...} */
	QMP_STATE_NEGOTIATING, /* qmp_capabilities sent, waiting for its return */
	QMP_STATE_RUNNING,     /* commands flow */
	QMP_STATE_CLOSED,      /* EOF or protocol failure: see qmp_client_error() */
};

/* Reply handling for qmp_client_send(). */
enum qmp_send_flags {
	QMP_SEND_KEEP_REPLY = 0,    /* collect it with qmp_client_reply() */
	QMP_SEND_DISCARD_REPLY = 1, /* fire and forget; an error reply is logged at debug level */
};

struct qmp_client;

/* Takes ownership of fd (closed by qmp_client_free) and makes it non-blocking; name says
 * which connection it is in messages ("QEMU's monitor", a socket path). NULL: ENOMEM. */
struct qmp_client *qmp_client_new(int fd, const char *name);
void qmp_client_free(struct qmp_client *c);

int qmp_client_fd(const struct qmp_client *c); /* -1 once closed */
enum qmp_state qmp_client_state(const struct qmp_client *c);
const char *qmp_client_error(const struct qmp_client *c); /* why it closed; NULL if open */

/* What to poll qmp_client_fd() for: POLLIN, and POLLOUT while output waits. */
short qmp_client_poll_events(const struct qmp_client *c);

/* Reads what is available and dispatches every complete line. Returns 0, or -errno exactly
 * once, when the connection ends (-ECONNRESET on EOF, -EPROTO on a bad message, -EMSGSIZE
 * over the cap, or a read error); pending commands then fail with the same code. */
int qmp_client_process(struct qmp_client *c);

/* Queues a command (args is stolen, may be NULL) and stores its id in *id (may be NULL).
 * Never waits. -EPIPE when closed, -EBUSY when QMP_MAX_PENDING replies are outstanding,
 * -ENOBUFS (the connection ends) when the peer left QMP_MAX_OUTPUT bytes unread. */
int qmp_client_send(struct qmp_client *c, const char *command, json_t *args, int flags,
		    unsigned *id);

/* The reply to command id: 0 with *ret (owned by the caller) for a return; -EREMOTEIO with
 * *desc (malloc'd) for an error reply; -EINPROGRESS when not yet here; the connection's
 * error code when it ended first; -ENOENT for an unknown id. ret/desc may be NULL. */
int qmp_client_reply(struct qmp_client *c, unsigned id, json_t **ret, char **desc);

/* The oldest queued event object ({"event": NAME, "data": ..., ...}), owned by the caller. */
json_t *qmp_client_next_event(struct qmp_client *c);

/* Waits until data arrives or deadline_ms (clock_now_ms() base, <0 = forever) passes, then
 * processes it. 0, -ETIMEDOUT, or what qmp_client_process() returned. */
int qmp_client_wait(struct qmp_client *c, int64_t deadline_ms);

/* Waits for QMP_STATE_RUNNING. 0, -ETIMEDOUT, or the connection's error. */
int qmp_client_handshake(struct qmp_client *c, int timeout_ms);

/* Sends a command and waits for its reply (see qmp_client_reply for the results). */
int qmp_client_call(struct qmp_client *c, const char *command, json_t *args, int timeout_ms,
		    json_t **ret, char **desc);

/* The event name of an event object, or "" */
const char *qmp_event_name(const json_t *event);

#endif
