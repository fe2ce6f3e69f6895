/* JUnit XML, the report format CI servers read (GitHub Actions' test reporters, GitLab's
 * artifacts:reports:junit, Jenkins): one test suite of test cases, each with its time, a
 * failure or the reason it was skipped, and what it printed. */
#ifndef SOFTOFF_QEMU_JUNIT_H
#define SOFTOFF_QEMU_JUNIT_H

#include <stddef.h>
#include <stdio.h>

struct junit_case {
	const char *classname, *name;
	double seconds;
	const char *failure;    /* the one-line summary of a failure, or NULL: passed */
	const char *skipped;    /* why it was skipped ("" for no reason), or NULL: it ran */
	const char *out;        /* <system-out>: raw bytes (escaped and cleaned here) */
	size_t out_len;
	const char *err;        /* <system-err>, the same */
	size_t err_len;
};

/* Writes text as XML character data or an attribute value: & < > " ' escaped, '\r'
 * dropped, and what XML 1.0 cannot hold removed (control characters other than tab and
 * newline, bytes that are not UTF-8, surrogates, U+FFFE, U+FFFF). */
void junit_escape(FILE *f, const char *text, size_t len);

/* Writes a document with one test suite named suite holding n cases; -errno when the
 * stream failed. */
int junit_write(FILE *f, const char *suite, const struct junit_case *cases, size_t n);

#endif
