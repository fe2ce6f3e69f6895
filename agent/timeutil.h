/* Monotonic milliseconds and a sleep that survives signals: the agent's only clock. */
#ifndef SOFTOFF_AGENT_TIMEUTIL_H
#define SOFTOFF_AGENT_TIMEUTIL_H

#include <errno.h>
#include <time.h>

static inline long long tu_now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void tu_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#endif
