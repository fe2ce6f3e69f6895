/* Bounded steps: each runs in a child; the caller waits on the child's pidfd, up to a bound. */
#include "bounded.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"

#define BND_NAP_MAX_MS 10 /* without pidfds: the longest nap between two looks */

/* Sleeps until the child exits or ms pass: on its pidfd when the kernel has them (5.3+),
 * so a step that takes 1.1 ms costs 1.1 ms; else in backed-off naps. */
static void bnd_nap(int pidfd, int ms, int *step)
{
	struct pollfd p = { pidfd, POLLIN, 0 };

	if (pidfd < 0 || poll(&p, 1, ms) < 0)
		time_backoff(step, BND_NAP_MAX_MS);
}

static int bnd_wait_child(pid_t pid, int timeout_ms)
{
	long long end = time_now_ms() + timeout_ms;
	int status, step = 1, rc, pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		long long left = end - time_now_ms();

		if (r == pid) {
			rc = WIFEXITED(status) ? -WEXITSTATUS(status) : -EINTR;
			break;
		}
		if (r < 0) {
			rc = -errno;
			break;
		}
		if (left <= 0) {
			(void)kill(pid, SIGKILL); /* does nothing in D state; then it stays a zombie */
			(void)waitpid(pid, &status, WNOHANG);
			rc = -ETIMEDOUT;
			break;
		}
		bnd_nap(pidfd, (int)left, &step);
	}
	if (pidfd >= 0)
		(void)close(pidfd);
	return rc;
}

int bnd_run(bnd_step_fn *fn, const void *ctx, const char *arg, int timeout_ms)
{
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(-fn(ctx, arg) & 0xff);
	return bnd_wait_child(pid, timeout_ms);
}

static int bnd_sync_now(const void *ctx, const char *arg)
{
	(void)ctx;
	(void)arg;
	sync();
	return 0;
}

void bnd_sync(int timeout_ms)
{
	if (bnd_run(bnd_sync_now, NULL, NULL, timeout_ms) == -ETIMEDOUT)
		log_important("sync: still running after %d ms; going on", timeout_ms);
}
