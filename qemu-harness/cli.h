/* What every subcommand shares on the command line: exit statuses, value parsers, errors. */
#ifndef SOFTOFF_QEMU_CLI_H
#define SOFTOFF_QEMU_CLI_H

#include <stdint.h>

/* Exit statuses of softoff-qemu, also spelled into --help (CLI_STR) and docs/harness.md.
 * Macros rather than an enum, so that the help texts can be built from them. */
#define CLI_OK 0
#define CLI_BOOT_MISMATCH 1      /* boot: QEMU's status is not the one --expect asked for */
#define CLI_USAGE 2              /* bad option, or an input file that cannot be read */
#define CLI_BOOT_TIMEOUT 3       /* boot: --timeout passed */
#define CLI_BOOT_PANIC 4         /* boot: the guest kernel panicked */
#define CLI_BOOT_LAUNCH 5        /* boot: QEMU did not start, or its QMP monitor failed */
#define CLI_BOOT_KILLED 6        /* boot: QEMU was killed by a signal we did not send */
#define CLI_BOOT_RESET 7         /* boot: the guest reset (ends QEMU under -no-reboot) */
#define CLI_BOOT_QEMU_EXIT 8     /* boot: QEMU exited by itself before the ready line */
#define CLI_BOOT_NO_POWEROFF 9   /* boot: --timeout passed after the press */
#define CLI_BOOT_KTAP 10         /* boot --ktap: a KTAP test failed, or the KTAP was incomplete */
#define CLI_QMP_ERROR 1          /* qmp: QEMU answered with an error */
#define CLI_QMP_CONNECT 5        /* qmp: no monitor on the socket, or it broke */
#define CLI_RUN_GUEST_RESET 118  /* run: the guest reset under -no-reboot (no clean power-off) */
#define CLI_RUN_GUEST_PANIC 120  /* run: the guest panicked (pvpanic's GUEST_PANICKED) */
#define CLI_RUN_HOST_SIGNAL 122  /* run: someone else's signal stopped QEMU (no guest shutdown) */
#define CLI_RUN_QUIT 124         /* run: QEMU ended after our quit (guest ignored the button) */
#define CLI_RUN_LAUNCH 126       /* run: QEMU did not start, or its QMP monitor failed */
#define CLI_RUN_KILLED 128       /* run: QEMU ignored quit and was SIGKILLed */
#define CLI_SIGNALED_BASE 128    /* boot, run: 128+N when N killed QEMU or interrupted boot */

/* A status (or any number macro) as a string literal, for help texts. */
#define CLI_STR(x) CLI_STR_(x)
#define CLI_STR_(x) #x

/* "30", "2.5", "30s", "500ms" -> milliseconds. -EINVAL when not a duration >= 0. */
int cli_parse_duration(const char *text, int64_t *ms);

/* A decimal integer in [min, max]. -EINVAL / -ERANGE. */
int cli_parse_int(const char *text, long min, long max, long *out);

/* The long name of option val in a getopt_long table ("?" when it is not there). */
struct option;
const char *cli_option_name(const struct option *options, int val);

/* Prints "softoff-qemu CMD: MESSAGE" and a pointer to --help on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
