// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of residency and memory management (docs/memory.md §10,
 * docs/ioctls.md): OfferAllocations -> the host discards (the TRIM escape,
 * as memory pressure would) -> ReclaimAllocations2 reports DISCARDED and the
 * memory works again; offer -> reclaim without pressure keeps the contents;
 * the reclaim order (offer priority, then allocation priority);
 * Set/GetAllocationPriority per allocation and per resource;
 * QueryAllocationResidency; UpdateAllocationProperty and its paging fence;
 * ChangeVideoMemoryReservation as QueryVideoMemoryInfo reports it;
 * FlushHeapTransitions; InvalidateCache bounds; a read-only GPU VA mapping
 * refuses GPU writes; a device-local allocation discarded and reclaimed
 * (fresh zeroed device memory behind the same GPU VA); a reservation that
 * another process's allocations cannot take.  With bad handles, sizes,
 * counts and overflows.
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
#include <time.h>
#include <unistd.h>

#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE	4096u
#define SIZE	(2 * PAGE)
#define N	4
#define BAD	0x40000200u

static d3dkmthandle pq;

static int offer(struct env *e, const d3dkmthandle *h, uint32_t n,
		 uint32_t prio)
{
	struct d3dkmt_offerallocations o = {
		.device = e->device, .allocations = (uintptr_t)h,
		.allocation_count = n, .priority = prio,
	};

	return xioctl(e->fd, LX_DXOFFERALLOCATIONS, &o);
}

static int reclaim(struct env *e, const d3dkmthandle *h, uint32_t n,
		   uint32_t *results, uint64_t *fence)
{
	struct d3dkmt_reclaimallocations2 r = {
		.paging_queue = pq, .allocation_count = n,
		.allocations = (uintptr_t)h, .results = (uintptr_t)results,
	};
	int ret = xioctl(e->fd, LX_DXRECLAIMALLOCATIONS2, &r);

	if (fence)
		*fence = r.paging_fence_value;
	return ret;
}

/* The TRIM escape: the host discards at least @bytes (0: all) offered. */
static int trim(struct env *e, uint64_t bytes, uint64_t *done)
{
	struct dxg_escape_trim k = { .op = DXG_ESCAPE_TRIM, .bytes = bytes };
	struct d3dkmt_escape a = {
		.adapter = e->adapter, .device = e->device,
		.type = D3DKMT_ESCAPE_DRIVERPRIVATE,
		.priv_drv_data = (uintptr_t)&k, .priv_drv_data_size = sizeof(k),
	};
	int r = xioctl(e->fd, LX_DXESCAPE, &a);

	*done = k.discarded;
	return r;
}

static int values(struct env *e, unsigned long req, d3dkmthandle res,
		  const d3dkmthandle *h, uint32_t n, uint32_t *v)
{
	struct d3dkmt_getallocationpriority g = {
		.device = e->device, .resource = res,
		.allocation_list = (uintptr_t)h, .allocation_count = n,
		.priorities = (uintptr_t)v,
	};

	return xioctl(e->fd, req, &g);
}

static int set_prio(struct env *e, d3dkmthandle res, const d3dkmthandle *h,
		    uint32_t n, const uint32_t *v)
{
	struct d3dkmt_setallocationpriority s = {
		.device = e->device, .resource = res,
		.allocation_list = (uintptr_t)h, .allocation_count = n,
		.priorities = (uintptr_t)v,
	};

	return xioctl(e->fd, LX_DXSETALLOCATIONPRIORITY, &s);
}

static uint32_t residency(struct env *e, d3dkmthandle h)
{
	uint32_t v = 0;

	return values(e, LX_DXQUERYALLOCATIONRESIDENCY, 0, &h, 1, &v) ? 0 : v;
}

static int all_bytes(const uint8_t *p, uint8_t b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != b)
			return 0;
	return 1;
}

static void test_offer_reclaim(struct env *e, d3dkmthandle *h, uint8_t **cpu)
{
	uint32_t res[N] = { 9, 9, 9, 9 };
	uint64_t fence = 0, done = 0;

	for (int i = 0; i < N; i++)
		memset(cpu[i], 0x11 * (i + 1), SIZE);
	check("new allocations are resident in shared memory",
	      residency(e, h[0]) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY,
	      "status %u", residency(e, h[0]));

	/* No pressure: everything comes back as it was. */
	expect("OfferAllocations", offer(e, h, N, D3DKMT_OFFER_PRIORITY_NORMAL), 0);
	expect("OfferAllocations twice -> EINVAL",
	       offer(e, h, 1, D3DKMT_OFFER_PRIORITY_NORMAL), -EINVAL);
	expect("ReclaimAllocations2 without pressure", reclaim(e, h, N, res, &fence), 0);
	check("... every result OK", !res[0] && !res[1] && !res[2] && !res[3],
	      "%u %u %u %u", res[0], res[1], res[2], res[3]);
	check("... the paging fence moved", fence > 0, "%llu",
	      (unsigned long long)fence);
	check("... contents kept", all_bytes(cpu[0], 0x11, SIZE) &&
	      all_bytes(cpu[3], 0x44, SIZE), "%#x", cpu[0][0]);
	expect("ReclaimAllocations2 of an allocation not offered -> EINVAL",
	       reclaim(e, h, 1, res, NULL), -EINVAL);

	/*
	 * Pressure: h0 offered LOW, h1 HIGH, h2 and h3 NORMAL with h3's
	 * allocation priority below h2's.  Reclaim order: h0, h3, h2, h1.
	 */
	{
		uint32_t p[2] = { D3DDDI_ALLOCATIONPRIORITY_HIGH,
				  D3DDDI_ALLOCATIONPRIORITY_LOW };

		expect("SetAllocationPriority h2 HIGH, h3 LOW",
		       set_prio(e, 0, h + 2, 2, p), 0);
	}
	expect("offer h0 LOW", offer(e, h, 1, D3DKMT_OFFER_PRIORITY_LOW), 0);
	expect("offer h1 HIGH", offer(e, h + 1, 1, D3DKMT_OFFER_PRIORITY_HIGH), 0);
	expect("offer h2, h3 NORMAL", offer(e, h + 2, 2, D3DKMT_OFFER_PRIORITY_NORMAL), 0);
	expect("host discards one allocation's worth", trim(e, SIZE, &done), 0);
	check("... one allocation discarded", done == SIZE, "%llu",
	      (unsigned long long)done);
	check("... the LOW offer went first",
	      residency(e, h[0]) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT &&
	      residency(e, h[1]) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY,
	      "h0 %u h1 %u", residency(e, h[0]), residency(e, h[1]));
	check("... its pages were given back (read zero)", all_bytes(cpu[0], 0, SIZE),
	      "%#x", cpu[0][0]);
	expect("host discards one more", trim(e, 1, &done), 0);
	check("... then the lower allocation priority of equal offers",
	      residency(e, h[3]) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT &&
	      residency(e, h[2]) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY,
	      "h2 %u h3 %u", residency(e, h[2]), residency(e, h[3]));
	memset(res, 9, sizeof(res));
	expect("ReclaimAllocations2 after pressure", reclaim(e, h, N, res, NULL), 0);
	check("... discarded ones report DISCARDED, kept ones OK",
	      res[0] == D3DDDI_RECLAIM_RESULT_DISCARDED &&
	      res[1] == D3DDDI_RECLAIM_RESULT_OK &&
	      res[2] == D3DDDI_RECLAIM_RESULT_OK &&
	      res[3] == D3DDDI_RECLAIM_RESULT_DISCARDED,
	      "%u %u %u %u", res[0], res[1], res[2], res[3]);
	check("... kept contents survive", all_bytes(cpu[1], 0x22, SIZE) &&
	      all_bytes(cpu[2], 0x33, SIZE), "%#x %#x", cpu[1][0], cpu[2][0]);
	memset(cpu[0], 0x5a, SIZE);
	check("... discarded memory works again",
	      all_bytes(cpu[0], 0x5a, SIZE) &&
	      residency(e, h[0]) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY,
	      "%#x status %u", cpu[0][0], residency(e, h[0]));
	expect("nothing offered: trim discards nothing", trim(e, 0, &done), 0);
	check("... 0 bytes", done == 0, "%llu", (unsigned long long)done);

	/* Reclaim without a results array: the fence only. */
	expect("offer again", offer(e, h, 1, D3DKMT_OFFER_PRIORITY_AUTO), 0);
	expect("ReclaimAllocations2 without results", reclaim(e, h, 1, NULL, NULL), 0);
}

static void test_offer_bad(struct env *e, const d3dkmthandle *h)
{
	d3dkmthandle bad[2] = { h[0], BAD };
	d3dkmthandle dup[2] = { h[0], h[0] };
	struct d3dkmt_offerallocations o = {
		.device = e->device, .allocations = (uintptr_t)h,
		.allocation_count = 1, .priority = D3DKMT_OFFER_PRIORITY_LOW,
	};
	struct d3dkmt_reclaimallocations2 r = {
		.paging_queue = pq, .allocation_count = 1,
		.allocations = (uintptr_t)h,
	};
	uint32_t res[2];

	expect("offer a bad handle -> EINVAL", offer(e, bad, 2, 1), -EINVAL);
	expect("... and the good one was not offered", reclaim(e, h, 1, res, NULL),
	       -EINVAL);
	expect("offer duplicates -> EINVAL", offer(e, dup, 2, 1), -EINVAL);
	expect("offer count 0 -> EINVAL", offer(e, h, 0, 1), -EINVAL);
	expect("offer count 10241 -> EINVAL", offer(e, h, 10241, 1), -EINVAL);
	expect("offer priority 0 -> EINVAL", offer(e, h, 1, 0), -EINVAL);
	expect("offer priority 5 -> EINVAL", offer(e, h, 1, 5), -EINVAL);
	o.flags.value = 1u << 7;
	expect("offer unknown flag -> EINVAL",
	       xioctl(e->fd, LX_DXOFFERALLOCATIONS, &o), -EINVAL);
	o.flags.value = 0;
	o.resources = (uintptr_t)h;
	expect("offer both lists -> EINVAL",
	       xioctl(e->fd, LX_DXOFFERALLOCATIONS, &o), -EINVAL);
	o.resources = 0;
	o.allocations = 0;
	expect("offer no list -> EINVAL",
	       xioctl(e->fd, LX_DXOFFERALLOCATIONS, &o), -EINVAL);
	o.allocations = 8;
	expect("offer bad pointer -> EFAULT",
	       xioctl(e->fd, LX_DXOFFERALLOCATIONS, &o), -EFAULT);
	o.allocations = (uintptr_t)h;
	o.device = BAD;
	expect("offer bad device -> EINVAL",
	       xioctl(e->fd, LX_DXOFFERALLOCATIONS, &o), -EINVAL);
	o.device = e->device;
	o.allocations = 0;
	o.resources = (uintptr_t)h;	/* an allocation is no resource */
	expect("offer an allocation as a resource -> EINVAL",
	       xioctl(e->fd, LX_DXOFFERALLOCATIONS, &o), -EINVAL);

	r.paging_queue = BAD;
	expect("reclaim bad paging queue -> EINVAL",
	       xioctl(e->fd, LX_DXRECLAIMALLOCATIONS2, &r), -EINVAL);
	r.paging_queue = pq;
	r.allocation_count = 0;
	expect("reclaim count 0 -> EINVAL",
	       xioctl(e->fd, LX_DXRECLAIMALLOCATIONS2, &r), -EINVAL);
	r.allocation_count = 1;
	expect("offer for the results test", offer(e, h, 1, 1), 0);
	r.results = 8;
	expect("reclaim bad results pointer -> EFAULT",
	       xioctl(e->fd, LX_DXRECLAIMALLOCATIONS2, &r), -EFAULT);
	r.results = 0;
	expect("... reclaimed anyway (the host did it)",
	       xioctl(e->fd, LX_DXRECLAIMALLOCATIONS2, &r), -EINVAL);
}

static void test_resource_offer(struct env *e)
{
	d3dkmthandle a[2], res = 0;
	struct d3dkmt_offerallocations o = {
		.device = e->device, .resources = (uintptr_t)&res,
		.allocation_count = 1, .priority = D3DKMT_OFFER_PRIORITY_LOW,
	};
	struct d3dkmt_reclaimallocations2 r = {
		.paging_queue = pq, .allocation_count = 1,
		.resources = (uintptr_t)&res,
	};
	uint32_t v[2] = { 0 }, one = 0, result = 9;
	uint64_t done;

	if (alloc_n(e->fd, e->device, PAGE, 2, a, &res)) {
		fail("resource setup", "errno %d", errno);
		return;
	}
	one = D3DDDI_ALLOCATIONPRIORITY_MAXIMUM;
	expect("SetAllocationPriority of a resource", set_prio(e, res, NULL, 0, &one), 0);
	expect("GetAllocationPriority of its allocations",
	       values(e, LX_DXGETALLOCATIONPRIORITY, 0, a, 2, v), 0);
	check("... both have the resource's priority",
	      v[0] == D3DDDI_ALLOCATIONPRIORITY_MAXIMUM &&
	      v[1] == D3DDDI_ALLOCATIONPRIORITY_MAXIMUM, "%#x %#x", v[0], v[1]);
	one = 0;
	expect("GetAllocationPriority of the resource",
	       values(e, LX_DXGETALLOCATIONPRIORITY, res, NULL, 0, &one), 0);
	check("... one value", one == D3DDDI_ALLOCATIONPRIORITY_MAXIMUM, "%#x", one);
	expect("resource with a list -> EINVAL",
	       set_prio(e, res, a, 2, v), -EINVAL);
	expect("OfferAllocations of a resource",
	       xioctl(e->fd, LX_DXOFFERALLOCATIONS, &o), 0);
	expect("trim", trim(e, 0, &done), 0);
	check("... both allocations discarded", done == 2 * PAGE, "%llu",
	      (unsigned long long)done);
	r.results = (uintptr_t)&result;
	expect("ReclaimAllocations2 of a resource",
	       xioctl(e->fd, LX_DXRECLAIMALLOCATIONS2, &r), 0);
	check("... one result, DISCARDED", result == D3DDDI_RECLAIM_RESULT_DISCARDED,
	      "%u", result);
	one = 0;
	expect("QueryAllocationResidency of the resource",
	       values(e, LX_DXQUERYALLOCATIONRESIDENCY, res, NULL, 0, &one), 0);
	check("... resident again",
	      one == D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY, "%u", one);
}

static void test_priority(struct env *e, const d3dkmthandle *h)
{
	uint32_t v[N] = { 0 }, p[2];
	d3dkmthandle bad[2] = { h[0], BAD };

	expect("GetAllocationPriority", values(e, LX_DXGETALLOCATIONPRIORITY, 0, h, 2, v), 0);
	p[0] = D3DDDI_ALLOCATIONPRIORITY_MINIMUM;
	p[1] = D3DDDI_ALLOCATIONPRIORITY_MAXIMUM;
	expect("SetAllocationPriority MINIMUM, MAXIMUM", set_prio(e, 0, h, 2, p), 0);
	expect("GetAllocationPriority", values(e, LX_DXGETALLOCATIONPRIORITY, 0, h, 2, v), 0);
	check("... round trip", v[0] == p[0] && v[1] == p[1], "%#x %#x", v[0], v[1]);
	p[0] = 1;
	expect("SetAllocationPriority below MINIMUM -> EINVAL", set_prio(e, 0, h, 2, p), -EINVAL);
	expect("... nothing changed",
	       values(e, LX_DXGETALLOCATIONPRIORITY, 0, h, 2, v) || v[1] != p[1] ? 1 : 0,
	       0);
	p[0] = D3DDDI_ALLOCATIONPRIORITY_NORMAL;
	expect("SetAllocationPriority bad handle -> EINVAL", set_prio(e, 0, bad, 2, p), -EINVAL);
	expect("SetAllocationPriority count 0 -> EINVAL", set_prio(e, 0, h, 0, p), -EINVAL);
	expect("SetAllocationPriority NULL priorities -> EINVAL",
	       set_prio(e, 0, h, 1, NULL), -EINVAL);
	expect("SetAllocationPriority bad priorities pointer -> EFAULT",
	       set_prio(e, 0, h, 1, (uint32_t *)8), -EFAULT);
	expect("GetAllocationPriority bad output pointer -> EFAULT",
	       values(e, LX_DXGETALLOCATIONPRIORITY, 0, h, 1, (uint32_t *)8), -EFAULT);
	expect("GetAllocationPriority count 10241 -> EINVAL",
	       values(e, LX_DXGETALLOCATIONPRIORITY, 0, h, 10241, v), -EINVAL);
	expect("QueryAllocationResidency bad handle -> EINVAL",
	       values(e, LX_DXQUERYALLOCATIONRESIDENCY, 0, bad, 2, v), -EINVAL);
	expect("QueryAllocationResidency bad resource -> EINVAL",
	       values(e, LX_DXQUERYALLOCATIONRESIDENCY, BAD, NULL, 0, v), -EINVAL);
	p[0] = p[1] = D3DDDI_ALLOCATIONPRIORITY_NORMAL;
	set_prio(e, 0, h, 2, p);
}

static void test_property(struct env *e, const d3dkmthandle *h)
{
	struct d3dddi_updateallocproperty u = {
		.paging_queue = pq, .allocation = h[0],
		.supported_segment_set = 1,	/* segment 1: the IO space */
		.property_mask_value = D3DDDI_UPDATEALLOCPROPERTY_SET_SUPPORTED_SEGMENT_SET,
	};
	uint64_t before;

	expect("UpdateAllocationProperty segment set", xioctl(e->fd, LX_DXUPDATEALLOCPROPERTY, &u), 0);
	check("... with its paging fence value", u.paging_fence_value > 0, "%llu",
	      (unsigned long long)u.paging_fence_value);
	before = u.paging_fence_value;
	u.property_mask_value = D3DDDI_UPDATEALLOCPROPERTY_SET_PREFERRED_SEGMENT |
				D3DDDI_UPDATEALLOCPROPERTY_SET_ACCESSED_PHYSICALLY;
	u.preferred_segment.value = 1;
	u.flags.value = D3DDDI_UPDATEALLOCPROPERTY_FLAG_ACCESSED_PHYSICALLY;
	expect("UpdateAllocationProperty preference, accessed physically",
	       xioctl(e->fd, LX_DXUPDATEALLOCPROPERTY, &u), 0);
	check("... the fence moves on", u.paging_fence_value > before, "%llu",
	      (unsigned long long)u.paging_fence_value);
	u.supported_segment_set = 1u << 5;
	u.property_mask_value = D3DDDI_UPDATEALLOCPROPERTY_SET_SUPPORTED_SEGMENT_SET;
	expect("UpdateAllocationProperty a set without its segment -> EINVAL",
	       xioctl(e->fd, LX_DXUPDATEALLOCPROPERTY, &u), -EINVAL);
	u.property_mask_value = 0;
	expect("UpdateAllocationProperty empty mask -> EINVAL",
	       xioctl(e->fd, LX_DXUPDATEALLOCPROPERTY, &u), -EINVAL);
	u.property_mask_value = D3DDDI_UPDATEALLOCPROPERTY_SET_PREFERRED_SEGMENT;
	u.preferred_segment.value = 31;
	expect("UpdateAllocationProperty preference of a missing segment -> EINVAL",
	       xioctl(e->fd, LX_DXUPDATEALLOCPROPERTY, &u), -EINVAL);
	u.allocation = BAD;
	expect("UpdateAllocationProperty bad allocation -> EINVAL",
	       xioctl(e->fd, LX_DXUPDATEALLOCPROPERTY, &u), -EINVAL);
	u.allocation = h[0];
	u.paging_queue = BAD;
	expect("UpdateAllocationProperty bad paging queue -> EINVAL",
	       xioctl(e->fd, LX_DXUPDATEALLOCPROPERTY, &u), -EINVAL);
}

static void test_reservation(struct env *e)
{
	struct d3dkmt_queryvideomemoryinfo q = { .adapter = e->adapter };
	struct d3dkmt_changevideomemoryreservation c = { .adapter = e->adapter };
	struct d3dkmt_flushheaptransitions f = { .adapter = e->adapter };
	uint64_t budget;

	expect("QueryVideoMemoryInfo", xioctl(e->fd, LX_DXQUERYVIDEOMEMORYINFO, &q), 0);
	budget = q.budget;
	c.reservation = budget / 2;
	expect("ChangeVideoMemoryReservation half the budget",
	       xioctl(e->fd, LX_DXCHANGEVIDEOMEMORYRESERVATION, &c), 0);
	expect("QueryVideoMemoryInfo", xioctl(e->fd, LX_DXQUERYVIDEOMEMORYINFO, &q), 0);
	check("... reports the reservation", q.current_reservation == budget / 2,
	      "%llu of %llu", (unsigned long long)q.current_reservation,
	      (unsigned long long)budget);
	c.reservation = budget + 1;
	expect("ChangeVideoMemoryReservation past the budget -> EINVAL",
	       xioctl(e->fd, LX_DXCHANGEVIDEOMEMORYRESERVATION, &c), -EINVAL);
	c.reservation = 0;
	expect("ChangeVideoMemoryReservation back to 0",
	       xioctl(e->fd, LX_DXCHANGEVIDEOMEMORYRESERVATION, &c), 0);
	expect("QueryVideoMemoryInfo", xioctl(e->fd, LX_DXQUERYVIDEOMEMORYINFO, &q), 0);
	check("... reservation 0", q.current_reservation == 0, "%llu",
	      (unsigned long long)q.current_reservation);
	c.process = 1;
	expect("ChangeVideoMemoryReservation of another process -> EINVAL",
	       xioctl(e->fd, LX_DXCHANGEVIDEOMEMORYRESERVATION, &c), -EINVAL);
	c.process = 0;
	c.memory_segment_group = 2;
	expect("ChangeVideoMemoryReservation bad group -> EINVAL",
	       xioctl(e->fd, LX_DXCHANGEVIDEOMEMORYRESERVATION, &c), -EINVAL);
	c.memory_segment_group = 0;
	c.adapter = BAD;
	expect("ChangeVideoMemoryReservation bad adapter -> EINVAL",
	       xioctl(e->fd, LX_DXCHANGEVIDEOMEMORYRESERVATION, &c), -EINVAL);
	expect("FlushHeapTransitions", xioctl(e->fd, LX_DXFLUSHHEAPTRANSITIONS, &f), 0);
	f.adapter = BAD;
	expect("FlushHeapTransitions bad adapter -> EINVAL",
	       xioctl(e->fd, LX_DXFLUSHHEAPTRANSITIONS, &f), -EINVAL);
	f.adapter = e->device;
	expect("FlushHeapTransitions a device handle -> EINVAL",
	       xioctl(e->fd, LX_DXFLUSHHEAPTRANSITIONS, &f), -EINVAL);
}

static void test_invalidate(struct env *e, const d3dkmthandle *h)
{
	struct d3dkmt_invalidatecache c = {
		.device = e->device, .allocation = h[0], .length = SIZE,
	};

	expect("InvalidateCache the whole allocation", xioctl(e->fd, LX_DXINVALIDATECACHE, &c), 0);
	c.offset = PAGE;
	c.length = 16;
	expect("InvalidateCache a range inside", xioctl(e->fd, LX_DXINVALIDATECACHE, &c), 0);
	c.length = SIZE;
	expect("InvalidateCache past the end -> EINVAL",
	       xioctl(e->fd, LX_DXINVALIDATECACHE, &c), -EINVAL);
	c.offset = SIZE + PAGE;
	c.length = 0;
	expect("InvalidateCache offset past the end -> EINVAL",
	       xioctl(e->fd, LX_DXINVALIDATECACHE, &c), -EINVAL);
	c.offset = 16;
	c.length = UINT64_MAX;
	expect("InvalidateCache offset + length overflows -> EINVAL",
	       xioctl(e->fd, LX_DXINVALIDATECACHE, &c), -EINVAL);
	c.offset = 0;
	c.length = 16;
	c.allocation = BAD;
	expect("InvalidateCache bad allocation -> EINVAL",
	       xioctl(e->fd, LX_DXINVALIDATECACHE, &c), -EINVAL);
	c.allocation = h[0];
	c.device = BAD;
	expect("InvalidateCache bad device -> EINVAL",
	       xioctl(e->fd, LX_DXINVALIDATECACHE, &c), -EINVAL);
}

/* header + FILL of 16 bytes at va. */
static uint32_t build_fill(struct cmdbuf *b, uint64_t va, uint32_t pattern)
{
	struct dxg_cmdbuf_header hd = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.num_commands = 1,
	};
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = va, .size = 16, .pattern = pattern,
	};

	hd.size_bytes = sizeof(hd) + sizeof(f);
	memcpy(b->cpu, &hd, sizeof(hd));
	memcpy(b->cpu + sizeof(hd), &f, sizeof(f));
	return hd.size_bytes;
}

static int submit(struct env *e, d3dkmthandle ctx, uint64_t va, uint32_t len)
{
	struct d3dkmt_submitcommand s = {
		.command_buffer = va, .command_length = len,
		.broadcast_context_count = 1,
	};

	s.broadcast_context[0] = ctx;
	return xioctl(e->fd, LX_DXSUBMITCOMMAND, &s);
}

/* Polls the device's execution state for up to 5 s until it is not ACTIVE. */
static uint32_t settled_state(struct env *e, volatile uint32_t *rw)
{
	for (int i = 0; i < 500; i++) {
		uint32_t s = exec_state(e);

		if (s != D3DKMT_DEVICEEXECUTION_ACTIVE || (rw && *rw))
			return s;
		usleep(10000);
	}
	return exec_state(e);
}

/*
 * A read-only GPU VA mapping (MapGpuVirtualAddress without WRITE): a FILL
 * through it faults the device and writes nothing, while a FILL through a
 * read-write mapping of the same allocation works.  Its own device: the
 * fault leaves it in the error state.
 */
static void test_readonly_va(void)
{
	struct d3dkmt_createcontextvirtual cc = { 0 };
	struct d3dddi_mapgpuvirtualaddress mv = { .size_in_pages = 1 };
	struct cmdbuf b;
	d3dkmthandle h;
	uint8_t *cpu;
	uint64_t ro, rw;
	struct env o;
	uint32_t st;
	int r;

	if (env_open(&o) || cmdbuf_make(&o, &b) || alloc1(o.fd, o.device, PAGE, &h) ||
	    lock(o.fd, o.device, h, (void **)&cpu)) {
		fail("read-only VA setup", "errno %d", errno);
		return;
	}
	cc.device = o.device;
	if (xioctl(o.fd, LX_DXCREATECONTEXTVIRTUAL, &cc)) {
		fail("read-only VA context", "errno %d", errno);
		return;
	}
	mv.paging_queue = b.pq;
	mv.allocation = h;
	mv.protection.value = D3DDDIGPUVA_PROTECTION_ZERO;
	expect("MapGpuVirtualAddress with a state bit -> EINVAL",
	       xioctl(o.fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), -EINVAL);
	mv.protection.value = D3DDDIGPUVA_PROTECTION_WRITE;
	mv.driver_protection = 1;
	expect("MapGpuVirtualAddress with driver protection -> EINVAL",
	       xioctl(o.fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), -EINVAL);
	mv.driver_protection = 0;
	expect("MapGpuVirtualAddress read-write", xioctl(o.fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), 0);
	rw = mv.virtual_address;
	mv.protection.value = 0;
	expect("MapGpuVirtualAddress read-only", xioctl(o.fd, LX_DXMAPGPUVIRTUALADDRESS, &mv), 0);
	ro = mv.virtual_address;
	memset(cpu, 0x77, PAGE);
	expect("submit a FILL through the read-write VA",
	       submit(&o, cc.context, b.va, build_fill(&b, rw + 64, 0x01020304)), 0);
	(void)settled_state(&o, (volatile uint32_t *)(cpu + 64));
	check("... it wrote", *(volatile uint32_t *)(cpu + 64) == 0x01020304,
	      "%#x", *(volatile uint32_t *)(cpu + 64));
	check("... the device is fine", exec_state(&o) == D3DKMT_DEVICEEXECUTION_ACTIVE,
	      "state %u", exec_state(&o));
	/* Refused at once (a synchronous submit) or a device fault later. */
	r = submit(&o, cc.context, b.va, build_fill(&b, ro + 128, 0x0a0b0c0d));
	st = settled_state(&o, NULL);
	check("a FILL through the read-only VA faults the device",
	      r < 0 || st == D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT ||
	      st == D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT,
	      "submit %d state %u", r, st);
	check("... and nothing was written", all_bytes(cpu + 128, 0x77, 16),
	      "%#x", cpu[128]);
	close(o.fd);
}

/* ---- device-local memory and reservations (docs/memory.md §8, §10) ---- */

#define DEV_SIZE	(64 * 1024u)

/* One device-local allocation of @size bytes. */
static int alloc_dev(int fd, d3dkmthandle dev, uint64_t size, d3dkmthandle *out)
{
	struct dxg_open_alloc_desc d = {
		.version = DXG_OPEN_ALLOC_DESC_VERSION,
		.flags = DXG_OPEN_ALLOC_DEVICE_LOCAL, .size = size,
	};
	struct d3dddi_allocationinfo2 info = {
		.priv_drv_data = (uintptr_t)&d, .priv_drv_data_size = sizeof(d),
	};
	struct d3dkmt_createallocation ca = {
		.device = dev, .alloc_count = 1, .allocation_info = (uintptr_t)&info,
	};
	int r = xioctl(fd, LX_DXCREATEALLOCATION, &ca);

	*out = r ? 0 : info.allocation;
	return r;
}

/* header + COPY of @size bytes, optionally after a FILL of @fill_size. */
static uint32_t build_fill_copy(struct cmdbuf *b, uint64_t fill_va,
				uint64_t fill_size, uint32_t pattern,
				uint64_t src, uint64_t dst, uint64_t size)
{
	struct dxg_cmdbuf_header hd = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
	};
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = fill_va, .size = fill_size, .pattern = pattern,
	};
	struct dxg_cmd_barrier br = {
		.hdr = { .opcode = DXG_CMD_BARRIER, .size_bytes = sizeof(br) },
	};
	struct dxg_cmd_copy c = {
		.hdr = { .opcode = DXG_CMD_COPY, .size_bytes = sizeof(c) },
		.src_va = src, .dst_va = dst, .size = size,
	};
	uint32_t at = sizeof(hd);

	if (fill_size) {
		memcpy(b->cpu + at, &f, sizeof(f));
		at += sizeof(f);
		memcpy(b->cpu + at, &br, sizeof(br));
		at += sizeof(br);
		hd.num_commands += 2;
	}
	memcpy(b->cpu + at, &c, sizeof(c));
	at += sizeof(c);
	hd.num_commands++;
	hd.size_bytes = at;
	memcpy(b->cpu, &hd, sizeof(hd));
	return at;
}

/* Submits the buffer, then a fence signal after it; 0 once it is reached. */
static int run_wait(struct env *e, d3dkmthandle ctx, struct cmdbuf *b,
		    uint32_t len, d3dkmthandle fence, uint64_t v)
{
	if (submit(e, ctx, b->va, len) || signal_gpu(e, ctx, fence, v))
		return -1;
	return wait_cpu(e, fence, v, 0);
}

/*
 * A device-local allocation offered and trimmed gives its device memory
 * back (the VM's device memory in use drops); ReclaimAllocations2 says
 * DISCARDED, the same GPU VA then reads zeros through a COPY, and the
 * memory works again.
 */
static void test_device_discard(void)
{
	struct d3dkmt_createcontextvirtual cc = { 0 };
	d3dkmthandle dl, rb, fence;
	uint32_t res = 9, len;
	uint64_t dva, rva, done = 0;
	long quota, used;
	struct cmdbuf b;
	uint8_t *cpu;
	struct env o;
	d3dkmthandle saved = pq;

	quota = host_stat("dxg_host_device_memory_quota");
	if (env_open(&o) || cmdbuf_make(&o, &b)) {
		fail("device-local setup", "errno %d", errno);
		return;
	}
	if (quota <= 0) {
		/* No device memory on this host: refused, nothing to discard. */
		expect("device-local without device memory -> EPERM (NOT_SUPPORTED)",
		       alloc_dev(o.fd, o.device, DEV_SIZE, &dl),
		       host_create_err(-EPERM));
		close(o.fd);
		return;
	}
	pq = b.pq;
	cc.device = o.device;
	if (xioctl(o.fd, LX_DXCREATECONTEXTVIRTUAL, &cc) ||
	    fence_create(&o, o.device, 0, &fence, NULL) ||
	    alloc1(o.fd, o.device, PAGE, &rb) ||
	    lock(o.fd, o.device, rb, (void **)&cpu) ||
	    map_va(&o, b.pq, rb, 1, &rva) ||
	    alloc_dev(o.fd, o.device, DEV_SIZE, &dl) ||
	    map_va(&o, b.pq, dl, DEV_SIZE / PAGE, &dva)) {
		fail("device-local setup", "errno %d", errno);
		goto out;
	}
	check("a device-local allocation is resident in GPU memory",
	      residency(&o, dl) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINGPUMEMORY,
	      "status %u", residency(&o, dl));
	len = build_fill_copy(&b, dva, DEV_SIZE, 0xa5a5a5a5u,
			      dva + DEV_SIZE - PAGE, rva, PAGE);
	expect("FILL the device-local allocation, COPY it back",
	       run_wait(&o, cc.context, &b, len, fence, 1), 0);
	check("... it holds the pattern", all_bytes(cpu, 0xa5, PAGE), "%#x", cpu[0]);

	used = host_stat("dxg_host_device_memory_used");
	expect("offer the device-local allocation",
	       offer(&o, &dl, 1, D3DKMT_OFFER_PRIORITY_NORMAL), 0);
	expect("trim: the host discards it", trim(&o, 0, &done), 0);
	check("... all of it", done == DEV_SIZE, "%llu", (unsigned long long)done);
	check("... not resident",
	      residency(&o, dl) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT,
	      "status %u", residency(&o, dl));
	check("... its device memory went back",
	      host_stat("dxg_host_device_memory_used") == used - (long)DEV_SIZE,
	      "%ld -> %ld", used, host_stat("dxg_host_device_memory_used"));
	expect("ReclaimAllocations2", reclaim(&o, &dl, 1, &res, NULL), 0);
	check("... DISCARDED", res == D3DDDI_RECLAIM_RESULT_DISCARDED, "%u", res);
	check("... resident in GPU memory again",
	      residency(&o, dl) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINGPUMEMORY &&
	      host_stat("dxg_host_device_memory_used") == used,
	      "status %u, %ld bytes", residency(&o, dl),
	      host_stat("dxg_host_device_memory_used"));
	memset(cpu, 0xff, PAGE);
	len = build_fill_copy(&b, 0, 0, 0, dva + DEV_SIZE - PAGE, rva, PAGE);
	expect("COPY it back through the same GPU VA",
	       run_wait(&o, cc.context, &b, len, fence, 2), 0);
	check("... it reads zeros", all_bytes(cpu, 0, PAGE), "%#x", cpu[0]);
	len = build_fill_copy(&b, dva, PAGE, 0x3c3c3c3cu, dva, rva, PAGE);
	expect("FILL and COPY again", run_wait(&o, cc.context, &b, len, fence, 3), 0);
	check("... it works again", all_bytes(cpu, 0x3c, PAGE), "%#x", cpu[0]);
	check("... the device is fine", exec_state(&o) == D3DKMT_DEVICEEXECUTION_ACTIVE,
	      "state %u", exec_state(&o));

	/* Offered without pressure: kept; OFFER_IMMEDIATELY: gone at once. */
	{
		struct d3dkmt_offerallocations io = {
			.device = o.device, .allocations = (uintptr_t)&dl,
			.allocation_count = 1, .priority = D3DKMT_OFFER_PRIORITY_LOW,
		};

		io.flags.value = D3DKMT_OFFER_FLAG_OFFER_IMMEDIATELY;
		expect("offer it OFFER_IMMEDIATELY",
		       xioctl(o.fd, LX_DXOFFERALLOCATIONS, &io), 0);
		check("... discarded at once",
		      residency(&o, dl) == D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT,
		      "status %u", residency(&o, dl));
		expect("... reclaimed", reclaim(&o, &dl, 1, &res, NULL), 0);
		check("... DISCARDED", res == D3DDDI_RECLAIM_RESULT_DISCARDED, "%u", res);
	}
out:
	pq = saved;
	close(o.fd);
}

/* QueryVideoMemoryInfo of group @g for @e. */
static int qvmi(struct env *e, uint32_t g, struct d3dkmt_queryvideomemoryinfo *q)
{
	memset(q, 0, sizeof(*q));
	q->adapter = e->adapter;
	q->memory_segment_group = g;
	return xioctl(e->fd, LX_DXQUERYVIDEOMEMORYINFO, q);
}

static int reserve(struct env *e, uint32_t g, uint64_t bytes)
{
	struct d3dkmt_changevideomemoryreservation c = {
		.adapter = e->adapter, .memory_segment_group = g,
		.reservation = bytes,
	};

	return xioctl(e->fd, LX_DXCHANGEVIDEOMEMORYRESERVATION, &c);
}

#define RSV	(2u << 20)

/*
 * Two processes (two opens of /dev/dxg) and the IO space's group: what
 * process A reserved, B cannot take (-ENOMEM), while A gets it although B
 * filled the rest; a reservation beyond what is available fails.  (That
 * offered memory is discarded first is test_host's: with the budget at the
 * whole IO space a discarded range keeps its address space.)
 */
static void test_reservation_two(void)
{
	struct d3dkmt_queryvideomemoryinfo qa, qb;
	d3dkmthandle h[4096], x, ha[2];
	uint32_t g, n = 0, chunk;
	/* A failed create's error (a Windows host gives no reason). */
	const int nomem = host_create_err(-ENOMEM);
	struct env a, b;
	int r = 0;

	if (env_open(&a) || env_open(&b)) {
		fail("reservation setup", "errno %d", errno);
		return;
	}
	/* The IO space is NON_LOCAL where the adapter has device memory. */
	g = host_stat("dxg_host_device_memory_quota") > 0 ?
	    D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL : D3DKMT_MEMORY_SEGMENT_GROUP_LOCAL;
	expect("QueryVideoMemoryInfo of A", qvmi(&a, g, &qa), 0);
	check("... all that is not committed is available to A",
	      qa.available_for_reservation == qa.budget - qa.current_usage &&
	      qa.current_reservation == 0, "%llu of %llu, %llu used",
	      (unsigned long long)qa.available_for_reservation,
	      (unsigned long long)qa.budget, (unsigned long long)qa.current_usage);
	expect("A reserves 2 MiB", reserve(&a, g, RSV), 0);
	expect("QueryVideoMemoryInfo of B", qvmi(&b, g, &qb), 0);
	check("... B sees 2 MiB less available",
	      qb.available_for_reservation == qa.available_for_reservation - RSV &&
	      qb.current_reservation == 0, "%llu",
	      (unsigned long long)qb.available_for_reservation);
	expect("B reserves more than is available -> ENOMEM",
	       reserve(&b, g, qb.available_for_reservation + PAGE), -ENOMEM);
	expect("QueryVideoMemoryInfo of A", qvmi(&a, g, &qa), 0);
	check("... A's reservation", qa.current_reservation == RSV, "%llu",
	      (unsigned long long)qa.current_reservation);

	/* B fills what it may: 1 MiB pieces, then pages. */
	for (chunk = 1u << 20; chunk >= PAGE; chunk = chunk == PAGE ? 0 : PAGE) {
		while (n < sizeof(h) / sizeof(h[0]) &&
		       !(r = alloc1(b.fd, b.device, chunk, &h[n])))
			n++;
		if (r != nomem)
			break;
	}
	check("B's allocations stop with ENOMEM", r == nomem, "%d after %u", r, n);
	expect("QueryVideoMemoryInfo of B", qvmi(&b, g, &qb), 0);
	check("... short of A's reservation",
	      qb.budget - qb.current_usage >= RSV &&
	      qb.budget - qb.current_usage < RSV + PAGE, "%llu of %llu",
	      (unsigned long long)qb.current_usage, (unsigned long long)qb.budget);
	expect("B allocates one page more -> ENOMEM", alloc1(b.fd, b.device, PAGE, &x),
	       nomem);
	/* A gets its 2 MiB, and then the budget is full. */
	expect("A allocates 1 MiB of its reservation", alloc1(a.fd, a.device, 1u << 20, &ha[0]), 0);
	expect("A allocates the other 1 MiB", alloc1(a.fd, a.device, 1u << 20, &ha[1]), 0);
	expect("A allocates one page more -> ENOMEM", alloc1(a.fd, a.device, PAGE, &x),
	       nomem);
	expect("A lowers its reservation to 0", reserve(&a, g, 0), 0);
	expect("bad group -> EINVAL", reserve(&a, 2, 0), -EINVAL);
	close(b.fd);
	close(a.fd);
}

int main(void)
{
	struct d3dkmt_createpagingqueue cq = { 0 };
	d3dkmthandle h[N];
	uint8_t *cpu[N];
	struct env e;

	if (env_open(&e)) {
		fail("setup", "errno %d", errno);
		return 1;
	}
	cq.device = e.device;
	if (alloc_n(e.fd, e.device, SIZE, N, h, NULL) ||
	    xioctl(e.fd, LX_DXCREATEPAGINGQUEUE, &cq)) {
		fail("setup allocations", "errno %d", errno);
		return 1;
	}
	pq = cq.paging_queue;
	for (int i = 0; i < N; i++) {
		if (lock(e.fd, e.device, h[i], (void **)&cpu[i])) {
			fail("setup lock", "errno %d", errno);
			return 1;
		}
	}
	test_priority(&e, h);
	test_offer_reclaim(&e, h, cpu);
	test_offer_bad(&e, h);
	test_resource_offer(&e);
	test_property(&e, h);
	test_reservation(&e);
	test_invalidate(&e, h);
	test_readonly_va();
	test_device_discard();
	test_reservation_two();
	close(e.fd);
	return failures ? 1 : 0;
}
