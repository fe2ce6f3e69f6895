/* `softoff-qemu boot`: the CI boot test, a policy on the session core, in six parts:
 * boot_options.c (the command line), boot_arch.c (the guest architecture's defaults, from
 * arch.c), boot_argv.c (QEMU's command line), boot_attempt.c (one
 * attempt: start, wait for the ready line, press, wait for the exit), boot_verdict.c (what
 * happened, as a status and one line), boot_report.c (printing it), boot_ktap.c (--ktap's
 * tests in TAP and JUnit), and boot.c (the subcommand: KVM first under --accel auto, then
 * TCG). */
#ifndef SOFTOFF_QEMU_BOOT_H
#define SOFTOFF_QEMU_BOOT_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "softoff/exit_status.h"

#include "arch.h"
#include "cli.h"
#include "console.h"
#include "junit.h"
#include "ktap.h"
#include "embed.h"
#include "session.h"

#define BOOT_MAX_DISKS 16
#define BOOT_MAX_PRESSES 100 /* --presses */
#define BOOT_TIMEOUT_S 120   /* --timeout default */
#define BOOT_QUIT_TIMEOUT_MS 3000 /* after quit, SIGKILL */
#define BOOT_KVM_PROBE_S 10       /* auto: KVM must show console output within this */
#define BOOT_KVM_PROBE_MS (BOOT_KVM_PROBE_S * 1000)
#define BOOT_QMP_TIMEOUT_MS 10000 /* QEMU must finish the QMP handshake within this */
#define BOOT_PANIC_GRACE_S 5      /* after a panic, QEMU gets this long to end by itself (its
				     trace reaches the console) before softoff-qemu stops it */
#define BOOT_PANIC_GRACE_MS (BOOT_PANIC_GRACE_S * 1000)

enum boot_accel { BOOT_ACCEL_AUTO, BOOT_ACCEL_TCG, BOOT_ACCEL_KVM };
enum boot_press { BOOT_PRESS_ARMED, BOOT_PRESS_AFTER, BOOT_PRESS_NEVER };

struct boot_options {
	const char *qemu, *kernel, *initrd, *append, *machine, *memory, *console_path;
	const char *arch_name;  /* --arch, or NULL: read from the kernel image */
	const struct arch *arch; /* the guest's, once the options are parsed */
	const char *firmware;   /* -bios FILE, or NULL */
	FILE *console_file;     /* --console, opened */
	const char *junit_path; /* --junit FILE */
	FILE *junit_file;       /* opened before QEMU starts */
	enum boot_accel accel;
	const char *disks[BOOT_MAX_DISKS];
	int n_disks;
	int expect_status;      /* the QEMU exit status that passes */
	char expect_text[64];   /* "guest power-off (status 99)" */
	bool expect_payload;    /* --expect guest:N (then --press defaults to never) */
	enum boot_press press;
	bool press_given;
	int64_t press_after_ms;
	int presses;            /* --presses: how many make up the first press (default 1) */
	int64_t press_interval_ms; /* --press-interval: between those (default 0: back to back) */
	const char *ready_text; /* --ready REGEX, or NULL: a line starting "softoff-agent: armed" */
	regex_t ready;          /* ready_text compiled (when ready_text is set) */
	const char *debug_exit; /* the exit device's value (arch->exit_option), or NULL (none) */
	const char *pvpanic;    /* the pvpanic -device value, or NULL (--pvpanic none) */
	int64_t timeout_ms;
	bool quiet, verbose, tap;
	bool ktap;              /* --ktap: read KTAP from the console; its tests count too */
	char **extra;           /* after -- */
	struct embed_request embed; /* without --initrd: --agent, --modules, --payload,
				       --save-initrd (and --kernel) */
	struct embed_image embedded; /* the image made then; --initrd names it */
	const char *init_args;  /* words for /init after " -- " at the kernel command line's end */
};

/* What one attempt saw: everything the verdict is made of. */
struct boot_result {
	bool launched;           /* QMP handshake completed */
	bool qmp_broken;         /* QMP failed (handshake timeout, bad message, EOF) */
	const char *qmp_error;   /* why, when QMP said */
	bool timed_out;
	int interrupted_by;      /* a signal that stopped the test, or 0 */
	bool kvm_broken;
	char kvm_reason[128];
	bool shutdown_seen;
	char shutdown_reason[32];
	bool guest_panicked;     /* GUEST_PANICKED event */
	int64_t panic_ms;        /* when a panic was first seen (event or console), or -1 */
	int64_t press_ms;        /* first press, or -1 */
	int presses;
	bool exited;             /* QEMU was reaped, with wait_status */
	int wait_status;
	const struct console *console;
	const struct ktap *ktap; /* --ktap: what the console's KTAP said (finished); else NULL */
};

/* The verdict: an exit status, one line, and what to show with it. */
struct boot_verdict {
	int status;
	char text[1024];         /* the boot's own outcome (KTAP's is in ktap_text) */
	bool show_console, show_output;
	bool ktap_ok;            /* --ktap: complete, and no test failed */
	char ktap_text[1024];    /* --ktap: "KTAP: 5 tests: 4 passed, ...", else "" */
};

/* Runs one attempt on s with QEMU argv; fills r. With --ktap, ktap is emptied first and
 * reads the console. 0, or -errno when QEMU did not start (err filled). */
int boot_attempt(const struct boot_options *o, struct session *s, char **argv, bool kvm_probe,
		 struct ktap *ktap, struct boot_result *r, char *err, size_t errlen);

/* Parses boot's command line into o and opens its input files (kernel, initrd, disks,
 * --console). 0 = ready; -1 = --help was printed; else a usage status (message printed).
 * After 0, boot_options_free() releases what parsing took. */
int boot_parse_options(struct boot_options *o, int argc, char **argv);
void boot_options_free(struct boot_options *o);

/* Fills in what --arch (or the kernel image's architecture) decides and the options left
 * unset: QEMU binary, machine, firmware, exit device, pvpanic; "none" becomes NULL. 0, or a
 * usage status with the message printed (unknown --arch or image format, missing firmware). */
int boot_apply_arch(struct boot_options *o);

/* Without --initrd: makes the image (embed.c) and points --initrd at it; with --initrd,
 * refuses the options that only shape that image. 0 or a usage status (message printed).
 * Called once --kernel is known to be readable and its architecture known. */
int boot_embed_prepare(struct boot_options *o);

/* QEMU's command line for o under accel, NULL-terminated; NULL when out of memory. Free it
 * with boot_argv_free(). */
char **boot_argv_new(const struct boot_options *o, const char *accel);
void boot_argv_free(char **argv);

/* The verdict on what one attempt saw; start_err: QEMU did not start (why), else NULL. */
void boot_judge(const struct boot_options *o, const struct boot_result *r,
		const char *start_err, struct boot_verdict *v);

/* Why the ready line may not have come, from --append and what the console showed: causes
 * joined by "; " in buf ("" when nothing points anywhere). */
void boot_ready_hints(const struct boot_options *o, const struct console *con, char *buf,
		      size_t size);

/* Prints the verdict: a summary line (or TAP with the figures), the console's and QEMU's
 * last lines when they help. */
void boot_report(const struct boot_options *o, const struct session *s,
		 const struct boot_result *r, const struct boot_verdict *v);

/* Writes the verdict as JUnit XML to --junit's file (when given) and closes it: the failure's
 * message is the summary line without "FAIL "; -errno
 * with the error logged when writing failed. */
int boot_report_junit(struct boot_options *o, const struct session *s,
		      const struct boot_result *r, const struct boot_verdict *v);

/* --ktap in the reports: the KTAP tests as TAP test 2 with a nested subtest per level (after
 * TAP test 1, the boot), and as JUnit test cases after the boot's (boot_ktap_cases() fills
 * cases[0..n) and returns n, at most boot_ktap_max_cases(); free() *strings, the text they
 * point to, after use). */
void boot_ktap_tap(const struct ktap *k, const struct boot_verdict *v);
size_t boot_ktap_max_cases(const struct ktap *k);
size_t boot_ktap_cases(const struct ktap *k, struct junit_case *cases, void **strings);

int boot_main(int argc, char **argv);

#endif
