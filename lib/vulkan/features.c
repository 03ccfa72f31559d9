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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dxg/vkfeatures.h"
#include "odx.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define HDR sizeof(VkBaseOutStructure)

enum agg { A11, A12, A13 };

struct promoted {
	VkStructureType type;
	size_t size;		/* the end of its members */
	enum agg agg;
	uint32_t n;
	struct { size_t dst, src; } f[4];
};

#define F11(T, m) { offsetof(T, m), offsetof(VkPhysicalDeviceVulkan11Features, m) }
#define F12(T, m) { offsetof(T, m), offsetof(VkPhysicalDeviceVulkan12Features, m) }
#define F13(T, m) { offsetof(T, m), offsetof(VkPhysicalDeviceVulkan13Features, m) }
/*
 * Where a structure's members end: sizeof would count the padding after an
 * odd number of VkBool32s, which nobody initializes (the validation layer's
 * copies carry garbage there).
 */
#define END(T, last) (offsetof(T, last) + sizeof(VkBool32))
#define ST(x) VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_##x

static const struct promoted promoted[] = {
	{ ST(16BIT_STORAGE_FEATURES), END(VkPhysicalDevice16BitStorageFeatures, storageInputOutput16), A11, 4, {
	  F11(VkPhysicalDevice16BitStorageFeatures, storageBuffer16BitAccess),
	  F11(VkPhysicalDevice16BitStorageFeatures, uniformAndStorageBuffer16BitAccess),
	  F11(VkPhysicalDevice16BitStorageFeatures, storagePushConstant16),
	  F11(VkPhysicalDevice16BitStorageFeatures, storageInputOutput16) } },
	{ ST(VARIABLE_POINTERS_FEATURES), END(VkPhysicalDeviceVariablePointersFeatures, variablePointers), A11, 2, {
	  F11(VkPhysicalDeviceVariablePointersFeatures, variablePointersStorageBuffer),
	  F11(VkPhysicalDeviceVariablePointersFeatures, variablePointers) } },
	{ ST(8BIT_STORAGE_FEATURES), END(VkPhysicalDevice8BitStorageFeatures, storagePushConstant8), A12, 3, {
	  F12(VkPhysicalDevice8BitStorageFeatures, storageBuffer8BitAccess),
	  F12(VkPhysicalDevice8BitStorageFeatures, uniformAndStorageBuffer8BitAccess),
	  F12(VkPhysicalDevice8BitStorageFeatures, storagePushConstant8) } },
	{ ST(SHADER_ATOMIC_INT64_FEATURES), END(VkPhysicalDeviceShaderAtomicInt64Features, shaderSharedInt64Atomics), A12, 2, {
	  F12(VkPhysicalDeviceShaderAtomicInt64Features, shaderBufferInt64Atomics),
	  F12(VkPhysicalDeviceShaderAtomicInt64Features, shaderSharedInt64Atomics) } },
	{ ST(SHADER_FLOAT16_INT8_FEATURES), END(VkPhysicalDeviceShaderFloat16Int8Features, shaderInt8), A12, 2, {
	  F12(VkPhysicalDeviceShaderFloat16Int8Features, shaderFloat16),
	  F12(VkPhysicalDeviceShaderFloat16Int8Features, shaderInt8) } },
	{ ST(SCALAR_BLOCK_LAYOUT_FEATURES), END(VkPhysicalDeviceScalarBlockLayoutFeatures, scalarBlockLayout), A12, 1, {
	  F12(VkPhysicalDeviceScalarBlockLayoutFeatures, scalarBlockLayout) } },
	{ ST(UNIFORM_BUFFER_STANDARD_LAYOUT_FEATURES),
	  END(VkPhysicalDeviceUniformBufferStandardLayoutFeatures, uniformBufferStandardLayout), A12, 1, {
	  F12(VkPhysicalDeviceUniformBufferStandardLayoutFeatures, uniformBufferStandardLayout) } },
	{ ST(INLINE_UNIFORM_BLOCK_FEATURES),
	  END(VkPhysicalDeviceInlineUniformBlockFeatures, descriptorBindingInlineUniformBlockUpdateAfterBind), A13, 1, {
	  F13(VkPhysicalDeviceInlineUniformBlockFeatures, inlineUniformBlock) } },
	{ ST(PRIVATE_DATA_FEATURES), END(VkPhysicalDevicePrivateDataFeatures, privateData), A13, 1, {
	  F13(VkPhysicalDevicePrivateDataFeatures, privateData) } },
	{ ST(SHADER_SUBGROUP_EXTENDED_TYPES_FEATURES),
	  END(VkPhysicalDeviceShaderSubgroupExtendedTypesFeatures, shaderSubgroupExtendedTypes), A12, 1, {
	  F12(VkPhysicalDeviceShaderSubgroupExtendedTypesFeatures, shaderSubgroupExtendedTypes) } },
	{ ST(HOST_QUERY_RESET_FEATURES), END(VkPhysicalDeviceHostQueryResetFeatures, hostQueryReset), A12, 1, {
	  F12(VkPhysicalDeviceHostQueryResetFeatures, hostQueryReset) } },
	{ ST(TIMELINE_SEMAPHORE_FEATURES), END(VkPhysicalDeviceTimelineSemaphoreFeatures, timelineSemaphore), A12, 1, {
	  F12(VkPhysicalDeviceTimelineSemaphoreFeatures, timelineSemaphore) } },
	{ ST(BUFFER_DEVICE_ADDRESS_FEATURES), END(VkPhysicalDeviceBufferDeviceAddressFeatures, bufferDeviceAddressMultiDevice), A12, 1, {
	  F12(VkPhysicalDeviceBufferDeviceAddressFeatures, bufferDeviceAddress) } },
	{ ST(VULKAN_MEMORY_MODEL_FEATURES), END(VkPhysicalDeviceVulkanMemoryModelFeatures, vulkanMemoryModelAvailabilityVisibilityChains), A12, 3, {
	  F12(VkPhysicalDeviceVulkanMemoryModelFeatures, vulkanMemoryModel),
	  F12(VkPhysicalDeviceVulkanMemoryModelFeatures, vulkanMemoryModelDeviceScope),
	  F12(VkPhysicalDeviceVulkanMemoryModelFeatures,
	      vulkanMemoryModelAvailabilityVisibilityChains) } },
	{ ST(SUBGROUP_SIZE_CONTROL_FEATURES), END(VkPhysicalDeviceSubgroupSizeControlFeatures, computeFullSubgroups), A13, 2, {
	  F13(VkPhysicalDeviceSubgroupSizeControlFeatures, subgroupSizeControl),
	  F13(VkPhysicalDeviceSubgroupSizeControlFeatures, computeFullSubgroups) } },
	{ ST(SYNCHRONIZATION_2_FEATURES), END(VkPhysicalDeviceSynchronization2Features, synchronization2), A13, 1, {
	  F13(VkPhysicalDeviceSynchronization2Features, synchronization2) } },
	{ ST(SHADER_INTEGER_DOT_PRODUCT_FEATURES),
	  END(VkPhysicalDeviceShaderIntegerDotProductFeatures, shaderIntegerDotProduct), A13, 1, {
	  F13(VkPhysicalDeviceShaderIntegerDotProductFeatures, shaderIntegerDotProduct) } },
	{ ST(MAINTENANCE_4_FEATURES), END(VkPhysicalDeviceMaintenance4Features, maintenance4), A13, 1, {
	  F13(VkPhysicalDeviceMaintenance4Features, maintenance4) } },
	{ ST(ZERO_INITIALIZE_WORKGROUP_MEMORY_FEATURES),
	  END(VkPhysicalDeviceZeroInitializeWorkgroupMemoryFeatures, shaderZeroInitializeWorkgroupMemory), A13, 1, {
	  F13(VkPhysicalDeviceZeroInitializeWorkgroupMemoryFeatures,
	      shaderZeroInitializeWorkgroupMemory) } },
	{ ST(IMAGE_ROBUSTNESS_FEATURES), END(VkPhysicalDeviceImageRobustnessFeatures, robustImageAccess), A13, 1, {
	  F13(VkPhysicalDeviceImageRobustnessFeatures, robustImageAccess) } },
	{ ST(PIPELINE_CREATION_CACHE_CONTROL_FEATURES),
	  END(VkPhysicalDevicePipelineCreationCacheControlFeatures, pipelineCreationCacheControl), A13, 1, {
	  F13(VkPhysicalDevicePipelineCreationCacheControlFeatures,
	      pipelineCreationCacheControl) } },
	/* Core structures of features not offered: all false. */
	{ ST(SHADER_DRAW_PARAMETERS_FEATURES), END(VkPhysicalDeviceShaderDrawParametersFeatures, shaderDrawParameters), A11, 0, { { 0, 0 } } },
	{ ST(MULTIVIEW_FEATURES), END(VkPhysicalDeviceMultiviewFeatures, multiviewTessellationShader), A11, 0, { { 0, 0 } } },
	{ ST(PROTECTED_MEMORY_FEATURES), END(VkPhysicalDeviceProtectedMemoryFeatures, protectedMemory), A11, 0, { { 0, 0 } } },
	{ ST(SAMPLER_YCBCR_CONVERSION_FEATURES), END(VkPhysicalDeviceSamplerYcbcrConversionFeatures, samplerYcbcrConversion), A11, 0, { { 0, 0 } } },
	{ ST(DESCRIPTOR_INDEXING_FEATURES), END(VkPhysicalDeviceDescriptorIndexingFeatures, runtimeDescriptorArray), A12, 0, { { 0, 0 } } },
	{ ST(IMAGELESS_FRAMEBUFFER_FEATURES), END(VkPhysicalDeviceImagelessFramebufferFeatures, imagelessFramebuffer), A12, 0, { { 0, 0 } } },
	{ ST(SEPARATE_DEPTH_STENCIL_LAYOUTS_FEATURES), END(VkPhysicalDeviceSeparateDepthStencilLayoutsFeatures, separateDepthStencilLayouts), A12, 0, { { 0, 0 } } },
	{ ST(SHADER_DEMOTE_TO_HELPER_INVOCATION_FEATURES), END(VkPhysicalDeviceShaderDemoteToHelperInvocationFeatures, shaderDemoteToHelperInvocation), A13, 0, { { 0, 0 } } },
	{ ST(DYNAMIC_RENDERING_FEATURES), END(VkPhysicalDeviceDynamicRenderingFeatures, dynamicRendering), A13, 0, { { 0, 0 } } },
	{ ST(SHADER_TERMINATE_INVOCATION_FEATURES), END(VkPhysicalDeviceShaderTerminateInvocationFeatures, shaderTerminateInvocation), A13, 0, { { 0, 0 } } },
	{ ST(TEXTURE_COMPRESSION_ASTC_HDR_FEATURES), END(VkPhysicalDeviceTextureCompressionASTCHDRFeatures, textureCompressionASTC_HDR), A13, 0, { { 0, 0 } } },
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
	/*
	 * Not in the shared list: the host enables it only on a device of
	 * the VM's own, and says so (DXG_VKINFO_DEVICE_ADDRESS).  Capture and
	 * replay, and several devices, stay off.
	 */
	o->f12.bufferDeviceAddress = pd->device_address &&
				     pd->host.features12.bufferDeviceAddress;
	/*
	 * The guest's own, whatever the host's device has: private data
	 * (private_data.c), and inline uniform blocks (inline_uniform.c: the
	 * host binds them as uniform buffers).  Update-after-bind stays off.
	 */
	o->f13.privateData = VK_TRUE;
	o->f13.inlineUniformBlock = VK_TRUE;
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

/* The end of the members of a feature structure we know, or 0. */
static size_t struct_size(VkStructureType type)
{
	const struct promoted *p = find(type);

	switch (type) {
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2:
		return END(VkPhysicalDeviceFeatures2, features.inheritedQueries);
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES:
		return END(VkPhysicalDeviceVulkan11Features, shaderDrawParameters);
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES:
		return END(VkPhysicalDeviceVulkan12Features, subgroupBroadcastDynamicId);
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES:
		return END(VkPhysicalDeviceVulkan13Features, maintenance4);
	default:
		return p ? p->size : 0;
	}
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
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES:
	case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES:
		src = type == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES ?
		      (const void *)&o->f11 :
		      type == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES ?
		      (const void *)&o->f12 : (const void *)&o->f13;
		size = struct_size(type);
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
	    !subset(ci->pEnabledFeatures, &o.f10, sizeof(o.f10), 0)) {
		if (getenv("ODX_DEBUG"))
			fprintf(stderr, "opendxg: vkCreateDevice: a core 1.0 feature is not offered\n");
		return VK_ERROR_FEATURE_NOT_PRESENT;
	}
	for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
		size_t size = struct_size(s->sType);

		/* Not a feature structure (or one of an extension we lack). */
		if (!size || size > sizeof(have))
			continue;
		memset(have, 0, sizeof(have));
		fill(&o, s->sType, have);
		if (!subset(s, have, size, HDR)) {
			if (getenv("ODX_DEBUG"))
				for (size_t off = HDR; off < size; off += sizeof(VkBool32))
					if (*(const VkBool32 *)((const char *)s + off) &&
					    !*(const VkBool32 *)(have + off))
						fprintf(stderr, "opendxg: vkCreateDevice: structure %d, member at offset %zu: not offered\n",
							s->sType, off);
			return VK_ERROR_FEATURE_NOT_PRESENT;
		}
	}
	return VK_SUCCESS;
}
