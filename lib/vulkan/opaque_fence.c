// SPDX-License-Identifier: MIT
/*
 * VkFence shared by OPAQUE_FD (VK_KHR_external_fence_fd): the fd is the
 * kernel driver's NT handle of the fence's monitored fence, and an import
 * opens that fence for the importing device, as for timeline semaphores
 * (opaque_semaphore.c).  Reference transference means every process sees
 * one payload, so nothing of a shared fence's state may live in one
 * process: it is all in the shared value, odd meaning signalled.
 *   - created signalled: 1, else 0;
 *   - a submission signals the next odd value (valid usage says the fence
 *     is unsignalled then, so the next value);
 *   - vkResetFences raises an odd value to the next even one from the CPU
 *     (valid usage says no signal is pending then) and waits until the
 *     host has it;
 *   - a wait waits for the value's next odd one.
 * Each of these moves the value forward only, as a monitored fence needs.
 * A temporary import replaces the fence's payload until the next reset,
 * which restores the permanent one (and then resets it, as the spec says).
 */
#include <unistd.h>

#include "odx.h"

/* How long a reset waits for the host to take its value. */
#define ODX_RESET_TIMEOUT_NS	(10ull * 1000000000ull)

static bool has_opaque(VkExternalFenceHandleTypeFlags t)
{
	return t & VK_EXTERNAL_FENCE_HANDLE_TYPE_OPAQUE_FD_BIT;
}

bool odx_opaque_fence_requested(const void *pNext)
{
	const VkExportFenceCreateInfo *e =
		odx_find_in_chain(pNext, VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO);

	return e && has_opaque(e->handleTypes);
}

bool odx_parity_signaled(const struct odx_fence *f)
{
	return odx_fence_value(f) & 1;
}

uint64_t odx_parity_next(const struct odx_fence *f)
{
	uint64_t v = odx_fence_value(f);

	return (v | 1) == v ? v + 2 : v + 1;
}

VkResult odx_parity_reset(struct odx_device *d, struct odx_fence *f)
{
	uint64_t v = odx_fence_value(f) + 1;
	VkResult r;

	if (v & 1)		/* was even: unsignalled already */
		return VK_SUCCESS;
	r = odx_fence_signal_cpu(d, f, v);
	if (r != VK_SUCCESS)
		return r;
	/*
	 * The signal is an asynchronous message: the fence is unsignalled
	 * only once the host wrote the value, for this process (a status
	 * right after the reset) and for the others alike.
	 */
	return odx_fences_wait(d, 1, &f, &v, true, ODX_RESET_TIMEOUT_NS) == VK_SUCCESS ?
	       VK_SUCCESS : VK_ERROR_DEVICE_LOST;
}

VkResult odx_opaque_fence_export(struct odx_fence *f, int *fd)
{
	if (!f->parity)
		return VK_ERROR_INVALID_EXTERNAL_HANDLE;
	return odx_share_fence(f->sync, fd);
}

void odx_opaque_fence_restore(struct odx_fence *f)
{
	D3DKMT_DESTROYSYNCHRONIZATIONOBJECT ds = { .sync_object = f->sync };

	if (!f->opaque_temp)
		return;
	D3DKMTDestroySynchronizationObject(&ds);
	f->sync = f->perm_sync;
	f->cpu = f->perm_cpu;
	f->parity = f->perm_parity;
	f->opaque_temp = false;
}

VkResult odx_opaque_fence_import(struct odx_device *d, struct odx_fence *f, int fd,
				 bool temporary)
{
	D3DKMT_DESTROYSYNCHRONIZATIONOBJECT ds;
	const volatile uint64_t *cpu;
	D3DKMT_HANDLE sync;
	VkResult r = odx_open_shared_fence(d, fd, &sync, &cpu);

	if (r != VK_SUCCESS)
		return r;
	/* A SYNC_FD payload imported before goes, as does an earlier one. */
	odx_import_drop(f);
	if (temporary && !f->opaque_temp) {
		f->perm_sync = f->sync;
		f->perm_cpu = f->cpu;
		f->perm_parity = f->parity;
		f->opaque_temp = true;
	} else {
		/* Permanent: the old payload (or the temporary one) is gone. */
		ds.sync_object = f->sync;
		D3DKMTDestroySynchronizationObject(&ds);
		if (!temporary && f->opaque_temp) {
			ds.sync_object = f->perm_sync;
			D3DKMTDestroySynchronizationObject(&ds);
			f->opaque_temp = false;
		}
	}
	f->sync = sync;
	f->cpu = cpu;
	f->parity = true;
	f->cpu_signaled = false;
	f->pending = 0;
	close(fd);
	return VK_SUCCESS;
}
