/* Baseline for the benchmarks: the approach of the project's seed article. A busybox acpid
 * PWRF/00000080 script calls this after `sync`: write one byte to isa-debug-exit and hope. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
	unsigned port = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : 0x501;
	unsigned value = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 0x31;

	if (ioperm(port, 1, 1) != 0) {
		perror("outb: ioperm");
		return 1;
	}
	outb((unsigned char)value, (unsigned short)port);
	fputs("outb: still running after the write: no isa-debug-exit device?\n", stderr);
	return 1;
}
