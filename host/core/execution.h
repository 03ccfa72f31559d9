/* SPDX-License-Identifier: MIT */
/*
 * Execution on the host: each device's engine (CPU or Vulkan, from its
 * adapter) and its worker thread, pipelines created through D3DKMTEscape,
 * and running one submitted command buffer.  The scheduler (host/core/scheduler.c)
 * calls dxg_exec_start() in submission order per context, the device's
 * worker runs the job off the loop, and the scheduler calls
 * dxg_exec_finish() when it is back, then signals fences; everything about
 * a command buffer's contents lives here.  Threads, what waits for what
 * and the lock order: exec/worker.h.
 *
 * Functions return 0 or a negative NTSTATUS.
 */
#ifndef DXGHOST_EXEC_H
#define DXGHOST_EXEC_H

#include <stdint.h>

#include "core/objects.h"

struct dxg_mem;
struct dxg_exec_done;
struct dxg_job;

/*
 * A submission without DISPATCH that copies or fills at most this much runs
 * on the event loop when the device's worker is idle (a hand-off to the
 * worker thread and back costs more than such a job; docs/execution.md).
 */
#define DXG_EXEC_INLINE_BYTES	(64u * 1024)

/* Pipelines one device may hold at once (DXG_ESCAPE_CREATE_PIPELINE). */
#define DXG_EXEC_MAX_PIPELINES	1024u

/*
 * An allocation's memory is about to change under the engines (its pages
 * are discarded, core/residency.c): finish the work that may use it and
 * drop what the engines keep of it (host-pointer imports), as when it is
 * freed.
 */
void dxg_exec_forget(struct dxg_mem *m, struct dxg_obj *alloc);

/*
 * Object release hook (register with dxg_objects_add_release): for a
 * device, stops its worker (queued jobs dropped, the running one waited
 * for) and destroys its engine and pipelines; for an allocation, drains
 * the worker of every device that may use its memory and makes their
 * engines forget imports of it, before the memory is freed.
 */
void dxg_exec_release(void *arg, struct dxg_obj *obj);

/* Creates the engine of a new device (called by the CREATEDEVICE handler). */
int32_t dxg_exec_device_init(struct dxg_mem *mem, struct dxg_obj *device);

/*
 * Starts the command buffer at GPU VA [@va, @va + @size) of @context's
 * process/adapter VA space (loop thread): copies it out of guest memory,
 * validates and translates it (recording the engine ops, engine_record.h)
 * and hands the job to the device's worker (exec/worker.h).
 *
 * Returns STATUS_PENDING with *@job running: it comes back through @done,
 * and the caller sets (*job)->owner and later calls dxg_exec_finish().
 * Otherwise the submission is over, with nothing left to run: a malformed
 * buffer put the device into an error state (dxg_exec_device_state), or
 * the device was not ACTIVE (STATUS_DEVICE_REMOVED); the caller still
 * signals the submission's fences.
 */
int32_t dxg_exec_start(struct dxg_mem *mem, struct dxg_obj *context,
		       uint64_t va, uint64_t size, struct dxg_exec_done *done,
		       struct dxg_job **job);
/*
 * A job of @context came back (loop thread): an engine failure puts the
 * device into its error state.  Frees the job; returns its status.
 */
int32_t dxg_exec_finish(struct dxg_mem *mem, struct dxg_obj *context,
			struct dxg_job *job);

/*
 * dxg_exec_start() and the engine's work on the calling thread, after the
 * device's worker ran what it had: for tests and tools.  Returns the
 * submission's status (the error state is set as above).
 */
int32_t dxg_exec_submit(struct dxg_mem *mem, struct dxg_obj *context,
			uint64_t va, uint64_t size);

/* D3DKMT_DEVICEEXECUTION_* of a device (ACTIVE until an error). */
uint32_t dxg_exec_device_state(const struct dxg_obj *device);

/*
 * The ESCAPE command's payload for @device (include/dxg/cmdstream.h
 * escape formats): creates or destroys a pipeline.  @data/@size are the
 * private copy of the escape's private data, updated in place for the reply.
 */
int32_t dxg_exec_escape(struct dxg_mem *mem, struct dxg_obj *device,
			void *data, uint32_t size);

#endif /* DXGHOST_EXEC_H */
