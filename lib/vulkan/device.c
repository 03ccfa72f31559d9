// SPDX-License-Identifier: MIT
/*
 * Logical devices and their queue: a D3DKMT device on the physical device's
 * adapter with one virtual context (the compute node) behind the queue.
 * Creation checks the request against what the physical device reports:
 * queue family 0 with one queue, features it offers, no extension it does
 * not list.  Submission is the next step (docs/vulkan-driver.md); until it
 * exists no work can be pending, so waiting for idle returns at once.
 */
#include <string.h>

#include "odx.h"

struct odx_queue {
	VK_LOADER_DATA loader;
	struct odx_device *device;
};

struct odx_device {
	VK_LOADER_DATA loader;
	struct odx_physical_device *physical;
	VkAllocationCallbacks alloc;
	D3DKMT_HANDLE device;
	D3DKMT_HANDLE context;
	struct odx_queue queue;
};

static const VkAllocationCallbacks *dev_alloc(const struct odx_device *d)
{
	return d->alloc.pfnAllocation ? &d->alloc : NULL;
}

/* Is every VkBool32 set in `want` also set in `have` (after `skip` bytes)? */
static bool subset(const void *want, const void *have, size_t size, size_t skip)
{
	const VkBool32 *w = (const VkBool32 *)((const char *)want + skip);
	const VkBool32 *h = (const VkBool32 *)((const char *)have + skip);

	for (size_t i = 0; i < (size - skip) / sizeof(VkBool32); i++)
		if (w[i] && !h[i])
			return false;
	return true;
}

/* The features asked for, in pEnabledFeatures and the chain, are offered. */
static VkResult check_features(VkPhysicalDevice pd, const VkDeviceCreateInfo *ci)
{
	VkPhysicalDeviceVulkan13Features h13 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
	};
	VkPhysicalDeviceVulkan12Features h12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.pNext = &h13,
	};
	VkPhysicalDeviceVulkan11Features h11 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
		.pNext = &h12,
	};
	VkPhysicalDeviceFeatures2 have = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
		.pNext = &h11,
	};
	const size_t hdr = sizeof(VkBaseInStructure);

	odx_GetPhysicalDeviceFeatures2(pd, &have);
	if (ci->pEnabledFeatures &&
	    !subset(ci->pEnabledFeatures, &have.features,
		    sizeof(VkPhysicalDeviceFeatures), 0))
		return VK_ERROR_FEATURE_NOT_PRESENT;
	for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
		bool ok = true;

		switch (s->sType) {
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2:
			ok = subset(&((const VkPhysicalDeviceFeatures2 *)s)->features,
				    &have.features, sizeof(VkPhysicalDeviceFeatures), 0);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES:
			ok = subset(s, &h11, sizeof(h11), hdr);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES:
			ok = subset(s, &h12, sizeof(h12), hdr);
			break;
		case VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES:
			ok = subset(s, &h13, sizeof(h13), hdr);
			break;
		default:	/* a structure of an extension we do not offer */
			break;
		}
		if (!ok)
			return VK_ERROR_FEATURE_NOT_PRESENT;
	}
	return VK_SUCCESS;
}

static VkResult check_request(VkPhysicalDevice pd, const VkDeviceCreateInfo *ci)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ci->queueCreateInfoCount; i++) {
		const VkDeviceQueueCreateInfo *q = &ci->pQueueCreateInfos[i];

		/* One family with one queue: valid usage, checked anyway. */
		if (q->queueFamilyIndex != 0 || q->queueCount != 1 || n++)
			return VK_ERROR_INITIALIZATION_FAILED;
	}
	/* Only what EnumerateDeviceExtensionProperties lists: nothing yet. */
	if (ci->enabledExtensionCount)
		return VK_ERROR_EXTENSION_NOT_PRESENT;
	return check_features(pd, ci);
}

static void destroy_kmt(struct odx_device *d)
{
	if (d->context) {
		D3DKMT_DESTROYCONTEXT dc = { .context = d->context };

		D3DKMTDestroyContext(&dc);
	}
	if (d->device) {
		D3DKMT_DESTROYDEVICE dd = { .device = d->device };

		D3DKMTDestroyDevice(&dd);
	}
}

/* D3DKMT's failures as Vulkan's: memory, a gone host, or initialization. */
static VkResult vk_result(NTSTATUS st)
{
	switch (st) {
	case STATUS_NO_MEMORY:
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	case STATUS_QUOTA_EXCEEDED:
		return VK_ERROR_OUT_OF_DEVICE_MEMORY;
	case STATUS_DEVICE_REMOVED:
		return VK_ERROR_DEVICE_LOST;
	default:
		return VK_ERROR_INITIALIZATION_FAILED;
	}
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateDevice(VkPhysicalDevice physicalDevice,
		 const VkDeviceCreateInfo *pCreateInfo,
		 const VkAllocationCallbacks *pAllocator, VkDevice *pDevice)
{
	struct odx_physical_device *pd = (struct odx_physical_device *)physicalDevice;
	D3DKMT_CREATECONTEXTVIRTUAL cc = { 0 };
	D3DKMT_CREATEDEVICE cd = { 0 };
	struct odx_device *d;
	NTSTATUS st;
	VkResult r;

	r = check_request(physicalDevice, pCreateInfo);
	if (r != VK_SUCCESS)
		return r;
	d = odx_alloc(pAllocator, sizeof(*d), VK_SYSTEM_ALLOCATION_SCOPE_DEVICE);
	if (!d)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	set_loader_magic_value(d);
	set_loader_magic_value(&d->queue);
	d->physical = pd;
	d->queue.device = d;
	if (pAllocator)
		d->alloc = *pAllocator;
	cd.adapter = pd->adapter;
	st = D3DKMTCreateDevice(&cd);
	if (!NT_SUCCESS(st))
		goto fail;
	d->device = cd.device;
	cc.device = d->device;
	cc.node_ordinal = 0;
	cc.client_hint = D3DKMT_CLIENTHINT_VULKAN;
	st = D3DKMTCreateContextVirtual(&cc);
	if (!NT_SUCCESS(st))
		goto fail;
	d->context = cc.context;
	*pDevice = (VkDevice)d;
	return VK_SUCCESS;
fail:
	destroy_kmt(d);
	odx_free(pAllocator, d);
	return vk_result(st);
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyDevice(VkDevice device, const VkAllocationCallbacks *pAllocator)
{
	struct odx_device *d = (struct odx_device *)device;

	(void)pAllocator;
	if (!d)
		return;
	destroy_kmt(d);
	odx_free(dev_alloc(d), d);
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceQueue(VkDevice device, uint32_t queueFamilyIndex,
		   uint32_t queueIndex, VkQueue *pQueue)
{
	struct odx_device *d = (struct odx_device *)device;

	*pQueue = queueFamilyIndex == 0 && queueIndex == 0 ?
		  (VkQueue)&d->queue : VK_NULL_HANDLE;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceQueue2(VkDevice device, const VkDeviceQueueInfo2 *pQueueInfo,
		    VkQueue *pQueue)
{
	/* No protected or flagged queues are created. */
	if (pQueueInfo->flags) {
		*pQueue = VK_NULL_HANDLE;
		return;
	}
	odx_GetDeviceQueue(device, pQueueInfo->queueFamilyIndex,
			   pQueueInfo->queueIndex, pQueue);
}

/* Nothing can be submitted yet, so nothing is ever pending. */
VKAPI_ATTR VkResult VKAPI_CALL odx_QueueWaitIdle(VkQueue queue)
{
	(void)queue;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL odx_DeviceWaitIdle(VkDevice device)
{
	(void)device;
	return VK_SUCCESS;
}
