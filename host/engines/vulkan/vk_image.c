// SPDX-License-Identifier: MIT
/* Storage and sampled images over device memory (see vk_image.h). */
#include "engines/vulkan/vk_image.h"

#include <stdbool.h>

#include "dxg/ntstatus.h"
#include "dxg/texel_format.h"
#include "engines/vulkan/vk_status.h"

/* Called for formats check_extent() accepted: caps.usage is set. */
static VkImageCreateInfo image_info(const struct dxg_vk_device *d, uint32_t format,
				    uint32_t width, uint32_t height)
{
	return (VkImageCreateInfo) {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.imageType = VK_IMAGE_TYPE_2D,
		.format = (VkFormat)format,
		.extent = { width, height, 1 },
		.mipLevels = 1,
		.arrayLayers = 1,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_LINEAR,
		.usage = d->image_caps[format].usage,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
		/* The memory's bytes are the image: kept by the first transition. */
		.initialLayout = VK_IMAGE_LAYOUT_PREINITIALIZED,
	};
}

/* The memory type device memory has (vk_devmem.c picks it for buffers). */
static bool bindable(const VkMemoryRequirements *req, uint32_t type)
{
	return type < 32 && (req->memoryTypeBits & (1u << type));
}

void dxg_vk_image_caps_read(struct dxg_vk_device *d)
{
	const uint32_t xfer = VK_FORMAT_FEATURE_TRANSFER_SRC_BIT |
			      VK_FORMAT_FEATURE_TRANSFER_DST_BIT;

	for (uint32_t f = 0; f < DXG_TEXEL_FORMAT_END; f++) {
		struct dxg_vk_image_caps *c = &d->image_caps[f];
		VkImageUsageFlags usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT |
					  VK_IMAGE_USAGE_TRANSFER_DST_BIT;
		VkImageFormatProperties ip;
		VkFormatProperties fp;
		uint32_t have;

		*c = (struct dxg_vk_image_caps) { 0 };
		if (!dxg_texel_format(f).size)
			continue;
		vkGetPhysicalDeviceFormatProperties(d->phys, (VkFormat)f, &fp);
		have = fp.linearTilingFeatures;
		if (have & VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT)
			usage |= VK_IMAGE_USAGE_STORAGE_BIT;
		if (have & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT)
			usage |= VK_IMAGE_USAGE_SAMPLED_BIT;
		if ((have & xfer) != xfer ||
		    !(usage & (VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_SAMPLED_BIT)) ||
		    vkGetPhysicalDeviceImageFormatProperties(d->phys, (VkFormat)f,
							     VK_IMAGE_TYPE_2D,
							     VK_IMAGE_TILING_LINEAR,
							     usage, 0, &ip) != VK_SUCCESS)
			continue;
		c->features = have & DXG_VK_IMAGE_FEATURES;
		c->usage = usage;
		c->max_width = ip.maxExtent.width;
		c->max_height = ip.maxExtent.height;
	}
}

static int32_t check_extent(const struct dxg_vk_device *d, uint32_t format,
			    uint32_t width, uint32_t height)
{
	const struct dxg_vk_image_caps *c;

	if (!width || !height)
		return STATUS_INVALID_PARAMETER;
	if (format >= DXG_TEXEL_FORMAT_END)
		return STATUS_NOT_SUPPORTED;
	c = &d->image_caps[format];
	if (!c->features || width > c->max_width || height > c->max_height)
		return STATUS_NOT_SUPPORTED;
	return 0;
}

int32_t dxg_vk_image_layout(struct dxg_vk_device *d, uint32_t format, uint32_t width,
			    uint32_t height, struct dxg_vk_image_layout *out)
{
	const VkImageSubresource sub = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0 };
	VkSubresourceLayout sl;
	VkMemoryRequirements req;
	VkImage img;
	VkResult r;
	VkImageCreateInfo ci;
	int32_t st = check_extent(d, format, width, height);

	if (st)
		return st;
	ci = image_info(d, format, width, height);
	r = vkCreateImage(d->device, &ci, NULL, &img);
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	vkGetImageMemoryRequirements(d->device, img, &req);
	vkGetImageSubresourceLayout(d->device, img, &sub, &sl);
	vkDestroyImage(d->device, img, NULL);
	/* Device memory's type, an offset of 0: what a guest's image starts at. */
	if (!bindable(&req, d->devmem_type) || sl.offset ||
	    (req.alignment & (req.alignment - 1)))
		return STATUS_NOT_SUPPORTED;
	out->size = req.size;
	out->alignment = req.alignment ? req.alignment : 1;
	out->row_pitch = sl.rowPitch;
	return 0;
}

int32_t dxg_vk_image_make(struct dxg_vk_device *d, const struct dxg_vk_devmem *m,
			  uint64_t offset, uint64_t size, uint32_t format, uint32_t width,
			  uint32_t height, const uint8_t swizzle[4], VkImage *image,
			  VkImageView *view)
{
	VkImageCreateInfo ci;
	VkImageViewCreateInfo vi = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
		.viewType = VK_IMAGE_VIEW_TYPE_2D,
		.format = (VkFormat)format,
		.components = { (VkComponentSwizzle)swizzle[0], (VkComponentSwizzle)swizzle[1],
				(VkComponentSwizzle)swizzle[2], (VkComponentSwizzle)swizzle[3] },
		.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
	};
	VkMemoryRequirements req;
	VkResult r;
	int32_t st = check_extent(d, format, width, height);

	*image = VK_NULL_HANDLE;
	*view = VK_NULL_HANDLE;
	if (st)
		return st;
	ci = image_info(d, format, width, height);
	r = vkCreateImage(d->device, &ci, NULL, image);
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	dxg_vk_objects(d, 1);
	vkGetImageMemoryRequirements(d->device, *image, &req);
	/* The range must hold the whole image, its start aligned. */
	st = !bindable(&req, m->type) ? STATUS_NOT_SUPPORTED :
	     (req.alignment && offset % req.alignment) || req.size > size ||
	     offset > m->size || req.size > m->size - offset ?
	     STATUS_INVALID_PARAMETER : 0;
	if (!st) {
		r = vkBindImageMemory(d->device, *image, m->mem, offset);
		vi.image = *image;
		if (r == VK_SUCCESS)
			r = vkCreateImageView(d->device, &vi, NULL, view);
		dxg_vk_objects(d, DXG_VK_LIVE(*view));
		st = dxg_vk_status(r);
	}
	if (st) {
		dxg_vk_image_free(d, *image, *view);
		*image = VK_NULL_HANDLE;
		*view = VK_NULL_HANDLE;
	}
	return st;
}

void dxg_vk_image_free(struct dxg_vk_device *d, VkImage image, VkImageView view)
{
	dxg_vk_objects(d, -(DXG_VK_LIVE(image) + DXG_VK_LIVE(view)));
	vkDestroyImageView(d->device, view, NULL);
	vkDestroyImage(d->device, image, NULL);
}
