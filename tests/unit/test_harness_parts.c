/* Unit tests for softoff-qemu's small parts: the console watcher (armed line, kernel
 * timestamps, panics, split lines), the tail buffer, duration and signal parsing, and the
 * hand-written sd_notify. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../qemu-harness/cli.h"
#include "../../qemu-harness/console.h"
#include "../../qemu-harness/junit.h"
#include "../../qemu-harness/notify.h"
#include "../../qemu-harness/sigwatch.h"
#include "../../qemu-harness/tail.h"
#include "../../qemu-harness/vm.h"
#include <sys/wait.h>
#include <fcntl.h>
#include <stdbool.h>

static void feed(struct console *con, const char *text)
{
	console_feed(con, text, strlen(text));
}

static void armed_line_with_kernel_timestamp(void **state)
{
	struct console con;

	(void)state;
	console_init(&con, -1, NULL, NULL);
	feed(&con, "[    1.0] softoff-agent: starting\r\n");
	assert_true(con.ready_ms < 0);
	feed(&con, "[    1.964132] softoff-agent: armed on /dev/input/event1 (Power Button, ");
	assert_true(con.ready_ms < 0); /* not until the line is complete */
	feed(&con, "LNXPWRBN/button/input0)\r\n");
	assert_true(con.ready_ms >= 0);
	assert_string_equal(con.ready_line,
			    "softoff-agent: armed on /dev/input/event1 (Power Button, "
			    "LNXPWRBN/button/input0)");
}

/* On a systemd guest the status animation's escapes can precede the kernel's line. */
static void armed_line_after_terminal_escapes(void **state)
{
	struct console con;

	(void)state;
	console_init(&con, -1, NULL, NULL);
	feed(&con, "\033M\033[K[   43.280345] softoff-agent: armed on /dev/input/event1 (Power Button, "
		   "LNXPWRBN/button/input0)\r\n");
	assert_true(con.ready_ms >= 0);
	assert_string_equal(con.ready_line, "softoff-agent: armed on /dev/input/event1 (Power Button, "
					    "LNXPWRBN/button/input0)");
	console_init(&con, -1, NULL, NULL);
	feed(&con, "\033[0;32mx\033[0m softoff-agent: armed\n"); /* escapes then other text: no */
	assert_true(con.ready_ms < 0);
}

static void armed_line_plain(void **state)
{
	struct console con;

	(void)state;
	console_init(&con, -1, NULL, NULL);
	feed(&con, "softoff-agent: armed on /dev/input/event2 (x, PNP0C0C/button/input0)\n");
	assert_true(con.ready_ms >= 0);
}

static void armed_text_elsewhere_is_not_armed(void **state)
{
	struct console con;

	(void)state;
	console_init(&con, -1, NULL, NULL);
	feed(&con, "+ grep 'softoff-agent: armed' /var/log\n");
	feed(&con, "softoff-agent: disarmed\n");
	assert_true(con.ready_ms < 0);
	assert_true(con.last_output_ms >= 0);
}

/* --ready REGEX: another line than the agent's armed line marks the guest ready. */
static void ready_line_from_regex(void **state)
{
	struct console con;
	regex_t re;

	(void)state;
	assert_int_equal(regcomp(&re, "^softoff-init: busybox acpid started", REG_EXTENDED | REG_NOSUB), 0);
	console_init(&con, -1, NULL, NULL);
	console_set_ready(&con, &re);
	feed(&con, "[    2.1] softoff-agent: armed on /dev/input/event1 (Power Button, LNXPWRBN/b)\n");
	assert_true(con.ready_ms < 0); /* the default no longer counts */
	feed(&con, "[    2.5] softoff-init: busybox acpid started (event0 event1)\r\n");
	assert_true(con.ready_ms >= 0);
	assert_string_equal(con.ready_line, "softoff-init: busybox acpid started (event0 event1)");
	regfree(&re);
}

static void panic_line_remembered(void **state)
{
	struct console con;

	(void)state;
	console_init(&con, -1, NULL, NULL);
	feed(&con, "[    1.6] Kernel panic - not syncing: VFS: Unable to mount root fs\n"
		   "[    1.7] Kernel panic - not syncing: second\n");
	assert_string_equal(con.panic_line, "Kernel panic - not syncing: VFS: Unable to mount root fs");
}

static void long_line_does_not_overflow(void **state)
{
	struct console con;
	char *big = malloc(10000);

	(void)state;
	memset(big, 'x', 9999);
	big[9999] = '\0';
	console_init(&con, -1, NULL, NULL);
	feed(&con, big);
	feed(&con, "\nsoftoff-agent: armed on y\n");
	assert_true(con.ready_ms >= 0);
	free(big);
}

static void console_keeps_a_copy(void **state)
{
	struct console con;
	char *text = NULL;
	size_t size = 0;
	FILE *keep = open_memstream(&text, &size);

	(void)state;
	console_init(&con, -1, keep, NULL);
	feed(&con, "one\ntwo");
	fclose(keep);
	assert_string_equal(text, "one\ntwo");
	free(text);
}

static void tail_prints_last_lines(void **state)
{
	struct tail t = { .len = 0 };
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	(void)state;
	for (int i = 0; i < 5000; i++) {
		char line[32];

		snprintf(line, sizeof(line), "line %d\r\n", i);
		tail_append(&t, line, strlen(line));
	}
	tail_print(&t, out, 2, "> ");
	fclose(out);
	assert_string_equal(text, "> line 4998\n> line 4999\n");
	free(text);
}

static void tail_unterminated_last_line(void **state)
{
	struct tail t = { .len = 0 };
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	(void)state;
	tail_append(&t, "a\nb\nc", 5);
	tail_print(&t, out, 2, "");
	fclose(out);
	assert_string_equal(text, "b\nc\n");
	free(text);
}

static void durations(void **state)
{
	int64_t ms;

	(void)state;
	assert_int_equal(cli_parse_duration("30", &ms), 0);
	assert_int_equal(ms, 30000);
	assert_int_equal(cli_parse_duration("2.5", &ms), 0);
	assert_int_equal(ms, 2500);
	assert_int_equal(cli_parse_duration("8s", &ms), 0);
	assert_int_equal(ms, 8000);
	assert_int_equal(cli_parse_duration("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(cli_parse_duration("-1", &ms), -EINVAL);
	assert_int_equal(cli_parse_duration("ten", &ms), -EINVAL);
	assert_int_equal(cli_parse_duration("5m", &ms), -EINVAL);
	assert_int_equal(cli_parse_duration("", &ms), -EINVAL);
}

static void integers(void **state)
{
	long n;

	(void)state;
	assert_int_equal(cli_parse_int("99", 0, 255, &n), 0);
	assert_int_equal(n, 99);
	assert_int_equal(cli_parse_int("256", 0, 255, &n), -ERANGE);
	assert_int_equal(cli_parse_int("3x", 0, 255, &n), -EINVAL);
}

static void signal_names(void **state)
{
	(void)state;
	assert_int_equal(sigwatch_parse("SIGTERM"), SIGTERM);
	assert_int_equal(sigwatch_parse("term"), SIGTERM);
	assert_int_equal(sigwatch_parse("HUP"), SIGHUP);
	assert_int_equal(sigwatch_parse("10"), 10);
	assert_int_equal(sigwatch_parse("SIGNOPE"), -EINVAL);
	assert_string_equal(sigwatch_name(SIGUSR1), "USR1");
	assert_true(sigwatch_is_watched(SIGCONT));
	assert_false(sigwatch_is_watched(SIGALRM));
}

static void sd_notify_datagram(void **state)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char buf[64];
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ssize_t n;

	(void)state;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "/tmp/softoff-notify-test.%d", getpid());
	(void)unlink(addr.sun_path);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	setenv("NOTIFY_SOCKET", addr.sun_path, 1);
	assert_int_equal(notify_init(), 0);
	assert_null(getenv("NOTIFY_SOCKET")); /* QEMU must not inherit it */
	assert_int_equal(notify_send("READY=1"), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 7);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1");
	close(fd);
	(void)unlink(addr.sun_path);
}

static void sd_notify_unset(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_init(), -ENOENT);
}

/* Reads everything the child writes to its captured stdout. */
static void read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
}

#define MAX_FD 1024

/* The number after "CHARDEV,fd=" on the child's command line (its ARGS line). */
static int child_fd_in_args(const char *out, const char *chardev)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "%s,fd=", chardev);
	p = strstr(out, key);
	assert_non_null(p);
	return atoi(p + strlen(key));
}

/* Which of our fds a child inherits: those open here without FD_CLOEXEC. */
static void inheritable_fds(bool *open_here)
{
	for (int fd = 0; fd < MAX_FD; fd++)
		open_here[fd] = fcntl(fd, F_GETFD) == 0;
}

/* The child's fds (ls -m output, the last line) must be exactly: stdio, what it may inherit
 * from us (fds open here without CLOEXEC: our own parent's), the monitor and console ends
 * its command line names, and ls's directory (the lowest number free after exec). So none
 * of our ends leaked. No number is assumed: the test process may hold other fds. */
static void check_child_fds(const char *out, const bool *inheritable)
{
	const char *p = strstr(out, "\n0, 1, ");
	bool expected[MAX_FD], seen[MAX_FD] = { false };
	int ls_dir = 0;

	memcpy(expected, inheritable, sizeof(expected));
	expected[0] = expected[1] = expected[2] = true;
	expected[child_fd_in_args(out, VM_QMP_CHARDEV)] = true;
	expected[child_fd_in_args(out, VM_CONSOLE_CHARDEV)] = true;
	while (expected[ls_dir])
		ls_dir++;
	expected[ls_dir] = true;
	assert_non_null(p);
	for (p++; *p && *p != '\n';) {
		char *end;
		long fd = strtol(p, &end, 10);

		assert_true(fd >= 0 && fd < MAX_FD);
		assert_true(expected[fd]);
		seen[fd] = true;
		p = end + strspn(end, ", ");
	}
	for (int fd = 0; fd < MAX_FD; fd++)
		assert_int_equal(seen[fd], expected[fd]);
}

/* "SigBlk:\tHEX" of this process, as the child should see its own. */
static void own_status_line(const char *key, char *line, size_t size)
{
	FILE *f = fopen("/proc/self/status", "r");

	line[0] = '\0';
	while (f && fgets(line, (int)size, f))
		if (strncmp(line, key, strlen(key)) == 0)
			break;
	if (f)
		fclose(f);
}

/* QEMU's side of the launch: only stdio, our two socketpair ends and what our own parent
 * gave us are open, no signal is ignored and the mask is the one we started with (although
 * softoff-qemu blocks nine and ignores SIGPIPE), the monitor options name the inherited fds,
 * and stdin is /dev/null when asked. The child shell reads its own status with builtins: a
 * shell waiting for a child blocks its signals, so a forked grep could see another mask. */
static void launcher_child_state(void **state)
{
	static char *const argv[] = { "/bin/sh", "-c",
		"echo \"ARGS $*\"; while read -r k v; do case $k in SigBlk:|SigIgn:)"
		" printf '%s\\t%s\\n' \"$k\" \"$v\";; esac; done </proc/$$/status;"
		"readlink /proc/$$/fd/0;"
		"exec ls -m /proc/self/fd", "sh", NULL };
	sigset_t orig, blocked;
	struct vm_config cfg = { .argv = argv, .console = true, .capture_output = true,
				 .stdin_null = true, .pdeathsig = SIGKILL, .child_mask = &orig };
	struct vm vm;
	char err[128], out[4096];
	char orig_blocked[64];
	bool inheritable[MAX_FD];
	/* other fds of the test process move the numbers; one without CLOEXEC is inherited */
	int busy[3] = { open("/dev/null", O_RDONLY | O_CLOEXEC), open("/dev/null", O_RDONLY),
			open("/dev/null", O_RDONLY | O_CLOEXEC) };

	(void)state;
	inheritable_fds(inheritable);
	assert_true(inheritable[busy[1]] && !inheritable[busy[0]] && !inheritable[busy[2]]);
	own_status_line("SigBlk:", orig_blocked, sizeof(orig_blocked));
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigprocmask(SIG_BLOCK, &blocked, &orig);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN); /* as if our own parent had ignored it */
	assert_int_equal(vm_start(&cfg, &vm, err, sizeof(err)), 0);
	read_all(vm.output_fd, out, sizeof(out));
	waitpid(vm.pid, NULL, 0);
	vm_close(&vm);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	assert_non_null(strstr(out, "-mon chardev=softoff-qmp,mode=control"));
	assert_non_null(strstr(out, "-serial chardev:softoff-console"));
	for (int i = 0; i < 3; i++)
		close(busy[i]);
	check_child_fds(out, inheritable);
	assert_non_null(strstr(out, orig_blocked)); /* the mask we started with */
	/* signals 1..31 all default; glibc's own 32 and 33 are out of its API's reach */
	assert_non_null(strstr(out, "SigIgn:\t"));
	assert_int_equal(strtoull(strstr(out, "SigIgn:\t") + 8, NULL, 16) & 0x7fffffffull, 0);
	assert_non_null(strstr(out, "/dev/null"));
}

/* What XML can hold is kept (escaped), the rest removed: the console is raw bytes. */
static void junit_escapes_and_cleans(void **state)
{
	static const char in[] =
		"a<b & c ]]> \"q\" 's'\t\r\n"    /* markup, tab kept, CR dropped */
		"\x01\x1b[1m\x7f|"                 /* controls removed; DEL is allowed */
		"\xff\xfe\xc0\x80\xed\xa0\x80|"   /* not UTF-8, overlong, a surrogate */
		"\xef\xbf\xbe\xe2\x82|"             /* U+FFFE; a sequence cut short */
		"caf\xc3\xa9 \xf0\x9f\x98\x80";     /* 2- and 4-byte characters kept */
	static const char want[] =
		"a&lt;b &amp; c ]]&gt; &quot;q&quot; &apos;s&apos;\t\n[1m\x7f|||caf\xc3\xa9 \xf0\x9f\x98\x80";
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_non_null(f);
	junit_escape(f, in, sizeof(in) - 1);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, want);
	free(out);
}

/* One failing case: counts, the failure's message, and the output elements. */
static void junit_document(void **state)
{
	struct junit_case c = { .classname = "k", .name = "n&", .seconds = 1.5,
				.failure = "timeout <3>", .out = "con\x02sole", .out_len = 8 };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_int_equal(junit_write(f, "suite", &c, 1), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "tests=\"1\" failures=\"1\""));
	assert_non_null(strstr(out, "<testcase classname=\"k\" name=\"n&amp;\" time=\"1.500\">"));
	assert_non_null(strstr(out, "<failure message=\"timeout &lt;3&gt;\""));
	assert_non_null(strstr(out, "<system-out>console</system-out>"));
	assert_null(strstr(out, "system-err"));
	free(out);
}

/* Skipped cases: their element with the reason, and the suite's count. */
static void junit_skipped(void **state)
{
	struct junit_case c[] = { { .classname = "ktap.s", .name = "a", .skipped = "no <disk>" },
				  { .classname = "ktap.s", .name = "b", .skipped = "" },
				  { .classname = "ktap.s", .name = "c" } };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_int_equal(junit_write(f, "suite", c, 3), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(out, "tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"2\""));
	assert_non_null(strstr(out, "name=\"a\" time=\"0.000\">\n    <skipped message=\"no &lt;disk&gt;\"/>"));
	assert_non_null(strstr(out, "name=\"b\" time=\"0.000\">\n    <skipped message=\"\"/>"));
	assert_non_null(strstr(out, "name=\"c\" time=\"0.000\">\n  </testcase>"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(armed_line_with_kernel_timestamp),
		cmocka_unit_test(armed_line_plain),
		cmocka_unit_test(armed_text_elsewhere_is_not_armed),
		cmocka_unit_test(ready_line_from_regex),
		cmocka_unit_test(panic_line_remembered),
		cmocka_unit_test(long_line_does_not_overflow),
		cmocka_unit_test(console_keeps_a_copy),
		cmocka_unit_test(armed_line_after_terminal_escapes),
		cmocka_unit_test(tail_prints_last_lines),
		cmocka_unit_test(tail_unterminated_last_line),
		cmocka_unit_test(durations),
		cmocka_unit_test(junit_escapes_and_cleans),
		cmocka_unit_test(junit_document),
		cmocka_unit_test(junit_skipped),
		cmocka_unit_test(integers),
		cmocka_unit_test(signal_names),
		cmocka_unit_test(sd_notify_datagram),
		cmocka_unit_test(sd_notify_unset),
		cmocka_unit_test(launcher_child_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
