/* Starting QEMU as our child: QMP monitor (and optionally the serial console) on socketpairs
 * whose QEMU ends are the only fds of ours it inherits, PR_SET_PDEATHSIG so it dies with us,
 * default signal dispositions and the original mask restored before exec. */
#ifndef SOFTOFF_QEMU_VM_H
#define SOFTOFF_QEMU_VM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define VM_QMP_CHARDEV "softoff-qmp"
#define VM_CONSOLE_CHARDEV "softoff-console"

struct vm_config {
	char *const *argv;         /* QEMU command line, argv[0] = binary, NULL-terminated */
	bool console;              /* add -serial on a socketpair we read (vm.console_fd) */
	bool capture_output;       /* QEMU's stdout + stderr into a pipe (vm.output_fd) */
	bool stdin_null;           /* QEMU's stdin = /dev/null (else inherited untouched) */
	int pdeathsig;             /* what QEMU gets when softoff-qemu dies; SIGKILL */
	bool own_process_group;    /* keep a terminal's ^C (sent to our group) away from QEMU */
	const sigset_t *child_mask; /* the signal mask QEMU starts with */
};

struct vm {
	pid_t pid;
	int qmp_fd;     /* our QMP end: hand it to qmp_client_new() */
	int console_fd; /* our console end, or -1 */
	int output_fd;  /* QEMU's stdout+stderr, or -1 */
	bool exited;
	int wait_status; /* waitpid() status once exited */
};

/* Starts QEMU. On failure returns -errno and writes the reason into err. QEMU's fds appear
 * in its command line as -chardev socket,id=softoff-qmp,fd=N -mon chardev=softoff-qmp,
 * mode=control (plus -chardev socket,id=softoff-console,fd=M -serial chardev:...). */
int vm_start(const struct vm_config *cfg, struct vm *vm, char *err, size_t errlen);

/* Collects QEMU's exit if it has happened (WNOHANG): 1 = exited (now or before), 0 = not. */
int vm_reap(struct vm *vm);

/* Sends a signal to QEMU unless it has been reaped. */
void vm_signal(struct vm *vm, int signo);

/* Closes our fds (not QEMU). */
void vm_close(struct vm *vm);

/* "exited with status 99" / "was killed by signal 9 (SIGKILL)" */
void vm_describe_exit(int wait_status, char *buf, size_t size);

#endif
