// SPDX-License-Identifier: MIT
/* GPADLs over ivshmem; see gpadl.h. */
#include "core/gpadl.h"

#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"

#define UNNAMED	UINT64_MAX

void dxg_gpadls_init(struct dxg_gpadls *t)
{
	t->head = NULL;
	t->count = 0;
	t->pages = 0;
}

void dxg_gpadls_fini(struct dxg_gpadls *t)
{
	while (t->head) {
		struct dxg_gpadl *g = t->head;

		t->head = g->next;
		free(g);
	}
	dxg_gpadls_init(t);
}

static struct dxg_gpadl **find(struct dxg_gpadls *t, uint32_t handle)
{
	struct dxg_gpadl **pp = &t->head;

	while (*pp && (*pp)->handle != handle)
		pp = &(*pp)->next;
	return pp;
}

static int32_t create(struct dxg_gpadls *t, uint32_t handle, uint32_t total,
		      struct dxg_gpadl **out)
{
	struct dxg_gpadl *g;

	if (!total)
		return STATUS_INVALID_PARAMETER;
	if (t->count >= DXG_GPADL_MAX || total > DXG_GPADL_MAX_PAGES - t->pages)
		return STATUS_NO_MEMORY;
	g = malloc(sizeof(*g) + (size_t)total * sizeof(g->pfns[0]));
	if (!g)
		return STATUS_NO_MEMORY;
	g->handle = handle;
	g->pages = total;
	g->named = 0;
	for (uint32_t i = 0; i < total; i++)
		g->pfns[i] = UNNAMED;
	*out = g;
	return STATUS_SUCCESS;
}

int32_t dxg_gpadl_name(struct dxg_gpadls *t, const struct dxg_guest_ram *r,
		       uint32_t handle, uint32_t total, uint32_t first,
		       uint32_t count, const void *pfns)
{
	const uint8_t *in = pfns;
	struct dxg_gpadl *g = *find(t, handle), *fresh = NULL;
	uint64_t off;
	int32_t st;

	if (!r->verified)
		return STATUS_NOT_SUPPORTED;
	if (!handle || !count)
		return STATUS_INVALID_PARAMETER;
	/* The first message makes it; the others continue one that exists. */
	if ((first == 0) == (g != NULL))
		return STATUS_INVALID_PARAMETER;
	if (!g) {
		st = create(t, handle, total, &fresh);
		if (st != STATUS_SUCCESS)
			return st;
		g = fresh;
	}
	if (total != g->pages || first >= g->pages || count > g->pages - first)
		goto invalid;
	/* Check everything first: a refused message changes nothing. */
	for (uint32_t i = 0; i < count; i++) {
		uint64_t pfn;

		memcpy(&pfn, in + (uint64_t)i * sizeof(pfn), sizeof(pfn));
		if (g->pfns[first + i] != UNNAMED ||
		    pfn > UINT64_MAX / DXG_GUEST_RAM_PAGE ||
		    dxg_guest_ram_offset(r, pfn * DXG_GUEST_RAM_PAGE, &off) < 0)
			goto invalid;
	}
	memcpy(&g->pfns[first], in, (size_t)count * sizeof(uint64_t));
	g->named += count;
	if (fresh) {
		fresh->next = t->head;
		t->head = fresh;
		t->count++;
		t->pages += fresh->pages;
	}
	return STATUS_SUCCESS;
invalid:
	free(fresh);
	return STATUS_INVALID_PARAMETER;
}

int32_t dxg_gpadl_teardown(struct dxg_gpadls *t, uint32_t handle)
{
	struct dxg_gpadl **pp = find(t, handle), *g = *pp;

	if (!handle || !g)
		return STATUS_INVALID_PARAMETER;
	*pp = g->next;
	t->count--;
	t->pages -= g->pages;
	free(g);
	return STATUS_SUCCESS;
}

const struct dxg_gpadl *dxg_gpadl_complete(const struct dxg_gpadls *t,
					   uint32_t handle)
{
	const struct dxg_gpadl *g = t->head;

	while (g && g->handle != handle)
		g = g->next;
	return g && g->named == g->pages ? g : NULL;
}
