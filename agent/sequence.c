/* The order of the shutdown steps, in one place (docs/agent.md, "What it does"). */
#include "sequence.h"

#include "bounded.h"
#include "exitport.h"
#include "holders.h"
#include "hooks.h"
#include "log.h"
#include "teardown.h"

#include <unistd.h>

#define SEQ_MOUNTS "/proc/self/mounts"

/* After the final sync no write may succeed unless it reaches the disk, whoever PID 1 is. */
static void seq_make_safe(const struct agent_config *cfg, bool alone)
{
	static struct td_plan plan;
	int rc = td_plan_unmounts(SEQ_MOUNTS, &plan);

	if (rc < 0) {
		log_msg("read '%s': error %d; no filesystem made safe", SEQ_MOUNTS, -rc);
		return;
	}
	td_make_safe_all(&td_system_ops, &plan, cfg->unmount_timeout_ms, alone);
	td_sync_unsafe(&td_system_ops, &plan, cfg->unmount_timeout_ms);
}

/* Nothing but the agent can run any more only when it is PID 1 (a shell or an init there
 * would go on running and writing) and the kill step left no survivor. */
static bool seq_alone(const struct seq_request *rq, int survivors)
{
	return survivors == 0 && (getpid() == 1 || rq->spare == 1);
}

void seq_run(const struct agent_config *cfg, const struct seq_request *rq)
{
	struct hook_env env = { rq->event, rq->device };
	int survivors = -1;

	if (rq->run_hooks)
		hook_run_all(cfg, &env);
	if (cfg->kill_processes)
		survivors = td_kill_processes(&td_system_ops, cfg->kill_timeout_ms, rq->spare);
	bnd_sync(cfg->unmount_timeout_ms);
	if (cfg->unmount) {
		/* swap files and loop devices would keep their filesystems busy and writable */
		hold_release_all(&hold_system_ops, "/proc/swaps", "/sys/block", "/dev",
				 cfg->unmount_timeout_ms);
		seq_make_safe(cfg, seq_alone(rq, survivors));
	}
	xp_leave(&xp_system_ops, rq->exit_value, cfg->exit_port, cfg->fallback);
}

void seq_leave_now(const struct agent_config *cfg, unsigned exit_value)
{
	bnd_sync(1000);
	xp_leave(&xp_system_ops, exit_value, cfg->exit_port, cfg->fallback);
}
