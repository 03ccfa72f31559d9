// SPDX-License-Identifier: MIT
/*
 * Buffer device addresses (Vulkan 1.2's bufferDeviceAddress,
 * VK_KHR_buffer_device_address).  Shaders dereference these addresses on
 * the host's device, so they must be the host device's own, not the guest's
 * GPU VAs: memory allocated with VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT asks
 * dxghost for its address once (DXG_ESCAPE_DEVICE_ADDRESS), and a buffer's
 * address is its memory's plus the bind offset.  The host keeps that memory
 * where the address points for as long as the allocation lives.
 * Offered only where the host enabled the feature on a device of this VM's
 * own (DXG_VKINFO_DEVICE_ADDRESS); capture/replay is not offered.
 */
#include <stdint.h>

#include "dxg/cmdstream.h"
#include "dxg/ntstatus.h"
#include "odx.h"

VkResult odx_memory_device_address(struct odx_device *d, struct odx_memory *m,
				   const VkMemoryAllocateInfo *info)
{
	const VkMemoryAllocateFlagsInfo *f =
		odx_find_in_chain(info->pNext, VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO);
	struct dxg_escape_device_address k = {
		.op = DXG_ESCAPE_DEVICE_ADDRESS,
		.allocation = m->allocation,
	};
	NTSTATUS st;

	if (!f || !(f->flags & VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT) ||
	    !d->physical->device_address)
		return VK_SUCCESS;	/* no address asked for, or none to give */
	st = odx_escape(d, &k, sizeof(k));
	if (!NT_SUCCESS(st))
		return odx_result(st, VK_ERROR_OUT_OF_DEVICE_MEMORY);
	m->address = k.address;
	return VK_SUCCESS;
}

VKAPI_ATTR VkDeviceAddress VKAPI_CALL
odx_GetBufferDeviceAddress(VkDevice device, const VkBufferDeviceAddressInfo *pInfo)
{
	const struct odx_buffer *b = ODX_FROM_HANDLE(odx_buffer, pInfo->buffer);

	(void)device;
	/* Valid usage: bound to memory allocated with the address flag. */
	return b->mem && b->mem->address ? b->mem->address + b->offset : 0;
}

/* Capture and replay are not offered: opaque addresses are all 0. */
VKAPI_ATTR uint64_t VKAPI_CALL
odx_GetBufferOpaqueCaptureAddress(VkDevice device,
				  const VkBufferDeviceAddressInfo *pInfo)
{
	(void)device;
	(void)pInfo;
	return 0;
}

VKAPI_ATTR uint64_t VKAPI_CALL
odx_GetDeviceMemoryOpaqueCaptureAddress(VkDevice device,
					const VkDeviceMemoryOpaqueCaptureAddressInfo *pInfo)
{
	(void)device;
	(void)pInfo;
	return 0;
}
