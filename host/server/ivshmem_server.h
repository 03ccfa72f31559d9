/* SPDX-License-Identifier: MIT */
/*
 * The ivshmem server side: the listening unix socket QEMU's
 * ivshmem-doorbell chardev connects to, and the per-connection handshake
 * of docs/ivshmem-transport.md §2.
 */
#ifndef DXGHOST_IVSHMEM_SERVER_H
#define DXGHOST_IVSHMEM_SERVER_H

#include "server/vm.h"

/*
 * Creates the socket's directory, replaces a stale socket file, refuses a
 * live one (-EADDRINUSE) and listens.  Returns the fd or a negative errno.
 */
int dxg_server_listen(const char *path);
/* Sends the handshake messages for vm over vm->sock. 0 or -errno. */
int dxg_server_handshake(struct dxg_vm *vm);

#endif /* DXGHOST_IVSHMEM_SERVER_H */
