// SPDX-License-Identifier: MIT
/*
 * Submission (docs/sync.md, docs/execution.md): SUBMITCOMMAND queues a
 * command buffer on its context (core/scheduler.c), GETDEVICESTATE reports
 * what execution left the device in.  SUBMITCOMMAND usually arrives as an
 * asynchronous message: its failures go through dxg_req_failed().
 */
#include <string.h>

#include "core/execution.h"
#include "core/scheduler.h"
#include "dxg/ntstatus.h"
#include "protocol/cmds.h"

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
		return dxg_req_failed(ctx, req, NULL, STATUS_INVALID_PARAMETER);
	context = req_object(ctx, req, a->broadcast_context[0], DXG_OBJ_CONTEXT);
	if (!context)
		return dxg_req_failed(ctx, req, NULL, STATUS_INVALID_HANDLE);
	/* One context: broadcast needs linked adapters, which we have not. */
	if (a->broadcast_context_count != 1)
		return dxg_req_failed(ctx, req, context->parent, STATUS_NOT_SUPPORTED);
	if (a->num_history_buffers > SUBMIT_MAX_HISTORY ||
	    a->priv_drv_data_size > SUBMIT_MAX_PRIV ||
	    a->num_primaries > D3DDDI_MAX_WRITTEN_PRIMARIES ||
	    sizeof(c) + 4ull * a->num_history_buffers + a->priv_drv_data_size >
	    req->cmd_len)
		return dxg_req_failed(ctx, req, context->parent, STATUS_INVALID_PARAMETER);
	st = dxg_sched_submit(ctx->sched, context, a->command_buffer,
			      a->command_length);
	if (st < 0)
		return dxg_req_failed(ctx, req, context->parent, st);
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
	memset(&r, 0, sizeof(r));
	r.args.device = c.args.device;
	r.args.state_type = c.args.state_type;
	switch (c.args.state_type) {
	case D3DKMT_DEVICESTATE_EXECUTION:
		/* What was submitted before this request and can run, has run. */
		if (ctx->sched)
			dxg_sched_run(ctx->sched, DXG_SCHED_MAX_QUEUED);
		r.args.execution_state = dxg_exec_device_state(dev);
		break;
	case D3DKMT_DEVICESTATE_RESET:
		/* No desktop switch ever happens: no reset flags. */
		break;
	case D3DKMT_DEVICESTATE_PAGE_FAULT:
		/*
		 * A page fault's address is not kept (the device's execution
		 * state says whether one happened): an empty fault record.
		 */
		if (ctx->sched)
			dxg_sched_run(ctx->sched, DXG_SCHED_MAX_QUEUED);
		break;
	case D3DKMT_DEVICESTATE_PRESENT:
	case D3DKMT_DEVICESTATE_PRESENT_DWM:
	case D3DKMT_DEVICESTATE_PRESENT_QUEUE:
		/* The adapter has no VidPN source for vidpn_source_id to name. */
		return STATUS_INVALID_PARAMETER;
	default:
		return STATUS_INVALID_PARAMETER;
	}
	r.status = STATUS_SUCCESS;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}
