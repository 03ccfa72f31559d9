// SPDX-License-Identifier: MIT
/*
 * Instances: the physical devices found on /dev/dxg at the first
 * enumeration, each one an adapter of a host that offers a Vulkan device.
 */
#include <string.h>

#include "odx.h"

/*
 * The instance extensions Vulkan 1.1 made core.  Their commands are the
 * core ones under suffixed names (icd.c resolves them), and programs
 * written for 1.0 still enable them, often without asking first: a driver
 * that does not list them fails those programs' vkCreateInstance.
 */
static const VkExtensionProperties instance_extensions[] = {
	{ VK_KHR_GET_PHYSICAL_DEVICE_PROPERTIES_2_EXTENSION_NAME,
	  VK_KHR_GET_PHYSICAL_DEVICE_PROPERTIES_2_SPEC_VERSION },
	{ VK_KHR_EXTERNAL_MEMORY_CAPABILITIES_EXTENSION_NAME,
	  VK_KHR_EXTERNAL_MEMORY_CAPABILITIES_SPEC_VERSION },
	{ VK_KHR_EXTERNAL_SEMAPHORE_CAPABILITIES_EXTENSION_NAME,
	  VK_KHR_EXTERNAL_SEMAPHORE_CAPABILITIES_SPEC_VERSION },
	{ VK_KHR_EXTERNAL_FENCE_CAPABILITIES_EXTENSION_NAME,
	  VK_KHR_EXTERNAL_FENCE_CAPABILITIES_SPEC_VERSION },
	{ VK_KHR_DEVICE_GROUP_CREATION_EXTENSION_NAME,
	  VK_KHR_DEVICE_GROUP_CREATION_SPEC_VERSION },
};
#define INSTANCE_EXTENSION_COUNT \
	(uint32_t)(sizeof(instance_extensions) / sizeof(instance_extensions[0]))

static bool instance_extension_listed(const char *name)
{
	for (uint32_t i = 0; i < INSTANCE_EXTENSION_COUNT; i++)
		if (!strcmp(instance_extensions[i].extensionName, name))
			return true;
	return false;
}

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
	uint32_t n = INSTANCE_EXTENSION_COUNT;

	if (pLayerName)
		return VK_ERROR_LAYER_NOT_PRESENT;
	if (!pProperties) {
		*pPropertyCount = n;
		return VK_SUCCESS;
	}
	if (*pPropertyCount < n)
		n = *pPropertyCount;
	memcpy(pProperties, instance_extensions, n * sizeof(*pProperties));
	*pPropertyCount = n;
	return n < INSTANCE_EXTENSION_COUNT ? VK_INCOMPLETE : VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateInstance(const VkInstanceCreateInfo *pCreateInfo,
		   const VkAllocationCallbacks *pAllocator, VkInstance *pInstance)
{
	struct odx_instance *inst;

	/* The loader passes on only what we listed; check anyway. */
	for (uint32_t i = 0; i < pCreateInfo->enabledExtensionCount; i++)
		if (!instance_extension_listed(pCreateInfo->ppEnabledExtensionNames[i]))
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
