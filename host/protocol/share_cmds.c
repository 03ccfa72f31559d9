// SPDX-License-Identifier: MIT
/*
 * Sharing between the processes of one VM (docs/memory.md §9, docs/sync.md
 * §8): CREATENTSHAREDOBJECT / DESTROYNTSHAREDOBJECT, OPENRESOURCE,
 * OPENSYNCOBJECT and SHAREOBJECTWITHHOST.
 *
 * An NT shared object is a VM-wide root object (like an adapter): the
 * guest makes one per "NT handle" (file descriptor) and destroys it when
 * the last reference to that descriptor's file goes, so it belongs to no
 * process and outlives the one that shared.  A resource's NT object holds
 * one alias per allocation (children of the NT object, in the order the
 * guest named them); a fence's holds the fence.  Opening makes new objects
 * of the opening process (its own handles) that use the same memory / the
 * same fence, which lives until its last user is gone
 * (host/core/memory.c dxg_mem_alias, host/core/sync.c dxg_sync_share).
 *
 * Only resources created CREATE_SHARED | NT_SECURITY_SHARING and monitored
 * fences created SHARED | NT_SECURITY_SHARING can be shared; an object is
 * opened only by a device on the shared object's adapter.
 */
#include <stdlib.h>
#include <string.h>

#include "core/memory.h"
#include "core/scheduler.h"
#include "dxg/ntstatus.h"
#include "protocol/cmds.h"

/* A live NT shared object of kind `kind`. */
static struct dxg_obj *nt_lookup(struct dxg_dispatch_ctx *ctx, uint32_t handle,
				 uint32_t kind)
{
	struct dxg_obj *nt = dxg_obj_lookup(ctx->objs, handle,
					    DXG_OBJ_NTSHARED, NULL);

	return nt && nt->u.ntshared.kind == kind ? nt : NULL;
}

/*
 * A device of the request's process.  The VM-wide commands carry no
 * adapter: the device names it.
 */
static struct dxg_obj *req_device(struct dxg_dispatch_ctx *ctx,
				  struct dxg_req *req, uint32_t handle)
{
	return dxg_obj_lookup(ctx->objs, handle, DXG_OBJ_DEVICE, req->process);
}

/* The NT object of a shared resource: an alias of each named allocation. */
static int32_t share_resource(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			      struct dxg_obj *res, struct dxg_obj *nt,
			      uint32_t count)
{
	uint32_t children = 0;

	for (struct dxg_obj *a = res->children; a; a = a->next)
		children++;
	/* Every allocation of the resource, each once, none other. */
	if (!count || count != children || count > DXG_MEM_MAX_ALLOCS ||
	    sizeof(struct dxgkvmb_command_createntsharedobject) +
	    (uint64_t)count * sizeof(uint32_t) > req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	nt->u.ntshared.allocs = calloc(count, sizeof(*nt->u.ntshared.allocs));
	if (!nt->u.ntshared.allocs)
		return STATUS_NO_MEMORY;
	for (uint32_t i = 0; i < count; i++) {
		struct dxg_obj *src, *alias;
		uint32_t h;
		int32_t st;

		memcpy(&h, req->cmd + sizeof(struct dxgkvmb_command_createntsharedobject) +
		       (uint64_t)i * sizeof(h), sizeof(h));
		src = dxg_obj_lookup(ctx->objs, h, DXG_OBJ_ALLOCATION,
				     req->process);
		if (!src || src->parent != res)
			return STATUS_INVALID_HANDLE;
		/* A duplicate already shares its memory with an alias here. */
		for (uint32_t j = 0; j < i && src->u.allocation.share; j++)
			if (nt->u.ntshared.allocs[j]->u.allocation.share ==
			    src->u.allocation.share)
				return STATUS_INVALID_PARAMETER;
		st = dxg_obj_create(ctx->objs, DXG_OBJ_ALLOCATION, nt, res->adapter,
				    &alias);
		if (st < 0)
			return st;
		nt->u.ntshared.allocs[i] = alias;
		nt->u.ntshared.count = i + 1;
		st = dxg_mem_alias(alias, src);
		if (st < 0)
			return st;
	}
	return STATUS_SUCCESS;
}

int32_t dxg_h_createntsharedobject(struct dxg_dispatch_ctx *ctx,
				   struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_createntsharedobject, c);
	struct dxgkvmb_command_createntsharedobject_ret r = { 0 };
	struct dxg_obj *res, *so, *nt;
	uint32_t count = 0;
	int32_t st;

	if (!ctx->mem || !ctx->sched)
		return STATUS_NOT_SUPPORTED;
	res = dxg_obj_lookup(ctx->objs, c.object, DXG_OBJ_RESOURCE, req->process);
	so = res ? NULL : dxg_sync_lookup(ctx->sched, c.object, req->process);
	if (res && !res->u.resource.shared)
		return STATUS_INVALID_PARAMETER;
	if (so && (!so->u.syncobject.sync->shared ||
		   so->u.syncobject.sync->type != D3DDDI_MONITORED_FENCE))
		return STATUS_INVALID_PARAMETER;
	if (!res && !so)
		return STATUS_INVALID_HANDLE;
	if (res)
		count = c.allocation_count;
	else if (c.allocation_count)
		return STATUS_INVALID_PARAMETER;
	st = dxg_obj_create(ctx->objs, DXG_OBJ_NTSHARED, NULL,
			    res ? res->adapter : so->adapter, &nt);
	if (st < 0)
		return st;
	if (res) {
		nt->u.ntshared.kind = DXGKVMB_NTSHARED_RESOURCE;
		st = share_resource(ctx, req, res, nt, count);
		if (st < 0) {
			dxg_obj_destroy(ctx->objs, nt);
			return st;
		}
	} else {
		nt->u.ntshared.kind = DXGKVMB_NTSHARED_SYNCOBJECT;
		dxg_sync_share(so->u.syncobject.sync, nt);
	}
	r.status = STATUS_SUCCESS;
	r.nt_handle = nt->handle;
	r.object_type = nt->u.ntshared.kind;
	r.allocation_count = nt->u.ntshared.count;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_destroyntsharedobject(struct dxg_dispatch_ctx *ctx,
				    struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_destroyntsharedobject, c);
	struct dxg_obj *nt = dxg_obj_lookup(ctx->objs, c.nt_handle,
					    DXG_OBJ_NTSHARED, NULL);

	if (!nt)
		return STATUS_INVALID_HANDLE;
	dxg_obj_destroy(ctx->objs, nt);
	if (ctx->sched)
		dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);
	return STATUS_SUCCESS;
}

int32_t dxg_h_openresource(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_openresource, c);
	struct dxgkvmb_command_openresource_ret r = { 0 };
	struct dxg_obj *device, *nt, *res;
	uint64_t len;
	int32_t st;

	device = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!device)
		return STATUS_INVALID_HANDLE;
	nt = nt_lookup(ctx, c.nt_handle, DXGKVMB_NTSHARED_RESOURCE);
	if (!nt)
		return STATUS_INVALID_HANDLE;
	if (nt->adapter != req->adapter ||
	    c.allocation_count != nt->u.ntshared.count)
		return STATUS_INVALID_PARAMETER;
	len = sizeof(r) + (uint64_t)c.allocation_count *
	      sizeof(struct dxgkvmb_openresource_alloc);
	if (len > DXG_REPLY_BUF_SIZE)
		return STATUS_INVALID_PARAMETER;
	st = dxg_obj_create(ctx->objs, DXG_OBJ_RESOURCE, device, req->adapter,
			    &res);
	if (st < 0)
		return st;
	res->u.resource.shared = true;
	for (uint32_t i = 0; i < c.allocation_count; i++) {
		struct dxgkvmb_openresource_alloc oa = { 0 };
		struct dxg_obj *a;

		st = dxg_obj_create(ctx->objs, DXG_OBJ_ALLOCATION, res,
				    req->adapter, &a);
		if (st >= 0)
			st = dxg_mem_alias(a, nt->u.ntshared.allocs[i]);
		if (st < 0) {
			/* The aliases made so far go with it. */
			dxg_obj_destroy(ctx->objs, res);
			return st;
		}
		oa.allocation = a->handle;
		oa.allocation_flags = DXGKVMB_ALLOCFLAG_CACHED;
		oa.allocation_size = a->u.allocation.size;
		memcpy(req->reply + sizeof(r) + (uint64_t)i * sizeof(oa), &oa,
		       sizeof(oa));
	}
	r.status = STATUS_SUCCESS;
	r.resource = res->handle;
	r.allocation_count = c.allocation_count;
	memcpy(req->reply, &r, sizeof(r));
	req->reply_len = (uint32_t)len;
	return STATUS_SUCCESS;
}

int32_t dxg_h_opensyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_opensyncobject, c);
	struct dxgkvmb_command_opensyncobject_ret r = { 0 };
	struct dxg_obj *device, *nt, *o;
	struct dxg_sync *y;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	device = req_device(ctx, req, c.device);
	if (!device)
		return STATUS_INVALID_HANDLE;
	nt = nt_lookup(ctx, c.nt_handle, DXGKVMB_NTSHARED_SYNCOBJECT);
	if (!nt)
		return STATUS_INVALID_HANDLE;
	if (nt->adapter != device->adapter ||
	    (c.flags & ~(D3DDDI_SYNCOBJ_FLAG_NO_SIGNAL | D3DDDI_SYNCOBJ_FLAG_NO_WAIT)))
		return STATUS_INVALID_PARAMETER;
	y = nt->u.ntshared.sync;
	st = dxg_obj_create(ctx->objs, DXG_OBJ_SYNCOBJECT, device,
			    device->adapter, &o);
	if (st < 0)
		return st;
	dxg_sync_share(y, o);
	/* Its own GPU VA, in the opening device's space. */
	st = y->type == D3DDDI_MONITORED_FENCE ?
	     dxg_mem_fence_map(ctx->mem, o) : STATUS_SUCCESS;
	if (st < 0) {
		dxg_obj_destroy(ctx->objs, o);
		return st;
	}
	r.status = STATUS_SUCCESS;
	r.sync_object = o->handle;
	r.type = y->type;
	r.fence_storage_address = y->page;
	r.fence_gpu_va = o->u.syncobject.gpu_va;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_shareobjectwithhost(struct dxg_dispatch_ctx *ctx,
				  struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_shareobjectwithhost, c);
	struct dxgkvmb_command_shareobjectwithhost_ret r = { 0 };
	struct dxg_obj *device, *o;

	device = req_device(ctx, req, c.device);
	if (!device)
		return STATUS_INVALID_HANDLE;
	o = dxg_obj_lookup(ctx->objs, c.object, DXG_OBJ_RESOURCE, req->process);
	if (!o)
		o = dxg_obj_lookup(ctx->objs, c.object, DXG_OBJ_SYNCOBJECT,
				   req->process);
	if (!o || o->parent != device)
		return STATUS_INVALID_HANDLE;
	/*
	 * The host's own name of the object: its type and handle, unique in
	 * the VM while the object lives, never 0.
	 */
	r.status = STATUS_SUCCESS;
	r.object_vail_nt_handle = (uint64_t)o->type << 32 | o->handle;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}
