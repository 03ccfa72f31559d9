/* SPDX-License-Identifier: MIT */
/*
 * Offer, reclaim and residency of allocations (docs/memory.md §10).
 *
 * An offered allocation's contents may be discarded by the host: its
 * IO-space pages are given back to the host kernel (the memfd range is
 * punched out: every mapping, the guest's included, reads zeros after)
 * while the range itself stays the allocation's, so CPU and GPU VA
 * mappings stay valid.  The VM's IO-space budget counts committed bytes
 * (allocated minus discarded); an allocation that would exceed it first
 * discards offered allocations, lowest offer priority first, then lowest
 * allocation priority, then the least recently offered.  Device-local
 * allocations can be offered and reclaimed but are never discarded.
 */
#ifndef DXGHOST_RESIDENCY_H
#define DXGHOST_RESIDENCY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/memory.h"

/* The IO-space budget: io_budget, or the whole IO space. */
uint64_t dxg_res_budget(const struct dxg_mem *m);
/* IO-space bytes committed: allocated and not discarded. */
uint64_t dxg_res_committed(const struct dxg_mem *m);

/*
 * Make room for @bytes more committed IO space, discarding offered
 * allocations if the budget needs it: STATUS_SUCCESS or STATUS_NO_MEMORY
 * (the budget cannot take it even with every offered allocation gone).
 */
int32_t dxg_res_commit(struct dxg_mem *m, uint64_t bytes);

/*
 * Discard offered IO-space allocations (of @process only, unless NULL) in
 * reclaim order until at least @bytes were discarded (0: all of them).
 * Returns the bytes discarded.
 */
uint64_t dxg_res_trim(struct dxg_mem *m, const struct dxg_obj *process,
		      uint64_t bytes);

/* A new allocation's residency state (NORMAL priority, not offered). */
void dxg_res_init_alloc(struct dxg_obj *a);
/* Offer @a (not offered yet) with @priority (D3DKMT_OFFER_PRIORITY_*). */
void dxg_res_offer(struct dxg_mem *m, struct dxg_obj *a, uint32_t priority);
/*
 * Reclaim @a (offered): D3DDDI_RECLAIM_RESULT_OK (contents kept),
 * _DISCARDED (zeroed, committed again) or _NOT_COMMITTED (discarded and
 * the budget cannot take it back: it stays offered).
 */
uint32_t dxg_res_reclaim(struct dxg_mem *m, struct dxg_obj *a);
/* D3DKMT_ALLOCATIONRESIDENCYSTATUS_* of @a. */
uint32_t dxg_res_status(const struct dxg_obj *a);

/* The release hook's part: @a leaves the offered list and the counts. */
void dxg_res_release(struct dxg_mem *m, struct dxg_obj *a);

#endif /* DXGHOST_RESIDENCY_H */
