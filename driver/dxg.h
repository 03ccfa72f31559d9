/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dxgkrnl internal header: the object model and the lock order.
 *
 * Objects
 *   dxg_registry   module scope (dxg_main.c): the probed hosts and the
 *                  /dev/dxg misc device, registered while a host is present.
 *   dxg_host       one per transport device (one ivshmem PCI device = one
 *                  host; on Hyper-V one per vGPU, see dxg_vmbus.c).
 *                  kref: the transport, each adapter, each process link.
 *                  State STARTING -> ACTIVE -> GONE.
 *   dxg_adapter    one per adapter-table entry of a host.  kref: the host,
 *                  each adapter handle, each device.
 *   dxg_process    one per open file of /dev/dxg (not per tgid): its own
 *                  handle table and one host process per host it used.
 *   dxg_device     kref: its handle-table entry, each context, lookups.
 *   dxg_context    kref: its handle-table entry, lookups.
 *   dxg_hwqueue    kref: its handle-table entry, lookups; holds its
 *                  context and its progress fence (a dxg_syncobj published
 *                  under its own handle, which only the queue destroys).
 *   dxg_resource   kref: its handle-table entry, each allocation in it.
 *   dxg_allocation kref: its handle-table entry, lookups.  Holds its
 *                  device (and resource).  Its CPU mapping (Lock2) is a
 *                  dxg_cpu_map, see dxg_memory.c and docs/memory.md.
 *   dxg_pagingqueue kref: its handle-table entry, lookups; holds its device
 *                  and the CPU mapping of its fence page.
 *   dxg_syncobj    kref: its handle-table entry, lookups; holds its device,
 *                  the read-only mapping of a monitored fence's page or
 *                  the persistent host event of a CPU notification.
 *   dxg_host_event a pending host event (dxg_event.c): on a blocking
 *                  waiter's stack, owned by the table (eventfd), or
 *                  inside a sync point.
 *   dxg_shared     an "NT handle" (dxg_share.c): owned by its anon-inode
 *                  file alone; holds its host, adapter, the host's NT
 *                  object and, for resources, the dxg_res_info.
 *   dxg_syncpoint  a sync file's dma_fence (dxg_syncfile.c): refcounted
 *                  by dma-fence; holds its sync object and a module
 *                  reference; freed by a work item after the last put.
 *
 * Lock order (take from top to bottom; never upwards):
 *   0. dxg_registry.misc_lock (mutex) misc device (un)registration; the
 *                                     misc core's misc_mtx nests inside it.
 *                                     Never taken under misc_mtx, i.e. never
 *                                     from f_op->open (lockdep found the
 *                                     inversion with 1 when both were one)
 *   1. dxg_registry.lock    (mutex)   host list; taken by f_op->open under
 *                                     misc_mtx, so misc_register() and
 *                                     misc_deregister() never run under it;
 *                                     never held across a host round trip
 *   2. dxg_device.lock      (rwsem)   read across a host round trip on the
 *                                     device, write to mark it destroyed
 *   3. dxg_allocation.lock  (mutex)   the allocation's CPU mapping and
 *                                     destroyed flag; held across the
 *                                     LOCK2/UNLOCK2 round trips and across
 *                                     vm_mmap()/vm_munmap()/
 *                                     unmap_mapping_range() of its mapping
 *   3'. dxg_host.maps_lock   (mutex)   the host's list of live CPU
 *                                     mappings of its IO space; held
 *                                     across vm_mmap() when one is made
 *                                     and across the unmap_mapping_range()
 *                                     calls that revoke them all when the
 *                                     transport goes away
 *   3a. mmap_lock of the calling process (taken inside vm_mmap() and
 *       friends; our f_op->mmap runs under it)
 *   3b. dxg_process.grant_lock (spinlock) pending mapping grants; taken by
 *       the Lock2 path and by f_op->mmap under mmap_lock
 *   3c. dxg_process.lock     (mutex)   the process's host links; held across
 *                                     the CREATEPROCESS round trip (never
 *                                     under mmap_lock)
 *   3d. dxg_process.sysmem_lock (mutex) the process's pinned user pages
 *                                     (dxg_sysmem.c); a leaf, only list
 *                                     changes under it (pages are pinned
 *                                     and unpinned outside it)
 *   4. handle table xa_lock (spinlock)
 *   5. dxg_channel.lock     (spinlock) pending requests; the receive path
 *                                     copies a reply under it
 *   5a. dxg_host.event_lock (spinlock) pending host events; the receive
 *                                     path signals/completes under it, so
 *                                     the eventfd's own wait-queue lock
 *                                     nests inside; never held with 5.
 *                                     A sync point's fence is signalled
 *                                     after it is dropped (dxg_syncfile.c)
 *   5b. dxg_host.reclaim_lock (spinlock) late replies to abandoned
 *                                     creates; taken by the receive path
 *                                     after 5 is dropped, never with 5
 *   6. transport locks      (spinlock) e.g. the ivshmem TX ring lock
 * (The ivshmem RX mutex is taken only by its interrupt thread, which then
 * takes 5.  The VMBus transport's own locks, and where they sit relative
 * to these, are listed at the top of dxg_vmbus.c.)  No spinlock is held
 * across a host round trip or while sleeping; only the sleeping locks 2 and
 * 3 are held across round trips, as noted.  Objects are never released
 * (last kref dropped) under a spinlock.
 */
#ifndef _DXG_H
#define _DXG_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <linux/workqueue.h>
#include <linux/pid.h>
#include <linux/fs.h>
#include <linux/mm_types.h>

#include "dxg/protocol.h"
#include "dxg/handle.h"
#include "dxg/ntstatus.h"
#include "dxg/reply.h"
#include "dxg_transport.h"

/* Bounds on what user space may make us allocate or send. */
#define DXG_MAX_PRIVATE_DATA	(128u * 1024)
/* A synchronous request waits this long for its reply. */
#define DXG_CALL_TIMEOUT_MS	30000
/* Full ring: see include/dxg/retry.h (DXG_SEND_RETRIES_SYNC/_ASYNC). */

/* ---- channel (dxg_channel.c) ---- */

struct dxg_channel {
	struct dxg_transport *transport;
	spinlock_t lock;		/* pending, abandoned, next_id, dead_err */
	struct list_head pending;	/* struct dxg_request */
	struct list_head abandoned;	/* struct dxg_late_reply */
	u64 next_id;
	int dead_err;			/* 0 while the peer is alive */
};

/*
 * Where the reply to a request goes once its waiter has given up (fatal
 * signal, timeout), for requests whose reply must not be dropped: see
 * dxg_channel.c and dxg_reclaim.c.  The channel uses node, id and the
 * reply buffer; the rest says what the request was.
 */
struct dxg_reclaim_rule;

struct dxg_late_reply {
	struct list_head node;		/* channel abandoned list, then reclaim list */
	u64 id;				/* the request's transaction id */
	const struct dxg_reclaim_rule *rule;	/* what undoes it (dxg_reclaim.c) */
	u32 process;			/* d3dkmthandle: the header's process */
	bool undo_on_vgpu;		/* the undo goes to vgpu_luid's channel */
	struct winluid vgpu_luid;
	u32 got_len;
	u32 reply_len;
	u8 reply[];
};

void dxg_channel_init(struct dxg_channel *ch, struct dxg_transport *t);
/*
 * late: NULL, or a record the channel takes (and sets *late to NULL) when
 * the waiter gives up before the reply arrived.
 */
int dxg_channel_call(struct dxg_channel *ch, enum dxg_route route,
		     const void *buf1, u32 len1,
		     const void *buf2, u32 len2, void *reply, u32 reply_len,
		     u32 *got_len, struct dxg_late_reply **late);
int dxg_channel_send_async(struct dxg_channel *ch, const void *buf1, u32 len1,
			   const void *buf2, u32 len2);
/* Returns the late-reply record the reply landed in, now the caller's. */
struct dxg_late_reply *dxg_channel_complete(struct dxg_channel *ch,
					    u64 trans_id, const void *buf,
					    u32 len);
void dxg_channel_shutdown(struct dxg_channel *ch, int err);

/* ---- hosts and adapters (dxg_host.c) ---- */

enum dxg_host_state {
	DXG_HOST_STARTING,
	DXG_HOST_ACTIVE,
	DXG_HOST_GONE,
};

struct dxg_adapter;

/* Hosts whose processes are created at open (later ones: on first use). */
#define DXG_MAX_HOSTS		16

/* How a host takes existing-sysmem pages (docs/memory.md §11). */
enum dxg_sysmem_mode {
	DXG_SYSMEM_NONE,	/* it cannot: -EOPNOTSUPP */
	DXG_SYSMEM_PAGES,	/* page lists (map_guest_memory) */
	DXG_SYSMEM_GPADL,	/* a GPADL named by SETEXISTINGSYSMEMSTORE */
};

struct dxg_host {
	struct kref ref;
	struct list_head node;		/* dxg_registry.hosts, registry lock */
	struct device *dev;		/* the transport's device (referenced) */
	struct dxg_channel ch;
	int state;			/* enum dxg_host_state, READ/WRITE_ONCE */
	bool async_msg;			/* host accepts async messages */
	/*
	 * The host uses opendxg's reply extensions ({handle, status} creates,
	 * {status, data} escapes); otherwise it answers as a Windows host
	 * does (docs/protocol.md §5).  Set once at bind time.
	 */
	bool odx_replies;
	/*
	 * How the host reaches the pages of existing-sysmem allocations
	 * (enum dxg_sysmem_mode, dxg_sysmem.c).  Set by the transport before
	 * dxg_host_start().  next_gpadl: the last GPADL handle chosen over a
	 * transport without GPADLs of its own (ivshmem).
	 */
	u8 sysmem_mode;
	atomic_t next_gpadl;
	struct work_struct gone_work;	/* unpublish after the peer left */
	spinlock_t event_lock;		/* events, next_event */
	struct list_head events;	/* struct dxg_host_event */
	u64 next_event;
	unsigned int num_adapters;
	struct dxg_adapter *adapters[DXG_MAX_HOST_ADAPTERS];
	/*
	 * Every live CPU mapping of this host's IO space (struct dxg_cpu_map),
	 * so that all of them can be revoked before the transport's memory
	 * goes away (hot-unplug); after that no new one is made.
	 */
	struct mutex maps_lock;
	struct list_head maps;
	bool maps_revoked;
	/*
	 * The processes created on this host (struct dxg_process_host), for
	 * EnumProcesses and QueryStatistics by pid; a process leaves before
	 * its handle table goes.
	 */
	struct mutex procs_lock;
	struct list_head procs;
	/*
	 * Late replies to creates whose waiter gave up, waiting for the work
	 * that destroys what they name (dxg_reclaim.c); reclaimed counts those
	 * objects (sysfs, for tests and tools).
	 */
	spinlock_t reclaim_lock;	/* reclaim, reclaim_queued */
	struct list_head reclaim;	/* struct dxg_late_reply */
	bool reclaim_queued;
	struct work_struct reclaim_work;
	atomic_t reclaimed;
};

struct dxg_adapter {
	struct kref ref;
	struct dxg_host *host;		/* referenced */
	struct winluid luid;
	struct winluid vgpu_luid;
	struct winluid host_luid;	/* from GETINTERNALADAPTERINFO */
	d3dkmthandle host_handle;	/* from OPENADAPTER; 0 = not open */
	bool compute_only;
	u32 vendor_id;
	u32 device_id;
};

static inline bool dxg_host_active(const struct dxg_host *host)
{
	return READ_ONCE(host->state) == DXG_HOST_ACTIVE;
}

bool dxg_adapter_usable(const struct dxg_adapter *adapter);
void dxg_adapter_get(struct dxg_adapter *adapter);
void dxg_adapter_put(struct dxg_adapter *adapter);
void dxg_host_get(struct dxg_host *host);
void dxg_host_put(struct dxg_host *host);

/* ---- module scope (dxg_main.c) ---- */

int dxg_registry_add(struct dxg_host *host);
void dxg_registry_remove(struct dxg_host *host);
bool dxg_registry_empty(void);
/*
 * Take a reference on every usable adapter of every active host, in host
 * order then table order; compute-only adapters only when asked.  Returns
 * the number stored (at most max) and the total number matching in *total.
 */
unsigned int dxg_registry_collect(struct dxg_adapter **out, unsigned int max,
				  bool compute_only, unsigned int *total);
struct dxg_adapter *dxg_registry_find_luid(const struct winluid *luid);
u64 dxg_registry_next_process_id(void);
/* A range of npages page offsets of /dev/dxg never handed out before; 0: none left. */
u64 dxg_registry_map_pgoff(u64 npages);
unsigned int dxg_registry_hosts(struct dxg_host **out, unsigned int max);
extern const struct file_operations dxg_fops;

/* ---- transports ---- */

int dxg_ivshmem_register(void);
void dxg_ivshmem_unregister(void);
#if IS_ENABLED(CONFIG_HYPERV)
/* 0 also when there is no VMBus here (the transport then stays off). */
int dxg_vmbus_register(void);
void dxg_vmbus_unregister(void);
#else
static inline int dxg_vmbus_register(void) { return 0; }
static inline void dxg_vmbus_unregister(void) { }
#endif

/* ---- handles (dxg_handle.c) ---- */

/* Entry types (the values are the reference's, for debugging). */
enum dxg_obj_type {
	DXG_OBJ_ADAPTER = 1,
	DXG_OBJ_DEVICE = 3,
	DXG_OBJ_RESOURCE = 4,
	DXG_OBJ_ALLOCATION = 5,
	DXG_OBJ_CONTEXT = 7,
	DXG_OBJ_SYNCOBJECT = 8,
	DXG_OBJ_PAGINGQUEUE = 10,
	DXG_OBJ_HWQUEUE = 15,
};

struct dxg_handle_table {
	/* Guest-generated handles (adapters): cyclic indices + generation. */
	struct xarray local;
	u32 next;
	u8 generation;
	/* Host-generated handles (everything else), keyed by their index. */
	struct xarray host;
};

struct dxg_process;
struct dxg_device;

void dxg_handle_table_init(struct dxg_handle_table *t);
void dxg_handle_table_destroy(struct dxg_handle_table *t);
int dxg_handle_alloc_local(struct dxg_handle_table *t, struct dxg_process *owner,
			   enum dxg_obj_type type, void *obj, d3dkmthandle *out);
int dxg_handle_insert_host(struct dxg_handle_table *t, struct dxg_process *owner,
			   enum dxg_obj_type type, void *obj, d3dkmthandle h);
void *dxg_handle_get(struct dxg_handle_table *t, enum dxg_obj_type type,
		     d3dkmthandle h);
void *dxg_handle_remove(struct dxg_handle_table *t, enum dxg_obj_type type,
			d3dkmthandle h);
void dxg_handle_remove_contexts(struct dxg_handle_table *t,
				const struct dxg_device *device);
/* Is obj published in t as a guest-generated (adapter) handle of `type`? */
bool dxg_handle_holds_local(struct dxg_handle_table *t, enum dxg_obj_type type,
			    const void *obj);
/*
 * Unpublish every entry of `type` for which match(obj, arg) is true; the
 * objects (with the table's references) are returned through list, a
 * caller-provided array of at most max (the rest stay published: call
 * again).  Returns the number unpublished.
 */
unsigned int dxg_handle_remove_matching(struct dxg_handle_table *t,
					enum dxg_obj_type type,
					bool (*match)(void *obj, const void *arg),
					const void *arg, void **list,
					unsigned int max);
void dxg_obj_put(enum dxg_obj_type type, void *obj);

/* ---- processes (dxg_process.c) ---- */

struct dxg_process {
	struct pid *tgid;		/* the opener's thread group */
	u64 id;				/* CREATEPROCESS cookie (never a pointer) */
	struct file *file;		/* the open file (not referenced: it owns us) */
	struct file *map_file;		/* read-write, private: CPU mappings */
	struct mutex lock;		/* hosts */
	struct list_head hosts;		/* struct dxg_process_host */
	spinlock_t grant_lock;		/* grants */
	struct list_head grants;	/* struct dxg_map_grant, pending mmaps */
	struct dxg_handle_table handles;
	struct mutex sysmem_lock;	/* sysmem_pins (a leaf: nothing inside) */
	struct list_head sysmem_pins;	/* dxg_sysmem.c */
};

struct dxg_process *dxg_process_create(void);
void dxg_process_destroy(struct dxg_process *p);
int dxg_process_attach_hosts(struct dxg_process *p);
int dxg_process_host_handle(struct dxg_process *p, struct dxg_host *host,
			    d3dkmthandle *out);
/* The host handle of the process of thread group `pid` on host; -EINVAL: none. */
int dxg_process_host_handle_by_pid(struct dxg_host *host, struct pid *pid,
				   d3dkmthandle *out);
/*
 * The pids, in the caller's pid namespace, of the processes of that
 * namespace holding an adapter handle of `a`, each once: up to `max` into
 * pids; returns how many there are (maybe more than max).
 */
unsigned int dxg_process_list_users(struct dxg_adapter *a, u32 *pids,
				    unsigned int max);

/* ---- devices and contexts (dxg_device_ioctl.c) ---- */

struct dxg_device {
	struct kref ref;
	struct dxg_adapter *adapter;	/* referenced */
	d3dkmthandle handle;		/* the host's */
	struct rw_semaphore lock;	/* destroyed */
	bool destroyed;
};

struct dxg_context {
	struct kref ref;
	struct dxg_device *device;	/* referenced */
	d3dkmthandle handle;		/* the host's */
};

void dxg_device_get(struct dxg_device *device);
void dxg_device_put(struct dxg_device *device);
void dxg_context_get(struct dxg_context *ctx);
void dxg_context_put(struct dxg_context *ctx);
int dxg_destroy_on_host(struct dxg_process *p, struct dxg_adapter *a,
			u32 command_type, void *cmd, u32 cmd_len);

/* ---- memory (dxg_memory.c) ---- */

/* Bounds (dxgkrnl-facts.md section 1.4). */
#define DXG_MAX_ALLOCS		1024u	/* Create/DestroyAllocation2 */
#define DXG_MAX_RESIDENCY	10240u	/* MakeResident / Evict */

/*
 * A mapping of IO-space pages into one process, made by the driver itself
 * (vm_mmap of the /dev/dxg file with a one-shot grant).  pgoff is unique
 * in the file's address space, so unmap_mapping_range() removes its pages
 * wherever the VMA went.  len == 0: not mapped.
 */
struct dxg_cpu_map {
	unsigned long va;		/* where vm_mmap() put it */
	u64 pgoff;			/* page offset in the /dev/dxg file */
	u64 len;			/* bytes; 0 = no mapping */
	u32 refs;			/* Lock2 count */
	struct dxg_host *host;		/* whose IO space (while len != 0) */
	struct address_space *mapping;	/* the process's map_file's */
	struct list_head node;		/* host->maps, under maps_lock */
};

/*
 * What a shared resource was created with (dxg_share.c), fixed at creation:
 * its allocations' host handles in creation order, their private data as
 * the host returned it, the runtime's and the resource's private data.
 * Refcounted: the resource and each NT handle (fd) of it.
 */
struct dxg_res_info {
	struct kref ref;
	u32 count;			/* allocations */
	u32 runtime_size;
	u32 res_size;
	u32 total_size;			/* all allocations' private data */
	d3dkmthandle *handles;		/* [count], the resource's own */
	u32 *priv_sizes;		/* [count] */
	u8 *runtime;
	u8 *res_priv;
	u8 *alloc_priv;			/* concatenated, in order */
	u8 data[];
};

struct dxg_resource {
	struct kref ref;
	struct dxg_device *device;	/* referenced */
	d3dkmthandle handle;		/* the host's */
	struct dxg_res_info *info;	/* shared resources: referenced */
};

struct dxg_allocation {
	struct kref ref;
	struct dxg_device *device;	/* referenced */
	struct dxg_resource *resource;	/* referenced; NULL: standalone */
	d3dkmthandle handle;		/* the host's */
	u64 size;			/* bytes, from the host */
	struct mutex lock;		/* map, destroyed */
	bool destroyed;
	struct dxg_cpu_map map;
};

struct dxg_pagingqueue {
	struct kref ref;
	struct dxg_device *device;	/* referenced */
	d3dkmthandle handle;		/* the host's */
	struct dxg_cpu_map fence;	/* read-only fence page, when no fence_so */
	struct dxg_syncobj *fence_so;	/* its paging fence; NULL: none */
};

struct dxg_res_info *dxg_res_info_alloc(u32 count, u32 runtime_size,
					u32 res_size, u32 total_size);
void dxg_res_info_put(struct dxg_res_info *info);
void dxg_resource_get(struct dxg_resource *r);
void dxg_resource_put(struct dxg_resource *r);
void dxg_allocation_get(struct dxg_allocation *a);
void dxg_allocation_put(struct dxg_allocation *a);
void dxg_pagingqueue_get(struct dxg_pagingqueue *q);
void dxg_pagingqueue_put(struct dxg_pagingqueue *q);
/* DestroyDevice: unpublish and unmap everything the device owns. */
void dxg_memory_device_destroyed(struct dxg_process *p,
				 struct dxg_device *device);
int dxg_mmap(struct file *f, struct vm_area_struct *vma);
/* DESTROYALLOCATION of a resource, or of `count` allocations. */
int dxg_destroy_allocs_on_host(struct dxg_process *p, struct dxg_device *device,
			       d3dkmthandle resource, const d3dkmthandle *h,
			       u32 count);
extern const struct file_operations dxg_map_fops;
struct file *dxg_registry_map_file(struct dxg_process *p);
int dxg_cpu_map_create(struct dxg_process *p, struct dxg_host *host,
		       struct dxg_cpu_map *m, u64 io_offset, u64 len,
		       bool writable);
void dxg_cpu_map_destroy(struct dxg_process *p, struct dxg_cpu_map *m);
/*
 * Maps, read-only, the page of a monitored fence whose value the host keeps
 * at IO-space address + offset; *cpu_va is where the value is.
 */
int dxg_fence_map_create(struct dxg_process *p, struct dxg_host *host,
			 struct dxg_cpu_map *m, u64 address, u64 offset,
			 u64 *cpu_va);
/* Removes every CPU mapping of the host's IO space; none is made after. */
void dxg_host_revoke_maps(struct dxg_host *host);
/* Takes a closing process's mappings (its map_file's) off the host's list. */
void dxg_host_forget_maps(struct dxg_host *host, struct address_space *mapping);
/* Look up a device and hold it (read) for a host round trip. */
struct dxg_device *dxg_device_begin(struct dxg_process *p, d3dkmthandle h);
void dxg_device_end(struct dxg_device *device);
int dxg_device_call(struct dxg_process *p, struct dxg_device *device,
		    u32 type, void *cmd, u32 len, void *reply, u32 reply_len);

/* ---- host events (dxg_event.c) ---- */

struct eventfd_ctx;
struct completion;
struct dma_fence;
struct dxg_syncobj;

struct dxg_host_event {
	struct list_head node;		/* host->events; empty = not pending */
	u64 id;				/* what the host is told */
	struct dxg_process *owner;	/* compared only, never dereferenced */
	struct completion *done;	/* blocking wait (record on its stack) */
	struct eventfd_ctx *efd;	/* eventfd to signal (referenced) */
	/*
	 * A sync point's fence (not referenced: the sync point's release
	 * unlinks the record first) and the sync object it waits on (held by
	 * the sync point).  Signalled once, then unlinked.
	 */
	struct dma_fence *fence;
	struct dxg_syncobj *so;
	bool oneshot;			/* unlinked when signalled */
	int status;			/* -ENODEV: cancelled (host gone) */
};

void dxg_host_events_init(struct dxg_host *host);
/* Assigns ev->id and makes it pending. */
void dxg_host_event_add(struct dxg_host *host, struct dxg_host_event *ev);
/* Unlinks ev if still pending; true if it was (nobody else will touch it). */
bool dxg_host_event_remove(struct dxg_host *host, struct dxg_host_event *ev);
/* Frees a heap record that is not pending (drops its eventfd). */
void dxg_host_event_free(struct dxg_host_event *ev);
void dxg_host_events_drop(struct dxg_host *host, struct dxg_process *owner);
/*
 * Signal with err the pending sync-point fences of owner (and, when not
 * NULL, of device / of sync object so): what they wait for went away.
 */
void dxg_host_events_fail_fences(struct dxg_host *host,
				 const struct dxg_process *owner,
				 const struct dxg_device *device,
				 const struct dxg_syncobj *so, int err);
/* Host gone: blocking waits end with -ENODEV.  May not sleep. */
void dxg_host_events_cancel(struct dxg_host *host);
void dxg_host_message(struct dxg_host *host, const void *payload, u32 len);

/* ---- sync objects and submission (dxg_sync.c) ---- */

struct dxg_syncobj {
	struct kref ref;
	struct dxg_device *device;	/* referenced */
	d3dkmthandle handle;		/* the host's */
	u32 type;			/* D3DDDI_MONITORED_FENCE / _CPU_NOTIFICATION */
	struct dxg_cpu_map fence;	/* read-only fence page (fences) */
	u64 fence_cpu_va;		/* where the value is in that page */
	u64 fence_gpu_va;		/* the host's */
	u64 fence_context;		/* dma-fence context of its sync files */
	bool shared;			/* NT-handle sharing allowed (fences) */
	struct dxg_host_event *notify;	/* persistent event (notifications) */
	bool queue_owned;		/* a hw queue's or paging queue's fence */
};

void dxg_syncobj_get(struct dxg_syncobj *so);
void dxg_syncobj_put(struct dxg_syncobj *so);
/* Every handle a sync object of device (a monitored fence if fences). */
int dxg_check_syncobjs(struct dxg_process *p, struct dxg_device *device,
		       const d3dkmthandle *h, u32 count, bool fences);
/* DestroyDevice: unpublish and unmap the device's sync objects. */
void dxg_sync_device_destroyed(struct dxg_process *p, struct dxg_device *device);
/* The device of a context handle, held as by dxg_device_begin(). */
struct dxg_device *dxg_ctx_device_begin(struct dxg_process *p, d3dkmthandle h);
/* An asynchronous message for the device's adapter (device held). */
int dxg_device_send(struct dxg_process *p, struct dxg_device *device,
		    u32 type, void *cmd, u32 len);
/*
 * A command: @fixed bytes for the caller to fill, then @n handles and @priv
 * bytes of private data copied from user space, at most @max bytes in all
 * (*len).  kvfree() it; ERR_PTR(-EINVAL, -ENOMEM or -EFAULT).
 */
void *dxg_cmd_user_tail(size_t fixed, u64 uhandles, u32 n, u64 upriv,
			u32 priv, u64 max, u32 *len);
/*
 * SIGNALSYNCOBJECT: n (1..32) checked objects of device, signalled from nc
 * contexts (or hw queues); nc 0: from the CPU.
 */
int dxg_send_signal(struct dxg_process *p, struct dxg_device *device,
		    const d3dkmthandle *h, const u64 *v, u32 n,
		    const d3dkmthandle *ctx, u32 nc, u32 flags);
/*
 * A signal of n (0..32; 0 only with a CPU event) objects from nc (1..64)
 * contexts or hw queues (`type`) of one device, a broadcast when nc > 1;
 * with ENQUEUE_CPU_EVENT in flags, the eventfd `efd` is signalled once.
 */
int dxg_signal_queues(struct dxg_process *p, enum dxg_obj_type type,
		      const d3dkmthandle *qs, u32 nc, const d3dkmthandle *h,
		      const u64 *v, u32 n, u32 flags, u64 efd);
/*
 * A monitored fence the host made with a queue (a hw queue's progress
 * fence, a paging queue's paging fence, h): a sync object marked
 * queue_owned, which DestroySynchronizationObject refuses and only its
 * queue's destruction (or its device's) removes, its page (storage,
 * offset) mapped read-only into p at *cpu_va.  Not published yet; the
 * caller publishes it under h.
 */
struct dxg_syncobj *dxg_queue_fence_make(struct dxg_process *p,
					 struct dxg_device *device,
					 d3dkmthandle h, u64 storage,
					 u64 offset, u64 gpu_va, u64 *cpu_va);
/* Unpublish and unmap it, unless DestroyDevice did; its sync files fail. */
void dxg_queue_fence_drop(struct dxg_process *p, struct dxg_syncobj *so);
/* DESTROYSYNCOBJECT of p's host object h (0 if the host went away). */
int dxg_syncobj_destroy_on_host(struct dxg_process *p, struct dxg_adapter *a,
				d3dkmthandle h);
/* Copy count (1..32) handles and, when v is set, as many u64 values. */
int dxg_copy_refs(u64 uh, u64 uvals, u32 count, d3dkmthandle *h, u64 *v);
/* WAITFORSYNCOBJECTFROMGPU: n (1..32) checked fences of the context's device. */
int dxg_send_wait_from_gpu(struct dxg_process *p, struct dxg_device *device,
			   d3dkmthandle context, const d3dkmthandle *h,
			   const u64 *v, u32 n);

/*
 * A new monitored fence of device whose host object h the host just made
 * (OPENSYNCOBJECT): maps its page, publishes it; on failure the host
 * object is destroyed.  *cpu_va: where the value is mapped.
 */
int dxg_syncobj_add_opened(struct dxg_process *p, struct dxg_device *device,
			   d3dkmthandle h, u64 storage, u64 gpu_va,
			   u64 *cpu_va);
int dxg_ioctl_create_sync_object(struct dxg_process *p, void *arg);
int dxg_ioctl_destroy_sync_object(struct dxg_process *p, void *arg);
int dxg_ioctl_signal_from_cpu(struct dxg_process *p, void *arg);
int dxg_ioctl_signal_from_gpu(struct dxg_process *p, void *arg);
int dxg_ioctl_signal_from_gpu2(struct dxg_process *p, void *arg);
int dxg_ioctl_wait_from_cpu(struct dxg_process *p, void *arg);
int dxg_ioctl_wait_from_gpu(struct dxg_process *p, void *arg);
int dxg_ioctl_submit_command(struct dxg_process *p, void *arg);
int dxg_ioctl_signal_sync_object2(struct dxg_process *p, void *arg);
int dxg_ioctl_wait_sync_object2(struct dxg_process *p, void *arg);
int dxg_ioctl_get_device_state(struct dxg_process *p, void *arg);

/* ---- hardware queues (dxg_hwqueue.c) ---- */

struct dxg_hwqueue {
	struct kref ref;
	struct dxg_context *ctx;	/* referenced */
	d3dkmthandle handle;		/* the host's */
	struct dxg_syncobj *progress;	/* referenced */
};

void dxg_hwqueue_get(struct dxg_hwqueue *q);
void dxg_hwqueue_put(struct dxg_hwqueue *q);
/*
 * DestroyContext / DestroyDevice: unpublish the hw queues of ctx (of
 * device when ctx is NULL) and their progress fences; the host destroys
 * them with their context.
 */
void dxg_hwqueues_destroyed(struct dxg_process *p, struct dxg_context *ctx,
			    struct dxg_device *device);
/* The device (referenced) of a context or hw queue handle, or NULL. */
struct dxg_device *dxg_queue_device(struct dxg_process *p,
				    enum dxg_obj_type type, d3dkmthandle h);
int dxg_ioctl_create_hwqueue(struct dxg_process *p, void *arg);
int dxg_ioctl_destroy_hwqueue(struct dxg_process *p, void *arg);
int dxg_ioctl_submit_command_to_hwqueue(struct dxg_process *p, void *arg);
int dxg_ioctl_submit_signal_to_hwqueue(struct dxg_process *p, void *arg);
int dxg_ioctl_submit_wait_to_hwqueue(struct dxg_process *p, void *arg);

/* ---- priority, device error, observability (dxg_state_ioctl.c) ---- */

int dxg_ioctl_set_context_priority(struct dxg_process *p, void *arg);
int dxg_ioctl_set_context_inproc_priority(struct dxg_process *p, void *arg);
int dxg_ioctl_get_context_priority(struct dxg_process *p, void *arg);
int dxg_ioctl_get_context_inproc_priority(struct dxg_process *p, void *arg);
int dxg_ioctl_mark_device_as_error(struct dxg_process *p, void *arg);
int dxg_ioctl_query_clock_calibration(struct dxg_process *p, void *arg);
int dxg_ioctl_query_statistics(struct dxg_process *p, void *arg);
int dxg_ioctl_enum_processes(struct dxg_process *p, void *arg);
int dxg_ioctl_is_feature_enabled(struct dxg_process *p, void *arg);

/* ---- sync files (dxg_syncfile.c) ---- */

int dxg_syncfile_init(void);
void dxg_syncfile_exit(void);
int dxg_ioctl_create_sync_file(struct dxg_process *p, void *arg);
int dxg_ioctl_wait_sync_file(struct dxg_process *p, void *arg);
int dxg_ioctl_open_syncobj_from_sync_file(struct dxg_process *p, void *arg);

/* ---- sharing between processes (dxg_share.c) ---- */

int dxg_ioctl_share_objects(struct dxg_process *p, void *arg);
int dxg_ioctl_open_syncobj_from_nt_handle2(struct dxg_process *p, void *arg);
int dxg_ioctl_query_resource_info_from_nt_handle(struct dxg_process *p,
						 void *arg);
int dxg_ioctl_open_resource_from_nt_handle(struct dxg_process *p, void *arg);
int dxg_ioctl_share_object_with_host(struct dxg_process *p, void *arg);
/*
 * A sync file's hold on a shared monitored fence (dxg_syncfile.c): a host
 * NT shared object of fence `so` of device, which lets other processes
 * reach the fence while the sync file lives; dropped by
 * dxg_share_fence_drop() (any context that may sleep, no process).
 */
int dxg_share_fence(struct dxg_process *p, struct dxg_device *device,
		    d3dkmthandle so, d3dkmthandle *nt);
void dxg_share_fence_drop(struct dxg_host *host, d3dkmthandle nt);
/*
 * OPENSYNCOBJECT: p's own host object of NT object nt's fence on device
 * (same adapter), its handle in *h and fence page / GPU VA in *storage,
 * *gpu_va.  Not published: the caller publishes it
 * (dxg_syncobj_add_opened()) or destroys it (dxg_syncobj_destroy_on_host()).
 */
int dxg_open_shared_fence(struct dxg_process *p, struct dxg_device *device,
			  d3dkmthandle nt, u32 flags, d3dkmthandle *h,
			  u64 *storage, u64 *gpu_va);

/* ---- existing-sysmem allocations (dxg_sysmem.c) ---- */

/* The guest-RAM handshake with an ivshmem host: 0 when it passed. */
int dxg_sysmem_verify(struct dxg_host *host);
/*
 * Pins the a->size bytes at user address uaddr and gives their frames to
 * the host (a, of res if not NULL, is created there, not yet published),
 * by page lists or by a GPADL as host->sysmem_mode says.  -EOPNOTSUPP
 * when the host cannot map guest memory.
 */
int dxg_sysmem_attach(struct dxg_process *p, struct dxg_device *device,
		      struct dxg_allocation *a, struct dxg_resource *res,
		      u64 uaddr);
/* After the host destroyed what used them: unpin. */
void dxg_sysmem_release_alloc(struct dxg_process *p,
			      const struct dxg_allocation *a);
void dxg_sysmem_release_resource(struct dxg_process *p,
				 const struct dxg_resource *res);
void dxg_sysmem_release_device(struct dxg_process *p,
			       const struct dxg_device *device);
void dxg_sysmem_release_all(struct dxg_process *p);

/* ---- messages (dxg_msg.c) ---- */

/* Creates whose waiter gave up (dxg_reclaim.c). */
void dxg_reclaim_init(struct dxg_host *host);
/* NULL: the command creates nothing; else a record for dxg_channel_call(). */
struct dxg_late_reply *dxg_reclaim_prepare(u32 command_type,
					   d3dkmthandle process,
					   const struct winluid *vgpu_luid);
void dxg_reclaim_queue(struct dxg_host *host, struct dxg_late_reply *late);

int dxg_call(struct dxg_host *host, const struct dxg_adapter *adapter,
	     d3dkmthandle process, u32 command_type, void *cmd, u32 cmd_len,
	     void *reply, u32 reply_len);
/* As dxg_call; vgpu_luid NULL: a VM-wide command. */
int dxg_call_luid(struct dxg_host *host, const struct winluid *vgpu_luid,
		  d3dkmthandle process, u32 command_type, void *cmd,
		  u32 cmd_len, void *reply, u32 reply_len);
int dxg_call_status(struct dxg_host *host, const struct dxg_adapter *adapter,
		    d3dkmthandle process, u32 command_type, void *cmd,
		    u32 cmd_len);
int dxg_reply_status_handle(d3dkmthandle handle, s32 status, d3dkmthandle *out);
u32 dxg_handle_reply_size(const struct dxg_host *host);
int dxg_reply_handle(const struct dxg_host *host, const void *reply,
		     d3dkmthandle *out);
/*
 * Submit/signal/GPU-wait: an asynchronous message (no reply) when the host
 * accepts them, else a synchronous call whose status is returned.
 */
int dxg_send_async(struct dxg_host *host, const struct dxg_adapter *adapter,
		   d3dkmthandle process, u32 command_type, void *cmd,
		   u32 cmd_len);

/* ---- ioctl handlers ---- */

int dxg_ioctl_open_adapter_from_luid(struct dxg_process *p, void *arg);
int dxg_ioctl_enum_adapters2(struct dxg_process *p, void *arg);
int dxg_ioctl_enum_adapters3(struct dxg_process *p, void *arg);
int dxg_ioctl_close_adapter(struct dxg_process *p, void *arg);
int dxg_ioctl_query_adapter_info(struct dxg_process *p, void *arg);
int dxg_ioctl_create_device(struct dxg_process *p, void *arg);
int dxg_ioctl_destroy_device(struct dxg_process *p, void *arg);
int dxg_ioctl_create_context_virtual(struct dxg_process *p, void *arg);
int dxg_ioctl_destroy_context(struct dxg_process *p, void *arg);
int dxg_ioctl_create_allocation(struct dxg_process *p, void *arg);
int dxg_ioctl_destroy_allocation2(struct dxg_process *p, void *arg);
int dxg_ioctl_lock2(struct dxg_process *p, void *arg);
int dxg_ioctl_unlock2(struct dxg_process *p, void *arg);
int dxg_ioctl_create_paging_queue(struct dxg_process *p, void *arg);
int dxg_ioctl_destroy_paging_queue(struct dxg_process *p, void *arg);
int dxg_ioctl_make_resident(struct dxg_process *p, void *arg);
int dxg_ioctl_evict(struct dxg_process *p, void *arg);
int dxg_ioctl_query_video_memory_info(struct dxg_process *p, void *arg);
/* dxg_memory.c helpers the residency ioctls share. */
/* Copy @count (bounded by the caller) handles from user space. */
d3dkmthandle *dxg_copy_handles(u64 uptr, u32 count);
/* Each handle an allocation of @device. */
int dxg_check_allocs(struct dxg_process *p, struct dxg_device *device,
		     const d3dkmthandle *h, u32 count);
/* The device of a paging queue handle, held as by dxg_device_begin(). */
struct dxg_device *dxg_pq_device_begin(struct dxg_process *p, d3dkmthandle h);
/*
 * Resource @res (unless NULL) and allocations @allocs[0..n) made on the
 * host go into the process's handle table under their host handles: all,
 * or none (those put in are taken out again and released).
 */
int dxg_publish_allocs(struct dxg_process *p, struct dxg_resource *res,
		       struct dxg_allocation **allocs, u32 n);
/*
 * A paging-queue operation on one allocation of the queue's device
 * (MapGpuVirtualAddress, UpdateAllocationProperty): @cmd goes with the
 * host's device handle in *@cmd_device; its reply (@reply) holds an
 * NTSTATUS at @status.  A failure is an errno; STATUS_PENDING (> 0) passes
 * through, and with it or success the reply's other fields are the caller's.
 */
int dxg_pq_alloc_call(struct dxg_process *p, d3dkmthandle queue,
		      d3dkmthandle allocation, u32 command, void *cmd,
		      u32 cmd_size, d3dkmthandle *cmd_device, void *reply,
		      u32 reply_size, const s32 *status);
/*
 * A command naming adapter or paging-queue handle @h: the host's adapter
 * handle goes to *adapter_field; reply NULL: a bare-status reply.
 */
int dxg_va_adapter_call(struct dxg_process *p, d3dkmthandle h, u32 type,
			void *cmd, u32 len, d3dkmthandle *adapter_field,
			void *reply, u32 reply_len);
/* dxg_residency.c */
int dxg_ioctl_offer_allocations(struct dxg_process *p, void *arg);
int dxg_ioctl_reclaim_allocations2(struct dxg_process *p, void *arg);
int dxg_ioctl_set_allocation_priority(struct dxg_process *p, void *arg);
int dxg_ioctl_get_allocation_priority(struct dxg_process *p, void *arg);
int dxg_ioctl_query_allocation_residency(struct dxg_process *p, void *arg);
int dxg_ioctl_update_alloc_property(struct dxg_process *p, void *arg);
int dxg_ioctl_change_vidmem_reservation(struct dxg_process *p, void *arg);
int dxg_ioctl_flush_heap_transitions(struct dxg_process *p, void *arg);
int dxg_ioctl_invalidate_cache(struct dxg_process *p, void *arg);
int dxg_ioctl_reserve_gpu_va(struct dxg_process *p, void *arg);
int dxg_ioctl_map_gpu_va(struct dxg_process *p, void *arg);
int dxg_ioctl_update_gpu_va(struct dxg_process *p, void *arg);
int dxg_ioctl_free_gpu_va(struct dxg_process *p, void *arg);
int dxg_ioctl_escape(struct dxg_process *p, void *arg);

long dxg_ioctl(struct file *f, unsigned int cmd, unsigned long arg);

#endif /* _DXG_H */
