/* Kernel image formats and the release each one carries.
 * x86 bzImage: the boot protocol's setup header (Documentation/arch/x86/boot.rst): "HdrS" at
 *   0x202, the protocol version at 0x206, and at 0x20E the offset - 0x200 of a NUL-terminated
 *   version string such as "6.1.0-57-cloud-amd64 (debian-kernel@...) #1 SMP ...".
 * arm64 Image (Documentation/arch/arm64/booting.rst): "ARM\x64" at 56, and no pointer to a
 *   version. Uncompressed (Debian's arm64 vmlinuz is), it holds the kernel's banner
 *   "Linux version 6.1.0-57-cloud-arm64 (debian-kernel@...) ...", about 12 MB into a 27 MB
 *   file: read in chunks up to the first banner, never more than KIMAGE_ARM64_SCAN_MAX. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "hostfile.h"
#include "kimage.h"

#define KIMAGE_X86_PROTOCOL_AT 0x206
#define KIMAGE_X86_VERSION_PTR_AT 0x20e
#define KIMAGE_X86_VERSION_BASE 0x200
#define KIMAGE_X86_MIN_PROTOCOL 0x200 /* kernel_version exists from protocol 2.00 */
#define KIMAGE_READ_SIZE 65536        /* the version string lies in the setup sectors */
#define KIMAGE_BANNER "Linux version "
#define KIMAGE_BANNER_LEN (sizeof(KIMAGE_BANNER) - 1)
#define KIMAGE_CHUNK (1u << 20)
/* What a chunk keeps of the one before: a banner starting in it has room to end. */
#define KIMAGE_OVERLAP (KIMAGE_BANNER_LEN + KIMAGE_MAX_RELEASE + 2)

bool kimage_is_bzimage(const unsigned char *buf, size_t len)
{
	return len >= KIMAGE_X86_MAGIC_AT + 4 && memcmp(buf + KIMAGE_X86_MAGIC_AT, "HdrS", 4) == 0;
}

bool kimage_is_arm64_image(const unsigned char *buf, size_t len)
{
	return len >= KIMAGE_ARM64_MAGIC_AT + 4 &&
	       memcmp(buf + KIMAGE_ARM64_MAGIC_AT, "ARM\x64", 4) == 0;
}

static unsigned kimage_le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* How many printable, non-space bytes start at buf[at..len), at most a release's length. */
static size_t kimage_word_len(const unsigned char *buf, size_t len, size_t at)
{
	size_t n = 0;

	while (at + n < len && n < KIMAGE_MAX_RELEASE - 1 && buf[at + n] > ' ' && buf[at + n] < 0x7f)
		n++;
	return n;
}

/* The first word of the NUL-terminated string at buf[at..len), or -EINVAL. */
static int kimage_first_word(const unsigned char *buf, size_t len, size_t at, char *release)
{
	size_t n = kimage_word_len(buf, len, at);

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
	if (!kimage_is_bzimage(buf, len)) {
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

/* The release at buf[at..len) when it is a word followed by " (": 0; -EAGAIN when buf ends
 * first; -EINVAL when it is something else (a format string, say). */
static int kimage_banner_word(const unsigned char *buf, size_t len, size_t at, char *release)
{
	size_t n = kimage_word_len(buf, len, at);

	if (at + n + 2 > len) /* a release too long to be one is no banner, cut or not */
		return n < KIMAGE_MAX_RELEASE - 1 ? -EAGAIN : -EINVAL;
	if (n == 0 || buf[at + n] != ' ' || buf[at + n + 1] != '(')
		return -EINVAL;
	memcpy(release, buf + at, n);
	release[n] = '\0';
	return 0;
}

int kimage_release_arm64(const unsigned char *buf, size_t len, char *release, char *why,
			 size_t whylen)
{
	const unsigned char *p = buf, *end = buf + len;
	int r = -ENOENT;

	while (p < end && (p = memmem(p, (size_t)(end - p), KIMAGE_BANNER, KIMAGE_BANNER_LEN))) {
		r = kimage_banner_word(buf, len, (size_t)(p - buf) + KIMAGE_BANNER_LEN, release);
		if (r == 0)
			return 0;
		p++;
	}
	if (r == -EAGAIN) {
		snprintf(why, whylen, "its '" KIMAGE_BANNER "' banner is cut short (truncated?)");
		return r;
	}
	snprintf(why, whylen, "no '" KIMAGE_BANNER "RELEASE (' banner: not an uncompressed arm64 "
		 "Image");
	return -ENOENT;
}

/* Reads fd in chunks, each after the end of the one before, until the banner is found. */
static int kimage_scan_arm64(int fd, unsigned char *buf, char *release, char *why,
			     size_t whylen)
{
	size_t kept = 0, total = 0, len;
	ssize_t n = 0;
	int r = -ENOENT;

	while (total < KIMAGE_ARM64_SCAN_MAX) {
		n = pread(fd, buf + kept, KIMAGE_CHUNK, (off_t)total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (total == 0 && !kimage_is_arm64_image(buf, (size_t)n)) {
			snprintf(why, whylen, "no 'ARM\\x64' magic at %d: not an arm64 Image",
				 KIMAGE_ARM64_MAGIC_AT);
			return -EINVAL;
		}
		total += (size_t)n, len = kept + (size_t)n;
		r = kimage_release_arm64(buf, len, release, why, whylen);
		if (r == 0)
			return 0;
		kept = len < KIMAGE_OVERLAP ? len : KIMAGE_OVERLAP;
		memmove(buf, buf + len - kept, kept);
	}
	if (n < 0) {
		r = -errno;
		snprintf(why, whylen, "%s", strerror(-r));
		return r;
	}
	if (r == -ENOENT && total >= KIMAGE_ARM64_SCAN_MAX)
		snprintf(why, whylen, "no '" KIMAGE_BANNER "RELEASE (' banner in its first %u MB",
			 KIMAGE_ARM64_SCAN_MAX >> 20);
	else if (total == 0)
		snprintf(why, whylen, "empty: not an arm64 Image");
	return r < 0 ? -EINVAL : r;
}

static int kimage_release_arm64_file(const char *path, char *release, char *why, size_t whylen)
{
	unsigned char *buf = malloc(KIMAGE_CHUNK + KIMAGE_OVERLAP);
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0 || !buf) {
		r = fd < 0 ? -errno : -ENOMEM;
		snprintf(why, whylen, "%s", strerror(-r));
	} else {
		r = kimage_scan_arm64(fd, buf, release, why, whylen);
	}
	if (fd >= 0)
		(void)close(fd);
	free(buf);
	return r;
}

static int kimage_release_x86_file(const char *path, char *release, char *why, size_t whylen)
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

int kimage_release(const char *path, enum kimage_format format, char *release, char *why,
		   size_t whylen)
{
	if (format == KIMAGE_ARM64_IMAGE)
		return kimage_release_arm64_file(path, release, why, whylen);
	return kimage_release_x86_file(path, release, why, whylen);
}
