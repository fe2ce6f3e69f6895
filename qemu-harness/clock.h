/* Monotonic time in milliseconds, for deadlines and the figures in summaries. */
#ifndef SOFTOFF_QEMU_CLOCK_H
#define SOFTOFF_QEMU_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);

/* Milliseconds from now until deadline (0 if past), for poll(); -1 when deadline < 0 (none). */
int clock_poll_timeout(int64_t deadline_ms);

/* The earlier of two deadlines, where a negative value means "no deadline". */
int64_t clock_earliest(int64_t a, int64_t b);

#endif
