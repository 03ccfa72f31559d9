/* SPDX-License-Identifier: MIT */
/*
 * Zero-copy import of host memory (the VM's IO space, mapped from its memfd)
 * into a Vulkan device with VK_EXT_external_memory_host, and a small cache
 * of those imports so repeated dispatches on one allocation import it once.
 *
 * Import rule (checked here: lavapipe does not check, and a real driver
 * would fail or fault): the pointer and the size are multiples of the page
 * size and of minImportedHostPointerAlignment (dxg_vk_import_alignment()).
 *
 * The cache is single-threaded (one per engine).  Entries are only evicted
 * or invalidated while the engine has no work in flight.
 */
#ifndef DXGHOST_VK_MEMORY_H
#define DXGHOST_VK_MEMORY_H

#include <stdint.h>

#include "engines/vulkan/vk_device.h"
#include "engines/vulkan/vk_kept.h"

#define DXG_VK_IMPORT_CACHE_SIZE	64u
/* Imports kept for device addresses, per cache (per guest device). */
#define DXG_VK_MAX_KEPT			4096u

struct dxg_vk_import {
	uint8_t *host;		/* aligned start */
	uint64_t size;		/* aligned size */
	VkDeviceMemory mem;
	VkBuffer buf;		/* storage + transfer, the whole range */
	uint64_t last_use;	/* LRU stamp; 0 = free slot */
};

struct dxg_vk_import_cache {
	struct dxg_vk_device *dev;
	struct dxg_vk_import e[DXG_VK_IMPORT_CACHE_SIZE];
	uint64_t clock;
	uint64_t pin_from;	/* entries used since then are pinned */
	/*
	 * Imports whose device address a guest was given: never evicted, only
	 * dropped by dxg_vk_cache_invalidate() (the memory is going).
	 */
	struct dxg_vk_kept_set kept;
	uint64_t imports;	/* statistics (and tests): imports made */
	uint64_t hits;
};

/* The alignment imports need on this device: max(page, device minimum). */
uint64_t dxg_vk_import_alignment(const struct dxg_vk_device *dev);

/*
 * Imports exactly [host, host + size), which must be aligned as above
 * (else STATUS_INVALID_PARAMETER).  Not cached: the caller owns *out and
 * frees it with dxg_vk_release().
 */
int32_t dxg_vk_import(struct dxg_vk_device *dev, void *host, uint64_t size,
		      struct dxg_vk_import *out);
void dxg_vk_release(struct dxg_vk_device *dev, struct dxg_vk_import *imp);

void dxg_vk_cache_init(struct dxg_vk_import_cache *c, struct dxg_vk_device *dev);
void dxg_vk_cache_fini(struct dxg_vk_import_cache *c);

/*
 * Starts a dispatch: entries looked up from now on stay (are not evicted or
 * subsumed) until the next dxg_vk_cache_begin(), as the command buffer
 * being recorded uses their buffers.  At most DXG_VK_IMPORT_CACHE_SIZE - 1
 * lookups per begin.
 */
void dxg_vk_cache_begin(struct dxg_vk_import_cache *c);

/*
 * A buffer and offset covering [host, host + size) (any alignment; size >
 * 0): a cached import that contains it, or a new import of the enclosing
 * aligned range (which then replaces cached imports it contains).
 */
int32_t dxg_vk_cache_lookup(struct dxg_vk_import_cache *c, void *host,
			    uint64_t size, VkBuffer *buf, uint64_t *offset);

/*
 * Drops every cached import overlapping [host, host + size) and every kept
 * one whose exact range does: the memory's owner calls it before it frees
 * or remaps that memory.  Returns how many.
 */
uint32_t dxg_vk_cache_invalidate(struct dxg_vk_import_cache *c, void *host,
				 uint64_t size);

/*
 * The device address of @host, whose range [host, host + size) is then
 * imported for as long as the memory lives (until invalidated): shaders may
 * reach it by that address at any time.  STATUS_NOT_SUPPORTED when the
 * device has no buffer device addresses, STATUS_QUOTA_EXCEEDED beyond
 * DXG_VK_MAX_KEPT ranges.
 */
int32_t dxg_vk_cache_keep(struct dxg_vk_import_cache *c, void *host,
			  uint64_t size, uint64_t *address);

#endif /* DXGHOST_VK_MEMORY_H */
