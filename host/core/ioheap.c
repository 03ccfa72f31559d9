// SPDX-License-Identifier: MIT
#include "core/ioheap.h"

#include <errno.h>
#include <stdlib.h>

#include "dxg/ntstatus.h"

int dxg_ioheap_init(struct dxg_ioheap *h, uint64_t base, uint64_t size)
{
	h->base = base;
	h->size = size;
	h->used = 0;
	h->allocations = 0;
	h->free = NULL;
	if ((base | size) % DXG_IOHEAP_PAGE || base + size < base)
		return -EINVAL;
	if (!size)
		return 0;
	h->free = calloc(1, sizeof(*h->free));
	if (!h->free)
		return -ENOMEM;
	h->free->offset = base;
	h->free->size = size;
	return 0;
}

void dxg_ioheap_fini(struct dxg_ioheap *h)
{
	while (h->free) {
		struct dxg_ioheap_extent *e = h->free;

		h->free = e->next;
		free(e);
	}
	h->used = 0;
	h->allocations = 0;
}

uint64_t dxg_ioheap_round(uint64_t bytes)
{
	if (!bytes || bytes > UINT64_MAX - (DXG_IOHEAP_PAGE - 1))
		return 0;
	return (bytes + DXG_IOHEAP_PAGE - 1) & ~(uint64_t)(DXG_IOHEAP_PAGE - 1);
}

int32_t dxg_ioheap_alloc(struct dxg_ioheap *h, uint64_t bytes, uint64_t *offset)
{
	uint64_t size = dxg_ioheap_round(bytes);
	struct dxg_ioheap_extent **pp, *e;

	*offset = 0;
	if (!size)
		return STATUS_INVALID_PARAMETER;
	if (size > h->size - h->used)
		return STATUS_NO_MEMORY;
	for (pp = &h->free; (e = *pp); pp = &e->next) {
		if (e->size < size)
			continue;
		*offset = e->offset;
		e->offset += size;
		e->size -= size;
		if (!e->size) {
			*pp = e->next;
			free(e);
		}
		h->used += size;
		h->allocations++;
		return STATUS_SUCCESS;
	}
	return STATUS_NO_MEMORY;
}

int32_t dxg_ioheap_free(struct dxg_ioheap *h, uint64_t offset, uint64_t bytes)
{
	uint64_t size = dxg_ioheap_round(bytes);
	struct dxg_ioheap_extent *prev = NULL, *next = h->free, *e;
	uint64_t end;

	if (!size || offset % DXG_IOHEAP_PAGE || offset < h->base ||
	    offset - h->base > h->size || size > h->size - (offset - h->base) ||
	    size > h->used)
		return STATUS_INVALID_PARAMETER;
	end = offset + size;
	while (next && next->offset < offset) {
		prev = next;
		next = next->next;
	}
	/* The range must not overlap a free extent on either side. */
	if ((prev && prev->offset + prev->size > offset) ||
	    (next && next->offset < end))
		return STATUS_INVALID_PARAMETER;
	if (prev && prev->offset + prev->size == offset) {
		prev->size += size;
		if (next && next->offset == end) {
			prev->size += next->size;
			prev->next = next->next;
			free(next);
		}
	} else if (next && next->offset == end) {
		next->offset = offset;
		next->size += size;
	} else {
		e = malloc(sizeof(*e));
		if (!e)
			return STATUS_NO_MEMORY;
		e->offset = offset;
		e->size = size;
		e->next = next;
		if (prev)
			prev->next = e;
		else
			h->free = e;
	}
	h->used -= size;
	h->allocations--;
	return STATUS_SUCCESS;
}
