/* One row per guest architecture, and the kernel image formats that tell them apart:
 *   x86 bzImage   "HdrS" at 0x202 (the boot protocol's setup header)
 *   arm64 Image   "ARM\x64" at 56 (Documentation/arch/arm64/booting.rst); Debian ships this,
 *                 uncompressed, as /boot/vmlinuz-*-arm64
 *   EFI PE        "MZ", the PE header's offset at 0x3c, "PE\0\0" there, then the machine:
 *                 0xaa64 or 0x8664 (how an EFI zboot arm64 kernel, "zimg" at 4, says it)
 * arm64 guests boot with UEFI firmware: the kernel then finds ACPI and its power button
 * (PNP0C0C); with a device tree it has none. They leave QEMU through semihosting, since virt
 * has no isa-debug-exit. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arch.h"
#include "kimage.h"

#define ARCH_PE_OFFSET_AT 0x3c
#define ARCH_PE_MACHINE_ARM64 0xaa64
#define ARCH_PE_MACHINE_X86_64 0x8664
#define ARCH_READ_SIZE 4096 /* every header above lies in the first page */

static const struct arch arch_table[] = {
	{ .name = "x86_64", .qemu = "qemu-system-x86_64", .machine = "q35",
	  .append = ARCH_X86_64_APPEND, .exit_option = "-device", .exit_value = ARCH_X86_64_EXIT,
	  .pvpanic = ARCH_X86_64_PVPANIC, .elf_machine = EM_X86_64,
	  .kernel_format = KIMAGE_X86_BZIMAGE, .agent = ARCH_X86_64_AGENT,
	  .agent_installed = ARCH_X86_64_AGENT_INSTALLED,
#ifdef __x86_64__
	  .native = true,
#endif
	},
	{ .name = "aarch64", .qemu = "qemu-system-aarch64", .machine = "virt",
	  .cpu = "cortex-a57", /* under TCG 3x faster to boot than max (pointer authentication) */
	  .firmware = ARCH_AARCH64_FIRMWARE, .firmware_package = "qemu-efi-aarch64",
	  .append = ARCH_AARCH64_APPEND, .exit_option = "-semihosting-config",
	  .exit_value = ARCH_AARCH64_EXIT, .pvpanic = ARCH_AARCH64_PVPANIC,
	  .elf_machine = EM_AARCH64, .kernel_format = KIMAGE_ARM64_IMAGE,
	  .agent = ARCH_AARCH64_AGENT, /* the Debian package is amd64 only */
#ifdef __aarch64__
	  .native = true,
#endif
	},
};

const struct arch *arch_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(arch_table) / sizeof(arch_table[0]); i++)
		if (strcmp(arch_table[i].name, name) == 0)
			return &arch_table[i];
	return NULL;
}

static uint32_t arch_le(const unsigned char *p, int bytes)
{
	uint32_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The machine an EFI PE image names, or NULL with the reason. */
static const struct arch *arch_of_pe(const unsigned char *buf, size_t len, char *why,
				     size_t whylen)
{
	uint32_t at = arch_le(buf + ARCH_PE_OFFSET_AT, 4);
	uint32_t machine;

	if (at > len - 6 || memcmp(buf + at, "PE\0\0", 4) != 0) {
		snprintf(why, whylen, "an MZ header without a PE header in its first %zu bytes",
			 len);
		return NULL;
	}
	machine = arch_le(buf + at + 4, 2);
	if (machine == ARCH_PE_MACHINE_ARM64)
		return arch_by_name("aarch64");
	if (machine == ARCH_PE_MACHINE_X86_64)
		return arch_by_name("x86_64");
	snprintf(why, whylen, "an EFI image for PE machine 0x%04x, neither arm64 nor x86-64",
		 (unsigned)machine);
	return NULL;
}

const struct arch *arch_of_image(const unsigned char *buf, size_t len, char *why, size_t whylen)
{
	if (kimage_is_bzimage(buf, len))
		return arch_by_name("x86_64");
	if (kimage_is_arm64_image(buf, len))
		return arch_by_name("aarch64");
	if (len >= ARCH_PE_OFFSET_AT + 4 && memcmp(buf, "MZ", 2) == 0)
		return arch_of_pe(buf, len, why, whylen);
	if (len >= 2 && buf[0] == 0x1f && buf[1] == 0x8b)
		snprintf(why, whylen, "gzip-compressed, so its header cannot be read");
	else
		snprintf(why, whylen, "not an x86 bzImage ('HdrS' at 0x%x), an arm64 Image "
			 "('ARM\\x64' at %d) or an EFI image", KIMAGE_X86_MAGIC_AT, KIMAGE_ARM64_MAGIC_AT);
	return NULL;
}

const struct arch *arch_of_file(const char *path, char *why, size_t whylen)
{
	unsigned char buf[ARCH_READ_SIZE];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return NULL;
	}
	do
		n = pread(fd, buf, sizeof(buf), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		snprintf(why, whylen, "%s", strerror(errno));
	(void)close(fd);
	return n < 0 ? NULL : arch_of_image(buf, (size_t)n, why, whylen);
}
