// SPDX-License-Identifier: MIT
/* Zero-copy host memory import (VK_EXT_external_memory_host) and its cache. */
#include "engines/vulkan/vk_memory.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dxg/ntstatus.h"
#include "engines/vulkan/vk_status.h"

#define HOST_HANDLE	VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT

uint64_t dxg_vk_import_alignment(const struct dxg_vk_device *dev)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t a = dev->limits.min_import_alignment;

	/* Both are powers of two, so the larger is a multiple of the other. */
	return a > page ? a : page;
}

/* Host-coherent first: no flush/invalidate needed around dispatches. */
static int find_type(const struct dxg_vk_device *dev, uint32_t bits)
{
	const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;

	for (uint32_t i = 0; i < dev->mem.memoryTypeCount; i++)
		if ((bits & (1u << i)) &&
		    (dev->mem.memoryTypes[i].propertyFlags & want) == want)
			return (int)i;
	return -1;
}

static int32_t check_range(const struct dxg_vk_device *dev, const void *host,
			   uint64_t size)
{
	uint64_t a = dxg_vk_import_alignment(dev);
	uintptr_t p = (uintptr_t)host;

	if (!host || !size || (p & (a - 1)) || (size & (a - 1)) ||
	    size > UINTPTR_MAX - p)
		return STATUS_INVALID_PARAMETER;
	if (dev->limits.max_allocation_size && size > dev->limits.max_allocation_size)
		return STATUS_INVALID_PARAMETER;
	return 0;
}

static int32_t make_buffer(struct dxg_vk_device *dev, uint64_t size,
			   VkBuffer *out, VkMemoryRequirements *req)
{
	const VkExternalMemoryBufferCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = HOST_HANDLE,
	};
	const VkBufferCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.pNext = &ext,
		.size = size,
		/* What a dispatch or transfer may bind it as. */
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
			 VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
			 VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
			 VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT |
			 VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |
			 VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			 VK_BUFFER_USAGE_TRANSFER_DST_BIT |
			 dxg_vk_address_usage(dev),
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkResult r = vkCreateBuffer(dev->device, &ci, NULL, out);

	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	dxg_vk_objects(dev, 1);
	vkGetBufferMemoryRequirements(dev->device, *out, req);
	return 0;
}

int32_t dxg_vk_import(struct dxg_vk_device *dev, void *host, uint64_t size,
		      struct dxg_vk_import *out)
{
	VkMemoryHostPointerPropertiesEXT hp = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
	};
	VkMemoryAllocateFlagsInfo af = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
		.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
	};
	VkImportMemoryHostPointerInfoEXT imp = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
		.pNext = dev->device_address ? &af : NULL,
		.handleType = HOST_HANDLE,
		.pHostPointer = host,
	};
	VkMemoryAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = &imp,
		.allocationSize = size,
	};
	VkMemoryRequirements req;
	VkResult r;
	int32_t st = check_range(dev, host, size);
	int type;

	memset(out, 0, sizeof(*out));
	if (st)
		return st;
	r = dev->get_host_pointer_props(dev->device, HOST_HANDLE, host, &hp);
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	st = make_buffer(dev, size, &out->buf, &req);
	if (st)
		return st;
	type = find_type(dev, hp.memoryTypeBits & req.memoryTypeBits);
	/* A driver that pads the buffer beyond the range cannot bind it. */
	if (type < 0 || req.size > size) {
		dxg_vk_objects(dev, -1);
		vkDestroyBuffer(dev->device, out->buf, NULL);
		out->buf = VK_NULL_HANDLE;
		return STATUS_NOT_SUPPORTED;
	}
	ai.memoryTypeIndex = (uint32_t)type;
	r = vkAllocateMemory(dev->device, &ai, NULL, &out->mem);
	dxg_vk_objects(dev, DXG_VK_LIVE(out->mem));
	if (r == VK_SUCCESS)
		r = vkBindBufferMemory(dev->device, out->buf, out->mem, 0);
	if (r != VK_SUCCESS) {
		dxg_vk_release(dev, out);
		return dxg_vk_status(r);
	}
	out->host = host;
	out->size = size;
	return 0;
}

void dxg_vk_release(struct dxg_vk_device *dev, struct dxg_vk_import *imp)
{
	dxg_vk_objects(dev, -(DXG_VK_LIVE(imp->buf) + DXG_VK_LIVE(imp->mem)));
	if (imp->buf)
		vkDestroyBuffer(dev->device, imp->buf, NULL);
	if (imp->mem)
		vkFreeMemory(dev->device, imp->mem, NULL);
	memset(imp, 0, sizeof(*imp));
}

void dxg_vk_cache_init(struct dxg_vk_import_cache *c, struct dxg_vk_device *dev)
{
	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->pin_from = UINT64_MAX;
}

void dxg_vk_cache_fini(struct dxg_vk_import_cache *c)
{
	for (uint32_t i = 0; i < DXG_VK_IMPORT_CACHE_SIZE; i++)
		if (c->e[i].last_use)
			dxg_vk_release(c->dev, &c->e[i]);
	dxg_vk_kept_fini(&c->kept, c->dev);
}

static bool contains(const struct dxg_vk_import *e, uintptr_t start, uintptr_t end)
{
	uintptr_t s = (uintptr_t)e->host;

	return e->last_use && start >= s && end <= s + e->size;
}

/* Used by the dispatch being built: its buffers are already recorded. */
static bool pinned(const struct dxg_vk_import_cache *c, const struct dxg_vk_import *e)
{
	return e->last_use && e->last_use >= c->pin_from;
}

/* A free slot, or the least recently used unpinned one released. */
static struct dxg_vk_import *take_slot(struct dxg_vk_import_cache *c)
{
	struct dxg_vk_import *lru = NULL;

	for (uint32_t i = 0; i < DXG_VK_IMPORT_CACHE_SIZE; i++) {
		if (!c->e[i].last_use)
			return &c->e[i];
		if (!pinned(c, &c->e[i]) && (!lru || c->e[i].last_use < lru->last_use))
			lru = &c->e[i];
	}
	if (lru)	/* NULL only with every slot pinned: a caller bug */
		dxg_vk_release(c->dev, lru);
	return lru;
}

void dxg_vk_cache_begin(struct dxg_vk_import_cache *c)
{
	c->pin_from = c->clock + 1;
}

int32_t dxg_vk_cache_lookup(struct dxg_vk_import_cache *c, void *host,
			    uint64_t size, VkBuffer *buf, uint64_t *offset)
{
	uint64_t a = dxg_vk_import_alignment(c->dev);
	uintptr_t start = (uintptr_t)host, end, astart, aend;
	struct dxg_vk_import imp, *slot;
	struct dxg_vk_kept *k;
	int32_t st;

	if (!host || !size || size > UINTPTR_MAX - start)
		return STATUS_INVALID_PARAMETER;
	end = start + size;
	/* A kept import (an address was given out for it) serves first. */
	k = dxg_vk_kept_find(&c->kept, start, end);
	if (k) {
		c->hits++;
		*buf = k->buf;
		*offset = start - (uintptr_t)k->host;
		return 0;
	}
	for (uint32_t i = 0; i < DXG_VK_IMPORT_CACHE_SIZE; i++) {
		if (contains(&c->e[i], start, end)) {
			c->e[i].last_use = ++c->clock;
			c->hits++;
			*buf = c->e[i].buf;
			*offset = start - (uintptr_t)c->e[i].host;
			return 0;
		}
	}
	astart = start & ~(uintptr_t)(a - 1);
	if (end > UINTPTR_MAX - (a - 1))
		return STATUS_INVALID_PARAMETER;
	aend = (end + (a - 1)) & ~(uintptr_t)(a - 1);
	st = dxg_vk_import(c->dev, (void *)astart, aend - astart, &imp);
	if (st)
		return st;
	c->imports++;
	/* The new import subsumes the ones it contains: free their slots. */
	for (uint32_t i = 0; i < DXG_VK_IMPORT_CACHE_SIZE; i++)
		if (c->e[i].last_use && !pinned(c, &c->e[i]) &&
		    (uintptr_t)c->e[i].host >= astart &&
		    (uintptr_t)c->e[i].host + c->e[i].size <= aend)
			dxg_vk_release(c->dev, &c->e[i]);
	slot = take_slot(c);
	if (!slot) {
		dxg_vk_release(c->dev, &imp);
		return STATUS_NO_MEMORY;
	}
	*slot = imp;
	slot->last_use = ++c->clock;
	*buf = slot->buf;
	*offset = start - astart;
	return 0;
}

uint32_t dxg_vk_cache_invalidate(struct dxg_vk_import_cache *c, void *host,
				 uint64_t size)
{
	uintptr_t start = (uintptr_t)host;
	uintptr_t end = size > UINTPTR_MAX - start ? UINTPTR_MAX : start + size;
	uint32_t n = 0;

	for (uint32_t i = 0; i < DXG_VK_IMPORT_CACHE_SIZE; i++) {
		struct dxg_vk_import *e = &c->e[i];
		uintptr_t s = (uintptr_t)e->host;

		if (e->last_use && s < end && start < s + e->size) {
			dxg_vk_release(c->dev, e);
			n++;
		}
	}
	return n + dxg_vk_kept_drop(&c->kept, c->dev, start, end);
}

int32_t dxg_vk_cache_keep(struct dxg_vk_import_cache *c, void *host,
			  uint64_t size, uint64_t *address)
{
	uint64_t a = dxg_vk_import_alignment(c->dev);
	uintptr_t start = (uintptr_t)host, end, astart, aend;
	VkBufferDeviceAddressInfo ai = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO,
	};
	struct dxg_vk_import imp;
	struct dxg_vk_kept *k;
	int32_t st;

	if (!c->dev->device_address)
		return STATUS_NOT_SUPPORTED;
	if (!host || !size || size > UINTPTR_MAX - start ||
	    start + size > UINTPTR_MAX - (a - 1))
		return STATUS_INVALID_PARAMETER;
	end = start + size;
	/* Asked again (or for a part): the same import, the same address. */
	k = dxg_vk_kept_find(&c->kept, start, end);
	if (k) {
		ai.buffer = k->buf;
		*address = vkGetBufferDeviceAddress(c->dev->device, &ai) +
			   (start - (uintptr_t)k->host);
		return 0;
	}
	if (c->kept.n >= DXG_VK_MAX_KEPT)
		return STATUS_QUOTA_EXCEEDED;
	astart = start & ~(uintptr_t)(a - 1);
	aend = (end + (a - 1)) & ~(uintptr_t)(a - 1);
	st = dxg_vk_import(c->dev, (void *)astart, aend - astart, &imp);
	if (st)
		return st;
	c->imports++;
	if (dxg_vk_kept_add(&c->kept, &imp, start, end)) {
		dxg_vk_release(c->dev, &imp);
		return STATUS_NO_MEMORY;
	}
	ai.buffer = imp.buf;
	*address = vkGetBufferDeviceAddress(c->dev->device, &ai) + (start - astart);
	return 0;
}
