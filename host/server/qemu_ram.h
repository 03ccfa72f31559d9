/* SPDX-License-Identifier: MIT */
/*
 * Finding the guest's RAM of the QEMU at the other end of an ivshmem
 * connection (docs/memory.md §11): its process (SO_PEERCRED) holds the
 * RAM's memfd when the machine uses memory-backend-memfd (share=on); we
 * open that descriptor through /proc, which needs ptrace-read access to
 * QEMU (the same user, or root).  Nothing here trusts what it finds: the
 * guest's handshake (core/guest_ram.h) verifies it.
 */
#ifndef DXGHOST_QEMU_RAM_H
#define DXGHOST_QEMU_RAM_H

#include <stddef.h>

/*
 * A new descriptor (O_CLOEXEC) of the guest RAM of the QEMU connected on
 * @sock, or -1 with the reason in @why (no such backend, several, no
 * access).
 */
int dxg_qemu_ram_open(int sock, char *why, size_t len);

#endif /* DXGHOST_QEMU_RAM_H */
