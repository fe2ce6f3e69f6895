/* Leaving QEMU: write the exit value to isa-debug-exit, and fall back if we are still alive. */
#ifndef SOFTOFF_AGENT_EXITPORT_H
#define SOFTOFF_AGENT_EXITPORT_H

#include "config.h"

#define XP_GRACE_MS 1000 /* how long the write gets to end the process */

struct xp_ops {
	int (*ioperm)(unsigned port); /* 0 or -errno */
	void (*outb)(unsigned value, unsigned port);
	void (*sleep_ms)(long ms);
	int (*fallback)(enum fallback_action action); /* 0 or -errno; returns only if it failed */
};

extern const struct xp_ops xp_system_ops;

/* Flushes the console, writes value to port, waits, then takes the fallback.
 * Returns only when the machine is still running (fallback none, or it failed). */
void xp_leave(const struct xp_ops *ops, unsigned value, unsigned port, enum fallback_action fallback);

#endif
