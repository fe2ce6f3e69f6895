/* libFuzzer target: the harness's KTAP reader behind the console watcher. The input is what
 * a guest's serial console shows (printk timestamps, lines cut by kernel messages, any
 * bytes); the reader must not crash, leak or overflow, and its counts must add up. */
#include <stdint.h>
#include <stdlib.h>

#include "../../qemu-harness/console.h"
#include "../../qemu-harness/ktap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console con;
	struct ktap k;
	char summary[1024];

	ktap_init(&k);
	console_init(&con, -1, NULL, NULL);
	con.ktap = &k;
	console_feed(&con, (const char *)data, size);
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
