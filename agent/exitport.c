/* Leaving QEMU, the policy: identify the machine, pick the architecture's exit method, fall
 * back when still alive. isa-debug-exit makes QEMU exit((v << 1) | 1) at once (docs/facts.md:
 * isa-debug-exit); without the device the write does nothing (docs/facts.md: no device, no
 * effect), so the fallback must follow. Semihosting SYS_EXIT makes QEMU exit with the status
 * passed; without semihosting the call traps, so it runs in a child. Either happens only on a
 * machine identified as QEMU (docs/agent.md, "The exit port: only on QEMU"). */
#include "exitport.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "bounded.h"
#include "log.h"
#include "readfile.h"
#include "softoff/exit_status.h"
#include "timeutil.h"

/* The signs of QEMU (docs/facts.md: how a guest knows it runs on QEMU) */
#define XP_DMI_VENDOR "sys/class/dmi/id/sys_vendor"
#define XP_ACPI_FADT "sys/firmware/acpi/tables/FACP" /* present on every ACPI machine */
#define XP_FW_CFG "sys/firmware/qemu_fw_cfg"
/* the device tree's root compatible when booted without UEFI: QEMU's arm virt machine says
 * "linux,dummy-virt" (hw/arm/virt.c); kvmtool does too, where semihosting just traps */
#define XP_DT_COMPATIBLE "sys/firmware/devicetree/base/compatible"
#define XP_QEMU_DT "linux,dummy-virt"
/* QEMU's ACPI tables: OEM ID "BOCHS " and OEM table ID "BXPC    " (hw/acpi/aml-build.c) */
#define XP_QEMU_ACPI_OEM "BOCHS/BXPC"
#define XP_ACPI_OEM_ID 10 /* offsets in the 36-byte table header: OEM ID (6 bytes) */
#define XP_ACPI_OEM_TABLE_ID 16 /* then OEM table ID (8 bytes) */
/* QEMU's TCG; KVM's "KVMKVMKVM" is not taken: Firecracker, cloud-hypervisor and crosvm show it too */
#define XP_TCG_SIGNATURE "TCGTCGTCGTCG"

static enum exit_port_guard xp_guard = EXIT_PORT_GUARD_QEMU;

void xp_set_guard(enum exit_port_guard guard)
{
	xp_guard = guard;
}

/* n bytes of s without trailing blanks (fixed-width fields are padded with spaces or NULs) */
static int xp_trimmed(const char *s, int n)
{
	n = (int)strnlen(s, (size_t)n);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	return n;
}

/* The first line of root/rel without trailing blanks; "" when it cannot be read. */
static void xp_read_word(const char *root, const char *rel, char *out, size_t len)
{
	char path[CONFIG_PATH_MAX + 64], text[64];

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!rf_has_text(rf_read_text(path, text, sizeof(text))))
		return;
	snprintf(out, len, "%.*s", xp_trimmed(text, (int)strcspn(text, "\n")), text);
}

/* "OEMID/OEMTABLEID" from the FADT's header, blanks trimmed; "" without ACPI. */
static void xp_read_acpi_oem(const char *root, char *out, size_t len)
{
	char path[CONFIG_PATH_MAX + 64], head[64];
	const char *id = head + XP_ACPI_OEM_ID, *table = head + XP_ACPI_OEM_TABLE_ID;
	int rc;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", root, XP_ACPI_FADT);
	rc = rf_read_text(path, head, sizeof(head));
	if (!rf_has_text(rc) || (rc >= 0 && rc < XP_ACPI_OEM_TABLE_ID + 8))
		return;
	snprintf(out, len, "%.*s/%.*s", xp_trimmed(id, 6), id, xp_trimmed(table, 8), table);
}

void xp_read_machine(const struct xp_ops *ops, struct xp_machine *m)
{
	char path[CONFIG_PATH_MAX + 64];
	struct stat st;

	xp_read_word(ops->root, XP_DMI_VENDOR, m->dmi_vendor, sizeof(m->dmi_vendor));
	xp_read_acpi_oem(ops->root, m->acpi_oem, sizeof(m->acpi_oem));
	snprintf(path, sizeof(path), "%s/%s", ops->root, XP_FW_CFG);
	m->fw_cfg = stat(path, &st) == 0;
	ops->hypervisor(m->hypervisor);
	xp_read_word(ops->root, XP_DT_COMPATIBLE, m->dt_compatible, sizeof(m->dt_compatible));
}

bool xp_is_qemu(const struct xp_machine *m, char *why, size_t whylen)
{
	if (!strcmp(m->dmi_vendor, "QEMU"))
		snprintf(why, whylen, "QEMU by its DMI sys_vendor");
	else if (!strcmp(m->acpi_oem, XP_QEMU_ACPI_OEM))
		snprintf(why, whylen, "QEMU by its ACPI tables (OEM %s)", XP_QEMU_ACPI_OEM);
	else if (m->fw_cfg)
		snprintf(why, whylen, "QEMU by its fw_cfg device");
	else if (!strcmp(m->hypervisor, XP_TCG_SIGNATURE))
		snprintf(why, whylen, "QEMU by its CPUID signature %s", XP_TCG_SIGNATURE);
	else if (!strcmp(m->dt_compatible, XP_QEMU_DT))
		snprintf(why, whylen, "QEMU by its device tree (%s)", XP_QEMU_DT);
	else {
		snprintf(why, whylen, "no sign of QEMU (DMI sys_vendor '%s', ACPI OEM '%s', no fw_cfg, "
			 "hypervisor '%s', device tree '%s')", m->dmi_vendor, m->acpi_oem, m->hypervisor,
			 m->dt_compatible);
		return false;
	}
	return true;
}

static bool xp_exit_allowed(const struct xp_ops *ops, char *why, size_t whylen)
{
	struct xp_machine m;

	if (xp_guard == EXIT_PORT_GUARD_OFF) {
		snprintf(why, whylen, "exit-port-guard = off");
		return true;
	}
	xp_read_machine(ops, &m);
	return xp_is_qemu(&m, why, whylen);
}

static const char *xp_fallback_name(enum fallback_action a)
{
	return a == FALLBACK_POWEROFF ? "poweroff" : a == FALLBACK_HALT ? "halt" : "none";
}

static void xp_take_fallback(const struct xp_ops *ops, enum fallback_action fallback)
{
	int rc;

	if (fallback == FALLBACK_NONE) {
		log_important("fallback is none: staying up");
		return;
	}
	log_important("fallback: %s", xp_fallback_name(fallback));
	(void)tcdrain(2);
	rc = ops->fallback(fallback);
	if (rc < 0)
		log_important("fallback %s: %s", xp_fallback_name(fallback), strerror(-rc));
}

/* x86: the value to isa-debug-exit; returns when the write did not end QEMU. */
static void xp_write_port(const struct xp_ops *ops, unsigned value, unsigned port, const char *why)
{
	int rc = ops->ioperm(port);

	if (rc < 0) {
		log_important("ioperm port 0x%x: %s; cannot write the exit value", port, strerror(-rc));
		return;
	}
	log_important("writing 0x%x to port 0x%x (isa-debug-exit; %s)", value, port, why);
	(void)tcdrain(1);
	(void)tcdrain(2);
	ops->outb(value, port);
	ops->sleep_ms(XP_GRACE_MS);
	log_important("still running %d ms after writing port 0x%x: no isa-debug-exit device there?",
		      XP_GRACE_MS, port);
}

struct xp_semihost_call {
	const struct xp_ops *ops;
	int status;
};

static int xp_semihost_step(const void *ctx, const char *arg)
{
	const struct xp_semihost_call *call = ctx;

	(void)arg;
	return call->ops->semihost_exit(call->status);
}

/* arm64: semihosting SYS_EXIT in a bounded child, since a guest cannot tell whether QEMU has
 * semihosting on: without it the child dies of a signal and we are still here. */
static void xp_semihost(const struct xp_ops *ops, unsigned value, const char *why)
{
	struct xp_semihost_call call = { ops, softoff_qemu_status(value) };
	int rc;

	log_important("asking QEMU to exit %d (semihosting SYS_EXIT; %s)", call.status, why);
	(void)tcdrain(1);
	(void)tcdrain(2);
	rc = bnd_run(xp_semihost_step, &call, NULL, XP_GRACE_MS);
	if (rc == -EINTR)
		log_important("semihosting SYS_EXIT trapped (its child died of a signal): no semihosting "
			      "here (QEMU needs -semihosting-config enable=on,userspace=on)");
	else if (rc == -ETIMEDOUT)
		log_important("still running %d ms after the semihosting SYS_EXIT call", XP_GRACE_MS);
	else
		log_important("semihosting SYS_EXIT: %s", strerror(rc < 0 ? -rc : EPROTO));
}

static void xp_log_refused(enum xp_method method, unsigned port, const char *why)
{
	if (method == XP_METHOD_PORT)
		log_important("not writing port 0x%x: %s; with exit-port-guard = qemu the port is "
			      "written only on QEMU", port, why);
	else
		log_important("not asking QEMU to exit by semihosting: %s; with exit-port-guard = qemu "
			      "the call is made only on QEMU", why);
}

void xp_leave(const struct xp_ops *ops, unsigned value, unsigned port, enum fallback_action fallback)
{
	char why[256];

	if (ops->method == XP_METHOD_NONE)
		log_important("no way to leave QEMU with a status on this architecture");
	else if (!xp_exit_allowed(ops, why, sizeof(why)))
		xp_log_refused(ops->method, port, why);
	else if (ops->method == XP_METHOD_PORT)
		xp_write_port(ops, value, port, why);
	else
		xp_semihost(ops, value, why);
	xp_take_fallback(ops, fallback);
}

static int xp_system_fallback(enum fallback_action action)
{
	sync();
	if (reboot(action == FALLBACK_HALT ? RB_HALT_SYSTEM : RB_POWER_OFF) < 0)
		return -errno;
	return 0;
}

static void xp_system_sleep(long ms)
{
	time_sleep_ms(ms);
}

const struct xp_ops xp_system_ops = {
	.root = "",
	.method = XP_INSN_METHOD,
	.hypervisor = xp_insn_hypervisor,
	.ioperm = xp_insn_ioperm,
	.outb = xp_insn_outb,
	.semihost_exit = xp_insn_semihost_exit,
	.sleep_ms = xp_system_sleep,
	.fallback = xp_system_fallback,
};
