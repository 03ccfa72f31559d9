/* SPDX-License-Identifier: MIT */
/*
 * Submission and synchronization of one VM (docs/sync.md): sync objects
 * (host/core/sync.c), per-context FIFO queues (host/core/scheduler.c), CPU waiters and
 * the outbox of SIGNALGUESTEVENT messages for the guest.
 *
 * Everything here runs in the daemon's event-loop thread.  Queued work
 * advances in dxg_sched_run(), which the command handlers call after they
 * enqueue and the channel calls between ring polls while dxg_sched_busy().
 * A SUBMIT only starts there: the device's engine worker runs the command
 * buffer (exec/worker.h) and puts the job on `done`, whose eventfd wakes
 * the loop; dxg_sched_collect() (called by dxg_sched_run()) then finishes
 * the entry and the context's queue goes on.  A running job blocks its
 * context's queue only, and is not "busy": the loop parks meanwhile.
 *
 * Signal entries and CPU waiters name sync objects by handle: an object
 * destroyed meanwhile is simply not found (a CPU wait on it is satisfied, a
 * signal of it does nothing).  A queued GPU wait pins the fence itself
 * (dxg_sync_pin(), counted in its refs, so it cannot dangle) and is
 * satisfied when the fence reaches the value or nothing else holds it.
 */
#ifndef DXGHOST_SCHEDULER_H
#define DXGHOST_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/objects.h"
#include "dxg/ivshmem.h"
#include "exec/worker.h"
#include "uapi/misc/d3dkmthk.h"
#include "util/log.h"

struct dxg_mem;

/* Per-call bounds (dxgkrnl-facts.md §1.2). */
#define DXG_SCHED_MAX_OBJECTS		32u	/* waited on / signalled */
/* Per-VM bounds. */
#define DXG_SCHED_MAX_WAITERS		4096u	/* registered CPU waits */
#define DXG_SCHED_MAX_PROC_WAITERS	1024u	/* ... of one process */
#define DXG_SCHED_MAX_QUEUED		16384u	/* entries in all queues */
#define DXG_SCHED_MAX_OUTBOX		8192u	/* events not yet delivered */
/* Queue entries one dxg_sched_run() call may complete. */
#define DXG_SCHED_BUDGET		256u

/* One sync object (DXG_OBJ_SYNCOBJECT's u.syncobject.sync). */
struct dxg_sync {
	/*
	 * Objects and NT shared objects using it (opened from an NT handle),
	 * plus the queued GPU waits pinning it (`pins` of the `refs`).
	 */
	uint32_t refs;
	uint32_t pins;
	bool shared;		/* created SHARED | NT_SECURITY_SHARING */
	uint32_t type;		/* D3DDDI_MONITORED_FENCE or _CPU_NOTIFICATION */
	uint64_t value;		/* authoritative current value (fences) */
	uint64_t page;		/* IO-space offset of the fence page; 0: none */
	uint64_t event;		/* guest event id (CPU notifications) */
};

struct dxg_sync_ref {
	uint32_t handle;
	uint64_t value;
};

/*
 * Busy time of one engine (node) of one adapter in this VM: the time in
 * which at least one job of that node held a device's engine, from the
 * scheduler's start of the job to its collection (QUERYSTATISTICS NODE,
 * dxg-smi's busy %).  Jobs of several devices on one node at once count
 * once: the figure never grows faster than the clock.
 */
#define DXG_SCHED_MAX_NODES		4u	/* node ordinals counted */
struct dxg_node_busy {
	uint64_t busy_ns;	/* closed busy periods */
	uint64_t since;		/* start of the open one (running > 0) */
	uint32_t running;	/* jobs of this node holding an engine */
	uint32_t jobs;		/* jobs started (wraps) */
};

struct dxg_qent;
struct dxg_waiter;
struct dxg_gevent;

/* One context's queue (DXG_OBJ_CONTEXT's u.context.queue). */
struct dxg_ctxq {
	struct dxg_obj *context;
	struct dxg_qent *head, *tail;
	uint32_t n;
	struct dxg_ctxq *next, *prev;	/* the active list (n > 0) */
	uint64_t executed;		/* entries completed, for tests */
};

struct dxg_sched {
	struct dxg_objects *objs;
	struct dxg_mem *mem;
	struct dxg_ratelimit *rl;
	unsigned int vm_id;
	struct dxg_ctxq *active;	/* queues holding entries */
	uint32_t queued;		/* entries in all queues */
	struct dxg_waiter *waiters;
	uint32_t nwaiters;
	struct dxg_gevent *out_head, *out_tail;
	uint32_t nout;
	bool dirty;			/* a sync object changed: recheck waiters */
	bool more;			/* runnable work left (budget ran out) */
	struct dxg_exec_done done;	/* jobs back from the engine workers */
	uint64_t dropped_events;	/* outbox overflow, for logs/tests */
	/* Per adapter index and node ordinal. */
	struct dxg_node_busy busy[DXG_IVSHMEM_MAX_ADAPTERS][DXG_SCHED_MAX_NODES];
	/* CLOCK_MONOTONIC in ns; tests put their own clock here. */
	uint64_t (*now_ns)(void);
};

/*
 * Returns 0 or -errno (the completion eventfd, unless @wake_fd is false:
 * tests and fuzzers that call dxg_sched_run() themselves).
 */
int dxg_sched_init(struct dxg_sched *s, struct dxg_objects *objs,
		   struct dxg_mem *mem, struct dxg_ratelimit *rl,
		   unsigned int vm_id, bool wake_fd);
/*
 * Call after the objects were reset/finalized (every worker joined): frees
 * the outbox and the jobs left on the completion list.
 */
void dxg_sched_fini(struct dxg_sched *s);
/* Forget undelivered events (a new guest instance). */
void dxg_sched_clear_outbox(struct dxg_sched *s);

/* The object model's release hook (arg is the struct dxg_sched). */
void dxg_sched_release(void *arg, struct dxg_obj *obj);

/* ---- sync objects (sync.c) ---- */

/*
 * Attaches a sync object to obj (a new DXG_OBJ_SYNCOBJECT): a monitored
 * fence gets a zeroed IO-space page holding `initial`; a CPU notification
 * remembers the guest event id.  Returns an NTSTATUS.
 */
int32_t dxg_sync_create(struct dxg_sched *s, struct dxg_obj *obj,
			uint32_t type, uint64_t initial, uint64_t event);
/*
 * Signals one object: a fence takes max(current, value) (a lower value
 * never lowers it); a CPU notification queues its guest event.
 */
void dxg_sync_signal(struct dxg_sched *s, struct dxg_obj *obj, uint64_t value);
/*
 * The device a sync object belongs to: its parent, or for a hw queue's
 * progress fence the device of the queue's context.
 */
const struct dxg_obj *dxg_sync_device(const struct dxg_obj *obj);
/* Current value of a fence (0 for other objects). */
uint64_t dxg_sync_value(const struct dxg_obj *obj);
/*
 * Sharing (docs/sync.md): `dst` (a new sync object or NT shared object)
 * uses the same fence as `y`, which counts it; the fence goes with the
 * last of them (dxg_sched_release).
 */
void dxg_sync_share(struct dxg_sync *y, struct dxg_obj *dst);
/* The sync object `handle` of `process`, or NULL. */
struct dxg_obj *dxg_sync_lookup(struct dxg_sched *s, uint32_t handle,
				const struct dxg_obj *process);
/*
 * A queued GPU wait holds the fence itself, not the handle it was named
 * by (docs/sync.md §4): the fence of `handle` of `process`, pinned (NULL
 * if there is none), until dxg_sync_unpin().  The wait is reached when
 * the fence gets to its value or when nothing but waits holds it any more
 * (every object and NT shared object of it destroyed: nobody can signal
 * it), so destroying the handle a wait was queued through releases the
 * wait only if it was the fence's last holder.
 */
struct dxg_sync *dxg_sync_pin(struct dxg_sched *s, uint32_t handle,
			      const struct dxg_obj *process);
void dxg_sync_unpin(struct dxg_sched *s, struct dxg_sync *y);
bool dxg_sync_pin_reached(const struct dxg_sync *y, uint64_t value);

/*
 * Registers a CPU wait of `process` on `device` for refs[0..count): when
 * every (or, with `any`, one) fence reached its value, `event` is sent to
 * the guest (maybe at once).  STATUS_QUOTA_EXCEEDED beyond the bounds.
 */
int32_t dxg_sched_wait_cpu(struct dxg_sched *s, struct dxg_obj *process,
			   struct dxg_obj *device, const struct dxg_sync_ref *refs,
			   uint32_t count, bool any, uint64_t event);

/* Queues a SIGNALGUESTEVENT for `event` of `process` (deduplicated). */
void dxg_sched_post_event(struct dxg_sched *s, const struct dxg_obj *process,
			  uint64_t event);
/*
 * An event for the guest: what one SIGNALGUESTEVENT carries (the protocol
 * layer encodes it: protocol/events.c).
 */
struct dxg_guest_event {
	uint32_t process;		/* the process's handle, 0 for none */
	uint64_t process_cookie;	/* the guest's id of that process */
	uint64_t event;
};

/* The oldest undelivered event; false if none. */
bool dxg_sched_peek_event(const struct dxg_sched *s, struct dxg_guest_event *ev);
void dxg_sched_pop_event(struct dxg_sched *s);

/* Rechecks the CPU waiters after sync objects changed. */
void dxg_sched_check_waiters(struct dxg_sched *s);

/* ---- context queues (core/scheduler.c) ---- */

/*
 * What a signal does when its queue reaches it: refs[0..count) are
 * signalled, then `event` (a guest event id, 0 for none) is sent to the
 * guest for `process` (ENQUEUE_CPU_EVENT).
 */
struct dxg_sig {
	const struct dxg_obj *process;	/* set by the scheduler */
	uint32_t count;
	uint64_t event;
	struct dxg_sync_ref refs[DXG_SCHED_MAX_OBJECTS];
};

/* Each returns an NTSTATUS (STATUS_QUOTA_EXCEEDED when the VM is full). */
int32_t dxg_sched_submit(struct dxg_sched *s, struct dxg_obj *context,
			 uint64_t va, uint64_t size);
int32_t dxg_sched_signal(struct dxg_sched *s, struct dxg_obj *context,
			 const struct dxg_sync_ref *refs, uint32_t count);
int32_t dxg_sched_wait_gpu(struct dxg_sched *s, struct dxg_obj *context,
			   const struct dxg_sync_ref *refs, uint32_t count);
/*
 * A signal from 1..64 contexts of one device (a broadcast): with one it is
 * an ordinary queue entry; with several it happens once every one of them
 * reached it (a context destroyed meanwhile counts as reached); over the
 * VM's quota none is queued.  sig->count may be 0 when sig->event is set.
 */
int32_t dxg_sched_signal_bcast(struct dxg_sched *s, struct dxg_obj **contexts,
			       uint32_t ncontexts, const struct dxg_sig *sig);

/*
 * Completes queued entries in order per context, at most `budget`; a WAIT
 * at a queue's head blocks that queue only, a SUBMIT blocks it while the
 * job runs and, before it starts, while the device's engine runs a job of
 * another context: the engine takes the next job from the queues in
 * priority order (highest first, FIFO among equals).  Returns the entries
 * completed.
 */
uint32_t dxg_sched_run(struct dxg_sched *s, uint32_t budget);
/*
 * Finishes the SUBMIT entries whose jobs came back (loop thread; also the
 * start of dxg_sched_run()).  Returns how many.
 */
uint32_t dxg_sched_collect(struct dxg_sched *s);
/* The fd that becomes readable when jobs came back (-1 without one). */
static inline int dxg_sched_wake_fd(const struct dxg_sched *s)
{
	return s->done.efd;
}
/*
 * Scheduling priority of a context (docs/sync.md §priority): the range of
 * both values, and the call that sets one (`in_process` picks which) and
 * moves the context's queue to its new place.  STATUS_INVALID_PARAMETER
 * outside the range.
 */
#define DXG_SCHED_PRIORITY_MIN		(-7)
#define DXG_SCHED_PRIORITY_MAX		7
int32_t dxg_sched_set_priority(struct dxg_sched *s, struct dxg_obj *context,
			       bool in_process, int32_t priority);
/*
 * The busy time of node `node` of adapter `ad` in this VM up to now (an
 * open busy period included) in ns, and the jobs started on it.  False for
 * a node the scheduler does not count (beyond the adapter's or
 * DXG_SCHED_MAX_NODES).
 */
bool dxg_sched_node_busy(const struct dxg_sched *s, const struct dxg_adapter *ad,
			 uint32_t node, uint64_t *busy_ns, uint32_t *jobs);
/*
 * The same for the jobs of one process (QUERYSTATISTICS PROCESS_NODE):
 * the time in which at least one of its jobs held an engine of that node.
 */
bool dxg_sched_process_node_busy(const struct dxg_sched *s,
				 const struct dxg_obj *process,
				 const struct dxg_adapter *ad, uint32_t node,
				 uint64_t *busy_ns, uint32_t *jobs);
/* Release-hook helper: a process's busy counters go with it. */
void dxg_sched_proc_busy_free(struct dxg_obj *process);
/* Work that dxg_sched_run() or the channel could do now. */
bool dxg_sched_busy(const struct dxg_sched *s);
/* Release-hook helper: drops a context's queue (its work is lost). */
void dxg_sched_queue_free(struct dxg_sched *s, struct dxg_obj *context);

#endif /* DXGHOST_SCHEDULER_H */
