/* SPDX-License-Identifier: MIT */
/*
 * The host's Vulkan device as the guest sees it: what a guest Vulkan
 * driver (lib/vulkan/) needs to report the host's real properties, features,
 * limits, queue families, memory heaps and extensions -- never invented ones.
 *
 * Carried by D3DKMTQueryAdapterInfo(KMTQAITYPE_UMDRIVERPRIVATE), the query
 * WDDM gives a user-mode driver for its kernel driver's private data.  The
 * private data is one struct dxg_vkinfo (exactly DXG_VKINFO_SIZE bytes): the
 * caller fills the request header (magic, version, what, first) and the host
 * answers in place.  An adapter without a Vulkan device (the cpu adapter)
 * answers STATUS_NOT_SUPPORTED; a bad header STATUS_INVALID_PARAMETER; a
 * smaller buffer STATUS_BUFFER_TOO_SMALL.  docs/vulkan-backend.md has the
 * details.
 *
 * Vulkan structures travel as the host's Vulkan headers lay them out (both
 * sides are x86_64 builds of this tree against the same headers); only core
 * 1.0-1.3 structures, whose layouts are frozen, with sType kept and pNext
 * zeroed.  A 1.3 structure the host device cannot report (API version below
 * 1.3) is all zero with sType 0: absent.
 */
#ifndef DXG_VKINFO_H
#define DXG_VKINFO_H

#include <stdint.h>

#include <vulkan/vulkan.h>

#include "dxg/compat.h"

#define DXG_VKINFO_MAGIC	0x464e494b56475844ull	/* "DXGVKINF" */
#define DXG_VKINFO_VERSION	1u

enum dxg_vkinfo_what {
	DXG_VKINFO_DEVICE = 1,		/* struct dxg_vkinfo_device */
	DXG_VKINFO_EXTENSIONS = 2,	/* device extensions from `first` on */
	/*
	 * Formats: for VkFormats `first` .. first + count - 1, what the host
	 * can give a guest (struct dxg_vkinfo_format; dxg/texel_format.h's
	 * formats only, all 0 for the rest).  total is DXG_TEXEL_FORMAT_END.
	 * A host before this answers STATUS_INVALID_PARAMETER: no texel
	 * buffers, no images.
	 */
	DXG_VKINFO_FORMATS = 3,
};

/* Extensions per answer; ask again from first + count for the rest. */
#define DXG_VKINFO_EXTENSIONS_PER_QUERY	64u
#define DXG_VKINFO_MAX_QUEUE_FAMILIES	16u
#define DXG_VKINFO_FORMATS_PER_QUERY	256u

struct dxg_vkinfo_header {
	uint64_t magic;			/* in and out: DXG_VKINFO_MAGIC */
	uint32_t version;		/* in and out: DXG_VKINFO_VERSION */
	uint32_t what;			/* in: enum dxg_vkinfo_what */
	uint32_t first;			/* in: EXTENSIONS, FORMATS: the first one */
	uint32_t count;			/* out: EXTENSIONS, FORMATS: how many follow */
	uint32_t total;			/* out: EXTENSIONS, FORMATS: how many there are */
	uint32_t reserved;
};

struct dxg_vkinfo_device {
	VkPhysicalDeviceProperties properties;		/* limits, name, UUIDs */
	VkPhysicalDeviceVulkan11Properties properties11;	/* subgroups */
	VkPhysicalDeviceVulkan12Properties properties12;
	VkPhysicalDeviceVulkan13Properties properties13;
	VkPhysicalDeviceFeatures features;
	VkPhysicalDeviceVulkan11Features features11;
	VkPhysicalDeviceVulkan12Features features12;
	VkPhysicalDeviceVulkan13Features features13;
	VkPhysicalDeviceMemoryProperties memory;	/* the host device's own */
	uint32_t queue_family_count;
	uint32_t flags;					/* DXG_VKINFO_DEVICE_* */
	VkQueueFamilyProperties queue_families[DXG_VKINFO_MAX_QUEUE_FAMILIES];
};

/*
 * This VM's existing-sysmem allocations are in place (its guest RAM passed
 * the handshake, docs/memory.md §11): user memory can back device memory
 * (VK_EXT_external_memory_host in the guest's driver).
 */
#define DXG_VKINFO_DEVICE_GUEST_MEMORY	(1u << 0)

/*
 * The host enabled bufferDeviceAddress on the device that serves this VM
 * (its own device, docs/vulkan-backend.md): DXG_ESCAPE_DEVICE_ADDRESS
 * answers, and shaders may use PhysicalStorageBufferAddresses.
 */
#define DXG_VKINFO_DEVICE_ADDRESS	(1u << 1)

/*
 * The host takes DISPATCH5 (command stream version 8): image views of
 * several levels, a 2D array's layers or a 3D image's slices, each level
 * of each layer (or slice) laid out as a linear 2D image
 * (docs/command-stream.md "Image views").
 */
#define DXG_VKINFO_DEVICE_IMAGE_VIEWS	(1u << 2)

struct dxg_vkinfo_format {
	/* Texel buffers: of DXG_TEXEL_BUFFER_FEATURES. */
	uint32_t buffer_features;
	/*
	 * Images (2D, one level and layer, in device memory, laid out as
	 * DXG_ESCAPE_IMAGE_LAYOUT says): the features of STORAGE_IMAGE,
	 * STORAGE_IMAGE_ATOMIC, SAMPLED_IMAGE, SAMPLED_IMAGE_FILTER_LINEAR
	 * (from command stream version 7 on), TRANSFER_SRC and TRANSFER_DST,
	 * and the largest extent; all 0 where there are none.
	 */
	uint32_t image_features;
	uint32_t max_width, max_height;
};

struct dxg_vkinfo {
	struct dxg_vkinfo_header hdr;
	union {
		struct dxg_vkinfo_device device;
		VkExtensionProperties extensions[DXG_VKINFO_EXTENSIONS_PER_QUERY];
		struct dxg_vkinfo_format formats[DXG_VKINFO_FORMATS_PER_QUERY];
	} u;
};

#define DXG_VKINFO_SIZE	((uint32_t)sizeof(struct dxg_vkinfo))

/* Fits one query on every transport (a message of at most 128 KiB). */
DXG_STATIC_ASSERT(sizeof(struct dxg_vkinfo) <= 32u * 1024, "vkinfo size");
DXG_STATIC_ASSERT(sizeof(struct dxg_vkinfo_header) == 32, "vkinfo header");

#endif /* DXG_VKINFO_H */
