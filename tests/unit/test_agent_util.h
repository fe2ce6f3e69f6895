/* Helpers shared by the agent's unit tests: temporary trees and fixtures, files, fake-call notes,
 * and the captured log. */
#ifndef TEST_AGENT_UTIL_H
#define TEST_AGENT_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../agent/log.h"

static char tu_dir[256];
static int tu_log_fd = -1;
static char tu_log_path[300];

/* A fresh temporary directory; the agent's log goes to a file in it. */
static __attribute__((unused)) void tu_setup_dir(void)
{
	char cmd[300];

	if (tu_dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_dir);
		(void)!system(cmd);
	}
	strcpy(tu_dir, "/tmp/softoff-test-XXXXXX");
	if (!mkdtemp(tu_dir))
		abort();
	snprintf(tu_log_path, sizeof(tu_log_path), "%s/agent.log", tu_dir);
	if (tu_log_fd >= 0)
		close(tu_log_fd);
	tu_log_fd = open(tu_log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	log_use_fd(tu_log_fd);
}

static __attribute__((unused)) void tu_cleanup_dir(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tu_dir);
	(void)!system(cmd);
	tu_dir[0] = '\0';
}

static __attribute__((unused)) const char *tu_path(const char *rel)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, 512, "%s/%s", tu_dir, rel);
	return p;
}

static __attribute__((unused)) void tu_write(const char *rel, const char *text, mode_t mode)
{
	const char *p = tu_path(rel);
	FILE *f = fopen(p, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

/* The whole content of a file under the test dir ("" when missing). */
static __attribute__((unused)) const char *tu_read(const char *rel)
{
	static char buf[65536];
	FILE *f = fopen(tu_path(rel), "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static __attribute__((unused)) const char *tu_log(void)
{
	return tu_read("agent.log");
}

/* cmocka fixtures for tests that need only the temporary directory. */
static __attribute__((unused)) int tu_setup(void **state)
{
	(void)state;
	tu_setup_dir();
	return 0;
}

static __attribute__((unused)) int tu_teardown(void **state)
{
	(void)state;
	tu_cleanup_dir();
	return 0;
}

/* A cmocka test with those fixtures: a fresh directory for each test. */
#define TU_TEST(fn) cmocka_unit_test_setup_teardown(fn, tu_setup, tu_teardown)

/* For fakes that run in a bounded child: records "WHAT ARG" as a line of the file "calls". */
static __attribute__((unused)) void tu_note(const char *what, const char *arg)
{
	FILE *f = fopen(tu_path("calls"), "a");

	fprintf(f, "%s %s\n", what, arg);
	fclose(f);
}

static __attribute__((unused)) long long tu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
