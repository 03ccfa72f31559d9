// SPDX-License-Identifier: MIT
/*
 * Buffer device addresses through the opendxg Vulkan driver, in the guest
 * (docs/vulkan-driver.md): the feature and VK_KHR_buffer_device_address are
 * offered (dxghost serves this VM from a process and a device of its own),
 * capture/replay is not; buffers in host-visible and in device-local memory
 * get addresses, consistent with their bind offsets, the same through the
 * KHR alias; and a kernel that reads through an address in its push
 * constants and writes through an address it loads from memory reaches the
 * right memory (checked through a copy back).
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "odx_bda_spv.h"
#include "vktest.h"

#define EXT	VK_KHR_BUFFER_DEVICE_ADDRESS_EXTENSION_NAME
#define N	4096u			/* words the kernel writes */
#define BYTES	(N * 4u)
#define MUL	7u
/* The host-visible memory: src at 0, the table at TABLE, readback at BACK. */
#define TABLE	BYTES
#define BACK	(2u * BYTES)
#define HOST_SIZE (3u * BYTES)

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory host, local;
	VkBuffer src, table, back, dst;
	VkPipelineLayout layout;
	VkShaderModule module;
	VkPipeline pipeline;
	VkCommandPool pool;
};

struct push {
	VkDeviceAddress src, table;
	uint32_t n, mul;
};

static int setup(struct ctx *c)
{
	VkPhysicalDeviceBufferDeviceAddressFeatures bf = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES,
	};
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES, .pNext = &bf,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f12,
	};
	VkPhysicalDeviceVulkan12Features on = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.bufferDeviceAddress = VK_TRUE,
	};
	const char *ext = EXT;

	if (instance_begin("test_odx_bda", &c->inst, &c->messenger, &c->pd))
		return -1;
	vkGetPhysicalDeviceFeatures2(c->pd, &f2);
	check("bufferDeviceAddress offered (1.2 and the promoted structure)",
	      f12.bufferDeviceAddress && bf.bufferDeviceAddress, "%u/%u",
	      f12.bufferDeviceAddress, bf.bufferDeviceAddress);
	check("capture/replay and multi-device addresses not offered",
	      !f12.bufferDeviceAddressCaptureReplay && !f12.bufferDeviceAddressMultiDevice &&
	      !bf.bufferDeviceAddressCaptureReplay, "%u/%u",
	      f12.bufferDeviceAddressCaptureReplay, f12.bufferDeviceAddressMultiDevice);
	check(EXT " listed", device_lists(c->pd, EXT), "absent");
	if (!f12.bufferDeviceAddress)
		return -1;
	VK_OK("device with bufferDeviceAddress",
	      device_begin(c->pd, &on, 1, &ext, &c->dev, &c->q));
	return 0;
}

/*
 * The first memory type with (or without) HOST_VISIBLE; without: any type
 * where the device has none (lavapipe, when the test runs on the host).
 */
static int type_of(struct ctx *c, bool host_visible)
{
	VkPhysicalDeviceMemoryProperties mp;

	vkGetPhysicalDeviceMemoryProperties(c->pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if (!!(mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) ==
		    host_visible)
			return (int)i;
	return host_visible ? -1 : type_of(c, true);
}

static VkResult allocate(struct ctx *c, VkDeviceSize size, int type, VkDeviceMemory *m)
{
	VkMemoryAllocateFlagsInfo fi = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
		.flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .pNext = &fi,
		.allocationSize = size, .memoryTypeIndex = (uint32_t)type,
	};

	if (type < 0)
		return VK_ERROR_FEATURE_NOT_PRESENT;
	return vkAllocateMemory(c->dev, &mai, NULL, m);
}

static VkResult buffer(struct ctx *c, VkDeviceMemory m, VkDeviceSize offset,
		       VkDeviceSize size, VkBuffer *b)
{
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
			 VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT |
			 VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};
	VkResult r = vkCreateBuffer(c->dev, &bci, NULL, b);

	return r ? r : vkBindBufferMemory(c->dev, *b, m, offset);
}

static VkDeviceAddress address(struct ctx *c, VkBuffer b)
{
	VkBufferDeviceAddressInfo ai = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO, .buffer = b,
	};

	return vkGetBufferDeviceAddress(c->dev, &ai);
}

static int make_pipeline(struct ctx *c)
{
	VkPushConstantRange pr = { VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(struct push) };
	VkPipelineLayoutCreateInfo lci = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.pushConstantRangeCount = 1, .pPushConstantRanges = &pr,
	};
	VkCommandPoolCreateInfo cpi = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };

	VK_OK("pipeline layout: push constants only",
	      vkCreatePipelineLayout(c->dev, &lci, NULL, &c->layout));
	VK_OK("compute pipeline of a kernel using buffer references",
	      compute_pipeline(c->dev, odx_bda_spv, sizeof(odx_bda_spv), c->layout,
			       &c->module, &c->pipeline));
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpi, NULL, &c->pool));
	pass("a pipeline whose kernel uses PhysicalStorageBuffer addresses");
	return 0;
}

/* The kernel, then the device-local result copied back to BACK. */
static int run(struct ctx *c, const struct push *p)
{
	VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
	};
	VkBufferCopy region = { 0, 0, BYTES };
	VkCommandBuffer cb = begin_primary(c->dev, c->pool);

	if (!cb)
		return -1;
	vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, c->pipeline);
	vkCmdPushConstants(cb, c->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(*p), p);
	vkCmdDispatch(cb, N / 64, 1, 1);
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
			     VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
	vkCmdCopyBuffer(cb, c->dst, c->back, 1, &region);
	return run_and_free(c->dev, c->q, c->pool, cb);
}

static void test_addresses(struct ctx *c)
{
	PFN_vkGetBufferDeviceAddressKHR khr = (PFN_vkGetBufferDeviceAddressKHR)
		vkGetDeviceProcAddr(c->dev, "vkGetBufferDeviceAddressKHR");
	VkBufferDeviceAddressInfo ai = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO, .buffer = c->table,
	};
	VkDeviceAddress s = address(c, c->src), t = address(c, c->table);
	VkDeviceAddress b = address(c, c->back), d = address(c, c->dst);

	check("every buffer has an address", s && t && b && d,
	      "%#llx %#llx %#llx %#llx", (unsigned long long)s, (unsigned long long)t,
	      (unsigned long long)b, (unsigned long long)d);
	check("addresses in one memory differ by their bind offsets",
	      t - s == TABLE && b - s == BACK, "%#llx %#llx",
	      (unsigned long long)(t - s), (unsigned long long)(b - s));
	check("the device-local memory's address is outside the host-visible range",
	      d + BYTES <= s || d >= s + HOST_SIZE, "%#llx vs %#llx",
	      (unsigned long long)d, (unsigned long long)s);
	check("the address is stable (asked again)", address(c, c->src) == s, "changed");
	check("vkGetBufferDeviceAddressKHR resolves and agrees",
	      khr && khr(c->dev, &ai) == t, "%p", (void *)khr);
	check("opaque capture addresses are 0 (no capture/replay)",
	      vkGetBufferOpaqueCaptureAddress(c->dev, &ai) == 0, "non-zero");
}

static void test_kernel(struct ctx *c)
{
	struct push p = { address(c, c->src), address(c, c->table), N, MUL };
	uint32_t *w, bad = 0, first = N;
	uint64_t dst = address(c, c->dst);

	if (vkMapMemory(c->dev, c->host, 0, VK_WHOLE_SIZE, 0, (void **)&w)) {
		fail("map the host-visible memory", "vkMapMemory failed");
		return;
	}
	for (uint32_t i = 0; i < N; i++) {
		w[i] = i * 3u + 5u;
		w[BACK / 4 + i] = 0xdeadbeefu;
	}
	memcpy(&w[TABLE / 4], &dst, sizeof(dst));	/* the table: dst's address */
	if (run(c, &p) == 0) {
		for (uint32_t i = 0; i < N; i++)
			if (w[BACK / 4 + i] != (i * 3u + 5u) * MUL + 1u && !bad++)
				first = i;
		check("the kernel read through one address and wrote through a loaded one",
		      bad == 0, "%u wrong, first [%u] = %#x", bad, first,
		      first < N ? w[BACK / 4 + first] : 0);
		check("the source was not written", w[0] == 5u && w[N - 1] == (N - 1) * 3u + 5u,
		      "%#x %#x", w[0], w[N - 1]);
	}
	/* Again, after the host ran other work: the addresses still hold. */
	for (uint32_t i = 0; i < N; i++)
		w[i] = i;
	p.mul = 2;
	if (run(c, &p) == 0)
		check("a second run through the same addresses",
		      w[BACK / 4 + 0] == 1u && w[BACK / 4 + N - 1] == (N - 1) * 2u + 1u,
		      "%#x %#x", w[BACK / 4], w[BACK / 4 + N - 1]);
	vkUnmapMemory(c->dev, c->host);
}

static void cleanup(struct ctx *c)
{
	VkBuffer *bufs[] = { &c->src, &c->table, &c->back, &c->dst };

	if (!c->dev)
		return;
	vkDestroyPipeline(c->dev, c->pipeline, NULL);
	vkDestroyShaderModule(c->dev, c->module, NULL);
	vkDestroyPipelineLayout(c->dev, c->layout, NULL);
	vkDestroyCommandPool(c->dev, c->pool, NULL);
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		vkDestroyBuffer(c->dev, *bufs[i], NULL);
	vkFreeMemory(c->dev, c->host, NULL);
	vkFreeMemory(c->dev, c->local, NULL);
	vkDestroyDevice(c->dev, NULL);
}

int main(void)
{
	struct ctx c = { 0 };

	if (!setup(&c)) {
		expect("host-visible memory with DEVICE_ADDRESS",
		       allocate(&c, HOST_SIZE, type_of(&c, true), &c.host), VK_SUCCESS);
		expect("device-local memory with DEVICE_ADDRESS",
		       allocate(&c, BYTES, type_of(&c, false), &c.local), VK_SUCCESS);
		if (c.host && c.local &&
		    !buffer(&c, c.host, 0, BYTES, &c.src) &&
		    !buffer(&c, c.host, TABLE, 64, &c.table) &&
		    !buffer(&c, c.host, BACK, BYTES, &c.back) &&
		    !buffer(&c, c.local, 0, BYTES, &c.dst)) {
			pass("buffers with SHADER_DEVICE_ADDRESS usage bound");
			test_addresses(&c);
			if (!make_pipeline(&c))
				test_kernel(&c);
		} else {
			fail("buffers with SHADER_DEVICE_ADDRESS usage bound", "refused");
		}
	}
	cleanup(&c);
	return program_end("test_odx_bda", c.inst, c.messenger);
}
