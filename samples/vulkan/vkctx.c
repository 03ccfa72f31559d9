// SPDX-License-Identifier: MIT
/*
 * The instance, the device and its compute queue, the validation layer on
 * request, and submission (vkctx.h).
 */
#include "vkctx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALIDATION_LAYER	"VK_LAYER_KHRONOS_validation"
/* Long enough for a big sgemm on a CPU device under ASan, short enough
 * that a lost fence fails a test instead of hanging it. */
#define FENCE_TIMEOUT_NS	(60ull * 1000 * 1000 * 1000)

const char *vkc_result_name(VkResult r)
{
	switch (r) {
#define R(x) case x: return #x
	R(VK_SUCCESS);
	R(VK_NOT_READY);
	R(VK_TIMEOUT);
	R(VK_EVENT_SET);
	R(VK_EVENT_RESET);
	R(VK_INCOMPLETE);
	R(VK_ERROR_OUT_OF_HOST_MEMORY);
	R(VK_ERROR_OUT_OF_DEVICE_MEMORY);
	R(VK_ERROR_INITIALIZATION_FAILED);
	R(VK_ERROR_DEVICE_LOST);
	R(VK_ERROR_MEMORY_MAP_FAILED);
	R(VK_ERROR_LAYER_NOT_PRESENT);
	R(VK_ERROR_EXTENSION_NOT_PRESENT);
	R(VK_ERROR_FEATURE_NOT_PRESENT);
	R(VK_ERROR_INCOMPATIBLE_DRIVER);
	R(VK_ERROR_TOO_MANY_OBJECTS);
	R(VK_ERROR_FORMAT_NOT_SUPPORTED);
	R(VK_ERROR_FRAGMENTED_POOL);
	R(VK_ERROR_UNKNOWN);
	R(VK_ERROR_OUT_OF_POOL_MEMORY);
	R(VK_ERROR_INVALID_EXTERNAL_HANDLE);
	R(VK_ERROR_FRAGMENTATION);
	R(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS);
	R(VK_PIPELINE_COMPILE_REQUIRED);
#undef R
	default:
		return "VkResult not named here";
	}
}

bool vkc_check(const struct vkc *c, VkResult r, const char *expr)
{
	size_t len = strcspn(expr, "(");

	if (r == VK_SUCCESS)
		return true;
	printf("%s: %.*s failed: %s (%d)\n", c->prog, (int)len, expr, vkc_result_name(r), (int)r);
	fflush(stdout);
	return false;
}

/* The validation layer's messages: each is printed, and counted so that a
 * validated run with any warning or error fails. */
static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
						 VkDebugUtilsMessageTypeFlagsEXT type,
						 const VkDebugUtilsMessengerCallbackDataEXT *data,
						 void *user)
{
	struct vkc *c = user;

	(void)type;
	c->messages++;
	printf("%s: validation %s: %s\n", c->prog,
	       severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? "error" : "warning",
	       data->pMessage ? data->pMessage : "(no message)");
	fflush(stdout);
	return VK_FALSE;	/* the call goes on, as without the layer */
}

static void messenger_info(struct vkc *c, VkDebugUtilsMessengerCreateInfoEXT *mi)
{
	*mi = (VkDebugUtilsMessengerCreateInfoEXT){
		.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
		.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
				   VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
		.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
			       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
			       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
		.pfnUserCallback = on_message,
		.pUserData = c,
	};
}

static bool have_layer(const char *name)
{
	uint32_t n = 0;
	VkLayerProperties *l;
	bool found = false;

	if (vkEnumerateInstanceLayerProperties(&n, NULL) != VK_SUCCESS || !n)
		return false;
	l = calloc(n, sizeof(*l));
	if (l && vkEnumerateInstanceLayerProperties(&n, l) == VK_SUCCESS)
		for (uint32_t i = 0; i < n && !found; i++)
			found = !strcmp(l[i].layerName, name);
	free(l);
	return found;
}

static int create_instance(struct vkc *c, bool validate)
{
	const char *layers[] = { VALIDATION_LAYER };
	const char *exts[] = { VK_EXT_DEBUG_UTILS_EXTENSION_NAME };
	VkDebugUtilsMessengerCreateInfoEXT mi;
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = c->prog,
		.apiVersion = VK_API_VERSION_1_3,
	};
	VkInstanceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};

	if (validate) {
		PFN_vkCreateDebugUtilsMessengerEXT create_messenger;

		if (!have_layer(VALIDATION_LAYER)) {
			printf("%s: validation requested, but the Vulkan loader finds no %s "
			       "(Debian: vulkan-validationlayers)\n", c->prog, VALIDATION_LAYER);
			return -1;
		}
		/* Also chained here: messages from vkCreateInstance and
		 * vkDestroyInstance themselves reach the callback too. */
		messenger_info(c, &mi);
		ci.pNext = &mi;
		ci.enabledLayerCount = 1;
		ci.ppEnabledLayerNames = layers;
		ci.enabledExtensionCount = 1;
		ci.ppEnabledExtensionNames = exts;
		if (!VKC_OK(c, vkCreateInstance(&ci, NULL, &c->instance)))
			return -1;
		create_messenger = (PFN_vkCreateDebugUtilsMessengerEXT)
			vkGetInstanceProcAddr(c->instance, "vkCreateDebugUtilsMessengerEXT");
		if (!create_messenger) {
			printf("%s: vkGetInstanceProcAddr(vkCreateDebugUtilsMessengerEXT) found nothing\n",
			       c->prog);
			return -1;
		}
		return VKC_OK(c, create_messenger(c->instance, &mi, NULL, &c->messenger)) ? 0 : -1;
	}
	return VKC_OK(c, vkCreateInstance(&ci, NULL, &c->instance)) ? 0 : -1;
}

/* The first queue family with compute, or UINT32_MAX. */
static uint32_t compute_family(VkPhysicalDevice pd, uint32_t *ts_bits)
{
	uint32_t n = 0, found = UINT32_MAX;
	VkQueueFamilyProperties *q;

	vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, NULL);
	q = calloc(n ? n : 1, sizeof(*q));
	if (!q)
		return UINT32_MAX;
	vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, q);
	for (uint32_t i = 0; i < n; i++) {
		if (q[i].queueCount && (q[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) {
			found = i;
			*ts_bits = q[i].timestampValidBits;
			break;
		}
	}
	free(q);
	return found;
}

static int pick_device(struct vkc *c, int want)
{
	uint32_t n = 0;
	VkPhysicalDevice *pd;
	int rc = -1;

	if (!VKC_OK(c, vkEnumeratePhysicalDevices(c->instance, &n, NULL)))
		return -1;
	if (!n) {
		printf("%s: no Vulkan device\n", c->prog);
		return -1;
	}
	pd = calloc(n, sizeof(*pd));
	if (!pd) {
		printf("%s: out of memory\n", c->prog);
		return -1;
	}
	if (!VKC_OK(c, vkEnumeratePhysicalDevices(c->instance, &n, pd)))
		goto out;
	if (want >= (int)n) {
		printf("%s: --device %d: there %s only %u Vulkan device%s (0 .. %u)\n", c->prog,
		       want, n == 1 ? "is" : "are", n, n == 1 ? "" : "s", n - 1);
		goto out;
	}
	for (uint32_t i = want < 0 ? 0 : (uint32_t)want; i < n; i++) {
		c->family = compute_family(pd[i], &c->ts_bits);
		if (c->family != UINT32_MAX) {
			c->phys = pd[i];
			printf("%s: device %u: ", c->prog, i);
			rc = 0;
			break;
		}
		if (want >= 0) {
			printf("%s: --device %d has no compute queue\n", c->prog, want);
			goto out;
		}
	}
	if (rc)
		printf("%s: no Vulkan device has a compute queue\n", c->prog);
out:
	free(pd);
	return rc;
}

/* Device-only memory exists: the working buffers go there (vkmem.c). */
static bool has_device_only_memory(const VkPhysicalDeviceMemoryProperties *m)
{
	for (uint32_t i = 0; i < m->memoryTypeCount; i++) {
		VkMemoryPropertyFlags f = m->memoryTypes[i].propertyFlags;

		if ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) &&
		    !(f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
			return true;
	}
	return false;
}

static int create_device(struct vkc *c, const struct vkc_wants *wants)
{
	const float prio = 1.0f;
	VkPhysicalDevice16BitStorageFeatures s16 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
	};
	VkDeviceQueueCreateInfo qi = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = c->family,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	VkDeviceCreateInfo di = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qi,
	};

	/* The 16-bit storage feature is core since 1.1; ask only a device
	 * that has it, and enable only that one feature. */
	if (wants && wants->storage16 && c->props.apiVersion >= VK_API_VERSION_1_1) {
		VkPhysicalDeviceFeatures2 f2 = {
			.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
			.pNext = &s16,
		};

		vkGetPhysicalDeviceFeatures2(c->phys, &f2);
		if (s16.storageBuffer16BitAccess) {
			s16 = (VkPhysicalDevice16BitStorageFeatures){
				.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES,
				.storageBuffer16BitAccess = VK_TRUE,
			};
			di.pNext = &s16;
			c->storage16 = true;
		}
	}
	if (!VKC_OK(c, vkCreateDevice(c->phys, &di, NULL, &c->dev)))
		return -1;
	vkGetDeviceQueue(c->dev, c->family, 0, &c->queue);
	return 0;
}

static int create_submission(struct vkc *c)
{
	VkCommandPoolCreateInfo pi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		/* Command buffers are re-recorded (vkBeginCommandBuffer resets). */
		.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
		.queueFamilyIndex = c->family,
	};
	VkCommandBuffer cbs[2];
	VkCommandBufferAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 2,
	};
	VkFenceCreateInfo fi = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkQueryPoolCreateInfo qi = {
		.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
		.queryType = VK_QUERY_TYPE_TIMESTAMP,
		.queryCount = 2,
	};

	if (!VKC_OK(c, vkCreateCommandPool(c->dev, &pi, NULL, &c->pool)))
		return -1;
	ai.commandPool = c->pool;
	if (!VKC_OK(c, vkAllocateCommandBuffers(c->dev, &ai, cbs)))
		return -1;
	c->cmd = cbs[0];
	c->xfer = cbs[1];
	if (!VKC_OK(c, vkCreateFence(c->dev, &fi, NULL, &c->fence)))
		return -1;
	/* A queue without timestamps: the timing falls back to wall time. */
	if (c->ts_bits && !VKC_OK(c, vkCreateQueryPool(c->dev, &qi, NULL, &c->query)))
		return -1;
	return 0;
}

int vkc_open(struct vkc *c, const char *prog, const struct vkc_opts *o,
	     const struct vkc_wants *wants)
{
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	if (create_instance(c, o->validate) || pick_device(c, o->device))
		return -1;
	vkGetPhysicalDeviceProperties(c->phys, &c->props);
	vkGetPhysicalDeviceMemoryProperties(c->phys, &c->mem);
	c->staged = (has_device_only_memory(&c->mem) && !o->host_memory) || o->staging;
	printf("%s (Vulkan %u.%u.%u, %s)\n", c->props.deviceName,
	       VK_API_VERSION_MAJOR(c->props.apiVersion), VK_API_VERSION_MINOR(c->props.apiVersion),
	       VK_API_VERSION_PATCH(c->props.apiVersion),
	       !c->staged ? (o->host_memory ? "working buffers in host-visible memory (--host-memory)" :
			     "working buffers in host-visible memory")
	       : o->staging ? "working buffers staged (--staging)"
			    : "working buffers in device-local memory, staged");
	if (o->validate)
		printf("%s: validation: %s on, any warning or error fails the run\n", prog,
		       VALIDATION_LAYER);
	fflush(stdout);
	if (create_device(c, wants) || create_submission(c))
		return -1;
	return 0;
}

unsigned int vkc_close(struct vkc *c)
{
	if (c->dev) {
		/* Whatever was submitted ends before its objects go. */
		VKC_OK(c, vkDeviceWaitIdle(c->dev));
		if (c->query)
			vkDestroyQueryPool(c->dev, c->query, NULL);
		if (c->fence)
			vkDestroyFence(c->dev, c->fence, NULL);
		if (c->pool)
			vkDestroyCommandPool(c->dev, c->pool, NULL);
		vkDestroyDevice(c->dev, NULL);
	}
	if (c->messenger) {
		PFN_vkDestroyDebugUtilsMessengerEXT destroy_messenger =
			(PFN_vkDestroyDebugUtilsMessengerEXT)
			vkGetInstanceProcAddr(c->instance, "vkDestroyDebugUtilsMessengerEXT");

		if (destroy_messenger)
			destroy_messenger(c->instance, c->messenger, NULL);
	}
	if (c->instance)
		vkDestroyInstance(c->instance, NULL);
	if (c->messages) {
		printf("%s: FAILED: the validation layer reported %u message%s\n", c->prog,
		       c->messages, c->messages == 1 ? "" : "s");
		fflush(stdout);
	}
	return c->messages;
}

int vkc_submit_wait(struct vkc *c, VkCommandBuffer cb)
{
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};

	if (!VKC_OK(c, vkQueueSubmit(c->queue, 1, &si, c->fence)) ||
	    !VKC_OK(c, vkWaitForFences(c->dev, 1, &c->fence, VK_TRUE, FENCE_TIMEOUT_NS)) ||
	    !VKC_OK(c, vkResetFences(c->dev, 1, &c->fence)))
		return -1;
	return 0;
}
