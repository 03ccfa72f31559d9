/* SPDX-License-Identifier: MIT */
/*
 * Per-VM state: the VM's memfd mapping and control page, the two rings
 * (views whose sizes the host chose; never re-read from shared memory),
 * the eventfds of the ivshmem handshake, the host object model, and the
 * generation handshake of docs/ivshmem-transport.md §4.2.
 */
#ifndef DXGHOST_VM_H
#define DXGHOST_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/adapter.h"
#include "core/memory.h"
#include "core/objects.h"
#include "core/scheduler.h"
#include "dxg/ivshmem.h"
#include "dxg/ring.h"
#include "util/log.h"

/* dxghost's BAR2 layout (docs/ivshmem-transport.md §4). */
#define DXG_VM_RING_SIZE	(256u * 1024)
#define DXG_VM_RING_G2H_OFFSET	4096u
#define DXG_VM_RING_H2G_OFFSET	(DXG_VM_RING_G2H_OFFSET + DXG_RING_HDR_SIZE + \
				 DXG_VM_RING_SIZE)
#define DXG_VM_IO_SPACE_OFFSET	(1024u * 1024)
#define DXG_VM_MIN_SHM		(2ull * 1024 * 1024)
#define DXG_VM_MAX_SHM		(4ull * 1024 * 1024 * 1024)

struct dxg_vm;

/*
 * Opens the guest RAM of the VM's QEMU (docs/memory.md §11, qemu_ram.h):
 * a new descriptor, or -1 with the reason in @why.  Asked when the guest
 * first verifies its RAM, not at connect: QEMU connects to us before it
 * makes its memory backends.
 */
typedef int (*dxg_vm_ram_fn)(const struct dxg_vm *vm, char *why, size_t len);

struct dxg_vm_config {
	uint64_t shm_size;		/* power of two, MIN..MAX */
	uint64_t device_memory;		/* device-local quota; 0: none */
	uint64_t io_budget;		/* committed IO space; 0: all of it */
	uint32_t max_objects;
	bool windows;			/* Windows reply shapes, no ODX_REPLIES */
	bool no_async;			/* no asynchronous messages */
	uint32_t interface_version;	/* 0: DXGK_VMBUS_INTERFACE_VERSION */
	uint32_t instance;		/* host_instance: this process's, non-zero */
	const struct dxg_adapters *adapters;
	dxg_vm_ram_fn guest_ram;	/* NULL: guest RAM is never mapped */
};

/*
 * What a VM's connection is made of, handed from one dxghost process to
 * the next (server/handover.h): QEMU's socket, the shared memory and the
 * doorbell eventfds, which QEMU keeps using unchanged.
 */
struct dxg_vm_handover {
	unsigned int id;
	int sock;
	int memfd;
	int host_efd[DXG_IVSHMEM_NUM_VECTORS];	/* the guest rings these */
	int guest_efd[DXG_IVSHMEM_NUM_VECTORS];	/* we ring the guest */
};

struct dxg_vm {
	unsigned int id;
	int sock;			/* QEMU's connection */
	int memfd;
	void *shm;
	size_t shm_size;
	struct dxg_ivshmem_control *ctl;
	int host_efd[DXG_IVSHMEM_NUM_VECTORS];	/* the guest rings these */
	int guest_efd[DXG_IVSHMEM_NUM_VECTORS];	/* we ring the guest */
	struct dxg_ring g2h, h2g;
	const struct dxg_adapters *adapters;
	uint32_t instance;		/* from dxg_vm_config */
	bool windows;			/* from dxg_vm_config */
	bool no_async;
	uint32_t interface_version;
	dxg_vm_ram_fn guest_ram;	/* from dxg_vm_config */
	struct dxg_objects objs;
	struct dxg_mem mem;		/* IO-space heap; objs releases into it */
	struct dxg_sched sched;		/* queues, fences, waiters, events */
	struct dxg_ratelimit rl;	/* its log lines; writes stat_log_suppressed */

	uint32_t acked_generation;	/* what host_generation says */
	bool serving;			/* handshake done, rings sane */
	bool polling;			/* g2h interrupt_mask is 1 */
	uint64_t last_work_ns;

	uint64_t events_since_ms;	/* guest events blocked by a full ring */
	uint64_t events;		/* guest events written to the h2g ring */

	/* A reply that did not fit the h2g ring yet (kept in txbuf). */
	bool reply_pending;
	uint64_t reply_trans_id;
	uint32_t reply_len;
	uint64_t reply_since_ms;

	uint64_t requests;		/* served, for the disconnect log */
	uint64_t replies;		/* written to the h2g ring */
	uint8_t *rxbuf;			/* one request, copied out of the ring */
	uint8_t *txbuf;			/* one reply */
};

/*
 * A new connection for QEMU's socket: the memfd (shm_size bytes) and the
 * eventfds; 0 or -errno (then hv holds nothing and sock is the caller's).
 */
int dxg_vm_conn_create(unsigned int id, uint64_t shm_size, int sock,
		       struct dxg_vm_handover *hv);
/* host_state = GONE in the control page and ring the guest (§6). */
void dxg_vm_conn_announce_gone(const struct dxg_vm_handover *hv);

/*
 * Makes a connection for sock, maps it and lays out the control page.  The
 * VM owns sock from here on (closed when this fails).
 */
int dxg_vm_create(const struct dxg_vm_config *cfg, unsigned int id, int sock,
		  struct dxg_vm **out);
/*
 * Takes over a VM another dxghost served: maps its memory, lays the control
 * page out afresh with this process's host_instance (the guest sees a GPU
 * reset and handshakes again) and rings the guest.  The VM owns the fds
 * from here on, also when this fails.
 */
int dxg_vm_adopt(const struct dxg_vm_config *cfg,
		 const struct dxg_vm_handover *hv, struct dxg_vm **out);
/* The fds to hand to the next dxghost (still this VM's). */
void dxg_vm_handover_fds(const struct dxg_vm *vm, struct dxg_vm_handover *hv);
/* Closes the fds of a handover nobody took. */
void dxg_vm_handover_close(const struct dxg_vm_handover *hv);
/* Frees everything; returns the number of host objects that were freed. */
uint32_t dxg_vm_destroy(struct dxg_vm *vm);

/* Looks at the guest's state words and acts (§4.2, §6). */
void dxg_vm_check_state(struct dxg_vm *vm);
/* Drops every object of the guest instance and stops serving. */
void dxg_vm_drop_guest_state(struct dxg_vm *vm, enum dxg_log_level level,
			     const char *why);
/*
 * Writes stat_processes / stat_objects / stat_io_space_used.  The fourth,
 * stat_log_suppressed, the VM's limiter (vm->rl) writes itself at each
 * suppressed line, whichever thread or layer logged it.
 */
void dxg_vm_update_stats(struct dxg_vm *vm);
/* host_state = GONE and ring the guest's state vector (§6). */
void dxg_vm_announce_gone(struct dxg_vm *vm);
/* For dxg_dispatch_ctx.guest_ram (arg: the VM). */
int dxg_vm_guest_ram(void *arg, char *why, size_t len);
/* Raise MSI-X vector `vec` in the guest. */
void dxg_vm_kick_guest(struct dxg_vm *vm, unsigned int vec);
/* Read and clear an eventfd. */
void dxg_eventfd_drain(int fd);

#endif /* DXGHOST_VM_H */
