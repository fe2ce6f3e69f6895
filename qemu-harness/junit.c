/* JUnit XML: escaping what a guest's console may hold, and the document around it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "junit.h"

/* The length of the UTF-8 sequence at p that XML 1.0 allows (1..4), or 0. */
static size_t junit_char_len(const unsigned char *p, size_t left)
{
	uint32_t c;
	size_t n;

	if (p[0] < 0x80)
		return p[0] >= 0x20 || p[0] == '\t' || p[0] == '\n' ? 1 : 0;
	n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 0;
	if (n == 0 || n > left || p[0] > 0xf4)
		return 0;
	c = p[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe || c == 0xffff)
		return 0; /* overlong, out of range, a surrogate, or a non-character */
	return n;
}

void junit_escape(FILE *f, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;

	for (size_t i = 0; i < len;) {
		size_t n = junit_char_len(p + i, len - i);

		if (n == 0) {
			i++; /* not representable: removed */
			continue;
		}
		switch (p[i]) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break; /* also keeps "]]>" out of character data */
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: (void)fwrite(p + i, 1, n, f);
		}
		i += n;
	}
}

static void junit_escape_str(FILE *f, const char *text)
{
	junit_escape(f, text, strlen(text));
}

static void junit_element(FILE *f, const char *tag, const char *text, size_t len)
{
	if (!text || len == 0)
		return;
	fprintf(f, "    <%s>", tag);
	junit_escape(f, text, len);
	fprintf(f, "</%s>\n", tag);
}

static void junit_case(FILE *f, const struct junit_case *c)
{
	fputs("  <testcase classname=\"", f);
	junit_escape_str(f, c->classname);
	fputs("\" name=\"", f);
	junit_escape_str(f, c->name);
	fprintf(f, "\" time=\"%.3f\">\n", c->seconds);
	if (c->failure) {
		fputs("    <failure message=\"", f);
		junit_escape_str(f, c->failure);
		fputs("\" type=\"failure\">", f);
		junit_escape_str(f, c->failure);
		fputs("</failure>\n", f);
	}
	if (c->skipped) {
		fputs("    <skipped message=\"", f);
		junit_escape_str(f, c->skipped);
		fputs("\"/>\n", f);
	}
	junit_element(f, "system-out", c->out, c->out_len);
	junit_element(f, "system-err", c->err, c->err_len);
	fputs("  </testcase>\n", f);
}

int junit_write(FILE *f, const char *suite, const struct junit_case *cases, size_t n)
{
	size_t failures = 0, skipped = 0;
	double seconds = 0;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	for (size_t i = 0; i < n; i++) {
		failures += cases[i].failure != NULL;
		skipped += cases[i].skipped != NULL;
		seconds += cases[i].seconds;
	}
	if (!gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm))
		stamp[0] = '\0';
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"", f);
	junit_escape_str(f, suite);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\" "
		"timestamp=\"%s\">\n", n, failures, skipped, seconds, stamp);
	for (size_t i = 0; i < n; i++)
		junit_case(f, &cases[i]);
	fputs("</testsuite>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return -(errno ? errno : EIO);
	return 0;
}
