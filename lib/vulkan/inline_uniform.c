// SPDX-License-Identifier: MIT
/*
 * Inline uniform blocks (Vulkan 1.3's inlineUniformBlock,
 * VK_EXT_inline_uniform_block): a uniform block whose bytes live in the
 * descriptor set itself.  In SPIR-V such a block is an ordinary uniform
 * buffer, so the host needs nothing new: each set whose layout has blocks
 * gets one IO-space allocation (CPU-mapped, at a GPU VA), every block a
 * 256-byte-aligned range of it (the largest minUniformBufferOffsetAlignment
 * the spec allows), and a dispatch binds that range as a uniform buffer.
 * Updates write the mapping.  Vulkan forbids updating a set that a pending
 * command buffer uses (update-after-bind is not offered), so the GPU reads
 * at execution what the set held at submission, as the spec says.
 */
#include <string.h>

#include "odx.h"

/* One block's largest size, and blocks per stage and per set (ours). */
#define ODX_INLINE_MAX_SIZE	4096u
#define ODX_INLINE_MAX_BLOCKS	4u
#define ODX_INLINE_ALIGN	256u

bool odx_inline_layout(struct odx_set_layout *l)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < l->count; i++) {
		struct odx_set_binding *b = &l->b[i];

		if (b->type != VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK)
			continue;
		/* Its count is bytes (its one slot: descriptor.c). */
		b->inline_offset = (uint32_t)total;
		total += ((uint64_t)b->count + ODX_INLINE_ALIGN - 1) & ~(uint64_t)(ODX_INLINE_ALIGN - 1);
		if (total > (uint64_t)ODX_INLINE_MAX_BLOCKS * ODX_INLINE_MAX_SIZE * DXG_PIPELINE_MAX_SETS)
			return false;
	}
	l->inline_bytes = (uint32_t)total;
	return true;
}

bool odx_inline_layout_supported(const VkDescriptorSetLayoutCreateInfo *ci)
{
	uint32_t blocks = 0;

	for (uint32_t i = 0; i < ci->bindingCount; i++) {
		const VkDescriptorSetLayoutBinding *b = &ci->pBindings[i];

		if (b->descriptorType != VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK)
			continue;
		if (++blocks > ODX_INLINE_MAX_BLOCKS || b->descriptorCount > ODX_INLINE_MAX_SIZE)
			return false;
	}
	return true;
}

VkResult odx_inline_set_create(struct odx_device *d, struct odx_descriptor_set *s)
{
	VkResult r;

	if (!s->layout->inline_bytes)
		return VK_SUCCESS;
	r = odx_memory_create(d, s->layout->inline_bytes, false, &s->inline_mem);
	if (r == VK_SUCCESS)
		memset(s->inline_mem->cpu, 0, s->layout->inline_bytes);
	return r;
}

void odx_inline_set_destroy(struct odx_device *d, struct odx_descriptor_set *s)
{
	if (s->inline_mem)
		odx_memory_destroy(d, s->inline_mem);
	s->inline_mem = NULL;
}

/* @binding's block of @s, with [offset, offset + size) inside it; or NULL. */
static uint8_t *block(const struct odx_descriptor_set *s, uint32_t binding,
		      uint32_t offset, uint32_t size)
{
	const struct odx_set_binding *b;

	if (!s || !s->inline_mem)
		return NULL;
	b = odx_set_layout_find(s->layout, binding, NULL);
	if (!b || b->type != VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK ||
	    offset > b->count || size > b->count - offset)
		return NULL;
	return s->inline_mem->cpu + b->inline_offset + offset;
}

void odx_inline_write(struct odx_descriptor_set *s, uint32_t binding, uint32_t offset,
		      const void *data, uint32_t size)
{
	uint8_t *p = block(s, binding, offset, size);

	if (p && data)
		memcpy(p, data, size);
}

void odx_inline_copy(struct odx_descriptor_set *dst, uint32_t dst_binding, uint32_t dst_offset,
		     const struct odx_descriptor_set *src, uint32_t src_binding,
		     uint32_t src_offset, uint32_t size)
{
	uint8_t *to = block(dst, dst_binding, dst_offset, size);
	const uint8_t *from = block(src, src_binding, src_offset, size);

	if (to && from)
		memmove(to, from, size);	/* a set may copy into itself */
}

bool odx_inline_range(const struct odx_descriptor_set *s, const struct odx_set_binding *b,
		      uint64_t *va, uint64_t *size)
{
	if (!s->inline_mem || b->type != VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK || !b->count)
		return false;
	*va = s->inline_mem->va + b->inline_offset;
	*size = b->count;
	return true;
}

void odx_inline_limits(const struct odx_physical_device *pd,
		       VkPhysicalDeviceInlineUniformBlockProperties *out,
		       uint32_t *total_size)
{
	uint32_t range = pd->host.properties.limits.maxUniformBufferRange;
	uint32_t size = range < ODX_INLINE_MAX_SIZE ? range : ODX_INLINE_MAX_SIZE;

	/* The host binds each block as a uniform buffer: no larger than one. */
	out->maxInlineUniformBlockSize = size;
	out->maxPerStageDescriptorInlineUniformBlocks = ODX_INLINE_MAX_BLOCKS;
	out->maxPerStageDescriptorUpdateAfterBindInlineUniformBlocks = ODX_INLINE_MAX_BLOCKS;
	out->maxDescriptorSetInlineUniformBlocks = ODX_INLINE_MAX_BLOCKS;
	out->maxDescriptorSetUpdateAfterBindInlineUniformBlocks = ODX_INLINE_MAX_BLOCKS;
	*total_size = ODX_INLINE_MAX_BLOCKS * size;
}
