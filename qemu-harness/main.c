/* softoff-qemu: the host half of softoff. Dispatches to a subcommand. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "cli.h"
#include "qmpcmd.h"
#include "run.h"

static const char main_help[] =
	"Usage: softoff-qemu COMMAND [OPTION...]\n"
	"\n"
	"Make \"press the power button\" mean \"shut this VM down cleanly\" for QEMU guests.\n"
	"\n"
	"Commands:\n"
	"  boot  --kernel FILE [--initrd FILE] [...]  CI boot test: boot, press, check the status\n"
	"  run   [OPTION...] -- QEMU [ARG...]         supervise QEMU: SIGTERM -> ACPI power-off\n"
	"  qmp   SOCKET COMMAND [JSON-ARGS]           one QMP command to a monitor socket\n"
	"\n"
	"'softoff-qemu COMMAND --help' describes each, with its exit statuses.\n"
	"  --version   print the version\n";

/* fds 0-2 must exist, or a socketpair could land on them and be inherited as stdio. */
static void main_ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0) {
			int null_fd = open("/dev/null", O_RDWR);

			if (null_fd >= 0 && null_fd != fd) {
				(void)dup2(null_fd, fd);
				(void)close(null_fd);
			}
		}
	}
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	main_ensure_stdio();
	if (strcmp(cmd, "boot") == 0)
		return boot_main(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return run_main(argc - 1, argv + 1);
	if (strcmp(cmd, "qmp") == 0)
		return qmpcmd_main(argc - 1, argv + 1);
	if (strcmp(cmd, "--version") == 0) {
		printf("softoff-qemu %s\n", SOFTOFF_VERSION);
		return CLI_OK;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		fputs(main_help, stdout);
		return CLI_OK;
	}
	fprintf(stderr, "softoff-qemu: %s%s%s\n%s", *cmd ? "unknown command '" : "no command",
		cmd, *cmd ? "'" : "", main_help);
	return CLI_USAGE;
}
