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

VkResult odx_opaque_semaphore_export(struct odx_fence *f, int *fd)
{
	void *handle = NULL;
	NTSTATUS st;

	if (!f->timeline)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	st = D3DKMTShareObjects(1, &f->sync, NULL, 0, &handle);
	if (!NT_SUCCESS(st))	/* not created exportable, or out of fds */
		return odx_result(st, VK_ERROR_TOO_MANY_OBJECTS);
	*fd = (int)(intptr_t)handle;
	return VK_SUCCESS;
}

VkResult odx_opaque_semaphore_import(struct odx_device *d, struct odx_fence *f,
				     int fd)
{
	D3DKMT_OPENSYNCOBJECTFROMNTHANDLE2 o = {
		.nt_handle = (__u64)fd, .device = d->device,
	};
	D3DKMT_DESTROYSYNCHRONIZATIONOBJECT ds = { .sync_object = f->sync };
	NTSTATUS st;

	if (!f->timeline || fd < 0)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	st = D3DKMTOpenSyncObjectFromNtHandle2(&o);
	if (!NT_SUCCESS(st) || !o.monitored_fence.fence_value_cpu_va)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	D3DKMTDestroySynchronizationObject(&ds);
	f->sync = o.sync_object;
	f->cpu = (const volatile uint64_t *)(uintptr_t)
		 o.monitored_fence.fence_value_cpu_va;
	close(fd);
	return VK_SUCCESS;
}
