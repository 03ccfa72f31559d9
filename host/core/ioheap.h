/* SPDX-License-Identifier: MIT */
/*
 * The IO-space heap of one VM: a first-fit allocator over the pages of
 * BAR2 from io_space_offset to the end (docs/memory.md).  Offsets are
 * absolute offsets in BAR2 (what the protocol calls IO-space addresses);
 * sizes are rounded up to whole pages.  The heap is the VM's quota: when it
 * is exhausted allocation fails at once with STATUS_NO_MEMORY.
 *
 * The free list is kept sorted by offset and coalesced, so it never holds
 * more extents than there are live allocations plus one.
 */
#ifndef DXGHOST_IOHEAP_H
#define DXGHOST_IOHEAP_H

#include <stdint.h>

#define DXG_IOHEAP_PAGE		4096u

struct dxg_ioheap_extent {
	uint64_t offset;
	uint64_t size;
	struct dxg_ioheap_extent *next;
};

struct dxg_ioheap {
	uint64_t base;			/* first byte (page-aligned) */
	uint64_t size;			/* bytes (page multiple) */
	uint64_t used;			/* bytes allocated */
	uint32_t allocations;		/* live allocations */
	struct dxg_ioheap_extent *free;	/* sorted by offset, coalesced */
};

/* base and size must be page multiples; returns 0 or -EINVAL / -ENOMEM. */
int dxg_ioheap_init(struct dxg_ioheap *h, uint64_t base, uint64_t size);
void dxg_ioheap_fini(struct dxg_ioheap *h);

/* Bytes rounded up to pages; 0 when bytes is 0 or rounding overflows. */
uint64_t dxg_ioheap_round(uint64_t bytes);

/*
 * Allocate dxg_ioheap_round(bytes) bytes (first fit).  Returns
 * STATUS_SUCCESS, STATUS_INVALID_PARAMETER (0 bytes, overflow) or
 * STATUS_NO_MEMORY (no free range large enough).
 */
int32_t dxg_ioheap_alloc(struct dxg_ioheap *h, uint64_t bytes, uint64_t *offset);

/*
 * Free what dxg_ioheap_alloc() returned (same offset and bytes).  A range
 * that is outside the heap, misaligned or (partly) free already is refused
 * with STATUS_INVALID_PARAMETER and nothing changes.
 */
int32_t dxg_ioheap_free(struct dxg_ioheap *h, uint64_t offset, uint64_t bytes);

#endif /* DXGHOST_IOHEAP_H */
