/* KTAP, the test output of the kernel's KUnit and kselftest (Documentation/dev-tools/ktap.rst),
 * read from a guest's console one line at a time: every test's result, nested subtests
 * followed by their indentation, and what makes the output incomplete (a plan not met, output
 * that ends inside a test, a bail out). Pure: lines in, results and state out; no I/O. */
#ifndef SOFTOFF_QEMU_KTAP_H
#define SOFTOFF_QEMU_KTAP_H

#include <stdbool.h>
#include <stddef.h>

#define KTAP_MAX_DEPTH 16        /* nesting deeper than this is read as unknown lines */
#define KTAP_MAX_RESULTS 10000   /* results kept; later ones are counted, not kept */
#define KTAP_NAME_MAX 128
#define KTAP_PATH_MAX 256
#define KTAP_NOTE_MAX 512
#define KTAP_PREFIX_MAX 64       /* what may stand before the version line ("kunit: ") */

/* A result as it counts: SKIP (after ok or not ok) is skipped; TODO and XFAIL (an expected
 * failure) are never failures; TIMEOUT and ERROR fail; other directives keep ok / not ok. */
enum ktap_outcome { KTAP_PASS, KTAP_FAIL, KTAP_SKIP, KTAP_TODO };

struct ktap_result {
	char name[KTAP_NAME_MAX]; /* the description, or "test N" without one */
	char path[KTAP_PATH_MAX]; /* the enclosing tests' names joined by '.', "" at top level */
	int depth;                /* 0: a top-level test */
	enum ktap_outcome outcome;
	const char *directive;    /* "SKIP", "TODO", "XFAIL", "TIMEOUT", "ERROR", or NULL */
	char note[KTAP_NOTE_MAX]; /* the reason after the directive, or for a failure: its
				     diagnostic data, the '#' lines before it, or why softoff
				     failed it (a subtest plan not met, output ended inside it) */
};

struct ktap_level {
	int indent;              /* spaces in front of this level's lines */
	int plan;                /* 1..N, or -1 */
	int count;               /* results at this level */
	bool versioned;          /* its version line came */
	size_t first;            /* index of the first result recorded inside it */
	char name[KTAP_NAME_MAX];  /* from "# Subtest: NAME", or "" */
	char diag[KTAP_NOTE_MAX];  /* the '#' lines since its last result */
};

/* Private to ktap.c: use the functions below. In the header so callers can hold one. */
struct ktap {
	char prefix[KTAP_PREFIX_MAX]; /* the open document's lines start with this */
	int depth;                    /* open levels; 0: outside any document */
	struct ktap_level levels[KTAP_MAX_DEPTH];
	struct ktap_result *results;
	size_t n_results, cap;
	int seen;                     /* results seen, kept or not */
	int documents;
	int passed, failed, skipped, todo;
	char error[KTAP_NOTE_MAX];    /* the first problem no result carries, or "" */
	bool finished;
};

void ktap_init(struct ktap *k);
void ktap_free(struct ktap *k);

/* One console line, without its newline and with any printk timestamp removed (its
 * indentation kept). Lines before the first version line, and lines KTAP does not know,
 * are ignored. */
void ktap_line(struct ktap *k, const char *line);

/* The console ended: whatever is still open did not finish (results are made up for
 * unfinished subtests). Later calls do nothing. */
void ktap_finish(struct ktap *k);

/* Whether the output was complete and no test failed (false before any version line). */
bool ktap_passed(const struct ktap *k);

/* One line: "N tests: P passed, F failed, S skipped", or the first failure and the first
 * problem ("no KTAP version line on the console", "planned 3 tests, got 2"). */
void ktap_summary(const struct ktap *k, char *buf, size_t size);

#endif
