/* `softoff-qemu qmp SOCKET COMMAND [JSON-ARGS]`: one command to an existing monitor socket. */
#ifndef SOFTOFF_QEMU_QMPCMD_H
#define SOFTOFF_QEMU_QMPCMD_H

int qmpcmd_main(int argc, char **argv);

#endif
