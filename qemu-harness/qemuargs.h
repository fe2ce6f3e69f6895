/* What softoff-qemu accepts in a user's QEMU command line: the options that would take QEMU
 * out of its hands, each with the reason, so that `run` and `boot` refuse them up front. */
#ifndef SOFTOFF_QEMU_QEMUARGS_H
#define SOFTOFF_QEMU_QEMUARGS_H

struct qemuargs_refusal {
	const char *option; /* as QEMU spells it, with one dash */
	const char *why;
};

/* The first of QEMU's options in args (NULL-terminated, without the binary) that
 * softoff-qemu cannot supervise, or NULL. QEMU takes "-opt" and "--opt" alike. */
const struct qemuargs_refusal *qemuargs_refused(char *const *args);

#endif
