/* `softoff-qemu run`: runs the user's QEMU command line plus our QMP monitor and turns the
 * supervisor's signals into QMP: SIGTERM/SIGINT -> system_powerdown (re-pressed every 2 s
 * until SHUTDOWN), then after --grace -> quit, then after --quit-timeout -> SIGKILL; a
 * second request moves to the next step at once. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "log.h"
#include "notify.h"
#include "qemuargs.h"
#include "session.h"
#include "sigwatch.h"
#include "supervise.h"

#define RUN_REPRESS_MS 2000
#define RUN_QMP_TIMEOUT_MS 30000

enum run_action { RUN_IGNORE, RUN_POWERDOWN, RUN_RESET, RUN_QUIT, RUN_KILL, RUN_PAUSE,
		  RUN_RESUME };

/* How far the stop has gone; each step only moves forward. */
enum run_stage { RUN_STAGE_RUNNING, RUN_STAGE_POWERDOWN, RUN_STAGE_QUIT, RUN_STAGE_KILL };

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

struct run_state {
	const struct run_options *o;
	struct session *s;
	enum run_stage stage;
	int64_t next_press_ms, grace_end_ms, kill_at_ms, qmp_deadline_ms;
	bool shutdown_seen, ready_sent, qmp_broken;
	bool host_signal; /* SHUTDOWN reason host-signal: QEMU pulled the plug itself */
	bool guest_poweroff; /* SHUTDOWN reason guest-shutdown: the guest powered off (S5) */
	unsigned status_query;
	bool status_query_sent;
};

static const char run_help[] =
	"Usage: softoff-qemu run [OPTION...] -- QEMU [ARG...]\n"
	"\n"
	"Run a QEMU command line under a supervisor (systemd, runit, s6, docker, a shell) so\n"
	"that the supervisor's SIGTERM powers the guest off through ACPI instead of pulling\n"
	"the plug. A QMP monitor on a socketpair is added (any -qmp/-monitor of yours stays).\n"
	"\n"
	"  --grace SECONDS         after the power button, wait this long for QEMU to exit,\n"
	"                          then send quit (default 30; use 8 under docker stop)\n"
	"  --quit-timeout SECONDS  after quit, wait this long, then SIGKILL (default 5)\n"
	"  --map SIGNAL=ACTION     what a signal does (repeatable). Actions: powerdown, reset,\n"
	"                          quit, kill, pause, resume, ignore. Defaults: TERM, INT =\n"
	"                          powerdown; HUP = reset; QUIT = quit; USR1, USR2, CONT,\n"
	"                          WINCH = ignore\n"
	"  --success-status N      QEMU's status that means a clean power-off and becomes 0\n"
	"                          (default 99: softoff-agent's isa-debug-exit value 0x31)\n"
	"  --notify                sd_notify READY=1 when QEMU runs the guest, STOPPING=1 at\n"
	"                          the power-off (only when $NOTIFY_SOCKET is set)\n"
	"  --verbose / --quiet     log QMP traffic / log errors only\n"
	"  -h, --help              this text\n"
	"\n"
	"powerdown presses the ACPI power button (system_powerdown) and presses again every 2 s\n"
	"until QEMU reports SHUTDOWN; after --grace it sends quit, after --quit-timeout SIGKILL.\n"
	"Asking again (a second SIGTERM) moves to the next step at once. softoff-qemu never\n"
	"reads stdin: QEMU keeps your stdin, stdout and stderr. If softoff-qemu's parent dies it\n"
	"gets SIGTERM (unless it is PID 1); if softoff-qemu dies, QEMU gets SIGKILL.\n"
	"\n"
	"When the guest powers off (SHUTDOWN reason guest-shutdown) QEMU is ended with quit,\n"
	"since -no-shutdown or -action shutdown=pause would keep it. Refused: -daemonize (QEMU\n"
	"would detach from softoff-qemu). Fine: -runas, -chroot, -pidfile, -S, your own -qmp or\n"
	"-monitor, and stdio chardevs (-nographic, -serial/-monitor/-qmp stdio): QEMU may read\n"
	"stdin, softoff-qemu never does. docs/harness.md says why, option by option.\n"
	"\n"
	"Exit status:\n"
	"  0      QEMU exited with --success-status, or 0 after the guest powered off by itself\n"
	"  N      QEMU's own exit status N, passed through\n"
	"  2      usage error, or a refused QEMU option (-daemonize)\n"
	"  122    QEMU was stopped by a signal softoff-qemu did not send (SHUTDOWN reason\n"
	"         host-signal): the guest was not shut down\n"
	"  124    the guest did not power off within --grace; QEMU was stopped with quit\n"
	"  126    QEMU could not be started, or its QMP monitor failed (QEMU was stopped)\n"
	"  128    QEMU ignored quit for --quit-timeout and was killed with SIGKILL\n"
	"  128+N  QEMU was killed by signal N (not sent by softoff-qemu)\n";

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
	o->grace_ms = 30000;
	o->quit_timeout_ms = 5000;
	o->success_status = 99;
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
	default: return cli_usage_error("run", "unknown option");
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
			fputs(run_help, stdout);
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

/* ---- the escalation ------------------------------------------------------------------ */

static void run_kill(struct run_state *st)
{
	if (st->stage < RUN_STAGE_KILL)
		log_info("SIGKILL to QEMU");
	st->stage = RUN_STAGE_KILL;
	st->next_press_ms = -1;
	vm_signal(&st->s->vm, SIGKILL);
}

static void run_quit(struct run_state *st)
{
	if (st->stage >= RUN_STAGE_QUIT)
		return run_kill(st);
	st->stage = RUN_STAGE_QUIT;
	st->next_press_ms = -1;
	st->kill_at_ms = clock_now_ms() + st->o->quit_timeout_ms;
	if (session_qmp_running(st->s) && session_command(st->s, "quit")) {
		log_info("quit sent to QEMU; SIGKILL in %.1f s", st->o->quit_timeout_ms / 1000.0);
	} else {
		log_info("no QMP: SIGTERM to QEMU; SIGKILL in %.1f s",
			 st->o->quit_timeout_ms / 1000.0);
		vm_signal(&st->s->vm, SIGTERM);
	}
}

static void run_powerdown(struct run_state *st)
{
	int64_t now = clock_now_ms();

	if (st->stage >= RUN_STAGE_POWERDOWN)
		return run_quit(st);
	if (!session_command(st->s, "system_powerdown"))
		return run_quit(st);
	st->stage = RUN_STAGE_POWERDOWN;
	st->grace_end_ms = now + st->o->grace_ms;
	st->next_press_ms = now + RUN_REPRESS_MS;
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

static void run_on_signal(struct run_state *st, int signo)
{
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

static void run_on_timers(struct run_state *st)
{
	int64_t now = clock_now_ms();

	if (st->stage == RUN_STAGE_POWERDOWN && now >= st->grace_end_ms) {
		log_info("the guest did not power off within %.1f s", st->o->grace_ms / 1000.0);
		run_quit(st);
	} else if (st->stage == RUN_STAGE_QUIT && now >= st->kill_at_ms) {
		log_info("QEMU did not exit within %.1f s of quit", st->o->quit_timeout_ms / 1000.0);
		run_kill(st);
	} else if (st->next_press_ms >= 0 && now >= st->next_press_ms && !st->shutdown_seen) {
		(void)session_command(st->s, "system_powerdown");
		st->next_press_ms = now + RUN_REPRESS_MS;
	}
}

static int64_t run_next_deadline(const struct run_state *st)
{
	int64_t d = st->shutdown_seen ? -1 : st->next_press_ms;

	if (st->stage == RUN_STAGE_POWERDOWN)
		d = clock_earliest(d, st->grace_end_ms);
	if (st->stage == RUN_STAGE_QUIT)
		d = clock_earliest(d, st->kill_at_ms);
	if (st->s->qmp_ready_ms < 0 && !st->qmp_broken)
		d = clock_earliest(d, st->qmp_deadline_ms);
	if (st->s->qmp_failed && !st->qmp_broken)
		d = clock_earliest(d, st->s->qmp_failed_ms + 1000);
	return d;
}

/* ---- QMP events, readiness, failures ---------------------------------------------------- */

static void run_check_ready(struct run_state *st)
{
	json_t *ret = NULL;
	int r;

	if (st->ready_sent || st->s->qmp_ready_ms < 0 || !st->s->qmp)
		return;
	if (!st->status_query_sent) {
		st->status_query_sent = qmp_client_send(st->s->qmp, "query-status", NULL,
							QMP_SEND_KEEP_REPLY, &st->status_query) == 0;
		return;
	}
	r = qmp_client_reply(st->s->qmp, st->status_query, &ret, NULL);
	if (r == -EINPROGRESS)
		return;
	if (r == 0 && json_is_true(json_object_get(ret, "running"))) {
		st->ready_sent = true;
		log_debug("QEMU is running the guest");
		if (st->o->notify)
			(void)notify_send("READY=1");
	}
	json_decref(ret);
	st->status_query_sent = st->ready_sent; /* not running yet: ask again after RESUME */
}

/* The guest powered off. QEMU exits by itself unless -no-shutdown or -action shutdown=pause
 * keep it (run state "shutdown"), which would look like a guest ignoring the button: end it
 * now, and count its exit as the guest's. */
static void run_end_after_poweroff(struct run_state *st)
{
	st->guest_poweroff = true;
	if (st->stage >= RUN_STAGE_QUIT)
		return;
	log_info("the guest powered off (SHUTDOWN guest-shutdown): ending QEMU");
	run_quit(st);
}

static void run_on_event(struct run_state *st, const json_t *ev)
{
	const char *name = qmp_event_name(ev);
	const char *reason = json_string_value(json_object_get(json_object_get(ev, "data"),
							       "reason"));

	log_debug("QMP event %s%s%s", name, reason ? " " : "", reason ? reason : "");
	if (strcmp(name, "SHUTDOWN") == 0) {
		st->shutdown_seen = true;
		st->next_press_ms = -1;
		st->host_signal = reason && strcmp(reason, "host-signal") == 0;
		if (reason && strcmp(reason, "guest-shutdown") == 0)
			run_end_after_poweroff(st);
	} else if (strcmp(name, "RESUME") == 0 && !st->ready_sent) {
		st->status_query_sent = false;
	}
}

/* QMP gone while QEMU runs (EOF, garbage, no handshake): we cannot do our job. */
static void run_check_qmp(struct run_state *st)
{
	int64_t now = clock_now_ms();
	bool no_handshake = st->s->qmp_ready_ms < 0 && now >= st->qmp_deadline_ms;

	if (st->qmp_broken || st->s->vm.exited || (!st->s->qmp_failed && !no_handshake))
		return;
	if (st->s->qmp_failed && now < st->s->qmp_failed_ms + 1000)
		return; /* QEMU closes the monitor as it exits: give SIGCHLD a moment */
	st->qmp_broken = true;
	if (no_handshake && !st->s->qmp_failed)
		log_error("QEMU did not complete the QMP handshake within %d s",
			  RUN_QMP_TIMEOUT_MS / 1000);
	else
		log_error("QEMU's QMP monitor failed (%s): stopping QEMU",
			  qmp_client_error(st->s->qmp) ? qmp_client_error(st->s->qmp) : "?");
	if (st->stage < RUN_STAGE_POWERDOWN)
		st->stage = RUN_STAGE_POWERDOWN;
	run_quit(st);
}

/* ---- the loop and the result -------------------------------------------------------- */

static void run_loop(struct run_state *st)
{
	int sigs[SESSION_MAX_SIGNALS], n;
	json_t *ev;

	while (!st->s->vm.exited) {
		n = session_step(st->s, run_next_deadline(st), sigs);
		for (int i = 0; i < n; i++)
			run_on_signal(st, sigs[i]);
		while (st->s->qmp && (ev = qmp_client_next_event(st->s->qmp))) {
			run_on_event(st, ev);
			json_decref(ev);
		}
		run_check_ready(st);
		run_check_qmp(st);
		run_on_timers(st);
	}
}

static int run_exit_status(const struct run_state *st)
{
	int ws = st->s->vm.wait_status;
	bool exited = WIFEXITED(ws);

	if (exited && WEXITSTATUS(ws) == st->o->success_status && st->stage < RUN_STAGE_KILL &&
	    !st->qmp_broken)
		return CLI_OK;
	if (exited && WEXITSTATUS(ws) == 0 && st->guest_poweroff && st->stage < RUN_STAGE_KILL)
		return CLI_OK; /* its own power-off, or our quit after it */
	if (st->qmp_broken)
		return CLI_RUN_LAUNCH;
	if (st->stage == RUN_STAGE_KILL)
		return CLI_RUN_KILLED;
	if (st->stage == RUN_STAGE_QUIT)
		return CLI_RUN_QUIT;
	if (!exited)
		return CLI_SIGNALED_BASE + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	if (WEXITSTATUS(ws) == 0 && st->host_signal)
		return CLI_RUN_HOST_SIGNAL; /* QEMU's 0 here means the plug was pulled, not success */
	return WEXITSTATUS(ws);
}

static int run_supervise(const struct run_options *o, struct session *s)
{
	struct vm_config cfg = { .argv = o->qemu_argv, .pdeathsig = SIGKILL,
				 .own_process_group = !isatty(0) };
	struct run_state st = { .o = o, .s = s, .next_press_ms = -1 };
	char err[256], how[96];
	int status;

	if (session_start(s, &cfg, NULL, NULL, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return CLI_RUN_LAUNCH;
	}
	st.qmp_deadline_ms = s->start_ms + RUN_QMP_TIMEOUT_MS;
	run_loop(&st);
	session_drain(s);
	status = run_exit_status(&st);
	vm_describe_exit(s->vm.wait_status, how, sizeof(how));
	log_info("QEMU %s; exit status %d", how, status);
	session_end(s);
	return status;
}

int supervise_main(int argc, char **argv)
{
	struct run_options o;
	struct session s;
	int r = run_parse(&o, argc, argv);

	if (r != 0)
		return r < 0 ? CLI_OK : r;
	if (o.notify && notify_init() < 0)
		log_debug("--notify: NOTIFY_SOCKET is not set; not notifying");
	r = session_init(&s);
	if (r < 0) {
		log_error("watch signals: %s", strerror(-r));
		return CLI_RUN_LAUNCH;
	}
	session_die_with_parent(SIGTERM);
	return run_supervise(&o, &s);
}
