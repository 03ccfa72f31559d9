/* SPDX-License-Identifier: MIT */
/*
 * Compute pipelines of the Vulkan backend and the table that names them by
 * id (per engine); the Vulkan objects are shared by content between the
 * device's engines (vk_pcache.h).  A pipeline's layout is its slots (struct dxg_engine_pipeline):
 * storage and uniform buffers in descriptor sets 0..3, each set a layout of
 * its own (empty where no slot uses it), and one push constant range of the
 * engine's full push size (so a shader never reads push constants outside
 * the range; dispatches zero-pad them).
 */
#ifndef DXGHOST_VK_PIPELINE_H
#define DXGHOST_VK_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "engines/engine.h"
#include "engines/vulkan/vk_device.h"

#define DXG_VK_MAX_PIPELINES	1024u	/* per engine */

struct dxg_vk_pipeline {
	uint64_t id;		/* 0: free slot */
	uint32_t num_slots;
	struct dxg_engine_slot slots[DXG_ENGINE_MAX_BINDINGS];
	uint32_t num_sets;	/* highest set used + 1 */
	uint32_t push_size;	/* what dispatches may supply */
	VkShaderModule module;
	VkDescriptorSetLayout set_layouts[DXG_PIPELINE_MAX_SETS];
	VkPipelineLayout layout;
	VkPipeline pipeline;
	/*
	 * Whose objects these are: shared by content (vk_pcache.h); its
	 * facts say which slots may take a read-only binding and what texel
	 * buffer and image slots' formats must be.
	 */
	struct dxg_vk_shared_pipeline *shared;
};

struct dxg_vk_pipelines {
	struct dxg_vk_device *dev;
	struct dxg_vk_pipeline *p;
	uint32_t count, cap;
	uint32_t push_range;	/* bytes in every layout's range */
	uint64_t next_id;
	uint64_t domain;	/* whose pipelines these are (vk_pcache.h) */
};

void dxg_vk_pipelines_init(struct dxg_vk_pipelines *t, struct dxg_vk_device *dev,
			   uint32_t push_range);
void dxg_vk_pipelines_fini(struct dxg_vk_pipelines *t);

/*
 * Checks (spirv_check.h) and builds a pipeline.  STATUS_INVALID_PARAMETER
 * for bad SPIR-V, sizes, slots or specialization constants,
 * STATUS_NOT_SUPPORTED beyond a device limit (including a subgroup size),
 * STATUS_QUOTA_EXCEEDED past DXG_VK_MAX_PIPELINES, or a Vulkan failure's
 * status (dxg_vk_status()).
 */
int32_t dxg_vk_pipeline_create(struct dxg_vk_pipelines *t,
			       const struct dxg_engine_pipeline *desc,
			       uint64_t *out_id);
/* STATUS_INVALID_HANDLE for an unknown id. */
int32_t dxg_vk_pipeline_destroy(struct dxg_vk_pipelines *t, uint64_t id);
const struct dxg_vk_pipeline *dxg_vk_pipeline_find(const struct dxg_vk_pipelines *t,
						   uint64_t id);

/* The Vulkan descriptor type of a slot (enum dxg_slot_type, checked). */
static inline VkDescriptorType dxg_vk_slot_descriptor(uint32_t slot_type)
{
	switch (slot_type) {
	case DXG_SLOT_UNIFORM_BUFFER:
		return VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
	case DXG_SLOT_UNIFORM_TEXEL_BUFFER:
		return VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
	case DXG_SLOT_STORAGE_TEXEL_BUFFER:
		return VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
	case DXG_SLOT_STORAGE_IMAGE:
		return VK_DESCRIPTOR_TYPE_STORAGE_IMAGE;
	case DXG_SLOT_SAMPLED_IMAGE:
		return VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE;
	case DXG_SLOT_SAMPLER:
		return VK_DESCRIPTOR_TYPE_SAMPLER;
	case DXG_SLOT_COMBINED_IMAGE_SAMPLER:
		return VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
	default:
		return VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
	}
}

#endif /* DXGHOST_VK_PIPELINE_H */
