/* `softoff-qemu qmp SOCKET COMMAND [JSON-ARGS]`: connect to an existing QMP monitor socket,
 * do the handshake, run one command, print its return value as JSON. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"
#include "qmp.h"
#include "qmpcmd.h"

static const char qmpcmd_help[] =
	"Usage: softoff-qemu qmp [OPTION...] SOCKET COMMAND [JSON-ARGS]\n"
	"\n"
	"Send one QMP command to the monitor listening on the unix socket SOCKET (e.g. QEMU\n"
	"started with -qmp unix:/run/vm.qmp,server=on,wait=off) and print its return value\n"
	"as one line of JSON. JSON-ARGS is the command's arguments object, for example\n"
	"  softoff-qemu qmp /run/vm.qmp system_powerdown\n"
	"  softoff-qemu qmp /run/vm.qmp human-monitor-command '{\"command-line\": \"info status\"}'\n"
	"A QMP monitor serves one client at a time: while another is connected this waits\n"
	"for the greeting until --timeout.\n"
	"\n"
	"  --timeout SECONDS   for the connection, the handshake and the reply (default 10)\n"
	"  --pretty            indent the JSON\n"
	"  --verbose           log the QMP traffic on stderr\n"
	"  -h, --help          this text\n"
	"\n"
	"Exit status:\n"
	"  " CLI_STR(CLI_OK) "  the command returned (its return value is on stdout)\n"
	"  " CLI_STR(CLI_QMP_ERROR) "  QEMU answered with an error (its description is on stderr)\n"
	"  " CLI_STR(CLI_USAGE) "  usage error (including JSON-ARGS that is not a JSON object)\n"
	"  " CLI_STR(CLI_QMP_CONNECT) "  no QMP monitor on SOCKET, it did not answer within --timeout, or it broke\n";

static int qmpcmd_connect(const char *path, int *fd_out)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strncmp(path, "unix:", 5) == 0)
		path += 5;
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = -errno;

		(void)close(fd);
		return err;
	}
	*fd_out = fd;
	return 0;
}

static int qmpcmd_print(json_t *ret, bool pretty)
{
	char *text = json_dumps(ret, JSON_ENCODE_ANY | (pretty ? JSON_INDENT(2) : JSON_COMPACT));

	if (!text)
		return CLI_QMP_CONNECT;
	puts(text);
	free(text);
	return CLI_OK;
}

/* Turns the call's result into output and an exit status. */
static int qmpcmd_report(struct qmp_client *c, int r, const char *path, const char *command,
			 json_t *ret, const char *desc, int timeout_ms, bool pretty)
{
	if (r == 0)
		return qmpcmd_print(ret, pretty);
	if (r == -EREMOTEIO) {
		fprintf(stderr, "softoff-qemu qmp: %s: %s\n", command, desc);
		return CLI_QMP_ERROR;
	}
	if (r == -ETIMEDOUT && c && qmp_client_state(c) == QMP_STATE_RUNNING)
		fprintf(stderr, "softoff-qemu qmp: %s: no reply within %d ms\n", command,
			timeout_ms);
	else
		fprintf(stderr, "softoff-qemu qmp: %s: %s\n", path,
			c && qmp_client_error(c) ? qmp_client_error(c) : strerror(-r));
	return CLI_QMP_CONNECT;
}

static int qmpcmd_run(const char *path, const char *command, json_t *args, int timeout_ms,
		      bool pretty)
{
	struct qmp_client *c;
	json_t *ret = NULL;
	char *desc = NULL;
	int fd = -1, r = qmpcmd_connect(path, &fd);

	if (r < 0) {
		json_decref(args);
		fprintf(stderr, "softoff-qemu qmp: connect '%s': %s\n", path, strerror(-r));
		return CLI_QMP_CONNECT;
	}
	c = qmp_client_new(fd, path);
	if (!c)
		(void)close(fd);
	r = c ? qmp_client_handshake(c, timeout_ms) : -ENOMEM;
	if (r == 0)
		r = qmp_client_call(c, command, args, timeout_ms, &ret, &desc);
	else
		json_decref(args);
	r = qmpcmd_report(c, r, path, command, ret, desc, timeout_ms, pretty);
	json_decref(ret);
	free(desc);
	qmp_client_free(c);
	return r;
}

static const struct option qmpcmd_longopts[] = {
	{ "timeout", required_argument, NULL, 't' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static json_t *qmpcmd_parse_args(const char *text)
{
	json_error_t jerr;
	json_t *args = json_loads(text, 0, &jerr);

	if (!args)
		cli_usage_error("qmp", "JSON-ARGS: %s at column %d", jerr.text, jerr.column);
	else if (!json_is_object(args))
		cli_usage_error("qmp", "JSON-ARGS must be a JSON object, like '{\"key\": 1}'");
	if (args && !json_is_object(args)) {
		json_decref(args);
		args = NULL;
	}
	return args;
}

int qmpcmd_main(int argc, char **argv)
{
	int64_t timeout_ms = 10000;
	bool pretty = false;
	json_t *args = NULL;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", qmpcmd_longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(qmpcmd_help, stdout);
			return CLI_OK;
		}
		if (opt == 'p')
			pretty = true;
		else if (opt == 'v')
			log_set_level(LOG_LEVEL_DEBUG);
		else if (opt != 't' || cli_parse_duration(optarg, &timeout_ms) < 0 || !timeout_ms)
			return cli_usage_error("qmp", "bad option or value: '%s'", argv[optind - 1]);
	}
	if (argc - optind < 2 || argc - optind > 3)
		return cli_usage_error("qmp", "expected SOCKET COMMAND [JSON-ARGS]");
	if (argc - optind == 3 && !(args = qmpcmd_parse_args(argv[optind + 2])))
		return CLI_USAGE;
	return qmpcmd_run(argv[optind], argv[optind + 1], args, (int)timeout_ms, pretty);
}
