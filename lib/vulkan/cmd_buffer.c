// SPDX-License-Identifier: MIT
/*
 * Command pools and buffers.  Recording appends open command-stream
 * commands (lib/cmdenc) to memory that grows; vkEndCommandBuffer copies the
 * finished stream into an IO-space allocation of the buffer's own, which a
 * submission names by GPU VA.  That allocation is reused by later
 * recordings (Vulkan forbids re-recording a pending buffer) and grows when
 * a recording outgrows it.
 */
#include <stdlib.h>
#include <string.h>

#include "odx.h"

#define ODX_CMD_MIN_GPU		(64u * 1024)

static bool grow(struct dxg_enc *e, uint32_t need)
{
	uint64_t cap = e->cap ? e->cap : 4096;
	uint8_t *nb;

	while (cap - e->used < need && cap <= DXG_CMDBUF_MAX_SIZE)
		cap *= 2;
	if (cap > DXG_CMDBUF_MAX_SIZE)
		cap = DXG_CMDBUF_MAX_SIZE;
	if (cap < e->used || cap - e->used < need)
		return false;
	nb = realloc(e->buf, cap);
	if (!nb)
		return false;
	e->buf = nb;
	e->cap = (uint32_t)cap;
	return true;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateCommandPool(VkDevice device, const VkCommandPoolCreateInfo *pCreateInfo,
		      const VkAllocationCallbacks *pAllocator, VkCommandPool *pPool)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_cmd_pool *p;

	(void)pAllocator;
	if (pCreateInfo->queueFamilyIndex != 0)
		return VK_ERROR_INITIALIZATION_FAILED;
	p = odx_alloc(odx_device_alloc(d), sizeof(*p), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!p)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	memset(p, 0, sizeof(*p));
	*pPool = ODX_TO_HANDLE(VkCommandPool, p);
	return VK_SUCCESS;
}

static void cmd_free(struct odx_device *d, struct odx_cmd_buffer *c)
{
	struct odx_cmd_buffer **pp = &c->pool->buffers;

	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	free(c->enc.buf);
	odx_cmd_drop_pushed(c);
	odx_memory_destroy(d, c->gpu);
	odx_free(odx_device_alloc(d), c);
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyCommandPool(VkDevice device, VkCommandPool pool,
		       const VkAllocationCallbacks *pAllocator)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_cmd_pool *p = ODX_FROM_HANDLE(odx_cmd_pool, pool);

	(void)pAllocator;
	if (!p)
		return;
	while (p->buffers)
		cmd_free(d, p->buffers);
	odx_free(odx_device_alloc(d), p);
}

static void reset(struct odx_cmd_buffer *c)
{
	dxg_enc_reset(&c->enc);
	c->error = VK_SUCCESS;
	c->last_was_barrier = false;
	c->length = 0;
	c->pipeline = NULL;
	memset(c->sets, 0, sizeof(c->sets));
	odx_cmd_drop_pushed(c);
	memset(c->push, 0, sizeof(c->push));
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_ResetCommandPool(VkDevice device, VkCommandPool pool,
		     VkCommandPoolResetFlags flags)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_cmd_pool *p = ODX_FROM_HANDLE(odx_cmd_pool, pool);

	for (struct odx_cmd_buffer *c = p->buffers; c; c = c->next) {
		reset(c);
		if (flags & VK_COMMAND_POOL_RESET_RELEASE_RESOURCES_BIT) {
			odx_memory_destroy(d, c->gpu);
			c->gpu = NULL;
		}
	}
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_TrimCommandPool(VkDevice device, VkCommandPool pool, VkCommandPoolTrimFlags flags)
{
	(void)device, (void)pool, (void)flags;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_AllocateCommandBuffers(VkDevice device, const VkCommandBufferAllocateInfo *pInfo,
			   VkCommandBuffer *pBuffers)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_cmd_pool *p = ODX_FROM_HANDLE(odx_cmd_pool, pInfo->commandPool);
	uint32_t i;

	for (i = 0; i < pInfo->commandBufferCount; i++) {
		struct odx_cmd_buffer *c;

		c = odx_alloc(odx_device_alloc(d), sizeof(*c),
			      VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
		if (!c)
			goto fail;
		memset(c, 0, sizeof(*c));
		set_loader_magic_value(c);
		c->device = d;
		c->pool = p;
		c->secondary = pInfo->level == VK_COMMAND_BUFFER_LEVEL_SECONDARY;
		dxg_enc_init(&c->enc, NULL, 0, grow, c);
		reset(c);
		c->next = p->buffers;
		p->buffers = c;
		pBuffers[i] = (VkCommandBuffer)c;
	}
	return VK_SUCCESS;
fail:
	odx_FreeCommandBuffers(device, pInfo->commandPool, i, pBuffers);
	memset(pBuffers, 0, pInfo->commandBufferCount * sizeof(*pBuffers));
	return VK_ERROR_OUT_OF_HOST_MEMORY;
}

VKAPI_ATTR void VKAPI_CALL
odx_FreeCommandBuffers(VkDevice device, VkCommandPool pool, uint32_t count,
		       const VkCommandBuffer *pBuffers)
{
	(void)pool;
	for (uint32_t i = 0; i < count; i++)
		if (pBuffers[i])
			cmd_free((struct odx_device *)device,
				 (struct odx_cmd_buffer *)pBuffers[i]);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_BeginCommandBuffer(VkCommandBuffer commandBuffer,
		       const VkCommandBufferBeginInfo *pBeginInfo)
{
	(void)pBeginInfo;
	reset((struct odx_cmd_buffer *)commandBuffer);
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_ResetCommandBuffer(VkCommandBuffer commandBuffer, VkCommandBufferResetFlags flags)
{
	(void)flags;
	reset((struct odx_cmd_buffer *)commandBuffer);
	return VK_SUCCESS;
}

/* The stream goes where the host reads it: the buffer's own allocation. */
VKAPI_ATTR VkResult VKAPI_CALL odx_EndCommandBuffer(VkCommandBuffer commandBuffer)
{
	struct odx_cmd_buffer *c = (struct odx_cmd_buffer *)commandBuffer;
	uint32_t len;

	if (c->error != VK_SUCCESS)
		return c->error;
	/* A secondary's commands are copied by vkCmdExecuteCommands. */
	if (c->secondary)
		return VK_SUCCESS;
	if (!c->enc.buf && !grow(&c->enc, 0))
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	len = dxg_enc_finish(&c->enc);
	if (!c->gpu || c->gpu->size < len) {
		uint32_t size = ODX_CMD_MIN_GPU;
		VkResult r;

		while (size < len)
			size *= 2;
		odx_memory_destroy(c->device, c->gpu);
		c->gpu = NULL;
		r = odx_memory_create(c->device, size, false, &c->gpu);
		if (r != VK_SUCCESS)
			return r;
	}
	memcpy(c->gpu->cpu, c->enc.buf, len);
	c->length = len;
	return VK_SUCCESS;
}
