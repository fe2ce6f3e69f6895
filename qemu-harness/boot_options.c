/* `softoff-qemu boot`'s command line: options, their defaults and checks, and the input
 * files opened before QEMU starts, so that a typo never starts it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "cli.h"
#include "log.h"
#include "qemuargs.h"

#define BOOT_HELP \
	"Usage: softoff-qemu boot --kernel FILE [--initrd FILE] [OPTION...] [-- EXTRA-QEMU-ARG...]\n" \
	"\n" \
	"A CI boot test: boot the guest, wait until softoff-agent listens for the power button,\n" \
	"press it, and check that QEMU exits with the expected status.\n" \
	"\n" \
	"  --kernel FILE       kernel image (required)\n" \
	"  --initrd FILE       initramfs image; without it, softoff-qemu makes one in memory\n" \
	"                      (see \"Without --initrd\" below)\n" \
	"  --agent FILE        without --initrd: the static softoff-agent to put in as /init\n" \
	"                      (default: softoff-agent next to softoff-qemu, else\n" \
	"                      " ARCH_X86_64_AGENT_INSTALLED "; aarch64: " ARCH_AARCH64_AGENT "\n" \
	"                      next to softoff-qemu, as make agent-arm64 builds it)\n" \
	"  --modules DIR       without --initrd: the kernel's modules, a lib/modules/RELEASE\n" \
	"                      directory or a root that holds lib/modules/RELEASE\n" \
	"  --payload FILE      without --initrd: a static program the agent runs as the\n" \
	"                      payload (softoff-agent run " EMBED_PAYLOAD "); use --expect guest:N\n" \
	"  --save-initrd FILE  without --initrd: also write the image made to FILE\n" \
	"  --append TEXT       kernel command line; always added in front:\n" \
	"                      '" ARCH_X86_64_APPEND "' (x86_64),\n" \
	"                      '" ARCH_AARCH64_APPEND "' (aarch64)\n" \
	"  --arch ARCH         the guest's architecture, x86_64 or aarch64 (default: read from\n" \
	"                      the kernel image); it picks the defaults below, the -cpu\n" \
	"                      (aarch64: cortex-a57) and the console\n" \
	"  --machine TYPE      QEMU machine type (default q35; aarch64: virt)\n" \
	"  --firmware FILE     the firmware, as -bios FILE, or none (default none: QEMU's own;\n" \
	"                      aarch64: " ARCH_AARCH64_FIRMWARE ",\n" \
	"                      UEFI, which gives the kernel ACPI and so a power button)\n" \
	"  --memory SIZE       guest memory (default 256M)\n" \
	"  --accel MODE        tcg (default), kvm, or auto: KVM when /dev/kvm opens (and the\n" \
	"                      guest is of the host's architecture), and if the\n" \
	"                      guest shows no console output within " CLI_STR(BOOT_KVM_PROBE_S) " s or QEMU stops it\n" \
	"                      (internal-error), say so and boot again under TCG\n" \
	"  --disk FILE         add FILE as a raw virtio disk (repeatable, up to " CLI_STR(BOOT_MAX_DISKS) ")\n" \
	"  --expect WHAT       what passes (default poweroff):\n" \
	"                        poweroff  clean power-off after the press: QEMU status %d\n" \
	"                        guest:N   the payload (softoff-agent run) exited N: QEMU\n" \
	"                                  status 129+2N; implies --press never\n" \
	"                        qemu:N    QEMU's raw exit status N\n" \
	"  --press WHEN        armed (default): when the ready line comes (see --ready);\n" \
	"                      SECONDS after QEMU starts; or never.\n" \
	"                      Pressed again every " CLI_STR(SESSION_REPRESS_S) " s until QEMU reports SHUTDOWN.\n" \
	"  --presses N         the first press is N system_powerdown (1.." CLI_STR(BOOT_MAX_PRESSES) ", default 1), back\n" \
	"                      to back or --press-interval apart; re-presses are single\n" \
	"  --press-interval SECONDS\n" \
	"                      the time between those N presses (default 0)\n" \
	"  --ready REGEX       the ready line: a console line matching this extended regex\n" \
	"                      (printk timestamp removed); default: a line that starts\n" \
	"                      'softoff-agent: armed'. The \"boot\" time ends at it.\n" \
	"  --debug-exit DEVICE\n" \
	"                      the device the guest exits QEMU through with a status, or none:\n" \
	"                      x86_64: isa-debug-exit as a -device value (default\n" \
	"                      " ARCH_X86_64_EXIT "); aarch64: semihosting, the\n" \
	"                      -semihosting-config value (default\n" \
	"                      " ARCH_AARCH64_EXIT ")\n" \
	"  --pvpanic DEVICE    the panic device as a -device value (default " ARCH_X86_64_PVPANIC ";\n" \
	"                      aarch64: " ARCH_AARCH64_PVPANIC "), or none: with the guest's pvpanic-mmio\n" \
	"                      or pvpanic-pci module loaded, a kernel panic is reported by\n" \
	"                      QEMU (GUEST_PANICKED), not only on the console\n" \
	"  --timeout SECONDS   limit for the whole test (default " CLI_STR(BOOT_TIMEOUT_S) ")\n" \
	"  --console FILE      keep the guest's serial console in FILE\n" \
	"  --verbose           echo the serial console on stdout, log QMP traffic\n" \
	"  --quiet             print nothing when the test passes\n" \
	"  --junit FILE        also write the result as JUnit XML to FILE: one testcase with\n" \
	"                      its time, a failure (the summary line) when it failed, the\n" \
	"                      console's last 16 KiB in system-out and QEMU's output in\n" \
	"                      system-err (XML-escaped, characters XML cannot hold removed)\n" \
	"  --tap               print the result as TAP (1..1; 1..2 with --ktap) with the\n" \
	"                      figures in a YAML block: qemu-status, boot-ms, power-off-ms,\n" \
	"                      presses, total-ms (docs/harness.md)\n" \
	"  --ktap              read KTAP (KUnit, kselftest) from the console: each test is\n" \
	"                      reported (--tap: test 2 with a nested subtest; --junit: a\n" \
	"                      testcase each), and a failed test, a plan not met, output that\n" \
	"                      ends inside a test, or no KTAP at all fail the boot (status " CLI_STR(CLI_BOOT_KTAP) ")\n" \
	"  --qemu BINARY       QEMU to run (default qemu-system-x86_64; aarch64:\n" \
	"                      qemu-system-aarch64)\n" \
	"  -h, --help          this text\n" \
	"\n" \
	"QEMU runs with: -machine TYPE -accel MODE -m SIZE -nodefaults -no-reboot -display none\n" \
	"-device " ARCH_X86_64_EXIT " -device " ARCH_X86_64_PVPANIC " -kernel -initrd\n" \
	"-append (aarch64: -cpu cortex-a57 -bios FIRMWARE -semihosting-config\n" \
	ARCH_AARCH64_EXIT " -device " ARCH_AARCH64_PVPANIC "), virtio disks, the serial\n" \
	"console and a QMP monitor on socketpairs, then EXTRA-QEMU-ARGs. Its stdin is\n" \
	"/dev/null; its own stdout/stderr are captured and printed when the test fails.\n" \
	"-daemonize is refused. With -no-shutdown or -action shutdown=pause, QEMU is ended at\n" \
	"the guest's SHUTDOWN (guest-shutdown, guest-reset, guest-panic) and its status judged\n" \
	"as 0.\n" \
	"\n" \
	"Without --initrd: an uncompressed newc cpio image, made in memory (QEMU reads it\n" \
	"from a memfd), holds the agent as /init, the modules it needs (evdev and the ACPI\n" \
	"button with their dependencies, unless modules.builtin lists them; uncompressed .ko\n" \
	"only), their list in " SOFTOFF_IMAGE_MODULES " and --payload's program, both static\n" \
	"for the guest's machine (x86-64 or arm64). The kernel's release comes from an x86\n" \
	"bzImage's boot header, or from the \"Linux version RELEASE (\" banner inside an\n" \
	"uncompressed arm64 Image; its modules from --modules, else the first of\n" \
	"KERNEL-DIR/root/lib/modules/RELEASE (make kernel), KERNEL-DIR/../lib/modules/RELEASE\n" \
	"and /lib/modules/RELEASE with a modules.dep.\n" \
	"\n" \
	"Exit status:\n" \
	"  " CLI_STR(CLI_OK) "      pass: QEMU exited with the expected status\n" \
	"  " CLI_STR(CLI_BOOT_MISMATCH) "      mismatch: the guest ended with another status (the summary says which)\n" \
	"  " CLI_STR(CLI_USAGE) "      usage error (also -daemonize), or --kernel/--initrd/--disk cannot be read,\n" \
	"         or --console/--junit cannot be created, or the kernel image's architecture\n" \
	"         is unknown (give --arch), or the firmware is missing, or without --initrd\n" \
	"         the image cannot be made: no release in the kernel image, an agent or\n" \
	"         payload not static for the guest's machine, a module missing (QEMU not\n" \
	"         started; the message says which)\n" \
	"  " CLI_STR(CLI_BOOT_TIMEOUT) "      timeout: no exit within --timeout, and no press (the console's last\n" \
	"         lines are printed; without a ready line, the likely causes)\n" \
	"  " CLI_STR(CLI_BOOT_PANIC) "      the guest kernel panicked: the summary quotes the console's panic line\n" \
	"         (pvpanic's GUEST_PANICKED when the console has none); QEMU is stopped\n" \
	"         " CLI_STR(BOOT_PANIC_GRACE_S) " s after the panic if it has not ended by itself\n" \
	"  " CLI_STR(CLI_BOOT_LAUNCH) "      QEMU failed to start, or its QMP monitor failed\n" \
	"  " CLI_STR(CLI_BOOT_KILLED) "      QEMU was killed by a signal softoff-qemu did not send\n" \
	"  " CLI_STR(CLI_BOOT_RESET) "      the guest reset (SHUTDOWN reason guest-reset: a reboot, which -no-reboot\n" \
	"         turns into QEMU's end) and the console shows no panic\n" \
	"  " CLI_STR(CLI_BOOT_QEMU_EXIT) "      QEMU exited by itself before the ready line, with a status the guest did\n" \
	"         not give it (not isa-debug-exit, no power-off, reset or panic)\n" \
	"  " CLI_STR(CLI_BOOT_NO_POWEROFF) "      timeout after the press: the guest did not power off within --timeout\n" \
	"  " CLI_STR(CLI_BOOT_KTAP) "     --ktap: the boot passed, but a KTAP test failed, fewer results came than\n" \
	"         planned, the output ended inside a test, it bailed out, or there was none\n" \
	"  " CLI_STR(CLI_SIGNALED_BASE) "+N  softoff-qemu got signal N (INT, TERM, HUP, QUIT) and stopped QEMU\n"

enum { OPT_KERNEL = 256, OPT_INITRD, OPT_APPEND, OPT_MACHINE, OPT_MEMORY, OPT_ACCEL, OPT_DISK,
       OPT_EXPECT, OPT_PRESS, OPT_TIMEOUT, OPT_CONSOLE, OPT_QUIET, OPT_VERBOSE, OPT_TAP,
       OPT_QEMU, OPT_PRESSES, OPT_PRESS_INTERVAL, OPT_READY, OPT_DEBUG_EXIT, OPT_PVPANIC,
       OPT_JUNIT, OPT_KTAP, OPT_AGENT, OPT_MODULES, OPT_PAYLOAD, OPT_SAVE_INITRD, OPT_ARCH,
       OPT_FIRMWARE };

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
	{ "pvpanic", required_argument, NULL, OPT_PVPANIC },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "ktap", no_argument, NULL, OPT_KTAP },
	{ "agent", required_argument, NULL, OPT_AGENT },
	{ "modules", required_argument, NULL, OPT_MODULES },
	{ "payload", required_argument, NULL, OPT_PAYLOAD },
	{ "save-initrd", required_argument, NULL, OPT_SAVE_INITRD },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "firmware", required_argument, NULL, OPT_FIRMWARE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

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
 * --press-interval, --ready, --debug-exit, --pvpanic. 0, or a usage error status. */
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
	case OPT_DEBUG_EXIT: o->debug_exit = arg; break;
	case OPT_PVPANIC: o->pvpanic = arg; break;
	default:
		return cli_usage_error("boot", "unhandled option '--%s'",
				       cli_option_name(boot_longopts, opt));
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
	case OPT_JUNIT: o->junit_path = arg; break;
	case OPT_QEMU: o->qemu = arg; break;
	case OPT_AGENT: o->embed.agent = arg; break;
	case OPT_MODULES: o->embed.modules = arg; break;
	case OPT_PAYLOAD: o->embed.payload = arg; break;
	case OPT_SAVE_INITRD: o->embed.save_path = arg; break;
	case OPT_ARCH: o->arch_name = arg; break;
	case OPT_FIRMWARE: o->firmware = arg; break;
	case OPT_QUIET: o->quiet = true; break;
	case OPT_VERBOSE: o->verbose = true; break;
	case OPT_TAP: o->tap = true; break;
	case OPT_KTAP: o->ktap = true; break;
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
	o->memory = "256M";
	o->append = "";
	o->accel = BOOT_ACCEL_TCG;
	o->timeout_ms = BOOT_TIMEOUT_S * 1000;
	o->presses = 1;
	o->embedded.fd = -1;
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

/* Creates an output file given on the command line (path NULL: not asked for). */
static int boot_create_output(const char *what, const char *path, FILE **f)
{
	if (!path)
		return 0;
	*f = fopen(path, "we");
	if (!*f) {
		fprintf(stderr, "softoff-qemu boot: create %s '%s': %s (QEMU not started)\n", what,
			path, strerror(errno));
		return CLI_USAGE;
	}
	return 0;
}

static int boot_check_inputs(struct boot_options *o)
{
	int r = boot_check_file("--kernel", o->kernel);

	if (r == 0 && o->initrd)
		r = boot_check_file("--initrd", o->initrd);
	for (int i = 0; r == 0 && i < o->n_disks; i++)
		r = boot_check_file("--disk", o->disks[i]);
	if (r == 0)
		r = boot_apply_arch(o);
	if (r == 0)
		r = boot_embed_prepare(o);
	if (r == 0)
		r = boot_create_output("--console", o->console_path, &o->console_file);
	if (r == 0)
		r = boot_create_output("--junit", o->junit_path, &o->junit_file);
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
	if (o->junit_file)
		(void)fclose(o->junit_file);
	o->junit_file = NULL;
	embed_free(&o->embedded);
}

/* After the options: EXTRA-QEMU-ARGs, what options imply, the input files. 0 or a status. */
static int boot_finish_options(struct boot_options *o, int argc, char **argv)
{
	const struct qemuargs_refusal *refusal;

	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		return cli_usage_error("boot", "unexpected argument '%s' (QEMU arguments go after "
				       "--)", argv[optind]);
	o->extra = argv + optind;
	refusal = qemuargs_refused(o->extra);
	if (refusal)
		return cli_usage_error("boot", "cannot run QEMU with '%s': %s", refusal->option,
				       refusal->why);
	if (o->expect_payload && !o->press_given)
		o->press = BOOT_PRESS_NEVER;
	if (o->verbose)
		log_set_level(LOG_LEVEL_DEBUG);
	return boot_check_inputs(o);
}

int boot_parse_options(struct boot_options *o, int argc, char **argv)
{
	int r = 0;
	int opt;

	boot_defaults(o);
	optind = 1;
	opterr = 0;
	while (r == 0 && (opt = getopt_long(argc, argv, "+h", boot_longopts, NULL)) != -1) {
		if (opt == 'h') {
			printf(BOOT_HELP, softoff_qemu_status(SOFTOFF_EXIT_POWEROFF));
			r = -1;
		} else if (opt == '?' || opt == ':') {
			r = cli_usage_error("boot", "unknown option or missing value: '%s'",
					    argv[optind - 1]);
		} else {
			r = boot_parse_one(o, opt, optarg);
		}
	}
	if (r == 0)
		r = boot_finish_options(o, argc, argv);
	if (r != 0)
		boot_options_free(o);
	return r;
}
