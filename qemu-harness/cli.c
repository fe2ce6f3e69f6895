/* Command-line helpers shared by the subcommands. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_parse_duration(const char *text, int64_t *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (end == text || errno || !(v >= 0) || v > 1e7)
		return -EINVAL;
	if (strcmp(end, "ms") == 0)
		v /= 1000.0;
	else if (strcmp(end, "s") != 0 && *end != '\0')
		return -EINVAL;
	*ms = (int64_t)(v * 1000.0 + 0.5);
	return 0;
}

int cli_parse_int(const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 0);
	if (end == text || *end || errno == ERANGE)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "softoff-qemu %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'softoff-qemu %s --help'.\n", cmd);
	return CLI_USAGE;
}

const char *cli_option_name(const struct option *options, int val)
{
	for (; options->name; options++)
		if (options->val == val)
			return options->name;
	return "?";
}
