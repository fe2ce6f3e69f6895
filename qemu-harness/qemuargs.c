/* QEMU options that would take QEMU out of softoff-qemu's hands. docs/harness.md lists the
 * options that look similar but are fine (-runas, -chroot, stdio chardevs, -no-shutdown). */
#include <stddef.h>
#include <string.h>

#include "qemuargs.h"

static const struct qemuargs_refusal qemuargs_refusals[] = {
	{ "-daemonize",
	  "QEMU would detach: softoff-qemu would see it exit 0 at once, could neither stop it "
	  "nor tell how it ended, and it would outlive softoff-qemu" },
};

const struct qemuargs_refusal *qemuargs_refused(char *const *args)
{
	size_t n = sizeof(qemuargs_refusals) / sizeof(qemuargs_refusals[0]);

	for (size_t i = 0; args[i]; i++) {
		const char *arg = args[i];

		if (arg[0] == '-' && arg[1] == '-')
			arg++;
		for (size_t k = 0; k < n; k++)
			if (strcmp(arg, qemuargs_refusals[k].option) == 0)
				return &qemuargs_refusals[k];
	}
	return NULL;
}
