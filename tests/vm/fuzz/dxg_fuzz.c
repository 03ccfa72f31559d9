// SPDX-License-Identifier: MIT
/*
 * dxg-fuzz: a structure-aware fuzzer of the /dev/dxg ioctl interface, run
 * inside a guest against the real driver and host (docs/reliability.md).
 *
 * Every ioctl number 0x01-0x49 is called with argument blocks built from:
 *  - templates: the valid argument of the common creates and uses (device,
 *    context, allocation, sync object, paging queue, hw queue and its
 *    submissions, Lock2, GPU VA, sharing, sync files, signals from several
 *    contexts), of which 0-3 words are then mutated;
 *  - smart fills: each 32-bit word a live, stale or foreign handle, a small
 *    count, zero or random bits; each 64-bit slot now and then a pointer:
 *    a good buffer (itself smart-filled, one level deep), NULL, unmapped,
 *    read-only or a kernel address;
 *  - now and then a request word with the wrong size or direction.
 * Handles come from pools filled by the successful creates (live), emptied
 * into "stale" by destroys, and from other files ("foreign": another open
 * of /dev/dxg, whose handles this file must never reach).  The NT-handle
 * and sync-file descriptors made are kept too, and forked children inherit
 * them: another process's sync files and shared objects.
 *
 * Concurrency and death: several threads share the files; files are closed
 * and reopened under them; forked children carry on with the inherited
 * files (the driver refuses them: another thread group) and their own; some
 * children are SIGKILLed mid-call.  Blocking waits are cut short by a
 * signal.
 *
 * The fuzzer checks what user space can see itself: no ioctl may succeed
 * with a request word the ABI does not define, and no return value may be
 * other than 0, a positive NTSTATUS or -1 with errno set.  Everything else
 * (the kernel log, the host's object count back at zero, the driver still
 * working and unloading) is checked by the scenario that runs it
 * (tests/vm/scenarios/fuzz.sh).
 *
 * Usage: dxg-fuzz [--seconds N] [--seed S] [--threads T] [--children C]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uapi/misc/d3dkmthk.h"
#include "dxg/protocol.h"

#define NFILES		4	/* /dev/dxg files of this process */
#define POOL		256	/* handles remembered per kind */
#define ARG_MAX		2048	/* largest argument block */
#define BUF_SIZE	4096	/* a good buffer */
#define NTFDS		32	/* ShareObjects fds ("NT handles") kept */

enum kind { K_ADAPTER, K_DEVICE, K_CONTEXT, K_ALLOC, K_RESOURCE, K_SYNC,
	    K_PAGINGQ, K_HWQUEUE, K_STALE, K_FOREIGN, K_COUNT };

struct pool {
	uint32_t h[POOL];
	unsigned int n;
};

/* Descriptors the calls made, kept for later calls (and children). */
struct fdpool {
	int fd[NTFDS];
	unsigned int n;
};

struct fz {
	pthread_mutex_t lock;		/* pools, files */
	struct pool pools[K_COUNT];
	int fds[NFILES];
	int foreign_fd;			/* another open: its handles are foreign */
	uint8_t *unmapped, *readonly;	/* pages that fault */
	atomic_ulong calls, ok, bad;	/* bad: what user space must never see */
	atomic_ulong revoked;		/* touches of a mapping revoked meanwhile */
	atomic_ulong stuck;		/* children killed at CHILD_MS */
	atomic_bool stop;
	/* An adapter's LUID (high << 32 | low), for the calls that name one. */
	_Atomic uint64_t luid;
	time_t deadline;
	int eventfd;
	struct fdpool nt;		/* ShareObjects results, under lock */
	struct fdpool sf;		/* CreateSyncFile results, under lock */
};

static struct fz F;

/* ---- randomness (per thread: xorshift) ---- */

static __thread uint64_t rs;

static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

/* ---- pools ---- */

static void pool_add(enum kind k, uint32_t h)
{
	struct pool *p;

	if (!h)
		return;
	pthread_mutex_lock(&F.lock);
	p = &F.pools[k];
	p->h[p->n < POOL ? p->n++ : below(POOL)] = h;
	pthread_mutex_unlock(&F.lock);
}

static uint32_t pool_pick(enum kind k)
{
	struct pool *p = &F.pools[k];
	uint32_t h = 0;

	pthread_mutex_lock(&F.lock);
	if (p->n)
		h = p->h[below(p->n)];
	pthread_mutex_unlock(&F.lock);
	return h;
}

/* A live handle of kind k, else any handle at all (stale, foreign, junk). */
static uint32_t handle(enum kind k)
{
	uint32_t r = below(100), h;

	if (r < 70 && (h = pool_pick(k)))
		return h;
	if (r < 80 && (h = pool_pick(K_STALE)))
		return h;
	if (r < 88 && (h = pool_pick(K_FOREIGN)))
		return h;
	if (r < 95 && (h = pool_pick(below(K_STALE))))
		return h;		/* a live handle of another kind */
	return r < 97 ? 0 : (uint32_t)rnd();
}

/* Moves a destroyed handle to the stale pool. */
static void retire(enum kind k, uint32_t h)
{
	struct pool *p = &F.pools[k];

	pthread_mutex_lock(&F.lock);
	for (unsigned int i = 0; i < p->n; i++) {
		if (p->h[i] == h) {
			p->h[i] = p->h[--p->n];
			break;
		}
	}
	pthread_mutex_unlock(&F.lock);
	pool_add(K_STALE, h);
}

static int pick_fd(void)
{
	int fd;

	pthread_mutex_lock(&F.lock);
	fd = F.fds[below(NFILES)];
	pthread_mutex_unlock(&F.lock);
	return fd;
}

/* Keeps a new fd in pool p; the one it replaces is closed. */
static void fd_keep(struct fdpool *p, int fd)
{
	int old = -1;

	pthread_mutex_lock(&F.lock);
	if (p->n < NTFDS) {
		p->fd[p->n++] = fd;
	} else {
		unsigned int i = below(NTFDS);

		old = p->fd[i];
		p->fd[i] = fd;
	}
	pthread_mutex_unlock(&F.lock);
	if (old >= 0)
		close(old);
}

/*
 * An fd of pool p (an "NT handle", a sync file) mostly, else something
 * that must be refused: the other pool's, the eventfd, a /dev/dxg file,
 * -1, a junk number.
 */
static uint64_t pool_fd(struct fdpool *p, struct fdpool *other)
{
	uint32_t r = below(100);
	int fd = -1;

	pthread_mutex_lock(&F.lock);
	if (r < 70 && p->n)
		fd = p->fd[below(p->n)];
	else if (r < 78 && other->n)
		fd = other->fd[below(other->n)];
	pthread_mutex_unlock(&F.lock);
	if (fd >= 0)
		return (uint64_t)fd;
	if (r < 85)
		return (uint64_t)F.eventfd;
	if (r < 92)
		return (uint64_t)pick_fd();
	return r < 96 ? (uint64_t)-1 : rnd();
}

static uint64_t ntfd(void)
{
	return pool_fd(&F.nt, &F.sf);
}

static uint64_t sfd(void)
{
	return pool_fd(&F.sf, &F.nt);
}

/* ---- argument blocks ---- */

static __thread uint8_t bufs[2][BUF_SIZE] __attribute__((aligned(64)));

static uint64_t small_or_random(void)
{
	switch (below(8)) {
	case 0: case 1: return 0;
	case 2: case 3: case 4: return below(9);
	case 5: return (uint64_t)1 << below(64);
	case 6: return (uint64_t)-1 - below(4);
	default: return rnd();
	}
}

static uint64_t pointer(int depth);

/* Fills len bytes word by word (and now and then a 64-bit pointer). */
static void smart_fill(uint8_t *p, size_t len, int depth)
{
	for (size_t off = 0; off + 4 <= len; off += 4) {
		uint32_t w;

		if (!(off & 7) && off + 8 <= len && below(6) == 0) {
			uint64_t v = pointer(depth);

			memcpy(p + off, &v, 8);
			off += 4;
			continue;
		}
		w = below(3) == 0 ? handle(below(K_STALE)) :
		    (uint32_t)small_or_random();
		memcpy(p + off, &w, 4);
	}
}

/* A pointer for an argument: good (filled), NULL, faulting or kernel. */
static uint64_t pointer(int depth)
{
	switch (below(10)) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)F.unmapped + below(4096);
	case 2:
		return (uintptr_t)F.readonly;
	case 3:
		return 0xffff888000000000ull + (below(1 << 20) << 12);
	case 4:
		return (uintptr_t)bufs[0] + BUF_SIZE - below(16);	/* runs off */
	default:
		if (depth >= 1)
			return (uintptr_t)bufs[1];
		smart_fill(bufs[1], BUF_SIZE, depth + 1);
		return (uintptr_t)bufs[1];
	}
}

/* ---- templates: valid arguments of the common operations ---- */

/* What the destroys (whose argument is the one handle) destroy. */
static const enum kind destroyed_kind[] = {
	[_IOC_NR(LX_DXDESTROYDEVICE)] = K_DEVICE,
	[_IOC_NR(LX_DXDESTROYCONTEXT)] = K_CONTEXT,
	[_IOC_NR(LX_DXDESTROYPAGINGQUEUE)] = K_PAGINGQ,
	[_IOC_NR(LX_DXDESTROYHWQUEUE)] = K_HWQUEUE,
	[_IOC_NR(LX_DXDESTROYSYNCHRONIZATIONOBJECT)] = K_SYNC,
	[_IOC_NR(LX_DXCLOSEADAPTER)] = K_ADAPTER,
};

static __thread struct d3dddi_allocationinfo2 t_info[3];
/* Where ShareObjects writes its fd (through shared_handle). */
static __thread uint64_t t_shared_fd;
static __thread struct dxg_open_alloc_desc t_desc[3];
static __thread uint32_t t_handles[2];
static __thread uint64_t t_values[2];
static __thread uint32_t t_contexts[3];

/*
 * Writes a valid argument for request nr into arg (when there is a
 * template for it) and returns true.
 */
static bool template(unsigned int nr, uint8_t *arg)
{
	uint32_t dev = handle(K_DEVICE);

	switch (nr) {
	case _IOC_NR(LX_DXENUMADAPTERS2): {
		struct d3dkmt_enumadapters2 *a = (void *)arg;

		a->num_adapters = 4;
		a->adapters = (uintptr_t)bufs[1];
		return true;
	}
	case _IOC_NR(LX_DXQUERYSTATISTICS): {
		struct d3dkmt_querystatistics *a = (void *)arg;
		uint64_t luid = atomic_load(&F.luid);

		/*
		 * A real adapter, every type (and one beyond), a small item
		 * (segment or node id), the caller or itself by pid.
		 */
		a->adapter_luid.a = (uint32_t)luid;
		a->adapter_luid.b = (uint32_t)(luid >> 32);
		a->type = below(D3DKMT_QUERYSTATISTICS_PHYSICAL_ADAPTER + 2);
		a->query.node_id = below(3);
		a->process = below(3) ? 0 : (uint64_t)getpid();
		return true;
	}
	case _IOC_NR(LX_DXCREATEDEVICE): {
		struct d3dkmt_createdevice *a = (void *)arg;

		a->adapter = handle(K_ADAPTER);
		return true;
	}
	case _IOC_NR(LX_DXCREATECONTEXTVIRTUAL): {
		struct d3dkmt_createcontextvirtual *a = (void *)arg;

		a->device = dev;
		return true;
	}
	case _IOC_NR(LX_DXCREATEALLOCATION): {
		struct d3dkmt_createallocation *a = (void *)arg;
		uint32_t n = 1 + below(3);

		memset(t_info, 0, sizeof(t_info));
		for (uint32_t i = 0; i < n; i++) {
			t_desc[i].version = DXG_OPEN_ALLOC_DESC_VERSION;
			t_desc[i].flags = below(4) == 0 ? DXG_OPEN_ALLOC_DEVICE_LOCAL : 0;
			t_desc[i].size = (uint64_t)(1 + below(16)) << 12;
			t_info[i].priv_drv_data = (uintptr_t)&t_desc[i];
			t_info[i].priv_drv_data_size = sizeof(t_desc[i]);
		}
		a->device = dev;
		a->alloc_count = n;
		a->allocation_info = (uintptr_t)t_info;
		if (below(3) == 0)
			a->flags.value = D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE;
		/* A shared resource, for ShareObjects. */
		if (below(4) == 0)
			a->flags.value = D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE |
					 D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED |
					 D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING;
		return true;
	}
	case _IOC_NR(LX_DXCREATESYNCHRONIZATIONOBJECT): {
		struct d3dkmt_createsynchronizationobject2 *a = (void *)arg;

		a->device = dev;
		a->info.type = below(4) ? D3DDDI_MONITORED_FENCE :
					  D3DDDI_CPU_NOTIFICATION;
		a->info.cpu_notification.event = (uint64_t)F.eventfd;
		if (a->info.type == D3DDDI_MONITORED_FENCE && below(3) == 0)
			a->info.flags.value = D3DDDI_SYNCOBJ_FLAG_SHARED |
					      D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING;
		return true;
	}
	case _IOC_NR(LX_DXSHAREOBJECTS): {
		struct d3dkmt_shareobjects *a = (void *)arg;

		t_handles[0] = handle(below(2) ? K_RESOURCE : K_SYNC);
		a->object_count = 1;
		a->objects = (uintptr_t)t_handles;
		t_shared_fd = ~0ull;
		a->shared_handle = (uintptr_t)&t_shared_fd;
		return true;
	}
	case _IOC_NR(LX_DXOPENSYNCOBJECTFROMNTHANDLE2): {
		struct d3dkmt_opensyncobjectfromnthandle2 *a = (void *)arg;

		a->nt_handle = ntfd();
		a->device = dev;
		return true;
	}
	case _IOC_NR(LX_DXQUERYRESOURCEINFOFROMNTHANDLE): {
		struct d3dkmt_queryresourceinfofromnthandle *a = (void *)arg;

		a->nt_handle = ntfd();
		a->device = dev;
		a->private_runtime_data = (uintptr_t)bufs[0];
		a->private_runtime_data_size = below(2) ? 1024 : below(64);
		return true;
	}
	case _IOC_NR(LX_DXOPENRESOURCEFROMNTHANDLE): {
		struct d3dkmt_openresourcefromnthandle *a = (void *)arg;

		a->nt_handle = ntfd();
		a->device = dev;
		a->allocation_count = 1 + below(3);
		a->open_alloc_info = (uintptr_t)bufs[1];
		a->private_runtime_data = (uintptr_t)bufs[0];
		a->private_runtime_data_size = below(8) ? 1024 : -1;
		a->resource_priv_drv_data = (uintptr_t)bufs[0] + 1024;
		a->resource_priv_drv_data_size = 1024;
		a->total_priv_drv_data = (uintptr_t)bufs[0] + 2048;
		a->total_priv_drv_data_size = below(8) ? 2048 : below(64);
		return true;
	}
	case _IOC_NR(LX_DXSHAREOBJECTWITHHOST): {
		struct d3dkmt_shareobjectwithhost *a = (void *)arg;

		a->device_handle = dev;
		a->object_handle = handle(below(2) ? K_RESOURCE : K_SYNC);
		return true;
	}
	case _IOC_NR(LX_DXCREATEPAGINGQUEUE): {
		struct d3dkmt_createpagingqueue *a = (void *)arg;

		a->device = dev;
		return true;
	}
	case _IOC_NR(LX_DXLOCK2): {
		struct d3dkmt_lock2 *a = (void *)arg;

		a->device = dev;
		a->allocation = handle(K_ALLOC);
		return true;
	}
	case _IOC_NR(LX_DXUNLOCK2): {
		struct d3dkmt_unlock2 *a = (void *)arg;

		a->device = dev;
		a->allocation = handle(K_ALLOC);
		return true;
	}
	case _IOC_NR(LX_DXDESTROYALLOCATION2): {
		struct d3dkmt_destroyallocation2 *a = (void *)arg;

		a->device = dev;
		t_handles[0] = handle(K_ALLOC);
		t_handles[1] = handle(K_ALLOC);
		a->allocations = (uintptr_t)t_handles;
		a->alloc_count = 1 + below(2);
		if (below(4) == 0) {
			a->resource = handle(K_RESOURCE);
			a->alloc_count = 0;
			a->allocations = 0;
		}
		return true;
	}
	case _IOC_NR(LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU): {
		struct d3dkmt_signalsynchronizationobjectfromcpu *a = (void *)arg;

		t_handles[0] = handle(K_SYNC);
		t_values[0] = below(100);
		a->device = dev;
		a->object_count = 1;
		a->objects = (uintptr_t)t_handles;
		a->fence_values = (uintptr_t)t_values;
		return true;
	}
	case _IOC_NR(LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMCPU): {
		struct d3dkmt_waitforsynchronizationobjectfromcpu *a = (void *)arg;

		t_handles[0] = handle(K_SYNC);
		t_values[0] = below(4);
		a->device = dev;
		a->object_count = 1;
		a->objects = (uintptr_t)t_handles;
		a->fence_values = (uintptr_t)t_values;
		/* Mostly asynchronous (an eventfd), else a blocking wait. */
		a->async_event = below(4) ? (uint64_t)F.eventfd : 0;
		return true;
	}
	case _IOC_NR(LX_DXCREATEHWQUEUE): {
		struct d3dkmt_createhwqueue *a = (void *)arg;

		a->context = handle(K_CONTEXT);
		a->flags.value = below(2);
		return true;
	}
	case _IOC_NR(LX_DXSUBMITCOMMANDTOHWQUEUE): {
		struct d3dkmt_submitcommandtohwqueue *a = (void *)arg;

		/* Mostly garbage buffers: the device errs, nothing else. */
		a->hwqueue = handle(K_HWQUEUE);
		a->hwqueue_progress_fence_id = below(100);
		a->command_buffer = (uint64_t)below(16) << 12;
		a->command_length = 16 * below(8);
		return true;
	}
	case _IOC_NR(LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE): {
		struct d3dkmt_submitsignalsyncobjectstohwqueue *a = (void *)arg;

		t_handles[0] = handle(K_SYNC);
		t_handles[1] = handle(K_HWQUEUE);
		t_values[0] = below(100);
		a->hwqueue_count = 1;
		a->hwqueues = (uintptr_t)&t_handles[1];
		a->object_count = 1;
		a->objects = (uintptr_t)t_handles;
		a->fence_values = (uintptr_t)t_values;
		return true;
	}
	case _IOC_NR(LX_DXSUBMITWAITFORSYNCOBJECTSTOHWQUEUE): {
		struct d3dkmt_submitwaitforsyncobjectstohwqueue *a = (void *)arg;

		t_handles[0] = handle(K_SYNC);
		t_values[0] = below(100);
		a->hwqueue = handle(K_HWQUEUE);
		a->object_count = 1;
		a->objects = (uintptr_t)t_handles;
		a->fence_values = (uintptr_t)t_values;
		return true;
	}
	case _IOC_NR(LX_DXSIGNALSYNCHRONIZATIONOBJECT): {
		struct d3dkmt_signalsynchronizationobject2 *a = (void *)arg;

		/* A signal, a broadcast or a CPU event (the eventfd). */
		a->context = handle(K_CONTEXT);
		a->object_count = below(3);
		a->object_array[0] = handle(K_SYNC);
		a->object_array[1] = handle(K_SYNC);
		a->context_count = below(4) ? 0 : below(3);
		a->contexts[0] = handle(K_CONTEXT);
		a->contexts[1] = handle(K_CONTEXT);
		if (below(3) == 0) {
			a->flags.value = D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT;
			a->cpu_event_handle = (uint64_t)F.eventfd;
		} else {
			a->fence.fence_value = below(100);
		}
		return true;
	}
	case _IOC_NR(LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU2): {
		struct d3dkmt_signalsynchronizationobjectfromgpu2 *a = (void *)arg;

		/* From 1-3 contexts (a broadcast): values, or a CPU event. */
		for (int i = 0; i < 3; i++)
			t_contexts[i] = handle(K_CONTEXT);
		a->context_count = 1 + below(3);
		a->contexts = (uintptr_t)t_contexts;
		t_handles[0] = handle(K_SYNC);
		t_handles[1] = handle(K_SYNC);
		a->objects = (uintptr_t)t_handles;
		if (below(3) == 0) {
			a->flags.value = D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT;
			a->cpu_event_handle = (uint64_t)F.eventfd;
		} else {
			a->object_count = 1 + below(2);
			t_values[0] = below(100);
			t_values[1] = below(100);
			a->monitored_fence_values = (uintptr_t)t_values;
		}
		return true;
	}
	case _IOC_NR(LX_DXCREATESYNCFILE): {
		struct d3dkmt_createsyncfile *a = (void *)arg;

		a->device = dev;
		a->monitored_fence = handle(K_SYNC);
		a->fence_value = below(100);
		return true;
	}
	case _IOC_NR(LX_DXWAITSYNCFILE): {
		struct d3dkmt_waitsyncfile *a = (void *)arg;

		a->sync_file_handle = sfd();
		a->context = handle(K_CONTEXT);
		return true;
	}
	case _IOC_NR(LX_DXOPENSYNCOBJECTFROMSYNCFILE): {
		struct d3dkmt_opensyncobjectfromsyncfile *a = (void *)arg;

		a->sync_file_handle = sfd();
		a->device = dev;
		return true;
	}
	case _IOC_NR(LX_DXWAITFORSYNCHRONIZATIONOBJECT): {
		struct d3dkmt_waitforsynchronizationobject2 *a = (void *)arg;

		a->context = handle(K_CONTEXT);
		a->object_count = 1;
		a->object_array[0] = handle(K_SYNC);
		a->fence.fence_value = below(100);
		return true;
	}
	case _IOC_NR(LX_DXRESERVEGPUVIRTUALADDRESS): {
		struct d3dddi_reservegpuvirtualaddress *a = (void *)arg;

		a->adapter = handle(K_ADAPTER);
		a->size = (uint64_t)(1 + below(16)) << 16;
		return true;
	}
	case _IOC_NR(LX_DXMAPGPUVIRTUALADDRESS): {
		struct d3dddi_mapgpuvirtualaddress *a = (void *)arg;

		a->paging_queue = handle(K_PAGINGQ);
		a->allocation = handle(K_ALLOC);
		a->size_in_pages = 1 + below(4);
		a->protection.value = below(8);
		return true;
	}
	/* Residency (docs/memory.md §10): live lists, sometimes resources. */
	case _IOC_NR(LX_DXOFFERALLOCATIONS): {
		struct d3dkmt_offerallocations *a = (void *)arg;
		bool res = below(4) == 0;

		t_handles[0] = handle(res ? K_RESOURCE : K_ALLOC);
		t_handles[1] = handle(res ? K_RESOURCE : K_ALLOC);
		a->device = dev;
		if (res)
			a->resources = (uintptr_t)t_handles;
		else
			a->allocations = (uintptr_t)t_handles;
		a->allocation_count = 1 + below(2);
		a->priority = below(6);
		a->flags.value = below(4);
		return true;
	}
	case _IOC_NR(LX_DXRECLAIMALLOCATIONS2): {
		struct d3dkmt_reclaimallocations2 *a = (void *)arg;

		t_handles[0] = handle(K_ALLOC);
		t_handles[1] = handle(K_ALLOC);
		a->paging_queue = handle(K_PAGINGQ);
		a->allocations = (uintptr_t)t_handles;
		a->allocation_count = 1 + below(2);
		a->results = below(2) ? (uintptr_t)t_values : 0;
		return true;
	}
	case _IOC_NR(LX_DXSETALLOCATIONPRIORITY):
	case _IOC_NR(LX_DXGETALLOCATIONPRIORITY):
	case _IOC_NR(LX_DXQUERYALLOCATIONRESIDENCY): {
		/* One layout for the three (dxg_residency.c). */
		struct d3dkmt_setallocationpriority *a = (void *)arg;
		uint32_t *v = (uint32_t *)(void *)t_values;

		a->device = dev;
		v[0] = D3DDDI_ALLOCATIONPRIORITY_LOW;
		v[1] = below(2) ? D3DDDI_ALLOCATIONPRIORITY_HIGH : (uint32_t)rnd();
		if (below(4) == 0) {
			a->resource = handle(K_RESOURCE);
		} else {
			t_handles[0] = handle(K_ALLOC);
			t_handles[1] = handle(K_ALLOC);
			a->allocation_list = (uintptr_t)t_handles;
			a->allocation_count = 1 + below(2);
		}
		a->priorities = (uintptr_t)v;
		return true;
	}
	case _IOC_NR(LX_DXUPDATEALLOCPROPERTY): {
		struct d3dddi_updateallocproperty *a = (void *)arg;

		a->paging_queue = handle(K_PAGINGQ);
		a->allocation = handle(K_ALLOC);
		a->supported_segment_set = below(4);
		a->preferred_segment.value = below(3);
		a->property_mask_value = below(8);
		a->flags.value = below(2);
		return true;
	}
	case _IOC_NR(LX_DXCHANGEVIDEOMEMORYRESERVATION): {
		struct d3dkmt_changevideomemoryreservation *a = (void *)arg;

		a->adapter = handle(K_ADAPTER);
		a->memory_segment_group = below(3);
		a->reservation = (uint64_t)below(1u << 16) << 12;
		return true;
	}
	case _IOC_NR(LX_DXFLUSHHEAPTRANSITIONS): {
		struct d3dkmt_flushheaptransitions *a = (void *)arg;

		a->adapter = handle(K_ADAPTER);
		return true;
	}
	case _IOC_NR(LX_DXINVALIDATECACHE): {
		struct d3dkmt_invalidatecache *a = (void *)arg;

		a->device = dev;
		a->allocation = handle(K_ALLOC);
		a->offset = below(2) ? 0 : rnd();
		a->length = below(2) ? 4096 : rnd();
		return true;
	}
	case _IOC_NR(LX_DXDESTROYDEVICE):
	case _IOC_NR(LX_DXDESTROYCONTEXT):
	case _IOC_NR(LX_DXDESTROYPAGINGQUEUE):
	case _IOC_NR(LX_DXDESTROYHWQUEUE):
	case _IOC_NR(LX_DXDESTROYSYNCHRONIZATIONOBJECT):
	case _IOC_NR(LX_DXCLOSEADAPTER): {
		uint32_t h = handle(destroyed_kind[nr]);

		memcpy(arg, &h, sizeof(h));
		return true;
	}
	default:
		return false;
	}
}

/* What a successful call made or destroyed: into the pools. */

/*
 * A Lock2 mapping is touched right after the call, while another thread
 * may destroy the allocation or reopen the file: the driver then revokes
 * the mapping and the touch gets SIGBUS, as promised (docs/memory.md).
 * Only such a touch is caught; a SIGBUS anywhere else still kills us.
 */
static __thread sigjmp_buf touch_env;
static __thread volatile sig_atomic_t touching;

static void on_sigbus(int sig)
{
	if (touching) {
		touching = 0;
		siglongjmp(touch_env, 1);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* 1 when the mapping at p was revoked under the touch. */
static int touch(volatile uint8_t *p)
{
	if (sigsetjmp(touch_env, 1))
		return 1;
	touching = 1;
	p[0] = 0x5a;
	(void)p[4095];
	touching = 0;
	return 0;
}

static void harvest(unsigned int nr, const uint8_t *arg)
{
	switch (nr) {
	case _IOC_NR(LX_DXENUMADAPTERS2): {
		const struct d3dkmt_enumadapters2 *a = (const void *)arg;
		const struct d3dkmt_adapterinfo *ai = (const void *)bufs[1];

		if (a->adapters == (uintptr_t)bufs[1])
			for (uint32_t i = 0; i < a->num_adapters && i < 4; i++)
				pool_add(K_ADAPTER, ai[i].adapter_handle);
		if (a->adapters == (uintptr_t)bufs[1] && a->num_adapters)
			atomic_store(&F.luid, (uint64_t)ai[0].adapter_luid.b << 32 |
					      ai[0].adapter_luid.a);
		break;
	}
	case _IOC_NR(LX_DXOPENADAPTERFROMLUID):
		pool_add(K_ADAPTER, ((const struct d3dkmt_openadapterfromluid *)
				     (const void *)arg)->adapter_handle);
		break;
	case _IOC_NR(LX_DXCREATEDEVICE):
		pool_add(K_DEVICE, ((const struct d3dkmt_createdevice *)
				    (const void *)arg)->device);
		break;
	case _IOC_NR(LX_DXCREATECONTEXTVIRTUAL):
		pool_add(K_CONTEXT, ((const struct d3dkmt_createcontextvirtual *)
				     (const void *)arg)->context);
		break;
	case _IOC_NR(LX_DXCREATEALLOCATION): {
		const struct d3dkmt_createallocation *a = (const void *)arg;

		pool_add(K_RESOURCE, a->resource);
		if (a->allocation_info == (uintptr_t)t_info)
			for (uint32_t i = 0; i < a->alloc_count && i < 3; i++)
				pool_add(K_ALLOC, t_info[i].allocation);
		break;
	}
	case _IOC_NR(LX_DXCREATESYNCHRONIZATIONOBJECT):
		pool_add(K_SYNC, ((const struct d3dkmt_createsynchronizationobject2 *)
				  (const void *)arg)->sync_object);
		break;
	case _IOC_NR(LX_DXSHAREOBJECTS): {
		const struct d3dkmt_shareobjects *a = (const void *)arg;

		if (a->shared_handle == (uintptr_t)&t_shared_fd &&
		    t_shared_fd <= INT32_MAX)
			fd_keep(&F.nt, (int)t_shared_fd);
		break;
	}
	case _IOC_NR(LX_DXOPENSYNCOBJECTFROMNTHANDLE2):
		pool_add(K_SYNC, ((const struct d3dkmt_opensyncobjectfromnthandle2 *)
				  (const void *)arg)->sync_object);
		break;
	case _IOC_NR(LX_DXCREATESYNCFILE): {
		const struct d3dkmt_createsyncfile *a = (const void *)arg;

		if (a->sync_file_handle <= INT32_MAX)
			fd_keep(&F.sf, (int)a->sync_file_handle);
		break;
	}
	case _IOC_NR(LX_DXOPENSYNCOBJECTFROMSYNCFILE):
		pool_add(K_SYNC, ((const struct d3dkmt_opensyncobjectfromsyncfile *)
				  (const void *)arg)->syncobj);
		break;
	case _IOC_NR(LX_DXOPENRESOURCEFROMNTHANDLE): {
		const struct d3dkmt_openresourcefromnthandle *a = (const void *)arg;
		const struct d3dddi_openallocationinfo2 *oa = (const void *)bufs[1];

		pool_add(K_RESOURCE, a->resource);
		if (a->open_alloc_info == (uintptr_t)bufs[1])
			for (uint32_t i = 0; i < a->allocation_count && i < 3; i++)
				pool_add(K_ALLOC, oa[i].allocation);
		break;
	}
	case _IOC_NR(LX_DXCREATEPAGINGQUEUE): {
		const struct d3dkmt_createpagingqueue *a = (const void *)arg;

		/* Its paging fence is a sync object too (not destroyable). */
		pool_add(K_PAGINGQ, a->paging_queue);
		pool_add(K_SYNC, a->sync_object);
		break;
	}
	case _IOC_NR(LX_DXCREATEHWQUEUE): {
		const struct d3dkmt_createhwqueue *a = (const void *)arg;

		/*
		 * Its progress fence is a sync object too (not destroyable).
		 * Its page is not touched here: another thread may destroy
		 * the queue (or its device) first, which revokes the page
		 * (SIGBUS), as it should; test_dxg_hwqueue reads it.
		 */
		pool_add(K_HWQUEUE, a->queue);
		pool_add(K_SYNC, a->queue_progress_fence);
		break;
	}
	case _IOC_NR(LX_DXLOCK2): {
		const struct d3dkmt_lock2 *a = (const void *)arg;

		/* Touch the mapping: it must be there and writable. */
		if (a->data && touch((uint8_t *)(uintptr_t)a->data))
			atomic_fetch_add(&F.revoked, 1);
		break;
	}
	case _IOC_NR(LX_DXDESTROYDEVICE):
	case _IOC_NR(LX_DXDESTROYCONTEXT):
	case _IOC_NR(LX_DXDESTROYPAGINGQUEUE):
	case _IOC_NR(LX_DXDESTROYHWQUEUE):
	case _IOC_NR(LX_DXDESTROYSYNCHRONIZATIONOBJECT):
	case _IOC_NR(LX_DXCLOSEADAPTER): {
		uint32_t h;

		memcpy(&h, arg, sizeof(h));
		retire(destroyed_kind[nr], h);
		break;
	}
	default:
		break;
	}
}

/* ---- the request words: every ioctl of the ABI ---- */

static const unsigned long requests[] = {
	LX_DXOPENADAPTERFROMLUID, LX_DXCREATEDEVICE, LX_DXCREATECONTEXT,
	LX_DXCREATECONTEXTVIRTUAL, LX_DXDESTROYCONTEXT, LX_DXCREATEALLOCATION,
	LX_DXCREATEPAGINGQUEUE, LX_DXRESERVEGPUVIRTUALADDRESS,
	LX_DXQUERYADAPTERINFO, LX_DXQUERYVIDEOMEMORYINFO, LX_DXMAKERESIDENT,
	LX_DXMAPGPUVIRTUALADDRESS, LX_DXESCAPE, LX_DXGETDEVICESTATE,
	LX_DXSUBMITCOMMAND, LX_DXCREATESYNCHRONIZATIONOBJECT,
	LX_DXSIGNALSYNCHRONIZATIONOBJECT, LX_DXWAITFORSYNCHRONIZATIONOBJECT,
	LX_DXDESTROYALLOCATION2, LX_DXENUMADAPTERS2, LX_DXCLOSEADAPTER,
	LX_DXCHANGEVIDEOMEMORYRESERVATION, LX_DXCREATEHWCONTEXT,
	LX_DXCREATEHWQUEUE, LX_DXDESTROYDEVICE, LX_DXDESTROYHWCONTEXT,
	LX_DXDESTROYHWQUEUE, LX_DXDESTROYPAGINGQUEUE,
	LX_DXDESTROYSYNCHRONIZATIONOBJECT, LX_DXEVICT,
	LX_DXFLUSHHEAPTRANSITIONS, LX_DXFREEGPUVIRTUALADDRESS,
	LX_DXGETCONTEXTINPROCESSSCHEDULINGPRIORITY,
	LX_DXGETCONTEXTSCHEDULINGPRIORITY, LX_DXGETSHAREDRESOURCEADAPTERLUID,
	LX_DXINVALIDATECACHE, LX_DXLOCK2, LX_DXMARKDEVICEASERROR,
	LX_DXOFFERALLOCATIONS, LX_DXOPENRESOURCE, LX_DXOPENSYNCHRONIZATIONOBJECT,
	LX_DXQUERYALLOCATIONRESIDENCY, LX_DXQUERYRESOURCEINFO,
	LX_DXRECLAIMALLOCATIONS2, LX_DXRENDER, LX_DXSETALLOCATIONPRIORITY,
	LX_DXSETCONTEXTINPROCESSSCHEDULINGPRIORITY,
	LX_DXSETCONTEXTSCHEDULINGPRIORITY,
	LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU,
	LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU,
	LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU2, LX_DXSUBMITCOMMANDTOHWQUEUE,
	LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE,
	LX_DXSUBMITWAITFORSYNCOBJECTSTOHWQUEUE, LX_DXUNLOCK2,
	LX_DXUPDATEALLOCPROPERTY, LX_DXUPDATEGPUVIRTUALADDRESS,
	LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMCPU,
	LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMGPU, LX_DXGETALLOCATIONPRIORITY,
	LX_DXQUERYCLOCKCALIBRATION, LX_DXENUMADAPTERS3, LX_DXSHAREOBJECTS,
	LX_DXOPENSYNCOBJECTFROMNTHANDLE2, LX_DXQUERYRESOURCEINFOFROMNTHANDLE,
	LX_DXOPENRESOURCEFROMNTHANDLE, LX_DXQUERYSTATISTICS,
	LX_DXSHAREOBJECTWITHHOST, LX_DXCREATESYNCFILE, LX_DXWAITSYNCFILE,
	LX_DXOPENSYNCOBJECTFROMSYNCFILE, LX_DXENUMPROCESSES, LX_ISFEATUREENABLED,
};

#define NREQ (sizeof(requests) / sizeof(requests[0]))

/* The creates and uses that build state are picked more often. */
static unsigned long pick_request(void)
{
	static const unsigned long hot[] = {
		LX_DXENUMADAPTERS2, LX_DXCREATEDEVICE, LX_DXCREATEALLOCATION,
		LX_DXCREATEALLOCATION, LX_DXCREATESYNCHRONIZATIONOBJECT,
		LX_DXCREATEPAGINGQUEUE, LX_DXCREATECONTEXTVIRTUAL, LX_DXLOCK2,
		LX_DXUNLOCK2, LX_DXMAPGPUVIRTUALADDRESS, LX_DXSHAREOBJECTS,
		LX_DXOPENRESOURCEFROMNTHANDLE, LX_DXOPENSYNCOBJECTFROMNTHANDLE2,
		LX_DXCREATEHWQUEUE, LX_DXSUBMITCOMMANDTOHWQUEUE,
		LX_DXOFFERALLOCATIONS, LX_DXRECLAIMALLOCATIONS2,
	};

	if (below(3) == 0)
		return hot[below(sizeof(hot) / sizeof(hot[0]))];
	return requests[below(NREQ)];
}

/* One call: build the argument, maybe damage it, call, harvest. */
static void one_call(void)
{
	uint8_t arg[ARG_MAX] __attribute__((aligned(16)));
	unsigned long req = pick_request();
	unsigned int nr = _IOC_NR(req), size = _IOC_SIZE(req);
	bool templ, defined = true;
	int r;

	memset(arg, 0, size);
	templ = below(5) != 0 && template(nr, arg);
	if (!templ) {
		smart_fill(arg, size, 0);
	} else {
		/* Damage 0-3 words of the valid argument. */
		for (uint32_t i = below(4) == 0 ? 1 + below(3) : 0; i; i--) {
			uint32_t off = below(size / 4) * 4, w;

			w = below(2) ? handle(below(K_COUNT)) :
			    (uint32_t)small_or_random();
			memcpy(arg + off, &w, 4);
		}
	}
	if (below(50) == 0) {		/* a request word the ABI lacks */
		unsigned int bad = below(2) ? size + 4 * (1 + below(8)) :
					      size - 4 * below(size / 4 + 1);

		req = _IOC(below(2) ? _IOC_READ | _IOC_WRITE : _IOC_WRITE, 'G',
			   nr, bad & 0x3fff);
		defined = req == requests[nr - 1];
	}
	r = ioctl(pick_fd(), req, arg);
	atomic_fetch_add(&F.calls, 1);
	if (r == 0 || (r > 0 && r < 0x40000000))
		atomic_fetch_add(&F.ok, 1);
	if ((r >= 0 && !defined) || r < -1 || (r == -1 && !errno)) {
		atomic_fetch_add(&F.bad, 1);
		fprintf(stderr, "dxg-fuzz: ioctl 0x%lx returned %d (errno %d)\n",
			req, r, errno);
	}
	if (r >= 0 && defined)
		harvest(nr, arg);
}

/* ---- files, threads, children ---- */

static void reopen_one(void)
{
	int i = (int)below(NFILES), fd = open("/dev/dxg", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	pthread_mutex_lock(&F.lock);
	/* Other threads may still be in a call on the old file: dup2 swaps. */
	dup2(fd, F.fds[i]);
	close(fd);
	pthread_mutex_unlock(&F.lock);
}

/* Learns foreign handles: what another open file's creates return. */
static void foreign_handles(void)
{
	struct d3dkmt_adapterinfo ai[4];
	struct d3dkmt_enumadapters2 e = { .num_adapters = 4,
					  .adapters = (uintptr_t)ai };
	struct d3dkmt_createdevice cd = { 0 };

	if (ioctl(F.foreign_fd, LX_DXENUMADAPTERS2, &e) || !e.num_adapters)
		return;
	pool_add(K_FOREIGN, ai[0].adapter_handle);
	cd.adapter = ai[0].adapter_handle;
	if (!ioctl(F.foreign_fd, LX_DXCREATEDEVICE, &cd))
		pool_add(K_FOREIGN, cd.device);
}

static void on_signal(int sig)
{
	(void)sig;		/* interrupts a blocking wait */
}

static void *thread_main(void *arg)
{
	rs = (uintptr_t)arg * 0x9e3779b97f4a7c15ull | 1;
	while (!atomic_load(&F.stop) && time(NULL) < F.deadline) {
		one_call();
		if (below(2000) == 0)
			reopen_one();
	}
	return NULL;
}

/*
 * A child: carries on with the inherited files (refused: another thread
 * group) and a file of its own, until it exits or the parent kills it.
 */
static void child_main(uint64_t seed, unsigned int calls)
{
	rs = seed | 1;
	pthread_mutex_init(&F.lock, NULL);	/* the parent's may be held */
	for (unsigned int i = 0; i < calls; i++) {
		if (i == calls / 4) {
			F.fds[0] = open("/dev/dxg", O_RDWR | O_CLOEXEC);
			if (F.fds[0] < 0)
				_exit(0);
			memset(F.pools, 0, sizeof(F.pools) - 2 * sizeof(struct pool));
		}
		one_call();
	}
	_exit(0);
}

/*
 * A child lives CHILD_MS at most: one of its blocking CPU waits may wait
 * for a value nobody will ever signal, which is a D3DKMT wait's right (it
 * has no timeout), and the parent must not wait with it (a debug-kernel
 * run hung so, the main thread in waitpid() past the deadline).
 */
#define CHILD_MS	5000

static void run_child(uint64_t seed)
{
	pid_t pid = fork();
	int status, ms = 0;

	if (pid == 0)
		child_main(seed, 100 + below(400));
	if (pid < 0)
		return;
	if (below(2)) {			/* killed mid-call */
		usleep(below(200000));
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (ms >= CHILD_MS || time(NULL) >= F.deadline) {
			kill(pid, SIGKILL);	/* killed in its wait */
			atomic_fetch_add(&F.stuck, 1);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(10000);
		ms += 10;
	}
}

static int setup(uint64_t seed)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sigaction bus = { .sa_handler = on_sigbus };

	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART */
	sigaction(SIGBUS, &bus, NULL);
	pthread_mutex_init(&F.lock, NULL);
	rs = seed | 1;
	for (int i = 0; i < NFILES; i++) {
		F.fds[i] = open("/dev/dxg", O_RDWR | O_CLOEXEC);
		if (F.fds[i] < 0) {
			perror("dxg-fuzz: /dev/dxg");
			return -1;
		}
	}
	F.foreign_fd = open("/dev/dxg", O_RDWR | O_CLOEXEC);
	F.eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	F.unmapped = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	F.readonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (F.foreign_fd < 0 || F.eventfd < 0 || F.unmapped == MAP_FAILED ||
	    F.readonly == MAP_FAILED)
		return -1;
	munmap(F.unmapped, 8192);
	foreign_handles();
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: dxg-fuzz [--seconds N] [--seed S] [--threads T] [--children C]\n"
		"Calls every /dev/dxg ioctl with structure-aware random arguments from\n"
		"T threads (default 4) for N seconds (default 60), forking C children\n"
		"(default 20) that are killed mid-call or exit; prints the seed first.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "children", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long seconds = 60, threads = 4, children = 20;
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	pthread_t tids[16];
	int c;

	while ((c = getopt_long(argc, argv, "s:r:t:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': seconds = strtoul(optarg, NULL, 0); break;
		case 'r': seed = strtoull(optarg, NULL, 0); break;
		case 't': threads = strtoul(optarg, NULL, 0); break;
		case 'c': children = strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	for (size_t i = 0; i < NREQ; i++) {
		if (_IOC_NR(requests[i]) != i + 1) {
			fprintf(stderr, "dxg-fuzz: request table out of order at %zu\n", i);
			return 2;
		}
	}
	if (!threads || threads > 16) {
		usage(stderr);
		return 2;
	}
	printf("dxg-fuzz: seed 0x%llx, %lu s, %lu threads, %lu children\n",
	       (unsigned long long)seed, seconds, threads, children);
	fflush(stdout);
	if (setup(seed))
		return 1;
	F.deadline = time(NULL) + (time_t)seconds;
	for (unsigned long i = 0; i < threads; i++)
		if (pthread_create(&tids[i], NULL, thread_main,
				   (void *)(uintptr_t)(seed + i + 1)))
			return 1;
	for (unsigned long i = 0; i < children && time(NULL) < F.deadline; i++) {
		sleep((unsigned int)(seconds / (children + 1)));
		run_child(seed ^ (i + 1) * 0x2545f4914f6cdd1dull);
	}
	while (time(NULL) < F.deadline)
		sleep(1);
	atomic_store(&F.stop, true);
	/* Threads blocked in a wait: a signal cuts it short; then join. */
	for (int round = 0; round < 50; round++) {
		for (unsigned long i = 0; i < threads; i++)
			pthread_kill(tids[i], SIGUSR1);
		usleep(100000);
	}
	printf("dxg-fuzz: %lu calls, %lu succeeded, %lu bad returns, %lu mappings"
	       " revoked under a touch, %lu children killed still running"
	       " after %d ms; live handles:"
	       " %u adapters %u devices %u allocations %u sync objects\n",
	       atomic_load(&F.calls), atomic_load(&F.ok), atomic_load(&F.bad),
	       atomic_load(&F.revoked), atomic_load(&F.stuck), CHILD_MS,
	       F.pools[K_ADAPTER].n, F.pools[K_DEVICE].n, F.pools[K_ALLOC].n,
	       F.pools[K_SYNC].n);
	fflush(stdout);
	/*
	 * Exit without joining: a thread still blocked in an uninterruptible
	 * wait dies with the process (what a killed program does).
	 */
	return atomic_load(&F.bad) ? 1 : 0;
}
