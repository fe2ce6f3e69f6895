/* `softoff-qemu boot` without --initrd: an initramfs made here, in memory, holding the static
 * agent as /init, the kernel modules it needs (evdev and the ACPI button, where the kernel has
 * them as modules), the list of those modules, and optionally a payload. QEMU reads it from a
 * memfd; nothing is written to disk unless --save-initrd asks. */
#ifndef SOFTOFF_QEMU_EMBED_H
#define SOFTOFF_QEMU_EMBED_H

#include <stddef.h>

#include "softoff/image.h"

#include "kimage.h"

#define EMBED_PAYLOAD "/payload"
#define EMBED_INIT_ARGS "run " EMBED_PAYLOAD /* what /init gets after the command line's -- */
#define EMBED_MAX_PROGRAM (32u << 20)        /* agent, payload, module: larger is refused */

struct arch;

/* What goes in: the options of the same names (NULL: not given), and the guest's architecture,
 * which says how the kernel's release is read, which agent is the default and which machine
 * the programs must be built for. */
struct embed_request {
	const char *kernel, *agent, *modules, *payload, *save_path;
	const struct arch *arch;
};

/* What came out. */
struct embed_image {
	int fd;          /* a memfd holding the image, inherited by QEMU; -1 when none */
	char path[40];   /* the name QEMU opens it by: /proc/self/fd/N */
	size_t size;
	char release[KIMAGE_MAX_RELEASE];
	char modules_dir[4096]; /* "" when every needed module is built in... or none needed */
	int n_modules;
};

/* Builds the image for req into img. 0, or -errno with a one-line reason naming the object in
 * why ("--kernel 'x': no 'HdrS' boot header at 0x202: not an x86 bzImage"). */
int embed_build(const struct embed_request *req, struct embed_image *img, char *why,
		size_t whylen);

/* Closes the memfd. */
void embed_free(struct embed_image *img);

#endif
