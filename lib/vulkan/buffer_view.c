// SPDX-License-Identifier: MIT
/*
 * Texel buffer views.  A view is what a texel buffer descriptor holds: a
 * range of a buffer and a format.  It never reaches the host as an object:
 * a dispatch binds the range with the format in its binding
 * (docs/command-stream.md, version 5), and dxghost makes its own view for
 * that dispatch.  Formats are those the host offers texel buffer features
 * for (physical_device.c), from the table both sides share
 * (dxg/texel_format.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "odx.h"

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateBufferView(VkDevice device, const VkBufferViewCreateInfo *pCreateInfo,
		     const VkAllocationCallbacks *pAllocator, VkBufferView *pView)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_buffer *b = ODX_FROM_HANDLE(odx_buffer, pCreateInfo->buffer);
	uint32_t f = (uint32_t)pCreateInfo->format;
	struct dxg_texel_format tf = dxg_texel_format(f);
	struct odx_buffer_view *v;
	uint64_t range = pCreateInfo->range;

	(void)pAllocator;
	*pView = VK_NULL_HANDLE;
	/* A format without texel buffer features is invalid usage: refused. */
	if (f >= DXG_TEXEL_FORMAT_END || !d->physical->formats[f].buffer_features || !tf.size ||
	    !b || pCreateInfo->offset >= b->size) {
		if (getenv("ODX_DEBUG"))
			fprintf(stderr, "opendxg: vkCreateBufferView: format %u has no texel buffer features\n",
				f);
		return VK_ERROR_FORMAT_NOT_SUPPORTED;
	}
	/* VK_WHOLE_SIZE: the whole texels up to the buffer's end. */
	if (range == VK_WHOLE_SIZE)
		range = (b->size - pCreateInfo->offset) / tf.size * tf.size;
	v = odx_alloc(odx_device_alloc(d), sizeof(*v), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!v)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	*v = (struct odx_buffer_view) {
		.buffer = b, .offset = pCreateInfo->offset, .range = range, .format = f,
	};
	*pView = ODX_TO_HANDLE(VkBufferView, v);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyBufferView(VkDevice device, VkBufferView view, const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_free(odx_device_alloc((struct odx_device *)device),
		 ODX_FROM_HANDLE(odx_buffer_view, view));
}
