// SPDX-License-Identifier: MIT
/*
 * Core commands of what this driver does not offer (render passes,
 * framebuffers, graphics pipelines, Y'CbCr conversions, blits, resolves,
 * depth images, queries other than timestamps; docs/vulkan-driver.md
 * "What is absent").
 *
 * The loader calls a core command through its table whatever the driver
 * offers, so a command left out is a NULL call: a crash.  Programs reach
 * these in a valid way that must not crash: destroying VK_NULL_HANDLE
 * (generic cleanup code does, and the spec makes it a no-op).  Creation
 * needs a feature this driver reports absent, so it is invalid usage; it
 * is refused with an error a program can report, not a crash.  So are the
 * image commands a compute program might try without asking for the
 * format features they need (BLIT_SRC/DST, depth formats, which no format
 * has here) and queries of a type no pool can have: the command buffer
 * records nothing for them and fails at vkEndCommandBuffer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odx.h"

static VkResult refuse(const char *what, VkResult r)
{
	if (getenv("ODX_DEBUG"))
		fprintf(stderr, "opendxg: %s: not offered\n", what);
	return r;
}

/* A command of what is not offered: the recording fails. */
static void refuse_cmd(VkCommandBuffer cb, const char *what)
{
	refuse(what, VK_SUCCESS);
	odx_cmd_check((struct odx_cmd_buffer *)cb, false);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdBlitImage(VkCommandBuffer cb, VkImage src, VkImageLayout sl, VkImage dst,
		 VkImageLayout dl, uint32_t n, const VkImageBlit *r, VkFilter filter)
{
	(void)src, (void)sl, (void)dst, (void)dl, (void)n, (void)r, (void)filter;
	refuse_cmd(cb, "vkCmdBlitImage");
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdBlitImage2(VkCommandBuffer cb, const VkBlitImageInfo2 *info)
{
	(void)info;
	refuse_cmd(cb, "vkCmdBlitImage2");
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdResolveImage(VkCommandBuffer cb, VkImage src, VkImageLayout sl, VkImage dst,
		    VkImageLayout dl, uint32_t n, const VkImageResolve *r)
{
	(void)src, (void)sl, (void)dst, (void)dl, (void)n, (void)r;
	refuse_cmd(cb, "vkCmdResolveImage");
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdResolveImage2(VkCommandBuffer cb, const VkResolveImageInfo2 *info)
{
	(void)info;
	refuse_cmd(cb, "vkCmdResolveImage2");
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdClearDepthStencilImage(VkCommandBuffer cb, VkImage image, VkImageLayout layout,
			      const VkClearDepthStencilValue *value, uint32_t n,
			      const VkImageSubresourceRange *ranges)
{
	(void)image, (void)layout, (void)value, (void)n, (void)ranges;
	refuse_cmd(cb, "vkCmdClearDepthStencilImage");
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdBeginQuery(VkCommandBuffer cb, VkQueryPool pool, uint32_t query,
		  VkQueryControlFlags flags)
{
	(void)pool, (void)query, (void)flags;
	refuse_cmd(cb, "vkCmdBeginQuery");
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdEndQuery(VkCommandBuffer cb, VkQueryPool pool, uint32_t query)
{
	(void)pool, (void)query;
	refuse_cmd(cb, "vkCmdEndQuery");
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
