/* The architecture-specific instructions behind exitinsn.h: x86's port I/O and CPUID, arm64's
 * semihosting call; stubs elsewhere. */
#include "exitinsn.h"

#include <errno.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <sys/io.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
void xp_insn_hypervisor(char sig[13])
{
	unsigned a, b, c, d;

	sig[0] = '\0';
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31))) /* bit 31: a hypervisor */
		return;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
}

int xp_insn_ioperm(unsigned port)
{
	return ioperm(port, 1, 1) < 0 ? -errno : 0;
}

void xp_insn_outb(unsigned value, unsigned port)
{
	outb((unsigned char)value, (unsigned short)port);
}
#else /* port I/O and CPUID exist only on x86 (docs/facts.md) */
void xp_insn_hypervisor(char sig[13])
{
	sig[0] = '\0';
}

int xp_insn_ioperm(unsigned port)
{
	(void)port;
	return -ENOSYS;
}

void xp_insn_outb(unsigned value, unsigned port)
{
	(void)value;
	(void)port;
}
#endif

#if defined(__aarch64__)
/* Arm's semihosting specification: operation SYS_EXIT (0x18) in x0; on AArch64 x1 points at
 * two 64-bit words, the reason and the status (reason ADP_Stopped_ApplicationExit: the
 * application ended with that status). The A64 semihosting call is `hlt #0xf000`. */
#define XP_SYS_EXIT 0x18
#define XP_ADP_STOPPED_APPLICATION_EXIT 0x20026

int xp_insn_semihost_exit(int status)
{
	unsigned long block[2] = { XP_ADP_STOPPED_APPLICATION_EXIT, (unsigned long)status };
	register unsigned long x0 __asm__("x0") = XP_SYS_EXIT;
	register unsigned long *x1 __asm__("x1") = block;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return -EPROTO; /* a semihosting host that answered instead of exiting */
}
#else
int xp_insn_semihost_exit(int status)
{
	(void)status;
	return -ENOSYS;
}
#endif
