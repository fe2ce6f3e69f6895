/* modules.dep lines read "kernel/a/b.ko: kernel/c/d.ko kernel/e/f.ko": the module, a colon,
 * then every module it needs (depmod lists the whole closure, each after the ones that need
 * it, so they load from the last to the first). modules.builtin lists, one a line, the
 * modules compiled into the kernel. Modules are matched by name: the file name without
 * directory and .ko suffix, as modprobe does. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostfile.h"
#include "kmod.h"

#define KMOD_SUFFIX ".ko"
#define KMOD_MAX_PLACES 3 /* where a modules directory is looked for */

void kmod_list_free(struct kmod_list *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->paths[i]);
	l->n = 0;
}

/* Whether the module file path (len bytes) is the module name. */
static bool kmod_is(const char *path, size_t len, const char *name)
{
	const char *base = path, *dot;
	size_t n = strlen(name);

	for (const char *p = path; p < path + len; p++)
		if (*p == '/')
			base = p + 1;
	dot = memchr(base, '.', (size_t)(path + len - base));
	return dot && (size_t)(dot - base) == n && memcmp(base, name, n) == 0 &&
	       strncmp(dot, KMOD_SUFFIX, strlen(KMOD_SUFFIX)) == 0;
}

/* The line of text whose first word (up to end) is the module name, or NULL. */
static const char *kmod_find_line(const char *text, const char *name, char end)
{
	const char *line = text;

	while (*line) {
		size_t len = strcspn(line, end == ':' ? ":\n" : "\n");

		if ((end != ':' || line[len] == ':') && kmod_is(line, len, name))
			return line;
		line += strcspn(line, "\n");
		if (*line)
			line++;
	}
	return NULL;
}

/* Appends the module path (len bytes) unless it is there; refuses compressed modules. */
static int kmod_add(struct kmod_list *out, const char *path, size_t len, char *why, size_t whylen)
{
	size_t suffix = strlen(KMOD_SUFFIX);

	for (int i = 0; i < out->n; i++)
		if (strlen(out->paths[i]) == len && memcmp(out->paths[i], path, len) == 0)
			return 0;
	if (len < suffix || memcmp(path + len - suffix, KMOD_SUFFIX, suffix) != 0) {
		snprintf(why, whylen, "module '%.*s' is compressed: the embedded image takes only "
			 "uncompressed .ko files (unpack the modules, then run depmod)", (int)len, path);
		return -ENOTSUP;
	}
	if (out->n >= KMOD_MAX) {
		snprintf(why, whylen, "more than %d modules needed", KMOD_MAX);
		return -E2BIG;
	}
	out->paths[out->n] = strndup(path, len);
	if (!out->paths[out->n])
		return -ENOMEM;
	out->n++;
	return 0;
}

/* Adds the words of line[0..len) from the last to the first. */
static int kmod_add_reversed(struct kmod_list *out, const char *line, size_t len, char *why,
			     size_t whylen)
{
	size_t end = len, start;
	int r;

	for (;;) {
		while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
			end--;
		if (end == 0)
			return 0;
		start = end;
		while (start > 0 && line[start - 1] != ' ' && line[start - 1] != '\t')
			start--;
		r = kmod_add(out, line + start, end - start, why, whylen);
		if (r < 0)
			return r;
		end = start;
	}
}

/* One module's dependencies, then the module itself. */
static int kmod_add_with_deps(struct kmod_list *out, const char *line, char *why, size_t whylen)
{
	size_t key = strcspn(line, ":"), len = strcspn(line, "\n");
	int r = kmod_add_reversed(out, line + key + 1, len - key - 1, why, whylen);

	return r < 0 ? r : kmod_add(out, line, key, why, whylen);
}

int kmod_resolve(const char *dep, const char *builtin, const char *const *names,
		 const char *where, struct kmod_list *out, char *why, size_t whylen)
{
	const char *line;
	int r;

	out->n = 0;
	for (; *names; names++) {
		if (builtin && kmod_find_line(builtin, *names, '\n'))
			continue;
		line = kmod_find_line(dep, *names, ':');
		if (!line) {
			snprintf(why, whylen, "module '%s' is in neither %s/modules.dep nor %s/"
				 "modules.builtin", *names, where, where);
			kmod_list_free(out);
			return -ENOENT;
		}
		r = kmod_add_with_deps(out, line, why, whylen);
		if (r < 0) {
			kmod_list_free(out);
			return r;
		}
	}
	return 0;
}

int kmod_needed(const char *dir, const char *const *names, struct kmod_list *out, char *why,
		size_t whylen)
{
	char path[4096], *dep = NULL, *builtin = NULL;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	r = hostfile_read(path, KMOD_MAX_INDEX, false, &dep, &len);
	if (r < 0) {
		snprintf(why, whylen, "read '%s': %s", path, strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/modules.builtin", dir);
	r = hostfile_read(path, KMOD_MAX_INDEX, false, &builtin, &len);
	if (r < 0 && r != -ENOENT) { /* no modules.builtin: an old kernel, nothing built in */
		snprintf(why, whylen, "read '%s': %s", path, strerror(-r));
		free(dep);
		return r;
	}
	r = kmod_resolve(dep, builtin, names, dir, out, why, whylen);
	free(dep);
	free(builtin);
	return r;
}

/* Whether dir has a modules.dep; if not, appends that file to the places looked in why. */
static bool kmod_has_index(const char *dir, char *why, size_t whylen)
{
	char dep[4096 + 16];
	size_t used = strlen(why);

	if (snprintf(dep, sizeof(dep), "%s/modules.dep", dir) < (int)sizeof(dep) &&
	    access(dep, R_OK) == 0)
		return true;
	snprintf(why + used, whylen - used, "%s%s", used ? ", " : "", dep);
	return false;
}

int kmod_find_dir(const char *given, const char *kernel, const char *release, char *dir,
		  size_t dirlen, char *why, size_t whylen)
{
	char copy[4096], places[KMOD_MAX_PLACES][4096];
	const char *kdir;
	int n = 0;

	snprintf(copy, sizeof(copy), "%s", kernel);
	kdir = dirname(copy);
	if (given) {
		snprintf(places[n++], sizeof(places[0]), "%s", given);
		snprintf(places[n++], sizeof(places[0]), "%s/lib/modules/%s", given, release);
	} else {
		snprintf(places[n++], sizeof(places[0]), "%s/root/lib/modules/%s", kdir, release);
		snprintf(places[n++], sizeof(places[0]), "%s/../lib/modules/%s", kdir, release);
		snprintf(places[n++], sizeof(places[0]), "/lib/modules/%s", release);
	}
	why[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (kmod_has_index(places[i], why, whylen)) {
			snprintf(dir, dirlen, "%s", places[i]);
			return 0;
		}
	}
	return -ENOENT;
}
