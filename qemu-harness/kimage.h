/* What a kernel image file says about itself: its format (which architecture reads it from
 * here) and the kernel release it was built as, which names its modules directory
 * (/lib/modules/RELEASE). One reader per image format. */
#ifndef SOFTOFF_QEMU_KIMAGE_H
#define SOFTOFF_QEMU_KIMAGE_H

#include <stdbool.h>
#include <stddef.h>

#define KIMAGE_MAX_RELEASE 128
#define KIMAGE_X86_MAGIC_AT 0x202 /* "HdrS": the x86 boot protocol's setup header */
#define KIMAGE_ARM64_MAGIC_AT 56  /* "ARM\x64": the arm64 Image header */
#define KIMAGE_ARM64_SCAN_MAX (64u << 20) /* the banner is looked for in this much */

/* The formats whose release can be read. */
enum kimage_format {
	KIMAGE_X86_BZIMAGE, /* the setup header points at the version string */
	KIMAGE_ARM64_IMAGE, /* uncompressed: the "Linux version RELEASE (" banner is inside */
};

/* Whether buf (a file's first len bytes) starts with an x86 bzImage's, or an arm64 Image's,
 * header. */
bool kimage_is_bzimage(const unsigned char *buf, size_t len);
bool kimage_is_arm64_image(const unsigned char *buf, size_t len);

/* The release (the first word of the image's version string, "6.1.0-57-cloud-amd64") of the
 * kernel image in buf (the file's first len bytes) into release. 0, or -EINVAL with the
 * reason ("no 'HdrS' boot header at 0x202: not an x86 bzImage") in why. */
int kimage_release_x86(const unsigned char *buf, size_t len, char *release, char *why,
		       size_t whylen);

/* The release from the first "Linux version RELEASE (" banner in buf[0..len). 0; -ENOENT
 * when buf has none; -EAGAIN when the last one found runs off the end of buf (cut short, or
 * the rest in the next part of the file). why says which. */
int kimage_release_arm64(const unsigned char *buf, size_t len, char *release, char *why,
			 size_t whylen);

/* The release of the kernel image file at path, read as format. 0, or -errno with the reason
 * in why. */
int kimage_release(const char *path, enum kimage_format format, char *release, char *why,
		   size_t whylen);

#endif
