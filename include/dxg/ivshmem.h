/* SPDX-License-Identifier: MIT */
/*
 * The opendxg ivshmem transport: layout of BAR2 (the shared memory that
 * dxghost creates, one memfd per VM) and of the doorbell use.  The spec in
 * prose is docs/ivshmem-transport.md; this header is its normative layout.
 *
 * BAR2:
 *   0                      control page (struct dxg_ivshmem_control)
 *   ring_g2h_offset        guest->host ring: header page + ring_size bytes
 *   ring_h2g_offset        host->guest ring: header page + ring_size bytes
 *   io_space_offset        IO space: CPU-visible GPU memory heap
 *                          (io_space_size bytes, to the end of BAR2)
 */
#ifndef DXG_IVSHMEM_H
#define DXG_IVSHMEM_H

#include "compat.h"
#include "ring.h"
#include "../uapi/misc/d3dkmthk.h"

#define DXG_IVSHMEM_VENDOR_ID		0x1af4
#define DXG_IVSHMEM_DEVICE_ID		0x1110

/* "DXGIVSHM" read as a little-endian u64. */
#define DXG_IVSHMEM_MAGIC		0x4d48535649475844ULL
#define DXG_IVSHMEM_LAYOUT_VERSION	1u
#define DXG_IVSHMEM_CONTROL_SIZE	4096u
#define DXG_IVSHMEM_MAX_ADAPTERS	16u

/* BAR0 registers of QEMU's ivshmem device. */
#define DXG_IVSHMEM_REG_INTRMASK	0
#define DXG_IVSHMEM_REG_INTRSTATUS	4
#define DXG_IVSHMEM_REG_IVPOSITION	8
#define DXG_IVSHMEM_REG_DOORBELL	12

/* Interrupt vectors (the low 16 bits of a doorbell write). */
#define DXG_IVSHMEM_VEC_RING		0	/* a ring has data or space */
#define DXG_IVSHMEM_VEC_STATE		1	/* the peer's state word changed */
#define DXG_IVSHMEM_NUM_VECTORS		2

/* Peer ids: dxghost is always peer 0 and each VM is peer 1 of its own memfd. */
#define DXG_IVSHMEM_HOST_PEER		0
#define DXG_IVSHMEM_GUEST_PEER		1

/* host_state / guest_state values. */
#define DXG_PEER_ABSENT			0u
#define DXG_PEER_READY			1u
#define DXG_PEER_GONE			2u

/* Capability bits (host_caps / guest_caps). */
#define DXG_HOST_CAP_ASYNC_MSG		(1u << 0)
/*
 * The host uses opendxg's reply extensions (docs/protocol.md §4.2, §5.4):
 * {handle, status} for CREATEPROCESS and CREATEDEVICE, {status, data} for
 * ESCAPE.  Only opendxg hosts set it; without it the guest expects the
 * replies of a Windows host.
 */
#define DXG_HOST_CAP_ODX_REPLIES	(1u << 1)
/*
 * The host advances host_heartbeat every DXG_HOST_HEARTBEAT_MS while it
 * runs, from a thread of its own: a guest that sees it stand still for
 * DXG_HOST_SILENT_MS knows the host was killed (no GONE state was written)
 * and fails its calls with -ENODEV instead of letting each one time out.
 */
#define DXG_HOST_CAP_HEARTBEAT		(1u << 2)
#define DXG_HOST_HEARTBEAT_MS		500u
#define DXG_HOST_SILENT_MS		5000u
/*
 * The host can map the guest's RAM when QEMU shares it (memory-backend-memfd
 * with share=on): the guest may send the VERIFYGUESTRAM handshake, and once
 * it passed, the host reaches the pages of existing-sysmem allocations in
 * place (SETEXISTINGSYSMEMPAGES, as for a Hyper-V host that sets
 * map_guest_memory; docs/memory.md §11).
 */
#define DXG_HOST_CAP_GUEST_RAM		(1u << 3)
/*
 * The host takes GPADLs (ESTABLISHGPADL) once the guest passed the same
 * handshake, and existing-sysmem allocations by SETEXISTINGSYSMEMSTORE: a
 * Hyper-V host without map_guest_memory, as a Windows-mode dxghost is
 * (GUEST_RAM, when also set, is preferred; docs/memory.md §11).
 */
#define DXG_HOST_CAP_GPADL		(1u << 4)
#define DXG_GUEST_CAP_WSL2		(1u << 0)

/* Adapter flags in the adapter table. */
#define DXG_ADAPTER_FLAG_COMPUTE_ONLY	(1u << 0)

struct dxg_ivshmem_adapter {
	struct winluid luid;		/* guest-visible adapter LUID */
	struct winluid vgpu_luid;	/* routes commands (extended header) */
	__u32 flags;			/* DXG_ADAPTER_FLAG_* */
	__u32 vendor_id;
	__u32 device_id;
	__u32 reserved[9];
};
DXG_STATIC_ASSERT(sizeof(struct dxg_ivshmem_adapter) == 64, "adapter entry");

struct dxg_ivshmem_control {
	/* Written by the host before the VM connects; read-only for the guest. */
	__u64 magic;
	__u32 layout_version;
	__u32 host_interface_version;	/* dxgkrnl VM-bus interface version (40) */
	__u32 host_caps;
	__u32 ring_size;		/* data bytes per ring (excl. header page) */
	__u64 shm_size;
	__u64 ring_g2h_offset;
	__u64 ring_h2g_offset;
	__u64 io_space_offset;
	__u64 io_space_size;
	__u32 adapter_count;
	__u32 reserved0;
	/* Host-owned, changes at run time. */
	__u32 host_state;		/* DXG_PEER_* */
	__u32 host_generation;		/* bumped when the host resets the VM's state */
	__u32 stat_processes;		/* live host processes of this VM */
	__u32 stat_objects;		/* live host objects of this VM (all kinds) */
	/* Guest-owned: the host treats these as hostile input. */
	__u32 guest_state;		/* DXG_PEER_* */
	__u32 guest_interface_version;	/* the version the guest will speak */
	__u32 guest_caps;
	__u32 guest_generation;		/* bumped at every driver bind */
	/* Host-owned: IO-space bytes allocated by this VM (docs/memory.md). */
	__u64 stat_io_space_used;
	/* Host-owned: this VM's host log lines its rate limit suppressed. */
	__u64 stat_log_suppressed;
	/* Host-owned: device-local memory (docs/memory.md §8): quota and use. */
	__u64 device_memory_quota;
	__u64 stat_device_memory_used;
	/* Host-owned: advanced while the host runs (DXG_HOST_CAP_HEARTBEAT). */
	__u32 host_heartbeat;
	/*
	 * Host-owned: non-zero, different for each dxghost process.  A new
	 * value with host_state READY means another dxghost took the VM over
	 * (an upgrade or restart, docs/ivshmem-transport.md §6): the guest
	 * resets its GPU state and handshakes again.  Written last, after
	 * the rest of the page, with host_state.
	 */
	__u32 host_instance;
	__u8 reserved1[1024 - 144];
	struct dxg_ivshmem_adapter adapters[DXG_IVSHMEM_MAX_ADAPTERS];
	__u8 reserved2[DXG_IVSHMEM_CONTROL_SIZE - 1024 -
		       DXG_IVSHMEM_MAX_ADAPTERS * sizeof(struct dxg_ivshmem_adapter)];
};
DXG_STATIC_ASSERT(sizeof(struct dxg_ivshmem_control) == DXG_IVSHMEM_CONTROL_SIZE,
		  "control page is one page");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxg_ivshmem_control, guest_generation) == 100,
		  "control page layout");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxg_ivshmem_control, stat_io_space_used) == 104,
		  "control page layout");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxg_ivshmem_control, stat_log_suppressed) == 112,
		  "control page layout");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxg_ivshmem_control, stat_device_memory_used) == 128,
		  "control page layout");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxg_ivshmem_control, host_heartbeat) == 136,
		  "control page layout");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxg_ivshmem_control, host_instance) == 140,
		  "control page layout");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxg_ivshmem_control, adapters) == 1024,
		  "control page layout");

#endif /* DXG_IVSHMEM_H */
