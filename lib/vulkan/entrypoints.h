/* SPDX-License-Identifier: MIT */
/*
 * The ICD's entry-point table (generated from vk.xml at build time by
 * gen_entrypoints.py into entrypoints.c): every command of core Vulkan
 * 1.0-1.3 with its dispatch level and implementation (NULL where the driver
 * has none yet: docs/vulkan-driver.md lists what exists).  Sorted by name.
 */
#ifndef ODX_ENTRYPOINTS_H
#define ODX_ENTRYPOINTS_H

#include <vulkan/vulkan.h>

enum odx_level {
	ODX_LEVEL_GLOBAL,		/* no dispatchable object (vkCreateInstance) */
	ODX_LEVEL_INSTANCE,
	ODX_LEVEL_PHYSICAL_DEVICE,
	ODX_LEVEL_DEVICE,		/* VkDevice, VkQueue, VkCommandBuffer */
};

struct odx_entrypoint {
	const char *name;
	enum odx_level level;
	PFN_vkVoidFunction fn;		/* NULL: the driver has none (GetProcAddr answers NULL) */
};

extern const struct odx_entrypoint odx_entrypoints[];
extern const unsigned int odx_entrypoint_count;

/* The row for name, or NULL (binary search). */
const struct odx_entrypoint *odx_entrypoint_find(const char *name);

#endif /* ODX_ENTRYPOINTS_H */
