/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The interface between the protocol layers of dxgkrnl and a transport.
 *
 * A transport moves dxgkrnl VM-bus packets between this guest and one host.
 * dxg_ivshmem.c implements it over QEMU's ivshmem-doorbell device;
 * dxg_vmbus.c over Hyper-V VMBus channels (one host per vGPU there, all
 * sharing the VM's global channel).  Nothing above
 * this interface knows which transport carries its packets.
 *
 * Down-calls (ops) are made by the channel layer; up-calls (the dxg_host_*
 * functions below) are made by the transport.
 */
#ifndef _DXG_TRANSPORT_H
#define _DXG_TRANSPORT_H

#include <linux/types.h>
#include <linux/device.h>

#include "dxg/ring.h"
#include "uapi/misc/d3dkmthk.h"

struct dxg_transport;
struct dxg_host;
struct page;

/*
 * Which of the host's channels a packet takes (docs/protocol.md §1.3, D18).
 * A transport with a single channel (ivshmem) ignores it.  On Hyper-V,
 * VM-wide commands, every asynchronous message and, when the host enabled
 * async messages, every adapter command go to the VM's global channel;
 * otherwise adapter commands go to the vGPU's own channel.  The channel
 * layer decides (dxg_call_luid(), dxg_send_async()).
 */
enum dxg_route {
	DXG_ROUTE_VM,		/* the global (VM-wide) channel */
	DXG_ROUTE_ADAPTER,	/* the channel of the host's adapter */
};

struct dxg_transport_ops {
	/*
	 * Queue one in-band packet whose payload is buf1 followed by buf2.
	 * Must not sleep.  Returns 0, -EAGAIN (no room now: retry later),
	 * -EMSGSIZE (can never fit), -EPROTO (the peer corrupted the ring;
	 * the transport has declared the peer gone) or -ENODEV (gone).
	 */
	int (*send_packet)(struct dxg_transport *t, enum dxg_route route,
			   u64 trans_id, u16 flags,
			   const void *buf1, u32 len1,
			   const void *buf2, u32 len2);
	/* Notify the peer of queued packets if it is not polling. */
	void (*kick)(struct dxg_transport *t);
	/*
	 * The guest-physical address of [offset, offset + len) of the IO
	 * space (an IO-space address as the host's replies carry it, e.g.
	 * LOCK2's cpu_visible_buffer_offset).  Both must be page-aligned and
	 * the range must lie inside the IO space: -EPROTO otherwise.
	 */
	int (*io_space_phys)(struct dxg_transport *t, u64 offset, u64 len,
			     phys_addr_t *phys);
	/*
	 * Optional (VMBus): make the npages pinned pages one GPADL of the
	 * host's, for SETEXISTINGSYSMEMSTORE: *handle names it, *cookie is
	 * what gpadl_teardown() needs.  May sleep.  Without these the GPADL
	 * is made by ESTABLISHGPADL messages (ivshmem, dxg_sysmem.c).
	 */
	int (*gpadl_establish)(struct dxg_transport *t, struct page **pages,
			       unsigned long npages, u32 *handle,
			       void **cookie);
	/*
	 * Undo it once the host destroyed what used it: the host has let go
	 * of the pages when this returns (or is gone).  May sleep.
	 */
	void (*gpadl_teardown)(struct dxg_transport *t, u32 handle,
			       void *cookie);
	/*
	 * Free the transport's memory.  Called when the last reference to
	 * its host is dropped, after the transport has been torn down.
	 */
	void (*release)(struct dxg_transport *t);
};

struct dxg_transport {
	const struct dxg_transport_ops *ops;
	struct dxg_host *host;		/* up-call target, set by dxg_host_create() */
	/*
	 * Set before dxg_host_create().  event_id_base: the host's guest event
	 * ids are event_id_base + 1, + 2, ... (hosts that share a channel to
	 * one Hyper-V host keep theirs apart; include/dxg/vmbus.h).
	 * close_adapters: dxg_host_detach() sends CLOSEADAPTER for every open
	 * adapter while the channel still works (a Hyper-V host keeps an
	 * adapter open until told; dxghost forgets a VM when it leaves).
	 */
	u64 event_id_base;
	bool close_adapters;
};

/* What a transport learned about one adapter of its host. */
struct dxg_adapter_desc {
	struct winluid luid;		/* guest-visible LUID */
	struct winluid vgpu_luid;	/* routes commands (extended header) */
	bool compute_only;
	u32 vendor_id;
	u32 device_id;
};

#define DXG_MAX_HOST_ADAPTERS	16

/*
 * Bring-up, called by the transport's probe in process context:
 * dxg_host_create() makes the host object (no traffic yet), the transport
 * then enables its interrupts and completes its handshake, and
 * dxg_host_start() opens the adapters and publishes the host on /dev/dxg.
 * odx_replies: the host said it uses opendxg's reply extensions
 * (docs/protocol.md §5.4); a Windows host never does.
 */
struct dxg_host *dxg_host_create(struct device *dev, struct dxg_transport *t,
				 const struct dxg_adapter_desc *descs,
				 unsigned int num_adapters, bool odx_replies);
int dxg_host_start(struct dxg_host *host);
/*
 * Tear-down, from the transport's remove: unpublish the host, fail every
 * outstanding request with -ENODEV, wait for deferred work.  The transport
 * then stops its interrupts, unmaps its memory and calls dxg_host_destroy(),
 * which drops the transport's reference (objects of processes may keep the
 * host's memory, never the transport's resources, until they are closed).
 * A host that failed before dxg_host_start() is also detached and destroyed.
 */
void dxg_host_detach(struct dxg_host *host);
void dxg_host_destroy(struct dxg_host *host);

/* Up-calls from the transport's receive path (process context). */
void dxg_host_receive(struct dxg_host *host, const struct dxg_pkt_desc *desc,
		      const void *payload, u32 len);
/* The peer announced it is gone or broke the protocol.  May not sleep. */
void dxg_host_peer_gone(struct dxg_host *host);

#endif /* _DXG_TRANSPORT_H */
