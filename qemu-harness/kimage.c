/* Kernel image headers. x86: the boot protocol's setup header (Documentation/arch/x86/
 * boot.rst): "HdrS" at 0x202, the protocol version at 0x206, and at 0x20E the offset - 0x200
 * of a NUL-terminated version string such as "6.1.0-57-cloud-amd64 (debian-kernel@...) #1
 * SMP ...". Another architecture's format gets its own kimage_release_ARCH beside this one. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "hostfile.h"
#include "kimage.h"

#define KIMAGE_X86_MAGIC_AT 0x202
#define KIMAGE_X86_PROTOCOL_AT 0x206
#define KIMAGE_X86_VERSION_PTR_AT 0x20e
#define KIMAGE_X86_VERSION_BASE 0x200
#define KIMAGE_X86_MIN_PROTOCOL 0x200 /* kernel_version exists from protocol 2.00 */
#define KIMAGE_READ_SIZE 65536        /* the version string lies in the setup sectors */

static unsigned kimage_le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* The first word of the NUL-terminated string at buf[at..len), or -EINVAL. */
static int kimage_first_word(const unsigned char *buf, size_t len, size_t at, char *release)
{
	size_t n = 0;

	while (at + n < len && n < KIMAGE_MAX_RELEASE - 1 && buf[at + n] > ' ' && buf[at + n] < 0x7f)
		n++;
	if (n == 0 || at + n >= len || (buf[at + n] != ' ' && buf[at + n] != '\0'))
		return -EINVAL;
	memcpy(release, buf + at, n);
	release[n] = '\0';
	return 0;
}

int kimage_release_x86(const unsigned char *buf, size_t len, char *release, char *why,
		       size_t whylen)
{
	unsigned protocol;
	size_t at;

	if (len < KIMAGE_X86_VERSION_PTR_AT + 2) {
		snprintf(why, whylen, "only %zu bytes: too short for an x86 boot header", len);
		return -EINVAL;
	}
	if (memcmp(buf + KIMAGE_X86_MAGIC_AT, "HdrS", 4) != 0) {
		snprintf(why, whylen, "no 'HdrS' boot header at 0x%x: not an x86 bzImage",
			 KIMAGE_X86_MAGIC_AT);
		return -EINVAL;
	}
	protocol = kimage_le16(buf + KIMAGE_X86_PROTOCOL_AT);
	at = kimage_le16(buf + KIMAGE_X86_VERSION_PTR_AT);
	if (protocol < KIMAGE_X86_MIN_PROTOCOL || at == 0) {
		snprintf(why, whylen, "boot protocol %u.%02u names no kernel version string",
			 protocol >> 8, protocol & 0xff);
		return -EINVAL;
	}
	at += KIMAGE_X86_VERSION_BASE;
	if (kimage_first_word(buf, len, at, release) < 0) {
		snprintf(why, whylen, "no kernel version string at 0x%zx (truncated or damaged)",
			 at);
		return -EINVAL;
	}
	return 0;
}

int kimage_release(const char *path, char *release, char *why, size_t whylen)
{
	char *buf;
	size_t len;
	int r = hostfile_read(path, KIMAGE_READ_SIZE, true, &buf, &len);

	if (r < 0) {
		snprintf(why, whylen, "%s", strerror(-r));
		return r;
	}
	r = kimage_release_x86((const unsigned char *)buf, len, release, why, whylen);
	free(buf);
	return r;
}
