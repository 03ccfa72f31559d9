// SPDX-License-Identifier: MIT
/*
 * Sync files through the opendxg Vulkan driver, in the guest, through
 * Debian's loader: VK_KHR_external_semaphore_fd and VK_KHR_external_fence_fd
 * with the SYNC_FD handle type (docs/vulkan-driver.md).
 *
 *   the external properties: SYNC_FD for binary semaphores and fences,
 *     OPAQUE_FD for timeline semaphores and fences, each compatible only
 *     with itself;
 *   a semaphore signalled by a submission that a timeline semaphore holds
 *     back (the CPU signals it later): its exported sync file is not
 *     readable before the CPU lets the work run, is after;
 *   that sync file imported into another semaphore and waited for by a
 *     later submission: vkQueueSubmit returns at once (a GPU wait, not a CPU
 *     one), the copy runs after the fill it waited for (its data);
 *   a fence's sync file: pending, readable after the work, the fence reset
 *     by the export;
 *   a sync file imported into a fence: VK_TIMEOUT before it signals,
 *     VK_SUCCESS after, vkResetFences restores the permanent payload;
 *   -1 imported (already signalled) into a semaphore and a fence;
 *   what is no sync file (eventfd, pipe) refused with
 *     VK_ERROR_INVALID_EXTERNAL_HANDLE and left open; a dma-buf's sync file
 *     (not ours, /dev/udmabuf where it exists) waited for on the CPU;
 *   two queues: gated work on one holds back neither the other's work nor
 *     its wait idle; a semaphore orders work across them; the
 *     higher-priority queue's runnable work runs first;
 *   a timeline semaphore of another process by OPAQUE_FD: one payload,
 *     a GPU wait released by the child's CPU signal, a signal the child
 *     waits for; an eventfd or a binary semaphore refused;
 *   a fence of another process by OPAQUE_FD: our submission signals it,
 *     the child's wait sees it and the child's reset reaches us; one
 *     created signalled, reset; its payload imported temporarily into
 *     another fence, whose reset restores that fence's own payload and
 *     leaves the shared one signalled;
 *   a pending sync file of another process (a child's exportable
 *     semaphore, passed over a socket): a GPU wait (WaitSyncFile of a
 *     shared fence), the submission returns before the child lets its
 *     work run, and the work runs after it.
 *
 * A watchdog fails the program if a wait never returns.  With
 * ODX_VALIDATE=1 it runs under the Khronos validation layer and fails on any
 * warning or error it reports.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>

#include <vulkan/vulkan.h>

#include "vktest.h"

#define WORDS		64u
#define SEC		1000000000ull
#define WATCHDOG_S	120

struct ctx {
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q, q2;			/* queues 0 (priority 0) and 1 (1.0) */
	VkDeviceMemory mem;
	uint32_t *map;
	VkBuffer x, y, z;		/* WORDS words each, in one allocation */
	VkCommandPool cp;
	VkSemaphore gate;		/* timeline: the CPU lets gated work run */
	uint64_t gate_value;
	PFN_vkGetSemaphoreFdKHR get_semaphore_fd;
	PFN_vkImportSemaphoreFdKHR import_semaphore_fd;
	PFN_vkGetFenceFdKHR get_fence_fd;
	PFN_vkImportFenceFdKHR import_fence_fd;
};

enum { OFF_X = 0, OFF_Y = 4096, OFF_Z = 8192, MEM_SIZE = 16384 };




static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/* Is @fd readable within @ms? */
static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* A real sync file: SYNC_IOC_FILE_INFO answers, from the driver @drv. */
static bool sync_file_of(int fd, const char *drv)
{
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = { .num_fences = 1,
				       .sync_fence_info = (uint64_t)(uintptr_t)&fi };

	return ioctl(fd, SYNC_IOC_FILE_INFO, &info) == 0 &&
	       !strcmp(fi.driver_name, drv);
}

/* ---- setup ---- */


static const char *const device_exts[] = {
	VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME, VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME,
};

static bool has_extension(struct ctx *c, const char *name)
{
	VkExtensionProperties e[256];
	uint32_t n = 256;

	if (vkEnumerateDeviceExtensionProperties(c->pd, NULL, &n, e) < 0)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(e[i].extensionName, name))
			return true;
	return false;
}

static int make_instance(struct ctx *c)
{
	return instance_begin("test_odx_syncfd", &c->inst, &c->messenger, &c->pd);
}

static int make_device(struct ctx *c)
{
	VkPhysicalDeviceVulkan12Features f12 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
		.timelineSemaphore = VK_TRUE,
	};

	/* Queue 0 the lowest priority, queue 1 the highest (queue_priority()). */
	const float prio[2] = { 0.0f, 1.0f };
	VkQueue qs[2] = { VK_NULL_HANDLE, VK_NULL_HANDLE };

	VK_OK("device with the two extensions and two queues",
	      device_begin_queues(c->pd, &f12, 2, device_exts, 2, prio, &c->dev, qs));
	c->q = qs[0];
	c->q2 = qs[1];
	check("two distinct queues", c->q && c->q2 && c->q != c->q2, "%p %p",
	      (void *)c->q, (void *)c->q2);
	c->get_semaphore_fd = (PFN_vkGetSemaphoreFdKHR)
		vkGetDeviceProcAddr(c->dev, "vkGetSemaphoreFdKHR");
	c->import_semaphore_fd = (PFN_vkImportSemaphoreFdKHR)
		vkGetDeviceProcAddr(c->dev, "vkImportSemaphoreFdKHR");
	c->get_fence_fd = (PFN_vkGetFenceFdKHR)vkGetDeviceProcAddr(c->dev, "vkGetFenceFdKHR");
	c->import_fence_fd = (PFN_vkImportFenceFdKHR)
		vkGetDeviceProcAddr(c->dev, "vkImportFenceFdKHR");
	if (!c->get_semaphore_fd || !c->import_semaphore_fd || !c->get_fence_fd ||
	    !c->import_fence_fd) {
		fail("the four commands resolve", "%p %p %p %p", (void *)c->get_semaphore_fd,
		     (void *)c->import_semaphore_fd, (void *)c->get_fence_fd,
		     (void *)c->import_fence_fd);
		return -1;
	}
	pass("the four commands resolve");
	return 0;
}

static int make_buffer(struct ctx *c, VkBuffer *b, VkDeviceSize off)
{
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = WORDS * 4,
		.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
	};
	VkMemoryRequirements req;

	VK_OK("buffer", vkCreateBuffer(c->dev, &bci, NULL, b));
	vkGetBufferMemoryRequirements(c->dev, *b, &req);
	VK_OK("bind", vkBindBufferMemory(c->dev, *b, c->mem, off));
	return 0;
}

static int make_resources(struct ctx *c)
{
	VkPhysicalDeviceMemoryProperties mp;
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, .allocationSize = MEM_SIZE,
		.memoryTypeIndex = UINT32_MAX,
	};
	const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
		VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
	VkCommandPoolCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
	};
	const VkSemaphoreTypeCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
		.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
	};
	const VkSemaphoreCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, .pNext = &tci,
	};
	void *p;

	vkGetPhysicalDeviceMemoryProperties(c->pd, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount && mai.memoryTypeIndex == UINT32_MAX; i++)
		if ((mp.memoryTypes[i].propertyFlags & want) == want)
			mai.memoryTypeIndex = i;
	VK_OK("memory", vkAllocateMemory(c->dev, &mai, NULL, &c->mem));
	VK_OK("map", vkMapMemory(c->dev, c->mem, 0, VK_WHOLE_SIZE, 0, &p));
	c->map = p;
	memset(p, 0, MEM_SIZE);
	if (make_buffer(c, &c->x, OFF_X) || make_buffer(c, &c->y, OFF_Y) ||
	    make_buffer(c, &c->z, OFF_Z))
		return -1;
	VK_OK("command pool", vkCreateCommandPool(c->dev, &cpci, NULL, &c->cp));
	VK_OK("gate (timeline semaphore)", vkCreateSemaphore(c->dev, &sci, NULL, &c->gate));
	return 0;
}

/* A semaphore of @type at 0, exportable as @handle_type (0: not). */
static VkSemaphore make_semaphore(struct ctx *c, VkSemaphoreType type,
				  VkExternalSemaphoreHandleTypeFlags handle_type)
{
	const VkExportSemaphoreCreateInfo esci = {
		.sType = VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO,
		.handleTypes = handle_type,
	};
	const VkSemaphoreTypeCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
		.pNext = handle_type ? &esci : NULL,
		.semaphoreType = type,
	};
	const VkSemaphoreCreateInfo sci = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, .pNext = &tci,
	};
	VkSemaphore s = VK_NULL_HANDLE;

	if (vkCreateSemaphore(c->dev, &sci, NULL, &s) != VK_SUCCESS)
		fail("semaphore", "vkCreateSemaphore failed");
	return s;
}

/* A binary semaphore, exportable as a sync file when asked. */
static VkSemaphore semaphore(struct ctx *c, bool exportable)
{
	return make_semaphore(c, VK_SEMAPHORE_TYPE_BINARY, exportable ?
			      VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT : 0);
}

/* A timeline semaphore, exportable by OPAQUE_FD when asked. */
static VkSemaphore timeline(struct ctx *c, bool exportable)
{
	return make_semaphore(c, VK_SEMAPHORE_TYPE_TIMELINE, exportable ?
			      VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT : 0);
}

static VkResult timeline_signal(struct ctx *c, VkSemaphore s, uint64_t v)
{
	const VkSemaphoreSignalInfo ssi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, .semaphore = s,
		.value = v,
	};

	return vkSignalSemaphore(c->dev, &ssi);
}

static VkResult timeline_wait(struct ctx *c, VkSemaphore s, uint64_t v,
			      uint64_t timeout)
{
	const VkSemaphoreWaitInfo wi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, .semaphoreCount = 1,
		.pSemaphores = &s, .pValues = &v,
	};

	return vkWaitSemaphores(c->dev, &wi, timeout);
}

static VkFence fence(struct ctx *c, bool exportable)
{
	const VkExportFenceCreateInfo efci = {
		.sType = VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO,
		.handleTypes = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	const VkFenceCreateInfo fci = {
		.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
		.pNext = exportable ? &efci : NULL,
	};
	VkFence f = VK_NULL_HANDLE;

	if (vkCreateFence(c->dev, &fci, NULL, &f) != VK_SUCCESS)
		fail("fence", "vkCreateFence failed");
	return f;
}

/* A fence exportable by OPAQUE_FD, created signalled or not. */
static VkFence opaque_fence(struct ctx *c, bool signaled)
{
	const VkExportFenceCreateInfo efci = {
		.sType = VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO,
		.handleTypes = VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT,
	};
	const VkFenceCreateInfo fci = {
		.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, .pNext = &efci,
		.flags = signaled ? VK_FENCE_CREATE_SIGNALED_BIT : 0,
	};
	VkFence f = VK_NULL_HANDLE;

	if (vkCreateFence(c->dev, &fci, NULL, &f) != VK_SUCCESS)
		fail("OPAQUE_FD fence", "vkCreateFence failed");
	return f;
}

/* A command buffer that fills @b with @v, or copies @src to @b (src set). */
static VkCommandBuffer record(struct ctx *c, VkBuffer b, uint32_t v, VkBuffer src)
{
	VkCommandBufferAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = c->cp, .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	VkCommandBuffer cb = VK_NULL_HANDLE;

	if (vkAllocateCommandBuffers(c->dev, &ai, &cb) != VK_SUCCESS ||
	    vkBeginCommandBuffer(cb, &bi) != VK_SUCCESS) {
		fail("command buffer", "allocate/begin failed");
		return VK_NULL_HANDLE;
	}
	if (src) {
		const VkBufferCopy bc = { 0, 0, WORDS * 4 };

		vkCmdCopyBuffer(cb, src, b, 1, &bc);
	} else {
		vkCmdFillBuffer(cb, b, 0, VK_WHOLE_SIZE, v);
	}
	if (vkEndCommandBuffer(cb) != VK_SUCCESS)
		fail("command buffer", "end failed");
	return cb;
}

/*
 * One batch: @cb (or none), waiting for @wait (binary, or none) and, when
 * @gated, for the gate's next value; signalling @signal; then @f.
 */
static VkResult submit(struct ctx *c, VkCommandBuffer cb, VkSemaphore wait, bool gated,
		       VkSemaphore signal, VkFence f)
{
	VkSemaphore waits[2];
	uint64_t values[2] = { 0, 0 };
	VkPipelineStageFlags stages[2] = { VK_PIPELINE_STAGE_TRANSFER_BIT,
					   VK_PIPELINE_STAGE_TRANSFER_BIT };
	uint32_t n = 0;
	VkTimelineSemaphoreSubmitInfo tsi = {
		.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
		.pWaitSemaphoreValues = values,
	};
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .pNext = &tsi,
		.pWaitSemaphores = waits, .pWaitDstStageMask = stages,
		.commandBufferCount = cb ? 1 : 0, .pCommandBuffers = &cb,
		.signalSemaphoreCount = signal ? 1 : 0, .pSignalSemaphores = &signal,
	};

	if (wait)
		waits[n++] = wait;
	if (gated) {
		values[n] = ++c->gate_value;
		waits[n++] = c->gate;
	}
	si.waitSemaphoreCount = n;
	tsi.waitSemaphoreValueCount = n;
	return vkQueueSubmit(c->q, 1, &si, f);
}

/* The CPU lets the gated work run. */
static int open_gate(struct ctx *c)
{
	const VkSemaphoreSignalInfo ssi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, .semaphore = c->gate,
		.value = c->gate_value,
	};

	VK_OK("signal the gate", vkSignalSemaphore(c->dev, &ssi));
	return 0;
}

static bool all(const uint32_t *w, uint32_t v)
{
	for (uint32_t i = 0; i < WORDS; i++)
		if (w[i] != v)
			return false;
	return true;
}

/* ---- the checks ---- */

static void properties(struct ctx *c)
{
	const VkExternalSemaphoreFeatureFlags sboth =
		VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT |
		VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT;
	const VkExternalFenceFeatureFlags fboth = VK_EXTERNAL_FENCE_FEATURE_EXPORTABLE_BIT |
		VK_EXTERNAL_FENCE_FEATURE_IMPORTABLE_BIT;
	VkSemaphoreTypeCreateInfo tci = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
		.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
	};
	VkPhysicalDeviceExternalSemaphoreInfo si = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_SEMAPHORE_INFO,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	VkExternalSemaphoreProperties sp = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES,
	};
	VkPhysicalDeviceExternalFenceInfo fi = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_FENCE_INFO,
		.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	VkExternalFenceProperties fp = { .sType = VK_STRUCTURE_TYPE_EXTERNAL_FENCE_PROPERTIES };

	check("device extensions: VK_KHR_external_semaphore_fd, VK_KHR_external_fence_fd",
	      has_extension(c, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME) &&
	      has_extension(c, VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME) &&
	      has_extension(c, VK_KHR_EXTERNAL_SEMAPHORE_EXTENSION_NAME) &&
	      has_extension(c, VK_KHR_EXTERNAL_FENCE_EXTENSION_NAME), "not listed");

	vkGetPhysicalDeviceExternalSemaphoreProperties(c->pd, &si, &sp);
	check("binary semaphore: SYNC_FD importable and exportable",
	      sp.externalSemaphoreFeatures == sboth &&
	      (sp.compatibleHandleTypes & si.handleType) &&
	      (sp.exportFromImportedHandleTypes & si.handleType),
	      "features 0x%x compatible 0x%x from imported 0x%x",
	      sp.externalSemaphoreFeatures, sp.compatibleHandleTypes,
	      sp.exportFromImportedHandleTypes);
	si.pNext = &tci;
	memset(&sp, 0xff, sizeof(sp));
	sp.sType = VK_STRUCTURE_TYPE_EXTERNAL_SEMAPHORE_PROPERTIES;
	sp.pNext = NULL;
	vkGetPhysicalDeviceExternalSemaphoreProperties(c->pd, &si, &sp);
	check("timeline semaphore: no SYNC_FD",
	      !sp.externalSemaphoreFeatures && !sp.compatibleHandleTypes &&
	      !sp.exportFromImportedHandleTypes, "features 0x%x compatible 0x%x",
	      sp.externalSemaphoreFeatures, sp.compatibleHandleTypes);
	si.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
	vkGetPhysicalDeviceExternalSemaphoreProperties(c->pd, &si, &sp);
	check("timeline semaphore: OPAQUE_FD importable and exportable",
	      sp.externalSemaphoreFeatures == sboth &&
	      (sp.compatibleHandleTypes & si.handleType) &&
	      (sp.exportFromImportedHandleTypes & si.handleType),
	      "features 0x%x compatible 0x%x", sp.externalSemaphoreFeatures,
	      sp.compatibleHandleTypes);
	si.pNext = NULL;
	vkGetPhysicalDeviceExternalSemaphoreProperties(c->pd, &si, &sp);
	check("binary semaphore: no OPAQUE_FD", !sp.externalSemaphoreFeatures &&
	      !sp.compatibleHandleTypes, "features 0x%x", sp.externalSemaphoreFeatures);

	vkGetPhysicalDeviceExternalFenceProperties(c->pd, &fi, &fp);
	check("fence: SYNC_FD importable and exportable",
	      fp.externalFenceFeatures == fboth && (fp.compatibleHandleTypes & fi.handleType),
	      "features 0x%x compatible 0x%x", fp.externalFenceFeatures,
	      fp.compatibleHandleTypes);
	fi.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT;
	vkGetPhysicalDeviceExternalFenceProperties(c->pd, &fi, &fp);
	check("fence: OPAQUE_FD importable and exportable, compatible with itself only",
	      fp.externalFenceFeatures == fboth &&
	      fp.compatibleHandleTypes == fi.handleType &&
	      fp.exportFromImportedHandleTypes == fi.handleType,
	      "features 0x%x compatible 0x%x", fp.externalFenceFeatures,
	      fp.compatibleHandleTypes);
}

/*
 * A gated fill of X signals S1; S1's sync file, imported into S2, holds
 * back a copy X -> Y: the GPU waits, the submission returns at once.
 */
static int semaphore_export_import(struct ctx *c)
{
	VkSemaphore s1 = semaphore(c, true), s2 = semaphore(c, false);
	VkFence f = fence(c, false);
	VkCommandBuffer fill = record(c, c->x, 0xa1a1a1a1u, VK_NULL_HANDLE);
	VkCommandBuffer copy = record(c, c->y, 0, c->x);
	const VkSemaphoreGetFdInfoKHR gi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR, .semaphore = s1,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	VkImportSemaphoreFdInfoKHR ii = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR, .semaphore = s2,
		.flags = VK_SEMAPHORE_IMPORT_TEMPORARY_BIT,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	int fd = -1, fd2;
	uint64_t t;

	if (!s1 || !s2 || !f || !fill || !copy)
		return -1;
	VK_OK("gated fill signals S1", submit(c, fill, VK_NULL_HANDLE, true, s1, VK_NULL_HANDLE));
	VK_OK("vkGetSemaphoreFdKHR (SYNC_FD)", c->get_semaphore_fd(c->dev, &gi, &fd));
	check("semaphore export: a sync file of dxgkrnl", fd >= 0 && sync_file_of(fd, "dxgkrnl"),
	      "fd %d", fd);
	check("semaphore export: close-on-exec", fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "flags 0x%x", fd >= 0 ? fcntl(fd, F_GETFD) : -1);
	check("semaphore sync file: not readable while the work is held back",
	      fd >= 0 && !readable(fd, 100), "readable");
	fd2 = dup(fd);
	ii.fd = fd2;
	VK_OK("vkImportSemaphoreFdKHR (SYNC_FD, temporary)", c->import_semaphore_fd(c->dev, &ii));
	t = now_ns();
	VK_OK("copy waits for S2", submit(c, copy, s2, false, VK_NULL_HANDLE, f));
	t = now_ns() - t;
	/* A CPU wait would not return before the gate opens: the watchdog. */
	check("the submission waiting for the sync file returns at once (a GPU wait)",
	      t < 2 * SEC, "%llu ms", (unsigned long long)(t / 1000000));
	check("the import owns the fd: closed once the wait is queued",
	      fcntl(fd2, F_GETFD) < 0 && errno == EBADF, "fd %d still open", fd2);
	expect("fence: VK_TIMEOUT before the gate opens",
	       vkWaitForFences(c->dev, 1, &f, VK_TRUE, SEC / 10), VK_TIMEOUT);
	check("Y untouched before the gate opens", all(c->map + OFF_Y / 4, 0),
	      "Y[0] 0x%x", c->map[OFF_Y / 4]);
	if (open_gate(c))
		return -1;
	expect("fence signalled after the gate", vkWaitForFences(c->dev, 1, &f, VK_TRUE,
								 30 * SEC), VK_SUCCESS);
	check("semaphore sync file readable after the work", readable(fd, 5000), "not readable");
	check("the copy that waited read what the fill wrote", all(c->map + OFF_Y / 4, 0xa1a1a1a1u),
	      "Y[0] 0x%x X[0] 0x%x", c->map[OFF_Y / 4], c->map[OFF_X / 4]);
	close(fd);
	VK_OK("queue idle", vkQueueWaitIdle(c->q));
	vkDestroySemaphore(c->dev, s1, NULL);
	vkDestroySemaphore(c->dev, s2, NULL);
	vkDestroyFence(c->dev, f, NULL);
	return 0;
}

/* A gated fill of Z with a fence: its sync file; the export resets it. */
static int fence_export(struct ctx *c)
{
	VkFence f = fence(c, true);
	VkCommandBuffer fill = record(c, c->z, 0xb2b2b2b2u, VK_NULL_HANDLE);
	const VkFenceGetFdInfoKHR gi = {
		.sType = VK_STRUCTURE_TYPE_FENCE_GET_FD_INFO_KHR, .fence = f,
		.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	int fd = -1;

	if (!f || !fill)
		return -1;
	VK_OK("gated fill with a fence", submit(c, fill, VK_NULL_HANDLE, true, VK_NULL_HANDLE, f));
	VK_OK("vkGetFenceFdKHR (SYNC_FD)", c->get_fence_fd(c->dev, &gi, &fd));
	check("fence export: a sync file of dxgkrnl", fd >= 0 && sync_file_of(fd, "dxgkrnl"),
	      "fd %d", fd);
	check("fence sync file: not readable while the work is held back",
	      fd >= 0 && !readable(fd, 100), "readable");
	if (open_gate(c))
		return -1;
	check("fence sync file readable after the work", fd >= 0 && readable(fd, 5000),
	      "not readable");
	check("the work ran", all(c->map + OFF_Z / 4, 0xb2b2b2b2u), "Z[0] 0x%x",
	      c->map[OFF_Z / 4]);
	expect("the export reset the fence: not signalled though the work is done",
	       vkGetFenceStatus(c->dev, f), VK_NOT_READY);
	if (fd >= 0)
		close(fd);
	VK_OK("queue idle", vkQueueWaitIdle(c->q));
	vkDestroyFence(c->dev, f, NULL);
	return 0;
}

/* A pending sync file (a gated semaphore's) imported into a fence. */
static int fence_import(struct ctx *c)
{
	VkSemaphore s = semaphore(c, true);
	VkFence f = fence(c, false);
	const VkSemaphoreGetFdInfoKHR gi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR, .semaphore = s,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	VkImportFenceFdInfoKHR ii = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_FENCE_FD_INFO_KHR, .fence = f,
		.flags = VK_FENCE_IMPORT_TEMPORARY_BIT,
		.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	int fd = -1;

	if (!s || !f)
		return -1;
	VK_OK("gated signal of a semaphore", submit(c, VK_NULL_HANDLE, VK_NULL_HANDLE, true, s,
						    VK_NULL_HANDLE));
	VK_OK("its sync file", c->get_semaphore_fd(c->dev, &gi, &fd));
	ii.fd = fd;
	VK_OK("vkImportFenceFdKHR (SYNC_FD)", c->import_fence_fd(c->dev, &ii));
	expect("imported fence: VK_NOT_READY while pending", vkGetFenceStatus(c->dev, f),
	       VK_NOT_READY);
	expect("imported fence: vkWaitForFences VK_TIMEOUT before it signals",
	       vkWaitForFences(c->dev, 1, &f, VK_TRUE, SEC / 5), VK_TIMEOUT);
	if (open_gate(c))
		return -1;
	expect("imported fence: vkWaitForFences returns once it signals",
	       vkWaitForFences(c->dev, 1, &f, VK_TRUE, 30 * SEC), VK_SUCCESS);
	expect("imported fence: signalled", vkGetFenceStatus(c->dev, f), VK_SUCCESS);
	VK_OK("reset", vkResetFences(c->dev, 1, &f));
	expect("vkResetFences restores the permanent payload (unsignalled)",
	       vkGetFenceStatus(c->dev, f), VK_NOT_READY);
	VK_OK("queue idle", vkQueueWaitIdle(c->q));
	vkDestroySemaphore(c->dev, s, NULL);
	vkDestroyFence(c->dev, f, NULL);
	return 0;
}

/* -1: a sync file that has signalled already. */
static int import_signalled(struct ctx *c)
{
	VkSemaphore s = semaphore(c, false);
	VkFence f = fence(c, false), done = fence(c, false);
	VkCommandBuffer fill = record(c, c->z, 0xc3c3c3c3u, VK_NULL_HANDLE);
	const VkImportSemaphoreFdInfoKHR si = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR, .semaphore = s,
		.flags = VK_SEMAPHORE_IMPORT_TEMPORARY_BIT,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT, .fd = -1,
	};
	const VkImportFenceFdInfoKHR fi = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_FENCE_FD_INFO_KHR, .fence = f,
		.flags = VK_FENCE_IMPORT_TEMPORARY_BIT,
		.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT, .fd = -1,
	};

	if (!s || !f || !done || !fill)
		return -1;
	VK_OK("import -1 into a semaphore", c->import_semaphore_fd(c->dev, &si));
	VK_OK("a submission waits for it", submit(c, fill, s, false, VK_NULL_HANDLE, done));
	expect("... and runs", vkWaitForFences(c->dev, 1, &done, VK_TRUE, 30 * SEC), VK_SUCCESS);
	check("... its work done", all(c->map + OFF_Z / 4, 0xc3c3c3c3u), "Z[0] 0x%x",
	      c->map[OFF_Z / 4]);
	VK_OK("import -1 into a fence", c->import_fence_fd(c->dev, &fi));
	expect("the fence is signalled", vkGetFenceStatus(c->dev, f), VK_SUCCESS);
	expect("vkWaitForFences returns at once",
	       vkWaitForFences(c->dev, 1, &f, VK_TRUE, 0), VK_SUCCESS);
	VK_OK("reset", vkResetFences(c->dev, 1, &f));
	expect("reset: the permanent payload, unsignalled", vkGetFenceStatus(c->dev, f),
	       VK_NOT_READY);
	VK_OK("queue idle", vkQueueWaitIdle(c->q));
	vkDestroySemaphore(c->dev, s, NULL);
	vkDestroyFence(c->dev, f, NULL);
	vkDestroyFence(c->dev, done, NULL);
	return 0;
}

/* A sync file whose fence is not ours: a dma-buf's (udmabuf), or -1. */
static int foreign_sync_file(void)
{
	struct udmabuf_create uc = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = 4096 };
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_RW, .fd = -1 };
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	int mfd, buf = -1;

	if (dev < 0)
		return -1;
	mfd = memfd_create("odx", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd >= 0 && !ftruncate(mfd, 4096) && !fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		uc.memfd = mfd;
		buf = ioctl(dev, UDMABUF_CREATE, &uc);
	}
	if (buf >= 0 && ioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex))
		ex.fd = -1;
	if (buf >= 0)
		close(buf);
	if (mfd >= 0)
		close(mfd);
	close(dev);
	return ex.fd;
}

/* What is no sync file is refused (and stays the caller's); a foreign one works. */
static int foreign(struct ctx *c)
{
	VkSemaphore s = semaphore(c, false);
	VkFence f = fence(c, false), done = fence(c, false);
	VkImportSemaphoreFdInfoKHR si = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR, .semaphore = s,
		.flags = VK_SEMAPHORE_IMPORT_TEMPORARY_BIT,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	VkImportFenceFdInfoKHR fi = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_FENCE_FD_INFO_KHR, .fence = f,
		.flags = VK_FENCE_IMPORT_TEMPORARY_BIT,
		.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	int efd = eventfd(0, EFD_CLOEXEC), p[2] = { -1, -1 }, dmafd;
	VkCommandBuffer fill;

	if (!s || !f || !done || efd < 0 || pipe(p))
		return -1;
	si.fd = efd;
	expect("an eventfd into a semaphore: VK_ERROR_INVALID_EXTERNAL_HANDLE",
	       c->import_semaphore_fd(c->dev, &si), VK_ERROR_INVALID_EXTERNAL_HANDLE);
	fi.fd = efd;
	expect("an eventfd into a fence: VK_ERROR_INVALID_EXTERNAL_HANDLE",
	       c->import_fence_fd(c->dev, &fi), VK_ERROR_INVALID_EXTERNAL_HANDLE);
	si.fd = p[0];
	expect("a pipe into a semaphore: VK_ERROR_INVALID_EXTERNAL_HANDLE",
	       c->import_semaphore_fd(c->dev, &si), VK_ERROR_INVALID_EXTERNAL_HANDLE);
	check("a refused fd stays open (the caller's)",
	      fcntl(efd, F_GETFD) >= 0 && fcntl(p[0], F_GETFD) >= 0, "closed");
	expect("a refused import leaves the fence unsignalled",
	       vkGetFenceStatus(c->dev, f), VK_NOT_READY);
	close(efd);
	close(p[0]);
	close(p[1]);

	dmafd = foreign_sync_file();
	if (dmafd < 0) {
		/* Not every kernel line has udmabuf (docs/testing.md). */
		printf("# no /dev/udmabuf sync file here: the foreign sync file is left out\n");
	} else {
		int dmafd2 = dup(dmafd);

		fill = record(c, c->z, 0xd4d4d4d4u, VK_NULL_HANDLE);
		if (!fill)
			return -1;
		check("a dma-buf's sync file is not dxgkrnl's", !sync_file_of(dmafd, "dxgkrnl"),
		      "it is");
		si.fd = dmafd;
		VK_OK("a foreign sync file into a semaphore", c->import_semaphore_fd(c->dev, &si));
		VK_OK("a submission waits for it (on the CPU)",
		      submit(c, fill, s, false, VK_NULL_HANDLE, done));
		expect("... and runs", vkWaitForFences(c->dev, 1, &done, VK_TRUE, 30 * SEC),
		       VK_SUCCESS);
		check("... its work done", all(c->map + OFF_Z / 4, 0xd4d4d4d4u), "Z[0] 0x%x",
		      c->map[OFF_Z / 4]);
		fi.fd = dmafd2;
		VK_OK("a foreign sync file into a fence", c->import_fence_fd(c->dev, &fi));
		expect("the fence is signalled with it", vkGetFenceStatus(c->dev, f), VK_SUCCESS);
	}
	VK_OK("queue idle", vkQueueWaitIdle(c->q));
	vkDestroySemaphore(c->dev, s, NULL);
	vkDestroyFence(c->dev, f, NULL);
	vkDestroyFence(c->dev, done, NULL);
	return 0;
}

static void destroy(struct ctx *c);

/* ---- two queues ---- */

/*
 * Queues 0 and 1 are independent and synchronize by semaphores: gated work
 * on queue 0 (a fill of X that signals S) does not hold back queue 1's own
 * work (a fill of Y), but a copy X -> Z on queue 1 that waits for S runs
 * only after it; each queue and the device wait idle.
 */
static int two_queues(struct ctx *c)
{
	VkSemaphore s = semaphore(c, false);
	VkFence f0 = fence(c, false), f1 = fence(c, false), f2 = fence(c, false);
	VkCommandBuffer fx = record(c, c->x, 0x51515151u, VK_NULL_HANDLE);
	VkCommandBuffer fy = record(c, c->y, 0x52525252u, VK_NULL_HANDLE);
	VkCommandBuffer cz = record(c, c->z, 0, c->x);
	const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
	const VkSubmitInfo fill_y = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1,
		.pCommandBuffers = &fy,
	};
	const VkSubmitInfo copy_z = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .waitSemaphoreCount = 1,
		.pWaitSemaphores = &s, .pWaitDstStageMask = &stage,
		.commandBufferCount = 1, .pCommandBuffers = &cz,
	};

	if (!s || !f0 || !f1 || !f2 || !fx || !fy || !cz)
		return -1;
	memset(c->map, 0, MEM_SIZE);
	VK_OK("queue 0: a gated fill of X that signals S",
	      submit(c, fx, VK_NULL_HANDLE, true, s, f0));
	VK_OK("queue 1: a fill of Y", vkQueueSubmit(c->q2, 1, &fill_y, f2));
	expect("queue 1's work runs while queue 0 waits for its gate",
	       vkWaitForFences(c->dev, 1, &f2, VK_TRUE, 30 * SEC), VK_SUCCESS);
	check("... Y filled, X not yet", all(c->map + OFF_Y / 4, 0x52525252u) &&
	      c->map[OFF_X / 4] == 0 && vkGetFenceStatus(c->dev, f0) == VK_NOT_READY,
	      "Y[0] 0x%x X[0] 0x%x", c->map[OFF_Y / 4], c->map[OFF_X / 4]);
	VK_OK("queue 1 waits idle while queue 0 is held", vkQueueWaitIdle(c->q2));
	VK_OK("queue 1: a copy X -> Z that waits for S", vkQueueSubmit(c->q2, 1, &copy_z, f1));
	expect("the copy waits for queue 0's signal",
	       vkWaitForFences(c->dev, 1, &f1, VK_TRUE, 300000000ull), VK_TIMEOUT);
	check("... nothing copied", c->map[OFF_Z / 4] == 0, "Z[0] 0x%x", c->map[OFF_Z / 4]);
	if (open_gate(c))
		return -1;
	expect("the gate lets queue 0 run", vkWaitForFences(c->dev, 1, &f0, VK_TRUE, 30 * SEC),
	       VK_SUCCESS);
	expect("... and then queue 1's copy",
	       vkWaitForFences(c->dev, 1, &f1, VK_TRUE, 30 * SEC), VK_SUCCESS);
	check("Z is X as filled by queue 0", all(c->map + OFF_Z / 4, 0x51515151u),
	      "Z[0] 0x%x", c->map[OFF_Z / 4]);
	VK_OK("vkDeviceWaitIdle (both queues)", vkDeviceWaitIdle(c->dev));
	vkDestroySemaphore(c->dev, s, NULL);
	vkDestroyFence(c->dev, f0, NULL);
	vkDestroyFence(c->dev, f1, NULL);
	vkDestroyFence(c->dev, f2, NULL);
	return 0;
}

/*
 * Queue priorities order runnable work: a fill of Z on queue 0 (priority
 * 0) and one on queue 1 (priority 1.0), both held by the same gate value,
 * queue 0's submitted first.  Once the gate opens both can run; the device
 * runs one job at a time and takes queue 1's first, so queue 0's is the
 * last write (first come, first served would leave queue 1's).
 */
static int queue_priority(struct ctx *c)
{
	VkFence f0 = fence(c, false), f1 = fence(c, false);
	VkCommandBuffer low = record(c, c->z, 0x10101010u, VK_NULL_HANDLE);
	VkCommandBuffer high = record(c, c->z, 0x20202020u, VK_NULL_HANDLE);
	const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
	uint64_t value;
	VkTimelineSemaphoreSubmitInfo tsi = {
		.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
		.waitSemaphoreValueCount = 1, .pWaitSemaphoreValues = &value,
	};
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .pNext = &tsi,
		.waitSemaphoreCount = 1, .pWaitSemaphores = &c->gate,
		.pWaitDstStageMask = &stage, .commandBufferCount = 1,
	};

	if (!f0 || !f1 || !low || !high)
		return -1;
	memset(c->map, 0, MEM_SIZE);
	value = ++c->gate_value;
	si.pCommandBuffers = &low;
	VK_OK("queue 0 (priority 0): a gated fill of Z", vkQueueSubmit(c->q, 1, &si, f0));
	si.pCommandBuffers = &high;
	VK_OK("queue 1 (priority 1.0): a fill of Z after the same gate",
	      vkQueueSubmit(c->q2, 1, &si, f1));
	if (open_gate(c))
		return -1;
	expect("both ran", vkWaitForFences(c->dev, 1, &f0, VK_TRUE, 30 * SEC) |
	       vkWaitForFences(c->dev, 1, &f1, VK_TRUE, 30 * SEC), VK_SUCCESS);
	check("the higher-priority queue's work ran first: queue 0's fill is last",
	      all(c->map + OFF_Z / 4, 0x10101010u), "Z[0] 0x%x", c->map[OFF_Z / 4]);
	VK_OK("vkDeviceWaitIdle", vkDeviceWaitIdle(c->dev));
	vkDestroyFence(c->dev, f0, NULL);
	vkDestroyFence(c->dev, f1, NULL);
	return 0;
}

/* ---- another process's sync file ---- */

static int send_fd(int sock, int fd)
{
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	memset(&u, 0, sizeof(u));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

#define CHILD_HOLD_MS	1000

/*
 * The child: its own device, a semaphore signalled by work its gate holds
 * back; the semaphore's sync file goes to the parent, and the gate opens
 * CHILD_HOLD_MS after the parent says so.
 */
static void child(int sock)
{
	struct ctx c = { 0 };
	VkSemaphore s;
	const VkSemaphoreGetFdInfoKHR gi = {
		.sType = VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	VkSemaphoreGetFdInfoKHR g = gi;
	VkFenceGetFdInfoKHR gf = {
		.sType = VK_STRUCTURE_TYPE_FENCE_GET_FD_INFO_KHR,
		.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT,
	};
	VkFence fe;
	int fd = -1;
	char go;

	alarm(WATCHDOG_S);
	if (make_instance(&c) || make_device(&c) || make_resources(&c))
		_exit(1);
	s = semaphore(&c, true);
	g.semaphore = s;
	if (!s || submit(&c, VK_NULL_HANDLE, VK_NULL_HANDLE, true, s, VK_NULL_HANDLE) ||
	    c.get_semaphore_fd(c.dev, &g, &fd) || send_fd(sock, fd))
		_exit(1);
	close(fd);
	if (read(sock, &go, 1) != 1)
		_exit(1);
	usleep(CHILD_HOLD_MS * 1000);
	if (open_gate(&c) || vkQueueWaitIdle(c.q))
		_exit(1);
	vkDestroySemaphore(c.dev, s, NULL);
	/*
	 * A timeline semaphore by OPAQUE_FD: the parent's submission waits
	 * for 2, which this signals from the CPU; this waits for 3, which the
	 * parent signals.
	 */
	s = timeline(&c, true);
	g.semaphore = s;
	g.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT;
	if (!s || c.get_semaphore_fd(c.dev, &g, &fd) || send_fd(sock, fd))
		_exit(1);
	close(fd);
	if (read(sock, &go, 1) != 1)
		_exit(1);
	usleep(CHILD_HOLD_MS * 1000);
	if (timeline_signal(&c, s, 2) != VK_SUCCESS ||
	    timeline_wait(&c, s, 3, 30 * SEC) != VK_SUCCESS)
		_exit(1);
	vkDestroySemaphore(c.dev, s, NULL);
	/*
	 * A fence by OPAQUE_FD: the parent's submission signals it; this
	 * waits for it and, once the parent has seen it signalled too (its
	 * second go: a reset before the parent's wait would leave that wait
	 * on an unsignalled fence, as it should), resets it and says so.
	 */
	fe = opaque_fence(&c, false);
	gf.fence = fe;
	if (!fe || c.get_fence_fd(c.dev, &gf, &fd) || send_fd(sock, fd))
		_exit(1);
	close(fd);
	if (read(sock, &go, 1) != 1 ||
	    vkWaitForFences(c.dev, 1, &fe, VK_TRUE, 30 * SEC) != VK_SUCCESS ||
	    read(sock, &go, 1) != 1 || vkResetFences(c.dev, 1, &fe) != VK_SUCCESS ||
	    vkGetFenceStatus(c.dev, fe) != VK_NOT_READY || write(sock, "r", 1) != 1)
		_exit(1);
	vkDestroyFence(c.dev, fe, NULL);
	destroy(&c);
	if (validating()) {
		PFN_vkDestroyDebugUtilsMessengerEXT destroy_messenger =
			(PFN_vkDestroyDebugUtilsMessengerEXT)
			vkGetInstanceProcAddr(c.inst, "vkDestroyDebugUtilsMessengerEXT");

		if (destroy_messenger)
			destroy_messenger(c.inst, c.messenger, NULL);
	}
	vkDestroyInstance(c.inst, NULL);
	_exit(failures || messages ? 1 : 0);
}

/*
 * The child's timeline semaphore by OPAQUE_FD, imported into one of ours:
 * one payload.  Our submission waits for 2, which the child signals from
 * its CPU; we signal 3, which the child waits for.
 */
static int other_process_timeline(struct ctx *c, int sock)
{
	const VkImportSemaphoreFdInfoKHR base = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT,
	};
	VkImportSemaphoreFdInfoKHR si = base;
	VkSemaphore t = timeline(c, false), b = semaphore(c, false);
	VkFence done = fence(c, false);
	VkCommandBuffer fill = record(c, c->z, 0x7e7e7e7eu, VK_NULL_HANDLE);
	const uint64_t two = 2;
	const VkPipelineStageFlags stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
	VkTimelineSemaphoreSubmitInfo tsi = {
		.sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
		.waitSemaphoreValueCount = 1, .pWaitSemaphoreValues = &two,
	};
	VkSubmitInfo sub = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .pNext = &tsi,
		.waitSemaphoreCount = 1, .pWaitSemaphores = &t,
		.pWaitDstStageMask = &stage, .commandBufferCount = 1,
		.pCommandBuffers = &fill,
	};
	int fd = recv_fd(sock), bad;
	uint64_t v = ~0ull;

	if (!t || !b || !done || !fill || fd < 0) {
		fail("timeline by OPAQUE_FD: set up", "fd %d", fd);
		return -1;
	}
	/* What is not ours, or of a binary semaphore, is refused (misuse). */
	si.fd = fd;
	if (!validating()) {
		bad = eventfd(0, EFD_CLOEXEC);
		si.semaphore = t;
		si.fd = bad;
		expect("OPAQUE_FD import of an eventfd -> VK_ERROR_INVALID_EXTERNAL_HANDLE",
		       c->import_semaphore_fd(c->dev, &si),
		       VK_ERROR_INVALID_EXTERNAL_HANDLE);
		close(bad);
		si.semaphore = b;
		si.fd = fd;
		expect("OPAQUE_FD import into a binary semaphore -> VK_ERROR_INVALID_EXTERNAL_HANDLE",
		       c->import_semaphore_fd(c->dev, &si),
		       VK_ERROR_INVALID_EXTERNAL_HANDLE);
	}
	si.semaphore = t;
	VK_OK("the child's timeline semaphore imported by OPAQUE_FD",
	      c->import_semaphore_fd(c->dev, &si));
	VK_OK("its value", vkGetSemaphoreCounterValue(c->dev, t, &v));
	check("... 0, the child's", v == 0, "%llu", (unsigned long long)v);
	c->map[OFF_Z / 4] = 0;
	VK_OK("a submission waits for 2", vkQueueSubmit(c->q, 1, &sub, done));
	check("... the GPU waits: not run yet", vkGetFenceStatus(c->dev, done) == VK_NOT_READY &&
	      c->map[OFF_Z / 4] == 0, "Z[0] 0x%x", c->map[OFF_Z / 4]);
	if (write(sock, "t", 1) != 1) {
		fail("tell the child", "%s", strerror(errno));
		return -1;
	}
	expect("the child's signal of 2 releases it",
	       vkWaitForFences(c->dev, 1, &done, VK_TRUE, 30 * SEC), VK_SUCCESS);
	check("... its work done", all(c->map + OFF_Z / 4, 0x7e7e7e7eu), "Z[0] 0x%x",
	      c->map[OFF_Z / 4]);
	VK_OK("signal 3 for the child", timeline_signal(c, t, 3));
	VK_OK("our own wait for 3", timeline_wait(c, t, 3, 30 * SEC));
	VK_OK("queue idle", vkQueueWaitIdle(c->q));
	vkDestroySemaphore(c->dev, t, NULL);
	vkDestroySemaphore(c->dev, b, NULL);
	vkDestroyFence(c->dev, done, NULL);
	return 0;
}

/*
 * The child's fence by OPAQUE_FD, imported into one of ours: our
 * submission signals it, the child waits for it and resets it, and we see
 * the reset.  Then one of ours, created signalled, shared with a fence by
 * a temporary import.
 */
static int other_process_fence(struct ctx *c, int sock)
{
	VkImportFenceFdInfoKHR fi = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_FENCE_FD_INFO_KHR,
		.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT,
	};
	VkFenceGetFdInfoKHR gi = {
		.sType = VK_STRUCTURE_TYPE_FENCE_GET_FD_INFO_KHR,
		.handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT,
	};
	VkFence pf = fence(c, false), g = fence(c, false), own = opaque_fence(c, true);
	/* Recorded for one submission each. */
	VkCommandBuffer fill = record(c, c->z, 0x3c3c3c3cu, VK_NULL_HANDLE);
	VkCommandBuffer fill2 = record(c, c->z, 0x3d3d3d3du, VK_NULL_HANDLE);
	int fd = recv_fd(sock), fd2 = -1;
	char r = 0;

	if (!pf || !g || !own || !fill || !fill2 || fd < 0) {
		fail("fence by OPAQUE_FD: set up", "fd %d", fd);
		return -1;
	}
	fi.fence = pf;
	fi.fd = fd;
	VK_OK("the child's fence imported by OPAQUE_FD", c->import_fence_fd(c->dev, &fi));
	check("... unsignalled, as the child's", vkGetFenceStatus(c->dev, pf) == VK_NOT_READY,
	      "%d", vkGetFenceStatus(c->dev, pf));
	c->map[OFF_Z / 4] = 0;
	if (write(sock, "f", 1) != 1) {
		fail("tell the child", "%s", strerror(errno));
		return -1;
	}
	VK_OK("a submission signals it",
	      submit(c, fill, VK_NULL_HANDLE, false, VK_NULL_HANDLE, pf));
	expect("... our wait for it", vkWaitForFences(c->dev, 1, &pf, VK_TRUE, 30 * SEC),
	       VK_SUCCESS);
	check("... its work done", all(c->map + OFF_Z / 4, 0x3c3c3c3cu), "Z[0] 0x%x",
	      c->map[OFF_Z / 4]);
	/* Only now may the child reset it (else our wait would be on "unsignalled"). */
	if (write(sock, "g", 1) != 1) {
		fail("tell the child", "%s", strerror(errno));
		return -1;
	}
	check("the child waited for it and reset it: we see the reset",
	      read(sock, &r, 1) == 1 && r == 'r' &&
	      vkGetFenceStatus(c->dev, pf) == VK_NOT_READY, "'%c' %d", r,
	      vkGetFenceStatus(c->dev, pf));

	check("an OPAQUE_FD fence created signalled", vkGetFenceStatus(c->dev, own) == VK_SUCCESS,
	      "%d", vkGetFenceStatus(c->dev, own));
	gi.fence = own;
	VK_OK("... exported", c->get_fence_fd(c->dev, &gi, &fd2));
	fi.fence = g;
	fi.fd = fd2;
	fi.flags = VK_FENCE_IMPORT_TEMPORARY_BIT;
	VK_OK("... imported temporarily into an unsignalled fence",
	      c->import_fence_fd(c->dev, &fi));
	check("... which is signalled now", vkGetFenceStatus(c->dev, g) == VK_SUCCESS,
	      "%d", vkGetFenceStatus(c->dev, g));
	VK_OK("reset that fence", vkResetFences(c->dev, 1, &g));
	check("... its own payload is back, reset; the shared one still signalled",
	      vkGetFenceStatus(c->dev, g) == VK_NOT_READY &&
	      vkGetFenceStatus(c->dev, own) == VK_SUCCESS, "%d %d",
	      vkGetFenceStatus(c->dev, g), vkGetFenceStatus(c->dev, own));
	VK_OK("reset the shared one", vkResetFences(c->dev, 1, &own));
	check("... unsignalled", vkGetFenceStatus(c->dev, own) == VK_NOT_READY, "%d",
	      vkGetFenceStatus(c->dev, own));
	VK_OK("a submission signals it",
	      submit(c, fill2, VK_NULL_HANDLE, false, VK_NULL_HANDLE, own));
	expect("... our wait for it", vkWaitForFences(c->dev, 1, &own, VK_TRUE, 30 * SEC),
	       VK_SUCCESS);
	VK_OK("queue idle", vkQueueWaitIdle(c->q));
	vkDestroyFence(c->dev, pf, NULL);
	vkDestroyFence(c->dev, g, NULL);
	vkDestroyFence(c->dev, own, NULL);
	return 0;
}

static int other_process(struct ctx *c, int sock, pid_t pid)
{
	VkSemaphore s = semaphore(c, false);
	VkFence done = fence(c, false);
	VkCommandBuffer fill = record(c, c->z, 0xe5e5e5e5u, VK_NULL_HANDLE);
	VkImportSemaphoreFdInfoKHR si = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR, .semaphore = s,
		.flags = VK_SEMAPHORE_IMPORT_TEMPORARY_BIT,
		.handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
	};
	int fd = recv_fd(sock), keep, status = -1;
	uint64_t t;

	if (!s || !done || !fill)
		return -1;
	check("another process's sync file: received, dxgkrnl's, pending",
	      fd >= 0 && sync_file_of(fd, "dxgkrnl") && !readable(fd, 100), "fd %d", fd);
	if (fd < 0)
		return -1;
	keep = dup(fd);
	si.fd = fd;
	VK_OK("another process's sync file into a semaphore", c->import_semaphore_fd(c->dev, &si));
	if (write(sock, "g", 1) != 1) {
		fail("tell the child", "%s", strerror(errno));
		return -1;
	}
	t = now_ns();
	VK_OK("a submission waits for it", submit(c, fill, s, false, VK_NULL_HANDLE, done));
	t = now_ns() - t;
	/*
	 * The child's semaphore was created exportable: a shared fence, so
	 * WaitSyncFile takes its sync file and the wait is the GPU's.
	 */
	{
		VkResult st = vkGetFenceStatus(c->dev, done);
		int signalled = readable(keep, 0);

		check("another process's sync file: a GPU wait, the submission returns before it signals",
		      !signalled && st == VK_NOT_READY,
		      "returned after %llu ms, readable %d, fence %d",
		      (unsigned long long)(t / 1000000), signalled, st);
	}
	expect("... and runs", vkWaitForFences(c->dev, 1, &done, VK_TRUE, 30 * SEC), VK_SUCCESS);
	check("... its work done", all(c->map + OFF_Z / 4, 0xe5e5e5e5u), "Z[0] 0x%x",
	      c->map[OFF_Z / 4]);
	close(keep);
	VK_OK("queue idle", vkQueueWaitIdle(c->q));
	vkDestroySemaphore(c->dev, s, NULL);
	vkDestroyFence(c->dev, done, NULL);
	if (other_process_timeline(c, sock) || other_process_fence(c, sock))
		return -1;
	check("the child's checks", waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "status 0x%x", status);
	return 0;
}

static void destroy(struct ctx *c)
{
	vkDeviceWaitIdle(c->dev);
	vkDestroySemaphore(c->dev, c->gate, NULL);
	vkDestroyCommandPool(c->dev, c->cp, NULL);
	vkDestroyBuffer(c->dev, c->x, NULL);
	vkDestroyBuffer(c->dev, c->y, NULL);
	vkDestroyBuffer(c->dev, c->z, NULL);
	vkFreeMemory(c->dev, c->mem, NULL);
	vkDestroyDevice(c->dev, NULL);
}

int main(void)
{
	struct ctx c = { 0 };
	int sock;
	pid_t pid;

	signal(SIGALRM, watchdog);
	/* The child first: it makes its own instance and device. */
	if (spawn_child(child, &sock, &pid))
		return 1;
	alarm(WATCHDOG_S);
	if (make_instance(&c))
		return 1;
	properties(&c);
	if (make_device(&c) || make_resources(&c) || semaphore_export_import(&c) ||
	    fence_export(&c) || fence_import(&c) || import_signalled(&c) || foreign(&c) ||
	    two_queues(&c) || queue_priority(&c) ||
	    other_process(&c, sock, pid))
		return 1;
	destroy(&c);
	pass("every object destroyed");
	validation_end(c.inst, c.messenger);
	vkDestroyInstance(c.inst, NULL);
	return failures ? 1 : 0;
}
