// SPDX-License-Identifier: MIT
/*
 * Shader modules, pipeline layouts, compute pipelines and pipeline caches.
 * A compute pipeline goes to the host as one DXG_ESCAPE_CREATE_PIPELINE2
 * (docs/command-stream.md §6): the SPIR-V, the entry point, the buffers the
 * shader declares as slots (their set, binding and type from the pipeline
 * layout), the push constant size, the specialization constants and a
 * required subgroup size.  The host validates and compiles it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "odx.h"

/* ---- shader modules: the SPIR-V, kept until a pipeline is made ---- */

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateShaderModule(VkDevice device, const VkShaderModuleCreateInfo *pCreateInfo,
		       const VkAllocationCallbacks *pAllocator,
		       VkShaderModule *pModule)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_shader_module *m;

	(void)pAllocator;
	if (pCreateInfo->codeSize > DXG_SPIRV_MAX_SIZE)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	m = odx_alloc(odx_device_alloc(d), sizeof(*m) + pCreateInfo->codeSize,
		      VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!m)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	m->size = pCreateInfo->codeSize;
	memcpy(m->code, pCreateInfo->pCode, m->size);
	*pModule = ODX_TO_HANDLE(VkShaderModule, m);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyShaderModule(VkDevice device, VkShaderModule module,
			const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_free(odx_device_alloc((struct odx_device *)device),
		 ODX_FROM_HANDLE(odx_shader_module, module));
}

/* ---- pipeline layouts ---- */

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreatePipelineLayout(VkDevice device, const VkPipelineLayoutCreateInfo *pCreateInfo,
			 const VkAllocationCallbacks *pAllocator,
			 VkPipelineLayout *pLayout)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_pipeline_layout *l;

	(void)pAllocator;
	if (pCreateInfo->setLayoutCount > DXG_PIPELINE_MAX_SETS)
		return VK_ERROR_OUT_OF_HOST_MEMORY;	/* beyond the reported limit */
	l = odx_alloc(odx_device_alloc(d), sizeof(*l), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!l)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	memset(l, 0, sizeof(*l));
	l->set_count = pCreateInfo->setLayoutCount;
	for (uint32_t i = 0; i < l->set_count; i++) {
		l->sets[i] = ODX_FROM_HANDLE(odx_set_layout, pCreateInfo->pSetLayouts[i]);
		if (l->sets[i])
			atomic_fetch_add(&l->sets[i]->refs, 1);
	}
	for (uint32_t i = 0; i < pCreateInfo->pushConstantRangeCount; i++) {
		const VkPushConstantRange *r = &pCreateInfo->pPushConstantRanges[i];

		if (r->offset + r->size > l->push_size)
			l->push_size = r->offset + r->size;
	}
	*pLayout = ODX_TO_HANDLE(VkPipelineLayout, l);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyPipelineLayout(VkDevice device, VkPipelineLayout layout,
			  const VkAllocationCallbacks *pAllocator)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_pipeline_layout *l = ODX_FROM_HANDLE(odx_pipeline_layout, layout);

	(void)pAllocator;
	if (!l)
		return;
	for (uint32_t i = 0; i < l->set_count; i++)
		odx_set_layout_unref(d, l->sets[i]);
	odx_free(odx_device_alloc(d), l);
}

/* ---- compute pipelines ---- */

enum {
	OP_TYPE_INT = 21, OP_TYPE_FLOAT = 22, OP_TYPE_IMAGE = 25,
	OP_TYPE_SAMPLED_IMAGE = 27,
	OP_TYPE_ARRAY = 28, OP_TYPE_POINTER = 32, OP_CONSTANT = 43,
	OP_VARIABLE = 59, OP_DECORATE = 71, DEC_BINDING = 33, DEC_SET = 34,
	DIM_2D = 1, DIM_3D = 2, DIM_CUBE = 3, DIM_BUFFER = 5,
};

/* What reflect() keeps of an id. */
struct rid {
	uint8_t set_dec, binding_dec, array, constant;
	uint8_t cls;		/* scalar type: enum dxg_texel_class */
	uint32_t set, binding;
	uint32_t type;		/* variable: its pointer type; pointer: pointee; array: length id */
	uint32_t elem;		/* array: its element type */
	uint32_t value;		/* constant */
	uint32_t format;	/* buffer or image type: a view format it accepts */
	uint8_t view;		/* image type: enum dxg_view_type */
};

/*
 * A format a texel buffer declared as @spv (its Image Format) of numeric
 * class @cls accepts: the one the SPIR-V format names, or a 32-bit one of
 * the class for Unknown.  Only for descriptors left unwritten.
 */
static uint32_t fallback_format(uint32_t spv, uint8_t cls)
{
	if (spv != DXG_SPV_UNKNOWN) {
		for (uint32_t f = 1; f < DXG_TEXEL_FORMAT_END; f++)
			if (dxg_texel_format(f).spv == spv)
				return f;
		return 0;
	}
	return cls == DXG_TEXEL_INT ? VK_FORMAT_R32_UINT : VK_FORMAT_R32_SFLOAT;
}

/*
 * The buffers the shader declares: its variables decorated with a set and
 * a binding, one slot per element of a descriptor array (of constant
 * length).  The host checks the module for real; this reads only what it
 * needs, bounded by the module.
 */
static VkResult reflect(const struct odx_shader_module *m, struct odx_slot *slots,
			uint32_t *count)
{
	const uint32_t *w = m->code;
	size_t words = m->size / 4;
	uint32_t bound = words > 5 ? w[3] : 0, n = 0;
	struct rid *t;
	VkResult r = VK_SUCCESS;

	if (!bound || bound > words)
		return VK_ERROR_INVALID_SHADER_NV;
	t = calloc(bound, sizeof(*t));
	if (!t)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	for (size_t i = 5; i < words;) {
		uint32_t wc = w[i] >> 16, op = w[i] & 0xffff;

		if (!wc || wc > words - i) {
			free(t);
			return VK_ERROR_INVALID_SHADER_NV;
		}
		if (op == OP_DECORATE && wc == 4 && w[i + 1] < bound) {
			struct rid *x = &t[w[i + 1]];

			if (w[i + 2] == DEC_SET) {
				x->set_dec = 1;
				x->set = w[i + 3];
			} else if (w[i + 2] == DEC_BINDING) {
				x->binding_dec = 1;
				x->binding = w[i + 3];
			}
		} else if ((op == OP_TYPE_INT || op == OP_TYPE_FLOAT) && wc >= 3 &&
			   w[i + 1] < bound) {
			t[w[i + 1]].cls = op == OP_TYPE_INT ? DXG_TEXEL_INT : DXG_TEXEL_FLOAT;
		} else if (op == OP_TYPE_IMAGE && wc >= 9 && w[i + 1] < bound &&
			   w[i + 2] < bound && (w[i + 3] == DIM_BUFFER || w[i + 3] == DIM_2D ||
						w[i + 3] == DIM_3D || w[i + 3] == DIM_CUBE)) {
			t[w[i + 1]].format = fallback_format(w[i + 8], t[w[i + 2]].cls);
			t[w[i + 1]].view = w[i + 3] == DIM_3D ? DXG_VIEW_3D :
					   w[i + 3] == DIM_CUBE ? DXG_VIEW_CUBE :
					   w[i + 5] ? DXG_VIEW_2D_ARRAY : DXG_VIEW_2D;
		} else if (op == OP_TYPE_SAMPLED_IMAGE && wc == 3 && w[i + 1] < bound &&
			   w[i + 2] < bound) {
			t[w[i + 1]].format = t[w[i + 2]].format;
			t[w[i + 1]].view = t[w[i + 2]].view;
		} else if (op == OP_TYPE_ARRAY && wc == 4 && w[i + 1] < bound) {
			t[w[i + 1]].array = 1;
			t[w[i + 1]].type = w[i + 3];
			t[w[i + 1]].elem = w[i + 2];
		} else if (op == OP_TYPE_POINTER && wc == 4 && w[i + 1] < bound) {
			t[w[i + 1]].type = w[i + 3];
		} else if (op == OP_CONSTANT && wc == 4 && w[i + 2] < bound) {
			t[w[i + 2]].constant = 1;
			t[w[i + 2]].value = w[i + 3];
		} else if (op == OP_VARIABLE && wc >= 4 && w[i + 2] < bound) {
			t[w[i + 2]].type = w[i + 1];
		}
		i += wc;
	}
	for (uint32_t id = 0; id < bound && r == VK_SUCCESS; id++) {
		uint32_t len = 1, ptr, pointee, format = 0, view = 0;

		if (!t[id].set_dec || !t[id].binding_dec)
			continue;
		ptr = t[id].type;
		pointee = ptr < bound ? t[ptr].type : 0;
		if (pointee && pointee < bound && t[pointee].array) {
			uint32_t lid = t[pointee].type;

			if (lid >= bound || !t[lid].constant)
				r = VK_ERROR_INVALID_SHADER_NV;
			else
				len = t[lid].value;
			pointee = t[pointee].elem;
		}
		if (pointee && pointee < bound) {
			format = t[pointee].format;
			view = t[pointee].view;
		}
		for (uint32_t e = 0; e < len && r == VK_SUCCESS; e++) {
			if (n == DXG_CMD_MAX_BINDINGS) {
				r = VK_ERROR_OUT_OF_DEVICE_MEMORY;
				break;
			}
			slots[n++] = (struct odx_slot) {
				.set = t[id].set, .binding = t[id].binding, .element = e,
				.format = format, .view = view,
			};
		}
	}
	free(t);
	*count = n;
	return r;
}

/* The slot's type in the layout: a buffer this driver can bind, or -1. */
static int slot_type(const struct odx_pipeline_layout *l, const struct odx_slot *s)
{
	const struct odx_set_binding *b;

	if (s->set >= l->set_count || !l->sets[s->set])
		return -1;
	b = odx_set_layout_find(l->sets[s->set], s->binding, NULL);
	if (!b)
		return -1;
	switch (b->type) {
	case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
	case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC:
		return DXG_SLOT_STORAGE_BUFFER;
	case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
	case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
	case VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK:	/* a uniform block in SPIR-V */
		return DXG_SLOT_UNIFORM_BUFFER;
	case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
		return DXG_SLOT_UNIFORM_TEXEL_BUFFER;
	case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
		return DXG_SLOT_STORAGE_TEXEL_BUFFER;
	case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
		return DXG_SLOT_STORAGE_IMAGE;
	case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
		return DXG_SLOT_SAMPLED_IMAGE;
	case VK_DESCRIPTOR_TYPE_SAMPLER:
		return DXG_SLOT_SAMPLER;
	case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
		return DXG_SLOT_COMBINED_IMAGE_SAMPLER;
	default:
		return -1;
	}
}

static uint32_t required_subgroup_size(const VkPipelineShaderStageCreateInfo *st)
{
	const VkPipelineShaderStageRequiredSubgroupSizeCreateInfo *r =
		odx_find_in_chain(st->pNext,
				  VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_REQUIRED_SUBGROUP_SIZE_CREATE_INFO);

	return r ? r->requiredSubgroupSize : 0;
}

static VkResult escape(struct odx_device *d, void *data, uint32_t size)
{
	NTSTATUS st = odx_escape(d, data, size);

	if (NT_SUCCESS(st))
		return VK_SUCCESS;
	/* Invalid SPIR-V or a layout the host refuses: the shader's fault. */
	if (st == STATUS_INVALID_PARAMETER || st == STATUS_NOT_SUPPORTED)
		return VK_ERROR_INVALID_SHADER_NV;
	return odx_result(st, VK_ERROR_UNKNOWN);
}

/* The escape's payload for one pipeline (docs/command-stream.md §6). */
static VkResult build(struct odx_device *d, const VkComputePipelineCreateInfo *ci,
		      struct odx_pipeline *p)
{
	const VkPipelineShaderStageCreateInfo *st = &ci->stage;
	const struct odx_shader_module *m = ODX_FROM_HANDLE(odx_shader_module, st->module);
	const struct odx_pipeline_layout *l = ODX_FROM_HANDLE(odx_pipeline_layout, ci->layout);
	const VkSpecializationInfo *sp = st->pSpecializationInfo;
	uint32_t nspec = sp ? sp->mapEntryCount : 0;
	uint32_t data = sp ? (uint32_t)sp->dataSize : 0;
	struct dxg_escape_create_pipeline2 k = { .op = DXG_ESCAPE_CREATE_PIPELINE2 };
	uint8_t *buf, *q;
	size_t size;
	VkResult r;

	if (!m || !l || strlen(st->pName) >= DXG_PIPELINE_ENTRY_LEN ||
	    nspec > DXG_PIPELINE_MAX_SPEC || data > DXG_PIPELINE_MAX_SPEC_DATA ||
	    l->push_size > DXG_CMD_MAX_PUSH_SIZE)
		return VK_ERROR_INVALID_SHADER_NV;
	r = reflect(m, p->slots, &p->num_slots);
	if (r != VK_SUCCESS)
		return r;
	size = DXG_ESCAPE_CREATE_PIPELINE2_SIZE(p->num_slots, nspec, data, m->size);
	buf = calloc(1, size);
	if (!buf)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	memcpy(k.entry, st->pName, strlen(st->pName));
	k.num_slots = p->num_slots;
	k.push_size = (l->push_size + 3) & ~3u;
	k.spirv_size = (uint32_t)m->size;
	k.num_spec = nspec;
	k.spec_data_size = data;
	k.subgroup_size = required_subgroup_size(st);
	q = buf + sizeof(k);
	for (uint32_t i = 0; i < p->num_slots; i++, q += sizeof(struct dxg_pipeline_slot)) {
		int type = slot_type(l, &p->slots[i]);
		struct dxg_pipeline_slot s = {
			.set = (uint8_t)p->slots[i].set, .type = (uint8_t)type,
			.element = (uint16_t)p->slots[i].element,
			.binding = p->slots[i].binding,
		};

		if (type < 0 || p->slots[i].set >= DXG_PIPELINE_MAX_SETS) {
			free(buf);
			return VK_ERROR_INVALID_SHADER_NV;
		}
		p->slots[i].type = (uint32_t)type;
		if (dxg_slot_is_image((uint32_t)type))
			odx_need_dummy_image(d);
		memcpy(q, &s, sizeof(s));
	}
	for (uint32_t i = 0; i < nspec; i++, q += sizeof(struct dxg_pipeline_spec)) {
		const struct dxg_pipeline_spec e = {
			.constant_id = sp->pMapEntries[i].constantID,
			.offset = sp->pMapEntries[i].offset,
			.size = (uint32_t)sp->pMapEntries[i].size,
		};

		memcpy(q, &e, sizeof(e));
	}
	if (data)
		memcpy(q, sp->pData, data);
	q += DXG_ALIGN8(data);
	memcpy(q, m->code, m->size);
	memcpy(buf, &k, sizeof(k));
	r = escape(d, buf, (uint32_t)size);
	if (r == VK_SUCCESS)
		memcpy(&p->id, buf + offsetof(struct dxg_escape_create_pipeline2, pipeline),
		       sizeof(p->id));
	free(buf);
	if (r == VK_SUCCESS && !p->id)
		r = VK_ERROR_UNKNOWN;
	p->push_size = k.push_size;
	return r;
}

static void destroy_pipeline(struct odx_device *d, struct odx_pipeline *p)
{
	struct dxg_escape_destroy_pipeline dp = {
		.op = DXG_ESCAPE_DESTROY_PIPELINE, .pipeline = p->id,
	};

	if (p->id)
		escape(d, &dp, sizeof(dp));
	odx_free(odx_device_alloc(d), p);
}

/*
 * VkPipelineCreationFeedbackCreateInfo (1.3): the pipeline's and its one
 * stage's creation time.  Nothing came from an application cache.
 */
static void creation_feedback(const VkComputePipelineCreateInfo *ci, uint64_t ns)
{
	const VkPipelineCreationFeedbackCreateInfo *f =
		odx_find_in_chain(ci->pNext, VK_STRUCTURE_TYPE_PIPELINE_CREATION_FEEDBACK_CREATE_INFO);
	const VkPipelineCreationFeedback fb = {
		.flags = VK_PIPELINE_CREATION_FEEDBACK_VALID_BIT, .duration = ns,
	};

	if (!f)
		return;
	if (f->pPipelineCreationFeedback)
		*f->pPipelineCreationFeedback = fb;
	for (uint32_t i = 0; i < f->pipelineStageCreationFeedbackCount; i++)
		if (f->pPipelineStageCreationFeedbacks)
			f->pPipelineStageCreationFeedbacks[i] = fb;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateComputePipelines(VkDevice device, VkPipelineCache cache, uint32_t count,
			   const VkComputePipelineCreateInfo *pCreateInfos,
			   const VkAllocationCallbacks *pAllocator,
			   VkPipeline *pPipelines)
{
	struct odx_device *d = (struct odx_device *)device;
	VkResult result = VK_SUCCESS;

	(void)cache, (void)pAllocator;
	for (uint32_t i = 0; i < count; i++)
		pPipelines[i] = VK_NULL_HANDLE;
	for (uint32_t i = 0; i < count; i++) {
		const VkComputePipelineCreateInfo *ci = &pCreateInfos[i];
		struct odx_pipeline *p = NULL;
		uint64_t t0 = odx_now_ns();
		VkResult r = VK_ERROR_OUT_OF_HOST_MEMORY;

		/*
		 * The caches keep nothing (the host compiles, or shares a
		 * pipeline it compiled before by content): creation always
		 * compiles, which this flag asks to refuse.
		 */
		if (ci->flags & VK_PIPELINE_CREATE_FAIL_ON_PIPELINE_COMPILE_REQUIRED_BIT) {
			r = VK_PIPELINE_COMPILE_REQUIRED;
		} else {
			p = odx_alloc(odx_device_alloc(d), sizeof(*p),
				      VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
			if (p)
				r = build(d, ci, p);
		}
		if (r == VK_SUCCESS) {
			creation_feedback(ci, odx_now_ns() - t0);
			pPipelines[i] = ODX_TO_HANDLE(VkPipeline, p);
			continue;
		}
		if (p)
			destroy_pipeline(d, p);
		if (getenv("ODX_DEBUG") && r != VK_PIPELINE_COMPILE_REQUIRED)
			fprintf(stderr, "opendxg: compute pipeline '%s': VkResult %d\n",
				ci->stage.pName, r);
		/* An error outranks "compile required" (a success code). */
		if (result == VK_SUCCESS || r < 0)
			result = r;
		if (ci->flags & VK_PIPELINE_CREATE_EARLY_RETURN_ON_FAILURE_BIT)
			break;	/* the rest stay VK_NULL_HANDLE */
	}
	return result;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyPipeline(VkDevice device, VkPipeline pipeline,
		    const VkAllocationCallbacks *pAllocator)
{
	struct odx_pipeline *p = ODX_FROM_HANDLE(odx_pipeline, pipeline);

	(void)pAllocator;
	if (p)
		destroy_pipeline((struct odx_device *)device, p);
}

/* ---- pipeline caches: valid, empty (the host compiles every time) ---- */

struct odx_pipeline_cache {
	uint8_t unused;
};

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreatePipelineCache(VkDevice device, const VkPipelineCacheCreateInfo *pCreateInfo,
			const VkAllocationCallbacks *pAllocator, VkPipelineCache *pCache)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_pipeline_cache *c;

	(void)pCreateInfo, (void)pAllocator;
	c = odx_alloc(odx_device_alloc(d), sizeof(*c), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!c)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	*pCache = ODX_TO_HANDLE(VkPipelineCache, c);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyPipelineCache(VkDevice device, VkPipelineCache cache,
			 const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_free(odx_device_alloc((struct odx_device *)device),
		 ODX_FROM_HANDLE(odx_pipeline_cache, cache));
}

/* The header version one layout of the spec, and no data after it. */
VKAPI_ATTR VkResult VKAPI_CALL
odx_GetPipelineCacheData(VkDevice device, VkPipelineCache cache, size_t *pSize,
			 void *pData)
{
	const struct odx_device *d = (const struct odx_device *)device;
	const VkPhysicalDeviceProperties *p = &d->physical->host.properties;
	uint32_t h[4 + VK_UUID_SIZE / 4];

	(void)cache;
	if (!pData) {
		*pSize = sizeof(h);
		return VK_SUCCESS;
	}
	if (*pSize < sizeof(h)) {
		*pSize = 0;
		return VK_INCOMPLETE;
	}
	h[0] = sizeof(h);
	h[1] = VK_PIPELINE_CACHE_HEADER_VERSION_ONE;
	h[2] = p->vendorID;
	h[3] = p->deviceID;
	memcpy(&h[4], p->pipelineCacheUUID, VK_UUID_SIZE);
	memcpy(pData, h, sizeof(h));
	*pSize = sizeof(h);
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_MergePipelineCaches(VkDevice device, VkPipelineCache dst, uint32_t count,
			const VkPipelineCache *pSrc)
{
	(void)device, (void)dst, (void)count, (void)pSrc;
	return VK_SUCCESS;
}
