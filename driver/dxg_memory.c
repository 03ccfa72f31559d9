// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: allocations and resources, Lock2/Unlock2 CPU mappings, paging
 * queues, residency, GPU virtual addresses and the video memory budget.
 * docs/memory.md is the model; the rules that matter for safety:
 *
 * CPU mappings.  Lock2 maps the allocation's IO-space pages (BAR2 of the
 * transport: the same pages the host uses, zero copy) into the calling
 * process.  The handler registers a one-shot grant {page offset, length,
 * physical address, task} on the process and calls vm_mmap() on the
 * /dev/dxg file itself with that page offset; dxg_mmap() accepts only a
 * pending grant of the calling task with exactly that offset and length, so
 * a user mmap() of /dev/dxg is always refused (-EACCES).  The VMA is
 * VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY: a forked
 * child does not inherit it (it could not own the memory: the allocation
 * belongs to the parent's open file), mremap() is refused, and so is any
 * split of it (dxg_vma_may_split()).  Every grant
 * uses page offsets of the file that are never reused, so
 * unmap_mapping_range() on exactly that range removes the pages from every
 * VMA that could hold them, wherever the process moved or split it.
 *
 * Unmap before free.  Unlock2 (at count zero), DestroyAllocation2,
 * DestroyPagingQueue and DestroyDevice remove the pages (and, in the owning
 * process, the VMA) before the host is told, and the host frees IO space
 * only when told; a user pointer still in use afterwards faults (SIGSEGV,
 * or SIGBUS where the VMA was kept) and can never reach memory that is
 * later given to another allocation, process or VM.  A VMA holds a
 * reference to the file, so the file (and the process's host state) cannot
 * be released while any mapping exists.
 */

#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"

#define DXG_MAX_CMD	(DXG_MAX_VM_BUS_PACKET_SIZE - \
			 sizeof(struct dxgkvmb_command_ext_header))

/* A pending mapping: lives on the Lock2 caller's stack, under grant_lock. */
struct dxg_map_grant {
	struct list_head node;
	struct task_struct *task;
	u64 pgoff;
	u64 npages;
	phys_addr_t phys;
	bool writable;
};

/* ---- object lifetimes ---- */

static void dxg_res_info_release(struct kref *ref)
{
	kvfree(container_of(ref, struct dxg_res_info, ref));
}

void dxg_res_info_put(struct dxg_res_info *info)
{
	if (info)
		kref_put(&info->ref, dxg_res_info_release);
}

/* Sizes are bounded by the caller (each < 128 KiB, count <= 1024). */
struct dxg_res_info *dxg_res_info_alloc(u32 count, u32 runtime_size,
					u32 res_size, u32 total_size)
{
	size_t len = sizeof(struct dxg_res_info) +
		     (size_t)count * (sizeof(d3dkmthandle) + sizeof(u32)) +
		     runtime_size + res_size + total_size;
	struct dxg_res_info *info = kvzalloc(len, GFP_KERNEL);

	if (!info)
		return NULL;
	kref_init(&info->ref);
	info->count = count;
	info->runtime_size = runtime_size;
	info->res_size = res_size;
	info->total_size = total_size;
	info->handles = (d3dkmthandle *)info->data;
	info->priv_sizes = (u32 *)(info->handles + count);
	info->runtime = (u8 *)(info->priv_sizes + count);
	info->res_priv = info->runtime + runtime_size;
	info->alloc_priv = info->res_priv + res_size;
	return info;
}

static void dxg_resource_release(struct kref *ref)
{
	struct dxg_resource *r = container_of(ref, struct dxg_resource, ref);

	dxg_res_info_put(r->info);
	dxg_device_put(r->device);
	kfree(r);
}

void dxg_resource_get(struct dxg_resource *r)
{
	kref_get(&r->ref);
}

void dxg_resource_put(struct dxg_resource *r)
{
	kref_put(&r->ref, dxg_resource_release);
}

static void dxg_allocation_release(struct kref *ref)
{
	struct dxg_allocation *a = container_of(ref, struct dxg_allocation, ref);

	if (a->resource)
		dxg_resource_put(a->resource);
	dxg_device_put(a->device);
	kfree(a);
}

void dxg_allocation_get(struct dxg_allocation *a)
{
	kref_get(&a->ref);
}

void dxg_allocation_put(struct dxg_allocation *a)
{
	kref_put(&a->ref, dxg_allocation_release);
}

static void dxg_pagingqueue_release(struct kref *ref)
{
	struct dxg_pagingqueue *q = container_of(ref, struct dxg_pagingqueue,
						 ref);

	if (q->fence_so)
		dxg_syncobj_put(q->fence_so);
	dxg_device_put(q->device);
	kfree(q);
}

void dxg_pagingqueue_get(struct dxg_pagingqueue *q)
{
	kref_get(&q->ref);
}

void dxg_pagingqueue_put(struct dxg_pagingqueue *q)
{
	kref_put(&q->ref, dxg_pagingqueue_release);
}

/* ---- CPU mappings ---- */

/* Kbuild defines DXG_HAVE_VM_FLAGS_MOD when the kernel has vm_flags_mod(). */
#ifdef DXG_HAVE_VM_FLAGS_MOD
static void dxg_vma_flags(struct vm_area_struct *vma, vm_flags_t set,
			  vm_flags_t clear)
{
	vm_flags_mod(vma, set, clear);
}
#else
static void dxg_vma_flags(struct vm_area_struct *vma, vm_flags_t set,
			  vm_flags_t clear)
{
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
}
#endif

static int dxg_vma_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/*
 * A mapping is one piece, as remap_pfn_range() made it: x86 PAT reserved
 * its memtype for exactly that range and frees it by the range of the VMA
 * being unmapped, so a piece split off (partial munmap, MAP_FIXED or
 * mprotect over part, shrinking mremap) would be freed by a range PAT never
 * reserved ("freeing invalid memtype", once per unmap, unlimited).  So
 * whatever would split it fails instead (EINVAL or ENOMEM, as the kernel
 * reports a failed split); unmapping all of it stays allowed.
 */
static int dxg_vma_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct dxg_vm_ops = {
	.mremap = dxg_vma_mremap,
	.may_split = dxg_vma_may_split,
};

const struct file_operations dxg_map_fops = {
	.owner = THIS_MODULE,
	.mmap = dxg_mmap,
};

int dxg_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct dxg_process *p = f->private_data;
	unsigned long len = vma->vm_end - vma->vm_start;
	struct dxg_map_grant *g, *found = NULL;
	phys_addr_t phys = 0;
	bool writable = false;

	if (!p)		/* the process is gone; only a grant may map */
		return -EACCES;
	spin_lock(&p->grant_lock);
	list_for_each_entry(g, &p->grants, node) {
		if (g->task == current && g->pgoff == vma->vm_pgoff &&
		    g->npages == vma_pages(vma)) {
			found = g;
			phys = g->phys;
			writable = g->writable;
			list_del_init(&g->node);	/* one-shot */
			break;
		}
	}
	spin_unlock(&p->grant_lock);
	if (!found)
		return -EACCES;
	if (!writable && (vma->vm_flags & VM_WRITE))
		return -EACCES;
	dxg_vma_flags(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
		      VM_DONTCOPY, writable ? 0 : VM_MAYWRITE);
	vma->vm_ops = &dxg_vm_ops;
	/* BAR2 is RAM in the VM, mapped write-back by the transport too. */
	return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(phys), len,
			       vma->vm_page_prot);
}

/* Map len bytes of IO space at io_offset into the calling process. */
int dxg_cpu_map_create(struct dxg_process *p, struct dxg_host *host,
		       struct dxg_cpu_map *m, u64 io_offset, u64 len,
		       bool writable)
{
	struct dxg_transport *t = host->ch.transport;
	struct dxg_map_grant g = { .task = current, .writable = writable };
	unsigned long va;
	int ret;

	if (!current->mm || !t->ops->io_space_phys)
		return -ENODEV;
	/*
	 * Under maps_lock until the mapping is on the host's list: a
	 * revocation (the transport going away) either comes first, and we
	 * map nothing, or after, and removes this mapping too.
	 */
	mutex_lock(&host->maps_lock);
	ret = host->maps_revoked ? -ENODEV :
	      t->ops->io_space_phys(t, io_offset, len, &g.phys);
	if (ret)
		goto out;
	g.npages = len >> PAGE_SHIFT;
	g.pgoff = dxg_registry_map_pgoff(g.npages);
	if (!g.pgoff) {
		ret = -ENOSPC;
		goto out;
	}
	spin_lock(&p->grant_lock);
	list_add_tail(&g.node, &p->grants);
	spin_unlock(&p->grant_lock);

	va = vm_mmap(p->map_file, 0, len,
		     writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
		     g.pgoff << PAGE_SHIFT);

	spin_lock(&p->grant_lock);
	list_del(&g.node);	/* harmless when dxg_mmap() consumed it */
	spin_unlock(&p->grant_lock);
	if (IS_ERR_VALUE(va)) {
		ret = (int)va;
		goto out;
	}
	m->va = va;
	m->pgoff = g.pgoff;
	m->len = len;
	m->refs = 1;
	m->host = host;
	m->mapping = p->map_file->f_mapping;
	list_add_tail(&m->node, &host->maps);
out:
	mutex_unlock(&host->maps_lock);
	return ret;
}

int dxg_fence_map_create(struct dxg_process *p, struct dxg_host *host,
			 struct dxg_cpu_map *m, u64 address, u64 offset,
			 u64 *cpu_va)
{
	u64 page, in_page;
	int ret;

	/* A Windows host may place fences inside a page (protocol.md D11). */
	ret = dxg_reply_fence_storage(address, offset, PAGE_SIZE, &page,
				      &in_page);
	if (!ret)
		ret = dxg_cpu_map_create(p, host, m, page, PAGE_SIZE, false);
	if (!ret)
		*cpu_va = m->va + in_page;
	return ret;
}

static void dxg_cpu_map_zap(const struct dxg_cpu_map *m)
{
	unmap_mapping_range(m->mapping, (loff_t)m->pgoff << PAGE_SHIFT, m->len, 1);
}

/*
 * A process is being torn down: its objects are released without
 * unmapping one by one (the whole file is zapped instead), so take its
 * mappings off the host's list first; none may stay there once the
 * objects holding them are freed.
 */
void dxg_host_forget_maps(struct dxg_host *host, struct address_space *mapping)
{
	struct dxg_cpu_map *m, *tmp;

	mutex_lock(&host->maps_lock);
	list_for_each_entry_safe(m, tmp, &host->maps, node)
		if (m->mapping == mapping)
			list_del_init(&m->node);
	mutex_unlock(&host->maps_lock);
}

/*
 * The transport's memory is going away (hot-unplug): remove the pages of
 * every mapping of it from every process, so that no process keeps a
 * pointer to physical memory that may be given to another device.  The
 * VMAs stay until their objects are destroyed; touching one faults.
 */
void dxg_host_revoke_maps(struct dxg_host *host)
{
	struct dxg_cpu_map *m;

	mutex_lock(&host->maps_lock);
	host->maps_revoked = true;
	list_for_each_entry(m, &host->maps, node)
		dxg_cpu_map_zap(m);
	mutex_unlock(&host->maps_lock);
}

/*
 * Remove the mapping's pages from every VMA that maps them, then, in the
 * owning process, the VMA itself if it is still where we put it.
 */
void dxg_cpu_map_destroy(struct dxg_process *p, struct dxg_cpu_map *m)
{
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	bool ours = false;

	if (!m->len)
		return;
	mutex_lock(&m->host->maps_lock);
	list_del_init(&m->node);	/* may be off the list already */
	mutex_unlock(&m->host->maps_lock);
	dxg_cpu_map_zap(m);
	mm = current->mm;
	if (mm && task_tgid(current) == p->tgid) {
		mmap_read_lock(mm);
		vma = vma_lookup(mm, m->va);
		ours = vma && vma->vm_start == m->va &&
		       vma->vm_end - vma->vm_start == m->len &&
		       vma->vm_file == p->map_file && vma->vm_pgoff == m->pgoff;
		mmap_read_unlock(mm);
		if (ours)
			vm_munmap(m->va, m->len);
	}
	m->va = 0;
	m->len = 0;
	m->refs = 0;
	m->host = NULL;
	m->mapping = NULL;
}

/* ---- helpers ---- */

/* Look up a device and hold it (read) for a host round trip. */
struct dxg_device *dxg_device_begin(struct dxg_process *p, d3dkmthandle h)
{
	struct dxg_device *device = dxg_handle_get(&p->handles, DXG_OBJ_DEVICE,
						   h);

	if (!device)
		return ERR_PTR(-EINVAL);
	down_read(&device->lock);
	if (device->destroyed) {
		up_read(&device->lock);
		dxg_device_put(device);
		return ERR_PTR(-EINVAL);
	}
	return device;
}

void dxg_device_end(struct dxg_device *device)
{
	up_read(&device->lock);
	dxg_device_put(device);
}

/* A command for the device's adapter, on behalf of p (device held). */
int dxg_device_call(struct dxg_process *p, struct dxg_device *device,
		    u32 type, void *cmd, u32 len, void *reply, u32 reply_len)
{
	struct dxg_adapter *a = device->adapter;
	d3dkmthandle proc;
	int ret;

	if (!dxg_adapter_usable(a))
		return -ENODEV;
	ret = dxg_process_host_handle(p, a->host, &proc);
	if (ret)
		return ret;
	if (!reply)
		return dxg_call_status(a->host, a, proc, type, cmd, len);
	return dxg_call(a->host, a, proc, type, cmd, len, reply, reply_len);
}

/* Copy `count` handles in from user space (count already bounded). */
d3dkmthandle *dxg_copy_handles(u64 uptr, u32 count)
{
	d3dkmthandle *h = kvmalloc_array(count, sizeof(*h), GFP_KERNEL);

	if (!h)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(h, u64_to_user_ptr(uptr), count * sizeof(*h))) {
		kvfree(h);
		return ERR_PTR(-EFAULT);
	}
	return h;
}

/* Each handle an allocation of device, no duplicates (the host checks too). */
int dxg_check_allocs(struct dxg_process *p, struct dxg_device *device,
		     const d3dkmthandle *h, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		struct dxg_allocation *a;
		bool ok;

		a = dxg_handle_get(&p->handles, DXG_OBJ_ALLOCATION, h[i]);
		if (!a)
			return -EINVAL;
		ok = a->device == device;
		dxg_allocation_put(a);
		if (!ok)
			return -EINVAL;
	}
	return 0;
}

/* Copy @count allocation handles from user space; each must be @device's. */
static d3dkmthandle *dxg_copy_device_allocs(struct dxg_process *p,
					    struct dxg_device *device,
					    u64 uptr, u32 count)
{
	d3dkmthandle *h = dxg_copy_handles(uptr, count);
	int ret;

	if (IS_ERR(h))
		return h;
	ret = dxg_check_allocs(p, device, h, count);
	if (ret) {
		kvfree(h);
		return ERR_PTR(ret);
	}
	return h;
}

/* Tell the host to destroy a resource or a list of allocations. */
int dxg_destroy_allocs_on_host(struct dxg_process *p, struct dxg_device *device,
			       d3dkmthandle resource, const d3dkmthandle *h,
			       u32 count)
{
	struct dxgkvmb_command_destroyallocation *cmd;
	u32 len = sizeof(*cmd) + count * sizeof(*h);
	int ret;

	cmd = kvzalloc(len, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	cmd->device = device->handle;
	cmd->resource = resource;
	cmd->alloc_count = count;
	cmd->flags = D3DDDICB_DESTROYALLOCATION2_FLAG_ASSUME_NOT_IN_USE;
	if (count)
		memcpy(cmd + 1, h, count * sizeof(*h));
	ret = dxg_destroy_on_host(p, device->adapter,
				  DXGK_VMBCOMMAND_DESTROYALLOCATION, cmd, len);
	kvfree(cmd);
	return ret;
}

/* The allocation is unpublished: no Lock2 can map it again. */
static void dxg_allocation_unmap(struct dxg_process *p,
				 struct dxg_allocation *a)
{
	mutex_lock(&a->lock);
	a->destroyed = true;
	dxg_cpu_map_destroy(p, &a->map);
	mutex_unlock(&a->lock);
}

/* ---- CreateAllocation ---- */

#define DXG_ALLOC_UNSUPPORTED (D3DKMT_CREATEALLOCATION_FLAG_CROSS_ADAPTER | \
	D3DKMT_CREATEALLOCATION_FLAG_OPEN_CROSS_ADAPTER | \
	D3DKMT_CREATEALLOCATION_FLAG_STANDARD_ALLOCATION)
#define DXG_ALLOC_INVALID (D3DKMT_CREATEALLOCATION_FLAG_CREATE_PROTECTED | \
	D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SECTION)
/* A shared resource: NT-handle sharing only (dxg_share.c). */
#define DXG_ALLOC_SHARED (D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED | \
	D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING)

struct dxg_ca {
	struct d3dkmt_createallocation *args;
	struct d3dddi_allocationinfo2 *info;	/* user's array, copied */
	u32 n;
	u64 priv_total;				/* per-allocation data */
	struct dxgkvmb_command_createallocation *cmd;
	u32 cmd_len;
	struct dxgkvmb_command_createallocation_ret *reply;
	u32 reply_len;
	struct dxg_resource *res;		/* existing or new */
	bool new_res;
	bool sysmem;				/* existing sysmem (user pages) */
	struct dxg_allocation **allocs;
};

/* Build the command from the user's buffers (sizes checked by the caller). */
static int dxg_ca_build(struct dxg_ca *ca)
{
	struct d3dkmt_createallocation *args = ca->args;
	struct dxgkvmb_command_createallocation_allocinfo *ai;
	u8 *pos;
	u32 i;

	ca->cmd = kvzalloc(ca->cmd_len, GFP_KERNEL);
	ca->reply = kvzalloc(ca->reply_len, GFP_KERNEL);
	if (!ca->cmd || !ca->reply)
		return -ENOMEM;
	ca->cmd->device = args->device;
	ca->cmd->resource = ca->new_res ? 0 : args->resource;
	ca->cmd->private_runtime_data_size = args->private_runtime_data_size;
	ca->cmd->priv_drv_data_size = args->priv_drv_data_size;
	ca->cmd->alloc_count = ca->n;
	ca->cmd->flags = args->flags.value;
	ca->cmd->private_runtime_resource_handle =
		args->private_runtime_resource_handle;
	ai = (void *)(ca->cmd + 1);
	for (i = 0; i < ca->n; i++) {
		ai[i].flags = ca->info[i].flags;
		ai[i].priv_drv_data_size = ca->info[i].priv_drv_data_size;
		ai[i].vidpn_source_id = ca->info[i].vidpn_source_id;
	}
	pos = (u8 *)&ai[ca->n];
	if (copy_from_user(pos, u64_to_user_ptr(args->private_runtime_data),
			   args->private_runtime_data_size))
		return -EFAULT;
	pos += args->private_runtime_data_size;
	if (copy_from_user(pos, u64_to_user_ptr(args->priv_drv_data),
			   args->priv_drv_data_size))
		return -EFAULT;
	pos += args->priv_drv_data_size;
	for (i = 0; i < ca->n; i++) {
		u32 sz = ca->info[i].priv_drv_data_size;

		if (copy_from_user(pos, u64_to_user_ptr(ca->info[i].priv_drv_data),
				   sz))
			return -EFAULT;
		pos += sz;
	}
	return 0;
}

/* Check the host's reply, make the local objects, copy results out. */
static int dxg_ca_finish(struct dxg_process *p, struct dxg_device *device,
			 struct dxg_ca *ca)
{
	struct dxgkvmb_command_allocinfo_return *ai = (void *)(ca->reply + 1);
	struct d3dddi_allocationinfo2 __user *uinfo =
		u64_to_user_ptr(ca->args->allocation_info);
	const u8 *priv = (const u8 *)&ai[ca->n];
	u32 i;

	/*
	 * A Windows host fails the create with the whole reply zeroed: an
	 * ordinary failure (D4a).  Some handles 0 and others not is a
	 * protocol error.
	 */
	if (!ai[0].allocation && (!ca->new_res || !ca->reply->resource))
		return dxg_reply_new_handle(0, 0);
	if (ca->new_res) {
		if (!ca->reply->resource)
			return -EPROTO;
		ca->res->handle = ca->reply->resource;
	}
	for (i = 0; i < ca->n; i++) {
		struct dxgkvmb_command_allocinfo_return r;
		struct dxg_allocation *a = ca->allocs[i];

		memcpy(&r, &ai[i], sizeof(r));
		if (!r.allocation || !r.allocation_size ||
		    r.allocation_size & ~PAGE_MASK ||
		    r.priv_drv_data_size != ca->info[i].priv_drv_data_size)
			return -EPROTO;
		a->handle = r.allocation;
		a->size = r.allocation_size;
		if (ca->res && ca->res->info) {
			struct dxg_res_info *info = ca->res->info;

			info->handles[i] = r.allocation;
			info->priv_sizes[i] = r.priv_drv_data_size;
			memcpy(info->alloc_priv + (priv - (const u8 *)&ai[ca->n]),
			       priv, r.priv_drv_data_size);
		}
		if (r.priv_drv_data_size &&
		    copy_to_user(u64_to_user_ptr(ca->info[i].priv_drv_data),
				 priv, r.priv_drv_data_size))
			return -EFAULT;
		priv += r.priv_drv_data_size;
		if (put_user(r.allocation, &uinfo[i].allocation))
			return -EFAULT;
	}
	return 0;
}

/* Publish the resource and the allocations; all or nothing. */
int dxg_publish_allocs(struct dxg_process *p, struct dxg_resource *res,
		       struct dxg_allocation **allocs, u32 n)
{
	u32 i;
	int ret;

	if (res) {
		ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_RESOURCE,
					     res, res->handle);
		if (ret)
			return ret;
	}
	for (i = 0; i < n; i++) {
		ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_ALLOCATION,
					     allocs[i], allocs[i]->handle);
		if (ret)
			goto undo;
	}
	return 0;
undo:
	while (i--)
		dxg_allocation_put(dxg_handle_remove(&p->handles,
						     DXG_OBJ_ALLOCATION,
						     allocs[i]->handle));
	if (res)
		dxg_resource_put(dxg_handle_remove(&p->handles, DXG_OBJ_RESOURCE,
						   res->handle));
	return ret;
}

static int dxg_ca_check(struct dxg_ca *ca)
{
	struct d3dkmt_createallocation *args = ca->args;
	u64 cmd_len, reply_len;
	u32 i;

	if (args->private_runtime_data_size >= DXG_MAX_PRIVATE_DATA ||
	    args->priv_drv_data_size >= DXG_MAX_PRIVATE_DATA)
		return -EINVAL;
	ca->priv_total = 0;
	for (i = 0; i < ca->n; i++) {
		/* User memory: all allocations or none, whole pages (§2.10). */
		if (!!ca->info[i].sysmem != ca->sysmem ||
		    (ca->info[i].sysmem & ~PAGE_MASK))
			return -EINVAL;
		if (ca->info[i].priv_drv_data_size >= DXG_MAX_PRIVATE_DATA)
			return -EINVAL;
		ca->priv_total += ca->info[i].priv_drv_data_size;
		if (ca->priv_total >= DXG_MAX_PRIVATE_DATA)
			return -EINVAL;
	}
	cmd_len = sizeof(*ca->cmd) +
		  (u64)ca->n * sizeof(struct dxgkvmb_command_createallocation_allocinfo) +
		  args->private_runtime_data_size + args->priv_drv_data_size +
		  ca->priv_total;
	reply_len = sizeof(*ca->reply) +
		    (u64)ca->n * sizeof(struct dxgkvmb_command_allocinfo_return) +
		    ca->priv_total;
	if (cmd_len > DXG_MAX_CMD || reply_len > DXG_MAX_VM_BUS_PACKET_SIZE)
		return -EINVAL;
	ca->cmd_len = cmd_len;
	ca->reply_len = reply_len;
	return 0;
}

int dxg_ioctl_create_allocation(struct dxg_process *p, void *arg)
{
	struct d3dkmt_createallocation *args = arg;
	struct dxg_ca ca = { .args = args, .n = args->alloc_count,
		.sysmem = args->flags.value &
			  D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM };
	bool create_res = args->flags.value &
			  D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE;
	struct dxg_device *device;
	bool on_host = false;
	u32 i;
	int ret;

	if (!ca.n || ca.n > DXG_MAX_ALLOCS ||
	    (args->flags.value & DXG_ALLOC_INVALID) ||
	    (create_res && args->resource))
		return -EINVAL;
	if (args->flags.value & DXG_ALLOC_UNSUPPORTED)
		return -EOPNOTSUPP;
	/* Shared: a new resource, shared through NT handles only. */
	if ((args->flags.value & DXG_ALLOC_SHARED) &&
	    ((args->flags.value & DXG_ALLOC_SHARED) != DXG_ALLOC_SHARED ||
	     !create_res))
		return -EINVAL;
	/* Guest pages are one process's: never shared. */
	if (ca.sysmem && (args->flags.value & DXG_ALLOC_SHARED))
		return -EINVAL;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	/* The documented fallback: no host mapping, no user memory. */
	if (ca.sysmem && device->adapter->host->sysmem_mode == DXG_SYSMEM_NONE) {
		dxg_device_end(device);
		return -EOPNOTSUPP;
	}

	ca.info = kvmalloc_array(ca.n, sizeof(*ca.info), GFP_KERNEL);
	ca.allocs = kvcalloc(ca.n, sizeof(*ca.allocs), GFP_KERNEL);
	if (!ca.info || !ca.allocs) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user(ca.info, u64_to_user_ptr(args->allocation_info),
			   ca.n * sizeof(*ca.info))) {
		ret = -EFAULT;
		goto out;
	}
	ret = dxg_ca_check(&ca);
	if (ret)
		goto out;

	if (create_res) {
		ca.res = kzalloc(sizeof(*ca.res), GFP_KERNEL);
		if (!ca.res) {
			ret = -ENOMEM;
			goto out;
		}
		kref_init(&ca.res->ref);
		dxg_device_get(device);
		ca.res->device = device;
		ca.new_res = true;
		if (args->flags.value & DXG_ALLOC_SHARED) {
			ca.res->info = dxg_res_info_alloc(ca.n,
							  args->private_runtime_data_size,
							  args->priv_drv_data_size,
							  (u32)ca.priv_total);
			if (!ca.res->info) {
				ret = -ENOMEM;
				goto out;
			}
		}
	} else if (args->resource) {
		ca.res = dxg_handle_get(&p->handles, DXG_OBJ_RESOURCE,
					args->resource);
		/* A shared resource's allocations are fixed at creation. */
		if (!ca.res || ca.res->device != device || ca.res->info) {
			ret = -EINVAL;
			goto out;
		}
	}
	for (i = 0; i < ca.n; i++) {
		struct dxg_allocation *a = kzalloc(sizeof(*a), GFP_KERNEL);

		if (!a) {
			ret = -ENOMEM;
			goto out;
		}
		kref_init(&a->ref);
		mutex_init(&a->lock);
		dxg_device_get(device);
		a->device = device;
		if (ca.res) {
			dxg_resource_get(ca.res);
			a->resource = ca.res;
		}
		ca.allocs[i] = a;
	}
	ret = dxg_ca_build(&ca);
	if (ret)
		goto out;
	if (ca.new_res && ca.res->info) {
		/* What opens of it return: as the creator passed it. */
		const u8 *pos = (const u8 *)ca.cmd + sizeof(*ca.cmd) +
			ca.n * sizeof(struct dxgkvmb_command_createallocation_allocinfo);

		memcpy(ca.res->info->runtime, pos, ca.res->info->runtime_size);
		memcpy(ca.res->info->res_priv, pos + ca.res->info->runtime_size,
		       ca.res->info->res_size);
	}

	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_CREATEALLOCATION,
			      ca.cmd, ca.cmd_len, ca.reply, ca.reply_len);
	if (ret)
		goto out;
	on_host = true;
	ret = dxg_ca_finish(p, device, &ca);
	/* The pages, before anyone can name the allocations. */
	for (i = 0; !ret && ca.sysmem && i < ca.n; i++)
		ret = dxg_sysmem_attach(p, device, ca.allocs[i], ca.res,
					ca.info[i].sysmem);
	if (!ret)
		ret = dxg_publish_allocs(p, ca.new_res ? ca.res : NULL,
					 ca.allocs, ca.n);
	if (!ret && ca.new_res)
		args->resource = ca.res->handle;
out:
	if (ret && on_host) {
		/* Roll the host back: nothing half-built survives. */
		if (ca.new_res && ca.reply->resource) {
			dxg_destroy_allocs_on_host(p, device, ca.reply->resource,
						   NULL, 0);
		} else {
			d3dkmthandle *h = kvmalloc_array(ca.n, sizeof(*h),
							 GFP_KERNEL);
			u32 k = 0;

			for (i = 0; h && i < ca.n; i++) {
				struct dxgkvmb_command_allocinfo_return r;

				memcpy(&r, (u8 *)(ca.reply + 1) + i * sizeof(r),
				       sizeof(r));
				if (r.allocation)
					h[k++] = r.allocation;
			}
			if (k)
				dxg_destroy_allocs_on_host(p, device, 0, h, k);
			kvfree(h);
		}
		/* The host dropped them (or is gone): their pages go. */
		for (i = 0; ca.sysmem && i < ca.n; i++)
			if (ca.allocs[i])
				dxg_sysmem_release_alloc(p, ca.allocs[i]);
	}
	for (i = 0; ca.allocs && i < ca.n; i++)
		if (ca.allocs[i])
			dxg_allocation_put(ca.allocs[i]);
	if (ca.res)
		dxg_resource_put(ca.res);
	kvfree(ca.allocs);
	kvfree(ca.info);
	kvfree(ca.cmd);
	kvfree(ca.reply);
	dxg_device_end(device);
	return ret;
}

/* ---- DestroyAllocation2 ---- */

static bool dxg_alloc_in_resource(void *obj, const void *arg)
{
	return ((struct dxg_allocation *)obj)->resource == arg;
}

static bool dxg_alloc_of_device(void *obj, const void *arg)
{
	return ((struct dxg_allocation *)obj)->device == arg;
}

static bool dxg_res_of_device(void *obj, const void *arg)
{
	return ((struct dxg_resource *)obj)->device == arg;
}

static bool dxg_pq_of_device(void *obj, const void *arg)
{
	return ((struct dxg_pagingqueue *)obj)->device == arg;
}

#define DXG_REAP_BATCH	64

/* Unpublish, unmap and drop every allocation of a resource or device. */
static void dxg_reap_allocs(struct dxg_process *p,
			    bool (*match)(void *obj, const void *arg),
			    const void *arg)
{
	void *batch[DXG_REAP_BATCH];
	unsigned int n, i;

	do {
		n = dxg_handle_remove_matching(&p->handles, DXG_OBJ_ALLOCATION,
					       match, arg, batch,
					       ARRAY_SIZE(batch));
		for (i = 0; i < n; i++) {
			dxg_allocation_unmap(p, batch[i]);
			dxg_allocation_put(batch[i]);
		}
	} while (n == ARRAY_SIZE(batch));
}

void dxg_memory_device_destroyed(struct dxg_process *p,
				 struct dxg_device *device)
{
	void *batch[DXG_REAP_BATCH];
	unsigned int n, i;

	dxg_reap_allocs(p, dxg_alloc_of_device, device);
	do {
		n = dxg_handle_remove_matching(&p->handles, DXG_OBJ_RESOURCE,
					       dxg_res_of_device, device, batch,
					       ARRAY_SIZE(batch));
		for (i = 0; i < n; i++)
			dxg_resource_put(batch[i]);
	} while (n == ARRAY_SIZE(batch));
	do {
		n = dxg_handle_remove_matching(&p->handles, DXG_OBJ_PAGINGQUEUE,
					       dxg_pq_of_device, device, batch,
					       ARRAY_SIZE(batch));
		for (i = 0; i < n; i++) {
			struct dxg_pagingqueue *q = batch[i];

			dxg_cpu_map_destroy(p, &q->fence);
			if (q->fence_so)
				dxg_queue_fence_drop(p, q->fence_so);
			dxg_pagingqueue_put(q);
		}
	} while (n == ARRAY_SIZE(batch));
}

int dxg_ioctl_destroy_allocation2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_destroyallocation2 *args = arg;
	struct dxg_allocation **allocs = NULL;
	struct dxg_resource *res = NULL;
	struct dxg_device *device;
	d3dkmthandle *h = NULL;
	u32 n = args->alloc_count, i, j;
	int ret;

	if ((args->resource && n) || (!args->resource && !n) ||
	    n > DXG_MAX_ALLOCS)
		return -EINVAL;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);

	if (args->resource) {
		res = dxg_handle_get(&p->handles, DXG_OBJ_RESOURCE,
				     args->resource);
		if (!res || res->device != device) {
			/* Another device's resource: drop the lookup's reference. */
			if (res)
				dxg_resource_put(res);
			ret = -EINVAL;
			goto out;
		}
		dxg_resource_put(res);
		res = dxg_handle_remove(&p->handles, DXG_OBJ_RESOURCE,
					args->resource);
		if (!res) {
			ret = -EINVAL;
			goto out;
		}
		dxg_reap_allocs(p, dxg_alloc_in_resource, res);
		ret = dxg_destroy_allocs_on_host(p, device, res->handle, NULL, 0);
		if (!ret)
			dxg_sysmem_release_resource(p, res);
		dxg_resource_put(res);
		goto out;
	}

	h = dxg_copy_handles(args->allocations, n);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
		h = NULL;
		goto out;
	}
	ret = dxg_check_allocs(p, device, h, n);
	for (i = 0; !ret && i < n; i++)
		for (j = 0; j < i; j++)
			if (h[i] == h[j])
				ret = -EINVAL;
	if (ret)
		goto out;
	allocs = kvcalloc(n, sizeof(*allocs), GFP_KERNEL);
	if (!allocs) {
		ret = -ENOMEM;
		goto out;
	}
	/* Unpublish all (a concurrent destroy may win some), then unmap. */
	for (i = 0, j = 0; i < n; i++) {
		allocs[j] = dxg_handle_remove(&p->handles, DXG_OBJ_ALLOCATION,
					      h[i]);
		if (allocs[j])
			h[j++] = h[i];
		else
			ret = -EINVAL;
	}
	for (i = 0; i < j; i++)
		dxg_allocation_unmap(p, allocs[i]);
	if (j) {
		int r = dxg_destroy_allocs_on_host(p, device, 0, h, j);

		for (i = 0; !r && i < j; i++)
			dxg_sysmem_release_alloc(p, allocs[i]);
		if (!ret)
			ret = r;
	}
	for (i = 0; i < j; i++)
		dxg_allocation_put(allocs[i]);
out:
	kvfree(allocs);
	kvfree(h);
	dxg_device_end(device);
	return ret;
}

/* ---- Lock2 / Unlock2 ---- */

static struct dxg_allocation *dxg_alloc_begin(struct dxg_process *p,
					      d3dkmthandle dev, d3dkmthandle h,
					      struct dxg_device **out)
{
	struct dxg_device *device = dxg_device_begin(p, dev);
	struct dxg_allocation *a;

	if (IS_ERR(device))
		return ERR_CAST(device);
	a = dxg_handle_get(&p->handles, DXG_OBJ_ALLOCATION, h);
	if (!a || a->device != device) {
		if (a)
			dxg_allocation_put(a);
		dxg_device_end(device);
		return ERR_PTR(-EINVAL);
	}
	*out = device;
	return a;
}

int dxg_ioctl_lock2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_lock2 *args = arg;
	struct dxgkvmb_command_lock2 cmd = { .args = *args };
	struct dxgkvmb_command_unlock2 undo = { };
	struct dxgkvmb_command_lock2_ret r = { 0 };
	struct dxg_device *device;
	struct dxg_allocation *a;
	int ret;

	a = dxg_alloc_begin(p, args->device, args->allocation, &device);
	if (IS_ERR(a))
		return PTR_ERR(a);
	mutex_lock(&a->lock);
	if (a->destroyed) {
		ret = -EINVAL;
		goto out;
	}
	if (a->map.len) {
		/* Mapped already: the same address, one more reference. */
		if (a->map.refs == U32_MAX) {
			ret = -EINVAL;
			goto out;
		}
		a->map.refs++;
		args->data = a->map.va;
		ret = 0;
		goto out;
	}
	cmd.args.data = 0;
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_LOCK2, &cmd,
			      sizeof(cmd), &r, sizeof(r));
	if (!ret && r.status < 0)
		ret = dxg_ntstatus_to_errno(r.status);
	if (ret)
		goto out;
	ret = dxg_cpu_map_create(p, device->adapter->host, &a->map,
				 r.cpu_visible_buffer_offset, a->size, true);
	if (ret) {
		undo.args.device = args->device;
		undo.args.allocation = args->allocation;
		dxg_device_call(p, device, DXGK_VMBCOMMAND_UNLOCK2, &undo,
				sizeof(undo), NULL, 0);
		goto out;
	}
	args->data = a->map.va;
out:
	mutex_unlock(&a->lock);
	dxg_allocation_put(a);
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_unlock2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_unlock2 *args = arg;
	struct dxgkvmb_command_unlock2 cmd = { .args = *args };
	struct dxg_device *device;
	struct dxg_allocation *a;
	int ret = 0;

	a = dxg_alloc_begin(p, args->device, args->allocation, &device);
	if (IS_ERR(a))
		return PTR_ERR(a);
	mutex_lock(&a->lock);
	if (a->destroyed || !a->map.len) {
		ret = -EINVAL;
		goto out;
	}
	if (--a->map.refs)
		goto out;
	dxg_cpu_map_destroy(p, &a->map);
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_UNLOCK2, &cmd,
			      sizeof(cmd), NULL, 0);
out:
	mutex_unlock(&a->lock);
	dxg_allocation_put(a);
	dxg_device_end(device);
	return ret;
}

/* ---- paging queues and residency ---- */

/*
 * The queue's paging fence, when the host names one (a Windows host does,
 * dxghost too; protocol.md D12): a monitored fence of the device on the
 * same page, published so that the waits on the paging fence value that
 * MakeResident and MapGpuVirtualAddress return work like any fence's.  It
 * goes with the queue (DestroySynchronizationObject refuses it).
 */
static int dxg_pagingqueue_fence(struct dxg_process *p,
				 struct dxg_device *device,
				 struct dxg_pagingqueue *q,
				 const struct dxgkvmb_command_createpagingqueue_ret *r)
{
	struct dxg_syncobj *so;
	u64 cpu_va;
	int ret;

	if (!r->sync_object)
		return 0;		/* an older dxghost: no fence object */
	ret = dxg_reply_new_handle(r->sync_object, 0);
	if (ret)
		return ret;
	so = dxg_queue_fence_make(p, device, r->sync_object,
				  r->fence_storage_physical_address,
				  r->fence_storage_offset, 0, &cpu_va);
	if (IS_ERR(so))
		return PTR_ERR(so);
	ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_SYNCOBJECT, so,
				     so->handle);
	if (ret) {
		dxg_cpu_map_destroy(p, &so->fence);
		dxg_syncobj_put(so);
		return ret;
	}
	q->fence_so = so;	/* the table holds a reference of its own */
	return 0;
}

int dxg_ioctl_create_paging_queue(struct dxg_process *p, void *arg)
{
	struct d3dkmt_createpagingqueue *args = arg;
	struct dxgkvmb_command_createpagingqueue cmd = { .args = *args };
	struct dxgkvmb_command_createpagingqueue_ret r = { 0 };
	struct dxgkvmb_command_destroypagingqueue undo = { };
	struct dxg_pagingqueue *q;
	struct dxg_device *device;
	u64 fence_va = 0;
	int ret;

	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q) {
		ret = -ENOMEM;
		goto out;
	}
	kref_init(&q->ref);
	dxg_device_get(device);
	q->device = device;
	cmd.args.paging_queue = 0;
	cmd.args.sync_object = 0;
	cmd.args.fence_cpu_virtual_address = 0;
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE,
			      &cmd, sizeof(cmd), &r, sizeof(r));
	if (!ret)
		ret = dxg_reply_new_handle(r.paging_queue, 0);
	if (ret)
		goto out_put;
	q->handle = r.paging_queue;
	/*
	 * The paging fence page, read-only (the host writes it): the fence
	 * object's mapping, or the queue's own when the host names no object.
	 */
	ret = dxg_pagingqueue_fence(p, device, q, &r);
	if (!ret && q->fence_so)
		fence_va = q->fence_so->fence_cpu_va;
	else if (!ret)
		ret = dxg_fence_map_create(p, device->adapter->host, &q->fence,
					   r.fence_storage_physical_address,
					   r.fence_storage_offset, &fence_va);
	if (!ret) {
		ret = dxg_handle_insert_host(&p->handles, p,
					     DXG_OBJ_PAGINGQUEUE, q, q->handle);
		if (ret && q->fence_so)
			dxg_queue_fence_drop(p, q->fence_so);
		if (ret)
			dxg_cpu_map_destroy(p, &q->fence);
	}
	if (ret) {
		undo.paging_queue = r.paging_queue;
		dxg_device_call(p, device, DXGK_VMBCOMMAND_DESTROYPAGINGQUEUE,
				&undo, sizeof(undo), NULL, 0);
		goto out_put;
	}
	args->paging_queue = r.paging_queue;
	args->sync_object = r.sync_object;
	args->fence_cpu_virtual_address = fence_va;
out_put:
	dxg_pagingqueue_put(q);
out:
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_destroy_paging_queue(struct dxg_process *p, void *arg)
{
	struct d3dddi_destroypagingqueue *args = arg;
	struct dxgkvmb_command_destroypagingqueue cmd = {
		.paging_queue = args->paging_queue,
	};
	struct dxg_pagingqueue *q;
	struct dxg_device *device;
	int ret = 0;

	q = dxg_handle_remove(&p->handles, DXG_OBJ_PAGINGQUEUE,
			      args->paging_queue);
	if (!q)
		return -EINVAL;
	dxg_cpu_map_destroy(p, &q->fence);
	if (q->fence_so)
		dxg_queue_fence_drop(p, q->fence_so);
	device = q->device;
	down_read(&device->lock);
	if (!device->destroyed)
		ret = dxg_destroy_on_host(p, device->adapter,
					  DXGK_VMBCOMMAND_DESTROYPAGINGQUEUE,
					  &cmd, sizeof(cmd));
	up_read(&device->lock);
	dxg_pagingqueue_put(q);
	return ret;
}

/* The device of a paging queue handle, held as by dxg_device_begin(). */
struct dxg_device *dxg_pq_device_begin(struct dxg_process *p, d3dkmthandle h)
{
	struct dxg_pagingqueue *q = dxg_handle_get(&p->handles,
						   DXG_OBJ_PAGINGQUEUE, h);
	struct dxg_device *device;

	if (!q)
		return ERR_PTR(-EINVAL);
	device = dxg_device_begin(p, q->device->handle);
	if (!IS_ERR(device) && device != q->device) {
		dxg_device_end(device);
		device = ERR_PTR(-EINVAL);
	}
	dxg_pagingqueue_put(q);
	return device;
}

int dxg_pq_alloc_call(struct dxg_process *p, d3dkmthandle queue,
		      d3dkmthandle allocation, u32 command, void *cmd,
		      u32 cmd_size, d3dkmthandle *cmd_device, void *reply,
		      u32 reply_size, const s32 *status)
{
	struct dxg_device *device;
	int ret;

	device = dxg_pq_device_begin(p, queue);
	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_check_allocs(p, device, &allocation, 1);
	if (ret)
		goto out;
	*cmd_device = device->handle;
	ret = dxg_device_call(p, device, command, cmd, cmd_size, reply,
			      reply_size);
	if (!ret)
		ret = *status < 0 ? dxg_ntstatus_to_errno(*status) : *status;
out:
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_make_resident(struct dxg_process *p, void *arg)
{
	struct d3dddi_makeresident *args = arg;
	struct dxgkvmb_command_makeresident *cmd = NULL;
	struct dxgkvmb_command_makeresident_ret r = { 0 };
	struct dxg_device *device;
	d3dkmthandle *h;
	u32 n = args->alloc_count;
	int ret;

	if (!n || n > DXG_MAX_RESIDENCY)
		return -EINVAL;
	device = dxg_pq_device_begin(p, args->paging_queue);
	if (IS_ERR(device))
		return PTR_ERR(device);
	h = dxg_copy_device_allocs(p, device, args->allocation_list, n);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
		h = NULL;
		goto out;
	}
	cmd = kvzalloc(sizeof(*cmd) + n * sizeof(*h), GFP_KERNEL);
	if (!cmd) {
		ret = -ENOMEM;
		goto out;
	}
	cmd->device = device->handle;
	cmd->paging_queue = args->paging_queue;
	cmd->flags = args->flags.value;
	cmd->alloc_count = n;
	memcpy(cmd + 1, h, n * sizeof(*h));
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_MAKERESIDENT, cmd,
			      sizeof(*cmd) + n * sizeof(*h), &r, sizeof(r));
	if (ret)
		goto out;
	if (r.status < 0) {
		ret = dxg_ntstatus_to_errno(r.status);
		goto out;
	}
	args->paging_fence_value = r.paging_fence_value;
	args->num_bytes_to_trim = r.num_bytes_to_trim;
	ret = r.status;		/* STATUS_PENDING (> 0) passes through */
out:
	kvfree(cmd);
	kvfree(h);
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_evict(struct dxg_process *p, void *arg)
{
	struct d3dkmt_evict *args = arg;
	struct dxgkvmb_command_evict_ret r = { 0 };
	struct dxg_device *device;
	u32 n = args->alloc_count;
	u8 *cmd = NULL;
	d3dkmthandle *h;
	u32 len;
	u64 trim;
	int ret;

	if (!n || n > DXG_MAX_RESIDENCY)
		return -EINVAL;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	h = dxg_copy_device_allocs(p, device, args->allocations, n);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
		h = NULL;
		goto out;
	}
	len = DXGKVMB_EVICT_FIXED + n * sizeof(*h);
	cmd = kvzalloc(len, GFP_KERNEL);
	if (!cmd) {
		ret = -ENOMEM;
		goto out;
	}
	{
		struct dxgkvmb_command_evict c = {
			.device = device->handle,
			.flags = args->flags.value,
			.alloc_count = n,
		};

		memcpy(cmd, &c, DXGKVMB_EVICT_FIXED);
	}
	memcpy(cmd + DXGKVMB_EVICT_FIXED, h, n * sizeof(*h));
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_EVICT, cmd, len, &r,
			      sizeof(r));
	if (ret)
		goto out;
	/* See dxgkvmb_command_evict_ret: an opendxg error reply. */
	ret = dxg_reply_evict(device->adapter->host->odx_replies,
			      r.num_bytes_to_trim, &trim);
	if (!ret)
		args->num_bytes_to_trim = trim;
out:
	kvfree(cmd);
	kvfree(h);
	dxg_device_end(device);
	return ret;
}

/* ---- video memory budget ---- */

int dxg_ioctl_query_video_memory_info(struct dxg_process *p, void *arg)
{
	struct d3dkmt_queryvideomemoryinfo *args = arg;
	struct dxgkvmb_command_queryvideomemoryinfo cmd = {
		.memory_segment_group = args->memory_segment_group,
		.physical_adapter_index = args->physical_adapter_index,
	};
	struct dxgkvmb_command_queryvideomemoryinfo_ret r = { 0 };
	struct dxg_adapter *a;
	d3dkmthandle proc;
	int ret;

	if (args->process)	/* no cross-process queries */
		return -EINVAL;
	/* The reply has no status (a Windows host's failure is zeros). */
	if (args->memory_segment_group > D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL)
		return -EINVAL;
	a = dxg_handle_get(&p->handles, DXG_OBJ_ADAPTER, args->adapter);
	if (!a)
		return -EINVAL;
	ret = dxg_adapter_usable(a) ? 0 : -ENODEV;
	if (!ret)
		ret = dxg_process_host_handle(p, a->host, &proc);
	if (!ret) {
		cmd.adapter = a->host_handle;
		ret = dxg_call(a->host, a, proc,
			       DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO, &cmd,
			       sizeof(cmd), &r, sizeof(r));
	}
	if (!ret) {
		args->budget = r.budget;
		args->current_usage = r.current_usage;
		args->current_reservation = r.current_reservation;
		args->available_for_reservation = r.available_for_reservation;
	}
	dxg_adapter_put(a);
	return ret;
}

/* ---- GPU virtual addresses ---- */

/*
 * Reserve and Free name an adapter handle, or a paging queue handle (whose
 * device's adapter is meant); the host gets its own adapter handle.
 */
static struct dxg_adapter *dxg_va_adapter(struct dxg_process *p,
					  d3dkmthandle h)
{
	struct dxg_adapter *a = dxg_handle_get(&p->handles, DXG_OBJ_ADAPTER, h);
	struct dxg_pagingqueue *q;

	if (a)
		return a;
	q = dxg_handle_get(&p->handles, DXG_OBJ_PAGINGQUEUE, h);
	if (!q)
		return NULL;
	a = q->device->adapter;
	dxg_adapter_get(a);
	dxg_pagingqueue_put(q);
	return a;
}

int dxg_va_adapter_call(struct dxg_process *p, d3dkmthandle h, u32 type,
			void *cmd, u32 len, d3dkmthandle *adapter_field,
			void *reply, u32 reply_len)
{
	struct dxg_adapter *a = dxg_va_adapter(p, h);
	d3dkmthandle proc;
	int ret;

	if (!a)
		return -EINVAL;
	ret = dxg_adapter_usable(a) ? 0 : -ENODEV;
	if (!ret)
		ret = dxg_process_host_handle(p, a->host, &proc);
	if (!ret) {
		*adapter_field = a->host_handle;
		if (reply)
			ret = dxg_call(a->host, a, proc, type, cmd, len, reply,
				       reply_len);
		else
			ret = dxg_call_status(a->host, a, proc, type, cmd, len);
	}
	dxg_adapter_put(a);
	return ret;
}

int dxg_ioctl_reserve_gpu_va(struct dxg_process *p, void *arg)
{
	struct d3dddi_reservegpuvirtualaddress *args = arg;
	struct dxgkvmb_command_reservegpuva cmd = { .args = *args };
	struct dxgkvmb_command_reservegpuva_ret r = { 0 };
	int ret;

	ret = dxg_va_adapter_call(p, args->adapter,
				  DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS,
				  &cmd, sizeof(cmd), &cmd.args.adapter, &r,
				  sizeof(r));
	if (ret)
		return ret;
	/*
	 * The reply has no status: a Windows host fails with the whole reply
	 * zeroed (docs/protocol.md §5.4), and no reservation starts at 0.
	 */
	if (!r.virtual_address)
		return -EINVAL;
	args->virtual_address = r.virtual_address;
	args->paging_fence_value = r.paging_fence_value;
	return 0;
}

int dxg_ioctl_free_gpu_va(struct dxg_process *p, void *arg)
{
	struct d3dkmt_freegpuvirtualaddress *args = arg;
	struct dxgkvmb_command_freegpuva cmd = { .args = *args };

	return dxg_va_adapter_call(p, args->adapter,
				   DXGK_VMBCOMMAND_FREEGPUVIRTUALADDRESS, &cmd,
				   sizeof(cmd), &cmd.args.adapter, NULL, 0);
}

int dxg_ioctl_map_gpu_va(struct dxg_process *p, void *arg)
{
	struct d3dddi_mapgpuvirtualaddress *args = arg;
	struct dxgkvmb_command_mapgpuva cmd = { .args = *args };
	struct dxgkvmb_command_mapgpuva_ret r = { 0 };
	int ret;

	ret = dxg_pq_alloc_call(p, args->paging_queue, args->allocation,
				DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS, &cmd,
				sizeof(cmd), &cmd.device, &r, sizeof(r),
				&r.status);
	if (ret >= 0) {
		args->virtual_address = r.virtual_address;
		args->paging_fence_value = r.paging_fence_value;
	}
	return ret;
}

/*
 * The handles an UpdateGpuVirtualAddress operation names: MAP needs an
 * allocation of the device, MAP_PROTECT one unless it sets a state (zero
 * or no-access, allocation 0).  Ranges and protection bits are the host's
 * to check: it owns the address space.
 */
static int dxg_check_update_op(struct dxg_process *p, struct dxg_device *device,
			       const struct d3dddi_updategpuvirtualaddress_operation *op)
{
	switch (op->operation) {
	case D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP:
		return dxg_check_allocs(p, device, &op->map.allocation, 1);
	case D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP_PROTECT:
		if (!op->map_protect.allocation)
			return 0;
		return dxg_check_allocs(p, device, &op->map_protect.allocation,
					1);
	case D3DDDI_UPDATEGPUVIRTUALADDRESS_UNMAP:
	case D3DDDI_UPDATEGPUVIRTUALADDRESS_COPY:
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * UpdateGpuVirtualAddress: MAP, UNMAP, COPY and MAP_PROTECT operations,
 * applied by the host all or nothing.  The operations are copied in once
 * (bounded count) and sent after the fixed part.  A fence object must be a
 * monitored fence of the device; the host signals it (docs/memory.md §5).
 */
int dxg_ioctl_update_gpu_va(struct dxg_process *p, void *arg)
{
	struct d3dkmt_updategpuvirtualaddress *args = arg;
	struct d3dddi_updategpuvirtualaddress_operation *ops;
	struct dxgkvmb_command_updategpuva *cmd;
	struct dxg_device *device;
	u32 i, n = args->num_operations;
	size_t len;
	int ret = 0;

	if (!n || n > DXG_MAX_UPDATEGPUVA_OPS || !args->operations)
		return -EINVAL;
	len = sizeof(*cmd) + (size_t)n * sizeof(*ops);	/* n is bounded */
	cmd = kvzalloc(len, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	ops = (void *)(cmd + 1);
	if (copy_from_user(ops, u64_to_user_ptr(args->operations),
			   (size_t)n * sizeof(*ops))) {
		kvfree(cmd);
		return -EFAULT;
	}
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device)) {
		kvfree(cmd);
		return PTR_ERR(device);
	}
	if (args->fence_object)
		ret = dxg_check_syncobjs(p, device, &args->fence_object, 1,
					 true);
	for (i = 0; i < n && !ret; i++)
		ret = dxg_check_update_op(p, device, &ops[i]);
	if (ret)
		goto out;
	cmd->fence_value = args->fence_value;
	cmd->device = device->handle;
	cmd->context = args->context;
	cmd->fence_object = args->fence_object;
	cmd->num_operations = n;
	cmd->flags = args->flags;
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_UPDATEGPUVIRTUALADDRESS,
			      cmd, len, NULL, 0);
out:
	dxg_device_end(device);
	kvfree(cmd);
	return ret;
}
