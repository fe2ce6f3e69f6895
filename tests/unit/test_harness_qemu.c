/* The QMP client and the launcher against real QEMU with no machine at all
 * (qemu-system-x86_64 -machine none -accel tcg): handshake, query-status, the ~207 KB
 * query-qmp-schema line, and quit. Without QEMU installed every test is skipped (cmocka's
 * skip(): a failing group set-up would count as a failure, not a skip). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../qemu-harness/clock.h"
#include "../../qemu-harness/qmp.h"
#include "../../qemu-harness/vm.h"

static char *const qemu_argv[] = {
	"qemu-system-x86_64", "-machine", "none", "-accel", "tcg", "-nodefaults",
	"-display", "none", NULL,
};

struct live {
	struct vm vm;
	struct qmp_client *c;
};

static int live_setup(void **state)
{
	static struct live l;
	sigset_t mask;
	struct vm_config cfg = {
		.argv = qemu_argv, .capture_output = true, .stdin_null = true,
		.pdeathsig = SIGKILL, .child_mask = &mask,
	};
	char err[256];

	*state = NULL;
	if (system("command -v qemu-system-x86_64 >/dev/null") != 0)
		return 0;
	(void)sigprocmask(SIG_SETMASK, NULL, &mask);
	if (vm_start(&cfg, &l.vm, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	l.c = qmp_client_new(l.vm.qmp_fd, "QEMU's monitor");
	l.vm.qmp_fd = -1;
	*state = &l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	if (!l)
		return 0;
	vm_signal(&l->vm, SIGKILL);
	(void)waitpid(l->vm.pid, NULL, 0);
	qmp_client_free(l->c);
	vm_close(&l->vm);
	return 0;
}

/* The running QEMU, or skip() when there is none. */
static struct live *live(void **state)
{
	if (!*state)
		skip();
	return *state;
}

static void handshake_and_query_status(void **state)
{
	struct live *l = live(state);
	json_t *ret = NULL;

	assert_int_equal(qmp_client_handshake(l->c, 10000), 0);
	assert_int_equal(qmp_client_call(l->c, "query-status", NULL, 5000, &ret, NULL), 0);
	assert_non_null(json_string_value(json_object_get(ret, "status")));
	json_decref(ret);
}

static void schema_is_one_big_line(void **state)
{
	struct live *l = live(state);
	json_t *ret = NULL;
	char *text;
	int64_t start = clock_now_ms();

	assert_int_equal(qmp_client_call(l->c, "query-qmp-schema", NULL, 10000, &ret, NULL), 0);
	assert_true(json_array_size(ret) > 500);
	text = json_dumps(ret, JSON_COMPACT);
	fprintf(stderr, "query-qmp-schema: %zu entries, %zu bytes compact, %lld ms\n",
		json_array_size(ret), strlen(text), (long long)(clock_now_ms() - start));
	assert_true(strlen(text) > 100000);
	free(text);
	json_decref(ret);
}

static void unknown_command_error(void **state)
{
	struct live *l = live(state);
	char *desc = NULL;

	assert_int_equal(qmp_client_call(l->c, "no-such-command", NULL, 5000, NULL, &desc),
			 -EREMOTEIO);
	assert_non_null(strstr(desc, "no-such-command"));
	free(desc);
}

static void quit_ends_qemu(void **state)
{
	struct live *l = live(state);
	int64_t deadline = clock_now_ms() + 10000;
	int r;

	r = qmp_client_call(l->c, "quit", NULL, 5000, NULL, NULL);
	assert_true(r == 0 || r == -ECONNRESET);
	while (!vm_reap(&l->vm) && clock_now_ms() < deadline)
		(void)qmp_client_wait(l->c, clock_now_ms() + 100);
	assert_true(l->vm.exited);
	assert_true(WIFEXITED(l->vm.wait_status));
	assert_int_equal(WEXITSTATUS(l->vm.wait_status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake_and_query_status),
		cmocka_unit_test(schema_is_one_big_line),
		cmocka_unit_test(unknown_command_error),
		cmocka_unit_test(quit_ends_qemu),
	};

	return cmocka_run_group_tests(tests, live_setup, live_teardown);
}
