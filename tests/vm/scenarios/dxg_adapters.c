// SPDX-License-Identifier: MIT
/*
 * Several adapters in one VM (the adapters scenario: dxghost --adapter
 * vulkan --adapter vulkan,compute-only: two Vulkan devices, the second a
 * compute-only adapter).  Enumeration (EnumAdapters2 hides the compute-only
 * one, EnumAdapters3 lists it when asked), LUID lookup, adapter types,
 * per-adapter memory (an allocation of one adapter's device cannot be
 * mapped through the other's) and a test of order: while a command buffer
 * on the first adapter waits inside for a fence, work on the second one
 * runs to completion; the first runs once the fence is signalled.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cmdenc.h"
#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define OUT	2048u		/* where each adapter's buffer fills */

static int enum3(int fd, bool compute_only, struct d3dkmt_adapterinfo *info,
		 uint32_t *n)
{
	struct d3dkmt_enumadapters3 e = {
		.filter = compute_only ? D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY : 0,
		.adapter_count = *n, .adapters = (uintptr_t)info,
	};
	int r = xioctl(fd, LX_DXENUMADAPTERS3, &e);

	*n = e.adapter_count;
	return r;
}

static void close_all(int fd, const struct d3dkmt_adapterinfo *info, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct d3dkmt_closeadapter c = { .adapter_handle = info[i].adapter_handle };

		xioctl(fd, LX_DXCLOSEADAPTER, &c);
	}
}

static uint32_t adapter_type(int fd, d3dkmthandle a)
{
	uint32_t type = 0;
	struct d3dkmt_queryadapterinfo q = {
		.adapter = a, .type = KMTQAITYPE_ADAPTERTYPE,
		.private_data = (uintptr_t)&type, .private_data_size = sizeof(type),
	};

	return xioctl(fd, LX_DXQUERYADAPTERINFO, &q) ? 0 : type;
}

/* The compute-only adapter's LUID, opened by LUID into e2 with a device. */
static int enumeration(struct env *e, struct env *e2)
{
	struct d3dkmt_adapterinfo info[D3DKMT_ADAPTERS_MAX];
	struct d3dkmt_enumadapters2 en = {
		.num_adapters = D3DKMT_ADAPTERS_MAX, .adapters = (uintptr_t)info,
	};
	struct d3dkmt_openadapterfromluid o = { 0 };
	struct d3dkmt_createdevice cd = { 0 };
	struct winluid co = { 0, 0 };
	uint32_t n2, n3 = D3DKMT_ADAPTERS_MAX, n3c = D3DKMT_ADAPTERS_MAX, found = 0;

	expect("EnumAdapters2", xioctl(e->fd, LX_DXENUMADAPTERS2, &en), 0);
	n2 = en.num_adapters;
	close_all(e->fd, info, n2);
	expect("EnumAdapters3 without the filter", enum3(e->fd, false, info, &n3), 0);
	close_all(e->fd, info, n3);
	expect("EnumAdapters3 with compute-only", enum3(e->fd, true, info, &n3c), 0);
	check("EnumAdapters2 and 3 hide the compute-only adapter, 3 lists it when asked",
	      n2 == 1 && n3 == 1 && n3c == 2, "%u %u %u", n2, n3, n3c);
	for (uint32_t i = 0; i < n3c && i < D3DKMT_ADAPTERS_MAX; i++) {
		uint32_t t = adapter_type(e->fd, info[i].adapter_handle);

		if (t & D3DKMT_ADAPTERTYPE_COMPUTE_ONLY) {
			co = info[i].adapter_luid;
			found++;
		}
	}
	close_all(e->fd, info, n3c);
	check("adapter types: exactly one compute-only", found == 1, "%u", found);
	check("the two LUIDs differ", n3c == 2 &&
	      memcmp(&info[0].adapter_luid, &info[1].adapter_luid, sizeof(co)),
	      "same LUID");
	o.adapter_luid = co;
	expect("OpenAdapterFromLuid of the compute-only adapter",
	       xioctl(e->fd, LX_DXOPENADAPTERFROMLUID, &o), 0);
	check("it is the compute-only one",
	      adapter_type(e->fd, o.adapter_handle) & D3DKMT_ADAPTERTYPE_COMPUTE_ONLY,
	      "type 0x%x", adapter_type(e->fd, o.adapter_handle));
	o.adapter_luid.a ^= 0x5a5a;
	{
		struct d3dkmt_openadapterfromluid bad = { .adapter_luid = o.adapter_luid };

		expect("OpenAdapterFromLuid of an unknown LUID -> EINVAL",
		       xioctl(e->fd, LX_DXOPENADAPTERFROMLUID, &bad), -EINVAL);
	}
	*e2 = *e;
	e2->adapter = o.adapter_handle;
	cd.adapter = o.adapter_handle;
	expect("CreateDevice on the compute-only adapter",
	       xioctl(e->fd, LX_DXCREATEDEVICE, &cd), 0);
	e2->device = cd.device;
	return cd.device ? 0 : -1;
}

static int fence_va(struct env *e, d3dkmthandle *h, uint64_t *va)
{
	struct d3dkmt_createsynchronizationobject2 c = { .device = e->device };
	int r;

	c.info.type = D3DDDI_MONITORED_FENCE;
	r = xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c);
	*h = c.sync_object;
	*va = c.info.monitored_fence.fence_gpu_virtual_address;
	return r;
}

static int submit(struct env *e, d3dkmthandle ctx, struct cmdbuf *b, uint32_t len)
{
	struct d3dkmt_submitcommand s = {
		.command_buffer = b->va, .command_length = len,
		.broadcast_context_count = 1,
	};

	s.broadcast_context[0] = ctx;
	return xioctl(e->fd, LX_DXSUBMITCOMMAND, &s);
}

static void memory(struct env *a, struct env *b, struct cmdbuf *pa,
		   struct cmdbuf *pb)
{
	uint64_t va;

	check("each adapter's device maps its own allocation", pa->va && pb->va,
	      "0x%llx 0x%llx", (unsigned long long)pa->va,
	      (unsigned long long)pb->va);
	expect("an allocation of one adapter cannot be mapped through the other's",
	       map_va(a, pb->pq, pa->alloc, 1, &va), -EINVAL);
	(void)b;
}

static void order(struct env *a, struct env *b, struct cmdbuf *pa,
		  struct cmdbuf *pb)
{
	d3dkmthandle ca = 0, cb = 0, fa = 0, ga = 0, gb = 0;
	uint64_t fa_va = 0, va;
	struct dxg_enc enc;
	uint32_t len;
	int efd = eventfd(0, EFD_CLOEXEC);

	if (efd < 0 || context(a, &ca) || context(b, &cb) || fence_va(a, &fa, &fa_va) ||
	    fence_va(a, &ga, &va) || fence_va(b, &gb, &va)) {
		fail("order: setup", "%s", strerror(errno));
		return;
	}
	memset(pa->cpu + OUT, 0, 16);
	memset(pb->cpu + OUT, 0, 16);
	/* Adapter 0: wait inside for fa >= 1, then fill. */
	dxg_enc_init(&enc, pa->cpu, 1024, NULL, NULL);
	dxg_enc_fence_wait(&enc, fa_va, 1);
	dxg_enc_fill(&enc, pa->va + OUT, 16, 0xaaaaaaaau);
	len = dxg_enc_finish(&enc);
	expect("order: adapter 0's buffer (waits on a fence inside)",
	       submit(a, ca, pa, len), 0);
	expect("order: its completion signals ga", signal_gpu(a, ca, ga, 1), 0);
	/* Adapter 1: fill, then signal; it must not wait for adapter 0. */
	dxg_enc_init(&enc, pb->cpu, 1024, NULL, NULL);
	dxg_enc_fill(&enc, pb->va + OUT, 16, 0xbbbbbbbbu);
	len = dxg_enc_finish(&enc);
	expect("order: adapter 1's buffer", submit(b, cb, pb, len), 0);
	expect("order: its completion signals gb", signal_gpu(b, cb, gb, 1), 0);
	/* Asynchronous, so that a VM whose adapter 1 waits fails, not hangs. */
	expect("order: a CPU wait for adapter 1's work", wait_cpu(b, gb, 1, efd), 0);
	check("order: adapter 1's work completes", fired(efd, 10000), "not in 10 s");
	check("order: adapter 1 ran while adapter 0 still waits",
	      pb->cpu[OUT] == 0xbb && pa->cpu[OUT] == 0, "%02x %02x",
	      pb->cpu[OUT], pa->cpu[OUT]);
	expect("order: the CPU signals fa", signal_cpu(a, fa, 1), 0);
	expect("order: adapter 0's work completes", wait_cpu(a, ga, 1, 0), 0);
	check("order: adapter 0 ran after the signal", pa->cpu[OUT] == 0xaa,
	      "%02x", pa->cpu[OUT]);
	check("order: both devices active",
	      exec_state(a) == D3DKMT_DEVICEEXECUTION_ACTIVE &&
	      exec_state(b) == D3DKMT_DEVICEEXECUTION_ACTIVE, "%u %u",
	      exec_state(a), exec_state(b));
	close(efd);
}

int main(void)
{
	struct env a, b;
	struct cmdbuf pa, pb;

	if (env_open(&a)) {
		fail("open", "no /dev/dxg adapter: %s", strerror(errno));
		return 1;
	}
	if (enumeration(&a, &b) || cmdbuf_make(&a, &pa) || cmdbuf_make(&b, &pb)) {
		fail("setup", "%s", strerror(errno));
	} else {
		memory(&a, &b, &pa, &pb);
		order(&a, &b, &pa, &pb);
	}
	close(a.fd);
	printf("%s test_dxg_adapters: %d failure(s)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
