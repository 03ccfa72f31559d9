// SPDX-License-Identifier: MIT
/*
 * Timestamp query pools: an IO-space allocation of ODX_QUERY_STRIDE bytes
 * per query, the u64 nanoseconds a TIMESTAMP command wrote and a u32 that
 * becomes 1 once it did (cmd_record.c).  Results are read on the CPU.
 */
#include <sched.h>
#include <string.h>
#include <time.h>

#include "odx.h"

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateQueryPool(VkDevice device, const VkQueryPoolCreateInfo *pCreateInfo,
		    const VkAllocationCallbacks *pAllocator, VkQueryPool *pPool)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_query_pool *p;
	VkResult r;

	(void)pAllocator;
	if (pCreateInfo->queryType != VK_QUERY_TYPE_TIMESTAMP || !pCreateInfo->queryCount)
		return VK_ERROR_FEATURE_NOT_PRESENT;
	p = odx_alloc(odx_device_alloc(d), sizeof(*p), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!p)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	p->count = pCreateInfo->queryCount;
	r = odx_memory_create(d, (uint64_t)p->count * ODX_QUERY_STRIDE, false, &p->mem);
	if (r != VK_SUCCESS) {
		odx_free(odx_device_alloc(d), p);
		return r;
	}
	memset(p->mem->cpu, 0, (size_t)p->count * ODX_QUERY_STRIDE);
	*pPool = ODX_TO_HANDLE(VkQueryPool, p);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyQueryPool(VkDevice device, VkQueryPool pool,
		     const VkAllocationCallbacks *pAllocator)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_query_pool *p = ODX_FROM_HANDLE(odx_query_pool, pool);

	(void)pAllocator;
	if (!p)
		return;
	odx_memory_destroy(d, p->mem);
	odx_free(odx_device_alloc(d), p);
}

VKAPI_ATTR void VKAPI_CALL
odx_ResetQueryPool(VkDevice device, VkQueryPool pool, uint32_t first, uint32_t count)
{
	struct odx_query_pool *p = ODX_FROM_HANDLE(odx_query_pool, pool);

	(void)device;
	memset(p->mem->cpu + (size_t)first * ODX_QUERY_STRIDE, 0,
	       (size_t)count * ODX_QUERY_STRIDE);
}

static bool available(const struct odx_query_pool *p, uint32_t q, uint64_t *value)
{
	const uint8_t *slot = p->mem->cpu + (size_t)q * ODX_QUERY_STRIDE;
	uint32_t avail = __atomic_load_n((const uint32_t *)(slot + 8), __ATOMIC_ACQUIRE);

	memcpy(value, slot, sizeof(*value));
	return avail != 0;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetQueryPoolResults(VkDevice device, VkQueryPool pool, uint32_t first,
			uint32_t count, size_t dataSize, void *pData,
			VkDeviceSize stride, VkQueryResultFlags flags)
{
	struct odx_device *d = (struct odx_device *)device;
	const struct odx_query_pool *p = ODX_FROM_HANDLE(odx_query_pool, pool);
	bool is64 = flags & VK_QUERY_RESULT_64_BIT;
	bool with_avail = flags & VK_QUERY_RESULT_WITH_AVAILABILITY_BIT;
	size_t unit = is64 ? 8 : 4;
	VkResult result = VK_SUCCESS;

	for (uint32_t i = 0; i < count; i++) {
		uint8_t *out = (uint8_t *)pData + (size_t)i * stride;
		uint64_t v = 0;
		bool ok = available(p, first + i, &v);

		/* The host signals failed work too: waiting ends then as well. */
		while (!ok && (flags & VK_QUERY_RESULT_WAIT_BIT)) {
			if (atomic_load(&d->lost))
				return VK_ERROR_DEVICE_LOST;
			sched_yield();
			ok = available(p, first + i, &v);
		}
		if ((size_t)i * stride + unit * (with_avail ? 2 : 1) > dataSize)
			break;
		if (!ok)
			result = VK_NOT_READY;
		if (ok || (flags & VK_QUERY_RESULT_PARTIAL_BIT)) {
			if (is64) {
				memcpy(out, &v, 8);
			} else {
				uint32_t v32 = (uint32_t)v;

				memcpy(out, &v32, 4);
			}
		}
		if (with_avail) {
			uint64_t a = ok;

			if (is64) {
				memcpy(out + 8, &a, 8);
			} else {
				uint32_t a32 = ok;

				memcpy(out + 4, &a32, 4);
			}
		}
	}
	return result;
}
