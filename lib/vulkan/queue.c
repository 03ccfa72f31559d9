// SPDX-License-Identifier: MIT
/*
 * Submission.  One batch of vkQueueSubmit(2) becomes, on the device's
 * context: a GPU wait for its wait semaphores
 * (WaitForSynchronizationObjectFromGpu), one SubmitCommand per command
 * buffer, and one SignalSynchronizationObjectFromGpu for its signal
 * semaphores, the fence (after the last batch) and the device's idle fence.
 * The host runs a context's work in order, so the signals follow the work.
 */
#include <string.h>

#include "odx.h"

#define ODX_MAX_SYNC	64u	/* semaphores per batch, fence and idle included */

struct batch {
	uint32_t nwait, nsignal, ncmd;
	struct odx_fence *wait[ODX_MAX_SYNC];
	uint64_t wait_value[ODX_MAX_SYNC];
	struct odx_fence *signal[ODX_MAX_SYNC];
	uint64_t signal_value[ODX_MAX_SYNC];
	const VkCommandBuffer *cmds;		/* Submit: an array */
	const VkCommandBufferSubmitInfo *cmds2;	/* Submit2 */
};

/* A wait on a semaphore: its value, or for a binary one its last signal. */
static void add_wait(struct batch *b, struct odx_fence *f, uint64_t value)
{
	b->wait[b->nwait] = f;
	b->wait_value[b->nwait++] = f->timeline ? value : f->last;
}

static void add_signal(struct batch *b, struct odx_fence *f, uint64_t value)
{
	if (!f->timeline)
		value = f->last + 1;
	f->last = value > f->last ? value : f->last;
	b->signal[b->nsignal] = f;
	b->signal_value[b->nsignal++] = value;
}

static VkResult handles(struct odx_fence *const *f, uint32_t n, D3DKMT_HANDLE *h)
{
	for (uint32_t i = 0; i < n; i++)
		h[i] = f[i]->sync;
	return VK_SUCCESS;
}

static VkResult run_batch(struct odx_device *d, struct batch *b, struct odx_fence *fence)
{
	D3DKMT_HANDLE h[ODX_MAX_SYNC];
	NTSTATUS st;

	if (b->nwait) {
		D3DKMT_WAITFORSYNCHRONIZATIONOBJECTFROMGPU w = {
			.context = d->context, .object_count = b->nwait,
			.objects = (__u64)(uintptr_t)h,
			.monitored_fence_values = (__u64)(uintptr_t)b->wait_value,
		};

		handles(b->wait, b->nwait, h);
		st = D3DKMTWaitForSynchronizationObjectFromGpu(&w);
		if (!NT_SUCCESS(st))
			return odx_result(st, VK_ERROR_DEVICE_LOST);
	}
	for (uint32_t i = 0; i < b->ncmd; i++) {
		const struct odx_cmd_buffer *c = (const struct odx_cmd_buffer *)
			(b->cmds ? b->cmds[i] : b->cmds2[i].commandBuffer);
		D3DKMT_SUBMITCOMMAND sc = {
			.command_buffer = c->gpu->va, .command_length = c->length,
			.broadcast_context_count = 1,
		};

		sc.broadcast_context[0] = d->context;
		/* The stream is in memory before the host hears of it. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		st = D3DKMTSubmitCommand(&sc);
		if (!NT_SUCCESS(st))
			return odx_result(st, VK_ERROR_DEVICE_LOST);
	}
	if (fence) {
		fence->pending = ++fence->last;
		b->signal[b->nsignal] = fence;
		b->signal_value[b->nsignal++] = fence->pending;
	}
	b->signal[b->nsignal] = d->idle;
	b->signal_value[b->nsignal++] = ++d->idle_submitted;
	{
		D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMGPU s = {
			.context = d->context, .object_count = b->nsignal,
			.objects = (__u64)(uintptr_t)h,
			.monitored_fence_values = (__u64)(uintptr_t)b->signal_value,
		};

		handles(b->signal, b->nsignal, h);
		st = D3DKMTSignalSynchronizationObjectFromGpu(&s);
		if (!NT_SUCCESS(st)) {
			/* Work nobody can wait for: the device is unusable. */
			atomic_store(&d->lost, true);
			return VK_ERROR_DEVICE_LOST;
		}
	}
	return VK_SUCCESS;
}

static const void *find_next(const void *chain, VkStructureType type)
{
	for (const VkBaseInStructure *s = chain; s; s = s->pNext)
		if (s->sType == type)
			return s;
	return NULL;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_QueueSubmit(VkQueue queue, uint32_t count, const VkSubmitInfo *pSubmits,
		VkFence fence)
{
	struct odx_device *d = ((struct odx_queue *)queue)->device;
	struct odx_fence *f = ODX_FROM_HANDLE(odx_fence, fence);
	struct batch b;

	if (atomic_load(&d->lost))
		return VK_ERROR_DEVICE_LOST;
	for (uint32_t i = 0; i < count || (i == 0 && f); i++) {
		const VkSubmitInfo *si = i < count ? &pSubmits[i] : NULL;
		const VkTimelineSemaphoreSubmitInfo *tl = si ? find_next(si->pNext,
			VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO) : NULL;
		bool last = i + 1 >= count;
		VkResult r;

		memset(&b, 0, sizeof(b));
		if (si && (si->waitSemaphoreCount > ODX_MAX_SYNC ||
			   si->signalSemaphoreCount > ODX_MAX_SYNC - 2))
			return VK_ERROR_OUT_OF_HOST_MEMORY;
		for (uint32_t k = 0; si && k < si->waitSemaphoreCount; k++)
			add_wait(&b, ODX_FROM_HANDLE(odx_fence, si->pWaitSemaphores[k]),
				 tl && k < tl->waitSemaphoreValueCount ?
				 tl->pWaitSemaphoreValues[k] : 0);
		for (uint32_t k = 0; si && k < si->signalSemaphoreCount; k++)
			add_signal(&b, ODX_FROM_HANDLE(odx_fence, si->pSignalSemaphores[k]),
				   tl && k < tl->signalSemaphoreValueCount ?
				   tl->pSignalSemaphoreValues[k] : 0);
		b.ncmd = si ? si->commandBufferCount : 0;
		b.cmds = si ? si->pCommandBuffers : NULL;
		r = run_batch(d, &b, last ? f : NULL);
		if (r != VK_SUCCESS)
			return r;
	}
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_QueueSubmit2(VkQueue queue, uint32_t count, const VkSubmitInfo2 *pSubmits,
		 VkFence fence)
{
	struct odx_device *d = ((struct odx_queue *)queue)->device;
	struct odx_fence *f = ODX_FROM_HANDLE(odx_fence, fence);
	struct batch b;

	if (atomic_load(&d->lost))
		return VK_ERROR_DEVICE_LOST;
	for (uint32_t i = 0; i < count || (i == 0 && f); i++) {
		const VkSubmitInfo2 *si = i < count ? &pSubmits[i] : NULL;
		VkResult r;

		memset(&b, 0, sizeof(b));
		if (si && (si->waitSemaphoreInfoCount > ODX_MAX_SYNC ||
			   si->signalSemaphoreInfoCount > ODX_MAX_SYNC - 2))
			return VK_ERROR_OUT_OF_HOST_MEMORY;
		for (uint32_t k = 0; si && k < si->waitSemaphoreInfoCount; k++)
			add_wait(&b, ODX_FROM_HANDLE(odx_fence,
						     si->pWaitSemaphoreInfos[k].semaphore),
				 si->pWaitSemaphoreInfos[k].value);
		for (uint32_t k = 0; si && k < si->signalSemaphoreInfoCount; k++)
			add_signal(&b, ODX_FROM_HANDLE(odx_fence,
						       si->pSignalSemaphoreInfos[k].semaphore),
				   si->pSignalSemaphoreInfos[k].value);
		b.ncmd = si ? si->commandBufferInfoCount : 0;
		b.cmds2 = si ? si->pCommandBufferInfos : NULL;
		r = run_batch(d, &b, i + 1 >= count ? f : NULL);
		if (r != VK_SUCCESS)
			return r;
	}
	return VK_SUCCESS;
}
