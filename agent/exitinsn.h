/* The machine instructions that leave QEMU, one set per architecture (exitinsn.c and this
 * header are the only places with architecture conditionals); exitport.c decides when to use
 * them. */
#ifndef SOFTOFF_AGENT_EXITINSN_H
#define SOFTOFF_AGENT_EXITINSN_H

/* How a guest of this architecture asks QEMU to exit with a status. */
enum xp_method {
	XP_METHOD_NONE,        /* no way known: only the fallback */
	XP_METHOD_PORT,        /* x86: outb to isa-debug-exit; QEMU exits (v << 1) | 1 */
	XP_METHOD_SEMIHOSTING, /* arm64: semihosting SYS_EXIT; QEMU exits with the status given */
};

#if defined(__x86_64__) || defined(__i386__)
#define XP_INSN_METHOD XP_METHOD_PORT
#elif defined(__aarch64__)
#define XP_INSN_METHOD XP_METHOD_SEMIHOSTING
#else
#define XP_INSN_METHOD XP_METHOD_NONE
#endif

/* CPUID leaf 0x40000000's hypervisor signature (x86), "" without one or on other machines */
void xp_insn_hypervisor(char sig[13]);

/* x86 port I/O: 0 or -errno (-ENOSYS elsewhere) */
int xp_insn_ioperm(unsigned port);
void xp_insn_outb(unsigned value, unsigned port);

/* Semihosting SYS_EXIT with ADP_Stopped_ApplicationExit and status. Under a QEMU started with
 * -semihosting-config enable=on,userspace=on it does not return; without semihosting (or on
 * real hardware) the instruction traps and the kernel kills the caller with a signal, so call
 * it only in a child. Returns -ENOSYS where there is no semihosting. */
int xp_insn_semihost_exit(int status);

#endif
