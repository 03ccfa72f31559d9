// SPDX-License-Identifier: MIT
/*
 * Submission.  One batch of vkQueueSubmit(2) becomes, on the queue's
 * context: a GPU wait for its wait semaphores
 * (WaitForSynchronizationObjectFromGpu; a semaphore with an imported sync
 * file: WaitSyncFile, or a CPU wait for a foreign one, external_sync.c),
 * one SubmitCommand per command buffer, and one
 * SignalSynchronizationObjectFromGpu for its signal semaphores, the fence
 * (after the last batch) and the queue's idle fence.
 * The host runs a context's work in order, so the signals follow the work.
 */
#include <string.h>

#include "odx.h"

#define ODX_MAX_SYNC	64u	/* semaphores per batch, fence and idle included */

struct batch {
	uint32_t nwait, nsignal, ncmd, nimport;
	struct odx_fence *import[ODX_MAX_SYNC];	/* waits on sync files */
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
	if (f->imported) {
		b->import[b->nimport++] = f;
		return;
	}
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

static VkResult run_batch(struct odx_queue *q, struct batch *b, struct odx_fence *fence)
{
	struct odx_device *d = q->device;
	D3DKMT_HANDLE h[ODX_MAX_SYNC];
	NTSTATUS st;

	if (b->nwait) {
		D3DKMT_WAITFORSYNCHRONIZATIONOBJECTFROMGPU w = {
			.context = q->context, .object_count = b->nwait,
			.objects = (__u64)(uintptr_t)h,
			.monitored_fence_values = (__u64)(uintptr_t)b->wait_value,
		};

		handles(b->wait, b->nwait, h);
		st = D3DKMTWaitForSynchronizationObjectFromGpu(&w);
		if (!NT_SUCCESS(st))
			return odx_result(st, VK_ERROR_DEVICE_LOST);
	}
	for (uint32_t i = 0; i < b->nimport; i++) {
		VkResult r = odx_import_wait(q, b->import[i]);

		if (r != VK_SUCCESS)
			return r;
	}
	for (uint32_t i = 0; i < b->ncmd; i++) {
		const struct odx_cmd_buffer *c = (const struct odx_cmd_buffer *)
			(b->cmds ? b->cmds[i] : b->cmds2[i].commandBuffer);
		D3DKMT_SUBMITCOMMAND sc = {
			.command_buffer = c->gpu->va, .command_length = c->length,
			.broadcast_context_count = 1,
		};

		sc.broadcast_context[0] = q->context;
		/* The stream is in memory before the host hears of it. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		st = D3DKMTSubmitCommand(&sc);
		if (!NT_SUCCESS(st))
			return odx_result(st, VK_ERROR_DEVICE_LOST);
	}
	if (fence) {
		fence->pending = fence->parity ? odx_parity_next(fence) : ++fence->last;
		b->signal[b->nsignal] = fence;
		b->signal_value[b->nsignal++] = fence->pending;
	}
	b->signal[b->nsignal] = q->idle;
	b->signal_value[b->nsignal++] = ++q->idle_submitted;
	{
		D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMGPU s = {
			.context = q->context, .object_count = b->nsignal,
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

/*
 * Batch @i of a vkQueueSubmit (VkSubmitInfo) into @b: its semaphores with
 * their values (VkTimelineSemaphoreSubmitInfo) and command buffers.
 */
static VkResult batch_from_submit(struct batch *b, const void *infos, uint32_t i)
{
	const VkSubmitInfo *si = &((const VkSubmitInfo *)infos)[i];
	const VkTimelineSemaphoreSubmitInfo *tl =
		odx_find_in_chain(si->pNext, VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO);

	if (si->waitSemaphoreCount > ODX_MAX_SYNC ||
	    si->signalSemaphoreCount > ODX_MAX_SYNC - 2)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	for (uint32_t k = 0; k < si->waitSemaphoreCount; k++)
		add_wait(b, ODX_FROM_HANDLE(odx_fence, si->pWaitSemaphores[k]),
			 tl && k < tl->waitSemaphoreValueCount ? tl->pWaitSemaphoreValues[k] : 0);
	for (uint32_t k = 0; k < si->signalSemaphoreCount; k++)
		add_signal(b, ODX_FROM_HANDLE(odx_fence, si->pSignalSemaphores[k]),
			   tl && k < tl->signalSemaphoreValueCount ?
			   tl->pSignalSemaphoreValues[k] : 0);
	b->ncmd = si->commandBufferCount;
	b->cmds = si->pCommandBuffers;
	return VK_SUCCESS;
}

/* The same for vkQueueSubmit2 (VkSubmitInfo2). */
static VkResult batch_from_submit2(struct batch *b, const void *infos, uint32_t i)
{
	const VkSubmitInfo2 *si = &((const VkSubmitInfo2 *)infos)[i];

	if (si->waitSemaphoreInfoCount > ODX_MAX_SYNC ||
	    si->signalSemaphoreInfoCount > ODX_MAX_SYNC - 2)
		return VK_ERROR_OUT_OF_HOST_MEMORY;
	for (uint32_t k = 0; k < si->waitSemaphoreInfoCount; k++)
		add_wait(b, ODX_FROM_HANDLE(odx_fence, si->pWaitSemaphoreInfos[k].semaphore),
			 si->pWaitSemaphoreInfos[k].value);
	for (uint32_t k = 0; k < si->signalSemaphoreInfoCount; k++)
		add_signal(b, ODX_FROM_HANDLE(odx_fence, si->pSignalSemaphoreInfos[k].semaphore),
			   si->pSignalSemaphoreInfos[k].value);
	b->ncmd = si->commandBufferInfoCount;
	b->cmds2 = si->pCommandBufferInfos;
	return VK_SUCCESS;
}

/*
 * Every batch in order; the fence goes with the last, or with an empty
 * batch of its own when there is none.
 */
static VkResult submit(VkQueue queue, uint32_t count, const void *infos, VkFence fence,
		       VkResult (*fill)(struct batch *b, const void *infos, uint32_t i))
{
	struct odx_queue *q = (struct odx_queue *)queue;
	struct odx_device *d = q->device;
	struct odx_fence *f = ODX_FROM_HANDLE(odx_fence, fence);
	struct batch b;

	if (atomic_load(&d->lost))
		return VK_ERROR_DEVICE_LOST;
	/* The submission signals the fence's permanent payload. */
	if (f)
		odx_import_drop(f);
	for (uint32_t i = 0; i < count || (i == 0 && f); i++) {
		VkResult r = VK_SUCCESS;

		memset(&b, 0, sizeof(b));
		if (i < count)
			r = fill(&b, infos, i);
		if (r == VK_SUCCESS)
			r = run_batch(q, &b, i + 1 >= count ? f : NULL);
		if (r != VK_SUCCESS)
			return r;
	}
	return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_QueueSubmit(VkQueue queue, uint32_t count, const VkSubmitInfo *pSubmits,
		VkFence fence)
{
	return submit(queue, count, pSubmits, fence, batch_from_submit);
}

VKAPI_ATTR VkResult VKAPI_CALL
odx_QueueSubmit2(VkQueue queue, uint32_t count, const VkSubmitInfo2 *pSubmits,
		 VkFence fence)
{
	return submit(queue, count, pSubmits, fence, batch_from_submit2);
}
