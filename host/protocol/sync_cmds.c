// SPDX-License-Identifier: MIT
/*
 * The sync-object commands (docs/sync.md): CREATESYNCOBJECT,
 * DESTROYSYNCOBJECT, SIGNALSYNCOBJECT, WAITFORSYNCOBJECTFROMCPU / FROMGPU.
 * SIGNALSYNCOBJECT and WAITFORSYNCOBJECTFROMGPU usually arrive as
 * asynchronous messages: their failures go through dxg_req_failed().
 */
#include <stddef.h>
#include <string.h>

#include "core/execution.h"
#include "core/memory.h"
#include "core/scheduler.h"
#include "dxg/ntstatus.h"
#include "protocol/cmds.h"

#define SYNC_UNSUPPORTED_FLAGS D3DDDI_SYNCOBJ_FLAG_CROSS_ADAPTER
/* Monitored fences may be shared through NT handles (share_cmds.c). */
#define SYNC_SHARED_FLAGS (D3DDDI_SYNCOBJ_FLAG_SHARED | \
	D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING)

/*
 * Copy `count` handles at byte offset hoff and `count` (unaligned) u64
 * values at voff of the command into refs; the ranges must be inside it.
 */
static int32_t get_refs(const struct dxg_req *req, uint64_t hoff, uint64_t voff,
			uint32_t count, struct dxg_sync_ref *refs)
{
	if (!count || count > DXG_SCHED_MAX_OBJECTS ||
	    hoff + 4ull * count > req->cmd_len || voff + 8ull * count > req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < count; i++) {
		memcpy(&refs[i].handle, req->cmd + hoff + 4ull * i, 4);
		memcpy(&refs[i].value, req->cmd + voff + 8ull * i, 8);
	}
	return STATUS_SUCCESS;
}

/* Every object a sync object of `device` (a monitored fence if fences). */
static int32_t check_refs(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			  const struct dxg_obj *device,
			  const struct dxg_sync_ref *refs, uint32_t count,
			  bool fences)
{
	for (uint32_t i = 0; i < count; i++) {
		struct dxg_obj *o = dxg_sync_lookup(ctx->sched, refs[i].handle,
						    req->process);

		if (!o || dxg_sync_device(o) != device)
			return STATUS_INVALID_HANDLE;
		if (fences && o->u.syncobject.sync->type != D3DDDI_MONITORED_FENCE)
			return STATUS_INVALID_PARAMETER;
	}
	return STATUS_SUCCESS;
}

int32_t dxg_h_createsyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_createsyncobject, c);
	struct dxgkvmb_command_createsyncobject_ret r;
	const struct d3dddi_synchronizationobjectinfo2 *info = &c.args.info;
	struct dxg_obj *dev, *o;
	uint64_t initial = 0, event = 0;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	dev = req_object(ctx, req, c.args.device, DXG_OBJ_DEVICE);
	if (!dev)
		return STATUS_INVALID_HANDLE;
	if (info->flags.value & SYNC_UNSUPPORTED_FLAGS)
		return STATUS_NOT_SUPPORTED;
	if ((info->flags.value & SYNC_SHARED_FLAGS) &&
	    ((info->flags.value & SYNC_SHARED_FLAGS) != SYNC_SHARED_FLAGS ||
	     info->type != D3DDDI_MONITORED_FENCE))
		return STATUS_NOT_SUPPORTED;
	switch (info->type) {
	case D3DDDI_MONITORED_FENCE:
		initial = info->monitored_fence.initial_fence_value;
		break;
	case D3DDDI_CPU_NOTIFICATION:
		event = info->cpu_notification.event;
		break;
	case D3DDDI_SYNCHRONIZATION_MUTEX:
	case D3DDDI_SEMAPHORE:
	case D3DDDI_FENCE:
	case D3DDDI_PERIODIC_MONITORED_FENCE:
		return STATUS_NOT_SUPPORTED;
	default:
		return STATUS_INVALID_PARAMETER;
	}
	st = dxg_obj_create(ctx->objs, DXG_OBJ_SYNCOBJECT, dev, req->adapter, &o);
	if (st < 0)
		return st;
	st = dxg_sync_create(ctx->sched, o, info->type, initial, event);
	/* A fence's GPU VA in its device's space (docs/sync.md §1). */
	if (st >= 0 && info->type == D3DDDI_MONITORED_FENCE)
		st = dxg_mem_fence_map(ctx->mem, o);
	if (st < 0) {
		dxg_obj_destroy(ctx->objs, o);
		return st;
	}
	o->u.syncobject.sync->shared = (info->flags.value & SYNC_SHARED_FLAGS) != 0;
	memset(&r, 0, sizeof(r));
	r.sync_object = o->handle;
	r.fence_storage_address = o->u.syncobject.sync->page;
	r.fence_gpu_va = o->u.syncobject.gpu_va;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_destroysyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_destroysyncobject, c);
	struct dxg_obj *o;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	o = dxg_obj_lookup(ctx->objs, c.sync_object, DXG_OBJ_SYNCOBJECT,
			   req->process);
	/* A hw queue's progress fence, a paging fence: with its queue only. */
	if (!o || (o->parent && (o->parent->type == DXG_OBJ_HWQUEUE ||
				 o->parent->type == DXG_OBJ_PAGINGQUEUE)))
		return STATUS_INVALID_HANDLE;
	dxg_obj_destroy(ctx->objs, o);
	dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);	/* waits on it end */
	return STATUS_SUCCESS;
}

/*
 * objects[n], contexts[nc], values[n] follow the fixed part.  nc 0: a
 * signal from the CPU on behalf of `device`, at once.  nc 1..64: queued on
 * each context (or hw queue) of one device, a broadcast when nc > 1
 * (core/scheduler.c).  ENQUEUE_CPU_EVENT: cpu_event_handle is a guest event
 * sent when the signal happens (objects may then be none).
 */
int32_t dxg_h_signalsyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_signalsyncobject, c);
	struct dxg_obj *contexts[D3DDDI_MAX_BROADCAST_CONTEXT];
	struct dxg_obj *dev = NULL;
	uint64_t hoff = sizeof(c), coff = hoff + 4ull * c.object_count;
	uint32_t n = c.object_count, nc = c.context_count;
	bool cpu_event = c.flags & D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT;
	struct dxg_sig sig;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	if (nc > D3DDDI_MAX_BROADCAST_CONTEXT || n > DXG_SCHED_MAX_OBJECTS ||
	    coff + 4ull * nc + 8ull * n > req->cmd_len ||
	    (cpu_event && (!nc || !c.cpu_event_handle)) || (!n && !cpu_event))
		return dxg_req_failed(ctx, req, NULL, STATUS_INVALID_PARAMETER);
	for (uint32_t i = 0; i < nc; i++) {
		d3dkmthandle h;

		memcpy(&h, req->cmd + coff + 4ull * i, sizeof(h));
		/* SubmitSignalSyncObjectsToHwQueue names hw queues here. */
		contexts[i] = req_queue_context(ctx, req, h);
		if (!contexts[i] || (dev && contexts[i]->parent != dev))
			return dxg_req_failed(ctx, req, dev, STATUS_INVALID_HANDLE);
		dev = contexts[i]->parent;
	}
	if (!nc) {
		dev = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
		if (!dev)
			return dxg_req_failed(ctx, req, NULL, STATUS_INVALID_HANDLE);
	}
	memset(&sig, 0, sizeof(sig));
	sig.count = n;
	sig.event = cpu_event ? c.cpu_event_handle : 0;
	st = n ? get_refs(req, hoff, coff + 4ull * nc, n, sig.refs) : STATUS_SUCCESS;
	if (st >= 0)
		st = check_refs(ctx, req, dev, sig.refs, n, false);
	if (st < 0)
		return dxg_req_failed(ctx, req, dev, st);
	if (nc) {
		st = dxg_sched_signal_bcast(ctx->sched, contexts, nc, &sig);
		if (st < 0)
			return dxg_req_failed(ctx, req, dev, st);
	} else {
		for (uint32_t i = 0; i < n; i++)
			dxg_sync_signal(ctx->sched,
					dxg_sync_lookup(ctx->sched, sig.refs[i].handle,
							req->process),
					sig.refs[i].value);
	}
	dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);
	return STATUS_SUCCESS;
}

int32_t dxg_h_waitfromcpu(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_waitforsyncobjectfromcpu, c);
	struct dxg_sync_ref refs[DXG_SCHED_MAX_OBJECTS];
	uint64_t hoff = sizeof(c);
	struct dxg_obj *dev;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	dev = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!dev)
		return STATUS_INVALID_HANDLE;
	if (!c.guest_event_pointer ||
	    (c.flags & ~(uint32_t)D3DDDI_WAITFROMCPU_FLAG_WAIT_ANY))
		return STATUS_INVALID_PARAMETER;
	st = get_refs(req, hoff, hoff + 4ull * c.object_count, c.object_count,
		      refs);
	if (st >= 0)
		st = check_refs(ctx, req, dev, refs, c.object_count, true);
	if (st >= 0)
		st = dxg_sched_wait_cpu(ctx->sched, req->process, dev, refs,
					c.object_count,
					c.flags & D3DDDI_WAITFROMCPU_FLAG_WAIT_ANY,
					c.guest_event_pointer);
	return st;
}

int32_t dxg_h_waitfromgpu(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_waitforsyncobjectfromgpu, c);
	struct dxg_sync_ref refs[DXG_SCHED_MAX_OBJECTS];
	uint64_t voff = DXGKVMB_WAITFROMGPU_FIXED;
	struct dxg_obj *context;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	/* SubmitWaitForSyncObjectsToHwQueue names a hw queue here. */
	context = req_queue_context(ctx, req, c.context);
	if (!context)
		return dxg_req_failed(ctx, req, NULL, STATUS_INVALID_HANDLE);
	if (c.legacy_fence_object)
		return dxg_req_failed(ctx, req, context->parent, STATUS_NOT_SUPPORTED);
	st = get_refs(req, voff + 8ull * c.object_count, voff, c.object_count,
		      refs);
	if (st >= 0)
		st = check_refs(ctx, req, context->parent, refs, c.object_count,
				true);
	if (st >= 0)
		st = dxg_sched_wait_gpu(ctx->sched, context, refs, c.object_count);
	if (st < 0)
		return dxg_req_failed(ctx, req, context->parent, st);
	dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);
	return STATUS_SUCCESS;
}
