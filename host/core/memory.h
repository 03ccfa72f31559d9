/* SPDX-License-Identifier: MIT */
/*
 * GPU memory of one VM (docs/memory.md): the IO-space heap that backs every
 * allocation and paging-queue fence page, and the GPU virtual address
 * spaces (one per process and adapter, shared by that process's devices on
 * the adapter).  The memory commands are protocol/memory_cmds.c;
 * the object model calls dxg_mem_release() for every object it frees, so
 * destroying an allocation, a device, a process or a whole guest instance
 * unmaps the allocations from the GPU VA spaces and returns their IO space.
 */
#ifndef DXGHOST_MEMORY_H
#define DXGHOST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/adapter.h"
#include "core/gpadl.h"
#include "core/gpuva.h"
#include "core/guest_ram.h"
#include "core/ioheap.h"
#include "core/objects.h"
#include "util/log.h"

/* Bounds from the reference driver (dxgkrnl-facts.md §1.4). */
#define DXG_MEM_MAX_ALLOCS		1024u	/* per CREATE/DESTROYALLOCATION */
#define DXG_MEM_MAX_RESIDENCY		10240u	/* per MAKERESIDENT / EVICT */

struct dxg_mem {
	struct dxg_ioheap heap;		/* [io_space_offset, shm_size) */
	uint8_t *shm;			/* the VM's BAR2 mapping */
	uint64_t shm_size;
	/* Device-local memory of Vulkan adapters: the VM's quota and use. */
	uint64_t dev_quota, dev_used;
	/* The VM's log limiter, for faults found while executing (or NULL). */
	struct dxg_ratelimit *rl;
	/*
	 * Offer / reclaim (core/residency.c): the IO-space bytes the VM may
	 * have committed (0: the whole IO space), the bytes of offered
	 * allocations whose pages were given back, the offered allocations
	 * (most recently offered first) and how many bytes were discarded.
	 */
	uint64_t io_budget, discarded;
	struct dxg_obj *offered;
	uint64_t offer_seq;		/* counts offers: the reclaim order's last key */
	uint64_t discarded_total;
	/*
	 * Reservations (core/residency.c), per pool (enum dxg_res_pool): the
	 * sum over processes of what they reserved and do not use yet.
	 */
	uint64_t res_unused[2];
	/* Guest RAM, when the host holds it (docs/memory.md §11). */
	struct dxg_guest_ram ram;
	uint32_t sys_runs;		/* core/sysmem.h's budget in use */
	struct dxg_gpadls gpadls;	/* ivshmem's GPADLs (core/gpadl.h) */
};

/* The IO space is [io_offset, shm_size) of shm.  Returns 0 or -errno. */
int dxg_mem_init(struct dxg_mem *m, uint8_t *shm, uint64_t shm_size,
		 uint64_t io_offset);
void dxg_mem_fini(struct dxg_mem *m);

/* The object model's release hook (arg is the struct dxg_mem). */
void dxg_mem_release(void *arg, struct dxg_obj *obj);

/*
 * The GPU VA space that a device's or context's commands use: the one of
 * its process on its adapter, or NULL when nothing was ever reserved there.
 */
struct dxg_gpuva_space *dxg_mem_gpuva(const struct dxg_obj *obj);
/* The GPU VA space of process on adapter, created if it has none; NULL: no memory. */
struct dxg_gpuva_space *dxg_mem_process_gpuva(struct dxg_obj *process,
					      const struct dxg_adapter *adapter);

/*
 * A monitored fence object (@obj, its sync object attached) gets its GPU VA
 * in its process's space on its adapter (docs/sync.md §1): its page,
 * read-only, usable by the command buffers of its device
 * (dxg_sync_device).  Sets obj->u.syncobject.gpu_va; the release hook
 * unmaps it.  Returns an NTSTATUS.
 */
int32_t dxg_mem_fence_map(struct dxg_mem *m, struct dxg_obj *obj);

/*
 * Host pointer to an allocation's memory (size bytes); NULL for device
 * memory.  An existing-sysmem allocation's pages may not all be there yet:
 * use dxg_mem_alloc_usable() before anything reaches them.
 */
void *dxg_mem_alloc_ptr(const struct dxg_mem *m, const struct dxg_obj *alloc);
bool dxg_mem_alloc_usable(const struct dxg_obj *alloc);

/*
 * Sharing (docs/memory.md §9): allocation @dst (new, no memory) uses the
 * memory of allocation @src, which is freed with the last allocation using
 * it.  Returns STATUS_SUCCESS or STATUS_NO_MEMORY.
 */
struct dxg_mem_share {
	uint32_t refs;		/* allocations using the memory */
	bool dev_busy;		/* one of them saw work time out on it */
};

int32_t dxg_mem_alias(struct dxg_obj *dst, struct dxg_obj *src);

/* Does the adapter offer device-local memory to this VM? */
bool dxg_mem_has_device(const struct dxg_mem *m, const struct dxg_adapter *ad);

/*
 * Backs allocation @a (of adapter @ad, no memory yet) with @size bytes of
 * the adapter's device memory, within the VM's quota: STATUS_NOT_SUPPORTED
 * (no device memory on the adapter), STATUS_QUOTA_EXCEEDED (quota or the
 * device full), or another failure.
 */
int32_t dxg_mem_alloc_device(struct dxg_mem *m, struct dxg_obj *a,
			     const struct dxg_adapter *ad, uint64_t size);

/*
 * Residency of device memory (docs/memory.md §10): discard gives offered
 * allocation @a's device memory back to the device once no work uses it
 * (false: it cannot go, e.g. work that timed out may still use it); renew
 * gives it fresh zeroed memory (an NTSTATUS).  The allocation's memory
 * object stays, so its GPU VA mappings stay valid; the VM's dev_used
 * follows.  dxg_mem_dev_backed: does @a's device memory exist now?
 */
bool dxg_mem_dev_discard(struct dxg_mem *m, struct dxg_obj *a);
int32_t dxg_mem_dev_renew(struct dxg_mem *m, struct dxg_obj *a);
bool dxg_mem_dev_backed(const struct dxg_obj *a);

/*
 * Maps [@va, @va + @size) of space @s onto allocation @a from byte @off,
 * host or device memory, with protection @prot (DXG_GPUVA_PROT_*; device
 * memory is read-write only: anything else is STATUS_NOT_SUPPORTED).
 */
int32_t dxg_mem_map_alloc(const struct dxg_mem *m, struct dxg_gpuva_space *s,
			  uint64_t va, uint64_t size, const struct dxg_obj *a,
			  uint64_t off, uint32_t prot);

/*
 * QUERYADAPTERINFO's memory-segment queries (GETSEGMENTSIZE,
 * GETSEGMENTGROUPSIZE) for adapter @ad: the IO space as shared system
 * memory, and the VM's device-memory quota as dedicated video memory where
 * the adapter has device memory.  @buf holds
 * the guest's @size bytes.  STATUS_NOT_SUPPORTED for any other type (and
 * when @m is NULL: a VM without IO space has no segments to report).
 */
int32_t dxg_mem_query_segments(const struct dxg_mem *m,
			       const struct dxg_adapter *ad, uint32_t type,
			       void *buf, uint32_t size);

#endif /* DXGHOST_MEMORY_H */
