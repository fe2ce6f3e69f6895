/* Helper shared by the harness's unit tests that read KTAP: text in, a finished reader out. */
#ifndef TEST_HARNESS_KTAP_UTIL_H
#define TEST_HARNESS_KTAP_UTIL_H

#include <stdio.h>
#include <string.h>

#include "../../qemu-harness/ktap.h"

/* Feeds text's '\n'-separated lines to k as the console would (no timestamps), then finishes. */
static inline void ktap_read_text(struct ktap *k, const char *text)
{
	char line[1024];

	while (*text) {
		size_t n = strcspn(text, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, text);
		ktap_line(k, line);
		text += n + (text[n] == '\n');
	}
	ktap_finish(k);
}

#endif
