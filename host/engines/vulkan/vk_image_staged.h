/* SPDX-License-Identifier: MIT */
/*
 * Image views that are more than one linear 2D image: a 2D view of several
 * levels (sampled), a 2D array view, a 3D view, a cube view (DISPATCH5,
 * docs/command-stream.md "Image views").  The guest's memory holds each
 * level of each layer (each slice of a 3D level) as a linear 2D image
 * (vk_image.h) at the image's alignment; linear tiling has no levels,
 * layers or depth on most devices, so for each dispatch that binds such a
 * view dxghost makes an OPTIMAL image of the view's shape in memory of its
 * own, copies every subresource in before the kernel and, for a storage
 * image, out again after it, and destroys image and memory when the
 * dispatch is done.  No image outlives a dispatch, as with the linear
 * ones; the price is the copies, proportional to the view's size.
 */
#ifndef DXGHOST_VK_IMAGE_STAGED_H
#define DXGHOST_VK_IMAGE_STAGED_H

#include <stdbool.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

#include "engines/engine.h"
#include "engines/vulkan/vk_device.h"

/* Copies one staged image takes (levels x layers, or x slices): at most. */
#define DXG_VK_STAGED_MAX_REGIONS	8192u

struct dxg_vk_staged {
	VkImage image;
	VkImageView view;
	VkDeviceMemory mem;
	VkBuffer buffer;		/* the guest memory's (not ours to free) */
	VkBufferImageCopy *regions;	/* every subresource (slice) */
	uint32_t num_regions;
	uint32_t levels, layers;	/* the image's, for its barriers */
	bool write_back;		/* a storage image: copied out after */
};

/*
 * Does binding @b (an image slot's; levels 0: DISPATCH4's 2D view of one
 * level) name a view that needs staging: more than one level of a 2D
 * image, or a 2D array, 3D or cube view?
 */
static inline bool dxg_vk_staged_needed(const struct dxg_engine_binding *b)
{
	return b->view_type != DXG_VIEW_2D || b->levels > 1;
}

/*
 * The staged image of @b, whose range is @buffer from @offset: its layout
 * in that range checked (every level's linear layout within the image's
 * alignment, the whole view inside the range), the device's optimal
 * images of @usage allowing its shape.  @write_back: copy it out after.
 * Returns 0, STATUS_INVALID_PARAMETER (a shape that does not fit),
 * STATUS_NOT_SUPPORTED (one the device lacks), STATUS_NO_MEMORY.  The
 * caller frees *s (also on failure).
 */
int32_t dxg_vk_staged_make(struct dxg_vk_device *d, const struct dxg_engine_binding *b,
			   VkBuffer buffer, uint64_t offset, VkImageUsageFlags usage,
			   bool write_back, struct dxg_vk_staged *s);

/* Before the dispatch: the subresources copied in, the image made GENERAL. */
void dxg_vk_staged_copy_in(VkCommandBuffer cb, const struct dxg_vk_staged *s);

/* After it: a storage image's subresources copied out (nothing otherwise). */
void dxg_vk_staged_copy_out(VkCommandBuffer cb, const struct dxg_vk_staged *s);

void dxg_vk_staged_free(struct dxg_vk_device *d, struct dxg_vk_staged *s);

#endif /* DXGHOST_VK_IMAGE_STAGED_H */
