/* softoff-agent: makes a power-button press shut the VM down cleanly and leave QEMU with a
 * status the host can read. main() reads as its phases: the image's /init set-up (kernel
 * filesystems, console), arguments, config, log, modules, mode. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "earlyinit.h"
#include "exitport.h"
#include "handoff.h"
#include "log.h"
#include "loop.h"
#include "sequence.h"
#include "softoff/exit_status.h"
#include "softoff/image.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

enum agent_mode { MODE_DAEMON, MODE_POWEROFF, MODE_RUN, MODE_EXIT_PORT };

struct agent_args {
	enum agent_mode mode;
	const char *config;
	bool explicit_config;
	bool check_config;
	char **payload;
};

static void usage(int fd)
{
	dprintf(fd,
		"usage: softoff-agent [--config FILE] [--check-config]          wait for the power button\n"
		"       softoff-agent [--config FILE] poweroff                  shut down now, once\n"
		"       softoff-agent [--config FILE] run [--] CMD [ARG...]     run CMD, then exit QEMU with its status\n"
		"       softoff-agent [--config FILE] exit-port                 write exit-value to exit-port now\n"
		"       softoff-agent --help | --version\n\n"
		"On a power-button press (or SIGPWR, or signal 38 = SIGRTMIN+4): run the hooks, stop all\n"
		"processes, sync, unmount, write exit-value to the isa-debug-exit port (x86_64), or ask QEMU\n"
		"to exit with (exit-value << 1) | 1 by a semihosting SYS_EXIT call in a child (arm64), only\n"
		"on a machine identified as QEMU (see exit-port-guard); if still alive 1 s later, or the\n"
		"call trapped, or not QEMU, take the fallback. SIGTERM/SIGINT stop the daemon without\n"
		"powering off (ignored as PID 1).\n"
		"Under systemd (/run/systemd/system exists) a press starts systemd's poweroff.target instead\n"
		"(signal 38 to PID 1), unless systemd-logind runs and handles the power key; exit-port is then\n"
		"for /usr/lib/systemd/system-shutdown/ only (refused while systemd runs as PID 1).\n"
		"As PID 1 with /proc not mounted (the /init of an image without a shell): first mounts proc,\n"
		"sysfs and devtmpfs, opens /dev/console onto closed fds 0-2, and loads the modules listed in\n"
		SOFTOFF_IMAGE_MODULES " (one absolute .ko path a line) before looking for buttons.\n\n"
		"Config file (default " CONFIG_DEFAULT_PATH "; `key = value`, # comments; as root it must be\n"
		"owned by root and not writable by group or others):\n");
	config_print_keys(fd);
	dprintf(fd,
		"\nExit status: 0 ok; 1 runtime failure (e.g. still running after the shutdown; exit-port refused);\n"
		"2 usage or config error. run mode: if still running after everything, the payload's status.\n"
		"QEMU's status after the write (or the semihosting call): 99 power-off (0x31), 101 payload\n"
		"killed by a signal, 103 agent failure, 129+2s payload exited with s (0..63).\n");
}

/* What follows the options: nothing (daemon), `poweroff`, or `run [--] CMD [ARG...]`. */
static int parse_mode(int argc, char **argv, struct agent_args *a)
{
	const char *extra;

	if (argc == 0)
		return 0;
	if (!strcmp(argv[0], "poweroff") && argc == 1) {
		a->mode = MODE_POWEROFF;
		return 0;
	}
	if (!strcmp(argv[0], "exit-port") && argc == 1) {
		a->mode = MODE_EXIT_PORT;
		return 0;
	}
	if (!strcmp(argv[0], "run")) {
		int cmd = argc > 1 && !strcmp(argv[1], "--") ? 2 : 1;

		if (cmd >= argc) {
			dprintf(2, "softoff-agent: run needs a command: run -- CMD [ARG...]\n");
			return -EINVAL;
		}
		a->mode = MODE_RUN;
		a->payload = &argv[cmd];
		return 0;
	}
	/* "poweroff EXTRA" and "exit-port EXTRA" name EXTRA; else the unknown command itself */
	extra = argc > 1 && (!strcmp(argv[0], "poweroff") || !strcmp(argv[0], "exit-port")) ? argv[1] : argv[0];
	dprintf(2, "softoff-agent: unexpected '%s' (try --help)\n", extra);
	return -EINVAL;
}

static int parse_args(int argc, char **argv, struct agent_args *a)
{
	int i;

	*a = (struct agent_args){ MODE_DAEMON, CONFIG_DEFAULT_PATH, false, false, NULL };
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(1);
			exit(0);
		} else if (!strcmp(argv[i], "--version")) {
			dprintf(1, "softoff-agent %s\n", SOFTOFF_VERSION);
			exit(0);
		} else if (!strcmp(argv[i], "--check-config")) {
			a->check_config = true;
		} else if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			a->config = argv[++i];
			a->explicit_config = true;
		} else {
			dprintf(2, "softoff-agent: unknown option '%s' (try --help)\n", argv[i]);
			return -EINVAL;
		}
	}
	return parse_mode(argc - i, argv + i, a);
}

/* One-shot: a new session, so that killing the caller (an acpid script) does not stop us. */
static int run_poweroff(const struct agent_config *cfg)
{
	struct seq_request rq = { "command", "", cfg->exit_value, true, 0 };
	sigset_t set;

	if (handoff_systemd_booted("/"))
		return handoff_command("/", &handoff_system_ops);
	(void)setsid();
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &set, NULL);
	(void)signal(SIGPIPE, SIG_IGN);
	log_important("shutting down (command)");
	seq_run(cfg, &rq);
	return cfg->fallback == FALLBACK_NONE ? 0 : EXIT_RUNTIME;
}

static int run_loop(const struct agent_config *cfg, char **payload)
{
	static struct loop l;
	int rc = loop_init(&l, cfg, NULL, NULL);

	if (rc < 0) {
		log_important("set up signals: %s", strerror(-rc));
		return EXIT_RUNTIME;
	}
	(void)handoff_attach(&l, "/", &handoff_system_ops);
	if (payload) {
		rc = loop_start_payload(&l, payload);
		if (rc < 0) {
			log_important("start payload '%s': %s", payload[0], strerror(-rc));
			loop_trigger(&l, "command", "", SOFTOFF_EXIT_AGENT_FAILURE, false);
		}
	}
	rc = loop_run(&l);
	loop_close(&l);
	return rc;
}

int main(int argc, char **argv)
{
	static struct agent_config cfg;
	struct earlyinit_state early;
	struct agent_args args;
	char err[512];

	/* first: as the image's /init, even a usage error needs the console */
	earlyinit_start(&early, &earlyinit_system_ops);
	if (parse_args(argc, argv, &args) < 0)
		return EXIT_USAGE;
	config_defaults(&cfg);
	if (config_load(&cfg, args.config, args.explicit_config, err, sizeof(err)) < 0) {
		dprintf(2, "softoff-agent: %s\n", err);
		return EXIT_USAGE;
	}
	if (args.check_config) {
		dprintf(1, "softoff-agent: %s: ok\n", args.config);
		return 0;
	}
	log_open(cfg.log);
	xp_set_guard(cfg.exit_port_guard);
	log_important("softoff-agent %s starting (pid %d)", SOFTOFF_VERSION, (int)getpid());
	earlyinit_finish(&early, &earlyinit_system_ops, SOFTOFF_IMAGE_MODULES);
	if (args.mode == MODE_POWEROFF)
		return run_poweroff(&cfg);
	if (args.mode == MODE_EXIT_PORT)
		return handoff_exit_port(&cfg, "/", &handoff_system_ops);
	return run_loop(&cfg, args.mode == MODE_RUN ? args.payload : NULL);
}
