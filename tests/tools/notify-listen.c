/* notify-listen: a tiny sd_notify listener for the integration tests (systemd is not
 * installed here). Binds a datagram socket at PATH and prints each datagram it receives on
 * stdout, flushed at once, with a newline after it, until COUNT datagrams came or TIMEOUT
 * seconds passed. The socket file is removed at the end.
 *
 * Usage: notify-listen [--count N] [--timeout SECONDS] PATH
 * Exit status: 0 after COUNT datagrams, 1 at the timeout, 2 usage or socket error. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LISTEN_MAX_DATAGRAM 4096

struct listen_options {
	const char *path;
	long count;      /* stop after this many datagrams */
	long timeout_ms; /* stop after this long */
};

static int listen_parse(struct listen_options *o, int argc, char **argv)
{
	char *end;

	*o = (struct listen_options){ .count = 2, .timeout_ms = 60000 };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			o->count = strtol(argv[++i], &end, 10);
			if (*end || o->count < 1)
				return -EINVAL;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			o->timeout_ms = (long)(strtod(argv[++i], &end) * 1000);
			if (*end || o->timeout_ms <= 0)
				return -EINVAL;
		} else if (!o->path && argv[i][0] != '-') {
			o->path = argv[i];
		} else {
			return -EINVAL;
		}
	}
	return o->path ? 0 : -EINVAL;
}

static int listen_bind(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = -errno;

		(void)close(fd);
		return err;
	}
	return fd;
}

static long listen_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Prints datagrams until count or the deadline: 0, or 1 at the timeout. */
static int listen_loop(int fd, const struct listen_options *o)
{
	long deadline = listen_now_ms() + o->timeout_ms, received = 0;
	char buf[LISTEN_MAX_DATAGRAM];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (received < o->count) {
		long left = deadline - listen_now_ms();

		if (left <= 0)
			return 1;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			continue;
		printf("%.*s%s", (int)n, buf, n > 0 && buf[n - 1] == '\n' ? "" : "\n");
		(void)fflush(stdout);
		received++;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct listen_options o;
	int fd, r;

	if (listen_parse(&o, argc, argv) < 0) {
		fprintf(stderr, "usage: notify-listen [--count N] [--timeout SECONDS] PATH\n");
		return 2;
	}
	fd = listen_bind(o.path);
	if (fd < 0) {
		fprintf(stderr, "notify-listen: bind '%s': %s\n", o.path, strerror(-fd));
		return 2;
	}
	r = listen_loop(fd, &o);
	(void)close(fd);
	(void)unlink(o.path);
	return r;
}
