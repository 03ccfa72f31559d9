/* SPDX-License-Identifier: MIT */
/*
 * Storage and sampled images over device memory (docs/vulkan-backend.md,
 * "Storage images").  A guest's image is bytes of a device-memory allocation laid
 * out as the host device lays out a LINEAR 2D image of its format and
 * extent: rows row_pitch apart.  The host makes a VkImage over those bytes
 * for each dispatch that binds it (and a view), created PREINITIALIZED so
 * that the transition to GENERAL keeps what the memory holds, and destroys
 * both when the dispatch is done; the guest copies rows in and out with
 * ordinary COPY commands.  No image outlives a dispatch, so nothing ties an
 * image's lifetime to its memory's.
 */
#ifndef DXGHOST_VK_IMAGE_H
#define DXGHOST_VK_IMAGE_H

#include <stdint.h>

#include <vulkan/vulkan.h>

#include "engines/vulkan/vk_device.h"
#include "engines/vulkan/vk_devmem.h"

/* The image format features a guest may be offered (linear tiling's). */
#define DXG_VK_IMAGE_FEATURES \
	(VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT | \
	 VK_FORMAT_FEATURE_STORAGE_IMAGE_ATOMIC_BIT | \
	 VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT | \
	 VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT | \
	 VK_FORMAT_FEATURE_TRANSFER_SRC_BIT | VK_FORMAT_FEATURE_TRANSFER_DST_BIT)

struct dxg_vk_image_layout {
	uint64_t size;		/* bytes from the image's start */
	uint64_t alignment;	/* of its start in the memory */
	uint64_t row_pitch;	/* bytes between rows */
};

/*
 * Fills d->image_caps: per format of the texel table, what linear 2D
 * images have.  Every image of a format has one usage (caps.usage: the
 * transfers, and storage and sampled where the format has them), so its
 * layout depends on its format and extent only.
 */
void dxg_vk_image_caps_read(struct dxg_vk_device *d);

/*
 * The layout of a @width x @height image of @format, and that it can live
 * in device memory.  STATUS_NOT_SUPPORTED: not such an image here (a
 * format without the features, an extent beyond the device's, memory the
 * image cannot be bound to).
 */
int32_t dxg_vk_image_layout(struct dxg_vk_device *d, uint32_t format, uint32_t width,
			    uint32_t height, struct dxg_vk_image_layout *out);

/*
 * An image (and its view, of component mapping @swizzle: checked
 * VkComponentSwizzle values) over @m at @offset, whose range there is
 * @size bytes: the layout must fit the range and its alignment the offset
 * (else STATUS_INVALID_PARAMETER).  The caller destroys both.
 */
int32_t dxg_vk_image_make(struct dxg_vk_device *d, const struct dxg_vk_devmem *m,
			  uint64_t offset, uint64_t size, uint32_t format, uint32_t width,
			  uint32_t height, const uint8_t swizzle[4], VkImage *image,
			  VkImageView *view);

void dxg_vk_image_free(struct dxg_vk_device *d, VkImage image, VkImageView view);

#endif /* DXGHOST_VK_IMAGE_H */
