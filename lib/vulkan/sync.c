// SPDX-License-Identifier: MIT
/*
 * Fences and semaphores, both D3DKMT monitored fences: the host writes the
 * fence's value into a page mapped in this process when the GPU signals it.
 *   VkFence: each submission that names it signals the next value; it is
 *     signalled once the page reaches that value (or it was created or
 *     marked signalled on the CPU); a reset forgets the value.
 *   Timeline semaphore: the fence value is the semaphore's value.
 *   Binary semaphore: each signal operation takes the next value; a wait
 *     operation waits for the last one signalled.
 * Either may hold a temporarily imported sync file instead
 * (external_sync.c).  Waits spin briefly (short kernels) and then sleep in
 * growing steps.
 */
#include <sched.h>
#include <string.h>
#include <time.h>

#include "odx.h"

#define ODX_SPIN_NS		50000ull
#define ODX_MAX_SLEEP_NS	1000000ull

VkResult odx_fence_create(struct odx_device *d, uint64_t initial, bool shared,
			  struct odx_fence **out)
{
	D3DKMT_CREATESYNCHRONIZATIONOBJECT2 so = { 0 };
	struct odx_fence *f;
	NTSTATUS st;

	f = odx_alloc(odx_device_alloc(d), sizeof(*f), VK_SYSTEM_ALLOCATION_SCOPE_OBJECT);
	if (!f)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	memset(f, 0, sizeof(*f));
	so.device = d->device;
	so.info.type = D3DDDI_MONITORED_FENCE;
	so.info.monitored_fence.initial_fence_value = initial;
	if (shared)
		so.info.flags.value = D3DDDI_SYNCOBJ_FLAG_SHARED |
				      D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING;
	st = D3DKMTCreateSynchronizationObject2(&so);
	if (!NT_SUCCESS(st) || !so.info.monitored_fence.fence_cpu_virtual_address) {
		odx_free(odx_device_alloc(d), f);
		return odx_result(st, VK_ERROR_OUT_OF_HOST_MEMORY);
	}
	f->sync = so.sync_object;
	f->cpu = (const volatile uint64_t *)(uintptr_t)
		 so.info.monitored_fence.fence_cpu_virtual_address;
	f->last = initial;
	*out = f;
	return VK_SUCCESS;
}

void odx_fence_destroy(struct odx_device *d, struct odx_fence *f)
{
	D3DKMT_DESTROYSYNCHRONIZATIONOBJECT ds;

	if (!f)
		return;
	odx_import_drop(f);
	odx_opaque_fence_restore(f);
	ds.sync_object = f->sync;
	D3DKMTDestroySynchronizationObject(&ds);
	odx_free(odx_device_alloc(d), f);
}

VkResult odx_fence_signal_cpu(struct odx_device *d, struct odx_fence *f, uint64_t v)
{
	D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMCPU sc = {
		.device = d->device, .object_count = 1,
		.objects = (__u64)(uintptr_t)&f->sync,
		.fence_values = (__u64)(uintptr_t)&v,
	};
	NTSTATUS st = D3DKMTSignalSynchronizationObjectFromCpu(&sc);

	return NT_SUCCESS(st) ? VK_SUCCESS : odx_result(st, VK_ERROR_DEVICE_LOST);
}

uint64_t odx_fence_value(const struct odx_fence *f)
{
	return __atomic_load_n((const uint64_t *)f->cpu, __ATOMIC_ACQUIRE);
}

static bool reached(struct odx_fence *const *f, const uint64_t *values,
		    uint32_t n, bool all)
{
	uint32_t done = 0;

	for (uint32_t i = 0; i < n; i++)
		done += f[i]->imported ? odx_import_signaled(f[i]) :
			odx_fence_value(f[i]) >= values[i];
	return all ? done == n : done > 0;
}

VkResult odx_fences_wait(struct odx_device *d, uint32_t n,
			 struct odx_fence *const *f, const uint64_t *values,
			 bool all, uint64_t timeout_ns)
{
	uint64_t start = odx_now_ns(), sleep_ns = 1000, deadline;

	deadline = timeout_ns > UINT64_MAX - start ? UINT64_MAX : start + timeout_ns;
	while (!reached(f, values, n, all)) {
		uint64_t t = odx_now_ns();
		struct timespec ts;

		if (t >= deadline)
			return VK_TIMEOUT;
		if (atomic_load(&d->lost))
			return VK_ERROR_DEVICE_LOST;
		if (t - start < ODX_SPIN_NS) {
			sched_yield();
			continue;
		}
		if (sleep_ns > deadline - t)
			sleep_ns = deadline - t;
		ts.tv_sec = (time_t)(sleep_ns / 1000000000ull);
		ts.tv_nsec = (long)(sleep_ns % 1000000000ull);
		nanosleep(&ts, NULL);
		if (sleep_ns < ODX_MAX_SLEEP_NS)
			sleep_ns *= 2;
	}
	return VK_SUCCESS;
}

/* ---- VkFence ---- */

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateFence(VkDevice device, const VkFenceCreateInfo *pCreateInfo,
		const VkAllocationCallbacks *pAllocator, VkFence *pFence)
{
	const bool signaled = pCreateInfo->flags & VK_FENCE_CREATE_SIGNALED_BIT;
	/* Shared by OPAQUE_FD: the state is the value's parity (opaque_fence.c). */
	const bool parity = odx_opaque_fence_requested(pCreateInfo->pNext);
	struct odx_fence *f = NULL;
	VkResult r = odx_fence_create((struct odx_device *)device,
				      parity && signaled ? 1 : 0,
				      odx_fence_exportable(pCreateInfo->pNext), &f);

	(void)pAllocator;
	if (r != VK_SUCCESS)
		return r;
	f->parity = parity;
	f->cpu_signaled = signaled && !parity;
	*pFence = ODX_TO_HANDLE(VkFence, f);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroyFence(VkDevice device, VkFence fence,
		 const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_fence_destroy((struct odx_device *)device, ODX_FROM_HANDLE(odx_fence, fence));
}

static bool fence_signaled(const struct odx_fence *f)
{
	if (f->imported)
		return odx_import_signaled(f);
	if (f->parity)
		return odx_parity_signaled(f);
	return f->cpu_signaled || (f->pending && odx_fence_value(f) >= f->pending);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_ResetFences(VkDevice device, uint32_t count, const VkFence *pFences)
{
	VkResult r = VK_SUCCESS;

	for (uint32_t i = 0; i < count; i++) {
		struct odx_fence *f = ODX_FROM_HANDLE(odx_fence, pFences[i]);

		/* A temporary import goes; the permanent payload is reset. */
		odx_import_drop(f);
		odx_opaque_fence_restore(f);
		if (f->parity && r == VK_SUCCESS)
			r = odx_parity_reset((struct odx_device *)device, f);
		f->cpu_signaled = false;
		f->pending = 0;
	}
	return r;
}

VKAPI_ATTR VkResult VKAPI_CALL odx_GetFenceStatus(VkDevice device, VkFence fence)
{
	struct odx_device *d = (struct odx_device *)device;

	if (!fence_signaled(ODX_FROM_HANDLE(odx_fence, fence)))
		return atomic_load(&d->lost) ? VK_ERROR_DEVICE_LOST : VK_NOT_READY;
	/* The host signals a failed submission's fences too: look. */
	return odx_device_check(d) == VK_SUCCESS ? VK_SUCCESS : VK_ERROR_DEVICE_LOST;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_WaitForFences(VkDevice device, uint32_t count, const VkFence *pFences,
		  VkBool32 waitAll, uint64_t timeout)
{
	struct odx_device *d = (struct odx_device *)device;
	struct odx_fence *f[64];
	uint64_t v[64];
	uint32_t n = 0;
	bool any_done = false;
	VkResult r;

	if (count > 64)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	for (uint32_t i = 0; i < count; i++) {
		struct odx_fence *x = ODX_FROM_HANDLE(odx_fence, pFences[i]);

		if (!x->imported && x->parity) {
			/* Its next odd value (reached already when odd). */
			f[n] = x;
			v[n++] = odx_fence_value(x) | 1;
			continue;
		}
		if (!x->imported && x->cpu_signaled) {
			any_done = true;
			continue;
		}
		f[n] = x;
		/*
		 * Never submitted: only the timeout ends the wait.  A
		 * temporary import: its sync file (reached() polls it).
		 */
		v[n++] = x->pending ? x->pending : UINT64_MAX;
	}
	if ((!waitAll && any_done) || !n)
		return odx_device_check(d);
	r = odx_fences_wait(d, n, f, v, waitAll, timeout);
	if (r != VK_SUCCESS)
		return r;
	return odx_device_check(d);
}

/* ---- VkSemaphore ---- */

VKAPI_ATTR VkResult VKAPI_CALL
odx_CreateSemaphore(VkDevice device, const VkSemaphoreCreateInfo *pCreateInfo,
		    const VkAllocationCallbacks *pAllocator, VkSemaphore *pSemaphore)
{
	const VkSemaphoreTypeCreateInfo *type = NULL;
	struct odx_fence *f = NULL;
	VkResult r;

	(void)pAllocator;
	for (const VkBaseInStructure *s = pCreateInfo->pNext; s; s = s->pNext)
		if (s->sType == VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO)
			type = (const void *)s;
	r = odx_fence_create((struct odx_device *)device,
			     type && type->semaphoreType == VK_SEMAPHORE_TYPE_TIMELINE ?
			     type->initialValue : 0,
			     odx_fence_exportable(pCreateInfo->pNext), &f);
	if (r != VK_SUCCESS)
		return r;
	f->timeline = type && type->semaphoreType == VK_SEMAPHORE_TYPE_TIMELINE;
	*pSemaphore = ODX_TO_HANDLE(VkSemaphore, f);
	return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL
odx_DestroySemaphore(VkDevice device, VkSemaphore semaphore,
		     const VkAllocationCallbacks *pAllocator)
{
	(void)pAllocator;
	odx_fence_destroy((struct odx_device *)device,
			  ODX_FROM_HANDLE(odx_fence, semaphore));
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_GetSemaphoreCounterValue(VkDevice device, VkSemaphore semaphore,
			     uint64_t *pValue)
{
	*pValue = odx_fence_value(ODX_FROM_HANDLE(odx_fence, semaphore));
	return atomic_load(&((struct odx_device *)device)->lost) ?
	       VK_ERROR_DEVICE_LOST : VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_WaitSemaphores(VkDevice device, const VkSemaphoreWaitInfo *pWaitInfo,
		   uint64_t timeout)
{
	struct odx_fence *f[64];

	if (pWaitInfo->semaphoreCount > 64)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	for (uint32_t i = 0; i < pWaitInfo->semaphoreCount; i++)
		f[i] = ODX_FROM_HANDLE(odx_fence, pWaitInfo->pSemaphores[i]);
	return odx_fences_wait((struct odx_device *)device, pWaitInfo->semaphoreCount,
			       f, pWaitInfo->pValues,
			       !(pWaitInfo->flags & VK_SEMAPHORE_WAIT_ANY_BIT), timeout);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_SignalSemaphore(VkDevice device, const VkSemaphoreSignalInfo *pSignalInfo)
{
	return odx_fence_signal_cpu((struct odx_device *)device,
				    ODX_FROM_HANDLE(odx_fence, pSignalInfo->semaphore),
				    pSignalInfo->value);
}
