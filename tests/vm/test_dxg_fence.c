// SPDX-License-Identifier: MIT
/*
 * Monitored fences in the command stream through the real driver
 * (docs/sync.md §1, docs/command-stream.md FENCE_*): every fence has a GPU
 * VA (CreateSynchronizationObject2, CreateHwQueue); a buffer of one context
 * waits on a fence that a buffer of another context signals later, and
 * runs in that order; its own FENCE_SIGNAL makes a CPU wait return; the
 * fence's value is readable through its GPU VA; a buffer of another device
 * that names it faults.
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

#define PAGE	4096u
#define SRC	2048u		/* what context 2 writes */
#define DST	2560u		/* where context 1 copies it */
#define VAL	3072u		/* where context 1 copies x's value */

struct fence {
	d3dkmthandle h;
	volatile uint64_t *cpu;
	uint64_t va;
};

static int fence_new(struct env *e, d3dkmthandle dev, struct fence *f)
{
	struct d3dkmt_createsynchronizationobject2 c = { .device = dev };
	int r;

	c.info.type = D3DDDI_MONITORED_FENCE;
	r = xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c);
	f->h = c.sync_object;
	f->cpu = (volatile uint64_t *)(uintptr_t)
		 c.info.monitored_fence.fence_cpu_virtual_address;
	f->va = c.info.monitored_fence.fence_gpu_virtual_address;
	return r;
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

/* An encoder over 512 bytes of the command page from byte @at. */
static void enc_at(struct dxg_enc *enc, struct cmdbuf *pg, uint32_t at)
{
	dxg_enc_init(enc, pg->cpu + at, 512, NULL, NULL);
}

static void test_gpu_va(struct env *e, d3dkmthandle ctx, const struct fence *x,
			const struct fence *y)
{
	struct d3dkmt_createhwqueue q = { .context = ctx };
	struct d3dkmt_destroyhwqueue dq = { 0 };

	check("fence GPU VA: non-zero, page aligned", x->va && !(x->va % PAGE),
	      "0x%llx", (unsigned long long)x->va);
	check("fence GPU VA: one per fence", y->va && y->va != x->va,
	      "0x%llx 0x%llx", (unsigned long long)x->va,
	      (unsigned long long)y->va);
	expect("CreateHwQueue", xioctl(e->fd, LX_DXCREATEHWQUEUE, &q), 0);
	check("hw queue progress fence: a GPU VA",
	      q.queue_progress_fence_gpu_va &&
	      q.queue_progress_fence_gpu_va != x->va &&
	      q.queue_progress_fence_gpu_va != y->va,
	      "0x%llx", (unsigned long long)q.queue_progress_fence_gpu_va);
	dq.queue = q.queue;
	expect("DestroyHwQueue", xioctl(e->fd, LX_DXDESTROYHWQUEUE, &dq), 0);
}

/*
 * Context 1 waits for x >= 1 inside its buffer, then copies what context
 * 2 wrote and signals y = 2; context 2's buffer writes and signals x.
 */
static void test_two_contexts(struct env *e, struct cmdbuf *pg,
			      d3dkmthandle c1, d3dkmthandle c2,
			      const struct fence *x, const struct fence *y)
{
	struct dxg_enc enc;
	uint32_t len;
	uint64_t v;
	int efd = eventfd(0, EFD_CLOEXEC);

	enc_at(&enc, pg, 0);
	dxg_enc_fence_wait(&enc, x->va, 1);
	dxg_enc_copy(&enc, pg->va + SRC, pg->va + DST, 16);
	dxg_enc_copy(&enc, x->va, pg->va + VAL, 8);
	dxg_enc_fence_signal(&enc, y->va, 2);
	len = dxg_enc_finish(&enc);
	check("encoder: version 3", enc.version == DXG_CMDBUF_VERSION_3,
	      "%u", enc.version);
	expect("context 1: submit (waits on x inside)", submit(e, c1, pg->va, len), 0);
	expect("CPU wait on y (async)", wait_cpu(e, y->h, 2, efd), 0);
	check("context 1 waits: y not reached", !fired(efd, 300) && *y->cpu == 0,
	      "y = %llu", (unsigned long long)*y->cpu);
	check("context 1 waits: nothing copied", pg->cpu[DST] == 0, "0x%x",
	      pg->cpu[DST]);

	enc_at(&enc, pg, 512);
	dxg_enc_fill(&enc, pg->va + SRC, 16, 0xbbbbbbbbu);
	dxg_enc_fence_signal(&enc, x->va, 1);
	len = dxg_enc_finish(&enc);
	expect("context 2: submit (signals x)", submit(e, c2, pg->va + 512, len), 0);
	check("the CPU wait on y returns", fired(efd, 5000), "no event");
	check("y reached 2, x 1", *y->cpu == 2 && *x->cpu == 1,
	      "y %llu x %llu", (unsigned long long)*y->cpu,
	      (unsigned long long)*x->cpu);
	check("order: context 1 copied what context 2 wrote first",
	      pg->cpu[DST] == 0xbb && pg->cpu[DST + 15] == 0xbb, "0x%x",
	      pg->cpu[DST]);
	memcpy(&v, pg->cpu + VAL, sizeof(v));
	check("x's value read through its GPU VA", v == 1, "%llu",
	      (unsigned long long)v);
	check("device still active", exec_state(e) == D3DKMT_DEVICEEXECUTION_ACTIVE,
	      "state %u", exec_state(e));
	close(efd);
}

/* A buffer of another device naming x: the GPU's page fault, there only. */
static void test_other_device(struct env *e, struct cmdbuf *pg,
			      const struct fence *x)
{
	struct d3dkmt_createdevice cd = { .adapter = e->adapter };
	struct d3dkmt_destroydevice dd = { 0 };
	struct env e2 = *e;
	struct dxg_enc enc;
	d3dkmthandle c3 = 0;
	uint32_t len;

	if (xioctl(e->fd, LX_DXCREATEDEVICE, &cd)) {
		fail("other device", "CreateDevice: %s", strerror(errno));
		return;
	}
	e2.device = cd.device;
	if (context(&e2, &c3)) {
		fail("other device", "CreateContext: %s", strerror(errno));
		return;
	}
	enc_at(&enc, pg, 1024);
	dxg_enc_fence_signal(&enc, x->va, 7);
	len = dxg_enc_finish(&enc);
	expect("other device: submit", submit(&e2, c3, pg->va + 1024, len), 0);
	expect("other device: page fault",
	       (int)exec_state(&e2), D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);
	check("other device: x untouched", *x->cpu == 1, "%llu",
	      (unsigned long long)*x->cpu);
	check("fence's own device still active",
	      exec_state(e) == D3DKMT_DEVICEEXECUTION_ACTIVE, "state %u",
	      exec_state(e));
	dd.device = cd.device;
	expect("other device: destroy", xioctl(e->fd, LX_DXDESTROYDEVICE, &dd), 0);
}

int main(void)
{
	struct env e;
	struct cmdbuf pg;
	struct fence x, y;
	d3dkmthandle c1 = 0, c2 = 0;

	if (env_open(&e)) {
		fail("open", "no /dev/dxg adapter: %s", strerror(errno));
		return 1;
	}
	if (context(&e, &c1) || context(&e, &c2) || cmdbuf_make(&e, &pg) ||
	    fence_new(&e, e.device, &x) || fence_new(&e, e.device, &y)) {
		fail("setup", "%s", strerror(errno));
		return 1;
	}
	memset(pg.cpu, 0, PAGE);
	test_gpu_va(&e, c1, &x, &y);
	test_two_contexts(&e, &pg, c1, c2, &x, &y);
	test_other_device(&e, &pg, &x);
	expect("destroy x", sync_destroy(e.fd, x.h), 0);
	expect("destroy y", sync_destroy(e.fd, y.h), 0);
	close(e.fd);
	printf("%s test_dxg_fence: %d failure(s)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
