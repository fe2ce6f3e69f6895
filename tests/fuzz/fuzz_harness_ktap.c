/* libFuzzer target: the harness's KTAP reader. The input is a guest's console as lines
 * (split at '\n', cut at the console's line length); whatever they hold, the reader must not
 * crash, leak or overflow, and its counts must add up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../qemu-harness/console.h"
#include "../../qemu-harness/ktap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktap k;
	char line[CONSOLE_MAX_LINE], summary[1024];
	size_t len = 0;

	ktap_init(&k);
	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n' || data[i] == '\0') {
			line[len] = '\0';
			ktap_line(&k, line);
			len = 0;
		} else if (len < sizeof(line) - 1) {
			line[len++] = (char)data[i];
		}
	}
	ktap_finish(&k);
	ktap_summary(&k, summary, sizeof(summary));
	if (k.passed + k.failed + k.skipped + k.todo != k.seen || k.n_results > (size_t)k.seen ||
	    k.depth != 0)
		abort();
	for (size_t i = 0; i < k.n_results; i++)
		if (k.results[i].depth < 0 || k.results[i].depth >= KTAP_MAX_DEPTH)
			abort();
	ktap_free(&k);
	return 0;
}
