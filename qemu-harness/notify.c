/* systemd's readiness protocol: "READY=1" / "STOPPING=1" datagrams to $NOTIFY_SOCKET (a path,
 * or "@name" for the abstract namespace). No libsystemd. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static struct sockaddr_un notify_addr;
static socklen_t notify_addr_len;

int notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;

	if (!path || (path[0] != '/' && path[0] != '@'))
		return -ENOENT;
	len = strlen(path);
	if (len >= sizeof(notify_addr.sun_path))
		return -ENAMETOOLONG;
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, len);
	if (path[0] == '@')
		notify_addr.sun_path[0] = '\0';
	notify_addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	(void)unsetenv("NOTIFY_SOCKET");
	return 0;
}

int notify_send(const char *state)
{
	int fd, r = 0;

	if (notify_addr_len == 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&notify_addr,
		   notify_addr_len) < 0)
		r = -errno;
	(void)close(fd);
	if (r < 0)
		log_error("sd_notify %s: %s", state, strerror(-r));
	else
		log_debug("sd_notify %s", state);
	return r;
}
