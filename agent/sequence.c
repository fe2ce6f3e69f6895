/* The order of the shutdown steps, in one place (docs/agent.md, "What it does"). */
#include "sequence.h"

#include "exitport.h"
#include "holders.h"
#include "hooks.h"
#include "log.h"
#include "teardown.h"

#define SEQ_MOUNTS "/proc/self/mounts"

static void seq_unmount(const struct agent_config *cfg)
{
	static struct td_plan plan;
	int rc = td_plan_unmounts(SEQ_MOUNTS, &plan);

	if (rc < 0) {
		log_msg("read '%s': error %d; nothing unmounted", SEQ_MOUNTS, -rc);
		return;
	}
	td_unmount_all(&td_system_ops, &plan, cfg->unmount_timeout_ms);
}

void seq_run(const struct agent_config *cfg, const struct seq_request *rq)
{
	struct hook_env env = { rq->event, rq->device };

	if (rq->run_hooks)
		hook_run_all(cfg, &env);
	if (cfg->kill_processes)
		(void)td_kill_processes(&td_system_ops, cfg->kill_timeout_ms, rq->spare);
	td_sync(cfg->unmount_timeout_ms);
	if (cfg->unmount) {
		/* swap files and loop devices would keep their filesystems busy and writable */
		hold_release_all(&hold_system_ops, "/proc/swaps", "/sys/block", "/dev",
				 cfg->unmount_timeout_ms);
		seq_unmount(cfg);
		td_sync(cfg->unmount_timeout_ms);
	}
	xp_leave(&xp_system_ops, rq->exit_value, cfg->exit_port, cfg->fallback);
}

void seq_leave_now(const struct agent_config *cfg, unsigned exit_value)
{
	td_sync(1000);
	xp_leave(&xp_system_ops, exit_value, cfg->exit_port, cfg->fallback);
}
