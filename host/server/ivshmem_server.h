/* SPDX-License-Identifier: MIT */
/*
 * The ivshmem server side: the listening unix socket QEMU's
 * ivshmem-doorbell chardev connects to, and the per-connection handshake
 * of docs/ivshmem-transport.md §2.
 */
#ifndef DXGHOST_IVSHMEM_SERVER_H
#define DXGHOST_IVSHMEM_SERVER_H

#include <sys/types.h>

#include "server/vm.h"

/*
 * Who may connect: the socket file's group and mode, set before the file
 * appears at its path (so QEMU, often running as its own user, never sees
 * it with the wrong permissions).  gid -1 / mode 0: as created (the
 * daemon's group and umask).
 */
struct dxg_socket_access {
	gid_t gid;
	mode_t mode;
};

/*
 * Creates the socket's directory, replaces a stale socket file, refuses a
 * live one (-EADDRINUSE) and listens.  Returns the fd or a negative errno.
 */
int dxg_server_listen(const char *path, const struct dxg_socket_access *acc);
/* A new QEMU connection: sends never block long (the handshake is tiny). */
void dxg_server_conn_setup(int fd);
/* Sends the handshake messages for a connection over its socket. 0 or -errno. */
int dxg_server_handshake(const struct dxg_vm_handover *vm);

#endif /* DXGHOST_IVSHMEM_SERVER_H */
