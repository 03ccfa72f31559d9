/* SPDX-License-Identifier: MIT */
/*
 * The Vulkan features of compute work that opendxg carries from the host's
 * device to a guest: dxghost enables exactly these (where its device has
 * them) on the device that runs guest work, and the guest's Vulkan driver
 * reports exactly these (where the host said its device has them).  One
 * list, so a guest is never offered a feature its pipelines cannot use.
 * Every graphics feature stays off.  Offsets of VkBool32 members.
 *
 * Dynamic indexing of descriptor arrays is here: dxghost clamps every
 * index that is not a constant to its array (host/engines/vulkan/spirv_arrays.h).
 *
 * bufferDeviceAddress is not here: the host enables it only on a device
 * that serves one VM, and says so per VM (DXG_VKINFO_DEVICE_ADDRESS); the
 * addresses are the host device's, not GPU VAs (docs/vulkan-backend.md).
 */
#ifndef DXG_VKFEATURES_H
#define DXG_VKFEATURES_H

#include <stddef.h>
#include <string.h>

#include <vulkan/vulkan.h>

#define DXG_VKF(type, member) offsetof(type, member)

static const size_t dxg_vk_features10[] = {
	DXG_VKF(VkPhysicalDeviceFeatures, robustBufferAccess),
	DXG_VKF(VkPhysicalDeviceFeatures, shaderFloat64),
	DXG_VKF(VkPhysicalDeviceFeatures, shaderInt64),
	DXG_VKF(VkPhysicalDeviceFeatures, shaderInt16),
	/* Descriptor arrays indexed by values dxghost clamps (spirv_arrays.h). */
	DXG_VKF(VkPhysicalDeviceFeatures, shaderUniformBufferArrayDynamicIndexing),
	DXG_VKF(VkPhysicalDeviceFeatures, shaderSampledImageArrayDynamicIndexing),
	DXG_VKF(VkPhysicalDeviceFeatures, shaderStorageBufferArrayDynamicIndexing),
	DXG_VKF(VkPhysicalDeviceFeatures, shaderStorageImageArrayDynamicIndexing),
	/* Storage texel buffers and images declared without a format... */
	DXG_VKF(VkPhysicalDeviceFeatures, shaderStorageImageReadWithoutFormat),
	DXG_VKF(VkPhysicalDeviceFeatures, shaderStorageImageWriteWithoutFormat),
	/* ... or with the formats beyond the basic ones (rg8, r16f...). */
	DXG_VKF(VkPhysicalDeviceFeatures, shaderStorageImageExtendedFormats),
	/* Samplers: anisotropic filtering, gathers with offsets. */
	DXG_VKF(VkPhysicalDeviceFeatures, samplerAnisotropy),
	DXG_VKF(VkPhysicalDeviceFeatures, shaderImageGatherExtended),
};

static const size_t dxg_vk_features11[] = {
	DXG_VKF(VkPhysicalDeviceVulkan11Features, storageBuffer16BitAccess),
	DXG_VKF(VkPhysicalDeviceVulkan11Features, uniformAndStorageBuffer16BitAccess),
	DXG_VKF(VkPhysicalDeviceVulkan11Features, storagePushConstant16),
	DXG_VKF(VkPhysicalDeviceVulkan11Features, variablePointersStorageBuffer),
	DXG_VKF(VkPhysicalDeviceVulkan11Features, variablePointers),
};

static const size_t dxg_vk_features12[] = {
	DXG_VKF(VkPhysicalDeviceVulkan12Features, storageBuffer8BitAccess),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, uniformAndStorageBuffer8BitAccess),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, storagePushConstant8),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, shaderBufferInt64Atomics),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, shaderSharedInt64Atomics),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, shaderFloat16),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, shaderInt8),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, scalarBlockLayout),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, uniformBufferStandardLayout),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, shaderSubgroupExtendedTypes),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, hostQueryReset),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, timelineSemaphore),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, vulkanMemoryModel),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, vulkanMemoryModelDeviceScope),
	DXG_VKF(VkPhysicalDeviceVulkan12Features,
		vulkanMemoryModelAvailabilityVisibilityChains),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, subgroupBroadcastDynamicId),
	DXG_VKF(VkPhysicalDeviceVulkan12Features, samplerMirrorClampToEdge),
};

static const size_t dxg_vk_features13[] = {
	DXG_VKF(VkPhysicalDeviceVulkan13Features, pipelineCreationCacheControl),
	DXG_VKF(VkPhysicalDeviceVulkan13Features, subgroupSizeControl),
	DXG_VKF(VkPhysicalDeviceVulkan13Features, computeFullSubgroups),
	DXG_VKF(VkPhysicalDeviceVulkan13Features, synchronization2),
	DXG_VKF(VkPhysicalDeviceVulkan13Features, shaderZeroInitializeWorkgroupMemory),
	DXG_VKF(VkPhysicalDeviceVulkan13Features, shaderIntegerDotProduct),
	DXG_VKF(VkPhysicalDeviceVulkan13Features, maintenance4),
	/* Storage images: out-of-range texels stay inside the image's memory. */
	DXG_VKF(VkPhysicalDeviceVulkan13Features, robustImageAccess),
};

#define DXG_VKF_COUNT(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Every VkBool32 of dst after `skip` bytes (a chained structure's sType and
 * pNext) cleared, then the allowed ones copied from src.
 */
static inline void dxg_vk_features_intersect(void *dst, const void *src,
					     size_t size, size_t skip,
					     const size_t *allowed, size_t n)
{
	memset((char *)dst + skip, 0, size - skip);
	for (size_t i = 0; i < n; i++)
		memcpy((char *)dst + allowed[i], (const char *)src + allowed[i],
		       sizeof(VkBool32));
}

#endif /* DXG_VKFEATURES_H */
