/* SPDX-License-Identifier: MIT */
/*
 * The host object model of one VM: processes (roots), opened adapters
 * (VM-wide roots), devices owned by a process on an adapter, contexts owned
 * by a device.  Every object has a handle in the VM's one handle table and
 * is counted; destroying an object destroys its children first.  A per-VM
 * quota bounds the number of live objects.
 */
#ifndef DXGHOST_OBJECTS_H
#define DXGHOST_OBJECTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/handles.h"

struct dxg_adapter;
struct dxg_engine;
struct dxg_worker;
struct dxg_gpuva_space;
struct dxg_obj;
struct dxg_proc_busy;
struct dxg_vk_devmem;
struct dxg_sysmem;
struct dxg_ctxq;
struct dxg_sync;
struct dxg_mem_share;

/* Called for every object just before it is freed (host/core/memory.c). */
typedef void (*dxg_obj_release_fn)(void *arg, struct dxg_obj *obj);

enum dxg_obj_type {
	DXG_OBJ_PROCESS = 1,
	DXG_OBJ_ADAPTER = 2,
	DXG_OBJ_DEVICE = 3,
	DXG_OBJ_CONTEXT = 4,
	DXG_OBJ_RESOURCE = 5,		/* owns allocations; child of a device */
	DXG_OBJ_ALLOCATION = 6,		/* child of a device or a resource */
	DXG_OBJ_PAGINGQUEUE = 7,	/* child of a device */
	DXG_OBJ_SYNCOBJECT = 8,		/* child of a device (fences) or process */
	/*
	 * An NT shared object (CREATENTSHAREDOBJECT): a VM-wide root, like
	 * adapters, that keeps a shared resource's memory (its children:
	 * allocations aliasing it) or a shared fence alive for the guest's
	 * file descriptors, whatever becomes of the process that shared it.
	 */
	DXG_OBJ_NTSHARED = 9,
	DXG_OBJ_HWQUEUE = 10,		/* child of a context; its progress fence
					 * is a child DXG_OBJ_SYNCOBJECT */
	DXG_OBJ_TYPE_COUNT,
};

struct dxg_obj {
	enum dxg_obj_type type;
	uint32_t handle;
	struct dxg_obj *parent;		/* NULL for roots */
	struct dxg_obj *process;	/* owning process (self; NULL for adapters) */
	struct dxg_obj *children;	/* first child */
	struct dxg_obj *next, *prev;	/* siblings (or roots) */
	const struct dxg_adapter *adapter; /* adapter, device, context */
	union {
		struct {
			uint64_t cookie;
			uint32_t pid;
			/* GPU VA spaces, one per adapter index (host/core/memory.c). */
			struct dxg_gpuva_space **gpuva;
			/* CHANGEVIDEOMEMORYRESERVATION: [adapter][segment group]. */
			uint64_t (*reservation)[2];
			/*
			 * core/residency.c, per pool (IO space, device memory):
			 * the bytes its allocations hold committed and the sum
			 * of its reservations.
			 */
			uint64_t res_used[2], res_reserved[2];
			/*
			 * Its jobs' busy time per adapter and node (core/
			 * scheduler.c), made at its first job.
			 */
			struct dxg_proc_busy *busy;
		} process;
		struct {
			uint32_t flags;
			/* host/core/execution.c: the engine and the execution state. */
			struct dxg_engine *engine;
			struct dxg_worker *worker;	/* runs its jobs */
			uint32_t exec_state;	/* D3DKMT_DEVICEEXECUTION_* */
			uint32_t num_pipelines;	/* live, created by escapes */
			/* host/core/scheduler.c: its jobs on the worker (0 or 1). */
			uint32_t inflight;
		} device;
		struct {
			uint32_t node_ordinal;
			uint32_t flags;
			struct dxg_ctxq *queue;	/* host/core/scheduler.c */
			/* SETCONTEXT[INPROCESS]SCHEDULINGPRIORITY (docs/sync.md). */
			int32_t priority;
			int32_t inproc_priority;
		} context;
		struct {
			struct dxg_sync *sync;	/* host/core/sync.c */
			/* A fence's GPU VA (host/core/memory.c), 0: none. */
			uint64_t gpu_va;
		} syncobject;
		struct {
			uint64_t io_offset;	/* absolute BAR2 offset */
			uint64_t size;		/* bytes, page multiple */
			uint32_t lock_count;	/* LOCK2 minus UNLOCK2 */
			/* Device-local instead of IO space (docs/memory.md §8). */
			struct dxg_vk_devmem *dev;
			/* Or pinned guest RAM (core/sysmem.h, docs/memory.md §11). */
			struct dxg_sysmem *sys;
			/* Work that timed out may still use dev: it is leaked. */
			bool dev_busy;
			/*
			 * Memory shared with other allocations (opened from an
			 * NT shared object): freed with the last of them
			 * (host/core/memory.c).  NULL: its own.
			 */
			struct dxg_mem_share *share;
			/* host/core/residency.c (docs/memory.md §10). */
			uint32_t priority;	/* D3DDDI_ALLOCATIONPRIORITY_* */
			uint32_t offer_priority; /* 0: not offered */
			uint64_t offer_seq;	/* when it was offered (older first) */
			bool discarded;		/* offered, pages given back */
			/* Its device address was given out: never discarded. */
			bool no_discard;
			/* Its bytes count in its process's res_used. */
			bool charged;
			bool accessed_physically; /* UPDATEALLOCATIONPROPERTY */
			uint32_t segment_set;	/* supported segments, bit n: n + 1 */
			uint32_t preferred_segment;
			struct dxg_obj *offer_prev, *offer_next; /* offered list */
		} allocation;
		struct {
			/* Created CREATE_SHARED | NT_SECURITY_SHARING. */
			bool shared;
		} resource;
		struct {
			uint32_t kind;		/* DXGKVMB_NTSHARED_* */
			/* Resources: the aliases (children), in the guest's order. */
			uint32_t count;
			struct dxg_obj **allocs;
			struct dxg_sync *sync;	/* sync objects: referenced */
		} ntshared;
		struct {
			/* Its progress fence: a child DXG_OBJ_SYNCOBJECT. */
			uint32_t progress;
			uint32_t flags;		/* D3DDDI_CREATEHWQUEUE_FLAG_* */
		} hwqueue;
		struct {
			/*
			 * The paging fence: a child DXG_OBJ_SYNCOBJECT (whose
			 * page it is), or without a scheduler only a page of
			 * its own (fence_offset, freed with the queue).
			 */
			uint32_t fence;
			uint64_t fence_offset;	/* the fence page in IO space */
			uint64_t fence_value;	/* last paging fence value */
		} pagingqueue;
	} u;
};

#define DXG_OBJ_MAX_RELEASE	4

struct dxg_objects {
	struct dxg_handle_table ht;
	struct dxg_obj *roots;
	uint32_t count[DXG_OBJ_TYPE_COUNT];
	uint32_t total;
	/* Subsystems' release hooks (memory, execution, sync), in order. */
	dxg_obj_release_fn release[DXG_OBJ_MAX_RELEASE];
	void *release_arg[DXG_OBJ_MAX_RELEASE];
	unsigned int num_release;
};

/* Adds a release hook; returns 0 or -ENOSPC. */
int dxg_objects_add_release(struct dxg_objects *o, dxg_obj_release_fn fn,
			    void *arg);

/* Returns 0 or -EINVAL (max_objects out of range). */
int dxg_objects_init(struct dxg_objects *o, uint32_t max_objects);
/* Destroys every object and the table. */
void dxg_objects_fini(struct dxg_objects *o);
/* Destroys every object; returns how many were freed. */
uint32_t dxg_objects_reset(struct dxg_objects *o);

/*
 * Creates an object of `type` under `parent` (NULL for processes and
 * adapters).  Returns an NTSTATUS: STATUS_SUCCESS, STATUS_QUOTA_EXCEEDED
 * or STATUS_NO_MEMORY.
 */
int32_t dxg_obj_create(struct dxg_objects *o, enum dxg_obj_type type,
		       struct dxg_obj *parent, const struct dxg_adapter *adapter,
		       struct dxg_obj **out);
/* Destroys obj and all its descendants; returns how many were freed. */
uint32_t dxg_obj_destroy(struct dxg_objects *o, struct dxg_obj *obj);

/* The device an allocation belongs to (directly or through its resource). */
const struct dxg_obj *dxg_alloc_device(const struct dxg_obj *alloc);

/*
 * The live object of `type` named by handle, or NULL.  When `process` is
 * not NULL the object must belong to that process.
 */
struct dxg_obj *dxg_obj_lookup(struct dxg_objects *o, uint32_t handle,
			       enum dxg_obj_type type,
			       const struct dxg_obj *process);

#endif /* DXGHOST_OBJECTS_H */
