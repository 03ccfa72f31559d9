// SPDX-License-Identifier: MIT
/*
 * Core commands of what this driver does not offer (render passes,
 * framebuffers, graphics pipelines, Y'CbCr conversions;
 * docs/vulkan-driver.md "What is absent").
 *
 * The loader calls a core command through its table whatever the driver
 * offers, so a command left out is a NULL call: a crash.  Programs reach
 * these in a valid way that must not crash: destroying VK_NULL_HANDLE
 * (generic cleanup code does, and the spec makes it a no-op).  Creation
 * needs a feature this driver reports absent, so it is invalid usage; it
 * is refused with an error a program can report, not a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odx.h"

static VkResult refuse(const char *what, VkResult r)
{
	if (getenv("ODX_DEBUG"))
		fprintf(stderr, "opendxg: %s: not offered (no graphics)\n",
			what);
	return r;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateRenderPass(VkDevice device, const VkRenderPassCreateInfo *pCreateInfo,
		     const VkAllocationCallbacks *pAllocator, VkRenderPass *pRenderPass)
{
	(void)device, (void)pCreateInfo, (void)pAllocator;
	*pRenderPass = VK_NULL_HANDLE;
	return refuse("vkCreateRenderPass", VK_ERROR_FEATURE_NOT_PRESENT);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateRenderPass2(VkDevice device, const VkRenderPassCreateInfo2 *pCreateInfo,
		      const VkAllocationCallbacks *pAllocator, VkRenderPass *pRenderPass)
{
	(void)device, (void)pCreateInfo, (void)pAllocator;
	*pRenderPass = VK_NULL_HANDLE;
	return refuse("vkCreateRenderPass2", VK_ERROR_FEATURE_NOT_PRESENT);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateFramebuffer(VkDevice device, const VkFramebufferCreateInfo *pCreateInfo,
		      const VkAllocationCallbacks *pAllocator, VkFramebuffer *pFramebuffer)
{
	(void)device, (void)pCreateInfo, (void)pAllocator;
	*pFramebuffer = VK_NULL_HANDLE;
	return refuse("vkCreateFramebuffer", VK_ERROR_FEATURE_NOT_PRESENT);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateGraphicsPipelines(VkDevice device, VkPipelineCache cache, uint32_t count,
			    const VkGraphicsPipelineCreateInfo *pCreateInfos,
			    const VkAllocationCallbacks *pAllocator, VkPipeline *pPipelines)
{
	(void)device, (void)cache, (void)pCreateInfos, (void)pAllocator;
	for (uint32_t i = 0; i < count; i++)
		pPipelines[i] = VK_NULL_HANDLE;
	return refuse("vkCreateGraphicsPipelines", VK_ERROR_FEATURE_NOT_PRESENT);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateSamplerYcbcrConversion(VkDevice device,
				 const VkSamplerYcbcrConversionCreateInfo *pCreateInfo,
				 const VkAllocationCallbacks *pAllocator,
				 VkSamplerYcbcrConversion *pConversion)
{
	(void)device, (void)pCreateInfo, (void)pAllocator;
	*pConversion = VK_NULL_HANDLE;
	return refuse("vkCreateSamplerYcbcrConversion", VK_ERROR_FEATURE_NOT_PRESENT);
}

/* Destroying: only VK_NULL_HANDLE can reach these (nothing else was made). */
VKAPI_ATTR void VKAPI_CALL
odx_DestroyRenderPass(VkDevice device, VkRenderPass pass, const VkAllocationCallbacks *pAllocator)
{
	(void)device, (void)pass, (void)pAllocator;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyFramebuffer(VkDevice device, VkFramebuffer fb, const VkAllocationCallbacks *pAllocator)
{
	(void)device, (void)fb, (void)pAllocator;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroySamplerYcbcrConversion(VkDevice device, VkSamplerYcbcrConversion conversion,
				  const VkAllocationCallbacks *pAllocator)
{
	(void)device, (void)conversion, (void)pAllocator;
}
