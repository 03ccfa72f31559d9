// SPDX-License-Identifier: MIT
/*
 * VK_EXT_memory_budget: per heap, what this process uses and may still
 * allocate, from the kernel driver's QueryVideoMemoryInfo (the host's
 * budget and usage of each memory segment group) and what this process
 * allocated itself (heap_used, memory.c).
 *
 * The heaps map onto the segment groups as dxghost reports them
 * (docs/memory.md §8): with device memory, heap 0 (device-local) is LOCAL
 * and heap 1 (the IO space) NON_LOCAL; without, the IO space is heap 0 and
 * LOCAL.  The group's usage is the whole VM's, so
 *   heapUsage  = this process's bytes in the heap;
 *   heapBudget = the group's budget less what the rest of the VM uses,
 *                at most the heap's size: what this process could still
 *                hold, its own usage included.
 * A failed query reports the heap's size as the budget.
 */
#include <stdatomic.h>
#include <string.h>

#include "odx.h"

static void heap_budget(const struct odx_physical_device *pd, uint32_t heap,
			uint64_t size, VkDeviceSize *budget, VkDeviceSize *usage)
{
	D3DKMT_QUERYVIDEOMEMORYINFO q = { .adapter = pd->adapter };
	uint64_t own = atomic_load(&pd->heap_used[heap]), others, b;

	q.memory_segment_group = heap == 0 ? D3DKMT_MEMORY_SEGMENT_GROUP_LOCAL :
				 D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL;
	*usage = own;
	if (!NT_SUCCESS(D3DKMTQueryVideoMemoryInfo(&q))) {
		*budget = size;
		return;
	}
	others = q.current_usage > own ? q.current_usage - own : 0;
	b = q.budget > others ? q.budget - others : 0;
	*budget = b < size ? b : size;
}

void odx_memory_budget(const struct odx_physical_device *pd,
		       const VkPhysicalDeviceMemoryProperties *mem,
		       VkPhysicalDeviceMemoryBudgetPropertiesEXT *out)
{
	memset(out->heapBudget, 0, sizeof(out->heapBudget));
	memset(out->heapUsage, 0, sizeof(out->heapUsage));
	for (uint32_t i = 0; i < mem->memoryHeapCount && i < 2; i++)
		heap_budget(pd, i, mem->memoryHeaps[i].size, &out->heapBudget[i],
			    &out->heapUsage[i]);
}
