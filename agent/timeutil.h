/* Monotonic milliseconds and a sleep that survives signals: the agent's only clock. */
#ifndef SOFTOFF_AGENT_TIMEUTIL_H
#define SOFTOFF_AGENT_TIMEUTIL_H

#include <errno.h>
#include <time.h>

static inline long long time_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void time_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* For waits on something that usually ends at once (a sync, a hook that just exited):
 * sleep *step_ms, then double it up to max_ms, so short waits cost about a millisecond
 * and long ones wake rarely. Start with *step_ms = 1. */
static inline void time_backoff(int *step_ms, int max_ms)
{
	time_sleep_ms(*step_ms);
	*step_ms = *step_ms * 2 > max_ms ? max_ms : *step_ms * 2;
}

#endif
