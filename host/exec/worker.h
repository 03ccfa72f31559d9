/* SPDX-License-Identifier: MIT */
/*
 * Engine workers: one thread per device engine that runs the device's
 * submitted command buffers off dxghost's event loop (docs/execution.md §4).
 *
 * The loop records a command buffer into a job (engine_record.h) and hands
 * it to the device's worker; the worker replays its jobs FIFO, one at a
 * time, on the real engine and appends each finished job to its VM's
 * completion list, whose eventfd wakes the loop.  The loop then finishes
 * the job's queue entry (core/execution.c, core/scheduler.c).
 *
 * Threads and locks (lock order, top first; nothing else nests):
 *   loop thread:    everything in the object tables, VA spaces, queues,
 *                   jobs' `owner`; it waits for a worker only in
 *                   dxg_worker_drain() / dxg_worker_destroy().
 *   worker thread:  the jobs it replays, and the engine ops they make.
 *   dxg_worker.lock    the worker's job list and state; never held while
 *                      a job runs.
 *   dxg_exec_done.lock the VM's completion list; a leaf.
 *   vk_engine.lock     a Vulkan engine's own objects (vk_engine.c);
 *     -> dxg_vk_device.queue_lock   the shared VkQueue; held for
 *                      vkQueueSubmit only.  Neither is held across a
 *                      fence wait.
 *     -> dxg_ratelimit.lock   the VM's log limiter (log.h), a leaf: a
 *                      lost engine's error line.
 * A worker holds no lock while it takes another, except these under
 * vk_engine.lock.
 */
#ifndef DXGHOST_EXEC_WORKER_H
#define DXGHOST_EXEC_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "engines/engine.h"
#include "exec/engine_record.h"

struct dxg_exec_done;

/* One submitted command buffer, recorded and ready to replay. */
struct dxg_job {
	struct dxg_job *next;		/* in a worker's or the done list */
	struct dxg_recording rec;
	struct dxg_exec_done *done;	/* where it goes when finished */
	void *owner;			/* loop only: who waits; NULL: nobody */
	int32_t status;			/* the worker's result */
	uint32_t bad_index;		/* the failing command */
	uint32_t device;		/* for the log: handle, VA and size */
	uint64_t va, size;
};

/* The finished jobs of one VM: workers append, the loop takes. */
struct dxg_exec_done {
	pthread_mutex_t lock;
	struct dxg_job *head, *tail;
	atomic_bool pending;		/* head != NULL, read without the lock */
	int efd;			/* written once per job; -1: none */
};

/* 0 or -errno; @with_eventfd false for tests that poll. */
int dxg_exec_done_init(struct dxg_exec_done *d, bool with_eventfd);
/* Frees jobs left on the list and closes the eventfd (workers gone). */
void dxg_exec_done_fini(struct dxg_exec_done *d);
/* Appends a finished job and wakes the loop. */
void dxg_exec_done_push(struct dxg_exec_done *d, struct dxg_job *j);
/* The oldest finished job, or NULL. */
struct dxg_job *dxg_exec_done_pop(struct dxg_exec_done *d);
static inline bool dxg_exec_done_pending(const struct dxg_exec_done *d)
{
	return atomic_load_explicit(&d->pending, memory_order_acquire);
}

struct dxg_job *dxg_job_new(void);
void dxg_job_free(struct dxg_job *j);

struct dxg_worker;

/* A worker for @e (its thread starts with the first job); NULL: no memory. */
struct dxg_worker *dxg_worker_create(struct dxg_engine *e, uint32_t id);
/*
 * Queues @j (j->done set) behind the worker's other jobs.  Returns 0, or
 * a negative NTSTATUS when the thread cannot start (the job is not taken).
 */
int32_t dxg_worker_push(struct dxg_worker *w, struct dxg_job *j);
/*
 * Runs @j at once on the calling (loop) thread if the worker has nothing
 * queued or running, so the order of the device's jobs is kept and the
 * engine is not in use; returns false (nothing done) otherwise.  For light
 * jobs (dxg_recording_is_light), where handing over to the thread and
 * back would cost more than the job.
 */
bool dxg_worker_run_if_idle(struct dxg_worker *w, struct dxg_job *j);
/*
 * Waits until the worker has run every job queued so far: afterwards no
 * job of it can touch memory or engine objects.  Bounded by the engine's
 * own timeout per job.  Loop thread only.
 */
void dxg_worker_drain(struct dxg_worker *w);
/*
 * Cancels the jobs not started (they complete with STATUS_DEVICE_REMOVED),
 * waits for the running one, joins the thread and frees the worker.
 */
void dxg_worker_destroy(struct dxg_worker *w);

#endif /* DXGHOST_EXEC_WORKER_H */
