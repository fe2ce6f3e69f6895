/* The last few kilobytes of a byte stream (console, QEMU's stderr), for failure reports. */
#ifndef SOFTOFF_QEMU_TAIL_H
#define SOFTOFF_QEMU_TAIL_H

#include <stddef.h>
#include <stdio.h>

#define TAIL_SIZE 16384

struct tail {
	char buf[TAIL_SIZE];
	size_t len;
};

void tail_append(struct tail *t, const char *data, size_t size);

/* Prints the last max_lines lines, each after indent. */
void tail_print(const struct tail *t, FILE *out, int max_lines, const char *indent);

#endif
