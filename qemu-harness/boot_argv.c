/* The QEMU command line `softoff-qemu boot` runs: its fixed options, the guest
 * architecture's CPU, firmware, console and exit device (arch.c), the disks, then the user's
 * EXTRA-QEMU-ARGs (our monitor and console come later, from vm.c). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot.h"

#define BOOT_FIXED_ARGS 28 /* our own options before the disks and EXTRA-QEMU-ARGs */

struct boot_argv {
	char **v;
	int n, cap;
	bool failed;
};

/* Appends a copy of arg, or takes text (malloc'd) when arg is NULL. */
static void boot_arg(struct boot_argv *a, const char *arg, char *text)
{
	char *copy = arg ? strdup(arg) : text;

	if (!copy || a->n >= a->cap - 1) {
		a->failed = true;
		free(copy);
		return;
	}
	a->v[a->n++] = copy;
}

/* A -drive value: commas in a file name are doubled for QEMU's option parser. */
static char *boot_drive_arg(const char *path)
{
	size_t n = strlen(path);
	char *out = malloc(2 * n + 40), *p = out;

	if (!out)
		return NULL;
	p += sprintf(p, "file=");
	for (size_t i = 0; i < n; i++) {
		*p++ = path[i];
		if (path[i] == ',')
			*p++ = ',';
	}
	strcpy(p, ",if=virtio,format=raw");
	return out;
}

/* An option with its value, when the value is set. */
static void boot_option(struct boot_argv *a, const char *option, const char *value)
{
	if (!value)
		return;
	boot_arg(a, option, NULL);
	boot_arg(a, value, NULL);
}

static void boot_fixed_args(struct boot_argv *a, const struct boot_options *o, const char *accel)
{
	char *append = NULL;
	const char *fixed[] = { o->qemu, "-machine", o->machine, "-accel", accel, "-m", o->memory,
				"-nodefaults", "-no-reboot", "-display", "none", "-kernel", o->kernel,
				"-initrd", o->initrd, "-append" };

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		boot_arg(a, fixed[i], NULL);
	if (asprintf(&append, "%s%s%s%s%s", o->arch->append, *o->append ? " " : "", o->append,
		     o->init_args ? " -- " : "", o->init_args ? o->init_args : "") < 0)
		append = NULL;
	boot_arg(a, NULL, append);
	boot_option(a, "-cpu", o->arch->cpu);
	boot_option(a, "-bios", o->firmware);
	boot_option(a, o->arch->exit_option, o->debug_exit);
	boot_option(a, "-device", o->pvpanic);
}

char **boot_argv_new(const struct boot_options *o, const char *accel)
{
	struct boot_argv a = { 0 };
	int n_extra = 0;

	while (o->extra[n_extra])
		n_extra++;
	a.cap = BOOT_FIXED_ARGS + 2 * o->n_disks + n_extra + 1;
	a.v = calloc((size_t)a.cap, sizeof(*a.v));
	if (!a.v)
		return NULL;
	boot_fixed_args(&a, o, accel);
	for (int i = 0; i < o->n_disks; i++) {
		boot_arg(&a, "-drive", NULL);
		boot_arg(&a, NULL, boot_drive_arg(o->disks[i]));
	}
	for (int i = 0; i < n_extra; i++)
		boot_arg(&a, o->extra[i], NULL);
	if (a.failed) {
		boot_argv_free(a.v);
		return NULL;
	}
	return a.v;
}

void boot_argv_free(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}
