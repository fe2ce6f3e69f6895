/* The guest architectures `softoff-qemu boot` knows, one row each: the QEMU binary, machine,
 * CPU, firmware, serial console and exit device that boot that architecture's kernel with an
 * ACPI power button; and which architecture a kernel image file is built for. */
#ifndef SOFTOFF_QEMU_ARCH_H
#define SOFTOFF_QEMU_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softoff/exit_status.h"

#include "cli.h"
#include "kimage.h"

/* The defaults as text, for --help and the table (arch.c) alike. */
#define ARCH_X86_64_APPEND "console=ttyS0 panic=-1 no_timer_check"
#define ARCH_X86_64_EXIT "isa-debug-exit,iobase=" CLI_STR(SOFTOFF_EXIT_PORT) ",iosize=2"
#define ARCH_X86_64_PVPANIC "pvpanic" /* ISA, port 0x505: pc, q35, microvm */
#define ARCH_AARCH64_APPEND "console=ttyAMA0 panic=-1"
#define ARCH_AARCH64_EXIT "enable=on,target=native,userspace=on"
#define ARCH_AARCH64_PVPANIC "pvpanic-pci"
#define ARCH_AARCH64_FIRMWARE "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
#define ARCH_X86_64_AGENT "softoff-agent"                /* beside softoff-qemu in build/ */
#define ARCH_X86_64_AGENT_INSTALLED "/usr/sbin/softoff-agent" /* the softoff-agent package's */
#define ARCH_AARCH64_AGENT "arm64/softoff-agent"         /* make agent-arm64 */

struct arch {
	const char *name;             /* as --arch spells it: "x86_64", "aarch64" */
	const char *qemu;             /* the QEMU binary */
	const char *machine;
	const char *cpu;              /* -cpu, or NULL: QEMU's default */
	const char *firmware;         /* -bios, or NULL: QEMU's default */
	const char *firmware_package; /* the Debian package that ships firmware */
	const char *append;           /* always on the kernel command line: console=, panic=-1 */
	const char *exit_option;      /* the option the exit device is given with */
	const char *exit_value;       /* its default value */
	const char *pvpanic;          /* the default pvpanic -device value */
	bool native;                  /* the host's own architecture: KVM can run it */
	/* Without --initrd: */
	uint16_t elf_machine;         /* what the agent and payload must be built for (EM_*) */
	enum kimage_format kernel_format; /* where the kernel's release is read */
	const char *agent;            /* the agent, relative to softoff-qemu's directory */
	const char *agent_installed;  /* a package's agent, or NULL: none is packaged */
};

/* The row named name ("x86_64", "aarch64"), or NULL. */
const struct arch *arch_by_name(const char *name);

/* The architecture of the kernel image whose first len bytes are in buf: an x86 bzImage, an
 * arm64 Image, or an EFI PE image (arm64's EFI zboot) for either machine. NULL, with the
 * reason in why, when the format says nothing known. */
const struct arch *arch_of_image(const unsigned char *buf, size_t len, char *why, size_t whylen);

/* The same for the file at path. NULL, with the reason (a read error, or the format's) in
 * why. */
const struct arch *arch_of_file(const char *path, char *why, size_t whylen);

#endif
