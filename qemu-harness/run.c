/* `softoff-qemu run`: runs the user's QEMU command line plus our QMP monitor and turns the
 * supervisor's signals into QMP: SIGTERM/SIGINT -> system_powerdown (the core presses again
 * until SHUTDOWN), then after --grace -> quit, then after --quit-timeout -> SIGKILL; a
 * second request moves to the next step at once. A policy on the session core. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "softoff/exit_status.h"

#include "cli.h"
#include "clock.h"
#include "log.h"
#include "notify.h"
#include "qemuargs.h"
#include "run.h"
#include "session.h"
#include "sigwatch.h"

#define RUN_QMP_TIMEOUT_MS 30000
#define RUN_GRACE_S 30        /* --grace default */
#define RUN_QUIT_TIMEOUT_S 5  /* --quit-timeout default */

enum run_action { RUN_IGNORE, RUN_POWERDOWN, RUN_RESET, RUN_QUIT, RUN_KILL, RUN_PAUSE,
		  RUN_RESUME };

static const char *const run_action_names[] = {
	[RUN_IGNORE] = "ignore", [RUN_POWERDOWN] = "powerdown", [RUN_RESET] = "reset",
	[RUN_QUIT] = "quit",     [RUN_KILL] = "kill",           [RUN_PAUSE] = "pause",
	[RUN_RESUME] = "resume",
};

struct run_options {
	int64_t grace_ms, quit_timeout_ms;
	int success_status;
	bool notify;
	enum run_action map[NSIG];
	char **qemu_argv;
};

/* The policy's own state; the stop itself (quit, SIGKILL) is the core's. */
struct run_state {
	const struct run_options *o;
	struct session *s;
	bool powerdown;       /* the button was pressed on request: --grace runs */
	int64_t grace_end_ms;
	enum session_shutdown shutdown; /* the first SHUTDOWN: who ended the guest */
	bool guest_panicked;  /* GUEST_PANICKED: pvpanic reported a guest panic */
};

#define RUN_HELP \
	"Usage: softoff-qemu run [OPTION...] -- QEMU [ARG...]\n" \
	"\n" \
	"Run a QEMU command line under a supervisor (systemd, runit, s6, docker, a shell) so\n" \
	"that the supervisor's SIGTERM powers the guest off through ACPI instead of pulling\n" \
	"the plug. A QMP monitor on a socketpair is added (any -qmp/-monitor of yours stays).\n" \
	"\n" \
	"  --grace SECONDS         after the power button, wait this long for QEMU to exit,\n" \
	"                          then send quit (default " CLI_STR(RUN_GRACE_S) "; use 8 under docker stop)\n" \
	"  --quit-timeout SECONDS  after quit, wait this long, then SIGKILL (default " CLI_STR(RUN_QUIT_TIMEOUT_S) ")\n" \
	"  --map SIGNAL=ACTION     what a signal does (repeatable). Actions: powerdown, reset,\n" \
	"                          quit, kill, pause, resume, ignore. Defaults: TERM, INT =\n" \
	"                          powerdown; HUP = reset; QUIT = quit; USR1, USR2, CONT,\n" \
	"                          WINCH = ignore\n" \
	"  --success-status N      QEMU's status that means a clean power-off and becomes 0\n" \
	"                          (default %d: softoff-agent's isa-debug-exit value %#x)\n" \
	"  --notify                sd_notify READY=1 when QEMU runs the guest, STOPPING=1 at\n" \
	"                          the power-off (only when $NOTIFY_SOCKET is set)\n" \
	"  --verbose / --quiet     log QMP traffic / log errors only\n" \
	"  -h, --help              this text\n" \
	"\n" \
	"powerdown presses the ACPI power button (system_powerdown) and presses again every " CLI_STR(SESSION_REPRESS_S) " s\n" \
	"until QEMU reports SHUTDOWN; after --grace it sends quit, after --quit-timeout SIGKILL.\n" \
	"Asking again (a second SIGTERM) moves to the next step at once. softoff-qemu never\n" \
	"reads stdin: QEMU keeps your stdin, stdout and stderr. If softoff-qemu's parent dies it\n" \
	"gets SIGTERM (unless it is PID 1); if softoff-qemu dies, QEMU gets SIGKILL.\n" \
	"\n" \
	"When the guest powers off, resets or panics (SHUTDOWN reason guest-shutdown,\n" \
	"guest-reset, guest-panic) QEMU is ended with quit, since -no-shutdown or -action\n" \
	"shutdown=pause would keep it; only the power-off is a success. Refused: -daemonize\n" \
	"(QEMU would detach from softoff-qemu). Fine: -runas, -chroot, -pidfile, -S, your own\n" \
	"-qmp or -monitor, and stdio chardevs (-nographic, -serial/-monitor/-qmp stdio): QEMU\n" \
	"may read stdin, softoff-qemu never does. docs/harness.md says why, option by option.\n" \
	"\n" \
	"Exit status:\n" \
	"  " CLI_STR(CLI_OK) "      QEMU exited with --success-status, or 0 after the guest powered off by itself\n" \
	"         (SHUTDOWN reason guest-shutdown); never after a reset or a panic\n" \
	"  N      QEMU's own exit status N, passed through\n" \
	"  " CLI_STR(CLI_USAGE) "      usage error, or a refused QEMU option (-daemonize)\n" \
	"  " CLI_STR(CLI_RUN_GUEST_RESET) "    the guest reset (SHUTDOWN reason guest-reset): a reboot, or a kernel panic\n" \
	"         under panic=-1, ended QEMU because of -no-reboot; no clean power-off\n" \
	"  " CLI_STR(CLI_RUN_GUEST_PANIC) "    the guest kernel panicked (GUEST_PANICKED, or SHUTDOWN reason guest-panic:\n" \
	"         needs a pvpanic device and the guest's pvpanic driver)\n" \
	"  " CLI_STR(CLI_RUN_HOST_SIGNAL) "    QEMU was stopped by a signal softoff-qemu did not send (SHUTDOWN reason\n" \
	"         host-signal): the guest was not shut down\n" \
	"  " CLI_STR(CLI_RUN_QUIT) "    the guest did not power off within --grace; QEMU was stopped with quit\n" \
	"  " CLI_STR(CLI_RUN_LAUNCH) "    QEMU could not be started, or its QMP monitor failed (QEMU was stopped)\n" \
	"  " CLI_STR(CLI_RUN_KILLED) "    QEMU ignored quit for --quit-timeout and was killed with SIGKILL\n" \
	"  " CLI_STR(CLI_SIGNALED_BASE) "+N  QEMU was killed by signal N (not sent by softoff-qemu)\n"

/* ---- options ------------------------------------------------------------------------- */

static int run_parse_action(const char *name)
{
	for (size_t i = 0; i < sizeof(run_action_names) / sizeof(run_action_names[0]); i++)
		if (strcmp(name, run_action_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

static int run_parse_map(struct run_options *o, const char *arg)
{
	char name[32];
	const char *eq = strchr(arg, '=');
	int signo, action;

	if (!eq || (size_t)(eq - arg) >= sizeof(name))
		return cli_usage_error("run", "--map: '%s' is not SIGNAL=ACTION", arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	signo = sigwatch_parse(name);
	action = run_parse_action(eq + 1);
	if (signo < 0 || signo == SIGKILL || signo == SIGSTOP || signo == SIGCHLD)
		return cli_usage_error("run", "--map: cannot map signal '%s'", name);
	if (!sigwatch_is_watched(signo))
		return cli_usage_error("run", "--map: signal '%s' is not one softoff-qemu "
				       "watches (TERM INT HUP QUIT USR1 USR2 CONT WINCH)", name);
	if (action < 0)
		return cli_usage_error("run", "--map: unknown action '%s'", eq + 1);
	o->map[signo] = (enum run_action)action;
	return 0;
}

static void run_defaults(struct run_options *o)
{
	memset(o, 0, sizeof(*o));
	o->grace_ms = RUN_GRACE_S * 1000;
	o->quit_timeout_ms = RUN_QUIT_TIMEOUT_S * 1000;
	o->success_status = softoff_qemu_status(SOFTOFF_EXIT_POWEROFF);
	o->map[SIGTERM] = RUN_POWERDOWN;
	o->map[SIGINT] = RUN_POWERDOWN;
	o->map[SIGHUP] = RUN_RESET;
	o->map[SIGQUIT] = RUN_QUIT;
}

enum { OPT_GRACE = 256, OPT_QUIT_TIMEOUT, OPT_MAP, OPT_SUCCESS, OPT_NOTIFY, OPT_VERBOSE,
       OPT_QUIET };

static const struct option run_longopts[] = {
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "quit-timeout", required_argument, NULL, OPT_QUIT_TIMEOUT },
	{ "map", required_argument, NULL, OPT_MAP },
	{ "success-status", required_argument, NULL, OPT_SUCCESS },
	{ "notify", no_argument, NULL, OPT_NOTIFY },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int run_parse_one(struct run_options *o, int opt, const char *arg)
{
	long n;

	switch (opt) {
	case OPT_GRACE:
		if (cli_parse_duration(arg, &o->grace_ms) < 0)
			return cli_usage_error("run", "--grace: '%s' is not a number of seconds", arg);
		break;
	case OPT_QUIT_TIMEOUT:
		if (cli_parse_duration(arg, &o->quit_timeout_ms) < 0)
			return cli_usage_error("run", "--quit-timeout: '%s' is not a number of "
					       "seconds", arg);
		break;
	case OPT_SUCCESS:
		if (cli_parse_int(arg, 0, 255, &n) < 0)
			return cli_usage_error("run", "--success-status: '%s' is not 0..255", arg);
		o->success_status = (int)n;
		break;
	case OPT_MAP: return run_parse_map(o, arg);
	case OPT_NOTIFY: o->notify = true; break;
	case OPT_VERBOSE: log_set_level(LOG_LEVEL_DEBUG); break;
	case OPT_QUIET: log_set_level(LOG_LEVEL_ERROR); break;
	default:
		return cli_usage_error("run", "unhandled option '--%s'",
				       cli_option_name(run_longopts, opt));
	}
	return 0;
}

/* 0 = parsed; -1 = --help printed; else a usage status. */
static int run_parse(struct run_options *o, int argc, char **argv)
{
	const struct qemuargs_refusal *refusal;
	int opt, r;

	run_defaults(o);
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", run_longopts, NULL)) != -1) {
		if (opt == 'h') {
			printf(RUN_HELP, softoff_qemu_status(SOFTOFF_EXIT_POWEROFF),
			       SOFTOFF_EXIT_POWEROFF);
			return -1;
		}
		if (opt == '?' || opt == ':')
			return cli_usage_error("run", "unknown option or missing value: '%s'",
					       argv[optind - 1]);
		r = run_parse_one(o, opt, optarg);
		if (r)
			return r;
	}
	if (optind >= argc)
		return cli_usage_error("run", "no QEMU command line (put it after --)");
	o->qemu_argv = argv + optind;
	refusal = qemuargs_refused(o->qemu_argv + 1);
	if (refusal)
		return cli_usage_error("run", "cannot supervise QEMU with '%s': %s", refusal->option,
				       refusal->why);
	return 0;
}

/* ---- the policy ------------------------------------------------------------------------ */

static void run_kill(struct run_state *st)
{
	if (session_stopping(st->s) < SESSION_STOP_KILL)
		log_info("SIGKILL to QEMU");
	session_kill(st->s);
}

/* quit (SIGTERM without QMP), SIGKILL after --quit-timeout; when already stopping, SIGKILL. */
static void run_quit(struct run_state *st)
{
	if (session_stopping(st->s) != SESSION_STOP_NONE)
		return run_kill(st);
	if (session_stop(st->s))
		log_info("quit sent to QEMU; SIGKILL in %.1f s", st->o->quit_timeout_ms / 1000.0);
	else
		log_info("no QMP: SIGTERM to QEMU; SIGKILL in %.1f s",
			 st->o->quit_timeout_ms / 1000.0);
}

static void run_powerdown(struct run_state *st)
{
	if (st->powerdown || session_stopping(st->s) != SESSION_STOP_NONE)
		return run_quit(st);
	if (!session_press(st->s, 1, 0))
		return run_quit(st);
	st->powerdown = true;
	st->grace_end_ms = clock_now_ms() + st->o->grace_ms;
	log_info("power button pressed; quit in %.1f s unless the guest powers off",
		 st->o->grace_ms / 1000.0);
	if (st->o->notify)
		(void)notify_send("STOPPING=1");
}

static void run_simple_command(struct run_state *st, const char *command)
{
	if (!session_command(st->s, command))
		log_error("cannot send %s: QMP is not available", command);
	else
		log_info("%s sent to QEMU", command);
}

static void run_on_signal(void *ctx, int signo)
{
	struct run_state *st = ctx;
	enum run_action a = st->o->map[signo];

	log_debug("got SIG%s: %s", sigwatch_name(signo), run_action_names[a]);
	switch (a) {
	case RUN_POWERDOWN: run_powerdown(st); break;
	case RUN_QUIT: run_quit(st); break;
	case RUN_KILL: run_kill(st); break;
	case RUN_RESET: run_simple_command(st, "system_reset"); break;
	case RUN_PAUSE: run_simple_command(st, "stop"); break;
	case RUN_RESUME: run_simple_command(st, "cont"); break;
	case RUN_IGNORE: break;
	}
}

/* Why QEMU is about to end, when it is the guest's doing (the core ends QEMU then, since
 * -no-shutdown would keep it). */
static void run_log_guest_end(enum session_shutdown kind)
{
	if (kind == SESSION_SHUTDOWN_POWEROFF)
		log_info("the guest powered off (SHUTDOWN guest-shutdown): ending QEMU");
	else if (kind == SESSION_SHUTDOWN_RESET)
		log_error("the guest reset (SHUTDOWN guest-reset; a reboot, or a kernel panic "
			  "with panic=-1): ending QEMU");
	else if (kind == SESSION_SHUTDOWN_PANIC)
		log_error("the guest panicked (SHUTDOWN guest-panic): ending QEMU");
}

static void run_on_event(void *ctx, const struct session_event *ev)
{
	struct run_state *st = ctx;

	if (ev->kind == SESSION_EVENT_SHUTDOWN && st->shutdown == SESSION_SHUTDOWN_NONE) {
		/* the first one counts: our quit after it brings another (host-qmp-quit) */
		st->shutdown = ev->shutdown;
		run_log_guest_end(ev->shutdown);
	} else if (ev->kind == SESSION_EVENT_GUEST_PANICKED && !st->guest_panicked) {
		st->guest_panicked = true;
		log_error("the guest kernel panicked (GUEST_PANICKED)");
	} else if (ev->kind == SESSION_EVENT_RUNNING) {
		log_debug("QEMU is running the guest");
		if (st->o->notify)
			(void)notify_send("READY=1");
	}
}

static bool run_in_grace(const struct run_state *st)
{
	return st->powerdown && session_stopping(st->s) == SESSION_STOP_NONE;
}

static void run_on_tick(void *ctx, int64_t now)
{
	struct run_state *st = ctx;

	if (run_in_grace(st) && now >= st->grace_end_ms) {
		log_info("the guest did not power off within %.1f s", st->o->grace_ms / 1000.0);
		run_quit(st);
	}
}

static int64_t run_next_deadline(void *ctx)
{
	const struct run_state *st = ctx;

	return run_in_grace(st) ? st->grace_end_ms : -1;
}

/* ---- the result ---------------------------------------------------------------------- */

/* QEMU exited 0 by itself (or after the core's quit at the guest's SHUTDOWN): the
 * guest's end decides, and only its clean power-off is a success (docs/facts.md: A panic
 * or a reboot ends QEMU with status 0). -1: not such an end. */
static int run_guest_end_status(const struct run_outcome *r)
{
	if (r->guest_panicked || r->shutdown == SESSION_SHUTDOWN_PANIC)
		return CLI_RUN_GUEST_PANIC;
	if (r->shutdown == SESSION_SHUTDOWN_POWEROFF)
		return CLI_OK;
	if (r->shutdown == SESSION_SHUTDOWN_RESET)
		return CLI_RUN_GUEST_RESET;
	return -1;
}

int run_exit_status(const struct run_outcome *r)
{
	int ws = r->wait_status;
	bool exited = WIFEXITED(ws);
	bool forced = r->stop == SESSION_STOP_KILL || r->qmp_broken;

	if (exited && WEXITSTATUS(ws) == r->success_status && !forced)
		return CLI_OK;
	if (exited && WEXITSTATUS(ws) == 0 && !forced && run_guest_end_status(r) >= 0)
		return run_guest_end_status(r);
	if (r->qmp_broken)
		return CLI_RUN_LAUNCH;
	if (r->stop == SESSION_STOP_KILL)
		return CLI_RUN_KILLED;
	if (r->stop == SESSION_STOP_QUIT)
		return CLI_RUN_QUIT;
	if (!exited)
		return CLI_SIGNALED_BASE + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	if (WEXITSTATUS(ws) == 0 && r->shutdown == SESSION_SHUTDOWN_HOST_SIGNAL)
		return CLI_RUN_HOST_SIGNAL; /* QEMU's 0 here means the plug was pulled, not success */
	return WEXITSTATUS(ws);
}

static int run_supervise(const struct run_options *o, struct session *s)
{
	struct vm_config vm = { .argv = o->qemu_argv, .pdeathsig = SIGKILL,
				.own_process_group = !isatty(0) };
	struct session_config cfg = { .qmp_timeout_ms = RUN_QMP_TIMEOUT_MS,
				      .quit_timeout_ms = o->quit_timeout_ms,
				      .watch_running = true };
	struct run_state st = { .o = o, .s = s };
	struct session_policy policy = { .ctx = &st, .on_signal = run_on_signal,
					 .on_event = run_on_event, .on_tick = run_on_tick,
					 .next_deadline = run_next_deadline };
	struct run_outcome out;
	char err[256], how[96];

	if (session_start(s, &vm, &cfg, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return CLI_RUN_LAUNCH;
	}
	session_run(s, &policy);
	out = (struct run_outcome){ .wait_status = session_wait_status(s),
				    .stop = session_stopping(s), .qmp_broken = session_qmp_broken(s),
				    .shutdown = st.shutdown, .guest_panicked = st.guest_panicked,
				    .success_status = o->success_status };
	vm_describe_exit(out.wait_status, how, sizeof(how));
	log_info("QEMU %s; exit status %d", how, run_exit_status(&out));
	session_end(s);
	return run_exit_status(&out);
}

int run_main(int argc, char **argv)
{
	struct run_options o;
	struct session s;
	int r = run_parse(&o, argc, argv);

	if (r != 0)
		return r < 0 ? CLI_OK : r;
	if (o.notify && notify_init() < 0)
		log_debug("--notify: NOTIFY_SOCKET is not set; not notifying");
	if (session_init(&s) < 0)
		return CLI_RUN_LAUNCH;
	return run_supervise(&o, &s);
}
