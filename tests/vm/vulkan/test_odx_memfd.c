// SPDX-License-Identifier: MIT
/*
 * Memory shared between processes as file descriptors through the opendxg
 * Vulkan driver, in the guest, through Debian's loader:
 * VK_KHR_external_memory_fd with the OPAQUE_FD handle type
 * (docs/vulkan-driver.md).
 *
 *   the external buffer properties: OPAQUE_FD exportable and importable,
 *     host allocations as before (importable only), other types nothing;
 *     a buffer for OPAQUE_FD memory takes every memory type;
 *     vkGetMemoryFdPropertiesKHR refuses OPAQUE_FD (the spec's rule);
 *   the parent exports memory (a dedicated allocation), writes through its
 *     mapping, and passes an fd (a new one each vkGetMemoryFdKHR) to a
 *     child over a socket (SCM_RIGHTS); the child imports it on its own
 *     device, sees the parent's bytes, copies and fills with its GPU; the
 *     parent sees that in its mapping, fills with its GPU, and the child
 *     sees that (both ways);
 *   the child re-exports its imported memory and imports that again;
 *   device-local memory the same way: the parent exports it, fills a page
 *     with its GPU and passes an fd; the child imports it as device-local
 *     memory (as IO space it is refused), copies that page out with its
 *     GPU into the shared IO-space memory, fills another, which the parent
 *     copies out and sees;
 *   the parent frees its memory first: the child's still works (its GPU
 *     fills, the parent, importing its kept fd again, sees the fill);
 *   refused: an eventfd (VK_ERROR_INVALID_EXTERNAL_HANDLE, left open), an
 *     import larger than the memory, an IO-space fd imported as
 *     device-local memory, non-exportable memory's vkGetMemoryFdKHR.
 *
 * A watchdog fails the program if a wait never returns.  With
 * ODX_VALIDATE=1 it runs under the Khronos validation layer (the deliberate
 * misuse left out) and fails on any warning or error it reports.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vulkan/vulkan.h>

#include "vktest.h"

#define SIZE		(64u * 1024)
#define PAGE		4096u
#define WATCHDOG_S	120
#define FD_TYPE		VK_EXTERNAL_MEMORY_HANDLE_TYPE_OPAQUE_FD_BIT

/* Pages of the shared memory: who writes what. */
enum {
	P_PARENT_CPU = 0,	/* the parent's CPU: a pattern */
	P_CHILD_COPY = 1,	/* the child's GPU: a copy of page 0 */
	P_CHILD_FILL = 2,	/* the child's GPU: 0xc3 */
	P_PARENT_FILL = 3,	/* the parent's GPU: 0x5a */
	P_LATE_FILL = 4,	/* the child's GPU after the parent freed: 0x77 */
	P_DEV_BY_PARENT = 5,	/* a copy of device-local page 0: 0x3c */
	P_DEV_BY_CHILD = 6,	/* a copy of device-local page 1: 0x96 */
};

struct ctx {
	const char *who;
	VkInstance inst;
	VkDebugUtilsMessengerEXT messenger;
	VkPhysicalDevice pd;
	VkDevice dev;
	VkQueue q;
	VkCommandPool cp;
	uint32_t io_type, device_type;	/* device_type UINT32_MAX: none */
	PFN_vkGetMemoryFdKHR get_fd;
	PFN_vkGetMemoryFdPropertiesKHR fd_props;
};

struct mem {
	VkDeviceMemory m;
	VkBuffer b;
	uint8_t *p;
};



/* Every byte of page @pg of @p is @v. */
static bool page_is(const uint8_t *p, unsigned int pg, uint8_t v)
{
	for (unsigned int i = 0; i < PAGE; i++)
		if (p[pg * PAGE + i] != v)
			return false;
	return true;
}

static uint8_t pattern(unsigned int i)
{
	return (uint8_t)(i * 13 + 5);
}

static bool page_is_pattern(const uint8_t *p, unsigned int pg)
{
	for (unsigned int i = 0; i < PAGE; i++)
		if (p[pg * PAGE + i] != pattern(i))
			return false;
	return true;
}

/* ---- fds over a socket ---- */

static int send_fd(int sock, char tag, int fd)
{
	struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

/* Waits for @tag; the fd that came with it in *fd (or -1). */
static int recv_tag(int sock, char tag, int *fd)
{
	char got = 0;
	struct iovec iov = { .iov_base = &got, .iov_len = 1 };
	union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;

	if (fd)
		*fd = -1;
	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1 || got != tag)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (fd && cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

/* ---- setup ---- */


static const char *const device_exts[] = {
	VK_KHR_EXTERNAL_MEMORY_EXTENSION_NAME, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
};

static int offered(struct ctx *c)
{
	VkExtensionProperties e[256];
	uint32_t n = 256, found = 0;

	if (vkEnumerateDeviceExtensionProperties(c->pd, NULL, &n, e) < 0)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		for (size_t k = 0; k < 2; k++)
			found += !strcmp(e[i].extensionName, device_exts[k]);
	return found == 2;
}

static int setup(struct ctx *c)
{
	VkCommandPoolCreateInfo cpci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
	};
	VkPhysicalDeviceMemoryProperties mp;

	if (instance_begin("test_odx_memfd", &c->inst, &c->messenger, &c->pd))
		return -1;
	if (!offered(c)) {
		fail("VK_KHR_external_memory(_fd) offered", "not in the list");
		return -1;
	}
	if (device_begin(c->pd, NULL, 2, device_exts, &c->dev, &c->q) ||
	    vkCreateCommandPool(c->dev, &cpci, NULL, &c->cp)) {
		fail(c->who, "vkCreateDevice with the memory fd extensions failed");
		return -1;
	}
	c->get_fd = (PFN_vkGetMemoryFdKHR)vkGetDeviceProcAddr(c->dev, "vkGetMemoryFdKHR");
	c->fd_props = (PFN_vkGetMemoryFdPropertiesKHR)
		vkGetDeviceProcAddr(c->dev, "vkGetMemoryFdPropertiesKHR");
	if (!c->get_fd || !c->fd_props) {
		fail(c->who, "vkGetMemoryFdKHR / vkGetMemoryFdPropertiesKHR do not resolve");
		return -1;
	}
	vkGetPhysicalDeviceMemoryProperties(c->pd, &mp);
	c->io_type = c->device_type = UINT32_MAX;
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++) {
		if (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
			c->io_type = c->io_type == UINT32_MAX ? i : c->io_type;
		else
			c->device_type = i;
	}
	if (c->io_type == UINT32_MAX) {
		fail(c->who, "no host-visible memory type");
		return -1;
	}
	return 0;
}

static void teardown(struct ctx *c)
{
	if (c->dev) {
		vkDeviceWaitIdle(c->dev);
		vkDestroyCommandPool(c->dev, c->cp, NULL);
		vkDestroyDevice(c->dev, NULL);
	}
	if (c->messenger) {
		PFN_vkDestroyDebugUtilsMessengerEXT destroy =
			(PFN_vkDestroyDebugUtilsMessengerEXT)
			vkGetInstanceProcAddr(c->inst, "vkDestroyDebugUtilsMessengerEXT");

		if (destroy)
			destroy(c->inst, c->messenger, NULL);
	}
	if (c->inst)
		vkDestroyInstance(c->inst, NULL);
}

/* ---- memory ---- */

static VkResult make_buffer(struct ctx *c, VkBuffer *b)
{
	VkExternalMemoryBufferCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = FD_TYPE,
	};
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, .pNext = &ext,
		.size = SIZE, .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
				       VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};

	return vkCreateBuffer(c->dev, &bci, NULL, b);
}

/*
 * Memory of @type for a new buffer (a dedicated allocation): exportable, or
 * imported from @fd (>= 0) with @size; mapped and bound where it worked.
 */
static VkResult alloc_mem(struct ctx *c, uint32_t type, int fd, VkDeviceSize size,
			  struct mem *m)
{
	VkMemoryDedicatedAllocateInfo ded = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO,
	};
	VkExportMemoryAllocateInfo exp = {
		.sType = VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO, .pNext = &ded,
		.handleTypes = FD_TYPE,
	};
	/* Imported memory is exportable too (exportFromImportedHandleTypes). */
	VkImportMemoryFdInfoKHR imp = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR, .pNext = &exp,
		.handleType = FD_TYPE, .fd = fd,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = fd >= 0 ? (const void *)&imp : (const void *)&exp,
		.allocationSize = size, .memoryTypeIndex = type,
	};
	void *p = NULL;
	VkResult r;

	memset(m, 0, sizeof(*m));
	r = make_buffer(c, &m->b);
	if (r)
		return r;
	ded.buffer = m->b;
	r = vkAllocateMemory(c->dev, &mai, NULL, &m->m);
	if (r) {
		vkDestroyBuffer(c->dev, m->b, NULL);
		m->b = VK_NULL_HANDLE;
		return r;
	}
	if (type == c->io_type) {
		r = vkMapMemory(c->dev, m->m, 0, VK_WHOLE_SIZE, 0, &p);
		m->p = p;
	}
	return r ? r : vkBindBufferMemory(c->dev, m->b, m->m, 0);
}

static void free_mem(struct ctx *c, struct mem *m)
{
	vkDestroyBuffer(c->dev, m->b, NULL);
	vkFreeMemory(c->dev, m->m, NULL);
	memset(m, 0, sizeof(*m));
}

static int get_fd(struct ctx *c, VkDeviceMemory m, VkResult *r)
{
	VkMemoryGetFdInfoKHR gi = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_GET_FD_INFO_KHR, .memory = m,
		.handleType = FD_TYPE,
	};
	int fd = -1;

	*r = c->get_fd(c->dev, &gi, &fd);
	return *r ? -1 : fd;
}

/*
 * On the GPU: copies page @from of @src to page @to of @dst (@to set) and
 * fills page @fill of @dst with @v (@fill set); waits for it.
 */
static int gpu_copy_fill(struct ctx *c, VkBuffer src, int from, VkBuffer dst, int to,
			 int fill, uint32_t v)
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
	VkBufferCopy region = { (VkDeviceSize)from * PAGE, (VkDeviceSize)to * PAGE, PAGE };
	VkSubmitInfo si = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1 };
	VkCommandBuffer cb;
	int r = -1;

	if (vkAllocateCommandBuffers(c->dev, &ai, &cb))
		return -1;
	if (!vkBeginCommandBuffer(cb, &bi)) {
		if (to >= 0)
			vkCmdCopyBuffer(cb, src, dst, 1, &region);
		if (fill >= 0)
			vkCmdFillBuffer(cb, dst, (VkDeviceSize)fill * PAGE, PAGE, v);
		si.pCommandBuffers = &cb;
		if (!vkEndCommandBuffer(cb) && !vkQueueSubmit(c->q, 1, &si, VK_NULL_HANDLE) &&
		    !vkQueueWaitIdle(c->q))
			r = 0;
	}
	vkFreeCommandBuffers(c->dev, c->cp, 1, &cb);
	return r;
}

/* The same within one buffer. */
static int gpu_work(struct ctx *c, VkBuffer b, int from, int to, int fill, uint32_t v)
{
	return gpu_copy_fill(c, b, from, b, to, fill, v);
}

/* ---- the parent's own checks ---- */

static void properties(struct ctx *c)
{
	VkPhysicalDeviceExternalBufferInfo bi = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO,
		.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
		.handleType = FD_TYPE,
	};
	VkExternalBufferProperties bp = { .sType = VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES };
	const VkExternalMemoryProperties *p = &bp.externalMemoryProperties;
	VkMemoryFdPropertiesKHR fp = { .sType = VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR };
	VkMemoryRequirements req;
	VkBuffer b;

	vkGetPhysicalDeviceExternalBufferProperties(c->pd, &bi, &bp);
	check("buffer properties: OPAQUE_FD exportable and importable, compatible with itself",
	      p->externalMemoryFeatures == (VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT |
					    VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT) &&
	      p->exportFromImportedHandleTypes == FD_TYPE &&
	      p->compatibleHandleTypes == FD_TYPE, "features 0x%x from 0x%x compatible 0x%x",
	      p->externalMemoryFeatures, p->exportFromImportedHandleTypes,
	      p->compatibleHandleTypes);
	if (make_buffer(c, &b)) {
		fail("buffer for OPAQUE_FD memory", "vkCreateBuffer failed");
		return;
	}
	vkGetBufferMemoryRequirements(c->dev, b, &req);
	check("buffer for OPAQUE_FD memory: every memory type",
	      req.memoryTypeBits == ((1u << c->io_type) |
				     (c->device_type != UINT32_MAX ? 1u << c->device_type : 0)),
	      "bits 0x%x", req.memoryTypeBits);
	vkDestroyBuffer(c->dev, b, NULL);
	if (validating())	/* the other types' extensions are not enabled */
		return;
	/* This scenario's QEMU shares the guest's RAM: test_odx_hostmem. */
	bi.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
	vkGetPhysicalDeviceExternalBufferProperties(c->pd, &bi, &bp);
	check("buffer properties: host allocations as before (importable only)",
	      p->externalMemoryFeatures == VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT &&
	      p->compatibleHandleTypes == VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT &&
	      !p->exportFromImportedHandleTypes, "features 0x%x compatible 0x%x",
	      p->externalMemoryFeatures, p->compatibleHandleTypes);
	bi.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT;
	vkGetPhysicalDeviceExternalBufferProperties(c->pd, &bi, &bp);
	check("buffer properties: dma-buf nothing",
	      !p->externalMemoryFeatures && !p->compatibleHandleTypes &&
	      !p->exportFromImportedHandleTypes, "features 0x%x", p->externalMemoryFeatures);
	expect("vkGetMemoryFdPropertiesKHR(OPAQUE_FD) refused (the spec's rule)",
	       c->fd_props(c->dev, FD_TYPE, 0, &fp), VK_ERROR_INVALID_EXTERNAL_HANDLE);
}

/* Deliberate misuse: what must be refused. */
static void refused(struct ctx *c, int fd)
{
	struct mem m;
	VkResult r;
	int efd = eventfd(0, EFD_CLOEXEC), got;

	check("eventfd", efd >= 0, "%s", strerror(errno));
	expect("import of an eventfd: VK_ERROR_INVALID_EXTERNAL_HANDLE",
	       alloc_mem(c, c->io_type, efd, SIZE, &m), VK_ERROR_INVALID_EXTERNAL_HANDLE);
	check("... the eventfd left open (not consumed)", fcntl(efd, F_GETFD) >= 0,
	      "%s", strerror(errno));
	close(efd);
	expect("import larger than the memory: VK_ERROR_INVALID_EXTERNAL_HANDLE",
	       alloc_mem(c, c->io_type, fd, SIZE + PAGE, &m),
	       VK_ERROR_INVALID_EXTERNAL_HANDLE);
	check("... the fd left open", fcntl(fd, F_GETFD) >= 0, "%s", strerror(errno));
	if (c->device_type != UINT32_MAX) {
		expect("import of IO-space memory's fd as device-local memory refused",
		       alloc_mem(c, c->device_type, fd, SIZE, &m),
		       VK_ERROR_INVALID_EXTERNAL_HANDLE);
		check("... the fd left open", fcntl(fd, F_GETFD) >= 0, "%s", strerror(errno));
	}
	{
		VkMemoryAllocateInfo mai = {
			.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
			.allocationSize = SIZE, .memoryTypeIndex = c->io_type,
		};
		VkDeviceMemory plain;

		if (vkAllocateMemory(c->dev, &mai, NULL, &plain)) {
			fail("plain memory", "vkAllocateMemory failed");
			return;
		}
		got = get_fd(c, plain, &r);
		check("vkGetMemoryFdKHR of memory not made exportable refused",
		      got < 0 && r == VK_ERROR_INVALID_EXTERNAL_HANDLE, "fd %d result %d", got, r);
		vkFreeMemory(c->dev, plain, NULL);
	}
}

/* ---- the child: imports, works, re-exports, outlives the parent's memory ---- */

/*
 * The parent's device-local memory by fd ('y'): refused as IO space, used
 * as device-local memory; its page 0 copied out into @io, page 1 filled.
 */
static void child_device_local(struct ctx *c, int sock, struct mem *io)
{
	struct mem dev, bad;
	int fd;

	if (recv_tag(sock, 'y', &fd))
		_exit(1);
	check("child: received the device-local memory's fd", fd >= 0, "fd %d", fd);
	if (fd >= 0) {
		if (!validating())	/* deliberate misuse */
			expect("child: the device-local fd imported as IO space refused",
			       alloc_mem(c, c->io_type, fd, SIZE, &bad),
			       VK_ERROR_INVALID_EXTERNAL_HANDLE);
		expect("child: import the fd as device-local memory",
		       alloc_mem(c, c->device_type, fd, SIZE, &dev), VK_SUCCESS);
		if (dev.m) {
			expect("child: GPU copy out of the device-local memory, and a fill in it",
			       gpu_copy_fill(c, dev.b, 0, io->b, P_DEV_BY_PARENT, -1, 0) ||
			       gpu_work(c, dev.b, -1, -1, 1, 0x96969696u), 0);
			check("child: sees the parent's GPU fill of the device-local memory",
			      page_is(io->p, P_DEV_BY_PARENT, 0x3c), "%02x",
			      io->p[P_DEV_BY_PARENT * PAGE]);
			free_mem(c, &dev);
		} else {
			close(fd);
		}
	}
	if (send_fd(sock, 'z', -1))
		_exit(1);
}

static void child(int sock)
{
	struct ctx c = { .who = "child setup" };
	struct mem m, again;
	VkResult r;
	int fd, fd2;

	alarm(WATCHDOG_S);
	if (setup(&c) || recv_tag(sock, 'x', &fd)) {
		fail("child: setup and the fd", "failed");
		_exit(1);
	}
	check("child: received a dxg resource fd", fd >= 0, "fd %d", fd);
	expect("child: import the fd on its own device", alloc_mem(&c, c.io_type, fd, SIZE, &m),
	       VK_SUCCESS);
	if (!m.m || !m.p)
		_exit(1);
	check("child: its mapping shows the parent's CPU writes",
	      page_is_pattern(m.p, P_PARENT_CPU), "%02x %02x", m.p[0], m.p[1]);
	expect("child: GPU copy and fill in the imported memory",
	       gpu_work(&c, m.b, P_PARENT_CPU, P_CHILD_COPY, P_CHILD_FILL, 0xc3c3c3c3u), 0);
	if (send_fd(sock, 'd', -1))
		_exit(1);

	if (recv_tag(sock, 'p', NULL))
		_exit(1);
	check("child: sees the parent's GPU fill (the other way)",
	      page_is(m.p, P_PARENT_FILL, 0x5a), "%02x", m.p[P_PARENT_FILL * PAGE]);

	/* Imported memory exports again: another fd of the same memory. */
	fd2 = get_fd(&c, m.m, &r);
	check("child: vkGetMemoryFdKHR of imported memory", fd2 >= 0 && fd2 != fd,
	      "result %d fd %d", r, fd2);
	if (fd2 >= 0) {
		expect("child: import of that fd", alloc_mem(&c, c.io_type, fd2, SIZE, &again),
		       VK_SUCCESS);
		if (again.p)
			check("child: the same memory through it",
			      page_is(again.p, P_CHILD_FILL, 0xc3) &&
			      page_is(again.p, P_PARENT_FILL, 0x5a), "%02x",
			      again.p[P_CHILD_FILL * PAGE]);
		if (again.m)
			free_mem(&c, &again);
		else
			close(fd2);
	}
	if (send_fd(sock, 'e', -1))
		_exit(1);
	child_device_local(&c, sock, &m);

	/* The parent freed its memory: this import still works. */
	if (recv_tag(sock, 'f', NULL))
		_exit(1);
	check("child: its memory kept what it had after the parent's free",
	      page_is(m.p, P_CHILD_FILL, 0xc3) && page_is(m.p, P_PARENT_FILL, 0x5a), "%02x",
	      m.p[P_CHILD_FILL * PAGE]);
	expect("child: GPU fill after the parent freed its memory",
	       gpu_work(&c, m.b, -1, -1, P_LATE_FILL, 0x77777777u), 0);
	check("child: sees its late fill", page_is(m.p, P_LATE_FILL, 0x77), "%02x",
	      m.p[P_LATE_FILL * PAGE]);
	free_mem(&c, &m);
	teardown(&c);
	if (send_fd(sock, 'g', -1))
		_exit(1);
	_exit(failures || messages ? 1 : 0);
}

/* ---- the parent ---- */

/*
 * Device-local memory by fd: exported here with page 0 filled by the GPU,
 * used by the child ('y' .. 'z'), its fill of page 1 copied out into @io.
 */
static int parent_device_local(struct ctx *c, int sock, struct mem *io)
{
	struct mem dm = { 0 };
	VkResult r = VK_SUCCESS;
	int fd = -1, ret = 0;

	check("the memory has a device-local type", c->device_type != UINT32_MAX, "none");
	if (c->device_type != UINT32_MAX) {
		expect("export: device-local memory",
		       alloc_mem(c, c->device_type, -1, SIZE, &dm), VK_SUCCESS);
		if (dm.m) {
			fd = get_fd(c, dm.m, &r);
			check("vkGetMemoryFdKHR of device-local memory", fd >= 0, "result %d", r);
			expect("parent: GPU fill of a device-local page",
			       gpu_work(c, dm.b, -1, -1, 0, 0x3c3c3c3cu), 0);
		}
	}
	if (send_fd(sock, 'y', fd) || recv_tag(sock, 'z', NULL)) {
		fail("the child uses the device-local memory", "it did not answer");
		ret = -1;
	} else if (dm.m) {
		expect("parent: GPU copy out of the device-local memory",
		       gpu_copy_fill(c, dm.b, 1, io->b, P_DEV_BY_CHILD, -1, 0), 0);
		check("parent: sees the child's GPU fill of the device-local memory",
		      page_is(io->p, P_DEV_BY_CHILD, 0x96), "%02x",
		      io->p[P_DEV_BY_CHILD * PAGE]);
	}
	if (fd >= 0)
		close(fd);
	if (dm.m)
		free_mem(c, &dm);
	return ret;
}

static void parent(struct ctx *c, int sock, pid_t pid)
{
	struct mem m, back;
	VkResult r;
	int fd, fd2, status = -1;

	properties(c);
	expect("export: dedicated exportable memory", alloc_mem(c, c->io_type, -1, SIZE, &m),
	       VK_SUCCESS);
	if (!m.m || !m.p)
		return;
	for (unsigned int i = 0; i < PAGE; i++)
		m.p[P_PARENT_CPU * PAGE + i] = pattern(i);
	memset(m.p + PAGE, 0, SIZE - PAGE);
	fd = get_fd(c, m.m, &r);
	fd2 = get_fd(c, m.m, &r);
	check("vkGetMemoryFdKHR: a new fd each call, close-on-exec",
	      fd >= 0 && fd2 >= 0 && fd != fd2 && (fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "fds %d %d", fd, fd2);
	if (fd2 >= 0)
		close(fd2);
	if (fd < 0)
		goto out;
	if (!validating())
		refused(c, fd);
	if (send_fd(sock, 'x', fd) || recv_tag(sock, 'd', NULL)) {
		fail("the child imports and works", "it did not answer");
		goto out;
	}
	check("parent: sees the child's GPU copy of its bytes",
	      page_is_pattern(m.p, P_CHILD_COPY), "%02x", m.p[P_CHILD_COPY * PAGE]);
	check("parent: sees the child's GPU fill", page_is(m.p, P_CHILD_FILL, 0xc3), "%02x",
	      m.p[P_CHILD_FILL * PAGE]);
	expect("parent: GPU fill in its exported memory",
	       gpu_work(c, m.b, -1, -1, P_PARENT_FILL, 0x5a5a5a5au), 0);
	if (send_fd(sock, 'p', -1) || recv_tag(sock, 'e', NULL)) {
		fail("the child sees the parent's fill", "it did not answer");
		goto out;
	}
	if (parent_device_local(c, sock, &m))
		goto out;
	/* The exporter goes first; its fd (kept) still opens the memory. */
	free_mem(c, &m);
	if (send_fd(sock, 'f', -1) || recv_tag(sock, 'g', NULL)) {
		fail("the child works after the parent freed its memory", "it did not answer");
		close(fd);
		return;
	}
	check("the child's checks", waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "status 0x%x", status);
	expect("parent: import of its kept fd after freeing the export (and the child's import)",
	       alloc_mem(c, c->io_type, fd, SIZE, &back), VK_SUCCESS);
	if (back.p)
		check("parent: the memory kept the child's late fill",
		      page_is(back.p, P_LATE_FILL, 0x77) && page_is_pattern(back.p, P_CHILD_COPY),
		      "%02x", back.p[P_LATE_FILL * PAGE]);
	if (back.m)
		free_mem(c, &back);
	else
		close(fd);
	return;
out:
	if (fd >= 0)
		close(fd);
	free_mem(c, &m);
}

int main(void)
{
	struct ctx c = { .who = "parent setup" };
	int sock;
	pid_t pid;

	signal(SIGALRM, watchdog);
	/* The child first: it makes its own instance and device. */
	if (spawn_child(child, &sock, &pid))
		return 1;
	alarm(WATCHDOG_S);
	if (!setup(&c))
		parent(&c, sock, pid);
	else
		kill(pid, SIGKILL);
	close(sock);
	teardown(&c);
	check("no validation message", messages == 0, "%u", messages);
	printf("%s test_odx_memfd: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
