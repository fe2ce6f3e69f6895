/* payload: a static guest program for the boot tests of images whose /init is the agent. It
 * shows what the kernel handed over (the words after `--` on its command line reach it through
 * the agent's `run`), then exits or loads a kernel module late.
 *
 * Usage: payload exit N [WORD...]   print "payload: argv[I]=WORD" and "payload: env NAME=VALUE"
 *                                   lines, then exit with status N
 *        payload load-late FILE     once the agent says it is waiting for a power button
 *                                   (its kmsg line; at most 60 s), load the module FILE
 *                                   (finit_module), print "payload: loaded FILE" (or why
 *                                   not), then wait forever
 * Exit status: N; 2 usage error. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAYLOAD_WAIT_S 60
#define PAYLOAD_AGENT_WAITING "softoff-agent: waiting for a power button"

extern char **environ;

static int payload_show(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("payload: argv[%d]=%s\n", i, argv[i]);
	for (char **e = environ; *e; e++)
		printf("payload: env %s\n", *e);
	return fflush(stdout) == 0 ? 0 : -1;
}

/* Reads kernel log records (from the first one kept) until one has text; at most
 * PAYLOAD_WAIT_S seconds. A fixed sleep would race a slow guest's agent. */
static bool payload_await_kmsg(const char *text)
{
	char rec[1024];
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	for (int tick = 0; fd >= 0 && tick < PAYLOAD_WAIT_S * 10;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n > 0) {
			rec[n] = '\0';
			if (strstr(rec, text)) {
				(void)close(fd);
				return true;
			}
			continue;
		}
		/* EAGAIN: no new record yet; EPIPE: records were overwritten, the next read goes on */
		if (n < 0 && errno == EAGAIN)
			usleep(100000);
		tick++;
	}
	if (fd >= 0)
		(void)close(fd);
	return false;
}

static void payload_load_late(const char *file)
{
	int fd;

	if (!payload_await_kmsg(PAYLOAD_AGENT_WAITING))
		printf("payload: no '%s' line within %d s; loading anyway\n", PAYLOAD_AGENT_WAITING, PAYLOAD_WAIT_S);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) < 0)
		printf("payload: load '%s': %s\n", file, strerror(errno));
	else
		printf("payload: loaded %s\n", file);
	(void)fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "exit")) {
		(void)payload_show(argc, argv);
		return atoi(argv[2]);
	}
	if (argc == 3 && !strcmp(argv[1], "load-late"))
		payload_load_late(argv[2]);
	fprintf(stderr, "usage: payload exit N [WORD...] | payload load-late FILE\n");
	return 2;
}
