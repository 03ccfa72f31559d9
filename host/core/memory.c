// SPDX-License-Identifier: MIT
/*
 * The memory service of one VM: the IO-space heap behind allocations,
 * paging-queue fence pages and monitored fences, the GPU virtual address
 * spaces of each process (one per adapter), what an object gives back when
 * it is released, and the segment sizes an adapter reports.  The memory
 * commands that use it are in protocol/memory_cmds.c; docs/memory.md is
 * the model.
 */
#include "core/memory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/adapter.h"
#include "core/execution.h"
#include "core/gpuva.h"
#include "core/residency.h"
#include "core/scheduler.h"
#include "core/sysmem.h"
#include "dxg/ntstatus.h"
#include "engines/vulkan/vk_devmem.h"

#define PAGE	DXG_IOHEAP_PAGE

int dxg_mem_init(struct dxg_mem *m, uint8_t *shm, uint64_t shm_size,
		 uint64_t io_offset)
{
	m->shm = shm;
	m->shm_size = shm_size;
	m->rl = NULL;
	m->io_budget = 0;
	m->discarded = 0;
	m->discarded_total = 0;
	m->res_unused[0] = m->res_unused[1] = 0;
	m->offered = NULL;
	m->offer_seq = 0;
	m->sys_runs = 0;
	dxg_guest_ram_none(&m->ram);
	dxg_gpadls_init(&m->gpadls);
	if (io_offset > shm_size)
		return -EINVAL;
	return dxg_ioheap_init(&m->heap, io_offset, shm_size - io_offset);
}

void dxg_mem_fini(struct dxg_mem *m)
{
	dxg_ioheap_fini(&m->heap);
	dxg_gpadls_fini(&m->gpadls);
	dxg_guest_ram_fini(&m->ram);
}

static struct dxg_gpuva_space **gpuva_slot(const struct dxg_obj *obj)
{
	const struct dxg_obj *p = obj->process;

	if (!p || !p->u.process.gpuva || !obj->adapter ||
	    obj->adapter->index >= DXG_IVSHMEM_MAX_ADAPTERS)
		return NULL;
	return &p->u.process.gpuva[obj->adapter->index];
}

struct dxg_gpuva_space *dxg_mem_gpuva(const struct dxg_obj *obj)
{
	struct dxg_gpuva_space **slot = gpuva_slot(obj);

	return slot ? *slot : NULL;
}

/* The space of process on adapter, created now if it has none yet. */
struct dxg_gpuva_space *dxg_mem_process_gpuva(struct dxg_obj *process,
					      const struct dxg_adapter *adapter)
{
	struct dxg_gpuva_space **slot;

	if (adapter->index >= DXG_IVSHMEM_MAX_ADAPTERS)
		return NULL;
	if (!process->u.process.gpuva) {
		process->u.process.gpuva = calloc(DXG_IVSHMEM_MAX_ADAPTERS,
						  sizeof(*process->u.process.gpuva));
		if (!process->u.process.gpuva)
			return NULL;
	}
	slot = &process->u.process.gpuva[adapter->index];
	if (!*slot)
		*slot = dxg_gpuva_create(DXG_GPUVA_BASE, DXG_GPUVA_SIZE);
	return *slot;
}

int32_t dxg_mem_fence_map(struct dxg_mem *m, struct dxg_obj *obj)
{
	const struct dxg_sync *y = obj->u.syncobject.sync;
	const struct dxg_obj *dev = dxg_sync_device(obj);
	struct dxg_gpuva_space *s;

	if (!m || !m->shm || !y || !y->page || !dev || !obj->process ||
	    !obj->adapter || obj->u.syncobject.gpu_va)
		return STATUS_INVALID_PARAMETER;
	s = dxg_mem_process_gpuva(obj->process, obj->adapter);
	if (!s)
		return STATUS_NO_MEMORY;
	return dxg_gpuva_map_fence(s, m->shm + y->page, obj->handle, dev->handle,
				   &obj->u.syncobject.gpu_va);
}

void *dxg_mem_alloc_ptr(const struct dxg_mem *m, const struct dxg_obj *alloc)
{
	if (alloc->u.allocation.sys)
		return alloc->u.allocation.sys->map;
	return alloc->u.allocation.dev ? NULL : m->shm + alloc->u.allocation.io_offset;
}

bool dxg_mem_alloc_usable(const struct dxg_obj *alloc)
{
	return !alloc->u.allocation.sys || dxg_sysmem_ready(alloc->u.allocation.sys);
}

bool dxg_mem_has_device(const struct dxg_mem *m, const struct dxg_adapter *ad)
{
	return m && ad && ad->vk && m->dev_quota;
}

int32_t dxg_mem_alloc_device(struct dxg_mem *m, struct dxg_obj *a,
			     const struct dxg_adapter *ad, uint64_t size)
{
	int32_t st;

	if (!dxg_mem_has_device(m, ad))
		return STATUS_NOT_SUPPORTED;
	/*
	 * Within the quota less the others' reservations, offered device
	 * memory discarded if need be (core/residency.h).
	 */
	if (dxg_res_commit(m, a->process, DXG_RES_DEV, size) < 0)
		return STATUS_QUOTA_EXCEEDED;
	st = dxg_vk_devmem_alloc(ad->vk, size, &a->u.allocation.dev);
	if (st < 0)
		return st;
	a->u.allocation.size = size;
	a->u.allocation.io_offset = 0;
	m->dev_used += size;
	dxg_res_charge(m, a);
	return STATUS_SUCCESS;
}

bool dxg_mem_dev_backed(const struct dxg_obj *a)
{
	const struct dxg_vk_devmem *dev = a->u.allocation.dev;

	return dev && dev->mem != VK_NULL_HANDLE;
}

bool dxg_mem_dev_discard(struct dxg_mem *m, struct dxg_obj *a)
{
	if (!dxg_mem_dev_backed(a) || a->u.allocation.dev_busy ||
	    !a->adapter || !a->adapter->vk)
		return false;
	/* Work that may use it finishes first (a lost engine's: dev_busy). */
	dxg_exec_forget(m, a);
	if (a->u.allocation.dev_busy)
		return false;
	dxg_vk_devmem_drop(a->adapter->vk, a->u.allocation.dev);
	m->dev_used -= a->u.allocation.size;
	return true;
}

int32_t dxg_mem_dev_renew(struct dxg_mem *m, struct dxg_obj *a)
{
	int32_t st;

	if (dxg_mem_dev_backed(a))
		return STATUS_SUCCESS;
	if (!a->u.allocation.dev || !a->adapter || !a->adapter->vk)
		return STATUS_NOT_SUPPORTED;
	/* Nothing runs that could see the memory object change. */
	dxg_exec_forget(m, a);
	st = dxg_vk_devmem_renew(a->adapter->vk, a->u.allocation.dev);
	if (st >= 0)
		m->dev_used += a->u.allocation.size;
	return st;
}

int32_t dxg_mem_map_alloc(const struct dxg_mem *m, struct dxg_gpuva_space *s,
			  uint64_t va, uint64_t size, const struct dxg_obj *a,
			  uint64_t off, uint32_t prot)
{
	/* Guest RAM not all named yet: the range is not memory. */
	if (!dxg_mem_alloc_usable(a))
		return STATUS_INVALID_PARAMETER;
	if (!a->u.allocation.dev)
		return dxg_gpuva_map_prot(s, va, size,
					  (uint8_t *)dxg_mem_alloc_ptr(m, a) + off,
					  a->handle, prot);
	if (prot != DXG_GPUVA_PROT_RW)
		return STATUS_NOT_SUPPORTED;
	return dxg_gpuva_map_dev(s, va, size, a->u.allocation.dev, off, a->handle);
}

int32_t dxg_mem_alias(struct dxg_obj *dst, struct dxg_obj *src)
{
	struct dxg_mem_share *sh = src->u.allocation.share;

	if (!sh) {
		sh = calloc(1, sizeof(*sh));
		if (!sh)
			return STATUS_NO_MEMORY;
		sh->refs = 1;
		src->u.allocation.share = sh;
	}
	sh->refs++;
	dst->u.allocation.share = sh;
	dst->u.allocation.io_offset = src->u.allocation.io_offset;
	dst->u.allocation.size = src->u.allocation.size;
	dst->u.allocation.dev = src->u.allocation.dev;
	return STATUS_SUCCESS;
}

/*
 * Is this the last allocation using its memory?  If not, it only lets go
 * of it (the others keep it; a timed-out job's claim on device memory is
 * remembered for the last one).
 */
static bool release_share(struct dxg_obj *obj)
{
	struct dxg_mem_share *sh = obj->u.allocation.share;

	if (!sh)
		return true;
	obj->u.allocation.share = NULL;
	sh->dev_busy |= obj->u.allocation.dev_busy;
	if (--sh->refs) {
		obj->u.allocation.dev = NULL;
		obj->u.allocation.size = 0;
		return false;
	}
	obj->u.allocation.dev_busy = sh->dev_busy;
	free(sh);
	return true;
}

/* Device memory goes back to its device, unless work may still use it. */
static void release_device(struct dxg_mem *m, struct dxg_obj *obj)
{
	struct dxg_vk_devmem *dev = obj->u.allocation.dev;

	/* Discarded memory went back already (dxg_mem_dev_discard). */
	if (dxg_mem_dev_backed(obj))
		m->dev_used -= obj->u.allocation.size;
	if (obj->u.allocation.dev_busy) {
		if (m->rl)
			dxg_log_rl(m->rl, DXG_LOG_ERROR,
				   "vm %u: allocation 0x%x: device memory still in use by work that timed out; leaked",
				   m->rl->vm_id, obj->handle);
	} else if (obj->adapter && obj->adapter->vk) {
		dxg_vk_devmem_free(obj->adapter->vk, dev);
	}
	obj->u.allocation.dev = NULL;
}

void dxg_mem_release(void *arg, struct dxg_obj *obj)
{
	struct dxg_mem *m = arg;
	struct dxg_gpuva_space *s;

	switch (obj->type) {
	case DXG_OBJ_ALLOCATION:
		if (!obj->u.allocation.size)
			break;
		dxg_res_release(m, obj);
		s = dxg_mem_gpuva(obj);
		if (s)
			dxg_gpuva_unmap_owner(s, obj->handle);
		if (!release_share(obj))
			break;
		if (obj->u.allocation.dev)
			release_device(m, obj);
		else if (obj->u.allocation.sys)
			dxg_sysmem_destroy(obj->u.allocation.sys, &m->sys_runs);
		else
			dxg_ioheap_free(&m->heap, obj->u.allocation.io_offset,
					obj->u.allocation.size);
		obj->u.allocation.sys = NULL;
		obj->u.allocation.size = 0;
		break;
	case DXG_OBJ_SYNCOBJECT:
		/* Its page goes later (the scheduler's hook), the VA now. */
		s = dxg_mem_gpuva(obj);
		if (s && obj->u.syncobject.gpu_va)
			(void)dxg_gpuva_unmap_fence(s, obj->u.syncobject.gpu_va,
						    obj->handle);
		obj->u.syncobject.gpu_va = 0;
		break;
	case DXG_OBJ_PAGINGQUEUE:
		if (obj->u.pagingqueue.fence_offset)
			dxg_ioheap_free(&m->heap, obj->u.pagingqueue.fence_offset,
					PAGE);
		obj->u.pagingqueue.fence_offset = 0;
		break;
	case DXG_OBJ_NTSHARED:
		/* Its aliases are children: they went first. */
		free(obj->u.ntshared.allocs);
		obj->u.ntshared.allocs = NULL;
		obj->u.ntshared.count = 0;
		break;
	case DXG_OBJ_PROCESS:
		if (obj->u.process.gpuva) {
			for (unsigned int i = 0; i < DXG_IVSHMEM_MAX_ADAPTERS; i++)
				if (obj->u.process.gpuva[i])
					dxg_gpuva_destroy(obj->u.process.gpuva[i]);
			free(obj->u.process.gpuva);
			obj->u.process.gpuva = NULL;
		}
		free(obj->u.process.reservation);
		obj->u.process.reservation = NULL;
		dxg_res_process_gone(m, obj);
		break;
	default:
		break;
	}
}

int32_t dxg_mem_query_segments(const struct dxg_mem *m,
			       const struct dxg_adapter *ad, uint32_t type,
			       void *buf, uint32_t size)
{
	/*
	 * The IO space is system memory shared with the CPU; device memory,
	 * where the adapter has it, is the dedicated video memory.
	 */
	struct d3dkmt_segmentsizeinfo seg = { 0 };
	struct d3dkmt_segmentgroupsizeinfo g;
	bool dev = dxg_mem_has_device(m, ad);

	if (!m)
		return STATUS_NOT_SUPPORTED;
	seg.shared_system_memory_size = m->heap.size;
	seg.dedicated_video_memory_size = dev ? m->dev_quota : 0;
	switch (type) {
	case KMTQAITYPE_GETSEGMENTSIZE:
		if (size < sizeof(seg))
			return STATUS_BUFFER_TOO_SMALL;
		memcpy(buf, &seg, sizeof(seg));
		return STATUS_SUCCESS;
	case KMTQAITYPE_GETSEGMENTGROUPSIZE:
		if (size < sizeof(g))
			return STATUS_BUFFER_TOO_SMALL;
		memcpy(&g, buf, sizeof(g));
		if (g.physical_adapter_index)
			return STATUS_INVALID_PARAMETER;
		g.legacy_info = seg;
		/*
		 * As QUERYVIDEOMEMORYINFO: device memory is the LOCAL group and
		 * the IO space NON_LOCAL; without device memory the IO space is
		 * LOCAL (the memory the GPU works on).
		 */
		g.local_memory = dev ? m->dev_quota : m->heap.size;
		g.non_local_memory = dev ? m->heap.size : 0;
		g.non_budget_memory = 0;
		memcpy(buf, &g, sizeof(g));
		return STATUS_SUCCESS;
	default:
		return STATUS_NOT_SUPPORTED;
	}
}
