/* One boot attempt: start QEMU, wait for the ready line (or the --press time),
 * press the power button, re-press every 2 s until SHUTDOWN or exit, and stop QEMU at the
 * deadline. Everything happens in one poll loop (session_step); nothing blocks. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "clock.h"
#include "log.h"
#include "sigwatch.h"

struct boot_loop {
	const struct boot_options *o;
	struct session *s;
	struct boot_result *r;
	bool kvm_probe;
	int64_t deadline_ms;    /* --timeout */
	int64_t next_press_ms;  /* -1: no press scheduled */
	int64_t kill_ms;        /* after quit: SIGKILL at this time, -1 */
};

static void boot_stop_qemu(struct boot_loop *l)
{
	if (l->kill_ms >= 0)
		return;
	if (!session_qmp_running(l->s) || !session_command(l->s, "quit"))
		vm_signal(&l->s->vm, SIGKILL);
	l->kill_ms = clock_now_ms() + BOOT_QUIT_GRACE_MS;
	l->next_press_ms = -1;
}

/* The first press is --presses presses, back to back or --press-interval apart; after
 * them, one press every BOOT_REPRESS_MS. */
static void boot_press(struct boot_loop *l)
{
	int64_t now = clock_now_ms();

	do {
		if (!session_command(l->s, "system_powerdown"))
			return;
		if (l->r->press_ms < 0) {
			l->r->press_ms = now;
			log_debug("power button pressed");
		}
		l->r->presses++;
	} while (l->r->presses < l->o->presses && l->o->press_interval_ms == 0);
	if (l->r->presses < l->o->presses)
		l->next_press_ms = now + l->o->press_interval_ms;
	else
		l->next_press_ms = now + BOOT_REPRESS_MS;
}

static void boot_on_event(struct boot_loop *l, const json_t *ev)
{
	const char *name = qmp_event_name(ev);
	const json_t *data = json_object_get(ev, "data");
	const char *reason = json_string_value(json_object_get(data, "reason"));

	log_debug("QMP event %s%s%s", name, reason ? " " : "", reason ? reason : "");
	if (strcmp(name, "SHUTDOWN") == 0 && !l->r->shutdown_seen) {
		l->r->shutdown_seen = true;
		snprintf(l->r->shutdown_reason, sizeof(l->r->shutdown_reason), "%s",
			 reason ? reason : "unknown");
		l->next_press_ms = -1;
		/* -no-shutdown or -action shutdown=pause keep QEMU after the guest's power-off;
		 * without them it would exit 0 now: end it, and judge that 0 */
		if (reason && strcmp(reason, "guest-shutdown") == 0)
			boot_stop_qemu(l);
	} else if (strcmp(name, "GUEST_PANICKED") == 0) {
		l->r->guest_panicked = true;
	} else if (strcmp(name, "POWERDOWN") == 0 && l->r->poweroff_event_ms < 0) {
		l->r->poweroff_event_ms = clock_now_ms();
	} else if (strcmp(name, "STOP") == 0 && l->kvm_probe && !l->r->shutdown_seen) {
		l->r->kvm_broken = true;
		snprintf(l->r->kvm_reason, sizeof(l->r->kvm_reason),
			 "QEMU stopped the guest (STOP event, run state internal-error?)");
	}
}

static void boot_on_signals(struct boot_loop *l, const int *sigs, int n)
{
	for (int i = 0; i < n; i++) {
		if (sigs[i] != SIGTERM && sigs[i] != SIGINT && sigs[i] != SIGHUP &&
		    sigs[i] != SIGQUIT)
			continue;
		if (!l->r->interrupted_by)
			log_info("got SIG%s: stopping QEMU", sigwatch_name(sigs[i]));
		else
			vm_signal(&l->s->vm, SIGKILL); /* a second signal: no more waiting */
		l->r->interrupted_by = sigs[i];
		boot_stop_qemu(l);
	}
}

static bool boot_press_due(const struct boot_loop *l, int64_t now)
{
	const struct boot_options *o = l->o;

	if (l->r->shutdown_seen || l->kill_ms >= 0 || l->r->kvm_broken)
		return false;
	if (l->next_press_ms >= 0)
		return now >= l->next_press_ms;
	if (l->r->press_ms >= 0)
		return false;
	if (o->press == BOOT_PRESS_ARMED)
		return l->s->console.ready_ms >= 0;
	if (o->press == BOOT_PRESS_AFTER)
		return now >= l->s->start_ms + o->press_after_ms;
	return false;
}

/* KVM that exists but cannot run the guest: no console output at all within the bound. */
static void boot_check_kvm(struct boot_loop *l, int64_t now)
{
	if (!l->kvm_probe || l->r->kvm_broken || l->s->console.last_output_ms >= 0)
		return;
	if (now < l->s->start_ms + BOOT_KVM_PROBE_MS)
		return;
	l->r->kvm_broken = true;
	snprintf(l->r->kvm_reason, sizeof(l->r->kvm_reason),
		 "no console output within %d s", BOOT_KVM_PROBE_MS / 1000);
}

/* Without a working monitor we cannot press the button: stop and report a launch failure.
 * The monitor also closes when QEMU exits, so a closed one counts only if QEMU is still
 * there a second later. */
static void boot_check_qmp(struct boot_loop *l, int64_t now)
{
	if (l->r->qmp_broken || l->s->vm.exited || l->r->shutdown_seen)
		return;
	if (l->s->qmp_failed && now >= l->s->qmp_failed_ms + BOOT_QMP_EXIT_MS) {
		l->r->qmp_broken = true;
	} else if (l->s->qmp_ready_ms < 0 && !l->s->qmp_failed &&
		   now >= l->s->start_ms + BOOT_QMP_TIMEOUT_MS) {
		l->r->qmp_broken = true;
		log_error("QEMU did not complete the QMP handshake within %d s",
			  BOOT_QMP_TIMEOUT_MS / 1000);
	}
	if (l->r->qmp_broken)
		boot_stop_qemu(l);
}

static void boot_on_timers(struct boot_loop *l)
{
	int64_t now = clock_now_ms();

	boot_check_qmp(l, now);

	if (now >= l->deadline_ms && !l->r->timed_out && l->kill_ms < 0) {
		l->r->timed_out = true;
		boot_stop_qemu(l);
	}
	if (l->kill_ms >= 0 && now >= l->kill_ms)
		vm_signal(&l->s->vm, SIGKILL);
	boot_check_kvm(l, now);
	if (l->r->kvm_broken)
		vm_signal(&l->s->vm, SIGKILL);
	else if (boot_press_due(l, now))
		boot_press(l);
}

static int64_t boot_next_deadline(const struct boot_loop *l)
{
	int64_t d = clock_earliest(l->deadline_ms, l->next_press_ms);

	d = clock_earliest(d, l->kill_ms);
	if (l->s->qmp_ready_ms < 0)
		d = clock_earliest(d, l->s->start_ms + BOOT_QMP_TIMEOUT_MS);
	if (l->s->qmp_failed && !l->r->qmp_broken)
		d = clock_earliest(d, l->s->qmp_failed_ms + BOOT_QMP_EXIT_MS);
	if (l->kvm_probe && l->s->console.last_output_ms < 0)
		d = clock_earliest(d, l->s->start_ms + BOOT_KVM_PROBE_MS);
	if (l->o->press == BOOT_PRESS_AFTER && l->r->press_ms < 0)
		d = clock_earliest(d, l->s->start_ms + l->o->press_after_ms);
	return d;
}

static void boot_loop_run(struct boot_loop *l)
{
	int sigs[SESSION_MAX_SIGNALS], n;
	json_t *ev;

	while (!l->s->vm.exited) {
		n = session_step(l->s, boot_next_deadline(l), sigs);
		if (n > 0)
			boot_on_signals(l, sigs, n);
		while (l->s->qmp && (ev = qmp_client_next_event(l->s->qmp))) {
			boot_on_event(l, ev);
			json_decref(ev);
		}
		if (l->s->qmp_ready_ms >= 0)
			l->r->launched = true;
		boot_on_timers(l);
	}
}

int boot_attempt(const struct boot_options *o, struct session *s, char **argv, bool kvm_probe,
		 struct boot_result *r, char *err, size_t errlen)
{
	struct vm_config cfg = { .argv = argv, .console = true, .capture_output = true,
				 .stdin_null = true, .pdeathsig = SIGKILL,
				 .own_process_group = true };
	struct boot_loop l = { .o = o, .s = s, .r = r, .kvm_probe = kvm_probe,
			       .next_press_ms = -1, .kill_ms = -1 };
	FILE *echo = o->verbose ? stdout : NULL;
	json_t *ev;
	int rc;

	memset(r, 0, sizeof(*r));
	r->press_ms = r->poweroff_event_ms = -1;
	rc = session_start(s, &cfg, o->console_file, echo, err, errlen);
	if (rc < 0)
		return rc;
	if (o->ready_text)
		console_set_ready(&s->console, &o->ready);
	l.deadline_ms = s->start_ms + o->timeout_ms;
	boot_loop_run(&l);
	session_drain(s);
	while (s->qmp && (ev = qmp_client_next_event(s->qmp))) {
		boot_on_event(&l, ev);
		json_decref(ev);
	}
	r->launched = r->launched || s->qmp_ready_ms >= 0;
	return 0;
}
