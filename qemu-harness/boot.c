/* `softoff-qemu boot`: options, QEMU's command line, the KVM-then-TCG retry, and the
 * verdict (one summary line, optional TAP, a documented exit status). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "softoff/exit_status.h"

#include "boot.h"
#include "cli.h"
#include "clock.h"
#include "log.h"
#include "qemuargs.h"
#include "sigwatch.h"

#define BOOT_FIXED_ARGS 24 /* our own options before the disks and EXTRA-QEMU-ARGs */

static const char boot_help[] =
	"Usage: softoff-qemu boot --kernel FILE --initrd FILE [OPTION...] [-- EXTRA-QEMU-ARG...]\n"
	"\n"
	"A CI boot test: boot the guest, wait until softoff-agent listens for the power button,\n"
	"press it, and check that QEMU exits with the expected status.\n"
	"\n"
	"  --kernel FILE       kernel image (required)\n"
	"  --initrd FILE       initramfs image (required)\n"
	"  --append TEXT       kernel command line; 'console=ttyS0 panic=-1' is always added\n"
	"  --machine TYPE      QEMU machine type (default q35)\n"
	"  --memory SIZE       guest memory (default 256M)\n"
	"  --accel MODE        tcg (default), kvm, or auto: KVM when /dev/kvm opens, and if the\n"
	"                      guest shows no console output within 10 s or QEMU stops it\n"
	"                      (internal-error), say so and boot again under TCG\n"
	"  --disk FILE         add FILE as a raw virtio disk (repeatable, up to 16)\n"
	"  --expect WHAT       what passes (default poweroff):\n"
	"                        poweroff  clean power-off after the press: QEMU status 99\n"
	"                        guest:N   the payload (softoff-agent run) exited N: QEMU\n"
	"                                  status 129+2N; implies --press never\n"
	"                        qemu:N    QEMU's raw exit status N\n"
	"  --press WHEN        armed (default): when the ready line comes (see --ready);\n"
	"                      SECONDS after QEMU starts; or never.\n"
	"                      Pressed again every 2 s until QEMU reports SHUTDOWN.\n"
	"  --presses N         the first press is N system_powerdown (1..100, default 1), back\n"
	"                      to back or --press-interval apart; re-presses are single\n"
	"  --press-interval SECONDS\n"
	"                      the time between those N presses (default 0)\n"
	"  --ready REGEX       the ready line: a console line matching this extended regex\n"
	"                      (printk timestamp removed); default: a line that starts\n"
	"                      'softoff-agent: armed'. The \"boot\" time ends at it.\n"
	"  --debug-exit DEVICE\n"
	"                      the isa-debug-exit device as a -device value (default\n"
	"                      " BOOT_DEBUG_EXIT "), or none\n"
	"  --timeout SECONDS   limit for the whole test (default 120)\n"
	"  --console FILE      keep the guest's serial console in FILE\n"
	"  --verbose           echo the serial console on stdout, log QMP traffic\n"
	"  --quiet             print nothing when the test passes\n"
	"  --tap               print the result as TAP (1..1, ok / not ok) with the figures in\n"
	"                      a YAML block: qemu-status, boot-ms, power-off-ms, presses,\n"
	"                      total-ms (docs/harness.md)\n"
	"  --qemu BINARY       QEMU to run (default qemu-system-x86_64)\n"
	"  -h, --help          this text\n"
	"\n"
	"QEMU runs with: -machine TYPE -accel MODE -m SIZE -nodefaults -no-reboot -display none\n"
	"-device " BOOT_DEBUG_EXIT " -kernel -initrd -append, virtio disks, the\n"
	"serial console and a QMP monitor on socketpairs, then EXTRA-QEMU-ARGs. Its stdin is\n"
	"/dev/null; its own stdout/stderr are captured and printed when the test fails.\n"
	"-daemonize is refused. With -no-shutdown or -action shutdown=pause, QEMU is ended at\n"
	"the guest's SHUTDOWN (guest-shutdown) and its status judged as 0.\n"
	"\n"
	"Exit status:\n"
	"  0      pass: QEMU exited with the expected status\n"
	"  1      mismatch: the guest ended with another status (the summary says which)\n"
	"  2      usage error (also -daemonize), or --kernel/--initrd/--disk cannot be read\n"
	"         (QEMU not started)\n"
	"  3      timeout: no exit within --timeout (the console's last lines are printed;\n"
	"         without a ready line, the likely causes)\n"
	"  4      the guest kernel panicked or the guest reset (panic=-1 + -no-reboot)\n"
	"  5      QEMU failed to start, or its QMP monitor failed\n"
	"  6      QEMU was killed by a signal softoff-qemu did not send\n"
	"  128+N  softoff-qemu got signal N (INT, TERM, HUP, QUIT) and stopped QEMU\n";

enum { OPT_KERNEL = 256, OPT_INITRD, OPT_APPEND, OPT_MACHINE, OPT_MEMORY, OPT_ACCEL, OPT_DISK,
       OPT_EXPECT, OPT_PRESS, OPT_TIMEOUT, OPT_CONSOLE, OPT_QUIET, OPT_VERBOSE, OPT_TAP,
       OPT_QEMU, OPT_PRESSES, OPT_PRESS_INTERVAL, OPT_READY, OPT_DEBUG_EXIT };

static const struct option boot_longopts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "machine", required_argument, NULL, OPT_MACHINE },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "disk", required_argument, NULL, OPT_DISK },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "press", required_argument, NULL, OPT_PRESS },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "tap", no_argument, NULL, OPT_TAP },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "presses", required_argument, NULL, OPT_PRESSES },
	{ "press-interval", required_argument, NULL, OPT_PRESS_INTERVAL },
	{ "ready", required_argument, NULL, OPT_READY },
	{ "debug-exit", required_argument, NULL, OPT_DEBUG_EXIT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* ---- options --------------------------------------------------------------------------- */

static int boot_parse_expect(struct boot_options *o, const char *text)
{
	long n;

	if (strcmp(text, "poweroff") == 0) {
		o->expect_status = softoff_qemu_status(SOFTOFF_EXIT_POWEROFF);
		snprintf(o->expect_text, sizeof(o->expect_text), "clean power-off (status %d)",
			 o->expect_status);
	} else if (strncmp(text, "guest:", 6) == 0 &&
		   cli_parse_int(text + 6, 0, SOFTOFF_EXIT_PAYLOAD_MAX - 1, &n) == 0) {
		o->expect_status = softoff_qemu_status(softoff_encode_payload((int)n));
		o->expect_payload = true;
		snprintf(o->expect_text, sizeof(o->expect_text), "payload exit %ld (status %d)",
			 n, o->expect_status);
	} else if (strncmp(text, "qemu:", 5) == 0 && cli_parse_int(text + 5, 0, 255, &n) == 0) {
		o->expect_status = (int)n;
		snprintf(o->expect_text, sizeof(o->expect_text), "QEMU status %ld", n);
	} else {
		return -EINVAL;
	}
	return 0;
}

static int boot_parse_press(struct boot_options *o, const char *text)
{
	o->press_given = true;
	if (strcmp(text, "armed") == 0)
		o->press = BOOT_PRESS_ARMED;
	else if (strcmp(text, "never") == 0)
		o->press = BOOT_PRESS_NEVER;
	else if (cli_parse_duration(text, &o->press_after_ms) == 0)
		o->press = BOOT_PRESS_AFTER;
	else
		return -EINVAL;
	return 0;
}

static int boot_parse_accel(struct boot_options *o, const char *text)
{
	if (strcmp(text, "auto") == 0)
		o->accel = BOOT_ACCEL_AUTO;
	else if (strcmp(text, "tcg") == 0)
		o->accel = BOOT_ACCEL_TCG;
	else if (strcmp(text, "kvm") == 0)
		o->accel = BOOT_ACCEL_KVM;
	else
		return -EINVAL;
	return 0;
}

/* --ready: a later one replaces an earlier one. */
static int boot_parse_ready(struct boot_options *o, const char *text)
{
	if (o->ready_text)
		regfree(&o->ready);
	o->ready_text = NULL;
	if (regcomp(&o->ready, text, REG_EXTENDED | REG_NOSUB) != 0)
		return -EINVAL;
	o->ready_text = text;
	return 0;
}

/* When and how often to press, and what the guest exits through: --press, --presses,
 * --press-interval, --ready, --debug-exit. 0, or a usage error status. */
static int boot_parse_press_option(struct boot_options *o, int opt, const char *arg)
{
	long n;

	switch (opt) {
	case OPT_PRESS:
		if (boot_parse_press(o, arg) < 0)
			return cli_usage_error("boot", "--press: '%s' is not armed, never or a "
					       "number of seconds", arg);
		break;
	case OPT_PRESSES:
		if (cli_parse_int(arg, 1, BOOT_MAX_PRESSES, &n) < 0)
			return cli_usage_error("boot", "--presses: '%s' is not a number from 1 to %d",
					       arg, BOOT_MAX_PRESSES);
		o->presses = (int)n;
		break;
	case OPT_PRESS_INTERVAL:
		if (cli_parse_duration(arg, &o->press_interval_ms) < 0)
			return cli_usage_error("boot", "--press-interval: '%s' is not a number of "
					       "seconds", arg);
		break;
	case OPT_READY:
		if (boot_parse_ready(o, arg) < 0)
			return cli_usage_error("boot", "--ready: '%s' is not an extended regular "
					       "expression", arg);
		break;
	case OPT_DEBUG_EXIT:
		o->debug_exit = strcmp(arg, "none") == 0 ? NULL : arg;
		break;
	default:
		return cli_usage_error("boot", "unknown option");
	}
	return 0;
}

/* One option; 0, or a usage error status. */
static int boot_parse_one(struct boot_options *o, int opt, const char *arg)
{
	switch (opt) {
	case OPT_KERNEL: o->kernel = arg; break;
	case OPT_INITRD: o->initrd = arg; break;
	case OPT_APPEND: o->append = arg; break;
	case OPT_MACHINE: o->machine = arg; break;
	case OPT_MEMORY: o->memory = arg; break;
	case OPT_CONSOLE: o->console_path = arg; break;
	case OPT_QEMU: o->qemu = arg; break;
	case OPT_QUIET: o->quiet = true; break;
	case OPT_VERBOSE: o->verbose = true; break;
	case OPT_TAP: o->tap = true; break;
	case OPT_ACCEL:
		if (boot_parse_accel(o, arg) < 0)
			return cli_usage_error("boot", "--accel: '%s' is not auto, tcg or kvm", arg);
		break;
	case OPT_DISK:
		if (o->n_disks >= BOOT_MAX_DISKS)
			return cli_usage_error("boot", "at most %d --disk options", BOOT_MAX_DISKS);
		o->disks[o->n_disks++] = arg;
		break;
	case OPT_EXPECT:
		if (boot_parse_expect(o, arg) < 0)
			return cli_usage_error("boot", "--expect: '%s' is not poweroff, guest:N "
					       "(0..62) or qemu:N (0..255)", arg);
		break;
	case OPT_TIMEOUT:
		if (cli_parse_duration(arg, &o->timeout_ms) < 0 || o->timeout_ms == 0)
			return cli_usage_error("boot", "--timeout: '%s' is not a number of seconds",
					       arg);
		break;
	default:
		return boot_parse_press_option(o, opt, arg);
	}
	return 0;
}

static void boot_defaults(struct boot_options *o)
{
	memset(o, 0, sizeof(*o));
	o->qemu = "qemu-system-x86_64";
	o->machine = "q35";
	o->memory = "256M";
	o->append = "";
	o->accel = BOOT_ACCEL_TCG;
	o->timeout_ms = 120000;
	o->presses = 1;
	o->debug_exit = BOOT_DEBUG_EXIT;
	(void)boot_parse_expect(o, "poweroff");
}

/* Checks each input file can be opened, so a typo never starts QEMU. */
static int boot_check_file(const char *what, const char *path)
{
	int fd;

	if (!path)
		return cli_usage_error("boot", "%s FILE is required", what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "softoff-qemu boot: open %s '%s': %s (QEMU not started)\n", what,
			path, strerror(errno));
		return CLI_USAGE;
	}
	(void)close(fd);
	return 0;
}

static int boot_check_inputs(struct boot_options *o)
{
	int r = boot_check_file("--kernel", o->kernel);

	if (r == 0)
		r = boot_check_file("--initrd", o->initrd);
	for (int i = 0; r == 0 && i < o->n_disks; i++)
		r = boot_check_file("--disk", o->disks[i]);
	if (r == 0 && o->console_path) {
		o->console_file = fopen(o->console_path, "we");
		if (!o->console_file) {
			fprintf(stderr, "softoff-qemu boot: create --console '%s': %s\n",
				o->console_path, strerror(errno));
			r = CLI_USAGE;
		}
	}
	return r;
}

void boot_options_free(struct boot_options *o)
{
	if (o->ready_text)
		regfree(&o->ready);
	o->ready_text = NULL;
	if (o->console_file)
		(void)fclose(o->console_file);
	o->console_file = NULL;
}

int boot_parse_options(struct boot_options *o, int argc, char **argv)
{
	const struct qemuargs_refusal *refusal;
	int r = 0;
	int opt;

	boot_defaults(o);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", boot_longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(boot_help, stdout);
			r = -1;
		} else if (opt == '?' || opt == ':') {
			r = cli_usage_error("boot", "unknown option or missing value: '%s'",
					    argv[optind - 1]);
		} else {
			r = boot_parse_one(o, opt, optarg);
		}
		if (r)
			goto fail;
	}
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
		r = cli_usage_error("boot", "unexpected argument '%s' (QEMU arguments go after --)",
				    argv[optind]);
		goto fail;
	}
	o->extra = argv + optind;
	refusal = qemuargs_refused(o->extra);
	if (refusal) {
		r = cli_usage_error("boot", "cannot run QEMU with '%s': %s", refusal->option,
				    refusal->why);
		goto fail;
	}
	if (o->expect_payload && !o->press_given)
		o->press = BOOT_PRESS_NEVER;
	if (o->verbose)
		log_set_level(LOG_LEVEL_DEBUG);
	r = boot_check_inputs(o);
	if (r == 0)
		return 0;
fail:
	boot_options_free(o);
	return r;
}

/* ---- QEMU's command line ------------------------------------------------------------- */

struct boot_argv {
	char **v;
	int n, cap;
	char *owned[BOOT_MAX_DISKS + 2];
	int n_owned;
};

static void boot_arg(struct boot_argv *a, const char *arg)
{
	if (a->v && a->n < a->cap - 1)
		a->v[a->n++] = (char *)arg;
}

static char *boot_own(struct boot_argv *a, char *s)
{
	a->owned[a->n_owned++] = s;
	return s;
}

/* A -drive value: commas in a file name are doubled for QEMU's option parser. */
static char *boot_drive_arg(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(2 * n + 40), *p = out;

	if (!out)
		return NULL;
	p += sprintf(p, "file=");
	for (size_t i = 0; i < n; i++) {
		*p++ = path[i];
		if (path[i] == ',')
			*p++ = ',';
	}
	strcpy(p, ",if=virtio,format=raw");
	return out;
}

static void boot_build_argv(const struct boot_options *o, const char *accel, struct boot_argv *a)
{
	char *append = NULL;
	int n_extra = 0;

	while (o->extra[n_extra])
		n_extra++;
	memset(a, 0, sizeof(*a));
	a->cap = BOOT_FIXED_ARGS + 2 * o->n_disks + n_extra + 1;
	a->v = calloc((size_t)a->cap, sizeof(*a->v));
	(void)!asprintf(&append, "console=ttyS0 panic=-1%s%s", *o->append ? " " : "", o->append);
	const char *fixed[] = { o->qemu, "-machine", o->machine, "-accel", accel, "-m", o->memory,
				"-nodefaults", "-no-reboot", "-display", "none", "-kernel", o->kernel,
				"-initrd", o->initrd, "-append", boot_own(a, append) };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		boot_arg(a, fixed[i]);
	if (o->debug_exit) {
		boot_arg(a, "-device");
		boot_arg(a, o->debug_exit);
	}
	for (int i = 0; i < o->n_disks; i++) {
		boot_arg(a, "-drive");
		boot_arg(a, boot_own(a, boot_drive_arg(o->disks[i])));
	}
	for (int i = 0; i < n_extra; i++)
		boot_arg(a, o->extra[i]);
}

static void boot_free_argv(struct boot_argv *a)
{
	for (int i = 0; i < a->n_owned; i++)
		free(a->owned[i]);
	free(a->v);
}

/* ---- the verdict ---------------------------------------------------------------------- */

struct boot_verdict {
	int status;
	char text[1024];
	bool show_console, show_output;
};

/* What QEMU's exit status says the guest did, in words. */
static void boot_describe_status(int status, char *buf, size_t size)
{
	struct softoff_decoded d = softoff_decode(status);

	switch (d.outcome) {
	case SOFTOFF_OUTCOME_POWEROFF:
		snprintf(buf, size, "guest powered off cleanly (status %d)", status);
		break;
	case SOFTOFF_OUTCOME_PAYLOAD:
		snprintf(buf, size, "payload exited %d (status %d)", d.payload_status, status);
		break;
	case SOFTOFF_OUTCOME_PAYLOAD_SIGNALED:
		snprintf(buf, size, "payload was killed by a signal (status %d)", status);
		break;
	case SOFTOFF_OUTCOME_AGENT_FAILURE:
		snprintf(buf, size, "softoff-agent reported a failure (status %d)", status);
		break;
	case SOFTOFF_OUTCOME_NOT_DEBUG_EXIT:
		snprintf(buf, size, "QEMU exited 0: the guest did not use isa-debug-exit");
		break;
	case SOFTOFF_OUTCOME_QEMU_ERROR:
		snprintf(buf, size, "QEMU exited 1 (its own error, or isa-debug-exit value 0)");
		break;
	default:
		snprintf(buf, size, "QEMU exited %d (not a softoff status)", status);
	}
}

static bool boot_guest_crashed(const struct session *s, const struct boot_result *r)
{
	return r->guest_panicked || s->console.panic_line[0] ||
	       strcmp(r->shutdown_reason, "guest-panic") == 0 ||
	       strcmp(r->shutdown_reason, "guest-reset") == 0;
}

static void boot_verdict_crash(const struct session *s, const struct boot_result *r,
			       struct boot_verdict *v)
{
	v->status = CLI_BOOT_PANIC;
	v->show_console = true;
	if (s->console.panic_line[0])
		snprintf(v->text, sizeof(v->text), "guest kernel panicked: %s",
			 s->console.panic_line);
	else if (r->guest_panicked)
		snprintf(v->text, sizeof(v->text), "guest panicked (GUEST_PANICKED event)");
	else
		snprintf(v->text, sizeof(v->text), "guest reset (SHUTDOWN reason %s)",
			 r->shutdown_reason);
}

/* Whether the kernel command line has word, or (word ending in '=') a word starting so. */
static bool boot_append_has(const char *append, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = append; (p = strstr(p, word)); p += n) {
		bool starts = p == append || p[-1] == ' ';
		bool ends = word[n - 1] == '=' || p[n] == '\0' || p[n] == ' ';

		if (starts && ends)
			return true;
	}
	return false;
}

/* Appends one cause to the "; "-separated list in buf. */
static void boot_hint(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void boot_hint(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len > 0)
		snprintf(buf + len, size - len, "; ");
	len = strlen(buf);
	va_start(ap, fmt);
	(void)vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* What the console shows about the ready line that did not come. */
static void boot_console_hints(const struct boot_options *o, const struct console *con,
			       char *buf, size_t size)
{
	bool quiet = boot_append_has(o->append, "quiet") || boot_append_has(o->append, "loglevel=");

	if (con->last_output_ms < 0) {
		boot_hint(buf, size, "no console output at all: the kernel writes to no port "
			  "softoff-qemu reads (wrong console= for this machine, or an extra -serial "
			  "took ttyS0), or it did not start");
	} else if (o->ready_text) {
		return;
	} else if (!con->agent_line[0] && quiet) {
		boot_hint(buf, size, "'quiet'/'loglevel=' in --append hide kmsg lines at notice "
			  "level, where older agents log their armed line");
	} else if (!con->agent_line[0]) {
		boot_hint(buf, size, "kernel output but no softoff-agent line: no agent in the "
			  "image, or /init did not start it");
	} else if (strstr(con->agent_line, "waiting for a power button")) {
		boot_hint(buf, size, "the agent found no power button: the evdev/button modules "
			  "are missing or not for this kernel, or there is no ACPI");
	}
}

void boot_ready_hints(const struct boot_options *o, const struct console *con, char *buf,
		      size_t size)
{
	buf[0] = '\0';
	boot_console_hints(o, con, buf, size);
	if (boot_append_has(o->append, "acpi=off"))
		boot_hint(buf, size, "acpi=off in --append: no ACPI, so no power button");
	if (con->agent_line[0] && !o->ready_text)
		boot_hint(buf, size, "the agent's last line: '%s'", con->agent_line);
}

static void boot_verdict_timeout(const struct boot_options *o, const struct session *s,
				 const struct boot_result *r, struct boot_verdict *v)
{
	char hints[512];

	v->status = CLI_BOOT_TIMEOUT;
	v->show_console = true;
	if (r->press_ms >= 0)
		snprintf(v->text, sizeof(v->text), "timeout after %.0f s: the guest did not power "
			 "off after %d press%s", o->timeout_ms / 1000.0, r->presses,
			 r->presses == 1 ? "" : "es");
	else if (o->press == BOOT_PRESS_ARMED && s->console.ready_ms < 0) {
		boot_ready_hints(o, &s->console, hints, sizeof(hints));
		snprintf(v->text, sizeof(v->text), "timeout after %.0f s: no '%.100s' line on the "
			 "console%s%s", o->timeout_ms / 1000.0,
			 o->ready_text ? o->ready_text : CONSOLE_ARMED_PREFIX,
			 hints[0] ? "; likely: " : "", hints);
	}
	else
		snprintf(v->text, sizeof(v->text), "timeout after %.0f s: the guest did not exit",
			 o->timeout_ms / 1000.0);
}

static void boot_verdict_exit(const struct boot_options *o, const struct session *s,
			      const struct boot_result *r, struct boot_verdict *v)
{
	int status = WEXITSTATUS(s->vm.wait_status);
	char what[160];

	boot_describe_status(status, what, sizeof(what));
	if (status == o->expect_status) {
		v->status = CLI_OK;
		snprintf(v->text, sizeof(v->text), "%s", what);
	} else if (boot_guest_crashed(s, r)) {
		boot_verdict_crash(s, r, v);
	} else {
		v->status = CLI_BOOT_MISMATCH;
		v->show_console = v->show_output = true;
		snprintf(v->text, sizeof(v->text), "expected %s, got: %s%s%s", o->expect_text,
			 what, r->shutdown_seen ? "; SHUTDOWN reason " : "",
			 r->shutdown_seen ? r->shutdown_reason : "");
	}
}

static void boot_verdict_launch(const struct session *s, const struct boot_result *r,
				struct boot_verdict *v, const char *start_err)
{
	char how[96];

	v->status = CLI_BOOT_LAUNCH;
	v->show_output = true;
	vm_describe_exit(s->vm.wait_status, how, sizeof(how));
	if (start_err)
		snprintf(v->text, sizeof(v->text), "QEMU failed to start: %s", start_err);
	else if (!r->launched && s->vm.exited && WIFEXITED(s->vm.wait_status))
		snprintf(v->text, sizeof(v->text), "QEMU %s before its QMP monitor was ready", how);
	else if (s->qmp && qmp_client_error(s->qmp))
		snprintf(v->text, sizeof(v->text), "QEMU's QMP monitor failed: %s",
			 qmp_client_error(s->qmp));
	else
		snprintf(v->text, sizeof(v->text), "QEMU's QMP monitor did not answer");
}

static void boot_judge(const struct boot_options *o, const struct session *s,
		       const struct boot_result *r, struct boot_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (r->interrupted_by) {
		v->status = CLI_SIGNALED_BASE + r->interrupted_by;
		snprintf(v->text, sizeof(v->text), "interrupted by SIG%s",
			 sigwatch_name(r->interrupted_by));
	} else if (!r->launched || (r->qmp_broken && !r->shutdown_seen)) {
		boot_verdict_launch(s, r, v, NULL);
	} else if (r->timed_out) {
		boot_verdict_timeout(o, s, r, v);
	} else if (WIFSIGNALED(s->vm.wait_status)) {
		v->status = CLI_BOOT_KILLED;
		v->show_console = v->show_output = true;
		vm_describe_exit(s->vm.wait_status, v->text + 5, sizeof(v->text) - 5);
		memcpy(v->text, "QEMU ", 5);
	} else {
		boot_verdict_exit(o, s, r, v);
	}
}

/* ---- the report ----------------------------------------------------------------------- */

static void boot_timing(const struct session *s, const struct boot_result *r, char *buf,
			size_t size)
{
	int64_t total = s->exit_ms - s->start_ms;
	int n = snprintf(buf, size, " in %.1f s", total / 1000.0);

	if (s->console.ready_ms >= 0 && r->press_ms >= 0)
		snprintf(buf + n, size - (size_t)n, ": boot %.1f s, power-off %.2f s",
			 (s->console.ready_ms - s->start_ms) / 1000.0,
			 (s->exit_ms - r->press_ms) / 1000.0);
	else if (s->console.ready_ms >= 0)
		snprintf(buf + n, size - (size_t)n, ": boot %.1f s",
			 (s->console.ready_ms - s->start_ms) / 1000.0);
}

/* Whether QEMU ended by itself (not stopped by us), so that its status is the guest's. */
static bool boot_qemu_ended_alone(const struct session *s, const struct boot_result *r)
{
	return r->launched && !r->timed_out && !r->interrupted_by && !r->qmp_broken &&
	       s->vm.exited && WIFEXITED(s->vm.wait_status);
}

/* TAP's YAML block after the test line: the figures, for scripts (only those known). */
static void boot_tap_figures(const struct session *s, const struct boot_result *r)
{
	printf("  ---\n");
	if (boot_qemu_ended_alone(s, r))
		printf("  qemu-status: %d\n", WEXITSTATUS(s->vm.wait_status));
	if (s->console.ready_ms >= 0)
		printf("  boot-ms: %lld\n", (long long)(s->console.ready_ms - s->start_ms));
	if (r->press_ms >= 0 && boot_qemu_ended_alone(s, r))
		printf("  power-off-ms: %lld\n", (long long)(s->exit_ms - r->press_ms));
	printf("  presses: %d\n", r->presses);
	if (s->exit_ms >= 0)
		printf("  total-ms: %lld\n", (long long)(s->exit_ms - s->start_ms));
	printf("  ...\n");
}

static void boot_report(const struct boot_options *o, const struct session *s,
			const struct boot_result *r, const struct boot_verdict *v)
{
	FILE *out = v->status == CLI_OK ? stdout : stderr;
	char timing[96] = "";

	if (v->status == CLI_OK || v->status == CLI_BOOT_MISMATCH || v->status == CLI_BOOT_PANIC)
		boot_timing(s, r, timing, sizeof(timing));
	if (o->tap) {
		printf("TAP version 13\n1..1\n%s 1 - %s%s\n", v->status == CLI_OK ? "ok" : "not ok",
		       v->text, timing);
		boot_tap_figures(s, r);
		out = stdout;
	} else if (!(o->quiet && v->status == CLI_OK)) {
		fprintf(out, "%s %s%s\n", v->status == CLI_OK ? "PASS" : "FAIL", v->text, timing);
	}
	if (v->show_console && s->console.tail.len > 0) {
		fprintf(out, "%slast console lines:\n", o->tap ? "# " : "");
		tail_print(&s->console.tail, out, 25, o->tap ? "#   | " : "  | ");
	}
	if ((v->show_output || v->status == CLI_BOOT_LAUNCH) && s->output.len > 0) {
		fprintf(out, "%sQEMU's output:\n", o->tap ? "# " : "");
		tail_print(&s->output, out, 25, o->tap ? "#   qemu: " : "  qemu: ");
	}
	(void)fflush(stdout);
}

/* ---- the subcommand ------------------------------------------------------------------- */

/* TCG, KVM, or (auto) KVM when /dev/kvm can be opened. */
static bool boot_want_kvm(const struct boot_options *o)
{
	int fd;

	if (o->accel != BOOT_ACCEL_AUTO)
		return o->accel == BOOT_ACCEL_KVM;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	(void)close(fd);
	return true;
}

/* Runs attempts (KVM first when auto allows it) and returns the exit status. */
static int boot_run(struct boot_options *o, struct session *s)
{
	bool kvm = boot_want_kvm(o);
	int64_t start = clock_now_ms();
	struct boot_result r;
	struct boot_verdict v;
	struct boot_argv a;
	char err[256];
	int rc;

	for (;;) {
		boot_build_argv(o, kvm ? "kvm" : "tcg", &a);
		if (!a.v) {
			log_error("build QEMU's command line: %s", strerror(ENOMEM));
			return CLI_BOOT_LAUNCH;
		}
		rc = boot_attempt(o, s, a.v, kvm && o->accel == BOOT_ACCEL_AUTO, &r, err, sizeof(err));
		boot_free_argv(&a);
		if (rc < 0 || !r.kvm_broken)
			break;
		log_info("KVM does not work here (%s): booting again under TCG", r.kvm_reason);
		session_end(s);
		kvm = false;
		o->timeout_ms -= clock_now_ms() - start;
		if (o->timeout_ms < 1000)
			o->timeout_ms = 1000;
	}
	memset(&v, 0, sizeof(v));
	if (rc < 0)
		boot_verdict_launch(s, &r, &v, err);
	else
		boot_judge(o, s, &r, &v);
	boot_report(o, s, &r, &v);
	session_end(s);
	return v.status;
}

int boot_main(int argc, char **argv)
{
	struct boot_options o;
	struct session s;
	int r = boot_parse_options(&o, argc, argv);

	if (r != 0)
		return r < 0 ? CLI_OK : r;
	r = session_init(&s);
	if (r < 0) {
		log_error("watch signals: %s", strerror(-r));
		return CLI_BOOT_LAUNCH;
	}
	session_die_with_parent(SIGTERM);
	r = boot_run(&o, &s);
	boot_options_free(&o);
	return r;
}
