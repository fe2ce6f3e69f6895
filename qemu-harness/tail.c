/* The last few kilobytes of a byte stream, for failure reports. */
#include <string.h>

#include "tail.h"

void tail_append(struct tail *t, const char *data, size_t size)
{
	if (size >= TAIL_SIZE) {
		data += size - TAIL_SIZE;
		size = TAIL_SIZE;
	}
	if (t->len + size > TAIL_SIZE) {
		size_t drop = t->len + size - TAIL_SIZE;

		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->buf + t->len, data, size);
	t->len += size;
}

/* Where the last max_lines lines begin (a trailing newline does not start a line). */
static size_t tail_start(const struct tail *t, int max_lines)
{
	size_t i = t->len;

	if (i > 0 && t->buf[i - 1] == '\n')
		i--;
	while (i > 0) {
		if (t->buf[i - 1] == '\n' && --max_lines == 0)
			break;
		i--;
	}
	return i;
}

void tail_print(const struct tail *t, FILE *out, int max_lines, const char *indent)
{
	size_t i = tail_start(t, max_lines);
	int at_line_start = 1;

	for (; i < t->len; i++) {
		char ch = t->buf[i];

		if (ch == '\r')
			continue;
		if (at_line_start)
			fputs(indent, out);
		fputc(ch, out);
		at_line_start = ch == '\n';
	}
	if (!at_line_start)
		fputc('\n', out);
}
