/* SPDX-License-Identifier: MIT */
/*
 * The opendxg Vulkan driver (ICD): its objects.  Every dispatchable object
 * starts with the loader's slot (VK_LOADER_DATA), which the loader fills
 * with its dispatch table; the rest is ours.
 */
#ifndef ODX_H
#define ODX_H

#include <stdbool.h>
#include <stdint.h>

#include <vulkan/vk_icd.h>
#include <vulkan/vulkan.h>

#include <dxg/d3dkmt.h>

#include "dxg/vkinfo.h"
#include "entrypoint_decls.h"

/* The newest Vulkan version the ICD implements (what it reports at most). */
#define ODX_API_VERSION		VK_MAKE_API_VERSION(0, 1, 3, VK_HEADER_VERSION)
#define ODX_DRIVER_NAME		"opendxg"
#define ODX_MAX_PHYSICAL_DEVICES	16u

struct odx_physical_device {
	VK_LOADER_DATA loader;
	struct odx_instance *instance;
	D3DKMT_HANDLE adapter;		/* opened by the enumeration */
	struct winluid luid;
	struct dxg_vkinfo_device host;	/* the host device, as dxghost says */
	VkExtensionProperties *host_extensions;
	uint32_t host_extension_count;
	uint64_t heap_size;		/* the IO space: CPU-visible memory */
};

struct odx_instance {
	VK_LOADER_DATA loader;
	VkAllocationCallbacks alloc;
	uint32_t api_version;		/* what the application asked for */
	bool enumerated;
	uint32_t physical_device_count;
	struct odx_physical_device *physical_devices[ODX_MAX_PHYSICAL_DEVICES];
};

/* The callbacks the instance was created with, or NULL (libc). */
static inline const VkAllocationCallbacks *
odx_instance_alloc(const struct odx_instance *inst)
{
	return inst->alloc.pfnAllocation ? &inst->alloc : NULL;
}

/* Host allocations through the application's callbacks, or libc. */
void *odx_alloc(const VkAllocationCallbacks *a, size_t size,
		VkSystemAllocationScope scope);
void odx_free(const VkAllocationCallbacks *a, void *p);

/* physical_device.c: builds the list of an instance. */
VkResult odx_enumerate_adapters(struct odx_instance *inst);
void odx_physical_device_destroy(struct odx_physical_device *pd);

#endif /* ODX_H */
