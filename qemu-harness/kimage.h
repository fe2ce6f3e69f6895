/* What a kernel image file says about itself: the kernel release it was built as, which
 * names its modules directory (/lib/modules/RELEASE). One reader per image format. */
#ifndef SOFTOFF_QEMU_KIMAGE_H
#define SOFTOFF_QEMU_KIMAGE_H

#include <stddef.h>

#define KIMAGE_MAX_RELEASE 128

/* The release (the first word of the image's version string, "6.1.0-57-cloud-amd64") of the
 * kernel image in buf (the file's first len bytes) into release. 0, or -EINVAL with the
 * reason ("no 'HdrS' boot header at 0x202: not an x86 bzImage") in why. */
int kimage_release_x86(const unsigned char *buf, size_t len, char *release, char *why,
		       size_t whylen);

/* The same for the file at path, which is read here. 0, or -errno with the reason in why. */
int kimage_release(const char *path, char *release, char *why, size_t whylen);

#endif
