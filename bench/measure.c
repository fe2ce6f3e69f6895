/* Runs one command and writes what it cost, keeping the process apart from its children:
 * wall time, its own CPU time and peak RSS, its children's CPU time, and its exit status.
 * GNU time cannot split these: its figures for `softoff-qemu boot` would include QEMU's.
 *
 * Usage: measure OUTFILE CMD [ARG...]
 * OUTFILE gets one line: "status=S wall_ms=W cpu_ms=C peak_rss_kib=R children_cpu_ms=K".
 * Own CPU comes from /proc/PID/stat while the process is a zombie (waitid WNOWAIT), so it
 * is exact to a clock tick; peak RSS is VmHWM, sampled every 10 ms while it runs. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cost {
	long wall_ms, cpu_ms, children_cpu_ms, peak_rss_kib;
	int status;
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* VmHWM of PID in KiB, or -1 once it has no memory map (exited). */
static long peak_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* utime+stime and cutime+cstime of a zombie PID (fields 14-17 of /proc/PID/stat), in ms. */
static int zombie_cpu(pid_t pid, struct cost *c)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	long cut, cst, tick = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu %ld %ld",
			 &ut, &st, &cut, &cst) != 4)
		return -EINVAL;
	c->cpu_ms = (long)(ut + st) * 1000 / tick;
	c->children_cpu_ms = (cut + cst) * 1000 / tick;
	return 0;
}

/* Sample VmHWM until PID exits; leaves it a zombie. */
static int watch_until_exit(pid_t pid, struct cost *c)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	siginfo_t si;
	long kib;

	if (pidfd < 0)
		return -errno;
	for (;;) {
		kib = peak_rss_kib(pid);
		if (kib > c->peak_rss_kib)
			c->peak_rss_kib = kib;
		if (poll(&pfd, 1, 10) > 0)
			break;
	}
	close(pidfd);
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		return -errno;
	return 0;
}

static int measure(char **argv, struct cost *c)
{
	long t0 = now_ms();
	int err, wstatus;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "measure: exec '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	err = watch_until_exit(pid, c);
	c->wall_ms = now_ms() - t0;
	if (err == 0)
		err = zombie_cpu(pid, c);
	if (waitpid(pid, &wstatus, 0) < 0)
		return -errno;
	c->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	return err;
}

int main(int argc, char **argv)
{
	struct cost c = { .peak_rss_kib = -1 };
	FILE *out;
	int err;

	if (argc < 3) {
		fputs("usage: measure OUTFILE CMD [ARG...]\n", stderr);
		return 2;
	}
	err = measure(argv + 2, &c);
	if (err < 0) {
		fprintf(stderr, "measure '%s': %s\n", argv[2], strerror(-err));
		return 1;
	}
	out = fopen(argv[1], "w");
	if (!out || fprintf(out, "status=%d wall_ms=%ld cpu_ms=%ld peak_rss_kib=%ld children_cpu_ms=%ld\n",
			    c.status, c.wall_ms, c.cpu_ms, c.peak_rss_kib, c.children_cpu_ms) < 0 ||
	    fclose(out) != 0) {
		fprintf(stderr, "measure: write '%s' failed\n", argv[1]);
		return 1;
	}
	return c.status;
}
