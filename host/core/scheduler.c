// SPDX-License-Identifier: MIT
/*
 * Per-context FIFO queues (docs/sync.md).  Each context's entries complete
 * in submission order: SUBMIT starts its job on the device's worker
 * (dxg_exec_start) and blocks that queue (only) until the job is back,
 * SIGNAL advances sync objects, WAIT blocks that queue (only) until every
 * fence reached its value.  A signal on one context unblocks waits on
 * others in the same dxg_sched_run() call.
 *
 * Priority: the active list is kept in priority order (scheduling
 * priority, then in-process priority, highest first; FIFO among equals),
 * and a device's engine gets one job at a time, so when it becomes free
 * the highest-priority context whose head can run goes next: queued work
 * of a high-priority context overtakes queued work of lower ones.
 */
#include "core/scheduler.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/adapter.h"
#include "core/execution.h"
#include "dxg/ntstatus.h"
#include "exec/worker.h"

enum { QE_SUBMIT = 1, QE_SIGNAL, QE_WAIT };

/*
 * A signal broadcast from several contexts: one SIGNAL entry on each
 * context's queue points here; the signal happens when the last of them
 * is reached (a context destroyed meanwhile counts as reached).
 */
struct dxg_bcast {
	uint32_t pending;		/* entries not reached yet */
	struct dxg_sig sig;
};

struct dxg_qent {
	struct dxg_qent *next;
	uint32_t type;
	uint32_t count;
	uint64_t va, size;		/* SUBMIT */
	struct dxg_job *job;		/* SUBMIT running on a worker */
	bool started;			/* SUBMIT: its first segment started */
	struct dxg_exec_sub *sub;	/* SUBMIT stopped at a fence command */
	uint64_t event;			/* SIGNAL: guest event id, 0 for none */
	struct dxg_bcast *bc;		/* SIGNAL of a broadcast */
	struct dxg_sync **pins;		/* WAIT: the fences, pinned (or NULL) */
	struct dxg_sync_ref refs[];	/* SIGNAL, WAIT */
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int dxg_sched_init(struct dxg_sched *s, struct dxg_objects *objs,
		   struct dxg_mem *mem, struct dxg_ratelimit *rl,
		   unsigned int vm_id, bool wake_fd)
{
	memset(s, 0, sizeof(*s));
	s->now_ns = monotonic_ns;
	s->objs = objs;
	s->mem = mem;
	s->rl = rl;
	s->vm_id = vm_id;
	return dxg_exec_done_init(&s->done, wake_fd);
}

void dxg_sched_clear_outbox(struct dxg_sched *s)
{
	while (s->out_head)
		dxg_sched_pop_event(s);
}

void dxg_sched_fini(struct dxg_sched *s)
{
	dxg_sched_clear_outbox(s);
	dxg_exec_done_fini(&s->done);
}

static void active_unlink(struct dxg_sched *s, struct dxg_ctxq *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else if (s->active == q)
		s->active = q->next;
	if (q->next)
		q->next->prev = q->prev;
	q->next = q->prev = NULL;
}

/* q goes before r in the active list. */
static bool ranks_before(const struct dxg_ctxq *q, const struct dxg_ctxq *r)
{
	const struct dxg_obj *a = q->context, *b = r->context;

	if (a->u.context.priority != b->u.context.priority)
		return a->u.context.priority > b->u.context.priority;
	return a->u.context.inproc_priority > b->u.context.inproc_priority;
}

/* Inserts q behind every queue of its priority or higher. */
static void active_insert(struct dxg_sched *s, struct dxg_ctxq *q)
{
	struct dxg_ctxq *at = s->active, *prev = NULL;

	while (at && !ranks_before(q, at)) {
		prev = at;
		at = at->next;
	}
	q->prev = prev;
	q->next = at;
	if (at)
		at->prev = q;
	if (prev)
		prev->next = q;
	else
		s->active = q;
}

int32_t dxg_sched_set_priority(struct dxg_sched *s, struct dxg_obj *context,
			       bool in_process, int32_t priority)
{
	struct dxg_ctxq *q = context->u.context.queue;

	if (context->type != DXG_OBJ_CONTEXT)
		return STATUS_INVALID_HANDLE;
	if (priority < DXG_SCHED_PRIORITY_MIN ||
	    priority > DXG_SCHED_PRIORITY_MAX)
		return STATUS_INVALID_PARAMETER;
	if (in_process)
		context->u.context.inproc_priority = priority;
	else
		context->u.context.priority = priority;
	if (q && q->head) {
		/* Its new place; it goes behind its new equals. */
		active_unlink(s, q);
		active_insert(s, q);
	}
	return STATUS_SUCCESS;
}

static int32_t enqueue_ev(struct dxg_sched *s, struct dxg_obj *context,
			  uint32_t type, uint64_t va, uint64_t size,
			  const struct dxg_sync_ref *refs, uint32_t count,
			  uint64_t event, struct dxg_bcast *bc)
{
	struct dxg_ctxq *q = context->u.context.queue;
	struct dxg_qent *e;

	if (context->type != DXG_OBJ_CONTEXT)
		return STATUS_INVALID_HANDLE;
	/* A signal names objects, a CPU event or a broadcast's. */
	if (count > DXG_SCHED_MAX_OBJECTS ||
	    (type != QE_SUBMIT && count == 0 && !event && !bc))
		return STATUS_INVALID_PARAMETER;
	if (s->queued >= DXG_SCHED_MAX_QUEUED)
		return STATUS_QUOTA_EXCEEDED;
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return STATUS_NO_MEMORY;
		q->context = context;
		context->u.context.queue = q;
	}
	/* A wait's pins follow its refs in the same block. */
	e = calloc(1, sizeof(*e) + count * sizeof(e->refs[0]) +
		   (type == QE_WAIT ? count * sizeof(e->pins[0]) : 0));
	if (!e)
		return STATUS_NO_MEMORY;
	e->type = type;
	e->count = count;
	e->va = va;
	e->size = size;
	e->event = event;
	e->bc = bc;
	if (count)
		memcpy(e->refs, refs, count * sizeof(refs[0]));
	if (type == QE_WAIT) {
		e->pins = (struct dxg_sync **)&e->refs[count];
		for (uint32_t i = 0; i < count; i++)
			e->pins[i] = dxg_sync_pin(s, refs[i].handle,
						  context->process);
	}
	if (q->tail) {
		q->tail->next = e;
	} else {
		q->head = e;
		/* First entry: the queue becomes active. */
		active_insert(s, q);
	}
	q->tail = e;
	q->n++;
	s->queued++;
	return STATUS_SUCCESS;
}

static int32_t enqueue(struct dxg_sched *s, struct dxg_obj *context,
		       uint32_t type, uint64_t va, uint64_t size,
		       const struct dxg_sync_ref *refs, uint32_t count)
{
	return enqueue_ev(s, context, type, va, size, refs, count, 0, NULL);
}

int32_t dxg_sched_submit(struct dxg_sched *s, struct dxg_obj *context,
			 uint64_t va, uint64_t size)
{
	return enqueue(s, context, QE_SUBMIT, va, size, NULL, 0);
}

int32_t dxg_sched_signal(struct dxg_sched *s, struct dxg_obj *context,
			 const struct dxg_sync_ref *refs, uint32_t count)
{
	return enqueue(s, context, QE_SIGNAL, 0, 0, refs, count);
}

int32_t dxg_sched_signal_bcast(struct dxg_sched *s, struct dxg_obj **contexts,
			       uint32_t ncontexts, const struct dxg_sig *sig)
{
	struct dxg_bcast *bc;
	int32_t st = STATUS_SUCCESS;

	if (!ncontexts || ncontexts > D3DDDI_MAX_BROADCAST_CONTEXT ||
	    sig->count > DXG_SCHED_MAX_OBJECTS || (!sig->count && !sig->event))
		return STATUS_INVALID_PARAMETER;
	/* One context: an ordinary entry. */
	if (ncontexts == 1)
		return enqueue_ev(s, contexts[0], QE_SIGNAL, 0, 0, sig->refs,
				  sig->count, sig->event, NULL);
	for (uint32_t i = 0; i < ncontexts; i++)
		if (contexts[i]->type != DXG_OBJ_CONTEXT)
			return STATUS_INVALID_HANDLE;
	/* Every entry fits, or none is queued. */
	if (s->queued + ncontexts > DXG_SCHED_MAX_QUEUED)
		return STATUS_QUOTA_EXCEEDED;
	bc = calloc(1, sizeof(*bc));
	if (!bc)
		return STATUS_NO_MEMORY;
	bc->sig = *sig;
	bc->sig.process = contexts[0]->process;
	for (uint32_t i = 0; i < ncontexts && st >= 0; i++) {
		st = enqueue_ev(s, contexts[i], QE_SIGNAL, 0, 0, NULL, 0, 0, bc);
		if (st >= 0)
			bc->pending++;
	}
	/* A partial broadcast signals when the queued part is reached. */
	if (!bc->pending)
		free(bc);
	return st;
}

int32_t dxg_sched_wait_gpu(struct dxg_sched *s, struct dxg_obj *context,
			   const struct dxg_sync_ref *refs, uint32_t count)
{
	return enqueue(s, context, QE_WAIT, 0, 0, refs, count);
}

/* Signal what sig names: fences, notifications, then the guest event. */
static void do_signal(struct dxg_sched *s, const struct dxg_obj *process,
		      const struct dxg_sync_ref *refs, uint32_t count,
		      uint64_t event)
{
	for (uint32_t i = 0; i < count; i++) {
		struct dxg_obj *o = dxg_sync_lookup(s, refs[i].handle, process);

		if (o)
			dxg_sync_signal(s, o, refs[i].value);
	}
	if (event)
		dxg_sched_post_event(s, process, event);
}

/* One broadcast entry reached (or its context gone). */
static void bcast_reached(struct dxg_sched *s, struct dxg_bcast *bc)
{
	if (--bc->pending)
		return;
	do_signal(s, bc->sig.process, bc->sig.refs, bc->sig.count,
		  bc->sig.event);
	free(bc);
}

static void pop(struct dxg_sched *s, struct dxg_ctxq *q)
{
	struct dxg_qent *e = q->head;

	q->head = e->next;
	if (!q->head)
		q->tail = NULL;
	q->n--;
	s->queued--;
	dxg_exec_sub_free(e->sub);
	for (uint32_t i = 0; e->pins && i < e->count; i++)
		dxg_sync_unpin(s, e->pins[i]);
	free(e);
}

/* The device's engine runs (or was given) a job of one of its queues. */
static bool engine_busy(const struct dxg_obj *context)
{
	const struct dxg_obj *dev = context->parent;

	return dev && dev->type == DXG_OBJ_DEVICE && dev->u.device.inflight;
}

static void engine_done(struct dxg_obj *dev)
{
	if (dev && dev->type == DXG_OBJ_DEVICE && dev->u.device.inflight)
		dev->u.device.inflight--;
}

/* A process's busy counters (objects.h: made at its first job). */
struct dxg_proc_busy {
	struct dxg_node_busy n[DXG_IVSHMEM_MAX_ADAPTERS][DXG_SCHED_MAX_NODES];
};

/* The counted (adapter index, node) of a context; false if not counted. */
static bool node_index(const struct dxg_obj *context, uint32_t *ai,
		       uint32_t *node)
{
	const struct dxg_adapter *ad = context->adapter;

	*node = context->u.context.node_ordinal;
	if (!ad || ad->index >= DXG_IVSHMEM_MAX_ADAPTERS ||
	    *node >= ad->node_count || *node >= DXG_SCHED_MAX_NODES)
		return false;
	*ai = ad->index;
	return true;
}

/* A job of one counter takes an engine... */
static void nb_begin(struct dxg_sched *s, struct dxg_node_busy *b)
{
	if (!b->running++)
		b->since = s->now_ns();
	b->jobs++;
}

/* ... and gives it back (each begin is ended exactly once). */
static void nb_end(struct dxg_sched *s, struct dxg_node_busy *b)
{
	uint64_t now;

	if (!b->running || --b->running)
		return;
	now = s->now_ns();
	if (now > b->since)
		b->busy_ns += now - b->since;
}

/*
 * A job of the context takes its device's engine: counted for the VM's
 * node and for its process (whose counters are made here, at its first
 * job; without memory for them the process's figures stay behind).
 */
static void busy_begin(struct dxg_sched *s, const struct dxg_obj *context)
{
	struct dxg_obj *p = context->process;
	uint32_t ai, node;

	if (!node_index(context, &ai, &node))
		return;
	nb_begin(s, &s->busy[ai][node]);
	if (p && p->type == DXG_OBJ_PROCESS && !p->u.process.busy)
		p->u.process.busy = calloc(1, sizeof(*p->u.process.busy));
	if (p && p->type == DXG_OBJ_PROCESS && p->u.process.busy)
		nb_begin(s, &p->u.process.busy->n[ai][node]);
}

/* ... and gives it back. */
static void busy_end(struct dxg_sched *s, const struct dxg_obj *context)
{
	struct dxg_obj *p = context->process;
	uint32_t ai, node;

	if (!node_index(context, &ai, &node))
		return;
	nb_end(s, &s->busy[ai][node]);
	if (p && p->type == DXG_OBJ_PROCESS && p->u.process.busy)
		nb_end(s, &p->u.process.busy->n[ai][node]);
}

/* b's figures up to now, an open period included. */
static void nb_read(const struct dxg_sched *s, const struct dxg_node_busy *b,
		    uint64_t *busy_ns, uint32_t *jobs)
{
	uint64_t now;

	*busy_ns = b->busy_ns;
	*jobs = b->jobs;
	if (b->running) {
		now = s->now_ns();
		if (now > b->since)
			*busy_ns += now - b->since;
	}
}

static bool node_counted(const struct dxg_adapter *ad, uint32_t node)
{
	return ad->index < DXG_IVSHMEM_MAX_ADAPTERS && node < ad->node_count &&
	       node < DXG_SCHED_MAX_NODES;
}

bool dxg_sched_node_busy(const struct dxg_sched *s, const struct dxg_adapter *ad,
			 uint32_t node, uint64_t *busy_ns, uint32_t *jobs)
{
	if (!node_counted(ad, node))
		return false;
	nb_read(s, &s->busy[ad->index][node], busy_ns, jobs);
	return true;
}

bool dxg_sched_process_node_busy(const struct dxg_sched *s,
				 const struct dxg_obj *process,
				 const struct dxg_adapter *ad, uint32_t node,
				 uint64_t *busy_ns, uint32_t *jobs)
{
	static const struct dxg_node_busy none;
	const struct dxg_proc_busy *pb;

	if (!node_counted(ad, node) || process->type != DXG_OBJ_PROCESS)
		return false;
	pb = process->u.process.busy;
	nb_read(s, pb ? &pb->n[ad->index][node] : &none, busy_ns, jobs);
	return true;
}

void dxg_sched_proc_busy_free(struct dxg_obj *process)
{
	free(process->u.process.busy);
	process->u.process.busy = NULL;
}

void dxg_sched_queue_free(struct dxg_sched *s, struct dxg_obj *context)
{
	struct dxg_ctxq *q = context->u.context.queue;

	if (!q)
		return;
	/*
	 * A running job finishes unowned; its result is dropped.  The engine
	 * is the device's again for scheduling: the next job queues behind
	 * it on the worker.
	 */
	if (q->head && q->head->job) {
		q->head->job->owner = NULL;
		engine_done(context->parent);
		/* What it runs from now on is nobody's: not counted. */
		busy_end(s, context);
	}
	while (q->head) {
		/* The other contexts of a broadcast need not wait for it. */
		if (q->head->bc)
			bcast_reached(s, q->head->bc);
		pop(s, q);
	}
	active_unlink(s, q);
	free(q);
	context->u.context.queue = NULL;
}

/*
 * Every fence reached, or held by nothing but waits (destroyed): a queue
 * never waits for a ghost.
 */
static bool wait_satisfied(const struct dxg_qent *e)
{
	for (uint32_t i = 0; i < e->count; i++)
		if (!dxg_sync_pin_reached(e->pins[i], e->refs[i].value))
			return false;
	return true;
}

/* Has the fence ref names reached its value?  None (destroyed) has. */
static bool ref_reached(struct dxg_sched *s, const struct dxg_obj *process,
			const struct dxg_sync_ref *ref)
{
	struct dxg_obj *o = dxg_sync_lookup(s, ref->handle, process);

	return !o || dxg_sync_value(o) >= ref->value;
}

enum step { STEP_BLOCKED, STEP_PROGRESS, STEP_DONE };

/*
 * A SUBMIT at the head of q: its segments (jobs) and, for a version 3
 * buffer, the fence commands between them, done here as the queue's own
 * SIGNAL and WAIT entries are.  Starts at most one segment per call (each
 * copies the buffer again: one budget step each, dxg_sched_run()); fence
 * commands before it cost nothing but a lookup (at most
 * DXG_CMD_MAX_FENCES of them per buffer).
 */
static enum step step_submit(struct dxg_sched *s, struct dxg_ctxq *q,
			     struct dxg_qent *e)
{
	struct dxg_obj *ctx = q->context;
	enum step r = STEP_BLOCKED;
	struct dxg_sync_ref ref;

	for (;;) {
		if (e->job)
			return r;	/* running: dxg_sched_collect() goes on */
		switch (e->started ? dxg_exec_sub_step(e->sub, ctx, &ref) :
				     DXG_EXEC_SEGMENT) {
		case DXG_EXEC_DONE:
			return STEP_DONE;
		case DXG_EXEC_SIGNAL:
			do_signal(s, ctx->process, &ref, 1, 0);
			dxg_exec_sub_advance(e->sub);
			r = STEP_PROGRESS;
			continue;
		case DXG_EXEC_WAIT:
			if (!ref_reached(s, ctx->process, &ref))
				return r;
			dxg_exec_sub_advance(e->sub);
			r = STEP_PROGRESS;
			continue;
		case DXG_EXEC_SEGMENT:
			break;
		}
		/* The engine is busy: the next job is chosen when it is free. */
		if (engine_busy(ctx))
			return r;
		/*
		 * Errors put the device into its error state (core/execution.c).
		 * The engine is busy from here: a job run at once (light jobs,
		 * errors) ends here, one on the worker when it is collected.
		 */
		busy_begin(s, ctx);
		e->started = true;
		r = STEP_PROGRESS;
		if (dxg_exec_start(s->mem, ctx, e->va, e->size, &s->done,
				   &e->job, &e->sub) == STATUS_PENDING) {
			e->job->owner = q;
			ctx->parent->u.device.inflight++;
			return r;
		}
		busy_end(s, ctx);
		e->job = NULL;
		/* Done, or more for the next step (after other queues). */
		return dxg_exec_sub_step(e->sub, ctx, &ref) == DXG_EXEC_DONE ?
		       STEP_DONE : STEP_PROGRESS;
	}
}

/* Runs the head of q as far as it can. */
static enum step step_queue(struct dxg_sched *s, struct dxg_ctxq *q)
{
	struct dxg_qent *e = q->head;
	struct dxg_obj *ctx = q->context;
	enum step r;

	switch (e->type) {
	case QE_WAIT:
		if (!wait_satisfied(e))
			return STEP_BLOCKED;
		break;
	case QE_SIGNAL:
		if (e->bc)
			bcast_reached(s, e->bc);
		else
			do_signal(s, ctx->process, e->refs, e->count, e->event);
		break;
	case QE_SUBMIT:
		r = step_submit(s, q, e);
		if (r != STEP_DONE)
			return r;
		break;
	}
	pop(s, q);
	q->executed++;
	return STEP_DONE;
}

/* The head of q cannot run now (used to tell whether work is left). */
static bool blocked(struct dxg_sched *s, const struct dxg_ctxq *q)
{
	const struct dxg_qent *e = q->head;
	struct dxg_sync_ref ref;

	if (e->type == QE_WAIT)
		return !wait_satisfied(e);
	if (e->type != QE_SUBMIT)
		return false;
	if (e->job)
		return true;
	switch (e->started ? dxg_exec_sub_step(e->sub, q->context, &ref) :
			     DXG_EXEC_SEGMENT) {
	case DXG_EXEC_SEGMENT:
		return engine_busy(q->context);
	case DXG_EXEC_WAIT:
		return !ref_reached(s, q->context->process, &ref);
	default:
		return false;
	}
}

uint32_t dxg_sched_collect(struct dxg_sched *s)
{
	struct dxg_job *j;
	uint32_t n = 0;

	while ((j = dxg_exec_done_pop(&s->done))) {
		struct dxg_ctxq *q = j->owner;

		if (!q) {
			dxg_job_free(j);	/* its context went meanwhile */
			continue;
		}
		/* Only a queue's head runs, and it stays until it is back. */
		q->head->job = NULL;
		engine_done(q->context->parent);
		busy_end(s, q->context);
		(void)dxg_exec_finish(s->mem, q->context, j, q->head->sub);
		n++;
		/* A buffer stopped at a fence command goes on in the run. */
		if (q->head->sub)
			continue;
		pop(s, q);
		q->executed++;
		if (!q->head)
			active_unlink(s, q);
	}
	if (n)
		s->more = true;		/* what followed can run now */
	return n;
}

uint32_t dxg_sched_run(struct dxg_sched *s, uint32_t budget)
{
	uint32_t done = 0, steps = 0, progress;

	dxg_sched_collect(s);
	s->more = false;
	do {
		struct dxg_ctxq *q = s->active, *next;

		progress = 0;
		for (; q && steps < budget; q = next) {
			next = q->next;
			while (q->head && steps < budget) {
				enum step r = step_queue(s, q);

				if (r == STEP_BLOCKED)
					break;
				progress++;
				steps++;
				/* A segment ran or started: other queues first. */
				if (r == STEP_PROGRESS)
					break;
				done++;
			}
			if (!q->head)
				active_unlink(s, q);
		}
		if (s->dirty)
			dxg_sched_check_waiters(s);
	} while (progress && steps < budget);
	if (steps >= budget) {
		/* Anything still runnable? */
		for (struct dxg_ctxq *q = s->active; q; q = q->next) {
			if (!blocked(s, q)) {
				s->more = true;
				break;
			}
		}
	}
	return done;
}

bool dxg_sched_busy(const struct dxg_sched *s)
{
	/* A running job is not: its completion wakes the loop. */
	return s->more || s->out_head != NULL || s->dirty ||
	       dxg_exec_done_pending(&s->done);
}
