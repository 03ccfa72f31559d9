// SPDX-License-Identifier: MIT
/*
 * Device memory and buffers.  A VkDeviceMemory is one D3DKMT allocation:
 * in the VM's IO space (guest-shared RAM the host's device imports),
 * mapped into this process (Lock2) at once and kept mapped, so vkMapMemory
 * is pointer arithmetic; or in the host device's own memory (device-local,
 * never CPU-visible).  Either is mapped into the GPU VA space at an address
 * the host picks.  Memory shared as fds (external_memory.c) is a shared
 * resource of one allocation of either kind, made here or opened from an
 * fd; it is destroyed as the resource.  A VkBuffer is a range of one; commands
 * address it by GPU VA.
 */
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dxg/protocol.h"
#include "odx.h"

#define ODX_PAGE		4096ull
#define ODX_PAGING_WAIT_NS	2000000000ull
/* Buffers start at this alignment in their memory: any GPU's binding rule. */
#define ODX_BUFFER_ALIGN	256u

/* The mapping is usable once the paging fence has its value. */
static VkResult wait_paging(struct odx_device *d, uint64_t value)
{
	uint64_t deadline = odx_now_ns() + ODX_PAGING_WAIT_NS;

	if (!d->paging_fence_cpu || !value)
		return VK_SUCCESS;
	while (__atomic_load_n((const uint64_t *)d->paging_fence_cpu,
			       __ATOMIC_ACQUIRE) < value) {
		if (odx_now_ns() > deadline)
			return VK_ERROR_DEVICE_LOST;
		sched_yield();
	}
	return VK_SUCCESS;
}

static void release(struct odx_device *d, struct odx_memory *m)
{
	D3DKMT_DESTROYALLOCATION2 da = {
		.device = d->device,
		.allocations = (__u64)(uintptr_t)&m->allocation,
		.alloc_count = 1,
	};

	/* A resource goes whole: its allocation with it. */
	if (m->resource) {
		da.resource = m->resource;
		da.allocations = 0;
		da.alloc_count = 0;
	}
	/* Destroying the allocation unmaps it from the CPU and the GPU VA. */
	if (m->allocation || m->resource)
		D3DKMTDestroyAllocation2(&da);
	if (m->va) {
		D3DKMT_FREEGPUVIRTUALADDRESS fv = {
			.adapter = d->physical->adapter,
			.base_address = m->va,
			.size = m->alloc_size,
		};

		D3DKMTFreeGpuVirtualAddress(&fv);
	}
	if (m->fd >= 0)
		close(m->fd);
}

static struct odx_memory *memory_new(struct odx_device *d, uint64_t size,
				     uint64_t alloc_size)
{
	struct odx_memory *m = odx_alloc(odx_device_alloc(d), sizeof(*m),
					 VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);

	if (m) {
		memset(m, 0, sizeof(*m));
		m->fd = -1;
		m->size = size;
		m->alloc_size = alloc_size;
	}
	return m;
}

/*
 * Maps m->allocation for the CPU (@lock: Lock2, kept for its lifetime) and
 * at a GPU VA; m is released and freed when this fails.
 */
static VkResult memory_map(struct odx_device *d, struct odx_memory *m,
			   bool lock, struct odx_memory **out)
{
	D3DKMT_LOCK2 lk = { 0 };
	D3DDDI_MAPGPUVIRTUALADDRESS mv = { 0 };
	NTSTATUS st;
	VkResult r;

	if (lock) {
		lk.device = d->device;
		lk.allocation = m->allocation;
		st = D3DKMTLock2(&lk);
		if (!NT_SUCCESS(st) || !lk.data) {
			r = odx_result(st, VK_ERROR_MEMORY_MAP_FAILED);
			goto fail;
		}
		m->cpu = (uint8_t *)(uintptr_t)lk.data;
	}
	mv.paging_queue = d->paging_queue;
	mv.allocation = m->allocation;
	mv.size_in_pages = m->alloc_size / ODX_PAGE;
	mv.protection.value = D3DDDIGPUVA_PROTECTION_WRITE;	/* read-write */
	st = D3DKMTMapGpuVirtualAddress(&mv);
	if (!NT_SUCCESS(st) || !mv.virtual_address) {
		r = odx_result(st, VK_ERROR_OUT_OF_DEVICE_MEMORY);
		goto fail;
	}
	m->va = mv.virtual_address;
	r = wait_paging(d, mv.paging_fence_value);
	if (r != VK_SUCCESS)
		goto fail;
	*out = m;
	return VK_SUCCESS;
fail:
	odx_memory_destroy(d, m);
	return r;
}

/*
 * A new allocation of @size bytes: IO space, or with @device the host
 * device's own memory, or the application's pages at @host; with @shared
 * a shared resource of it, for ShareObjects.
 */
static VkResult memory_make(struct odx_device *d, uint64_t size, bool device,
			   void *host, bool shared, struct odx_memory **out)
{
	struct dxg_open_alloc_desc desc = { .version = DXG_OPEN_ALLOC_DESC_VERSION };
	struct odx_memory_share share = { .magic = ODX_MEMORY_SHARE_MAGIC,
					  .size = size };
	D3DDDI_ALLOCATIONINFO2 info = { 0 };
	D3DKMT_CREATEALLOCATION ca = { 0 };
	struct odx_memory *m;
	NTSTATUS st;
	VkResult r;

	if (!size || size > (device ? d->physical->device_heap_size :
			     d->physical->heap_size))
		return VK_ERROR_OUT_OF_DEVICE_MEMORY;
	m = memory_new(d, size, (size + ODX_PAGE - 1) & ~(ODX_PAGE - 1));
	if (!m)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	desc.size = m->alloc_size;
	desc.flags = device ? DXG_OPEN_ALLOC_DEVICE_LOCAL : 0;
	info.priv_drv_data = (__u64)(uintptr_t)&desc;
	info.priv_drv_data_size = sizeof(desc);
	ca.device = d->device;
	ca.alloc_count = 1;
	ca.allocation_info = (__u64)(uintptr_t)&info;
	if (host) {
		/* The application's pages, pinned; the GPU uses them in place. */
		info.sysmem = (__u64)(uintptr_t)host;
		ca.flags.value = D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM;
		m->cpu = host;
		m->imported = true;
	} else if (shared) {
		/* Its header is what an import of its fds checks. */
		ca.flags.value = D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE |
				 D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED |
				 D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING;
		ca.priv_drv_data = (__u64)(uintptr_t)&share;
		ca.priv_drv_data_size = sizeof(share);
	}
	st = D3DKMTCreateAllocation2(&ca);
	if (!NT_SUCCESS(st)) {
		r = host ? VK_ERROR_INVALID_EXTERNAL_HANDLE :
			   odx_result(st, VK_ERROR_OUT_OF_DEVICE_MEMORY);
		odx_free(odx_device_alloc(d), m);
		return r;
	}
	m->allocation = info.allocation;
	if (shared)
		m->resource = ca.resource;
	if (!host) {		/* what this process allocated (memory budget) */
		m->counted = true;
		m->heap = odx_heap_of(d->physical, device);
		atomic_fetch_add(&d->physical->heap_used[m->heap], m->alloc_size);
	}
	return memory_map(d, m, !device && !host, out);
}

VkResult odx_memory_create(struct odx_device *d, uint64_t size, bool device,
			   struct odx_memory **out)
{
	return memory_make(d, size, device, NULL, false, out);
}

VkResult odx_memory_create_host(struct odx_device *d, uint64_t size,
				void *host, struct odx_memory **out)
{
	return memory_make(d, size, false, host, false, out);
}

VkResult odx_memory_create_shared(struct odx_device *d, uint64_t size,
				  bool device, struct odx_memory **out)
{
	return memory_make(d, size, device, NULL, true, out);
}

VkResult odx_memory_open(struct odx_device *d, D3DKMT_HANDLE resource,
			 D3DKMT_HANDLE allocation, uint64_t size,
			 uint64_t alloc_size, bool device,
			 struct odx_memory **out)
{
	struct odx_memory *m = memory_new(d, size, alloc_size);

	if (!m) {
		D3DKMT_DESTROYALLOCATION2 da = { .device = d->device,
						 .resource = resource };

		D3DKMTDestroyAllocation2(&da);
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	}
	m->resource = resource;
	m->allocation = allocation;
	return memory_map(d, m, !device, out);
}

void odx_memory_destroy(struct odx_device *d, struct odx_memory *m)
{
	if (!m)
		return;
	if (m->counted)
		atomic_fetch_sub(&d->physical->heap_used[m->heap], m->alloc_size);
	release(d, m);
	odx_free(odx_device_alloc(d), m);
}

/* ---- VkDeviceMemory ---- */

VKAPI_ATTR VkResult VKAPI_CALL
odx_AllocateMemory(VkDevice device, const VkMemoryAllocateInfo *pAllocateInfo,
		   const VkAllocationCallbacks *pAllocator, VkDeviceMemory *pMemory)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_memory *m;
	VkResult r;

	(void)pAllocator;	/* our objects follow the device's callbacks */
	if (pAllocateInfo->memoryTypeIndex >= odx_memory_type_count(d->physical))
		return VK_ERROR_OUT_OF_DEVICE_MEMORY;
	r = odx_memory_import_host(d, pAllocateInfo, &m);
	if (r == VK_INCOMPLETE)		/* no host pointer to import */
		r = odx_memory_external(d, pAllocateInfo, &m);
	if (r == VK_INCOMPLETE)		/* no fd to import, no export */
		r = odx_memory_create(d, pAllocateInfo->allocationSize,
				      odx_type_is_device(d->physical,
							 pAllocateInfo->memoryTypeIndex),
				      &m);
	if (r != VK_SUCCESS)
		return r;
	r = odx_memory_device_address(d, m, pAllocateInfo);
	if (r != VK_SUCCESS) {
		odx_memory_destroy(d, m);
		return r;
	}
	*pMemory = ODX_TO_HANDLE(VkDeviceMemory, m);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_FreeMemory(VkDevice device, VkDeviceMemory memory,
	       const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_memory_destroy((struct odx_device *)device,
			   ODX_FROM_HANDLE(odx_memory, memory));
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_MapMemory(VkDevice device, VkDeviceMemory memory, VkDeviceSize offset,
	      VkDeviceSize size, VkMemoryMapFlags flags, void **ppData)
{
	struct odx_memory *m = ODX_FROM_HANDLE(odx_memory, memory);

	(void)device, (void)size, (void)flags;
	if (!m->cpu)	/* device memory: valid usage forbids it, refused anyway */
		return VK_ERROR_MEMORY_MAP_FAILED;
	*ppData = m->cpu + offset;
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_UnmapMemory(VkDevice device, VkDeviceMemory memory)
{
	(void)device, (void)memory;	/* it stays mapped until freed */
}

/* Coherent memory: a fence orders the CPU's accesses, nothing to write back. */
VKAPI_ATTR VkResult VKAPI_CALL
odx_FlushMappedMemoryRanges(VkDevice device, uint32_t count,
			    const VkMappedMemoryRange *ranges)
{
	(void)device, (void)count, (void)ranges;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_InvalidateMappedMemoryRanges(VkDevice device, uint32_t count,
				 const VkMappedMemoryRange *ranges)
{
	(void)device, (void)count, (void)ranges;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceMemoryCommitment(VkDevice device, VkDeviceMemory memory,
			      VkDeviceSize *pCommitted)
{
	(void)device;
	*pCommitted = ODX_FROM_HANDLE(odx_memory, memory)->alloc_size;
}

/* ---- VkBuffer ---- */

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateBuffer(VkDevice device, const VkBufferCreateInfo *pCreateInfo,
		 const VkAllocationCallbacks *pAllocator, VkBuffer *pBuffer)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_buffer *b;

	(void)pAllocator;
	if (pCreateInfo->flags & (VK_BUFFER_CREATE_SPARSE_BINDING_BIT |
				  VK_BUFFER_CREATE_PROTECTED_BIT))
		return VK_ERROR_FEATURE_NOT_PRESENT;
	b = odx_alloc(odx_device_alloc(d), sizeof(*b), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!b)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	memset(b, 0, sizeof(*b));
	b->size = pCreateInfo->size;
	*pBuffer = ODX_TO_HANDLE(VkBuffer, b);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyBuffer(VkDevice device, VkBuffer buffer,
		  const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_free(odx_device_alloc((struct odx_device *)device),
		 ODX_FROM_HANDLE(odx_buffer, buffer));
}

/*
 * Every memory type takes every buffer, memory of either kind shared as fds
 * (external_memory.c) included.
 */
static void buffer_requirements(const struct odx_device *d, uint64_t size,
				VkMemoryRequirements *req)
{
	req->size = (size + ODX_BUFFER_ALIGN - 1) & ~(uint64_t)(ODX_BUFFER_ALIGN - 1);
	req->alignment = ODX_BUFFER_ALIGN;
	req->memoryTypeBits = (1u << odx_memory_type_count(d->physical)) - 1;
}

/* Dedicated allocations are neither needed nor preferred. */
static void requirements2(const struct odx_device *d, uint64_t size,
			  VkMemoryRequirements2 *req)
{
	buffer_requirements(d, size, &req->memoryRequirements);
	for (VkBaseOutStructure *s = req->pNext; s; s = s->pNext) {
		if (s->sType == VK_STRUCTURE_TYPE_MEMORY_DEDICATED_REQUIREMENTS) {
			VkMemoryDedicatedRequirements *dr = (void *)s;

			dr->prefersDedicatedAllocation = VK_FALSE;
			dr->requiresDedicatedAllocation = VK_FALSE;
		}
	}
}

VKAPI_ATTR void VKAPI_CALL
odx_GetBufferMemoryRequirements(VkDevice device, VkBuffer buffer,
				VkMemoryRequirements *pReq)
{
	const struct odx_buffer *b = ODX_FROM_HANDLE(odx_buffer, buffer);

	buffer_requirements((const struct odx_device *)device, b->size, pReq);
}

VKAPI_ATTR void VKAPI_CALL
odx_GetBufferMemoryRequirements2(VkDevice device,
				 const VkBufferMemoryRequirementsInfo2 *pInfo,
				 VkMemoryRequirements2 *pReq)
{
	const struct odx_buffer *b = ODX_FROM_HANDLE(odx_buffer, pInfo->buffer);

	requirements2((const struct odx_device *)device, b->size, pReq);
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceBufferMemoryRequirements(VkDevice device,
				      const VkDeviceBufferMemoryRequirements *pInfo,
				      VkMemoryRequirements2 *pReq)
{
	requirements2((const struct odx_device *)device, pInfo->pCreateInfo->size,
		      pReq);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_BindBufferMemory(VkDevice device, VkBuffer buffer, VkDeviceMemory memory,
		     VkDeviceSize offset)
{
	struct odx_buffer *b = ODX_FROM_HANDLE(odx_buffer, buffer);

	(void)device;
	b->mem = ODX_FROM_HANDLE(odx_memory, memory);
	b->offset = offset;
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_BindBufferMemory2(VkDevice device, uint32_t count,
		      const VkBindBufferMemoryInfo *pInfos)
{
	for (uint32_t i = 0; i < count; i++)
		odx_BindBufferMemory(device, pInfos[i].buffer, pInfos[i].memory,
				     pInfos[i].memoryOffset);
	return VK_SUCCESS;
}
