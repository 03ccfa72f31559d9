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

/* The Vulkan objects p holds. */
static long live_objects(const struct dxg_vk_pipeline *p)
{
	long n = DXG_VK_LIVE(p->pipeline) + DXG_VK_LIVE(p->layout) +
		 DXG_VK_LIVE(p->module);

	for (uint32_t i = 0; i < DXG_PIPELINE_MAX_SETS; i++)
		n += DXG_VK_LIVE(p->set_layouts[i]);
	return n;
}

static void release(struct dxg_vk_device *d, struct dxg_vk_pipeline *p)
{
	VkDevice dev = d->device;

	dxg_vk_objects(d, -live_objects(p));
	/* Vulkan ignores VK_NULL_HANDLE in every destroy call. */
	vkDestroyPipeline(dev, p->pipeline, NULL);
	vkDestroyPipelineLayout(dev, p->layout, NULL);
	for (uint32_t i = 0; i < DXG_PIPELINE_MAX_SETS; i++)
		vkDestroyDescriptorSetLayout(dev, p->set_layouts[i], NULL);
	vkDestroyShaderModule(dev, p->module, NULL);
	memset(p, 0, sizeof(*p));
}

void dxg_vk_pipelines_fini(struct dxg_vk_pipelines *t)
{
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->p[i].id)
			release(t->dev, &t->p[i]);
	free(t->p);
	t->p = NULL;
	t->count = t->cap = 0;
}

/* Slots: known types, sets in range, no (set, binding) twice, device limits. */
static int32_t check_slots(const struct dxg_vk_limits *l,
			   const struct dxg_engine_pipeline *d)
{
	uint32_t storage = 0, uniform = 0;

	for (uint32_t i = 0; i < d->num_slots; i++) {
		const struct dxg_engine_slot *s = &d->slots[i];

		if (s->set >= DXG_PIPELINE_MAX_SETS ||
		    s->binding > DXG_PIPELINE_MAX_BINDING ||
		    (s->type != DXG_SLOT_STORAGE_BUFFER &&
		     s->type != DXG_SLOT_UNIFORM_BUFFER))
			return STATUS_INVALID_PARAMETER;
		for (uint32_t j = 0; j < i; j++)
			if (d->slots[j].set == s->set && d->slots[j].binding == s->binding)
				return STATUS_INVALID_PARAMETER;
		if (s->set >= l->max_bound_sets)
			return STATUS_NOT_SUPPORTED;
		if (s->type == DXG_SLOT_STORAGE_BUFFER)
			storage++;
		else
			uniform++;
	}
	if (storage > l->max_storage_buffers || uniform > l->max_uniform_buffers)
		return STATUS_NOT_SUPPORTED;
	return 0;
}

/* Specialization entries inside the data, of a scalar's size, ids unique. */
static int32_t check_spec(const struct dxg_engine_pipeline *d)
{
	for (uint32_t i = 0; i < d->num_spec; i++) {
		const struct dxg_pipeline_spec *e = &d->spec[i];

		if ((e->size != 1 && e->size != 2 && e->size != 4 && e->size != 8) ||
		    e->offset > d->spec_data_size ||
		    e->size > d->spec_data_size - e->offset || e->reserved)
			return STATUS_INVALID_PARAMETER;
		for (uint32_t j = 0; j < i; j++)
			if (d->spec[j].constant_id == e->constant_id)
				return STATUS_INVALID_PARAMETER;
	}
	return 0;
}

static int32_t check_args(const struct dxg_vk_pipelines *t,
			  const struct dxg_engine_pipeline *d)
{
	const struct dxg_vk_limits *l = &t->dev->limits;
	int32_t st;

	if (d->num_slots > DXG_ENGINE_MAX_BINDINGS || d->push_size % 4 ||
	    d->push_size > DXG_ENGINE_MAX_PUSH_CONSTANTS ||
	    d->num_spec > DXG_PIPELINE_MAX_SPEC ||
	    d->spec_data_size > DXG_PIPELINE_MAX_SPEC_DATA)
		return STATUS_INVALID_PARAMETER;
	st = check_slots(l, d);
	if (!st)
		st = check_spec(d);
	if (st)
		return st;
	if (d->push_size > t->push_range)
		return STATUS_NOT_SUPPORTED;
	if (d->subgroup_size &&
	    ((d->subgroup_size & (d->subgroup_size - 1)) ||
	     !l->subgroup_size_control || d->subgroup_size < l->min_subgroup_size ||
	     d->subgroup_size > l->max_subgroup_size))
		return STATUS_NOT_SUPPORTED;
	if (t->count >= DXG_VK_MAX_PIPELINES)
		return STATUS_QUOTA_EXCEEDED;
	return 0;
}

/* One layout per set up to the highest used; unused sets are empty. */
static VkResult make_layouts(VkDevice dev, struct dxg_vk_pipeline *p,
			     uint32_t push_range)
{
	const VkPushConstantRange range = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.size = push_range,
	};
	VkPipelineLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = p->num_sets,
		.pSetLayouts = p->set_layouts,
		.pushConstantRangeCount = push_range ? 1 : 0,
		.pPushConstantRanges = &range,
	};
	VkResult r = VK_SUCCESS;

	for (uint32_t set = 0; set < p->num_sets && r == VK_SUCCESS; set++) {
		VkDescriptorSetLayoutBinding b[DXG_ENGINE_MAX_BINDINGS];
		VkDescriptorSetLayoutCreateInfo dci = {
			.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
			.pBindings = b,
		};

		for (uint32_t i = 0; i < p->num_slots; i++) {
			if (p->slots[i].set != set)
				continue;
			b[dci.bindingCount++] = (VkDescriptorSetLayoutBinding) {
				.binding = p->slots[i].binding,
				.descriptorType = p->slots[i].type == DXG_SLOT_UNIFORM_BUFFER ?
					VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER :
					VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
				.descriptorCount = 1,
				.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
			};
		}
		r = vkCreateDescriptorSetLayout(dev, &dci, NULL, &p->set_layouts[set]);
	}
	if (r == VK_SUCCESS)
		r = vkCreatePipelineLayout(dev, &lci, NULL, &p->layout);
	return r;
}

static VkResult build(VkDevice dev, struct dxg_vk_pipeline *p,
		      const struct dxg_engine_pipeline *d, uint32_t push_range)
{
	VkSpecializationMapEntry map[DXG_PIPELINE_MAX_SPEC];
	const VkSpecializationInfo spec = {
		.mapEntryCount = d->num_spec,
		.pMapEntries = map,
		.dataSize = d->spec_data_size,
		.pData = d->spec_data,
	};
	const VkPipelineShaderStageRequiredSubgroupSizeCreateInfo sg = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_REQUIRED_SUBGROUP_SIZE_CREATE_INFO,
		.requiredSubgroupSize = d->subgroup_size,
	};
	const VkShaderModuleCreateInfo mci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = d->spirv_size,
		.pCode = d->spirv,
	};
	VkComputePipelineCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		/* DISPATCH2 may give a base workgroup. */
		.flags = VK_PIPELINE_CREATE_DISPATCH_BASE_BIT,
		.stage = {
			.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			.pNext = d->subgroup_size ? &sg : NULL,
			.stage = VK_SHADER_STAGE_COMPUTE_BIT,
			.pName = d->entry,
			.pSpecializationInfo = d->num_spec ? &spec : NULL,
		},
	};
	VkResult r = vkCreateShaderModule(dev, &mci, NULL, &p->module);

	for (uint32_t i = 0; i < d->num_spec; i++)
		map[i] = (VkSpecializationMapEntry) {
			.constantID = d->spec[i].constant_id,
			.offset = d->spec[i].offset,
			.size = d->spec[i].size,
		};
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

int32_t dxg_vk_pipeline_create(struct dxg_vk_pipelines *t,
			       const struct dxg_engine_pipeline *d,
			       uint64_t *out_id)
{
	struct dxg_vk_pipeline *p;
	int32_t st = check_args(t, d);
	VkResult r;

	if (!st)
		st = dxg_spirv_check(d->spirv, d->spirv_size, d->entry, d->slots,
				     d->num_slots, t->dev->info.api_version,
				     t->dev->device_address ?
				     DXG_SPIRV_DEVICE_ADDRESS : 0);
	if (st)
		return st;
	p = free_slot(t);
	if (!p)
		return STATUS_NO_MEMORY;
	p->num_slots = d->num_slots;
	memcpy(p->slots, d->slots, sizeof(p->slots));
	for (uint32_t i = 0; i < d->num_slots; i++)
		if (d->slots[i].set + 1 > p->num_sets)
			p->num_sets = d->slots[i].set + 1;
	p->push_size = d->push_size;
	r = build(t->dev->device, p, d, t->push_range);
	dxg_vk_objects(t->dev, live_objects(p));
	if (r != VK_SUCCESS) {
		release(t->dev, p);
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
	release(t->dev, p);
	t->count--;
	return 0;
}
