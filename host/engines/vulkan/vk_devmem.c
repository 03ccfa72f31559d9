// SPDX-License-Identifier: MIT
/* Device memory for guests (see vk_devmem.h). */
#include "engines/vulkan/vk_devmem.h"

#include <stdlib.h>

#include "dxg/ntstatus.h"
#include "engines/vulkan/vk_status.h"

#define ZERO_TIMEOUT_NS	10000000000ull

/* A DEVICE_LOCAL type of @bits, one the CPU cannot map first; -1: none. */
static int pick_type(const struct dxg_vk_device *d, uint32_t bits)
{
	int any = -1;

	for (uint32_t i = 0; i < d->mem.memoryTypeCount; i++) {
		VkMemoryPropertyFlags f = d->mem.memoryTypes[i].propertyFlags;

		if (!(bits & (1u << i)) || !(f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT))
			continue;
		if (!(f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
			return (int)i;
		if (any < 0)
			any = (int)i;
	}
	return any;
}

/* Fills the whole buffer with zeros on the device's queue and waits. */
static VkResult zero(struct dxg_vk_device *d, VkBuffer buf)
{
	const VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT,
		.queueFamilyIndex = d->queue_family,
	};
	VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	const VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
	};
	VkCommandPool pool = VK_NULL_HANDLE;
	VkCommandBuffer cb = VK_NULL_HANDLE;
	VkFence fence = VK_NULL_HANDLE;
	VkResult r = vkCreateCommandPool(d->device, &pci, NULL, &pool);

	cai.commandPool = pool;
	if (r == VK_SUCCESS)
		r = vkAllocateCommandBuffers(d->device, &cai, &cb);
	if (r == VK_SUCCESS)
		r = vkCreateFence(d->device, &fci, NULL, &fence);
	dxg_vk_objects(d, DXG_VK_LIVE(pool) + DXG_VK_LIVE(fence));
	if (r == VK_SUCCESS)
		r = vkBeginCommandBuffer(cb, &bi);
	if (r == VK_SUCCESS) {
		vkCmdFillBuffer(cb, buf, 0, VK_WHOLE_SIZE, 0);
		r = vkEndCommandBuffer(cb);
	}
	if (r == VK_SUCCESS) {
		si.pCommandBuffers = &cb;
		pthread_mutex_lock(&d->queue_lock);
		r = vkQueueSubmit(d->queue, 1, &si, fence);
		pthread_mutex_unlock(&d->queue_lock);
	}
	if (r == VK_SUCCESS)
		r = vkWaitForFences(d->device, 1, &fence, VK_TRUE, ZERO_TIMEOUT_NS);
	/* A fill that did not finish may still run: keep what it uses. */
	if (r == VK_TIMEOUT)
		return r;
	dxg_vk_objects(d, -(DXG_VK_LIVE(pool) + DXG_VK_LIVE(fence)));
	vkDestroyFence(d->device, fence, NULL);
	vkDestroyCommandPool(d->device, pool, NULL);
	return r;
}

/* A device-memory buffer's usage: whatever a command may use it for. */
static VkBufferUsageFlags devmem_usage(const struct dxg_vk_device *d)
{
	return VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT |
	       VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
	       VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT |
	       VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
	       VK_BUFFER_USAGE_TRANSFER_DST_BIT | dxg_vk_address_usage(d);
}

int dxg_vk_devmem_probe_type(struct dxg_vk_device *d)
{
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = 4096,
		.usage = devmem_usage(d),
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkMemoryRequirements req;
	VkBuffer b;

	if (vkCreateBuffer(d->device, &bci, NULL, &b) != VK_SUCCESS)
		return -1;
	vkGetBufferMemoryRequirements(d->device, b, &req);
	vkDestroyBuffer(d->device, b, NULL);
	return pick_type(d, req.memoryTypeBits);
}

int32_t dxg_vk_devmem_alloc(struct dxg_vk_device *d, uint64_t size,
			    struct dxg_vk_devmem **out)
{
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = devmem_usage(d),
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	const VkMemoryAllocateFlagsInfo af = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
		.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = d->device_address ? &af : NULL,
	};
	struct dxg_vk_devmem *m;
	VkMemoryRequirements req;
	VkResult r;
	int type;

	if (!size)
		return STATUS_INVALID_PARAMETER;
	m = calloc(1, sizeof(*m));
	if (!m)
		return STATUS_NO_MEMORY;
	m->size = size;
	r = vkCreateBuffer(d->device, &bci, NULL, &m->buf);
	if (r != VK_SUCCESS)
		goto fail;
	dxg_vk_objects(d, 1);
	vkGetBufferMemoryRequirements(d->device, m->buf, &req);
	type = pick_type(d, req.memoryTypeBits);
	if (type < 0) {
		dxg_vk_devmem_free(d, m);
		return STATUS_NOT_SUPPORTED;
	}
	mai.allocationSize = req.size;
	mai.memoryTypeIndex = (uint32_t)type;
	m->type = (uint32_t)type;
	r = vkAllocateMemory(d->device, &mai, NULL, &m->mem);
	dxg_vk_objects(d, DXG_VK_LIVE(m->mem));
	if (r == VK_SUCCESS)
		r = vkBindBufferMemory(d->device, m->buf, m->mem, 0);
	if (r == VK_SUCCESS)
		r = zero(d, m->buf);
	if (r == VK_SUCCESS) {
		if (d->device_address) {
			const VkBufferDeviceAddressInfo ai = {
				.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO,
				.buffer = m->buf,
			};

			m->address = vkGetBufferDeviceAddress(d->device, &ai);
		}
		*out = m;
		return STATUS_SUCCESS;
	}
fail:
	if (r != VK_TIMEOUT)
		dxg_vk_devmem_free(d, m);
	return r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY ?
	       STATUS_QUOTA_EXCEEDED : dxg_vk_status(r);
}

void dxg_vk_devmem_free(struct dxg_vk_device *d, struct dxg_vk_devmem *m)
{
	if (!m)
		return;
	dxg_vk_devmem_drop(d, m);
	free(m);
}

void dxg_vk_devmem_drop(struct dxg_vk_device *d, struct dxg_vk_devmem *m)
{
	dxg_vk_objects(d, -(DXG_VK_LIVE(m->buf) + DXG_VK_LIVE(m->mem)));
	vkDestroyBuffer(d->device, m->buf, NULL);
	vkFreeMemory(d->device, m->mem, NULL);
	m->buf = VK_NULL_HANDLE;
	m->mem = VK_NULL_HANDLE;
	m->address = 0;		/* (never given out: no_discard) */
}

int32_t dxg_vk_devmem_renew(struct dxg_vk_device *d, struct dxg_vk_devmem *m)
{
	struct dxg_vk_devmem *n;
	int32_t st = dxg_vk_devmem_alloc(d, m->size, &n);

	if (st < 0)
		return st;
	dxg_vk_devmem_drop(d, m);
	*m = *n;
	free(n);
	return STATUS_SUCCESS;
}
