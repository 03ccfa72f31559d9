/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the dispatcher (host/protocol/dispatch.c) for the files that
 * hold handlers of its one command table (host/core/memory.c, ...).  Handlers
 * see a validated header and resolved process/adapter, check everything
 * else themselves, and return an NTSTATUS.
 */
#ifndef DXGHOST_DISPATCH_INT_H
#define DXGHOST_DISPATCH_INT_H

#include <stdint.h>
#include <string.h>

#include "dxg/protocol.h"
#include "protocol/dispatch.h"

/* One request as a handler sees it: validated header, resolved objects. */
struct dxg_req {
	const uint8_t *cmd;		/* command header onwards (private copy) */
	uint32_t cmd_len;
	struct dxgkvmb_command_hdr hdr;
	struct winluid vgpu_luid;
	struct dxg_obj *process;	/* NULL unless resolved */
	const struct dxg_adapter *adapter;
	uint8_t *reply;
	uint32_t reply_len;		/* 0: reply is the bare status */
};

typedef int32_t (*dxg_handler_fn)(struct dxg_dispatch_ctx *ctx,
				  struct dxg_req *req);

/* Copy the fixed part of a command (min_size was checked by the dispatcher). */
#define REQ_GET(req, type, var) \
	type var; memcpy(&var, (req)->cmd, sizeof(var))

static inline void put_reply(struct dxg_req *req, const void *p, uint32_t len)
{
	memcpy(req->reply, p, len);
	req->reply_len = len;
}

/* A live object of `type` of this request's process on this request's adapter. */
/* An asynchronous request failed: see dispatch.c.  Returns st. */
int32_t dxg_req_failed(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
		       struct dxg_obj *device, int32_t st);

struct dxg_obj *req_object(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			   uint32_t handle, enum dxg_obj_type type);

/* Memory commands (host/core/memory.c). */
/* adapter_cmds.c */
int32_t dxg_h_openadapter(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_closeadapter(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_getinternaladapterinfo(struct dxg_dispatch_ctx *ctx,
				     struct dxg_req *req);
int32_t dxg_h_queryadapterinfo(struct dxg_dispatch_ctx *ctx,
			       struct dxg_req *req);
/* device_cmds.c */
int32_t dxg_h_createprocess(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_destroyprocess(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_createdevice(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_createcontextvirtual(struct dxg_dispatch_ctx *ctx,
				   struct dxg_req *req);
/* memory_cmds.c: helpers the residency commands share. */
/* An allocation of the request's process that belongs to `device`. */
struct dxg_obj *req_alloc(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			  uint32_t handle, const struct dxg_obj *device);
/* The same for a command that names the device by handle too. */
struct dxg_obj *req_device_alloc(struct dxg_dispatch_ctx *ctx,
				 struct dxg_req *req, uint32_t device,
				 uint32_t allocation);
/* An object of `type` of the request's process whose parent is `device`. */
struct dxg_obj *req_child(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			  uint32_t handle, enum dxg_obj_type type,
			  const struct dxg_obj *device);
/*
 * `count` (1..max) handles at `off` in the command: each an allocation of
 * `device`, no duplicates.  *out (malloc'ed) holds the objects.
 */
int32_t req_alloc_list(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
		       uint64_t off, uint32_t count, uint32_t max,
		       const struct dxg_obj *device, struct dxg_obj ***out);
/* Signal paging queue pq's fence to its next value, which is returned. */
uint64_t paging_fence_signal(struct dxg_dispatch_ctx *ctx, struct dxg_obj *pq);
/* memory_cmds.c */
int32_t dxg_h_createallocation(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_destroyallocation(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_lock2(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_unlock2(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_createpagingqueue(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_makeresident(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_evict(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_queryvideomemoryinfo(struct dxg_dispatch_ctx *ctx,
				   struct dxg_req *req);
int32_t dxg_h_reservegpuva(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_mapgpuva(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_freegpuva(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_updategpuva(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);

/* residency_cmds.c */
int32_t dxg_h_offerallocations(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_reclaimallocations(struct dxg_dispatch_ctx *ctx,
				 struct dxg_req *req);
int32_t dxg_h_setallocationpriority(struct dxg_dispatch_ctx *ctx,
				    struct dxg_req *req);
int32_t dxg_h_getallocationpriority(struct dxg_dispatch_ctx *ctx,
				    struct dxg_req *req);
int32_t dxg_h_queryallocationresidency(struct dxg_dispatch_ctx *ctx,
				       struct dxg_req *req);
int32_t dxg_h_updateallocationproperty(struct dxg_dispatch_ctx *ctx,
				       struct dxg_req *req);
int32_t dxg_h_changevideomemoryreservation(struct dxg_dispatch_ctx *ctx,
					   struct dxg_req *req);
int32_t dxg_h_flushheaptransitions(struct dxg_dispatch_ctx *ctx,
				   struct dxg_req *req);
int32_t dxg_h_invalidatecache(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
/*
 * A segment group of the request's adapter, named as QUERYVIDEOMEMORYINFO
 * and CHANGEVIDEOMEMORYRESERVATION name it (the host's adapter handle, the
 * physical adapter index, the group): its budget and usage as
 * QUERYVIDEOMEMORYINFO reports them, or the NTSTATUS that refuses it.
 */
int32_t dxg_res_group(struct dxg_dispatch_ctx *ctx, const struct dxg_req *req,
		      uint32_t adapter, uint32_t physical_index, uint32_t group,
		      uint64_t *budget, uint64_t *usage);
/* The request's process's reservation of a group on its adapter. */
uint64_t dxg_res_reservation(const struct dxg_req *req, uint32_t group);
/* What the request's process may reserve in a (valid) group now. */
uint64_t dxg_res_group_available(struct dxg_dispatch_ctx *ctx,
				 const struct dxg_req *req, uint32_t group);

/* sysmem_cmds.c: guest memory the host maps */
int32_t dxg_h_verifyguestram(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_setexistingsysmempages(struct dxg_dispatch_ctx *ctx,
				     struct dxg_req *req);
int32_t dxg_h_setexistingsysmemstore(struct dxg_dispatch_ctx *ctx,
				     struct dxg_req *req);
int32_t dxg_h_establishgpadl(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_teardowngpadl(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
/* escape_cmds.c: D3DKMTEscape */
int32_t dxg_h_escape(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);

/* sync_cmds.c */
int32_t dxg_h_createsyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_destroysyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_signalsyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_waitfromcpu(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_waitfromgpu(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
/* share_cmds.c: sharing between processes */
int32_t dxg_h_createntsharedobject(struct dxg_dispatch_ctx *ctx,
				   struct dxg_req *req);
int32_t dxg_h_destroyntsharedobject(struct dxg_dispatch_ctx *ctx,
				    struct dxg_req *req);
int32_t dxg_h_openresource(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_opensyncobject(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_shareobjectwithhost(struct dxg_dispatch_ctx *ctx,
				  struct dxg_req *req);

/* hwqueue_cmds.c */
int32_t dxg_h_createhwqueue(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_submitcommandtohwqueue(struct dxg_dispatch_ctx *ctx,
				     struct dxg_req *req);
/*
 * The context whose queue a handle names: a context, or a hw queue (whose
 * work runs on its context's queue).  NULL if it is neither.
 */
struct dxg_obj *req_queue_context(struct dxg_dispatch_ctx *ctx,
				  struct dxg_req *req, uint32_t handle);
/* submit_cmds.c */
int32_t dxg_h_submitcommand(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_getdevicestate(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
/* state_cmds.c */
int32_t dxg_h_setcontextschedulingpriority(struct dxg_dispatch_ctx *ctx,
					   struct dxg_req *req);
int32_t dxg_h_getcontextschedulingpriority(struct dxg_dispatch_ctx *ctx,
					   struct dxg_req *req);
int32_t dxg_h_markdeviceaserror(struct dxg_dispatch_ctx *ctx,
				struct dxg_req *req);
int32_t dxg_h_queryclockcalibration(struct dxg_dispatch_ctx *ctx,
				    struct dxg_req *req);
int32_t dxg_h_querystatistics(struct dxg_dispatch_ctx *ctx, struct dxg_req *req);
int32_t dxg_h_isfeatureenabled(struct dxg_dispatch_ctx *ctx,
			       struct dxg_req *req);

#endif /* DXGHOST_DISPATCH_INT_H */
