// SPDX-License-Identifier: MIT
/*
 * The loader-ICD interface (Vulkan loader "LoaderDriverInterface", version
 * 5): the three vk_icd* functions are all this library exports; everything
 * else is reached through them, looked up in the generated table
 * (entrypoints.c) by dispatch level.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "entrypoints.h"
#include "odx.h"

#define ODX_EXPORT __attribute__((visibility("default")))

/* The loader interface versions the ICD speaks (5: API-version negotiation). */
#define ODX_ICD_INTERFACE_MIN	5u
#define ODX_ICD_INTERFACE_MAX	5u

static int cmp_entry(const void *key, const void *elem)
{
	return strcmp(key, ((const struct odx_entrypoint *)elem)->name);
}

const struct odx_entrypoint *odx_entrypoint_find(const char *name)
{
	if (!name)
		return NULL;
	return bsearch(name, odx_entrypoints, odx_entrypoint_count,
		       sizeof(odx_entrypoints[0]), cmp_entry);
}

/*
 * Every object's allocation starts with a hidden header: the private data
 * set on it (private_data.c), freed with it.  Handles point past the
 * header, so dispatchable objects still start with their loader data.
 */
struct odx_object_header {
	struct odx_private_entry *private_data;
	uint64_t pad;		/* keeps the object 16-byte aligned */
};

void *odx_raw_alloc(const VkAllocationCallbacks *a, size_t size,
		    VkSystemAllocationScope scope)
{
	if (a && a->pfnAllocation)
		return a->pfnAllocation(a->pUserData, size, 16, scope);
	if (size > SIZE_MAX - 15)
		return NULL;
	return aligned_alloc(16, (size + 15) & ~(size_t)15);
}

void odx_raw_free(const VkAllocationCallbacks *a, void *p)
{
	if (!p)
		return;
	if (a && a->pfnFree)
		a->pfnFree(a->pUserData, p);
	else
		free(p);
}

void *odx_alloc(const VkAllocationCallbacks *a, size_t size,
		VkSystemAllocationScope scope)
{
	struct odx_object_header *h;

	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = odx_raw_alloc(a, sizeof(*h) + size, scope);
	if (!h)
		return NULL;
	memset(h, 0, sizeof(*h) + size);
	return h + 1;
}

struct odx_private_entry **odx_private_anchor(void *object)
{
	return &((struct odx_object_header *)object - 1)->private_data;
}

void odx_free(const VkAllocationCallbacks *a, void *p)
{
	struct odx_object_header *h;

	if (!p)
		return;
	h = (struct odx_object_header *)p - 1;
	odx_private_data_free(a, &h->private_data);
	odx_raw_free(a, h);
}

ODX_EXPORT VKAPI_ATTR VkResult VKAPI_CALL
vk_icdNegotiateLoaderICDInterfaceVersion(uint32_t *pVersion)
{
	if (*pVersion < ODX_ICD_INTERFACE_MIN)
		return VK_ERROR_INCOMPATIBLE_DRIVER;
	if (*pVersion > ODX_ICD_INTERFACE_MAX)
		*pVersion = ODX_ICD_INTERFACE_MAX;
	return VK_SUCCESS;
}

/*
 * The extensions this driver offers were promoted to core: their commands
 * are the core ones under a suffixed name (vkCmdPipelineBarrier2KHR is
 * vkCmdPipelineBarrier2), so a name not found is tried without its suffix.
 */
static const struct odx_entrypoint *find_promoted(const char *name)
{
	static const char *const suffixes[] = { "KHR", "EXT" };
	const struct odx_entrypoint *e;
	char core[128];
	size_t n;

	if (!name)
		return NULL;
	e = odx_entrypoint_find(name);
	if (e)
		return e;
	n = strlen(name);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (n <= 3 || n - 3 >= sizeof(core) || strcmp(name + n - 3, suffixes[i]))
			continue;
		memcpy(core, name, n - 3);
		core[n - 3] = '\0';
		return odx_entrypoint_find(core);
	}
	return NULL;
}

static PFN_vkVoidFunction lookup(const char *name, bool (*ok)(enum odx_level))
{
	const struct odx_entrypoint *e = find_promoted(name);

	return e && e->fn && ok(e->level) ? e->fn : NULL;
}

static bool any_level(enum odx_level l)
{
	(void)l;
	return true;
}

static bool global_level(enum odx_level l)
{
	return l == ODX_LEVEL_GLOBAL;
}

static bool physical_device_level(enum odx_level l)
{
	return l == ODX_LEVEL_PHYSICAL_DEVICE;
}

static bool device_level(enum odx_level l)
{
	return l == ODX_LEVEL_DEVICE;
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
odx_GetInstanceProcAddr(VkInstance instance, const char *pName)
{
	/* Without an instance: the global commands, and this one (1.2.193). */
	if (!instance) {
		if (pName && !strcmp(pName, "vkGetInstanceProcAddr"))
			return (PFN_vkVoidFunction)odx_GetInstanceProcAddr;
		return lookup(pName, global_level);
	}
	return lookup(pName, any_level);
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
odx_GetDeviceProcAddr(VkDevice device, const char *pName)
{
	(void)device;
	return lookup(pName, device_level);
}

ODX_EXPORT VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vk_icdGetInstanceProcAddr(VkInstance instance, const char *pName)
{
	return odx_GetInstanceProcAddr(instance, pName);
}

ODX_EXPORT VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vk_icdGetPhysicalDeviceProcAddr(VkInstance instance, const char *pName)
{
	(void)instance;
	return lookup(pName, physical_device_level);
}
