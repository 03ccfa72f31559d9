// SPDX-License-Identifier: MIT
/*
 * Existing-sysmem allocations over guest RAM (sysmem.h).
 */
#include "core/sysmem.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "dxg/ntstatus.h"

#define PAGE	DXG_GUEST_RAM_PAGE

int32_t dxg_sysmem_create(const struct dxg_guest_ram *r, uint64_t size,
			  uint32_t *runs, struct dxg_sysmem **out)
{
	struct dxg_sysmem *s;
	void *p;

	*out = NULL;
	if (!r->verified)
		return STATUS_NOT_SUPPORTED;
	if (!size || size % PAGE || size > r->size)
		return STATUS_INVALID_PARAMETER;
	if (*runs >= DXG_SYSMEM_MAX_RUNS)
		return STATUS_NO_MEMORY;
	s = calloc(1, sizeof(*s));
	if (!s)
		return STATUS_NO_MEMORY;
	s->size = size;
	s->pages = size / PAGE;
	s->named_bits = calloc((size_t)(s->pages + 7) / 8, 1);
	/* Never touched until its pages are mapped over it. */
	p = mmap(NULL, (size_t)size, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!s->named_bits || p == MAP_FAILED) {
		free(s->named_bits);
		free(s);
		return STATUS_NO_MEMORY;
	}
	s->map = p;
	s->runs = 1;
	*runs += 1;
	*out = s;
	return STATUS_SUCCESS;
}

static bool named(const struct dxg_sysmem *s, uint64_t page)
{
	return s->named_bits[page / 8] & (1u << (page % 8));
}

int32_t dxg_sysmem_set_pages(struct dxg_sysmem *s, const struct dxg_guest_ram *r,
			     uint64_t first, uint32_t count, const void *pfns,
			     uint32_t *runs)
{
	const uint8_t *in = pfns;
	uint64_t *off;
	uint32_t new_runs = 0;

	if (!count || first >= s->pages || count > s->pages - first)
		return STATUS_INVALID_PARAMETER;
	off = malloc((size_t)count * sizeof(*off));
	if (!off)
		return STATUS_NO_MEMORY;
	/* Check everything first: a refused message changes nothing. */
	for (uint32_t i = 0; i < count; i++) {
		uint64_t pfn;

		memcpy(&pfn, in + (uint64_t)i * sizeof(pfn), sizeof(pfn));
		if (named(s, first + i) || pfn > UINT64_MAX / PAGE ||
		    dxg_guest_ram_offset(r, pfn * PAGE, &off[i]) < 0)
			goto invalid;
		if (!i || off[i] != off[i - 1] + PAGE)
			new_runs++;
	}
	if (new_runs > DXG_SYSMEM_MAX_RUNS - *runs) {
		free(off);
		return STATUS_NO_MEMORY;
	}
	for (uint32_t i = 0; i < count;) {
		uint32_t n = 1;
		void *p;

		while (i + n < count && off[i + n] == off[i] + (uint64_t)n * PAGE)
			n++;
		p = mmap(s->map + (first + i) * PAGE, (size_t)n * PAGE,
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, r->fd,
			 (off_t)off[i]);
		if (p == MAP_FAILED) {
			/* Back to unnamed: nothing of the range stays mapped. */
			mmap(s->map + first * PAGE, (size_t)count * PAGE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
			     -1, 0);
			free(off);
			return STATUS_NO_MEMORY;
		}
		i += n;
	}
	for (uint32_t i = 0; i < count; i++)
		s->named_bits[(first + i) / 8] |= (uint8_t)(1u << ((first + i) % 8));
	s->named += count;
	s->runs += new_runs;
	*runs += new_runs;
	free(off);
	return STATUS_SUCCESS;
invalid:
	free(off);
	return STATUS_INVALID_PARAMETER;
}

void dxg_sysmem_destroy(struct dxg_sysmem *s, uint32_t *runs)
{
	if (!s)
		return;
	munmap(s->map, (size_t)s->size);
	*runs -= s->runs;
	free(s->named_bits);
	free(s);
}
