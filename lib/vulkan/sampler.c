// SPDX-License-Identifier: MIT
/*
 * Samplers.  Creating one needs no format support, so Vulkan lets any
 * program make them (frameworks make their immutable samplers up front);
 * nothing can use one yet (no format has image features), so a sampler is
 * only its creation parameters, kept for the day images arrive, and never
 * reaches the host.
 */
#include "odx.h"

struct odx_sampler {
	VkSamplerCreateInfo info;	/* pNext dropped */
};

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateSampler(VkDevice device, const VkSamplerCreateInfo *pCreateInfo,
		  const VkAllocationCallbacks *pAllocator, VkSampler *pSampler)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_sampler *s;

	(void)pAllocator;
	s = odx_alloc(odx_device_alloc(d), sizeof(*s), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!s)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	s->info = *pCreateInfo;
	s->info.pNext = NULL;
	*pSampler = ODX_TO_HANDLE(VkSampler, s);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroySampler(VkDevice device, VkSampler sampler, const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_free(odx_device_alloc((struct odx_device *)device),
		 ODX_FROM_HANDLE(odx_sampler, sampler));
}
