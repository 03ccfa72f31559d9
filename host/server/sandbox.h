/* SPDX-License-Identifier: MIT */
/*
 * Confining a VM server (process isolation, docs/dxghost.md "Isolation"):
 * it runs as an unprivileged user and, once its Vulkan device is open,
 * under a seccomp allowlist.  What is allowed is what serving one VM
 * takes: memory, threads, futexes, its own descriptors (read, write,
 * epoll, eventfds, ioctl on the GPU it opened), files opened read-only,
 * signals to itself.  Everything else (exec, new processes, sockets,
 * ptrace, other processes' memory, signals to others, writable opens)
 * fails with EPERM and is logged once per call site's syscall number.
 */
#ifndef DXGHOST_SERVER_SANDBOX_H
#define DXGHOST_SERVER_SANDBOX_H

#include <stddef.h>

/* The user VM servers run as when dxghost runs as root. */
#define DXG_DEFAULT_VM_USER	"nobody"

/*
 * As root: becomes `user` with its group and, for the GPU's device nodes,
 * the groups render and video where they exist.  Not root: nothing to
 * drop.  Either way the process is made non-dumpable.  0, or -errno with
 * the reason in err.
 */
int dxg_sandbox_drop_user(const char *user, char *err, size_t errlen);
/* Installs the allowlist on every thread of the process; 0 or -errno. */
int dxg_sandbox_seccomp(char *err, size_t errlen);

#endif
