// SPDX-License-Identifier: MIT
/*
 * Features: the host device's, for the compute list both sides share
 * (include/dxg/vkfeatures.h).  Applications ask through the 1.1/1.2/1.3
 * aggregate structures or through the structures of the extensions that
 * were promoted into them (VkPhysicalDevice16BitStorageFeatures…); one
 * table maps each of the latter onto the aggregate, so both answer alike
 * and vkCreateDevice checks both alike.  Known core structures of features
 * this driver does not offer (graphics, descriptor indexing…) answer all
 * false.
 */
#include <stddef.h>
#include <string.h>

#include "dxg/vkfeatures.h"
#include "odx.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define HDR sizeof(VkBaseOutStructure)

enum agg { A11, A12, A13 };

struct promoted {
	VkStructureType type;
	size_t size;
	enum agg agg;
	uint32_t n;
	struct { size_t dst, src; } f[4];
};

#define F11(T, m) { offsetof(T, m), offsetof(VkPhysicalDeviceVulkan11Features, m) }
#define F12(T, m) { offsetof(T, m), offsetof(VkPhysicalDeviceVulkan12Features, m) }
#define F13(T, m) { offsetof(T, m), offsetof(VkPhysicalDeviceVulkan13Features, m) }
#define S(T) sizeof(T)
#define ST(x) VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_##x

static const struct promoted promoted[] = {
	{ ST(16BIT_STORAGE_FEATURES), S(VkPhysicalDevice16BitStorageFeatures), A11, 4, {
	  F11(VkPhysicalDevice16BitStorageFeatures, storageBuffer16BitAccess),
	  F11(VkPhysicalDevice16BitStorageFeatures, uniformAndStorageBuffer16BitAccess),
	  F11(VkPhysicalDevice16BitStorageFeatures, storagePushConstant16),
	  F11(VkPhysicalDevice16BitStorageFeatures, storageInputOutput16) } },
	{ ST(VARIABLE_POINTERS_FEATURES), S(VkPhysicalDeviceVariablePointersFeatures), A11, 2, {
	  F11(VkPhysicalDeviceVariablePointersFeatures, variablePointersStorageBuffer),
	  F11(VkPhysicalDeviceVariablePointersFeatures, variablePointers) } },
	{ ST(8BIT_STORAGE_FEATURES), S(VkPhysicalDevice8BitStorageFeatures), A12, 3, {
	  F12(VkPhysicalDevice8BitStorageFeatures, storageBuffer8BitAccess),
	  F12(VkPhysicalDevice8BitStorageFeatures, uniformAndStorageBuffer8BitAccess),
	  F12(VkPhysicalDevice8BitStorageFeatures, storagePushConstant8) } },
	{ ST(SHADER_ATOMIC_INT64_FEATURES), S(VkPhysicalDeviceShaderAtomicInt64Features), A12, 2, {
	  F12(VkPhysicalDeviceShaderAtomicInt64Features, shaderBufferInt64Atomics),
	  F12(VkPhysicalDeviceShaderAtomicInt64Features, shaderSharedInt64Atomics) } },
	{ ST(SHADER_FLOAT16_INT8_FEATURES), S(VkPhysicalDeviceShaderFloat16Int8Features), A12, 2, {
	  F12(VkPhysicalDeviceShaderFloat16Int8Features, shaderFloat16),
	  F12(VkPhysicalDeviceShaderFloat16Int8Features, shaderInt8) } },
	{ ST(SCALAR_BLOCK_LAYOUT_FEATURES), S(VkPhysicalDeviceScalarBlockLayoutFeatures), A12, 1, {
	  F12(VkPhysicalDeviceScalarBlockLayoutFeatures, scalarBlockLayout) } },
	{ ST(UNIFORM_BUFFER_STANDARD_LAYOUT_FEATURES),
	  S(VkPhysicalDeviceUniformBufferStandardLayoutFeatures), A12, 1, {
	  F12(VkPhysicalDeviceUniformBufferStandardLayoutFeatures, uniformBufferStandardLayout) } },
	{ ST(SHADER_SUBGROUP_EXTENDED_TYPES_FEATURES),
	  S(VkPhysicalDeviceShaderSubgroupExtendedTypesFeatures), A12, 1, {
	  F12(VkPhysicalDeviceShaderSubgroupExtendedTypesFeatures, shaderSubgroupExtendedTypes) } },
	{ ST(HOST_QUERY_RESET_FEATURES), S(VkPhysicalDeviceHostQueryResetFeatures), A12, 1, {
	  F12(VkPhysicalDeviceHostQueryResetFeatures, hostQueryReset) } },
	{ ST(TIMELINE_SEMAPHORE_FEATURES), S(VkPhysicalDeviceTimelineSemaphoreFeatures), A12, 1, {
	  F12(VkPhysicalDeviceTimelineSemaphoreFeatures, timelineSemaphore) } },
	{ ST(BUFFER_DEVICE_ADDRESS_FEATURES), S(VkPhysicalDeviceBufferDeviceAddressFeatures), A12, 1, {
	  F12(VkPhysicalDeviceBufferDeviceAddressFeatures, bufferDeviceAddress) } },
	{ ST(VULKAN_MEMORY_MODEL_FEATURES), S(VkPhysicalDeviceVulkanMemoryModelFeatures), A12, 3, {
	  F12(VkPhysicalDeviceVulkanMemoryModelFeatures, vulkanMemoryModel),
	  F12(VkPhysicalDeviceVulkanMemoryModelFeatures, vulkanMemoryModelDeviceScope),
	  F12(VkPhysicalDeviceVulkanMemoryModelFeatures,
	      vulkanMemoryModelAvailabilityVisibilityChains) } },
	{ ST(SUBGROUP_SIZE_CONTROL_FEATURES), S(VkPhysicalDeviceSubgroupSizeControlFeatures), A13, 2, {
	  F13(VkPhysicalDeviceSubgroupSizeControlFeatures, subgroupSizeControl),
	  F13(VkPhysicalDeviceSubgroupSizeControlFeatures, computeFullSubgroups) } },
	{ ST(SYNCHRONIZATION_2_FEATURES), S(VkPhysicalDeviceSynchronization2Features), A13, 1, {
	  F13(VkPhysicalDeviceSynchronization2Features, synchronization2) } },
	{ ST(SHADER_INTEGER_DOT_PRODUCT_FEATURES),
	  S(VkPhysicalDeviceShaderIntegerDotProductFeatures), A13, 1, {
	  F13(VkPhysicalDeviceShaderIntegerDotProductFeatures, shaderIntegerDotProduct) } },
	{ ST(MAINTENANCE_4_FEATURES), S(VkPhysicalDeviceMaintenance4Features), A13, 1, {
	  F13(VkPhysicalDeviceMaintenance4Features, maintenance4) } },
	{ ST(ZERO_INITIALIZE_WORKGROUP_MEMORY_FEATURES),
	  S(VkPhysicalDeviceZeroInitializeWorkgroupMemoryFeatures), A13, 1, {
	  F13(VkPhysicalDeviceZeroInitializeWorkgroupMemoryFeatures,
	      shaderZeroInitializeWorkgroupMemory) } },
	{ ST(PIPELINE_CREATION_CACHE_CONTROL_FEATURES),
	  S(VkPhysicalDevicePipelineCreationCacheControlFeatures), A13, 1, {
	  F13(VkPhysicalDevicePipelineCreationCacheControlFeatures,
	      pipelineCreationCacheControl) } },
	/* Core structures of features not offered: all false. */
	{ ST(SHADER_DRAW_PARAMETERS_FEATURES), S(VkPhysicalDeviceShaderDrawParametersFeatures), A11, 0, { { 0, 0 } } },
	{ ST(MULTIVIEW_FEATURES), S(VkPhysicalDeviceMultiviewFeatures), A11, 0, { { 0, 0 } } },
	{ ST(PROTECTED_MEMORY_FEATURES), S(VkPhysicalDeviceProtectedMemoryFeatures), A11, 0, { { 0, 0 } } },
	{ ST(SAMPLER_YCBCR_CONVERSION_FEATURES), S(VkPhysicalDeviceSamplerYcbcrConversionFeatures), A11, 0, { { 0, 0 } } },
	{ ST(DESCRIPTOR_INDEXING_FEATURES), S(VkPhysicalDeviceDescriptorIndexingFeatures), A12, 0, { { 0, 0 } } },
	{ ST(IMAGELESS_FRAMEBUFFER_FEATURES), S(VkPhysicalDeviceImagelessFramebufferFeatures), A12, 0, { { 0, 0 } } },
	{ ST(SEPARATE_DEPTH_STENCIL_LAYOUTS_FEATURES), S(VkPhysicalDeviceSeparateDepthStencilLayoutsFeatures), A12, 0, { { 0, 0 } } },
	{ ST(SHADER_DEMOTE_TO_HELPER_INVOCATION_FEATURES), S(VkPhysicalDeviceShaderDemoteToHelperInvocationFeatures), A13, 0, { { 0, 0 } } },
	{ ST(IMAGE_ROBUSTNESS_FEATURES), S(VkPhysicalDeviceImageRobustnessFeatures), A13, 0, { { 0, 0 } } },
	{ ST(PRIVATE_DATA_FEATURES), S(VkPhysicalDevicePrivateDataFeatures), A13, 0, { { 0, 0 } } },
	{ ST(DYNAMIC_RENDERING_FEATURES), S(VkPhysicalDeviceDynamicRenderingFeatures), A13, 0, { { 0, 0 } } },
	{ ST(INLINE_UNIFORM_BLOCK_FEATURES), S(VkPhysicalDeviceInlineUniformBlockFeatures), A13, 0, { { 0, 0 } } },
	{ ST(SHADER_TERMINATE_INVOCATION_FEATURES), S(VkPhysicalDeviceShaderTerminateInvocationFeatures), A13, 0, { { 0, 0 } } },
	{ ST(TEXTURE_COMPRESSION_ASTC_HDR_FEATURES), S(VkPhysicalDeviceTextureCompressionASTCHDRFeatures), A13, 0, { { 0, 0 } } },
};

/* The offered aggregates: the host's, through the shared list. */
struct offered {
	VkPhysicalDeviceFeatures f10;
	VkPhysicalDeviceVulkan11Features f11;
	VkPhysicalDeviceVulkan12Features f12;
	VkPhysicalDeviceVulkan13Features f13;
};

static void offered(const struct odx_physical_device *pd, struct offered *o)
{
	memset(o, 0, sizeof(*o));
	dxg_vk_features_intersect(&o->f10, &pd->host.features, sizeof(o->f10), 0,
				  dxg_vk_features10, N(dxg_vk_features10));
	dxg_vk_features_intersect(&o->f11, &pd->host.features11, sizeof(o->f11), HDR,
				  dxg_vk_features11, N(dxg_vk_features11));
	dxg_vk_features_intersect(&o->f12, &pd->host.features12, sizeof(o->f12), HDR,
				  dxg_vk_features12, N(dxg_vk_features12));
	dxg_vk_features_intersect(&o->f13, &pd->host.features13, sizeof(o->f13), HDR,
				  dxg_vk_features13, N(dxg_vk_features13));
}

static const void *aggregate(const struct offered *o, enum agg a)
{
	return a == A11 ? (const void *)&o->f11 :
	       a == A12 ? (const void *)&o->f12 : (const void *)&o->f13;
}

static const struct promoted *find(VkStructureType type)
{
	for (size_t i = 0; i < N(promoted); i++)
		if (promoted[i].type == type)
			return &promoted[i];
	return NULL;
}

/*
 * What this driver offers in the structure of @type, written over @s
 * (after its header): false when @type is none we know (left alone).
 */
static bool fill(const struct offered *o, VkStructureType type, void *s)
{
	const struct promoted *p = find(type);
	const void *src;
	size_t size;

	switch (type) {
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2:
		memcpy(&((VkPhysicalDeviceFeatures2 *)s)->features, &o->f10, sizeof(o->f10));
		return true;
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES:
		src = &o->f11, size = sizeof(o->f11);
		break;
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES:
		src = &o->f12, size = sizeof(o->f12);
		break;
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES:
		src = &o->f13, size = sizeof(o->f13);
		break;
	default:
		if (!p)
			return false;
		memset((char *)s + HDR, 0, p->size - HDR);
		for (uint32_t i = 0; i < p->n; i++)
			memcpy((char *)s + p->f[i].dst,
			       (const char *)aggregate(o, p->agg) + p->f[i].src,
			       sizeof(VkBool32));
		return true;
	}
	memcpy((char *)s + HDR, (const char *)src + HDR, size - HDR);
	return true;
}

static size_t struct_size(VkStructureType type)
{
	const struct promoted *p = find(type);

	switch (type) {
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2:
		return sizeof(VkPhysicalDeviceFeatures2);
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES:
		return sizeof(VkPhysicalDeviceVulkan11Features);
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES:
		return sizeof(VkPhysicalDeviceVulkan12Features);
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES:
		return sizeof(VkPhysicalDeviceVulkan13Features);
	default:
		return p ? p->size : 0;
	}
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceFeatures(VkPhysicalDevice physicalDevice,
			      VkPhysicalDeviceFeatures *pFeatures)
{
	struct offered o;

	offered((const struct odx_physical_device *)physicalDevice, &o);
	*pFeatures = o.f10;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceFeatures2(VkPhysicalDevice physicalDevice,
			       VkPhysicalDeviceFeatures2 *pFeatures)
{
	struct offered o;

	offered((const struct odx_physical_device *)physicalDevice, &o);
	pFeatures->features = o.f10;
	for (VkBaseOutStructure *s = pFeatures->pNext; s; s = s->pNext)
		fill(&o, s->sType, s);	/* unknown structures: the caller's */
}

/* Is every VkBool32 set in @want (after @skip bytes) also set in @have? */
static bool subset(const void *want, const void *have, size_t size, size_t skip)
{
	const VkBool32 *w = (const VkBool32 *)((const char *)want + skip);
	const VkBool32 *h = (const VkBool32 *)((const char *)have + skip);

	for (size_t i = 0; i < (size - skip) / sizeof(VkBool32); i++)
		if (w[i] && !h[i])
			return false;
	return true;
}

VkResult odx_features_check(const struct odx_physical_device *pd,
			    const VkDeviceCreateInfo *ci)
{
	_Alignas(8) char have[sizeof(VkPhysicalDeviceVulkan12Features) + 64];
	struct offered o;

	offered(pd, &o);
	if (ci->pEnabledFeatures &&
	    !subset(ci->pEnabledFeatures, &o.f10, sizeof(o.f10), 0))
		return VK_ERROR_FEATURE_NOT_PRESENT;
	for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
		size_t size = struct_size(s->sType);

		/* Not a feature structure (or one of an extension we lack). */
		if (!size || size > sizeof(have))
			continue;
		memset(have, 0, sizeof(have));
		fill(&o, s->sType, have);
		if (!subset(s, have, size, HDR))
			return VK_ERROR_FEATURE_NOT_PRESENT;
	}
	return VK_SUCCESS;
}
