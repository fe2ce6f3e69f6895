/* Steps that can hang (sync, unmount, freeze, swapoff, loop detach) run in a child process
 * with a time bound, so the agent itself never hangs on a dead device. */
#ifndef SOFTOFF_AGENT_BOUNDED_H
#define SOFTOFF_AGENT_BOUNDED_H

/* One step, run in the child: ctx is the caller's operations (so no module keeps a global
 * pointer for its children), arg the object (a path). Returns 0 or -errno. */
typedef int bnd_step_fn(const void *ctx, const char *arg);

/* Runs fn(ctx, arg) in a child; 0, the child's -errno, or -ETIMEDOUT after timeout_ms (the
 * child is then sent SIGKILL, which a process stuck in the kernel may not act on). */
int bnd_run(bnd_step_fn *fn, const void *ctx, const char *arg, int timeout_ms);

/* sync(2) in a bounded child; a sync still running at the bound is logged and left behind. */
void bnd_sync(int timeout_ms);

#endif
