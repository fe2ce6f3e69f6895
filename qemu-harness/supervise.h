/* `softoff-qemu run`: supervise any QEMU command line; signals become ACPI button presses. */
#ifndef SOFTOFF_QEMU_SUPERVISE_H
#define SOFTOFF_QEMU_SUPERVISE_H

int supervise_main(int argc, char **argv);

#endif
