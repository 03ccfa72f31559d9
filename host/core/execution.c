// SPDX-License-Identifier: MIT
/*
 * Execution (core/execution.h, docs/execution.md): every device gets an engine from
 * its adapter when it is created; a submitted command buffer is copied out
 * of guest memory, then validated and executed on the device's engine; the
 * first failure puts the device into an error state that later submissions
 * see at once.  The pipeline escapes are in core/escape.c.
 */
#include "core/execution.h"

#include <stdlib.h>
#include <string.h>

#include "core/adapter.h"
#include "core/gpuva.h"
#include "core/memory.h"
#include "core/scheduler.h"
#include "dxg/ntstatus.h"
#include "engines/engine_cpu.h"
#include "engines/vulkan/vk_engine.h"
#include "exec/cmdstream.h"
#include "exec/engine_record.h"
#include "exec/worker.h"
#include "uapi/misc/d3dkmthk.h"
#include "util/log.h"

/* Command buffers up to this size are copied to the stack, not the heap. */
#define EXEC_STACK_COPY	4096u

/* The execution state a failed submission leaves (docs/command-stream.md §4). */
static const struct {
	int32_t status;
	uint32_t state;
} fault_states[] = {
	{ STATUS_INVALID_PARAMETER,	D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT },
	{ STATUS_NOT_SUPPORTED,		D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT },
	{ STATUS_ILLEGAL_INSTRUCTION,	D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT },
	{ STATUS_ACCESS_DENIED,		D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT },
	{ STATUS_NO_MEMORY,		D3DKMT_DEVICEEXECUTION_ERROR_OUTOFMEMORY },
};

static uint32_t fault_state(int32_t status)
{
	for (size_t i = 0; i < sizeof(fault_states) / sizeof(fault_states[0]); i++)
		if (fault_states[i].status == status)
			return fault_states[i].state;
	return D3DKMT_DEVICEEXECUTION_HUNG;	/* an engine failure */
}

/*
 * An allocation is going: every engine that may have imported its memory
 * forgets it.  Devices of the allocation's process on its adapter share
 * one GPU VA space, so any of them can have used it, not only its own.
 */
static void forget_allocation(struct dxg_mem *m, struct dxg_obj *alloc)
{
	const struct dxg_obj *own = dxg_alloc_device(alloc);
	void *host;

	if (!m || !alloc->u.allocation.size || !own || !alloc->process)
		return;
	host = dxg_mem_alloc_ptr(m, alloc);
	for (struct dxg_obj *d = alloc->process->children; d; d = d->next) {
		struct dxg_engine *e;

		if (d->type != DXG_OBJ_DEVICE || d->adapter != own->adapter)
			continue;
		/*
		 * Jobs hold raw pointers into the memory: let the device's
		 * queued and running ones finish first (this blocks the loop,
		 * bounded by the engine's timeout per job, and only when a
		 * guest frees memory under its own running work).
		 */
		dxg_worker_drain(d->u.device.worker);
		e = d->u.device.engine;
		if (e && host && e->ops->forget)
			e->ops->forget(e, host, alloc->u.allocation.size);
		/*
		 * A lost engine may have given up on work that still runs on
		 * the device: its device memory must not be freed under it.
		 */
		if (e && alloc->u.allocation.dev && d->adapter && d->adapter->vk &&
		    dxg_engine_vulkan_lost(e))
			alloc->u.allocation.dev_busy = true;
	}
}

void dxg_exec_forget(struct dxg_mem *m, struct dxg_obj *alloc)
{
	forget_allocation(m, alloc);
}

/*
 * A fence object with a GPU VA is going, and its page may go with it: the
 * engines that may have read the page through the VA (a COPY from it) are
 * done with it and forget it, as for an allocation.
 */
static void forget_fence(struct dxg_mem *m, struct dxg_obj *obj)
{
	const struct dxg_sync *y = obj->u.syncobject.sync;

	if (!m || !m->shm || !y || !y->page || !obj->u.syncobject.gpu_va ||
	    !obj->process)
		return;
	for (struct dxg_obj *d = obj->process->children; d; d = d->next) {
		struct dxg_engine *e;

		if (d->type != DXG_OBJ_DEVICE || d->adapter != obj->adapter)
			continue;
		dxg_worker_drain(d->u.device.worker);
		e = d->u.device.engine;
		if (e && e->ops->forget)
			e->ops->forget(e, m->shm + y->page, DXG_IOHEAP_PAGE);
	}
}

void dxg_exec_release(void *arg, struct dxg_obj *obj)
{
	struct dxg_engine *e;

	switch (obj->type) {
	case DXG_OBJ_ALLOCATION:
		forget_allocation(arg, obj);
		break;
	case DXG_OBJ_SYNCOBJECT:
		forget_fence(arg, obj);
		break;
	case DXG_OBJ_DEVICE:
		/*
		 * Its contexts went first (their jobs are orphans now): drop
		 * the jobs not started, wait for the running one, then the
		 * engine's pipelines go with it.
		 */
		dxg_worker_destroy(obj->u.device.worker);
		obj->u.device.worker = NULL;
		e = obj->u.device.engine;
		if (e)
			e->ops->destroy(e);
		obj->u.device.engine = NULL;
		obj->u.device.num_pipelines = 0;
		break;
	default:
		break;
	}
}

int32_t dxg_exec_device_init(struct dxg_mem *mem, struct dxg_obj *device)
{
	const struct dxg_adapter *ad = device->adapter;
	struct dxg_engine *e;

	if (device->type != DXG_OBJ_DEVICE || !ad || device->u.device.engine)
		return STATUS_INVALID_PARAMETER;
	if (ad->vk_index >= 0) {
		/* A Vulkan adapter whose device was never opened has no engine. */
		if (!ad->vk)
			return STATUS_DEVICE_REMOVED;
		e = dxg_engine_vulkan_create(ad->vk);
		/* Its loss is the guest's doing as often as not: the VM's limiter. */
		if (e && mem)
			dxg_engine_vulkan_set_log(e, mem->rl);
		/* Pipelines are shared within the VM only. */
		if (e && mem && mem->rl)
			dxg_engine_vulkan_set_domain(e, mem->rl->vm_id);
	} else {
		e = dxg_engine_cpu_create();
	}
	if (!e)
		return STATUS_NO_MEMORY;
	/* Its thread starts with the device's first job. */
	device->u.device.worker = dxg_worker_create(e, device->handle);
	if (!device->u.device.worker) {
		e->ops->destroy(e);
		return STATUS_NO_MEMORY;
	}
	device->u.device.engine = e;
	device->u.device.exec_state = D3DKMT_DEVICEEXECUTION_ACTIVE;
	device->u.device.num_pipelines = 0;
	return STATUS_SUCCESS;
}

uint32_t dxg_exec_device_state(const struct dxg_obj *device)
{
	uint32_t s = device->u.device.exec_state;

	return s ? s : D3DKMT_DEVICEEXECUTION_ACTIVE;
}

/*
 * How much of the submitted range to copy: the buffer's own size_bytes when
 * it is smaller (a guest may submit a whole allocation).  The guest can
 * change the header under us; only the copy is ever parsed, and the
 * validator rejects a copied header that does not fit the copy.
 */
static uint64_t copy_len(const uint8_t *src, uint64_t size)
{
	struct dxg_cmdbuf_header h;

	if (size < sizeof(h))
		return size;
	memcpy(&h, src, sizeof(h));
	return h.size_bytes >= sizeof(h) && h.size_bytes < size ? h.size_bytes : size;
}

/*
 * A submission that stopped at a fence command (version 3): where it is and
 * what the scheduler must do next.  It keeps no copy of the buffer while it
 * waits (a context blocked on a fence holds no host memory for it): each
 * segment copies the buffer out of guest memory again.  Only the buffer's
 * FENCE_SIGNALs are kept, from its validation, for after a failure.
 */
struct dxg_exec_sub {
	uint64_t va, size;		/* the buffer */
	uint32_t num_commands;
	struct dxg_cmd_cursor cur;	/* the next segment */
	struct dxg_cmd_fence_op fence;	/* the scheduler's; opcode 0: none */
	bool failed;			/* only its FENCE_SIGNALs are left */
	uint32_t nsig;
	struct dxg_cmd_signal sig[DXG_CMD_MAX_FENCES];
};

void dxg_exec_sub_free(struct dxg_exec_sub *sub)
{
	free(sub);
}

/* After a failure: the next FENCE_SIGNAL the failed part had, if any. */
static void next_signal(struct dxg_exec_sub *sub)
{
	memset(&sub->fence, 0, sizeof(sub->fence));
	for (uint32_t i = 0; i < sub->nsig; i++) {
		if (sub->sig[i].index < sub->cur.index)
			continue;
		sub->fence = sub->sig[i].op;
		sub->cur.index = sub->sig[i].index + 1;
		return;
	}
	sub->cur.index = sub->num_commands;
}

/* The buffer failed: the FENCE_SIGNALs after the cursor still happen. */
static void sub_fail(struct dxg_exec_sub *sub)
{
	sub->failed = true;
	next_signal(sub);
}

void dxg_exec_sub_advance(struct dxg_exec_sub *sub)
{
	if (sub->failed)
		next_signal(sub);
	else
		memset(&sub->fence, 0, sizeof(sub->fence));
}

enum dxg_exec_step dxg_exec_sub_step(const struct dxg_exec_sub *sub,
				     const struct dxg_obj *context,
				     struct dxg_sync_ref *ref)
{
	const struct dxg_gpuva_space *space = dxg_mem_gpuva(context);
	const struct dxg_obj *dev = context->parent;
	uint64_t owner = 0;
	uint32_t device = 0;

	if (!sub)
		return DXG_EXEC_DONE;
	if (!sub->fence.opcode)
		return sub->failed || sub->cur.index >= sub->num_commands ?
		       DXG_EXEC_DONE : DXG_EXEC_SEGMENT;
	/*
	 * The fence the address names now: one destroyed meanwhile names
	 * none (handle 0: a signal of it does nothing, a wait is satisfied).
	 */
	ref->handle = 0;
	ref->value = sub->fence.value;
	if (!dxg_gpuva_fence(space, sub->fence.gpu_va, &owner, &device) &&
	    dev && device == dev->handle && owner <= UINT32_MAX)
		ref->handle = (uint32_t)owner;
	return sub->fence.opcode == DXG_CMD_FENCE_WAIT ? DXG_EXEC_WAIT :
							 DXG_EXEC_SIGNAL;
}

/* The buffer stopped at its first fence command: what it needs from now. */
static int32_t sub_new(const uint8_t *buf, uint64_t len, uint64_t va,
		       uint64_t size, const struct dxg_cmd_cursor *cur,
		       const struct dxg_cmd_fence_op *fence,
		       struct dxg_exec_sub **out)
{
	struct dxg_exec_sub *sub = calloc(1, sizeof(*sub));
	struct dxg_cmdbuf_header h;

	if (!sub)
		return STATUS_NO_MEMORY;
	memcpy(&h, buf, sizeof(h));	/* validated: len >= 16 */
	sub->va = va;
	sub->size = size;
	sub->num_commands = h.num_commands;
	sub->cur = *cur;
	sub->fence = *fence;
	sub->nsig = dxg_cmdstream_signals(buf, len, sub->sig, DXG_CMD_MAX_FENCES);
	*out = sub;
	return STATUS_SUCCESS;
}

/*
 * Copies the buffer out of guest memory and records its commands into @e:
 * all of them (@subp NULL; fence commands are barriers), or the next
 * segment (docs/command-stream.md, FENCE_*): the first one of the buffer
 * when *@subp is NULL, making *@subp when the buffer stopped at a fence
 * command, else the next one of *@subp.
 */
static int32_t run(struct dxg_obj *context, struct dxg_engine *e, uint64_t va,
		   uint64_t size, struct dxg_exec_sub **subp,
		   uint32_t *bad_index)
{
	const struct dxg_gpuva_space *space = dxg_mem_gpuva(context);
	struct dxg_exec_sub *sub = subp ? *subp : NULL;
	_Alignas(8) uint8_t stack[EXEC_STACK_COPY];
	struct dxg_cmd_cursor cur = { 0 };
	struct dxg_cmd_fence_op fence;
	struct dxg_gpuva_view view;
	const struct dxg_va *v;
	const uint8_t *src;
	uint8_t *buf;
	uint64_t len;
	int32_t st;

	*bad_index = DXG_CMD_INDEX_HEADER;
	if (sub) {
		va = sub->va;
		size = sub->size;
	}
	if (size == 0 || size > DXG_CMDBUF_MAX_SIZE)
		return STATUS_INVALID_PARAMETER;
	src = space ? dxg_gpuva_translate(space, va, size) : NULL;
	if (!src)
		return STATUS_ACCESS_DENIED;	/* the GPU's page fault */
	len = copy_len(src, size);
	buf = len <= sizeof(stack) ? stack : malloc(len);
	if (!buf)
		return STATUS_NO_MEMORY;
	memcpy(buf, src, len);
	/* Fences of the submitting device only. */
	v = dxg_gpuva_device_view(&view, space, context->parent->handle);
	if (!subp) {
		st = dxg_cmdstream_execute(buf, len, v, e, bad_index);
	} else if (sub) {
		st = dxg_cmdstream_run_segment(buf, len, v, e, &sub->cur,
					       &sub->fence, bad_index);
		/*
		 * Without a fence command the buffer is over, whatever the
		 * guest did to it since its first segment.
		 */
		if (st >= 0 && !sub->fence.opcode)
			sub->cur.index = sub->num_commands;
	} else {
		st = dxg_cmdstream_run_segment(buf, len, v, e, &cur, &fence,
					       bad_index);
		if (st >= 0 && fence.opcode)
			st = sub_new(buf, len, va, size, &cur, &fence, subp);
	}
	if (buf != stack)
		free(buf);
	return st;
}

/*
 * A submission of @dev failed: the first failure sets the device's error
 * state (later ones find it set already: a job that was queued behind the
 * failing one, or validated while it ran, does not override it).
 */
static int32_t fault(struct dxg_mem *mem, struct dxg_obj *dev, uint64_t va,
		     uint64_t size, int32_t st, uint32_t idx)
{
	if (dxg_exec_device_state(dev) != D3DKMT_DEVICEEXECUTION_ACTIVE)
		return st;
	dev->u.device.exec_state = fault_state(st);
	if (mem && mem->rl)
		dxg_log_rl(mem->rl, DXG_LOG_INFO,
			   "vm %u: device 0x%x: command buffer at 0x%llx (%llu bytes) failed at command %d: 0x%08x; execution state %u",
			   mem->rl->vm_id, dev->handle, (unsigned long long)va,
			   (unsigned long long)size,
			   idx == DXG_CMD_INDEX_HEADER ? -1 : (int)idx,
			   (uint32_t)st, dev->u.device.exec_state);
	return st;
}

/*
 * The loop's half of a submission: checks, copies the buffer out,
 * validates it and records what the engine must do into a new job.
 */
static int32_t prepare(struct dxg_mem *mem, struct dxg_obj *context,
		       uint64_t va, uint64_t size, struct dxg_exec_sub **subp,
		       struct dxg_job **out)
{
	struct dxg_obj *dev = context ? context->parent : NULL;
	struct dxg_exec_sub *sub = subp ? *subp : NULL;
	struct dxg_engine_record rec;
	struct dxg_job *job;
	uint32_t idx = DXG_CMD_INDEX_HEADER;
	int32_t st;

	if (!dev || context->type != DXG_OBJ_CONTEXT ||
	    dev->type != DXG_OBJ_DEVICE || !dev->u.device.engine)
		return STATUS_INVALID_PARAMETER;
	/* An errored device runs nothing more (GetDeviceState says why). */
	if (dxg_exec_device_state(dev) != D3DKMT_DEVICEEXECUTION_ACTIVE) {
		if (sub)
			sub_fail(sub);
		return STATUS_DEVICE_REMOVED;
	}
	job = dxg_job_new();
	if (!job) {
		st = STATUS_NO_MEMORY;
	} else {
		dxg_engine_record_init(&rec, dev->u.device.engine, &job->rec);
		st = run(context, &rec.base, va, size, subp, &idx);
	}
	if (st < 0) {
		dxg_job_free(job);
		if (sub)
			sub_fail(sub);
		return fault(mem, dev, va, size, st, idx);
	}
	job->device = dev->handle;
	job->va = va;
	job->size = size;
	*out = job;
	return STATUS_SUCCESS;
}

int32_t dxg_exec_start(struct dxg_mem *mem, struct dxg_obj *context,
		       uint64_t va, uint64_t size, struct dxg_exec_done *done,
		       struct dxg_job **out, struct dxg_exec_sub **sub)
{
	struct dxg_job *job;
	int32_t st = prepare(mem, context, va, size, sub, &job);

	if (st < 0)
		return st;
	/* A few small copies or fills: cheaper here than a thread hand-off. */
	if (dxg_recording_is_light(&job->rec, DXG_EXEC_INLINE_BYTES) &&
	    dxg_worker_run_if_idle(context->parent->u.device.worker, job))
		return dxg_exec_finish(mem, context, job, *sub);
	job->done = done;
	st = dxg_worker_push(context->parent->u.device.worker, job);
	if (st < 0) {
		dxg_job_free(job);
		if (*sub)
			sub_fail(*sub);
		return fault(mem, context->parent, va, size, st,
			     DXG_CMD_INDEX_HEADER);
	}
	*out = job;
	return STATUS_PENDING;
}

int32_t dxg_exec_finish(struct dxg_mem *mem, struct dxg_obj *context,
			struct dxg_job *job, struct dxg_exec_sub *sub)
{
	int32_t st = job->status;

	if (st < 0) {
		fault(mem, context->parent, job->va, job->size, st,
		      job->bad_index);
		if (sub)
			sub_fail(sub);
	}
	dxg_job_free(job);
	return st;
}

int32_t dxg_exec_submit(struct dxg_mem *mem, struct dxg_obj *context,
			uint64_t va, uint64_t size)
{
	struct dxg_job *job;
	struct dxg_obj *dev;
	int32_t st = prepare(mem, context, va, size, NULL, &job);

	if (st < 0)
		return st;
	dev = context->parent;
	/* The engine is ours alone once the worker ran what it had. */
	dxg_worker_drain(dev->u.device.worker);
	job->status = dxg_recording_replay(&job->rec, dev->u.device.engine,
					   &job->bad_index);
	return dxg_exec_finish(mem, context, job, NULL);
}
