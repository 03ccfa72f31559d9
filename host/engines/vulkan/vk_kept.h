/* SPDX-License-Identifier: MIT */
/*
 * The imports a guest was given device addresses for (vk_memory.c,
 * docs/vulkan-driver.md): kept until the memory they were made for goes.
 *
 * Each entry remembers the exact range its address was asked for (an
 * allocation), besides the aligned range it imported: a dispatch binding
 * inside that range finds it, and only freeing memory inside that range
 * drops it.  Where the device's import alignment is above the page size,
 * two allocations can share aligned pages; each then has an import of its
 * own, so freeing one leaves the other's address working.
 *
 * The set is sorted by exact start and searched by bisection: a lookup
 * costs O(log n) plus the entries that start within the largest exact
 * size before it (one, unless ranges overlap), not a walk of up to
 * DXG_VK_MAX_KEPT entries for every binding of every dispatch.
 */
#ifndef DXGHOST_VK_KEPT_H
#define DXGHOST_VK_KEPT_H

#include <stdint.h>

#include "engines/vulkan/vk_device.h"

/* One import, as made by dxg_vk_import() (vk_memory.h). */
struct dxg_vk_import;

struct dxg_vk_kept {
	uintptr_t start, end;		/* the exact range */
	uint8_t *host;			/* the import: aligned start */
	uint64_t size;			/*   aligned size */
	VkDeviceMemory mem;
	VkBuffer buf;
};

struct dxg_vk_kept_set {
	struct dxg_vk_kept *e;		/* sorted by start */
	uint32_t n, cap;
	uint64_t max;			/* no exact range is longer */
};

/* The entry whose exact range holds [start, end), or NULL. */
struct dxg_vk_kept *dxg_vk_kept_find(const struct dxg_vk_kept_set *k,
				     uintptr_t start, uintptr_t end);
/*
 * Adds imp (taking it over) for the exact range [start, end): 0, or
 * STATUS_NO_MEMORY (imp left to the caller).
 */
int32_t dxg_vk_kept_add(struct dxg_vk_kept_set *k,
			const struct dxg_vk_import *imp, uintptr_t start,
			uintptr_t end);
/* Releases the entries whose exact range overlaps [start, end): how many. */
uint32_t dxg_vk_kept_drop(struct dxg_vk_kept_set *k, struct dxg_vk_device *dev,
			  uintptr_t start, uintptr_t end);
/* Releases every entry and the set's memory. */
void dxg_vk_kept_fini(struct dxg_vk_kept_set *k, struct dxg_vk_device *dev);

#endif /* DXGHOST_VK_KEPT_H */
