/* libFuzzer target: the agent's config parser, fed arbitrary file contents. It must never
 * crash and must either accept the input or explain the first bad line as "FILE:LINE: ...". */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../agent/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct agent_config cfg;
	char err[512] = "";

	if (fd < 0) {
		fd = memfd_create("agent.conf", 0);
		if (fd < 0 || fchmod(fd, 0600) < 0) /* a memfd is 0777: refused when run as root */
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		log_use_fd(open("/dev/null", O_WRONLY));
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	config_defaults(&cfg);
	if (config_load(&cfg, path, true, err, sizeof(err)) < 0 && err[0] == '\0')
		abort(); /* a rejected config must always say why */
	if (cfg.exit_value < 1 || cfg.exit_value > 0x7f)
		abort(); /* the contract: only 1..0x7f reach isa-debug-exit intact */
	return 0;
}
