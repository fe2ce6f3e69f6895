/* The daemon's event loop: buttons, inotify and signals in one poll; the shutdown sequence
 * and the payload run as children so the loop stays responsive. */
#ifndef SOFTOFF_AGENT_LOOP_H
#define SOFTOFF_AGENT_LOOP_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "devices.h"
#include "sequence.h"

/* Linux's tiny power button sends signal 38 to PID 1: SIGRTMIN+4 in glibc's numbering, which
 * musl (SIGRTMIN 35) would get wrong, so the number is spelled out (docs/facts.md: the tiny power button). */
#define LOOP_SIG_TINY_POWER_BUTTON 38

struct loop {
	const struct agent_config *cfg;
	struct btn_set buttons;
	int sigfd;
	bool is_pid1;
	bool latched;   /* one shutdown only: set by the first trigger, never cleared */
	unsigned exit_value; /* the value the running shutdown writes (repeat = force reuses it) */
	pid_t sequencer;
	pid_t payload;
	int payload_status; /* wait status of the payload, once it ended */
	bool stop;
	int exit_code;
	/* What a trigger does; the defaults fork the sequence, tests count calls instead. */
	void (*start)(struct loop *l, const struct seq_request *rq);
	void (*leave_now)(struct loop *l, unsigned exit_value);
};

/* Blocks the signals the loop handles and opens its signalfd. input_dir/sys_dir NULL = real. */
int loop_init(struct loop *l, const struct agent_config *cfg, const char *input_dir, const char *sys_dir);

/* run mode: starts argv as the payload. Returns 0 or -errno (exec failure included). */
int loop_start_payload(struct loop *l, char *const argv[]);

/* Arms the buttons and runs until told to stop. Returns the agent's exit status. */
int loop_run(struct loop *l);

/* A request to shut down (press, signal, payload end); honours the latch and `repeat`. */
void loop_trigger(struct loop *l, const char *event, const char *device, unsigned exit_value,
		  bool run_hooks);

/* Handlers for each readable fd / delivered signal (exposed for tests). */
void loop_on_button(struct loop *l, int i);
void loop_on_signal(struct loop *l, int signo);

void loop_close(struct loop *l);

#endif
