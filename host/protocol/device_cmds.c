// SPDX-License-Identifier: MIT
/*
 * Processes, devices and contexts: CREATEPROCESS / DESTROYPROCESS (VM-wide),
 * CREATEDEVICE (the device gets its engine from core/execution.c) and
 * CREATECONTEXTVIRTUAL.  Their DESTROY commands are the dispatcher's
 * generic destroy (protocol/dispatch.c).
 */
#include <stddef.h>
#include <string.h>

#include "core/execution.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"
#include "protocol/cmds.h"

int32_t dxg_h_createprocess(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_createprocess, c);
	struct dxgkvmb_command_createprocess_ret r = { 0 };
	struct dxg_obj *p;
	int32_t st;

	st = dxg_obj_create(ctx->objs, DXG_OBJ_PROCESS, NULL, NULL, &p);
	if (st < 0)
		return st;
	p->u.process.cookie = c.process;
	p->u.process.pid = c.process_id;
	r.hprocess = p->handle;
	/* A Windows host answers the handle alone. */
	put_reply(req, &r, ctx->windows ? sizeof(r.hprocess) : sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_destroyprocess(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	dxg_obj_destroy(ctx->objs, req->process);
	return STATUS_SUCCESS;
}

int32_t dxg_h_createdevice(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_createdevice, c);
	struct dxgkvmb_command_createdevice_ret r = { 0 };
	struct dxg_obj *d;
	int32_t st;

	st = dxg_obj_create(ctx->objs, DXG_OBJ_DEVICE, req->process,
			    req->adapter, &d);
	if (st < 0)
		return st;
	d->u.device.flags = c.flags;
	st = dxg_exec_device_init(ctx->mem, d);
	if (st < 0) {
		dxg_obj_destroy(ctx->objs, d);
		return st;
	}
	r.device = d->handle;
	put_reply(req, &r, ctx->windows ? sizeof(r.device) : sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_createcontextvirtual(struct dxg_dispatch_ctx *ctx,
				   struct dxg_req *req)
{
	struct dxgkvmb_command_createcontextvirtual c;
	struct dxg_obj *d, *x;
	int32_t st;

	memcpy(&c, req->cmd, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED);
	if (c.priv_drv_data_size > DXG_MAX_VM_BUS_PACKET_SIZE ||
	    c.priv_drv_data_size > req->cmd_len - DXGKVMB_CREATECONTEXTVIRTUAL_FIXED)
		return STATUS_INVALID_PARAMETER;
	d = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!d)
		return STATUS_INVALID_HANDLE;
	if (c.node_ordinal >= req->adapter->node_count)
		return STATUS_INVALID_PARAMETER;
	st = dxg_obj_create(ctx->objs, DXG_OBJ_CONTEXT, d, req->adapter, &x);
	if (st < 0)
		return st;
	x->u.context.node_ordinal = c.node_ordinal;
	x->u.context.flags = c.flags;
	/*
	 * The reply is the command itself (header onwards, fixed part and
	 * private data, not the ring's padding) with `context` set.
	 */
	put_reply(req, req->cmd,
		  DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + c.priv_drv_data_size);
	memcpy(req->reply + offsetof(struct dxgkvmb_command_createcontextvirtual,
				     context), &x->handle, sizeof(x->handle));
	return STATUS_SUCCESS;
}
