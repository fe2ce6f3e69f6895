/* The guest's serial console as we read it: kept in a file (--console), echoed (--verbose),
 * its tail remembered for failure reports, and watched for the lines that matter: the
 * ready line (by default "softoff-agent: armed ...") and a kernel panic; with a KTAP reader
 * attached (boot --ktap), every line goes to it too. */
#ifndef SOFTOFF_QEMU_CONSOLE_H
#define SOFTOFF_QEMU_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <regex.h>
#include <stdio.h>

#include "ktap.h"
#include "tail.h"

#define CONSOLE_AGENT_PREFIX "softoff-agent:"
#define CONSOLE_ARMED_PREFIX CONSOLE_AGENT_PREFIX " armed"
#define CONSOLE_MAX_LINE 1024 /* longer lines are matched on their first 1 KiB, the rest dropped */

struct console {
	int fd;
	FILE *keep;           /* --console FILE, or NULL */
	FILE *echo;           /* --verbose: stdout, or NULL */
	struct tail tail;
	char line[CONSOLE_MAX_LINE];
	size_t line_len;
	const regex_t *ready; /* the ready line: NULL = it starts with CONSOLE_ARMED_PREFIX */
	int64_t ready_ms;     /* when the first ready line came, or -1 */
	int64_t last_output_ms; /* when any byte last came, or -1 */
	char panic_line[160]; /* the first "Kernel panic" line, or "" */
	char ready_line[160];
	char agent_line[160];  /* the last line from softoff-agent, or "": what it said last */
	struct ktap *ktap;    /* fed every line (printk timestamp removed), or NULL */
	char ktap_cut[CONSOLE_MAX_LINE]; /* a program's line a kernel message cut, for ktap */
	bool eof;
};

void console_init(struct console *con, int fd, FILE *keep, FILE *echo);

/* Lines matching re (searched after any printk timestamp) are ready lines from now on;
 * NULL restores the default. */
void console_set_ready(struct console *con, const regex_t *re);

/* Reads what is available (non-blocking fd): 0, or -errno. Sets con->eof at EOF. */
int console_read(struct console *con);

/* Feeds bytes as if read (used by console_read and by tests). */
void console_feed(struct console *con, const char *data, size_t size);

#endif
