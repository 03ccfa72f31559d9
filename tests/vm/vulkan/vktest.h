/* SPDX-License-Identifier: MIT */
/*
 * What the guest's Vulkan test programs (tests/vm/vulkan/) share, on top
 * of vmtest.h: VK_OK() for setup steps, the Khronos validation layer and
 * its messenger (ODX_VALIDATE=1: every warning and error it reports is
 * counted in `messages` and printed), and a watchdog for waits that must
 * return.  Each program is one translation unit: everything is static.
 */
#ifndef OPENDXG_TESTS_VM_VKTEST_H
#define OPENDXG_TESTS_VM_VKTEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vulkan/vulkan.h>

#include "vmtest.h"

/* A setup step that must succeed: FAIL and return -1 otherwise. */
#define VK_OK(name, call) do { \
		VkResult r_ = (call); \
		if (r_ != VK_SUCCESS) { fail(name, "%s: VkResult %d", #call, r_); return -1; } \
	} while (0)

/* Messages the validation layer reported. */
static unsigned int messages;

static VKAPI_ATTR VkBool32 VKAPI_CALL
on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
	   VkDebugUtilsMessageTypeFlagsEXT type,
	   const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
	(void)severity, (void)type, (void)user;
	messages++;
	printf("# validation: %s\n", data->pMessage);
	return VK_FALSE;
}

static inline bool validating(void)
{
	const char *v = getenv("ODX_VALIDATE");

	return v && !strcmp(v, "1");
}

/* The layer and its messenger, warnings and errors (ODX_VALIDATE=1). */
static const char *const layer = "VK_LAYER_KHRONOS_validation";
static const char *const debug_ext = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
static const VkDebugUtilsMessengerCreateInfoEXT messenger_ci = {
	.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
	.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
			   VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
	.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
		       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
		       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
	.pfnUserCallback = on_message,
};

/* SIGALRM: a wait that never returned fails the program, not the VM. */
static inline void watchdog(int sig)
{
	static const char msg[] = "FAIL watchdog: a wait never returned\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

/*
 * A Vulkan 1.3 instance named @name, under the layer with its messenger
 * when validating() (else *m stays VK_NULL_HANDLE), and its first physical
 * device.  0, or -1 (FAIL printed).
 */
static inline int instance_begin(const char *name, VkInstance *inst,
				 VkDebugUtilsMessengerEXT *m, VkPhysicalDevice *pd)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = name, .apiVersion = VK_API_VERSION_1_3,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app,
	};
	uint32_t n = 1;

	if (validating()) {
		ici.pNext = &messenger_ci;	/* instance creation itself too */
		ici.enabledLayerCount = 1;
		ici.ppEnabledLayerNames = &layer;
		ici.enabledExtensionCount = 1;
		ici.ppEnabledExtensionNames = &debug_ext;
	}
	VK_OK("instance", vkCreateInstance(&ici, NULL, inst));
	if (validating()) {
		PFN_vkCreateDebugUtilsMessengerEXT create = (PFN_vkCreateDebugUtilsMessengerEXT)
			vkGetInstanceProcAddr(*inst, "vkCreateDebugUtilsMessengerEXT");

		if (!create) {
			fail("validation", "no vkCreateDebugUtilsMessengerEXT");
			return -1;
		}
		VK_OK("debug messenger", create(*inst, &messenger_ci, NULL, m));
	}
	if (vkEnumeratePhysicalDevices(*inst, &n, pd) < 0 || !n) {
		fail("physical device", "none");
		return -1;
	}
	return 0;
}

/*
 * Under the layer: destroys the messenger and checks that the layer said
 * nothing.  Without it: nothing.
 */
static inline void validation_end(VkInstance inst, VkDebugUtilsMessengerEXT m)
{
	PFN_vkDestroyDebugUtilsMessengerEXT destroy;

	if (!validating())
		return;
	destroy = (PFN_vkDestroyDebugUtilsMessengerEXT)
		vkGetInstanceProcAddr(inst, "vkDestroyDebugUtilsMessengerEXT");
	if (destroy)
		destroy(inst, m, NULL);
	check("no validation message under VK_LAYER_KHRONOS_validation",
	      messages == 0, "%u messages", messages);
}

/*
 * The end of a test program @name: the validation check and the instance
 * (when there is one), then its summary line; the exit status.
 */
static inline int program_end(const char *name, VkInstance inst, VkDebugUtilsMessengerEXT m)
{
	if (inst) {
		validation_end(inst, m);
		vkDestroyInstance(inst, NULL);
	}
	printf("%s %s: %d failure(s)\n", failures ? "FAIL" : "PASS", name, failures);
	return failures ? 1 : 0;
}

/*
 * A child process that runs @child(its end of a socketpair) and never
 * returns; *sock is the parent's end.  0, or -1 (FAIL printed).
 */
static inline int spawn_child(void (*child)(int sock), int *sock, pid_t *pid)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		fail("socketpair", "%s", strerror(errno));
		return -1;
	}
	fflush(stdout);
	*pid = fork();
	if (*pid < 0) {
		fail("fork", "%s", strerror(errno));
		return -1;
	}
	if (*pid == 0) {
		close(sv[0]);
		child(sv[1]);
		_exit(1);
	}
	close(sv[1]);
	*sock = sv[0];
	return 0;
}

/*
 * A device of @pd with the feature chain @features (or NULL), the @n
 * extensions enabled and @nq (1..4) queues of family 0 at priorities @prio
 * (NULL: all 1.0), in q[0..nq).
 */
static inline VkResult device_begin_queues(VkPhysicalDevice pd, const void *features,
					   uint32_t n, const char *const *exts,
					   uint32_t nq, const float *prio, VkDevice *dev,
					   VkQueue *q)
{
	static const float top[4] = { 1.0f, 1.0f, 1.0f, 1.0f };
	const VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueCount = nq, .pQueuePriorities = prio ? prio : top,
	};
	const VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = features,
		.queueCreateInfoCount = 1, .pQueueCreateInfos = &qci,
		.enabledExtensionCount = n, .ppEnabledExtensionNames = exts,
	};
	VkResult r = vkCreateDevice(pd, &dci, NULL, dev);

	for (uint32_t i = 0; r == VK_SUCCESS && i < nq; i++)
		vkGetDeviceQueue(*dev, 0, i, &q[i]);
	return r;
}

/* The same with one queue, in *q. */
static inline VkResult device_begin(VkPhysicalDevice pd, const void *features, uint32_t n,
				    const char *const *exts, VkDevice *dev, VkQueue *q)
{
	return device_begin_queues(pd, features, n, exts, 1, NULL, dev, q);
}

/* Does the physical device list device extension @name? */
static inline bool device_lists(VkPhysicalDevice pd, const char *name)
{
	VkExtensionProperties e[256];
	uint32_t n = 256;

	if (vkEnumerateDeviceExtensionProperties(pd, NULL, &n, e) < 0)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(e[i].extensionName, name))
			return true;
	return false;
}

/*
 * @n storage buffers of @size bytes, @stride bytes apart in one allocation
 * of the first host-coherent memory type, which stays mapped at *map.
 * 0, or -1 (FAIL printed).
 */
static inline int host_buffers(VkPhysicalDevice pd, VkDevice dev, uint32_t n,
			       VkDeviceSize size, VkDeviceSize stride, VkDeviceMemory *mem,
			       uint32_t **map, VkBuffer *bufs)
{
	VkPhysicalDeviceMemoryProperties mp;
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = n * stride,
		.memoryTypeIndex = UINT32_MAX,
	};
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
	};

	vkGetPhysicalDeviceMemoryProperties(pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount && mai.memoryTypeIndex == UINT32_MAX; i++)
		if (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)
			mai.memoryTypeIndex = i;
	VK_OK("host-visible memory", vkAllocateMemory(dev, &mai, NULL, mem));
	VK_OK("map", vkMapMemory(dev, *mem, 0, VK_WHOLE_SIZE, 0, (void **)map));
	for (uint32_t i = 0; i < n; i++) {
		VK_OK("buffer", vkCreateBuffer(dev, &bci, NULL, &bufs[i]));
		VK_OK("bind", vkBindBufferMemory(dev, bufs[i], *mem, i * stride));
	}
	return 0;
}

/* A shader module of @size bytes of SPIR-V and its compute pipeline ("main"). */
static inline VkResult compute_pipeline(VkDevice dev, const uint32_t *spv, size_t size,
					VkPipelineLayout layout, VkShaderModule *module,
					VkPipeline *pipeline)
{
	VkShaderModuleCreateInfo mci = {
		.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
		.codeSize = size, .pCode = spv,
	};
	VkComputePipelineCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
		.stage = { .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
			   .stage = VK_SHADER_STAGE_COMPUTE_BIT, .pName = "main" },
		.layout = layout,
	};
	VkResult r = *module ? VK_SUCCESS :
		     vkCreateShaderModule(dev, &mci, NULL, module);

	pci.stage.module = *module;
	return r ? r : vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &pci, NULL, pipeline);
}

/* The first memory type of @bits with @flags, or UINT32_MAX. */
static inline uint32_t find_memory_type(VkPhysicalDevice pd, uint32_t bits,
				   VkMemoryPropertyFlags flags)
{
	VkPhysicalDeviceMemoryProperties mp;

	vkGetPhysicalDeviceMemoryProperties(pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if ((bits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & flags) == flags)
			return i;
	return UINT32_MAX;
}

/*
 * A buffer of @size bytes and @usage in an allocation of its own, of the
 * first host-visible coherent memory type, mapped at *map.  0, or -1
 * (FAIL printed).
 */
static inline int host_staging(VkPhysicalDevice pd, VkDevice dev, VkDeviceSize size,
			       VkBufferUsageFlags usage, VkBuffer *buf, VkDeviceMemory *mem,
			       uint8_t **map)
{
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = size, .usage = usage,
	};
	VkMemoryAllocateInfo mai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };
	VkMemoryRequirements req;

	VK_OK("staging buffer", vkCreateBuffer(dev, &bci, NULL, buf));
	vkGetBufferMemoryRequirements(dev, *buf, &req);
	mai.allocationSize = req.size;
	mai.memoryTypeIndex = find_memory_type(pd, req.memoryTypeBits,
					       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
					       VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
	VK_OK("host-visible memory", vkAllocateMemory(dev, &mai, NULL, mem));
	VK_OK("bind", vkBindBufferMemory(dev, *buf, *mem, 0));
	VK_OK("map", vkMapMemory(dev, *mem, 0, VK_WHOLE_SIZE, 0, (void **)map));
	return 0;
}

/* A 2D, single-level, single-sample, optimal image's creation info. */
static inline VkImageCreateInfo image_2d(VkFormat format, uint32_t width, uint32_t height,
					 VkImageUsageFlags usage)
{
	return (VkImageCreateInfo) {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.imageType = VK_IMAGE_TYPE_2D, .format = format, .extent = { width, height, 1 },
		.mipLevels = 1, .arrayLayers = 1, .samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_OPTIMAL, .usage = usage,
		.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
	};
}

/*
 * @n (<= 32) images of @ci[i], bound one after the other (each at its
 * alignment) in one allocation of the first device-local memory type they
 * all take.  0, or -1 (FAIL printed).
 */
static inline int device_images(VkPhysicalDevice pd, VkDevice dev, uint32_t n,
				const VkImageCreateInfo *ci, VkImage *img, VkDeviceMemory *mem)
{
	VkMemoryAllocateInfo mai = { .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO };
	VkDeviceSize off[32], total = 0;
	uint32_t bits = ~0u;

	if (n > 32) {
		fail("images", "%u, at most 32", n);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		VkMemoryRequirements req;

		VK_OK("image", vkCreateImage(dev, &ci[i], NULL, &img[i]));
		vkGetImageMemoryRequirements(dev, img[i], &req);
		total = (total + req.alignment - 1) & ~(req.alignment - 1);
		off[i] = total;
		total += req.size;
		bits &= req.memoryTypeBits;
	}
	mai.allocationSize = total;
	mai.memoryTypeIndex = find_memory_type(pd, bits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
	check("the images' memory types include a device-local one",
	      mai.memoryTypeIndex != UINT32_MAX, "bits 0x%x", bits);
	if (mai.memoryTypeIndex == UINT32_MAX)
		return -1;
	VK_OK("device-local memory for the images", vkAllocateMemory(dev, &mai, NULL, mem));
	for (uint32_t i = 0; i < n; i++)
		VK_OK("bind an image", vkBindImageMemory(dev, img[i], *mem, off[i]));
	return 0;
}

/*
 * Layout transitions of @n (<= 8) whole color images (every level and layer) from
 * @from to @to, after @src in @sstage before @dst in @dstage.
 */
static inline void image_barriers(VkCommandBuffer cb, const VkImage *img, uint32_t n,
				  VkImageLayout from, VkImageLayout to, VkAccessFlags src,
				  VkAccessFlags dst, VkPipelineStageFlags sstage,
				  VkPipelineStageFlags dstage)
{
	VkImageMemoryBarrier b[8];

	for (uint32_t i = 0; i < n && i < 8; i++)
		b[i] = (VkImageMemoryBarrier) {
			.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
			.srcAccessMask = src, .dstAccessMask = dst,
			.oldLayout = from, .newLayout = to,
			.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
			.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
			.image = img[i],
			.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, VK_REMAINING_MIP_LEVELS,
					      0, VK_REMAINING_ARRAY_LAYERS },
		};
	vkCmdPipelineBarrier(cb, sstage, dstage, 0, 0, NULL, 0, NULL, n < 8 ? n : 8, b);
}

/* A primary command buffer of @pool, begun; VK_NULL_HANDLE (FAIL printed). */
static inline VkCommandBuffer begin_primary(VkDevice dev, VkCommandPool pool)
{
	VkCommandBufferAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = pool, .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo bi = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO };
	VkCommandBuffer cb = VK_NULL_HANDLE;

	if (vkAllocateCommandBuffers(dev, &ai, &cb) != VK_SUCCESS ||
	    vkBeginCommandBuffer(cb, &bi) != VK_SUCCESS) {
		fail("command buffer", "allocate or begin failed");
		return VK_NULL_HANDLE;
	}
	return cb;
}

/* Ends @cb, runs it on @q and waits; frees it either way.  0 or -1 (FAIL). */
static inline int run_and_free(VkDevice dev, VkQueue q, VkCommandPool pool,
			       VkCommandBuffer cb)
{
	VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
			    .pCommandBuffers = &cb };
	VkResult r = vkEndCommandBuffer(cb);

	if (r == VK_SUCCESS)
		r = vkQueueSubmit(q, 1, &si, VK_NULL_HANDLE);
	if (r == VK_SUCCESS)
		r = vkQueueWaitIdle(q);
	vkFreeCommandBuffers(dev, pool, 1, &cb);
	if (r != VK_SUCCESS) {
		fail("run a command buffer", "VkResult %d", r);
		return -1;
	}
	return 0;
}

#endif /* OPENDXG_TESTS_VM_VKTEST_H */
