// SPDX-License-Identifier: MIT
/*
 * Recording: each vkCmd* becomes commands of the open command stream.  The
 * Vulkan state a dispatch needs (pipeline, descriptor sets with their
 * dynamic offsets, push constants) is kept here and resolved when the
 * dispatch is recorded: every buffer the pipeline's shader declares is
 * bound by GPU VA range, in the pipeline's slot order.  Barriers of any
 * kind are the stream's BARRIER (the stream has one kind).
 */
#include <stdbool.h>
#include <string.h>

#include "odx.h"

#define CMD(h)	((struct odx_cmd_buffer *)(h))

/* The encoder ran out of memory: the recording fails at vkEndCommandBuffer. */
void odx_cmd_check(struct odx_cmd_buffer *c, bool ok)
{
	if (!ok && c->error == VK_SUCCESS)
		c->error = VK_ERROR_OUT_OF_HOST_MEMORY;
	c->last_was_barrier = false;
}

uint64_t odx_buffer_va(const struct odx_buffer *b, uint64_t offset)
{
	return b && b->mem ? b->mem->va + b->offset + offset : 0;
}

void odx_cmd_barrier(struct odx_cmd_buffer *c)
{
	if (c->last_was_barrier)
		return;
	odx_cmd_check(c, dxg_enc_barrier(&c->enc));
	c->last_was_barrier = true;
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdBindPipeline(VkCommandBuffer commandBuffer, VkPipelineBindPoint bindPoint,
		    VkPipeline pipeline)
{
	if (bindPoint == VK_PIPELINE_BIND_POINT_COMPUTE)
		CMD(commandBuffer)->pipeline = ODX_FROM_HANDLE(odx_pipeline, pipeline);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdBindDescriptorSets(VkCommandBuffer commandBuffer, VkPipelineBindPoint bindPoint,
			  VkPipelineLayout layout, uint32_t firstSet, uint32_t setCount,
			  const VkDescriptorSet *pSets, uint32_t dynamicCount,
			  const uint32_t *pDynamic)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);
	uint32_t next = 0;

	(void)layout;
	if (bindPoint != VK_PIPELINE_BIND_POINT_COMPUTE)
		return;
	for (uint32_t i = 0; i < setCount && firstSet + i < DXG_PIPELINE_MAX_SETS; i++) {
		struct odx_bound_set *b = &c->sets[firstSet + i];
		struct odx_descriptor_set *s = ODX_FROM_HANDLE(odx_descriptor_set, pSets[i]);

		b->set = s;
		memset(b->dynamic, 0, sizeof(b->dynamic));
		if (!s)
			continue;
		for (uint32_t k = 0; k < s->layout->dynamic_count; k++, next++)
			if (k < DXG_CMD_MAX_BINDINGS && next < dynamicCount)
				b->dynamic[k] = pDynamic[next];
	}
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdPushConstants(VkCommandBuffer commandBuffer, VkPipelineLayout layout,
		     VkShaderStageFlags stages, uint32_t offset, uint32_t size,
		     const void *pValues)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	(void)layout, (void)stages;
	if (offset < sizeof(c->push) && size <= sizeof(c->push) - offset)
		memcpy(c->push + offset, pValues, size);
}

/*
 * Slot i of the pipeline as a binding of the command.  A descriptor the
 * application left unwritten (valid when the shader never reads it) gets
 * the device's dummy buffer, so the host always has a range to bind (a
 * texel buffer's with a format its declaration accepts, 240 bytes: whole
 * texels of every size).  A texel buffer's format goes in the flags.
 */
static struct dxg_cmd_binding resolve_buffer(const struct odx_cmd_buffer *c, uint32_t i)
{
	const struct odx_slot *slot = &c->pipeline->slots[i];
	const struct odx_bound_set *bs = &c->sets[slot->set];
	struct dxg_cmd_binding out = {
		.binding = i, .va = c->device->dummy->va,
		.size = dxg_slot_is_texel_buffer(slot->type) ? 240 : 256,
		.flags = dxg_slot_is_texel_buffer(slot->type) ? slot->format << DXG_CMD_BINDING_FORMAT_SHIFT : 0,
	};
	const struct odx_set_binding *b;
	const struct odx_descriptor *d;
	uint64_t offset, range;

	if (!bs->set)
		return out;
	d = odx_set_element(bs->set, slot->binding, slot->element, false, &b);
	if (b && b->type == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) {
		uint64_t va, size;

		/* Its bytes in the set's own memory, as a uniform buffer. */
		if (odx_inline_range(bs->set, b, &va, &size)) {
			out.va = va;
			out.size = size;
		}
		return out;
	}
	if (!d || !d->buffer || !d->buffer->mem || d->offset >= d->buffer->size)
		return out;
	offset = d->offset;
	/* Dynamic offsets: one per element, in binding order. */
	if ((b->type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC ||
	     b->type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC) &&
	    b->dynamic_index + slot->element < DXG_CMD_MAX_BINDINGS)
		offset += bs->dynamic[b->dynamic_index + slot->element];
	range = d->range == VK_WHOLE_SIZE ? d->buffer->size - d->offset : d->range;
	out.va = odx_buffer_va(d->buffer, offset);
	out.size = range;
	if (dxg_slot_is_texel_buffer(slot->type))
		out.flags = d->format << DXG_CMD_BINDING_FORMAT_SHIFT;
	return out;
}

/* log2 of @a, a power of two. */
static uint8_t log2_of(uint64_t a)
{
	uint8_t n = 0;

	while (a > 1) {
		a >>= 1;
		n++;
	}
	return n;
}

/*
 * The bytes a view covers from its first subresource: its levels of one
 * layer (each level's slices), and whole layers before its last.
 */
static uint64_t view_span(const struct odx_image *img, const struct odx_descriptor *d)
{
	uint32_t end = d->level + d->levels;
	uint64_t stop = end < img->levels ? img->level[end].offset : img->layer_size;

	return (uint64_t)(d->layers - 1) * img->layer_size + stop - img->level[d->level].offset;
}

/*
 * An image or sampler slot: its image's memory range, format and extent,
 * its view's shape (DISPATCH5), its sampler's state.  An unwritten image
 * gets a 1x1 image of a format and view type its declaration accepts in
 * the device's dummy image memory, and a combined one the zero sampler
 * (its immutable one might filter linearly, which that format need not
 * allow); an unwritten sampler the zero state (nearest, repeat, level 0).
 */
static struct dxg_cmd_binding5 resolve_image(const struct odx_cmd_buffer *c, uint32_t i)
{
	const struct odx_slot *slot = &c->pipeline->slots[i];
	const struct odx_bound_set *bs = &c->sets[slot->set];
	const struct odx_memory *dummy = atomic_load(&c->device->dummy_image);
	struct dxg_cmd_binding5 out = {
		.b = { .binding = i, .va = dummy ? dummy->va : 0, .size = ODX_DUMMY_IMAGE_SIZE,
		       .flags = slot->format << DXG_CMD_BINDING_FORMAT_SHIFT, .width = 1,
		       .height = 1 },
		/*
		 * Its own allocation, at 8 KiB (any device's linear 1x1
		 * image fits): a cube's six layers in 48 KiB.
		 */
		.view_type = (uint8_t)slot->view, .align_log2 = 13, .levels = 1,
		.layers = slot->view == DXG_VIEW_CUBE ? 6 : 1, .depth = 1,
		.layer_stride = slot->view == DXG_VIEW_CUBE ? 8192 : 0,
	};
	const struct odx_descriptor *d = bs->set ?
		odx_set_element(bs->set, slot->binding, slot->element, false, NULL) : NULL;
	const struct odx_image *img;
	const struct odx_image_level *lv;

	if (d && dxg_slot_has_sampler(slot->type))
		out.b.sampler = d->sampler;
	if (!dxg_slot_is_image(slot->type)) {
		/* A sampler alone: no memory, no view. */
		return (struct dxg_cmd_binding5) { .b = { .binding = i, .sampler = out.b.sampler } };
	}
	if (!d || !d->image || !odx_image_sub_va(d->image, d->level, d->layer, 0)) {
		memset(&out.b.sampler, 0, sizeof(out.b.sampler));
		return out;
	}
	/* The view's first subresource, and its shape. */
	img = d->image;
	lv = &img->level[d->level];
	out.b.va = odx_image_sub_va(img, d->level, d->layer, 0);
	out.b.size = d->view_type == DXG_VIEW_2D && d->levels == 1 ? lv->size :
		     view_span(img, d);
	out.b.flags = d->format << DXG_CMD_BINDING_FORMAT_SHIFT;	/* the view's */
	out.b.width = lv->width;
	out.b.height = lv->height;
	if (slot->type != DXG_SLOT_STORAGE_IMAGE)
		memcpy(out.b.swizzle, d->swizzle, sizeof(out.b.swizzle));
	out.view_type = (uint8_t)d->view_type;
	out.align_log2 = log2_of(img->alignment);
	out.levels = (uint16_t)d->levels;
	out.layers = d->layers;
	out.depth = lv->depth;
	out.layer_stride = d->layers > 1 ? img->layer_size : 0;
	return out;
}

/* A view more than DISPATCH4's one linear 2D image: DISPATCH5's. */
static bool staged_view(const struct dxg_cmd_binding5 *b)
{
	return b->view_type != DXG_VIEW_2D || b->levels > 1;
}

/*
 * The bindings in the oldest form that carries them: DISPATCH's (or
 * DISPATCH2's) without images, DISPATCH3's (version 6) with storage images
 * only, DISPATCH4's (version 7) with sampled images or samplers,
 * DISPATCH5's (version 8) with a view of more than one linear image.
 */
static void dispatch(struct odx_cmd_buffer *c, const uint32_t base[3],
		     const uint32_t groups[3], uint64_t indirect_va)
{
	struct dxg_cmd_binding b[DXG_CMD_MAX_BINDINGS];
	struct dxg_cmd_binding3 b3[DXG_CMD_MAX_BINDINGS];
	struct dxg_cmd_binding4 b4[DXG_CMD_MAX_BINDINGS];
	struct dxg_cmd_binding5 b5[DXG_CMD_MAX_BINDINGS];
	struct dxg_enc_dispatch d = { .indirect_va = indirect_va };
	bool images = false, samplers = false, views = false;
	uint32_t n;

	if (!c->pipeline) {
		odx_cmd_check(c, false);
		return;
	}
	/* Work before a dispatch may write what it reads (Vulkan's barriers). */
	odx_cmd_barrier(c);
	n = c->pipeline->num_slots;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t type = c->pipeline->slots[i].type;

		if (dxg_slot_is_image(type) || dxg_slot_has_sampler(type)) {
			b5[i] = resolve_image(c, i);
			images = true;
			samplers |= type != DXG_SLOT_STORAGE_IMAGE;
			views |= dxg_slot_is_image(type) && staged_view(&b5[i]);
		} else {
			const struct dxg_cmd_binding k = resolve_buffer(c, i);

			b5[i] = (struct dxg_cmd_binding5) { .b = {
				.binding = k.binding, .flags = k.flags, .va = k.va, .size = k.size,
			} };
		}
		b4[i] = b5[i].b;
		b[i] = (struct dxg_cmd_binding) {
			.binding = b4[i].binding, .flags = b4[i].flags, .va = b4[i].va,
			.size = b4[i].size,
		};
		b3[i] = (struct dxg_cmd_binding3) {
			.binding = b4[i].binding, .flags = b4[i].flags, .va = b4[i].va,
			.size = b4[i].size, .width = b4[i].width, .height = b4[i].height,
		};
	}
	d.pipeline = c->pipeline->id;
	memcpy(d.base, base, sizeof(d.base));
	memcpy(d.groups, groups, sizeof(d.groups));
	d.bindings = b;
	d.num_bindings = n;
	d.push = c->push;
	d.push_size = c->pipeline->push_size;
	odx_cmd_check(c, views ? dxg_enc_dispatch5(&c->enc, &d, b5) :
			 samplers ? dxg_enc_dispatch4(&c->enc, &d, b4) :
			 images ? dxg_enc_dispatch3(&c->enc, &d, b3) :
			 dxg_enc_dispatch(&c->enc, &d));
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdDispatch(VkCommandBuffer commandBuffer, uint32_t x, uint32_t y, uint32_t z)
{
	const uint32_t base[3] = { 0 }, groups[3] = { x, y, z };

	if (x && y && z)
		dispatch(CMD(commandBuffer), base, groups, 0);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdDispatchBase(VkCommandBuffer commandBuffer, uint32_t bx, uint32_t by,
		    uint32_t bz, uint32_t x, uint32_t y, uint32_t z)
{
	const uint32_t base[3] = { bx, by, bz }, groups[3] = { x, y, z };

	if (x && y && z)
		dispatch(CMD(commandBuffer), base, groups, 0);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdDispatchIndirect(VkCommandBuffer commandBuffer, VkBuffer buffer,
			VkDeviceSize offset)
{
	const uint32_t zero[3] = { 0 };

	dispatch(CMD(commandBuffer), zero, zero,
		 odx_buffer_va(ODX_FROM_HANDLE(odx_buffer, buffer), offset));
}

/* ---- transfers ---- */

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyBuffer(VkCommandBuffer commandBuffer, VkBuffer src, VkBuffer dst,
		  uint32_t count, const VkBufferCopy *pRegions)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);
	const struct odx_buffer *s = ODX_FROM_HANDLE(odx_buffer, src);
	const struct odx_buffer *d = ODX_FROM_HANDLE(odx_buffer, dst);

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < count; i++)
		if (pRegions[i].size)
			odx_cmd_check(c, dxg_enc_copy(&c->enc, odx_buffer_va(s, pRegions[i].srcOffset),
					      odx_buffer_va(d, pRegions[i].dstOffset),
					      pRegions[i].size));
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyBuffer2(VkCommandBuffer commandBuffer, const VkCopyBufferInfo2 *pInfo)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);
	const struct odx_buffer *s = ODX_FROM_HANDLE(odx_buffer, pInfo->srcBuffer);
	const struct odx_buffer *d = ODX_FROM_HANDLE(odx_buffer, pInfo->dstBuffer);

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < pInfo->regionCount; i++) {
		const VkBufferCopy2 *r = &pInfo->pRegions[i];

		if (r->size)
			odx_cmd_check(c, dxg_enc_copy(&c->enc, odx_buffer_va(s, r->srcOffset),
					      odx_buffer_va(d, r->dstOffset), r->size));
	}
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdFillBuffer(VkCommandBuffer commandBuffer, VkBuffer dst, VkDeviceSize offset,
		  VkDeviceSize size, uint32_t data)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);
	const struct odx_buffer *b = ODX_FROM_HANDLE(odx_buffer, dst);

	/* VK_WHOLE_SIZE: to the end, rounded down to a multiple of 4. */
	if (size == VK_WHOLE_SIZE)
		size = offset < b->size ? (b->size - offset) & ~3ull : 0;
	if (!size)
		return;
	odx_cmd_barrier(c);
	odx_cmd_check(c, dxg_enc_fill(&c->enc, odx_buffer_va(b, offset), size, data));
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdUpdateBuffer(VkCommandBuffer commandBuffer, VkBuffer dst, VkDeviceSize offset,
		    VkDeviceSize size, const void *pData)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	if (!size || size > DXG_CMD_MAX_UPDATE)
		return;
	odx_cmd_barrier(c);
	odx_cmd_check(c, dxg_enc_update(&c->enc, odx_buffer_va(ODX_FROM_HANDLE(odx_buffer, dst), offset),
				pData, (uint32_t)size));
}

/* ---- barriers ---- */

VKAPI_ATTR void VKAPI_CALL
odx_CmdPipelineBarrier(VkCommandBuffer commandBuffer, VkPipelineStageFlags srcStages,
		       VkPipelineStageFlags dstStages, VkDependencyFlags flags,
		       uint32_t memCount, const VkMemoryBarrier *pMem,
		       uint32_t bufCount, const VkBufferMemoryBarrier *pBuf,
		       uint32_t imgCount, const VkImageMemoryBarrier *pImg)
{
	(void)srcStages, (void)dstStages, (void)flags, (void)memCount, (void)pMem;
	(void)bufCount, (void)pBuf, (void)imgCount, (void)pImg;
	odx_cmd_barrier(CMD(commandBuffer));
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdPipelineBarrier2(VkCommandBuffer commandBuffer, const VkDependencyInfo *pInfo)
{
	(void)pInfo;
	odx_cmd_barrier(CMD(commandBuffer));
}

/* ---- queries: a TIMESTAMP into the query's slot, then its availability ---- */

static void write_timestamp(struct odx_cmd_buffer *c, VkQueryPool pool, uint32_t query)
{
	const struct odx_query_pool *p = ODX_FROM_HANDLE(odx_query_pool, pool);
	uint64_t va = p->mem->va + (uint64_t)query * ODX_QUERY_STRIDE;

	/* Vulkan's timestamp follows the work before it: wait for it. */
	odx_cmd_barrier(c);
	odx_cmd_check(c, dxg_enc_timestamp(&c->enc, va));
	odx_cmd_barrier(c);
	odx_cmd_check(c, dxg_enc_fill(&c->enc, va + 8, 4, 1));
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdWriteTimestamp(VkCommandBuffer commandBuffer, VkPipelineStageFlagBits stage,
		      VkQueryPool pool, uint32_t query)
{
	(void)stage;
	write_timestamp(CMD(commandBuffer), pool, query);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdWriteTimestamp2(VkCommandBuffer commandBuffer, VkPipelineStageFlags2 stage,
		       VkQueryPool pool, uint32_t query)
{
	(void)stage;
	write_timestamp(CMD(commandBuffer), pool, query);
}

/*
 * The results into a buffer, by COPY from each query's slot: a u64 value
 * with a u64 availability is the slot as it is (value, then the u32 word
 * and its zero padding); 32-bit results take the value's low half and the
 * word.  Earlier commands have finished (the barrier), so WAIT holds.
 */
VKAPI_ATTR void VKAPI_CALL
odx_CmdCopyQueryPoolResults(VkCommandBuffer commandBuffer, VkQueryPool pool,
			    uint32_t first, uint32_t count, VkBuffer dst,
			    VkDeviceSize offset, VkDeviceSize stride,
			    VkQueryResultFlags flags)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);
	const struct odx_query_pool *p = ODX_FROM_HANDLE(odx_query_pool, pool);
	const struct odx_buffer *b = ODX_FROM_HANDLE(odx_buffer, dst);
	bool is64 = flags & VK_QUERY_RESULT_64_BIT;
	bool avail = flags & VK_QUERY_RESULT_WITH_AVAILABILITY_BIT;

	odx_cmd_barrier(c);
	for (uint32_t i = 0; i < count; i++) {
		uint64_t src = p->mem->va + (uint64_t)(first + i) * ODX_QUERY_STRIDE;
		uint64_t to = odx_buffer_va(b, offset + (uint64_t)i * stride);

		if (is64) {
			odx_cmd_check(c, dxg_enc_copy(&c->enc, src, to, avail ? 16 : 8));
			continue;
		}
		odx_cmd_check(c, dxg_enc_copy(&c->enc, src, to, 4));
		if (avail)
			odx_cmd_check(c, dxg_enc_copy(&c->enc, src + 8, to + 4, 4));
	}
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdResetQueryPool(VkCommandBuffer commandBuffer, VkQueryPool pool,
		      uint32_t first, uint32_t count)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);
	const struct odx_query_pool *p = ODX_FROM_HANDLE(odx_query_pool, pool);

	if (!count)
		return;
	odx_cmd_barrier(c);
	odx_cmd_check(c, dxg_enc_fill(&c->enc, p->mem->va + (uint64_t)first * ODX_QUERY_STRIDE,
			      (uint64_t)count * ODX_QUERY_STRIDE, 0));
}

/* ---- events: FILL writes the word (event.c); a wait is a BARRIER ---- */

static void set_event(struct odx_cmd_buffer *c, VkEvent event, uint32_t value)
{
	/* Set after the work before it, as the stage mask asks at most. */
	odx_cmd_barrier(c);
	odx_cmd_check(c, dxg_enc_fill(&c->enc, odx_event_va(event), 4, value));
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdSetEvent(VkCommandBuffer commandBuffer, VkEvent event, VkPipelineStageFlags stage)
{
	(void)stage;
	set_event(CMD(commandBuffer), event, 1);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdSetEvent2(VkCommandBuffer commandBuffer, VkEvent event, const VkDependencyInfo *pInfo)
{
	(void)pInfo;
	set_event(CMD(commandBuffer), event, 1);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdResetEvent(VkCommandBuffer commandBuffer, VkEvent event, VkPipelineStageFlags stage)
{
	(void)stage;
	set_event(CMD(commandBuffer), event, 0);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdResetEvent2(VkCommandBuffer commandBuffer, VkEvent event,
		   VkPipelineStageFlags2 stage)
{
	(void)stage;
	set_event(CMD(commandBuffer), event, 0);
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdWaitEvents(VkCommandBuffer commandBuffer, uint32_t eventCount, const VkEvent *pEvents,
		  VkPipelineStageFlags src, VkPipelineStageFlags dst,
		  uint32_t memCount, const VkMemoryBarrier *pMem,
		  uint32_t bufCount, const VkBufferMemoryBarrier *pBuf,
		  uint32_t imgCount, const VkImageMemoryBarrier *pImg)
{
	(void)eventCount, (void)pEvents, (void)src, (void)dst, (void)memCount, (void)pMem;
	(void)bufCount, (void)pBuf, (void)imgCount, (void)pImg;
	odx_cmd_barrier(CMD(commandBuffer));
}

VKAPI_ATTR void VKAPI_CALL
odx_CmdWaitEvents2(VkCommandBuffer commandBuffer, uint32_t eventCount, const VkEvent *pEvents,
		   const VkDependencyInfo *pInfos)
{
	(void)eventCount, (void)pEvents, (void)pInfos;
	odx_cmd_barrier(CMD(commandBuffer));
}

/*
 * Secondary command buffers: their commands, recorded (and resolved into
 * GPU VAs) on their own, are copied into the primary's stream where it
 * executes them.  The primary's bound state is undefined afterwards (the
 * spec's rule), so nothing of it is restored.
 */
VKAPI_ATTR void VKAPI_CALL
odx_CmdExecuteCommands(VkCommandBuffer commandBuffer, uint32_t count,
		       const VkCommandBuffer *pCommandBuffers)
{
	struct odx_cmd_buffer *c = CMD(commandBuffer);

	for (uint32_t i = 0; i < count && c->error == VK_SUCCESS; i++) {
		const struct odx_cmd_buffer *s = CMD(pCommandBuffers[i]);

		if (s->error != VK_SUCCESS)
			c->error = s->error;
		else
			odx_cmd_check(c, dxg_enc_append(&c->enc, &s->enc));
	}
	c->last_was_barrier = false;
}
