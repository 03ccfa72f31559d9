// SPDX-License-Identifier: MIT
#include "core/handles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dxg/handle.h"

#define DXG_HT_INITIAL	64u

int dxg_ht_init(struct dxg_handle_table *t, uint32_t max_live)
{
	memset(t, 0, sizeof(*t));
	if (max_live == 0 || max_live > DXG_HANDLE_MAX_INDEX)
		return -EINVAL;
	t->max_live = max_live;
	t->free_head = t->free_tail = DXG_HT_NONE;
	return 0;
}

void dxg_ht_destroy(struct dxg_handle_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static void free_list_push(struct dxg_handle_table *t, uint32_t idx)
{
	t->slots[idx].next_free = DXG_HT_NONE;
	if (t->free_tail == DXG_HT_NONE)
		t->free_head = idx;
	else
		t->slots[t->free_tail].next_free = idx;
	t->free_tail = idx;
	t->nfree++;
}

static uint32_t free_list_pop(struct dxg_handle_table *t)
{
	uint32_t idx = t->free_head;

	t->free_head = t->slots[idx].next_free;
	if (t->free_head == DXG_HT_NONE)
		t->free_tail = DXG_HT_NONE;
	t->nfree--;
	return idx;
}

/* Largest capacity: every index 1..max_live+reserve, capped by the encoding. */
static uint32_t capacity_limit(const struct dxg_handle_table *t)
{
	uint64_t lim = (uint64_t)t->max_live + DXG_HT_REUSE_RESERVE + 1;

	return lim > (uint64_t)DXG_HANDLE_MAX_INDEX + 1 ?
	       DXG_HANDLE_MAX_INDEX + 1 : (uint32_t)lim;
}

static int grow(struct dxg_handle_table *t)
{
	uint32_t limit = capacity_limit(t);
	uint32_t ncap = t->capacity ? t->capacity * 2 : DXG_HT_INITIAL;
	struct dxg_ht_slot *s;

	if (t->capacity >= limit)
		return -ENOSPC;
	if (ncap > limit || ncap < t->capacity)
		ncap = limit;
	s = realloc(t->slots, (size_t)ncap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + t->capacity, 0, (size_t)(ncap - t->capacity) * sizeof(*s));
	t->slots = s;
	for (uint32_t i = t->capacity ? t->capacity : 1; i < ncap; i++)
		free_list_push(t, i);
	t->capacity = ncap;
	return 0;
}

int dxg_ht_alloc(struct dxg_handle_table *t, uint8_t type, void *obj,
		 uint32_t *handle)
{
	struct dxg_ht_slot *s;
	uint32_t idx;
	int ret = 0;

	if (type == DXG_HT_FREE)
		return -EINVAL;
	if (t->live >= t->max_live)
		return -ENOSPC;
	/*
	 * Prefer growing over reusing a recently freed index: keep more than
	 * DXG_HT_REUSE_RESERVE free slots queued ahead of any freed one.
	 */
	while (t->nfree <= DXG_HT_REUSE_RESERVE && (ret = grow(t)) == 0)
		;
	if (t->nfree == 0)
		return ret == -ENOMEM ? -ENOMEM : -ENOSPC;
	idx = free_list_pop(t);
	s = &t->slots[idx];
	s->generation = dxg_handle_next_generation(s->generation);
	s->type = type;
	s->obj = obj;
	t->live++;
	*handle = dxg_handle_make(idx, s->generation);
	return 0;
}

static struct dxg_ht_slot *find(const struct dxg_handle_table *t,
				uint32_t handle, uint8_t type)
{
	uint32_t idx = dxg_handle_index(handle);
	struct dxg_ht_slot *s;

	if (idx == 0 || idx >= t->capacity || type == DXG_HT_FREE)
		return NULL;
	s = &t->slots[idx];
	if (s->type != type || s->generation != dxg_handle_generation(handle))
		return NULL;
	return s;
}

void *dxg_ht_lookup(const struct dxg_handle_table *t, uint32_t handle,
		    uint8_t type)
{
	struct dxg_ht_slot *s = find(t, handle, type);

	return s ? s->obj : NULL;
}

int dxg_ht_free(struct dxg_handle_table *t, uint32_t handle, uint8_t type)
{
	struct dxg_ht_slot *s = find(t, handle, type);

	if (!s)
		return -EBADF;
	s->type = DXG_HT_FREE;
	s->obj = NULL;
	t->live--;
	free_list_push(t, (uint32_t)(s - t->slots));
	return 0;
}
