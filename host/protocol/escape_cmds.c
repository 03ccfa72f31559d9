// SPDX-License-Identifier: MIT
/*
 * The ESCAPE command (D3DKMTEscape).  The escape's private data is copied
 * into the reply buffer first, so the guest cannot change it while it is
 * looked at; core/escape.c runs it and writes outputs in place.
 */
#include <string.h>

#include "core/execution.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"
#include "protocol/cmds.h"

/*
 * The ESCAPE command: D3DKMT_ESCAPE_DRIVERPRIVATE on a device of the
 * calling process (our escapes all act on a device); anything else is not
 * supported.  Reply: status, then the updated private data; in windows mode
 * the updated private data alone (a failure leaves it unchanged: see
 * error_reply() in dispatch.c).
 */
int32_t dxg_h_escape(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_escape, c);
	struct dxgkvmb_command_escape_ret r = { STATUS_SUCCESS };
	uint32_t room = req->cmd_len - DXGKVMB_ESCAPE_FIXED;
	struct dxg_obj *a, *dev, *x;
	uint8_t *data = req->reply + sizeof(r);
	int32_t st;

	if (c.type != D3DKMT_ESCAPE_DRIVERPRIVATE)
		return STATUS_NOT_SUPPORTED;
	if (c.priv_drv_data_size == 0 || c.priv_drv_data_size > room ||
	    c.priv_drv_data_size > DXG_REPLY_BUF_SIZE - sizeof(r))
		return STATUS_INVALID_PARAMETER;
	/* Opened adapters are VM-wide objects: no owning process. */
	a = dxg_obj_lookup(ctx->objs, c.adapter, DXG_OBJ_ADAPTER, NULL);
	dev = req_object(ctx, req, c.device, DXG_OBJ_DEVICE);
	if (!a || a->adapter != req->adapter || !dev)
		return STATUS_INVALID_HANDLE;
	if (c.context) {
		x = req_object(ctx, req, c.context, DXG_OBJ_CONTEXT);
		if (!x || x->parent != dev)
			return STATUS_INVALID_HANDLE;
	}
	memcpy(data, req->cmd + DXGKVMB_ESCAPE_FIXED, c.priv_drv_data_size);
	st = dxg_exec_escape(ctx->mem, ctx->objs, dev, data, c.priv_drv_data_size);
	if (st < 0)
		return st;
	if (ctx->windows) {
		/* The data alone; replies are at least 4 bytes (zero-padded). */
		memmove(req->reply, data, c.priv_drv_data_size);
		memset(req->reply + c.priv_drv_data_size, 0, sizeof(r));
		req->reply_len = c.priv_drv_data_size < sizeof(r) ?
				 (uint32_t)sizeof(r) : c.priv_drv_data_size;
		return STATUS_SUCCESS;
	}
	r.status = st;
	memcpy(req->reply, &r, sizeof(r));
	req->reply_len = (uint32_t)sizeof(r) + c.priv_drv_data_size;
	return STATUS_SUCCESS;
}
