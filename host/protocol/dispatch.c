// SPDX-License-Identifier: MIT
/*
 * The one command table and the path every guest message takes through it:
 * find the command (channel and id), check the message against the
 * command's rules (size, process, adapter), call its handler and shape the
 * reply.  The handlers are in <area>_cmds.c; DESTROY commands that name one
 * object share h_destroy here, driven by the table.
 */
#include "protocol/cmds.h"
#include "protocol/windows_replies.h"

#include <stddef.h>
#include <string.h>

#include "core/execution.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"

struct dxg_cmd {
	const char *name;
	uint32_t channel;	/* DXGKVMB_VGPU_TO_HOST or DXGKVMB_VM_TO_HOST */
	uint32_t min_size;	/* bytes from the command header on */
	uint32_t flags;		/* DXG_CMD_* */
	dxg_handler_fn fn;
	/* For the generic destroy handler: where the victim's handle is, its type. */
	uint32_t target_off;
	enum dxg_obj_type target_type;
};

/* A live object of `type` of this request's process on this request's adapter. */
struct dxg_obj *req_object(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			   uint32_t handle, enum dxg_obj_type type)
{
	struct dxg_obj *o = dxg_obj_lookup(ctx->objs, handle, type, req->process);

	return o && o->adapter == req->adapter ? o : NULL;
}

static bool is_async(const struct dxg_req *req)
{
	return req->hdr.channel & DXGKVMB_ASYNC_MSG;
}

/*
 * SUBMITCOMMAND(TOHWQUEUE), SIGNALSYNCOBJECT and WAITFORSYNCOBJECTFROMGPU usually
 * arrive as asynchronous messages (DXGKVMB_ASYNC_MSG, no reply): when such a
 * message fails, the device it names (if any) enters an error state that
 * GETDEVICESTATE reports, and the failure is logged rate-limited.  The same
 * commands sent synchronously get the status in their reply instead.
 */
int32_t dxg_req_failed(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
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
 * Every DESTROY* command that names one object owned by the calling
 * process: the table says where the handle is and what type it must be;
 * destroying it destroys its children too.
 */
static int32_t h_destroy(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			 const struct dxg_cmd *c)
{
	d3dkmthandle h;
	struct dxg_obj *o;

	memcpy(&h, req->cmd + c->target_off, sizeof(h));
	o = req_object(ctx, req, h, c->target_type);
	if (!o)
		return STATUS_INVALID_HANDLE;
	dxg_obj_destroy(ctx->objs, o);
	return STATUS_SUCCESS;
}

/* ---- the table ---- */

#define VGPU(id, fl, type, h) [DXGK_VMBCOMMAND_##id] = \
	{ #id, DXGKVMB_VGPU_TO_HOST, sizeof(type), (fl), (h) }
#define GLOBAL(id, fl, type, h) [DXGK_VMBCOMMAND_##id] = \
	{ #id, DXGKVMB_VM_TO_HOST, sizeof(type), (fl), (h) }

/* A destroy command: handled by h_destroy with its per-command rule. */
#define DESTROY(id, type, field, objtype) [DXGK_VMBCOMMAND_##id] = \
	{ #id, DXGKVMB_VGPU_TO_HOST, sizeof(type), \
	  DXG_CMD_NEEDS_PROCESS | DXG_CMD_NEEDS_ADAPTER, NULL, \
	  offsetof(type, field), (objtype) }

#define P	DXG_CMD_NEEDS_PROCESS
#define OP	DXG_CMD_OPT_PROCESS
#define A	DXG_CMD_NEEDS_ADAPTER
#define HR	DXG_CMD_HANDLE_REPLY

static const struct dxg_cmd commands[DXGK_VMBCOMMAND_INVALID_VM_TO_HOST] = {
	GLOBAL(CREATEPROCESS, HR, struct dxgkvmb_command_createprocess,
	       dxg_h_createprocess),
	GLOBAL(DESTROYPROCESS, P, struct dxgkvmb_command_destroyprocess,
	       dxg_h_destroyprocess),
	VGPU(OPENADAPTER, OP | A, struct dxgkvmb_command_openadapter,
	     dxg_h_openadapter),
	VGPU(CLOSEADAPTER, OP | A, struct dxgkvmb_command_closeadapter,
	     dxg_h_closeadapter),
	VGPU(GETINTERNALADAPTERINFO, OP | A,
	     struct dxgkvmb_command_getinternaladapterinfo,
	     dxg_h_getinternaladapterinfo),
	VGPU(QUERYADAPTERINFO, OP | A, struct dxgkvmb_command_queryadapterinfo,
	     dxg_h_queryadapterinfo),
	VGPU(CREATEDEVICE, P | A | HR, struct dxgkvmb_command_createdevice,
	     dxg_h_createdevice),
	DESTROY(DESTROYDEVICE, struct dxgkvmb_command_destroydevice, device,
		DXG_OBJ_DEVICE),
	[DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL] = {
		"CREATECONTEXTVIRTUAL", DXGKVMB_VGPU_TO_HOST,
		DXGKVMB_CREATECONTEXTVIRTUAL_FIXED, P | A, dxg_h_createcontextvirtual },
	DESTROY(DESTROYCONTEXT, struct dxgkvmb_command_destroycontext, context,
		DXG_OBJ_CONTEXT),
	/* Memory (host/core/memory.c). */
	VGPU(CREATEALLOCATION, P | A, struct dxgkvmb_command_createallocation,
	     dxg_h_createallocation),
	VGPU(DESTROYALLOCATION, P | A, struct dxgkvmb_command_destroyallocation,
	     dxg_h_destroyallocation),
	VGPU(LOCK2, P | A, struct dxgkvmb_command_lock2, dxg_h_lock2),
	VGPU(UNLOCK2, P | A, struct dxgkvmb_command_unlock2, dxg_h_unlock2),
	VGPU(CREATEPAGINGQUEUE, P | A, struct dxgkvmb_command_createpagingqueue,
	     dxg_h_createpagingqueue),
	DESTROY(DESTROYPAGINGQUEUE, struct dxgkvmb_command_destroypagingqueue,
		paging_queue, DXG_OBJ_PAGINGQUEUE),
	VGPU(OFFERALLOCATIONS, P | A, struct dxgkvmb_command_offerallocations,
	     dxg_h_offerallocations),
	VGPU(RECLAIMALLOCATIONS, P | A, struct dxgkvmb_command_reclaimallocations,
	     dxg_h_reclaimallocations),
	VGPU(SETALLOCATIONPRIORITY, P | A, struct dxgkvmb_command_allocationlist,
	     dxg_h_setallocationpriority),
	VGPU(GETALLOCATIONPRIORITY, P | A, struct dxgkvmb_command_allocationlist,
	     dxg_h_getallocationpriority),
	VGPU(QUERYALLOCATIONRESIDENCY, P | A,
	     struct dxgkvmb_command_allocationlist,
	     dxg_h_queryallocationresidency),
	VGPU(UPDATEALLOCATIONPROPERTY, P | A,
	     struct dxgkvmb_command_updateallocationproperty,
	     dxg_h_updateallocationproperty),
	VGPU(CHANGEVIDEOMEMORYRESERVATION, P | A,
	     struct dxgkvmb_command_changevideomemoryreservation,
	     dxg_h_changevideomemoryreservation),
	VGPU(FLUSHHEAPTRANSITIONS, P | A,
	     struct dxgkvmb_command_flushheaptransitions,
	     dxg_h_flushheaptransitions),
	VGPU(INVALIDATECACHE, P | A, struct dxgkvmb_command_invalidatecache,
	     dxg_h_invalidatecache),
	VGPU(MAKERESIDENT, P | A, struct dxgkvmb_command_makeresident,
	     dxg_h_makeresident),
	[DXGK_VMBCOMMAND_EVICT] = {
		"EVICT", DXGKVMB_VGPU_TO_HOST, DXGKVMB_EVICT_FIXED, P | A,
		dxg_h_evict },
	VGPU(QUERYVIDEOMEMORYINFO, P | A,
	     struct dxgkvmb_command_queryvideomemoryinfo,
	     dxg_h_queryvideomemoryinfo),
	VGPU(RESERVEGPUVIRTUALADDRESS, P | A, struct dxgkvmb_command_reservegpuva,
	     dxg_h_reservegpuva),
	VGPU(MAPGPUVIRTUALADDRESS, P | A, struct dxgkvmb_command_mapgpuva,
	     dxg_h_mapgpuva),
	VGPU(FREEGPUVIRTUALADDRESS, P | A, struct dxgkvmb_command_freegpuva,
	     dxg_h_freegpuva),
	VGPU(UPDATEGPUVIRTUALADDRESS, P | A, struct dxgkvmb_command_updategpuva,
	     dxg_h_updategpuva),
	/* Sync objects and submission (host/protocol/sync_cmds.c, docs/sync.md). */
	VGPU(CREATESYNCOBJECT, P | A, struct dxgkvmb_command_createsyncobject,
	     dxg_h_createsyncobject),
	GLOBAL(DESTROYSYNCOBJECT, P, struct dxgkvmb_command_destroysyncobject,
	       dxg_h_destroysyncobject),
	VGPU(SIGNALSYNCOBJECT, P | A, struct dxgkvmb_command_signalsyncobject,
	     dxg_h_signalsyncobject),
	VGPU(WAITFORSYNCOBJECTFROMCPU, P | A,
	     struct dxgkvmb_command_waitforsyncobjectfromcpu, dxg_h_waitfromcpu),
	VGPU(WAITFORSYNCOBJECTFROMGPU, P | A,
	     struct dxgkvmb_command_waitforsyncobjectfromgpu, dxg_h_waitfromgpu),
	VGPU(SUBMITCOMMAND, P | A, struct dxgkvmb_command_submitcommand,
	     dxg_h_submitcommand),
	/* Hardware queues (host/protocol/hwqueue_cmds.c). */
	[DXGK_VMBCOMMAND_CREATEHWQUEUE] = {
		"CREATEHWQUEUE", DXGKVMB_VGPU_TO_HOST,
		DXGKVMB_CREATEHWQUEUE_FIXED, P | A, dxg_h_createhwqueue },
	DESTROY(DESTROYHWQUEUE, struct dxgkvmb_command_destroyhwqueue, hwqueue,
		DXG_OBJ_HWQUEUE),
	VGPU(SUBMITCOMMANDTOHWQUEUE, P | A,
	     struct dxgkvmb_command_submitcommandtohwqueue,
	     dxg_h_submitcommandtohwqueue),
	VGPU(GETDEVICESTATE, P | A, struct dxgkvmb_command_getdevicestate,
	     dxg_h_getdevicestate),
	/* Priority, device error, observability (host/protocol/state_cmds.c). */
	VGPU(SETCONTEXTSCHEDULINGPRIORITY, P | A,
	     struct dxgkvmb_command_setcontextschedulingpriority2,
	     dxg_h_setcontextschedulingpriority),
	VGPU(GETCONTEXTSCHEDULINGPRIORITY, P | A,
	     struct dxgkvmb_command_getcontextschedulingpriority,
	     dxg_h_getcontextschedulingpriority),
	VGPU(MARKDEVICEASERROR, P | A, struct dxgkvmb_command_markdeviceaserror,
	     dxg_h_markdeviceaserror),
	VGPU(QUERYCLOCKCALIBRATION, P | A,
	     struct dxgkvmb_command_queryclockcalibration,
	     dxg_h_queryclockcalibration),
	VGPU(QUERYSTATISTICS, P | A, struct dxgkvmb_command_querystatistics,
	     dxg_h_querystatistics),
	VGPU(ISFEATUREENABLED, OP | A, struct dxgkvmb_command_isfeatureenabled,
	     dxg_h_isfeatureenabled),
	/* Sharing between processes (host/protocol/share_cmds.c). */
	GLOBAL(CREATENTSHAREDOBJECT, P,
	       struct dxgkvmb_command_createntsharedobject,
	       dxg_h_createntsharedobject),
	GLOBAL(DESTROYNTSHAREDOBJECT, 0,
	       struct dxgkvmb_command_destroyntsharedobject,
	       dxg_h_destroyntsharedobject),
	GLOBAL(OPENSYNCOBJECT, P, struct dxgkvmb_command_opensyncobject,
	       dxg_h_opensyncobject),
	VGPU(OPENRESOURCE, P | A, struct dxgkvmb_command_openresource,
	     dxg_h_openresource),
	GLOBAL(SHAREOBJECTWITHHOST, P, struct dxgkvmb_command_shareobjectwithhost,
	       dxg_h_shareobjectwithhost),
	/* Guest memory the host maps (sysmem_cmds.c). */
	GLOBAL(VERIFYGUESTRAM, 0, struct dxgkvmb_command_verifyguestram,
	       dxg_h_verifyguestram),
	VGPU(SETEXISTINGSYSMEMPAGES, P | A,
	     struct dxgkvmb_command_setexistingsysmempages,
	     dxg_h_setexistingsysmempages),
	VGPU(SETEXISTINGSYSMEMSTORE, P | A,
	     struct dxgkvmb_command_setexistingsysmemstore,
	     dxg_h_setexistingsysmemstore),
	GLOBAL(ESTABLISHGPADL, 0, struct dxgkvmb_command_establishgpadl,
	       dxg_h_establishgpadl),
	GLOBAL(TEARDOWNGPADL, 0, struct dxgkvmb_command_teardowngpadl,
	       dxg_h_teardowngpadl),
	/* Escapes (host/core/escape.c). */
	VGPU(ESCAPE, P | A, struct dxgkvmb_command_escape,
	     dxg_h_escape),
};

static const struct dxg_cmd *find_cmd(uint32_t channel_type, uint32_t command)
{
	const struct dxg_cmd *c;

	if (command >= sizeof(commands) / sizeof(commands[0]))
		return NULL;
	c = &commands[command];
	if ((!c->fn && !c->target_off) || c->channel != channel_type)
		return NULL;
	return c;
}

int dxg_dispatch_implemented(uint32_t channel_type, uint32_t command)
{
	return find_cmd(channel_type, command) != NULL;
}

const char *dxg_dispatch_name(uint32_t channel_type, uint32_t command)
{
	const struct dxg_cmd *c = find_cmd(channel_type, command);

	return c ? c->name : "unknown";
}

/* Generic checks shared by every command; returns an NTSTATUS. */
static int32_t validate(struct dxg_dispatch_ctx *ctx, const uint8_t *msg,
			uint32_t len, struct dxg_req *req,
			const struct dxg_cmd **out)
{
	struct dxgkvmb_msg_hdr h;
	uint32_t chan;
	const struct dxg_cmd *c;

	*out = NULL;
	if (len < sizeof(h))
		return STATUS_INVALID_PARAMETER;
	memcpy(&h, msg, sizeof(h));
	if (h.ext.command_offset != sizeof(h.ext))
		return STATUS_INVALID_PARAMETER;
	chan = DXGKVMB_CHANNEL_TYPE(h.hdr.channel);
	if ((h.hdr.channel & ~(0xffu | DXGKVMB_ASYNC_MSG)) ||
	    (chan != DXGKVMB_VGPU_TO_HOST && chan != DXGKVMB_VM_TO_HOST))
		return STATUS_INVALID_PARAMETER;
	c = find_cmd(chan, h.hdr.command_type);
	if (!c)
		return STATUS_NOT_SUPPORTED;
	*out = c;
	req->cmd = msg + sizeof(h.ext);
	req->cmd_len = len - (uint32_t)sizeof(h.ext);
	req->hdr = h.hdr;
	req->vgpu_luid = h.ext.vgpu_luid;
	if (req->cmd_len < c->min_size)
		return STATUS_INVALID_PARAMETER;
	if (c->flags & DXG_CMD_NEEDS_ADAPTER) {
		req->adapter = dxg_adapter_by_vgpu(ctx->adapters, h.ext.vgpu_luid);
		if (!req->adapter)
			return STATUS_INVALID_PARAMETER;
	}
	if ((c->flags & DXG_CMD_NEEDS_PROCESS) ||
	    ((c->flags & DXG_CMD_OPT_PROCESS) && h.hdr.process)) {
		req->process = dxg_obj_lookup(ctx->objs, h.hdr.process,
					      DXG_OBJ_PROCESS, NULL);
		if (!req->process)
			return STATUS_INVALID_HANDLE;
	}
	return STATUS_SUCCESS;
}

/*
 * A failed request's reply: the bare status, which is shorter than the
 * command's reply layout.  The ring pads payloads to 8 bytes, so for the
 * 8-byte {handle, status} layouts a bare status would look like a full
 * reply: those fail as {handle 0, status} instead.
 *
 * In windows mode a failure has the command's whole reply shape, as a
 * Windows host sends it (windows_replies.c).
 */
static uint32_t error_reply(const struct dxg_dispatch_ctx *ctx,
			    const struct dxg_cmd *c, const struct dxg_req *req,
			    int32_t st, uint8_t *reply)
{
	if (c && ctx->windows)
		return dxg_windows_error_reply(req->hdr.command_type, req->cmd,
					       req->cmd_len, st, reply);
	if (c && (c->flags & DXG_CMD_HANDLE_REPLY)) {
		uint32_t r[2] = { 0, (uint32_t)st };

		memcpy(reply, r, sizeof(r));
		return sizeof(r);
	}
	memcpy(reply, &st, sizeof(st));
	return sizeof(st);
}

uint32_t dxg_dispatch(struct dxg_dispatch_ctx *ctx, const void *msg,
		      uint32_t len, void *reply)
{
	struct dxg_req req;
	const struct dxg_cmd *c;
	int32_t st;

	memset(&req, 0, sizeof(req));
	req.reply = reply;
	st = validate(ctx, msg, len, &req, &c);
	if (st >= 0)
		st = c->fn ? c->fn(ctx, &req) : h_destroy(ctx, &req, c);
	if (st < 0) {
		if (ctx->rl)
			dxg_log_rl(ctx->rl, DXG_LOG_DEBUG,
				   "vm %u: %s (type %u) failed: 0x%08x",
				   ctx->vm_id, c ? c->name : "request",
				   req.hdr.command_type, (uint32_t)st);
		return error_reply(ctx, c, &req, st, reply);
	}
	if (req.reply_len == 0)		/* status-only reply */
		return error_reply(ctx, NULL, &req, st, reply);
	return req.reply_len;
}
