// SPDX-License-Identifier: GPL-2.0
/*
 * The Hyper-V VMBus transport (WSL2 and Hyper-V GPU-PV guests).
 *
 * A Hyper-V host offers, in any order:
 *   - one global channel per VM (class DDE9CBC0-5060-4436-9448-EA1254A5D177):
 *     VM-wide commands, host->VM messages (guest events), the IO-space
 *     window, and all adapter traffic once the host enables async messages;
 *   - one vGPU channel per virtual GPU (class 6E382D18-3336-4F4B-ACC4-
 *     2B7703D4DF4A): that adapter's commands otherwise;
 *   - one PCI device per virtual GPU (dxg_vmbus_pci.c), whose config space
 *     names its channel (the first 8 bytes of the channel's instance GUID
 *     are the adapter's LUID) and carries version, vGPU LUID and host caps.
 * A vGPU starts once all three are present (include/dxg/vmbus.h pairs
 * them) and becomes one struct dxg_host with one adapter: everything above
 * dxg_transport.h is the code the ivshmem transport runs.  Removing a
 * vGPU's PCI device or channel stops only that host; removing the global
 * channel stops them all.
 *
 * Several hosts share the global channel: the tag of a vGPU (slot and
 * generation) goes into the VMBus transaction id of each of its requests
 * there and into each of its guest event ids, and the receive path routes
 * replies and SIGNALGUESTEVENTs back by it.  The IO space is reserved from
 * the VMBus MMIO pool when the global channel arrives and announced with
 * SETIOSPACEREGION before the first OPENADAPTER; the host's IO-space
 * addresses are guest-physical addresses inside it (D10).
 *
 * Receiving: a channel's VMBus callback (a tasklet) only queues its rx
 * work; the work copies each packet out of the ring (vmbus_recvpacket_raw)
 * and hands it to dxg_host_receive() in process context.
 *
 * Module scope, as the driver model requires: the three kinds of devices
 * are probed independently and have no common parent, so they meet in
 * dxg_vmbus_vm (the pairing table, the running vGPUs, the global channel)
 * under its mutex; and dxg_hv holds the VMBus entry points, resolved at
 * load time (below).  Everything else hangs off the probed devices.
 *
 * Why the entry points are resolved with symbol_get(): Debian's kernels
 * build VMBus as a module (CONFIG_HYPERV=m), and hv_vmbus refuses to load
 * on a machine that is not a Hyper-V guest (its init returns -ENODEV).  A
 * module that links against hv_vmbus's symbols then cannot load at all
 * there (insmod: unknown symbols; modprobe: the dependency fails), and
 * this one module must also serve QEMU/KVM guests over ivshmem.  So the
 * few VMBus functions used are looked up when the module loads (all are
 * GPL-only exports: symbol_get() takes no other since 6.5, which is why
 * packets are written with our own ring codec, see dxg_vmbus_chan_send()).
 * Present (hv_vmbus loaded, or VMBus built in), the transport registers its
 * drivers and holds hv_vmbus until unload; absent, it stays off and the
 * ivshmem transport works alone.  hv_vmbus loaded after dxgkrnl is not
 * noticed: reload dxgkrnl (docs/hyper-v.md).
 *
 * Lock order (continues dxg.h's list; take from top to bottom):
 *   A. dxg_vmbus_vm.lock        (mutex)    pairing, starting and stopping
 *                                          vGPUs, the global channel; held
 *                                          across a start's and a stop's
 *                                          host round trips; probe/remove
 *                                          only, never by a receive path
 *   B. dxg_vmbus_global.hosts_lock (mutex) the vGPUs the global channel's
 *                                          rx work routes to; held by that
 *                                          work across dxg_host_receive()
 *                                          (dxg.h's 5, 5a, 5b nest inside)
 *   C. dxg_vmbus_gpu.lock       (spinlock) the vGPU's dead flag; held
 *                                          across a send (dxg.h's level 6)
 *   D. dxg_vmbus_chan.tx_lock   (spinlock) a channel's send buffer; the
 *                                          VMBus ring's own lock nests inside
 *   E. dxg_vmbus_gpu.gpadl_lock (mutex)    the vGPU's GPADLs and whether the
 *                                          global channel takes more; held
 *                                          across the GPADL round trips (the
 *                                          VMBus core's, not our rx work);
 *                                          under A (a stop) or dxg.h's
 *                                          device lock (sysmem), nothing
 *                                          taken inside
 */

#include <linux/hyperv.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "dxg.h"
#include "dxg_vmbus.h"

/* The kernel's VMBus ring header is the one our ring codec writes. */
static_assert(offsetof(struct hv_ring_buffer, write_index) ==
	      offsetof(struct dxg_ring_hdr, write_index));
static_assert(offsetof(struct hv_ring_buffer, read_index) ==
	      offsetof(struct dxg_ring_hdr, read_index));
static_assert(offsetof(struct hv_ring_buffer, interrupt_mask) ==
	      offsetof(struct dxg_ring_hdr, interrupt_mask));
static_assert(offsetof(struct hv_ring_buffer, pending_send_sz) ==
	      offsetof(struct dxg_ring_hdr, pending_send_sz));
static_assert(offsetof(struct hv_ring_buffer, buffer) == DXG_RING_HDR_SIZE);

/* A raw packet: descriptor, at most 128 KiB of payload, padding. */
#define DXG_VMBUS_RX_BUF	(DXG_MAX_PACKET_PAYLOAD + 64)

/* The VMBus functions used, looked up at load time (see above). */
struct dxg_hv_api {
	int (*driver_register)(struct hv_driver *drv, struct module *owner,
			       const char *mod_name);
	void (*driver_unregister)(struct hv_driver *drv);
	int (*open)(struct vmbus_channel *c, u32 send_size, u32 recv_size,
		    void *userdata, u32 userdatalen,
		    void (*callback)(void *context), void *context);
	void (*close)(struct vmbus_channel *c);
	void (*setevent)(struct vmbus_channel *c);
	int (*recvpacket_raw)(struct vmbus_channel *c, void *buf, u32 len,
			      u32 *actual_len, u64 *requestid);
	int (*allocate_mmio)(struct resource **res, struct hv_device *dev,
			     resource_size_t min, resource_size_t max,
			     resource_size_t size, resource_size_t align,
			     bool fb_overlap_ok);
	void (*free_mmio)(resource_size_t start, resource_size_t size);
	int (*establish_gpadl)(struct vmbus_channel *c, void *kbuffer,
			       u32 size, struct vmbus_gpadl *gpadl);
	int (*teardown_gpadl)(struct vmbus_channel *c,
			      struct vmbus_gpadl *gpadl);
};

static struct dxg_hv_api dxg_hv;

/* One opened VMBus channel. */
struct dxg_vmbus_chan {
	struct hv_device *hdev;
	bool opened;
	spinlock_t tx_lock;		/* tx */
	struct dxg_ring tx;		/* the outbound ring, written by us only */
	void *rx_buf;			/* DXG_VMBUS_RX_BUF bytes, rx_work only */
	struct work_struct rx_work;
	/* Each packet, in process context. */
	void (*receive)(struct dxg_vmbus_chan *ch,
			const struct dxg_pkt_desc *desc,
			const void *payload, u32 len);
	/* The host broke the ring protocol: nothing more is read. */
	void (*broken)(struct dxg_vmbus_chan *ch);
};

struct dxg_vmbus_gpu;

/* The VM's global channel and its IO space. */
struct dxg_vmbus_global {
	struct dxg_vmbus_chan ch;
	struct resource *mmio;		/* the IO space, from the VMBus pool */
	u64 io_base;
	u64 io_size;
	bool io_announced;		/* SETIOSPACEREGION done (vm lock) */
	struct mutex hosts_lock;	/* gpus */
	struct dxg_vmbus_gpu *gpus[DXG_VMBUS_MAX_GPUS];
};

/* A started vGPU: one dxg_host with one adapter. */
struct dxg_vmbus_gpu {
	struct dxg_transport t;
	struct dxg_host *host;
	struct dxg_vmbus_global *gbl;	/* outlives the gpu while not dead */
	struct dxg_vmbus_chan ch;	/* the vGPU's own channel */
	unsigned int slot;
	u8 tag;
	u64 io_base;			/* copies: valid after the gpu stopped */
	u64 io_size;
	spinlock_t lock;		/* dead */
	bool dead;
	struct mutex gpadl_lock;	/* gpadls, gpadls_off */
	struct list_head gpadls;	/* struct dxg_vmbus_gpadl */
	bool gpadls_off;		/* stopped: the global channel may go */
};

/*
 * A GPADL on the global channel over an existing-sysmem allocation's pages
 * (dxgkrnl-facts.md §2.10), the cookie of gpadl_establish().  The pages
 * stay vmapped for its life: vmbus_establish_gpadl() takes a kernel
 * buffer, and its teardown may look at it again (the reference drops the
 * mapping at once).
 */
struct dxg_vmbus_gpadl {
	struct list_head node;		/* dxg_vmbus_gpu.gpadls; empty: torn */
	struct vmbus_gpadl g;
	void *vaddr;
};

/* Where the independently probed devices meet (see the top of the file). */
struct dxg_vmbus_vm {
	struct mutex lock;		/* everything below */
	struct dxg_vmbus_pairing pair;
	struct dxg_vmbus_global *global;
	struct dxg_vmbus_gpu *gpus[DXG_VMBUS_MAX_GPUS];	/* ACTIVE slots */
};

static struct dxg_vmbus_vm dxg_vmbus_vm = {
	.lock = __MUTEX_INITIALIZER(dxg_vmbus_vm.lock),
};

static bool dxg_vmbus_enabled;

/* ---- channels ---- */

static void dxg_vmbus_chan_cb(void *context)
{
	struct dxg_vmbus_chan *ch = context;

	queue_work(system_highpri_wq, &ch->rx_work);
}

static void dxg_vmbus_rx_work(struct work_struct *work)
{
	struct dxg_vmbus_chan *ch = container_of(work, struct dxg_vmbus_chan,
						 rx_work);
	struct dxg_pkt_desc desc;
	u32 got, off, len;
	u64 rid;
	int ret;

	for (;;) {
		got = 0;
		ret = dxg_hv.recvpacket_raw(ch->hdev->channel, ch->rx_buf,
					    DXG_VMBUS_RX_BUF, &got, &rid);
		if (ret == -ENOBUFS) {
			/* Larger than the protocol allows: it stays in the ring. */
			dev_err_ratelimited(&ch->hdev->device,
					    "dxg: oversized packet (%u bytes)\n",
					    got);
			ch->broken(ch);
			return;
		}
		if (ret || !got)
			return;
		if (dxg_vmbus_parse_packet(ch->rx_buf, got, &desc, &off,
					   &len)) {
			dev_warn_ratelimited(&ch->hdev->device,
					     "dxg: malformed packet dropped\n");
			continue;
		}
		ch->receive(ch, &desc, (u8 *)ch->rx_buf + off, len);
		cond_resched();
	}
}

static int dxg_vmbus_chan_open(struct dxg_vmbus_chan *ch,
			       struct hv_device *hdev)
{
	int ret;

	ch->hdev = hdev;
	spin_lock_init(&ch->tx_lock);
	INIT_WORK(&ch->rx_work, dxg_vmbus_rx_work);
	ch->rx_buf = kvmalloc(DXG_VMBUS_RX_BUF, GFP_KERNEL);
	if (!ch->rx_buf)
		return -ENOMEM;
	hdev->channel->max_pkt_size = DXG_VMBUS_RX_BUF;
	/* The callback only queues rx_work, which drains the ring. */
	set_channel_read_mode(hdev->channel, HV_CALL_DIRECT);
	ret = dxg_hv.open(hdev->channel, DXG_VMBUS_RING_SIZE,
			  DXG_VMBUS_RING_SIZE, NULL, 0, dxg_vmbus_chan_cb, ch);
	if (ret)
		goto err;
	/* The ring VMBus just set up (header page + data) is in our format. */
	ret = dxg_ring_init(&ch->tx, hdev->channel->outbound.ring_buffer,
			    hdev->channel->outbound.ring_datasize);
	if (ret) {
		dxg_hv.close(hdev->channel);
		goto err;
	}
	ch->opened = true;
	return 0;
err:
	kvfree(ch->rx_buf);
	ch->rx_buf = NULL;
	return ret;
}

static void dxg_vmbus_chan_close(struct dxg_vmbus_chan *ch)
{
	if (!ch->opened)
		return;
	dxg_hv.close(ch->hdev->channel);	/* no callback after this */
	cancel_work_sync(&ch->rx_work);
	ch->opened = false;
	kvfree(ch->rx_buf);
	ch->rx_buf = NULL;
}

/*
 * One in-band packet, buf1 then buf2, written into the outbound ring with
 * the ring codec both transports share (include/dxg/ring.h), then the host
 * is signalled unless it is polling.  Not vmbus_sendpacket(): that is not
 * a GPL-only export, and symbol_get() refuses those since 6.5.  Nothing
 * else writes this ring (VMBus itself only writes it for its senders).
 * Does not sleep.
 */
static int dxg_vmbus_chan_send(struct dxg_vmbus_chan *ch, u64 tid, u16 flags,
			       const void *buf1, u32 len1,
			       const void *buf2, u32 len2)
{
	bool signal = false;
	int ret;

	if (READ_ONCE(ch->hdev->channel->rescind))
		return -ENODEV;
	spin_lock(&ch->tx_lock);
	ret = dxg_ring_write2(&ch->tx, DXG_PKT_DATA_INBAND, flags, tid, buf1,
			      len1, buf2, len2);
	if (!ret)
		signal = dxg_ring_consumer_parked(&ch->tx);
	spin_unlock(&ch->tx_lock);
	if (signal)
		dxg_hv.setevent(ch->hdev->channel);
	if (ret == -EPROTO)
		dev_err_ratelimited(&ch->hdev->device,
				    "dxg: host corrupted the ring indices\n");
	return ret;
}

/* ---- the transport of one vGPU ---- */

static struct dxg_vmbus_gpu *to_gpu(struct dxg_transport *t)
{
	return container_of(t, struct dxg_vmbus_gpu, t);
}

static int dxg_vmbus_send_packet(struct dxg_transport *t,
				 enum dxg_route route, u64 trans_id,
				 u16 flags, const void *buf1, u32 len1,
				 const void *buf2, u32 len2)
{
	struct dxg_vmbus_gpu *gpu = to_gpu(t);
	u64 tid = 0;
	int ret;

	spin_lock(&gpu->lock);
	if (gpu->dead) {
		ret = -ENODEV;
	} else if (route == DXG_ROUTE_ADAPTER) {
		ret = dxg_vmbus_chan_send(&gpu->ch, trans_id, flags, buf1,
					  len1, buf2, len2);
	} else if (trans_id && !dxg_vmbus_tid_encode(trans_id, gpu->tag,
						      &tid)) {
		ret = -EIO;	/* 2^56 requests: not in this universe */
	} else {
		ret = dxg_vmbus_chan_send(&gpu->gbl->ch, tid, flags, buf1,
					  len1, buf2, len2);
	}
	spin_unlock(&gpu->lock);
	/* As the interface says: a corrupt ring means the peer is gone. */
	if (ret == -EPROTO)
		dxg_host_peer_gone(gpu->host);
	return ret;
}

/* dxg_vmbus_chan_send() signals the host as it queues a packet. */
static void dxg_vmbus_kick(struct dxg_transport *t)
{
}

/* The host's IO-space addresses are guest-physical, inside the window. */
static int dxg_vmbus_io_space_phys(struct dxg_transport *t, u64 offset,
				   u64 len, phys_addr_t *phys)
{
	struct dxg_vmbus_gpu *gpu = to_gpu(t);

	if (!dxg_vmbus_io_range_ok(gpu->io_base, gpu->io_size, offset, len,
				   PAGE_SIZE))
		return -EPROTO;
	*phys = offset;
	return 0;
}

/* Under gpadl_lock, the global channel still open. */
static void dxg_vmbus_gpadl_drop(struct dxg_vmbus_gpu *gpu,
				 struct dxg_vmbus_gpadl *gp)
{
	int ret = dxg_hv.teardown_gpadl(gpu->gbl->ch.hdev->channel, &gp->g);

	if (ret)
		dev_warn(&gpu->gbl->ch.hdev->device,
			 "dxg: GPADL %u not torn down: %d\n",
			 gp->g.gpadl_handle, ret);
	list_del_init(&gp->node);
}

static int dxg_vmbus_gpadl_establish(struct dxg_transport *t,
				     struct page **pages, unsigned long npages,
				     u32 *handle, void **cookie)
{
	struct dxg_vmbus_gpu *gpu = to_gpu(t);
	struct dxg_vmbus_gpadl *gp;
	int ret;

	/* A GPADL's size is 32 bits of bytes. */
	if (!npages || npages > (U32_MAX >> PAGE_SHIFT))
		return -EINVAL;
	gp = kzalloc(sizeof(*gp), GFP_KERNEL);
	if (!gp)
		return -ENOMEM;
	INIT_LIST_HEAD(&gp->node);
	gp->vaddr = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	if (!gp->vaddr) {
		kfree(gp);
		return -ENOMEM;
	}
	mutex_lock(&gpu->gpadl_lock);
	ret = gpu->gpadls_off ? -ENODEV :
	      dxg_hv.establish_gpadl(gpu->gbl->ch.hdev->channel, gp->vaddr,
				     (u32)(npages << PAGE_SHIFT), &gp->g);
	if (!ret)
		list_add(&gp->node, &gpu->gpadls);
	mutex_unlock(&gpu->gpadl_lock);
	if (ret) {
		vunmap(gp->vaddr);
		kfree(gp);
		return ret;
	}
	*handle = gp->g.gpadl_handle;
	*cookie = gp;
	return 0;
}

/* A GPADL the vGPU's stop tore down already only goes from memory. */
static void dxg_vmbus_gpadl_teardown(struct dxg_transport *t, u32 handle,
				     void *cookie)
{
	struct dxg_vmbus_gpu *gpu = to_gpu(t);
	struct dxg_vmbus_gpadl *gp = cookie;

	mutex_lock(&gpu->gpadl_lock);
	if (!list_empty(&gp->node))
		dxg_vmbus_gpadl_drop(gpu, gp);
	mutex_unlock(&gpu->gpadl_lock);
	vunmap(gp->vaddr);
	kfree(gp);
}

static void dxg_vmbus_release(struct dxg_transport *t)
{
	kfree(to_gpu(t));
}

static const struct dxg_transport_ops dxg_vmbus_ops = {
	.send_packet = dxg_vmbus_send_packet,
	.kick = dxg_vmbus_kick,
	.io_space_phys = dxg_vmbus_io_space_phys,
	.gpadl_establish = dxg_vmbus_gpadl_establish,
	.gpadl_teardown = dxg_vmbus_gpadl_teardown,
	.release = dxg_vmbus_release,
};

/* Packets on the vGPU's own channel: replies to its requests. */
static void dxg_vmbus_gpu_receive(struct dxg_vmbus_chan *ch,
				  const struct dxg_pkt_desc *desc,
				  const void *payload, u32 len)
{
	struct dxg_vmbus_gpu *gpu = container_of(ch, struct dxg_vmbus_gpu, ch);

	if (desc->type != DXG_PKT_COMPLETION) {
		/* Host->VM messages come on the global channel only. */
		dev_warn_ratelimited(&ch->hdev->device,
				     "dxg: unexpected packet type %u dropped\n",
				     desc->type);
		return;
	}
	dxg_host_receive(gpu->host, desc, payload, len);
}

static void dxg_vmbus_gpu_broken(struct dxg_vmbus_chan *ch)
{
	dxg_host_peer_gone(container_of(ch, struct dxg_vmbus_gpu, ch)->host);
}

/* ---- the global channel ---- */

/* Under hosts_lock: the running vGPU with this tag, or NULL. */
static struct dxg_vmbus_gpu *dxg_vmbus_by_tag(struct dxg_vmbus_global *gbl,
					      u8 tag)
{
	struct dxg_vmbus_gpu *gpu = gbl->gpus[dxg_vmbus_tag_slot(tag)];

	return gpu && gpu->tag == tag ? gpu : NULL;
}

static void dxg_vmbus_global_receive(struct dxg_vmbus_chan *ch,
				     const struct dxg_pkt_desc *desc,
				     const void *payload, u32 len)
{
	struct dxg_vmbus_global *gbl = container_of(ch, struct dxg_vmbus_global,
						    ch);
	struct dxg_vmbus_gpu *gpu;
	struct dxg_pkt_desc d = *desc;
	unsigned int i;
	u64 id;
	u8 tag;
	int r;

	mutex_lock(&gbl->hosts_lock);
	switch (desc->type) {
	case DXG_PKT_COMPLETION:
		if (!dxg_vmbus_tid_decode(desc->trans_id, &tag, &id))
			break;
		gpu = dxg_vmbus_by_tag(gbl, tag);
		if (!gpu)
			break;		/* its vGPU left meanwhile */
		d.trans_id = id;
		dxg_host_receive(gpu->host, &d, payload, len);
		break;
	case DXG_PKT_DATA_INBAND:
		/* Host->VM: a guest event goes to the host that made it. */
		r = dxg_vmbus_host_msg_tag(payload, len);
		if (r > 0) {
			gpu = dxg_vmbus_by_tag(gbl, (u8)r);
			if (gpu)
				dxg_host_receive(gpu->host, desc, payload, len);
		} else if (!r) {
			for (i = 0; i < DXG_VMBUS_MAX_GPUS; i++)
				if (gbl->gpus[i])
					dxg_host_receive(gbl->gpus[i]->host,
							 desc, payload, len);
		} else if (r == -EPROTO) {
			dev_warn_ratelimited(&ch->hdev->device,
					     "dxg: malformed host message (%u bytes)\n",
					     len);
		}
		break;
	default:
		break;
	}
	mutex_unlock(&gbl->hosts_lock);
}

static void dxg_vmbus_global_broken(struct dxg_vmbus_chan *ch)
{
	struct dxg_vmbus_global *gbl = container_of(ch, struct dxg_vmbus_global,
						    ch);
	unsigned int i;

	mutex_lock(&gbl->hosts_lock);
	for (i = 0; i < DXG_VMBUS_MAX_GPUS; i++)
		if (gbl->gpus[i])
			dxg_host_peer_gone(gbl->gpus[i]->host);
	mutex_unlock(&gbl->hosts_lock);
}

/* Tell the host where the IO space is, once, before any OPENADAPTER (D19). */
static int dxg_vmbus_announce_io(struct dxg_vmbus_global *gbl,
				 struct dxg_host *host)
{
	struct dxgkvmb_command_setiospaceregion cmd;
	struct dxgkvmb_command_status_ret r = { 0 };
	int ret;

	ret = dxg_vmbus_build_setiospaceregion(&cmd, gbl->io_base,
					       gbl->io_size);
	if (!ret)
		ret = dxg_call_luid(host, NULL, 0,
				    DXGK_VMBCOMMAND_SETIOSPACEREGION, &cmd,
				    sizeof(cmd), &r, sizeof(r));
	if (!ret && r.status < 0)
		ret = dxg_ntstatus_to_errno(r.status);
	return ret;
}

/* ---- starting and stopping vGPUs (vm lock held) ---- */

/* Undo a start, in the order the rest of the driver needs. */
static void dxg_vmbus_gpu_stop(struct dxg_vmbus_gpu *gpu)
{
	struct dxg_vmbus_global *gbl = gpu->gbl;
	struct dxg_host *host = gpu->host;

	/* CLOSEADAPTER, then every waiter fails: both channels still work. */
	dxg_host_detach(host);
	spin_lock(&gpu->lock);
	gpu->dead = true;
	spin_unlock(&gpu->lock);
	/*
	 * The host lets go of the GPADLs while the global channel works; the
	 * pages stay pinned until their allocations' pins go.
	 */
	mutex_lock(&gpu->gpadl_lock);
	while (!list_empty(&gpu->gpadls))
		dxg_vmbus_gpadl_drop(gpu, list_first_entry(&gpu->gpadls,
							   struct dxg_vmbus_gpadl,
							   node));
	gpu->gpadls_off = true;
	mutex_unlock(&gpu->gpadl_lock);
	mutex_lock(&gbl->hosts_lock);
	gbl->gpus[gpu->slot] = NULL;
	mutex_unlock(&gbl->hosts_lock);
	/* The IO space may go with the global channel: no mapping stays. */
	dxg_host_revoke_maps(host);
	dxg_vmbus_chan_close(&gpu->ch);
	dxg_host_destroy(host);		/* frees gpu with the last reference */
}

static int dxg_vmbus_gpu_start(struct dxg_vmbus_vm *vm, unsigned int slot,
			       u8 tag)
{
	struct dxg_vmbus_slot *s = &vm->pair.slot[slot];
	const struct dxg_vmbus_pci *vp = s->end[DXG_VMBUS_END_PCI];
	struct hv_device *hdev = (void *)s->end[DXG_VMBUS_END_CHANNEL];
	struct dxg_vmbus_global *gbl = vm->global;
	struct dxg_adapter_desc desc = {
		.luid = vp->cfg.luid,
		.vgpu_luid = vp->cfg.vgpu_luid,
		.compute_only = vp->compute_only,
		.vendor_id = vp->pdev->vendor,
		.device_id = vp->pdev->device,
	};
	struct dxg_vmbus_gpu *gpu;
	struct dxg_host *host;
	int ret;

	gpu = kzalloc(sizeof(*gpu), GFP_KERNEL);
	if (!gpu)
		return -ENOMEM;
	gpu->t.ops = &dxg_vmbus_ops;
	gpu->t.event_id_base = dxg_vmbus_event_base(tag);
	gpu->t.close_adapters = true;
	gpu->gbl = gbl;
	gpu->slot = slot;
	gpu->tag = tag;
	gpu->io_base = gbl->io_base;
	gpu->io_size = gbl->io_size;
	spin_lock_init(&gpu->lock);
	mutex_init(&gpu->gpadl_lock);
	INIT_LIST_HEAD(&gpu->gpadls);
	gpu->ch.receive = dxg_vmbus_gpu_receive;
	gpu->ch.broken = dxg_vmbus_gpu_broken;
	ret = dxg_vmbus_chan_open(&gpu->ch, hdev);
	if (ret) {
		dev_err(&hdev->device, "dxg: vGPU channel did not open: %d\n",
			ret);
		kfree(gpu);
		return ret;
	}

	host = dxg_host_create(&vp->pdev->dev, &gpu->t, &desc, 1, false);
	if (IS_ERR(host)) {
		dxg_vmbus_chan_close(&gpu->ch);
		kfree(gpu);
		return PTR_ERR(host);
	}
	gpu->host = host;
	mutex_lock(&gbl->hosts_lock);
	gbl->gpus[slot] = gpu;
	mutex_unlock(&gbl->hosts_lock);

	if (!gbl->io_announced) {
		ret = dxg_vmbus_announce_io(gbl, host);
		if (ret) {
			dev_err(&hdev->device,
				"dxg: SETIOSPACEREGION failed: %d\n", ret);
			goto err;
		}
		gbl->io_announced = true;
	}
	/* Page lists for existing sysmem, or GPADLs (dxg_sysmem.c). */
	host->sysmem_mode = dxg_vmbus_sysmem_mode(vp->cfg.host_caps) ==
			    DXG_VMBUS_SYSMEM_PAGES ? DXG_SYSMEM_PAGES :
						     DXG_SYSMEM_GPADL;
	ret = dxg_host_start(host);
	if (ret)
		goto err;
	vm->gpus[slot] = gpu;
	return 0;
err:
	dxg_vmbus_gpu_stop(gpu);
	return ret;
}

/* Start every vGPU that has all it needs. */
static void dxg_vmbus_start_ready(struct dxg_vmbus_vm *vm)
{
	int i;

	while ((i = dxg_vmbus_pair_next_ready(&vm->pair)) >= 0) {
		u8 tag = dxg_vmbus_pair_start(&vm->pair, i);

		if (dxg_vmbus_gpu_start(vm, i, tag))
			dxg_vmbus_pair_start_failed(&vm->pair, i);
	}
}

/* An end of slot i left: stop its vGPU if it ran. */
static void dxg_vmbus_end_left(struct dxg_vmbus_vm *vm, int i, bool was_active)
{
	if (i < 0 || !was_active || !vm->gpus[i])
		return;
	dxg_vmbus_gpu_stop(vm->gpus[i]);
	vm->gpus[i] = NULL;
}

/* ---- arrivals and departures ---- */

int dxg_vmbus_pci_arrived(struct dxg_vmbus_pci *vp)
{
	struct dxg_vmbus_vm *vm = &dxg_vmbus_vm;
	int ret;

	mutex_lock(&vm->lock);
	ret = dxg_vmbus_pair_add(&vm->pair, DXG_VMBUS_END_PCI, &vp->cfg.luid,
				 vp);
	if (ret >= 0) {
		dxg_vmbus_start_ready(vm);
		ret = 0;
	} else {
		dev_err(&vp->pdev->dev, "dxg vGPU not recorded: %d\n", ret);
	}
	mutex_unlock(&vm->lock);
	return ret;
}

void dxg_vmbus_pci_left(struct dxg_vmbus_pci *vp)
{
	struct dxg_vmbus_vm *vm = &dxg_vmbus_vm;
	bool was_active;
	int i;

	mutex_lock(&vm->lock);
	i = dxg_vmbus_pair_remove(&vm->pair, DXG_VMBUS_END_PCI, vp,
				  &was_active);
	dxg_vmbus_end_left(vm, i, was_active);
	mutex_unlock(&vm->lock);
}

static int dxg_vmbus_vgpu_probe(struct dxg_vmbus_vm *vm, struct hv_device *hdev)
{
	struct winluid luid;
	int ret;

	dxg_vmbus_guid_to_luid(hdev->dev_instance.b, &luid);
	ret = dxg_vmbus_pair_add(&vm->pair, DXG_VMBUS_END_CHANNEL, &luid,
				 hdev);
	if (ret < 0) {
		dev_err(&hdev->device, "dxg vGPU channel not recorded: %d\n",
			ret);
		return ret;
	}
	dev_info(&hdev->device, "dxg vGPU channel: LUID %08x-%08x\n",
		 luid.b, luid.a);
	dxg_vmbus_start_ready(vm);
	return 0;
}

static int dxg_vmbus_global_probe(struct dxg_vmbus_vm *vm,
				  struct hv_device *hdev)
{
	struct dxg_vmbus_global *gbl;
	u64 size;
	int ret;

	if (vm->global) {
		dev_err(&hdev->device, "dxg: a second global channel\n");
		return -ENODEV;
	}
	size = (u64)hdev->channel->offermsg.offer.mmio_megabytes << 20;
	if (!size) {
		dev_err(&hdev->device, "dxg: the host offers no IO space\n");
		return -ENODEV;
	}
	gbl = kzalloc(sizeof(*gbl), GFP_KERNEL);
	if (!gbl)
		return -ENOMEM;
	mutex_init(&gbl->hosts_lock);
	ret = dxg_hv.allocate_mmio(&gbl->mmio, hdev, 0, -1, size,
				   DXG_VMBUS_IO_SPACE_ALIGN, false);
	if (ret) {
		dev_err(&hdev->device, "dxg: no MMIO for the IO space: %d\n",
			ret);
		goto err_free;
	}
	gbl->io_base = gbl->mmio->start;
	gbl->io_size = size;
	gbl->ch.receive = dxg_vmbus_global_receive;
	gbl->ch.broken = dxg_vmbus_global_broken;
	ret = dxg_vmbus_chan_open(&gbl->ch, hdev);
	if (ret) {
		dev_err(&hdev->device, "dxg: global channel did not open: %d\n",
			ret);
		goto err_mmio;
	}
	ret = dxg_vmbus_pair_set_global(&vm->pair, gbl);
	if (ret)
		goto err_close;
	vm->global = gbl;
	dev_info(&hdev->device, "dxg global channel: IO space %#llx, %llu MiB\n",
		 gbl->io_base, size >> 20);
	dxg_vmbus_start_ready(vm);
	return 0;

err_close:
	dxg_vmbus_chan_close(&gbl->ch);
err_mmio:
	dxg_hv.free_mmio(gbl->io_base, size);
err_free:
	kfree(gbl);
	return ret;
}

static void dxg_vmbus_global_remove(struct dxg_vmbus_vm *vm,
				    struct dxg_vmbus_global *gbl)
{
	unsigned int i;

	for (i = 0; i < DXG_VMBUS_MAX_GPUS; i++) {
		if (!vm->gpus[i])
			continue;
		dxg_vmbus_gpu_stop(vm->gpus[i]);
		vm->gpus[i] = NULL;
	}
	dxg_vmbus_pair_clear_global(&vm->pair, gbl);
	vm->global = NULL;
	dxg_vmbus_chan_close(&gbl->ch);
	dxg_hv.free_mmio(gbl->io_base, gbl->io_size);
	kfree(gbl);
}

/* driver_data of the device ids */
#define DXG_VMBUS_GLOBAL	1
#define DXG_VMBUS_VGPU		2

static int dxg_vmbus_probe(struct hv_device *hdev,
			   const struct hv_vmbus_device_id *id)
{
	struct dxg_vmbus_vm *vm = &dxg_vmbus_vm;
	int ret;

	mutex_lock(&vm->lock);
	if (id->driver_data == DXG_VMBUS_GLOBAL)
		ret = dxg_vmbus_global_probe(vm, hdev);
	else
		ret = dxg_vmbus_vgpu_probe(vm, hdev);
	mutex_unlock(&vm->lock);
	return ret;
}

static void dxg_vmbus_remove_device(struct hv_device *hdev)
{
	struct dxg_vmbus_vm *vm = &dxg_vmbus_vm;
	bool was_active;
	int i;

	mutex_lock(&vm->lock);
	if (vm->global && vm->global->ch.hdev == hdev) {
		dxg_vmbus_global_remove(vm, vm->global);
	} else {
		i = dxg_vmbus_pair_remove(&vm->pair, DXG_VMBUS_END_CHANNEL,
					  hdev, &was_active);
		dxg_vmbus_end_left(vm, i, was_active);
	}
	mutex_unlock(&vm->lock);
}

/* Kbuild defines DXG_HV_REMOVE_VOID for kernels whose remove returns void. */
#ifdef DXG_HV_REMOVE_VOID
static void dxg_vmbus_remove(struct hv_device *hdev)
{
	dxg_vmbus_remove_device(hdev);
}
#else
static int dxg_vmbus_remove(struct hv_device *hdev)
{
	dxg_vmbus_remove_device(hdev);
	return 0;
}
#endif

static const struct hv_vmbus_device_id dxg_vmbus_ids[] = {
	/* DXG_GUEST_GLOBAL_VMBUS */
	{ .guid = GUID_INIT(0xdde9cbc0, 0x5060, 0x4436, 0x94, 0x48,
			    0xea, 0x12, 0x54, 0xa5, 0xd1, 0x77),
	  .driver_data = DXG_VMBUS_GLOBAL },
	/* DXG_GUEST_VGPU_VMBUS */
	{ .guid = GUID_INIT(0x6e382d18, 0x3336, 0x4f4b, 0xac, 0xc4,
			    0x2b, 0x77, 0x03, 0xd4, 0xdf, 0x4a),
	  .driver_data = DXG_VMBUS_VGPU },
	{ }
};
MODULE_DEVICE_TABLE(vmbus, dxg_vmbus_ids);

static struct hv_driver dxg_vmbus_driver = {
	.name = KBUILD_MODNAME,
	.id_table = dxg_vmbus_ids,
	.probe = dxg_vmbus_probe,
	.remove = dxg_vmbus_remove,
	.driver = {
		.probe_type = PROBE_PREFER_ASYNCHRONOUS,
	},
};

/* ---- module load and unload ---- */

static void dxg_vmbus_put_api(void)
{
	if (dxg_hv.driver_register)
		symbol_put(__vmbus_driver_register);
	if (dxg_hv.driver_unregister)
		symbol_put(vmbus_driver_unregister);
	if (dxg_hv.open)
		symbol_put(vmbus_open);
	if (dxg_hv.close)
		symbol_put(vmbus_close);
	if (dxg_hv.setevent)
		symbol_put(vmbus_setevent);
	if (dxg_hv.recvpacket_raw)
		symbol_put(vmbus_recvpacket_raw);
	if (dxg_hv.allocate_mmio)
		symbol_put(vmbus_allocate_mmio);
	if (dxg_hv.free_mmio)
		symbol_put(vmbus_free_mmio);
	if (dxg_hv.establish_gpadl)
		symbol_put(vmbus_establish_gpadl);
	if (dxg_hv.teardown_gpadl)
		symbol_put(vmbus_teardown_gpadl);
	memset(&dxg_hv, 0, sizeof(dxg_hv));
}

/* true: every entry point is there (each now holds hv_vmbus). */
static bool dxg_vmbus_get_api(void)
{
	dxg_hv.driver_register = symbol_get(__vmbus_driver_register);
	dxg_hv.driver_unregister = symbol_get(vmbus_driver_unregister);
	dxg_hv.open = symbol_get(vmbus_open);
	dxg_hv.close = symbol_get(vmbus_close);
	dxg_hv.setevent = symbol_get(vmbus_setevent);
	dxg_hv.recvpacket_raw = symbol_get(vmbus_recvpacket_raw);
	dxg_hv.allocate_mmio = symbol_get(vmbus_allocate_mmio);
	dxg_hv.free_mmio = symbol_get(vmbus_free_mmio);
	dxg_hv.establish_gpadl = symbol_get(vmbus_establish_gpadl);
	dxg_hv.teardown_gpadl = symbol_get(vmbus_teardown_gpadl);
	if (dxg_hv.driver_register && dxg_hv.driver_unregister &&
	    dxg_hv.open && dxg_hv.close && dxg_hv.setevent &&
	    dxg_hv.recvpacket_raw && dxg_hv.allocate_mmio &&
	    dxg_hv.free_mmio && dxg_hv.establish_gpadl &&
	    dxg_hv.teardown_gpadl)
		return true;
	dxg_vmbus_put_api();
	return false;
}

int dxg_vmbus_register(void)
{
	int ret;

	if (!dxg_vmbus_get_api()) {
		pr_info("dxgkrnl: no Hyper-V VMBus (hv_vmbus not loaded): VMBus transport off\n");
		return 0;
	}
	ret = dxg_hv.driver_register(&dxg_vmbus_driver, THIS_MODULE,
				     KBUILD_MODNAME);
	if (ret)
		goto err_api;
	ret = dxg_vmbus_pci_register();
	if (ret)
		goto err_driver;
	dxg_vmbus_enabled = true;
	pr_info("dxgkrnl: Hyper-V VMBus transport on\n");
	return 0;

err_driver:
	dxg_hv.driver_unregister(&dxg_vmbus_driver);
err_api:
	dxg_vmbus_put_api();
	return ret;
}

void dxg_vmbus_unregister(void)
{
	if (!dxg_vmbus_enabled)
		return;
	/* PCI first: each vGPU closes its adapters over working channels. */
	dxg_vmbus_pci_unregister();
	dxg_hv.driver_unregister(&dxg_vmbus_driver);
	dxg_vmbus_put_api();
	dxg_vmbus_enabled = false;
}
