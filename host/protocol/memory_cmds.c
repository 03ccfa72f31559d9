// SPDX-License-Identifier: MIT
/*
 * The memory commands: allocations and resources backed by the VM's IO
 * space, CPU access through LOCK2 (the reply is the allocation's IO-space
 * address, which the guest maps into the calling process), paging queues
 * with a fence page, residency (everything is always resident) and GPU
 * virtual address spaces.  docs/memory.md is the model; the service they
 * call is core/memory.c.
 *
 * Every size inside a message is checked with 64-bit arithmetic against
 * the message length before it is used; every handle must name a live
 * object of the request's process on the request's adapter, and objects
 * named together must belong to the same device.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/adapter.h"
#include "core/gpuva.h"
#include "core/memory.h"
#include "core/residency.h"
#include "core/scheduler.h"
#include "core/sysmem.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"
#include "protocol/cmds.h"

#define PAGE	DXG_IOHEAP_PAGE

/* The space of the request's process on the request's adapter, created now. */
static struct dxg_gpuva_space *req_gpuva(struct dxg_req *req)
{
	return dxg_mem_process_gpuva(req->process, req->adapter);
}

/* An allocation of the request's process that belongs to `device`. */
struct dxg_obj *req_alloc(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			  uint32_t handle, const struct dxg_obj *device)
{
	struct dxg_obj *a = req_object(ctx, req, handle, DXG_OBJ_ALLOCATION);

	return a && dxg_alloc_device(a) == device ? a : NULL;
}

struct dxg_obj *req_device_alloc(struct dxg_dispatch_ctx *ctx,
				 struct dxg_req *req, uint32_t device,
				 uint32_t allocation)
{
	struct dxg_obj *dev = req_object(ctx, req, device, DXG_OBJ_DEVICE);

	return dev ? req_alloc(ctx, req, allocation, dev) : NULL;
}

struct dxg_obj *req_child(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			  uint32_t handle, enum dxg_obj_type type,
			  const struct dxg_obj *device)
{
	struct dxg_obj *o = req_object(ctx, req, handle, type);

	return o && o->parent == device ? o : NULL;
}

/*
 * `count` handles at `off` in the command: each an allocation of `device`,
 * no duplicates.  Returns an NTSTATUS; *out (malloc'ed) holds the objects.
 */
int32_t req_alloc_list(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
		       uint64_t off, uint32_t count, uint32_t max,
		       const struct dxg_obj *device, struct dxg_obj ***out)
{
	struct dxg_obj **objs;

	*out = NULL;
	if (!count || count > max ||
	    off + (uint64_t)count * sizeof(uint32_t) > req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	objs = calloc(count, sizeof(*objs));
	if (!objs)
		return STATUS_NO_MEMORY;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t h;

		memcpy(&h, req->cmd + off + (uint64_t)i * sizeof(h), sizeof(h));
		objs[i] = req_alloc(ctx, req, h, device);
		if (!objs[i]) {
			free(objs);
			return STATUS_INVALID_HANDLE;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (objs[j] == objs[i]) {
				free(objs);
				return STATUS_INVALID_PARAMETER;
			}
		}
	}
	*out = objs;
	return STATUS_SUCCESS;
}

/*
 * Paging work is done at once: the fence reaches its next value now,
 * through its sync object where it has one (waits on it move on).
 */
uint64_t paging_fence_signal(struct dxg_dispatch_ctx *ctx, struct dxg_obj *pq)
{
	uint64_t v = ++pq->u.pagingqueue.fence_value;
	struct dxg_obj *so = NULL;

	if (ctx->sched && pq->u.pagingqueue.fence)
		so = dxg_sync_lookup(ctx->sched, pq->u.pagingqueue.fence,
				     pq->process);
	if (so)
		dxg_sync_signal(ctx->sched, so, v);
	else if (pq->u.pagingqueue.fence_offset)
		__atomic_store_n((uint64_t *)(ctx->mem->shm +
					      pq->u.pagingqueue.fence_offset),
				 v, __ATOMIC_RELEASE);
	return v;
}

#define UNSUPPORTED_ALLOC_FLAGS (D3DKMT_CREATEALLOCATION_FLAG_CREATE_PROTECTED | \
	D3DKMT_CREATEALLOCATION_FLAG_CROSS_ADAPTER | \
	D3DKMT_CREATEALLOCATION_FLAG_OPEN_CROSS_ADAPTER | \
	D3DKMT_CREATEALLOCATION_FLAG_STANDARD_ALLOCATION | \
	D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SECTION)

#define SHARED_ALLOC_FLAGS (D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED | \
	D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING)

int32_t dxg_h_createallocation(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_createallocation, c);
	struct dxgkvmb_command_createallocation_ret r = { 0 };
	struct dxgkvmb_command_allocinfo_return *out;
	struct dxgkvmb_command_createallocation_allocinfo info;
	struct dxg_mem *m = ctx->mem;
	struct dxg_obj *device, *parent, *res = NULL, **allocs = NULL;
	uint64_t info_off = sizeof(c), data_off, priv_off, total = 0, reply_len;
	uint32_t n = c.alloc_count, created = 0;
	bool sysmem = c.flags & D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM;
	int32_t st;

	if (!m)
		return STATUS_NOT_SUPPORTED;
	if (!n || n > DXG_MEM_MAX_ALLOCS)
		return STATUS_INVALID_PARAMETER;
	if (c.flags & UNSUPPORTED_ALLOC_FLAGS)
		return STATUS_NOT_SUPPORTED;
	/*
	 * Existing sysmem (docs/memory.md §11): only over guest RAM this
	 * host holds and verified, and never shared (the pages are one
	 * guest process's).
	 */
	if (sysmem && !m->ram.verified)
		return STATUS_NOT_SUPPORTED;
	if (sysmem && (c.flags & SHARED_ALLOC_FLAGS))
		return STATUS_INVALID_PARAMETER;
	/*
	 * Shared resources (share_cmds.c): a new resource, NT-handle sharing
	 * only (the global-handle kind is not supported).
	 */
	if ((c.flags & SHARED_ALLOC_FLAGS) &&
	    (c.flags & SHARED_ALLOC_FLAGS) != SHARED_ALLOC_FLAGS)
		return STATUS_NOT_SUPPORTED;
	if ((c.flags & SHARED_ALLOC_FLAGS) &&
	    !(c.flags & D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE))
		return STATUS_INVALID_PARAMETER;
	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!device)
		return STATUS_INVALID_HANDLE;
	parent = device;
	if (c.flags & D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE) {
		if (c.resource)
			return STATUS_INVALID_PARAMETER;
	} else if (c.resource) {
		parent = req_child(ctx, req, c.resource, DXG_OBJ_RESOURCE, device);
		if (!parent)
			return STATUS_INVALID_HANDLE;
		/* A shared resource's allocations are fixed when it is made. */
		if (parent->u.resource.shared)
			return STATUS_INVALID_PARAMETER;
	}
	if (c.private_runtime_data_size >= DXG_MAX_VM_BUS_PACKET_SIZE ||
	    c.priv_drv_data_size >= DXG_MAX_VM_BUS_PACKET_SIZE)
		return STATUS_INVALID_PARAMETER;
	data_off = info_off + (uint64_t)n * sizeof(info);
	priv_off = data_off + c.private_runtime_data_size + c.priv_drv_data_size;
	if (priv_off > req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	/* Each allocation's private data: present, and an opendxg descriptor. */
	for (uint32_t i = 0; i < n; i++) {
		struct dxg_open_alloc_desc d;

		memcpy(&info, req->cmd + info_off + (uint64_t)i * sizeof(info),
		       sizeof(info));
		if (info.priv_drv_data_size < sizeof(d) ||
		    info.priv_drv_data_size >= DXG_MAX_VM_BUS_PACKET_SIZE ||
		    priv_off + total + info.priv_drv_data_size > req->cmd_len)
			return STATUS_INVALID_PARAMETER;
		memcpy(&d, req->cmd + priv_off + total, sizeof(d));
		if (d.version != DXG_OPEN_ALLOC_DESC_VERSION ||
		    (d.flags & ~DXG_OPEN_ALLOC_DEVICE_LOCAL) ||
		    !dxg_ioheap_round(d.size))
			return STATUS_INVALID_PARAMETER;
		if (sysmem) {
			if ((d.flags & DXG_OPEN_ALLOC_DEVICE_LOCAL) ||
			    dxg_ioheap_round(d.size) > m->ram.size)
				return STATUS_INVALID_PARAMETER;
		} else if (d.flags & DXG_OPEN_ALLOC_DEVICE_LOCAL) {
			if (!dxg_mem_has_device(m, req->adapter))
				return STATUS_NOT_SUPPORTED;
			if (dxg_ioheap_round(d.size) > m->dev_quota)
				return STATUS_QUOTA_EXCEEDED;
		} else if (dxg_ioheap_round(d.size) > m->heap.size) {
			return STATUS_NO_MEMORY;
		}
		total += info.priv_drv_data_size;
	}
	reply_len = sizeof(r) + (uint64_t)n * sizeof(*out) + total;
	if (reply_len > DXG_REPLY_BUF_SIZE)
		return STATUS_INVALID_PARAMETER;

	allocs = calloc(n, sizeof(*allocs));
	if (!allocs)
		return STATUS_NO_MEMORY;
	if (c.flags & D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE) {
		st = dxg_obj_create(ctx->objs, DXG_OBJ_RESOURCE, device,
				    req->adapter, &res);
		if (st < 0)
			goto fail;
		res->u.resource.shared = (c.flags & SHARED_ALLOC_FLAGS) != 0;
		parent = res;
	}
	total = 0;
	for (; created < n; created++) {
		struct dxg_open_alloc_desc d;
		struct dxg_obj *a;
		uint64_t off, size;

		memcpy(&info, req->cmd + info_off + (uint64_t)created * sizeof(info),
		       sizeof(info));
		memcpy(&d, req->cmd + priv_off + total, sizeof(d));
		total += info.priv_drv_data_size;
		st = dxg_obj_create(ctx->objs, DXG_OBJ_ALLOCATION, parent,
				    req->adapter, &a);
		if (st < 0)
			goto fail;
		allocs[created] = a;
		dxg_res_init_alloc(a);
		size = dxg_ioheap_round(d.size);
		if (sysmem) {
			/* Its pages come with SETEXISTINGSYSMEMPAGES. */
			st = dxg_sysmem_create(&m->ram, size, &m->sys_runs,
					       &a->u.allocation.sys);
			if (st < 0) {
				created++;
				goto fail;
			}
			a->u.allocation.size = size;
			continue;
		}
		if (d.flags & DXG_OPEN_ALLOC_DEVICE_LOCAL) {
			/* Zeroed by the device (vk_devmem.h). */
			st = dxg_mem_alloc_device(m, a, req->adapter, size);
			if (st < 0) {
				created++;
				goto fail;
			}
			continue;
		}
		/* Within the budget, offered allocations discarded if need be. */
		st = dxg_res_commit(m, req->process, DXG_RES_IO, size);
		if (st >= 0)
			st = dxg_ioheap_alloc(&m->heap, size, &off);
		if (st < 0) {
			created++;
			goto fail;
		}
		a->u.allocation.io_offset = off;
		a->u.allocation.size = size;
		dxg_res_charge(m, a);
		memset(m->shm + off, 0, size);
	}

	r.flags = c.flags;
	r.resource = res ? res->handle : 0;
	memcpy(req->reply, &r, sizeof(r));
	out = (void *)(req->reply + sizeof(r));
	total = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct dxgkvmb_command_allocinfo_return ai;

		memcpy(&info, req->cmd + info_off + (uint64_t)i * sizeof(info),
		       sizeof(info));
		memset(&ai, 0, sizeof(ai));
		ai.allocation = allocs[i]->handle;
		ai.priv_drv_data_size = info.priv_drv_data_size;
		ai.allocation_flags = DXGKVMB_ALLOCFLAG_CACHED |
				      (sysmem ? DXGKVMB_ALLOCFLAG_EXISTING_SYSMEM : 0);
		ai.allocation_size = allocs[i]->u.allocation.size;
		memcpy(&out[i], &ai, sizeof(ai));
		memcpy(req->reply + sizeof(r) + (uint64_t)n * sizeof(ai) + total,
		       req->cmd + priv_off + total, info.priv_drv_data_size);
		total += info.priv_drv_data_size;
	}
	req->reply_len = (uint32_t)reply_len;
	free(allocs);
	return STATUS_SUCCESS;

fail:
	/* Nothing half-built survives: the release hook returns the IO space. */
	if (res) {
		dxg_obj_destroy(ctx->objs, res);
	} else {
		for (uint32_t i = 0; i < created; i++)
			if (allocs[i])
				dxg_obj_destroy(ctx->objs, allocs[i]);
	}
	free(allocs);
	return st;
}

int32_t dxg_h_destroyallocation(struct dxg_dispatch_ctx *ctx,
				struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_destroyallocation, c);
	struct dxg_obj *device, *res, **allocs;
	int32_t st;

	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!device)
		return STATUS_INVALID_HANDLE;
	if (c.resource) {
		if (c.alloc_count)
			return STATUS_INVALID_PARAMETER;
		res = req_child(ctx, req, c.resource, DXG_OBJ_RESOURCE, device);
		if (!res)
			return STATUS_INVALID_HANDLE;
		dxg_obj_destroy(ctx->objs, res);
		return STATUS_SUCCESS;
	}
	st = req_alloc_list(ctx, req, sizeof(c), c.alloc_count,
			    DXG_MEM_MAX_ALLOCS, device, &allocs);
	if (st < 0)
		return st;
	for (uint32_t i = 0; i < c.alloc_count; i++)
		dxg_obj_destroy(ctx->objs, allocs[i]);
	free(allocs);
	return STATUS_SUCCESS;
}

int32_t dxg_h_lock2(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_lock2, c);
	struct dxgkvmb_command_lock2_ret r = { 0 };
	struct dxg_obj *a;

	a = req_device_alloc(ctx, req, c.args.device, c.args.allocation);
	if (!a)
		return STATUS_INVALID_HANDLE;
	/*
	 * Device memory is not CPU-visible: only commands reach it.  Guest
	 * RAM is not in the IO space: its process has it at its own address.
	 */
	if (a->u.allocation.dev || a->u.allocation.sys ||
	    a->u.allocation.lock_count == UINT32_MAX)
		return STATUS_INVALID_PARAMETER;
	a->u.allocation.lock_count++;
	r.status = STATUS_SUCCESS;
	r.cpu_visible_buffer_offset = a->u.allocation.io_offset;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_unlock2(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_unlock2, c);
	struct dxg_obj *a;

	a = req_device_alloc(ctx, req, c.args.device, c.args.allocation);
	if (!a)
		return STATUS_INVALID_HANDLE;
	if (!a->u.allocation.lock_count)
		return STATUS_INVALID_PARAMETER;
	a->u.allocation.lock_count--;
	return STATUS_SUCCESS;
}

int32_t dxg_h_createpagingqueue(struct dxg_dispatch_ctx *ctx,
				struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_createpagingqueue, c);
	struct dxgkvmb_command_createpagingqueue_ret r = { 0 };
	struct dxg_mem *m = ctx->mem;
	struct dxg_obj *device, *q, *fence;
	uint64_t off;
	int32_t st;

	if (!m)
		return STATUS_NOT_SUPPORTED;
	device = req_object(ctx, req, c.args.device, DXG_OBJ_DEVICE);
	if (!device)
		return STATUS_INVALID_HANDLE;
	if (c.args.priority < D3DDDI_PAGINGQUEUE_PRIORITY_BELOW_NORMAL ||
	    c.args.priority > D3DDDI_PAGINGQUEUE_PRIORITY_ABOVE_NORMAL ||
	    c.args.physical_adapter_index)
		return STATUS_INVALID_PARAMETER;
	st = dxg_obj_create(ctx->objs, DXG_OBJ_PAGINGQUEUE, device,
			    req->adapter, &q);
	if (st < 0)
		return st;
	if (ctx->sched) {
		/*
		 * The paging fence is a monitored fence of the device (a child
		 * of the queue, destroyed with it): the guest waits on it as on
		 * any fence, as with a Windows host (protocol.md D12).
		 */
		st = dxg_obj_create(ctx->objs, DXG_OBJ_SYNCOBJECT, q,
				    req->adapter, &fence);
		if (st >= 0)
			st = dxg_sync_create(ctx->sched, fence,
					     D3DDDI_MONITORED_FENCE, 0, 0);
		if (st < 0) {
			dxg_obj_destroy(ctx->objs, q);
			return st;
		}
		q->u.pagingqueue.fence = fence->handle;
		off = fence->u.syncobject.sync->page;
		r.sync_object = fence->handle;
	} else {
		st = dxg_ioheap_alloc(&m->heap, PAGE, &off);
		if (st < 0) {
			dxg_obj_destroy(ctx->objs, q);
			return st;
		}
		memset(m->shm + off, 0, PAGE);
		q->u.pagingqueue.fence_offset = off;
	}
	r.paging_queue = q->handle;
	r.fence_storage_physical_address = off;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_makeresident(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_makeresident, c);
	struct dxgkvmb_command_makeresident_ret r = { 0 };
	struct dxg_obj *device, *q, **allocs;
	int32_t st;

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	q = device ? req_child(ctx, req, c.paging_queue, DXG_OBJ_PAGINGQUEUE,
			       device) : NULL;
	if (!q)
		return STATUS_INVALID_HANDLE;
	st = req_alloc_list(ctx, req, sizeof(c), c.alloc_count,
			    DXG_MEM_MAX_RESIDENCY, device, &allocs);
	if (st < 0)
		return st;
	free(allocs);
	r.paging_fence_value = paging_fence_signal(ctx, q);
	r.status = STATUS_SUCCESS;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_evict(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	struct dxgkvmb_command_evict c;
	struct dxgkvmb_command_evict_ret r = { 0 };
	struct dxg_obj *device, **allocs;
	int32_t st;

	memset(&c, 0, sizeof(c));
	memcpy(&c, req->cmd, DXGKVMB_EVICT_FIXED);
	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!device)
		return STATUS_INVALID_HANDLE;
	st = req_alloc_list(ctx, req, DXGKVMB_EVICT_FIXED, c.alloc_count,
			    DXG_MEM_MAX_RESIDENCY, device, &allocs);
	if (st < 0)
		return st;
	free(allocs);
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_queryvideomemoryinfo(struct dxg_dispatch_ctx *ctx,
				   struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_queryvideomemoryinfo, c);
	struct dxgkvmb_command_queryvideomemoryinfo_ret r = { 0 };
	uint64_t budget, usage;
	int32_t st;

	st = dxg_res_group(ctx, req, c.adapter, c.physical_adapter_index,
			   c.memory_segment_group, &budget, &usage);
	if (st < 0)
		return st;
	r.budget = budget;
	r.current_usage = usage;
	r.available_for_reservation = dxg_res_group_available(ctx, req,
							      c.memory_segment_group);
	r.current_reservation = dxg_res_reservation(req, c.memory_segment_group);
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

/* RESERVE and FREE name the adapter by the host's handle. */
static int32_t req_adapter_space(struct dxg_dispatch_ctx *ctx,
				 struct dxg_req *req, uint32_t handle,
				 struct dxg_gpuva_space **out)
{
	struct dxg_obj *a = dxg_obj_lookup(ctx->objs, handle, DXG_OBJ_ADAPTER,
					   NULL);

	if (!a || a->adapter != req->adapter)
		return STATUS_INVALID_HANDLE;
	*out = req_gpuva(req);
	return *out ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}

int32_t dxg_h_reservegpuva(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_reservegpuva, c);
	struct dxgkvmb_command_reservegpuva_ret r = { 0 };
	struct dxg_gpuva_space *s;
	uint64_t va;
	int32_t st;

	st = req_adapter_space(ctx, req, c.args.adapter, &s);
	if (st < 0)
		return st;
	if (c.args.reservation_type > D3DDDIGPUVA_RESERVE_NO_COMMIT)
		return STATUS_INVALID_PARAMETER;
	st = dxg_gpuva_reserve(s, c.args.base_address, c.args.minimum_address,
			       c.args.maximum_address, c.args.size, 0, &va);
	if (st < 0)
		return st;
	r.virtual_address = va;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_freegpuva(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_freegpuva, c);
	struct dxg_gpuva_space *s;
	int32_t st;

	st = req_adapter_space(ctx, req, c.args.adapter, &s);
	if (st < 0)
		return st;
	return dxg_gpuva_free(s, c.args.base_address, c.args.size);
}

int32_t dxg_h_mapgpuva(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_mapgpuva, c);
	struct dxgkvmb_command_mapgpuva_ret r = { 0 };
	struct dxg_mem *m = ctx->mem;
	struct dxg_obj *device, *q, *a;
	struct dxg_gpuva_space *s;
	uint64_t va = c.args.base_address, off, size;
	uint64_t prot = c.args.protection.value;
	int32_t st;

	if (!m)
		return STATUS_NOT_SUPPORTED;
	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	q = device ? req_child(ctx, req, c.args.paging_queue,
			       DXG_OBJ_PAGINGQUEUE, device) : NULL;
	a = device ? req_alloc(ctx, req, c.args.allocation, device) : NULL;
	if (!q || !a)
		return STATUS_INVALID_HANDLE;
	/*
	 * The protection is honoured: without WRITE the mapping is read-only
	 * and GPU writes through it fault (docs/memory.md §5).  States (ZERO,
	 * NO_ACCESS) are UpdateGpuVirtualAddress's, not a mapping of memory.
	 */
	if ((prot & ~(uint64_t)(D3DDDIGPUVA_PROTECTION_WRITE |
				D3DDDIGPUVA_PROTECTION_EXECUTE)) ||
	    c.args.driver_protection)
		return STATUS_INVALID_PARAMETER;
	/* The range of the allocation: whole pages inside it. */
	if (!c.args.size_in_pages ||
	    c.args.size_in_pages > a->u.allocation.size / PAGE ||
	    c.args.offset_in_pages > a->u.allocation.size / PAGE -
				     c.args.size_in_pages)
		return STATUS_INVALID_PARAMETER;
	off = c.args.offset_in_pages * PAGE;
	size = c.args.size_in_pages * PAGE;
	s = req_gpuva(req);
	if (!s)
		return STATUS_NO_MEMORY;
	if (!va) {
		/* No address given: reserve one in [minimum, maximum). */
		st = dxg_gpuva_reserve(s, 0, c.args.minimum_address,
				       c.args.maximum_address, size, 0, &va);
		if (st < 0)
			return st;
		st = dxg_mem_map_alloc(m, s, va, size, a, off, (uint32_t)prot);
		if (st < 0) {
			dxg_gpuva_free(s, va, size);
			return st;
		}
	} else {
		st = dxg_mem_map_alloc(m, s, va, size, a, off, (uint32_t)prot);
		if (st < 0)
			return st;
	}
	r.virtual_address = va;
	r.paging_fence_value = paging_fence_signal(ctx, q);
	r.status = STATUS_SUCCESS;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

/* The protection bits are passed to the space as they are. */
DXG_STATIC_ASSERT(DXG_GPUVA_PROT_WRITE == D3DDDIGPUVA_PROTECTION_WRITE &&
		  DXG_GPUVA_PROT_EXECUTE == D3DDDIGPUVA_PROTECTION_EXECUTE &&
		  DXG_GPUVA_PROT_ZERO == D3DDDIGPUVA_PROTECTION_ZERO &&
		  DXG_GPUVA_PROT_NO_ACCESS == D3DDDIGPUVA_PROTECTION_NO_ACCESS,
		  "gpuva protection bits are the D3DDDIGPUVA ones");

#define UPDATE_PROT_STATES	(D3DDDIGPUVA_PROTECTION_ZERO | \
				 D3DDDIGPUVA_PROTECTION_NO_ACCESS)
/* What a caller may ask for (SYSTEM_USE_ONLY is not for user mode). */
#define UPDATE_PROT_VALID	(D3DDDIGPUVA_PROTECTION_WRITE | \
				 D3DDDIGPUVA_PROTECTION_EXECUTE | \
				 UPDATE_PROT_STATES)

/* MAP and MAP_PROTECT share their leading fields. */
DXG_STATIC_ASSERT(offsetof(struct d3dddi_updategpuvirtualaddress_operation,
			   map.allocation_size) ==
		  offsetof(struct d3dddi_updategpuvirtualaddress_operation,
			   map_protect.allocation_size),
		  "MAP and MAP_PROTECT agree");

/*
 * The memory a MAP or MAP_PROTECT names: whole pages inside an allocation
 * of the device (allocation_size 0 or equal to size: no repeat/tiling).
 */
static int32_t update_alloc_range(struct dxg_dispatch_ctx *ctx,
				  struct dxg_req *req,
				  const struct dxg_obj *device,
				  const struct d3dddi_updategpuvirtualaddress_operation *op,
				  struct dxg_obj **alloc)
{
	struct dxg_obj *a = req_alloc(ctx, req, op->map.allocation, device);
	uint64_t size = op->map.size, off = op->map.allocation_offset;

	if (!a)
		return STATUS_INVALID_HANDLE;
	if (!size || size % PAGE || off % PAGE ||
	    (op->map.allocation_size && op->map.allocation_size != size) ||
	    size > a->u.allocation.size || off > a->u.allocation.size - size)
		return STATUS_INVALID_PARAMETER;
	*alloc = a;
	return STATUS_SUCCESS;
}

/*
 * Each operation handler checks what it can on its own (type, handle,
 * ranges inside the allocation) and, with @s set, applies itself to @s.
 */
typedef int32_t (*update_fn)(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			     const struct dxg_obj *device,
			     const struct d3dddi_updategpuvirtualaddress_operation *op,
			     struct dxg_gpuva_space *s);

static int32_t update_map(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			  const struct dxg_obj *device,
			  const struct d3dddi_updategpuvirtualaddress_operation *op,
			  struct dxg_gpuva_space *s)
{
	struct dxg_obj *a;
	int32_t st = update_alloc_range(ctx, req, device, op, &a);

	if (st < 0 || !s)
		return st;
	return dxg_mem_map_alloc(ctx->mem, s, op->map.base_address, op->map.size,
				 a, op->map.allocation_offset, DXG_GPUVA_PROT_RW);
}

/*
 * MAP_PROTECT: a MAP with a protection (no WRITE: read-only), or, with ZERO
 * or NO_ACCESS and no allocation, the range put in that state.  opendxg has
 * no driver protection bits: driver_protection must be 0.
 */
static int32_t update_map_protect(struct dxg_dispatch_ctx *ctx,
				  struct dxg_req *req,
				  const struct dxg_obj *device,
				  const struct d3dddi_updategpuvirtualaddress_operation *op,
				  struct dxg_gpuva_space *s)
{
	uint64_t prot = op->map_protect.protection.value;
	uint64_t size = op->map_protect.size;
	struct dxg_obj *a = NULL;
	int32_t st;

	if ((prot & ~UPDATE_PROT_VALID) || op->map_protect.driver_protection)
		return STATUS_INVALID_PARAMETER;
	if (prot & UPDATE_PROT_STATES) {
		/* A state, not memory: "hAllocation must be NULL". */
		if (op->map_protect.allocation ||
		    op->map_protect.allocation_offset ||
		    op->map_protect.allocation_size || !size || size % PAGE ||
		    (prot != D3DDDIGPUVA_PROTECTION_ZERO &&
		     prot != D3DDDIGPUVA_PROTECTION_NO_ACCESS))
			return STATUS_INVALID_PARAMETER;
	} else {
		st = update_alloc_range(ctx, req, device, op, &a);
		if (st < 0)
			return st;
		/* Device memory: read-write mappings only (docs/memory.md §8). */
		if (a->u.allocation.dev && prot != D3DDDIGPUVA_PROTECTION_WRITE)
			return STATUS_NOT_SUPPORTED;
	}
	if (!s)
		return STATUS_SUCCESS;
	if (!a)
		return dxg_gpuva_map_prot(s, op->map_protect.base_address, size, NULL,
					  0, (uint32_t)prot);
	return dxg_mem_map_alloc(ctx->mem, s, op->map_protect.base_address, size, a,
				 op->map_protect.allocation_offset, (uint32_t)prot);
}

/*
 * UNMAP: the range goes to the invalid state (unmapped: every access
 * faults), or with protection ZERO to the zero state.
 */
static int32_t update_unmap(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			    const struct dxg_obj *device,
			    const struct d3dddi_updategpuvirtualaddress_operation *op,
			    struct dxg_gpuva_space *s)
{
	uint64_t prot = op->unmap.protection.value;
	int32_t st;

	(void)ctx, (void)req, (void)device;
	if (!op->unmap.size || op->unmap.size % PAGE ||
	    op->unmap.base_address % PAGE || (prot & ~UPDATE_PROT_STATES) ||
	    prot == UPDATE_PROT_STATES)
		return STATUS_INVALID_PARAMETER;
	if (!s)
		return STATUS_SUCCESS;
	st = dxg_gpuva_unmap(s, op->unmap.base_address, op->unmap.size);
	if (st < 0 || prot != D3DDDIGPUVA_PROTECTION_ZERO)
		return st;
	return dxg_gpuva_map_prot(s, op->unmap.base_address, op->unmap.size,
				  NULL, 0, DXG_GPUVA_PROT_ZERO);
}

/* COPY: page-table entries, not data (dxg_gpuva_copy has the rules). */
static int32_t update_copy(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			   const struct dxg_obj *device,
			   const struct d3dddi_updategpuvirtualaddress_operation *op,
			   struct dxg_gpuva_space *s)
{
	(void)ctx, (void)req, (void)device;
	if (!op->copy.size || op->copy.size % PAGE ||
	    op->copy.source_address % PAGE || op->copy.dest_address % PAGE)
		return STATUS_INVALID_PARAMETER;
	return s ? dxg_gpuva_copy(s, op->copy.source_address, op->copy.size,
				  op->copy.dest_address) : STATUS_SUCCESS;
}

static const update_fn update_ops[] = {
	[D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP] = update_map,
	[D3DDDI_UPDATEGPUVIRTUALADDRESS_UNMAP] = update_unmap,
	[D3DDDI_UPDATEGPUVIRTUALADDRESS_COPY] = update_copy,
	[D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP_PROTECT] = update_map_protect,
};

/* Operation @i of the request, copied out of the (private) message. */
static int32_t update_op(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			 const struct dxg_obj *device, uint32_t i,
			 struct dxg_gpuva_space *s)
{
	struct d3dddi_updategpuvirtualaddress_operation op;

	memcpy(&op, req->cmd + sizeof(struct dxgkvmb_command_updategpuva) +
	       (uint64_t)i * sizeof(op), sizeof(op));
	if (op.operation >= sizeof(update_ops) / sizeof(update_ops[0]))
		return STATUS_INVALID_PARAMETER;
	return update_ops[op.operation](ctx, req, device, &op, s);
}

/*
 * The fence of an update: a monitored fence of the device.  It is signalled
 * to fence_value + 1 when the update is done, after waiting for
 * fence_value unless DO_NOT_WAIT.
 */
static int32_t update_fence(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			    const struct dxgkvmb_command_updategpuva *c,
			    const struct dxg_obj *device, struct dxg_obj *context,
			    struct dxg_obj **out)
{
	struct dxg_obj *f;

	*out = NULL;
	if (!c->fence_object)
		return STATUS_SUCCESS;
	f = ctx->sched ? dxg_sync_lookup(ctx->sched, c->fence_object,
					 req->process) : NULL;
	if (!f || dxg_sync_device(f) != device)
		return STATUS_INVALID_HANDLE;
	if (f->u.syncobject.sync->type != D3DDDI_MONITORED_FENCE ||
	    c->fence_value == UINT64_MAX)
		return STATUS_INVALID_PARAMETER;
	/*
	 * Without a context nothing orders the signal after fence_value is
	 * reached, and a monitored fence must not skip values: it has to be
	 * reached already, or the caller says not to wait.
	 */
	if (!context && !(c->flags & D3DKMT_UPDATEGPUVIRTUALADDRESS_FLAG_DO_NOT_WAIT) &&
	    dxg_sync_value(f) < c->fence_value)
		return STATUS_INVALID_PARAMETER;
	/* Both queue entries fit, or neither is queued. */
	if (context && ctx->sched->queued + 2 > DXG_SCHED_MAX_QUEUED)
		return STATUS_QUOTA_EXCEEDED;
	*out = f;
	return STATUS_SUCCESS;
}

/*
 * Signal the fence: on the context's queue (after a GPU wait for
 * fence_value unless DO_NOT_WAIT), so it follows the context's earlier
 * work as a real page-table update on that context would; without a
 * context at once.
 */
static int32_t update_signal(struct dxg_dispatch_ctx *ctx,
			     const struct dxgkvmb_command_updategpuva *c,
			     struct dxg_obj *context, struct dxg_obj *fence)
{
	struct dxg_sync_ref ref = { fence->handle, c->fence_value };
	int32_t st = STATUS_SUCCESS;

	if (!context) {
		dxg_sync_signal(ctx->sched, fence, c->fence_value + 1);
	} else {
		if (!(c->flags & D3DKMT_UPDATEGPUVIRTUALADDRESS_FLAG_DO_NOT_WAIT))
			st = dxg_sched_wait_gpu(ctx->sched, context, &ref, 1);
		ref.value = c->fence_value + 1;
		if (st >= 0)
			st = dxg_sched_signal(ctx->sched, context, &ref, 1);
	}
	if (st >= 0)
		dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);
	return st;
}

/*
 * MAP, UNMAP, COPY and MAP_PROTECT operations on the process's space on
 * this adapter, applied in order and all or nothing: every operation is
 * checked on its own, then the batch runs on a copy of the space that
 * replaces it only when every operation (and queueing the fence signal)
 * succeeded.  The update itself takes effect at once (everything is
 * resident); only the fence signal is ordered (update_signal).
 */
int32_t dxg_h_updategpuva(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_updategpuva, c);
	struct dxg_gpuva_space *s, *copy;
	struct dxg_obj *device, *context = NULL, *fence;
	uint32_t i, n = c.num_operations;
	int32_t st = STATUS_SUCCESS;

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!device)
		return STATUS_INVALID_HANDLE;
	if (c.context) {
		context = req_child(ctx, req, c.context, DXG_OBJ_CONTEXT, device);
		if (!context)
			return STATUS_INVALID_HANDLE;
	}
	if (c.flags & ~D3DKMT_UPDATEGPUVIRTUALADDRESS_FLAG_DO_NOT_WAIT ||
	    !n || n > DXG_MAX_UPDATEGPUVA_OPS ||
	    sizeof(c) + (uint64_t)n * sizeof(struct d3dddi_updategpuvirtualaddress_operation) >
	    req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	st = update_fence(ctx, req, &c, device, context, &fence);
	for (i = 0; i < n && st >= 0; i++)
		st = update_op(ctx, req, device, i, NULL);
	if (st < 0)
		return st;
	s = req_gpuva(req);
	copy = s ? dxg_gpuva_clone(s) : NULL;
	if (!copy)
		return STATUS_NO_MEMORY;
	for (i = 0; i < n && st >= 0; i++)
		st = update_op(ctx, req, device, i, copy);
	if (st >= 0) {
		dxg_gpuva_swap(s, copy);
		if (fence)
			st = update_signal(ctx, &c, context, fence);
		if (st < 0)	/* not queued: undo */
			dxg_gpuva_swap(s, copy);
	}
	dxg_gpuva_destroy(copy);
	return st < 0 ? st : STATUS_SUCCESS;
}
