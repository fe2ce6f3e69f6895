/* Unit tests for `softoff-qemu boot`'s command line: the defaults, and the options that let
 * tests press differently (--press, --presses, --press-interval), wait for another ready line
 * (--ready) and change the isa-debug-exit device (--debug-exit), good values and bad; the
 * QEMU options it refuses; and the likely causes it names when the ready line never came. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../qemu-harness/boot.h"
#include "../../qemu-harness/cli.h"
#include "../../qemu-harness/console.h"
#include "../../qemu-harness/qemuargs.h"

#define MAX_ARGS 20

/* Parses "boot --kernel /dev/null --initrd /dev/null --arch x86_64" plus the options in ap,
 * up to NULL (/dev/null is no kernel image: --arch says which; test_harness_arch.c reads
 * images). */
static int vparse(struct boot_options *o, va_list ap)
{
	char *argv[MAX_ARGS] = { "boot", "--kernel", "/dev/null", "--initrd", "/dev/null",
				 "--arch", "x86_64" };
	int argc = 7;
	char *arg;

	while ((arg = va_arg(ap, char *)) && argc < MAX_ARGS - 1)
		argv[argc++] = arg;
	return boot_parse_options(o, argc, argv);
}

static int parse(struct boot_options *o, ...)
{
	va_list ap;
	int r;

	va_start(ap, o);
	r = vparse(o, ap);
	va_end(ap);
	return r;
}

static void defaults(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, NULL), 0);
	assert_int_equal(o.presses, 1);
	assert_int_equal(o.press_interval_ms, 0);
	assert_null(o.ready_text);
	assert_string_equal(o.debug_exit, "isa-debug-exit,iobase=0x501,iosize=2");
	assert_int_equal(o.press, BOOT_PRESS_ARMED);
	boot_options_free(&o);
}

static void presses(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, "--presses", "10", "--press-interval", "0.05", NULL), 0);
	assert_int_equal(o.presses, 10);
	assert_int_equal(o.press_interval_ms, 50);
	boot_options_free(&o);
	assert_int_equal(parse(&o, "--presses", "100", "--press-interval", "200ms", NULL), 0);
	assert_int_equal(o.presses, BOOT_MAX_PRESSES);
	assert_int_equal(o.press_interval_ms, 200);
	boot_options_free(&o);
}

static void press_when(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, "--press", "0.3", NULL), 0);
	assert_int_equal(o.press, BOOT_PRESS_AFTER);
	assert_int_equal(o.press_after_ms, 300);
	boot_options_free(&o);
	assert_int_equal(parse(&o, "--expect", "guest:3", NULL), 0); /* implies never */
	assert_int_equal(o.press, BOOT_PRESS_NEVER);
	boot_options_free(&o);
	assert_int_equal(parse(&o, "--expect", "guest:3", "--press", "armed", NULL), 0);
	assert_int_equal(o.press, BOOT_PRESS_ARMED);
	boot_options_free(&o);
	assert_int_equal(parse(&o, "--press", "soon", NULL), CLI_USAGE);
}

static void presses_bad(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, "--presses", "0", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "--presses", "101", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "--presses", "ten", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "--presses", NULL), CLI_USAGE); /* no value */
	assert_int_equal(parse(&o, "--press-interval", "-1", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "--press-interval", "soon", NULL), CLI_USAGE);
}

static void ready_regex(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, "--ready", "^softoff-init: (busybox )?acpid2? started", NULL), 0);
	assert_string_equal(o.ready_text, "^softoff-init: (busybox )?acpid2? started");
	assert_int_equal(regexec(&o.ready, "softoff-init: busybox acpid started (3 devices)", 0,
				 NULL, 0), 0);
	assert_int_equal(regexec(&o.ready, "softoff-init: acpid2 started", 0, NULL, 0), 0);
	assert_int_not_equal(regexec(&o.ready, "softoff-agent: armed on x", 0, NULL, 0), 0);
	boot_options_free(&o);
	assert_null(o.ready_text);
}

static void ready_given_twice_keeps_the_last(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, "--ready", "first", "--ready", "second", NULL), 0);
	assert_string_equal(o.ready_text, "second");
	assert_int_not_equal(regexec(&o.ready, "first", 0, NULL, 0), 0);
	boot_options_free(&o);
}

static void ready_bad(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, "--ready", "armed (on", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "--ready", "x", "--ready", "[", NULL), CLI_USAGE);
	/* a bad option after a good --ready frees what it compiled (checked under ASan) */
	assert_int_equal(parse(&o, "--ready", "x", "--presses", "0", NULL), CLI_USAGE);
}

static void debug_exit(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, "--debug-exit", "none", NULL), 0);
	assert_null(o.debug_exit);
	boot_options_free(&o);
	assert_int_equal(parse(&o, "--debug-exit", "isa-debug-exit,iobase=0xf4,iosize=4", NULL), 0);
	assert_string_equal(o.debug_exit, "isa-debug-exit,iobase=0xf4,iosize=4");
	boot_options_free(&o);
}

static void help_and_unknown(void **state)
{
	struct boot_options o;

	(void)state;
	assert_int_equal(parse(&o, "--no-such-option", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "stray", NULL), CLI_USAGE);
}

static void refused_qemu_options(void **state)
{
	struct boot_options o;
	char *daemon[] = { "-m", "1G", "-daemonize", NULL };
	char *daemon2[] = { "--daemonize", NULL };
	/* these look like trouble but are fine (docs/harness.md says why) */
	char *fine[] = { "-runas", "nobody", "-chroot", "/", "-nographic", "-monitor", "stdio",
			 "-qmp", "stdio", "-serial", "mon:stdio", "-no-shutdown", "-action",
			 "shutdown=pause", "-S", "-pidfile", "/run/x", NULL };

	(void)state;
	assert_string_equal(qemuargs_refused(daemon)->option, "-daemonize");
	assert_string_equal(qemuargs_refused(daemon2)->option, "-daemonize");
	assert_null(qemuargs_refused(fine));
	assert_int_equal(parse(&o, "--", "-daemonize", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "--", "-nographic", NULL), 0);
	boot_options_free(&o);
}

/* The hints for a console that showed text (NULL: nothing at all), with boot options. */
static void hints_for(const char *console_text, char *buf, size_t size, ...)
{
	struct boot_options o;
	struct console con;
	va_list ap;

	va_start(ap, size);
	assert_int_equal(vparse(&o, ap), 0);
	va_end(ap);
	console_init(&con, -1, NULL, NULL);
	if (console_text)
		console_feed(&con, console_text, strlen(console_text));
	boot_ready_hints(&o, &con, buf, size);
	boot_options_free(&o);
}

#define KERNEL_TEXT "[    0.000000] Linux version 6.1.0\r\n[    1.2] Freeing unused memory\r\n"

static void ready_hints(void **state)
{
	char h[512];

	(void)state;
	hints_for(NULL, h, sizeof(h), NULL);
	assert_non_null(strstr(h, "no console output at all"));
	hints_for(KERNEL_TEXT, h, sizeof(h), NULL);
	assert_non_null(strstr(h, "kernel output but no softoff-agent line: no agent"));
	hints_for(KERNEL_TEXT, h, sizeof(h), "--append", "root=/dev/vda quiet", NULL);
	assert_non_null(strstr(h, "'quiet'/'loglevel=' in --append hide kmsg lines"));
	hints_for(KERNEL_TEXT, h, sizeof(h), "--append", "loglevel=3", NULL);
	assert_non_null(strstr(h, "'quiet'/'loglevel=' in --append"));
	hints_for(KERNEL_TEXT, h, sizeof(h), "--append", "notquiet=1", NULL);
	assert_null(strstr(h, "'quiet'"));
	hints_for(KERNEL_TEXT "[ 2.0] softoff-agent: waiting for a power button (buttons = acpi)"
		  " in /dev/input\r\n", h, sizeof(h), "--append", "acpi=off", NULL);
	assert_non_null(strstr(h, "the agent found no power button: the evdev/button modules"));
	assert_non_null(strstr(h, "acpi=off in --append"));
	assert_non_null(strstr(h, "last line: 'softoff-agent: waiting for a power button"));
	/* --ready: the agent's lines say nothing about someone else's ready line */
	hints_for(KERNEL_TEXT, h, sizeof(h), "--ready", "^acpid started", NULL);
	assert_string_equal(h, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(presses),
		cmocka_unit_test(press_when),
		cmocka_unit_test(presses_bad),
		cmocka_unit_test(ready_regex),
		cmocka_unit_test(ready_given_twice_keeps_the_last),
		cmocka_unit_test(ready_bad),
		cmocka_unit_test(debug_exit),
		cmocka_unit_test(help_and_unknown),
		cmocka_unit_test(refused_qemu_options),
		cmocka_unit_test(ready_hints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
