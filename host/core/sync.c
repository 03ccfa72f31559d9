// SPDX-License-Identifier: MIT
/*
 * Sync objects, CPU waiters and the guest-event outbox (docs/sync.md).
 *
 * A monitored fence owns one IO-space page; its first 64-bit word is the
 * fence value, written here only (release store) and mapped read-only into
 * guest processes.  The host never reads the page back: `value` is the
 * truth, so a guest that scribbles on its view cannot move a fence.
 */
#include "core/scheduler.h"

#include <stdlib.h>
#include <string.h>

#include "core/ioheap.h"
#include "core/memory.h"
#include "dxg/ntstatus.h"

struct dxg_waiter {
	struct dxg_waiter *next, *prev;
	struct dxg_obj *process;
	struct dxg_obj *device;
	uint64_t event;
	bool any;
	uint32_t count;
	struct dxg_sync_ref refs[];
};

struct dxg_gevent {
	struct dxg_gevent *next;
	const struct dxg_obj *process;
	uint64_t event;
};

/* ---- sync objects ---- */

static void fence_store(struct dxg_sched *s, struct dxg_sync *y)
{
	if (y->page && s->mem && s->mem->shm)
		__atomic_store_n((uint64_t *)(s->mem->shm + y->page), y->value,
				 __ATOMIC_RELEASE);
}

int32_t dxg_sync_create(struct dxg_sched *s, struct dxg_obj *obj,
			uint32_t type, uint64_t initial, uint64_t event)
{
	struct dxg_sync *y;
	int32_t st;

	if (type != D3DDDI_MONITORED_FENCE && type != D3DDDI_CPU_NOTIFICATION)
		return STATUS_NOT_SUPPORTED;
	if (type == D3DDDI_CPU_NOTIFICATION && !event)
		return STATUS_INVALID_PARAMETER;
	y = calloc(1, sizeof(*y));
	if (!y)
		return STATUS_NO_MEMORY;
	y->refs = 1;
	y->type = type;
	if (type == D3DDDI_MONITORED_FENCE) {
		if (!s->mem) {
			free(y);
			return STATUS_NOT_SUPPORTED;
		}
		st = dxg_ioheap_alloc(&s->mem->heap, DXG_IOHEAP_PAGE, &y->page);
		if (st < 0) {
			free(y);
			return st;
		}
		memset(s->mem->shm + y->page, 0, DXG_IOHEAP_PAGE);
		y->value = initial;
		fence_store(s, y);
	} else {
		y->event = event;
	}
	obj->u.syncobject.sync = y;
	return STATUS_SUCCESS;
}

void dxg_sync_share(struct dxg_sync *y, struct dxg_obj *dst)
{
	y->refs++;
	if (dst->type == DXG_OBJ_NTSHARED)
		dst->u.ntshared.sync = y;
	else
		dst->u.syncobject.sync = y;
}

/* One user of y is gone (its object, or an NT shared object). */
static void sync_put(struct dxg_sched *s, struct dxg_sync *y)
{
	s->dirty = true;	/* waits through the object are satisfied now */
	if (--y->refs)
		return;
	if (y->page && s->mem)
		dxg_ioheap_free(&s->mem->heap, y->page, DXG_IOHEAP_PAGE);
	free(y);
}

static void sync_free(struct dxg_sched *s, struct dxg_obj *obj)
{
	struct dxg_sync *y = obj->u.syncobject.sync;

	if (!y)
		return;
	obj->u.syncobject.sync = NULL;
	sync_put(s, y);
}

void dxg_sync_signal(struct dxg_sched *s, struct dxg_obj *obj, uint64_t value)
{
	struct dxg_sync *y = obj->u.syncobject.sync;

	if (!y)
		return;
	if (y->type == D3DDDI_CPU_NOTIFICATION) {
		dxg_sched_post_event(s, obj->process, y->event);
		return;
	}
	if (value <= y->value)
		return;		/* monotonic: never lowered */
	y->value = value;
	fence_store(s, y);
	s->dirty = true;
}

const struct dxg_obj *dxg_sync_device(const struct dxg_obj *obj)
{
	const struct dxg_obj *p = obj->parent;

	if (p && p->type == DXG_OBJ_HWQUEUE)
		p = p->parent ? p->parent->parent : NULL;	/* context's */
	else if (p && p->type == DXG_OBJ_PAGINGQUEUE)
		p = p->parent;				/* the queue's */
	return p;
}

uint64_t dxg_sync_value(const struct dxg_obj *obj)
{
	const struct dxg_sync *y = obj->u.syncobject.sync;

	return y && y->type == D3DDDI_MONITORED_FENCE ? y->value : 0;
}

struct dxg_obj *dxg_sync_lookup(struct dxg_sched *s, uint32_t handle,
				const struct dxg_obj *process)
{
	struct dxg_obj *o = dxg_obj_lookup(s->objs, handle, DXG_OBJ_SYNCOBJECT,
					   process);

	return o && o->u.syncobject.sync ? o : NULL;
}

struct dxg_sync *dxg_sync_pin(struct dxg_sched *s, uint32_t handle,
			      const struct dxg_obj *process)
{
	struct dxg_obj *o = dxg_sync_lookup(s, handle, process);
	struct dxg_sync *y;

	if (!o)
		return NULL;
	y = o->u.syncobject.sync;
	y->refs++;
	y->pins++;
	return y;
}

void dxg_sync_unpin(struct dxg_sched *s, struct dxg_sync *y)
{
	if (!y)
		return;
	y->pins--;
	sync_put(s, y);
}

bool dxg_sync_pin_reached(const struct dxg_sync *y, uint64_t value)
{
	if (!y || y->refs == y->pins)
		return true;	/* nobody can signal it any more */
	return y->type == D3DDDI_MONITORED_FENCE && y->value >= value;
}

/* ---- the outbox ---- */

void dxg_sched_post_event(struct dxg_sched *s, const struct dxg_obj *process,
			  uint64_t event)
{
	struct dxg_gevent *e;

	for (e = s->out_head; e; e = e->next)
		if (e->event == event && e->process == process)
			return;		/* not delivered yet: one is enough */
	if (s->nout >= DXG_SCHED_MAX_OUTBOX || !(e = calloc(1, sizeof(*e)))) {
		s->dropped_events++;
		if (s->rl)
			dxg_log_rl(s->rl, DXG_LOG_WARN,
				   "vm %u: guest event dropped (outbox full)",
				   s->vm_id);
		return;
	}
	e->process = process;
	e->event = event;
	if (s->out_tail)
		s->out_tail->next = e;
	else
		s->out_head = e;
	s->out_tail = e;
	s->nout++;
}

bool dxg_sched_peek_event(const struct dxg_sched *s, struct dxg_guest_event *ev)
{
	const struct dxg_gevent *e = s->out_head;

	if (!e)
		return false;
	ev->process = e->process ? e->process->handle : 0;
	ev->process_cookie = e->process ? e->process->u.process.cookie : 0;
	ev->event = e->event;
	return true;
}

void dxg_sched_pop_event(struct dxg_sched *s)
{
	struct dxg_gevent *e = s->out_head;

	if (!e)
		return;
	s->out_head = e->next;
	if (!s->out_head)
		s->out_tail = NULL;
	s->nout--;
	free(e);
}

/* Drop undelivered events of a process that is going away. */
static void outbox_purge(struct dxg_sched *s, const struct dxg_obj *process)
{
	struct dxg_gevent **pp = &s->out_head, *e;

	s->out_tail = NULL;
	while ((e = *pp)) {
		if (e->process == process) {
			*pp = e->next;
			s->nout--;
			free(e);
			continue;
		}
		s->out_tail = e;
		pp = &e->next;
	}
}

/* ---- CPU waiters ---- */

static void waiter_unlink(struct dxg_sched *s, struct dxg_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		s->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
	s->nwaiters--;
	free(w);
}

/* Has refs[i] reached its value?  A destroyed object counts as reached. */
static bool ref_reached(struct dxg_sched *s, const struct dxg_obj *process,
			const struct dxg_sync_ref *r)
{
	struct dxg_obj *o = dxg_sync_lookup(s, r->handle, process);

	return !o || dxg_sync_value(o) >= r->value;
}

static bool waiter_done(struct dxg_sched *s, const struct dxg_waiter *w)
{
	for (uint32_t i = 0; i < w->count; i++) {
		bool ok = ref_reached(s, w->process, &w->refs[i]);

		if (ok && w->any)
			return true;
		if (!ok && !w->any)
			return false;
	}
	return !w->any;
}

void dxg_sched_check_waiters(struct dxg_sched *s)
{
	struct dxg_waiter *w = s->waiters, *next;

	s->dirty = false;
	for (; w; w = next) {
		next = w->next;
		if (!waiter_done(s, w))
			continue;
		dxg_sched_post_event(s, w->process, w->event);
		waiter_unlink(s, w);
	}
}

int32_t dxg_sched_wait_cpu(struct dxg_sched *s, struct dxg_obj *process,
			   struct dxg_obj *device, const struct dxg_sync_ref *refs,
			   uint32_t count, bool any, uint64_t event)
{
	struct dxg_waiter *w;
	uint32_t mine = 0;

	if (!count || count > DXG_SCHED_MAX_OBJECTS || !event)
		return STATUS_INVALID_PARAMETER;
	if (s->nwaiters >= DXG_SCHED_MAX_WAITERS)
		return STATUS_QUOTA_EXCEEDED;
	for (w = s->waiters; w; w = w->next)
		mine += w->process == process;
	if (mine >= DXG_SCHED_MAX_PROC_WAITERS)
		return STATUS_QUOTA_EXCEEDED;
	w = calloc(1, sizeof(*w) + count * sizeof(w->refs[0]));
	if (!w)
		return STATUS_NO_MEMORY;
	w->process = process;
	w->device = device;
	w->event = event;
	w->any = any;
	w->count = count;
	memcpy(w->refs, refs, count * sizeof(refs[0]));
	if (waiter_done(s, w)) {
		dxg_sched_post_event(s, process, event);
		free(w);
		return STATUS_SUCCESS;
	}
	w->next = s->waiters;
	if (s->waiters)
		s->waiters->prev = w;
	s->waiters = w;
	s->nwaiters++;
	return STATUS_SUCCESS;
}

/* Drop the waiters of a device or process that is going away (no signal). */
static void waiters_purge(struct dxg_sched *s, const struct dxg_obj *owner)
{
	struct dxg_waiter *w = s->waiters, *next;

	for (; w; w = next) {
		next = w->next;
		if (w->device == owner || w->process == owner)
			waiter_unlink(s, w);
	}
}

void dxg_sched_release(void *arg, struct dxg_obj *obj)
{
	struct dxg_sched *s = arg;

	switch (obj->type) {
	case DXG_OBJ_SYNCOBJECT:
		sync_free(s, obj);
		break;
	case DXG_OBJ_NTSHARED:
		if (obj->u.ntshared.sync)
			sync_put(s, obj->u.ntshared.sync);
		obj->u.ntshared.sync = NULL;
		break;
	case DXG_OBJ_CONTEXT:
		dxg_sched_queue_free(s, obj);
		break;
	case DXG_OBJ_DEVICE:
		waiters_purge(s, obj);
		break;
	case DXG_OBJ_PROCESS:
		waiters_purge(s, obj);
		outbox_purge(s, obj);
		dxg_sched_proc_busy_free(obj);
		break;
	default:
		break;
	}
}
