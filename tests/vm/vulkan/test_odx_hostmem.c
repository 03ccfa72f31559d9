// SPDX-License-Identifier: MIT
/*
 * VK_EXT_external_memory_host through the opendxg Vulkan driver, in the
 * guest, against dxghost with the guest's RAM shared (docs/memory.md §11):
 * the extension is offered, its limits and queries answer as the spec
 * says, and device memory imported from the application's own pages is
 * used in place: the GPU copies what the CPU wrote there and the CPU sees
 * what the GPU filled there, with no map, flush or copy.  Unaligned and
 * wrong-type imports are refused.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <vulkan/vulkan.h>

#include "vktest.h"

#define SIZE	(64u * 1024)
#define EXT	VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	PFN_vkGetMemoryHostPointerPropertiesEXT host_props;
};

static int setup(struct ctx *c)
{
	const char *ext = EXT;

	if (instance_begin("test_odx_hostmem", &c->inst, &c->messenger, &c->pd))
		return -1;
	if (!device_lists(c->pd, EXT)) {
		fail(EXT " offered (the guest's RAM is shared)", "not in the list");
		return -1;
	}
	pass(EXT " offered (the guest's RAM is shared)");
	if (device_begin(c->pd, NULL, 1, &ext, &c->dev, &c->q)) {
		fail("device with " EXT, "vkCreateDevice failed");
		return -1;
	}
	c->host_props = (PFN_vkGetMemoryHostPointerPropertiesEXT)
		vkGetDeviceProcAddr(c->dev, "vkGetMemoryHostPointerPropertiesEXT");
	check("vkGetMemoryHostPointerPropertiesEXT resolves", c->host_props != NULL,
	      "NULL");
	return c->host_props ? 0 : -1;
}

/* The host-visible memory type, or -1. */
static int host_type(struct ctx *c)
{
	VkPhysicalDeviceMemoryProperties mp;

	vkGetPhysicalDeviceMemoryProperties(c->pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
			return (int)i;
	return -1;
}

static void test_queries(struct ctx *c, uint8_t *buf)
{
	VkPhysicalDeviceExternalMemoryHostPropertiesEXT hp = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &hp,
	};
	VkPhysicalDeviceExternalBufferInfo bi = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
		.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
	};
	VkExternalBufferProperties bp = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES,
	};
	VkMemoryHostPointerPropertiesEXT mp = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
	};
	int type = host_type(c);

	vkGetPhysicalDeviceProperties2(c->pd, &p2);
	check("minImportedHostPointerAlignment is the page",
	      hp.minImportedHostPointerAlignment == 4096, "%llu",
	      (unsigned long long)hp.minImportedHostPointerAlignment);
	vkGetPhysicalDeviceExternalBufferProperties(c->pd, &bi, &bp);
	check("external buffer properties: host allocations importable",
	      (bp.externalMemoryProperties.externalMemoryFeatures &
	       VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT) &&
	      (bp.externalMemoryProperties.compatibleHandleTypes &
	       VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT), "0x%x 0x%x",
	      bp.externalMemoryProperties.externalMemoryFeatures,
	      bp.externalMemoryProperties.compatibleHandleTypes);
	check("host pointer properties: the host-visible type",
	      c->host_props(c->dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
			    buf, &mp) == VK_SUCCESS && type >= 0 &&
	      (mp.memoryTypeBits & (1u << type)), "bits 0x%x", mp.memoryTypeBits);
	check("host pointer properties: unaligned refused",
	      c->host_props(c->dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
			    buf + 64, &mp) == VK_ERROR_INVALID_EXTERNAL_HANDLE, "accepted");
}

static VkResult import(struct ctx *c, void *p, VkDeviceSize size, int type,
		       VkDeviceMemory *mem)
{
	VkImportMemoryHostPointerInfoEXT imp = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
		.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
		.pHostPointer = p,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .pNext = &imp,
		.allocationSize = size, .memoryTypeIndex = (uint32_t)type,
	};

	return vkAllocateMemory(c->dev, &mai, NULL, mem);
}

static int buffer(struct ctx *c, VkDeviceMemory mem, VkDeviceSize size,
		  VkBuffer *b)
{
	VkExternalMemoryBufferCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
	};
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .pNext = &ext,
		.size = size, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
				       VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};

	if (vkCreateBuffer(c->dev, &bci, NULL, b) ||
	    vkBindBufferMemory(c->dev, *b, mem, 0))
		return -1;
	return 0;
}

/* Copies the first 4 KiB of src to dst, then fills [8K, 12K) of src. */
static int run(struct ctx *c, VkBuffer src, VkBuffer dst)
{
	VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
	};
	VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	};
	VkBufferCopy region = { 0, 0, 4096 };
	VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
			    .commandBufferCount = 1 };
	VkCommandPool pool;
	VkCommandBuffer cb;
	int r = -1;

	if (vkCreateCommandPool(c->dev, &pci, NULL, &pool))
		return -1;
	cai.commandPool = pool;
	if (!vkAllocateCommandBuffers(c->dev, &cai, &cb) &&
	    !vkBeginCommandBuffer(cb, &bi)) {
		vkCmdCopyBuffer(cb, src, dst, 1, &region);
		vkCmdFillBuffer(cb, src, 8192, 4096, 0xa5a5a5a5u);
		si.pCommandBuffers = &cb;
		if (!vkEndCommandBuffer(cb) && !vkQueueSubmit(c->q, 1, &si, VK_NULL_HANDLE) &&
		    !vkQueueWaitIdle(c->q))
			r = 0;
	}
	vkDestroyCommandPool(c->dev, pool, NULL);
	return r;
}

static void test_in_place(struct ctx *c, uint8_t *a, uint8_t *b)
{
	int type = host_type(c);
	VkDeviceMemory ma = VK_NULL_HANDLE, mb = VK_NULL_HANDLE;
	VkBuffer ba = VK_NULL_HANDLE, bb = VK_NULL_HANDLE;

	for (uint32_t i = 0; i < SIZE; i++)
		a[i] = (uint8_t)(i * 7 + 1);
	memset(b, 0, SIZE);
	if (import(c, a, SIZE, type, &ma) || import(c, b, SIZE, type, &mb) ||
	    buffer(c, ma, SIZE, &ba) || buffer(c, mb, SIZE, &bb)) {
		fail("import two host allocations", "refused");
		return;
	}
	pass("import two host allocations");
	expect("copy from one, fill into it", run(c, ba, bb), 0);
	check("the GPU read the application's pages (copy into the other)",
	      !memcmp(b, a, 4096) && b[4096] == 0, "%02x %02x / %02x", b[0],
	      b[4095], b[4096]);
	check("the application sees the GPU's fill in its own pages",
	      a[8192] == 0xa5 && a[12287] == 0xa5 && a[12288] == (uint8_t)(12288 * 7 + 1),
	      "%02x %02x %02x", a[8192], a[12287], a[12288]);
	vkDestroyBuffer(c->dev, ba, NULL);
	vkDestroyBuffer(c->dev, bb, NULL);
	vkFreeMemory(c->dev, ma, NULL);
	vkFreeMemory(c->dev, mb, NULL);
	check("the pages stay the application's after vkFreeMemory",
	      a[0] == 1 && a[8192] == 0xa5, "%02x %02x", a[0], a[8192]);
}

static void test_refused(struct ctx *c, uint8_t *a)
{
	VkPhysicalDeviceMemoryProperties mp;
	VkDeviceMemory m;
	int type = host_type(c);

	expect("import: unaligned pointer refused",
	       import(c, a + 64, 4096, type, &m), VK_ERROR_INVALID_EXTERNAL_HANDLE);
	expect("import: size not whole pages refused",
	       import(c, a, 100, type, &m), VK_ERROR_INVALID_EXTERNAL_HANDLE);
	vkGetPhysicalDeviceMemoryProperties(c->pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if (!(mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
			expect("import: as device-local memory refused",
			       import(c, a, 4096, (int)i, &m),
			       VK_ERROR_INVALID_EXTERNAL_HANDLE);
}

int main(void)
{
	struct ctx c = { 0 };
	uint8_t *a = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *b = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (a == MAP_FAILED || b == MAP_FAILED) {
		fail("mmap", "no memory");
		return 1;
	}
	if (!setup(&c)) {
		test_queries(&c, a);
		test_in_place(&c, a, b);
		test_refused(&c, a);
	}
	if (c.dev)
		vkDestroyDevice(c.dev, NULL);
	return program_end("test_odx_hostmem", c.inst, c.messenger);
}
