/* SPDX-License-Identifier: MIT */
/*
 * Device memory for guests (docs/memory.md §8): an allocation in the
 * Vulkan device's own memory (a DEVICE_LOCAL type, one the CPU cannot map
 * where the device has one) with one buffer over all of it.  Guests reach it
 * only through commands, by GPU VA; it starts zeroed, as IO-space memory
 * does, so nothing of an earlier owner can be read.
 */
#ifndef DXGHOST_VK_DEVMEM_H
#define DXGHOST_VK_DEVMEM_H

#include <stdint.h>

#include "engines/vulkan/vk_device.h"

struct dxg_vk_devmem {
	VkDeviceMemory mem;
	VkBuffer buf;		/* storage, uniform, indirect, transfer: all of it */
	uint64_t size;
	uint64_t address;	/* the buffer's device address; 0: none */
	uint32_t type;		/* mem's memory type (images bound to it: vk_image.h) */
};

/*
 * Allocates and zeroes @size bytes.  STATUS_QUOTA_EXCEEDED when the
 * device is out of memory (a guest sees "out of device memory"),
 * STATUS_NOT_SUPPORTED when it has no device-local type for buffers, or a
 * Vulkan failure's status.
 */
int32_t dxg_vk_devmem_alloc(struct dxg_vk_device *d, uint64_t size,
			    struct dxg_vk_devmem **out);
void dxg_vk_devmem_free(struct dxg_vk_device *d, struct dxg_vk_devmem *m);
/* The memory type allocations get (as a buffer of their usage would); -1: none. */
int dxg_vk_devmem_probe_type(struct dxg_vk_device *d);

/*
 * Residency (docs/memory.md §10): drop gives @m's memory back to the
 * device and leaves @m without any (buf and mem VK_NULL_HANDLE: commands
 * naming it fault) while the pointers to @m stay valid; renew gives @m
 * fresh zeroed memory of its size (dxg_vk_devmem_alloc's statuses; @m is
 * unchanged on failure).  Nothing may be using @m's memory.
 */
void dxg_vk_devmem_drop(struct dxg_vk_device *d, struct dxg_vk_devmem *m);
int32_t dxg_vk_devmem_renew(struct dxg_vk_device *d, struct dxg_vk_devmem *m);

#endif /* DXGHOST_VK_DEVMEM_H */
