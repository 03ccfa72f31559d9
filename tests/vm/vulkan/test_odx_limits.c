// SPDX-License-Identifier: MIT
/*
 * The opendxg Vulkan driver at its limits, in the guest: device-local
 * memory up to the VM's quota and no further (VK_ERROR_OUT_OF_DEVICE_MEMORY),
 * host-visible memory beyond the IO space refused the same way, a wait that
 * times out, and a process killed while it submits work: the host is left
 * with none of its processes or device memory.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vulkan/vulkan.h>

#include "vmtest.h"

#define MIB	(1ull << 20)

struct ctx {
	VkInstance inst;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkPhysicalDeviceMemoryProperties mp;
};

static int open_device(struct ctx *c)
{
	const VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "test_odx_limits", .apiVersion = VK_API_VERSION_1_3,
	};
	const VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app,
	};
	const float prio = 1.0f;
	const VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueCount = 1, .pQueuePriorities = &prio,
	};
	const VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1, .pQueueCreateInfos = &qci,
	};
	uint32_t n = 1;

	memset(c, 0, sizeof(*c));
	if (vkCreateInstance(&ici, NULL, &c->inst) != VK_SUCCESS ||
	    vkEnumeratePhysicalDevices(c->inst, &n, &c->pd) < 0 || !n ||
	    vkCreateDevice(c->pd, &dci, NULL, &c->dev) != VK_SUCCESS)
		return -1;
	vkGetDeviceQueue(c->dev, 0, 0, &c->q);
	vkGetPhysicalDeviceMemoryProperties(c->pd, &c->mp);
	return 0;
}

static void close_device(struct ctx *c)
{
	vkDestroyDevice(c->dev, NULL);
	vkDestroyInstance(c->inst, NULL);
}

static VkResult alloc(struct ctx *c, uint32_t type, VkDeviceSize size, VkDeviceMemory *m)
{
	const VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = size, .memoryTypeIndex = type,
	};

	*m = VK_NULL_HANDLE;
	return vkAllocateMemory(c->dev, &mai, NULL, m);
}

/* Device-local memory: the quota (heap 0) exactly, in 128 MiB pieces. */
static void device_quota(struct ctx *c)
{
	const VkDeviceSize piece = 128 * MIB, quota = c->mp.memoryHeaps[0].size;
	VkDeviceMemory m[64];
	uint32_t n = 0;
	VkResult r;

	expect("device-local: more than the heap at once -> out of device memory",
	       alloc(c, 0, quota + piece, &m[0]), VK_ERROR_OUT_OF_DEVICE_MEMORY);
	while (n < 64 && (r = alloc(c, 0, piece, &m[n])) == VK_SUCCESS)
		n++;
	check("device-local: the whole heap in pieces, then out of device memory",
	      r == VK_ERROR_OUT_OF_DEVICE_MEMORY && (uint64_t)n * piece == quota,
	      "%u pieces of 128 MiB (heap %llu MiB), then %d", n,
	      (unsigned long long)(quota / MIB), r);
	check("the host counts it all", host_stat("dxg_host_device_memory_used") ==
	      (long)((uint64_t)n * piece), "%ld bytes",
	      host_stat("dxg_host_device_memory_used"));
	while (n)
		vkFreeMemory(c->dev, m[--n], NULL);
	expect("freed: the host's count back to 0", (int)host_stat("dxg_host_device_memory_used"), 0);
	/* And usable again after exhaustion. */
	r = alloc(c, 0, piece, &m[0]);
	expect("device-local usable again", r, VK_SUCCESS);
	vkFreeMemory(c->dev, m[0], NULL);
}

/* Host-visible memory: the IO space (heap 1) cannot be exceeded. */
static void io_space(struct ctx *c)
{
	VkDeviceMemory m;

	expect("host-visible: more than the IO space -> out of device memory",
	       alloc(c, 1, c->mp.memoryHeaps[1].size + 4096, &m),
	       VK_ERROR_OUT_OF_DEVICE_MEMORY);
	expect("host-visible: zero bytes is refused too",
	       alloc(c, 1, 0, &m) < 0, 1);
}

/* A fence never submitted: the wait ends with its timeout. */
static void timeouts(struct ctx *c)
{
	const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	struct timespec a, b;
	VkFence f;
	long ms;

	if (vkCreateFence(c->dev, &fci, NULL, &f) != VK_SUCCESS) {
		fail("fence", "create");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	expect("vkWaitForFences on an unsignalled fence: VK_TIMEOUT",
	       vkWaitForFences(c->dev, 1, &f, VK_TRUE, 200000000ull), VK_TIMEOUT);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	check("... after its timeout (200 ms)", ms >= 190 && ms < 5000, "%ld ms", ms);
	expect("vkWaitForFences with timeout 0: VK_TIMEOUT at once",
	       vkWaitForFences(c->dev, 1, &f, VK_TRUE, 0), VK_TIMEOUT);
	expect("vkGetFenceStatus: VK_NOT_READY", vkGetFenceStatus(c->dev, f), VK_NOT_READY);
	vkDestroyFence(c->dev, f, NULL);
}

/* The child: device memory, a command buffer, submissions until killed. */
static void busy_child(int ready)
{
	const VkCommandPoolCreateInfo cpci = { .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO };
	const VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .size = 64 * MIB,
		.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};
	const VkFenceCreateInfo fci = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
	VkCommandBufferAllocateInfo cai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1,
	};
	const VkCommandBufferBeginInfo cbi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
	};
	struct ctx c;
	VkDeviceMemory m;
	VkCommandPool pool;
	VkCommandBuffer cb;
	VkBuffer b;
	VkFence f;
	VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1 };

	if (open_device(&c) || alloc(&c, 0, 64 * MIB, &m) ||
	    vkCreateBuffer(c.dev, &bci, NULL, &b) || vkBindBufferMemory(c.dev, b, m, 0) ||
	    vkCreateCommandPool(c.dev, &cpci, NULL, &pool) || vkCreateFence(c.dev, &fci, NULL, &f))
		_exit(2);
	cai.commandPool = pool;
	if (vkAllocateCommandBuffers(c.dev, &cai, &cb) || vkBeginCommandBuffer(cb, &cbi))
		_exit(2);
	for (int i = 0; i < 16; i++)
		vkCmdFillBuffer(cb, b, 0, VK_WHOLE_SIZE, (uint32_t)i);
	if (vkEndCommandBuffer(cb))
		_exit(2);
	si.pCommandBuffers = &cb;
	if (write(ready, "r", 1) != 1)
		_exit(2);
	for (;;) {
		/* Several in flight, so the kill lands with work queued. */
		for (int i = 0; i < 4; i++)
			vkQueueSubmit(c.q, 1, &si, i == 3 ? f : VK_NULL_HANDLE);
		vkWaitForFences(c.dev, 1, &f, VK_TRUE, UINT64_MAX);
		vkResetFences(c.dev, 1, &f);
	}
}

static void killed_process(void)
{
	long procs = host_stat("dxg_host_processes");
	int p[2], status = 0;
	char ch;
	pid_t pid;

	if (pipe(p)) {
		fail("pipe", "%s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		busy_child(p[1]);
	}
	close(p[1]);
	check("the child is submitting work", read(p[0], &ch, 1) == 1, "it failed early");
	usleep(500000);
	check("its device memory is counted", host_stat("dxg_host_device_memory_used") >= (long)(64 * MIB),
	      "%ld", host_stat("dxg_host_device_memory_used"));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
	check("killed by SIGKILL", WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	      "status %#x", status);
	for (int i = 0; i < 100 && (host_stat("dxg_host_processes") != procs ||
				    host_stat("dxg_host_device_memory_used") != 0); i++)
		usleep(100000);
	expect("the host has none of its processes left", (int)host_stat("dxg_host_processes"),
	       (int)procs);
	expect("and none of its device memory", (int)host_stat("dxg_host_device_memory_used"), 0);
}

int main(void)
{
	struct ctx c;

	if (open_device(&c)) {
		fail("device", "cannot open the opendxg device");
		return 1;
	}
	if (c.mp.memoryHeapCount != 2) {
		fail("memory heaps", "%u, want device-local and the IO space", c.mp.memoryHeapCount);
		return 1;
	}
	device_quota(&c);
	io_space(&c);
	timeouts(&c);
	close_device(&c);
	killed_process();
	return failures ? 1 : 0;
}
