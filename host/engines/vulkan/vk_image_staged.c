// SPDX-License-Identifier: MIT
/* Image views of several levels, layers or slices (see vk_image_staged.h). */
#include "engines/vulkan/vk_image_staged.h"

#include <stdlib.h>

#include "dxg/cmdstream.h"
#include "dxg/ntstatus.h"
#include "dxg/texel_format.h"
#include "engines/vulkan/vk_image.h"
#include "engines/vulkan/vk_status.h"

/* Bounds that keep every sum below 2^64 (ranges are far smaller). */
#define BIG	(UINT64_MAX / 4)

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static uint32_t at_level(uint32_t v, uint32_t l)
{
	return l < 32 && v >> l ? v >> l : 1;
}

/* The levels of a whole mipmap chain of the largest of three extents. */
static uint32_t chain(uint32_t w, uint32_t h, uint32_t d)
{
	uint32_t m = w > h ? w : h, n = 1;

	for (m = m > d ? m : d; m > 1; m >>= 1)
		n++;
	return n;
}

/*
 * Where every subresource lies in the guest's range (docs/command-stream.md
 * "Image views"), as copies from @offset of the range's buffer: level l of
 * layer k at k * layer_stride + the levels before it, each slice of a 3D
 * level a linear image of the level's extent rounded up to 16 bytes and to
 * the image's alignment.  The whole view must lie inside the range.
 */
static int32_t plan(struct dxg_vk_device *d, const struct dxg_engine_binding *b,
		    uint64_t offset, struct dxg_vk_staged *s)
{
	const uint32_t texel = dxg_texel_format(b->format).size;
	const bool is3d = b->view_type == DXG_VIEW_3D;
	uint64_t level_off[32], slice[32], pitch[32], span = 0, total;
	uint32_t n = 0;

	for (uint32_t l = 0; l < b->levels; l++) {
		uint32_t w = at_level(b->width, l), h = at_level(b->height, l);
		uint32_t slices = is3d ? at_level(b->depth, l) : 1;
		struct dxg_vk_image_layout lay;
		int32_t st = dxg_vk_image_layout(d, b->format, w, h, &lay);

		if (st)
			return st;
		if (lay.alignment > b->align || lay.row_pitch % texel ||
		    lay.row_pitch < (uint64_t)w * texel || lay.size > BIG)
			return STATUS_INVALID_PARAMETER;
		slice[l] = align_up(align_up(lay.size, 16), b->align);
		pitch[l] = lay.row_pitch;
		level_off[l] = span;
		if (slice[l] > (BIG - span) / slices)
			return STATUS_INVALID_PARAMETER;
		span += slices * slice[l];
		n += slices;
	}
	total = span;
	if (b->layers > 1) {
		if (b->layer_stride < span || b->layer_stride % b->align ||
		    b->layer_stride > BIG / (b->layers - 1) ||
		    n > DXG_VK_STAGED_MAX_REGIONS / b->layers)
			return STATUS_INVALID_PARAMETER;
		total = (b->layers - 1) * b->layer_stride + span;
		n *= b->layers;
	}
	if (total > b->size || n > DXG_VK_STAGED_MAX_REGIONS)
		return STATUS_INVALID_PARAMETER;
	s->regions = calloc(n, sizeof(*s->regions));
	if (!s->regions)
		return STATUS_NO_MEMORY;
	for (uint32_t k = 0; k < b->layers; k++)
		for (uint32_t l = 0; l < b->levels; l++)
			for (uint32_t z = 0; z < (is3d ? at_level(b->depth, l) : 1); z++)
				s->regions[s->num_regions++] = (VkBufferImageCopy) {
					.bufferOffset = offset + k * b->layer_stride +
							level_off[l] + z * slice[l],
					.bufferRowLength = (uint32_t)(pitch[l] / texel),
					.imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, l,
							      is3d ? 0 : k, 1 },
					.imageOffset = { 0, 0, (int32_t)z },
					.imageExtent = { at_level(b->width, l),
							 at_level(b->height, l), 1 },
				};
	return 0;
}

/* The device's optimal images of this shape and @usage: is @ci one? */
static int32_t shape_ok(const struct dxg_vk_device *d, const VkImageCreateInfo *ci)
{
	VkImageFormatProperties ip;

	if (vkGetPhysicalDeviceImageFormatProperties(d->phys, ci->format, ci->imageType,
						     ci->tiling, ci->usage, ci->flags,
						     &ip) != VK_SUCCESS ||
	    ci->extent.width > ip.maxExtent.width || ci->extent.height > ip.maxExtent.height ||
	    ci->extent.depth > ip.maxExtent.depth || ci->mipLevels > ip.maxMipLevels ||
	    ci->arrayLayers > ip.maxArrayLayers)
		return STATUS_NOT_SUPPORTED;
	return 0;
}

/* Memory of its own for @s->image: device-local where the image may have it. */
static int32_t bind_memory(struct dxg_vk_device *d, struct dxg_vk_staged *s, uint64_t range)
{
	VkMemoryAllocateInfo ai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };
	VkMemoryRequirements req;
	uint32_t type = UINT32_MAX;
	VkResult r;

	vkGetImageMemoryRequirements(d->device, s->image, &req);
	/* Optimal layouts pad, but not past a few times the bytes plus some. */
	if (req.size > 4 * range + (64u << 20))
		return STATUS_NO_MEMORY;
	for (uint32_t i = 0; i < d->mem.memoryTypeCount && i < 32; i++)
		if ((req.memoryTypeBits & (1u << i)) &&
		    (type == UINT32_MAX ||
		     ((d->mem.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) &&
		      !(d->mem.memoryTypes[type].propertyFlags &
			VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT))))
			type = i;
	if (type == UINT32_MAX)
		return STATUS_NOT_SUPPORTED;
	ai.allocationSize = req.size;
	ai.memoryTypeIndex = type;
	r = vkAllocateMemory(d->device, &ai, NULL, &s->mem);
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	dxg_vk_objects(d, 1);
	return dxg_vk_status(vkBindImageMemory(d->device, s->image, s->mem, 0));
}

int32_t dxg_vk_staged_make(struct dxg_vk_device *d, const struct dxg_engine_binding *b,
			   VkBuffer buffer, uint64_t offset, VkImageUsageFlags usage,
			   bool write_back, struct dxg_vk_staged *s)
{
	const bool is3d = b->view_type == DXG_VIEW_3D, cube = b->view_type == DXG_VIEW_CUBE;
	VkImageCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.flags = cube ? VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT : 0,
		.imageType = is3d ? VK_IMAGE_TYPE_3D : VK_IMAGE_TYPE_2D,
		.format = (VkFormat)b->format,
		.extent = { b->width, b->height, b->depth },
		.mipLevels = b->levels,
		.arrayLayers = b->layers,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_OPTIMAL,
		.usage = usage | VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
		.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
	};
	VkImageViewCreateInfo vi = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
		.viewType = b->view_type == DXG_VIEW_2D ? VK_IMAGE_VIEW_TYPE_2D :
			    b->view_type == DXG_VIEW_2D_ARRAY ? VK_IMAGE_VIEW_TYPE_2D_ARRAY :
			    cube ? VK_IMAGE_VIEW_TYPE_CUBE : VK_IMAGE_VIEW_TYPE_3D,
		.format = (VkFormat)b->format,
		.components = { (VkComponentSwizzle)b->swizzle[0], (VkComponentSwizzle)b->swizzle[1],
				(VkComponentSwizzle)b->swizzle[2], (VkComponentSwizzle)b->swizzle[3] },
		.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, b->levels, 0, b->layers },
	};
	int32_t st;
	VkResult r;

	*s = (struct dxg_vk_staged) {
		.buffer = buffer, .levels = b->levels, .layers = b->layers,
		.write_back = write_back,
	};
	/* The view's shape: the decoder bounded the fields, not their sense. */
	if (!b->width || !b->height || b->view_type > DXG_VIEW_TYPE_MAX || !b->levels ||
	    !b->layers || !b->depth || (!is3d && b->depth != 1) ||
	    (cube ? b->layers != 6 || b->width != b->height :
	     b->view_type != DXG_VIEW_2D_ARRAY && b->layers != 1) ||
	    b->levels > chain(b->width, b->height, b->depth) || !b->align ||
	    (b->align & (b->align - 1)))
		return STATUS_INVALID_PARAMETER;
	st = shape_ok(d, &ci);
	if (!st)
		st = plan(d, b, offset, s);
	if (st)
		return st;
	r = vkCreateImage(d->device, &ci, NULL, &s->image);
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	dxg_vk_objects(d, 1);
	st = bind_memory(d, s, b->size);
	if (st)
		return st;
	vi.image = s->image;
	r = vkCreateImageView(d->device, &vi, NULL, &s->view);
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	dxg_vk_objects(d, 1);
	return 0;
}

static void image_barrier(VkCommandBuffer cb, const struct dxg_vk_staged *s,
			  VkPipelineStageFlags from_stage, VkPipelineStageFlags to_stage,
			  VkAccessFlags from, VkAccessFlags to, VkImageLayout old,
			  VkImageLayout new, const VkMemoryBarrier *mb)
{
	const VkImageMemoryBarrier ib = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.srcAccessMask = from, .dstAccessMask = to,
		.oldLayout = old, .newLayout = new,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.image = s->image,
		.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, s->levels, 0, s->layers },
	};

	vkCmdPipelineBarrier(cb, from_stage, to_stage, 0, mb ? 1 : 0, mb, 0, NULL, 1, &ib);
}

void dxg_vk_staged_copy_in(VkCommandBuffer cb, const struct dxg_vk_staged *s)
{
	/* What earlier submissions wrote to the guest's memory, then read. */
	const VkMemoryBarrier earlier = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
	};

	image_barrier(cb, s, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
		      0, VK_ACCESS_TRANSFER_WRITE_BIT, VK_IMAGE_LAYOUT_UNDEFINED,
		      VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &earlier);
	vkCmdCopyBufferToImage(cb, s->buffer, s->image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
			       s->num_regions, s->regions);
	image_barrier(cb, s, VK_PIPELINE_STAGE_TRANSFER_BIT,
		      VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
		      VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
		      VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_GENERAL, NULL);
}

void dxg_vk_staged_copy_out(VkCommandBuffer cb, const struct dxg_vk_staged *s)
{
	if (!s->write_back)
		return;
	image_barrier(cb, s, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
		      VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
		      VK_ACCESS_TRANSFER_READ_BIT, VK_IMAGE_LAYOUT_GENERAL,
		      VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, NULL);
	vkCmdCopyImageToBuffer(cb, s->image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, s->buffer,
			       s->num_regions, s->regions);
}

void dxg_vk_staged_free(struct dxg_vk_device *d, struct dxg_vk_staged *s)
{
	dxg_vk_objects(d, -(DXG_VK_LIVE(s->view) + DXG_VK_LIVE(s->image) + DXG_VK_LIVE(s->mem)));
	vkDestroyImageView(d->device, s->view, NULL);
	vkDestroyImage(d->device, s->image, NULL);
	vkFreeMemory(d->device, s->mem, NULL);
	free(s->regions);
	*s = (struct dxg_vk_staged) { 0 };
}
