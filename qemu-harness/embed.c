/* The embedded initramfs: find the inputs (kernel release, agent, modules directory), check
 * them, write the cpio image in memory, hand it to QEMU through a memfd. Layout:
 *   /init                         softoff-agent (static)
 *   /etc/softoff/modules          the modules below, one absolute path a line, load order
 *   /lib/modules/RELEASE/kernel/  those modules, as in the kernel's tree
 *   /payload                      --payload's program, run as `/init run /payload`
 *   /dev/console, /proc, /sys     for the kernel's first console and the agent's mounts */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch.h"
#include "cpio.h"
#include "elfcheck.h"
#include "embed.h"
#include "hostfile.h"
#include "kmod.h"

/* The modules the agent needs: input events, and the ACPI power button that sends them. */
static const char *const embed_modules[] = { "evdev", "button", NULL };

/* --agent, else the architecture's agent beside this program, else its installed one. */
static int embed_find_agent(const struct embed_request *req, char *path, size_t size,
			    char *why, size_t whylen)
{
	const struct arch *a = req->arch;
	char self[4096];
	ssize_t n;

	if (req->agent) {
		snprintf(path, size, "%s", req->agent);
		return 0;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		snprintf(path, size, "%s/%s", dirname(self), a->agent);
		if (access(path, R_OK) == 0)
			return 0;
	}
	if (a->agent_installed && access(a->agent_installed, R_OK) == 0) {
		snprintf(path, size, "%s", a->agent_installed);
		return 0;
	}
	snprintf(why, whylen, "no %s softoff-agent: looked at %s%s%s (give --agent FILE)", a->name,
		 n > 0 ? path : "(softoff-qemu's directory)",
		 a->agent_installed ? " and " : "; no package installs one for ",
		 a->agent_installed ? a->agent_installed : a->name);
	return -ENOENT;
}

/* Reads the static program at path (option what) into the image as name, mode 0755. */
static int embed_add_program(struct cpio *c, const struct arch *arch, const char *what,
			     const char *path, const char *name, char *why, size_t whylen)
{
	char *data, reason[256];
	size_t len;
	int r = hostfile_read(path, EMBED_MAX_PROGRAM, false, &data, &len);

	if (r < 0) {
		snprintf(why, whylen, "read %s '%s': %s", what, path, strerror(-r));
		return r;
	}
	r = elfcheck_static(data, len, arch->elf_machine, reason, sizeof(reason));
	if (r < 0)
		snprintf(why, whylen, "%s '%s': %s", what, path, reason);
	else if ((r = cpio_add_file(c, name, 0755, data, len)) < 0)
		snprintf(why, whylen, "add %s '%s' to the image: %s", what, path, strerror(-r));
	free(data);
	return r;
}

/* One module file into the image and its path onto the list. */
static int embed_add_module(struct cpio *c, const struct embed_image *img, const char *rel,
			    FILE *list, char *why, size_t whylen)
{
	char src[8192], dst[4096], *data;
	size_t len;
	int r;

	snprintf(src, sizeof(src), "%s/%s", img->modules_dir, rel);
	snprintf(dst, sizeof(dst), "/lib/modules/%s/%s", img->release, rel);
	r = hostfile_read(src, EMBED_MAX_PROGRAM, false, &data, &len);
	if (r < 0) {
		snprintf(why, whylen, "read module '%s': %s", src, strerror(-r));
		return r;
	}
	r = cpio_add_file(c, dst, 0644, data, len);
	free(data);
	if (r < 0) {
		snprintf(why, whylen, "add module '%s' to the image: %s", src, strerror(-r));
		return r;
	}
	fprintf(list, "%s\n", dst);
	return 0;
}

/* The modules the agent needs (none when built in), and their list. */
static int embed_add_modules(struct cpio *c, const struct embed_request *req,
			     struct embed_image *img, char *why, size_t whylen)
{
	struct kmod_list mods = { .n = 0 };
	char tried[2048] = "", *text = NULL;
	size_t len = 0;
	FILE *list;
	int r = kmod_find_dir(req->modules, req->kernel, img->release, img->modules_dir,
			      sizeof(img->modules_dir), tried, sizeof(tried));

	if (r < 0) {
		snprintf(why, whylen, "no modules for kernel %s ('%s'): no %s (give --modules DIR)",
			 img->release, req->kernel, tried);
		return r;
	}
	r = kmod_needed(img->modules_dir, embed_modules, &mods, why, whylen);
	list = r < 0 ? NULL : open_memstream(&text, &len);
	if (r == 0 && !list) {
		r = -errno;
		snprintf(why, whylen, "list the modules: %s", strerror(-r));
	}
	for (int i = 0; r == 0 && i < mods.n; i++)
		r = embed_add_module(c, img, mods.paths[i], list, why, whylen);
	img->n_modules = mods.n;
	kmod_list_free(&mods);
	if (list && fclose(list) != 0 && r == 0)
		r = -ENOMEM;
	if (r == 0 && (r = cpio_add_file(c, SOFTOFF_IMAGE_MODULES, 0644, text, len)) < 0)
		snprintf(why, whylen, "add %s to the image: %s", SOFTOFF_IMAGE_MODULES, strerror(-r));
	free(text);
	return r;
}

/* Writes all of data to fd. */
static int embed_write_all(int fd, const unsigned char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n, len -= (size_t)n;
	}
	return 0;
}

/* A memfd numbered 3 or above: QEMU's 0, 1 and 2 are replaced before it runs. */
static int embed_memfd_above_stdio(void)
{
	int fd = memfd_create("softoff-initrd", 0), high;

	if (fd < 0 || fd > 2)
		return fd;
	high = fcntl(fd, F_DUPFD, 3); /* without FD_CLOEXEC, like the memfd */
	(void)close(fd);
	return high;
}

/* The image into a memfd QEMU inherits (no MFD_CLOEXEC: it opens /proc/self/fd/N). */
static int embed_to_memfd(const struct cpio *c, struct embed_image *img, char *why,
			  size_t whylen)
{
	int r;

	img->fd = embed_memfd_above_stdio();
	if (img->fd < 0) {
		r = -errno;
		snprintf(why, whylen, "create the image's memfd: %s", strerror(-r));
		return r;
	}
	r = embed_write_all(img->fd, c->data, c->len);
	if (r < 0) {
		snprintf(why, whylen, "write the image to its memfd: %s", strerror(-r));
		return r;
	}
	snprintf(img->path, sizeof(img->path), "/proc/self/fd/%d", img->fd);
	img->size = c->len;
	return 0;
}

/* --save-initrd FILE: the same bytes, for cpio -t and friends. */
static int embed_save(const struct cpio *c, const char *path, char *why, size_t whylen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r;

	r = fd < 0 ? -errno : embed_write_all(fd, c->data, c->len);
	if (fd >= 0 && close(fd) < 0 && r == 0)
		r = -errno;
	if (r < 0)
		snprintf(why, whylen, "write --save-initrd '%s': %s", path, strerror(-r));
	return r;
}

/* What /init needs before it mounts anything. */
static int embed_add_base(struct cpio *c, char *why, size_t whylen)
{
	int r = cpio_add_dir(c, "/dev", 0755);

	if (r == 0)
		r = cpio_add_chardev(c, "/dev/console", 0600, 5, 1);
	if (r == 0)
		r = cpio_add_dir(c, "/proc", 0555);
	if (r == 0)
		r = cpio_add_dir(c, "/sys", 0555);
	if (r < 0)
		snprintf(why, whylen, "write the image: %s", strerror(-r));
	return r;
}

static int embed_fill(struct cpio *c, const struct embed_request *req, struct embed_image *img,
		      char *why, size_t whylen)
{
	char agent[4096], reason[256];
	int r = kimage_release(req->kernel, req->arch->kernel_format, img->release, reason,
			       sizeof(reason));

	if (r < 0) {
		snprintf(why, whylen, "--kernel '%s': %s", req->kernel, reason);
		return r;
	}
	r = embed_find_agent(req, agent, sizeof(agent), why, whylen);
	if (r == 0)
		r = embed_add_base(c, why, whylen);
	if (r == 0)
		r = embed_add_program(c, req->arch, "--agent", agent, "/init", why, whylen);
	if (r == 0)
		r = embed_add_modules(c, req, img, why, whylen);
	if (r == 0 && req->payload)
		r = embed_add_program(c, req->arch, "--payload", req->payload, EMBED_PAYLOAD, why,
				      whylen);
	if (r == 0 && (r = cpio_finish(c)) < 0)
		snprintf(why, whylen, "write the image: %s", strerror(-r));
	return r;
}

int embed_build(const struct embed_request *req, struct embed_image *img, char *why,
		size_t whylen)
{
	struct cpio c;
	int r;

	memset(img, 0, sizeof(*img));
	img->fd = -1;
	cpio_init(&c);
	r = embed_fill(&c, req, img, why, whylen);
	if (r == 0 && req->save_path)
		r = embed_save(&c, req->save_path, why, whylen);
	if (r == 0)
		r = embed_to_memfd(&c, img, why, whylen);
	cpio_free(&c);
	if (r < 0)
		embed_free(img);
	return r;
}

void embed_free(struct embed_image *img)
{
	if (img->fd >= 0)
		(void)close(img->fd);
	img->fd = -1;
}
