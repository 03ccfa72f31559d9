// SPDX-License-Identifier: MIT
/*
 * The dispatcher's sync-object and submission commands (docs/sync.md):
 * CREATESYNCOBJECT, DESTROYSYNCOBJECT, SIGNALSYNCOBJECT,
 * WAITFORSYNCOBJECTFROMCPU / FROMGPU, SUBMITCOMMAND and GETDEVICESTATE.
 *
 * SUBMITCOMMAND, SIGNALSYNCOBJECT and WAITFORSYNCOBJECTFROMGPU usually
 * arrive as asynchronous messages (DXGKVMB_ASYNC_MSG, no reply): when such
 * a message fails, the device it names (if any) enters an error state that
 * GETDEVICESTATE reports, and the failure is logged rate-limited.  The same
 * commands sent synchronously get the status in their reply instead.
 */
#include <stddef.h>
#include <string.h>

#include "protocol/cmds.h"
#include "dxg/ntstatus.h"
#include "core/execution.h"
#include "core/scheduler.h"

#define SYNC_UNSUPPORTED_FLAGS (D3DDDI_SYNCOBJ_FLAG_SHARED | \
	D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING | D3DDDI_SYNCOBJ_FLAG_CROSS_ADAPTER)

static bool is_async(const struct dxg_req *req)
{
	return req->hdr.channel & DXGKVMB_ASYNC_MSG;
}

/* An asynchronous message failed: nobody will read a reply. */
static int32_t failed(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
		      struct dxg_obj *device, int32_t st)
{
	if (!is_async(req))
		return st;
	if (device && dxg_exec_device_state(device) ==
		      D3DKMT_DEVICEEXECUTION_ACTIVE)
		device->u.device.exec_state = D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT;
	if (ctx->rl)
		dxg_log_rl(ctx->rl, DXG_LOG_WARN,
			   "vm %u: async command %u failed: 0x%08x%s", ctx->vm_id,
			   req->hdr.command_type, (uint32_t)st,
			   device ? " (device in error state)" : "");
	return st;
}

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

		if (!o || o->parent != device)
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
	if (st < 0) {
		dxg_obj_destroy(ctx->objs, o);
		return st;
	}
	memset(&r, 0, sizeof(r));
	r.sync_object = o->handle;
	r.fence_storage_address = o->u.syncobject.sync->page;
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
	if (!o)
		return STATUS_INVALID_HANDLE;
	dxg_obj_destroy(ctx->objs, o);
	dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);	/* waits on it end */
	return STATUS_SUCCESS;
}

int32_t dxg_h_signalsyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_signalsyncobject, c);
	struct dxg_sync_ref refs[DXG_SCHED_MAX_OBJECTS];
	struct dxg_obj *dev = NULL, *context = NULL;
	uint64_t hoff = sizeof(c);
	uint32_t n = c.object_count;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	if (c.context_count > 1 || (c.flags & D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT))
		return failed(ctx, req, NULL, c.context_count > D3DDDI_MAX_BROADCAST_CONTEXT ?
			      STATUS_INVALID_PARAMETER : STATUS_NOT_SUPPORTED);
	if (c.context_count) {
		d3dkmthandle h;

		if (hoff + 4ull * n + 4 > req->cmd_len)
			return failed(ctx, req, NULL, STATUS_INVALID_PARAMETER);
		memcpy(&h, req->cmd + hoff + 4ull * n, sizeof(h));
		context = req_object(ctx, req, h, DXG_OBJ_CONTEXT);
		if (!context)
			return failed(ctx, req, NULL, STATUS_INVALID_HANDLE);
		dev = context->parent;
	} else {
		dev = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
		if (!dev)
			return failed(ctx, req, NULL, STATUS_INVALID_HANDLE);
	}
	st = get_refs(req, hoff, hoff + 4ull * n + 4ull * c.context_count, n, refs);
	if (st >= 0)
		st = check_refs(ctx, req, dev, refs, n, false);
	if (st < 0)
		return failed(ctx, req, dev, st);
	if (context) {
		st = dxg_sched_signal(ctx->sched, context, refs, n);
		if (st < 0)
			return failed(ctx, req, dev, st);
	} else {
		for (uint32_t i = 0; i < n; i++)
			dxg_sync_signal(ctx->sched,
					dxg_sync_lookup(ctx->sched, refs[i].handle,
							req->process),
					refs[i].value);
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
	context = req_object(ctx, req, c.context, DXG_OBJ_CONTEXT);
	if (!context)
		return failed(ctx, req, NULL, STATUS_INVALID_HANDLE);
	if (c.legacy_fence_object)
		return failed(ctx, req, context->parent, STATUS_NOT_SUPPORTED);
	st = get_refs(req, voff + 8ull * c.object_count, voff, c.object_count,
		      refs);
	if (st >= 0)
		st = check_refs(ctx, req, context->parent, refs, c.object_count,
				true);
	if (st >= 0)
		st = dxg_sched_wait_gpu(ctx->sched, context, refs, c.object_count);
	if (st < 0)
		return failed(ctx, req, context->parent, st);
	dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);
	return STATUS_SUCCESS;
}

/* Bounds of SubmitCommand (dxgkrnl-facts.md §1.4). */
#define SUBMIT_MAX_HISTORY	1024u
#define SUBMIT_MAX_PRIV		(128u * 1024)

int32_t dxg_h_submitcommand(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_submitcommand, c);
	const struct d3dkmt_submitcommand *a = &c.args;
	struct dxg_obj *context;
	int32_t st;

	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	if (a->broadcast_context_count == 0 ||
	    a->broadcast_context_count > D3DDDI_MAX_BROADCAST_CONTEXT)
		return failed(ctx, req, NULL, STATUS_INVALID_PARAMETER);
	context = req_object(ctx, req, a->broadcast_context[0], DXG_OBJ_CONTEXT);
	if (!context)
		return failed(ctx, req, NULL, STATUS_INVALID_HANDLE);
	/* One context: broadcast needs linked adapters, which we have not. */
	if (a->broadcast_context_count != 1)
		return failed(ctx, req, context->parent, STATUS_NOT_SUPPORTED);
	if (a->num_history_buffers > SUBMIT_MAX_HISTORY ||
	    a->priv_drv_data_size > SUBMIT_MAX_PRIV ||
	    a->num_primaries > D3DDDI_MAX_WRITTEN_PRIMARIES ||
	    sizeof(c) + 4ull * a->num_history_buffers + a->priv_drv_data_size >
	    req->cmd_len)
		return failed(ctx, req, context->parent, STATUS_INVALID_PARAMETER);
	st = dxg_sched_submit(ctx->sched, context, a->command_buffer,
			      a->command_length);
	if (st < 0)
		return failed(ctx, req, context->parent, st);
	dxg_sched_run(ctx->sched, DXG_SCHED_BUDGET);
	return STATUS_SUCCESS;
}

int32_t dxg_h_getdevicestate(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_getdevicestate, c);
	struct dxgkvmb_command_getdevicestate_ret r;
	struct dxg_obj *dev = req_object(ctx, req, c.args.device, DXG_OBJ_DEVICE);

	if (!dev)
		return STATUS_INVALID_HANDLE;
	if (c.args.state_type != D3DKMT_DEVICESTATE_EXECUTION)
		return STATUS_NOT_SUPPORTED;
	/* What was submitted before this request and can run, has run. */
	if (ctx->sched)
		dxg_sched_run(ctx->sched, DXG_SCHED_MAX_QUEUED);
	memset(&r, 0, sizeof(r));
	r.args = c.args;
	r.args.execution_state = dxg_exec_device_state(dev);
	r.status = STATUS_SUCCESS;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}
