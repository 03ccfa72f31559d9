// SPDX-License-Identifier: MIT
/*
 * External fences and binary semaphores as sync files
 * (VK_KHR_external_fence_fd, VK_KHR_external_semaphore_fd, handle type
 * SYNC_FD): the kernel driver's real sync files (docs/sync.md §7).
 * Timeline semaphores go by OPAQUE_FD instead (opaque_semaphore.c).
 *
 * Export: a new sync file (CreateSyncFile) for the monitored fence's value
 * the payload waits for, signalled by the host when the fence reaches it.
 * SYNC_FD has copy transference: a fence export resets the fence, a
 * semaphore export consumes its signal; a temporary import is handed back
 * as its own fd.  A fence that is signalled on the CPU exports -1, as the
 * spec allows.
 *
 * Import: temporary only (the one permanence SYNC_FD has; the flag is
 * implied).  The fd (-1: already signalled) becomes ours on success; an fd
 * that is no sync file is refused.  A semaphore wait in a submission
 * consumes the import: our own sync file becomes a GPU wait on the device's
 * context (WaitSyncFile) before the batch's command buffers; one the driver
 * refuses (another driver's fences, another process's pending points of a
 * fence that is not shared) is waited for on the CPU with poll() before the
 * submission.  Fences and semaphores created exportable are shared
 * monitored fences, so their sync files are GPU waits in other processes
 * too.  A fence's
 * import is signalled when its fd polls readable; a reset drops it.
 */
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "odx.h"

#define SYNC_FD_SEMAPHORE	VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT
#define SYNC_FD_FENCE		VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT
#define OPAQUE_FD_SEMAPHORE	VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_OPAQUE_FD_BIT
#define OPAQUE_FD_FENCE		VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT

/* ---- what the physical device offers ---- */

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceExternalSemaphoreProperties(VkPhysicalDevice physicalDevice,
						 const VkPhysicalDeviceExternalSemaphoreInfo *pInfo,
						 VkExternalSemaphoreProperties *pProps)
{
	const VkSemaphoreTypeCreateInfo *type =
		odx_find_in_chain(pInfo->pNext, VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO);
	bool binary = !type || type->semaphoreType == VK_SEMAPHORE_TYPE_BINARY;

	(void)physicalDevice;
	if (binary && pInfo->handleType == SYNC_FD_SEMAPHORE) {
		pProps->exportFromImportedHandleTypes = SYNC_FD_SEMAPHORE;
		pProps->compatibleHandleTypes = SYNC_FD_SEMAPHORE;
		pProps->externalSemaphoreFeatures =
			VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT |
			VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT;
	} else if (odx_opaque_semaphore_supported(pInfo)) {
		pProps->exportFromImportedHandleTypes = OPAQUE_FD_SEMAPHORE;
		pProps->compatibleHandleTypes = OPAQUE_FD_SEMAPHORE;
		pProps->externalSemaphoreFeatures =
			VK_EXTERNAL_SEMAPHORE_FEATURE_EXPORTABLE_BIT |
			VK_EXTERNAL_SEMAPHORE_FEATURE_IMPORTABLE_BIT;
	} else {
		pProps->exportFromImportedHandleTypes = 0;
		pProps->compatibleHandleTypes = 0;
		pProps->externalSemaphoreFeatures = 0;
	}
}

VKAPI_ATTR void VKAPI_CALL
odx_GetPhysicalDeviceExternalFenceProperties(VkPhysicalDevice physicalDevice,
					     const VkPhysicalDeviceExternalFenceInfo *pInfo,
					     VkExternalFenceProperties *pProps)
{
	(void)physicalDevice;
	if (pInfo->handleType == SYNC_FD_FENCE || pInfo->handleType == OPAQUE_FD_FENCE) {
		/* Each on its own: one payload cannot follow both rules. */
		pProps->exportFromImportedHandleTypes = pInfo->handleType;
		pProps->compatibleHandleTypes = pInfo->handleType;
		pProps->externalFenceFeatures =
			VK_EXTERNAL_FENCE_FEATURE_EXPORTABLE_BIT |
			VK_EXTERNAL_FENCE_FEATURE_IMPORTABLE_BIT;
	} else {
		pProps->exportFromImportedHandleTypes = 0;
		pProps->compatibleHandleTypes = 0;
		pProps->externalFenceFeatures = 0;
	}
}

/* ---- temporary imports ---- */

/* A sync file: SYNC_IOC_FILE_INFO answers (without fences) only for one. */
static bool is_sync_file(int fd)
{
	struct sync_file_info info = { 0 };

	return ioctl(fd, SYNC_IOC_FILE_INFO, &info) == 0;
}

static VkResult import(struct odx_fence *f, int fd)
{
	if (fd != -1 && (fd < 0 || !is_sync_file(fd)))
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	odx_import_drop(f);
	f->imported = true;
	f->import_fd = fd;
	return VK_SUCCESS;
}

void odx_import_drop(struct odx_fence *f)
{
	if (f->imported && f->import_fd >= 0)
		close(f->import_fd);
	f->imported = false;
	f->import_fd = -1;
}

bool odx_import_signaled(const struct odx_fence *f)
{
	struct pollfd p = { .fd = f->import_fd, .events = POLLIN };

	return f->import_fd < 0 || poll(&p, 1, 0) > 0;
}

/* Until the sync file is signalled (or poll says it never will be). */
static void cpu_wait(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (poll(&p, 1, -1) < 0 && (errno == EINTR || errno == EAGAIN))
		;
}

VkResult odx_import_wait(struct odx_queue *q, struct odx_fence *f)
{
	D3DKMT_WAITSYNCFILE w = { .context = q->context };
	NTSTATUS st;

	if (!f->imported)
		return VK_SUCCESS;
	if (f->import_fd >= 0) {
		w.sync_file_handle = (__u64)f->import_fd;
		st = D3DKMTWaitSyncFile(&w);
		if (st == STATUS_DEVICE_REMOVED) {
			odx_import_drop(f);
			return VK_ERROR_DEVICE_LOST;
		}
		/* Not ours (-EINVAL), another process's (-EOPNOTSUPP), ...: here. */
		if (!NT_SUCCESS(st))
			cpu_wait(f->import_fd);
	}
	odx_import_drop(f);
	return VK_SUCCESS;
}

/* ---- export ---- */

bool odx_fence_exportable(const void *pNext)
{
	for (const VkBaseInStructure *s = pNext; s; s = s->pNext) {
		if (s->sType == VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO &&
		    ((const VkExportFenceCreateInfo *)s)->handleTypes)
			return true;
		if (s->sType == VK_STRUCTURE_TYPE_EXPORT_SEMAPHORE_CREATE_INFO &&
		    ((const VkExportSemaphoreCreateInfo *)s)->handleTypes)
			return true;
	}
	return false;
}

/* A new sync file for (f, value), or an error. */
static VkResult sync_file(struct odx_device *d, struct odx_fence *f,
			  uint64_t value, int *fd)
{
	D3DKMT_CREATESYNCFILE c = {
		.device = d->device, .monitored_fence = f->sync, .fence_value = value,
	};
	NTSTATUS st = D3DKMTCreateSyncFile(&c);

	if (!NT_SUCCESS(st)) {
		/* libdxg leaves the ioctl's errno: out of descriptors? */
		if (errno == EMFILE || errno == ENFILE)
			return VK_ERROR_TOO_MANY_OBJECTS;
		return odx_result(st, VK_ERROR_OUT_OF_HOST_MEMORY);
	}
	if (c.sync_file_handle > INT32_MAX)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	*fd = (int)c.sync_file_handle;
	return VK_SUCCESS;
}

/* Hands a temporary import's fd over (copy transference): -1 stays -1. */
static int take_import(struct odx_fence *f)
{
	int fd = f->import_fd;

	f->import_fd = -1;
	odx_import_drop(f);
	return fd;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetSemaphoreFdKHR(VkDevice device, const VkSemaphoreGetFdInfoKHR *pGetFdInfo,
		      int *pFd)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_fence *f = ODX_FROM_HANDLE(odx_fence, pGetFdInfo->semaphore);

	if (pGetFdInfo->handleType == OPAQUE_FD_SEMAPHORE)
		return odx_opaque_semaphore_export(f, pFd);
	/* Invalid usage, answered all the same. */
	if (pGetFdInfo->handleType != SYNC_FD_SEMAPHORE || f->timeline)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	if (f->imported) {
		if (f->import_fd >= 0) {
			*pFd = take_import(f);
			return VK_SUCCESS;
		}
		/* Imported as signalled: a file for a value already reached. */
		odx_import_drop(f);
		return sync_file(d, f, odx_fence_value(f), pFd);
	}
	/*
	 * The last signal operation's value: the signal is consumed (a later
	 * wait needs a new signal, as valid usage requires anyway).
	 */
	return sync_file(d, f, f->last, pFd);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_ImportSemaphoreFdKHR(VkDevice device,
			 const VkImportSemaphoreFdInfoKHR *pImportSemaphoreFdInfo)
{
	const VkImportSemaphoreFdInfoKHR *in = pImportSemaphoreFdInfo;
	struct odx_fence *f = ODX_FROM_HANDLE(odx_fence, in->semaphore);

	if (in->handleType == OPAQUE_FD_SEMAPHORE &&
	    !(in->flags & VK_SEMAPHORE_IMPORT_TEMPORARY_BIT))
		return odx_opaque_semaphore_import((struct odx_device *)device, f,
						   in->fd);
	if (in->handleType != SYNC_FD_SEMAPHORE || f->timeline)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	return import(f, in->fd);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetFenceFdKHR(VkDevice device, const VkFenceGetFdInfoKHR *pGetFdInfo, int *pFd)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_fence *f = ODX_FROM_HANDLE(odx_fence, pGetFdInfo->fence);
	VkResult r;

	if (pGetFdInfo->handleType == OPAQUE_FD_FENCE)
		return odx_opaque_fence_export(f, pFd);
	/* Invalid usage (a parity fence is OPAQUE_FD's), answered all the same. */
	if (pGetFdInfo->handleType != SYNC_FD_FENCE || f->parity)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	if (f->imported) {
		/* The imported payload goes out; the permanent one is back. */
		*pFd = take_import(f);
		return VK_SUCCESS;
	}
	if (f->cpu_signaled) {
		*pFd = -1;
	} else if (f->pending) {
		r = sync_file(d, f, f->pending, pFd);
		if (r != VK_SUCCESS)
			return r;
	} else {
		/* Neither signalled nor pending: invalid usage, refused. */
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	}
	/* Copy transference: the export resets the fence. */
	f->cpu_signaled = false;
	f->pending = 0;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_ImportFenceFdKHR(VkDevice device, const VkImportFenceFdInfoKHR *pImportFenceFdInfo)
{
	const VkImportFenceFdInfoKHR *in = pImportFenceFdInfo;

	if (in->handleType == OPAQUE_FD_FENCE)
		return odx_opaque_fence_import((struct odx_device *)device,
					       ODX_FROM_HANDLE(odx_fence, in->fence),
					       in->fd,
					       in->flags & VK_FENCE_IMPORT_TEMPORARY_BIT);
	if (in->handleType != SYNC_FD_FENCE)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	return import(ODX_FROM_HANDLE(odx_fence, in->fence), in->fd);
}
