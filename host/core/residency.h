/* SPDX-License-Identifier: MIT */
/*
 * Offer, reclaim and residency of allocations (docs/memory.md §10).
 *
 * An offered allocation's contents may be discarded by the host.  An
 * IO-space allocation's pages are given back to the host kernel (the memfd
 * range is punched out: every mapping, the guest's included, reads zeros
 * after) while the range itself stays the allocation's, so CPU and GPU VA
 * mappings stay valid.  A device-local allocation's device memory goes back
 * to the device (its memory object stays, so its GPU VA mappings stay
 * valid; commands naming it fault until it is reclaimed, which gives it
 * fresh zeroed memory).
 *
 * Two pools, each with a budget of committed bytes: the IO space
 * (--io-budget; committed = allocated minus discarded) and device memory
 * (--device-memory; committed = the device memory that exists).  An
 * allocation that would exceed its pool's limit first discards offered
 * allocations of that pool, lowest offer priority first, then lowest
 * allocation priority, then the least recently offered.  In the IO space
 * a discarded allocation keeps its range: a new allocation also needs the
 * address space, which the room counts (a reclaim, in place, does not).
 *
 * Reservations (CHANGEVIDEOMEMORYRESERVATION): a process's reservation in
 * a pool guarantees it that much.  The limit for process P's allocations
 * is the budget minus the other processes' unused reservations (reserved
 * minus committed, when positive), and a reservation may not exceed what
 * is available to P: budget - (committed - P's committed) - others'
 * unused reservations.  So committed + every unused reservation never
 * exceeds the budget.
 */
#ifndef DXGHOST_RESIDENCY_H
#define DXGHOST_RESIDENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/memory.h"

enum dxg_res_pool {
	DXG_RES_IO = 0,		/* the IO space */
	DXG_RES_DEV = 1,	/* device-local memory (docs/memory.md §8) */
};

/* Kinds of allocation dxg_res_trim() discards. */
#define DXG_RES_TRIM_IO		(1u << DXG_RES_IO)
#define DXG_RES_TRIM_DEV	(1u << DXG_RES_DEV)
#define DXG_RES_TRIM_ALL	(DXG_RES_TRIM_IO | DXG_RES_TRIM_DEV)

/* The IO-space budget: io_budget, or the whole IO space. */
uint64_t dxg_res_budget(const struct dxg_mem *m);
/* IO-space bytes committed: allocated and not discarded. */
uint64_t dxg_res_committed(const struct dxg_mem *m);
/* The same for either pool (device memory: the quota and dev_used). */
uint64_t dxg_res_pool_budget(const struct dxg_mem *m, enum dxg_res_pool pool);
uint64_t dxg_res_pool_committed(const struct dxg_mem *m, enum dxg_res_pool pool);

/*
 * Make room for @bytes more committed bytes of @pool for @process (NULL:
 * no process, only the budget counts), discarding offered allocations of
 * the pool if need be: STATUS_SUCCESS or STATUS_NO_MEMORY (the limit
 * cannot take it even with every offered allocation of the pool gone).
 */
int32_t dxg_res_commit(struct dxg_mem *m, const struct dxg_obj *process,
		       enum dxg_res_pool pool, uint64_t bytes);

/*
 * Discard offered allocations of the kinds in @kinds (DXG_RES_TRIM_*) of
 * @process only (unless NULL) in reclaim order until at least @bytes were
 * discarded (0: all of them).  Returns the bytes discarded.
 */
uint64_t dxg_res_trim(struct dxg_mem *m, const struct dxg_obj *process,
		      unsigned int kinds, uint64_t bytes);

/*
 * Per-process accounting: @a (IO space or device memory, its own, not an
 * alias) now holds committed memory of its process; process @p is going.
 */
void dxg_res_charge(struct dxg_mem *m, struct dxg_obj *a);
void dxg_res_process_gone(struct dxg_mem *m, struct dxg_obj *p);

/* What process @p may reserve in @pool now (see above). */
uint64_t dxg_res_available(const struct dxg_mem *m, const struct dxg_obj *p,
			   enum dxg_res_pool pool);
/*
 * Process @p's reservations in @pool change by @old -> @new bytes: the
 * new sum may not exceed dxg_res_available (STATUS_NO_MEMORY).
 */
int32_t dxg_res_reserve(struct dxg_mem *m, struct dxg_obj *p,
			enum dxg_res_pool pool, uint64_t old, uint64_t new);

/* A new allocation's residency state (NORMAL priority, not offered). */
void dxg_res_init_alloc(struct dxg_obj *a);
/* Offer @a (not offered yet) with @priority (D3DKMT_OFFER_PRIORITY_*). */
void dxg_res_offer(struct dxg_mem *m, struct dxg_obj *a, uint32_t priority);
/*
 * Reclaim @a (offered): D3DDDI_RECLAIM_RESULT_OK (contents kept),
 * _DISCARDED (zeroed, committed again) or _NOT_COMMITTED (discarded and
 * the limit cannot take it back, or the device has no memory for it: it
 * stays offered).
 */
uint32_t dxg_res_reclaim(struct dxg_mem *m, struct dxg_obj *a);
/* D3DKMT_ALLOCATIONRESIDENCYSTATUS_* of @a. */
uint32_t dxg_res_status(const struct dxg_obj *a);

/* The release hook's part: @a leaves the offered list and the counts. */
void dxg_res_release(struct dxg_mem *m, struct dxg_obj *a);

#endif /* DXGHOST_RESIDENCY_H */
