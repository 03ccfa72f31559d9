// SPDX-License-Identifier: MIT
/*
 * Monitored fences in the command stream through the real driver
 * (docs/sync.md §1, docs/command-stream.md FENCE_*): every fence has a GPU
 * VA (CreateSynchronizationObject2, CreateHwQueue); a buffer of one context
 * waits on a fence that a buffer of another context signals later, and
 * runs in that order; its own FENCE_SIGNAL makes a CPU wait return; the
 * fence's value is readable through its GPU VA, by a COPY and by a shader
 * that binds the fence's page read-only (command stream version 4); a
 * buffer of another device that names it faults, as does a read-only
 * binding of a buffer the shader writes.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "cmdenc.h"
#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#include "saxpy_spv.h"

#define PAGE	4096u
#define SRC	2048u		/* what context 2 writes */
#define DST	2560u		/* where context 1 copies it */
#define VAL	3072u		/* where context 1 copies x's value */
#define Y	3584u		/* saxpy's y (bindings need 256-byte alignment) */
#define ONE_F	0x3f800000u	/* 1.0f: the value x gets for saxpy to read */
#define TWO_F	0x40000000u	/* 2.0f: what the buffer itself signals first */

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

/* saxpy (CREATE_PIPELINE, two storage buffers, 8 bytes of push) on @dev. */
static uint64_t saxpy_pipeline(struct env *e, d3dkmthandle dev)
{
	const uint32_t size = (uint32_t)(sizeof(struct dxg_escape_create_pipeline) +
					 sizeof(saxpy_spv));
	struct dxg_escape_create_pipeline k = {
		.op = DXG_ESCAPE_CREATE_PIPELINE, .entry = "main",
		.num_bindings = 2, .push_size = 8,
		.spirv_size = (uint32_t)sizeof(saxpy_spv),
	};
	struct d3dkmt_escape a = {
		.adapter = e->adapter, .device = dev,
		.type = D3DKMT_ESCAPE_DRIVERPRIVATE, .priv_drv_data_size = size,
	};
	uint8_t *p = malloc(size);
	uint64_t id = 0;

	if (!p)
		return 0;
	memcpy(p, &k, sizeof(k));
	memcpy(p + sizeof(k), saxpy_spv, sizeof(saxpy_spv));
	a.priv_drv_data = (uintptr_t)p;
	if (!xioctl(e->fd, LX_DXESCAPE, &a))
		memcpy(&id, p + offsetof(struct dxg_escape_create_pipeline, pipeline),
		       sizeof(id));
	free(p);
	return id;
}

/* y = 2 * x + y over two floats, x bound with @x_flags, y with @y_flags. */
static uint32_t enc_saxpy(struct dxg_enc *enc, uint64_t pipe, uint64_t x_va,
			  uint32_t x_flags, uint64_t y_va, uint32_t y_flags)
{
	const struct dxg_cmd_binding b[2] = {
		{ .binding = 0, .flags = x_flags, .va = x_va, .size = 8 },
		{ .binding = 1, .flags = y_flags, .va = y_va, .size = 8 },
	};
	const struct { uint32_t n; float a; } pc = { 2, 2.0f };
	const struct dxg_enc_dispatch d = {
		.pipeline = pipe, .groups = { 1, 1, 1 }, .bindings = b,
		.num_bindings = 2, .push = &pc, .push_size = sizeof(pc),
	};

	return dxg_enc_dispatch(enc, &d);
}

/*
 * A shader reads x's value through x's page bound read-only.  The CPU
 * raises x to 1.0f's bits; the buffer signals x = 2.0f's bits, then
 * dispatches: the dispatch runs in the segment after the signal, so saxpy's
 * x is { 2.0f, 0.0f } (the value's two halves).
 */
static void test_dispatch_reads_fence(struct env *e, struct cmdbuf *pg,
				      d3dkmthandle ctx, const struct fence *x,
				      const struct fence *y)
{
	const float y0[2] = { 3.0f, 5.0f };
	uint64_t pipe = saxpy_pipeline(e, e->device);
	int efd = eventfd(0, EFD_CLOEXEC);
	struct dxg_enc enc;
	float out[2];
	uint32_t len;

	if (!pipe) {
		fail("dispatch reads a fence", "CREATE_PIPELINE: %s", strerror(errno));
		return;
	}
	expect("signal x to 1.0f's bits", signal_cpu(e, x->h, ONE_F), 0);
	memcpy(pg->cpu + Y, y0, sizeof(y0));
	enc_at(&enc, pg, 1536);
	dxg_enc_fence_signal(&enc, x->va, TWO_F);
	enc_saxpy(&enc, pipe, x->va, DXG_CMD_BINDING_READ_ONLY, pg->va + Y, 0);
	dxg_enc_fence_signal(&enc, y->va, 3);
	len = dxg_enc_finish(&enc);
	check("encoder: version 4 for a read-only binding",
	      enc.version == DXG_CMDBUF_VERSION_4, "%u", enc.version);
	expect("CPU wait on y = 3 (async)", wait_cpu(e, y->h, 3, efd), 0);
	expect("submit: saxpy with x's page bound read-only",
	       submit(e, ctx, pg->va + 1536, len), 0);
	check("the dispatch ran", fired(efd, 10000), "no event");
	memcpy(out, pg->cpu + Y, sizeof(out));
	check("the shader read x's value as signalled before it",
	      out[0] == 7.0f && out[1] == 5.0f,
	      "y = %g %g", (double)out[0], (double)out[1]);
	check("x as signalled", *x->cpu == TWO_F, "%llu",
	      (unsigned long long)*x->cpu);
	check("device still active", exec_state(e) == D3DKMT_DEVICEEXECUTION_ACTIVE,
	      "state %u", exec_state(e));
	close(efd);
}

/*
 * On a device of their own (a fault ends a device): x's page bound without
 * the flag, and a read-only binding of y, which saxpy writes.
 */
static void test_dispatch_refused(struct env *e, int y_read_only)
{
	const char *what = y_read_only ? "read-only binding of a written buffer" :
					 "fence page bound writable";
	struct d3dkmt_createdevice cd = { .adapter = e->adapter };
	struct d3dkmt_destroydevice dd = { 0 };
	struct env e2 = *e;
	struct fence f;
	struct cmdbuf pg;
	struct dxg_enc enc;
	d3dkmthandle c = 0;
	uint64_t pipe;
	float out;

	if (xioctl(e->fd, LX_DXCREATEDEVICE, &cd)) {
		fail(what, "CreateDevice: %s", strerror(errno));
		return;
	}
	e2.device = cd.device;
	if (context(&e2, &c) || cmdbuf_make(&e2, &pg) ||
	    fence_new(&e2, cd.device, &f) || !(pipe = saxpy_pipeline(&e2, cd.device))) {
		fail(what, "setup: %s", strerror(errno));
		return;
	}
	memset(pg.cpu, 0, PAGE);
	enc_at(&enc, &pg, 0);
	if (y_read_only)
		enc_saxpy(&enc, pipe, pg.va + SRC, DXG_CMD_BINDING_READ_ONLY,
			  pg.va + Y, DXG_CMD_BINDING_READ_ONLY);
	else
		enc_saxpy(&enc, pipe, f.va, 0, pg.va + Y, 0);
	expect(what, submit(&e2, c, pg.va, dxg_enc_finish(&enc)), 0);
	/* A fault is found at validation or when the engine runs it. */
	for (int i = 0; i < 100 && exec_state(&e2) == D3DKMT_DEVICEEXECUTION_ACTIVE; i++)
		usleep(50000);
	check(what, exec_state(&e2) == D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT,
	      "state %u", exec_state(&e2));
	memcpy(&out, pg.cpu + Y, sizeof(out));
	check("nothing written", out == 0.0f, "%g", (double)out);
	dd.device = cd.device;
	expect("refused binding: destroy device",
	       xioctl(e->fd, LX_DXDESTROYDEVICE, &dd), 0);
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
	test_dispatch_reads_fence(&e, &pg, c1, &x, &y);
	test_dispatch_refused(&e, 0);
	test_dispatch_refused(&e, 1);
	expect("destroy x", sync_destroy(e.fd, x.h), 0);
	expect("destroy y", sync_destroy(e.fd, y.h), 0);
	close(e.fd);
	printf("%s test_dxg_fence: %d failure(s)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
