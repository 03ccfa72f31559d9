// SPDX-License-Identifier: MIT
/*
 * Instances: no instance extension of our own (1.1 made the ones compute
 * needs core), the physical devices found on /dev/dxg at the first
 * enumeration, each one an adapter of a host that offers a Vulkan device.
 */
#include <string.h>

#include "odx.h"

VKAPI_ATTR VkResult VKAPI_CALL odx_EnumerateInstanceVersion(uint32_t *pApiVersion)
{
	*pApiVersion = ODX_API_VERSION;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_EnumerateInstanceExtensionProperties(const char *pLayerName,
					 uint32_t *pPropertyCount,
					 VkExtensionProperties *pProperties)
{
	(void)pProperties;
	if (pLayerName)
		return VK_ERROR_LAYER_NOT_PRESENT;
	*pPropertyCount = 0;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateInstance(const VkInstanceCreateInfo *pCreateInfo,
		   const VkAllocationCallbacks *pAllocator, VkInstance *pInstance)
{
	struct odx_instance *inst;

	/* The loader passes on only what we listed: nothing, so far. */
	if (pCreateInfo->enabledExtensionCount)
		return VK_ERROR_EXTENSION_NOT_PRESENT;
	inst = odx_alloc(pAllocator, sizeof(*inst),
			 VK_SYSTEM_ALLOCATION_SCOPE_INSTANCE);
	if (!inst)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	set_loader_magic_value(inst);
	if (pAllocator)
		inst->alloc = *pAllocator;
	inst->api_version = pCreateInfo->pApplicationInfo &&
			    pCreateInfo->pApplicationInfo->apiVersion ?
			    pCreateInfo->pApplicationInfo->apiVersion :
			    VK_API_VERSION_1_0;
	*pInstance = (VkInstance)inst;
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyInstance(VkInstance instance, const VkAllocationCallbacks *pAllocator)
{
	struct odx_instance *inst = (struct odx_instance *)instance;

	(void)pAllocator;
	if (!inst)
		return;
	for (uint32_t i = 0; i < inst->physical_device_count; i++)
		odx_physical_device_destroy(inst->physical_devices[i]);
	odx_free(odx_instance_alloc(inst), inst);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_EnumeratePhysicalDevices(VkInstance instance, uint32_t *pCount,
			     VkPhysicalDevice *pDevices)
{
	struct odx_instance *inst = (struct odx_instance *)instance;
	uint32_t n;

	if (!inst->enumerated) {
		VkResult r = odx_enumerate_adapters(inst);

		if (r != VK_SUCCESS)
			return r;
		inst->enumerated = true;
	}
	if (!pDevices) {
		*pCount = inst->physical_device_count;
		return VK_SUCCESS;
	}
	n = *pCount < inst->physical_device_count ? *pCount :
		inst->physical_device_count;
	for (uint32_t i = 0; i < n; i++)
		pDevices[i] = (VkPhysicalDevice)inst->physical_devices[i];
	*pCount = n;
	return n < inst->physical_device_count ? VK_INCOMPLETE : VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_EnumeratePhysicalDeviceGroups(VkInstance instance, uint32_t *pCount,
				  VkPhysicalDeviceGroupProperties *pGroups)
{
	VkPhysicalDevice pds[ODX_MAX_PHYSICAL_DEVICES];
	uint32_t total = ODX_MAX_PHYSICAL_DEVICES, n;
	VkResult r = odx_EnumeratePhysicalDevices(instance, &total, pds);

	if (r < 0)
		return r;
	/* Each device is its own group (no linked adapters). */
	if (!pGroups) {
		*pCount = total;
		return VK_SUCCESS;
	}
	n = *pCount < total ? *pCount : total;
	for (uint32_t i = 0; i < n; i++) {
		pGroups[i].physicalDeviceCount = 1;
		memset(pGroups[i].physicalDevices, 0,
		       sizeof(pGroups[i].physicalDevices));
		pGroups[i].physicalDevices[0] = pds[i];
		pGroups[i].subsetAllocation = VK_FALSE;
	}
	*pCount = n;
	return n < total ? VK_INCOMPLETE : VK_SUCCESS;
}
