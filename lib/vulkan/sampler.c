// SPDX-License-Identifier: MIT
/*
 * Samplers.  A sampler never reaches the host as an object: it is its
 * state, packed as the command stream carries it (struct dxg_cmd_sampler),
 * which descriptors copy and each dispatch sends with the image it samples
 * (DISPATCH4).  dxghost checks the state against its device and makes the
 * Vulkan sampler for that dispatch (docs/vulkan-driver.md, "Sampled images
 * and samplers").  Creating a sampler needs no format support, and
 * frameworks make their immutable samplers up front, so creation never
 * fails but for memory; what this device does not offer (custom border
 * colors, reduction modes, cubic filtering, Y'CbCr conversion) is never
 * enabled, so a valid program cannot ask for it, and an out-of-range
 * value is packed so that the host refuses the dispatch rather than
 * sampling with something else.
 */
#include <string.h>

#include "odx.h"

/* An enum's value, or 0xff (out of every range the host accepts). */
static uint8_t u8_or_bad(uint32_t v)
{
	return v < 0xff ? (uint8_t)v : 0xff;
}

static uint32_t bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static struct dxg_cmd_sampler pack(const VkSamplerCreateInfo *ci)
{
	struct dxg_cmd_sampler s = {
		.mag_filter = u8_or_bad(ci->magFilter),
		.min_filter = u8_or_bad(ci->minFilter),
		.mipmap_mode = u8_or_bad(ci->mipmapMode),
		.address_mode = { u8_or_bad(ci->addressModeU), u8_or_bad(ci->addressModeV),
				  u8_or_bad(ci->addressModeW) },

		.mip_lod_bias = bits(ci->mipLodBias),
		.min_lod = bits(ci->minLod),
		.max_lod = bits(ci->maxLod),
	};

	/*
	 * What Vulkan ignores is not sent (the host wants 0): the border color
	 * unless an address mode clamps to the border, the rest when off.
	 */
	if (ci->addressModeU == VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER ||
	    ci->addressModeV == VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER ||
	    ci->addressModeW == VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER)
		s.border_color = u8_or_bad(ci->borderColor);
	if (ci->anisotropyEnable) {
		s.flags |= DXG_SAMPLER_ANISOTROPY;
		s.max_anisotropy = bits(ci->maxAnisotropy);
	}
	if (ci->compareEnable) {
		s.flags |= DXG_SAMPLER_COMPARE;
		s.compare_op = u8_or_bad(ci->compareOp);
	}
	if (ci->unnormalizedCoordinates)
		s.flags |= DXG_SAMPLER_UNNORMALIZED;
	return s;
}

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
	s->state = pack(pCreateInfo);
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
