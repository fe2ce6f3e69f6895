/* Unit tests for the two verdicts softoff-qemu gives: `boot`'s (boot_judge: what one attempt
 * saw -> exit status and summary line, --ktap's tests included) and `run`'s (run_exit_status: how QEMU ended and what
 * led there -> exit status), one case per documented status. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "../../qemu-harness/boot.h"
#include "../../qemu-harness/cli.h"
#include "../../qemu-harness/console.h"
#include "../../qemu-harness/run.h"
#include "test_harness_ktap_util.h"

static struct boot_options opts;
static struct console con;

/* An attempt where QEMU started, finished the handshake and exited with status. */
static struct boot_result exited_with(int status)
{
	return (struct boot_result){ .launched = true, .exited = true, .press_ms = 1000,
				     .presses = 1, .wait_status = W_EXITCODE(status, 0),
				     .console = &con };
}

static int setup(void **state)
{
	char *argv[] = { "boot", "--kernel", "/dev/null", "--initrd", "/dev/null", "--arch",
			 "x86_64", NULL };

	(void)state;
	console_init(&con, -1, NULL, NULL);
	return boot_parse_options(&opts, 7, argv);
}

static int teardown(void **state)
{
	(void)state;
	boot_options_free(&opts);
	return 0;
}

static void judge(const struct boot_result *r, const char *start_err, int status,
		  const char *text)
{
	struct boot_verdict v;

	boot_judge(&opts, r, start_err, &v);
	assert_int_equal(v.status, status);
	if (!strstr(v.text, text))
		fail_msg("verdict '%s' does not contain '%s'", v.text, text);
}

static void boot_pass_and_mismatch(void **state)
{
	struct boot_result r = exited_with(99);

	(void)state;
	judge(&r, NULL, CLI_OK, "guest powered off cleanly (status 99)");
	r = exited_with(0);
	snprintf(r.shutdown_reason, sizeof(r.shutdown_reason), "guest-shutdown");
	r.shutdown_seen = true;
	judge(&r, NULL, CLI_BOOT_MISMATCH, "got: QEMU exited 0: the guest did not use its "
	      "exit device; SHUTDOWN reason guest-shutdown");
	r = exited_with(135);
	judge(&r, NULL, CLI_BOOT_MISMATCH, "payload exited 3 (status 135)");
}

static void feed(const char *text)
{
	console_feed(&con, text, strlen(text));
}

static void boot_panic(void **state)
{
	struct boot_result r = exited_with(0);

	(void)state;
	feed("[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root\n");
	snprintf(r.shutdown_reason, sizeof(r.shutdown_reason), "guest-reset");
	r.shutdown_seen = true; /* panic=-1 reboots: QEMU sees a reset */
	judge(&r, NULL, CLI_BOOT_PANIC, "guest kernel panicked: Kernel panic - not syncing: VFS");
	r.timed_out = true; /* panic=0 on the command line: the kernel hangs after its panic */
	judge(&r, NULL, CLI_BOOT_PANIC, "guest kernel panicked: Kernel panic - not syncing: VFS");
	r = exited_with(0); /* and QEMU stopped by us, status 0, after the panic's grace */
	opts.expect_status = 0;
	judge(&r, NULL, CLI_BOOT_PANIC, "guest kernel panicked: Kernel panic - not syncing: VFS");
	r.wait_status = SIGKILL;
	judge(&r, NULL, CLI_BOOT_PANIC, "guest kernel panicked");
	console_init(&con, -1, NULL, NULL); /* pvpanic's event, nothing on the console */
	r = exited_with(0);
	r.guest_panicked = true;
	judge(&r, NULL, CLI_BOOT_PANIC, "guest kernel panicked (GUEST_PANICKED from pvpanic");
	r = exited_with(0);
	snprintf(r.shutdown_reason, sizeof(r.shutdown_reason), "guest-panic");
	r.shutdown_seen = true;
	judge(&r, NULL, CLI_BOOT_PANIC, "guest kernel panicked");
}

static void boot_reset(void **state)
{
	struct boot_result r = exited_with(0);

	(void)state;
	snprintf(r.shutdown_reason, sizeof(r.shutdown_reason), "guest-reset");
	r.shutdown_seen = true;
	judge(&r, NULL, CLI_BOOT_RESET, "guest reset (SHUTDOWN reason guest-reset): it rebooted");
	feed("softoff-agent: armed on /dev/input/event1\n");
	judge(&r, NULL, CLI_BOOT_RESET, "guest reset");
	r.timed_out = true; /* -no-shutdown, and QEMU ignored our quit */
	judge(&r, NULL, CLI_BOOT_RESET, "guest reset");
}

/* QEMU ending before the ready line with a status the guest did not give it. */
static void boot_qemu_exit_before_ready(void **state)
{
	struct boot_result r = exited_with(1);

	(void)state;
	r.press_ms = -1;
	r.presses = 0;
	judge(&r, NULL, CLI_BOOT_QEMU_EXIT, "QEMU ended before the 'softoff-agent: armed' line: "
	      "QEMU exited 1 (its own error");
	r = exited_with(0); /* no SHUTDOWN: not the guest's power-off */
	judge(&r, NULL, CLI_BOOT_QEMU_EXIT, "QEMU exited 0");
	r.wait_status = SIGSEGV;
	judge(&r, NULL, CLI_BOOT_KILLED, "QEMU was killed by signal 11 (SIG?) before the "
	      "ready line");
	/* the guest's own doing before the ready line stays a mismatch */
	r = exited_with(137);
	judge(&r, NULL, CLI_BOOT_MISMATCH, "payload exited 4 (status 137)");
	r = exited_with(0);
	snprintf(r.shutdown_reason, sizeof(r.shutdown_reason), "guest-shutdown");
	r.shutdown_seen = true;
	judge(&r, NULL, CLI_BOOT_MISMATCH, "QEMU exited 0");
	/* after the ready line, QEMU's own 1 is a mismatch */
	feed("softoff-agent: armed on /dev/input/event1\n");
	r = exited_with(1);
	judge(&r, NULL, CLI_BOOT_MISMATCH, "expected clean power-off (status 99), got: QEMU exited 1");
}

static void boot_timeouts(void **state)
{
	struct boot_result r = exited_with(0);

	(void)state;
	r.timed_out = true;
	r.presses = 2;
	judge(&r, NULL, CLI_BOOT_NO_POWEROFF, "the guest did not power off after 2 presses");
	r.press_ms = -1;
	r.presses = 0;
	judge(&r, NULL, CLI_BOOT_TIMEOUT, "no 'softoff-agent: armed' line on the console; "
	      "likely: no console output at all");
	opts.press = BOOT_PRESS_NEVER;
	judge(&r, NULL, CLI_BOOT_TIMEOUT, "the guest did not exit");
}

static void boot_launch_failures(void **state)
{
	struct boot_result r = exited_with(1);

	(void)state;
	judge(&r, "start QEMU 'qemu': No such file", CLI_BOOT_LAUNCH,
	      "QEMU failed to start: start QEMU 'qemu': No such file");
	r.launched = false;
	judge(&r, NULL, CLI_BOOT_LAUNCH, "QEMU exited with status 1 before its QMP monitor");
	r = exited_with(0);
	r.qmp_broken = true;
	r.qmp_error = "QMP sent a line that is not JSON";
	judge(&r, NULL, CLI_BOOT_LAUNCH, "QEMU's QMP monitor failed: QMP sent a line");
}

static void boot_signals(void **state)
{
	struct boot_result r = exited_with(0);

	(void)state;
	r.interrupted_by = SIGTERM;
	judge(&r, NULL, CLI_SIGNALED_BASE + SIGTERM, "interrupted by SIGTERM");
	r = exited_with(0);
	r.wait_status = SIGKILL; /* killed, by someone else */
	judge(&r, NULL, CLI_BOOT_KILLED, "QEMU was killed by signal 9 (SIGKILL)");
}

/* The verdict with --ktap on the KTAP text: status, and the KTAP line it says. */
static void judge_ktap(struct boot_result *r, const char *text, int status, const char *says)
{
	struct ktap k;
	struct boot_verdict v;

	ktap_init(&k);
	ktap_read_text(&k, text);
	r->ktap = &k;
	boot_judge(&opts, r, NULL, &v);
	assert_int_equal(v.status, status);
	if (!strstr(v.ktap_text, says))
		fail_msg("KTAP line '%s' does not contain '%s'", v.ktap_text, says);
	assert_int_equal(v.ktap_ok, status == CLI_OK);
	ktap_free(&k);
	r->ktap = NULL;
}

/* --ktap: a boot that passed fails with status 10 when a KTAP test failed, fewer results
 * came than planned, the output ended inside a test, or there was no KTAP; a boot that
 * failed keeps its own status. Without --ktap, KTAP does not count. */
static void boot_ktap(void **state)
{
	static const char *const nested = "KTAP version 1\n1..1\n    KTAP version 1\n"
					  "    # Subtest: s\n    1..2\n    ok 1 a\n";
	struct boot_result r = exited_with(99);
	struct boot_verdict v;

	(void)state;
	opts.ktap = true;
	judge_ktap(&r, "KTAP version 1\n1..2\nok 1 a\nok 2 b # SKIP no disk\n", CLI_OK,
		   "KTAP: 2 tests: 1 passed, 0 failed, 1 skipped");
	judge_ktap(&r, "KTAP version 1\n1..2\nok 1 a\nnot ok 2 b\n", CLI_BOOT_KTAP,
		   "first failure: b");
	judge_ktap(&r, "KTAP version 1\n1..3\nok 1 a\nok 2 b\n", CLI_BOOT_KTAP,
		   "planned 3 tests, got 2");
	judge_ktap(&r, nested, CLI_BOOT_KTAP, "the output ended inside s");
	judge_ktap(&r, "TAP version 13\n1..1\nnot ok 1 - x # TODO later\n", CLI_OK, "1 todo");
	judge_ktap(&r, "no tests here\n", CLI_BOOT_KTAP, "no KTAP version line on the console");
	r = exited_with(137); /* the boot's own failure says more */
	judge_ktap(&r, nested, CLI_BOOT_MISMATCH, "the output ended inside s");
	r = exited_with(99);
	opts.ktap = false;
	boot_judge(&opts, &r, NULL, &v);
	assert_int_equal(v.status, CLI_OK);
	assert_string_equal(v.ktap_text, "");
}

/* run: one row per documented status. */
static void run_statuses(void **state)
{
	static const struct { struct run_outcome o; int status; } rows[] = {
		{ { .wait_status = W_EXITCODE(99, 0), .success_status = 99 }, CLI_OK },
		{ { .wait_status = W_EXITCODE(7, 0), .success_status = 7 }, CLI_OK },
		{ { .wait_status = W_EXITCODE(0, 0), .shutdown = SESSION_SHUTDOWN_POWEROFF,
		    .stop = SESSION_STOP_QUIT, .success_status = 99 }, CLI_OK },
		{ { .wait_status = W_EXITCODE(0, 0), .shutdown = SESSION_SHUTDOWN_POWEROFF,
		    .success_status = 99 }, CLI_OK },
		/* a reset or a panic ends QEMU with 0 too, under -no-reboot: never a success */
		{ { .wait_status = W_EXITCODE(0, 0), .shutdown = SESSION_SHUTDOWN_RESET,
		    .success_status = 99 }, CLI_RUN_GUEST_RESET },
		{ { .wait_status = W_EXITCODE(0, 0), .shutdown = SESSION_SHUTDOWN_RESET,
		    .stop = SESSION_STOP_QUIT, .success_status = 99 }, CLI_RUN_GUEST_RESET },
		{ { .wait_status = W_EXITCODE(0, 0), .shutdown = SESSION_SHUTDOWN_PANIC,
		    .guest_panicked = true, .success_status = 99 }, CLI_RUN_GUEST_PANIC },
		{ { .wait_status = W_EXITCODE(0, 0), .shutdown = SESSION_SHUTDOWN_PANIC,
		    .success_status = 99 }, CLI_RUN_GUEST_PANIC },
		/* -action panic=pause: GUEST_PANICKED, then our quit after --grace */
		{ { .wait_status = W_EXITCODE(0, 0), .guest_panicked = true,
		    .shutdown = SESSION_SHUTDOWN_OTHER, .stop = SESSION_STOP_QUIT,
		    .success_status = 99 }, CLI_RUN_GUEST_PANIC },
		{ { .wait_status = SIGKILL, .shutdown = SESSION_SHUTDOWN_RESET,
		    .stop = SESSION_STOP_KILL, .success_status = 99 }, CLI_RUN_KILLED },
		{ { .wait_status = W_EXITCODE(7, 0), .success_status = 99 }, 7 },
		{ { .wait_status = W_EXITCODE(0, 0), .shutdown = SESSION_SHUTDOWN_HOST_SIGNAL, .success_status = 99 },
		  CLI_RUN_HOST_SIGNAL },
		{ { .wait_status = W_EXITCODE(0, 0), .stop = SESSION_STOP_QUIT,
		    .success_status = 99 }, CLI_RUN_QUIT },
		{ { .wait_status = W_EXITCODE(0, 0), .stop = SESSION_STOP_QUIT, .qmp_broken = true,
		    .success_status = 99 }, CLI_RUN_LAUNCH },
		{ { .wait_status = SIGKILL, .stop = SESSION_STOP_KILL, .success_status = 99 },
		  CLI_RUN_KILLED },
		{ { .wait_status = W_EXITCODE(99, 0), .stop = SESSION_STOP_KILL,
		    .success_status = 99 }, CLI_RUN_KILLED },
		{ { .wait_status = SIGSEGV, .success_status = 99 }, CLI_SIGNALED_BASE + SIGSEGV },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (run_exit_status(&rows[i].o) != rows[i].status)
			fail_msg("row %zu: status %d, expected %d", i, run_exit_status(&rows[i].o),
				 rows[i].status);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(boot_pass_and_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(boot_panic, setup, teardown),
		cmocka_unit_test_setup_teardown(boot_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(boot_qemu_exit_before_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(boot_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(boot_launch_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(boot_signals, setup, teardown),
		cmocka_unit_test_setup_teardown(boot_ktap, setup, teardown),
		cmocka_unit_test(run_statuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
