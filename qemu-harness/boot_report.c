/* Printing `softoff-qemu boot`'s verdict: the summary line with the figures (or TAP with a
 * YAML block of them), and the console's and QEMU's last lines when they help. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "boot.h"
#include "junit.h"
#include "log.h"

static void boot_timing(const struct session *s, const struct boot_result *r, char *buf,
			size_t size)
{
	int64_t start = session_start_ms(s), end = session_exit_ms(s);
	int64_t ready = session_console(s)->ready_ms;
	int64_t total = end - start;
	int n = snprintf(buf, size, " in %.1f s", total / 1000.0);

	if (ready >= 0 && r->press_ms >= 0)
		snprintf(buf + n, size - (size_t)n, ": boot %.1f s, power-off %.2f s",
			 (ready - start) / 1000.0, (end - r->press_ms) / 1000.0);
	else if (ready >= 0)
		snprintf(buf + n, size - (size_t)n, ": boot %.1f s", (ready - start) / 1000.0);
}

/* Whether QEMU ended by itself (not stopped by us), so that its status is the guest's. */
static bool boot_qemu_ended_alone(const struct boot_result *r)
{
	return r->launched && !r->timed_out && !r->interrupted_by && !r->qmp_broken &&
	       r->exited && WIFEXITED(r->wait_status);
}

/* TAP's YAML block after the test line: the figures, for scripts (only those known). */
static void boot_tap_figures(const struct session *s, const struct boot_result *r)
{
	int64_t start = session_start_ms(s), end = session_exit_ms(s);
	int64_t ready = session_console(s)->ready_ms;

	printf("  ---\n");
	if (boot_qemu_ended_alone(r))
		printf("  qemu-status: %d\n", WEXITSTATUS(r->wait_status));
	if (ready >= 0)
		printf("  boot-ms: %lld\n", (long long)(ready - start));
	if (r->press_ms >= 0 && boot_qemu_ended_alone(r))
		printf("  power-off-ms: %lld\n", (long long)(end - r->press_ms));
	printf("  presses: %d\n", r->presses);
	if (end >= 0)
		printf("  total-ms: %lld\n", (long long)(end - start));
	printf("  ...\n");
}

/* The figures after the summary, when QEMU ended by itself or after the guest's end. */
static void boot_summary_timing(const struct session *s, const struct boot_result *r,
				const struct boot_verdict *v, char *buf, size_t size)
{
	buf[0] = '\0';
	if (v->status == CLI_OK || v->status == CLI_BOOT_MISMATCH || v->status == CLI_BOOT_PANIC ||
	    v->status == CLI_BOOT_RESET || v->status == CLI_BOOT_QEMU_EXIT ||
	    v->status == CLI_BOOT_KTAP)
		boot_timing(s, r, buf, size);
}

/* The summary line without PASS/FAIL: the verdict, the figures, and (--ktap) KTAP's count. */
static void boot_summary(const struct session *s, const struct boot_result *r,
			 const struct boot_verdict *v, char *buf, size_t size)
{
	char timing[96];

	boot_summary_timing(s, r, v, timing, sizeof(timing));
	snprintf(buf, size, "%s%s%s%s", v->text, timing, v->ktap_text[0] ? "; " : "",
		 v->ktap_text);
}

/* TAP: test 1 is the boot (passed also when only KTAP failed), test 2 (--ktap) its tests. */
static void boot_tap(const struct boot_options *o, const struct session *s,
		     const struct boot_result *r, const struct boot_verdict *v)
{
	bool boot_ok = v->status == CLI_OK || v->status == CLI_BOOT_KTAP;
	char timing[96];

	boot_summary_timing(s, r, v, timing, sizeof(timing));
	printf("TAP version 13\n1..%d\n%s 1 - %s%s\n", o->ktap ? 2 : 1, boot_ok ? "ok" : "not ok",
	       v->text, timing);
	boot_tap_figures(s, r);
	if (o->ktap)
		boot_ktap_tap(r->ktap, v);
}

void boot_report(const struct boot_options *o, const struct session *s,
		 const struct boot_result *r, const struct boot_verdict *v)
{
	FILE *out = v->status == CLI_OK ? stdout : stderr;
	char summary[sizeof(v->text) + sizeof(v->ktap_text) + 128];

	boot_summary(s, r, v, summary, sizeof(summary));
	if (o->tap) {
		boot_tap(o, s, r, v);
		out = stdout;
	} else if (!(o->quiet && v->status == CLI_OK)) {
		fprintf(out, "%s %s\n", v->status == CLI_OK ? "PASS" : "FAIL", summary);
	}
	if (v->show_console && session_console(s)->tail.len > 0) {
		fprintf(out, "%slast console lines:\n", o->tap ? "# " : "");
		tail_print(&session_console(s)->tail, out, 25, o->tap ? "#   | " : "  | ");
	}
	if ((v->show_output || v->status == CLI_BOOT_LAUNCH) && session_output(s)->len > 0) {
		fprintf(out, "%sQEMU's output:\n", o->tap ? "# " : "");
		tail_print(session_output(s), out, 25, o->tap ? "#   qemu: " : "  qemu: ");
	}
	(void)fflush(stdout);
}


/* The cases: the boot's (failed when the boot itself failed), then (--ktap) KTAP's; NULL
 * when out of memory. */
static struct junit_case *boot_junit_cases(const struct boot_options *o,
					   const struct boot_result *r, size_t *n, void **strings)
{
	size_t max = 1 + (o->ktap ? boot_ktap_max_cases(r->ktap) : 0);
	struct junit_case *cases = calloc(max, sizeof(*cases));

	*n = 1;
	*strings = NULL;
	if (cases && o->ktap)
		*n += boot_ktap_cases(r->ktap, cases + 1, strings);
	return cases;
}

int boot_report_junit(struct boot_options *o, const struct session *s,
		      const struct boot_result *r, const struct boot_verdict *v)
{
	int64_t start = session_start_ms(s), end = session_exit_ms(s);
	const struct tail *con = &session_console(s)->tail, *out = session_output(s);
	char name[512], summary[sizeof(v->text) + sizeof(v->ktap_text) + 128];
	void *strings;
	struct junit_case *cases;
	size_t n;
	int rc = -ENOMEM;

	if (!o->junit_file)
		return 0;
	cases = boot_junit_cases(o, r, &n, &strings);
	if (o->embedded.fd >= 0) /* the memfd's /proc/self/fd/N would say nothing */
		snprintf(name, sizeof(name), "boot %s", o->kernel);
	else
		snprintf(name, sizeof(name), "boot %s %s", o->kernel, o->initrd);
	boot_summary(s, r, v, summary, sizeof(summary));
	if (cases) {
		cases[0] = (struct junit_case){
			.classname = "softoff-qemu.boot", .name = name,
			.seconds = start > 0 && end >= start ? (end - start) / 1000.0 : 0,
			.failure = v->status == CLI_OK || v->status == CLI_BOOT_KTAP ? NULL : summary,
			.out = con->buf, .out_len = con->len, .err = out->buf, .err_len = out->len,
		};
		rc = junit_write(o->junit_file, "softoff-qemu boot", cases, n);
	}
	free(cases);
	free(strings);
	if (fclose(o->junit_file) != 0 && rc == 0)
		rc = -errno;
	o->junit_file = NULL;
	if (rc < 0)
		log_error("write --junit '%s': %s", o->junit_path, strerror(-rc));
	return rc;
}
