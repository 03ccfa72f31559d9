// SPDX-License-Identifier: MIT
/*
 * Vulkan 1.3's private data and 1.1's device-group commands, which are
 * the driver's own (nothing of them reaches the host): a required 1.3
 * feature and commands every 1.1 driver must answer.
 *
 * Private data: the feature and VK_EXT_private_data offered; two slots
 * (one reserved at device creation), values on objects of every kind the
 * driver makes (device, queue, memory, buffer, fence, semaphore, command
 * pool and buffer, the slot itself), each slot apart, overwritten, never
 * set (0); a buffer made after another was destroyed starts with none, as
 * does a slot made after another was destroyed; the EXT names; two
 * threads setting and reading on one object at once.  Device groups: a
 * command buffer with vkCmdSetDeviceMask(1) runs its fill.  Samplers made
 * (and tagged); VK_NULL_HANDLE destroyed as each kind of object the driver
 * never makes; an image refused rather than a crash.
 *
 * Plain Vulkan: it also runs on the host's lavapipe (meson test), and under
 * the validation layer with ODX_VALIDATE=1.
 */
#include <pthread.h>
#include <stdint.h>

#include "vktest.h"

#define N_THREADS_SETS 2000u

struct racer {
	VkDevice dev;
	VkBuffer buf;
	VkPrivateDataSlot slot;
	uint64_t base;
	unsigned int bad;
};

/* Sets its slot on the shared buffer and reads it back, many times. */
static void *race(void *arg)
{
	struct racer *r = arg;

	for (uint64_t i = 0; i < N_THREADS_SETS; i++) {
		uint64_t v = 0;

		if (vkSetPrivateData(r->dev, VK_OBJECT_TYPE_BUFFER, (uint64_t)(uintptr_t)r->buf,
				     r->slot, r->base + i) != VK_SUCCESS)
			r->bad++;
		vkGetPrivateData(r->dev, VK_OBJECT_TYPE_BUFFER, (uint64_t)(uintptr_t)r->buf,
				 r->slot, &v);
		r->bad += v != r->base + i;
	}
	return NULL;
}

struct objects {
	VkDevice dev;
	VkQueue q;
	VkDeviceMemory mem;
	VkBuffer buf;
	VkFence fence;
	VkSemaphore sem;
	VkCommandPool pool;
	VkCommandBuffer cmd;
};

#define H(x) ((uint64_t)(uintptr_t)(x))

static VkBuffer make_buffer(VkDevice dev)
{
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = 4096,
		.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
	};
	VkBuffer b = VK_NULL_HANDLE;

	if (vkCreateBuffer(dev, &bci, NULL, &b) != VK_SUCCESS)
		return VK_NULL_HANDLE;
	return b;
}

static int make_objects(VkPhysicalDevice pd, struct objects *o)
{
	VkPhysicalDeviceMemoryProperties mp;
	VkMemoryRequirements req;
	const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	const VkSemaphoreCreateInfo sci = { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO };
	const VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
	};
	VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1,
	};
	VkMemoryAllocateInfo mai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };
	uint32_t type = UINT32_MAX;

	o->buf = make_buffer(o->dev);
	if (!o->buf) {
		fail("buffer", "not made");
		return -1;
	}
	vkGetBufferMemoryRequirements(o->dev, o->buf, &req);
	vkGetPhysicalDeviceMemoryProperties(pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount && type == UINT32_MAX; i++)
		if ((req.memoryTypeBits & (1u << i)) &&
		    (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
		    (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT))
			type = i;
	if (type == UINT32_MAX) {
		fail("memory type", "no host-visible coherent type for a buffer");
		return -1;
	}
	mai.allocationSize = req.size;
	mai.memoryTypeIndex = type;
	VK_OK("memory", vkAllocateMemory(o->dev, &mai, NULL, &o->mem));
	VK_OK("bind", vkBindBufferMemory(o->dev, o->buf, o->mem, 0));
	VK_OK("fence", vkCreateFence(o->dev, &fci, NULL, &o->fence));
	VK_OK("semaphore", vkCreateSemaphore(o->dev, &sci, NULL, &o->sem));
	VK_OK("command pool", vkCreateCommandPool(o->dev, &pci, NULL, &o->pool));
	cai.commandPool = o->pool;
	VK_OK("command buffer", vkAllocateCommandBuffers(o->dev, &cai, &o->cmd));
	return 0;
}

static void free_objects(struct objects *o)
{
	vkDestroyCommandPool(o->dev, o->pool, NULL);
	vkDestroySemaphore(o->dev, o->sem, NULL);
	vkDestroyFence(o->dev, o->fence, NULL);
	vkDestroyBuffer(o->dev, o->buf, NULL);
	vkFreeMemory(o->dev, o->mem, NULL);
}

/* A fill recorded after vkCmdSetDeviceMask(1) runs. */
static void test_device_mask(struct objects *o)
{
	const VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	const VkMemoryBarrier mb = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
		.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
		.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
	};
	const VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1, .pCommandBuffers = &o->cmd,
	};
	uint32_t *p = NULL;
	unsigned int wrong = 0;

	if (vkBeginCommandBuffer(o->cmd, &bi) != VK_SUCCESS) {
		fail("device mask: begin", "refused");
		return;
	}
	vkCmdSetDeviceMask(o->cmd, 1);
	vkCmdFillBuffer(o->cmd, o->buf, 0, 4096, 0x5eedf00du);
	vkCmdPipelineBarrier(o->cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT,
			     0, 1, &mb, 0, NULL, 0, NULL);
	expect("device mask: a command buffer with vkCmdSetDeviceMask(1) ends",
	       vkEndCommandBuffer(o->cmd), VK_SUCCESS);
	expect("device mask: it is submitted", vkQueueSubmit(o->q, 1, &si, o->fence), VK_SUCCESS);
	expect("device mask: it completes",
	       vkWaitForFences(o->dev, 1, &o->fence, VK_TRUE, 10000000000ull), VK_SUCCESS);
	if (vkMapMemory(o->dev, o->mem, 0, VK_WHOLE_SIZE, 0, (void **)&p) != VK_SUCCESS) {
		fail("device mask: map", "refused");
		return;
	}
	for (uint32_t i = 0; i < 1024; i++)
		wrong += p[i] != 0x5eedf00du;
	vkUnmapMemory(o->dev, o->mem);
	check("device mask: its fill ran", wrong == 0, "%u of 1024 words wrong", wrong);
	vkResetFences(o->dev, 1, &o->fence);
}

static void test_private_data(VkPhysicalDevice pd, struct objects *o)
{
	struct { VkObjectType type; uint64_t h; const char *name; } obj[] = {
		{ VK_OBJECT_TYPE_DEVICE, H(o->dev), "device" },
		{ VK_OBJECT_TYPE_QUEUE, H(o->q), "queue" },
		{ VK_OBJECT_TYPE_DEVICE_MEMORY, H(o->mem), "memory" },
		{ VK_OBJECT_TYPE_BUFFER, H(o->buf), "buffer" },
		{ VK_OBJECT_TYPE_FENCE, H(o->fence), "fence" },
		{ VK_OBJECT_TYPE_SEMAPHORE, H(o->sem), "semaphore" },
		{ VK_OBJECT_TYPE_COMMAND_POOL, H(o->pool), "command pool" },
		{ VK_OBJECT_TYPE_COMMAND_BUFFER, H(o->cmd), "command buffer" },
		{ VK_OBJECT_TYPE_PRIVATE_DATA_SLOT, 0, "slot" },	/* slot a, below */
	};
	const size_t n = sizeof(obj) / sizeof(obj[0]);
	const VkPrivateDataSlotCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_PRIVATE_DATA_SLOT_CREATE_INFO,
	};
	VkPrivateDataSlot a = VK_NULL_HANDLE, b = VK_NULL_HANDLE, c = VK_NULL_HANDLE;
	unsigned int bad_set = 0, bad_a = 0, bad_b = 0, bad_unset = 0, bad_over = 0;
	uint64_t v;

	(void)pd;
	expect("private data: slot a", vkCreatePrivateDataSlot(o->dev, &sci, NULL, &a),
	       VK_SUCCESS);
	expect("private data: slot b", vkCreatePrivateDataSlot(o->dev, &sci, NULL, &b),
	       VK_SUCCESS);
	if (!a || !b)
		return;
	obj[n - 1].h = H(a);
	/* Nothing set yet: 0 everywhere. */
	for (size_t i = 0; i < n; i++) {
		v = 1;
		vkGetPrivateData(o->dev, obj[i].type, obj[i].h, a, &v);
		bad_unset += v != 0;
	}
	/* Slot a on every object, slot b on every other one. */
	for (size_t i = 0; i < n; i++) {
		bad_set += vkSetPrivateData(o->dev, obj[i].type, obj[i].h, a,
					    0xa000000000000000ull + i) != VK_SUCCESS;
		if (i % 2)
			bad_set += vkSetPrivateData(o->dev, obj[i].type, obj[i].h, b,
						    0xb0000000ull + i) != VK_SUCCESS;
	}
	for (size_t i = 0; i < n; i++) {
		vkGetPrivateData(o->dev, obj[i].type, obj[i].h, a, &v);
		if (v != 0xa000000000000000ull + i) {
			bad_a++;
			printf("# %s: slot a %#llx\n", obj[i].name, (unsigned long long)v);
		}
		vkGetPrivateData(o->dev, obj[i].type, obj[i].h, b, &v);
		if (v != (i % 2 ? 0xb0000000ull + i : 0)) {
			bad_b++;
			printf("# %s: slot b %#llx\n", obj[i].name, (unsigned long long)v);
		}
	}
	check("private data: 0 before anything is set, on every kind of object",
	      bad_unset == 0, "%u objects", bad_unset);
	check("private data: every set succeeds", bad_set == 0, "%u failed", bad_set);
	check("private data: slot a's values read back on all 9 kinds of object",
	      bad_a == 0, "%u wrong", bad_a);
	check("private data: slot b's apart from a's, 0 where never set",
	      bad_b == 0, "%u wrong", bad_b);
	for (size_t i = 0; i < n; i++) {
		vkSetPrivateData(o->dev, obj[i].type, obj[i].h, a, ~(uint64_t)i);
		vkGetPrivateData(o->dev, obj[i].type, obj[i].h, a, &v);
		bad_over += v != ~(uint64_t)i;
	}
	check("private data: a value overwritten reads the new one", bad_over == 0,
	      "%u wrong", bad_over);

	/* An object made after another went starts with nothing. */
	{
		VkBuffer old = o->buf, fresh;

		vkDestroyBuffer(o->dev, old, NULL);
		o->buf = VK_NULL_HANDLE;
		fresh = make_buffer(o->dev);
		v = 1;
		if (fresh)
			vkGetPrivateData(o->dev, VK_OBJECT_TYPE_BUFFER, H(fresh), a, &v);
		check("private data: a buffer made after one was destroyed has none",
		      fresh && v == 0, "value %#llx (%s address)", (unsigned long long)v,
		      fresh == old ? "the same" : "another");
		o->buf = fresh;
		if (fresh)
			vkBindBufferMemory(o->dev, fresh, o->mem, 0);
	}
	/* A slot made after another went starts with nothing on any object. */
	vkDestroyPrivateDataSlot(o->dev, a, NULL);
	expect("private data: slot c, after a was destroyed",
	       vkCreatePrivateDataSlot(o->dev, &sci, NULL, &c), VK_SUCCESS);
	if (c) {
		unsigned int stale = 0;

		for (size_t i = 0; i + 1 < n; i++) {
			if (obj[i].type == VK_OBJECT_TYPE_BUFFER)
				continue;	/* remade above */
			vkGetPrivateData(o->dev, obj[i].type, obj[i].h, c, &v);
			stale += v != 0;
		}
		check("private data: a new slot reads 0 on every object", stale == 0,
		      "%u stale values", stale);
		vkGetPrivateData(o->dev, VK_OBJECT_TYPE_QUEUE, H(o->q), b, &v);
		check("private data: slot b's values outlive slot a (the queue's)",
		      v == 0xb0000001ull, "%#llx", (unsigned long long)v);
	}

	/* Two threads, two slots, one object. */
	if (o->buf && c) {
		struct racer r[2] = {
			{ o->dev, o->buf, b, 1ull << 40, 0 },
			{ o->dev, o->buf, c, 2ull << 40, 0 },
		};
		pthread_t t[2];
		int started = 0;

		for (int i = 0; i < 2; i++)
			started += !pthread_create(&t[i], NULL, race, &r[i]);
		for (int i = 0; i < started; i++)
			pthread_join(t[i], NULL);
		check("private data: two threads on one object, each sees its own values",
		      started == 2 && r[0].bad == 0 && r[1].bad == 0,
		      "%d threads, %u and %u wrong", started, r[0].bad, r[1].bad);
	}
	vkDestroyPrivateDataSlot(o->dev, b, NULL);
	vkDestroyPrivateDataSlot(o->dev, c, NULL);
}

/*
 * Samplers need no format support, so any program may make them; the
 * objects this driver never makes may still be destroyed as
 * VK_NULL_HANDLE (a no-op, not a crash); an image of a usage not offered
 * (a color attachment: no graphics) is refused and a blit fails its
 * recording, not a crash (opendxg only, and not under the validation
 * layer: both are invalid usage there).
 */
static void test_absent_objects(VkPhysicalDevice pd, struct objects *o)
{
	const VkSamplerCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
		.magFilter = VK_FILTER_NEAREST, .minFilter = VK_FILTER_NEAREST,
		.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
		.addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
		.maxLod = 0.0f, .borderColor = VK_BORDER_COLOR_FLOAT_TRANSPARENT_BLACK,
	};
	const VkPrivateDataSlotCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_PRIVATE_DATA_SLOT_CREATE_INFO,
	};
	VkPhysicalDeviceVulkan12Properties p12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, .pNext = &p12,
	};
	VkSampler s = VK_NULL_HANDLE;
	VkPrivateDataSlot slot = VK_NULL_HANDLE;
	uint64_t v = 0;

	expect("a sampler", vkCreateSampler(o->dev, &sci, NULL, &s), VK_SUCCESS);
	if (s && vkCreatePrivateDataSlot(o->dev, &pci, NULL, &slot) == VK_SUCCESS) {
		vkSetPrivateData(o->dev, VK_OBJECT_TYPE_SAMPLER, H(s), slot, 77);
		vkGetPrivateData(o->dev, VK_OBJECT_TYPE_SAMPLER, H(s), slot, &v);
		check("private data on the sampler", v == 77, "%llu", (unsigned long long)v);
		vkDestroyPrivateDataSlot(o->dev, slot, NULL);
	}
	vkDestroySampler(o->dev, s, NULL);
	vkDestroySampler(o->dev, VK_NULL_HANDLE, NULL);
	vkDestroyImage(o->dev, VK_NULL_HANDLE, NULL);
	vkDestroyImageView(o->dev, VK_NULL_HANDLE, NULL);
	vkDestroyBufferView(o->dev, VK_NULL_HANDLE, NULL);
	vkDestroyFramebuffer(o->dev, VK_NULL_HANDLE, NULL);
	vkDestroyRenderPass(o->dev, VK_NULL_HANDLE, NULL);
	vkDestroySamplerYcbcrConversion(o->dev, VK_NULL_HANDLE, NULL);
	pass("VK_NULL_HANDLE destroyed as images, views, framebuffers, render passes, conversions");

	vkGetPhysicalDeviceProperties2(pd, &p2);
	if (!validating() && !strcmp(p12.driverName, "opendxg")) {
		/* A color attachment: not offered (storage and sampled images are). */
		const VkImageCreateInfo ici = {
			.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
			.imageType = VK_IMAGE_TYPE_2D, .format = VK_FORMAT_R8G8B8A8_UNORM,
			.extent = { 16, 16, 1 }, .mipLevels = 1, .arrayLayers = 1,
			.samples = VK_SAMPLE_COUNT_1_BIT, .tiling = VK_IMAGE_TILING_OPTIMAL,
			.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT,
		};
		VkImage img = (VkImage)(uintptr_t)0x1230;

		VkCommandBuffer cb = begin_primary(o->dev, o->pool);
		VkResult r = VK_SUCCESS;

		check("an image of what is not offered (a color attachment) is refused, not a crash",
		      vkCreateImage(o->dev, &ici, NULL, &img) == VK_ERROR_FORMAT_NOT_SUPPORTED &&
		      img == VK_NULL_HANDLE, "handle %p", (void *)img);
		/* A blit (no format can be blitted): the recording fails, no crash. */
		if (cb) {
			vkCmdBlitImage(cb, VK_NULL_HANDLE, VK_IMAGE_LAYOUT_GENERAL, VK_NULL_HANDLE,
				       VK_IMAGE_LAYOUT_GENERAL, 0, NULL, VK_FILTER_NEAREST);
			r = vkEndCommandBuffer(cb);
			vkFreeCommandBuffers(o->dev, o->pool, 1, &cb);
		}
		check("a blit, not offered, fails its command buffer's recording, not a crash",
		      cb && r != VK_SUCCESS, "VkResult %d", r);
	}
}

/* The EXT names, on a device that enables the extension. */
static void test_ext_names(VkPhysicalDevice pd)
{
	const char *ext = VK_EXT_PRIVATE_DATA_EXTENSION_NAME;
	VkPhysicalDevicePrivateDataFeatures pf = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRIVATE_DATA_FEATURES,
		.privateData = VK_TRUE,
	};
	VkDevice dev = VK_NULL_HANDLE;
	VkQueue q;
	PFN_vkCreatePrivateDataSlotEXT create;
	PFN_vkSetPrivateDataEXT set;
	PFN_vkGetPrivateDataEXT get;
	PFN_vkDestroyPrivateDataSlotEXT destroy;
	VkPrivateDataSlot s = VK_NULL_HANDLE;
	const VkPrivateDataSlotCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_PRIVATE_DATA_SLOT_CREATE_INFO,
	};
	uint64_t v = 0;

	expect("VK_EXT_private_data: a device with it and its feature structure",
	       device_begin_queues(pd, &pf, 1, &ext, 1, NULL, &dev, &q), VK_SUCCESS);
	if (!dev)
		return;
	create = (PFN_vkCreatePrivateDataSlotEXT)vkGetDeviceProcAddr(dev, "vkCreatePrivateDataSlotEXT");
	set = (PFN_vkSetPrivateDataEXT)vkGetDeviceProcAddr(dev, "vkSetPrivateDataEXT");
	get = (PFN_vkGetPrivateDataEXT)vkGetDeviceProcAddr(dev, "vkGetPrivateDataEXT");
	destroy = (PFN_vkDestroyPrivateDataSlotEXT)vkGetDeviceProcAddr(dev, "vkDestroyPrivateDataSlotEXT");
	check("VK_EXT_private_data: its four commands", create && set && get && destroy,
	      "a command is missing");
	if (create && set && get && destroy &&
	    create(dev, &sci, NULL, &s) == VK_SUCCESS) {
		expect("VK_EXT_private_data: set on the queue",
		       set(dev, VK_OBJECT_TYPE_QUEUE, H(q), s, 42), VK_SUCCESS);
		get(dev, VK_OBJECT_TYPE_QUEUE, H(q), s, &v);
		check("VK_EXT_private_data: read back", v == 42, "%llu", (unsigned long long)v);
		destroy(dev, s, NULL);
	}
	vkDestroyDevice(dev, NULL);
}

int main(void)
{
	VkInstance inst = VK_NULL_HANDLE;
	VkDebugUtilsMessengerEXT m = VK_NULL_HANDLE;
	VkPhysicalDevice pd;
	VkPhysicalDeviceVulkan13Features f13 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
	};
	VkPhysicalDevicePrivateDataFeatures pf = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRIVATE_DATA_FEATURES, .pNext = &f13,
	};
	VkPhysicalDeviceFeatures2 f2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &pf,
	};
	VkDevicePrivateDataCreateInfo reserve = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_PRIVATE_DATA_CREATE_INFO,
		.privateDataSlotRequestCount = 1,
	};
	VkPhysicalDeviceVulkan13Features want = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
		.pNext = &reserve, .privateData = VK_TRUE,
	};
	VkExtensionProperties ext[256];
	uint32_t next = 256;
	bool listed = false;
	struct objects o = { 0 };

	if (instance_begin("test_odx_objects", &inst, &m, &pd))
		return program_end("test_odx_objects", inst, m);
	vkGetPhysicalDeviceFeatures2(pd, &f2);
	check("privateData offered, in 1.3's features and its own structure",
	      f13.privateData && pf.privateData, "1.3 %u, own %u", f13.privateData,
	      pf.privateData);
	if (vkEnumerateDeviceExtensionProperties(pd, NULL, &next, ext) >= 0)
		for (uint32_t i = 0; i < next; i++)
			listed |= !strcmp(ext[i].extensionName, VK_EXT_PRIVATE_DATA_EXTENSION_NAME);
	check("VK_EXT_private_data listed", listed, "not among %u", next);

	expect("a device with privateData and a reserved slot",
	       device_begin_queues(pd, &want, 0, NULL, 1, NULL, &o.dev, &o.q), VK_SUCCESS);
	if (o.dev) {
		if (!make_objects(pd, &o)) {
			test_device_mask(&o);
			test_private_data(pd, &o);
			test_absent_objects(pd, &o);
		}
		free_objects(&o);
		vkDestroyDevice(o.dev, NULL);
	}
	if (listed)
		test_ext_names(pd);
	return program_end("test_odx_objects", inst, m);
}
