/* The shutdown sequence: hooks → stop processes → sync → unmount → sync → exit write → fallback. */
#ifndef SOFTOFF_AGENT_SEQUENCE_H
#define SOFTOFF_AGENT_SEQUENCE_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

struct seq_request {
	const char *event;  /* power-button | signal | command */
	const char *device; /* the button that was pressed, or "" */
	unsigned exit_value;
	bool run_hooks;     /* false when a payload ended: only the teardown runs */
	pid_t spare;        /* a process kill-processes must leave alone (the agent's main) */
};

/* Runs the whole sequence. Returns only if the machine is still running afterwards. */
void seq_run(const struct agent_config *cfg, const struct seq_request *rq);

/* repeat = force: skip what is left; sync briefly and leave now. */
void seq_leave_now(const struct agent_config *cfg, unsigned exit_value);

#endif
