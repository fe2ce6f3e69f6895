/* The order of the shutdown steps, in one place (docs/agent.md, "What it does"). */
#include "sequence.h"

#include "bounded.h"
#include "exitport.h"
#include "holders.h"
#include "hooks.h"
#include "log.h"
#include "teardown.h"

#include <string.h>
#include <unistd.h>

#define SEQ_MOUNTS "/proc/self/mounts"

/* After the final sync no write may succeed unless it reaches the disk, whoever PID 1 is. */
static void seq_make_safe(const struct agent_config *cfg, bool alone)
{
	static struct td_plan plan;
	int rc = td_plan_unmounts(SEQ_MOUNTS, &plan);

	if (rc < 0) {
		log_important("read '%s': %s; no filesystem made safe", SEQ_MOUNTS, strerror(-rc));
		return;
	}
	td_make_safe_all(&td_system_ops, &plan, cfg->unmount_timeout_ms, alone);
	td_sync_unsafe(&td_system_ops, &plan, cfg->unmount_timeout_ms);
}

static void seq_system_hooks(const struct agent_config *cfg, const struct seq_request *rq)
{
	struct hook_env env = { rq->event, rq->device };

	hook_run_all(cfg, &env);
}

static int seq_system_kill(const struct agent_config *cfg, pid_t spare)
{
	return td_kill_processes(&td_system_ops, cfg->kill_timeout_ms, spare);
}

/* swap files and loop devices would keep their filesystems busy and writable */
static void seq_system_holders(const struct agent_config *cfg)
{
	hold_release_all(&hold_system_ops, "/proc/swaps", "/sys/block", "/dev", cfg->unmount_timeout_ms);
}

static void seq_system_leave(const struct agent_config *cfg, unsigned exit_value)
{
	xp_leave(&xp_system_ops, exit_value, cfg->exit_port, cfg->fallback);
}

const struct seq_ops seq_system_ops = {
	.hooks = seq_system_hooks,
	.kill = seq_system_kill,
	.sync = bnd_sync,
	.holders = seq_system_holders,
	.make_safe = seq_make_safe,
	.leave = seq_system_leave,
	.self = getpid,
};

/* Nothing but the agent can run any more only when it is PID 1 (a shell or an init there
 * would go on running and writing) and the kill step left no survivor. */
static bool seq_alone(const struct seq_ops *ops, const struct seq_request *rq, int survivors)
{
	return survivors == 0 && (ops->self() == 1 || rq->spare == 1);
}

/* Each step logs its own failures and the next one runs regardless: a hook that hangs, a
 * process that survives, a filesystem that stays busy never keep the machine up. */
void seq_run_with(const struct seq_ops *ops, const struct agent_config *cfg, const struct seq_request *rq)
{
	int survivors = -1;

	if (rq->run_hooks)
		ops->hooks(cfg, rq);
	if (cfg->kill_processes)
		survivors = ops->kill(cfg, rq->spare);
	ops->sync(cfg->unmount_timeout_ms);
	if (cfg->unmount) {
		ops->holders(cfg);
		ops->make_safe(cfg, seq_alone(ops, rq, survivors));
	}
	ops->leave(cfg, rq->exit_value);
}

void seq_run(const struct agent_config *cfg, const struct seq_request *rq)
{
	seq_run_with(&seq_system_ops, cfg, rq);
}

void seq_leave_now(const struct agent_config *cfg, unsigned exit_value)
{
	bnd_sync(1000);
	seq_system_leave(cfg, exit_value);
}
