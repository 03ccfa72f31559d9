/* SPDX-License-Identifier: MIT */
/*
 * Process isolation (--isolation process, the default; docs/dxghost.md
 * "Isolation"): the daemon a user starts is a supervisor that never reads
 * guest memory.  It listens, makes each connecting VM's connection (memfd,
 * doorbells) and starts one VM server for it: this same program,
 * re-executed with --vm-server, which receives only that VM's descriptors
 * (at the fixed numbers below), becomes an unprivileged user, opens its
 * own Vulkan device, confines itself with seccomp (server/sandbox.h) and
 * serves that VM alone.  When it is ready, and only then, QEMU gets the
 * handshake.  A server that dies while its VM lives is replaced: the new
 * one lays the control page out with its own host_instance, so that guest
 * sees a GPU reset and every other VM carries on untouched.
 */
#ifndef DXGHOST_SERVER_SUPERVISOR_H
#define DXGHOST_SERVER_SUPERVISOR_H

#include "server/options.h"

/* A VM server's descriptors, in this order from 3 on. */
enum {
	DXG_VMS_FD_SOCK = 3,		/* QEMU's connection */
	DXG_VMS_FD_MEMFD,		/* the VM's shared memory */
	DXG_VMS_FD_HOST_EFD,		/* + vector: the guest rings these */
	DXG_VMS_FD_GUEST_EFD = DXG_VMS_FD_HOST_EFD + DXG_IVSHMEM_NUM_VECTORS,
	DXG_VMS_FD_SUPERVISOR = DXG_VMS_FD_GUEST_EFD + DXG_IVSHMEM_NUM_VECTORS,
	DXG_VMS_FD_COUNT = DXG_VMS_FD_SUPERVISOR - DXG_VMS_FD_SOCK + 1,
};

/* What a VM server writes on DXG_VMS_FD_SUPERVISOR once it serves. */
#define DXG_VMS_READY	'R'
/* ... and to ask for its guest's RAM (docs/memory.md §11). */
#define DXG_VMS_NEED_RAM	'M'

/*
 * In a VM server: the descriptor of its guest's RAM from the supervisor
 * (a server cannot open QEMU's /proc entries), or -1 with the reason in
 * @why.  Waits at most a few seconds.
 */
int dxg_vms_request_ram(char *why, size_t len);

/* Runs the supervisor until SIGTERM/SIGINT or a handover; exit status. */
int dxg_supervisor_run(const struct dxg_options *opt, int argc, char **argv);

#endif
