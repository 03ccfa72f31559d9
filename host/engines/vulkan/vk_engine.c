// SPDX-License-Identifier: MIT
/* The Vulkan execution engine (see vk_engine.h). */
#include "engines/vulkan/vk_engine.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"
#include "engines/engine_cpu.h"
#include "engines/vulkan/vk_devmem.h"
#include "engines/vulkan/vk_image.h"
#include "engines/vulkan/vk_image_staged.h"
#include "engines/vulkan/vk_memory.h"
#include "engines/vulkan/vk_pipeline.h"
#include "engines/vulkan/vk_sampler.h"
#include "engines/vulkan/vk_status.h"
#include "util/log.h"

/*
 * Threads: the device's worker runs copy/fill/timestamp/dispatch/flush;
 * the event loop creates and destroys pipelines and calls forget (after
 * draining the worker, core/execution.c) and destroy (after joining it).  `lock`
 * guards the engine's Vulkan objects (pipelines, import cache, command
 * buffer, descriptor pool, fence, in_flight) and is never held across the
 * fence wait, so a pipeline can be created while a kernel runs; it nests
 * the device's queue_lock (exec/worker.h has the whole order).
 */
struct vk_engine {
	struct dxg_engine base;
	pthread_mutex_t lock;
	struct dxg_vk_device *dev;
	struct dxg_engine *cpu;		/* copy, fill, timestamp */
	struct dxg_vk_import_cache cache;
	struct dxg_vk_pipelines pipes;
	VkCommandPool pool;
	VkCommandBuffer cb;
	VkFence fence;
	VkDescriptorPool dpool;
	/*
	 * The texel buffer views, the images (and their views) and the
	 * samplers of the dispatch in hand, or of one left in flight.
	 */
	VkBufferView views[DXG_ENGINE_MAX_BINDINGS];
	uint32_t num_views;
	VkImage images[DXG_ENGINE_MAX_BINDINGS];
	VkImageView image_views[DXG_ENGINE_MAX_BINDINGS];
	uint32_t num_images;
	VkSampler samplers[DXG_ENGINE_MAX_BINDINGS];
	uint32_t num_samplers;
	/* Views of more than one linear image, copied in and out. */
	struct dxg_vk_staged staged[DXG_ENGINE_MAX_BINDINGS];
	uint32_t num_staged;
	uint64_t timeout_ns;
	struct dxg_ratelimit *rl;	/* the VM's; NULL: log unlimited */
	uint8_t *stage;			/* one page: device memory read back */
	atomic_bool lost;		/* read by every op without the lock */
	bool in_flight;			/* a submission we stopped waiting for */
};

static struct vk_engine *to_vk(struct dxg_engine *e)
{
	return (struct vk_engine *)e;
}

static int32_t vk_copy(struct dxg_engine *e, void *dst, const void *src,
		       uint64_t size)
{
	struct vk_engine *v = to_vk(e);

	return v->lost ? STATUS_DEVICE_REMOVED : v->cpu->ops->copy(v->cpu, dst, src, size);
}

static int32_t vk_update(struct dxg_engine *e, void *dst, const void *data,
			 uint64_t size)
{
	struct vk_engine *v = to_vk(e);

	return v->lost ? STATUS_DEVICE_REMOVED : v->cpu->ops->update(v->cpu, dst, data, size);
}

static int32_t vk_fill(struct dxg_engine *e, void *dst, uint64_t size,
		       uint32_t pattern)
{
	struct vk_engine *v = to_vk(e);

	return v->lost ? STATUS_DEVICE_REMOVED :
	       v->cpu->ops->fill(v->cpu, dst, size, pattern);
}

/* CLOCK_MONOTONIC, as the CPU engine: one clock whichever engine runs. */
static int32_t vk_timestamp(struct dxg_engine *e, uint64_t *dst)
{
	struct vk_engine *v = to_vk(e);

	return v->lost ? STATUS_DEVICE_REMOVED : v->cpu->ops->timestamp(v->cpu, dst);
}

static int32_t vk_create_pipeline(struct dxg_engine *e,
				  const struct dxg_engine_pipeline *desc,
				  uint64_t *out_id)
{
	struct vk_engine *v = to_vk(e);
	int32_t st = STATUS_DEVICE_REMOVED;

	pthread_mutex_lock(&v->lock);
	if (!v->lost)
		st = dxg_vk_pipeline_create(&v->pipes, desc, out_id);
	pthread_mutex_unlock(&v->lock);
	return st;
}

static int32_t vk_destroy_pipeline(struct dxg_engine *e, uint64_t id)
{
	struct vk_engine *v = to_vk(e);
	int32_t st = STATUS_DEVICE_REMOVED;

	/* A lost engine may still run it: it goes at engine destruction. */
	pthread_mutex_lock(&v->lock);
	if (!v->lost)
		st = dxg_vk_pipeline_destroy(&v->pipes, id);
	pthread_mutex_unlock(&v->lock);
	return st;
}

/*
 * The format of a texel buffer or storage image binding: one of the texel
 * table with the @need features on the device (texel buffers' or images'),
 * and @atomic as well where the shader has an image atomic on the slot;
 * what the shader declares (its Sampled Type's class, its Image Format
 * unless Unknown: Vulkan's rules).
 */
static int32_t check_format(const struct vk_engine *v, const struct dxg_vk_pipeline *p,
			    const struct dxg_engine_binding *b, bool image, uint32_t need,
			    uint32_t atomic)
{
	const struct dxg_spirv_facts *f = &p->shared->facts;
	struct dxg_texel_format tf = dxg_texel_format(b->format);
	uint8_t spv = f->texel_spv[b->binding];
	uint32_t have;

	if (b->format >= DXG_TEXEL_FORMAT_END || !tf.size)
		return STATUS_NOT_SUPPORTED;
	have = image ? v->dev->image_caps[b->format].features :
		       v->dev->texel_features[b->format];
	if (f->texel_atomic & (1u << b->binding))
		need |= atomic;
	if ((have & need) != need)
		return STATUS_NOT_SUPPORTED;
	if (tf.cls != f->texel_class[b->binding] || (spv != DXG_SPV_UNKNOWN && spv != tf.spv))
		return STATUS_INVALID_PARAMETER;
	return 0;
}

/*
 * A texel buffer binding: its format (above), and a view the device can
 * make: whole texels, not too many, its start aligned.
 */
static int32_t check_texel(const struct vk_engine *v, const struct dxg_vk_pipeline *p,
			   const struct dxg_engine_binding *b, uint64_t start)
{
	const struct dxg_vk_limits *l = &v->dev->limits;
	bool uniform = p->slots[b->binding].type == DXG_SLOT_UNIFORM_TEXEL_BUFFER;
	int32_t st = check_format(v, p, b, false,
				  uniform ? VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT :
					    VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT,
				  VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT);
	uint32_t size = dxg_texel_format(b->format).size;

	if (st)
		return st;
	if ((!b->host && !b->dev) || !b->size || b->size % size ||
	    b->size / size > l->max_texel_elements ||
	    (start & (l->min_texel_offset_alignment - 1)))
		return STATUS_INVALID_PARAMETER;
	return 0;
}

/*
 * An image binding: its format (above) with the features its slot uses
 * (storage, with atomics where the shader has them; sampled, filtered
 * linearly where its own sampler does), an extent the device allows, in
 * device memory (its layout and alignment are checked when the image is
 * made), a view of the type the shader declares (a storage view of one
 * level, as Vulkan asks), a staged one's start at its alignment.
 */
static int32_t check_image(const struct vk_engine *v, const struct dxg_vk_pipeline *p,
			   const struct dxg_engine_binding *b, uint32_t type)
{
	const bool storage = type == DXG_SLOT_STORAGE_IMAGE;
	uint32_t need = storage ? VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT :
				  VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT;
	const struct dxg_vk_image_caps *c;
	int32_t st;

	if (type == DXG_SLOT_COMBINED_IMAGE_SAMPLER && dxg_vk_sampler_linear(&b->sampler))
		need |= VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT;
	st = check_format(v, p, b, true, need,
			  storage ? VK_FORMAT_FEATURE_STORAGE_IMAGE_ATOMIC_BIT : 0);
	if (st)
		return st;
	if (!b->dev)
		return STATUS_NOT_SUPPORTED;
	c = &v->dev->image_caps[b->format];
	if (!b->width || !b->height || b->width > c->max_width ||
	    b->height > c->max_height ||
	    b->view_type != p->shared->facts.image_view[b->binding] ||
	    (storage && b->levels > 1) ||
	    (dxg_vk_staged_needed(b) &&
	     (!b->align || (b->align & (b->align - 1)) || b->dev_offset % b->align)))
		return STATUS_INVALID_PARAMETER;
	return 0;
}

/* Every slot but an image's has no view shape (DISPATCH4's: zero). */
static bool shape_none(const struct dxg_engine_binding *b)
{
	return !b->view_type && !b->levels && !b->layers && !b->depth && !b->align &&
	       !b->layer_stride;
}

static bool sampler_zero(const struct dxg_cmd_sampler *s)
{
	static const struct dxg_cmd_sampler zero;

	return !memcmp(s, &zero, sizeof(zero));
}

/*
 * One binding against its slot: a sampler only where the slot has one, a
 * component mapping only on a sampled image, memory everywhere but a
 * sampler slot, then what the slot's type needs.
 */
static int32_t check_binding(const struct vk_engine *v, const struct dxg_vk_pipeline *p,
			     const struct dxg_engine_binding *b)
{
	const struct dxg_vk_limits *l = &v->dev->limits;
	const uint32_t type = p->slots[b->binding].type;
	const bool uniform = type == DXG_SLOT_UNIFORM_BUFFER;
	const bool sampled = type == DXG_SLOT_SAMPLED_IMAGE ||
			     type == DXG_SLOT_COMBINED_IMAGE_SAMPLER;
	/* Host memory: the pointer's alignment; device memory: the offset's. */
	const uint64_t start = b->dev ? b->dev_offset : (uintptr_t)b->host;
	int32_t st = 0;

	if (dxg_slot_has_sampler(type))
		st = dxg_vk_sampler_check(v->dev, &b->sampler);
	else if (!sampler_zero(&b->sampler))
		st = STATUS_INVALID_PARAMETER;
	/* Only a sampled image's view maps components (storage views may not). */
	for (int c = 0; c < 4; c++)
		if (b->swizzle[c] > (sampled ? VK_COMPONENT_SWIZZLE_A : 0))
			st = STATUS_INVALID_PARAMETER;
	if (st)
		return st;
	if (!dxg_slot_is_image(type) && !shape_none(b))
		return STATUS_INVALID_PARAMETER;
	if (type == DXG_SLOT_SAMPLER)
		return b->size || b->format ? STATUS_INVALID_PARAMETER : 0;
	if (!b->size || (!b->host && !b->dev))
		return STATUS_INVALID_PARAMETER;
	if (dxg_slot_is_image(type))
		return check_image(v, p, b, type);
	/* Only images have an extent. */
	if (b->width || b->height)
		return STATUS_INVALID_PARAMETER;
	if (dxg_slot_is_texel_buffer(type))
		return check_texel(v, p, b, start);
	if (b->format ||
	    b->size > (uniform ? l->max_uniform_buffer_range : l->max_storage_buffer_range) ||
	    (start & ((uniform ? l->min_uniform_offset_alignment :
		       l->min_storage_offset_alignment) - 1)))
		return STATUS_INVALID_PARAMETER;
	return 0;
}

/* Checks what the device limits and the pipeline's shape allow. */
static int32_t check_dispatch(const struct vk_engine *v, const struct dxg_vk_pipeline *p,
			      const struct dxg_engine_dispatch *d)
{
	const struct dxg_vk_limits *l = &v->dev->limits;
	uint32_t seen = 0;

	for (int i = 0; i < 3; i++)
		if (!d->groups[i] || d->groups[i] > l->max_group_count[i] ||
		    d->base[i] > l->max_group_count[i] - d->groups[i])
			return STATUS_INVALID_PARAMETER;
	if (d->push_size > p->push_size || d->num_bindings != p->num_slots)
		return STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < d->num_bindings; i++) {
		const struct dxg_engine_binding *b = &d->bindings[i];
		int32_t st;

		/* Every slot exactly once: an unset descriptor is UB. */
		if (b->binding >= p->num_slots || (seen & (1u << b->binding)))
			return STATUS_INVALID_PARAMETER;
		seen |= 1u << b->binding;
		/* Read-only memory only where the shader never writes. */
		if (b->read_only && !(p->shared->facts.read_only & (1u << b->binding)))
			return STATUS_ACCESS_DENIED;
		st = check_binding(v, p, b);
		if (st)
			return st;
	}
	return 0;
}

/*
 * The buffer and offset behind memory a command names: an import of host
 * memory (cached), or the device memory's own buffer, checked against its
 * size.
 */
static int32_t buffer_of(struct vk_engine *v, void *host, void *dev,
			 uint64_t dev_offset, uint64_t size, VkBuffer *buf,
			 uint64_t *offset)
{
	const struct dxg_vk_devmem *m = dev;

	if (!m)
		return dxg_vk_cache_lookup(&v->cache, host, size, buf, offset);
	/* Discarded (docs/memory.md §10): no memory until it is reclaimed. */
	if (m->buf == VK_NULL_HANDLE)
		return STATUS_ACCESS_DENIED;
	if (dev_offset > m->size || size > m->size - dev_offset)
		return STATUS_INVALID_PARAMETER;
	*buf = m->buf;
	*offset = dev_offset;
	return STATUS_SUCCESS;
}

/* The views and images of the last dispatch, which is no longer running. */
static void drop_views(struct vk_engine *v)
{
	for (uint32_t i = 0; i < v->num_views; i++)
		vkDestroyBufferView(v->dev->device, v->views[i], NULL);
	dxg_vk_objects(v->dev, -(long)v->num_views);
	v->num_views = 0;
	for (uint32_t i = 0; i < v->num_images; i++)
		dxg_vk_image_free(v->dev, v->images[i], v->image_views[i]);
	v->num_images = 0;
	for (uint32_t i = 0; i < v->num_samplers; i++)
		dxg_vk_sampler_free(v->dev, v->samplers[i]);
	v->num_samplers = 0;
	for (uint32_t i = 0; i < v->num_staged; i++)
		dxg_vk_staged_free(v->dev, &v->staged[i]);
	v->num_staged = 0;
}

/*
 * A view of more than one linear image: an optimal image of its own, its
 * subresources copied in before the dispatch (and out after, for a
 * storage image the shader may write), kept until the dispatch is done.
 */
static int32_t make_staged(struct vk_engine *v, uint32_t type, const struct dxg_engine_binding *b,
			   bool no_write, VkImageView *out)
{
	const bool storage = type == DXG_SLOT_STORAGE_IMAGE;
	struct dxg_vk_staged *s = &v->staged[v->num_staged++];
	VkBuffer buf;
	uint64_t off;
	int32_t st = buffer_of(v, NULL, b->dev, b->dev_offset, b->size, &buf, &off);

	*s = (struct dxg_vk_staged) { 0 };
	if (!st)
		st = dxg_vk_staged_make(v->dev, b, buf, off,
					storage ? VK_IMAGE_USAGE_STORAGE_BIT :
						  VK_IMAGE_USAGE_SAMPLED_BIT, storage && !no_write, s);
	*out = s->view;
	return st;
}

/*
 * An image slot's image and view, a sampler slot's sampler, or both (a
 * combined image sampler), kept until the dispatch is done.
 */
static int32_t make_image_sampler(struct vk_engine *v, const struct dxg_vk_pipeline *p,
				  const struct dxg_engine_binding *b, VkDescriptorImageInfo *ii)
{
	const uint32_t type = p->slots[b->binding].type;
	const struct dxg_vk_devmem *m = b->dev;
	int32_t st;

	*ii = (VkDescriptorImageInfo) { .imageLayout = VK_IMAGE_LAYOUT_GENERAL };
	if (dxg_slot_has_sampler(type)) {
		st = dxg_vk_sampler_make(v->dev, &b->sampler, &v->samplers[v->num_samplers]);
		if (st)
			return st;
		ii->sampler = v->samplers[v->num_samplers++];
	}
	if (!dxg_slot_is_image(type))
		return 0;
	/* Discarded (docs/memory.md §10): no memory until it is reclaimed. */
	if (m->mem == VK_NULL_HANDLE)
		return STATUS_ACCESS_DENIED;
	if (dxg_vk_staged_needed(b))
		return make_staged(v, type, b,
				   p->shared->facts.image_no_write >> b->binding & 1,
				   &ii->imageView);
	st = dxg_vk_image_make(v->dev, m, b->dev_offset, b->size, b->format, b->width,
			       b->height, b->swizzle, &v->images[v->num_images],
			       &v->image_views[v->num_images]);
	if (st)
		return st;
	ii->imageView = v->image_views[v->num_images++];
	return 0;
}

/* A texel buffer binding's view, kept until the dispatch is done. */
static int32_t make_view(struct vk_engine *v, const VkDescriptorBufferInfo *bi,
			 uint32_t format, VkBufferView *out)
{
	const VkBufferViewCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
		.buffer = bi->buffer,
		.format = (VkFormat)format,
		.offset = bi->offset,
		.range = bi->range,
	};
	VkResult r = vkCreateBufferView(v->dev->device, &ci, NULL, out);

	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	v->views[v->num_views++] = *out;
	dxg_vk_objects(v->dev, 1);
	return 0;
}

/* Imports the bindings and writes one descriptor set per set of the layout. */
static int32_t bind(struct vk_engine *v, const struct dxg_vk_pipeline *p,
		    const struct dxg_engine_dispatch *d, VkDescriptorSet *sets)
{
	VkDescriptorBufferInfo bi[DXG_ENGINE_MAX_BINDINGS];
	VkDescriptorImageInfo ii[DXG_ENGINE_MAX_BINDINGS];
	VkBufferView views[DXG_ENGINE_MAX_BINDINGS];
	VkWriteDescriptorSet w[DXG_ENGINE_MAX_BINDINGS];
	const VkDescriptorSetAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = v->dpool,
		.descriptorSetCount = p->num_sets,
		.pSetLayouts = p->set_layouts,
	};
	VkResult r;

	dxg_vk_cache_begin(&v->cache);
	for (uint32_t i = 0; i < d->num_bindings; i++) {
		const struct dxg_engine_slot *slot = &p->slots[d->bindings[i].binding];
		uint64_t off;
		int32_t st;

		w[i] = (VkWriteDescriptorSet) {
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			.dstBinding = slot->binding,
			.dstArrayElement = slot->element,
			.descriptorCount = 1,
			.descriptorType = dxg_vk_slot_descriptor(slot->type),
		};
		/* An image or sampler of its own; a buffer's range, maybe through a view. */
		if (dxg_slot_is_image(slot->type) || dxg_slot_has_sampler(slot->type)) {
			st = make_image_sampler(v, p, &d->bindings[i], &ii[i]);
			w[i].pImageInfo = &ii[i];
			if (st)
				return st;
			continue;
		}
		st = buffer_of(v, d->bindings[i].host, d->bindings[i].dev,
			       d->bindings[i].dev_offset, d->bindings[i].size,
			       &bi[i].buffer, &off);
		if (st)
			return st;
		bi[i].offset = off;
		bi[i].range = d->bindings[i].size;
		w[i].pBufferInfo = &bi[i];
		if (dxg_slot_is_texel_buffer(slot->type)) {
			st = make_view(v, &bi[i], d->bindings[i].format, &views[i]);
			if (st)
				return st;
			w[i].pBufferInfo = NULL;
			w[i].pTexelBufferView = &views[i];
		}
	}
	if (!p->num_sets)
		return 0;
	/* Nothing is in flight: the pool's sets can be reused. */
	vkResetDescriptorPool(v->dev->device, v->dpool, 0);
	r = vkAllocateDescriptorSets(v->dev->device, &ai, sets);
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	for (uint32_t i = 0; i < d->num_bindings; i++)
		w[i].dstSet = sets[p->slots[d->bindings[i].binding].set];
	vkUpdateDescriptorSets(v->dev->device, d->num_bindings, w, 0, NULL);
	return 0;
}

static VkResult record(struct vk_engine *v, const struct dxg_vk_pipeline *p,
		       const struct dxg_engine_dispatch *d, const VkDescriptorSet *sets)
{
	const VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	/* Shader writes (and staged images' copies) visible to the host. */
	const VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	uint8_t push[DXG_ENGINE_MAX_PUSH_CONSTANTS] = { 0 };
	VkResult r = vkResetCommandBuffer(v->cb, 0);

	if (r == VK_SUCCESS)
		r = vkBeginCommandBuffer(v->cb, &bi);
	if (r != VK_SUCCESS)
		return r;
	/*
	 * Storage images: from PREINITIALIZED, which keeps the memory's bytes
	 * (the image is a view of them: vk_image.h), to GENERAL.  What wrote
	 * them ran in earlier submissions, waited for.
	 */
	for (uint32_t i = 0; i < v->num_images; i++) {
		const VkImageMemoryBarrier ib = {
			.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
			.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
			.oldLayout = VK_IMAGE_LAYOUT_PREINITIALIZED,
			.newLayout = VK_IMAGE_LAYOUT_GENERAL,
			.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
			.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
			.image = v->images[i],
			.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
		};

		vkCmdPipelineBarrier(v->cb, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
				     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 0, NULL, 0, NULL,
				     1, &ib);
	}
	for (uint32_t i = 0; i < v->num_staged; i++)
		dxg_vk_staged_copy_in(v->cb, &v->staged[i]);
	vkCmdBindPipeline(v->cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->pipeline);
	if (p->num_sets)
		vkCmdBindDescriptorSets(v->cb, VK_PIPELINE_BIND_POINT_COMPUTE, p->layout,
					0, p->num_sets, sets, 0, NULL);
	if (v->pipes.push_range) {
		/* The whole range, zero-padded: the shader never reads garbage. */
		memcpy(push, d->push, d->push_size);
		vkCmdPushConstants(v->cb, p->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
				   v->pipes.push_range, push);
	}
	if (d->base[0] || d->base[1] || d->base[2])
		vkCmdDispatchBase(v->cb, d->base[0], d->base[1], d->base[2],
				  d->groups[0], d->groups[1], d->groups[2]);
	else
		vkCmdDispatch(v->cb, d->groups[0], d->groups[1], d->groups[2]);
	for (uint32_t i = 0; i < v->num_staged; i++)
		dxg_vk_staged_copy_out(v->cb, &v->staged[i]);
	vkCmdPipelineBarrier(v->cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
			     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb,
			     0, NULL, 0, NULL);
	return vkEndCommandBuffer(v->cb);
}

static int32_t lose(struct vk_engine *v, VkResult r, const char *what)
{
	const char *why = r == VK_TIMEOUT ? "timed out" : "device lost";

	v->lost = true;
	/* A guest's endless kernel does it: its VM's limiter, if it has one. */
	if (v->rl)
		dxg_log_rl(v->rl, DXG_LOG_ERROR,
			   "vm %u: vulkan engine (%s): %s: %s; the engine is lost",
			   v->rl->vm_id, v->dev->info.name, what, why);
	else
		log_err("vulkan engine (%s): %s: %s; the engine is lost",
			v->dev->info.name, what, why);
	return r == VK_TIMEOUT ? STATUS_IO_TIMEOUT : STATUS_DEVICE_REMOVED;
}

/* Called with v->lock held; returns with it held, dropped for the wait. */
static int32_t submit_wait(struct vk_engine *v)
{
	const VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &v->cb,
	};
	VkResult r = vkResetFences(v->dev->device, 1, &v->fence);

	if (r == VK_SUCCESS) {
		/* Engines of every VM share the queue, on their own workers. */
		pthread_mutex_lock(&v->dev->queue_lock);
		r = vkQueueSubmit(v->dev->queue, 1, &si, v->fence);
		pthread_mutex_unlock(&v->dev->queue_lock);
	}
	if (r == VK_ERROR_DEVICE_LOST)
		return lose(v, r, "submit");
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	/*
	 * The long part, without the lock: the loop may create pipelines
	 * meanwhile.  Nothing this submission uses can go (core/execution.c drains the
	 * worker before pipelines, imports or the engine are destroyed).
	 */
	pthread_mutex_unlock(&v->lock);
	r = vkWaitForFences(v->dev->device, 1, &v->fence, VK_TRUE, v->timeout_ns);
	pthread_mutex_lock(&v->lock);
	if (r == VK_TIMEOUT) {
		v->in_flight = true;
		return lose(v, r, "dispatch");
	}
	if (r == VK_ERROR_DEVICE_LOST)
		return lose(v, r, "dispatch");
	return dxg_vk_status(r);
}

static int32_t dispatch_locked(struct vk_engine *v,
			       const struct dxg_engine_dispatch *d)
{
	const struct dxg_vk_pipeline *p;
	VkDescriptorSet sets[DXG_PIPELINE_MAX_SETS];
	VkResult r;
	int32_t st;

	if (v->lost)
		return STATUS_DEVICE_REMOVED;
	p = dxg_vk_pipeline_find(&v->pipes, d->pipeline);
	if (!p)
		return STATUS_INVALID_HANDLE;
	if (d->num_bindings > DXG_ENGINE_MAX_BINDINGS ||
	    d->push_size > DXG_ENGINE_MAX_PUSH_CONSTANTS)
		return STATUS_INVALID_PARAMETER;
	st = check_dispatch(v, p, d);
	if (!st)
		st = bind(v, p, d, sets);
	if (!st) {
		r = record(v, p, d, sets);
		st = r != VK_SUCCESS ? dxg_vk_status(r) : submit_wait(v);
	}
	/* Work still running keeps them (a lost engine leaks what it ran). */
	if (!v->in_flight)
		drop_views(v);
	return st;
}

static int32_t xfer_locked(struct vk_engine *v, const struct dxg_engine_xfer *in);

/*
 * An indirect dispatch's counts, read now that the work before it is done:
 * from host memory directly, from device memory through the staging page.
 * They are checked against the limits as given ones are (a GPU reading them
 * itself would not check).
 */
static int32_t read_counts(struct vk_engine *v, const struct dxg_engine_mem *m,
			   uint32_t groups[3])
{
	const struct dxg_engine_xfer x = {
		.op = DXG_XFER_COPY, .src = *m, .dst = { .host = v->stage },
		.size = 3 * sizeof(uint32_t),
	};
	int32_t st;

	if (m->host) {
		memcpy(groups, m->host, x.size);
		return 0;
	}
	st = xfer_locked(v, &x);
	if (!st)
		memcpy(groups, v->stage, x.size);
	return st;
}

static int32_t vk_dispatch(struct dxg_engine *e, const struct dxg_engine_dispatch *d)
{
	struct vk_engine *v = to_vk(e);
	struct dxg_engine_dispatch t;
	bool none = false;
	int32_t st = 0;

	pthread_mutex_lock(&v->lock);
	if (d->indirect.host || d->indirect.dev) {
		t = *d;
		st = v->lost ? STATUS_DEVICE_REMOVED : read_counts(v, &d->indirect, t.groups);
		/* An indirect count of 0 dispatches nothing (Vulkan's rule). */
		none = !t.groups[0] || !t.groups[1] || !t.groups[2];
		d = &t;
	}
	if (!st && !none)
		st = dispatch_locked(v, d);
	pthread_mutex_unlock(&v->lock);
	return st;
}

/* One transfer recorded into the engine's command buffer. */
static VkResult record_xfer(struct vk_engine *v, const struct dxg_engine_xfer *x,
			    VkBuffer dst, uint64_t doff, VkBuffer src, uint64_t soff)
{
	const VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	/* Host memory written by the transfer is read by the CPU next. */
	const VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	VkResult r = vkResetCommandBuffer(v->cb, 0);

	if (r == VK_SUCCESS)
		r = vkBeginCommandBuffer(v->cb, &bi);
	if (r != VK_SUCCESS)
		return r;
	switch (x->op) {
	case DXG_XFER_COPY: {
		const VkBufferCopy region = { soff, doff, x->size };

		vkCmdCopyBuffer(v->cb, src, dst, 1, &region);
		break;
	}
	case DXG_XFER_FILL:
		vkCmdFillBuffer(v->cb, dst, doff, x->size, x->pattern);
		break;
	default:	/* UPDATE; TIMESTAMP as an update of the clock */
		vkCmdUpdateBuffer(v->cb, dst, doff, x->size, x->data);
		break;
	}
	vkCmdPipelineBarrier(v->cb, VK_PIPELINE_STAGE_TRANSFER_BIT,
			     VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
	return vkEndCommandBuffer(v->cb);
}

static int32_t xfer_locked(struct vk_engine *v, const struct dxg_engine_xfer *in)
{
	struct dxg_engine_xfer t, *x = &t;
	VkBuffer dst, src = VK_NULL_HANDLE;
	uint64_t doff, soff = 0, now;
	VkResult r;
	int32_t st;

	if (v->lost)
		return STATUS_DEVICE_REMOVED;
	t = *in;
	if (t.op == DXG_XFER_TIMESTAMP) {
		/* The clock now, as the CPU engine's timestamp reads it. */
		st = v->cpu->ops->timestamp(v->cpu, &now);
		if (st)
			return st;
		t.op = DXG_XFER_UPDATE;
		t.data = &now;
		t.size = sizeof(now);
	}
	/* vkCmdUpdateBuffer's rules; the stream's UPDATE and TIMESTAMP keep them. */
	if (!x->size || (x->op == DXG_XFER_UPDATE &&
			 (x->size > DXG_CMD_MAX_UPDATE || (x->size & 3) || !x->data)))
		return STATUS_INVALID_PARAMETER;
	dxg_vk_cache_begin(&v->cache);
	st = buffer_of(v, x->dst.host, x->dst.dev, x->dst.dev_offset, x->size,
		       &dst, &doff);
	if (!st && x->op == DXG_XFER_COPY)
		st = buffer_of(v, x->src.host, x->src.dev, x->src.dev_offset, x->size,
			       &src, &soff);
	if (st)
		return st;
	r = record_xfer(v, x, dst, doff, src, soff);
	if (r != VK_SUCCESS)
		return dxg_vk_status(r);
	return submit_wait(v);
}

static int32_t vk_xfer(struct dxg_engine *e, const struct dxg_engine_xfer *x)
{
	struct vk_engine *v = to_vk(e);
	int32_t st;

	pthread_mutex_lock(&v->lock);
	st = xfer_locked(v, x);
	pthread_mutex_unlock(&v->lock);
	return st;
}

static int32_t vk_flush(struct dxg_engine *e)
{
	return to_vk(e)->lost ? STATUS_DEVICE_REMOVED : STATUS_SUCCESS;
}

/* True when no submission can still touch memory or objects. */
static bool idle(struct vk_engine *v, uint64_t wait_ns)
{
	if (v->in_flight &&
	    vkWaitForFences(v->dev->device, 1, &v->fence, VK_TRUE, wait_ns) ==
	    VK_SUCCESS)
		v->in_flight = false;
	return !v->in_flight;
}

static void vk_forget(struct dxg_engine *e, void *host, uint64_t size)
{
	struct vk_engine *v = to_vk(e);

	/*
	 * Work we gave up on may still use the imports; destroying them under
	 * it is undefined, so they stay (the device is lost anyway).  No
	 * waiting: the daemon's loop must not stall on a lost engine.
	 */
	pthread_mutex_lock(&v->lock);
	if (idle(v, 0))
		dxg_vk_cache_invalidate(&v->cache, host, size);
	pthread_mutex_unlock(&v->lock);
}

static int32_t vk_address(struct dxg_engine *e, const struct dxg_engine_mem *m,
			  uint64_t size, uint64_t *out)
{
	struct vk_engine *v = to_vk(e);
	const struct dxg_vk_devmem *dm = m->dev;
	int32_t st;

	if (!v->dev->device_address)
		return STATUS_NOT_SUPPORTED;
	if (v->lost)
		return STATUS_DEVICE_REMOVED;
	if (dm) {
		if (m->dev_offset > dm->size || size > dm->size - m->dev_offset ||
		    !dm->address)
			return STATUS_INVALID_PARAMETER;
		*out = dm->address + m->dev_offset;
		return STATUS_SUCCESS;
	}
	pthread_mutex_lock(&v->lock);
	st = dxg_vk_cache_keep(&v->cache, m->host, size, out);
	pthread_mutex_unlock(&v->lock);
	return st;
}

static void vk_destroy(struct dxg_engine *e)
{
	struct vk_engine *v = to_vk(e);
	VkDevice dev = v->dev->device;

	/* The worker is gone: nobody else holds the lock now. */
	if (!idle(v, v->timeout_ns)) {
		if (v->rl)
			dxg_log_rl(v->rl, DXG_LOG_ERROR,
				   "vm %u: vulkan engine (%s): work still running after the timeout; its objects are leaked",
				   v->rl->vm_id, v->dev->info.name);
		else
			log_err("vulkan engine (%s): work still running after the timeout; its objects are leaked",
				v->dev->info.name);
		v->cpu->ops->destroy(v->cpu);
		pthread_mutex_destroy(&v->lock);
		free(v);
		return;
	}
	drop_views(v);
	dxg_vk_pipelines_fini(&v->pipes);
	dxg_vk_cache_fini(&v->cache);
	free(v->stage);		/* its import went with the cache */
	dxg_vk_objects(v->dev, -(DXG_VK_LIVE(v->pool) + DXG_VK_LIVE(v->fence) +
				 DXG_VK_LIVE(v->dpool)));
	vkDestroyDescriptorPool(dev, v->dpool, NULL);
	vkDestroyFence(dev, v->fence, NULL);
	vkDestroyCommandPool(dev, v->pool, NULL);	/* frees cb */
	if (v->cpu)
		v->cpu->ops->destroy(v->cpu);
	pthread_mutex_destroy(&v->lock);
	free(v);
}

static int32_t vk_image_layout(struct dxg_engine *e, uint32_t format, uint32_t width,
			       uint32_t height, uint64_t *size, uint64_t *alignment,
			       uint64_t *row_pitch)
{
	struct vk_engine *v = to_vk(e);
	struct dxg_vk_image_layout l;
	int32_t st;

	if (v->lost)
		return STATUS_DEVICE_REMOVED;
	if (v->dev->devmem_type == UINT32_MAX)
		return STATUS_NOT_SUPPORTED;
	st = dxg_vk_image_layout(v->dev, format, width, height, &l);
	if (st)
		return st;
	*size = l.size;
	*alignment = l.alignment;
	*row_pitch = l.row_pitch;
	return 0;
}

static const struct dxg_engine_ops vk_ops = {
	.name = "vulkan",
	.copy = vk_copy,
	.update = vk_update,
	.fill = vk_fill,
	.timestamp = vk_timestamp,
	.create_pipeline = vk_create_pipeline,
	.destroy_pipeline = vk_destroy_pipeline,
	.dispatch = vk_dispatch,
	.xfer = vk_xfer,
	.flush = vk_flush,
	.forget = vk_forget,
	.image_layout = vk_image_layout,
	.address = vk_address,
	.destroy = vk_destroy,
};

static VkResult make_objects(struct vk_engine *v)
{
	VkDevice dev = v->dev->device;
	const VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
		.queueFamilyIndex = v->dev->queue_family,
	};
	VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	/* One dispatch's sets at a time: any mix of the slot types. */
	const VkDescriptorPoolSize sizes[] = {
		{ VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, DXG_ENGINE_MAX_BINDINGS },
		{ VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, DXG_ENGINE_MAX_BINDINGS },
		{ VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, DXG_ENGINE_MAX_BINDINGS },
		{ VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, DXG_ENGINE_MAX_BINDINGS },
		{ VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, DXG_ENGINE_MAX_BINDINGS },
		{ VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, DXG_ENGINE_MAX_BINDINGS },
		{ VK_DESCRIPTOR_TYPE_SAMPLER, DXG_ENGINE_MAX_BINDINGS },
		{ VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, DXG_ENGINE_MAX_BINDINGS },
	};
	const VkDescriptorPoolCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = DXG_PIPELINE_MAX_SETS,
		.poolSizeCount = sizeof(sizes) / sizeof(sizes[0]),
		.pPoolSizes = sizes,
	};
	VkResult r = vkCreateCommandPool(dev, &pci, NULL, &v->pool);

	if (r != VK_SUCCESS)
		return r;
	cai.commandPool = v->pool;
	r = vkAllocateCommandBuffers(dev, &cai, &v->cb);
	if (r == VK_SUCCESS)
		r = vkCreateFence(dev, &fci, NULL, &v->fence);
	if (r == VK_SUCCESS)
		r = vkCreateDescriptorPool(dev, &dci, NULL, &v->dpool);
	dxg_vk_objects(v->dev, DXG_VK_LIVE(v->pool) + DXG_VK_LIVE(v->fence) +
			       DXG_VK_LIVE(v->dpool));
	return r;
}

struct dxg_engine *dxg_engine_vulkan_create(struct dxg_vk_device *dev)
{
	struct vk_engine *v = calloc(1, sizeof(*v));
	uint32_t push = dev->limits.max_push_constants_size;

	if (!v)
		return NULL;
	if (pthread_mutex_init(&v->lock, NULL)) {
		free(v);
		return NULL;
	}
	v->base.ops = &vk_ops;
	v->dev = dev;
	v->timeout_ns = DXG_VK_DEFAULT_TIMEOUT_NS;
	dxg_vk_cache_init(&v->cache, dev);
	dxg_vk_pipelines_init(&v->pipes, dev, push < DXG_ENGINE_MAX_PUSH_CONSTANTS ?
			      push & ~3u : DXG_ENGINE_MAX_PUSH_CONSTANTS);
	v->cpu = dxg_engine_cpu_create();
	/* Imported like guest memory: whole pages, the device's alignment. */
	v->stage = aligned_alloc(dxg_vk_import_alignment(dev),
				 dxg_vk_import_alignment(dev));
	if (!v->cpu || !v->stage || make_objects(v) != VK_SUCCESS) {
		vk_destroy(&v->base);
		return NULL;
	}
	return &v->base;
}

void dxg_engine_vulkan_set_timeout(struct dxg_engine *e, uint64_t ns)
{
	to_vk(e)->timeout_ns = ns;
}

void dxg_engine_vulkan_set_domain(struct dxg_engine *e, uint64_t domain)
{
	to_vk(e)->pipes.domain = domain;
}

void dxg_engine_vulkan_set_log(struct dxg_engine *e, struct dxg_ratelimit *rl)
{
	to_vk(e)->rl = rl;
}

bool dxg_engine_vulkan_lost(const struct dxg_engine *e)
{
	return atomic_load(&((const struct vk_engine *)e)->lost);
}

void dxg_engine_vulkan_stats(const struct dxg_engine *e, uint64_t *imports,
			     uint64_t *hits)
{
	const struct vk_engine *v = (const struct vk_engine *)e;

	*imports = v->cache.imports;
	*hits = v->cache.hits;
}
