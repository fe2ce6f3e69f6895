/* Starting QEMU as our child with our QMP monitor and (for boot) console on socketpairs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sigwatch.h"
#include "vm.h"

#define VM_EXTRA_ARGS 8

/* The child's half of each channel; -1 when unused. */
struct vm_child_fds {
	int qmp, console, output, exec_err;
};

static int vm_clear_cloexec(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

static int vm_setup_stdio(const struct vm_config *cfg, const struct vm_child_fds *fds)
{
	int null_fd;

	if (cfg->stdin_null) {
		null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null_fd < 0 || dup2(null_fd, 0) < 0)
			return -errno;
	}
	if (fds->output >= 0 && (dup2(fds->output, 1) < 0 || dup2(fds->output, 2) < 0))
		return -errno;
	return 0;
}

/* In the child: never returns. Reports a failure to exec through exec_err. */
static void vm_child(const struct vm_config *cfg, const struct vm_child_fds *fds,
		     char **argv, pid_t parent)
{
	int err = 0;

	(void)prctl(PR_SET_PDEATHSIG, cfg->pdeathsig);
	if (getppid() != parent) /* the parent died before prctl took effect */
		_exit(127);
	sigwatch_restore_child(cfg->child_mask);
	if (cfg->own_process_group)
		(void)setpgid(0, 0);
	if (vm_setup_stdio(cfg, fds) < 0 || vm_clear_cloexec(fds->qmp) < 0 ||
	    (fds->console >= 0 && vm_clear_cloexec(fds->console) < 0))
		err = errno;
	if (!err) {
		execvp(argv[0], argv);
		err = errno;
	}
	(void)!write(fds->exec_err, &err, sizeof(err));
	_exit(127);
}

/* The user's argv plus our monitor (and console) options, NULL-terminated. */
static char **vm_build_argv(const struct vm_config *cfg, const struct vm_child_fds *fds)
{
	size_t n = 0, i = 0;
	char **argv;

	while (cfg->argv[n])
		n++;
	argv = calloc(n + VM_EXTRA_ARGS + 1, sizeof(*argv));
	if (!argv)
		return NULL;
	for (; i < n; i++)
		argv[i] = strdup(cfg->argv[i]);
	argv[i++] = strdup("-chardev");
	(void)!asprintf(&argv[i++], "socket,id=%s,fd=%d", VM_QMP_CHARDEV, fds->qmp);
	argv[i++] = strdup("-mon");
	(void)!asprintf(&argv[i++], "chardev=%s,mode=control", VM_QMP_CHARDEV);
	if (fds->console >= 0) {
		argv[i++] = strdup("-chardev");
		(void)!asprintf(&argv[i++], "socket,id=%s,fd=%d", VM_CONSOLE_CHARDEV, fds->console);
		argv[i++] = strdup("-serial");
		(void)!asprintf(&argv[i++], "chardev:%s", VM_CONSOLE_CHARDEV);
	}
	return argv;
}

static void vm_free_argv(char **argv)
{
	for (size_t i = 0; argv && argv[i]; i++)
		free(argv[i]);
	free(argv);
}

static void vm_close_fd(int *fd)
{
	if (*fd >= 0)
		(void)close(*fd);
	*fd = -1;
}

static void vm_close_child_fds(struct vm_child_fds *fds)
{
	vm_close_fd(&fds->qmp);
	vm_close_fd(&fds->console);
	vm_close_fd(&fds->output);
	vm_close_fd(&fds->exec_err);
}

/* Creates both ends of every channel the config asks for. */
static int vm_make_channels(const struct vm_config *cfg, struct vm *vm, struct vm_child_fds *fds,
			    int *exec_err_r)
{
	int sv[2], pv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	vm->qmp_fd = sv[0], fds->qmp = sv[1];
	if (cfg->console) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			return -errno;
		vm->console_fd = sv[0], fds->console = sv[1];
	}
	if (cfg->capture_output) {
		if (pipe2(pv, O_CLOEXEC) < 0)
			return -errno;
		vm->output_fd = pv[0], fds->output = pv[1];
	}
	if (pipe2(pv, O_CLOEXEC) < 0)
		return -errno;
	*exec_err_r = pv[0], fds->exec_err = pv[1];
	return 0;
}

/* 0 when exec succeeded (the pipe closed empty), else -errno from the child. */
static int vm_exec_result(int exec_err_r)
{
	int child_err = 0;
	ssize_t n;

	do
		n = read(exec_err_r, &child_err, sizeof(child_err));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(child_err) ? -child_err : 0;
}

static int vm_fork_exec(const struct vm_config *cfg, struct vm *vm, struct vm_child_fds *fds,
			char **argv, int exec_err_r)
{
	pid_t parent = getpid();
	int r;

	vm->pid = fork();
	if (vm->pid < 0)
		return -errno;
	if (vm->pid == 0)
		vm_child(cfg, fds, argv, parent);
	vm_close_child_fds(fds);
	r = vm_exec_result(exec_err_r);
	if (r < 0) {
		(void)waitpid(vm->pid, &vm->wait_status, 0);
		vm->exited = true;
	}
	return r;
}

int vm_start(const struct vm_config *cfg, struct vm *vm, char *err, size_t errlen)
{
	struct vm_child_fds fds = { -1, -1, -1, -1 };
	int exec_err_r = -1, r;
	char **argv = NULL;

	*vm = (struct vm){ .pid = -1, .qmp_fd = -1, .console_fd = -1, .output_fd = -1 };
	r = vm_make_channels(cfg, vm, &fds, &exec_err_r);
	if (r < 0) {
		snprintf(err, errlen, "create QEMU's channels: %s", strerror(-r));
		goto fail;
	}
	argv = vm_build_argv(cfg, &fds);
	r = argv ? vm_fork_exec(cfg, vm, &fds, argv, exec_err_r) : -ENOMEM;
	if (r < 0) {
		snprintf(err, errlen, "start QEMU '%s': %s", cfg->argv[0], strerror(-r));
		goto fail;
	}
	vm_free_argv(argv);
	vm_close_fd(&exec_err_r);
	return 0;
fail:
	vm_free_argv(argv);
	vm_close_child_fds(&fds);
	vm_close_fd(&exec_err_r);
	vm_close(vm);
	return r;
}

/* As PID 1 (a container's entry point) every orphan becomes our child: reap them all, and
 * keep QEMU's status when it is among them. */
static void vm_reap_as_init(struct vm *vm)
{
	int status;
	pid_t r;

	while ((r = waitpid(-1, &status, WNOHANG)) > 0 || (r < 0 && errno == EINTR)) {
		if (r == vm->pid) {
			vm->wait_status = status;
			vm->exited = true;
		}
	}
	if (r < 0 && errno == ECHILD)
		vm->exited = true;
}

int vm_reap(struct vm *vm)
{
	pid_t r;

	if (vm->exited || vm->pid <= 0)
		return 1;
	if (getpid() == 1) {
		vm_reap_as_init(vm);
		return vm->exited ? 1 : 0;
	}
	do
		r = waitpid(vm->pid, &vm->wait_status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == vm->pid || (r < 0 && errno == ECHILD))
		vm->exited = true;
	return vm->exited ? 1 : 0;
}

void vm_signal(struct vm *vm, int signo)
{
	if (!vm->exited && vm->pid > 0)
		(void)kill(vm->pid, signo);
}

void vm_close(struct vm *vm)
{
	vm_close_fd(&vm->qmp_fd);
	vm_close_fd(&vm->console_fd);
	vm_close_fd(&vm->output_fd);
}

void vm_describe_exit(int wait_status, char *buf, size_t size)
{
	if (WIFEXITED(wait_status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(wait_status));
	else if (WIFSIGNALED(wait_status))
		snprintf(buf, size, "was killed by signal %d (SIG%s)", WTERMSIG(wait_status),
			 sigwatch_name(WTERMSIG(wait_status)));
	else
		snprintf(buf, size, "ended with wait status 0x%x", wait_status);
}
