// SPDX-License-Identifier: GPL-2.0
/*
 * Existing-sysmem allocations: user memory the host reaches in place
 * (docs/memory.md §11, dxgkrnl-facts.md §2.10).
 *
 * A host that maps guest memory (ivshmem: DXG_HOST_CAP_GUEST_RAM and a
 * passed VERIFYGUESTRAM handshake; Hyper-V: map_guest_memory) gets the
 * page frames of the user's pages in SETEXISTINGSYSMEMPAGES messages once
 * the host created the allocation.  The pages are pinned long-term
 * (FOLL_LONGTERM | FOLL_WRITE: a fork copies them for the child, the
 * parent keeps the pages the host sees) and accounted to the process's
 * locked memory (RLIMIT_MEMLOCK unless CAP_IPC_LOCK).
 *
 * A host without map_guest_memory (a Windows host may be one; a
 * Windows-mode dxghost is) takes them by a GPADL instead: the transport
 * makes one over the pinned pages (VMBus: on the global channel; ivshmem:
 * ESTABLISHGPADL messages, the stand-in for VMBus's), and
 * SETEXISTINGSYSMEMSTORE names it.  dxgkrnl-facts.md §2.10.
 *
 * A pin must outlive the host's use of the pages, so pins are kept by the
 * process, not by the allocation, and are released only once the host has
 * destroyed what uses them: after DESTROYALLOCATION of the allocation or
 * its resource, after DESTROYDEVICE of its device, or after DESTROYPROCESS
 * (or when the host is gone).  Its GPADL is torn down then, before the
 * pages are unpinned (the reference's order).  dxg_process.sysmem_lock only
 * guards the list; pages are unpinned outside it.
 */

#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "dxg.h"
#include "dxg/vmbus.h"

struct dxg_sysmem_pin {
	struct list_head node;		/* dxg_process.sysmem_pins */
	/* Identities only (never dereferenced): what the pin belongs to. */
	const struct dxg_allocation *alloc;
	const struct dxg_resource *resource;
	const struct dxg_device *device;
	struct mm_struct *mm;		/* grabbed; the pages count in it */
	struct page **pages;
	unsigned long npages;		/* pinned */
	unsigned long accounted;	/* charged to mm's locked_vm */
	/* A GPADL over the pages (host not NULL): its host, referenced. */
	struct dxg_host *host;
	u32 gpadl;
	void *gpadl_cookie;		/* the transport's, if it made it */
};

/* ---- the guest-RAM handshake (ivshmem) ---- */

#define DXG_PROBES_EACH	4	/* pages below 4 GiB, and anywhere */

int dxg_sysmem_verify(struct dxg_host *host)
{
	struct dxgkvmb_command_verifyguestram *cmd;
	struct dxg_guest_ram_probe *pr;
	struct page *pages[2 * DXG_PROBES_EACH] = { };
	u32 n = 0, i, len;
	int ret;

	len = sizeof(*cmd) + ARRAY_SIZE(pages) * sizeof(*pr);
	cmd = kzalloc(len, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	pr = (void *)(cmd + 1);
	/* Both parts of a layout with RAM above 4 GiB get probes. */
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		gfp_t gfp = GFP_KERNEL;
		void *va;

		if (i < DXG_PROBES_EACH)
			gfp |= GFP_DMA32;
		pages[n] = alloc_page(gfp);
		if (!pages[n])
			continue;
		va = page_address(pages[n]);
		get_random_bytes(pr[n].nonce, sizeof(pr[n].nonce));
		memcpy(va, pr[n].nonce, sizeof(pr[n].nonce));
		pr[n].gpa = page_to_phys(pages[n]);
		n++;
	}
	/* The end of the direct map is where the RAM seen at boot ends. */
	cmd->ram_top = virt_to_phys(high_memory - 1) + 1;
	cmd->probe_count = n;
	ret = n ? dxg_call_status(host, NULL, 0, DXGK_VMBCOMMAND_VERIFYGUESTRAM,
				  cmd, sizeof(*cmd) + n * sizeof(*pr)) : -ENOMEM;
	for (i = 0; i < n; i++)
		__free_page(pages[i]);
	kfree(cmd);
	return ret;
}

/* ---- GPADLs ---- */

static struct dxg_transport *dxg_host_transport(struct dxg_host *host)
{
	return host->ch.transport;
}

static void dxg_gpadl_teardown(struct dxg_host *host, u32 gpadl, void *cookie)
{
	struct dxg_transport *t = dxg_host_transport(host);
	struct dxgkvmb_command_teardowngpadl cmd = { .gpadl = gpadl };

	if (t->ops->gpadl_teardown)
		t->ops->gpadl_teardown(t, gpadl, cookie);
	else if (dxg_host_active(host))	/* a host that went forgot it */
		dxg_call_status(host, NULL, 0, DXGK_VMBCOMMAND_TEARDOWNGPADL,
				&cmd, sizeof(cmd));
}

/* The frame numbers of @n pinned pages, for either way of naming them. */
static void dxg_sysmem_pfns(u64 *pfns, struct page **pages, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		pfns[i] = page_to_pfn(pages[i]);
}

/*
 * Over a transport without GPADLs of its own: ESTABLISHGPADL messages, as
 * many PFNs a message as fit, under a handle of ours.
 */
static int dxg_gpadl_by_messages(struct dxg_host *host, struct page **pages,
				 unsigned long npages, u32 *handle)
{
	const u32 per_msg = DXG_GPADL_PFNS_PER_MSG;
	struct dxgkvmb_command_establishgpadl *cmd;
	unsigned long first;
	u64 *pfns;
	u32 h;
	int ret = 0;

	if (npages > U32_MAX)
		return -EINVAL;
	cmd = kvmalloc(sizeof(*cmd) + per_msg * sizeof(u64), GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	pfns = (u64 *)(cmd + 1);
	do {
		h = (u32)atomic_inc_return(&host->next_gpadl);
	} while (!h);
	for (first = 0; first < npages && !ret; first += per_msg) {
		u32 n = min_t(unsigned long, per_msg, npages - first);

		memset(cmd, 0, sizeof(*cmd));
		cmd->gpadl = h;
		cmd->total_pages = npages;
		cmd->first_page = first;
		cmd->num_pages = n;
		dxg_sysmem_pfns(pfns, pages + first, n);
		ret = dxg_call_status(host, NULL, 0,
				      DXGK_VMBCOMMAND_ESTABLISHGPADL, cmd,
				      sizeof(*cmd) + n * sizeof(u64));
		if (ret > 0)	/* no pending status for this command */
			ret = -EPROTO;
	}
	kvfree(cmd);
	/* A GPADL the host made in part goes again. */
	if (ret && first > per_msg)
		dxg_gpadl_teardown(host, h, NULL);
	if (!ret)
		*handle = h;
	return ret;
}

/* SETEXISTINGSYSMEMSTORE over a new GPADL of the pin's pages. */
static int dxg_sysmem_store(struct dxg_process *p, struct dxg_device *device,
			    struct dxg_allocation *a, struct dxg_sysmem_pin *pin)
{
	struct dxg_host *host = device->adapter->host;
	struct dxg_transport *t = dxg_host_transport(host);
	struct dxgkvmb_command_setexistingsysmemstore cmd = {
		.device = device->handle, .allocation = a->handle,
	};
	int ret;

	ret = t->ops->gpadl_establish ?
	      t->ops->gpadl_establish(t, pin->pages, pin->npages, &pin->gpadl,
				      &pin->gpadl_cookie) :
	      dxg_gpadl_by_messages(host, pin->pages, pin->npages, &pin->gpadl);
	if (ret)
		return ret;
	dxg_host_get(host);
	pin->host = host;
	cmd.gpadl = pin->gpadl;
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_SETEXISTINGSYSMEMSTORE,
			      &cmd, sizeof(cmd), NULL, 0);
	return ret > 0 ? -EPROTO : ret;
}

/* ---- pinning ---- */

static void dxg_sysmem_unpin(struct dxg_sysmem_pin *pin)
{
	/* The host lets go of the pages before they are unpinned. */
	if (pin->host) {
		dxg_gpadl_teardown(pin->host, pin->gpadl, pin->gpadl_cookie);
		dxg_host_put(pin->host);
	}
	unpin_user_pages_dirty_lock(pin->pages, pin->npages, true);
	/* Give the locked-memory charge back unless the address space went. */
	if (mmget_not_zero(pin->mm)) {
		account_locked_vm(pin->mm, pin->accounted, false);
		mmput(pin->mm);
	}
	mmdrop(pin->mm);
	kvfree(pin->pages);
	kfree(pin);
}

static int dxg_sysmem_send(struct dxg_process *p, struct dxg_device *device,
			   struct dxg_allocation *a, struct page **pages,
			   unsigned long npages)
{
	const u32 per_msg = DXG_VMBUS_PFNS_PER_MSG;
	u64 msgs = dxg_vmbus_pagelist_msgs(npages, per_msg), i;
	u32 buf_len = sizeof(struct dxgkvmb_command_setexistingsysmempages) +
		      per_msg * sizeof(u64);
	u64 *pfns;
	void *buf;
	int ret = 0;

	pfns = kvmalloc_array(npages, sizeof(*pfns), GFP_KERNEL);
	buf = kvmalloc(buf_len, GFP_KERNEL);
	if (!pfns || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	dxg_sysmem_pfns(pfns, pages, npages);
	for (i = 0; i < msgs && !ret; i++) {
		int len = dxg_vmbus_build_pagelist_msg(buf, buf_len,
						       device->handle,
						       a->handle, pfns, npages,
						       i, per_msg);

		ret = len < 0 ? len :
		      dxg_device_call(p, device,
				      DXGK_VMBCOMMAND_SETEXISTINGSYSMEMPAGES,
				      buf, len, NULL, 0);
		if (ret > 0)	/* no pending status for this command */
			ret = -EPROTO;
	}
out:
	kvfree(buf);
	kvfree(pfns);
	return ret;
}

int dxg_sysmem_attach(struct dxg_process *p, struct dxg_device *device,
		      struct dxg_allocation *a, struct dxg_resource *res,
		      u64 uaddr)
{
	unsigned long npages = a->size >> PAGE_SHIFT, done = 0;
	struct dxg_sysmem_pin *pin;
	int ret;

	u8 mode = device->adapter->host->sysmem_mode;

	if (mode == DXG_SYSMEM_NONE)
		return -EOPNOTSUPP;
	if (!npages || npages > INT_MAX || uaddr & ~PAGE_MASK ||
	    uaddr + a->size < uaddr || !access_ok(u64_to_user_ptr(uaddr), a->size))
		return -EINVAL;
	pin = kzalloc(sizeof(*pin), GFP_KERNEL);
	if (!pin)
		return -ENOMEM;
	pin->pages = kvmalloc_array(npages, sizeof(*pin->pages), GFP_KERNEL);
	if (!pin->pages) {
		kfree(pin);
		return -ENOMEM;
	}
	ret = account_locked_vm(current->mm, npages, true);
	if (ret) {
		kvfree(pin->pages);
		kfree(pin);
		return ret;
	}
	mmgrab(current->mm);
	pin->mm = current->mm;
	pin->accounted = npages;
	while (done < npages) {
		ret = pin_user_pages_fast(uaddr + (done << PAGE_SHIFT),
					  npages - done,
					  FOLL_WRITE | FOLL_LONGTERM,
					  pin->pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			break;
		}
		done += ret;
		ret = 0;
	}
	pin->npages = done;
	if (!ret && mode == DXG_SYSMEM_GPADL)
		ret = dxg_sysmem_store(p, device, a, pin);
	else if (!ret)
		ret = dxg_sysmem_send(p, device, a, pin->pages, npages);
	if (ret) {
		/* The caller destroys the host's allocation: nothing saw them. */
		dxg_sysmem_unpin(pin);
		return ret;
	}
	pin->alloc = a;
	pin->resource = res;
	pin->device = device;
	mutex_lock(&p->sysmem_lock);
	list_add(&pin->node, &p->sysmem_pins);
	mutex_unlock(&p->sysmem_lock);
	return 0;
}

/* Unpins those of p's pins for which match() says so (NULL: all). */
static void dxg_sysmem_release_if(struct dxg_process *p,
				  bool (*match)(const struct dxg_sysmem_pin *pin,
						const void *arg),
				  const void *arg)
{
	struct dxg_sysmem_pin *pin, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&p->sysmem_lock);
	list_for_each_entry_safe(pin, tmp, &p->sysmem_pins, node)
		if (!match || match(pin, arg))
			list_move(&pin->node, &gone);
	mutex_unlock(&p->sysmem_lock);
	list_for_each_entry_safe(pin, tmp, &gone, node) {
		list_del(&pin->node);
		dxg_sysmem_unpin(pin);
	}
}

static bool dxg_pin_of_alloc(const struct dxg_sysmem_pin *pin, const void *arg)
{
	return pin->alloc == arg;
}

static bool dxg_pin_of_resource(const struct dxg_sysmem_pin *pin,
				const void *arg)
{
	return pin->resource == arg;
}

static bool dxg_pin_of_device(const struct dxg_sysmem_pin *pin,
			      const void *arg)
{
	return pin->device == arg;
}

void dxg_sysmem_release_alloc(struct dxg_process *p,
			      const struct dxg_allocation *a)
{
	dxg_sysmem_release_if(p, dxg_pin_of_alloc, a);
}

void dxg_sysmem_release_resource(struct dxg_process *p,
				 const struct dxg_resource *res)
{
	dxg_sysmem_release_if(p, dxg_pin_of_resource, res);
}

void dxg_sysmem_release_device(struct dxg_process *p,
			       const struct dxg_device *device)
{
	dxg_sysmem_release_if(p, dxg_pin_of_device, device);
}

void dxg_sysmem_release_all(struct dxg_process *p)
{
	dxg_sysmem_release_if(p, NULL, NULL);
}
