// SPDX-License-Identifier: MIT
/*
 * Buffers, the memory they live in, and moving data between the CPU and
 * device-only memory (vkctx.h).
 *
 * A device whose memory the CPU cannot map (a discrete GPU's VRAM) gets
 * the working buffers there and host-visible staging buffers beside them;
 * a device with one kind of memory (lavapipe, integrated GPUs) uses
 * host-visible memory directly, or like the other with --staging (which
 * is how the staged path is tested on lavapipe).  Host-visible memory that is not coherent
 * is flushed after CPU writes and invalidated before CPU reads, over whole
 * multiples of nonCoherentAtomSize as the specification requires.
 */
#include "vkctx.h"

#include <stdio.h>
#include <string.h>

static VkDeviceSize align_up(VkDeviceSize v, VkDeviceSize a)
{
	return a ? (v + a - 1) / a * a : v;
}

/* The first memory type in @bits with all of @want and none of @avoid. */
static uint32_t find_type(const struct vkc *c, uint32_t bits, VkMemoryPropertyFlags want,
			  VkMemoryPropertyFlags avoid)
{
	for (uint32_t i = 0; i < c->mem.memoryTypeCount; i++) {
		VkMemoryPropertyFlags f = c->mem.memoryTypes[i].propertyFlags;

		if ((bits & (1u << i)) && (f & want) == want && !(f & avoid))
			return i;
	}
	return UINT32_MAX;
}

static uint32_t choose_type(const struct vkc *c, uint32_t bits, enum vkc_where where)
{
	const VkMemoryPropertyFlags dl = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
		hv = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, hc = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
	uint32_t t = UINT32_MAX;

	if (where == VKC_GPU && c->staged)
		t = find_type(c, bits, dl, hv);
	/* Staging: cached memory makes reading results back fast. */
	if (t == UINT32_MAX && where == VKC_HOST)
		t = find_type(c, bits, hv | hc, 0);
	/* Working buffers the CPU maps: the device's own memory if it can. */
	if (t == UINT32_MAX)
		t = find_type(c, bits, hv | dl, 0);
	if (t == UINT32_MAX)
		t = find_type(c, bits, hv, 0);
	return t;
}

int vkc_buffer_create(struct vkc *c, VkDeviceSize size, VkBufferUsageFlags usage,
		      enum vkc_where where, struct vkc_buffer *b)
{
	VkBufferCreateInfo bi = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = usage,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkMemoryAllocateInfo ai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };
	VkDeviceSize atom = c->props.limits.nonCoherentAtomSize;
	VkMemoryRequirements req;
	VkMemoryPropertyFlags flags;

	memset(b, 0, sizeof(*b));
	b->size = size;
	if (!VKC_OK(c, vkCreateBuffer(c->dev, &bi, NULL, &b->buf)))
		return -1;
	vkGetBufferMemoryRequirements(c->dev, b->buf, &req);
	ai.memoryTypeIndex = choose_type(c, req.memoryTypeBits, where);
	if (ai.memoryTypeIndex == UINT32_MAX) {
		printf("%s: no memory type for a buffer of %llu bytes (types 0x%x)\n", c->prog,
		       (unsigned long long)size, req.memoryTypeBits);
		return -1;
	}
	flags = c->mem.memoryTypes[ai.memoryTypeIndex].propertyFlags;
	/* Whole atoms: the flush and invalidate ranges below stay inside. */
	ai.allocationSize = align_up(req.size, atom);
	if (!VKC_OK(c, vkAllocateMemory(c->dev, &ai, NULL, &b->mem)) ||
	    !VKC_OK(c, vkBindBufferMemory(c->dev, b->buf, b->mem, 0)))
		return -1;
	if (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
		b->coherent = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
		b->sync_size = align_up(size, atom);
		if (!VKC_OK(c, vkMapMemory(c->dev, b->mem, 0, VK_WHOLE_SIZE, 0, &b->map)))
			return -1;
	}
	return 0;
}

void vkc_buffer_destroy(struct vkc *c, struct vkc_buffer *b)
{
	if (b->buf)
		vkDestroyBuffer(c->dev, b->buf, NULL);
	if (b->mem) {
		if (b->map)
			vkUnmapMemory(c->dev, b->mem);
		vkFreeMemory(c->dev, b->mem, NULL);
	}
	memset(b, 0, sizeof(*b));
}

static VkMappedMemoryRange range_of(const struct vkc_buffer *b)
{
	return (VkMappedMemoryRange){
		.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
		.memory = b->mem,
		.offset = 0,
		.size = b->sync_size,
	};
}

int vkc_flush(struct vkc *c, const struct vkc_buffer *b)
{
	VkMappedMemoryRange r = range_of(b);

	if (!b->map || b->coherent)
		return 0;
	return VKC_OK(c, vkFlushMappedMemoryRanges(c->dev, 1, &r)) ? 0 : -1;
}

int vkc_invalidate(struct vkc *c, const struct vkc_buffer *b)
{
	VkMappedMemoryRange r = range_of(b);

	if (!b->map || b->coherent)
		return 0;
	return VKC_OK(c, vkInvalidateMappedMemoryRanges(c->dev, 1, &r)) ? 0 : -1;
}

int vkc_array_create(struct vkc *c, VkDeviceSize size, struct vkc_array *a)
{
	const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
		VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

	memset(a, 0, sizeof(*a));
	a->size = size;
	if (vkc_buffer_create(c, size, usage, VKC_GPU, &a->gpu))
		return -1;
	/* Host-visible working memory: no staging, unless asked for. */
	if (a->gpu.map && !c->staged) {
		a->cpu = a->gpu.map;
		return 0;
	}
	if (vkc_buffer_create(c, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
			      VK_BUFFER_USAGE_TRANSFER_DST_BIT, VKC_HOST, &a->stage))
		return -1;
	a->cpu = a->stage.map;
	return 0;
}

void vkc_array_destroy(struct vkc *c, struct vkc_array *a)
{
	vkc_buffer_destroy(c, &a->gpu);
	vkc_buffer_destroy(c, &a->stage);
	a->cpu = NULL;
}

static void xfer_barrier(VkCommandBuffer cb, VkPipelineStageFlags src, VkAccessFlags src_access,
			 VkPipelineStageFlags dst, VkAccessFlags dst_access)
{
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = src_access,
		.dstAccessMask = dst_access,
	};

	vkCmdPipelineBarrier(cb, src, dst, 0, 1, &mb, 0, NULL, 0, NULL);
}

/* Copies every staged array one way in one submission of c->xfer. */
static int copy_staged(struct vkc *c, struct vkc_array *const *a, unsigned int n, bool up)
{
	const VkPipelineStageFlags work = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
					  VK_PIPELINE_STAGE_TRANSFER_BIT;
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	bool any = false;

	for (unsigned int i = 0; i < n; i++)
		any |= a[i]->stage.buf != VK_NULL_HANDLE;
	if (!any)
		return 0;
	if (!VKC_OK(c, vkBeginCommandBuffer(c->xfer, &bi)))
		return -1;
	/* Earlier device work on these buffers is done and its writes seen. */
	xfer_barrier(c->xfer, work, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
		     VK_PIPELINE_STAGE_TRANSFER_BIT,
		     VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT);
	for (unsigned int i = 0; i < n; i++) {
		VkBufferCopy r = { .size = a[i]->size };

		if (!a[i]->stage.buf)
			continue;
		if (up)
			vkCmdCopyBuffer(c->xfer, a[i]->stage.buf, a[i]->gpu.buf, 1, &r);
		else
			vkCmdCopyBuffer(c->xfer, a[i]->gpu.buf, a[i]->stage.buf, 1, &r);
	}
	if (!up)
		xfer_barrier(c->xfer, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
			     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
	if (!VKC_OK(c, vkEndCommandBuffer(c->xfer)))
		return -1;
	return vkc_submit_wait(c, c->xfer);
}

int vkc_upload(struct vkc *c, struct vkc_array *const *a, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (vkc_flush(c, a[i]->stage.buf ? &a[i]->stage : &a[i]->gpu))
			return -1;
	return copy_staged(c, a, n, true);
}

int vkc_download(struct vkc *c, struct vkc_array *const *a, unsigned int n)
{
	if (copy_staged(c, a, n, false))
		return -1;
	for (unsigned int i = 0; i < n; i++)
		if (vkc_invalidate(c, a[i]->stage.buf ? &a[i]->stage : &a[i]->gpu))
			return -1;
	return 0;
}
