// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of GPU memory on /dev/dxg (docs/memory.md), run inside a
 * guest with dxgkrnl.ko loaded and a dxghost attached: allocations and
 * resources, Lock2/Unlock2 mappings of IO space (zero copy, never reachable
 * after unlock/destroy, not inherited by fork, raw mmap refused), paging
 * queues and their host-written fence page, residency, the video memory
 * budget and segment sizes, GPU VA reserve/map/update/free, exhaustion and
 * cleanup at process exit.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE	4096u
#define MIB	(1024u * 1024)

static int destroy_allocs(int fd, d3dkmthandle dev, const d3dkmthandle *h,
			  uint32_t n)
{
	struct d3dkmt_destroyallocation2 d = {
		.device = dev,
		.allocations = (uintptr_t)h,
		.alloc_count = n,
	};

	return xioctl(fd, LX_DXDESTROYALLOCATION2, &d);
}

static int unlock(int fd, d3dkmthandle dev, d3dkmthandle a)
{
	struct d3dkmt_unlock2 u = { .device = dev, .allocation = a };

	return xioctl(fd, LX_DXUNLOCK2, &u);
}

static int vidmem_group(int fd, d3dkmthandle adapter, uint32_t group,
			uint64_t *budget, uint64_t *usage)
{
	struct d3dkmt_queryvideomemoryinfo q = {
		.adapter = adapter, .memory_segment_group = group,
	};
	int r = xioctl(fd, LX_DXQUERYVIDEOMEMORYINFO, &q);

	*budget = q.budget;
	*usage = q.current_usage;
	return r;
}

/* The adapter's dedicated video memory (device-local), 0 when it has none. */
static uint64_t dedicated(struct env *e)
{
	struct d3dkmt_segmentsizeinfo si = { 0 };
	struct d3dkmt_queryadapterinfo q = {
		.adapter = e->adapter, .type = KMTQAITYPE_GETSEGMENTSIZE,
		.private_data = (uintptr_t)&si, .private_data_size = sizeof(si),
	};

	return xioctl(e->fd, LX_DXQUERYADAPTERINFO, &q) ? 0 : si.dedicated_video_memory_size;
}

/*
 * The IO space's budget and usage: the LOCAL group, or NON_LOCAL where the
 * adapter has device memory (which is then LOCAL).
 */
static int vidmem(struct env *e, uint64_t *budget, uint64_t *usage)
{
	return vidmem_group(e->fd, e->adapter,
			    dedicated(e) ? D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL :
			    D3DKMT_MEMORY_SEGMENT_GROUP_LOCAL, budget, usage);
}

static uint64_t usage_now(struct env *e)
{
	uint64_t b, u;

	return vidmem(e, &b, &u) ? UINT64_MAX : u;
}

static void test_create_bad(struct env *e)
{
	struct d3dddi_allocationinfo2 info[2];
	struct dxg_open_alloc_desc d = { DXG_OPEN_ALLOC_DESC_VERSION, 0, PAGE };
	struct d3dkmt_createallocation ca;
	static char big[130 * 1024];
	d3dkmthandle h;

	memset(info, 0, sizeof(info));
	info[0].priv_drv_data = (uintptr_t)&d;
	info[0].priv_drv_data_size = sizeof(d);
	memset(&ca, 0, sizeof(ca));
	ca.device = e->device;
	ca.allocation_info = (uintptr_t)info;

	ca.alloc_count = 0;
	expect("CreateAllocation count 0 -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	ca.alloc_count = 1025;
	expect("CreateAllocation count 1025 -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	ca.alloc_count = 1;
	ca.device = 0x40000040;
	expect("CreateAllocation bad device -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	ca.device = e->device;
	ca.allocation_info = 16;
	expect("CreateAllocation bad info pointer -> EFAULT",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EFAULT);
	ca.allocation_info = (uintptr_t)info;
	info[0].priv_drv_data = (uintptr_t)big;
	info[0].priv_drv_data_size = sizeof(big);
	expect("CreateAllocation 130 KiB private data -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	ca.priv_drv_data = (uintptr_t)big;
	ca.priv_drv_data_size = 128 * 1024;
	info[0].priv_drv_data = (uintptr_t)&d;
	info[0].priv_drv_data_size = sizeof(d);
	expect("CreateAllocation 128 KiB resource data -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	ca.priv_drv_data_size = 0;
	info[0].priv_drv_data = 8;
	expect("CreateAllocation bad private data pointer -> EFAULT",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EFAULT);
	info[0].priv_drv_data = (uintptr_t)&d;
	info[0].priv_drv_data_size = 0;
	expect("CreateAllocation without a descriptor -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	info[0].priv_drv_data_size = sizeof(d);
	d.version = 99;
	expect("CreateAllocation unknown descriptor version -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	d.version = DXG_OPEN_ALLOC_DESC_VERSION;
	d.size = 1ull << 40;
	expect("CreateAllocation larger than the IO space -> ENOMEM",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca),
	       host_create_err(-ENOMEM));
	d.size = PAGE;
	info[0].sysmem = (uintptr_t)big;
	/* Without the flag (test_dxg_sysmem has the rest). */
	expect("CreateAllocation sysmem pointer without EXISTING_SYSMEM -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	info[0].sysmem = 0;
	ca.flags.value = D3DKMT_CREATEALLOCATION_FLAG_CREATE_PROTECTED;
	expect("CreateAllocation protected -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	ca.flags.value = 0;
	ca.resource = 0x40000080;
	expect("CreateAllocation into a bad resource -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	ca.resource = 0;
	expect("CreateAllocation good input after the bad ones",
	       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), 0);
	h = info[0].allocation;
	expect("DestroyAllocation2 it", destroy_allocs(e->fd, e->device, &h, 1), 0);
}

static void test_lock(struct env *e, uint64_t base)
{
	d3dkmthandle h, h2[2];
	unsigned char *p, *q;
	uint64_t u;
	size_t i;
	int ok;

	expect("CreateAllocation 3 pages + 1 byte", alloc1(e->fd, e->device,
							  3 * PAGE + 1, &h), 0);
	u = usage_now(e);
	check("usage grows by the rounded size", u == base + 4 * PAGE,
	      "usage %llu, baseline %llu", (unsigned long long)u,
	      (unsigned long long)base);
	check("host IO-space statistic agrees",
	      host_stat("dxg_host_io_used") == (long)u, "sysfs %ld, query %llu",
	      host_stat("dxg_host_io_used"), (unsigned long long)u);

	expect("Lock2", lock(e->fd, e->device, h, (void **)&p), 0);
	check("Lock2 address is page-aligned and mapped",
	      p && !((uintptr_t)p % PAGE) && mapped(p, 4 * PAGE), "%p", p);
	ok = 1;
	for (i = 0; i < 4 * PAGE; i++)
		ok &= p[i] == 0;
	check("a new allocation reads zero", ok, "dirty memory");
	for (i = 0; i < 4 * PAGE; i++)
		p[i] = (unsigned char)(i * 7 + 3);
	expect("Lock2 again", lock(e->fd, e->device, h, (void **)&q), 0);
	check("repeated Lock2 returns the same address", p == q, "%p vs %p", p, q);
	expect("Unlock2 (1 of 2)", unlock(e->fd, e->device, h), 0);
	check("still mapped while locked", mapped(p, 4 * PAGE), "unmapped");
	expect("Unlock2 (2 of 2)", unlock(e->fd, e->device, h), 0);
	check("Unlock2 at zero unmaps", !mapped(p, 4 * PAGE), "still mapped");
	expect("Unlock2 when not locked -> EINVAL", unlock(e->fd, e->device, h),
	       -EINVAL);
	/* A new mapping shows the bytes written through the old one. */
	expect("Lock2 after unlock", lock(e->fd, e->device, h, (void **)&q), 0);
	ok = q != NULL;
	for (i = 0; ok && i < 4 * PAGE; i++)
		ok = q[i] == (unsigned char)(i * 7 + 3);
	check("data persists in IO space across mappings (zero copy)", ok,
	      "mismatch at %zu", i);
	check("mremap of a Lock2 mapping is refused",
	      mremap(q, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		     q + 64 * PAGE) == MAP_FAILED, "moved");

	/* Two allocations never alias. */
	expect("CreateAllocation two more", alloc_n(e->fd, e->device, PAGE, 2, h2,
						   NULL), 0);
	{
		unsigned char *a, *b;

		lock(e->fd, e->device, h2[0], (void **)&a);
		lock(e->fd, e->device, h2[1], (void **)&b);
		if (a && b) {
			memset(a, 0x11, PAGE);
			memset(b, 0x22, PAGE);
		}
		check("distinct allocations have distinct memory",
		      a && b && a != b && a[0] == 0x11 && b[0] == 0x22 &&
		      q[0] == 3, "aliasing");
	}
	expect("DestroyAllocation2 duplicate handles -> EINVAL",
	       destroy_allocs(e->fd, e->device,
			      (d3dkmthandle[]){ h2[0], h2[0] }, 2), -EINVAL);
	expect("DestroyAllocation2 two locked allocations",
	       destroy_allocs(e->fd, e->device, h2, 2), 0);

	/* Destroying a locked allocation removes the mapping first. */
	expect("DestroyAllocation2 a locked allocation",
	       destroy_allocs(e->fd, e->device, &h, 1), 0);
	check("the destroyed allocation's mapping is gone", !mapped(q, 4 * PAGE),
	      "still mapped");
	expect("Lock2 stale handle -> EINVAL", lock(e->fd, e->device, h,
						    (void **)&q), -EINVAL);
	expect("DestroyAllocation2 stale handle -> EINVAL",
	       destroy_allocs(e->fd, e->device, &h, 1), -EINVAL);
	u = usage_now(e);
	check("usage back to the baseline", u == base, "usage %llu, baseline %llu",
	      (unsigned long long)u, (unsigned long long)base);
}

static void test_raw_mmap_and_fork(struct env *e)
{
	d3dkmthandle h;
	unsigned char *p;
	void *m;
	pid_t pid;
	int st;

	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, e->fd, 0);
	check("raw mmap of /dev/dxg is refused", m == MAP_FAILED && errno == EACCES,
	      "%s", m == MAP_FAILED ? strerror(errno) : "mapped");
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, e->fd, 1ull << 20);
	check("raw mmap at another offset is refused", m == MAP_FAILED,
	      "mapped");

	if (alloc1(e->fd, e->device, PAGE, &h) || lock(e->fd, e->device, h,
						       (void **)&p)) {
		fail("fork setup", "no locked allocation");
		return;
	}
	p[0] = 0x5a;
	pid = fork();
	if (pid == 0) {
		struct d3dkmt_lock2 l = { .device = e->device, .allocation = h };
		int bad = 0;

		/* The child inherits neither the mapping nor the right to map. */
		if (mapped(p, PAGE))
			bad |= 1;
		if (ioctl(e->fd, LX_DXLOCK2, &l) != -1 || errno != ENOTTY)
			bad |= 2;
		if (mmap(NULL, PAGE, PROT_READ, MAP_SHARED, e->fd, 0) != MAP_FAILED)
			bad |= 4;
		_exit(bad);
	}
	waitpid(pid, &st, 0);
	check("fork child has no mapping, cannot Lock2 or mmap",
	      WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %#x", st);
	check("parent mapping intact after fork", mapped(p, PAGE) && p[0] == 0x5a,
	      "lost");
	destroy_allocs(e->fd, e->device, &h, 1);
}

static void test_other_process(struct env *e)
{
	struct env o;
	d3dkmthandle h;
	void *p;

	if (env_open(&o) || alloc1(o.fd, o.device, PAGE, &h)) {
		fail("second process setup", "failed");
		return;
	}
	expect("Lock2 another process's allocation -> EINVAL",
	       lock(e->fd, e->device, h, &p), -EINVAL);
	expect("DestroyAllocation2 another process's allocation -> EINVAL",
	       destroy_allocs(e->fd, e->device, &h, 1), -EINVAL);
	expect("Lock2 with another process's device -> EINVAL",
	       lock(e->fd, o.device, h, &p), -EINVAL);
	expect("the owner can still use it", lock(o.fd, o.device, h, &p), 0);
	close(o.fd);		/* the mapping keeps the file alive */
	check("mapping survives close of the fd", mapped(p, PAGE), "gone");
	munmap(p, PAGE);	/* now the process is released */
}

/*
 * A resource named with another device of the same process is refused and
 * stays the first device's.  Regression: the refusal kept the lookup's
 * reference, so the resource, its device, adapter and host were never freed
 * (kmemleak on the debug kernel, found by dxg-fuzz).
 */
static void other_device_resource(struct env *e, d3dkmthandle res)
{
	struct d3dkmt_createdevice cd = { .adapter = e->adapter };
	struct d3dkmt_destroyallocation2 d = { .resource = res };
	struct d3dkmt_destroydevice dd;

	if (xioctl(e->fd, LX_DXCREATEDEVICE, &cd)) {
		fail("DestroyAllocation2 another device's resource: setup",
		     "CreateDevice failed");
		return;
	}
	d.device = cd.device;
	expect("DestroyAllocation2 another device's resource -> EINVAL",
	       xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d), -EINVAL);
	dd.device = cd.device;
	expect("DestroyDevice the other device",
	       xioctl(e->fd, LX_DXDESTROYDEVICE, &dd), 0);
}

static void test_resource(struct env *e, uint64_t base)
{
	d3dkmthandle h[3], res = 0;
	struct d3dkmt_destroyallocation2 d = { .device = e->device };
	void *p;

	expect("CreateAllocation resource with 3 allocations",
	       alloc_n(e->fd, e->device, 2 * PAGE, 3, h, &res), 0);
	check("resource handle returned", res != 0, "0");
	check("usage counts the resource", usage_now(e) == base + 6 * PAGE,
	      "usage %llu", (unsigned long long)usage_now(e));
	expect("Lock2 an allocation of the resource",
	       lock(e->fd, e->device, h[1], &p), 0);
	d.resource = res;
	d.alloc_count = 1;
	d.allocations = (uintptr_t)h;
	expect("DestroyAllocation2 resource and list -> EINVAL",
	       xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d), -EINVAL);
	d.resource = 0;
	d.alloc_count = 0;
	expect("DestroyAllocation2 neither -> EINVAL",
	       xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d), -EINVAL);
	d.alloc_count = 1025;
	expect("DestroyAllocation2 1025 -> EINVAL",
	       xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d), -EINVAL);
	d.alloc_count = 0;
	d.resource = res;
	other_device_resource(e, res);
	expect("DestroyAllocation2 the resource",
	       xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d), 0);
	check("the resource's mappings are gone", !mapped(p, 2 * PAGE), "mapped");
	expect("its allocations are gone", lock(e->fd, e->device, h[0], &p),
	       -EINVAL);
	expect("DestroyAllocation2 the resource again -> EINVAL",
	       xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d), -EINVAL);
	check("usage back to the baseline", usage_now(e) == base, "usage %llu",
	      (unsigned long long)usage_now(e));
}

static void test_paging(struct env *e)
{
	struct d3dkmt_createpagingqueue cq = { .device = e->device };
	struct d3dddi_destroypagingqueue dq = { 0 };
	struct d3dddi_makeresident mr = { 0 };
	struct d3dkmt_evict ev = { .device = e->device };
	volatile uint64_t *fence;
	d3dkmthandle h;

	expect("CreatePagingQueue", xioctl(e->fd, LX_DXCREATEPAGINGQUEUE, &cq), 0);
	fence = (volatile uint64_t *)(uintptr_t)cq.fence_cpu_virtual_address;
	check("paging queue and fence page", cq.paging_queue && fence &&
	      mapped((void *)fence, PAGE) && *fence == 0, "queue %#x fence %p",
	      cq.paging_queue, (void *)fence);
	check("the fence page is read-only",
	      mprotect((void *)fence, PAGE, PROT_READ | PROT_WRITE) != 0,
	      "writable");
	cq.priority = 5;
	expect("CreatePagingQueue bad priority -> EINVAL",
	       xioctl(e->fd, LX_DXCREATEPAGINGQUEUE, &cq), -EINVAL);

	alloc1(e->fd, e->device, PAGE, &h);
	mr.paging_queue = cq.paging_queue;
	mr.alloc_count = 1;
	mr.allocation_list = (uintptr_t)&h;
	expect("MakeResident", xioctl(e->fd, LX_DXMAKERESIDENT, &mr), 0);
	check("the host signalled the paging fence in shared memory",
	      mr.paging_fence_value >= 1 && *fence == mr.paging_fence_value,
	      "value %llu, page %llu", (unsigned long long)mr.paging_fence_value,
	      (unsigned long long)*fence);
	/* Its paging fence is a monitored fence of the device (D12). */
	check("the paging queue names its paging fence", cq.sync_object != 0,
	      "sync_object 0");
	expect("a CPU wait on the paging fence for MakeResident's value",
	       wait_cpu(e, cq.sync_object, mr.paging_fence_value, 0), 0);
	{
		d3dkmthandle ctx;

		if (context(e, &ctx) == 0)
			expect("a GPU wait on the paging fence",
			       wait_gpu(e, ctx, cq.sync_object,
					mr.paging_fence_value), 0);
	}
	expect("DestroySynchronizationObject of the paging fence -> EINVAL",
	       sync_destroy(e->fd, cq.sync_object), -EINVAL);
	mr.alloc_count = 0;
	expect("MakeResident count 0 -> EINVAL",
	       xioctl(e->fd, LX_DXMAKERESIDENT, &mr), -EINVAL);
	mr.alloc_count = 10241;
	expect("MakeResident count 10241 -> EINVAL",
	       xioctl(e->fd, LX_DXMAKERESIDENT, &mr), -EINVAL);
	mr.alloc_count = 1;
	mr.paging_queue = 0x40000100;
	expect("MakeResident bad paging queue -> EINVAL",
	       xioctl(e->fd, LX_DXMAKERESIDENT, &mr), -EINVAL);
	ev.alloc_count = 1;
	ev.allocations = (uintptr_t)&h;
	expect("Evict", xioctl(e->fd, LX_DXEVICT, &ev), 0);
	ev.allocations = 8;
	expect("Evict bad list -> EFAULT", xioctl(e->fd, LX_DXEVICT, &ev), -EFAULT);

	{
		struct d3dddi_reservegpuvirtualaddress rv = {
			.adapter = e->adapter, .size = 16 * PAGE,
		};
		struct d3dddi_mapgpuvirtualaddress mv = {
			.paging_queue = cq.paging_queue, .allocation = h,
			.size_in_pages = 1,
			.protection.value = D3DDDIGPUVA_PROTECTION_WRITE,
		};
		struct d3dkmt_freegpuvirtualaddress fv = { .adapter = e->adapter };

		expect("ReserveGpuVirtualAddress",
		       xioctl(e->fd, LX_DXRESERVEGPUVIRTUALADDRESS, &rv), 0);
		check("reserved VA is page-aligned and non-zero",
		      rv.virtual_address && !(rv.virtual_address % PAGE), "%#llx",
		      (unsigned long long)rv.virtual_address);
		mv.base_address = rv.virtual_address + PAGE;
		expect("MapGpuVirtualAddress into the reservation",
		       xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), 0);
		check("mapped at the given address",
		      mv.virtual_address == rv.virtual_address + PAGE, "%#llx",
		      (unsigned long long)mv.virtual_address);
		expect("MapGpuVirtualAddress over a mapping -> error",
		       xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv) < 0, 1);
		mv.base_address = 0;
		expect("MapGpuVirtualAddress at a new address",
		       xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), 0);
		mv.size_in_pages = 2;
		expect("MapGpuVirtualAddress past the allocation -> EINVAL",
		       xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), -EINVAL);
		mv.size_in_pages = 1;
		mv.allocation = 0x40000200;
		expect("MapGpuVirtualAddress bad allocation -> EINVAL",
		       xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), -EINVAL);
		rv.size = 0;
		expect("ReserveGpuVirtualAddress size 0 -> EINVAL",
		       xioctl(e->fd, LX_DXRESERVEGPUVIRTUALADDRESS, &rv), -EINVAL);
		rv.adapter = 0x40000300;
		rv.size = PAGE;
		expect("ReserveGpuVirtualAddress bad adapter -> EINVAL",
		       xioctl(e->fd, LX_DXRESERVEGPUVIRTUALADDRESS, &rv), -EINVAL);
		fv.base_address = rv.virtual_address;
		fv.size = 16 * PAGE;
		expect("FreeGpuVirtualAddress",
		       xioctl(e->fd, LX_DXFREEGPUVIRTUALADDRESS, &fv), 0);
		expect("FreeGpuVirtualAddress again -> error",
		       xioctl(e->fd, LX_DXFREEGPUVIRTUALADDRESS, &fv) < 0, 1);
		/* Destroying a GPU-mapped allocation unmaps it on the host. */
		expect("DestroyAllocation2 a GPU-mapped allocation",
		       destroy_allocs(e->fd, e->device, &h, 1), 0);
	}

	dq.paging_queue = cq.paging_queue;
	expect("DestroyPagingQueue", xioctl(e->fd, LX_DXDESTROYPAGINGQUEUE, &dq), 0);
	check("the fence page is unmapped", !mapped((void *)fence, PAGE), "mapped");
	expect("its paging fence went with it",
	       wait_cpu(e, cq.sync_object, 1, 0), -EINVAL);
	expect("DestroyPagingQueue stale -> EINVAL",
	       xioctl(e->fd, LX_DXDESTROYPAGINGQUEUE, &dq), -EINVAL);
}

static void test_vidmem(struct env *e)
{
	struct d3dkmt_queryvideomemoryinfo q = { .adapter = e->adapter };
	uint64_t b, u;

	expect("QueryVideoMemoryInfo", vidmem(e, &b, &u), 0);
	check("budget is the IO space, usage within it", b >= 1 * MIB && u <= b,
	      "budget %llu usage %llu", (unsigned long long)b,
	      (unsigned long long)u);
	q.process = 1;
	expect("QueryVideoMemoryInfo other process -> EINVAL",
	       xioctl(e->fd, LX_DXQUERYVIDEOMEMORYINFO, &q), -EINVAL);
	q.process = 0;
	q.memory_segment_group = 7;
	expect("QueryVideoMemoryInfo bad group -> EINVAL",
	       xioctl(e->fd, LX_DXQUERYVIDEOMEMORYINFO, &q), -EINVAL);
	q.memory_segment_group = 0;
	q.adapter = 0x1234;
	expect("QueryVideoMemoryInfo bad adapter -> EINVAL",
	       xioctl(e->fd, LX_DXQUERYVIDEOMEMORYINFO, &q), -EINVAL);
}

static int update_va(int fd, d3dkmthandle dev,
		     const struct d3dddi_updategpuvirtualaddress_operation *ops,
		     uint32_t n)
{
	struct d3dkmt_updategpuvirtualaddress u = {
		.device = dev, .num_operations = n, .operations = (uintptr_t)ops,
	};

	return xioctl(fd, LX_DXUPDATEGPUVIRTUALADDRESS, &u);
}

static void upd_map(struct d3dddi_updategpuvirtualaddress_operation *o,
		    uint64_t va, uint64_t size, d3dkmthandle alloc, uint64_t off)
{
	memset(o, 0, sizeof(*o));
	o->operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP;
	o->map.base_address = va;
	o->map.size = size;
	o->map.allocation = alloc;
	o->map.allocation_offset = off;
}

static void upd_unmap(struct d3dddi_updategpuvirtualaddress_operation *o,
		      uint64_t va, uint64_t size)
{
	memset(o, 0, sizeof(*o));
	o->operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_UNMAP;
	o->unmap.base_address = va;
	o->unmap.size = size;
}

/* UpdateGpuVirtualAddress: MAP/UNMAP batches, all or nothing, and errors. */
static void test_update_va(struct env *e)
{
	struct d3dddi_updategpuvirtualaddress_operation ops[2], *many;
	struct d3dkmt_createpagingqueue cq = { .device = e->device };
	struct d3dddi_destroypagingqueue dq = { 0 };
	struct d3dddi_reservegpuvirtualaddress rv = {
		.adapter = e->adapter, .size = 16 * PAGE,
	};
	struct d3dddi_mapgpuvirtualaddress mv = {
		.size_in_pages = 1,
		.protection.value = D3DDDIGPUVA_PROTECTION_WRITE,
	};
	struct d3dkmt_freegpuvirtualaddress fv = { .adapter = e->adapter };
	struct d3dkmt_updategpuvirtualaddress u = { .device = e->device };
	d3dkmthandle h = 0;
	uint64_t va;

	if (alloc1(e->fd, e->device, 2 * PAGE, &h) ||
	    xioctl(e->fd, LX_DXCREATEPAGINGQUEUE, &cq) ||
	    xioctl(e->fd, LX_DXRESERVEGPUVIRTUALADDRESS, &rv)) {
		fail("UpdateGpuVirtualAddress setup", "errno %d", errno);
		return;
	}
	va = rv.virtual_address;
	mv.paging_queue = cq.paging_queue;
	mv.allocation = h;

	upd_map(&ops[0], va, 2 * PAGE, h, 0);
	upd_unmap(&ops[1], va + 4 * PAGE, PAGE);
	expect("UpdateGpuVirtualAddress map + unmap",
	       update_va(e->fd, e->device, ops, 2), 0);
	mv.base_address = va + PAGE;
	expect("MapGpuVirtualAddress over an update-mapped page -> error",
	       xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv) < 0, 1);
	/* All or nothing: the good first op of a failing batch is not kept. */
	upd_map(&ops[0], va + 8 * PAGE, PAGE, h, 0);
	upd_map(&ops[1], va, PAGE, h, 0);			/* mapped */
	expect("UpdateGpuVirtualAddress batch with a bad op -> EINVAL",
	       update_va(e->fd, e->device, ops, 2), -EINVAL);
	mv.base_address = va + 8 * PAGE;
	expect("... and its good op was not applied",
	       xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), 0);
	upd_unmap(&ops[0], va, 2 * PAGE);
	expect("UpdateGpuVirtualAddress unmap",
	       update_va(e->fd, e->device, ops, 1), 0);
	mv.base_address = va + PAGE;
	expect("MapGpuVirtualAddress where it was unmapped",
	       xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), 0);

	upd_map(&ops[0], va + 12 * PAGE, PAGE, 0x40000200, 0);
	expect("UpdateGpuVirtualAddress bad allocation -> EINVAL",
	       update_va(e->fd, e->device, ops, 1), -EINVAL);
	upd_map(&ops[0], va + 12 * PAGE, PAGE, h, 2 * PAGE);
	expect("UpdateGpuVirtualAddress past the allocation -> EINVAL",
	       update_va(e->fd, e->device, ops, 1), -EINVAL);
	/* Far from every reservation (test_paging left one after ours). */
	upd_map(&ops[0], va + (1ull << 36), PAGE, h, 0);
	expect("UpdateGpuVirtualAddress map outside a reservation -> EINVAL",
	       update_va(e->fd, e->device, ops, 1), -EINVAL);
	upd_unmap(&ops[0], va + (1ull << 36), PAGE);
	expect("UpdateGpuVirtualAddress unmap of an unreserved range -> EINVAL",
	       update_va(e->fd, e->device, ops, 1), -EINVAL);
	memset(&ops[0], 0, sizeof(ops[0]));
	ops[0].operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_COPY;
	expect("UpdateGpuVirtualAddress COPY of nothing -> EINVAL",
	       update_va(e->fd, e->device, ops, 1), -EINVAL);
	ops[0].operation = 77;
	expect("UpdateGpuVirtualAddress unknown op -> EINVAL",
	       update_va(e->fd, e->device, ops, 1), -EINVAL);
	upd_unmap(&ops[0], va, PAGE);
	u.fence_object = 0x40000500;
	u.num_operations = 1;
	u.operations = (uintptr_t)ops;
	expect("UpdateGpuVirtualAddress with a bad fence object -> EINVAL",
	       xioctl(e->fd, LX_DXUPDATEGPUVIRTUALADDRESS, &u), -EINVAL);
	u.fence_object = 0;
	expect("UpdateGpuVirtualAddress 0 ops -> EINVAL",
	       update_va(e->fd, e->device, ops, 0), -EINVAL);
	many = calloc(DXG_MAX_UPDATEGPUVA_OPS + 1, sizeof(*many));
	for (uint32_t i = 0; many && i <= DXG_MAX_UPDATEGPUVA_OPS; i++)
		upd_unmap(&many[i], va + 2 * PAGE, PAGE);
	expect("UpdateGpuVirtualAddress 1024 ops",
	       update_va(e->fd, e->device, many, DXG_MAX_UPDATEGPUVA_OPS), 0);
	expect("UpdateGpuVirtualAddress 1025 ops -> EINVAL",
	       update_va(e->fd, e->device, many, DXG_MAX_UPDATEGPUVA_OPS + 1),
	       -EINVAL);
	free(many);
	u.num_operations = 1;
	u.operations = 8;
	expect("UpdateGpuVirtualAddress bad pointer -> EFAULT",
	       xioctl(e->fd, LX_DXUPDATEGPUVIRTUALADDRESS, &u), -EFAULT);
	upd_unmap(&ops[0], va, PAGE);
	expect("UpdateGpuVirtualAddress bad device -> EINVAL",
	       update_va(e->fd, 0x40000400, ops, 1), -EINVAL);

	fv.base_address = va;
	fv.size = 16 * PAGE;
	expect("FreeGpuVirtualAddress after updates",
	       xioctl(e->fd, LX_DXFREEGPUVIRTUALADDRESS, &fv), 0);
	destroy_allocs(e->fd, e->device, &h, 1);
	dq.paging_queue = cq.paging_queue;
	xioctl(e->fd, LX_DXDESTROYPAGINGQUEUE, &dq);
}

/* QueryAdapterInfo's segment sizes report the IO space. */
static void test_segments(struct env *e)
{
	struct d3dkmt_segmentsizeinfo si;
	struct d3dkmt_queryadapterinfo q = {
		.adapter = e->adapter, .type = KMTQAITYPE_GETSEGMENTSIZE,
		.private_data = (uintptr_t)&si, .private_data_size = sizeof(si),
	};
	uint64_t b = 0, u;

	memset(&si, 0xff, sizeof(si));
	expect("QueryAdapterInfo GETSEGMENTSIZE",
	       xioctl(e->fd, LX_DXQUERYADAPTERINFO, &q), 0);
	vidmem(e, &b, &u);
	check("segment sizes: the IO space is shared memory",
	      si.shared_system_memory_size == b && b && !si.dedicated_system_memory_size,
	      "shared %llu budget %llu dedicated system %llu",
	      (unsigned long long)si.shared_system_memory_size,
	      (unsigned long long)b,
	      (unsigned long long)si.dedicated_system_memory_size);
	if (si.dedicated_video_memory_size) {
		uint64_t lb = 0, lu = 0;

		vidmem_group(e->fd, e->adapter, D3DKMT_MEMORY_SEGMENT_GROUP_LOCAL, &lb, &lu);
		check("dedicated video memory (device-local) is the LOCAL budget",
		      lb == si.dedicated_video_memory_size && lu <= lb,
		      "dedicated %llu local budget %llu usage %llu",
		      (unsigned long long)si.dedicated_video_memory_size,
		      (unsigned long long)lb, (unsigned long long)lu);
	}
	q.private_data_size = sizeof(si) - 8;
	expect("QueryAdapterInfo GETSEGMENTSIZE short buffer -> error",
	       xioctl(e->fd, LX_DXQUERYADAPTERINFO, &q) < 0, 1);
}

static void test_exhaustion(struct env *e, uint64_t base)
{
	d3dkmthandle h[64];
	unsigned int n = 0;
	int r = 0;

	while (n < 64 && !(r = alloc1(e->fd, e->device, 8 * MIB, &h[n])))
		n++;
	check("allocating until the IO space is full gives ENOMEM",
	      r == host_create_err(-ENOMEM) && n > 0, "r %d after %u", r, n);
	expect("an allocation larger than the IO space -> ENOMEM",
	       alloc1(e->fd, e->device, 64 * MIB, NULL),
	       host_create_err(-ENOMEM));
	if (n)
		expect("free them all", destroy_allocs(e->fd, e->device, h, n), 0);
	expect("allocate again after freeing", alloc1(e->fd, e->device, 8 * MIB,
						      &h[0]), 0);
	destroy_allocs(e->fd, e->device, h, 1);
	check("usage back to the baseline", usage_now(e) == base, "usage %llu",
	      (unsigned long long)usage_now(e));
}

static void test_exit_frees(struct env *e, uint64_t base)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct env c;
		d3dkmthandle h;
		unsigned char *p;

		/* Allocate, map, leave everything behind. */
		if (env_open(&c) || alloc1(c.fd, c.device, 2 * MIB, &h) ||
		    lock(c.fd, c.device, h, (void **)&p))
			_exit(1);
		memset(p, 0xee, 2 * MIB);
		_exit(usage_now(&c) == base + 2 * MIB ? 0 : 2);
	}
	waitpid(pid, &st, 0);
	check("child allocated and mapped", WIFEXITED(st) && !WEXITSTATUS(st),
	      "status %#x", st);
	check("process exit frees its IO space", usage_now(e) == base &&
	      host_stat("dxg_host_io_used") == (long)base, "usage %llu, sysfs %ld",
	      (unsigned long long)usage_now(e), host_stat("dxg_host_io_used"));
}

static void test_destroy_device(void)
{
	struct env o;
	struct d3dkmt_destroydevice dd;
	d3dkmthandle h;
	void *p;

	if (env_open(&o) || alloc1(o.fd, o.device, PAGE, &h) ||
	    lock(o.fd, o.device, h, &p)) {
		fail("DestroyDevice setup", "failed");
		return;
	}
	dd.device = o.device;
	expect("DestroyDevice with a locked allocation",
	       xioctl(o.fd, LX_DXDESTROYDEVICE, &dd), 0);
	check("the device's mappings are gone", !mapped(p, PAGE), "mapped");
	expect("its allocation is gone", lock(o.fd, o.device, h, &p), -EINVAL);
	close(o.fd);
}

/*
 * libdxg (like Microsoft's) opens /dev/dxg read-only: Lock2 must still give
 * a writable mapping, whatever mode the descriptor has.
 */
static void test_readonly_fd(void)
{
	struct env o;
	d3dkmthandle h;
	volatile unsigned char *p;
	void *v;

	if (env_open_mode(&o, O_RDONLY) || alloc1(o.fd, o.device, PAGE, &h)) {
		fail("read-only fd setup", "failed: %s", strerror(errno));
		return;
	}
	expect("Lock2 on a read-only /dev/dxg fd", lock(o.fd, o.device, h, &v), 0);
	p = v;
	if (p) {
		p[0] = 0x5a;
		p[PAGE - 1] = 0xa5;
		check("the mapping is writable", p[0] == 0x5a && p[PAGE - 1] == 0xa5,
		      "wrote but read back %02x %02x", p[0], p[PAGE - 1]);
	}
	expect("Unlock2 on a read-only fd", unlock(o.fd, o.device, h), 0);
	close(o.fd);
}

int main(void)
{
	struct env e;
	uint64_t base;

	if (env_open(&e)) {
		fail("setup", "no /dev/dxg device: %s", strerror(errno));
		return 1;
	}
	pass("setup");
	base = usage_now(&e);
	printf("# IO space in use before the tests: %llu\n",
	       (unsigned long long)base);
	test_vidmem(&e);
	test_create_bad(&e);
	test_lock(&e, base);
	test_raw_mmap_and_fork(&e);
	test_other_process(&e);
	test_resource(&e, base);
	test_paging(&e);
	test_update_va(&e);
	test_segments(&e);
	test_exhaustion(&e, base);
	test_exit_frees(&e, base);
	test_destroy_device();
	test_readonly_fd();
	check("usage at the end equals the baseline", usage_now(&e) == base,
	      "usage %llu", (unsigned long long)usage_now(&e));
	close(e.fd);
	return failures ? 1 : 0;
}
