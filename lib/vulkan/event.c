// SPDX-License-Identifier: MIT
/*
 * Events: a word of IO-space memory, 1 set and 0 reset, which the CPU reads
 * and writes directly and commands write with FILL.  The queue runs its
 * commands in order and dxghost's engines finish one before the next after
 * a BARRIER, so vkCmdWaitEvents is a BARRIER: an event set by earlier
 * commands is set by then, and one set by the host must be set before the
 * wait runs (the spec's rule for vkSetEvent and a pending wait).
 */
#include <string.h>

#include "odx.h"

struct odx_event {
	struct odx_memory *mem;
};

static volatile uint32_t *word(const struct odx_event *e)
{
	return (volatile uint32_t *)(void *)e->mem->cpu;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateEvent(VkDevice device, const VkEventCreateInfo *pCreateInfo,
		const VkAllocationCallbacks *pAllocator, VkEvent *pEvent)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_event *e;
	VkResult r;

	(void)pCreateInfo, (void)pAllocator;
	e = odx_alloc(odx_device_alloc(d), sizeof(*e), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!e)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	r = odx_memory_create(d, 4096, false, &e->mem);
	if (r != VK_SUCCESS) {
		odx_free(odx_device_alloc(d), e);
		return r;
	}
	*word(e) = 0;
	*pEvent = ODX_TO_HANDLE(VkEvent, e);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyEvent(VkDevice device, VkEvent event, const VkAllocationCallbacks *pAllocator)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_event *e = ODX_FROM_HANDLE(odx_event, event);

	(void)pAllocator;
	if (!e)
		return;
	odx_memory_destroy(d, e->mem);
	odx_free(odx_device_alloc(d), e);
}

VKAPI_ATTR VkResult VKAPI_CALL odx_GetEventStatus(VkDevice device, VkEvent event)
{
	(void)device;
	return __atomic_load_n((const uint32_t *)word(ODX_FROM_HANDLE(odx_event, event)),
			       __ATOMIC_ACQUIRE) ? VK_EVENT_SET : VK_EVENT_RESET;
}

VKAPI_ATTR VkResult VKAPI_CALL odx_SetEvent(VkDevice device, VkEvent event)
{
	(void)device;
	__atomic_store_n((uint32_t *)word(ODX_FROM_HANDLE(odx_event, event)), 1,
			 __ATOMIC_RELEASE);
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL odx_ResetEvent(VkDevice device, VkEvent event)
{
	(void)device;
	__atomic_store_n((uint32_t *)word(ODX_FROM_HANDLE(odx_event, event)), 0,
			 __ATOMIC_RELEASE);
	return VK_SUCCESS;
}

/* The event's GPU VA, for the commands that write it (cmd_record.c). */
uint64_t odx_event_va(VkEvent event)
{
	return ODX_FROM_HANDLE(odx_event, event)->mem->va;
}
