// SPDX-License-Identifier: MIT
/* Compute pipelines of the Vulkan backend (see vk_pipeline.h). */
#include "engines/vulkan/vk_pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"
#include "engines/engine.h"
#include "engines/vulkan/spirv_check.h"
#include "engines/vulkan/vk_pcache.h"
#include "engines/vulkan/vk_status.h"

void dxg_vk_pipelines_init(struct dxg_vk_pipelines *t, struct dxg_vk_device *dev,
			   uint32_t push_range)
{
	memset(t, 0, sizeof(*t));
	t->dev = dev;
	t->push_range = push_range;
	t->next_id = 1;
}

/* The engine lets go of the shared objects (the cache may keep them). */
static void release(struct dxg_vk_device *d, struct dxg_vk_pipeline *p)
{
	if (p->shared)
		dxg_vk_pcache_put(&d->pcache, d, p->shared);
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

/* How many slots are elements of (set, binding). */
static uint32_t array_size(const struct dxg_engine_slot *slots, uint32_t n,
			   uint32_t set, uint32_t binding)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i < n; i++)
		count += slots[i].set == set && slots[i].binding == binding;
	return count;
}

/*
 * Slots: known types, sets in range, each (set, binding, element) once, a
 * binding's elements 0..n-1 all of one type (a descriptor array), device
 * limits.
 */
static int32_t check_slots(const struct dxg_vk_limits *l,
			   const struct dxg_engine_pipeline *d)
{
	uint32_t count[DXG_SLOT_TYPE_MAX + 1] = { 0 };	/* per enum dxg_slot_type */

	for (uint32_t i = 0; i < d->num_slots; i++) {
		const struct dxg_engine_slot *s = &d->slots[i];

		if (s->set >= DXG_PIPELINE_MAX_SETS ||
		    s->binding > DXG_PIPELINE_MAX_BINDING ||
		    s->type > DXG_SLOT_TYPE_MAX ||
		    s->element >= array_size(d->slots, d->num_slots, s->set,
					     s->binding))
			return STATUS_INVALID_PARAMETER;
		for (uint32_t j = 0; j < i; j++)
			if (d->slots[j].set == s->set && d->slots[j].binding == s->binding &&
			    (d->slots[j].element == s->element ||
			     d->slots[j].type != s->type))
				return STATUS_INVALID_PARAMETER;
		if (s->set >= l->max_bound_sets)
			return STATUS_NOT_SUPPORTED;
		count[s->type]++;
	}
	/*
	 * Vulkan counts texel buffers as sampled and storage images, and a
	 * combined image sampler as both a sampled image and a sampler.
	 */
	if (count[DXG_SLOT_STORAGE_BUFFER] > l->max_storage_buffers ||
	    count[DXG_SLOT_UNIFORM_BUFFER] > l->max_uniform_buffers ||
	    count[DXG_SLOT_UNIFORM_TEXEL_BUFFER] + count[DXG_SLOT_SAMPLED_IMAGE] +
	    count[DXG_SLOT_COMBINED_IMAGE_SAMPLER] > l->max_sampled_images ||
	    count[DXG_SLOT_SAMPLER] + count[DXG_SLOT_COMBINED_IMAGE_SAMPLER] > l->max_samplers ||
	    count[DXG_SLOT_STORAGE_TEXEL_BUFFER] + count[DXG_SLOT_STORAGE_IMAGE] >
	    l->max_storage_images)
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
static VkResult make_layouts(VkDevice dev, const struct dxg_vk_pipeline *p,
			     struct dxg_vk_shared_pipeline *e, uint32_t push_range)
{
	const VkPushConstantRange range = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.size = push_range,
	};
	VkPipelineLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = p->num_sets,
		.pSetLayouts = e->set_layouts,
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

		/* One binding per array: its element 0 stands for it. */
		for (uint32_t i = 0; i < p->num_slots; i++) {
			if (p->slots[i].set != set || p->slots[i].element)
				continue;
			b[dci.bindingCount++] = (VkDescriptorSetLayoutBinding) {
				.binding = p->slots[i].binding,
				.descriptorType = dxg_vk_slot_descriptor(p->slots[i].type),
				.descriptorCount = array_size(p->slots, p->num_slots,
							      set, p->slots[i].binding),
				.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
			};
		}
		r = vkCreateDescriptorSetLayout(dev, &dci, NULL, &e->set_layouts[set]);
	}
	if (r == VK_SUCCESS)
		r = vkCreatePipelineLayout(dev, &lci, NULL, &e->layout);
	return r;
}

/* @code, @size: the module as the driver takes it (dxg_spirv_clamp()). */
static VkResult build(VkDevice dev, const struct dxg_vk_pipeline *p,
		      struct dxg_vk_shared_pipeline *e,
		      const struct dxg_engine_pipeline *d, const uint32_t *code,
		      size_t size, uint32_t push_range)
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
		.codeSize = size,
		.pCode = code,
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
	VkResult r = vkCreateShaderModule(dev, &mci, NULL, &e->module);

	for (uint32_t i = 0; i < d->num_spec; i++)
		map[i] = (VkSpecializationMapEntry) {
			.constantID = d->spec[i].constant_id,
			.offset = d->spec[i].offset,
			.size = d->spec[i].size,
		};
	if (r == VK_SUCCESS)
		r = make_layouts(dev, p, e, push_range);
	if (r != VK_SUCCESS)
		return r;
	pci.stage.module = e->module;
	pci.layout = e->layout;
	return vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &pci, NULL,
					&e->pipeline);
}

/* The shared objects' Vulkan objects, counted on the device. */
static long live_objects(const struct dxg_vk_shared_pipeline *e)
{
	long n = DXG_VK_LIVE(e->pipeline) + DXG_VK_LIVE(e->layout) +
		 DXG_VK_LIVE(e->module);

	for (uint32_t i = 0; i < DXG_PIPELINE_MAX_SETS; i++)
		n += DXG_VK_LIVE(e->set_layouts[i]);
	return n;
}

/*
 * Everything the objects are made from, in one buffer: the sharing key
 * (vk_pcache.h).  Fixed fields first, then the specialization data, the
 * entry point's name and the SPIR-V.  NULL when out of memory.
 */
struct key_head {
	uint64_t domain;
	uint32_t push_range, num_slots, num_spec, spec_data_size;
	uint32_t subgroup_size, entry_len;
	uint64_t spirv_size;
	struct dxg_engine_slot slots[DXG_ENGINE_MAX_BINDINGS];
	struct dxg_pipeline_spec spec[DXG_PIPELINE_MAX_SPEC];
};

static uint8_t *make_key(const struct dxg_engine_pipeline *d, uint64_t domain,
			 uint32_t push_range, size_t *size)
{
	struct key_head h;
	size_t elen = strlen(d->entry);
	uint8_t *k, *q;

	memset(&h, 0, sizeof(h));
	h.domain = domain;
	h.push_range = push_range;
	h.num_slots = d->num_slots;
	h.num_spec = d->num_spec;
	h.spec_data_size = d->spec_data_size;
	h.subgroup_size = d->subgroup_size;
	h.entry_len = (uint32_t)elen;
	h.spirv_size = d->spirv_size;
	memcpy(h.slots, d->slots, d->num_slots * sizeof(h.slots[0]));
	if (d->num_spec)
		memcpy(h.spec, d->spec, d->num_spec * sizeof(h.spec[0]));
	*size = sizeof(h) + d->spec_data_size + elen + d->spirv_size;
	k = malloc(*size);
	if (!k)
		return NULL;
	memcpy(k, &h, sizeof(h));
	q = k + sizeof(h);
	if (d->spec_data_size)
		memcpy(q, d->spec_data, d->spec_data_size);
	q += d->spec_data_size;
	memcpy(q, d->entry, elen);
	memcpy(q + elen, d->spirv, d->spirv_size);
	return k;
}

/*
 * The shared objects for @d: from the cache, or checked, built and added.
 * The key is the cache's or freed here.
 */
static int32_t shared_for(struct dxg_vk_pipelines *t, const struct dxg_vk_pipeline *p,
			  const struct dxg_engine_pipeline *d,
			  struct dxg_vk_shared_pipeline **out)
{
	struct dxg_vk_device *dev = t->dev;
	struct dxg_vk_shared_pipeline *e;
	struct dxg_spirv_facts facts;
	uint32_t *clamped = NULL;
	size_t size, clamped_size = 0;
	uint8_t *key;
	int32_t st;
	VkResult r;

	/* What the key copies is bounded first (the check repeats it). */
	if (!d->spirv || !d->entry || d->spirv_size > DXG_SPIRV_MAX_SIZE ||
	    (d->spec_data_size && !d->spec_data) || (d->num_spec && !d->spec) ||
	    strnlen(d->entry, DXG_SPIRV_MAX_ENTRY + 1) > DXG_SPIRV_MAX_ENTRY)
		return STATUS_INVALID_PARAMETER;
	key = make_key(d, t->domain, t->push_range, &size);
	if (!key)
		return STATUS_NO_MEMORY;
	*out = dxg_vk_pcache_get(&dev->pcache, key, size);
	if (*out) {
		free(key);
		return 0;
	}
	st = dxg_spirv_check(d->spirv, d->spirv_size, d->entry, d->slots,
			     d->num_slots, dev->info.api_version,
			     dev->device_address ? DXG_SPIRV_DEVICE_ADDRESS : 0,
			     &facts);
	if (!st)
		st = dxg_spirv_clamp(d->spirv, d->spirv_size, dev->info.api_version, &facts,
				     &clamped, &clamped_size);
	e = st ? NULL : calloc(1, sizeof(*e));
	if (!e) {
		free(clamped);
		free(key);
		return st ? st : STATUS_NO_MEMORY;
	}
	e->facts = facts;
	e->key = key;
	e->key_size = size;
	e->domain = t->domain;
	e->refs = 1;
	r = build(dev->device, p, e, d, clamped ? clamped : d->spirv,
		  clamped ? clamped_size : d->spirv_size, t->push_range);
	free(clamped);
	dxg_vk_objects(dev, live_objects(e));
	if (r != VK_SUCCESS) {
		dxg_vk_shared_pipeline_free(dev, e);
		/* The module passed validation: a failure now is the driver's. */
		return r == VK_ERROR_INVALID_SHADER_NV ? STATUS_INVALID_PARAMETER :
		       dxg_vk_status(r);
	}
	*out = dxg_vk_pcache_add(&dev->pcache, e);
	if (*out != e)		/* built twice at once: the first one stays */
		dxg_vk_shared_pipeline_free(dev, e);
	return 0;
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
	struct dxg_vk_shared_pipeline *e;
	struct dxg_vk_pipeline *p;
	int32_t st = check_args(t, d);

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
	st = shared_for(t, p, d, &e);
	if (st) {
		memset(p, 0, sizeof(*p));
		return st;
	}
	p->shared = e;
	p->module = e->module;
	memcpy(p->set_layouts, e->set_layouts, sizeof(p->set_layouts));
	p->layout = e->layout;
	p->pipeline = e->pipeline;
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
