// SPDX-License-Identifier: MIT
/* Compute pipelines of the Vulkan backend (see vk_pipeline.h). */
#include "engines/vulkan/vk_pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"
#include "engines/engine.h"
#include "engines/vulkan/spirv_check.h"
#include "engines/vulkan/vk_status.h"

void dxg_vk_pipelines_init(struct dxg_vk_pipelines *t, struct dxg_vk_device *dev,
			   uint32_t push_range)
{
	memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->push_range = push_range;
	t->next_id = 1;
}

static void release(VkDevice dev, struct dxg_vk_pipeline *p)
{
	/* Vulkan ignores VK_NULL_HANDLE in every destroy call. */
	vkDestroyPipeline(dev, p->pipeline, NULL);
	vkDestroyPipelineLayout(dev, p->layout, NULL);
	vkDestroyDescriptorSetLayout(dev, p->set_layout, NULL);
	vkDestroyShaderModule(dev, p->module, NULL);
	memset(p, 0, sizeof(*p));
}

void dxg_vk_pipelines_fini(struct dxg_vk_pipelines *t)
{
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->p[i].id)
			release(t->dev->device, &t->p[i]);
	free(t->p);
	t->p = NULL;
	t->count = t->cap = 0;
}

static int32_t check_args(const struct dxg_vk_pipelines *t, uint32_t num_bindings,
			  uint32_t push_size)
{
	if (num_bindings > DXG_ENGINE_MAX_BINDINGS || push_size % 4 ||
	    push_size > DXG_ENGINE_MAX_PUSH_CONSTANTS)
		return STATUS_INVALID_PARAMETER;
	if (num_bindings > t->dev->limits.max_storage_buffers ||
	    push_size > t->push_range)
		return STATUS_NOT_SUPPORTED;
	if (t->count >= DXG_VK_MAX_PIPELINES)
		return STATUS_QUOTA_EXCEEDED;
	return 0;
}

static VkResult make_layouts(VkDevice dev, struct dxg_vk_pipeline *p,
			     uint32_t push_range)
{
	VkDescriptorSetLayoutBinding b[DXG_ENGINE_MAX_BINDINGS];
	const VkPushConstantRange range = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.size = push_range,
	};
	VkDescriptorSetLayoutCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = p->num_bindings,
		.pBindings = b,
	};
	VkPipelineLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &p->set_layout,
		.pushConstantRangeCount = push_range ? 1 : 0,
		.pPushConstantRanges = &range,
	};
	VkResult r;

	for (uint32_t i = 0; i < p->num_bindings; i++)
		b[i] = (VkDescriptorSetLayoutBinding) {
			.binding = i,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.descriptorCount = 1,
			.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		};
	r = vkCreateDescriptorSetLayout(dev, &dci, NULL, &p->set_layout);
	if (r == VK_SUCCESS)
		r = vkCreatePipelineLayout(dev, &lci, NULL, &p->layout);
	return r;
}

static VkResult build(VkDevice dev, struct dxg_vk_pipeline *p, const uint32_t *spirv,
		      size_t size, const char *entry, uint32_t push_range)
{
	const VkShaderModuleCreateInfo mci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = size,
		.pCode = spirv,
	};
	VkComputePipelineCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.pName = entry,
		},
	};
	VkResult r = vkCreateShaderModule(dev, &mci, NULL, &p->module);

	if (r == VK_SUCCESS)
		r = make_layouts(dev, p, push_range);
	if (r != VK_SUCCESS)
		return r;
	pci.stage.module = p->module;
	pci.layout = p->layout;
	return vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &pci, NULL,
					&p->pipeline);
}

static struct dxg_vk_pipeline *free_slot(struct dxg_vk_pipelines *t)
{
	struct dxg_vk_pipeline *np;
	uint32_t ncap, old = t->cap;

	for (uint32_t i = 0; i < t->cap; i++)
		if (!t->p[i].id)
			return &t->p[i];
	ncap = old ? old * 2 : 8;
	np = realloc(t->p, ncap * sizeof(*np));
	if (!np)
		return NULL;
	memset(np + old, 0, (ncap - old) * sizeof(*np));
	t->p = np;
	t->cap = ncap;
	return &t->p[old];
}

int32_t dxg_vk_pipeline_create(struct dxg_vk_pipelines *t, const uint32_t *spirv,
			       size_t spirv_size, const char *entry,
			       uint32_t num_bindings, uint32_t push_size,
			       uint64_t *out_id)
{
	struct dxg_vk_pipeline *p;
	int32_t st = check_args(t, num_bindings, push_size);
	VkResult r;

	if (!st)
		st = dxg_spirv_check(spirv, spirv_size, entry, num_bindings,
				     t->dev->info.api_version);
	if (st)
		return st;
	p = free_slot(t);
	if (!p)
		return STATUS_NO_MEMORY;
	p->num_bindings = num_bindings;
	p->push_size = push_size;
	r = build(t->dev->device, p, spirv, spirv_size, entry, t->push_range);
	if (r != VK_SUCCESS) {
		release(t->dev->device, p);
		/* The module passed validation: a failure now is the driver's. */
		return r == VK_ERROR_INVALID_SHADER_NV ? STATUS_INVALID_PARAMETER :
		       dxg_vk_status(r);
	}
	p->id = t->next_id++;
	t->count++;
	*out_id = p->id;
	return 0;
}

static struct dxg_vk_pipeline *find(const struct dxg_vk_pipelines *t, uint64_t id)
{
	if (!id)
		return NULL;
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->p[i].id == id)
			return &t->p[i];
	return NULL;
}

const struct dxg_vk_pipeline *dxg_vk_pipeline_find(const struct dxg_vk_pipelines *t,
						   uint64_t id)
{
	return find(t, id);
}

int32_t dxg_vk_pipeline_destroy(struct dxg_vk_pipelines *t, uint64_t id)
{
	struct dxg_vk_pipeline *p = find(t, id);

	if (!p)
		return STATUS_INVALID_HANDLE;
	release(t->dev->device, p);
	t->count--;
	return 0;
}
