/* The floor for the boot-test benchmark: an /init that makes QEMU exit 99 (a clean power-off)
 * the moment the kernel starts it, through the exit device softoff-qemu boot gives the guest:
 * isa-debug-exit on x86, semihosting on arm64. Nothing can boot-test faster with the same
 * kernel and QEMU. */
#include <unistd.h>

#if defined(__x86_64__)
#include <sys/io.h>

static void floor_exit(void)
{
	if (ioperm(0x501, 1, 1) == 0)
		outb(0x31, 0x501);
}
#elif defined(__aarch64__)
/* SYS_EXIT (0x18) with the block {ADP_Stopped_ApplicationExit, status}: QEMU exits status. */
static void floor_exit(void)
{
	unsigned long block[2] = { 0x20026, 99 };
	register unsigned long op __asm__("x0") = 0x18;
	register unsigned long *arg __asm__("x1") = block;

	__asm__ volatile("hlt #0xf000" : "+r"(op) : "r"(arg) : "memory");
}
#endif

int main(void)
{
	floor_exit();
	for (;;)
		pause();
}
