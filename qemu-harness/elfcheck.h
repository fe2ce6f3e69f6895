/* Is this file a program that runs alone in an empty initramfs: a static ELF executable for
 * the guest's machine? */
#ifndef SOFTOFF_QEMU_ELFCHECK_H
#define SOFTOFF_QEMU_ELFCHECK_H

#include <stddef.h>
#include <stdint.h>

/* 0 when buf (a whole file, len bytes) is a 64-bit little-endian ELF executable for machine
 * (EM_X86_64, ...) with no program interpreter; else -ENOEXEC with the reason in why. */
int elfcheck_static(const void *buf, size_t len, uint16_t machine, char *why, size_t whylen);

#endif
