/* SPDX-License-Identifier: MIT */
/*
 * A Vulkan device for the Vulkan execution backend: one instance, the chosen
 * physical device, a logical device with one compute queue, and the limits
 * the backend enforces on guest input.  Selection is by index, by a name
 * substring, or by default: the CPU device (Mesa's lavapipe), so dxghost runs
 * without a GPU; with no CPU device, the first device.
 *
 * VK_EXT_external_memory_host is required: the backend imports guest memory
 * (the VM's IO space) instead of copying it (docs/vulkan-backend.md).
 */
#ifndef DXGHOST_VK_DEVICE_H
#define DXGHOST_VK_DEVICE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <vulkan/vulkan.h>

#include "dxg/texel_format.h"
#include "engines/vulkan/vk_pcache.h"

/* What the backend enforces; all taken from the physical device. */
struct dxg_vk_limits {
	uint64_t max_storage_buffer_range;	/* bytes per binding */
	uint32_t max_group_count[3];
	uint32_t max_push_constants_size;	/* bytes */
	uint32_t max_storage_buffers;		/* per stage */
	uint64_t min_import_alignment;		/* host pointer import */
	uint64_t min_storage_offset_alignment;
	uint64_t max_allocation_size;		/* 0: not reported */
	uint64_t max_uniform_buffer_range;
	uint32_t max_uniform_buffers;		/* per stage */
	uint64_t min_uniform_offset_alignment;
	uint32_t max_bound_sets;
	/* Texel buffers: views' offsets, their texels, per-stage counts. */
	uint64_t min_texel_offset_alignment;
	uint32_t max_texel_elements;
	uint32_t max_sampled_images, max_storage_images;	/* per stage */
	/* Samplers: per-stage count, the bounds a sampler's state must keep. */
	uint32_t max_samplers;
	float max_sampler_anisotropy, max_sampler_lod_bias;
	bool sampler_anisotropy, mirror_clamp;	/* enabled on the device */
	uint32_t min_subgroup_size, max_subgroup_size;	/* 0: not reported */
	bool subgroup_size_control;		/* enabled on the device */
	bool timestamps;			/* compute queue has them */
	float timestamp_period;			/* ns per tick */
};

/* What linear 2D storage images of one format have (vk_image.h). */
struct dxg_vk_image_caps {
	uint32_t features;		/* of DXG_VK_IMAGE_FEATURES; 0: none */
	uint32_t usage;			/* VkImageUsageFlags of every such image */
	uint32_t max_width, max_height;
};

/* One physical device as --list-devices shows it. */
struct dxg_vk_info {
	uint32_t index;
	char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
	char driver[VK_MAX_DRIVER_NAME_SIZE];
	VkPhysicalDeviceType type;
	uint32_t vendor_id, device_id;
	uint32_t api_version;
	bool host_import;	/* VK_EXT_external_memory_host */
	bool compute_queue;
};

struct dxg_vk_device {
	VkInstance instance;
	VkPhysicalDevice phys;
	VkDevice device;
	VkQueue queue;
	/* vkQueueSubmit needs the queue externally synchronized (workers). */
	pthread_mutex_t queue_lock;
	uint32_t queue_family;
	struct dxg_vk_info info;
	struct dxg_vk_limits limits;
	VkPhysicalDeviceMemoryProperties mem;
	PFN_vkGetMemoryHostPointerPropertiesEXT get_host_pointer_props;
	/* Out-of-range accesses bounded by the binding, not just the buffer. */
	bool robust2;
	/*
	 * bufferDeviceAddress is enabled: memory dxghost makes for guests can
	 * be reached by address from shaders (docs/vulkan-backend.md §7).
	 */
	bool device_address;
	/*
	 * Vulkan objects dxghost holds on this device (buffers, memory,
	 * pipelines and their layouts and modules, command and descriptor
	 * pools, fences; not what pools own): what a VM left behind shows
	 * here (SIGUSR1's status line, the connect/kill cycle test).
	 */
	atomic_long objects;
	/*
	 * Per VkFormat below DXG_TEXEL_FORMAT_END: the buffer features the
	 * device has of DXG_TEXEL_BUFFER_FEATURES, for formats of the texel
	 * table (dxg/texel_format.h) only; 0 for every other.
	 */
	uint32_t texel_features[DXG_TEXEL_FORMAT_END];
	struct dxg_vk_image_caps image_caps[DXG_TEXEL_FORMAT_END];
	/* The memory type of device memory (vk_devmem.c); UINT32_MAX: none. */
	uint32_t devmem_type;
	/* Pipelines shared by content between this device's engines. */
	struct dxg_vk_pcache pcache;
};

/* The buffer usage that gives a buffer a device address, where enabled. */
static inline VkBufferUsageFlags dxg_vk_address_usage(const struct dxg_vk_device *d)
{
	return d->device_address ? VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT : 0;
}

/* Is the handle a live object?  Vulkan ignores VK_NULL_HANDLE in destroys. */
#define DXG_VK_LIVE(h)	((h) != VK_NULL_HANDLE ? 1L : 0L)

/* n objects made (n > 0) or about to be destroyed (n < 0) on d. */
static inline void dxg_vk_objects(struct dxg_vk_device *d, long n)
{
	atomic_fetch_add_explicit(&d->objects, n, memory_order_relaxed);
}

/*
 * Lists the physical devices (at most max) into out; returns how many there
 * are (may exceed max), or a negative NTSTATUS when Vulkan is unusable.
 */
int32_t dxg_vk_enumerate(struct dxg_vk_info *out, uint32_t max);

/*
 * Picks a device: selector NULL or "" is the default rule above; all digits
 * is an index; anything else a case-insensitive name substring (first
 * match).  Returns the index, or a negative NTSTATUS
 * (STATUS_OBJECT_NAME_NOT_FOUND when nothing matches).
 */
int32_t dxg_vk_select(const struct dxg_vk_info *list, uint32_t count,
		      const char *selector);

/*
 * Enable bufferDeviceAddress where the device has it.  Only for a device
 * that serves one VM: a shader can reach every address of the device (on
 * lavapipe, of the process), not just its own VM's memory.
 */
#define DXG_VK_OPEN_DEVICE_ADDRESS	(1u << 0)

/*
 * Opens the device a selector picks, with DXG_VK_OPEN_* flags.  On failure
 * returns a negative NTSTATUS and writes a one-line reason to err (errlen
 * bytes).
 */
int32_t dxg_vk_device_open(const char *selector, uint32_t flags,
			   struct dxg_vk_device **out, char *err, size_t errlen);
void dxg_vk_device_close(struct dxg_vk_device *dev);

/* Prints the --list-devices table; returns 0 or a negative NTSTATUS. */
int32_t dxg_vk_list_devices(FILE *f);

const char *dxg_vk_type_name(VkPhysicalDeviceType type);

#endif /* DXGHOST_VK_DEVICE_H */
