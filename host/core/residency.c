// SPDX-License-Identifier: MIT
/*
 * Offer, reclaim and residency of allocations, and the reservations that
 * bound what other processes may commit: the model is in core/residency.h
 * and docs/memory.md §10.
 */
#include "core/residency.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/execution.h"
#include "dxg/ntstatus.h"
#include "uapi/misc/d3dkmthk.h"

uint64_t dxg_res_budget(const struct dxg_mem *m)
{
	return m->io_budget && m->io_budget < m->heap.size ? m->io_budget :
							     m->heap.size;
}

uint64_t dxg_res_committed(const struct dxg_mem *m)
{
	return m->heap.used - m->discarded;
}

uint64_t dxg_res_pool_budget(const struct dxg_mem *m, enum dxg_res_pool pool)
{
	return pool == DXG_RES_DEV ? m->dev_quota : dxg_res_budget(m);
}

uint64_t dxg_res_pool_committed(const struct dxg_mem *m, enum dxg_res_pool pool)
{
	return pool == DXG_RES_DEV ? m->dev_used : dxg_res_committed(m);
}

/*
 * What counts against the budget when room is asked for: the committed
 * bytes, and in the IO space at least the address space in use beyond
 * what the budget leaves (a discarded allocation keeps its range, so with
 * the budget at the whole IO space its bytes are not free to others).
 */
static uint64_t held(const struct dxg_mem *m, enum dxg_res_pool pool)
{
	uint64_t c = dxg_res_pool_committed(m, pool), slack;

	if (pool == DXG_RES_DEV)
		return c;
	slack = m->heap.size - dxg_res_budget(m);
	return m->heap.used > slack && m->heap.used - slack > c ?
	       m->heap.used - slack : c;
}

static enum dxg_res_pool pool_of(const struct dxg_obj *a)
{
	return a->u.allocation.dev ? DXG_RES_DEV : DXG_RES_IO;
}

/* ---- per-process use and reservations ---- */

static uint64_t unused(const struct dxg_obj *p, enum dxg_res_pool pool)
{
	uint64_t r = p->u.process.res_reserved[pool];
	uint64_t u = p->u.process.res_used[pool];

	return r > u ? r - u : 0;
}

/* Process @p's use and reservation in @pool become @used and @reserved. */
static void account(struct dxg_mem *m, struct dxg_obj *p,
		    enum dxg_res_pool pool, uint64_t used, uint64_t reserved)
{
	m->res_unused[pool] -= unused(p, pool);
	p->u.process.res_used[pool] = used;
	p->u.process.res_reserved[pool] = reserved;
	m->res_unused[pool] += unused(p, pool);
}

/* @a's committed bytes count in (or leave) its process's use. */
static void use(struct dxg_mem *m, struct dxg_obj *a, bool add)
{
	struct dxg_obj *p = a->process;
	enum dxg_res_pool pool = pool_of(a);
	uint64_t u;

	if (!a->u.allocation.charged || !p || p->type != DXG_OBJ_PROCESS)
		return;
	u = p->u.process.res_used[pool];
	u = add ? u + a->u.allocation.size : u - a->u.allocation.size;
	account(m, p, pool, u, p->u.process.res_reserved[pool]);
}

void dxg_res_charge(struct dxg_mem *m, struct dxg_obj *a)
{
	a->u.allocation.charged = true;
	use(m, a, true);
}

void dxg_res_process_gone(struct dxg_mem *m, struct dxg_obj *p)
{
	/* Its allocations went first: only the reservations are left. */
	account(m, p, DXG_RES_IO, p->u.process.res_used[DXG_RES_IO], 0);
	account(m, p, DXG_RES_DEV, p->u.process.res_used[DXG_RES_DEV], 0);
}

/* The other processes' unused reservations (all of them when @p is NULL). */
static uint64_t others_unused(const struct dxg_mem *m, const struct dxg_obj *p,
			      enum dxg_res_pool pool)
{
	return m->res_unused[pool] - (p ? unused(p, pool) : 0);
}

uint64_t dxg_res_available(const struct dxg_mem *m, const struct dxg_obj *p,
			   enum dxg_res_pool pool)
{
	uint64_t budget = dxg_res_pool_budget(m, pool);
	uint64_t h = held(m, pool);
	uint64_t others;

	/* What the others hold committed, and what they reserved besides. */
	h -= p->u.process.res_used[pool] < h ? p->u.process.res_used[pool] : h;
	others = h + others_unused(m, p, pool);
	return budget > others ? budget - others : 0;
}

int32_t dxg_res_reserve(struct dxg_mem *m, struct dxg_obj *p,
			enum dxg_res_pool pool, uint64_t old, uint64_t new)
{
	uint64_t r = p->u.process.res_reserved[pool] - old + new;

	if (new > old && r > dxg_res_available(m, p, pool))
		return STATUS_NO_MEMORY;
	account(m, p, pool, p->u.process.res_used[pool], r);
	return STATUS_SUCCESS;
}

/* ---- discarding ---- */

static bool discardable(const struct dxg_obj *a, unsigned int kinds)
{
	/*
	 * Shared memory (an NT shared resource's) is never discarded: other
	 * processes' work may use it.  Nor is memory whose device address
	 * was handed out, nor device memory that work which timed out may
	 * still use.
	 */
	return a->u.allocation.offer_priority && !a->u.allocation.discarded &&
	       !a->u.allocation.no_discard && !a->u.allocation.share &&
	       !a->u.allocation.sys && !a->u.allocation.dev_busy &&
	       a->u.allocation.size && (kinds & (1u << pool_of(a)));
}

/*
 * Give the memory back.  IO space: a shared memfd mapping drops the pages
 * from the file (every mapping of the range reads zeros after); memory
 * that is not a shared file mapping (unit tests) is zeroed instead, so
 * the contents are gone either way.  Device memory: freed, its memory
 * object kept (dxg_mem_dev_discard).  false: it could not go.
 */
static bool discard(struct dxg_mem *m, struct dxg_obj *a)
{
	uint8_t *p;

	if (a->u.allocation.dev) {
		if (!dxg_mem_dev_discard(m, a))
			return false;
	} else {
		p = m->shm + a->u.allocation.io_offset;
		/* Engines may hold imports of the old pages: they let go first. */
		dxg_exec_forget(m, a);
		if (madvise(p, a->u.allocation.size, MADV_REMOVE))
			memset(p, 0, a->u.allocation.size);
		m->discarded += a->u.allocation.size;
	}
	use(m, a, false);
	a->u.allocation.discarded = true;
	m->discarded_total += a->u.allocation.size;
	return true;
}

/* Reclaim order: what goes first sorts first. */
static int victim_cmp(const void *x, const void *y)
{
	const struct dxg_obj *a = *(const struct dxg_obj *const *)x;
	const struct dxg_obj *b = *(const struct dxg_obj *const *)y;

	if (a->u.allocation.offer_priority != b->u.allocation.offer_priority)
		return a->u.allocation.offer_priority <
		       b->u.allocation.offer_priority ? -1 : 1;
	if (a->u.allocation.priority != b->u.allocation.priority)
		return a->u.allocation.priority < b->u.allocation.priority ?
		       -1 : 1;
	/* Offered longest first (sequence numbers are unique). */
	return a->u.allocation.offer_seq < b->u.allocation.offer_seq ? -1 :
	       a->u.allocation.offer_seq > b->u.allocation.offer_seq;
}

/* When to stop discarding: enough(m, arg, bytes discarded so far). */
typedef bool (*enough_fn)(const struct dxg_mem *m, const void *arg,
			  uint64_t done);

static uint64_t trim(struct dxg_mem *m, const struct dxg_obj *process,
		     unsigned int kinds, enough_fn enough, const void *arg)
{
	struct dxg_obj *a, **v;
	uint64_t done = 0;
	size_t n = 0, i;

	for (a = m->offered; a; a = a->u.allocation.offer_next)
		n += discardable(a, kinds) && (!process || a->process == process);
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return 0;
	i = 0;
	for (a = m->offered; a; a = a->u.allocation.offer_next)
		if (discardable(a, kinds) && (!process || a->process == process))
			v[i++] = a;
	qsort(v, n, sizeof(*v), victim_cmp);
	for (i = 0; i < n && !enough(m, arg, done); i++)
		if (discard(m, v[i]))
			done += v[i]->u.allocation.size;
	free(v);
	return done;
}

static bool enough_bytes(const struct dxg_mem *m, const void *arg,
			 uint64_t done)
{
	uint64_t bytes = *(const uint64_t *)arg;

	(void)m;
	return bytes && done >= bytes;
}

uint64_t dxg_res_trim(struct dxg_mem *m, const struct dxg_obj *process,
		      unsigned int kinds, uint64_t bytes)
{
	return trim(m, process, kinds, enough_bytes, &bytes);
}

struct room {
	const struct dxg_obj *process;
	enum dxg_res_pool pool;
	uint64_t bytes;
	bool reclaim;	/* committed again in place: no address space taken */
};

/*
 * Does @bytes more fit?  The limit is the budget minus the other
 * processes' unused reservations (recomputed each time: discarding a
 * reserving process's allocation gives it unused reservation back).
 */
static bool fits(const struct dxg_mem *m, const void *arg, uint64_t done)
{
	const struct room *r = arg;
	uint64_t budget = dxg_res_pool_budget(m, r->pool);
	uint64_t h = r->reclaim ? dxg_res_pool_committed(m, r->pool) :
			       held(m, r->pool);
	uint64_t rsv = others_unused(m, r->process, r->pool);

	(void)done;
	return rsv <= budget && r->bytes <= budget - rsv &&
	       h <= budget - rsv - r->bytes;
}

/* Room for r->bytes, offered memory of the pool discarded if need be. */
static int32_t commit(struct dxg_mem *m, const struct room *r)
{
	if (fits(m, r, 0))
		return STATUS_SUCCESS;
	if (r->bytes > dxg_res_pool_budget(m, r->pool))
		return STATUS_NO_MEMORY;
	trim(m, NULL, 1u << r->pool, fits, r);
	return fits(m, r, 0) ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}

int32_t dxg_res_commit(struct dxg_mem *m, const struct dxg_obj *process,
		       enum dxg_res_pool pool, uint64_t bytes)
{
	const struct room r = { process, pool, bytes, false };

	return commit(m, &r);
}

/* ---- offer and reclaim ---- */

void dxg_res_init_alloc(struct dxg_obj *a)
{
	a->u.allocation.priority = D3DDDI_ALLOCATIONPRIORITY_NORMAL;
	a->u.allocation.offer_priority = 0;
	a->u.allocation.discarded = false;
	a->u.allocation.offer_prev = NULL;
	a->u.allocation.offer_next = NULL;
}

void dxg_res_offer(struct dxg_mem *m, struct dxg_obj *a, uint32_t priority)
{
	a->u.allocation.offer_priority = priority;
	a->u.allocation.offer_seq = ++m->offer_seq;
	a->u.allocation.offer_prev = NULL;
	a->u.allocation.offer_next = m->offered;
	if (m->offered)
		m->offered->u.allocation.offer_prev = a;
	m->offered = a;
}

static void unlink_offer(struct dxg_mem *m, struct dxg_obj *a)
{
	struct dxg_obj *p = a->u.allocation.offer_prev;
	struct dxg_obj *n = a->u.allocation.offer_next;

	if (p)
		p->u.allocation.offer_next = n;
	else
		m->offered = n;
	if (n)
		n->u.allocation.offer_prev = p;
	a->u.allocation.offer_prev = NULL;
	a->u.allocation.offer_next = NULL;
	a->u.allocation.offer_priority = 0;
}

/* A discarded allocation gets memory again: an NTSTATUS. */
static int32_t recommit(struct dxg_mem *m, struct dxg_obj *a)
{
	const struct room r = {
		a->process, pool_of(a), a->u.allocation.size, true,
	};
	int32_t st = commit(m, &r);

	if (st >= 0 && a->u.allocation.dev)
		st = dxg_mem_dev_renew(m, a);	/* fresh, zeroed */
	else if (st >= 0)
		m->discarded -= a->u.allocation.size;	/* the holes read zero */
	if (st < 0)
		return st;
	a->u.allocation.discarded = false;
	use(m, a, true);
	return STATUS_SUCCESS;
}

uint32_t dxg_res_reclaim(struct dxg_mem *m, struct dxg_obj *a)
{
	uint32_t prio = a->u.allocation.offer_priority;

	if (!a->u.allocation.discarded) {
		unlink_offer(m, a);
		return D3DDDI_RECLAIM_RESULT_OK;
	}
	/* Off the list first so that it is no victim of itself. */
	unlink_offer(m, a);
	if (recommit(m, a) < 0) {
		/* It stays offered and discarded; a later reclaim may do. */
		dxg_res_offer(m, a, prio);
		return D3DDDI_RECLAIM_RESULT_NOT_COMMITTED;
	}
	return D3DDDI_RECLAIM_RESULT_DISCARDED;
}

uint32_t dxg_res_status(const struct dxg_obj *a)
{
	if (a->u.allocation.discarded ||
	    (a->u.allocation.dev && !dxg_mem_dev_backed(a)))
		return D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT;
	return a->u.allocation.dev ?
	       D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINGPUMEMORY :
	       D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY;
}

void dxg_res_release(struct dxg_mem *m, struct dxg_obj *a)
{
	/* Device memory's use is dev_used, which release_device settles. */
	if (a->u.allocation.discarded && !a->u.allocation.dev)
		m->discarded -= a->u.allocation.size;
	if (!a->u.allocation.discarded)
		use(m, a, false);
	a->u.allocation.discarded = false;
	a->u.allocation.charged = false;
	if (a->u.allocation.offer_priority)
		unlink_offer(m, a);
}
