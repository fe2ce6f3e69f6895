/* `softoff-qemu boot`'s verdict: from what one attempt saw (struct boot_result) to an exit
 * status and one line that says what happened, with the likely causes when the ready line
 * never came, and (--ktap) what the guest's KTAP tests said. Pure: no session, no clock, so the
 * unit tests can drive it. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "boot.h"
#include "sigwatch.h"
#include "vm.h"

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
		snprintf(buf, size, "QEMU exited 0: the guest did not use its exit device");
		break;
	case SOFTOFF_OUTCOME_QEMU_ERROR:
		snprintf(buf, size, "QEMU exited 1 (its own error, or isa-debug-exit value 0)");
		break;
	default:
		snprintf(buf, size, "QEMU exited %d (not a softoff status)", status);
	}
}

/* A panic: pvpanic's event or SHUTDOWN reason, or the kernel's line on the console. */
static bool boot_guest_panicked(const struct boot_result *r)
{
	return r->guest_panicked || r->console->panic_line[0] ||
	       session_shutdown_kind(r->shutdown_reason) == SESSION_SHUTDOWN_PANIC;
}

static bool boot_guest_reset(const struct boot_result *r)
{
	return r->shutdown_seen &&
	       session_shutdown_kind(r->shutdown_reason) == SESSION_SHUTDOWN_RESET;
}

static void boot_verdict_crash(const struct boot_result *r, struct boot_verdict *v)
{
	v->show_console = true;
	if (!boot_guest_panicked(r)) {
		v->status = CLI_BOOT_RESET;
		snprintf(v->text, sizeof(v->text), "guest reset (SHUTDOWN reason %s): it rebooted "
			 "and -no-reboot ended QEMU; no panic on the console", r->shutdown_reason);
		return;
	}
	v->status = CLI_BOOT_PANIC;
	if (r->console->panic_line[0])
		snprintf(v->text, sizeof(v->text), "guest kernel panicked: %s",
			 r->console->panic_line);
	else
		snprintf(v->text, sizeof(v->text), "guest kernel panicked (GUEST_PANICKED from "
			 "pvpanic; no panic line on the console)");
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
			  "took the first serial port), or it did not start");
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

static void boot_verdict_timeout(const struct boot_options *o, const struct boot_result *r,
				 struct boot_verdict *v)
{
	char hints[512];

	v->status = CLI_BOOT_TIMEOUT;
	v->show_console = true;
	if (r->press_ms >= 0) {
		v->status = CLI_BOOT_NO_POWEROFF;
		snprintf(v->text, sizeof(v->text), "timeout after %.0f s: the guest did not power "
			 "off after %d press%s", o->timeout_ms / 1000.0, r->presses,
			 r->presses == 1 ? "" : "es");
	} else if (o->press == BOOT_PRESS_ARMED && r->console->ready_ms < 0) {
		boot_ready_hints(o, r->console, hints, sizeof(hints));
		snprintf(v->text, sizeof(v->text), "timeout after %.0f s: no '%.100s' line on the "
			 "console%s%s", o->timeout_ms / 1000.0,
			 o->ready_text ? o->ready_text : CONSOLE_ARMED_PREFIX,
			 hints[0] ? "; likely: " : "", hints);
	} else {
		snprintf(v->text, sizeof(v->text), "timeout after %.0f s: the guest did not exit",
			 o->timeout_ms / 1000.0);
	}
}

/* Whether the boot waited for a ready line that never came. */
static bool boot_before_ready(const struct boot_options *o, const struct boot_result *r)
{
	return o->press == BOOT_PRESS_ARMED && r->console->ready_ms < 0;
}

/* A status the guest gave QEMU: isa-debug-exit's (odd, above QEMU's own 1), or 0 after
 * the guest's own SHUTDOWN. */
static bool boot_status_from_guest(const struct boot_result *r, int status)
{
	if (status == 0)
		return r->shutdown_seen;
	return (status & 1) && status > 1;
}

static void boot_verdict_exit(const struct boot_options *o, const struct boot_result *r,
			      struct boot_verdict *v)
{
	int status = WEXITSTATUS(r->wait_status);
	char what[160];

	boot_describe_status(status, what, sizeof(what));
	v->show_console = v->show_output = true;
	if (status == o->expect_status) {
		v->status = CLI_OK;
		v->show_console = v->show_output = false;
		snprintf(v->text, sizeof(v->text), "%s", what);
	} else if (boot_before_ready(o, r) && !boot_status_from_guest(r, status)) {
		v->status = CLI_BOOT_QEMU_EXIT;
		snprintf(v->text, sizeof(v->text), "QEMU ended before the '%.100s' line: %s",
			 o->ready_text ? o->ready_text : CONSOLE_ARMED_PREFIX, what);
	} else {
		v->status = CLI_BOOT_MISMATCH;
		snprintf(v->text, sizeof(v->text), "expected %s, got: %s%s%s", o->expect_text,
			 what, r->shutdown_seen ? "; SHUTDOWN reason " : "",
			 r->shutdown_seen ? r->shutdown_reason : "");
	}
}

static void boot_verdict_launch(const struct boot_result *r, struct boot_verdict *v,
				const char *start_err)
{
	char how[96];

	v->status = CLI_BOOT_LAUNCH;
	v->show_output = true;
	vm_describe_exit(r->wait_status, how, sizeof(how));
	if (start_err)
		snprintf(v->text, sizeof(v->text), "QEMU failed to start: %s", start_err);
	else if (!r->launched && r->exited && WIFEXITED(r->wait_status))
		snprintf(v->text, sizeof(v->text), "QEMU %s before its QMP monitor was ready", how);
	else if (r->qmp_error)
		snprintf(v->text, sizeof(v->text), "QEMU's QMP monitor failed: %s", r->qmp_error);
	else
		snprintf(v->text, sizeof(v->text), "QEMU's QMP monitor did not answer");
}

static void boot_verdict_killed(const struct boot_options *o, const struct boot_result *r,
				struct boot_verdict *v)
{
	char how[96];

	v->status = CLI_BOOT_KILLED;
	v->show_console = v->show_output = true;
	vm_describe_exit(r->wait_status, how, sizeof(how));
	snprintf(v->text, sizeof(v->text), "QEMU %s%s", how,
		 boot_before_ready(o, r) ? " before the ready line" : "");
}

/* A guest that panicked or reset ended the test, whatever came after (our stop, a
 * timeout); only a status from isa-debug-exit can still pass, since a crashed kernel writes
 * none. */
static bool boot_crash_decides(const struct boot_options *o, const struct boot_result *r)
{
	bool passed = r->exited && WIFEXITED(r->wait_status) && !r->timed_out &&
		      WEXITSTATUS(r->wait_status) == o->expect_status &&
		      WEXITSTATUS(r->wait_status) != 0;

	return !passed && (boot_guest_panicked(r) || boot_guest_reset(r));
}

/* --ktap: the guest's tests count only once the boot itself passed; the boot's failure
 * says more (a timeout or a panic also cuts the KTAP short). */
static void boot_verdict_ktap(const struct boot_options *o, const struct boot_result *r,
			      struct boot_verdict *v)
{
	char summary[sizeof(v->ktap_text) - 8];

	if (!o->ktap)
		return;
	ktap_summary(r->ktap, summary, sizeof(summary));
	snprintf(v->ktap_text, sizeof(v->ktap_text), "KTAP: %s", summary);
	v->ktap_ok = ktap_passed(r->ktap);
	if (!v->ktap_ok && v->status == CLI_OK) {
		v->status = CLI_BOOT_KTAP;
		v->show_console = true;
	}
}

void boot_judge(const struct boot_options *o, const struct boot_result *r,
		const char *start_err, struct boot_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (start_err) {
		boot_verdict_launch(r, v, start_err);
	} else if (r->interrupted_by) {
		v->status = CLI_SIGNALED_BASE + r->interrupted_by;
		snprintf(v->text, sizeof(v->text), "interrupted by SIG%s",
			 sigwatch_name(r->interrupted_by));
	} else if (!r->launched || (r->qmp_broken && !r->shutdown_seen)) {
		boot_verdict_launch(r, v, NULL);
	} else if (boot_crash_decides(o, r)) {
		boot_verdict_crash(r, v);
	} else if (r->timed_out) {
		boot_verdict_timeout(o, r, v);
	} else if (WIFSIGNALED(r->wait_status)) {
		boot_verdict_killed(o, r, v);
	} else {
		boot_verdict_exit(o, r, v);
	}
	boot_verdict_ktap(o, r, v);
}
