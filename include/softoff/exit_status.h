/* The exit-status contract shared by softoff-agent (guest) and softoff-qemu (host).
 *
 * A write of v to isa-debug-exit makes QEMU exit with ((v << 1) | 1) & 0xff, so only odd
 * statuses can come from the guest and v must stay in 1..0x7f. On arm64 (no isa-debug-exit)
 * the agent makes a semihosting SYS_EXIT call with the status softoff_qemu_status(v), which
 * QEMU exits with as it is: the same numbers on both architectures. The agent picks v, the
 * harness turns QEMU's status back into what happened in the guest:
 *
 *   v             QEMU status   meaning
 *   0x31          99            clean power-off (button, signal or `softoff-agent poweroff`)
 *   0x32          101           the payload was killed by a signal
 *   0x33          103           the agent itself failed (could not start the payload, ...)
 *   0x40 + s      129 + 2s      the payload exited with status s (0..62); 63 means "63 or more"
 *   (none)        0             QEMU ended another way: fallback power-off (no isa-debug-exit
 *                               device or no semihosting, or a machine the agent did not
 *                               identify as QEMU), host signal, quit
 *   (none)        1             QEMU's own error exit (ambiguous: also v = 0 or v = 0x80)
 */
#ifndef SOFTOFF_EXIT_STATUS_H
#define SOFTOFF_EXIT_STATUS_H

#define SOFTOFF_EXIT_POWEROFF 0x31
#define SOFTOFF_EXIT_PAYLOAD_SIGNALED 0x32
#define SOFTOFF_EXIT_AGENT_FAILURE 0x33
#define SOFTOFF_EXIT_PAYLOAD_BASE 0x40
#define SOFTOFF_EXIT_PAYLOAD_MAX 63

/* QEMU's default isa-debug-exit port */
#define SOFTOFF_EXIT_PORT 0x501

enum softoff_outcome {
	SOFTOFF_OUTCOME_POWEROFF,         /* clean power-off through isa-debug-exit */
	SOFTOFF_OUTCOME_PAYLOAD,          /* payload exited; status in .payload_status */
	SOFTOFF_OUTCOME_PAYLOAD_SIGNALED, /* payload killed by a signal */
	SOFTOFF_OUTCOME_AGENT_FAILURE,    /* the agent reported its own failure */
	SOFTOFF_OUTCOME_NOT_DEBUG_EXIT,   /* status 0: fallback power-off or host-side stop */
	SOFTOFF_OUTCOME_QEMU_ERROR,       /* status 1: QEMU's own failure */
	SOFTOFF_OUTCOME_OTHER,            /* an odd status no softoff agent writes */
};

struct softoff_decoded {
	enum softoff_outcome outcome;
	int payload_status; /* 0..63 for SOFTOFF_OUTCOME_PAYLOAD, else -1 */
};

/* The status QEMU exits with after the guest writes v to isa-debug-exit; on arm64 the status
 * the agent asks for by semihosting. */
static inline int softoff_qemu_status(unsigned v)
{
	return (int)(((v << 1) | 1) & 0xff);
}

/* The value the agent writes for a payload that exited with status (0..255). */
static inline unsigned softoff_encode_payload(int status)
{
	if (status < 0)
		status = 0;
	if (status > SOFTOFF_EXIT_PAYLOAD_MAX)
		status = SOFTOFF_EXIT_PAYLOAD_MAX;
	return SOFTOFF_EXIT_PAYLOAD_BASE + (unsigned)status;
}

/* What QEMU's exit status says happened in the guest. */
static inline struct softoff_decoded softoff_decode(int qemu_status)
{
	struct softoff_decoded d = { SOFTOFF_OUTCOME_OTHER, -1 };
	unsigned v = ((unsigned)qemu_status & 0xff) >> 1;

	if (qemu_status == 0)
		d.outcome = SOFTOFF_OUTCOME_NOT_DEBUG_EXIT;
	else if (qemu_status == 1)
		d.outcome = SOFTOFF_OUTCOME_QEMU_ERROR;
	else if (qemu_status < 0 || qemu_status > 255 || !(qemu_status & 1))
		d.outcome = SOFTOFF_OUTCOME_OTHER;
	else if (v == SOFTOFF_EXIT_POWEROFF)
		d.outcome = SOFTOFF_OUTCOME_POWEROFF;
	else if (v == SOFTOFF_EXIT_PAYLOAD_SIGNALED)
		d.outcome = SOFTOFF_OUTCOME_PAYLOAD_SIGNALED;
	else if (v == SOFTOFF_EXIT_AGENT_FAILURE)
		d.outcome = SOFTOFF_OUTCOME_AGENT_FAILURE;
	else if (v >= SOFTOFF_EXIT_PAYLOAD_BASE) {
		d.outcome = SOFTOFF_OUTCOME_PAYLOAD;
		d.payload_status = (int)(v - SOFTOFF_EXIT_PAYLOAD_BASE);
	}
	return d;
}

#endif
