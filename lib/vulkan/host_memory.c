// SPDX-License-Identifier: MIT
/*
 * VK_EXT_external_memory_host: device memory that is the application's
 * own pages.  The pages become an existing-sysmem allocation (pinned by
 * the kernel driver, reached in place by dxghost through the guest's RAM,
 * docs/memory.md §11), mapped at a GPU VA like any allocation; the
 * application's pointer is the mapping.  Offered only where dxghost maps
 * this VM's RAM (the adapter description's DXG_VKINFO_DEVICE_GUEST_MEMORY).
 */

#include "odx.h"

VkResult odx_memory_import_host(struct odx_device *d,
				const VkMemoryAllocateInfo *info,
				struct odx_memory **out)
{
	const VkImportMemoryHostPointerInfoEXT *imp =
		odx_find_in_chain(info->pNext, VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT);
	const struct odx_physical_device *pd = d->physical;
	uintptr_t p;

	if (!imp)
		return VK_INCOMPLETE;
	p = (uintptr_t)imp->pHostPointer;
	if (!pd->guest_memory ||
	    imp->handleType != VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT ||
	    !p || p % ODX_HOST_POINTER_ALIGNMENT || !info->allocationSize ||
	    info->allocationSize % ODX_HOST_POINTER_ALIGNMENT ||
	    !(odx_host_pointer_types(pd) & (1u << info->memoryTypeIndex)))
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	return odx_memory_create_host(d, info->allocationSize,
				      imp->pHostPointer, out);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetMemoryHostPointerPropertiesEXT(VkDevice device,
				      VkExternalMemoryHandleTypeFlagBits handleType,
				      const void *pHostPointer,
				      VkMemoryHostPointerPropertiesEXT *pProps)
{
	const struct odx_physical_device *pd = ((struct odx_device *)device)->physical;

	if (!pd->guest_memory ||
	    handleType != VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT ||
	    !pHostPointer || (uintptr_t)pHostPointer % ODX_HOST_POINTER_ALIGNMENT)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	pProps->memoryTypeBits = odx_host_pointer_types(pd);
	return VK_SUCCESS;
}

void odx_host_memory_buffer_properties(const struct odx_physical_device *pd,
				       const VkPhysicalDeviceExternalBufferInfo *in,
				       VkExternalMemoryProperties *out)
{
	if (!pd->guest_memory ||
	    in->handleType != VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT)
		return;
	out->externalMemoryFeatures = VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
	out->compatibleHandleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
}
