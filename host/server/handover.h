/* SPDX-License-Identifier: MIT */
/*
 * Handing the VMs from one dxghost process to the next (an upgrade or a
 * restart without rebooting guests; docs/dxghost.md, "Upgrading").
 *
 * Every dxghost listens on SOCKET.handover (a SOCK_SEQPACKET socket, mode
 * 0600, same owner only).  `dxghost --takeover` opens its adapters, then
 * connects there; the running daemon sends its listening socket and, per
 * VM, QEMU's connection, the shared-memory memfd and the doorbell eventfds
 * (SCM_RIGHTS), and exits without telling the guests that it is gone.  The
 * new daemon waits for it to exit (EOF), lays each VM's control page out
 * afresh with its own host_instance and rings the guest, whose driver
 * resets its GPU state and handshakes again.  QEMU notices nothing.
 */
#ifndef DXGHOST_SERVER_HANDOVER_H
#define DXGHOST_SERVER_HANDOVER_H

#include <stddef.h>

#include "server/vm.h"

/* What the new daemon received. */
struct dxg_handover_state {
	int listen_fd;
	unsigned int next_id;		/* the next VM id to give out */
	unsigned int count;
	struct dxg_vm_handover *vms;	/* count entries, malloc'd */
};

/* SOCKET.handover into buf; 0 or -ENAMETOOLONG. */
int dxg_handover_path(const char *socket_path, char *buf, size_t len);
/* Listens on SOCKET.handover (a stale file is replaced); fd or -errno. */
int dxg_handover_listen(const char *socket_path);
/* The old daemon: refuses peers of another user; 0 or -errno. */
int dxg_handover_check_peer(int conn);
/* The old daemon: sends everything on conn; 0 or -errno. */
int dxg_handover_send(int conn, int listen_fd,
		      const struct dxg_vm_handover *vms, unsigned int count,
		      unsigned int next_id);
/*
 * The new daemon: takes everything over from the daemon on socket_path and
 * waits up to timeout_ms for it to exit.  0, or -errno with a reason in err.
 */
int dxg_handover_receive(const char *socket_path, int timeout_ms,
			 struct dxg_handover_state *st, char *err, size_t errlen);
/* Closes what was received and not adopted; frees st->vms. */
void dxg_handover_state_free(struct dxg_handover_state *st);

#endif
