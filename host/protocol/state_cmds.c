// SPDX-License-Identifier: MIT
/*
 * Scheduling priority, device error state and the observability commands
 * (docs/ioctls.md, docs/sync.md, docs/protocol.md §2.12):
 * SET/GETCONTEXTSCHEDULINGPRIORITY act on the scheduler's per-context
 * priorities (core/scheduler.c), MARKDEVICEASERROR puts a device into its
 * error state, QUERYSTATISTICS reports the VM's real memory figures and
 * its engines' busy time, QUERYCLOCKCALIBRATION reads the engines'
 * timestamp clock and ISFEATUREENABLED answers for the features the facts
 * name.
 */
#include <string.h>
#include <time.h>

#include "core/execution.h"
#include "core/memory.h"
#include "core/residency.h"
#include "core/scheduler.h"
#include "dxg/ntstatus.h"
#include "protocol/cmds.h"

int32_t dxg_h_setcontextschedulingpriority(struct dxg_dispatch_ctx *ctx,
					   struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_setcontextschedulingpriority2, c);
	struct dxg_obj *context = req_object(ctx, req, c.context,
					     DXG_OBJ_CONTEXT);

	if (!context)
		return STATUS_INVALID_HANDLE;
	if (!ctx->sched)
		return STATUS_NOT_SUPPORTED;
	return dxg_sched_set_priority(ctx->sched, context, c.in_process != 0,
				      c.priority);
}

int32_t dxg_h_getcontextschedulingpriority(struct dxg_dispatch_ctx *ctx,
					   struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_getcontextschedulingpriority, c);
	struct dxgkvmb_command_getcontextschedulingpriority_ret r = { 0 };
	struct dxg_obj *context = req_object(ctx, req, c.context,
					     DXG_OBJ_CONTEXT);

	if (!context)
		return STATUS_INVALID_HANDLE;
	r.status = STATUS_SUCCESS;
	r.priority = c.in_process ? context->u.context.inproc_priority :
				    context->u.context.priority;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_markdeviceaserror(struct dxg_dispatch_ctx *ctx,
				struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_markdeviceaserror, c);
	struct dxg_obj *dev = req_object(ctx, req, c.args.device,
					 DXG_OBJ_DEVICE);

	if (!dev)
		return STATUS_INVALID_HANDLE;
	if (c.args.reason != D3DKMT_DEVICE_ERROR_REASON_GENERIC &&
	    c.args.reason != D3DKMT_DEVICE_ERROR_REASON_DRIVER_ERROR)
		return STATUS_INVALID_PARAMETER;
	/* An earlier error stays the reason GETDEVICESTATE reports. */
	if (dxg_exec_device_state(dev) == D3DKMT_DEVICEEXECUTION_ACTIVE)
		dev->u.device.exec_state = D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT;
	return STATUS_SUCCESS;
}

/* The adapter object named by the host's handle `h`, on this request's adapter. */
static struct dxg_obj *req_adapter_obj(struct dxg_dispatch_ctx *ctx,
				       struct dxg_req *req, uint32_t h)
{
	struct dxg_obj *a = dxg_obj_lookup(ctx->objs, h, DXG_OBJ_ADAPTER, NULL);

	return a && a->adapter == req->adapter ? a : NULL;
}

int32_t dxg_h_queryclockcalibration(struct dxg_dispatch_ctx *ctx,
				    struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_queryclockcalibration, c);
	struct dxgkvmb_command_queryclockcalibration_ret r;
	struct dxgk_gpuclockdata d = { 0 };
	struct timespec ts;

	if (!req_adapter_obj(ctx, req, c.args.adapter))
		return STATUS_INVALID_HANDLE;
	if (c.args.node_ordinal >= req->adapter->node_count ||
	    c.args.physical_adapter_index)
		return STATUS_INVALID_PARAMETER;
	/*
	 * The GPU clock a guest can read is the one the command stream's
	 * TIMESTAMP writes on every engine: the host's CLOCK_MONOTONIC in ns
	 * (engines/engine_cpu.c).  The CPU counter is the guest's to fill.
	 */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	d.gpu_frequency = 1000000000u;
	d.gpu_clock_counter = (uint64_t)ts.tv_sec * 1000000000u +
			      (uint64_t)ts.tv_nsec;
	memset(&r, 0, sizeof(r));
	r.status = STATUS_SUCCESS;
	memcpy(&r.clock_data, &d, sizeof(d));
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

/* ---- QUERYSTATISTICS ---- */

/* Segment 0 is the IO space; 1 the device memory, where the adapter has it. */
#define SEG_IO		0u
#define SEG_DEVICE	1u

struct seg_use {
	uint64_t bytes[2];
	uint32_t count[2];
};

/*
 * The allocations under `o` (and its siblings) on adapter `ad` that hold
 * memory (discarded ones do not: docs/memory.md §10).
 */
static void count_allocs(const struct dxg_obj *o, const struct dxg_adapter *ad,
			 struct seg_use *u)
{
	for (; o; o = o->next) {
		if (o->type == DXG_OBJ_ALLOCATION) {
			const struct dxg_obj *dev = dxg_alloc_device(o);
			uint32_t seg = o->u.allocation.dev ? SEG_DEVICE : SEG_IO;

			if (dev && (!ad || dev->adapter == ad) &&
			    dxg_res_status(o) !=
			    D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT) {
				u->bytes[seg] += o->u.allocation.size;
				u->count[seg]++;
			}
		}
		if (o->children)
			count_allocs(o->children, ad, u);
	}
}

static int32_t stats_segment(struct dxg_dispatch_ctx *ctx, struct dxg_req *req,
			     uint32_t seg, uint8_t *out)
{
	struct d3dkmt_querystatistics_segment_information si = { 0 };
	struct seg_use u = { { 0 }, { 0 } };

	count_allocs(ctx->objs->roots, req->adapter, &u);
	if (seg == SEG_IO) {
		si.commit_limit = ctx->mem->heap.size;
		si.bytes_committed = dxg_res_committed(ctx->mem);
		si.aperture = 1;
		si.segment_properties = D3DKMT_QUERYSTATISTICS_SEGMENT_SYSTEM_MEMORY;
	} else {
		si.commit_limit = ctx->mem->dev_quota;
		si.bytes_committed = ctx->mem->dev_used;
	}
	/* Nothing is ever evicted: what is committed is resident. */
	si.bytes_resident = si.bytes_committed;
	si.memory.allocs_committed = u.count[seg];
	si.memory.allocs_resident = u.count[seg];
	memcpy(out, &si, sizeof(si));
	return STATUS_SUCCESS;
}

int32_t dxg_h_querystatistics(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_querystatistics, c);
	struct dxgkvmb_command_querystatistics_ret *r;
	const struct dxg_adapter *ad = req->adapter;
	struct dxg_obj *proc = req->process;
	struct seg_use pu = { { 0 }, { 0 } };
	uint32_t nseg, seg = c.args.query.segment_id;
	uint8_t *out;

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	nseg = dxg_mem_has_device(ctx->mem, ad) ? 2 : 1;
	/* A process of this VM by the host's handle; 0: the caller. */
	if (c.args.process) {
		if (c.args.process > UINT32_MAX)
			return STATUS_INVALID_PARAMETER;
		proc = dxg_obj_lookup(ctx->objs, (uint32_t)c.args.process,
				      DXG_OBJ_PROCESS, NULL);
		if (!proc)
			return STATUS_INVALID_HANDLE;
	}
	r = (struct dxgkvmb_command_querystatistics_ret *)req->reply;
	memset(r, 0, sizeof(*r));
	out = r->result.data;
	switch (c.args.type) {
	case D3DKMT_QUERYSTATISTICS_ADAPTER: {
		struct d3dkmt_querystatistics_adapter_information ai = { 0 };

		ai.nb_segments = nseg;
		ai.node_count = ad->node_count;
		memcpy(out, &ai, sizeof(ai));
		break;
	}
	case D3DKMT_QUERYSTATISTICS_SEGMENT:
		if (seg >= nseg)
			return STATUS_INVALID_PARAMETER;
		stats_segment(ctx, req, seg, out);
		break;
	case D3DKMT_QUERYSTATISTICS_PROCESS: {
		struct d3dkmt_querystatistics_process_information pi = { 0 };

		/* Its IO-space allocations on every adapter. */
		count_allocs(proc->children, NULL, &pu);
		pi.node_count = ad->node_count;
		pi.system_memory.bytes_allocated = pu.bytes[SEG_IO];
		memcpy(out, &pi, sizeof(pi));
		break;
	}
	case D3DKMT_QUERYSTATISTICS_PROCESS_ADAPTER: {
		struct d3dkmt_querystatistics_process_adapter_information pa = { 0 };

		pa.nb_segments = nseg;
		pa.node_count = ad->node_count;
		memcpy(out, &pa, sizeof(pa));
		break;
	}
	case D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT: {
		struct d3dkmt_querystatistics_process_segment_information ps = { 0 };

		if (seg >= nseg)
			return STATUS_INVALID_PARAMETER;
		count_allocs(proc->children, ad, &pu);
		ps.bytes_committed = pu.bytes[seg];
		ps.allocs_committed = pu.count[seg];
		memcpy(out, &ps, sizeof(ps));
		break;
	}
	case D3DKMT_QUERYSTATISTICS_NODE:
	case D3DKMT_QUERYSTATISTICS_PROCESS_NODE: {
		/*
		 * The time jobs held the node's engine (core/scheduler.h): the
		 * VM's (NODE, whose result is this, as its GlobalInformation)
		 * or the process's own.
		 */
		struct d3dkmt_querystatistics_process_node_information pn = { 0 };
		bool vm = c.args.type == D3DKMT_QUERYSTATISTICS_NODE;
		uint32_t node = c.args.query.node_id, jobs;
		uint64_t ns;

		if (!ctx->sched)
			return STATUS_NOT_SUPPORTED;
		if (!(vm ? dxg_sched_node_busy(ctx->sched, ad, node, &ns, &jobs) :
		      dxg_sched_process_node_busy(ctx->sched, proc, ad, node,
						  &ns, &jobs)))
			return STATUS_INVALID_PARAMETER;
		pn.running_time = (int64_t)(ns / 100);
		pn.context_switch = jobs;
		memcpy(out, &pn, sizeof(pn));
		break;
	}
	default:
		/* VidPN sources, segment groups, physical adapters: not counted. */
		return STATUS_NOT_SUPPORTED;
	}
	r->status = STATUS_SUCCESS;
	req->reply_len = sizeof(*r);
	return STATUS_SUCCESS;
}

int32_t dxg_h_isfeatureenabled(struct dxg_dispatch_ctx *ctx,
			       struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_isfeatureenabled, c);
	struct dxgkvmb_command_isfeatureenabled_ret r;

	(void)ctx;
	memset(&r, 0, sizeof(r));
	r.status = STATUS_SUCCESS;
	/*
	 * HWSCH is on, as the WDDM 2.7 caps say: hw queues are offered
	 * (host/protocol/hwqueue_cmds.c).  Known, and off: memory is not
	 * managed in pages and there is no kernel-mode testing.  Other ids
	 * are unknown features.
	 */
	switch (c.feature_id) {
	case DXGK_FEATURE_HWSCH:
		r.result.value = DXGK_ISFEATUREENABLED_KNOWN_FEATURE |
				 DXGK_ISFEATUREENABLED_ENABLED |
				 DXGK_ISFEATUREENABLED_SUPPORTED_BY_DRIVER |
				 DXGK_ISFEATUREENABLED_SUPPORTED_ON_CONFIG;
		break;
	case DXGK_FEATURE_PAGE_BASED_MEMORY_MANAGER:
	case DXGK_FEATURE_KERNEL_MODE_TESTING:
		r.result.value = DXGK_ISFEATUREENABLED_KNOWN_FEATURE;
		break;
	default:
		break;
	}
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}
