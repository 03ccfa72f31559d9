// SPDX-License-Identifier: MIT
/*
 * External memory as file descriptors (VK_KHR_external_memory_fd, handle
 * type OPAQUE_FD), of both memory types: the kernel driver's sharing
 * between processes, fds as the "NT handles" (docs/memory.md §9).
 *
 * Export: memory allocated with VkExportMemoryAllocateInfo(OPAQUE_FD) is a
 * shared resource (CREATE_RESOURCE | CREATE_SHARED | NT_SECURITY_SHARING)
 * of its one allocation, its resource private data a header (struct
 * odx_memory_share: a magic and the size); vkGetMemoryFdKHR makes a new fd
 * of it each call (ShareObjects), the caller's.
 *
 * Import: VkImportMemoryFdInfoKHR(OPAQUE_FD) opens the fd's resource on
 * this device (QueryResourceInfoFromNtHandle, OpenResourceFromNtHandle:
 * its own handles), checks that it is memory of ours (the header, one
 * allocation of the kind memoryTypeIndex names) at least allocationSize
 * large, maps it (a GPU VA; Lock2 for the IO space) like any memory.  On
 * success the fd is ours: kept while the memory lives (vkGetMemoryFdKHR of
 * imported memory hands out copies of it: an opened resource cannot be
 * shared again) and closed when it is freed.
 * The kernel refuses fds that are not its shared resources.
 *
 * Device-local memory shares as IO space does: the host's device memory is
 * one object whoever opened it, kept until its last allocation goes, and
 * never discarded while shared (docs/memory.md §9, §10).
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dxg/protocol.h"
#include "odx.h"

#define ODX_SHARE_PAGE	4096u	/* allocations are of whole pages */

void odx_memory_fd_buffer_properties(const struct odx_physical_device *pd,
				     const VkPhysicalDeviceExternalBufferInfo *in,
				     VkExternalMemoryProperties *out)
{
	(void)pd;
	if (in->handleType != ODX_MEMORY_FD_TYPE)
		return;
	out->externalMemoryFeatures = VK_EXTERNAL_MEMORY_FEATURE_EXPORTABLE_BIT |
				      VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT;
	out->exportFromImportedHandleTypes = ODX_MEMORY_FD_TYPE;
	out->compatibleHandleTypes = ODX_MEMORY_FD_TYPE;
}

static void destroy_resource(struct odx_device *d, D3DKMT_HANDLE resource)
{
	D3DKMT_DESTROYALLOCATION2 da = { .device = d->device,
					 .resource = resource };

	D3DKMTDestroyAllocation2(&da);
}

/*
 * What the fd's resource must be: ours (the header), one allocation of the
 * kind asked for (@device: device-local), whole pages, no larger than its
 * heap, with at least @want bytes.
 */
static bool opened_is_ours(const struct odx_device *d,
			   const struct odx_memory_share *share,
			   const struct dxg_open_alloc_desc *desc,
			   bool device, uint64_t want)
{
	const struct odx_physical_device *pd = d->physical;

	return !memcmp(share->magic, ODX_MEMORY_SHARE_MAGIC, sizeof(share->magic)) &&
	       desc->version == DXG_OPEN_ALLOC_DESC_VERSION &&
	       desc->flags == (device ? DXG_OPEN_ALLOC_DEVICE_LOCAL : 0) &&
	       desc->size && !(desc->size % ODX_SHARE_PAGE) &&
	       desc->size <= (device ? pd->device_heap_size : pd->heap_size) &&
	       share->size && share->size <= desc->size && want <= share->size;
}

/* Opens the resource of an fd of ours; the fd stays the caller's. */
static VkResult import_fd(struct odx_device *d, int fd, uint64_t size,
			  bool device, struct odx_memory **out)
{
	D3DKMT_QUERYRESOURCEINFOFROMNTHANDLE q = {
		.device = d->device, .nt_handle = (__u64)fd,
	};
	struct odx_memory_share share = { 0 };
	struct dxg_open_alloc_desc desc = { 0 };
	D3DDDI_OPENALLOCATIONINFO2 oai = { 0 };
	D3DKMT_OPENRESOURCEFROMNTHANDLE o = {
		.device = d->device, .nt_handle = (__u64)fd,
		.allocation_count = 1,
		.open_alloc_info = (__u64)(uintptr_t)&oai,
		.resource_priv_drv_data = (__u64)(uintptr_t)&share,
		.resource_priv_drv_data_size = sizeof(share),
		.total_priv_drv_data = (__u64)(uintptr_t)&desc,
		.total_priv_drv_data_size = sizeof(desc),
	};
	NTSTATUS st;

	/* Not a shared resource's fd (or none): the kernel says so. */
	if (fd < 0 || !NT_SUCCESS(D3DKMTQueryResourceInfoFromNtHandle(&q)))
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	/* Ours have exactly this shape (memory.c's shared allocations). */
	if (q.allocation_count != 1 || q.private_runtime_data_size ||
	    q.resource_priv_drv_data_size != sizeof(share) ||
	    q.total_priv_drv_data_size != sizeof(desc))
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	st = D3DKMTOpenResourceFromNtHandle(&o);
	if (!NT_SUCCESS(st))
		return odx_result(st, VK_ERROR_INVALID_EXTERNAL_HANDLE);
	if (!o.resource || !oai.allocation ||
	    oai.priv_drv_data_size != sizeof(desc) ||
	    !opened_is_ours(d, &share, &desc, device, size)) {
		destroy_resource(d, o.resource);
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	}
	return odx_memory_open(d, o.resource, oai.allocation, size, desc.size,
			       device, out);
}

VkResult odx_memory_external(struct odx_device *d,
			     const VkMemoryAllocateInfo *info,
			     struct odx_memory **out)
{
	const VkImportMemoryFdInfoKHR *imp =
		odx_find_in_chain(info->pNext, VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR);
	const VkExportMemoryAllocateInfo *exp =
		odx_find_in_chain(info->pNext, VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO);
	bool importing = imp && imp->handleType;
	bool exporting = exp && exp->handleTypes;
	bool device = odx_type_is_device(d->physical, info->memoryTypeIndex);
	VkResult r;

	if (!importing && !exporting)
		return VK_INCOMPLETE;
	if ((importing && imp->handleType != ODX_MEMORY_FD_TYPE) ||
	    (exporting && (exp->handleTypes & ~ODX_MEMORY_FD_TYPE)))
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	if (!importing)
		return odx_memory_create_shared(d, info->allocationSize, device,
						out);
	if (!info->allocationSize)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	r = import_fd(d, imp->fd, info->allocationSize, device, out);
	if (r == VK_SUCCESS)
		(*out)->fd = imp->fd;	/* ours now */
	return r;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetMemoryFdKHR(VkDevice device, const VkMemoryGetFdInfoKHR *pInfo, int *pFd)
{
	struct odx_memory *m = ODX_FROM_HANDLE(odx_memory, pInfo->memory);
	void *handle = NULL;
	NTSTATUS st;
	int fd;

	(void)device;
	if (pInfo->handleType != ODX_MEMORY_FD_TYPE || !m->resource)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;	/* not exportable */
	if (m->fd >= 0) {
		/* Imported: the same resource, another fd of its file. */
		fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return VK_ERROR_TOO_MANY_OBJECTS;
		*pFd = fd;
		return VK_SUCCESS;
	}
	st = D3DKMTShareObjects(1, &m->resource, NULL, 0, &handle);
	if (!NT_SUCCESS(st))
		return odx_result(st, VK_ERROR_TOO_MANY_OBJECTS);
	*pFd = (int)(uintptr_t)handle;
	return VK_SUCCESS;
}

/* Only for handle types other than OPAQUE_FD, which has none here. */
VKAPI_ATTR VkResult VKAPI_CALL
odx_GetMemoryFdPropertiesKHR(VkDevice device,
			     VkExternalMemoryHandleTypeFlagBits handleType,
			     int fd, VkMemoryFdPropertiesKHR *pProps)
{
	(void)device, (void)handleType, (void)fd;
	pProps->memoryTypeBits = 0;
	return VK_ERROR_INVALID_EXTERNAL_HANDLE;
}
