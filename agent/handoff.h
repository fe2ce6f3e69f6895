/* Under systemd, power-off belongs to systemd: who handles a shutdown request, the hand-over
 * to PID 1, and the isa-debug-exit write at the very end of systemd's own shutdown. */
#ifndef SOFTOFF_AGENT_HANDOFF_H
#define SOFTOFF_AGENT_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "loop.h"

/* The two actions with effects outside the agent; tests replace them. */
struct handoff_ops {
	int (*signal_init)(int signo); /* signal PID 1: 0 or -errno */
	void (*write_port)(const struct agent_config *cfg); /* returns if the machine still runs */
};

extern const struct handoff_ops handoff_system_ops;

/* systemd starts poweroff.target (job mode replace-irreversibly) on SIGRTMIN+4 (glibc's
 * numbering): the very signal the kernel's tiny power button sends to PID 1 for that reason. */
#define HANDOFF_SIG_POWEROFF LOOP_SIG_TINY_POWER_BUTTON

enum handoff_owner {
	HANDOFF_AGENT,   /* no systemd: the agent runs its own shutdown sequence */
	HANDOFF_SYSTEMD, /* systemd is the init: ask PID 1 to start poweroff.target */
	HANDOFF_LOGIND,  /* a press, and systemd-logind runs and acts on the power key: leave it */
};

/* systemd's own test (sd_booted): ROOT/run/systemd/system is a directory. */
bool handoff_systemd_booted(const char *root);

/* A process named systemd-logind in ROOT/proc. */
bool handoff_logind_running(const char *root);

/* The HandlePowerKey= logind would use (its [Login] section in ROOT/etc/systemd/logind.conf,
 * then the logind.conf.d drop-ins in systemd's order), "poweroff" when none sets it. */
void handoff_logind_power_key(const char *root, char *value, size_t len);

/* Who handles a request (event: power-button | signal | command), and why (for the log). */
enum handoff_owner handoff_decide(const char *root, const char *event, char *why, size_t len);

/* Under systemd, makes the loop's shutdown requests hand off instead of tearing down.
 * Returns true when it did (the loop then never runs the sequence itself). */
bool handoff_attach(struct loop *l, const char *root, const struct handoff_ops *ops);

/* `softoff-agent poweroff` under systemd: hand the request to PID 1. Returns an exit status. */
int handoff_command(const char *root, const struct handoff_ops *ops);

/* Whether the exit port may be written now: not while systemd runs as PID 1 (the system is
 * still up); yes in systemd-shutdown (after the last unmount) or under another init. */
bool handoff_exit_port_allowed(const char *root, char *why, size_t len);

/* `softoff-agent exit-port`: writes the configured exit value to the configured port when
 * allowed, without a fallback (the caller powers off). Returns an exit status. */
int handoff_exit_port(const struct agent_config *cfg, const char *root,
		      const struct handoff_ops *ops);

#endif
