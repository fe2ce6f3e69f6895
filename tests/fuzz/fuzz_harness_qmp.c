/* libFuzzer target: the harness's QMP framing and message routing. The input is what QEMU
 * would send; the client has one command outstanding, so greetings, replies with matching,
 * unknown and missing ids, events and garbage all get routed. It must never crash or leak. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../qemu-harness/qmp.h"

static void drain_events(struct qmp_client *c)
{
	json_t *ev;

	while ((ev = qmp_client_next_event(c)) != NULL) {
		(void)qmp_event_name(ev);
		json_decref(ev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	struct qmp_client *c;
	unsigned id = 0;
	json_t *ret = NULL;
	char *desc = NULL;

	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	c = qmp_client_new(sv[0], "the fuzz input");
	if (!c)
		abort();
	(void)qmp_client_send(c, "query-status", NULL, QMP_SEND_KEEP_REPLY, &id);
	if (size && write(sv[1], data, size) != (ssize_t)size)
		abort();
	close(sv[1]); /* EOF after the input: every pending command must fail, once */
	while (qmp_client_process(c) == 0 && qmp_client_state(c) != QMP_STATE_CLOSED)
		drain_events(c);
	drain_events(c);
	if (qmp_client_reply(c, id, &ret, &desc) == -EINPROGRESS)
		abort(); /* after EOF nothing may stay pending */
	json_decref(ret);
	free(desc);
	qmp_client_free(c);
	return 0;
}
