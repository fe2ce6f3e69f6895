/* `softoff-qemu boot` without --initrd: the options that shape the embedded image, checked
 * together, and the image made before QEMU starts (embed.c), so that a bad input never
 * starts it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "cli.h"
#include "log.h"

/* Whether text has the word "--" (after it, the kernel hands the words to init). */
static bool boot_has_dashes(const char *text)
{
	for (const char *p = strstr(text, "--"); p; p = strstr(p + 1, "--"))
		if ((p == text || p[-1] == ' ') && (p[2] == ' ' || p[2] == '\0'))
			return true;
	return false;
}

/* --agent and the others only mean something for the image made here. */
static int boot_embed_refuse_with_initrd(const struct boot_options *o)
{
	const char *name = o->embed.agent ? "--agent" : o->embed.modules ? "--modules"
			   : o->embed.payload ? "--payload" : o->embed.save_path ? "--save-initrd"
			   : NULL;

	if (!name)
		return 0;
	return cli_usage_error("boot", "%s: only without --initrd (it shapes the image "
			       "softoff-qemu makes)", name);
}

int boot_embed_prepare(struct boot_options *o)
{
	char why[1024];

	if (o->initrd)
		return boot_embed_refuse_with_initrd(o);
	if (o->embed.payload && boot_has_dashes(o->append))
		return cli_usage_error("boot", "--payload: --append already has a '--' word, and "
				       "the payload's must come first");
	o->embed.kernel = o->kernel;
	o->embed.arch = o->arch;
	if (embed_build(&o->embed, &o->embedded, why, sizeof(why)) < 0) {
		fprintf(stderr, "softoff-qemu boot: %s (QEMU not started)\n", why);
		return CLI_USAGE;
	}
	log_debug("made the initramfs: %zu bytes, kernel %s, %d module(s) from %s", o->embedded.size,
		  o->embedded.release, o->embedded.n_modules, o->embedded.modules_dir);
	o->initrd = o->embedded.path;
	if (o->embed.payload)
		o->init_args = EMBED_INIT_ARGS;
	return 0;
}
