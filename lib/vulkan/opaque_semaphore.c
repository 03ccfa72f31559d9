// SPDX-License-Identifier: MIT
/*
 * Timeline semaphores shared by OPAQUE_FD (VK_KHR_external_semaphore_fd):
 * the fd is the kernel driver's "NT handle" of the semaphore's monitored
 * fence (ShareObjects, docs/memory.md §9), and an import opens that fence
 * for the importing device (OpenSyncObjectFromNtHandle2): both semaphores
 * then are one fence on the host, with one value, signalled and waited on
 * from either process, GPU or CPU (reference transference).
 *
 * Only timeline semaphores: a binary semaphore's wait here waits for the
 * value of the last signal its own process made (sync.c), which another
 * process's signals would not move.  Exportable semaphores are created as
 * shared fences (odx_fence_exportable()), which ShareObjects requires.
 * A timeline payload can only be imported permanently (the spec forbids
 * temporary imports of one): the semaphore's own fence is destroyed and
 * the opened one takes its place; the fd is ours then, and closed.
 */
#include <unistd.h>

#include "odx.h"

bool odx_opaque_semaphore_supported(const VkPhysicalDeviceExternalSemaphoreInfo *info)
{
	const VkSemaphoreTypeCreateInfo *type =
		odx_find_in_chain(info->pNext, VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO);

	return info->handleType == VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT &&
	       type && type->semaphoreType == VK_SEMAPHORE_TYPE_TIMELINE;
}

VkResult odx_share_fence(D3DKMT_HANDLE sync, int *fd)
{
	void *handle = NULL;
	NTSTATUS st = D3DKMTShareObjects(1, &sync, NULL, 0, &handle);

	if (!NT_SUCCESS(st))	/* not created exportable, or out of fds */
		return odx_result(st, VK_ERROR_TOO_MANY_OBJECTS);
	*fd = (int)(intptr_t)handle;
	return VK_SUCCESS;
}

VkResult odx_opaque_semaphore_export(struct odx_fence *f, int *fd)
{
	if (!f->timeline)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	return odx_share_fence(f->sync, fd);
}

VkResult odx_open_shared_fence(struct odx_device *d, int fd, D3DKMT_HANDLE *sync,
			       const volatile uint64_t **cpu)
{
	D3DKMT_OPENSYNCOBJECTFROMNTHANDLE2 o = {
		.nt_handle = (__u64)fd, .device = d->device,
	};
	NTSTATUS st;

	if (fd < 0)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	st = D3DKMTOpenSyncObjectFromNtHandle2(&o);
	if (!NT_SUCCESS(st))
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	if (!o.monitored_fence.fence_value_cpu_va) {
		D3DKMT_DESTROYSYNCHRONIZATIONOBJECT ds = { .sync_object = o.sync_object };

		D3DKMTDestroySynchronizationObject(&ds);
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	}
	*sync = o.sync_object;
	*cpu = (const volatile uint64_t *)(uintptr_t)o.monitored_fence.fence_value_cpu_va;
	return VK_SUCCESS;
}

VkResult odx_opaque_semaphore_import(struct odx_device *d, struct odx_fence *f,
				     int fd)
{
	D3DKMT_DESTROYSYNCHRONIZATIONOBJECT ds = { .sync_object = f->sync };
	const volatile uint64_t *cpu;
	D3DKMT_HANDLE sync;
	VkResult r;

	if (!f->timeline)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	r = odx_open_shared_fence(d, fd, &sync, &cpu);
	if (r != VK_SUCCESS)
		return r;
	D3DKMTDestroySynchronizationObject(&ds);
	f->sync = sync;
	f->cpu = cpu;
	close(fd);
	return VK_SUCCESS;
}
