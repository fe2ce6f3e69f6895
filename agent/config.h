/* The agent's configuration: defaults, and the `key = value` file parser. */
#ifndef SOFTOFF_AGENT_CONFIG_H
#define SOFTOFF_AGENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "log.h"

#define CONFIG_DEFAULT_PATH "/etc/softoff/agent.conf"
#define CONFIG_LIST_MAX 8
#define CONFIG_PATH_MAX 256

enum btn_mode { BTN_MODE_ACPI, BTN_MODE_ANY, BTN_MODE_PATHS };
enum fallback_action { FALLBACK_POWEROFF, FALLBACK_HALT, FALLBACK_NONE };
enum repeat_action { REPEAT_IGNORE, REPEAT_FORCE };
/* qemu: write the exit port only on a machine identified as QEMU (exitport.h); off: anywhere */
enum exit_port_guard { EXIT_PORT_GUARD_QEMU, EXIT_PORT_GUARD_OFF };

struct agent_config {
	enum btn_mode buttons;
	char button_paths[CONFIG_LIST_MAX][CONFIG_PATH_MAX];
	int n_button_paths;
	char hooks[CONFIG_LIST_MAX][CONFIG_PATH_MAX];
	int n_hooks;
	int hook_timeout_ms;
	int deadline_ms;
	bool kill_processes;
	int kill_timeout_ms;
	bool unmount;
	int unmount_timeout_ms;
	unsigned exit_port;
	unsigned exit_value;
	enum exit_port_guard exit_port_guard;
	enum fallback_action fallback;
	enum repeat_action repeat;
	enum log_target log;
	uid_t hook_owner; /* not a key: hooks must be owned by this uid (root); tests change it */
};

void config_defaults(struct agent_config *cfg);

/* Reads path over the defaults already in cfg. A missing file is an error only when required.
 * Run as root, it refuses (-EACCES) a file not owned by root or writable by group or others.
 * Returns 0, or -errno with one line "FILE:LINE: reason" (or "read config 'FILE': ...") in err. */
int config_load(struct agent_config *cfg, const char *path, bool required, char *err, size_t errlen);

/* Writes the key reference (keys, values, defaults) for --help. */
void config_print_keys(int fd);

#endif
