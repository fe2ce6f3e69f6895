/* One boot attempt, a policy on the session core: start QEMU, press the power button when
 * the ready line comes (or at the --press time), note what QEMU reports, stop it at
 * --timeout or on a signal, and give up on a KVM that cannot run the guest. The core
 * presses again until the guest reacts and owns the quit -> SIGKILL escalation. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "clock.h"
#include "log.h"
#include "sigwatch.h"

struct boot_attempt {
	const struct boot_options *o;
	struct session *s;
	struct boot_result *r;
	bool kvm_probe;
	int64_t deadline_ms; /* --timeout */
};

static void boot_on_event(void *ctx, const struct session_event *ev)
{
	struct boot_attempt *a = ctx;
	struct boot_result *r = a->r;

	if (ev->kind == SESSION_EVENT_SHUTDOWN && !r->shutdown_seen) {
		r->shutdown_seen = true;
		snprintf(r->shutdown_reason, sizeof(r->shutdown_reason), "%s",
			 ev->reason ? ev->reason : "unknown");
	} else if (ev->kind == SESSION_EVENT_GUEST_PANICKED) {
		r->guest_panicked = true;
	} else if (ev->kind == SESSION_EVENT_STOP && a->kvm_probe && !r->shutdown_seen &&
		   !r->guest_panicked) { /* -action panic=pause stops a guest that ran */
		r->kvm_broken = true;
		snprintf(r->kvm_reason, sizeof(r->kvm_reason),
			 "QEMU stopped the guest (STOP event, run state internal-error?)");
	}
}

/* INT, TERM, HUP, QUIT stop the test; a second one does not wait for quit. */
static void boot_on_signal(void *ctx, int signo)
{
	struct boot_attempt *a = ctx;

	if (signo != SIGTERM && signo != SIGINT && signo != SIGHUP && signo != SIGQUIT)
		return;
	if (!a->r->interrupted_by)
		log_info("got SIG%s: stopping QEMU", sigwatch_name(signo));
	else
		session_kill(a->s);
	a->r->interrupted_by = signo;
	(void)session_stop(a->s);
}

static bool boot_press_due(const struct boot_attempt *a, int64_t now)
{
	const struct boot_options *o = a->o;

	if (session_first_press_ms(a->s) >= 0 || a->r->shutdown_seen || a->r->kvm_broken ||
	    session_stopping(a->s) != SESSION_STOP_NONE)
		return false;
	if (o->press == BOOT_PRESS_ARMED)
		return session_console(a->s)->ready_ms >= 0;
	if (o->press == BOOT_PRESS_AFTER)
		return now >= session_start_ms(a->s) + o->press_after_ms;
	return false;
}

/* KVM that exists but cannot run the guest: no console output at all within the bound. */
static void boot_check_kvm(struct boot_attempt *a, int64_t now)
{
	if (!a->kvm_probe || a->r->kvm_broken || session_console(a->s)->last_output_ms >= 0)
		return;
	if (now < session_start_ms(a->s) + BOOT_KVM_PROBE_MS)
		return;
	a->r->kvm_broken = true;
	snprintf(a->r->kvm_reason, sizeof(a->r->kvm_reason),
		 "no console output within %d s", BOOT_KVM_PROBE_S);
}

/* A panic (pvpanic's event, or the console's line) ends the test: QEMU gets a few seconds
 * to end by itself (panic=-1 reboots, -no-reboot ends QEMU) while the trace reaches the
 * console, then it is stopped, whatever panic= or -action panic= say. */
static void boot_check_panic(struct boot_attempt *a, int64_t now)
{
	struct boot_result *r = a->r;

	if (r->panic_ms < 0 && (r->guest_panicked || session_console(a->s)->panic_line[0])) {
		r->panic_ms = now;
		log_debug("the guest panicked: stopping QEMU in %d s unless it ends",
			  BOOT_PANIC_GRACE_S);
	}
	if (r->panic_ms >= 0 && now >= r->panic_ms + BOOT_PANIC_GRACE_MS)
		(void)session_stop(a->s);
}

static void boot_on_tick(void *ctx, int64_t now)
{
	struct boot_attempt *a = ctx;

	if (now >= a->deadline_ms && !a->r->timed_out &&
	    session_stopping(a->s) == SESSION_STOP_NONE) {
		a->r->timed_out = true;
		(void)session_stop(a->s);
	}
	boot_check_panic(a, now);
	boot_check_kvm(a, now);
	if (a->r->kvm_broken && session_stopping(a->s) != SESSION_STOP_KILL)
		session_kill(a->s);
	else if (boot_press_due(a, now))
		(void)session_press(a->s, a->o->presses, a->o->press_interval_ms);
}

static int64_t boot_next_deadline(void *ctx)
{
	const struct boot_attempt *a = ctx;
	int64_t start = session_start_ms(a->s), d = a->deadline_ms;

	if (a->kvm_probe && session_console(a->s)->last_output_ms < 0)
		d = clock_earliest(d, start + BOOT_KVM_PROBE_MS);
	if (a->o->press == BOOT_PRESS_AFTER && session_first_press_ms(a->s) < 0)
		d = clock_earliest(d, start + a->o->press_after_ms);
	if (a->r->panic_ms >= 0)
		d = clock_earliest(d, a->r->panic_ms + BOOT_PANIC_GRACE_MS);
	return d;
}

/* What the session saw, into the result the verdict is made of. */
static void boot_collect(const struct session *s, struct boot_result *r)
{
	r->launched = session_qmp_ready(s);
	r->qmp_broken = session_qmp_broken(s);
	r->qmp_error = session_qmp_error(s);
	r->press_ms = session_first_press_ms(s);
	r->presses = session_presses(s);
	r->exited = session_exited(s);
	r->wait_status = session_wait_status(s);
	r->console = session_console(s);
}

int boot_attempt(const struct boot_options *o, struct session *s, char **argv, bool kvm_probe,
		 struct ktap *ktap, struct boot_result *r, char *err, size_t errlen)
{
	struct vm_config vm = { .argv = argv, .console = true, .capture_output = true,
				.stdin_null = true, .pdeathsig = SIGKILL,
				.own_process_group = true };
	struct session_config cfg = {
		.qmp_timeout_ms = BOOT_QMP_TIMEOUT_MS, .quit_timeout_ms = BOOT_QUIT_TIMEOUT_MS,
		.ready = o->ready_text ? &o->ready : NULL, .console_keep = o->console_file,
		.console_echo = o->verbose ? stdout : NULL, .ktap = o->ktap ? ktap : NULL,
	};
	struct boot_attempt a = { .o = o, .s = s, .r = r, .kvm_probe = kvm_probe };
	struct session_policy policy = { .ctx = &a, .on_signal = boot_on_signal,
					 .on_event = boot_on_event, .on_tick = boot_on_tick,
					 .next_deadline = boot_next_deadline };
	int rc;

	memset(r, 0, sizeof(*r));
	r->panic_ms = -1;
	ktap_free(ktap); /* a second attempt (KVM, then TCG) starts afresh */
	rc = session_start(s, &vm, &cfg, err, errlen);
	if (rc == 0) {
		a.deadline_ms = session_start_ms(s) + o->timeout_ms;
		session_run(s, &policy);
	}
	boot_collect(s, r);
	if (o->ktap) {
		ktap_finish(ktap);
		r->ktap = ktap;
	}
	return rc;
}
