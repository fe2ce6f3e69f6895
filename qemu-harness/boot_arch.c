/* The guest architecture of `softoff-qemu boot`: --arch, or the kernel image's own; its row
 * of arch.c fills the options left unset, and its firmware must exist before QEMU starts. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"

/* An optional device's value: the architecture's default when unset, NULL for "none". */
static const char *boot_arch_value(const char *given, const char *fallback)
{
	if (!given)
		return fallback;
	return strcmp(given, "none") == 0 ? NULL : given;
}

static int boot_find_arch(struct boot_options *o)
{
	char why[160];

	if (o->arch_name) {
		o->arch = arch_by_name(o->arch_name);
		if (!o->arch)
			return cli_usage_error("boot", "--arch: '%s' is not x86_64 or aarch64",
					       o->arch_name);
		return 0;
	}
	o->arch = arch_of_file(o->kernel, why, sizeof(why));
	if (!o->arch) {
		fprintf(stderr, "softoff-qemu boot: kernel '%s': cannot tell its architecture: %s; "
			"give --arch x86_64 or aarch64 (QEMU not started)\n", o->kernel, why);
		return CLI_USAGE;
	}
	return 0;
}

/* The firmware must be readable: QEMU's own error would come after the boot started. */
static int boot_check_firmware(const struct boot_options *o)
{
	char hint[128] = "";
	int err;

	if (!o->firmware || access(o->firmware, R_OK) == 0)
		return 0;
	err = errno;
	if (o->firmware == o->arch->firmware)
		snprintf(hint, sizeof(hint), "; install the Debian package %s, or give --firmware",
			 o->arch->firmware_package);
	fprintf(stderr, "softoff-qemu boot: read firmware '%s': %s%s (QEMU not started)\n",
		o->firmware, strerror(err), hint);
	return CLI_USAGE;
}

int boot_apply_arch(struct boot_options *o)
{
	int r = boot_find_arch(o);

	if (r != 0)
		return r;
	if (!o->qemu)
		o->qemu = o->arch->qemu;
	if (!o->machine)
		o->machine = o->arch->machine;
	o->debug_exit = boot_arch_value(o->debug_exit, o->arch->exit_value);
	o->pvpanic = boot_arch_value(o->pvpanic, o->arch->pvpanic);
	o->firmware = boot_arch_value(o->firmware, o->arch->firmware);
	return boot_check_firmware(o);
}
