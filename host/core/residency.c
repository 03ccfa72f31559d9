// SPDX-License-Identifier: MIT
/*
 * Offer, reclaim and residency of allocations: the model is in
 * core/residency.h and docs/memory.md §10.
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

static bool discardable(const struct dxg_obj *a)
{
	return a->u.allocation.offer_priority && !a->u.allocation.discarded &&
	       !a->u.allocation.dev && !a->u.allocation.sys &&
	       !a->u.allocation.no_discard &&
	       a->u.allocation.size;
}

/*
 * Give the pages back: a shared memfd mapping drops them from the file
 * (every mapping of the range reads zeros after).  Memory that is not a
 * shared file mapping (unit tests) is zeroed instead, so the contents are
 * gone either way.
 */
static void discard(struct dxg_mem *m, struct dxg_obj *a)
{
	uint8_t *p = m->shm + a->u.allocation.io_offset;

	/* Engines may hold imports of the old pages: they let go first. */
	dxg_exec_forget(m, a);
	if (madvise(p, a->u.allocation.size, MADV_REMOVE))
		memset(p, 0, a->u.allocation.size);
	a->u.allocation.discarded = true;
	m->discarded += a->u.allocation.size;
	m->discarded_total += a->u.allocation.size;
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

uint64_t dxg_res_trim(struct dxg_mem *m, const struct dxg_obj *process,
		      uint64_t bytes)
{
	struct dxg_obj *a, **v;
	uint64_t done = 0;
	size_t n = 0, i;

	for (a = m->offered; a; a = a->u.allocation.offer_next)
		n += discardable(a) && (!process || a->process == process);
	if (!n)
		return 0;
	v = malloc(n * sizeof(*v));
	if (!v)
		return 0;
	i = 0;
	for (a = m->offered; a; a = a->u.allocation.offer_next)
		if (discardable(a) && (!process || a->process == process))
			v[i++] = a;
	qsort(v, n, sizeof(*v), victim_cmp);
	for (i = 0; i < n && (!bytes || done < bytes); i++) {
		discard(m, v[i]);
		done += v[i]->u.allocation.size;
	}
	free(v);
	return done;
}

int32_t dxg_res_commit(struct dxg_mem *m, uint64_t bytes)
{
	uint64_t budget = dxg_res_budget(m), used = dxg_res_committed(m);

	if (bytes <= budget && used <= budget - bytes)
		return STATUS_SUCCESS;
	if (bytes > budget)
		return STATUS_NO_MEMORY;
	dxg_res_trim(m, NULL, used - (budget - bytes));
	used = dxg_res_committed(m);
	return used <= budget - bytes ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}

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

uint32_t dxg_res_reclaim(struct dxg_mem *m, struct dxg_obj *a)
{
	uint32_t prio = a->u.allocation.offer_priority;

	if (!a->u.allocation.discarded) {
		unlink_offer(m, a);
		return D3DDDI_RECLAIM_RESULT_OK;
	}
	/* Commit it again; take it off the list first so it is no victim. */
	m->discarded -= a->u.allocation.size;
	a->u.allocation.discarded = false;
	unlink_offer(m, a);
	if (dxg_res_budget(m) < dxg_res_committed(m) &&
	    dxg_res_commit(m, 0) < 0) {
		/* Still over the budget: it stays offered and discarded. */
		a->u.allocation.discarded = true;
		m->discarded += a->u.allocation.size;
		dxg_res_offer(m, a, prio);
		return D3DDDI_RECLAIM_RESULT_NOT_COMMITTED;
	}
	/* The punched pages read zero already; memory that was zeroed too. */
	return D3DDDI_RECLAIM_RESULT_DISCARDED;
}

uint32_t dxg_res_status(const struct dxg_obj *a)
{
	if (a->u.allocation.discarded)
		return D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT;
	return a->u.allocation.dev ?
	       D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINGPUMEMORY :
	       D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY;
}

void dxg_res_release(struct dxg_mem *m, struct dxg_obj *a)
{
	if (a->u.allocation.discarded)
		m->discarded -= a->u.allocation.size;
	a->u.allocation.discarded = false;
	if (a->u.allocation.offer_priority)
		unlink_offer(m, a);
}
