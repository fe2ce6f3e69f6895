/* Unit tests for the embedded initramfs's parts: the newc cpio writer (read back here with a
 * small parser), the x86 bzImage and arm64 Image release readers, the modules.dep resolver and modules
 * directory search, and the static-ELF check. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../qemu-harness/cpio.h"
#include "../../qemu-harness/elfcheck.h"
#include "../../qemu-harness/kimage.h"
#include "../../qemu-harness/kmod.h"

/* --- a newc reader, independent of the writer ------------------------------------------ */

struct entry {
	char name[256];
	unsigned ino, mode, uid, gid, nlink, mtime, size, rmajor, rminor;
	const unsigned char *data;
};

static unsigned hex8(const unsigned char *p)
{
	char text[9];

	memcpy(text, p, 8);
	text[8] = '\0';
	return (unsigned)strtoul(text, NULL, 16);
}

/* Parses the archive into e (up to max); returns the entry count, trailer included; fails the
 * test on a malformed archive. */
static int parse(const unsigned char *buf, size_t len, struct entry *e, int max)
{
	size_t at = 0;
	int n = 0;

	while (n < max) {
		unsigned namesize;

		assert_true(at + 110 <= len);
		assert_memory_equal(buf + at, "070701", 6);
		e[n].ino = hex8(buf + at + 6), e[n].mode = hex8(buf + at + 14);
		e[n].uid = hex8(buf + at + 22), e[n].gid = hex8(buf + at + 30);
		e[n].nlink = hex8(buf + at + 38), e[n].mtime = hex8(buf + at + 46);
		e[n].size = hex8(buf + at + 54);
		e[n].rmajor = hex8(buf + at + 78), e[n].rminor = hex8(buf + at + 86);
		namesize = hex8(buf + at + 94);
		assert_int_equal(hex8(buf + at + 102), 0); /* check */
		assert_true(namesize > 0 && namesize < sizeof(e[n].name));
		memcpy(e[n].name, buf + at + 110, namesize);
		assert_int_equal(e[n].name[namesize - 1], '\0');
		at += 110 + namesize;
		for (; at % 4; at++)
			assert_int_equal(buf[at], 0); /* name padding */
		e[n].data = buf + at;
		at += e[n].size;
		for (; at % 4; at++)
			assert_int_equal(buf[at], 0); /* data padding */
		assert_true(at <= len);
		if (strcmp(e[n++].name, "TRAILER!!!") == 0) {
			assert_int_equal(at, len);
			return n;
		}
	}
	fail_msg("no trailer within %d entries", max);
	return -1;
}

static void build_sample(struct cpio *c)
{
	cpio_init(c);
	assert_int_equal(cpio_add_dir(c, "/dev", 0755), 0);
	assert_int_equal(cpio_add_chardev(c, "/dev/console", 0600, 5, 1), 0);
	assert_int_equal(cpio_add_file(c, "/init", 0755, "ELF!x", 5), 0);
	assert_int_equal(cpio_add_file(c, "/lib/modules/6.1/kernel/a.ko", 0644, "abcd", 4), 0);
	assert_int_equal(cpio_add_file(c, "lib/modules/6.1/kernel/b.ko", 0644, "", 0), 0);
	assert_int_equal(cpio_finish(c), 0);
}

static void cpio_entries_read_back(void **state)
{
	struct entry e[16];
	struct cpio c;
	const char *names[] = { "dev", "dev/console", "init", "lib", "lib/modules",
				"lib/modules/6.1", "lib/modules/6.1/kernel",
				"lib/modules/6.1/kernel/a.ko", "lib/modules/6.1/kernel/b.ko",
				"TRAILER!!!" };
	int n;

	(void)state;
	build_sample(&c);
	assert_int_equal(c.len % 4, 0);
	n = parse(c.data, c.len, e, 16);
	assert_int_equal(n, 10); /* every parent directory once, before what it holds */
	for (int i = 0; i < n; i++) {
		assert_string_equal(e[i].name, names[i]);
		assert_int_equal(e[i].ino, i + 1);
		assert_int_equal(e[i].mtime, 0);
		assert_int_equal(e[i].uid, 0);
		assert_int_equal(e[i].gid, 0);
	}
	assert_int_equal(e[0].mode, S_IFDIR | 0755);
	assert_int_equal(e[1].mode, S_IFCHR | 0600);
	assert_int_equal(e[1].rmajor, 5);
	assert_int_equal(e[1].rminor, 1);
	assert_int_equal(e[2].mode, S_IFREG | 0755);
	assert_int_equal(e[2].size, 5);
	assert_memory_equal(e[2].data, "ELF!x", 5);
	assert_int_equal(e[7].size, 4);
	assert_memory_equal(e[7].data, "abcd", 4);
	assert_int_equal(e[8].size, 0);
	cpio_free(&c);
}

static void cpio_same_input_same_bytes(void **state)
{
	struct cpio a, b;

	(void)state;
	build_sample(&a);
	build_sample(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	cpio_free(&a);
	cpio_free(&b);
}

static void cpio_refuses_bad_names_and_sizes(void **state)
{
	struct cpio c;
	char name[2048];

	(void)state;
	cpio_init(&c);
	assert_int_equal(cpio_add_file(&c, "/", 0644, "", 0), -EINVAL);
	assert_int_equal(cpio_add_file(&c, "", 0644, "", 0), -EINVAL);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(cpio_add_file(&c, name, 0644, "", 0), -ENAMETOOLONG);
	assert_int_equal(cpio_add_file(&c, "/big", 0644, "", (size_t)CPIO_MAX_SIZE + 1), -EFBIG);
	cpio_free(&c);
}

/* --- bzImage release ------------------------------------------------------------------- */

#define VERSION_TEXT "6.1.0-57-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP"

/* The first 0x400 bytes of a bzImage: boot flag, "HdrS", protocol 2.15, kernel_version. */
static void make_bzimage(unsigned char *buf, size_t size)
{
	memset(buf, 0, size);
	buf[0x1fe] = 0x55, buf[0x1ff] = 0xaa;
	memcpy(buf + 0x202, "HdrS", 4);
	buf[0x206] = 0x0f, buf[0x207] = 0x02;
	buf[0x20e] = 0x80, buf[0x20f] = 0x01; /* string at 0x180 + 0x200 */
	memcpy(buf + 0x380, VERSION_TEXT, sizeof(VERSION_TEXT));
}

static void bzimage_release(void **state)
{
	unsigned char buf[0x400];
	char rel[KIMAGE_MAX_RELEASE], why[256];

	(void)state;
	make_bzimage(buf, sizeof(buf));
	assert_int_equal(kimage_release_x86(buf, sizeof(buf), rel, why, sizeof(why)), 0);
	assert_string_equal(rel, "6.1.0-57-cloud-amd64");
}

static void bzimage_truncated(void **state)
{
	unsigned char buf[0x400];
	char rel[KIMAGE_MAX_RELEASE], why[256];

	(void)state;
	make_bzimage(buf, sizeof(buf));
	assert_int_equal(kimage_release_x86(buf, 0x100, rel, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "too short"));
	/* the header is there, the version string cut off */
	assert_int_equal(kimage_release_x86(buf, 0x388, rel, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no kernel version string at 0x380"));
}

static void bzimage_wrong_magic(void **state)
{
	unsigned char buf[0x400];
	char rel[KIMAGE_MAX_RELEASE], why[256];

	(void)state;
	make_bzimage(buf, sizeof(buf));
	memcpy(buf + 0x202, "\177ELF", 4);
	assert_int_equal(kimage_release_x86(buf, sizeof(buf), rel, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "no 'HdrS' boot header at 0x202: not an x86 bzImage");
	make_bzimage(buf, sizeof(buf));
	buf[0x207] = 0x01; /* protocol 1.x has no kernel_version */
	assert_int_equal(kimage_release_x86(buf, sizeof(buf), rel, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "boot protocol 1.15"));
}

static void bzimage_from_file(void **state)
{
	char path[] = "/tmp/test-kimage.XXXXXX", rel[KIMAGE_MAX_RELEASE], why[256];
	unsigned char buf[0x400];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	make_bzimage(buf, sizeof(buf));
	assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	(void)close(fd);
	assert_int_equal(kimage_release(path, KIMAGE_X86_BZIMAGE, rel, why, sizeof(why)), 0);
	assert_string_equal(rel, "6.1.0-57-cloud-amd64");
	(void)unlink(path);
	assert_int_equal(kimage_release(path, KIMAGE_X86_BZIMAGE, rel, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "No such file or directory");
}

/* --- arm64 Image release ---------------------------------------------------------------- */

#define ARM64_BANNER "Linux version 6.1.0-57-cloud-arm64 (debian-kernel@lists.debian.org)"

static void arm64_banner_found(void **state)
{
	/* "Linux version" in other text first: only the banner's shape counts */
	static const char text[] = "\0\0ARM\x64 Linux version is 6\0" ARM64_BANNER " #1 SMP";
	char rel[KIMAGE_MAX_RELEASE], why[256];

	(void)state;
	assert_int_equal(kimage_release_arm64((const unsigned char *)text, sizeof(text), rel, why,
					      sizeof(why)), 0);
	assert_string_equal(rel, "6.1.0-57-cloud-arm64");
}

static void arm64_banner_missing_or_cut(void **state)
{
	static const char none[] = "MZ\0ARM\x64 6.1.0-57-cloud-arm64 (debian-kernel@...)";
	static const char cut[] = "\0\0Linux version 6.1.0-57-cloud-ar";
	char rel[KIMAGE_MAX_RELEASE], why[256];

	(void)state;
	assert_int_equal(kimage_release_arm64((const unsigned char *)none, sizeof(none), rel, why,
					      sizeof(why)), -ENOENT);
	assert_string_equal(why, "no 'Linux version RELEASE (' banner: not an uncompressed arm64 "
			    "Image");
	assert_int_equal(kimage_release_arm64((const unsigned char *)cut, sizeof(cut) - 1, rel,
					      why, sizeof(why)), -EAGAIN);
	assert_string_equal(why, "its 'Linux version ' banner is cut short (truncated?)");
}

/* A "release" longer than any runs to the buffer's end: no banner, and nothing read past
 * the end (each length in its own allocation, for the sanitizer builds). */
static void arm64_banner_too_long(void **state)
{
	char rel[KIMAGE_MAX_RELEASE], why[256];

	(void)state;
	for (size_t len = 14 + KIMAGE_MAX_RELEASE - 1; len <= 14 + KIMAGE_MAX_RELEASE + 6; len++) {
		unsigned char *buf = malloc(len);

		assert_non_null(buf);
		memcpy(buf, "Linux version ", 14);
		memset(buf + 14, 'x', len - 14);
		assert_int_equal(kimage_release_arm64(buf, len, rel, why, sizeof(why)), -ENOENT);
		free(buf);
	}
}

/* An arm64 Image file of size bytes: the header's magic, zeros, and text at offset at. */
static void write_at(const char *path, size_t size, size_t at, const char *text)
{
	unsigned char *buf = calloc(1, size);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_non_null(buf);
	assert_true(fd >= 0);
	memcpy(buf + 56, "ARM\x64", 4);
	memcpy(buf + at, text, strlen(text));
	assert_int_equal(write(fd, buf, size), (ssize_t)size);
	(void)close(fd);
	free(buf);
}

static void arm64_from_file(void **state)
{
	char path[] = "/tmp/test-kimage.XXXXXX", rel[KIMAGE_MAX_RELEASE], why[256];
	size_t mb = 1u << 20;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	(void)close(fd);
	/* across the first 1 MB read's end: found only if the next read keeps its start */
	write_at(path, 3 * mb, mb - 20, ARM64_BANNER);
	assert_int_equal(kimage_release(path, KIMAGE_ARM64_IMAGE, rel, why, sizeof(why)), 0);
	assert_string_equal(rel, "6.1.0-57-cloud-arm64");
	write_at(path, 2 * mb + 25, 2 * mb, "Linux version 6.1.0-57-cl"); /* the file ends */
	assert_int_equal(kimage_release(path, KIMAGE_ARM64_IMAGE, rel, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "its 'Linux version ' banner is cut short (truncated?)");
	write_at(path, 2 * mb, 0, "");
	assert_int_equal(kimage_release(path, KIMAGE_ARM64_IMAGE, rel, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "no 'Linux version RELEASE (' banner"));
	write_at(path, 2 * mb, 56, "HdrS " ARM64_BANNER); /* a banner, but not the header */
	assert_int_equal(kimage_release(path, KIMAGE_ARM64_IMAGE, rel, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "no 'ARM\\x64' magic at 56: not an arm64 Image");
	(void)unlink(path);
}

/* --- modules.dep ------------------------------------------------------------------------ */

static const char dep_text[] =
	"kernel/fs/btrfs/btrfs.ko: kernel/crypto/xor.ko kernel/lib/raid6/raid6_pq.ko "
	"kernel/lib/libcrc32c.ko\n"
	"kernel/drivers/input/evdev.ko:\n"
	"kernel/drivers/platform/surface/surfacepro3_button.ko:\n"
	"kernel/drivers/acpi/button.ko: kernel/lib/libcrc32c.ko\n"
	"kernel/drivers/input/zz.ko.zst: kernel/lib/yy.ko\n"
	"kernel/lib/libcrc32c.ko:\n";

static void assert_list(const struct kmod_list *l, const char *const *want)
{
	int n = 0;

	for (; want[n]; n++) {
		assert_true(n < l->n);
		assert_string_equal(l->paths[n], want[n]);
	}
	assert_int_equal(l->n, n);
}

static void kmod_dependencies_first(void **state)
{
	const char *names[] = { "btrfs", "button", NULL };
	const char *want[] = { "kernel/lib/libcrc32c.ko", "kernel/lib/raid6/raid6_pq.ko",
			       "kernel/crypto/xor.ko", "kernel/fs/btrfs/btrfs.ko",
			       "kernel/drivers/acpi/button.ko", NULL };
	struct kmod_list l = { .n = 0 };
	char why[256];

	(void)state;
	assert_int_equal(kmod_resolve(dep_text, "", names, "D", &l, why, sizeof(why)), 0);
	assert_list(&l, want); /* each once, after what it needs; button is not surfacepro3_button */
	kmod_list_free(&l);
}

static void kmod_builtin_needs_nothing(void **state)
{
	const char *names[] = { "evdev", "button", NULL };
	const char *want[] = { "kernel/drivers/input/evdev.ko", NULL };
	const char *builtin = "kernel/drivers/acpi/button.ko\nkernel/drivers/acpi/ac.ko\n";
	struct kmod_list l = { .n = 0 };
	char why[256];

	(void)state;
	assert_int_equal(kmod_resolve(dep_text, builtin, names, "D", &l, why, sizeof(why)), 0);
	assert_list(&l, want);
	kmod_list_free(&l);
	assert_int_equal(kmod_resolve("", "kernel/drivers/input/evdev.ko\n"
				      "kernel/drivers/acpi/button.ko", names, "D", &l, why,
				      sizeof(why)), 0);
	assert_int_equal(l.n, 0);
}

static void kmod_missing_and_compressed(void **state)
{
	const char *names[] = { "evdev", "mousedev", NULL }, *zz[] = { "zz", NULL };
	struct kmod_list l = { .n = 0 };
	char why[256];

	(void)state;
	assert_int_equal(kmod_resolve(dep_text, "kernel/x.ko\n", names, "/m/6.1", &l, why,
				      sizeof(why)), -ENOENT);
	assert_string_equal(why, "module 'mousedev' is in neither /m/6.1/modules.dep nor "
				 "/m/6.1/modules.builtin");
	assert_int_equal(l.n, 0);
	assert_int_equal(kmod_resolve(dep_text, NULL, zz, "D", &l, why, sizeof(why)), -ENOTSUP);
	assert_non_null(strstr(why, "module 'kernel/drivers/input/zz.ko.zst' is compressed"));
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* A temporary tree: T/k/vmlinuz, T/k/root/lib/modules/6.1/modules.dep, T/r/lib/modules/6.1/. */
static void kmod_directory_search(void **state)
{
	char top[] = "/tmp/test-kmod.XXXXXX", kernel[256], dir[512], why[1024], cmd[512];

	(void)state;
	assert_non_null(mkdtemp(top));
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/k/root/lib/modules/6.1 %s/r/lib/modules/6.1", top,
		 top);
	assert_int_equal(system(cmd), 0);
	snprintf(kernel, sizeof(kernel), "%s/k/vmlinuz", top);
	snprintf(dir, sizeof(dir), "%s/r/lib/modules/6.1/modules.dep", top);
	write_text(dir, "");
	/* --modules: the directory itself, or a root holding lib/modules/RELEASE */
	snprintf(cmd, sizeof(cmd), "%s/r/lib/modules/6.1", top);
	assert_int_equal(kmod_find_dir(cmd, kernel, "6.1", dir, sizeof(dir), why, sizeof(why)), 0);
	assert_string_equal(dir, cmd);
	snprintf(cmd, sizeof(cmd), "%s/r", top);
	assert_int_equal(kmod_find_dir(cmd, kernel, "6.1", dir, sizeof(dir), why, sizeof(why)), 0);
	assert_non_null(strstr(dir, "/r/lib/modules/6.1"));
	/* no --modules, and no modules.dep in make kernel's place yet: every place is named */
	assert_int_equal(kmod_find_dir(NULL, kernel, "6.1", dir, sizeof(dir), why, sizeof(why)),
			 -ENOENT);
	snprintf(cmd, sizeof(cmd), "%s/k/root/lib/modules/6.1/modules.dep, %s/k/../lib/modules/"
		 "6.1/modules.dep, /lib/modules/6.1/modules.dep", top, top);
	assert_string_equal(why, cmd);
	snprintf(cmd, sizeof(cmd), "%s/k/root/lib/modules/6.1/modules.dep", top);
	write_text(cmd, "");
	assert_int_equal(kmod_find_dir(NULL, kernel, "6.1", dir, sizeof(dir), why, sizeof(why)), 0);
	snprintf(cmd, sizeof(cmd), "%s/k/root/lib/modules/6.1", top);
	assert_string_equal(dir, cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	assert_int_equal(system(cmd), 0);
}

/* --- static ELF ----------------------------------------------------------------------- */

/* An ELF header and two program headers; interp: the second one is PT_INTERP. */
static size_t make_elf(unsigned char *buf, uint16_t machine, bool interp)
{
	Elf64_Ehdr eh = { .e_type = ET_EXEC, .e_machine = machine, .e_phoff = sizeof(eh),
			  .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 2 };
	Elf64_Phdr ph[2] = { { .p_type = PT_LOAD }, { .p_type = interp ? PT_INTERP : PT_NOTE } };

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, sizeof(ph));
	return sizeof(eh) + sizeof(ph);
}

static void elf_static_checks(void **state)
{
	unsigned char buf[512];
	char why[256];
	size_t len;

	(void)state;
	len = make_elf(buf, EM_X86_64, false);
	assert_int_equal(elfcheck_static(buf, len, EM_X86_64, why, sizeof(why)), 0);
	assert_int_equal(elfcheck_static(buf, len - 1, EM_X86_64, why, sizeof(why)), -ENOEXEC);
	assert_string_equal(why, "damaged ELF program headers");
	len = make_elf(buf, EM_X86_64, true);
	assert_int_equal(elfcheck_static(buf, len, EM_X86_64, why, sizeof(why)), -ENOEXEC);
	assert_non_null(strstr(why, "dynamically linked"));
	len = make_elf(buf, EM_AARCH64, false);
	assert_int_equal(elfcheck_static(buf, len, EM_X86_64, why, sizeof(why)), -ENOEXEC);
	assert_string_equal(why, "built for arm64, the guest needs x86-64");
	assert_int_equal(elfcheck_static(buf, len, EM_AARCH64, why, sizeof(why)), 0);
	len = make_elf(buf, EM_X86_64, false);
	assert_int_equal(elfcheck_static(buf, len, EM_AARCH64, why, sizeof(why)), -ENOEXEC);
	assert_string_equal(why, "built for x86-64, the guest needs arm64");
	assert_int_equal(elfcheck_static("#!/bin/sh\n", 10, EM_X86_64, why, sizeof(why)), -ENOEXEC);
	assert_string_equal(why, "not an ELF file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpio_entries_read_back),
		cmocka_unit_test(cpio_same_input_same_bytes),
		cmocka_unit_test(cpio_refuses_bad_names_and_sizes),
		cmocka_unit_test(bzimage_release),
		cmocka_unit_test(bzimage_truncated),
		cmocka_unit_test(bzimage_wrong_magic),
		cmocka_unit_test(bzimage_from_file),
		cmocka_unit_test(arm64_banner_found),
		cmocka_unit_test(arm64_banner_missing_or_cut),
		cmocka_unit_test(arm64_banner_too_long),
		cmocka_unit_test(arm64_from_file),
		cmocka_unit_test(kmod_dependencies_first),
		cmocka_unit_test(kmod_builtin_needs_nothing),
		cmocka_unit_test(kmod_missing_and_compressed),
		cmocka_unit_test(kmod_directory_search),
		cmocka_unit_test(elf_static_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
