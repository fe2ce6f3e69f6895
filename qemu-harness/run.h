/* `softoff-qemu run`: supervise any QEMU command line; signals become ACPI button presses. */
#ifndef SOFTOFF_QEMU_RUN_H
#define SOFTOFF_QEMU_RUN_H

#include <stdbool.h>

#include "session.h"

/* How QEMU ended under `run`, and what led there. */
struct run_outcome {
	int wait_status;          /* QEMU's, from waitpid() */
	enum session_stop stop;   /* how far softoff-qemu went stopping it */
	bool qmp_broken;          /* the monitor failed while QEMU ran */
	enum session_shutdown shutdown; /* the first SHUTDOWN's reason, decoded */
	bool guest_panicked;      /* GUEST_PANICKED (pvpanic) */
	int success_status;       /* --success-status */
};

/* run's exit status for an outcome (documented in --help and docs/harness.md). */
int run_exit_status(const struct run_outcome *r);

int run_main(int argc, char **argv);

#endif
