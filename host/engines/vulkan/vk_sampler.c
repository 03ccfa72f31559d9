// SPDX-License-Identifier: MIT
/* Samplers from a dispatch's sampler state (see vk_sampler.h). */
#include "engines/vulkan/vk_sampler.h"

#include <math.h>
#include <string.h>

#include "dxg/ntstatus.h"
#include "engines/vulkan/vk_status.h"

static float as_float(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* Unnormalized coordinates (Vulkan's VkSamplerCreateInfo rules). */
static int unnormalized_ok(const struct dxg_cmd_sampler *s)
{
	for (int i = 0; i < 2; i++)
		if (s->address_mode[i] != VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE &&
		    s->address_mode[i] != VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER)
			return 0;
	return s->min_filter == s->mag_filter &&
	       s->mipmap_mode == VK_SAMPLER_MIPMAP_MODE_NEAREST &&
	       as_float(s->min_lod) == 0.0f && as_float(s->max_lod) == 0.0f &&
	       !(s->flags & (DXG_SAMPLER_ANISOTROPY | DXG_SAMPLER_COMPARE));
}

int32_t dxg_vk_sampler_check(const struct dxg_vk_device *d, const struct dxg_cmd_sampler *s)
{
	const struct dxg_vk_limits *l = &d->limits;
	float bias = as_float(s->mip_lod_bias), aniso = as_float(s->max_anisotropy);
	float min_lod = as_float(s->min_lod), max_lod = as_float(s->max_lod);

	if (s->mag_filter > VK_FILTER_LINEAR || s->min_filter > VK_FILTER_LINEAR ||
	    s->mipmap_mode > VK_SAMPLER_MIPMAP_MODE_LINEAR ||
	    (s->flags & ~DXG_SAMPLER_FLAGS) || s->reserved[0] || s->reserved[1] ||
	    s->reserved[2] || s->reserved2 || s->border_color > VK_BORDER_COLOR_INT_OPAQUE_WHITE ||
	    s->compare_op > VK_COMPARE_OP_ALWAYS ||
	    (!(s->flags & DXG_SAMPLER_COMPARE) && s->compare_op) ||
	    (!(s->flags & DXG_SAMPLER_ANISOTROPY) && s->max_anisotropy))
		return STATUS_INVALID_PARAMETER;
	for (int i = 0; i < 3; i++) {
		if (s->address_mode[i] > VK_SAMPLER_ADDRESS_MODE_MIRROR_CLAMP_TO_EDGE)
			return STATUS_INVALID_PARAMETER;
		if (s->address_mode[i] == VK_SAMPLER_ADDRESS_MODE_MIRROR_CLAMP_TO_EDGE &&
		    !l->mirror_clamp)
			return STATUS_NOT_SUPPORTED;
	}
	/* NaN and infinities fail these comparisons' true branch. */
	if (!isfinite(bias) || !isfinite(min_lod) || !isfinite(max_lod) ||
	    !(fabsf(bias) <= l->max_sampler_lod_bias) || !(min_lod <= max_lod))
		return STATUS_INVALID_PARAMETER;
	if (s->flags & DXG_SAMPLER_ANISOTROPY) {
		if (!l->sampler_anisotropy)
			return STATUS_NOT_SUPPORTED;
		if (!(aniso >= 1.0f && aniso <= l->max_sampler_anisotropy))
			return STATUS_INVALID_PARAMETER;
	}
	/* Comparison needs a depth format, and no depth format is offered. */
	if (s->flags & DXG_SAMPLER_COMPARE)
		return STATUS_NOT_SUPPORTED;
	if ((s->flags & DXG_SAMPLER_UNNORMALIZED) && !unnormalized_ok(s))
		return STATUS_INVALID_PARAMETER;
	return 0;
}

int dxg_vk_sampler_linear(const struct dxg_cmd_sampler *s)
{
	return s->mag_filter == VK_FILTER_LINEAR || s->min_filter == VK_FILTER_LINEAR ||
	       s->mipmap_mode == VK_SAMPLER_MIPMAP_MODE_LINEAR;
}

int32_t dxg_vk_sampler_make(struct dxg_vk_device *d, const struct dxg_cmd_sampler *s,
			    VkSampler *out)
{
	const VkSamplerCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
		.magFilter = (VkFilter)s->mag_filter,
		.minFilter = (VkFilter)s->min_filter,
		.mipmapMode = (VkSamplerMipmapMode)s->mipmap_mode,
		.addressModeU = (VkSamplerAddressMode)s->address_mode[0],
		.addressModeV = (VkSamplerAddressMode)s->address_mode[1],
		.addressModeW = (VkSamplerAddressMode)s->address_mode[2],
		.mipLodBias = as_float(s->mip_lod_bias),
		.anisotropyEnable = !!(s->flags & DXG_SAMPLER_ANISOTROPY),
		.maxAnisotropy = (s->flags & DXG_SAMPLER_ANISOTROPY) ?
				 as_float(s->max_anisotropy) : 1.0f,
		.compareEnable = !!(s->flags & DXG_SAMPLER_COMPARE),
		.compareOp = (VkCompareOp)s->compare_op,
		.minLod = as_float(s->min_lod),
		.maxLod = as_float(s->max_lod),
		.borderColor = (VkBorderColor)s->border_color,
		.unnormalizedCoordinates = !!(s->flags & DXG_SAMPLER_UNNORMALIZED),
	};
	VkResult r = vkCreateSampler(d->device, &ci, NULL, out);

	if (r != VK_SUCCESS) {
		*out = VK_NULL_HANDLE;
		return dxg_vk_status(r);
	}
	dxg_vk_objects(d, 1);
	return 0;
}

void dxg_vk_sampler_free(struct dxg_vk_device *d, VkSampler sampler)
{
	dxg_vk_objects(d, -DXG_VK_LIVE(sampler));
	vkDestroySampler(d->device, sampler, NULL);
}
