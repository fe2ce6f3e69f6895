/* Parses /etc/softoff/agent.conf: `key = value` lines, `#` comments, one error = FILE:LINE. */
#include "config.h"
#include "readfile.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "softoff/exit_status.h"

#define CONFIG_FILE_MAX 65536
#define CONFIG_LINE_MAX 1024
#define CONFIG_DURATION_MAX_MS 3600000

struct config_key {
	const char *name;
	int (*parse)(struct agent_config *cfg, char *value, char *why, size_t whylen);
	const char *help;
};

static int config_bad(char *why, size_t whylen, const char *what, const char *value)
{
	snprintf(why, whylen, "bad value '%s': expected %s", value, what);
	return -EINVAL;
}

/* "10", "0.5", "2.25s": seconds with up to three decimals, returned in milliseconds. */
static int config_duration(const char *s, int *ms)
{
	long long whole = 0, frac = 0;
	int digits = 0, scale = 1000;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++)
		if ((whole = whole * 10 + (*s - '0')) > CONFIG_DURATION_MAX_MS / 1000)
			return -ERANGE;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++, digits++)
			if (digits < 3) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	if (*s == 's')
		s++;
	if (*s)
		return -EINVAL;
	*ms = (int)(whole * 1000 + frac);
	return 0;
}

static int config_digit(char c, int base)
{
	int d = isdigit((unsigned char)c) ? c - '0' : isxdigit((unsigned char)c) ? (c | 0x20) - 'a' + 10 : 99;

	return d < base ? d : -1;
}

/* Decimal or 0x-prefixed hexadecimal, no sign, no trailing junk. */
static int config_number(const char *s, unsigned long max, unsigned *out)
{
	unsigned long v = 0;
	int base = 10, d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if ((d = config_digit(*s, base)) < 0)
			return -EINVAL;
		if ((v = v * (unsigned long)base + (unsigned long)d) > max)
			return -ERANGE;
	}
	*out = (unsigned)v;
	return 0;
}

static int config_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i]))
			return *out = true, 0;
		if (!strcmp(s, no[i]))
			return *out = false, 0;
	}
	return -EINVAL;
}

/* Splits value on blanks into absolute paths; "none" or nothing gives an empty list. */
static int config_paths(char *value, char list[][CONFIG_PATH_MAX], int *n, char *why, size_t whylen)
{
	char *save = NULL, *tok;

	*n = 0;
	for (tok = strtok_r(value, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(tok, "none") && *n == 0)
			continue;
		if (tok[0] != '/')
			return config_bad(why, whylen, "absolute paths", tok);
		if (*n == CONFIG_LIST_MAX || strlen(tok) >= CONFIG_PATH_MAX) {
			snprintf(why, whylen, "too many or too long paths (at most %d of %d bytes)",
				 CONFIG_LIST_MAX, CONFIG_PATH_MAX - 1);
			return -E2BIG;
		}
		strcpy(list[(*n)++], tok);
	}
	return 0;
}

static int parse_buttons(struct agent_config *cfg, char *v, char *why, size_t whylen)
{
	if (!strcmp(v, "acpi") || !strcmp(v, "any")) {
		cfg->buttons = !strcmp(v, "acpi") ? BTN_MODE_ACPI : BTN_MODE_ANY;
		cfg->n_button_paths = 0;
		return 0;
	}
	cfg->buttons = BTN_MODE_PATHS;
	if (config_paths(v, cfg->button_paths, &cfg->n_button_paths, why, whylen) < 0)
		return -EINVAL;
	if (cfg->n_button_paths == 0)
		return config_bad(why, whylen, "'acpi', 'any' or device paths", v);
	return 0;
}

static int parse_hooks(struct agent_config *cfg, char *v, char *why, size_t whylen)
{
	return config_paths(v, cfg->hooks, &cfg->n_hooks, why, whylen);
}

static int config_duration_key(int *field, int min_ms, char *v, char *why, size_t whylen)
{
	int ms;

	if (config_duration(v, &ms) < 0 || ms < min_ms)
		return config_bad(why, whylen,
				  min_ms ? "seconds above 0 (like 10 or 0.5, at most 3600)"
					 : "seconds (like 10 or 0.5, at most 3600)", v);
	*field = ms;
	return 0;
}

#define DURATION_KEY(fn, field, min_ms)                                            \
	static int fn(struct agent_config *cfg, char *v, char *why, size_t whylen) \
	{                                                                          \
		return config_duration_key(&cfg->field, min_ms, v, why, whylen);   \
	}
DURATION_KEY(parse_hook_timeout, hook_timeout_ms, 1)
DURATION_KEY(parse_deadline, deadline_ms, 1)
DURATION_KEY(parse_kill_timeout, kill_timeout_ms, 0)
DURATION_KEY(parse_unmount_timeout, unmount_timeout_ms, 1)

#define BOOL_KEY(fn, field)                                                        \
	static int fn(struct agent_config *cfg, char *v, char *why, size_t whylen) \
	{                                                                          \
		if (config_bool(v, &cfg->field) < 0)                               \
			return config_bad(why, whylen, "yes or no", v);            \
		return 0;                                                          \
	}
BOOL_KEY(parse_kill_processes, kill_processes)
BOOL_KEY(parse_unmount, unmount)

static int parse_exit_port(struct agent_config *cfg, char *v, char *why, size_t whylen)
{
	unsigned port;

	if (config_number(v, 0xffff, &port) < 0)
		return config_bad(why, whylen, "an I/O port 0..0xffff", v);
	cfg->exit_port = port;
	return 0;
}

static int parse_exit_value(struct agent_config *cfg, char *v, char *why, size_t whylen)
{
	unsigned value;

	if (config_number(v, 0x7f, &value) < 0 || value == 0)
		return config_bad(why, whylen, "1..0x7f (QEMU exits (v << 1) | 1)", v);
	cfg->exit_value = value;
	return 0;
}

/* One accepted word of a key and the enum value it stands for. */
struct config_word {
	const char *word;
	int value;
};

/* Finds v in a word table ending with a NULL word and stores the value it stands for. */
static int config_word(const char *v, const struct config_word *words, int *out)
{
	for (; words->word; words++)
		if (!strcmp(v, words->word))
			return *out = words->value, 0;
	return -EINVAL;
}

/* A key whose values are words, each paired with its enum constant. */
#define WORD_KEY(fn, field, type, expected, ...)                                      \
	static int fn(struct agent_config *cfg, char *v, char *why, size_t whylen)    \
	{                                                                             \
		static const struct config_word words[] = { __VA_ARGS__, { NULL, 0 } }; \
		int value;                                                            \
                                                                                      \
		if (config_word(v, words, &value) < 0)                                \
			return config_bad(why, whylen, expected, v);                  \
		cfg->field = (type)value;                                             \
		return 0;                                                             \
	}
WORD_KEY(parse_fallback, fallback, enum fallback_action, "poweroff, halt or none",
	 { "poweroff", FALLBACK_POWEROFF }, { "halt", FALLBACK_HALT }, { "none", FALLBACK_NONE })
WORD_KEY(parse_repeat, repeat, enum repeat_action, "ignore or force",
	 { "ignore", REPEAT_IGNORE }, { "force", REPEAT_FORCE })
WORD_KEY(parse_exit_port_guard, exit_port_guard, enum exit_port_guard, "qemu or off",
	 { "qemu", EXIT_PORT_GUARD_QEMU }, { "off", EXIT_PORT_GUARD_OFF })
WORD_KEY(parse_log, log, enum log_target, "auto, kmsg, stderr or both", { "auto", LOG_TARGET_AUTO },
	 { "kmsg", LOG_TARGET_KMSG }, { "stderr", LOG_TARGET_STDERR }, { "both", LOG_TARGET_BOTH })

static const struct config_key config_keys[] = {
	{ "buttons", parse_buttons, "acpi | any | DEVICE-PATH...   (acpi)" },
	{ "hooks", parse_hooks, "DIR-OR-FILE... | none   (/etc/softoff/hooks.d)" },
	{ "hook-timeout", parse_hook_timeout, "SECONDS per hook, then TERM, KILL 1 s later   (10)" },
	{ "deadline", parse_deadline, "SECONDS for all hooks together   (30)" },
	{ "kill-processes", parse_kill_processes, "yes | no   (yes)" },
	{ "kill-timeout", parse_kill_timeout, "SECONDS between TERM and KILL   (3)" },
	{ "unmount", parse_unmount, "yes | no   (yes)" },
	{ "unmount-timeout", parse_unmount_timeout, "SECONDS per unmount/remount/sync step   (5)" },
	{ "exit-port", parse_exit_port, "isa-debug-exit I/O port (x86_64)   (0x501)" },
	{ "exit-value", parse_exit_value, "1..0x7f written at power-off   (0x31: QEMU exits 99)" },
	{ "exit-port-guard", parse_exit_port_guard,
	  "qemu | off: exit QEMU (port, arm64: semihosting) only on QEMU, or anywhere   (qemu)" },
	{ "fallback", parse_fallback, "poweroff | halt | none, if still alive after the write   (poweroff)" },
	{ "repeat", parse_repeat, "ignore | force, on a press during shutdown   (ignore)" },
	{ "log", parse_log, "auto | kmsg | stderr | both   (auto: kmsg if writable, else stderr)" },
};

void config_defaults(struct agent_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->buttons = BTN_MODE_ACPI;
	strcpy(cfg->hooks[0], "/etc/softoff/hooks.d");
	cfg->n_hooks = 1;
	cfg->hook_timeout_ms = 10000;
	cfg->deadline_ms = 30000;
	cfg->kill_processes = true;
	cfg->kill_timeout_ms = 3000;
	cfg->unmount = true;
	cfg->unmount_timeout_ms = 5000;
	cfg->exit_port = SOFTOFF_EXIT_PORT;
	cfg->exit_value = SOFTOFF_EXIT_POWEROFF;
	cfg->exit_port_guard = EXIT_PORT_GUARD_QEMU;
	cfg->fallback = FALLBACK_POWEROFF;
	cfg->repeat = REPEAT_IGNORE;
	cfg->log = LOG_TARGET_AUTO;
	cfg->hook_owner = 0;
}

void config_print_keys(int fd)
{
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		dprintf(fd, "  %-16s %s\n", config_keys[i].name, config_keys[i].help);
}

static char *config_trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* One line, comment already cut. Returns 0 or -EINVAL with the reason in why. */
static int config_line(struct agent_config *cfg, char *line, char *why, size_t whylen)
{
	char *eq = strchr(line, '='), *key, *value;

	line = config_trim(line);
	if (!*line)
		return 0;
	if (!eq) {
		snprintf(why, whylen, "expected 'key = value', got '%s'", line);
		return -EINVAL;
	}
	*eq = '\0';
	key = config_trim(line);
	value = config_trim(eq + 1);
	for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++)
		if (!strcmp(key, config_keys[i].name)) {
			int rc = config_keys[i].parse(cfg, value, why, whylen);
			return rc < 0 ? -EINVAL : 0;
		}
	snprintf(why, whylen, "unknown key '%s'", key);
	return -EINVAL;
}

/* A NUL byte would silently end a line early: refuse the file, naming the line. */
static int config_check_nul(const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	const char *nul = memchr(text, '\0', len);
	int lineno = 1;

	if (!nul)
		return 0;
	for (const char *p = text; p < nul; p++)
		lineno += *p == '\n';
	snprintf(err, errlen, "%s:%d: NUL byte in the line", path, lineno);
	return -EINVAL;
}

static int config_parse(struct agent_config *cfg, const char *path, char *text, char *err, size_t errlen)
{
	char why[CONFIG_PATH_MAX + 128];
	int lineno = 0;

	for (char *next, *line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strchr(line, '#'))
			*strchr(line, '#') = '\0';
		if (strlen(line) > CONFIG_LINE_MAX)
			snprintf(why, sizeof(why), "line longer than %d bytes", CONFIG_LINE_MAX);
		else if (config_line(cfg, line, why, sizeof(why)) == 0)
			continue;
		snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
		return -EINVAL;
	}
	return 0;
}

/* The config chooses the port the agent writes as root and what runs at power-off: like a hook,
 * a file someone else may write is refused when we are root. */
static int config_check_owner(const char *path, uid_t euid, char *err, size_t errlen)
{
	struct stat st;

	if (euid != 0)
		return 0;
	if (stat(path, &st) < 0)
		return 0; /* missing or unreadable: the read that follows says which */
	if (st.st_mode & 022) {
		snprintf(err, errlen, "refusing config '%s': writable by group or others (mode %04o); "
			 "that would let anyone choose what the agent does as root at power-off",
			 path, (unsigned)(st.st_mode & 07777));
		return -EACCES;
	}
	if (st.st_uid != 0) {
		snprintf(err, errlen, "refusing config '%s': owned by uid %u, not root; "
			 "that would let that user choose what the agent does as root at power-off",
			 path, (unsigned)st.st_uid);
		return -EACCES;
	}
	return 0;
}

int config_load(struct agent_config *cfg, const char *path, bool required, char *err, size_t errlen)
{
	static char text[CONFIG_FILE_MAX];
	int rc = config_check_owner(path, geteuid(), err, errlen);

	if (rc < 0)
		return rc;
	rc = rf_read_text(path, text, sizeof(text));
	if (rc == -ENOENT && !required)
		return 0;
	if (rc < 0) {
		snprintf(err, errlen, "read config '%s': %s", path,
			 rc == -EFBIG ? "file larger than 64 KiB" : strerror(-rc));
		return rc;
	}
	if (config_check_nul(path, text, (size_t)rc, err, errlen) < 0)
		return -EINVAL;
	return config_parse(cfg, path, text, err, errlen);
}
