// SPDX-License-Identifier: MIT
/*
 * The VM servers' seccomp allowlist (host/server/sandbox.c), applied for
 * real in a child process: what serving a VM takes still works, what a
 * compromised server would try next fails with EPERM and is logged.
 * Built in both builds: the sanitizer build allows what the leak checker
 * needs (ptrace, clone, signals), so the process checks (fork, signals to
 * others) run in the release build, which the test command also runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/sandbox.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#else
#define SANITIZED 0
#endif

/* A probe: 1 when the call behaved as the allowlist says. */
struct probe {
	const char *what;
	int (*run)(void);
};

static int denied(long r)
{
	return r == -1 && errno == EPERM;
}

static void *thread_main(void *arg)
{
	return arg;
}

static int p_thread(void)
{
	static int token;
	pthread_t t;
	void *out = NULL;

	return !pthread_create(&t, NULL, thread_main, &token) &&
	       !pthread_join(t, &out) && out == &token;
}

static int p_memory(void)
{
	void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	memset(p, 1, 1 << 20);
	return !munmap(p, 1 << 20);
}

static int p_eventfd(void)
{
	uint64_t v = 1;
	int fd = eventfd(0, EFD_CLOEXEC);
	int ok = fd >= 0 && write(fd, &v, sizeof(v)) == sizeof(v) &&
		 read(fd, &v, sizeof(v)) == sizeof(v);

	if (fd >= 0)
		close(fd);
	return ok;
}

static int p_read_only_open(void)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int p_no_write_open(void)
{
	return denied(open("/tmp", O_RDWR | O_TMPFILE, 0600)) &&
	       denied(open("/dev/null", O_WRONLY)) &&
	       denied(openat(AT_FDCWD, "/tmp/dxg-sandbox-probe",
			     O_RDONLY | O_CREAT, 0600));
}

static int p_no_exec(void)
{
	char *const argv[] = { "/bin/true", NULL };

	return denied(execv("/bin/true", argv));
}

static int p_no_sockets(void)
{
	return denied(socket(AF_UNIX, SOCK_STREAM, 0)) &&
	       denied(socket(AF_INET, SOCK_STREAM, 0));
}

static int p_no_other_memory(void)
{
	char buf[8];
	struct iovec l = { buf, sizeof(buf) }, r = { buf, sizeof(buf) };

	return denied(syscall(SYS_process_vm_readv, getppid(), &l, 1, &r, 1, 0));
}

static int p_no_privileges(void)
{
	return denied(setuid(0)) && denied(syscall(SYS_mount, "none", "/mnt",
						   "tmpfs", 0, NULL)) &&
	       denied(syscall(SYS_bpf, 0, NULL, 0)) &&
	       denied(syscall(SYS_io_uring_setup, 1, NULL));
}

static int p_no_processes(void)
{
	return denied(fork()) && denied(kill(getppid(), 0)) &&
	       denied(syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, getppid(), 0, 0));
}

static int p_own_signals(void)
{
	return !kill(getpid(), 0) && !raise(0);
}

static const struct probe probes[] = {
	{ "threads start and join", p_thread },
	{ "memory maps", p_memory },
	{ "eventfds work", p_eventfd },
	{ "files open read-only", p_read_only_open },
	{ "no writable or creating opens", p_no_write_open },
	{ "no exec", p_no_exec },
	{ "no sockets", p_no_sockets },
	{ "no other process's memory", p_no_other_memory },
	{ "no setuid, mount, bpf, io_uring", p_no_privileges },
	{ "signals to itself", p_own_signals },
	{ "no new processes, no signals to others, no ptrace", p_no_processes },
};

/* In a child: the filter, then every probe; exit 0 or the failed probe + 1. */
static int run_child(size_t nprobes, int errfd)
{
	char err[256] = "";
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (errfd >= 0)
			dup2(errfd, 2);
		if (dxg_sandbox_seccomp(err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			_exit(100);
		}
		for (size_t i = 0; i < nprobes; i++) {
			if (!probes[i].run()) {
				fprintf(stderr, "probe failed: %s (errno %d)\n",
					probes[i].what, errno);
				_exit((int)i + 1);
			}
		}
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_allowlist(void **state)
{
	/* The last probe needs the release build's stricter rules. */
	size_t n = sizeof(probes) / sizeof(probes[0]) - (SANITIZED ? 1 : 0);

	(void)state;
	assert_int_equal(run_child(n, -1), 0);
}

/* A refusal is logged once per system call, with its number. */
static void test_denial_logged(void **state)
{
	char path[] = "/tmp/dxg-sandbox-log-XXXXXX", buf[4096] = "", want[64];
	int fd = mkstemp(path), n;

	(void)state;
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(run_child(7, fd), 0);	/* through "no sockets" */
	n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	assert_true(n > 0);
	buf[n] = 0;
	snprintf(want, sizeof(want), "seccomp: denied system call %d (EPERM)",
		 (int)SYS_socket);
	assert_non_null(strstr(buf, want));
	/* Two sockets refused, one line. */
	assert_null(strstr(strstr(buf, want) + 1, want));
	snprintf(want, sizeof(want), "seccomp: denied system call %d (EPERM)",
		 (int)SYS_execve);
	assert_non_null(strstr(buf, want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_denial_logged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
