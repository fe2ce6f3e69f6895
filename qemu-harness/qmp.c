/* A QMP client on one connected fd: line framing, handshake state machine, id-matched
 * replies and an event queue. See qmp.h for the contract. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "qmp.h"

#define QMP_READ_CHUNK 65536
#define QMP_READS_PER_PROCESS 64 /* so one flood cannot starve the caller's loop */

struct qmp_pending {
	unsigned id;
	bool discard;
	bool done;
	int err;
	json_t *ret;
	char *desc;
};

struct qmp_client {
	int fd;
	char *name;    /* which connection, for messages: "QEMU's monitor", a socket path */
	enum qmp_state state;
	char *error;
	bool error_reported;
	int close_err;
	unsigned next_id;
	unsigned caps_id;
	/* input framing */
	char *buf;
	size_t len, cap;
	/* output the socket did not take yet (written as it drains) */
	char *out;
	size_t out_len, out_cap;
	/* commands sent before RUNNING, as complete lines */
	json_t *outbox;
	json_t *events;
	struct qmp_pending *pending;
	size_t n_pending;
};

struct qmp_client *qmp_client_new(int fd, const char *name)
{
	struct qmp_client *c = calloc(1, sizeof(*c));
	int flags;

	if (!c)
		return NULL;
	c->fd = fd;
	c->name = strdup(name);
	c->caps_id = 1; /* the handshake is always id 1, whatever is queued before it */
	c->next_id = 2;
	c->outbox = json_array();
	c->events = json_array();
	c->pending = calloc(QMP_MAX_PENDING, sizeof(*c->pending));
	if (!c->name || !c->outbox || !c->events || !c->pending) {
		qmp_client_free(c);
		return NULL;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	return c;
}

static void qmp_pending_clear(struct qmp_pending *p)
{
	json_decref(p->ret);
	free(p->desc);
	memset(p, 0, sizeof(*p));
}

void qmp_client_free(struct qmp_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		(void)close(c->fd);
	for (size_t i = 0; c->pending && i < c->n_pending; i++)
		qmp_pending_clear(&c->pending[i]);
	free(c->pending);
	json_decref(c->outbox);
	json_decref(c->events);
	free(c->buf);
	free(c->out);
	free(c->error);
	free(c->name);
	free(c);
}

int qmp_client_fd(const struct qmp_client *c)
{
	return c->state == QMP_STATE_CLOSED ? -1 : c->fd;
}

enum qmp_state qmp_client_state(const struct qmp_client *c)
{
	return c->state;
}

const char *qmp_client_error(const struct qmp_client *c)
{
	return c->error;
}

const char *qmp_event_name(const json_t *event)
{
	const char *name = json_string_value(json_object_get(event, "event"));

	return name ? name : "";
}

static void qmp_remove_pending(struct qmp_client *c, struct qmp_pending *p);

/* Ends the connection: records why, fails every pending command with err. */
static int qmp_fail(struct qmp_client *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int qmp_fail(struct qmp_client *c, int err, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	if (c->state == QMP_STATE_CLOSED)
		return c->close_err;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->error = strdup(msg);
	c->close_err = err;
	c->state = QMP_STATE_CLOSED;
	for (size_t i = c->n_pending; i-- > 0;) {
		if (c->pending[i].discard) {
			qmp_remove_pending(c, &c->pending[i]);
		} else if (!c->pending[i].done) {
			c->pending[i].done = true;
			c->pending[i].err = err;
		}
	}
	(void)json_array_clear(c->outbox);
	return err;
}

/* ---- writing ------------------------------------------------------------------------ */

/* Writes what the socket takes now; the rest waits for POLLOUT (qmp_client_poll_events). */
static int qmp_flush(struct qmp_client *c)
{
	size_t done = 0;
	int r = 0;

	while (done < c->out_len) {
		ssize_t n = send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == ENOTSOCK)
			n = write(c->fd, c->out + done, c->out_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			r = qmp_fail(c, -errno, "QMP write to %s: %s", c->name, strerror(errno));
			break;
		}
		done += (size_t)n;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	return r;
}

/* Queues size bytes behind what is waiting, and writes what the socket takes. */
static int qmp_write_all(struct qmp_client *c, const char *data, size_t size)
{
	size_t cap = c->out_cap ? c->out_cap : 4096;
	char *out;

	if (c->out_len + size > QMP_MAX_OUTPUT)
		return qmp_fail(c, -ENOBUFS, "QMP write to %s: more than %u KiB unread by the peer",
				c->name, QMP_MAX_OUTPUT >> 10);
	while (cap < c->out_len + size)
		cap *= 2;
	if (cap != c->out_cap) {
		out = realloc(c->out, cap);
		if (!out)
			return qmp_fail(c, -ENOMEM, "QMP write to %s: out of memory", c->name);
		c->out = out;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, size);
	c->out_len += size;
	return qmp_flush(c);
}

short qmp_client_poll_events(const struct qmp_client *c)
{
	return POLLIN | (c->out_len > 0 && c->state != QMP_STATE_CLOSED ? POLLOUT : 0);
}

static int qmp_write_line(struct qmp_client *c, const char *line)
{
	int r = qmp_write_all(c, line, strlen(line));

	if (r == 0)
		log_debug("qmp -> %.*s", (int)strcspn(line, "\n"), line);
	return r;
}

/* Serialises {"execute": command, "arguments": args, "id": id} followed by "\n". */
static char *qmp_format_command(const char *command, json_t *args, unsigned id)
{
	json_t *msg = json_pack("{s:s, s:I}", "execute", command, "id", (json_int_t)id);
	char *text, *line = NULL;

	if (!msg) {
		json_decref(args);
		return NULL;
	}
	if (args)
		(void)json_object_set_new(msg, "arguments", args);
	text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (text && asprintf(&line, "%s\n", text) < 0)
		line = NULL;
	free(text);
	return line;
}

/* Sends now when RUNNING (or when it is the handshake itself), otherwise holds it. */
static int qmp_transmit(struct qmp_client *c, const char *line, bool handshake)
{
	if (c->state == QMP_STATE_RUNNING || handshake)
		return qmp_write_line(c, line);
	return json_array_append_new(c->outbox, json_string(line)) == 0 ? 0 : -ENOMEM;
}

static int qmp_flush_outbox(struct qmp_client *c)
{
	size_t i;
	json_t *line;
	int r = 0;

	json_array_foreach(c->outbox, i, line) {
		r = qmp_write_line(c, json_string_value(line));
		if (r < 0)
			break;
	}
	(void)json_array_clear(c->outbox);
	return r;
}

/* ---- commands and replies ------------------------------------------------------------ */

static struct qmp_pending *qmp_find_pending(struct qmp_client *c, unsigned id)
{
	for (size_t i = 0; i < c->n_pending; i++)
		if (c->pending[i].id == id)
			return &c->pending[i];
	return NULL;
}

static void qmp_remove_pending(struct qmp_client *c, struct qmp_pending *p)
{
	size_t i = (size_t)(p - c->pending);

	qmp_pending_clear(p);
	memmove(&c->pending[i], &c->pending[i + 1], (c->n_pending - i - 1) * sizeof(*p));
	c->n_pending--;
	memset(&c->pending[c->n_pending], 0, sizeof(*p));
}

int qmp_client_send(struct qmp_client *c, const char *command, json_t *args, int flags,
		    unsigned *id)
{
	struct qmp_pending *p;
	char *line;
	int r;

	if (c->state == QMP_STATE_CLOSED) {
		json_decref(args);
		return -EPIPE;
	}
	if (c->n_pending >= QMP_MAX_PENDING) {
		json_decref(args);
		return -EBUSY;
	}
	line = qmp_format_command(command, args, c->next_id);
	if (!line)
		return -ENOMEM;
	r = qmp_transmit(c, line, false);
	free(line);
	if (r < 0)
		return r;
	p = &c->pending[c->n_pending++];
	p->id = c->next_id++;
	p->discard = flags & QMP_SEND_DISCARD_REPLY;
	if (id)
		*id = p->id;
	return 0;
}

int qmp_client_reply(struct qmp_client *c, unsigned id, json_t **ret, char **desc)
{
	struct qmp_pending *p = qmp_find_pending(c, id);
	int err;

	if (!p)
		return -ENOENT;
	if (!p->done)
		return -EINPROGRESS;
	err = p->err;
	if (ret) {
		*ret = p->ret;
		p->ret = NULL;
	}
	if (desc) {
		*desc = p->desc;
		p->desc = NULL;
	}
	qmp_remove_pending(c, p);
	return err;
}

static char *qmp_error_desc(const json_t *error)
{
	const char *desc = json_string_value(json_object_get(error, "desc"));

	return strdup(desc ? desc : "(error reply without a description)");
}

static int qmp_on_caps_reply(struct qmp_client *c, json_t *msg)
{
	json_t *error = json_object_get(msg, "error");
	char *desc;

	if (error) {
		desc = qmp_error_desc(error);
		qmp_fail(c, -EPROTO, "QMP refused qmp_capabilities: %s", desc ? desc : "?");
		free(desc);
		return -EPROTO;
	}
	c->state = QMP_STATE_RUNNING;
	return qmp_flush_outbox(c);
}

static unsigned qmp_reply_id(const json_t *msg)
{
	json_t *id = json_object_get(msg, "id");

	if (!json_is_integer(id) || json_integer_value(id) <= 0 ||
	    json_integer_value(id) > (json_int_t)UINT32_MAX)
		return 0;
	return (unsigned)json_integer_value(id);
}

static int qmp_on_reply(struct qmp_client *c, json_t *msg)
{
	unsigned id = qmp_reply_id(msg);
	struct qmp_pending *p;
	json_t *error = json_object_get(msg, "error");

	if (id != 0 && id == c->caps_id && c->state == QMP_STATE_NEGOTIATING)
		return qmp_on_caps_reply(c, msg);
	p = id ? qmp_find_pending(c, id) : NULL;
	if (!p || p->done) {
		log_debug("QMP reply with unknown id dropped");
		return 0;
	}
	if (error) {
		p->err = -EREMOTEIO;
		p->desc = qmp_error_desc(error);
	} else {
		p->ret = json_incref(json_object_get(msg, "return"));
	}
	p->done = true;
	if (p->discard) {
		if (p->desc)
			log_debug("QMP command %u failed: %s", id, p->desc);
		qmp_remove_pending(c, p);
	}
	return 0;
}

static int qmp_on_greeting(struct qmp_client *c)
{
	char *line;
	int r;

	if (c->state != QMP_STATE_GREETING) {
		log_debug("QMP greeting after the handshake dropped");
		return 0;
	}
	line = qmp_format_command("qmp_capabilities", NULL, c->caps_id);
	if (!line)
		return qmp_fail(c, -ENOMEM, "QMP: out of memory");
	c->state = QMP_STATE_NEGOTIATING;
	r = qmp_transmit(c, line, true);
	free(line);
	return r;
}

static void qmp_queue_event(struct qmp_client *c, json_t *msg)
{
	if (json_array_size(c->events) >= QMP_MAX_EVENTS) {
		log_debug("QMP event queue full: oldest event dropped");
		(void)json_array_remove(c->events, 0);
	}
	(void)json_array_append(c->events, msg);
}

json_t *qmp_client_next_event(struct qmp_client *c)
{
	json_t *event = json_array_get(c->events, 0);

	if (!event)
		return NULL;
	json_incref(event);
	(void)json_array_remove(c->events, 0);
	return event;
}

/* ---- reading and framing ------------------------------------------------------------- */

static int qmp_dispatch(struct qmp_client *c, json_t *msg)
{
	if (!json_is_object(msg))
		return qmp_fail(c, -EPROTO, "QMP sent JSON that is not an object");
	if (c->state == QMP_STATE_GREETING && !json_object_get(msg, "QMP") &&
	    !json_object_get(msg, "event"))
		return qmp_fail(c, -EPROTO, "not a QMP monitor: the first message is not a greeting");
	if (json_object_get(msg, "QMP"))
		return qmp_on_greeting(c);
	if (json_object_get(msg, "event")) {
		qmp_queue_event(c, msg);
		return 0;
	}
	if (json_object_get(msg, "return") || json_object_get(msg, "error"))
		return qmp_on_reply(c, msg);
	log_debug("QMP message of unknown kind dropped");
	return 0;
}

static int qmp_handle_line(struct qmp_client *c, char *line, size_t len)
{
	json_error_t jerr;
	json_t *msg;
	int r;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		len--;
	if (len == 0)
		return 0;
	log_debug("qmp <- %.*s%s", len > 300 ? 300 : (int)len, line, len > 300 ? "..." : "");
	msg = json_loadb(line, len, 0, &jerr);
	if (!msg)
		return qmp_fail(c, -EPROTO, "QMP sent a line that is not JSON (%s): '%.60s'",
				jerr.text, line);
	r = qmp_dispatch(c, msg);
	json_decref(msg);
	return r;
}

/* Dispatches every complete line in the buffer and keeps the incomplete rest. */
static int qmp_split_lines(struct qmp_client *c, size_t scan_from)
{
	size_t start = 0;
	char *nl;
	int r = 0;

	while ((nl = memchr(c->buf + scan_from, '\n', c->len - scan_from))) {
		size_t end = (size_t)(nl - c->buf);

		r = qmp_handle_line(c, c->buf + start, end - start);
		start = scan_from = end + 1;
		if (r < 0 || c->state == QMP_STATE_CLOSED)
			return r < 0 ? r : c->close_err;
	}
	memmove(c->buf, c->buf + start, c->len - start);
	c->len -= start;
	return 0;
}

static int qmp_reserve(struct qmp_client *c, size_t want)
{
	size_t cap = c->cap ? c->cap : QMP_READ_CHUNK;
	char *buf;

	if (c->len + want <= c->cap)
		return 0;
	while (cap < c->len + want)
		cap *= 2;
	if (cap > QMP_MAX_MESSAGE + QMP_READ_CHUNK)
		cap = QMP_MAX_MESSAGE + QMP_READ_CHUNK;
	buf = realloc(c->buf, cap);
	if (!buf)
		return qmp_fail(c, -ENOMEM, "QMP: out of memory for a %zu-byte message", c->len);
	c->buf = buf;
	c->cap = cap;
	return 0;
}

static int qmp_on_eof(struct qmp_client *c)
{
	if (c->len > 0)
		return qmp_fail(c, -ECONNRESET,
				"QMP connection closed in the middle of a message (%zu bytes lost)",
				c->len);
	if (c->state == QMP_STATE_GREETING)
		return qmp_fail(c, -ECONNRESET, "QMP connection closed before the greeting");
	return qmp_fail(c, -ECONNRESET, "QMP connection closed");
}

/* One read: 1 = got data, 0 = nothing more now, <0 = the connection ended. */
static int qmp_read_once(struct qmp_client *c)
{
	size_t old_len = c->len;
	ssize_t n;
	int r = qmp_reserve(c, QMP_READ_CHUNK);

	if (r < 0)
		return r;
	n = read(c->fd, c->buf + c->len, c->cap - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0 && errno == ECONNRESET) /* peer closed with our commands unread */
		n = 0;
	if (n < 0)
		return qmp_fail(c, -errno, "QMP read from %s: %s", c->name, strerror(errno));
	if (n == 0)
		return qmp_on_eof(c);
	c->len += (size_t)n;
	r = qmp_split_lines(c, old_len);
	if (r < 0)
		return r;
	if (c->len > QMP_MAX_MESSAGE)
		return qmp_fail(c, -EMSGSIZE, "QMP message longer than %u MiB", QMP_MAX_MESSAGE >> 20);
	return 1;
}

int qmp_client_process(struct qmp_client *c)
{
	int r = c->out_len > 0 && c->state != QMP_STATE_CLOSED ? qmp_flush(c) : 0;

	for (int i = 0; i < QMP_READS_PER_PROCESS && c->state != QMP_STATE_CLOSED; i++) {
		r = qmp_read_once(c);
		if (r <= 0)
			break;
	}
	if (c->state == QMP_STATE_CLOSED && !c->error_reported) {
		c->error_reported = true;
		return c->close_err;
	}
	return 0;
}

/* ---- bounded waits ------------------------------------------------------------------- */

int qmp_client_wait(struct qmp_client *c, int64_t deadline_ms)
{
	struct pollfd p = { .fd = c->fd, .events = qmp_client_poll_events(c) };
	int r;

	if (c->state == QMP_STATE_CLOSED)
		return c->close_err;
	r = poll(&p, 1, clock_poll_timeout(deadline_ms));
	if (r < 0)
		return errno == EINTR ? 0 : -errno;
	if (r == 0)
		return -ETIMEDOUT;
	r = qmp_client_process(c);
	if (r == 0 && c->state == QMP_STATE_CLOSED)
		r = c->close_err;
	return r;
}

int qmp_client_handshake(struct qmp_client *c, int timeout_ms)
{
	int64_t deadline = clock_now_ms() + timeout_ms;
	int r = 0;

	while (c->state != QMP_STATE_RUNNING && r == 0)
		r = qmp_client_wait(c, deadline);
	if (r == -ETIMEDOUT && c->state == QMP_STATE_GREETING)
		(void)qmp_fail(c, r, "no QMP greeting within %d ms", timeout_ms);
	else if (r == -ETIMEDOUT)
		(void)qmp_fail(c, r, "no reply to qmp_capabilities within %d ms", timeout_ms);
	return c->state == QMP_STATE_RUNNING ? 0 : r;
}

int qmp_client_call(struct qmp_client *c, const char *command, json_t *args, int timeout_ms,
		    json_t **ret, char **desc)
{
	int64_t deadline = clock_now_ms() + timeout_ms;
	unsigned id;
	int r = qmp_client_send(c, command, args, QMP_SEND_KEEP_REPLY, &id);

	if (r < 0)
		return r;
	while ((r = qmp_client_reply(c, id, ret, desc)) == -EINPROGRESS) {
		int w = qmp_client_wait(c, deadline);

		if (w == -ETIMEDOUT) {
			struct qmp_pending *p = qmp_find_pending(c, id);

			if (p)
				p->discard = true; /* a late reply is dropped */
			return w;
		}
	}
	return r;
}
