/* Leaving QEMU with a status: on x86 write the exit value to isa-debug-exit, on arm64 make a
 * semihosting SYS_EXIT call (in a child: without semihosting the call traps), and fall back if
 * we are still alive. Either is used only on a machine identified as QEMU (or with
 * exit-port-guard = off): on real hardware the I/O range around 0x500 can belong to the
 * chipset (GPIO blocks often sit there), an attached debugger would halt on the semihosting
 * call, and the agent is packaged for machines that are not VMs. */
#ifndef SOFTOFF_AGENT_EXITPORT_H
#define SOFTOFF_AGENT_EXITPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "exitinsn.h"

#define XP_GRACE_MS 1000 /* how long the write or the call gets to end the process */

/* The system's are exitinsn.c's for this architecture; the tests pass fakes (of either method). */
struct xp_ops {
	const char *root; /* prefix of the sys/ paths that identify the machine: "" (the system) */
	enum xp_method method;
	void (*hypervisor)(char sig[13]); /* CPUID 0x40000000 signature, "" without a hypervisor */
	int (*ioperm)(unsigned port);      /* 0 or -errno */
	void (*outb)(unsigned value, unsigned port);
	int (*semihost_exit)(int status); /* run in a child; returns -errno when QEMU did not exit */
	void (*sleep_ms)(long ms);
	int (*fallback)(enum fallback_action action); /* 0 or -errno; returns only if it failed */
};

extern const struct xp_ops xp_system_ops;

/* What a machine says about itself: the signs of QEMU the agent looks for. */
struct xp_machine {
	char dmi_vendor[32]; /* sys/class/dmi/id/sys_vendor ("QEMU" on pc and q35); "" if none */
	char acpi_oem[16];   /* FACP header's OEM ID/OEM table ID ("BOCHS/BXPC"); "" if none */
	bool fw_cfg;         /* sys/firmware/qemu_fw_cfg exists (only with the qemu_fw_cfg module) */
	char hypervisor[13]; /* CPUID hypervisor signature: "TCGTCGTCGTCG", "KVMKVMKVM", ... */
	char dt_compatible[32]; /* device tree root's first compatible ("linux,dummy-virt"); "" if none */
};

/* Reads the signs under ops->root and from ops->hypervisor. */
void xp_read_machine(const struct xp_ops *ops, struct xp_machine *m);

/* Whether m is QEMU. why gets the sign that says so, or what was seen instead. */
bool xp_is_qemu(const struct xp_machine *m, char *why, size_t whylen);

/* Until called, the guard is EXIT_PORT_GUARD_QEMU. main() passes the config's value. */
void xp_set_guard(enum exit_port_guard guard);

/* Flushes the console and, if the guard allows it, leaves by ops->method: writes value to
 * port and waits, or asks for QEMU status softoff_qemu_status(value) by semihosting in a
 * child; then takes the fallback. Returns only when the machine is still running (fallback
 * none, or it failed). */
void xp_leave(const struct xp_ops *ops, unsigned value, unsigned port, enum fallback_action fallback);

#endif
