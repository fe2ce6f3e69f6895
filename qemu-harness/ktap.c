/* KTAP from a guest's console: the line grammar, the stack of open (sub)tests, the results.
 * A document starts at a version line (whatever stands before it, such as "kunit: ", must
 * stand before each of its lines too); a level is opened by a more indented version line,
 * "# Subtest:" line, plan or result, and closed by the result line at its parent's
 * indentation. The top level ends when its plan is met, at the next top-level version line,
 * or when the console ends. Results are kept in the order their lines came: a subtest's
 * results before its parent's. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ktap.h"

#define KTAP_MAX_PLAN 1000000

/* A result line taken apart: "ok 3 - name # SKIP reason". */
struct ktap_parsed {
	bool ok;
	int number;                 /* 0 when the line has none */
	char desc[KTAP_NAME_MAX];
	const char *directive;      /* a known directive, or NULL */
	char data[KTAP_NOTE_MAX];   /* what follows '#' (after a known directive: its reason) */
};

static const char *const ktap_directives[] = { "SKIP", "TODO", "XFAIL", "TIMEOUT", "ERROR" };

void ktap_init(struct ktap *k)
{
	memset(k, 0, sizeof(*k));
}

void ktap_free(struct ktap *k)
{
	free(k->results);
	ktap_init(k);
}

/* Copies at most len bytes of src, trimmed of spaces at both ends, into dst. */
static void ktap_copy_trimmed(char *dst, size_t size, const char *src, size_t len)
{
	while (len > 0 && isspace((unsigned char)src[0])) {
		src++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)src[len - 1]))
		len--;
	if (len > size - 1)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void ktap_error(struct ktap *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ktap_error(struct ktap *k, const char *fmt, ...)
{
	va_list ap;

	if (k->error[0])
		return; /* the first problem explains the rest */
	va_start(ap, fmt);
	(void)vsnprintf(k->error, sizeof(k->error), fmt, ap);
	va_end(ap);
}

/* Where "KTAP version N" or "TAP version N" (ending the line) starts in line, or NULL. */
static const char *ktap_find_version(const char *line)
{
	const char *p = strstr(line, "TAP version "), *q;

	if (!p)
		return NULL;
	q = p + strlen("TAP version ");
	if (!isdigit((unsigned char)*q))
		return NULL;
	while (isdigit((unsigned char)*q))
		q++;
	while (*q == ' ')
		q++;
	if (*q)
		return NULL;
	return p > line && p[-1] == 'K' ? p - 1 : p;
}

/* "1..N", maybe followed by "# reason". */
static bool ktap_parse_plan(const char *s, int *n)
{
	char *end;
	long v;

	if (strncmp(s, "1..", 3) != 0 || !isdigit((unsigned char)s[3]))
		return false;
	v = strtol(s + 3, &end, 10);
	while (*end == ' ')
		end++;
	if (*end && *end != '#')
		return false;
	*n = v > KTAP_MAX_PLAN ? KTAP_MAX_PLAN : (int)v;
	return true;
}

/* After '#': a known directive (any case, "SKIPPED" too) and its reason, or plain data. */
static void ktap_parse_directive(const char *s, struct ktap_parsed *r)
{
	size_t n;

	s += strspn(s, " ");
	n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	for (size_t i = 0; i < sizeof(ktap_directives) / sizeof(ktap_directives[0]); i++) {
		size_t len = strlen(ktap_directives[i]);

		if (n >= len && strncasecmp(s, ktap_directives[i], len) == 0 &&
		    (n == len || strcmp(ktap_directives[i], "SKIP") == 0)) {
			r->directive = ktap_directives[i];
			s += n;
			s += *s == ':'; /* "SKIP: reason" */
			break;
		}
	}
	ktap_copy_trimmed(r->data, sizeof(r->data), s, strlen(s));
}

/* "ok N - description # DIRECTIVE reason" / "not ok ..."; the number and the rest optional. */
static bool ktap_parse_result(const char *s, struct ktap_parsed *r)
{
	const char *hash;
	char *end;

	memset(r, 0, sizeof(*r));
	r->ok = strncmp(s, "ok", 2) == 0;
	if (!r->ok && strncmp(s, "not ok", 6) != 0)
		return false;
	s += r->ok ? 2 : 6;
	if (*s && *s != ' ')
		return false; /* "okay", "ok1" */
	s += strspn(s, " ");
	if (isdigit((unsigned char)*s)) {
		long v = strtol(s, &end, 10);

		r->number = v > KTAP_MAX_PLAN ? KTAP_MAX_PLAN : (int)v;
		s = end;
	}
	s += strspn(s, " ");
	if (s[0] == '-' && (s[1] == ' ' || !s[1]))
		s++;
	hash = strchr(s, '#');
	ktap_copy_trimmed(r->desc, sizeof(r->desc), s, hash ? (size_t)(hash - s) : strlen(s));
	if (hash)
		ktap_parse_directive(hash + 1, r);
	return true;
}

static enum ktap_outcome ktap_outcome_of(const struct ktap_parsed *r)
{
	const char *d = r->directive;

	if (d && strcmp(d, "SKIP") == 0)
		return KTAP_SKIP;
	if (d && (strcmp(d, "TODO") == 0 || strcmp(d, "XFAIL") == 0))
		return KTAP_TODO;
	if (d && (strcmp(d, "TIMEOUT") == 0 || strcmp(d, "ERROR") == 0))
		return KTAP_FAIL;
	return r->ok ? KTAP_PASS : KTAP_FAIL;
}

static struct ktap_level *ktap_push(struct ktap *k, int indent, const char *name, bool versioned)
{
	struct ktap_level *l;

	if (k->depth >= KTAP_MAX_DEPTH)
		return NULL;
	l = &k->levels[k->depth++];
	memset(l, 0, sizeof(*l));
	l->indent = indent;
	l->plan = -1;
	l->versioned = versioned;
	l->first = k->n_results;
	ktap_copy_trimmed(l->name, sizeof(l->name), name, strlen(name));
	return l;
}

/* Appends one '#' line to a level's diagnostics, dropping the oldest lines to make room. */
static void ktap_add_diag(struct ktap_level *l, const char *text)
{
	size_t len = strnlen(text, sizeof(l->diag) / 2), used = strlen(l->diag);

	while (used > 0 && used + len + 2 > sizeof(l->diag)) {
		const char *nl = strchr(l->diag, '\n');
		size_t drop = nl ? (size_t)(nl - l->diag) + 1 : used;

		memmove(l->diag, l->diag + drop, used - drop + 1);
		used -= drop;
	}
	if (used > 0)
		l->diag[used++] = '\n';
	memcpy(l->diag + used, text, len);
	l->diag[used + len] = '\0';
}

/* dst = "A.B" (or A, or B, when the other is empty), cut to fit. */
static void ktap_join(char *dst, size_t size, const char *a, const char *b)
{
	const char *parts[3] = { a, *a && *b ? "." : "", b };
	size_t used = 0;

	for (int i = 0; i < 3; i++) {
		size_t n = strnlen(parts[i], size - 1 - used);

		memcpy(dst + used, parts[i], n);
		used += n;
	}
	dst[used] = '\0';
}

/* The results inside a subtest get its name in front of their path. */
static void ktap_prefix_paths(struct ktap *k, size_t first, const char *name)
{
	char buf[KTAP_PATH_MAX];

	for (size_t j = first; j < k->n_results; j++) {
		ktap_join(buf, sizeof(buf), name, k->results[j].path);
		memcpy(k->results[j].path, buf, sizeof(buf));
	}
}

/* Room for one more kept result, or NULL (beyond KTAP_MAX_RESULTS, or out of memory). */
static struct ktap_result *ktap_slot(struct ktap *k)
{
	if (k->n_results == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		struct ktap_result *more;

		if (cap > KTAP_MAX_RESULTS)
			cap = KTAP_MAX_RESULTS;
		if (cap == k->cap || !(more = realloc(k->results, cap * sizeof(*more))))
			return NULL;
		k->results = more;
		k->cap = cap;
	}
	return &k->results[k->n_results];
}

static void ktap_count(struct ktap *k, enum ktap_outcome o)
{
	k->seen++;
	if (o == KTAP_PASS)
		k->passed++;
	else if (o == KTAP_FAIL)
		k->failed++;
	else if (o == KTAP_SKIP)
		k->skipped++;
	else
		k->todo++;
}

/* The note a result keeps: its own data, else (a failure) the '#' lines before it. */
static const char *ktap_note_for(const struct ktap_parsed *p, enum ktap_outcome o,
				 const struct ktap_level *l, const struct ktap_level *child)
{
	if (p->data[0] || o != KTAP_FAIL)
		return p->data;
	if (l->diag[0])
		return l->diag;
	return child ? child->diag : "";
}

/* Records the result p at level index i; child: the subtest it closes, or NULL. why: softoff's
 * own reason to fail it (or NULL). */
static void ktap_record(struct ktap *k, int i, const struct ktap_parsed *p,
			const struct ktap_level *child, const char *why)
{
	struct ktap_level *l = &k->levels[i];
	enum ktap_outcome o = why ? KTAP_FAIL : ktap_outcome_of(p);
	char name[KTAP_NAME_MAX];
	struct ktap_result *r;

	if (p->desc[0])
		snprintf(name, sizeof(name), "%s", p->desc);
	else if (child && child->name[0])
		snprintf(name, sizeof(name), "%s", child->name);
	else
		snprintf(name, sizeof(name), "test %d", p->number ? p->number : l->count + 1);
	if (child)
		ktap_prefix_paths(k, child->first, name);
	ktap_count(k, o);
	l->count++;
	r = ktap_slot(k);
	if (r) {
		memset(r, 0, sizeof(*r));
		memcpy(r->name, name, sizeof(r->name));
		r->depth = i;
		r->outcome = o;
		r->directive = why ? NULL : p->directive;
		snprintf(r->note, sizeof(r->note), "%s", why ? why : ktap_note_for(p, o, l, child));
		k->n_results++;
	}
	l->diag[0] = '\0';
}

/* The deepest level, which never got its result line, gets a failed one made up (why). */
static void ktap_abandon(struct ktap *k, const char *why)
{
	struct ktap_level *child = &k->levels[k->depth - 1];
	struct ktap_parsed p = { .ok = false };
	char note[KTAP_NOTE_MAX];

	if (child->plan >= 0)
		snprintf(note, sizeof(note), "%s (after %d of %d subtests)", why, child->count,
			 child->plan);
	else
		snprintf(note, sizeof(note), "%s (after %d subtests)", why, child->count);
	k->depth--;
	ktap_record(k, k->depth - 1, &p, child, note);
}

/* Ends the open document: its unfinished subtests fail, its unmet plan is a problem. */
static void ktap_end_document(struct ktap *k, const char *why)
{
	const struct ktap_level *top = &k->levels[0];

	if (k->depth > 1)
		ktap_error(k, "%s inside %s", why,
			   k->levels[1].name[0] ? k->levels[1].name : "a subtest");
	while (k->depth > 1)
		ktap_abandon(k, why);
	if (top->plan >= 0 && top->count < top->plan)
		ktap_error(k, "planned %d tests, got %d (%s)", top->plan, top->count, why);
	k->depth = 0;
}

static void ktap_start_document(struct ktap *k)
{
	k->documents++;
	(void)ktap_push(k, 0, "", true);
}

/* A top level whose plan is met is done: what follows is outside it. */
static void ktap_check_complete(struct ktap *k)
{
	const struct ktap_level *top = &k->levels[0];

	if (k->depth == 1 && top->plan >= 0 && top->count >= top->plan)
		k->depth = 0;
}

/* The level whose lines have this indentation, or -1. */
static int ktap_level_at(const struct ktap *k, int indent)
{
	for (int i = k->depth - 1; i >= 0; i--)
		if (k->levels[i].indent == indent)
			return i;
	return -1;
}

static void ktap_on_version(struct ktap *k, int indent)
{
	struct ktap_level *cur = &k->levels[k->depth - 1];

	if (indent > cur->indent) {
		(void)ktap_push(k, indent, "", true);
	} else if (indent == cur->indent && !cur->versioned && cur->count == 0) {
		cur->versioned = true; /* after its "# Subtest:" line */
	} else if (indent == 0) {
		ktap_end_document(k, "a new KTAP version line came");
		ktap_start_document(k);
	}
}

static void ktap_on_subtest(struct ktap *k, int indent, const char *name)
{
	struct ktap_level *cur = &k->levels[k->depth - 1];

	if (indent > cur->indent)
		(void)ktap_push(k, indent, name, false);
	else if (indent == cur->indent && k->depth > 1 && cur->count == 0 && !cur->name[0])
		ktap_copy_trimmed(cur->name, sizeof(cur->name), name, strlen(name));
}

static void ktap_on_plan(struct ktap *k, int indent, int n)
{
	struct ktap_level *cur = &k->levels[k->depth - 1];

	if (indent > cur->indent)
		cur = ktap_push(k, indent, "", false); /* a subtest without a header */
	else if (indent != cur->indent || cur->plan >= 0)
		return;
	if (!cur)
		return;
	cur->plan = n;
	ktap_check_complete(k);
}

/* A subtest's plan, checked when its parent's result line comes: why it fails, or NULL. */
static const char *ktap_plan_problem(const struct ktap_level *child, char *buf, size_t size)
{
	if (child->plan < 0 || child->count == child->plan)
		return NULL;
	snprintf(buf, size, "planned %d subtests, got %d", child->plan, child->count);
	return buf;
}

static void ktap_on_result(struct ktap *k, int indent, const struct ktap_parsed *p)
{
	int i = ktap_level_at(k, indent);
	char why[96];

	if (i < 0 && indent > k->levels[k->depth - 1].indent &&
	    ktap_push(k, indent, "", false)) /* results without a header or plan */
		i = k->depth - 1;
	if (i < 0)
		return;
	while (k->depth > i + 2) /* levels that never got their result line */
		ktap_abandon(k, "no result line came for it");
	if (k->depth == i + 2) {
		struct ktap_level *child = &k->levels[--k->depth];

		ktap_record(k, i, p, child, ktap_plan_problem(child, why, sizeof(why)));
	} else {
		ktap_record(k, i, p, NULL, NULL);
	}
	ktap_check_complete(k);
}

/* A '#' line goes to the innermost level it is indented for. */
static void ktap_on_diag(struct ktap *k, int indent, const char *text)
{
	int i = k->depth - 1;

	while (i > 0 && k->levels[i].indent > indent)
		i--;
	text += strspn(text, "# ");
	if (*text)
		ktap_add_diag(&k->levels[i], text);
}

static void ktap_dispatch(struct ktap *k, int indent, const char *s)
{
	struct ktap_parsed p;
	int n;

	if (strncmp(s, "Bail out!", 9) == 0) {
		ktap_error(k, "bail out!%s", s + 9);
		ktap_end_document(k, "bail out");
	} else if (ktap_find_version(s) == s) {
		ktap_on_version(k, indent);
	} else if (strncmp(s, "# Subtest:", 10) == 0) {
		ktap_on_subtest(k, indent, s + 10);
	} else if (ktap_parse_plan(s, &n)) {
		ktap_on_plan(k, indent, n);
	} else if (ktap_parse_result(s, &p)) {
		ktap_on_result(k, indent, &p);
	} else if (s[0] == '#') {
		ktap_on_diag(k, indent, s);
	}
}

void ktap_line(struct ktap *k, const char *line)
{
	const char *v;
	size_t len;

	if (k->finished)
		return;
	if (k->depth == 0) {
		v = ktap_find_version(line);
		if (!v || (size_t)(v - line) >= sizeof(k->prefix))
			return;
		memcpy(k->prefix, line, (size_t)(v - line));
		k->prefix[v - line] = '\0';
		ktap_start_document(k);
		return;
	}
	len = strlen(k->prefix);
	if (strncmp(line, k->prefix, len) != 0)
		return; /* not the document's: another part of the kernel, or of the payload */
	line += len;
	len = strspn(line, " ");
	ktap_dispatch(k, (int)len, line + len);
}

void ktap_finish(struct ktap *k)
{
	if (k->finished)
		return;
	if (k->depth > 0)
		ktap_end_document(k, "the output ended");
	if (k->documents == 0)
		ktap_error(k, "no KTAP version line on the console");
	k->finished = true;
}

bool ktap_passed(const struct ktap *k)
{
	return k->documents > 0 && k->failed == 0 && !k->error[0];
}

/* The first failed result, as PATH.NAME. */
static void ktap_first_failure(const struct ktap *k, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < k->n_results; i++) {
		const struct ktap_result *r = &k->results[i];

		if (r->outcome == KTAP_FAIL) {
			ktap_join(buf, size, r->path, r->name);
			return;
		}
	}
}

void ktap_summary(const struct ktap *k, char *buf, size_t size)
{
	char first[KTAP_PATH_MAX + KTAP_NAME_MAX + 1];
	int n = snprintf(buf, size, "%d test%s: %d passed, %d failed, %d skipped", k->seen,
			 k->seen == 1 ? "" : "s", k->passed, k->failed, k->skipped);

	if (k->todo && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, ", %d todo", k->todo);
	ktap_first_failure(k, first, sizeof(first));
	if (first[0] && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, "; first failure: %s", first);
	if (k->error[0] && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "; %s", k->error);
}
