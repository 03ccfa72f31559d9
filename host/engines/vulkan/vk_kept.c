// SPDX-License-Identifier: MIT
/* The kept (device-address) imports, sorted by exact start: vk_kept.h. */
#include "engines/vulkan/vk_kept.h"

#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"
#include "engines/vulkan/vk_memory.h"

/* The first entry starting after `start` (n if none). */
static uint32_t upper(const struct dxg_vk_kept_set *k, uintptr_t start)
{
	uint32_t lo = 0, hi = k->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (k->e[mid].start <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct dxg_vk_kept *dxg_vk_kept_find(const struct dxg_vk_kept_set *k,
				     uintptr_t start, uintptr_t end)
{
	/*
	 * Every entry before upper() starts at or below start; one that
	 * holds [start, end) starts less than `max` below it.
	 */
	for (uint32_t i = upper(k, start); i-- > 0;) {
		struct dxg_vk_kept *e = &k->e[i];

		if (start - e->start >= k->max)
			break;
		if (end <= e->end)
			return e;
	}
	return NULL;
}

int32_t dxg_vk_kept_add(struct dxg_vk_kept_set *k,
			const struct dxg_vk_import *imp, uintptr_t start,
			uintptr_t end)
{
	uint32_t at;

	if (k->n == k->cap) {
		uint32_t cap = k->cap ? k->cap * 2 : 16;
		struct dxg_vk_kept *e = realloc(k->e, cap * sizeof(*e));

		if (!e)
			return STATUS_NO_MEMORY;
		k->e = e;
		k->cap = cap;
	}
	at = upper(k, start);
	memmove(&k->e[at + 1], &k->e[at], (k->n - at) * sizeof(k->e[0]));
	k->e[at] = (struct dxg_vk_kept) {
		.start = start, .end = end, .host = imp->host,
		.size = imp->size, .mem = imp->mem, .buf = imp->buf,
	};
	k->n++;
	if (end - start > k->max)
		k->max = end - start;
	return 0;
}

static void release(struct dxg_vk_device *dev, const struct dxg_vk_kept *e)
{
	struct dxg_vk_import imp = {
		.host = e->host, .size = e->size, .mem = e->mem, .buf = e->buf,
		.last_use = 1,
	};

	dxg_vk_release(dev, &imp);
}

uint32_t dxg_vk_kept_drop(struct dxg_vk_kept_set *k, struct dxg_vk_device *dev,
			  uintptr_t start, uintptr_t end)
{
	uint32_t i, n = 0;

	/*
	 * Overlapping entries start before end and less than `max` before
	 * start (their exact range reaches past start); walk down from the
	 * last that starts before end.
	 */
	for (i = end ? upper(k, end - 1) : 0; i-- > 0;) {
		struct dxg_vk_kept *e = &k->e[i];

		if (e->start < start && start - e->start >= k->max)
			break;
		if (e->end <= start)
			continue;
		release(dev, e);
		memmove(e, e + 1, (k->n - i - 1) * sizeof(*e));
		k->n--;
		n++;
	}
	return n;
}

void dxg_vk_kept_fini(struct dxg_vk_kept_set *k, struct dxg_vk_device *dev)
{
	for (uint32_t i = 0; i < k->n; i++)
		release(dev, &k->e[i]);
	free(k->e);
	memset(k, 0, sizeof(*k));
}
