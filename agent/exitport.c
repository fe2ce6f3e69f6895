/* isa-debug-exit makes QEMU exit((v << 1) | 1) at once (docs/facts.md: isa-debug-exit); without the device the
 * write does nothing (docs/facts.md: no device, no effect), so the fallback must follow. */
#include "exitport.h"

#include <errno.h>
#include <string.h>
#include <sys/reboot.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"
#include "timeutil.h"

#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h>
#endif

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

void xp_leave(const struct xp_ops *ops, unsigned value, unsigned port, enum fallback_action fallback)
{
	int rc = ops->ioperm(port);

	if (rc < 0) {
		log_important("ioperm port 0x%x: %s; cannot write the exit value", port, strerror(-rc));
		xp_take_fallback(ops, fallback);
		return;
	}
	log_important("writing 0x%x to port 0x%x (isa-debug-exit)", value, port);
	(void)tcdrain(1);
	(void)tcdrain(2);
	ops->outb(value, port);
	ops->sleep_ms(XP_GRACE_MS);
	log_important("still running %d ms after writing port 0x%x: no isa-debug-exit device there?",
		      XP_GRACE_MS, port);
	xp_take_fallback(ops, fallback);
}

static int xp_system_ioperm(unsigned port)
{
#if defined(__x86_64__) || defined(__i386__)
	return ioperm(port, 1, 1) < 0 ? -errno : 0;
#else
	(void)port;
	return -ENOSYS; /* port I/O exists only on x86 (docs/facts.md) */
#endif
}

static void xp_system_outb(unsigned value, unsigned port)
{
#if defined(__x86_64__) || defined(__i386__)
	outb((unsigned char)value, (unsigned short)port);
#else
	(void)value;
	(void)port;
#endif
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
	tu_sleep_ms(ms);
}

const struct xp_ops xp_system_ops = {
	xp_system_ioperm, xp_system_outb, xp_system_sleep, xp_system_fallback,
};
