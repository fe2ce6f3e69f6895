/* The shutdown sequence: hooks → stop processes → sync → release holders → make filesystems safe
 * → exit write → fallback. */
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

/* The steps, in the order seq_run_with calls them; tests pass fakes. */
struct seq_ops {
	void (*hooks)(const struct agent_config *cfg, const struct seq_request *rq);
	int (*kill)(const struct agent_config *cfg, pid_t spare); /* survivors, or -errno */
	void (*sync)(int timeout_ms);
	void (*holders)(const struct agent_config *cfg);            /* swap areas, loop devices */
	void (*make_safe)(const struct agent_config *cfg, bool alone); /* unmount/freeze/read-only */
	void (*leave)(const struct agent_config *cfg, unsigned exit_value); /* port write, fallback */
	pid_t (*self)(void);
};

extern const struct seq_ops seq_system_ops;

/* Runs the whole sequence with ops. Returns only if the machine is still running afterwards. */
void seq_run_with(const struct seq_ops *ops, const struct agent_config *cfg, const struct seq_request *rq);

/* seq_run_with(&seq_system_ops, ...). */
void seq_run(const struct agent_config *cfg, const struct seq_request *rq);

/* repeat = force: skip what is left; sync briefly and leave now. */
void seq_leave_now(const struct agent_config *cfg, unsigned exit_value);

#endif
