// SPDX-License-Identifier: GPL-2.0
/*
 * The ivshmem transport: QEMU's stock ivshmem-doorbell PCI device, served
 * by dxghost (docs/ivshmem-transport.md is the specification).
 *
 * BAR0 holds QEMU's registers (the doorbell), BAR2 the shared memory: a
 * control page, a guest->host and a host->guest ring in the VMBus ring
 * format, and the IO space.  BAR2 is RAM in the VM and is mapped
 * write-back; everything read from it is validated once and copied, and
 * the host is assumed hostile.  MSI-X vector 0 means "ring", vector 1
 * "state"; with a single vector both arrive on vector 0, so every
 * interrupt looks at both.  The guest never polls its receive ring (its
 * interrupt mask stays 0): the host always rings.
 */

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "dxg.h"
#include "dxg/ivshmem.h"

#define DXG_IVSHMEM_HANDSHAKE_MS	5000
/* How often the watchdog looks at the host's heartbeat. */
#define DXG_IVSHMEM_WATCHDOG_MS		1000

struct dxg_ivshmem {
	struct dxg_transport t;
	struct pci_dev *pdev;
	struct dxg_host *host;
	void __iomem *regs;			/* BAR0 */
	void *shm;				/* BAR2, write-back */
	u64 shm_len;
	phys_addr_t shm_phys;			/* BAR2's physical base */
	u64 io_offset;				/* IO space inside BAR2 */
	u64 io_len;
	struct dxg_ivshmem_control *ctl;
	int nvec;

	spinlock_t tx_lock;			/* tx ring, dead */
	struct dxg_ring tx;			/* guest -> host */
	bool dead;

	struct mutex rx_lock;			/* rx ring, rx_buf */
	struct dxg_ring rx;			/* host -> guest */
	bool rx_ready;
	void *rx_buf;

	wait_queue_head_t state_wq;
	u32 generation;

	/* DXG_HOST_CAP_HEARTBEAT: a killed host writes no GONE state. */
	struct delayed_work watchdog;
	u32 beat;				/* last host_heartbeat seen */
	unsigned long beat_seen;		/* jiffies when it changed */

	u32 instance;				/* host_instance at probe */
	bool reprobing;				/* a reprobe is queued (xchg) */
};

/*
 * The driver, and its own workqueue for reprobes (a dxghost took the VM
 * over): unregistering the driver drains it, so no reprobe outlives the
 * module.
 */
struct dxg_ivshmem_driver {
	struct pci_driver pci;
	struct workqueue_struct *reprobe_wq;
};

static struct dxg_ivshmem_driver dxg_ivshmem_driver;

/* A reprobe: allocated apart from the device state it replaces. */
struct dxg_ivshmem_reprobe {
	struct work_struct work;
	struct pci_dev *pdev;			/* referenced */
};

static struct dxg_ivshmem *to_ivs(struct dxg_transport *t)
{
	return container_of(t, struct dxg_ivshmem, t);
}

static void dxg_ivshmem_doorbell(struct dxg_ivshmem *ivs, u32 vector)
{
	iowrite32((DXG_IVSHMEM_HOST_PEER << 16) | vector,
		  ivs->regs + DXG_IVSHMEM_REG_DOORBELL);
}

/* One channel: the route does not matter. */
static int dxg_ivshmem_send_packet(struct dxg_transport *t,
				   enum dxg_route route, u64 trans_id,
				   u16 flags, const void *buf1, u32 len1,
				   const void *buf2, u32 len2)
{
	struct dxg_ivshmem *ivs = to_ivs(t);
	bool corrupt = false;
	int ret;

	spin_lock(&ivs->tx_lock);
	if (ivs->dead) {
		ret = -ENODEV;
	} else {
		ret = dxg_ring_write2(&ivs->tx, DXG_PKT_DATA_INBAND, flags,
				      trans_id, buf1, len1, buf2, len2);
		corrupt = ret == -EPROTO;
	}
	spin_unlock(&ivs->tx_lock);
	if (corrupt) {
		dev_err_ratelimited(&ivs->pdev->dev,
				    "host corrupted the ring indices\n");
		dxg_host_peer_gone(ivs->host);
	}
	return ret;
}

static void dxg_ivshmem_kick(struct dxg_transport *t)
{
	struct dxg_ivshmem *ivs = to_ivs(t);

	spin_lock(&ivs->tx_lock);
	if (!ivs->dead && dxg_ring_consumer_parked(&ivs->tx))
		dxg_ivshmem_doorbell(ivs, DXG_IVSHMEM_VEC_RING);
	spin_unlock(&ivs->tx_lock);
}

static void dxg_ivshmem_release(struct dxg_transport *t)
{
	struct dxg_ivshmem *ivs = to_ivs(t);

	kvfree(ivs->rx_buf);
	kfree(ivs);
}

/*
 * IO-space addresses are absolute offsets in BAR2; the range must lie
 * inside the IO space the control page announced (checked at probe).
 */
static int dxg_ivshmem_io_space_phys(struct dxg_transport *t, u64 offset,
				     u64 len, phys_addr_t *phys)
{
	struct dxg_ivshmem *ivs = to_ivs(t);

	if (!len || offset < ivs->io_offset || offset & ~PAGE_MASK ||
	    len & ~PAGE_MASK || offset - ivs->io_offset > ivs->io_len ||
	    len > ivs->io_len - (offset - ivs->io_offset))
		return -EPROTO;
	*phys = ivs->shm_phys + offset;
	return 0;
}

static const struct dxg_transport_ops dxg_ivshmem_ops = {
	.send_packet = dxg_ivshmem_send_packet,
	.kick = dxg_ivshmem_kick,
	.io_space_phys = dxg_ivshmem_io_space_phys,
	.release = dxg_ivshmem_release,
};

/*
 * Read everything the host wrote.  read_index is stored once per batch
 * (or sooner when the host asks for room), not once per packet: it shares
 * a cache line with the host's write_index.
 */
static void dxg_ivshmem_drain(struct dxg_ivshmem *ivs)
{
	struct dxg_pkt_desc desc;
	u32 next;
	int n;

	for (;;) {
		n = dxg_ring_peek(&ivs->rx, &desc, ivs->rx_buf,
				  DXG_MAX_PACKET_PAYLOAD, &next);
		if (n == -ENODATA)
			break;
		if (n == -EMSGSIZE) {
			dxg_ring_consume(&ivs->rx, next);	/* dropped */
			continue;
		}
		if (n < 0) {
			dev_err_ratelimited(&ivs->pdev->dev,
					    "host corrupted its ring\n");
			dxg_host_peer_gone(ivs->host);
			break;
		}
		dxg_host_receive(ivs->host, &desc, ivs->rx_buf, n);
		dxg_ring_consume(&ivs->rx, next);
		cond_resched();
	}
	dxg_ring_publish(&ivs->rx);
}

/*
 * Another dxghost process took the VM over (docs/ivshmem-transport.md §6):
 * a new host_instance, with the page complete (host_state READY written
 * last).  Everything the old host held is gone.
 */
static bool dxg_ivshmem_restarted(struct dxg_ivshmem *ivs)
{
	u32 inst;

	/* Acquire: the host writes host_state after the rest of the page. */
	if (smp_load_acquire(&ivs->ctl->host_state) != DXG_PEER_READY)
		return false;
	inst = READ_ONCE(ivs->ctl->host_instance);
	return inst && inst != ivs->instance;
}

static void dxg_ivshmem_reprobe_work(struct work_struct *work)
{
	struct dxg_ivshmem_reprobe *r =
		container_of(work, struct dxg_ivshmem_reprobe, work);

	/* remove() (processes get -ENODEV, /dev/dxg goes), then probe(). */
	if (device_reprobe(&r->pdev->dev))
		dev_warn(&r->pdev->dev, "dxg host restarted; reprobe failed\n");
	pci_dev_put(r->pdev);
	kfree(r);
}

/*
 * Tear this device state down and probe again: the driver core calls
 * remove() and probe() under the device lock, from the driver's workqueue
 * (remove() never waits for it, so the lock is not taken twice).
 */
static void dxg_ivshmem_schedule_reprobe(struct dxg_ivshmem *ivs)
{
	struct dxg_ivshmem_reprobe *r;

	if (xchg(&ivs->reprobing, true))
		return;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r) {
		dxg_host_peer_gone(ivs->host);	/* at least fail its calls */
		return;
	}
	dev_info(&ivs->pdev->dev,
		 "dxg host restarted: GPU reset, the adapters come back\n");
	INIT_WORK(&r->work, dxg_ivshmem_reprobe_work);
	r->pdev = pci_dev_get(ivs->pdev);
	queue_work(dxg_ivshmem_driver.reprobe_wq, &r->work);
}

static irqreturn_t dxg_ivshmem_irq(int irq, void *data)
{
	struct dxg_ivshmem *ivs = data;

	wake_up(&ivs->state_wq);
	/* Even after a watchdog gave the old host up. */
	if (dxg_ivshmem_restarted(ivs)) {
		dxg_ivshmem_schedule_reprobe(ivs);
		return IRQ_HANDLED;
	}
	if (READ_ONCE(ivs->ctl->host_state) == DXG_PEER_GONE) {
		dxg_host_peer_gone(ivs->host);
		return IRQ_HANDLED;
	}
	mutex_lock(&ivs->rx_lock);
	if (ivs->rx_ready)
		dxg_ivshmem_drain(ivs);
	mutex_unlock(&ivs->rx_lock);
	return IRQ_HANDLED;
}

/*
 * A host that was killed (SIGKILL, a crash) never writes GONE, and QEMU
 * does not tell the guest that its ivshmem server went away: without this
 * every call would wait for its timeout.  When the heartbeat stands still
 * for DXG_HOST_SILENT_MS the host is treated as gone: calls fail with
 * -ENODEV, the adapters and /dev/dxg go, exactly as after a clean exit.
 */
static void dxg_ivshmem_watchdog(struct work_struct *work)
{
	struct dxg_ivshmem *ivs = container_of(to_delayed_work(work),
					       struct dxg_ivshmem, watchdog);
	u32 beat = READ_ONCE(ivs->ctl->host_heartbeat);

	if (dxg_ivshmem_restarted(ivs)) {	/* its interrupt was lost */
		dxg_ivshmem_schedule_reprobe(ivs);
		return;
	}
	if (!dxg_host_active(ivs->host))
		return;
	if (READ_ONCE(ivs->ctl->host_state) == DXG_PEER_GONE) {
		dxg_host_peer_gone(ivs->host);	/* its interrupt was lost */
		return;
	}
	if (beat != ivs->beat) {
		ivs->beat = beat;
		ivs->beat_seen = jiffies;
	} else if (time_after(jiffies, ivs->beat_seen +
			      msecs_to_jiffies(DXG_HOST_SILENT_MS))) {
		dev_warn(&ivs->pdev->dev,
			 "dxg host silent for %u ms (killed?): its adapters are gone\n",
			 jiffies_to_msecs(jiffies - ivs->beat_seen));
		dxg_host_peer_gone(ivs->host);
		return;
	}
	schedule_delayed_work(&ivs->watchdog,
			      msecs_to_jiffies(DXG_IVSHMEM_WATCHDOG_MS));
}

static void dxg_ivshmem_watchdog_start(struct dxg_ivshmem *ivs)
{
	if (!(READ_ONCE(ivs->ctl->host_caps) & DXG_HOST_CAP_HEARTBEAT))
		return;
	ivs->beat = READ_ONCE(ivs->ctl->host_heartbeat);
	ivs->beat_seen = jiffies;
	schedule_delayed_work(&ivs->watchdog,
			      msecs_to_jiffies(DXG_IVSHMEM_WATCHDOG_MS));
}

/* Does [off, off + len) lie inside the shared memory, past the control page? */
static bool dxg_ivshmem_region_ok(u64 shm_len, u64 off, u64 len)
{
	return off >= DXG_IVSHMEM_CONTROL_SIZE && !(off & 7) &&
	       off <= shm_len && len <= shm_len - off;
}

static bool dxg_ivshmem_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Check the control page before anything is written to the device: a
 * device that is not a dxghost of a version we speak is left alone.
 */
static int dxg_ivshmem_check(struct dxg_ivshmem *ivs, u64 bar_len)
{
	const struct dxg_ivshmem_control *c = ivs->shm;
	u64 ring_bytes, shm_len, g2h, h2g, io, io_len;
	u32 ring_size;

	if (READ_ONCE(c->magic) != DXG_IVSHMEM_MAGIC)
		return -ENODEV;
	if (READ_ONCE(c->layout_version) != DXG_IVSHMEM_LAYOUT_VERSION ||
	    READ_ONCE(c->host_interface_version) < DXGK_VMBUS_INTERFACE_VERSION) {
		dev_info(&ivs->pdev->dev,
			 "dxg host speaks layout %u interface %u; need %u/%u\n",
			 READ_ONCE(c->layout_version),
			 READ_ONCE(c->host_interface_version),
			 DXG_IVSHMEM_LAYOUT_VERSION,
			 DXGK_VMBUS_INTERFACE_VERSION);
		return -ENODEV;
	}
	ring_size = READ_ONCE(c->ring_size);
	shm_len = READ_ONCE(c->shm_size);
	g2h = READ_ONCE(c->ring_g2h_offset);
	h2g = READ_ONCE(c->ring_h2g_offset);
	io = READ_ONCE(c->io_space_offset);
	io_len = READ_ONCE(c->io_space_size);
	ring_bytes = (u64)DXG_RING_HDR_SIZE + ring_size;

	if (ring_size < DXG_RING_MIN_SIZE || ring_size > DXG_RING_MAX_SIZE ||
	    (ring_size & 7) || shm_len > bar_len ||
	    shm_len < DXG_IVSHMEM_CONTROL_SIZE ||
	    !dxg_ivshmem_region_ok(shm_len, g2h, ring_bytes) ||
	    !dxg_ivshmem_region_ok(shm_len, h2g, ring_bytes) ||
	    dxg_ivshmem_overlap(g2h, ring_bytes, h2g, ring_bytes) ||
	    (io_len && (!dxg_ivshmem_region_ok(shm_len, io, io_len) ||
			dxg_ivshmem_overlap(io, io_len, g2h, ring_bytes) ||
			dxg_ivshmem_overlap(io, io_len, h2g, ring_bytes))) ||
	    READ_ONCE(c->adapter_count) > DXG_IVSHMEM_MAX_ADAPTERS) {
		dev_info(&ivs->pdev->dev, "dxg host control page is invalid\n");
		return -ENODEV;
	}
	ivs->shm_len = shm_len;
	ivs->io_offset = io;
	ivs->io_len = io_len;
	dxg_ring_init(&ivs->tx, (u8 *)ivs->shm + g2h, ring_size);
	dxg_ring_init(&ivs->rx, (u8 *)ivs->shm + h2g, ring_size);
	return 0;
}

static bool dxg_ivshmem_acked(struct dxg_ivshmem *ivs)
{
	return READ_ONCE(ivs->ctl->host_generation) == ivs->generation ||
	       READ_ONCE(ivs->ctl->host_state) == DXG_PEER_GONE;
}

/* Spec section 4.2: announce a new guest generation, wait for the host. */
static int dxg_ivshmem_handshake(struct dxg_ivshmem *ivs)
{
	struct dxg_ivshmem_control *c = ivs->ctl;
	unsigned long deadline;
	u32 gen;

	gen = READ_ONCE(c->guest_generation) + 1;
	if (!gen)
		gen = 1;
	ivs->generation = gen;
	WRITE_ONCE(c->guest_interface_version, DXGK_VMBUS_INTERFACE_VERSION);
	WRITE_ONCE(c->guest_caps, DXG_GUEST_CAP_WSL2);
	WRITE_ONCE(c->guest_generation, gen);
	smp_wmb();	/* the fields above before the state word */
	WRITE_ONCE(c->guest_state, DXG_PEER_READY);
	smp_mb();	/* the state word before the doorbell */
	dxg_ivshmem_doorbell(ivs, DXG_IVSHMEM_VEC_STATE);

	/* Poll as well: an interrupt may be lost across a host restart. */
	deadline = jiffies + msecs_to_jiffies(DXG_IVSHMEM_HANDSHAKE_MS);
	while (!dxg_ivshmem_acked(ivs) && time_before(jiffies, deadline))
		wait_event_timeout(ivs->state_wq, dxg_ivshmem_acked(ivs),
				   msecs_to_jiffies(20));
	if (READ_ONCE(c->host_state) == DXG_PEER_GONE)
		return -ENODEV;
	if (READ_ONCE(c->host_generation) != gen)
		return -ETIMEDOUT;
	smp_rmb();	/* the host reset the rings before acknowledging */
	dxg_ring_resync(&ivs->tx);
	dxg_ring_resync(&ivs->rx);
	return 0;
}

static void dxg_ivshmem_say_goodbye(struct dxg_ivshmem *ivs)
{
	WRITE_ONCE(ivs->ctl->guest_state, DXG_PEER_GONE);
	smp_mb();	/* the state word before the doorbell */
	dxg_ivshmem_doorbell(ivs, DXG_IVSHMEM_VEC_STATE);
}

static void dxg_ivshmem_free_irqs(struct dxg_ivshmem *ivs, int n)
{
	while (n--)
		free_irq(pci_irq_vector(ivs->pdev, n), ivs);
	pci_free_irq_vectors(ivs->pdev);
}

static int dxg_ivshmem_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct dxg_adapter_desc descs[DXG_IVSHMEM_MAX_ADAPTERS];
	struct dxg_ivshmem *ivs;
	struct dxg_host *host;
	unsigned int i, count;
	u32 caps;
	u64 bar_len;
	int ret, nirq = 0;

	ivs = kzalloc(sizeof(*ivs), GFP_KERNEL);
	if (!ivs)
		return -ENOMEM;
	ivs->t.ops = &dxg_ivshmem_ops;
	ivs->pdev = pdev;
	spin_lock_init(&ivs->tx_lock);
	mutex_init(&ivs->rx_lock);
	init_waitqueue_head(&ivs->state_wq);
	INIT_DELAYED_WORK(&ivs->watchdog, dxg_ivshmem_watchdog);

	ret = pci_enable_device(pdev);
	if (ret)
		goto err_free;
	ret = pci_request_regions(pdev, KBUILD_MODNAME);
	if (ret)
		goto err_disable;

	bar_len = pci_resource_len(pdev, 2);
	if (!(pci_resource_flags(pdev, 2) & IORESOURCE_MEM) ||
	    bar_len < DXG_IVSHMEM_CONTROL_SIZE ||
	    pci_resource_len(pdev, 0) < DXG_IVSHMEM_REG_DOORBELL + 4) {
		ret = -ENODEV;
		goto err_regions;
	}
	ivs->shm_phys = pci_resource_start(pdev, 2);
	ivs->shm = memremap(ivs->shm_phys, bar_len, MEMREMAP_WB);
	if (!ivs->shm) {
		ret = -ENOMEM;
		goto err_regions;
	}
	ivs->ctl = ivs->shm;
	ret = dxg_ivshmem_check(ivs, bar_len);
	if (ret)
		goto err_unmap;
	/* The host we attach to; another one later means a takeover. */
	ivs->instance = READ_ONCE(ivs->ctl->host_instance);

	ivs->rx_buf = kvmalloc(DXG_MAX_PACKET_PAYLOAD, GFP_KERNEL);
	ivs->regs = pci_iomap(pdev, 0, 0);
	if (!ivs->rx_buf || !ivs->regs) {
		ret = -ENOMEM;
		goto err_unmap;
	}

	count = READ_ONCE(ivs->ctl->adapter_count);
	for (i = 0; i < count; i++) {
		const struct dxg_ivshmem_adapter *e = &ivs->ctl->adapters[i];

		descs[i].luid = e->luid;
		descs[i].vgpu_luid = e->vgpu_luid;
		descs[i].compute_only = READ_ONCE(e->flags) &
				       DXG_ADAPTER_FLAG_COMPUTE_ONLY;
		descs[i].vendor_id = READ_ONCE(e->vendor_id);
		descs[i].device_id = READ_ONCE(e->device_id);
	}
	host = dxg_host_create(&pdev->dev, &ivs->t, descs, count,
			       READ_ONCE(ivs->ctl->host_caps) &
			       DXG_HOST_CAP_ODX_REPLIES);
	if (IS_ERR(host)) {
		ret = PTR_ERR(host);
		goto err_unmap;
	}
	ivs->host = host;

	ivs->nvec = pci_alloc_irq_vectors(pdev, 1, DXG_IVSHMEM_NUM_VECTORS,
					  PCI_IRQ_MSIX);
	if (ivs->nvec < 0) {
		ret = ivs->nvec;
		goto err_host;
	}
	/* ivshmem's MSI-X reaches the guest only with bus mastering on. */
	pci_set_master(pdev);
	for (nirq = 0; nirq < ivs->nvec; nirq++) {
		ret = request_threaded_irq(pci_irq_vector(pdev, nirq), NULL,
					   dxg_ivshmem_irq, IRQF_ONESHOT,
					   KBUILD_MODNAME, ivs);
		if (ret)
			goto err_irq;
	}

	ret = dxg_ivshmem_handshake(ivs);
	if (ret) {
		dev_warn(&pdev->dev, "dxg host did not answer the handshake: %d\n",
			 ret);
		goto err_goodbye;
	}
	mutex_lock(&ivs->rx_lock);
	ivs->rx_ready = true;
	dxg_ivshmem_drain(ivs);
	mutex_unlock(&ivs->rx_lock);

	pci_set_drvdata(pdev, ivs);
	/*
	 * Existing-sysmem allocations need a host that reaches our RAM: by
	 * page lists, or (a host without map_guest_memory) by GPADLs.
	 */
	caps = READ_ONCE(ivs->ctl->host_caps);
	if (caps & (DXG_HOST_CAP_GUEST_RAM | DXG_HOST_CAP_GPADL)) {
		ret = dxg_sysmem_verify(host);
		if (ret)
			dev_info(&pdev->dev,
				 "dxg host cannot reach guest memory (%d): no existing-sysmem allocations\n",
				 ret);
		else
			host->sysmem_mode = caps & DXG_HOST_CAP_GUEST_RAM ?
					    DXG_SYSMEM_PAGES : DXG_SYSMEM_GPADL;
		if (!ret)
			dev_info(&pdev->dev,
				 "dxg host maps guest memory: existing-sysmem allocations in place (%s)\n",
				 host->sysmem_mode == DXG_SYSMEM_PAGES ?
				 "page lists" : "GPADLs");
	}
	ret = dxg_host_start(host);
	if (ret)
		goto err_goodbye;
	dxg_ivshmem_watchdog_start(ivs);
	return 0;

err_goodbye:
	dxg_host_detach(host);
	spin_lock(&ivs->tx_lock);
	ivs->dead = true;
	spin_unlock(&ivs->tx_lock);
	dxg_ivshmem_say_goodbye(ivs);
err_irq:
	dxg_ivshmem_free_irqs(ivs, nirq);
	pci_clear_master(pdev);
err_host:
	pci_iounmap(pdev, ivs->regs);
	memunmap(ivs->shm);
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	dxg_host_destroy(host);	/* frees ivs through the transport release */
	return ret;

err_unmap:
	if (ivs->regs)
		pci_iounmap(pdev, ivs->regs);
	kvfree(ivs->rx_buf);
	memunmap(ivs->shm);
err_regions:
	pci_release_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_free:
	kfree(ivs);
	return ret;
}

static void dxg_ivshmem_remove(struct pci_dev *pdev)
{
	struct dxg_ivshmem *ivs = pci_get_drvdata(pdev);
	struct dxg_host *host = ivs->host;

	/* It reads the control page and may declare the host gone. */
	cancel_delayed_work_sync(&ivs->watchdog);
	/* Unpublish and fail every waiter first: nothing new reaches us. */
	dxg_host_detach(host);
	/* No process may keep a pointer into BAR2 once we let it go. */
	dxg_host_revoke_maps(host);
	spin_lock(&ivs->tx_lock);
	ivs->dead = true;
	spin_unlock(&ivs->tx_lock);
	dxg_ivshmem_say_goodbye(ivs);
	dxg_ivshmem_free_irqs(ivs, ivs->nvec);
	pci_clear_master(pdev);
	pci_iounmap(pdev, ivs->regs);
	memunmap(ivs->shm);
	ivs->ctl = NULL;
	pci_release_regions(pdev);
	pci_disable_device(pdev);
	dxg_host_destroy(host);
}

/* The host's live object counts, for tests and tools (read-only). */
static ssize_t dxg_host_stat_show(struct device *dev, char *buf, bool objects)
{
	struct dxg_ivshmem *ivs = dev_get_drvdata(dev);
	u32 v;

	if (!ivs || !ivs->ctl)
		return -ENODEV;
	v = objects ? READ_ONCE(ivs->ctl->stat_objects) :
		      READ_ONCE(ivs->ctl->stat_processes);
	return sysfs_emit(buf, "%u\n", v);
}

static ssize_t dxg_host_objects_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return dxg_host_stat_show(dev, buf, true);
}
static DEVICE_ATTR_RO(dxg_host_objects);

static ssize_t dxg_host_processes_show(struct device *dev,
				       struct device_attribute *attr, char *buf)
{
	return dxg_host_stat_show(dev, buf, false);
}
static DEVICE_ATTR_RO(dxg_host_processes);

/* A u64 statistic the host keeps in the control page, at @off. */
static ssize_t dxg_host_u64_show(struct device *dev, char *buf, size_t off)
{
	struct dxg_ivshmem *ivs = dev_get_drvdata(dev);
	u64 v;

	if (!ivs || !ivs->ctl)
		return -ENODEV;
	v = READ_ONCE(*(u64 *)((u8 *)ivs->ctl + off));
	return sysfs_emit(buf, "%llu\n", v);
}

#define DXG_HOST_U64_ATTR(name, field)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	return dxg_host_u64_show(dev, buf,				\
		offsetof(struct dxg_ivshmem_control, field));		\
}									\
static DEVICE_ATTR_RO(name)

/* IO-space bytes the host has allocated for this VM (docs/memory.md). */
DXG_HOST_U64_ATTR(dxg_host_io_used, stat_io_space_used);
/*
 * Host log lines about this VM that the host's rate limit suppressed: a
 * guest can see that it is making the host complain without host access.
 */
DXG_HOST_U64_ATTR(dxg_host_log_suppressed, stat_log_suppressed);
/* Device-local memory (docs/memory.md §8): the VM's quota and its use. */
DXG_HOST_U64_ATTR(dxg_host_device_memory_quota, device_memory_quota);
DXG_HOST_U64_ATTR(dxg_host_device_memory_used, stat_device_memory_used);

/* Objects the host made for waiters that gave up, destroyed again (dxg_reclaim.c). */
static ssize_t dxg_reclaimed_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct dxg_ivshmem *ivs = dev_get_drvdata(dev);

	if (!ivs || !ivs->host)
		return -ENODEV;
	return sysfs_emit(buf, "%d\n", atomic_read(&ivs->host->reclaimed));
}
static DEVICE_ATTR_RO(dxg_reclaimed);

static struct attribute *dxg_ivshmem_attrs[] = {
	&dev_attr_dxg_host_objects.attr,
	&dev_attr_dxg_host_processes.attr,
	&dev_attr_dxg_host_io_used.attr,
	&dev_attr_dxg_reclaimed.attr,
	&dev_attr_dxg_host_log_suppressed.attr,
	&dev_attr_dxg_host_device_memory_quota.attr,
	&dev_attr_dxg_host_device_memory_used.attr,
	NULL,
};
ATTRIBUTE_GROUPS(dxg_ivshmem);

static const struct pci_device_id dxg_ivshmem_ids[] = {
	{ PCI_DEVICE(DXG_IVSHMEM_VENDOR_ID, DXG_IVSHMEM_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, dxg_ivshmem_ids);

static struct dxg_ivshmem_driver dxg_ivshmem_driver = {
	.pci = {
		.name = KBUILD_MODNAME,
		.id_table = dxg_ivshmem_ids,
		.probe = dxg_ivshmem_probe,
		.remove = dxg_ivshmem_remove,
		.dev_groups = dxg_ivshmem_groups,
	},
};

int dxg_ivshmem_register(void)
{
	int ret;

	dxg_ivshmem_driver.reprobe_wq = alloc_workqueue("dxg_ivshmem", 0, 0);
	if (!dxg_ivshmem_driver.reprobe_wq)
		return -ENOMEM;
	ret = pci_register_driver(&dxg_ivshmem_driver.pci);
	if (ret)
		destroy_workqueue(dxg_ivshmem_driver.reprobe_wq);
	return ret;
}

void dxg_ivshmem_unregister(void)
{
	pci_unregister_driver(&dxg_ivshmem_driver.pci);
	/* A queued reprobe finds no driver now; it only drops its device. */
	destroy_workqueue(dxg_ivshmem_driver.reprobe_wq);
}
