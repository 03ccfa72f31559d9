// SPDX-License-Identifier: MIT
#include "server/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <pwd.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ucontext.h>
#include <unistd.h>

/*
 * The sanitizers' runtimes stop the world with ptrace from a clone()d
 * tracer to look for leaks at exit (making the process dumpable for that
 * moment): their builds (the test builds) allow exactly those calls.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define DXG_SANITIZED 1
#else
#define DXG_SANITIZED 0
#endif

int dxg_sandbox_drop_user(const char *user, char *err, size_t errlen)
{
	pid_t parent = getppid();
	static const char *const gpu_groups[] = { "render", "video" };
	gid_t groups[1 + sizeof(gpu_groups) / sizeof(gpu_groups[0])];
	const struct passwd *pw;
	size_t n = 0;
	uid_t uid;
	gid_t gid;

	/*
	 * Not dumpable, whoever we run as: another process of the same user
	 * (another VM's server, when the daemon is not root) can then neither
	 * ptrace us nor open our /proc/PID/mem or /proc/PID/fd/N.
	 */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "--vm-user: no user '%s'", user);
		return -ENOENT;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		snprintf(err, errlen, "--vm-user: '%s' is root; VM servers run unprivileged",
			 user);
		return -EPERM;
	}
	groups[n++] = gid;
	for (size_t i = 0; i < sizeof(gpu_groups) / sizeof(gpu_groups[0]); i++) {
		const struct group *g = getgrnam(gpu_groups[i]);

		if (g)
			groups[n++] = g->gr_gid;
	}
	if (setgroups(n, groups) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "becoming '%s': %s", user, strerror(errno));
		return -errno;
	}
	if (setuid(0) == 0) {
		snprintf(err, errlen, "could regain root after becoming '%s'", user);
		return -EPERM;
	}
	/* The credentials changed: that reset these two. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent) {
		snprintf(err, errlen, "the supervisor went away");
		return -ESRCH;
	}
	return 0;
}

/*
 * A denied call fails with EPERM; the first denial of each system call
 * number is logged from the handler (write(2) only: async-signal-safe).
 * The bitmap is the handler's only state, hence file scope.
 */
#define DENIED_BITS	1024u
static volatile uint64_t denied_seen[DENIED_BITS / 64];

static char *put_uint(char *p, unsigned int v)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

#if defined(__x86_64__) || defined(__aarch64__)
#define DXG_SECCOMP_TRAP 1
static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	static const char pre[] = "dxghost: warn: seccomp: denied system call ";
	static const char post[] = " (EPERM)\n";
	unsigned int nr = (unsigned int)si->si_syscall;
	ucontext_t *uc = ctx;
	char msg[sizeof(pre) + sizeof(post) + 12], *p = msg;
	uint64_t bit = 1ull << (nr % 64);

	(void)sig;
	if (nr >= DENIED_BITS ||
	    !(__atomic_fetch_or(&denied_seen[nr / 64], bit, __ATOMIC_RELAXED) & bit)) {
		memcpy(p, pre, sizeof(pre) - 1);
		p = put_uint(p + sizeof(pre) - 1, nr);
		memcpy(p, post, sizeof(post) - 1);
		p += sizeof(post) - 1;
		if (write(2, msg, (size_t)(p - msg)) < 0)
			(void)0;	/* nowhere left to say it */
	}
	/* The skipped call's return value. */
#if defined(__x86_64__)
	uc->uc_mcontext.gregs[REG_RAX] = -EPERM;
#else
	uc->uc_mcontext.regs[0] = (uint64_t)-EPERM;
#endif
}
#else
#define DXG_SECCOMP_TRAP 0
#endif

/* Allowed as they are. */
static const char *const allowed[] = {
	/* descriptors it holds: its VM's, the supervisor's, the GPU's */
	"read", "write", "readv", "writev", "pread64", "pwrite64", "close",
	"lseek", "fstat", "newfstatat", "statx", "fstatfs", "fcntl", "dup",
	"dup3", "ioctl", "ftruncate", "recvfrom", "recvmsg", "sendto",
	"sendmsg", "eventfd2", "pipe2", "memfd_create",
	"epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
	"epoll_pwait2", "poll", "ppoll", "pselect6",
	/* reading what the Vulkan driver looks at (opens: see below) */
	"readlink", "readlinkat", "getdents64", "getdents", "access", "faccessat",
	"faccessat2", "uname", "sysinfo", "getcwd",
	/* memory */
	"mmap", "munmap", "mprotect", "mremap", "madvise", "brk", "msync",
	"mincore", "membarrier",
	/* threads (clone: below), time, signals to itself */
	"futex", "futex_waitv", "set_robust_list", "get_robust_list", "rseq",
	"sched_yield", "sched_getaffinity", "sched_getparam",
	"sched_getscheduler", "sched_get_priority_max",
	"sched_get_priority_min", "getcpu", "getpriority",
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time", "getrusage", "times",
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigtimedwait",
	"sigaltstack", "restart_syscall", "signalfd4",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid",
	"getegid", "getresuid", "getresgid", "getgroups", "getrandom",
	"exit", "exit_group",
};

/* What the sanitizers' leak check at exit needs (see DXG_SANITIZED). */
static const char *const allowed_sanitized[] = {
	"ptrace", "wait4", "waitid", "clone", "kill", "tgkill", "prctl",
	"sched_setaffinity",
};

static int allow(scmp_filter_ctx ctx, const char *name, unsigned int n,
		 const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		return 0;	/* not a call of this architecture */
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

static int add_rules(scmp_filter_ctx ctx)
{
	const scmp_datum_t self = (scmp_datum_t)getpid();
	/* Files only read: no write access, no creating, no truncating. */
	const scmp_datum_t open_mask = O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND;
	const struct scmp_arg_cmp thread = SCMP_A0(SCMP_CMP_MASKED_EQ,
		CLONE_THREAD, CLONE_THREAD);
	const struct scmp_arg_cmp to_self = SCMP_A0(SCMP_CMP_EQ, self);
	const struct scmp_arg_cmp openat_ro = SCMP_A2(SCMP_CMP_MASKED_EQ,
		open_mask, O_RDONLY);
	const struct scmp_arg_cmp open_ro = SCMP_A1(SCMP_CMP_MASKED_EQ,
		open_mask, O_RDONLY);
	static const int prctls[] = { PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE };
	int ret = 0;

	for (size_t i = 0; !ret && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		ret = allow(ctx, allowed[i], 0, NULL);
	if (!ret)
		ret = allow(ctx, "openat", 1, &openat_ro);
	if (!ret)
		ret = allow(ctx, "open", 1, &open_ro);
	if (!ret)	/* its flags are out of reach: glibc falls back to clone */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
				       SCMP_SYS(clone3), 0);
	if (DXG_SANITIZED) {
		for (size_t i = 0; !ret && i < sizeof(allowed_sanitized) /
		     sizeof(allowed_sanitized[0]); i++)
			ret = allow(ctx, allowed_sanitized[i], 0, NULL);
		return ret;
	}
	if (!ret)
		ret = allow(ctx, "clone", 1, &thread);
	if (!ret)
		ret = allow(ctx, "kill", 1, &to_self);
	if (!ret)
		ret = allow(ctx, "tgkill", 1, &to_self);
	for (size_t i = 0; !ret && i < sizeof(prctls) / sizeof(prctls[0]); i++) {
		const struct scmp_arg_cmp op = SCMP_A0(SCMP_CMP_EQ,
						       (scmp_datum_t)prctls[i]);

		ret = allow(ctx, "prctl", 1, &op);
	}
	return ret;
}

int dxg_sandbox_seccomp(char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int ret;

#if DXG_SECCOMP_TRAP
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigset_t sys;

	sigemptyset(&sys);
	sigaddset(&sys, SIGSYS);
	if (sigaction(SIGSYS, &sa, NULL) < 0 ||
	    pthread_sigmask(SIG_UNBLOCK, &sys, NULL)) {
		snprintf(err, errlen, "seccomp: SIGSYS handler: %s", strerror(errno));
		return -errno;
	}
	ctx = seccomp_init(SCMP_ACT_TRAP);
#else
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
#endif
	if (!ctx) {
		snprintf(err, errlen, "seccomp: out of memory");
		return -ENOMEM;
	}
	/* Every thread: the Vulkan driver's and ours started before this. */
	ret = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!ret)
		ret = add_rules(ctx);
	if (!ret)
		ret = seccomp_load(ctx);
	seccomp_release(ctx);
	if (ret)
		snprintf(err, errlen, "seccomp: %s", strerror(-ret));
	return ret;
}
