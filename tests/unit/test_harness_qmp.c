/* Unit tests for the QMP client against a scripted mock server on the other end of a
 * socketpair: the test writes the server's bytes, calls the client, and reads what the
 * client sent. Transcripts of real QEMU 7.2 lines live in tests/unit/fixtures/harness/. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../qemu-harness/clock.h"
#include "../../qemu-harness/qmp.h"

#define GREETING                                                                          \
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, " \
	"\"package\": \"Debian 1:7.2+dfsg-7+deb12u18\"}, \"capabilities\": [\"oob\"]}}\r\n"

struct mock {
	int srv;
	struct qmp_client *c;
};

static int mock_setup(void **state)
{
	struct mock *m = calloc(1, sizeof(*m));
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	m->srv = sv[0];
	m->c = qmp_client_new(sv[1], "the mock monitor");
	assert_non_null(m->c);
	*state = m;
	return 0;
}

static int mock_teardown(void **state)
{
	struct mock *m = *state;

	qmp_client_free(m->c);
	if (m->srv >= 0)
		close(m->srv);
	free(m);
	return 0;
}

static void srv_write(struct mock *m, const char *text)
{
	size_t len = strlen(text);

	assert_int_equal(write(m->srv, text, len), (ssize_t)len);
}

/* Reads one line the client sent and returns it parsed. */
static json_t *srv_read_command(struct mock *m)
{
	char line[4096];
	size_t n = 0;

	while (n < sizeof(line) - 1) {
		assert_int_equal(read(m->srv, &line[n], 1), 1);
		if (line[n++] == '\n')
			break;
	}
	line[n] = '\0';
	json_t *msg = json_loads(line, 0, NULL);
	assert_non_null(msg);
	return msg;
}

/* Reads the command the client sent, checks its name and returns its id. */
static unsigned srv_expect(struct mock *m, const char *command)
{
	json_t *msg = srv_read_command(m);
	unsigned id = (unsigned)json_integer_value(json_object_get(msg, "id"));

	assert_string_equal(json_string_value(json_object_get(msg, "execute")), command);
	assert_true(id > 0);
	json_decref(msg);
	return id;
}

static void srv_reply(struct mock *m, unsigned id, const char *ret)
{
	char *line;

	assert_true(asprintf(&line, "{\"return\": %s, \"id\": %u}\r\n", ret, id) > 0);
	srv_write(m, line);
	free(line);
}

static void handshake(struct mock *m)
{
	srv_write(m, GREETING);
	assert_int_equal(qmp_client_process(m->c), 0);
	srv_reply(m, srv_expect(m, "qmp_capabilities"), "{}");
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_state(m->c), QMP_STATE_RUNNING);
}

static void expect_event(struct mock *m, const char *name)
{
	json_t *ev = qmp_client_next_event(m->c);

	assert_non_null(ev);
	assert_string_equal(qmp_event_name(ev), name);
	json_decref(ev);
}

/* ---- greeting variants ---------------------------------------------------------------- */

static void greeting_crlf(void **state)
{
	handshake(*state);
}

static void greeting_lf_no_capabilities(void **state)
{
	struct mock *m = *state;

	srv_write(m, "{\"QMP\": {\"version\": {}, \"capabilities\": []}}\n");
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_state(m->c), QMP_STATE_NEGOTIATING);
	srv_reply(m, srv_expect(m, "qmp_capabilities"), "{}");
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_state(m->c), QMP_STATE_RUNNING);
}

static void greeting_split_bytewise(void **state)
{
	struct mock *m = *state;
	const char *g = GREETING;

	for (size_t i = 0; g[i]; i++) {
		assert_int_equal(write(m->srv, &g[i], 1), 1);
		assert_int_equal(qmp_client_process(m->c), 0);
	}
	assert_int_equal(qmp_client_state(m->c), QMP_STATE_NEGOTIATING);
	(void)srv_expect(m, "qmp_capabilities");
}

static void greeting_missing(void **state)
{
	struct mock *m = *state;

	srv_write(m, "{\"return\": {}}\n");
	assert_int_equal(qmp_client_process(m->c), -EPROTO);
	assert_int_equal(qmp_client_state(m->c), QMP_STATE_CLOSED);
	assert_non_null(strstr(qmp_client_error(m->c), "not a QMP monitor"));
	assert_int_equal(qmp_client_fd(m->c), -1);
}

static void capabilities_refused(void **state)
{
	struct mock *m = *state;
	char line[256];

	srv_write(m, GREETING);
	assert_int_equal(qmp_client_process(m->c), 0);
	snprintf(line, sizeof(line),
		 "{\"id\": %u, \"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\n",
		 srv_expect(m, "qmp_capabilities"));
	srv_write(m, line);
	assert_int_equal(qmp_client_process(m->c), -EPROTO);
	assert_non_null(strstr(qmp_client_error(m->c), "qmp_capabilities"));
}

static void handshake_times_out(void **state)
{
	struct mock *m = *state;
	int64_t start = clock_now_ms();

	assert_int_equal(qmp_client_handshake(m->c, 100), -ETIMEDOUT);
	assert_true(clock_now_ms() - start >= 90);
	assert_non_null(strstr(qmp_client_error(m->c), "greeting"));
}

/* ---- events --------------------------------------------------------------------------- */

static void events_during_handshake_kept(void **state)
{
	struct mock *m = *state;

	srv_write(m, "{\"event\": \"RESUME\", \"timestamp\": {\"seconds\": 1, \"microseconds\": 2}}\n");
	srv_write(m, GREETING);
	assert_int_equal(qmp_client_process(m->c), 0);
	srv_write(m, "{\"event\": \"STOP\"}\r\n");
	srv_reply(m, srv_expect(m, "qmp_capabilities"), "{}");
	assert_int_equal(qmp_client_process(m->c), 0);
	expect_event(m, "RESUME");
	expect_event(m, "STOP");
	assert_null(qmp_client_next_event(m->c));
}

static void event_before_reply(void **state)
{
	struct mock *m = *state;
	json_t *ret = NULL;
	unsigned id;

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "system_powerdown", NULL, 0, &id), 0);
	assert_int_equal(srv_expect(m, "system_powerdown"), id);
	srv_write(m, "{\"timestamp\": {\"seconds\": 3, \"microseconds\": 4}, \"event\": \"POWERDOWN\"}\r\n");
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_reply(m->c, id, &ret, NULL), -EINPROGRESS);
	expect_event(m, "POWERDOWN");
	srv_reply(m, id, "{}");
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_reply(m->c, id, &ret, NULL), 0);
	assert_true(json_is_object(ret));
	json_decref(ret);
}

static void events_between_replies(void **state)
{
	struct mock *m = *state;
	unsigned a, b;
	json_t *ret;
	char line[256];

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "query-status", NULL, 0, &a), 0);
	assert_int_equal(qmp_client_send(m->c, "query-name", NULL, 0, &b), 0);
	(void)srv_expect(m, "query-status");
	(void)srv_expect(m, "query-name");
	/* replies out of order, events around them, all in one write */
	snprintf(line, sizeof(line),
		 "{\"event\": \"STOP\"}\n{\"return\": {\"name\": \"x\"}, \"id\": %u}\n"
		 "{\"event\": \"RESUME\"}\n{\"return\": {\"status\": \"running\"}, \"id\": %u}\n",
		 b, a);
	srv_write(m, line);
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_reply(m->c, a, &ret, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(ret, "status")), "running");
	json_decref(ret);
	assert_int_equal(qmp_client_reply(m->c, b, &ret, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(ret, "name")), "x");
	json_decref(ret);
	expect_event(m, "STOP");
	expect_event(m, "RESUME");
}

/* ---- replies -------------------------------------------------------------------------- */

static void commands_before_handshake_are_held(void **state)
{
	struct mock *m = *state;
	unsigned id;

	assert_int_equal(qmp_client_send(m->c, "query-status", NULL, 0, &id), 0);
	srv_write(m, GREETING);
	assert_int_equal(qmp_client_process(m->c), 0);
	srv_reply(m, srv_expect(m, "qmp_capabilities"), "{}");
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(srv_expect(m, "query-status"), id);
}

static void large_reply_split_across_reads(void **state)
{
	struct mock *m = *state;
	size_t size = 200 * 1024, chunk = 3000;
	char *line = malloc(size + 64);
	json_t *ret;
	unsigned id;
	int n;

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "query-qmp-schema", NULL, 0, &id), 0);
	(void)srv_expect(m, "query-qmp-schema");
	n = sprintf(line, "{\"id\": %u, \"return\": \"", id);
	memset(line + n, 'a', size);
	strcpy(line + n + size, "\"}\r\n");
	for (size_t off = 0, len = strlen(line); off < len; off += chunk) {
		size_t part = len - off < chunk ? len - off : chunk;

		assert_int_equal(write(m->srv, line + off, part), (ssize_t)part);
		assert_int_equal(qmp_client_process(m->c), 0);
	}
	assert_int_equal(qmp_client_reply(m->c, id, &ret, NULL), 0);
	assert_int_equal(json_string_length(ret), size);
	json_decref(ret);
	free(line);
}

static void garbage_line_is_a_protocol_error(void **state)
{
	struct mock *m = *state;
	unsigned id;

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "query-status", NULL, 0, &id), 0);
	srv_write(m, "this is not json\r\n");
	assert_int_equal(qmp_client_process(m->c), -EPROTO);
	assert_non_null(strstr(qmp_client_error(m->c), "not JSON"));
	assert_non_null(strstr(qmp_client_error(m->c), "this is not json"));
	assert_int_equal(qmp_client_reply(m->c, id, NULL, NULL), -EPROTO);
}

static void unknown_id_dropped(void **state)
{
	struct mock *m = *state;
	json_t *ret;
	unsigned id;

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "query-status", NULL, 0, &id), 0);
	srv_reply(m, id + 1000, "{\"status\": \"wrong\"}");
	srv_write(m, "{\"return\": {}}\n"); /* no id at all */
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_reply(m->c, id, NULL, NULL), -EINPROGRESS);
	srv_reply(m, id, "{\"status\": \"running\"}");
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_reply(m->c, id, &ret, NULL), 0);
	assert_string_equal(json_string_value(json_object_get(ret, "status")), "running");
	json_decref(ret);
	assert_int_equal(qmp_client_state(m->c), QMP_STATE_RUNNING);
}

static void error_reply_surfaces_desc(void **state)
{
	struct mock *m = *state;
	char line[256], *desc = NULL;
	unsigned id;

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "nope", NULL, 0, &id), 0);
	snprintf(line, sizeof(line),
		 "{\"id\": %u, \"error\": {\"class\": \"CommandNotFound\", "
		 "\"desc\": \"The command nope has not been found\"}}\r\n", id);
	srv_write(m, line);
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_reply(m->c, id, NULL, &desc), -EREMOTEIO);
	assert_string_equal(desc, "The command nope has not been found");
	free(desc);
	assert_int_equal(qmp_client_state(m->c), QMP_STATE_RUNNING);
}

static void arguments_are_sent(void **state)
{
	struct mock *m = *state;
	json_t *msg;

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "human-monitor-command",
					 json_pack("{s:s}", "command-line", "info status"),
					 QMP_SEND_DISCARD_REPLY, NULL), 0);
	msg = srv_read_command(m);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(msg, "arguments"), "command-line")),
			    "info status");
	json_decref(msg);
}

/* ---- end of connection ---------------------------------------------------------------- */

static void eof_mid_line(void **state)
{
	struct mock *m = *state;
	unsigned id;

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "query-status", NULL, 0, &id), 0);
	srv_write(m, "{\"return\": {\"status\": \"runn");
	close(m->srv);
	m->srv = -1;
	assert_int_equal(qmp_client_process(m->c), -ECONNRESET);
	assert_non_null(strstr(qmp_client_error(m->c), "middle of a message"));
	assert_int_equal(qmp_client_reply(m->c, id, NULL, NULL), -ECONNRESET);
	/* reported once: later calls are quiet */
	assert_int_equal(qmp_client_process(m->c), 0);
}

static void eof_after_handshake(void **state)
{
	struct mock *m = *state;
	unsigned a, b;

	handshake(m);
	assert_int_equal(qmp_client_send(m->c, "query-status", NULL, 0, &a), 0);
	assert_int_equal(qmp_client_send(m->c, "query-name", NULL, 0, &b), 0);
	close(m->srv);
	m->srv = -1;
	assert_int_equal(qmp_client_wait(m->c, clock_now_ms() + 1000), -ECONNRESET);
	assert_string_equal(qmp_client_error(m->c), "QMP connection closed");
	assert_int_equal(qmp_client_reply(m->c, a, NULL, NULL), -ECONNRESET);
	assert_int_equal(qmp_client_reply(m->c, b, NULL, NULL), -ECONNRESET);
	assert_int_equal(qmp_client_send(m->c, "quit", NULL, 0, NULL), -EPIPE);
	assert_int_equal(qmp_client_process(m->c), 0);
}

static void eof_before_greeting(void **state)
{
	struct mock *m = *state;

	close(m->srv);
	m->srv = -1;
	assert_int_equal(qmp_client_handshake(m->c, 1000), -ECONNRESET);
	assert_non_null(strstr(qmp_client_error(m->c), "before the greeting"));
}

static void oversized_line_is_capped(void **state)
{
	struct mock *m = *state;
	size_t chunk = 1 << 16;
	char *junk = malloc(chunk);
	int r = 0;

	handshake(m);
	memset(junk, ' ', chunk);
	junk[0] = '"';
	for (size_t sent = 0; sent <= QMP_MAX_MESSAGE + chunk && r == 0; sent += chunk) {
		assert_int_equal(write(m->srv, junk, chunk), (ssize_t)chunk);
		r = qmp_client_process(m->c);
	}
	assert_int_equal(r, -EMSGSIZE);
	assert_non_null(strstr(qmp_client_error(m->c), "16 MiB"));
	free(junk);
}

static void call_times_out_then_late_reply_dropped(void **state)
{
	struct mock *m = *state;
	int64_t start;
	unsigned id;

	handshake(m);
	start = clock_now_ms();
	assert_int_equal(qmp_client_call(m->c, "query-status", NULL, 100, NULL, NULL), -ETIMEDOUT);
	assert_true(clock_now_ms() - start >= 90);
	id = srv_expect(m, "query-status");
	srv_reply(m, id, "{}");
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_reply(m->c, id, NULL, NULL), -ENOENT);
}

/* Reads what the client wrote until n lines have come (the client served meanwhile). */
static size_t srv_read_lines(struct mock *m, char *buf, size_t size, int n)
{
	int64_t deadline = clock_now_ms() + 10000;
	size_t len = 0;
	int lines = 0;

	while (lines < n && clock_now_ms() < deadline) {
		ssize_t got;

		(void)qmp_client_process(m->c); /* writes what waits, as a poll loop would */
		got = recv(m->srv, buf + len, size - len, MSG_DONTWAIT);
		for (ssize_t i = 0; i < got; i++)
			lines += buf[len + (size_t)i] == '\n';
		if (got > 0)
			len += (size_t)got;
	}
	assert_int_equal(lines, n);
	return len;
}

/* A peer that reads nothing for a while: sending never waits, and what the socket did not
 * take goes out in order as the peer reads. */
static void send_never_waits(void **state)
{
	enum { N = 100, ARG = 8192 };
	struct mock *m = *state;
	size_t size = N * (ARG + 100), len;
	char *arg = calloc(1, ARG + 1), *buf = malloc(size), *line;
	int i = 0;

	handshake(m);
	memset(arg, 'x', ARG);
	/* 800 KB: more than the socket buffer holds. A client that waited for the socket to
	 * drain would hang here, or give up with -ETIMEDOUT. */
	for (int k = 0; k < N; k++)
		assert_int_equal(qmp_client_send(m->c, "echo", json_pack("{s:s}", "data", arg),
						 QMP_SEND_DISCARD_REPLY, NULL), 0);
	assert_true(qmp_client_poll_events(m->c) & POLLOUT);
	len = srv_read_lines(m, buf, size, N);
	buf[len - 1] = '\0';
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"), i++) {
		json_t *msg = json_loads(line, 0, NULL);

		assert_int_equal(json_integer_value(json_object_get(msg, "id")), i + 2);
		json_decref(msg);
	}
	assert_int_equal(i, N);
	assert_int_equal(qmp_client_poll_events(m->c), POLLIN);
	free(arg);
	free(buf);
}

/* Replays a real QEMU transcript: the client answers as it did in the recorded run. */
static void replay_qemu_transcript(void **state)
{
	struct mock *m = *state;
	char path[512], *data;
	const char *top = getenv("SOFTOFF_TOP");
	FILE *f;
	long size;
	unsigned id;

	snprintf(path, sizeof(path), "%s/tests/unit/fixtures/harness/qemu72-powerdown.qmp",
		 top ? top : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	data = malloc((size_t)size);
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	assert_int_equal(qmp_client_send(m->c, "system_powerdown", NULL, 0, &id), 0);
	assert_int_equal(id, 2);
	assert_int_equal(write(m->srv, data, (size_t)size), size);
	assert_int_equal(qmp_client_process(m->c), 0);
	assert_int_equal(qmp_client_state(m->c), QMP_STATE_RUNNING);
	assert_int_equal(srv_expect(m, "qmp_capabilities"), 1);
	assert_int_equal(srv_expect(m, "system_powerdown"), 2);
	assert_int_equal(qmp_client_reply(m->c, id, NULL, NULL), 0);
	expect_event(m, "POWERDOWN");
	expect_event(m, "SHUTDOWN");
	free(data);
}

#define T(f) cmocka_unit_test_setup_teardown(f, mock_setup, mock_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(greeting_crlf),
		T(greeting_lf_no_capabilities),
		T(greeting_split_bytewise),
		T(greeting_missing),
		T(capabilities_refused),
		T(handshake_times_out),
		T(events_during_handshake_kept),
		T(event_before_reply),
		T(events_between_replies),
		T(commands_before_handshake_are_held),
		T(large_reply_split_across_reads),
		T(garbage_line_is_a_protocol_error),
		T(unknown_id_dropped),
		T(error_reply_surfaces_desc),
		T(arguments_are_sent),
		T(eof_mid_line),
		T(eof_after_handshake),
		T(eof_before_greeting),
		T(oversized_line_is_capped),
		T(call_times_out_then_late_reply_dropped),
		T(replay_qemu_transcript),
		T(send_never_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
