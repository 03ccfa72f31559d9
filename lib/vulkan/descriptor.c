// SPDX-License-Identifier: MIT
/*
 * Descriptor set layouts, pools and sets.  A set is resolved when a dispatch
 * is recorded (cmd_record.c): each buffer descriptor becomes a GPU VA range
 * of the command, so the host never sees sets.  Buffer descriptors (storage
 * and uniform, dynamic or not), texel buffers (a view's range and format),
 * storage and sampled images (a view's image), samplers (their state, or
 * the layout's immutable ones), combined image samplers (both) and inline
 * uniform blocks (their bytes in memory of the set: inline_uniform.c) are
 * what this driver implements; other types are kept so layouts can be
 * made, and a pipeline that uses them fails.
 * Layouts are reference counted: Vulkan lets the application destroy one
 * while sets and pipeline layouts made from it live.
 */
#include <stdlib.h>
#include <string.h>

#include "odx.h"

static bool has_sampler(VkDescriptorType t)
{
	return t == VK_DESCRIPTOR_TYPE_SAMPLER || t == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
}

static bool has_image(VkDescriptorType t)
{
	return t == VK_DESCRIPTOR_TYPE_STORAGE_IMAGE || t == VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE ||
	       t == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
}

/* A binding's immutable samplers (NULL: none, or not a sampler binding). */
static const VkSampler *immutable_of(const VkDescriptorSetLayoutCreateInfo *ci,
				     uint32_t binding)
{
	for (uint32_t i = 0; i < ci->bindingCount; i++)
		if (ci->pBindings[i].binding == binding)
			return has_sampler(ci->pBindings[i].descriptorType) ?
			       ci->pBindings[i].pImmutableSamplers : NULL;
	return NULL;
}

/*
 * The immutable samplers' states, after the bindings: Vulkan lets the
 * application destroy a sampler once the layout is made, so they are copied.
 */
static void keep_immutable(struct odx_set_layout *l, const VkDescriptorSetLayoutCreateInfo *ci)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < l->count; i++) {
		const VkSampler *imm = immutable_of(ci, l->b[i].binding);

		l->b[i].immutable = imm ? n : ODX_NO_IMMUTABLE;
		for (uint32_t e = 0; imm && e < l->b[i].kept; e++) {
			const struct odx_sampler *sm = ODX_FROM_HANDLE(odx_sampler, imm[e]);

			l->immutable[n++] = sm ? sm->state : (struct dxg_cmd_sampler) { 0 };
		}
	}
}

static int cmp_binding(const void *a, const void *b)
{
	uint32_t x = ((const struct odx_set_binding *)a)->binding;
	uint32_t y = ((const struct odx_set_binding *)b)->binding;

	return x < y ? -1 : x > y;
}

static bool is_dynamic(VkDescriptorType t)
{
	return t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC ||
	       t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateDescriptorSetLayout(VkDevice device,
			      const VkDescriptorSetLayoutCreateInfo *pCreateInfo,
			      const VkAllocationCallbacks *pAllocator,
			      VkDescriptorSetLayout *pSetLayout)
{
	struct odx_device *d = (struct odx_device *)device;
	uint32_t n = pCreateInfo->bindingCount, dyn = 0, immutable = 0;
	struct odx_set_layout *l;

	(void)pAllocator;
	for (uint32_t i = 0; i < n; i++)
		if (immutable_of(pCreateInfo, pCreateInfo->pBindings[i].binding))
			immutable += pCreateInfo->pBindings[i].descriptorCount < DXG_CMD_MAX_BINDINGS ?
				     pCreateInfo->pBindings[i].descriptorCount : DXG_CMD_MAX_BINDINGS;
	l = odx_alloc(odx_device_alloc(d), sizeof(*l) + n * sizeof(l->b[0]) +
		      immutable * sizeof(struct dxg_cmd_sampler),
		      VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!l)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	atomic_init(&l->refs, 1);
	l->immutable = (struct dxg_cmd_sampler *)&l->b[n];
	l->count = n;
	for (uint32_t i = 0; i < n; i++) {
		const VkDescriptorSetLayoutBinding *b = &pCreateInfo->pBindings[i];

		l->b[i] = (struct odx_set_binding) {
			.binding = b->binding, .type = b->descriptorType,
			.count = b->descriptorCount,
		};
	}
	/* Dynamic offsets are given in binding order (the spec's rule). */
	qsort(l->b, n, sizeof(l->b[0]), cmp_binding);
	l->descriptors = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (is_dynamic(l->b[i].type)) {
			l->b[i].dynamic_index = dyn;
			dyn += l->b[i].count;
		}
		l->b[i].first = l->descriptors;
		/* An inline uniform block's count is bytes: one slot. */
		if (l->b[i].type == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK)
			l->b[i].kept = 1;
		else
			l->b[i].kept = l->b[i].count < DXG_CMD_MAX_BINDINGS ?
				       l->b[i].count : DXG_CMD_MAX_BINDINGS;
		l->descriptors += l->b[i].kept;
	}
	l->dynamic_count = dyn;
	keep_immutable(l, pCreateInfo);
	if (!odx_inline_layout(l)) {
		odx_free(odx_device_alloc(d), l);
		return VK_ERROR_OUT_OF_HOST_MEMORY;	/* beyond the limits */
	}
	*pSetLayout = ODX_TO_HANDLE(VkDescriptorSetLayout, l);
	return VK_SUCCESS;
}

void odx_set_layout_unref(struct odx_device *d, struct odx_set_layout *l)
{
	if (l && atomic_fetch_sub(&l->refs, 1) == 1)
		odx_free(odx_device_alloc(d), l);
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyDescriptorSetLayout(VkDevice device, VkDescriptorSetLayout layout,
			       const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_set_layout_unref((struct odx_device *)device,
			     ODX_FROM_HANDLE(odx_set_layout, layout));
}

const struct odx_set_binding *odx_set_layout_find(const struct odx_set_layout *l,
						  uint32_t binding, uint32_t *index)
{
	for (uint32_t i = 0; i < l->count; i++)
		if (l->b[i].binding == binding) {
			if (index)
				*index = i;
			return &l->b[i];
		}
	return NULL;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDescriptorSetLayoutSupport(VkDevice device,
				  const VkDescriptorSetLayoutCreateInfo *pCreateInfo,
				  VkDescriptorSetLayoutSupport *pSupport)
{
	(void)device;
	pSupport->supported = pCreateInfo->bindingCount <= DXG_CMD_MAX_BINDINGS &&
			      odx_inline_layout_supported(pCreateInfo);
}

/* ---- pools and sets ---- */

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateDescriptorPool(VkDevice device, const VkDescriptorPoolCreateInfo *pCreateInfo,
			 const VkAllocationCallbacks *pAllocator,
			 VkDescriptorPool *pPool)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_descriptor_pool *p;

	(void)pAllocator;
	p = odx_alloc(odx_device_alloc(d), sizeof(*p), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!p)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	memset(p, 0, sizeof(*p));
	p->max_sets = pCreateInfo->maxSets;
	*pPool = ODX_TO_HANDLE(VkDescriptorPool, p);
	return VK_SUCCESS;
}

/*
 * A set of @l, zeroed, with no pool yet (push descriptors keep none); its
 * inline uniform blocks' memory made.  NULL: no memory.
 */
struct odx_descriptor_set *odx_set_create(struct odx_device *d, struct odx_set_layout *l)
{
	size_t size = sizeof(struct odx_descriptor_set) +
		      l->descriptors * sizeof(struct odx_descriptor);
	struct odx_descriptor_set *s = odx_alloc(odx_device_alloc(d), size,
						 VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);

	if (!s)
		return NULL;
	memset(s, 0, size);
	s->layout = l;
	for (uint32_t i = 0; i < l->count; i++)
		for (uint32_t e = 0; l->b[i].immutable != ODX_NO_IMMUTABLE && e < l->b[i].kept; e++)
			s->d[l->b[i].first + e].sampler = l->immutable[l->b[i].immutable + e];
	if (odx_inline_set_create(d, s) != VK_SUCCESS) {
		odx_free(odx_device_alloc(d), s);
		return NULL;
	}
	atomic_fetch_add(&l->refs, 1);
	return s;
}

static void free_set(struct odx_device *d, struct odx_descriptor_set *s)
{
	if (s->pool) {
		struct odx_descriptor_set **pp = &s->pool->sets;

		while (*pp && *pp != s)
			pp = &(*pp)->next;
		if (*pp)
			*pp = s->next;
		s->pool->live--;
	}
	odx_inline_set_destroy(d, s);
	odx_set_layout_unref(d, s->layout);
	odx_free(odx_device_alloc(d), s);
}

void odx_set_destroy(struct odx_device *d, struct odx_descriptor_set *s)
{
	if (s)
		free_set(d, s);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_ResetDescriptorPool(VkDevice device, VkDescriptorPool pool,
			VkDescriptorPoolResetFlags flags)
{
	struct odx_descriptor_pool *p = ODX_FROM_HANDLE(odx_descriptor_pool, pool);

	(void)flags;
	while (p->sets)
		free_set((struct odx_device *)device, p->sets);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyDescriptorPool(VkDevice device, VkDescriptorPool pool,
			  const VkAllocationCallbacks *pAllocator)
{
	struct odx_descriptor_pool *p = ODX_FROM_HANDLE(odx_descriptor_pool, pool);

	(void)pAllocator;
	if (!p)
		return;
	odx_ResetDescriptorPool(device, pool, 0);
	odx_free(odx_device_alloc((struct odx_device *)device), p);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_AllocateDescriptorSets(VkDevice device, const VkDescriptorSetAllocateInfo *pInfo,
			   VkDescriptorSet *pSets)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_descriptor_pool *p = ODX_FROM_HANDLE(odx_descriptor_pool,
							pInfo->descriptorPool);
	uint32_t i;

	for (i = 0; i < pInfo->descriptorSetCount; i++) {
		struct odx_set_layout *l = ODX_FROM_HANDLE(odx_set_layout,
							   pInfo->pSetLayouts[i]);
		struct odx_descriptor_set *s;

		if (p->live >= p->max_sets)
			goto fail_pool;
		s = odx_set_create(d, l);
		if (!s)
			goto fail_mem;
		s->pool = p;
		s->next = p->sets;
		p->sets = s;
		p->live++;
		pSets[i] = ODX_TO_HANDLE(VkDescriptorSet, s);
	}
	return VK_SUCCESS;
fail_pool:
	odx_FreeDescriptorSets(device, pInfo->descriptorPool, i, pSets);
	memset(pSets, 0, pInfo->descriptorSetCount * sizeof(*pSets));
	return VK_ERROR_OUT_OF_POOL_MEMORY;
fail_mem:
	odx_FreeDescriptorSets(device, pInfo->descriptorPool, i, pSets);
	memset(pSets, 0, pInfo->descriptorSetCount * sizeof(*pSets));
	return VK_ERROR_OUT_OF_HOST_MEMORY;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_FreeDescriptorSets(VkDevice device, VkDescriptorPool pool, uint32_t count,
		       const VkDescriptorSet *pSets)
{
	(void)pool;
	for (uint32_t i = 0; i < count; i++)
		if (pSets[i])
			free_set((struct odx_device *)device,
				 ODX_FROM_HANDLE(odx_descriptor_set, pSets[i]));
	return VK_SUCCESS;
}

struct odx_descriptor *odx_set_element(struct odx_descriptor_set *s, uint32_t binding,
				       uint32_t elem, bool rollover,
				       const struct odx_set_binding **out)
{
	uint32_t idx;
	const struct odx_set_binding *b = odx_set_layout_find(s->layout, binding, &idx);

	while (rollover && b && elem >= b->count) {
		elem -= b->count;
		b = idx + 1 < s->layout->count ? &s->layout->b[++idx] : NULL;
	}
	if (out)
		*out = b;
	if (!b || elem >= b->kept)
		return NULL;
	return &s->d[b->first + elem];
}

/*
 * Writes element `elem` of binding `binding` onwards; consecutive bindings
 * take the overflow as the spec describes.  Elements beyond those a
 * pipeline can bind are not kept.
 */
static void write_buffers(struct odx_descriptor_set *s, uint32_t binding,
			  uint32_t elem, uint32_t count,
			  const VkDescriptorBufferInfo *bi)
{
	for (uint32_t i = 0; i < count; i++) {
		struct odx_descriptor *d = odx_set_element(s, binding, elem + i, true, NULL);

		if (d)
			*d = (struct odx_descriptor) {
				.buffer = ODX_FROM_HANDLE(odx_buffer, bi[i].buffer),
				.offset = bi[i].offset, .range = bi[i].range,
			};
	}
}

static bool is_buffer(VkDescriptorType t)
{
	return t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER ||
	       t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER || is_dynamic(t);
}

static bool is_texel(VkDescriptorType t)
{
	return t == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER ||
	       t == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
}

/*
 * Images and samplers of descriptor type @type: the views' images where
 * the type has an image, the samplers' states where it has a sampler
 * (not over a binding's immutable ones).
 */
static void write_images(struct odx_descriptor_set *s, uint32_t binding, uint32_t elem,
			 uint32_t count, const VkDescriptorImageInfo *ii, VkDescriptorType type)
{
	for (uint32_t i = 0; i < count; i++) {
		const struct odx_set_binding *b;
		struct odx_descriptor *d = odx_set_element(s, binding, elem + i, true, &b);
		const struct odx_image_view *v = ODX_FROM_HANDLE(odx_image_view,
								 ii[i].imageView);
		const struct odx_sampler *sm = ODX_FROM_HANDLE(odx_sampler, ii[i].sampler);

		if (!d)
			continue;
		if (has_image(type)) {
			d->image = v ? v->image : NULL;
			d->format = v ? v->format : 0;
			d->view_type = v ? v->view_type : 0;
			d->level = v ? v->level : 0;
			d->layer = v ? v->layer : 0;
			d->levels = v ? v->levels : 0;
			d->layers = v ? v->layers : 0;
			/* Storage views map nothing (Vulkan requires identity there). */
			memset(d->swizzle, 0, sizeof(d->swizzle));
			if (v && type != VK_DESCRIPTOR_TYPE_STORAGE_IMAGE)
				memcpy(d->swizzle, v->swizzle, sizeof(d->swizzle));
		}
		if (has_sampler(type) && b->immutable == ODX_NO_IMMUTABLE)
			d->sampler = sm ? sm->state : (struct dxg_cmd_sampler) { 0 };
	}
}

/* Texel buffer views, as write_buffers() writes buffers. */
static void write_views(struct odx_descriptor_set *s, uint32_t binding,
			uint32_t elem, uint32_t count, const VkBufferView *views)
{
	for (uint32_t i = 0; i < count; i++) {
		struct odx_descriptor *d = odx_set_element(s, binding, elem + i, true, NULL);
		const struct odx_buffer_view *v = ODX_FROM_HANDLE(odx_buffer_view, views[i]);

		if (d)
			*d = v ? (struct odx_descriptor) {
				.buffer = v->buffer, .offset = v->offset,
				.range = v->range, .format = v->format,
			} : (struct odx_descriptor) { 0 };
	}
}

void odx_set_write(struct odx_descriptor_set *s, const VkWriteDescriptorSet *w)
{
	if (w->descriptorType == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) {
		/* Bytes: the element is an offset, the count a size. */
		const VkWriteDescriptorSetInlineUniformBlock *ib =
			odx_find_in_chain(w->pNext,
					  VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_INLINE_UNIFORM_BLOCK);

		if (ib && ib->dataSize == w->descriptorCount)
			odx_inline_write(s, w->dstBinding, w->dstArrayElement, ib->pData,
					 ib->dataSize);
		return;
	}
	if (w->pBufferInfo && is_buffer(w->descriptorType))
		write_buffers(s, w->dstBinding, w->dstArrayElement, w->descriptorCount,
			      w->pBufferInfo);
	if (w->pTexelBufferView && is_texel(w->descriptorType))
		write_views(s, w->dstBinding, w->dstArrayElement, w->descriptorCount,
			    w->pTexelBufferView);
	if (w->pImageInfo && (has_image(w->descriptorType) || has_sampler(w->descriptorType)))
		write_images(s, w->dstBinding, w->dstArrayElement, w->descriptorCount,
			     w->pImageInfo, w->descriptorType);
}

VKAPI_ATTR void VKAPI_CALL
odx_UpdateDescriptorSets(VkDevice device, uint32_t writeCount,
			 const VkWriteDescriptorSet *pWrites, uint32_t copyCount,
			 const VkCopyDescriptorSet *pCopies)
{
	(void)device;
	for (uint32_t i = 0; i < writeCount; i++)
		odx_set_write(ODX_FROM_HANDLE(odx_descriptor_set, pWrites[i].dstSet),
			      &pWrites[i]);
	for (uint32_t i = 0; i < copyCount; i++) {
		const VkCopyDescriptorSet *c = &pCopies[i];
		struct odx_descriptor_set *src = ODX_FROM_HANDLE(odx_descriptor_set, c->srcSet);
		struct odx_descriptor_set *dst = ODX_FROM_HANDLE(odx_descriptor_set, c->dstSet);
		const struct odx_set_binding *sb = odx_set_layout_find(src->layout,
									c->srcBinding, NULL);

		if (sb && sb->type == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) {
			odx_inline_copy(dst, c->dstBinding, c->dstArrayElement, src,
					c->srcBinding, c->srcArrayElement, c->descriptorCount);
			continue;
		}
		for (uint32_t k = 0; k < c->descriptorCount; k++) {
			struct odx_descriptor *from = odx_set_element(src, c->srcBinding,
								      c->srcArrayElement + k,
								      true, NULL);
			struct odx_descriptor *to = odx_set_element(dst, c->dstBinding,
								    c->dstArrayElement + k,
								    true, NULL);

			if (to)
				*to = from ? *from : (struct odx_descriptor) { 0 };
		}
	}
}

/* ---- descriptor update templates: the writes, with where their data is ---- */

struct odx_update_template {
	uint32_t count;
	VkDescriptorUpdateTemplateEntry e[];
};

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateDescriptorUpdateTemplate(VkDevice device,
				   const VkDescriptorUpdateTemplateCreateInfo *pCreateInfo,
				   const VkAllocationCallbacks *pAllocator,
				   VkDescriptorUpdateTemplate *pTemplate)
{
	struct odx_device *d = (struct odx_device *)device;
	uint32_t n = pCreateInfo->descriptorUpdateEntryCount;
	struct odx_update_template *t;

	(void)pAllocator;
	/* Sets, or push descriptors (push_descriptor.c): the same entries. */
	t = odx_alloc(odx_device_alloc(d), sizeof(*t) + n * sizeof(t->e[0]),
		      VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!t)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	t->count = n;
	memcpy(t->e, pCreateInfo->pDescriptorUpdateEntries, n * sizeof(t->e[0]));
	*pTemplate = ODX_TO_HANDLE(VkDescriptorUpdateTemplate, t);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyDescriptorUpdateTemplate(VkDevice device, VkDescriptorUpdateTemplate tmpl,
				    const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_free(odx_device_alloc((struct odx_device *)device),
		 ODX_FROM_HANDLE(odx_update_template, tmpl));
}

VKAPI_ATTR void VKAPI_CALL
odx_UpdateDescriptorSetWithTemplate(VkDevice device, VkDescriptorSet set,
				    VkDescriptorUpdateTemplate tmpl, const void *pData)
{
	(void)device;
	odx_set_apply_template(ODX_FROM_HANDLE(odx_descriptor_set, set), tmpl, pData);
}

void odx_set_apply_template(struct odx_descriptor_set *s, VkDescriptorUpdateTemplate tmpl,
			    const void *pData)
{
	const struct odx_update_template *t = ODX_FROM_HANDLE(odx_update_template, tmpl);

	for (uint32_t i = 0; i < t->count; i++) {
		const VkDescriptorUpdateTemplateEntry *e = &t->e[i];

		/* An inline block's bytes are at offset, count of them. */
		if (e->descriptorType == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK)
			odx_inline_write(s, e->dstBinding, e->dstArrayElement,
					 (const char *)pData + e->offset, e->descriptorCount);
		/* Each element's VkDescriptorImageInfo at offset + k * stride. */
		for (uint32_t k = 0; (has_image(e->descriptorType) ||
				      has_sampler(e->descriptorType)) &&
				     k < e->descriptorCount; k++) {
			VkDescriptorImageInfo ii;

			memcpy(&ii, (const char *)pData + e->offset + (size_t)k * e->stride,
			       sizeof(ii));
			write_images(s, e->dstBinding, e->dstArrayElement + k, 1, &ii,
				     e->descriptorType);
		}
		/* Each element's VkBufferView at offset + k * stride. */
		for (uint32_t k = 0; is_texel(e->descriptorType) && k < e->descriptorCount; k++) {
			VkBufferView v;

			memcpy(&v, (const char *)pData + e->offset + (size_t)k * e->stride,
			       sizeof(v));
			write_views(s, e->dstBinding, e->dstArrayElement + k, 1, &v);
		}
		if (!is_buffer(e->descriptorType))
			continue;
		/* Each element's VkDescriptorBufferInfo at offset + k * stride. */
		for (uint32_t k = 0; k < e->descriptorCount; k++) {
			VkDescriptorBufferInfo bi;

			memcpy(&bi, (const char *)pData + e->offset + (size_t)k * e->stride,
			       sizeof(bi));
			write_buffers(s, e->dstBinding, e->dstArrayElement + k, 1, &bi);
		}
	}
}
