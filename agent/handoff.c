/* Under systemd the agent only listens: a press becomes systemd's own orderly power-off, and
 * the isa-debug-exit write happens in systemd-shutdown after the last unmount (docs/agent.md,
 * "Under systemd"). Every path is relative to a root directory so that the tests can fake one. */
#include "handoff.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "exitport.h"
#include "log.h"
#include "readfile.h"

#define HANDOFF_DROPINS_MAX 32
#define HANDOFF_NAME_MAX 128
#define HANDOFF_FILE_MAX 16384
/* /proc/PID/comm holds 15 characters: systemd-shutdown is cut to this. */
#define HANDOFF_COMM_SHUTDOWN "systemd-shutdow"

static const char *handoff_root = "/";
static const struct handoff_ops *handoff_ops = &handoff_system_ops;

static void handoff_path(char *buf, size_t len, const char *root, const char *rel)
{
	snprintf(buf, len, "%s%s%s", root, root[strlen(root) - 1] == '/' ? "" : "/", rel);
}

bool handoff_systemd_booted(const char *root)
{
	char path[CONFIG_PATH_MAX + 32];
	struct stat st;

	handoff_path(path, sizeof(path), root, "run/systemd/system");
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The name of process pid ("" when it cannot be read), without the newline. */
static void handoff_comm(const char *root, const char *pid, char *comm, size_t len)
{
	char rel[64], path[CONFIG_PATH_MAX + 64];

	snprintf(rel, sizeof(rel), "proc/%s/comm", pid);
	handoff_path(path, sizeof(path), root, rel);
	if (!rf_has_text(rf_read_text(path, comm, len)))
		comm[0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
}

bool handoff_logind_running(const char *root)
{
	char path[CONFIG_PATH_MAX + 8], comm[32];
	struct dirent *e;
	bool found = false;
	DIR *d;

	handoff_path(path, sizeof(path), root, "proc");
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		handoff_comm(root, e->d_name, comm, sizeof(comm));
		found = !strcmp(comm, "systemd-logind");
	}
	(void)closedir(d);
	return found;
}

static char *handoff_strip(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r", end[-1]))
		*--end = '\0';
	return s;
}

/* One systemd-style config file: the last HandlePowerKey= of its [Login] section wins. */
static void handoff_parse_logind(const char *path, char *value, size_t len)
{
	static char text[HANDOFF_FILE_MAX];
	bool in_login = false;
	char *line, *save = NULL;

	if (!rf_has_text(rf_read_text(path, text, sizeof(text))))
		return;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *l = handoff_strip(line), *eq;

		if (*l == '[')
			in_login = !strcmp(l, "[Login]");
		if (!in_login || *l == '#' || *l == ';' || !(eq = strchr(l, '=')))
			continue;
		*eq = '\0';
		if (!strcmp(handoff_strip(l), "HandlePowerKey"))
			snprintf(value, len, "%s", handoff_strip(eq + 1));
	}
}

struct handoff_dropin {
	char name[HANDOFF_NAME_MAX];
	int dir; /* index in handoff_dropin_dirs: a lower one masks a file of the same name */
};

/* systemd's drop-in directories for logind.conf, highest priority first. */
static const char *const handoff_dropin_dirs[] = {
	"etc/systemd/logind.conf.d", "run/systemd/logind.conf.d",
	"usr/local/lib/systemd/logind.conf.d", "usr/lib/systemd/logind.conf.d",
};

static int handoff_dropin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct handoff_dropin *)a)->name, ((const struct handoff_dropin *)b)->name);
}

static bool handoff_dropin_known(const struct handoff_dropin *list, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			return true;
	return false;
}

/* Adds the *.conf names of one directory that no higher-priority directory had. */
static int handoff_list_dropins(const char *root, int dir, struct handoff_dropin *list, int n)
{
	char path[CONFIG_PATH_MAX + 64];
	struct dirent *e;
	DIR *d;

	handoff_path(path, sizeof(path), root, handoff_dropin_dirs[dir]);
	d = opendir(path);
	if (!d)
		return n;
	while (n < HANDOFF_DROPINS_MAX && (e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l < 6 || l >= HANDOFF_NAME_MAX || strcmp(e->d_name + l - 5, ".conf") ||
		    handoff_dropin_known(list, n, e->d_name))
			continue;
		memcpy(list[n].name, e->d_name, l + 1);
		list[n++].dir = dir;
	}
	(void)closedir(d);
	return n;
}

void handoff_logind_power_key(const char *root, char *value, size_t len)
{
	static struct handoff_dropin list[HANDOFF_DROPINS_MAX];
	char path[CONFIG_PATH_MAX + 2 * HANDOFF_NAME_MAX];
	int n = 0;

	snprintf(value, len, "poweroff"); /* logind's built-in default */
	handoff_path(path, sizeof(path), root, "etc/systemd/logind.conf");
	handoff_parse_logind(path, value, len);
	for (int dir = 0; dir < (int)(sizeof(handoff_dropin_dirs) / sizeof(*handoff_dropin_dirs)); dir++)
		n = handoff_list_dropins(root, dir, list, n);
	qsort(list, (size_t)n, sizeof(*list), handoff_dropin_cmp);
	for (int i = 0; i < n; i++) {
		size_t dir_len;

		handoff_path(path, sizeof(path), root, handoff_dropin_dirs[list[i].dir]);
		dir_len = strlen(path);
		if (snprintf(path + dir_len, sizeof(path) - dir_len, "/%s", list[i].name) <
		    (int)(sizeof(path) - dir_len))
			handoff_parse_logind(path, value, len);
	}
}

enum handoff_owner handoff_decide(const char *root, const char *event, char *why, size_t len)
{
	char key[32];

	if (!handoff_systemd_booted(root)) {
		snprintf(why, len, "systemd is not the init");
		return HANDOFF_AGENT;
	}
	/* logind reacts to the key only: a signal or a command is ours to pass on */
	if (strcmp(event, "power-button") || !handoff_logind_running(root)) {
		snprintf(why, len, "systemd is the init and systemd-logind %s", strcmp(event, "power-button") ?
			 "does not see this request" : "is not running");
		return HANDOFF_SYSTEMD;
	}
	handoff_logind_power_key(root, key, sizeof(key));
	snprintf(why, len, "systemd-logind runs with HandlePowerKey=%s", key);
	return strcmp(key, "ignore") ? HANDOFF_LOGIND : HANDOFF_SYSTEMD;
}

/* Hands one request over (or leaves it to logind). Returns 0, or -errno from the signal. */
static int handoff_request(const char *root, const struct handoff_ops *ops, const char *event)
{
	char why[128];
	int rc;

	if (handoff_decide(root, event, why, sizeof(why)) == HANDOFF_LOGIND) {
		log_important("%s: leaving the power key to systemd-logind", why);
		return 0;
	}
	log_important("%s: asking systemd to power off (signal %d to PID 1 starts poweroff.target)", why,
		HANDOFF_SIG_POWEROFF);
	rc = ops->signal_init(HANDOFF_SIG_POWEROFF);
	if (rc < 0)
		log_important("signal %d to PID 1: %s", HANDOFF_SIG_POWEROFF, strerror(-rc));
	return rc;
}

static void handoff_loop_start(struct loop *l, const struct seq_request *rq)
{
	(void)handoff_request(handoff_root, handoff_ops, rq->event);
	/* Judge every request again (logind may have started or stopped meanwhile). Asking
	 * systemd twice is harmless: the second request joins the same poweroff.target job. */
	l->latched = false;
}

bool handoff_attach(struct loop *l, const char *root, const struct handoff_ops *ops)
{
	if (!handoff_systemd_booted(root))
		return false;
	handoff_root = root;
	handoff_ops = ops;
	l->start = handoff_loop_start;
	log_important("systemd is the init: a press will start its poweroff.target, not the agent's own shutdown");
	return true;
}

int handoff_command(const char *root, const struct handoff_ops *ops)
{
	return handoff_request(root, ops, "command") < 0 ? 1 : 0;
}

bool handoff_exit_port_allowed(const char *root, char *why, size_t len)
{
	char comm[32];

	handoff_comm(root, "1", comm, sizeof(comm));
	if (handoff_systemd_booted(root) && strcmp(comm, HANDOFF_COMM_SHUTDOWN)) {
		snprintf(why, len, "systemd is running as PID 1 ('%s'), the system is not shut down "
			 "yet; run it from systemd-shutdown (/usr/lib/systemd/system-shutdown/)", comm);
		return false;
	}
	snprintf(why, len, "PID 1 is '%s'", comm);
	return true;
}

int handoff_exit_port(const struct agent_config *cfg, const char *root, const struct handoff_ops *ops)
{
	char why[256];

	if (!handoff_exit_port_allowed(root, why, sizeof(why))) {
		/* run by hand: the one who typed it must see why (the log may be kmsg only) */
		dprintf(2, "softoff-agent: exit-port: not writing port 0x%x: %s\n", cfg->exit_port, why);
		return 1;
	}
	ops->write_port(cfg);
	return 0;
}

static int handoff_system_signal_init(int signo)
{
	return kill(1, signo) < 0 ? -errno : 0;
}

static void handoff_system_write_port(const struct agent_config *cfg)
{
	/* no fallback: systemd-shutdown powers off (or halts) itself when we return */
	xp_leave(&xp_system_ops, cfg->exit_value, cfg->exit_port, FALLBACK_NONE);
}

const struct handoff_ops handoff_system_ops = {
	handoff_system_signal_init, handoff_system_write_port,
};
