// SPDX-License-Identifier: MIT
/*
 * Logical devices and their queues: a D3DKMT device on the physical
 * device's adapter with a virtual context (the compute node) behind each
 * queue, a paging queue for GPU VA mappings, and per queue a monitored
 * fence it signals after every submission (wait idle); a queue's priority
 * is its context's in-process scheduling priority.  Creation checks
 * the request against what the physical device reports: queue family 0
 * with 1..ODX_MAX_QUEUES queues, features it offers, no extension it does
 * not list.
 */
#include <string.h>

#include "odx.h"

/* *queues: how many queues of family 0 the request asks for. */
static VkResult check_request(VkPhysicalDevice pd, const VkDeviceCreateInfo *ci,
			      uint32_t *queues)
{
	*queues = 0;
	for (uint32_t i = 0; i < ci->queueCreateInfoCount; i++) {
		const VkDeviceQueueCreateInfo *q = &ci->pQueueCreateInfos[i];

		/* One family, named once, with its queues: valid usage, checked anyway. */
		if (q->queueFamilyIndex != 0 || !q->queueCount ||
		    q->queueCount > ODX_MAX_QUEUES || *queues || q->flags)
			return VK_ERROR_INITIALIZATION_FAILED;
		*queues = q->queueCount;
	}
	for (uint32_t i = 0; i < ci->enabledExtensionCount; i++)
		if (!odx_device_extension_offered((const struct odx_physical_device *)pd,
						  ci->ppEnabledExtensionNames[i]))
			return VK_ERROR_EXTENSION_NOT_PRESENT;
	return odx_features_check((const struct odx_physical_device *)pd, ci);
}

static void destroy_kmt(struct odx_device *d)
{
	if (d->dummy)
		odx_memory_destroy(d, d->dummy);
	if (atomic_load(&d->dummy_image))
		odx_memory_destroy(d, atomic_load(&d->dummy_image));
	for (uint32_t i = 0; i < d->queue_count; i++) {
		struct odx_queue *q = &d->queues[i];

		if (q->idle)
			odx_fence_destroy(d, q->idle);
		odx_private_data_free(odx_device_alloc(d), &q->private_data);
		if (q->context) {
			D3DKMT_DESTROYCONTEXT dc = { .context = q->context };

			D3DKMTDestroyContext(&dc);
		}
	}
	if (d->paging_queue) {
		D3DDDI_DESTROYPAGINGQUEUE dp = { .paging_queue = d->paging_queue };

		D3DKMTDestroyPagingQueue(&dp);
	}
	if (d->device) {
		D3DKMT_DESTROYDEVICE dd = { .device = d->device };

		D3DKMTDestroyDevice(&dd);
	}
	pthread_mutex_destroy(&d->private_lock);
}

VkResult odx_result(NTSTATUS st, VkResult other)
{
	switch (st) {
	case STATUS_NO_MEMORY:
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	case STATUS_QUOTA_EXCEEDED:
		return VK_ERROR_OUT_OF_DEVICE_MEMORY;
	case STATUS_DEVICE_REMOVED:
		return VK_ERROR_DEVICE_LOST;
	default:
		return other;
	}
}

NTSTATUS odx_escape(struct odx_device *d, void *data, uint32_t size)
{
	D3DKMT_ESCAPE e = {
		.adapter = d->physical->adapter,
		.device = d->device,
		.type = D3DKMT_ESCAPE_DRIVERPRIVATE,
		.priv_drv_data = (__u64)(uintptr_t)data,
		.priv_drv_data_size = size,
	};

	return D3DKMTEscape(&e);
}

VkResult odx_device_check(struct odx_device *d)
{
	D3DKMT_GETDEVICESTATE gs = {
		.device = d->device,
		.state_type = D3DKMT_DEVICESTATE_EXECUTION,
	};

	if (atomic_load(&d->lost))
		return VK_ERROR_DEVICE_LOST;
	if (NT_SUCCESS(D3DKMTGetDeviceState(&gs)) &&
	    gs.execution_state == D3DKMT_DEVICEEXECUTION_ACTIVE)
		return VK_SUCCESS;
	/* A failed command buffer, a hung engine or a gone host: lost for good. */
	atomic_store(&d->lost, true);
	return VK_ERROR_DEVICE_LOST;
}

/*
 * A queue's priority (0..1, relative within the device) as its context's
 * in-process scheduling priority (-7..7): 1.0, what most programs ask for,
 * is the default 0 and lower ones go down to -7, so a queue never
 * overtakes other contexts' work more than an ordinary one does, but the
 * host runs a device's higher-priority queues' runnable work first
 * (docs/sync.md §2).
 */
static int32_t inprocess_priority(float p)
{
	if (!(p >= 0.0f))	/* NaN too */
		p = 0.0f;
	if (p > 1.0f)
		p = 1.0f;
	return (int32_t)((p - 1.0f) * 7.0f - 0.5f);
}

/* Each queue's context (at its priority) and idle fence. */
static NTSTATUS create_queues(struct odx_device *d, const float *priorities)
{
	for (uint32_t i = 0; i < d->queue_count; i++) {
		struct odx_queue *q = &d->queues[i];
		D3DKMT_CREATECONTEXTVIRTUAL cc = {
			.device = d->device, .node_ordinal = 0,
			.client_hint = D3DKMT_CLIENTHINT_VULKAN,
		};
		NTSTATUS st;

		set_loader_magic_value(q);
		q->device = d;
		st = D3DKMTCreateContextVirtual(&cc);
		if (!NT_SUCCESS(st))
			return st;
		q->context = cc.context;
		if (priorities && inprocess_priority(priorities[i])) {
			D3DKMT_SETCONTEXTINPROCESSSCHEDULINGPRIORITY sp = {
				.context = q->context,
				.priority = inprocess_priority(priorities[i]),
			};

			st = D3DKMTSetContextInProcessSchedulingPriority(&sp);
			if (!NT_SUCCESS(st))
				return st;
		}
		if (odx_fence_create(d, 0, false, &q->idle) != VK_SUCCESS)
			return STATUS_NO_MEMORY;
	}
	return STATUS_SUCCESS;
}

/* The paging queue and the dummy buffer memory. */
static VkResult create_helpers(struct odx_device *d)
{
	D3DKMT_CREATEPAGINGQUEUE pq = {
		.device = d->device,
		.priority = D3DDDI_PAGINGQUEUE_PRIORITY_NORMAL,
	};
	NTSTATUS st = D3DKMTCreatePagingQueue(&pq);
	VkResult r;

	if (!NT_SUCCESS(st))
		return odx_result(st, VK_ERROR_INITIALIZATION_FAILED);
	d->paging_queue = pq.paging_queue;
	d->paging_fence_cpu = (const volatile uint64_t *)(uintptr_t)
			      pq.fence_cpu_virtual_address;
	r = odx_memory_create(d, 4096, false, &d->dummy);
	return r == VK_ERROR_OUT_OF_DEVICE_MEMORY ? r :
	       r != VK_SUCCESS ? VK_ERROR_INITIALIZATION_FAILED : r;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateDevice(VkPhysicalDevice physicalDevice,
		 const VkDeviceCreateInfo *pCreateInfo,
		 const VkAllocationCallbacks *pAllocator, VkDevice *pDevice)
{
	struct odx_physical_device *pd = (struct odx_physical_device *)physicalDevice;
	D3DKMT_CREATEDEVICE cd = { 0 };
	struct odx_device *d;
	uint32_t queues;
	NTSTATUS st;
	VkResult r;

	r = check_request(physicalDevice, pCreateInfo, &queues);
	if (r != VK_SUCCESS)
		return r;
	d = odx_alloc(pAllocator, sizeof(*d) + queues * sizeof(d->queues[0]),
		      VK_SYSTEM_ALLOCATION_SCOPE_DEVICE);
	if (!d)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	memset(d, 0, sizeof(*d) + queues * sizeof(d->queues[0]));
	set_loader_magic_value(d);
	d->physical = pd;
	d->queue_count = queues;
	pthread_mutex_init(&d->private_lock, NULL);
	if (pAllocator)
		d->alloc = *pAllocator;
	cd.adapter = pd->adapter;
	st = D3DKMTCreateDevice(&cd);
	if (!NT_SUCCESS(st))
		goto fail;
	d->device = cd.device;
	r = create_helpers(d);
	if (r == VK_SUCCESS) {
		st = create_queues(d, pCreateInfo->queueCreateInfoCount ?
				   pCreateInfo->pQueueCreateInfos[0].pQueuePriorities :
				   NULL);
		if (!NT_SUCCESS(st))
			goto fail;
	}
	if (r != VK_SUCCESS) {
		destroy_kmt(d);
		odx_free(pAllocator, d);
		return r;
	}
	*pDevice = (VkDevice)d;
	return VK_SUCCESS;
fail:
	destroy_kmt(d);
	odx_free(pAllocator, d);
	return odx_result(st, VK_ERROR_INITIALIZATION_FAILED);
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyDevice(VkDevice device, const VkAllocationCallbacks *pAllocator)
{
	struct odx_device *d = (struct odx_device *)device;

	(void)pAllocator;
	if (!d)
		return;
	/* The application waited for idle; a bounded wait covers a lost host. */
	for (uint32_t i = 0; i < d->queue_count; i++)
		odx_fences_wait(d, 1, &d->queues[i].idle,
				&d->queues[i].idle_submitted, true, 5000000000ull);
	destroy_kmt(d);
	odx_free(odx_device_alloc(d), d);
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceQueue(VkDevice device, uint32_t queueFamilyIndex,
		   uint32_t queueIndex, VkQueue *pQueue)
{
	struct odx_device *d = (struct odx_device *)device;

	*pQueue = queueFamilyIndex == 0 && queueIndex < d->queue_count ?
		  (VkQueue)&d->queues[queueIndex] : VK_NULL_HANDLE;
}

VKAPI_ATTR void VKAPI_CALL
odx_GetDeviceQueue2(VkDevice device, const VkDeviceQueueInfo2 *pQueueInfo,
		    VkQueue *pQueue)
{
	/* No protected or flagged queues are created. */
	if (pQueueInfo->flags) {
		*pQueue = VK_NULL_HANDLE;
		return;
	}
	odx_GetDeviceQueue(device, pQueueInfo->queueFamilyIndex,
			   pQueueInfo->queueIndex, pQueue);
}

VKAPI_ATTR VkResult VKAPI_CALL odx_QueueWaitIdle(VkQueue queue)
{
	struct odx_queue *q = (struct odx_queue *)queue;
	VkResult r = odx_fences_wait(q->device, 1, &q->idle, &q->idle_submitted,
				     true, UINT64_MAX);

	return r == VK_SUCCESS ? odx_device_check(q->device) : r;
}

VKAPI_ATTR VkResult VKAPI_CALL odx_DeviceWaitIdle(VkDevice device)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_fence *idle[ODX_MAX_QUEUES];
	uint64_t values[ODX_MAX_QUEUES];
	VkResult r;

	for (uint32_t i = 0; i < d->queue_count; i++) {
		idle[i] = d->queues[i].idle;
		values[i] = d->queues[i].idle_submitted;
	}
	r = odx_fences_wait(d, d->queue_count, idle, values, true, UINT64_MAX);
	return r == VK_SUCCESS ? odx_device_check(d) : r;
}
