/* The ELF checks for programs put into an embedded initramfs: the image holds no dynamic
 * loader and no libraries, so a program with a PT_INTERP would fail at exec in the guest,
 * where the reason is much harder to see than here. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "elfcheck.h"

/* The machines softoff's guests run on, by the names users know. */
static const char *elfcheck_machine_name(uint16_t machine)
{
	switch (machine) {
	case EM_X86_64: return "x86-64";
	case EM_AARCH64: return "arm64";
	case EM_386: return "i386";
	default: return NULL;
	}
}

static int elfcheck_fail(char *why, size_t whylen, const char *reason)
{
	snprintf(why, whylen, "%s", reason);
	return -ENOEXEC;
}

int elfcheck_static(const void *buf, size_t len, uint16_t machine, char *why, size_t whylen)
{
	const unsigned char *p = buf;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	if (len < sizeof(eh) || memcmp(p, ELFMAG, SELFMAG) != 0)
		return elfcheck_fail(why, whylen, "not an ELF file");
	memcpy(&eh, p, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return elfcheck_fail(why, whylen, "not a 64-bit little-endian ELF file");
	if (eh.e_machine != machine) {
		if (elfcheck_machine_name(eh.e_machine))
			snprintf(why, whylen, "built for %s, the guest needs %s",
				 elfcheck_machine_name(eh.e_machine), elfcheck_machine_name(machine));
		else
			snprintf(why, whylen, "built for ELF machine %u, the guest needs %s",
				 eh.e_machine, elfcheck_machine_name(machine));
		return -ENOEXEC;
	}
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return elfcheck_fail(why, whylen, "not an executable (an object file or core?)");
	if (eh.e_phentsize != sizeof(ph) || eh.e_phoff > len ||
	    (len - eh.e_phoff) / sizeof(ph) < eh.e_phnum)
		return elfcheck_fail(why, whylen, "damaged ELF program headers");
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, p + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			return elfcheck_fail(why, whylen, "dynamically linked (it names a program "
					     "interpreter): the image has no libraries; link it "
					     "statically");
	}
	return 0;
}
