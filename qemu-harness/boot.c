/* `softoff-qemu boot`, the subcommand: one attempt, or under --accel auto a KVM attempt and,
 * when KVM turns out not to work, a TCG one within the same --timeout; then the verdict. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "cli.h"
#include "clock.h"
#include "log.h"

/* TCG, KVM, or (auto) KVM when /dev/kvm can be opened. */
static bool boot_want_kvm(const struct boot_options *o)
{
	int fd;

	if (o->accel != BOOT_ACCEL_AUTO)
		return o->accel == BOOT_ACCEL_KVM;
	if (!o->arch->native)
		return false; /* KVM runs only the host's own architecture */
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	(void)close(fd);
	return true;
}

/* Runs attempts (KVM first when auto allows it) and returns the exit status. */
static int boot_run(struct boot_options *o, struct session *s, struct ktap *ktap)
{
	bool kvm = boot_want_kvm(o);
	int64_t start = clock_now_ms();
	struct boot_result r;
	struct boot_verdict v;
	char **argv, err[256];
	int rc;

	for (;;) {
		argv = boot_argv_new(o, kvm ? "kvm" : "tcg");
		if (!argv) {
			log_error("build QEMU's command line: %s", strerror(ENOMEM));
			return CLI_BOOT_LAUNCH;
		}
		rc = boot_attempt(o, s, argv, kvm && o->accel == BOOT_ACCEL_AUTO, ktap, &r, err,
				  sizeof(err));
		boot_argv_free(argv);
		if (rc < 0 || !r.kvm_broken)
			break;
		log_info("KVM does not work here (%s): booting again under TCG", r.kvm_reason);
		session_end(s);
		kvm = false;
		o->timeout_ms -= clock_now_ms() - start;
		if (o->timeout_ms < 1000)
			o->timeout_ms = 1000;
	}
	boot_judge(o, &r, rc < 0 ? err : NULL, &v);
	boot_report(o, s, &r, &v);
	(void)boot_report_junit(o, s, &r, &v); /* a lost report is said; the verdict stands */
	session_end(s);
	return v.status;
}

int boot_main(int argc, char **argv)
{
	struct boot_options o;
	struct session s;
	struct ktap ktap;
	int r = boot_parse_options(&o, argc, argv);

	if (r != 0)
		return r < 0 ? CLI_OK : r;
	if (session_init(&s) < 0)
		return CLI_BOOT_LAUNCH;
	ktap_init(&ktap);
	r = boot_run(&o, &s, &ktap);
	ktap_free(&ktap);
	boot_options_free(&o);
	return r;
}

