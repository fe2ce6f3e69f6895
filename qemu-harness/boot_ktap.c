/* `softoff-qemu boot --ktap` in the reports: the guest's KTAP tests as TAP test 2, whose
 * nested subtest holds one TAP line per KTAP result (indented 4 spaces a level, each level
 * with its "# Subtest:" and plan lines, numbered afresh), and as JUnit test cases, one per
 * KTAP result (classname "ktap" plus the path of its enclosing tests), plus one for a
 * problem no result carries (no KTAP, a top-level plan not met, a bail out). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"

#define BOOT_KTAP_CLASS "ktap" /* the JUnit classname of KTAP's top-level tests */

/* The text a JUnit case of a KTAP result points to. */
struct boot_ktap_text {
	char classname[sizeof(BOOT_KTAP_CLASS) + KTAP_PATH_MAX];
	char message[KTAP_NOTE_MAX + 16];
};

/* The group of results at depth d starting at i ends at its parent's result (the first
 * shallower one), or at n; *count: its own results (those at depth d). */
static size_t boot_ktap_group_end(const struct ktap *k, size_t i, int d, int *count)
{
	*count = 0;
	for (; i < k->n_results && k->results[i].depth >= d; i++)
		*count += k->results[i].depth == d;
	return i;
}

/* "# Subtest: NAME" and the plan of the group at depth d starting at i. */
static void boot_ktap_tap_header(const struct ktap *k, size_t i, int d)
{
	int count;
	size_t end = boot_ktap_group_end(k, i, d, &count);
	const char *name = d == 0 ? BOOT_KTAP_CLASS
			   : end < k->n_results ? k->results[end].name : "(not kept)";

	printf("%*s# Subtest: %s\n%*s1..%d\n", 4 * (d + 1), "", name, 4 * (d + 1), "", count);
}

/* Each line of text as a TAP diagnostic at indent. */
static void boot_ktap_tap_diag(int indent, const char *prefix, const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");

		printf("%*s# %s%.*s\n", indent, "", prefix, (int)n, text);
		prefix = "";
		text += n + (text[n] == '\n');
	}
}

static void boot_ktap_tap_result(const struct ktap_result *r, int number)
{
	int indent = 4 * (r->depth + 1);
	const char *ok = r->outcome == KTAP_PASS || r->outcome == KTAP_SKIP ? "ok" : "not ok";

	printf("%*s%s %d - %s", indent, "", ok, number, r->name);
	if (r->outcome == KTAP_SKIP)
		printf(" # SKIP%s%s", r->note[0] ? " " : "", r->note);
	else if (r->outcome == KTAP_TODO) /* TAP knows TODO (not XFAIL): never a failure */
		printf(" # TODO %s%s%s", strcmp(r->directive, "TODO") ? r->directive : "",
		       strcmp(r->directive, "TODO") ? " " : "", r->note);
	printf("\n");
	if (r->outcome == KTAP_FAIL && (r->note[0] || r->directive)) {
		char prefix[16];

		snprintf(prefix, sizeof(prefix), "%s%s", r->directive ? r->directive : "",
			 r->directive ? ": " : "");
		boot_ktap_tap_diag(indent, prefix, r->note[0] ? r->note : "(no reason given)");
	}
}

void boot_ktap_tap(const struct ktap *k, const struct boot_verdict *v)
{
	int number[KTAP_MAX_DEPTH] = { 0 }, open = -1;

	for (size_t i = 0; i < k->n_results; i++) {
		const struct ktap_result *r = &k->results[i];

		while (open < r->depth) { /* a new group (or groups) starts here */
			open++;
			number[open] = 0;
			boot_ktap_tap_header(k, i, open);
		}
		boot_ktap_tap_result(r, ++number[r->depth]);
		open = r->depth;
	}
	if (k->n_results == 0)
		printf("    # Subtest: %s\n    1..0\n", BOOT_KTAP_CLASS);
	if ((size_t)k->seen > k->n_results)
		printf("    # %zu more results were counted, not kept\n", (size_t)k->seen - k->n_results);
	printf("%s 2 - %s\n", v->ktap_ok ? "ok" : "not ok", v->ktap_text);
}

size_t boot_ktap_max_cases(const struct ktap *k)
{
	return k->n_results + 1;
}

static void boot_ktap_case(const struct ktap_result *r, struct boot_ktap_text *t,
			   struct junit_case *c)
{
	snprintf(t->classname, sizeof(t->classname), "%s%s%s", BOOT_KTAP_CLASS,
		 r->path[0] ? "." : "", r->path);
	*c = (struct junit_case){ .classname = t->classname, .name = r->name };
	if (r->outcome == KTAP_FAIL) {
		snprintf(t->message, sizeof(t->message), "%s%s%s", r->directive ? r->directive : "",
			 r->directive && r->note[0] ? ": " : "", r->note[0] || r->directive ?
			 r->note : "not ok");
		c->failure = t->message;
	} else if (r->outcome == KTAP_SKIP) {
		c->skipped = r->note;
	} else if (r->outcome == KTAP_TODO) {
		snprintf(t->message, sizeof(t->message), "%s%s%s", r->directive,
			 r->note[0] ? " " : "", r->note);
		c->skipped = t->message;
	}
}

size_t boot_ktap_cases(const struct ktap *k, struct junit_case *cases, void **strings)
{
	struct boot_ktap_text *text = calloc(k->n_results ? k->n_results : 1, sizeof(*text));
	size_t n = 0;

	*strings = text;
	for (size_t i = 0; text && i < k->n_results; i++)
		boot_ktap_case(&k->results[i], &text[i], &cases[n++]);
	if (k->error[0])
		cases[n++] = (struct junit_case){ .classname = BOOT_KTAP_CLASS, .name = "KTAP output",
						  .failure = k->error };
	return n;
}
