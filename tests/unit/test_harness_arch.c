/* Unit tests for the guest architectures (arch.c) and what `softoff-qemu boot` makes of them
 * (boot_arch.c, boot_argv.c): which architecture a kernel image's header names, the clear
 * error for a format it does not know, and the QEMU command line each one gets: machine,
 * CPU, UEFI firmware, console, and the exit device (isa-debug-exit or semihosting). */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../qemu-harness/arch.h"
#include "../../qemu-harness/boot.h"
#include "../../qemu-harness/cli.h"

#define IMAGE_SIZE 1024
#define MAX_ARGS 20

static unsigned char image[IMAGE_SIZE];
static char why[256];

static void put_le(unsigned char *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* An EFI PE image for machine: "MZ", the PE header at 0x80 ("zimg" at 4: arm64's zboot). */
static void make_pe(uint16_t machine)
{
	memset(image, 0, sizeof(image));
	memcpy(image, "MZ\0\0zimg", 8);
	put_le(image + 0x3c, 0x80, 4);
	memcpy(image + 0x80, "PE\0\0", 4);
	put_le(image + 0x84, machine, 2);
}

static const char *arch_name_of(size_t len)
{
	const struct arch *a = arch_of_image(image, len, why, sizeof(why));

	return a ? a->name : NULL;
}

static void x86_bzimage(void **state)
{
	(void)state;
	memset(image, 0, sizeof(image));
	memcpy(image, "MZ", 2); /* the EFI stub's header too: HdrS decides first */
	memcpy(image + 0x202, "HdrS", 4);
	assert_string_equal(arch_name_of(IMAGE_SIZE), "x86_64");
	assert_null(arch_name_of(0x205)); /* cut before the magic ends */
}

static void arm64_image(void **state)
{
	(void)state;
	memset(image, 0, sizeof(image));
	memcpy(image, "MZ@\xfa", 4); /* what Debian's arm64 vmlinuz starts with */
	memcpy(image + 56, "ARM\x64", 4);
	assert_string_equal(arch_name_of(IMAGE_SIZE), "aarch64");
	image[59] = 0x65; /* control: one byte off is not an arm64 Image (nor a PE image) */
	assert_null(arch_name_of(IMAGE_SIZE));
	assert_non_null(strstr(why, "without a PE header"));
}

static void efi_images(void **state)
{
	(void)state;
	make_pe(0xaa64);
	assert_string_equal(arch_name_of(IMAGE_SIZE), "aarch64");
	make_pe(0x8664);
	assert_string_equal(arch_name_of(IMAGE_SIZE), "x86_64");
	make_pe(0x5064); /* RISC-V 64 */
	assert_null(arch_name_of(IMAGE_SIZE));
	assert_non_null(strstr(why, "PE machine 0x5064"));
	make_pe(0xaa64);
	put_le(image + 0x3c, IMAGE_SIZE - 4, 4); /* the PE header would run past the buffer */
	assert_null(arch_name_of(IMAGE_SIZE));
}

static void unknown_formats(void **state)
{
	(void)state;
	memset(image, 0, sizeof(image));
	memcpy(image, "\x1f\x8b\x08", 3);
	assert_null(arch_name_of(IMAGE_SIZE));
	assert_non_null(strstr(why, "gzip"));
	memset(image, 0, sizeof(image));
	assert_null(arch_name_of(IMAGE_SIZE));
	assert_non_null(strstr(why, "not an x86 bzImage"));
	assert_null(arch_name_of(0));
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(arch_by_name("x86_64")->machine, "q35");
	assert_string_equal(arch_by_name("aarch64")->machine, "virt");
	assert_null(arch_by_name("arm64")); /* Debian's name; QEMU's is the one taken */
	assert_null(arch_by_name(""));
}

/* A file holding image, for --kernel. */
static void write_kernel(char *path)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, image, IMAGE_SIZE), IMAGE_SIZE);
	(void)close(fd);
}

/* boot_parse_options on "boot --kernel KERNEL --initrd /dev/null" and the options in ap. */
static int parse(struct boot_options *o, const char *kernel, ...)
{
	char *argv[MAX_ARGS] = { "boot", "--kernel", (char *)kernel, "--initrd", "/dev/null" };
	int argc = 5;
	char *arg;
	va_list ap;

	va_start(ap, kernel);
	while ((arg = va_arg(ap, char *)) && argc < MAX_ARGS - 1)
		argv[argc++] = arg;
	va_end(ap);
	return boot_parse_options(o, argc, argv);
}

/* The index of word in the NULL-terminated argv, or -1. */
static int argv_find(char **argv, const char *word)
{
	for (int i = 0; argv[i]; i++)
		if (strcmp(argv[i], word) == 0)
			return i;
	return -1;
}

/* argv has option followed by value. */
static void assert_option(char **argv, const char *option, const char *value)
{
	int i = argv_find(argv, option);

	assert_true(i >= 0);
	assert_string_equal(argv[i + 1], value);
}

static void aarch64_command_line(void **state)
{
	char kernel[] = "/tmp/softoff-arch-XXXXXX";
	struct boot_options o;
	char **argv;

	(void)state;
	make_pe(0xaa64);
	write_kernel(kernel);
	assert_int_equal(parse(&o, kernel, "--firmware", "/dev/null", NULL), 0);
	assert_string_equal(o.arch->name, "aarch64");
	argv = boot_argv_new(&o, "tcg");
	assert_non_null(argv);
	assert_string_equal(argv[0], "qemu-system-aarch64");
	assert_option(argv, "-machine", "virt");
	assert_option(argv, "-cpu", "cortex-a57");
	assert_option(argv, "-bios", "/dev/null");
	assert_option(argv, "-semihosting-config", "enable=on,target=native,userspace=on");
	assert_option(argv, "-device", "pvpanic-pci");
	assert_option(argv, "-append", "console=ttyAMA0 panic=-1");
	boot_argv_free(argv);
	boot_options_free(&o);
	/* the exit device and the panic device can be left out; the user's machine stays */
	assert_int_equal(parse(&o, kernel, "--firmware", "/dev/null", "--debug-exit", "none",
			       "--pvpanic", "none", "--machine", "virt-7.2", NULL), 0);
	argv = boot_argv_new(&o, "tcg");
	assert_int_equal(argv_find(argv, "-semihosting-config"), -1);
	assert_int_equal(argv_find(argv, "-device"), -1);
	assert_option(argv, "-machine", "virt-7.2");
	boot_argv_free(argv);
	boot_options_free(&o);
	(void)unlink(kernel);
}

static void x86_64_command_line(void **state)
{
	char kernel[] = "/tmp/softoff-arch-XXXXXX";
	struct boot_options o;
	char **argv;

	(void)state;
	memset(image, 0, sizeof(image));
	memcpy(image + 0x202, "HdrS", 4);
	write_kernel(kernel);
	assert_int_equal(parse(&o, kernel, "--append", "quiet", NULL), 0);
	argv = boot_argv_new(&o, "tcg");
	assert_string_equal(argv[0], "qemu-system-x86_64");
	assert_option(argv, "-machine", "q35");
	assert_option(argv, "-device", "isa-debug-exit,iobase=0x501,iosize=2");
	assert_option(argv, "-append", "console=ttyS0 panic=-1 no_timer_check quiet");
	assert_int_equal(argv_find(argv, "-bios"), -1);
	assert_int_equal(argv_find(argv, "-cpu"), -1);
	assert_int_equal(argv_find(argv, "-semihosting-config"), -1);
	boot_argv_free(argv);
	boot_options_free(&o);
	/* --arch wins over the image */
	assert_int_equal(parse(&o, kernel, "--arch", "aarch64", "--firmware", "/dev/null", NULL), 0);
	assert_string_equal(o.qemu, "qemu-system-aarch64");
	boot_options_free(&o);
	(void)unlink(kernel);
}

static void aarch64_default_firmware(void **state)
{
	struct boot_options o;

	(void)state;
	/* qemu-efi-aarch64 is in scripts/deps.sh's test set */
	assert_int_equal(parse(&o, "/dev/null", "--arch", "aarch64", NULL), 0);
	assert_string_equal(o.firmware, "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd");
	boot_options_free(&o);
}

static void refusals(void **state)
{
	struct boot_options o;

	(void)state;
	/* /dev/null is no kernel image; --arch is then needed */
	assert_int_equal(parse(&o, "/dev/null", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "/dev/null", "--arch", "arm64", NULL), CLI_USAGE);
	assert_int_equal(parse(&o, "/dev/null", "--arch", "aarch64", "--firmware",
			       "/nonexistent/QEMU_EFI.fd", NULL), CLI_USAGE);
	/* control: the same with firmware that exists */
	assert_int_equal(parse(&o, "/dev/null", "--arch", "aarch64", "--firmware", "/dev/null",
			       NULL), 0);
	boot_options_free(&o);
	assert_int_equal(parse(&o, "/dev/null", "--arch", "aarch64", "--firmware", "none", NULL),
			 0);
	assert_null(o.firmware);
	boot_options_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(x86_bzimage),
		cmocka_unit_test(arm64_image),
		cmocka_unit_test(efi_images),
		cmocka_unit_test(unknown_formats),
		cmocka_unit_test(names),
		cmocka_unit_test(aarch64_command_line),
		cmocka_unit_test(x86_64_command_line),
		cmocka_unit_test(aarch64_default_firmware),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
