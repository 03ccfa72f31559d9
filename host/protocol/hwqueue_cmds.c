// SPDX-License-Identifier: MIT
/*
 * Hardware queues (docs/sync.md §8, docs/execution.md): CREATEHWQUEUE,
 * SUBMITCOMMANDTOHWQUEUE; DESTROYHWQUEUE is the table's generic destroy.
 *
 * A hw queue is a child of a context with one child of its own, its
 * progress fence (a monitored fence the guest maps like any other).  Its
 * work is the context's work: a submission goes on the context's queue in
 * core/scheduler.c as a SUBMIT followed by a SIGNAL of the progress fence,
 * so it runs on the context's engine in order with everything else queued
 * on the context (and on its other hw queues), and the fence advances when
 * the command buffer is done.  Signals and GPU waits on a hw queue
 * (SIGNALSYNCOBJECT / WAITFORSYNCOBJECTFROMGPU naming it) go on the same
 * queue: req_queue_context().  Destroying the queue (or its context,
 * device, process) destroys the fence with it; entries still queued run
 * and their signal of the fence, now gone, does nothing.
 */
#include <string.h>

#include "core/memory.h"
#include "core/scheduler.h"
#include "dxg/ntstatus.h"
#include "protocol/cmds.h"

/* Bounds of SubmitCommandToHwQueue (dxgkrnl-facts.md §1.4). */
#define HWQ_MAX_PRIV		(128u * 1024)

struct dxg_obj *req_queue_context(struct dxg_dispatch_ctx *ctx,
				  struct dxg_req *req, uint32_t handle)
{
	struct dxg_obj *o = req_object(ctx, req, handle, DXG_OBJ_CONTEXT);

	if (o)
		return o;
	o = req_object(ctx, req, handle, DXG_OBJ_HWQUEUE);
	return o ? o->parent : NULL;
}

int32_t dxg_h_createhwqueue(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	struct dxgkvmb_command_createhwqueue c;
	struct dxg_obj *context, *q, *fence;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	memcpy(&c, req->cmd, DXGKVMB_CREATEHWQUEUE_FIXED);
	if (c.priv_drv_data_size > req->cmd_len - DXGKVMB_CREATEHWQUEUE_FIXED)
		return STATUS_INVALID_PARAMETER;
	context = req_object(ctx, req, c.context, DXG_OBJ_CONTEXT);
	if (!context)
		return STATUS_INVALID_HANDLE;
	if (c.flags & ~(uint32_t)D3DDDI_CREATEHWQUEUE_FLAG_DISABLE_GPU_TIMEOUT)
		return STATUS_INVALID_PARAMETER;
	st = dxg_obj_create(ctx->objs, DXG_OBJ_HWQUEUE, context, req->adapter,
			    &q);
	if (st < 0)
		return st;
	q->u.hwqueue.flags = c.flags;
	/* Its progress fence: destroyed with it (a child), starts at 0. */
	st = dxg_obj_create(ctx->objs, DXG_OBJ_SYNCOBJECT, q, req->adapter,
			    &fence);
	if (st >= 0)
		st = dxg_sync_create(ctx->sched, fence, D3DDDI_MONITORED_FENCE,
				     0, 0);
	if (st >= 0)
		st = dxg_mem_fence_map(ctx->mem, fence);
	if (st < 0) {
		dxg_obj_destroy(ctx->objs, q);
		return st;
	}
	q->u.hwqueue.progress = fence->handle;
	c.status = STATUS_SUCCESS;
	c.hwqueue = q->handle;
	c.hwqueue_progress_fence = fence->handle;
	c.hwqueue_progress_fence_cpuva = fence->u.syncobject.sync->page;
	c.hwqueue_progress_fence_gpuva = fence->u.syncobject.gpu_va;
	put_reply(req, &c, DXGKVMB_CREATEHWQUEUE_FIXED);
	return STATUS_SUCCESS;
}

int32_t dxg_h_submitcommandtohwqueue(struct dxg_dispatch_ctx *ctx,
				     struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_submitcommandtohwqueue, c);
	const struct d3dkmt_submitcommandtohwqueue *a = &c.args;
	struct dxg_sync_ref progress;
	struct dxg_obj *q, *context;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	q = req_object(ctx, req, a->hwqueue, DXG_OBJ_HWQUEUE);
	if (!q)
		return dxg_req_failed(ctx, req, NULL, STATUS_INVALID_HANDLE);
	context = q->parent;
	if (a->priv_drv_data_size > HWQ_MAX_PRIV ||
	    a->num_primaries > D3DDDI_MAX_WRITTEN_PRIMARIES ||
	    sizeof(c) + 4ull * a->num_primaries + a->priv_drv_data_size >
	    req->cmd_len)
		return dxg_req_failed(ctx, req, context->parent,
				      STATUS_INVALID_PARAMETER);
	/* Both entries fit, or neither is queued. */
	if (ctx->sched->queued + 2 > DXG_SCHED_MAX_QUEUED)
		return dxg_req_failed(ctx, req, context->parent,
				      STATUS_QUOTA_EXCEEDED);
	progress.handle = q->u.hwqueue.progress;
	progress.value = a->hwqueue_progress_fence_id;
	st = dxg_sched_submit(ctx->sched, context, a->command_buffer,
			      a->command_length);
	if (st >= 0)
		st = dxg_sched_signal(ctx->sched, context, &progress, 1);
	if (st < 0)
		return dxg_req_failed(ctx, req, context->parent, st);
	dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);
	return STATUS_SUCCESS;
}
