/* SPDX-License-Identifier: MIT */
/*
 * VkResult -> NTSTATUS for the Vulkan backend.  Only results that mean
 * something to a guest get their own code; a device loss is the one the
 * backend acts on (the engine is marked lost, see vk_engine.c).
 */
#ifndef DXGHOST_VK_STATUS_H
#define DXGHOST_VK_STATUS_H

#include <stdint.h>

#include <vulkan/vulkan.h>

#include "dxg/ntstatus.h"

static inline int32_t dxg_vk_status(VkResult r)
{
	switch (r) {
	case VK_SUCCESS:
		return STATUS_SUCCESS;
	case VK_TIMEOUT:
		return STATUS_IO_TIMEOUT;	/* an error, unlike STATUS_TIMEOUT */
	case VK_ERROR_OUT_OF_HOST_MEMORY:
	case VK_ERROR_OUT_OF_DEVICE_MEMORY:
	case VK_ERROR_TOO_MANY_OBJECTS:
	case VK_ERROR_OUT_OF_POOL_MEMORY:
	case VK_ERROR_FRAGMENTED_POOL:
		return STATUS_NO_MEMORY;
	case VK_ERROR_DEVICE_LOST:
		return STATUS_DEVICE_REMOVED;
	case VK_ERROR_INVALID_SHADER_NV:
	case VK_ERROR_INVALID_EXTERNAL_HANDLE:
		return STATUS_INVALID_PARAMETER;
	case VK_ERROR_EXTENSION_NOT_PRESENT:
	case VK_ERROR_FEATURE_NOT_PRESENT:
	case VK_ERROR_INCOMPATIBLE_DRIVER:
	case VK_ERROR_FORMAT_NOT_SUPPORTED:
		return STATUS_NOT_SUPPORTED;
	default:
		return STATUS_UNSUCCESSFUL;
	}
}

#endif /* DXGHOST_VK_STATUS_H */
