/* Which kernel modules a guest needs, from the kernel's own modules.dep and modules.builtin,
 * and where that modules directory is. */
#ifndef SOFTOFF_QEMU_KMOD_H
#define SOFTOFF_QEMU_KMOD_H

#include <stddef.h>

#define KMOD_MAX 32                /* modules one image may need, dependencies included */
#define KMOD_MAX_INDEX (16u << 20) /* modules.dep / modules.builtin larger than this: refused */

/* Module files relative to the modules directory ("kernel/drivers/input/evdev.ko"), in load
 * order: every module after the modules it depends on. */
struct kmod_list {
	char *paths[KMOD_MAX];
	int n;
};

void kmod_list_free(struct kmod_list *l);

/* The modules that names (module names such as "evdev", NULL-terminated) need, in load order,
 * from the texts of modules.dep and modules.builtin (NULL: none built in); a built-in module
 * needs nothing. where names the directory in messages. 0; -ENOENT when a name is in
 * neither, -ENOTSUP for a compressed module (.ko.xz, .ko.zst, .ko.gz), -E2BIG past KMOD_MAX,
 * each with a one-line reason in why. */
int kmod_resolve(const char *dep, const char *builtin, const char *const *names,
		 const char *where, struct kmod_list *out, char *why, size_t whylen);

/* The same, reading DIR/modules.dep and DIR/modules.builtin. */
int kmod_needed(const char *dir, const char *const *names, struct kmod_list *out, char *why,
		size_t whylen);

/* The modules directory for the kernel image at kernel, release its release: given (--modules:
 * a lib/modules/RELEASE directory, or a root holding lib/modules/RELEASE) when not NULL;
 * else the first of KERNEL-DIR/root/lib/modules/RELEASE (`make kernel`'s layout),
 * KERNEL-DIR/../lib/modules/RELEASE (a kernel in ROOT/boot) and /lib/modules/RELEASE that
 * has a modules.dep. 0 with the directory in dir, or -ENOENT with every modules.dep looked
 * for in why ("A, B, C"). */
int kmod_find_dir(const char *given, const char *kernel, const char *release, char *dir,
		  size_t dirlen, char *why, size_t whylen);

#endif
