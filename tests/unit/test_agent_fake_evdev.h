/* A fake evdev for host tests (no /dev/uinput on the build machines). Test devices are FIFOs;
 * this file defines ioctl(), which the dynamic libevdev resolves to ours, and answers the
 * evdev ioctls for those FIFOs. Events are written into the FIFO as struct input_event. */
#ifndef TEST_AGENT_FAKE_EVDEV_H
#define TEST_AGENT_FAKE_EVDEV_H

#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FAKE_MAX 8

struct fake_dev {
	char path[256];
	const char *name;
	const char *phys; /* "" = none (the kernel answers ENOENT) */
	bool power_key;
	bool power_down; /* the state EVIOCGKEY reports (used by libevdev's resync) */
	int writer;      /* write end, once opened */
};

static struct fake_dev fake_devs[FAKE_MAX];
static int fake_count;

static struct fake_dev *fake_add(const char *dir, const char *node, const char *name,
				 const char *phys, bool power_key)
{
	struct fake_dev *d = &fake_devs[fake_count++];

	snprintf(d->path, sizeof(d->path), "%s/%s", dir, node);
	d->name = name;
	d->phys = phys;
	d->power_key = power_key;
	d->power_down = false;
	d->writer = -1;
	if (mkfifo(d->path, 0600) < 0 && errno != EEXIST)
		return NULL;
	return d;
}

static void fake_reset(void)
{
	for (int i = 0; i < fake_count; i++)
		if (fake_devs[i].writer >= 0)
			close(fake_devs[i].writer);
	fake_count = 0;
}

static struct fake_dev *fake_by_fd(int fd)
{
	char link[64], path[256];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return NULL;
	path[n] = '\0';
	for (int i = 0; i < fake_count; i++)
		if (!strcmp(fake_devs[i].path, path))
			return &fake_devs[i];
	return NULL;
}

static void fake_setbit(unsigned char *bits, size_t len, int bit)
{
	if ((size_t)(bit / 8) < len)
		bits[bit / 8] |= (unsigned char)(1u << (bit % 8));
}

static int fake_string(void *arg, size_t size, const char *s)
{
	if (!s || !*s) {
		errno = ENOENT;
		return -1;
	}
	snprintf(arg, size, "%s", s);
	return (int)strlen(s) + 1;
}

static int fake_ioctl(struct fake_dev *d, unsigned long req, void *arg)
{
	size_t size = _IOC_SIZE(req);
	unsigned nr = _IOC_NR(req);

	if (_IOC_DIR(req) & _IOC_READ)
		memset(arg, 0, size);
	if (nr == _IOC_NR(EVIOCGVERSION)) {
		*(int *)arg = EV_VERSION;
		return 0;
	}
	if (nr == _IOC_NR(EVIOCGNAME(0)))
		return fake_string(arg, size, d->name);
	if (nr == _IOC_NR(EVIOCGPHYS(0)))
		return fake_string(arg, size, d->phys);
	if (nr == _IOC_NR(EVIOCGUNIQ(0)))
		return fake_string(arg, size, NULL);
	if (nr == _IOC_NR(EVIOCGBIT(0, 0))) {
		fake_setbit(arg, size, EV_SYN);
		fake_setbit(arg, size, EV_KEY);
	} else if (nr == _IOC_NR(EVIOCGBIT(EV_KEY, 0))) {
		fake_setbit(arg, size, KEY_A); /* keyboards have more keys; buttons just one */
		if (d->power_key)
			fake_setbit(arg, size, KEY_POWER);
	} else if (nr == _IOC_NR(EVIOCGKEY(0)) && d->power_down) {
		fake_setbit(arg, size, KEY_POWER);
	}
	return _IOC_DIR(req) & _IOC_READ ? (int)size : 0;
}

int ioctl(int fd, unsigned long req, ...)
{
	struct fake_dev *d;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (_IOC_TYPE(req) == 'E' && (d = fake_by_fd(fd)))
		return fake_ioctl(d, req, arg);
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

static void fake_event(struct fake_dev *d, int type, int code, int value)
{
	struct input_event ev = { .type = (unsigned short)type, .code = (unsigned short)code, .value = value };

	if (d->writer < 0)
		d->writer = open(d->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	/* a lost event would make "nothing happened" tests pass for the wrong reason */
	if (write(d->writer, &ev, sizeof(ev)) != (ssize_t)sizeof(ev)) {
		perror("fake_event write");
		abort();
	}
}

/* One power-button press as the ACPI button sends it: press and release back to back. */
static void fake_press(struct fake_dev *d)
{
	fake_event(d, EV_KEY, KEY_POWER, 1);
	fake_event(d, EV_SYN, SYN_REPORT, 0);
	fake_event(d, EV_KEY, KEY_POWER, 0);
	fake_event(d, EV_SYN, SYN_REPORT, 0);
}

#endif
