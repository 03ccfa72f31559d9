/* SPDX-License-Identifier: MIT */
/*
 * Existing-sysmem allocations (docs/memory.md §11): allocations whose
 * memory is pinned guest RAM, reached in place.  The host reserves one
 * address range per allocation and, as SETEXISTINGSYSMEMPAGES names the
 * guest's page frames, maps each run of them there from the guest-RAM
 * file, so the allocation is one contiguous range for the engines like an
 * IO-space one.  Pages are named once; the allocation is usable (mapped
 * into GPU VA spaces, used by commands) only when every page is named.
 *
 * Each run is a mapping of the daemon's; a VM may have at most
 * DXG_SYSMEM_MAX_RUNS of them (allocations count one each), which keeps
 * the process far below the kernel's map count limit.
 */
#ifndef DXGHOST_SYSMEM_H
#define DXGHOST_SYSMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/guest_ram.h"

#define DXG_SYSMEM_MAX_RUNS	16384u

struct dxg_sysmem {
	uint8_t *map;		/* the reserved range, size bytes */
	uint64_t size;
	uint64_t pages, named;	/* pages in all, pages named so far */
	uint32_t runs;		/* counted against the VM's budget */
	uint8_t *named_bits;	/* one bit per page */
};

/*
 * A new allocation of @size bytes (page multiple) over guest RAM @r, its
 * pages not named yet.  *runs is the VM's count (checked and updated).
 * Returns STATUS_SUCCESS, STATUS_NOT_SUPPORTED (no verified guest RAM) or
 * STATUS_NO_MEMORY.
 */
int32_t dxg_sysmem_create(const struct dxg_guest_ram *r, uint64_t size,
			  uint32_t *runs, struct dxg_sysmem **out);
/*
 * Names pages [@first, @first + @count) by the guest page frame numbers at
 * @pfns (@count unaligned u64s): each must be guest RAM and not named
 * before.  On failure nothing changes.  An NTSTATUS.
 */
int32_t dxg_sysmem_set_pages(struct dxg_sysmem *s, const struct dxg_guest_ram *r,
			     uint64_t first, uint32_t count, const void *pfns,
			     uint32_t *runs);
static inline bool dxg_sysmem_ready(const struct dxg_sysmem *s)
{
	return s && s->named == s->pages;
}
/* Unmaps and frees; gives its runs back to *runs. */
void dxg_sysmem_destroy(struct dxg_sysmem *s, uint32_t *runs);

#endif /* DXGHOST_SYSMEM_H */
