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
 * A submission whose buffer has fence commands (version 3) runs in
 * segments, one job each, with the fence commands between them done by the
 * scheduler (docs/command-stream.md §3, docs/sync.md §2): the private copy
 * and the position live in a struct dxg_exec_sub that the queue entry
 * holds (NULL for a buffer without fence commands, and before it started).
 */
struct dxg_exec_sub;
struct dxg_sync_ref;

/*
 * Starts the command buffer at GPU VA [@va, @va + @size) of @context's
 * process/adapter VA space (loop thread), or with *@sub its next segment:
 * copies it out of guest memory, validates and translates it (recording
 * the engine ops, engine_record.h) up to its next fence command and hands
 * the job to the device's worker (exec/worker.h).  *@sub is set when the
 * buffer stopped at a fence command.
 *
 * Returns STATUS_PENDING with *@job running: it comes back through @done,
 * and the caller sets (*job)->owner and later calls dxg_exec_finish().
 * Otherwise the segment is over, with nothing left to run: a malformed
 * buffer put the device into an error state (dxg_exec_device_state), or
 * the device was not ACTIVE (STATUS_DEVICE_REMOVED); the caller still
 * signals the submission's fences.  Either way, dxg_exec_sub_step() says
 * what comes next.
 */
int32_t dxg_exec_start(struct dxg_mem *mem, struct dxg_obj *context,
		       uint64_t va, uint64_t size, struct dxg_exec_done *done,
		       struct dxg_job **job, struct dxg_exec_sub **sub);
/*
 * A job of @context came back (loop thread): an engine failure puts the
 * device into its error state (and leaves @sub only its FENCE_SIGNALs).
 * Frees the job; returns its status.
 */
int32_t dxg_exec_finish(struct dxg_mem *mem, struct dxg_obj *context,
			struct dxg_job *job, struct dxg_exec_sub *sub);

/* What a submission needs next, between its segments. */
enum dxg_exec_step {
	DXG_EXEC_DONE,		/* nothing: the entry is complete */
	DXG_EXEC_SEGMENT,	/* its next segment: dxg_exec_start() */
	DXG_EXEC_SIGNAL,	/* signal *ref, then dxg_exec_sub_advance() */
	DXG_EXEC_WAIT,		/* wait for *ref, then dxg_exec_sub_advance() */
};
/*
 * @sub NULL is DONE.  For SIGNAL and WAIT, *ref is the fence the command's
 * address names now (handle 0 when it names none any more: the fence was
 * destroyed) and the value.  After a failure only SIGNALs remain.
 */
enum dxg_exec_step dxg_exec_sub_step(const struct dxg_exec_sub *sub,
				     const struct dxg_obj *context,
				     struct dxg_sync_ref *ref);
void dxg_exec_sub_advance(struct dxg_exec_sub *sub);
void dxg_exec_sub_free(struct dxg_exec_sub *sub);

/*
 * dxg_exec_start() and the engine's work on the calling thread, after the
 * device's worker ran what it had: for tests and tools.  The buffer runs
 * in one piece: its fence commands are only barriers.  Returns the
 * submission's status (the error state is set as above).
 */
int32_t dxg_exec_submit(struct dxg_mem *mem, struct dxg_obj *context,
			uint64_t va, uint64_t size);

/* D3DKMT_DEVICEEXECUTION_* of a device (ACTIVE until an error). */
uint32_t dxg_exec_device_state(const struct dxg_obj *device);

/*
 * The ESCAPE command's payload for @device (include/dxg/cmdstream.h
 * escape formats): pipelines, trimming, device addresses.  @objs holds the
 * objects the escape may name.  @data/@size are the private copy of the
 * escape's private data, updated in place for the reply.
 */
int32_t dxg_exec_escape(struct dxg_mem *mem, struct dxg_objects *objs,
			struct dxg_obj *device, void *data, uint32_t size);

#endif /* DXGHOST_EXEC_H */
