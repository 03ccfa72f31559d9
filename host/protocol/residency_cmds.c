// SPDX-License-Identifier: MIT
/*
 * The residency commands: OFFERALLOCATIONS / RECLAIMALLOCATIONS,
 * SET/GETALLOCATIONPRIORITY, QUERYALLOCATIONRESIDENCY,
 * UPDATEALLOCATIONPROPERTY, CHANGEVIDEOMEMORYRESERVATION,
 * FLUSHHEAPTRANSITIONS and INVALIDATECACHE.  The state they change is
 * core/residency.c's; docs/memory.md §10 is the model and docs/protocol.md
 * §2.6 the layouts.
 *
 * A request is checked whole before anything changes: a list with one bad
 * handle, one duplicate or one allocation in the wrong state changes
 * nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "core/adapter.h"
#include "core/memory.h"
#include "core/residency.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"
#include "protocol/cmds.h"

/* Segment ids (UPDATEALLOCATIONPROPERTY): 1 the IO space, 2 device memory. */
#define SEG_IO		1u
#define SEG_DEVICE	2u

/*
 * The allocations a list command names: `count` allocation handles at
 * `off`, or with `resources` as many resource handles, each standing for
 * all of its allocations.  *owner[i] is the index of the handle that named
 * allocation i.  Returns an NTSTATUS; *out and *owner are malloc'ed.
 */
struct alloc_set {
	struct dxg_obj **a;
	uint32_t *owner;
	uint32_t n;
};

static void set_free(struct alloc_set *s)
{
	free(s->a);
	free(s->owner);
}

static int32_t set_add(struct alloc_set *s, struct dxg_obj *a, uint32_t owner)
{
	struct dxg_obj **na;
	uint32_t *no;

	if (s->n >= DXG_MEM_MAX_RESIDENCY * 4)
		return STATUS_INVALID_PARAMETER;
	na = realloc(s->a, (s->n + 1) * sizeof(*na));
	if (!na)
		return STATUS_NO_MEMORY;
	s->a = na;
	no = realloc(s->owner, (s->n + 1) * sizeof(*no));
	if (!no)
		return STATUS_NO_MEMORY;
	s->owner = no;
	s->a[s->n] = a;
	s->owner[s->n++] = owner;
	return STATUS_SUCCESS;
}

static int32_t req_set(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
		       const struct dxg_obj *device, uint64_t off,
		       uint32_t count, bool resources, struct alloc_set *s)
{
	struct dxg_obj **objs;
	int32_t st;

	memset(s, 0, sizeof(*s));
	if (!resources) {
		st = req_alloc_list(ctx, req, off, count, DXG_MEM_MAX_RESIDENCY,
				    device, &objs);
		if (st < 0)
			return st;
		s->a = objs;
		s->n = count;
		s->owner = calloc(count, sizeof(*s->owner));
		if (!s->owner) {
			set_free(s);
			return STATUS_NO_MEMORY;
		}
		for (uint32_t i = 0; i < count; i++)
			s->owner[i] = i;
		return STATUS_SUCCESS;
	}
	if (!count || count > DXG_MEM_MAX_RESIDENCY ||
	    off + (uint64_t)count * sizeof(uint32_t) > req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < count; i++) {
		struct dxg_obj *r, *a;
		uint32_t h;

		memcpy(&h, req->cmd + off + (uint64_t)i * sizeof(h), sizeof(h));
		r = req_child(ctx, req, h, DXG_OBJ_RESOURCE, device);
		if (!r) {
			set_free(s);
			return STATUS_INVALID_HANDLE;
		}
		for (uint32_t j = 0; j < i; j++) {
			uint32_t hj;

			memcpy(&hj, req->cmd + off + (uint64_t)j * sizeof(hj),
			       sizeof(hj));
			if (hj == h) {
				set_free(s);
				return STATUS_INVALID_PARAMETER;
			}
		}
		for (a = r->children; a; a = a->next) {
			if (a->type != DXG_OBJ_ALLOCATION)
				continue;
			st = set_add(s, a, i);
			if (st < 0) {
				set_free(s);
				return st;
			}
		}
	}
	return STATUS_SUCCESS;
}

static uint32_t offer_priority(uint32_t p)
{
	/* AUTO: the host picks; it is NORMAL here. */
	return p == D3DKMT_OFFER_PRIORITY_AUTO ? D3DKMT_OFFER_PRIORITY_NORMAL : p;
}

#define OFFER_FLAGS	(D3DKMT_OFFER_FLAG_OFFER_IMMEDIATELY | \
			 D3DKMT_OFFER_FLAG_ALLOW_DECOMMIT)

int32_t dxg_h_offerallocations(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_offerallocations, c);
	struct dxg_obj *device;
	struct alloc_set s;
	int32_t st;

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!device)
		return STATUS_INVALID_HANDLE;
	if (c.priority < D3DKMT_OFFER_PRIORITY_LOW ||
	    c.priority > D3DKMT_OFFER_PRIORITY_AUTO || (c.flags & ~OFFER_FLAGS) ||
	    c.resources > 1)
		return STATUS_INVALID_PARAMETER;
	st = req_set(ctx, req, device, sizeof(c), c.allocation_count,
		     c.resources, &s);
	if (st < 0)
		return st;
	for (uint32_t i = 0; i < s.n; i++)
		if (s.a[i]->u.allocation.offer_priority)
			st = STATUS_INVALID_PARAMETER;	/* offered already */
	for (uint32_t i = 0; i < s.n && st >= 0; i++)
		dxg_res_offer(ctx->mem, s.a[i], offer_priority(c.priority));
	/* OFFER_IMMEDIATELY: the caller wants the memory gone now. */
	if (st >= 0 && (c.flags & D3DKMT_OFFER_FLAG_OFFER_IMMEDIATELY))
		dxg_res_trim(ctx->mem, req->process, DXG_RES_TRIM_ALL, 0);
	set_free(&s);
	return st;
}

/* Worse results win when a resource's allocations differ. */
static uint32_t worse(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

int32_t dxg_h_reclaimallocations(struct dxg_dispatch_ctx *ctx,
				 struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_reclaimallocations, c);
	struct dxgkvmb_command_reclaimallocations_ret r = { 0 };
	struct dxg_obj *device, *q;
	struct alloc_set s;
	uint32_t *res;
	int32_t st;

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	q = device ? req_child(ctx, req, c.paging_queue, DXG_OBJ_PAGINGQUEUE,
			       device) : NULL;
	if (!q)
		return STATUS_INVALID_HANDLE;
	if (c.resources > 1 || sizeof(r) + (uint64_t)c.allocation_count *
	    sizeof(uint32_t) > DXG_REPLY_BUF_SIZE)
		return STATUS_INVALID_PARAMETER;
	st = req_set(ctx, req, device, sizeof(c), c.allocation_count,
		     c.resources, &s);
	if (st < 0)
		return st;
	for (uint32_t i = 0; i < s.n; i++)
		if (!s.a[i]->u.allocation.offer_priority)
			st = STATUS_INVALID_PARAMETER;	/* not offered */
	if (st < 0) {
		set_free(&s);
		return st;
	}
	res = (uint32_t *)(void *)(req->reply + sizeof(r));
	memset(res, 0, (size_t)c.allocation_count * sizeof(*res));
	for (uint32_t i = 0; i < s.n; i++) {
		uint32_t v = dxg_res_reclaim(ctx->mem, s.a[i]);

		res[s.owner[i]] = worse(res[s.owner[i]], v);
	}
	set_free(&s);
	r.paging_fence_value = paging_fence_signal(ctx, q);
	r.status = STATUS_SUCCESS;
	memcpy(req->reply, &r, sizeof(r));
	req->reply_len = (uint32_t)(sizeof(r) + (uint64_t)c.allocation_count *
				    sizeof(uint32_t));
	return STATUS_SUCCESS;
}

/*
 * The allocations SET/GET/QUERY name: allocation_count handles, or (count
 * 0) every allocation of one resource.  *values: how many values go with
 * the request (the count, or 1 for a resource).
 */
static int32_t list_set(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			const struct dxgkvmb_command_allocationlist *c,
			struct alloc_set *s, uint32_t *values)
{
	const struct dxg_obj *device;

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	device = req_object(ctx, req, c->device, DXG_OBJ_DEVICE);
	if (!device)
		return STATUS_INVALID_HANDLE;
	if (c->resource) {
		if (c->allocation_count)
			return STATUS_INVALID_PARAMETER;
		*values = 1;
		/* The resource's handle stands in the list's place. */
		return req_set(ctx, req, device,
			       offsetof(struct dxgkvmb_command_allocationlist,
					resource), 1, true, s);
	}
	*values = c->allocation_count;
	return req_set(ctx, req, device, sizeof(*c), c->allocation_count, false,
		       s);
}

static bool priority_ok(uint32_t p)
{
	return p >= D3DDDI_ALLOCATIONPRIORITY_MINIMUM &&
	       p <= D3DDDI_ALLOCATIONPRIORITY_MAXIMUM;
}

int32_t dxg_h_setallocationpriority(struct dxg_dispatch_ctx *ctx,
				    struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_allocationlist, c);
	struct alloc_set s;
	uint64_t off;
	uint32_t n, *prio;
	int32_t st;

	st = list_set(ctx, req, &c, &s, &n);
	if (st < 0)
		return st;
	/* The priorities follow the handles (none for a resource). */
	off = sizeof(c) + (c.resource ? 0 : (uint64_t)n * sizeof(uint32_t));
	if (off + (uint64_t)n * sizeof(uint32_t) > req->cmd_len) {
		set_free(&s);
		return STATUS_INVALID_PARAMETER;
	}
	prio = malloc((size_t)n * sizeof(*prio));
	if (!prio) {
		set_free(&s);
		return STATUS_NO_MEMORY;
	}
	memcpy(prio, req->cmd + off, (size_t)n * sizeof(*prio));
	for (uint32_t i = 0; i < n; i++)
		if (!priority_ok(prio[i]))
			st = STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < s.n && st >= 0; i++)
		s.a[i]->u.allocation.priority = prio[s.owner[i]];
	free(prio);
	set_free(&s);
	return st;
}

/* GET and QUERY: one value per handle, from its (first) allocation. */
static int32_t list_values(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			   uint32_t (*value)(const struct dxg_obj *a))
{
	REQ_GET(req, struct dxgkvmb_command_allocationlist, c);
	struct dxgkvmb_command_allocvalues_ret r = { 0 };
	struct alloc_set s;
	uint32_t n, *v;
	int32_t st;

	st = list_set(ctx, req, &c, &s, &n);
	if (st < 0)
		return st;
	if (sizeof(r) + (uint64_t)n * sizeof(uint32_t) > DXG_REPLY_BUF_SIZE) {
		set_free(&s);
		return STATUS_INVALID_PARAMETER;
	}
	v = (uint32_t *)(void *)(req->reply + sizeof(r));
	memset(v, 0, (size_t)n * sizeof(*v));
	/* A resource without allocations reports 0. */
	for (uint32_t i = s.n; i-- > 0;)
		v[s.owner[i]] = value(s.a[i]);
	set_free(&s);
	r.status = STATUS_SUCCESS;
	r.count = n;
	memcpy(req->reply, &r, sizeof(r));
	req->reply_len = (uint32_t)(sizeof(r) + (uint64_t)n * sizeof(uint32_t));
	return STATUS_SUCCESS;
}

static uint32_t priority_of(const struct dxg_obj *a)
{
	return a->u.allocation.priority;
}

int32_t dxg_h_getallocationpriority(struct dxg_dispatch_ctx *ctx,
				    struct dxg_req *req)
{
	return list_values(ctx, req, priority_of);
}

int32_t dxg_h_queryallocationresidency(struct dxg_dispatch_ctx *ctx,
				       struct dxg_req *req)
{
	return list_values(ctx, req, dxg_res_status);
}

#define PROPERTY_MASK	(D3DDDI_UPDATEALLOCPROPERTY_SET_ACCESSED_PHYSICALLY | \
			 D3DDDI_UPDATEALLOCPROPERTY_SET_SUPPORTED_SEGMENT_SET | \
			 D3DDDI_UPDATEALLOCPROPERTY_SET_PREFERRED_SEGMENT)

/* Every entry of a preference names no segment or one of ours. */
static bool preference_ok(uint32_t pref, uint32_t nseg)
{
	for (unsigned int i = 0; i < 5; i++) {
		uint32_t e = pref >> (i * D3DDDI_SEGMENTPREFERENCE_BITS_PER_ENTRY);

		if ((e & D3DDDI_SEGMENTPREFERENCE_SEGMENT_ID_MASK) > nseg)
			return false;
	}
	/* Two unused bits above the five entries. */
	return !(pref >> (5 * D3DDDI_SEGMENTPREFERENCE_BITS_PER_ENTRY));
}

/*
 * Allocations never move here, so a property can only describe where an
 * allocation already is: the supported set must hold its segment.  The
 * properties are recorded and the paging fence signalled (the change is
 * done at once).
 */
int32_t dxg_h_updateallocationproperty(struct dxg_dispatch_ctx *ctx,
				       struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_updateallocationproperty, c);
	struct dxgkvmb_command_updateallocationproperty_ret r = { 0 };
	uint32_t mask = c.args.property_mask_value, nseg, seg;
	struct dxg_obj *device, *q, *a;

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	q = device ? req_child(ctx, req, c.args.paging_queue,
			       DXG_OBJ_PAGINGQUEUE, device) : NULL;
	a = device ? req_alloc(ctx, req, c.args.allocation, device) : NULL;
	if (!q || !a)
		return STATUS_INVALID_HANDLE;
	nseg = dxg_mem_has_device(ctx->mem, req->adapter) ? SEG_DEVICE : SEG_IO;
	seg = a->u.allocation.dev ? SEG_DEVICE : SEG_IO;
	if (!mask || (mask & ~PROPERTY_MASK) ||
	    (c.args.flags.value & ~D3DDDI_UPDATEALLOCPROPERTY_FLAG_ACCESSED_PHYSICALLY))
		return STATUS_INVALID_PARAMETER;
	if ((mask & D3DDDI_UPDATEALLOCPROPERTY_SET_SUPPORTED_SEGMENT_SET) &&
	    ((c.args.supported_segment_set >> nseg) ||
	     !(c.args.supported_segment_set & (1u << (seg - 1)))))
		return STATUS_INVALID_PARAMETER;
	if ((mask & D3DDDI_UPDATEALLOCPROPERTY_SET_PREFERRED_SEGMENT) &&
	    !preference_ok(c.args.preferred_segment.value, nseg))
		return STATUS_INVALID_PARAMETER;
	if (mask & D3DDDI_UPDATEALLOCPROPERTY_SET_SUPPORTED_SEGMENT_SET)
		a->u.allocation.segment_set = c.args.supported_segment_set;
	if (mask & D3DDDI_UPDATEALLOCPROPERTY_SET_PREFERRED_SEGMENT)
		a->u.allocation.preferred_segment = c.args.preferred_segment.value;
	if (mask & D3DDDI_UPDATEALLOCPROPERTY_SET_ACCESSED_PHYSICALLY)
		a->u.allocation.accessed_physically = c.args.flags.value &
			D3DDDI_UPDATEALLOCPROPERTY_FLAG_ACCESSED_PHYSICALLY;
	r.paging_fence_value = paging_fence_signal(ctx, q);
	r.status = STATUS_SUCCESS;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_res_group(struct dxg_dispatch_ctx *ctx, const struct dxg_req *req,
		      uint32_t adapter, uint32_t physical_index, uint32_t group,
		      uint64_t *budget, uint64_t *usage)
{
	const struct dxg_mem *m = ctx->mem;
	struct dxg_obj *a;
	bool dev;

	*budget = *usage = 0;
	if (!m)
		return STATUS_NOT_SUPPORTED;
	a = dxg_obj_lookup(ctx->objs, adapter, DXG_OBJ_ADAPTER, NULL);
	if (!a || a->adapter != req->adapter)
		return STATUS_INVALID_HANDLE;
	if (physical_index)
		return STATUS_INVALID_PARAMETER;
	/*
	 * With device memory it is LOCAL (the VM's quota; usage the whole
	 * VM's) and the IO space NON_LOCAL; without, the IO space is LOCAL.
	 * The IO space's budget and usage are the committed bytes
	 * (core/residency.h).
	 */
	dev = dxg_mem_has_device(m, req->adapter);
	switch (group) {
	case D3DKMT_MEMORY_SEGMENT_GROUP_LOCAL:
		if (dev) {
			*budget = m->dev_quota;
			*usage = m->dev_used;
			return STATUS_SUCCESS;
		}
		break;
	case D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL:
		if (!dev)
			return STATUS_SUCCESS;
		break;
	default:
		return STATUS_INVALID_PARAMETER;
	}
	*budget = dxg_res_budget(m);
	*usage = dxg_res_committed(m);
	return STATUS_SUCCESS;
}

/*
 * The pool a (valid) segment group of the request's adapter stands for, as
 * dxg_res_group reports it; -1: none (NON_LOCAL without device memory).
 */
static int group_pool(const struct dxg_dispatch_ctx *ctx,
		      const struct dxg_req *req, uint32_t group)
{
	bool dev = dxg_mem_has_device(ctx->mem, req->adapter);

	if (group == D3DKMT_MEMORY_SEGMENT_GROUP_LOCAL)
		return dev ? DXG_RES_DEV : DXG_RES_IO;
	return dev ? DXG_RES_IO : -1;
}

uint64_t dxg_res_group_available(struct dxg_dispatch_ctx *ctx,
				 const struct dxg_req *req, uint32_t group)
{
	int pool = group_pool(ctx, req, group);

	if (pool < 0 || !req->process)
		return 0;
	return dxg_res_available(ctx->mem, req->process, (enum dxg_res_pool)pool);
}

/* The process's reservation slot on the request's adapter, made if need be. */
static uint64_t *reservation_slot(struct dxg_req *req, uint32_t group)
{
	struct dxg_obj *p = req->process;

	if (req->adapter->index >= DXG_IVSHMEM_MAX_ADAPTERS)
		return NULL;
	if (!p->u.process.reservation) {
		p->u.process.reservation = calloc(DXG_IVSHMEM_MAX_ADAPTERS,
						  sizeof(*p->u.process.reservation));
		if (!p->u.process.reservation)
			return NULL;
	}
	return &p->u.process.reservation[req->adapter->index][group];
}

/* The reservation QUERYVIDEOMEMORYINFO reports (0 when none was made). */
uint64_t dxg_res_reservation(const struct dxg_req *req, uint32_t group)
{
	const struct dxg_obj *p = req->process;

	if (!p || !p->u.process.reservation || group > 1 ||
	    req->adapter->index >= DXG_IVSHMEM_MAX_ADAPTERS)
		return 0;
	return p->u.process.reservation[req->adapter->index][group];
}

int32_t dxg_h_changevideomemoryreservation(struct dxg_dispatch_ctx *ctx,
					   struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_changevideomemoryreservation, c);
	uint64_t budget, usage, *slot;
	int32_t st;
	int pool;

	st = dxg_res_group(ctx, req, c.adapter, c.physical_adapter_index,
			   c.memory_segment_group, &budget, &usage);
	if (st < 0)
		return st;
	/* Bounded by the budget: what the group can never give is refused. */
	if (c.reservation > budget)
		return STATUS_INVALID_PARAMETER;
	slot = reservation_slot(req, c.memory_segment_group);
	if (!slot)
		return STATUS_NO_MEMORY;
	/*
	 * Enforced (core/residency.h): more than is still available to the
	 * process (the budget less what the others hold or reserved) fails.
	 */
	pool = group_pool(ctx, req, c.memory_segment_group);
	if (pool >= 0) {
		st = dxg_res_reserve(ctx->mem, req->process,
				     (enum dxg_res_pool)pool, *slot,
				     c.reservation);
		if (st < 0)
			return st;
	}
	*slot = c.reservation;
	return STATUS_SUCCESS;
}

/* Heap changes take effect when they are made: nothing is pending. */
int32_t dxg_h_flushheaptransitions(struct dxg_dispatch_ctx *ctx,
				   struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_flushheaptransitions, c);
	struct dxg_obj *a;

	a = dxg_obj_lookup(ctx->objs, c.adapter, DXG_OBJ_ADAPTER, NULL);
	if (!a || a->adapter != req->adapter)
		return STATUS_INVALID_HANDLE;
	return STATUS_SUCCESS;
}

/*
 * INVALIDATECACHE: [offset, offset + length) inside the allocation.  The
 * IO space is ordinary cache-coherent memory shared by the guest's CPU,
 * the host's CPU and the engines (which import it host-coherent), so a
 * full fence is all there is to do; device memory is not CPU-visible.
 */
int32_t dxg_h_invalidatecache(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_invalidatecache, c);
	struct dxg_obj *a;

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	a = req_device_alloc(ctx, req, c.device, c.allocation);
	if (!a)
		return STATUS_INVALID_HANDLE;
	if (c.offset > a->u.allocation.size ||
	    c.length > a->u.allocation.size - c.offset)
		return STATUS_INVALID_PARAMETER;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return STATUS_SUCCESS;
}
