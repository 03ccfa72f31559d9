// SPDX-License-Identifier: MIT
/*
 * The execution layer (host/core/execution.c, host/core/escape.c) over a fake VM: a
 * memfd-backed "BAR2" with the IO-space heap, the object model with the
 * execution and memory release hooks in dxghost's order, and devices on a
 * cpu adapter and on the default Vulkan adapter (lavapipe).  Command
 * buffers live in guest memory at GPU VAs, as a guest submits them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/adapter.h"
#include "dxg/cmdstream.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"
#include "engines/engine.h"
#include "core/execution.h"
#include "core/gpuva.h"
#include "core/memory.h"
#include "core/residency.h"
#include "engines/vulkan/vk_engine.h"

#include "saxpy_spv.h"

#define PG		4096u
#define SHM_SIZE	(32u << 20)
#define IO_OFFSET	(1u << 20)

#define ACTIVE		D3DKMT_DEVICEEXECUTION_ACTIVE

struct fx {
	struct dxg_objects objs;
	struct dxg_mem mem;
	struct dxg_adapters ads;	/* 0: cpu, 1: vulkan (lavapipe) */
	uint8_t *shm;
	struct dxg_obj *proc;
	/* Recording a command buffer. */
	uint8_t cmd[4096];
	uint32_t len, ncmds;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256] = "";
	int fd = memfd_create("test-exec", MFD_CLOEXEC);

	assert_non_null(f);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, SHM_SIZE), 0);
	f->shm = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_true(f->shm != MAP_FAILED);
	assert_int_equal(dxg_mem_init(&f->mem, f->shm, SHM_SIZE, IO_OFFSET), 0);
	assert_int_equal(dxg_objects_init(&f->objs, 1000), 0);
	/* host/server/vm.c's order: execution before memory. */
	assert_int_equal(dxg_objects_add_release(&f->objs, dxg_exec_release, &f->mem), 0);
	assert_int_equal(dxg_objects_add_release(&f->objs, dxg_mem_release, &f->mem), 0);
	dxg_adapters_init(&f->ads, 0x1234);
	assert_int_equal(dxg_adapters_add(&f->ads, "cpu"), 0);
	assert_int_equal(dxg_adapters_add(&f->ads, "vulkan"), 0);
	f->ads.device_address = true;	/* as a VM server's */
	if (dxg_adapters_open(&f->ads, err, sizeof(err)) < 0)
		fail_msg("no usable Vulkan device: %s", err);
	assert_int_equal(dxg_obj_create(&f->objs, DXG_OBJ_PROCESS, NULL, NULL,
					&f->proc), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	dxg_objects_fini(&f->objs);	/* every engine and import goes */
	dxg_adapters_close(&f->ads);
	dxg_mem_fini(&f->mem);
	munmap(f->shm, SHM_SIZE);
	free(f);
	return 0;
}

/* ---- a fake VM's objects ---- */

static struct dxg_obj *device(struct fx *f, unsigned int ad)
{
	struct dxg_obj *d;

	assert_int_equal(dxg_obj_create(&f->objs, DXG_OBJ_DEVICE, f->proc,
					&f->ads.list[ad], &d), 0);
	assert_int_equal(dxg_exec_device_init(&f->mem, d), 0);
	assert_non_null(d->u.device.engine);
	assert_int_equal(dxg_exec_device_state(d), ACTIVE);
	return d;
}

static struct dxg_obj *context(struct fx *f, struct dxg_obj *dev)
{
	struct dxg_obj *c;

	assert_int_equal(dxg_obj_create(&f->objs, DXG_OBJ_CONTEXT, dev,
					dev->adapter, &c), 0);
	return c;
}

/* The GPU VA space of the process on the device's adapter, made now. */
static struct dxg_gpuva_space *space(struct fx *f, struct dxg_obj *dev)
{
	struct dxg_gpuva_space **slot;

	if (!f->proc->u.process.gpuva)
		f->proc->u.process.gpuva = calloc(DXG_IVSHMEM_MAX_ADAPTERS,
						  sizeof(*f->proc->u.process.gpuva));
	assert_non_null(f->proc->u.process.gpuva);
	slot = &f->proc->u.process.gpuva[dev->adapter->index];
	if (!*slot)
		*slot = dxg_gpuva_create(DXG_GPUVA_BASE, DXG_GPUVA_SIZE);
	assert_non_null(*slot);
	return *slot;
}

/* An allocation of `pages` pages of IO space, mapped at a new GPU VA. */
static struct dxg_obj *alloc(struct fx *f, struct dxg_obj *dev, uint32_t pages,
			     uint64_t *va, uint8_t **host)
{
	struct dxg_gpuva_space *s = space(f, dev);
	struct dxg_obj *a;
	uint64_t off;

	assert_int_equal(dxg_obj_create(&f->objs, DXG_OBJ_ALLOCATION, dev,
					dev->adapter, &a), 0);
	assert_int_equal(dxg_ioheap_alloc(&f->mem.heap, (uint64_t)pages * PG, &off), 0);
	a->u.allocation.io_offset = off;
	a->u.allocation.size = (uint64_t)pages * PG;
	*host = dxg_mem_alloc_ptr(&f->mem, a);
	memset(*host, 0, a->u.allocation.size);
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, a->u.allocation.size, 0, va), 0);
	assert_int_equal(dxg_gpuva_map(s, *va, a->u.allocation.size, *host,
				       a->handle), 0);
	return a;
}

/* ---- recording ---- */

static void put(struct fx *f, const void *p, uint32_t n)
{
	assert_true(f->len + n <= sizeof(f->cmd));
	memcpy(f->cmd + f->len, p, n);
	f->len += n;
}

static void begin(struct fx *f)
{
	f->len = sizeof(struct dxg_cmdbuf_header);
	f->ncmds = 0;
}

/* Writes the finished buffer into guest memory at host; returns its size. */
static uint32_t end(struct fx *f, uint8_t *host)
{
	struct dxg_cmdbuf_header h = { DXG_CMDBUF_MAGIC, DXG_CMDBUF_VERSION,
				       f->len, f->ncmds };

	memcpy(f->cmd, &h, sizeof(h));
	memcpy(host, f->cmd, f->len);
	return f->len;
}

static void cmd_copy(struct fx *f, uint64_t src, uint64_t dst, uint64_t size)
{
	struct dxg_cmd_copy c = { { DXG_CMD_COPY, 0, sizeof(c) }, src, dst, size };

	put(f, &c, sizeof(c));
	f->ncmds++;
}

static void cmd_fill(struct fx *f, uint64_t dst, uint64_t size, uint32_t pat)
{
	struct dxg_cmd_fill c = { { DXG_CMD_FILL, 0, sizeof(c) }, dst, size, pat, 0 };

	put(f, &c, sizeof(c));
	f->ncmds++;
}

static void cmd_barrier(struct fx *f)
{
	struct dxg_cmd_barrier c = { { DXG_CMD_BARRIER, 0, sizeof(c) } };

	put(f, &c, sizeof(c));
	f->ncmds++;
}

/* saxpy over n floats: x at xva, y at yva. */
static void cmd_saxpy(struct fx *f, uint64_t pipe, uint64_t xva, uint64_t yva,
		      uint32_t n, float a)
{
	struct dxg_cmd_dispatch c = {
		{ DXG_CMD_DISPATCH, 0, (uint32_t)DXG_CMD_DISPATCH_SIZE(2, 8) },
		pipe, { (n + 63) / 64, 1, 1 }, 2, 8, 0 };
	struct dxg_cmd_binding b[2] = {
		{ 0, 0, xva, (uint64_t)n * 4 }, { 1, 0, yva, (uint64_t)n * 4 } };
	uint8_t push[8];

	memcpy(push, &n, 4);
	memcpy(push + 4, &a, 4);
	put(f, &c, sizeof(c));
	put(f, b, sizeof(b));
	put(f, push, sizeof(push));
	f->ncmds++;
}

/* ---- escapes ---- */

/* A CREATE_PIPELINE payload for saxpy (caller frees). */
static uint8_t *saxpy_escape(uint32_t *size)
{
	struct dxg_escape_create_pipeline k = {
		.op = DXG_ESCAPE_CREATE_PIPELINE, .entry = "main",
		.num_bindings = 2, .push_size = 8,
		.spirv_size = (uint32_t)sizeof(saxpy_spv),
	};
	uint8_t *p = malloc(sizeof(k) + sizeof(saxpy_spv));

	assert_non_null(p);
	memcpy(p, &k, sizeof(k));
	memcpy(p + sizeof(k), saxpy_spv, sizeof(saxpy_spv));
	*size = (uint32_t)(sizeof(k) + sizeof(saxpy_spv));
	return p;
}

static uint64_t create_saxpy(struct fx *f, struct dxg_obj *dev)
{
	uint32_t size;
	uint8_t *p = saxpy_escape(&size);
	uint64_t id;

	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, p, size), 0);
	memcpy(&id, p + offsetof(struct dxg_escape_create_pipeline, pipeline), 8);
	assert_int_not_equal(id, 0);
	free(p);
	return id;
}

static int32_t destroy_pipeline(struct fx *f, struct dxg_obj *dev, uint64_t id)
{
	struct dxg_escape_destroy_pipeline k = { DXG_ESCAPE_DESTROY_PIPELINE, 0, id };

	return dxg_exec_escape(&f->mem, &f->objs, dev, &k, sizeof(k));
}

/* ---- tests ---- */

/* COPY and FILL on the cpu adapter; the buffer itself is in guest memory. */
static void test_cpu_copy_fill(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *dev = device(f, 0), *ctx = context(f, dev);
	uint64_t cva, dva;
	uint8_t *cb, *data;
	uint32_t len;

	assert_string_equal(dev->u.device.engine->ops->name, "cpu");
	alloc(f, dev, 1, &cva, &cb);
	alloc(f, dev, 4, &dva, &data);
	for (uint32_t i = 0; i < PG; i++)
		data[i] = (uint8_t)i;
	begin(f);
	cmd_copy(f, dva, dva + PG, PG);
	cmd_fill(f, dva + 2 * PG, 64, 0xdeadbeef);
	cmd_barrier(f);
	cmd_copy(f, dva + 2 * PG, dva + 3 * PG + 4, 8);
	len = end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, len), 0);
	assert_memory_equal(data, data + PG, PG);
	for (uint32_t i = 0; i < 64; i += 4) {
		uint32_t v;

		memcpy(&v, data + 2 * PG + i, 4);
		assert_int_equal(v, 0xdeadbeef);
	}
	assert_memory_equal(data + 3 * PG + 4, data + 2 * PG, 8);
	/* A whole allocation may be submitted: the bytes past size_bytes are not read. */
	memset(data + PG, 0, PG);
	memset(cb + len, 0xff, PG - len);
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, PG), 0);
	assert_memory_equal(data, data + PG, PG);
	assert_int_equal(dxg_exec_device_state(dev), ACTIVE);
}

/* A malformed buffer: the device errors, later submissions fail at once. */
static void test_malformed_errors_device(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *dev = device(f, 0), *ctx = context(f, dev);
	struct dxg_obj *dev2 = device(f, 0), *ctx2 = context(f, dev2);
	uint64_t cva, dva;
	uint8_t *cb, *data;
	uint32_t len, bad = 0x12345678;

	alloc(f, dev, 1, &cva, &cb);
	alloc(f, dev, 1, &dva, &data);
	begin(f);
	cmd_fill(f, dva, 16, 0x01010101);
	len = end(f, cb);
	memcpy(cb, &bad, 4);		/* the magic */
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, len),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_exec_device_state(dev),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT);
	assert_int_equal(data[0], 0);
	/* A good buffer now: fail fast, nothing runs. */
	end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, len),
			 STATUS_DEVICE_REMOVED);
	assert_int_equal(data[0], 0);
	/* Another device of the process shares the VA space and carries on. */
	assert_int_equal(dxg_exec_submit(&f->mem, ctx2, cva, len), 0);
	assert_int_equal(data[0], 1);
	assert_int_equal(dxg_exec_device_state(dev2), ACTIVE);
}

/* Unknown opcode and DISPATCH on the cpu engine: DMAFAULT too. */
static void test_bad_commands(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *d1 = device(f, 0), *c1 = context(f, d1);
	struct dxg_obj *d2 = device(f, 0), *c2 = context(f, d2);
	struct dxg_cmd_header op99 = { 99, 0, 8 };
	uint64_t cva;
	uint8_t *cb;
	uint32_t len;

	alloc(f, d1, 1, &cva, &cb);
	begin(f);
	put(f, &op99, sizeof(op99));
	f->ncmds++;
	len = end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, c1, cva, len),
			 STATUS_ILLEGAL_INSTRUCTION);
	assert_int_equal(dxg_exec_device_state(d1),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT);
	begin(f);
	cmd_saxpy(f, 1, cva, cva, 16, 1.0f);
	len = end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, c2, cva, len),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_exec_device_state(d2),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT);
}

/* Unmapped VAs: the buffer's own, or one a command names. */
static void test_page_faults(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *d1 = device(f, 0), *c1 = context(f, d1);
	struct dxg_obj *d2 = device(f, 0), *c2 = context(f, d2);
	struct dxg_obj *d3 = device(f, 0), *c3 = context(f, d3);
	uint64_t cva;
	uint8_t *cb;
	uint32_t len;

	/* Nothing mapped yet: the process has no VA space at all. */
	assert_int_equal(dxg_exec_submit(&f->mem, c1, DXG_GPUVA_BASE, 64),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(dxg_exec_device_state(d1),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);
	alloc(f, d2, 1, &cva, &cb);
	begin(f);
	cmd_fill(f, cva + 64 * PG, 16, 0);	/* never mapped */
	len = end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, c2, cva, len),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(dxg_exec_device_state(d2),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);
	/* The submitted range crosses the end of its mapping. */
	assert_int_equal(dxg_exec_submit(&f->mem, c3, cva, PG + 8),
			 STATUS_ACCESS_DENIED);
	assert_int_equal(dxg_exec_device_state(d3),
			 D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT);
}

/* Sizes the submit path refuses before it reads anything. */
static void test_bad_sizes(void **state)
{
	struct fx *f = *state;
	const uint64_t sizes[] = { 0, DXG_CMDBUF_MAX_SIZE + 1ull, UINT64_MAX };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct dxg_obj *d = device(f, 0), *c = context(f, d);
		uint64_t cva;
		uint8_t *cb;

		alloc(f, d, 1, &cva, &cb);
		assert_int_equal(dxg_exec_submit(&f->mem, c, cva, sizes[i]),
				 STATUS_INVALID_PARAMETER);
		assert_int_equal(dxg_exec_device_state(d),
				 D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT);
	}
	/* Not a context: refused, nothing changes. */
	assert_int_equal(dxg_exec_submit(&f->mem, NULL, DXG_GPUVA_BASE, 64),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_exec_submit(&f->mem, f->proc, DXG_GPUVA_BASE, 64),
			 STATUS_INVALID_PARAMETER);
}

/* A buffer larger than the stack copy goes through the heap copy. */
static void test_large_buffer(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *dev = device(f, 0), *ctx = context(f, dev);
	const uint32_t n = 300;		/* 300 FILLs: 9616 bytes */
	struct dxg_cmdbuf_header h = { DXG_CMDBUF_MAGIC, DXG_CMDBUF_VERSION,
				       16 + n * 32, n };
	uint64_t cva, dva;
	uint8_t *cb, *data;

	alloc(f, dev, 4, &cva, &cb);
	alloc(f, dev, 1, &dva, &data);
	memcpy(cb, &h, sizeof(h));
	for (uint32_t i = 0; i < n; i++) {
		struct dxg_cmd_fill c = { { DXG_CMD_FILL, 0, sizeof(c) },
					  dva + (i % 1024) * 4, 4, i, 0 };

		memcpy(cb + 16 + i * 32, &c, sizeof(c));
	}
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, 4 * PG), 0);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t v;

		memcpy(&v, data + i * 4, 4);
		assert_int_equal(v, i);
	}
}

/* Escapes on the cpu adapter: no compute; the device stays active. */
static void test_escape_cpu(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *dev = device(f, 0);
	uint32_t size;
	uint8_t *p = saxpy_escape(&size);

	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, p, size), STATUS_NOT_SUPPORTED);
	assert_int_equal(destroy_pipeline(f, dev, 1), STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_exec_device_state(dev), ACTIVE);
	assert_int_equal(dev->u.device.num_pipelines, 0);
	free(p);
}

/* saxpy through the full submit path on lavapipe, zero copy. */
static void test_vulkan_saxpy(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *dev = device(f, 1), *ctx = context(f, dev);
	const uint32_t n = 1000;
	uint64_t cva, xva, yva, pipe;
	uint8_t *cb, *xb, *yb;
	float *x, *y;
	uint32_t len;

	assert_string_equal(dev->u.device.engine->ops->name, "vulkan");
	pipe = create_saxpy(f, dev);
	assert_int_equal(dev->u.device.num_pipelines, 1);
	alloc(f, dev, 1, &cva, &cb);
	alloc(f, dev, 1, &xva, &xb);
	alloc(f, dev, 1, &yva, &yb);
	x = (float *)xb;
	y = (float *)yb;
	for (uint32_t i = 0; i < n; i++) {
		x[i] = (float)i;
		y[i] = 1.0f;
	}
	begin(f);
	cmd_saxpy(f, pipe, xva, yva, n, 2.0f);
	len = end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, len), 0);
	/* The results are in guest memory itself. */
	for (uint32_t i = 0; i < n; i++)
		assert_true(y[i] == 2.0f * (float)i + 1.0f);
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, len), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_true(y[i] == 4.0f * (float)i + 1.0f);
	/* Destroyed: the next dispatch of it is an engine failure. */
	assert_int_equal(destroy_pipeline(f, dev, pipe), 0);
	assert_int_equal(dev->u.device.num_pipelines, 0);
	assert_int_equal(destroy_pipeline(f, dev, pipe), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_exec_device_state(dev), ACTIVE);
	assert_int_not_equal(dxg_exec_submit(&f->mem, ctx, cva, len), 0);
	assert_int_equal(dxg_exec_device_state(dev), D3DKMT_DEVICEEXECUTION_HUNG);
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, len),
			 STATUS_DEVICE_REMOVED);
	/* An errored device creates no pipelines either. */
	{
		uint32_t size;
		uint8_t *p = saxpy_escape(&size);

		assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, p, size),
				 STATUS_DEVICE_REMOVED);
		free(p);
	}
}

/* Pipelines are per device and counted: another device cannot use or destroy them. */
static void test_pipelines_per_device(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *d1 = device(f, 1), *d2 = device(f, 1), *c2 = context(f, d2);
	uint64_t p1 = create_saxpy(f, d1), p2 = create_saxpy(f, d1), cva, xva;
	uint32_t size, len;
	uint8_t *cb, *xb, *p;

	assert_int_not_equal(p1, p2);
	assert_int_equal(d1->u.device.num_pipelines, 2);
	assert_int_equal(d2->u.device.num_pipelines, 0);
	assert_int_equal(destroy_pipeline(f, d2, p1), STATUS_INVALID_PARAMETER);
	assert_int_equal(destroy_pipeline(f, d2, p2), STATUS_INVALID_PARAMETER);
	/* The quota. */
	p = saxpy_escape(&size);
	d2->u.device.num_pipelines = DXG_EXEC_MAX_PIPELINES;
	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, d2, p, size), STATUS_QUOTA_EXCEEDED);
	d2->u.device.num_pipelines = 0;
	free(p);
	/* d1's pipeline on d2: unknown there, an engine failure. */
	alloc(f, d2, 1, &cva, &cb);
	alloc(f, d2, 1, &xva, &xb);
	begin(f);
	cmd_saxpy(f, p1, xva, xva + 2048, 16, 1.0f);
	len = end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, c2, cva, len), STATUS_INVALID_HANDLE);
	assert_int_equal(dxg_exec_device_state(d2), D3DKMT_DEVICEEXECUTION_HUNG);
	assert_int_equal(d1->u.device.num_pipelines, 2);
	assert_int_equal(dxg_exec_device_state(d1), ACTIVE);
	/* Destroying the device destroys its pipelines (ASan: no leak). */
	assert_int_equal(dxg_obj_destroy(&f->objs, d1), 1);
}

/* Malformed escapes fail alone: the device stays usable. */
static void test_escape_malformed(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *dev = device(f, 1);
	struct dxg_escape_destroy_pipeline dk = { DXG_ESCAPE_DESTROY_PIPELINE, 7, 1 };
	struct dxg_escape_create_pipeline k;
	uint32_t size, op = 99, bad;
	uint8_t *p = saxpy_escape(&size);

	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, p, 3), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, &op, 4), STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, p, size - 4),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, p, sizeof(k)),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, &dk, sizeof(dk)),
			 STATUS_INVALID_PARAMETER);	/* reserved != 0 */
	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, &dk, sizeof(dk) - 8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(destroy_pipeline(f, dev, 0), STATUS_INVALID_PARAMETER);
	assert_int_equal(destroy_pipeline(f, dev, 12345), STATUS_INVALID_PARAMETER);
	/* A module the SPIR-V checker rejects (a bad word after the header). */
	memcpy(&k, p, sizeof(k));
	bad = 0xffffffffu;
	memcpy(p + sizeof(k) + 20, &bad, 4);
	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, dev, p, size),
			 STATUS_INVALID_PARAMETER);
	/* An entry point that is not there. */
	free(p);
	p = saxpy_escape(&size);
	memcpy(p + offsetof(struct dxg_escape_create_pipeline, entry), "nope", 5);
	assert_int_not_equal(dxg_exec_escape(&f->mem, &f->objs, dev, p, size), 0);
	free(p);
	assert_int_equal(dev->u.device.num_pipelines, 0);
	assert_int_equal(dxg_exec_device_state(dev), ACTIVE);
	assert_int_equal(dxg_exec_escape(&f->mem, &f->objs, f->proc, &op, 4), STATUS_INVALID_HANDLE);
	/* Still fine. */
	(void)create_saxpy(f, dev);
	assert_int_equal(dev->u.device.num_pipelines, 1);
}

/* A fake engine that records forget calls. */
struct fake {
	struct dxg_engine e;
	unsigned int forgets;
	void *host;
	uint64_t size;
	unsigned int *destroyed;
};

static void fake_forget(struct dxg_engine *e, void *host, uint64_t size)
{
	struct fake *k = (struct fake *)e;

	k->forgets++;
	k->host = host;
	k->size = size;
}

static void fake_destroy(struct dxg_engine *e)
{
	struct fake *k = (struct fake *)e;

	(*k->destroyed)++;
	free(k);
}

static const struct dxg_engine_ops fake_ops = {
	.name = "fake", .forget = fake_forget, .destroy = fake_destroy,
};

/* Swaps a device's engine for a fake one. */
static struct fake *fake_engine(struct dxg_obj *dev, unsigned int *destroyed)
{
	struct fake *k = calloc(1, sizeof(*k));

	assert_non_null(k);
	k->e.ops = &fake_ops;
	k->destroyed = destroyed;
	dev->u.device.engine->ops->destroy(dev->u.device.engine);
	dev->u.device.engine = &k->e;
	return k;
}

/*
 * Destroying an allocation makes every engine that can reach it (devices
 * of the process on the adapter) forget it, while its memory is still
 * allocated; destroying a device destroys its engine.
 */
static void test_forget_on_destroy(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *d1 = device(f, 0), *d2 = device(f, 0), *d3 = device(f, 1);
	unsigned int destroyed = 0;
	struct fake *k1 = fake_engine(d1, &destroyed);
	struct fake *k2 = fake_engine(d2, &destroyed);
	struct fake *k3 = fake_engine(d3, &destroyed);
	struct dxg_obj *a, *res;
	uint64_t va;
	uint8_t *host;

	a = alloc(f, d1, 3, &va, &host);
	dxg_obj_destroy(&f->objs, a);
	assert_int_equal(k1->forgets, 1);
	assert_ptr_equal(k1->host, host);
	assert_int_equal(k1->size, 3 * PG);
	assert_int_equal(k2->forgets, 1);	/* same process and adapter */
	assert_int_equal(k3->forgets, 0);	/* another adapter */
	/* Through a resource: the device is the resource's parent. */
	assert_int_equal(dxg_obj_create(&f->objs, DXG_OBJ_RESOURCE, d2, d2->adapter,
					&res), 0);
	assert_int_equal(dxg_obj_create(&f->objs, DXG_OBJ_ALLOCATION, res,
					d2->adapter, &a), 0);
	assert_int_equal(dxg_ioheap_alloc(&f->mem.heap, PG, &a->u.allocation.io_offset), 0);
	a->u.allocation.size = PG;
	dxg_obj_destroy(&f->objs, res);
	assert_int_equal(k1->forgets, 2);
	assert_int_equal(k2->forgets, 2);
	assert_int_equal(k2->size, PG);
	dxg_obj_destroy(&f->objs, d1);
	assert_int_equal(destroyed, 1);
	dxg_obj_destroy(&f->objs, f->proc);	/* d2, d3 with it */
	assert_int_equal(destroyed, 3);
	assert_int_equal(dxg_obj_create(&f->objs, DXG_OBJ_PROCESS, NULL, NULL,
					&f->proc), 0);
}

/*
 * On lavapipe: memory reused by a new allocation after the old one was
 * destroyed is imported again, not served from a stale import.
 */
static void test_no_stale_import(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *dev = device(f, 1), *ctx = context(f, dev);
	uint64_t pipe = create_saxpy(f, dev), cva, xva, yva, imports, hits, i2, h2;
	uint8_t *cb, *xb, *yb, *xb2;
	struct dxg_obj *xa;
	float one = 1.0f, *y;
	uint32_t len;

	alloc(f, dev, 1, &cva, &cb);
	alloc(f, dev, 1, &yva, &yb);
	xa = alloc(f, dev, 1, &xva, &xb);
	y = (float *)yb;
	for (int i = 0; i < 64; i++)
		memcpy(xb + 4 * i, &one, 4);
	begin(f);
	cmd_saxpy(f, pipe, xva, yva, 64, 1.0f);
	len = end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, len), 0);
	assert_true(y[63] == 1.0f);
	dxg_engine_vulkan_stats(dev->u.device.engine, &imports, &hits);
	dxg_obj_destroy(&f->objs, xa);
	/* The heap is first fit: the new allocation takes the same pages. */
	alloc(f, dev, 1, &xva, &xb2);
	assert_ptr_equal(xb2, xb);
	for (int i = 0; i < 64; i++)
		memcpy(xb2 + 4 * i, &one, 4);
	begin(f);
	cmd_saxpy(f, pipe, xva, yva, 64, 1.0f);
	len = end(f, cb);
	assert_int_equal(dxg_exec_submit(&f->mem, ctx, cva, len), 0);
	assert_true(y[63] == 2.0f);
	dxg_engine_vulkan_stats(dev->u.device.engine, &i2, &h2);
	assert_true(i2 > imports);
	print_message("imports %llu -> %llu, hits %llu -> %llu\n",
		      (unsigned long long)imports, (unsigned long long)i2,
		      (unsigned long long)hits, (unsigned long long)h2);
}

/* The ESCAPE command through the dispatcher is tested in tests/host. */
static int32_t device_address(struct fx *f, struct dxg_obj *dev, uint32_t h,
			      uint32_t size, uint64_t *out)
{
	struct dxg_escape_device_address k = {
		.op = DXG_ESCAPE_DEVICE_ADDRESS, .allocation = h,
	};
	int32_t st = dxg_exec_escape(&f->mem, &f->objs, dev, &k, size);

	*out = k.address;
	return st;
}

/*
 * DEVICE_ADDRESS: only a Vulkan device's own allocations, not offered
 * ones; the address is stable, and its allocation is never discarded.
 */
static void test_escape_device_address(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *cpu = device(f, 0), *dev = device(f, 1), *other = device(f, 1);
	struct dxg_obj *a, *b, *c, *k;
	const uint32_t sz = sizeof(struct dxg_escape_device_address);
	uint64_t va, addr, again;
	uint8_t *host;

	k = alloc(f, cpu, 1, &va, &host);
	assert_int_equal(device_address(f, cpu, k->handle, sz, &addr), STATUS_NOT_SUPPORTED);
	a = alloc(f, dev, 4, &va, &host);
	b = alloc(f, other, 1, &va, &host);
	c = alloc(f, dev, 1, &va, &host);
	assert_int_equal(device_address(f, dev, a->handle, sz - 4, &addr),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(device_address(f, dev, 0, sz, &addr), STATUS_INVALID_HANDLE);
	assert_int_equal(device_address(f, dev, 0xdead, sz, &addr), STATUS_INVALID_HANDLE);
	assert_int_equal(device_address(f, dev, dev->handle, sz, &addr), STATUS_INVALID_HANDLE);
	assert_int_equal(device_address(f, dev, b->handle, sz, &addr), STATUS_INVALID_HANDLE);
	dxg_res_offer(&f->mem, c, 2);
	assert_int_equal(device_address(f, dev, c->handle, sz, &addr), STATUS_INVALID_PARAMETER);
	assert_false(c->u.allocation.no_discard);
	assert_int_equal(device_address(f, dev, a->handle, sz, &addr), 0);
	assert_int_not_equal(addr, 0);
	assert_true(a->u.allocation.no_discard);
	assert_int_equal(device_address(f, dev, a->handle, sz, &again), 0);
	assert_int_equal(again, addr);
	/* Offered afterwards, it stays: only the other one is discarded. */
	dxg_res_offer(&f->mem, a, 1);
	assert_int_equal(dxg_res_trim(&f->mem, f->proc, DXG_RES_TRIM_ALL, 0), PG);
	assert_false(a->u.allocation.discarded);
	assert_true(c->u.allocation.discarded);
	assert_int_equal(dxg_exec_device_state(dev), ACTIVE);
}

static void test_device_init_rules(void **state)
{
	struct fx *f = *state;
	struct dxg_obj *d, *c;
	struct dxg_adapters ads;

	/* A Vulkan adapter whose device was never opened: no engine. */
	dxg_adapters_init(&ads, 1);
	assert_int_equal(dxg_adapters_add(&ads, "vulkan"), 0);
	assert_int_equal(dxg_obj_create(&f->objs, DXG_OBJ_DEVICE, f->proc,
					&ads.list[0], &d), 0);
	assert_int_equal(dxg_exec_device_init(&f->mem, d), STATUS_DEVICE_REMOVED);
	assert_null(d->u.device.engine);
	dxg_obj_destroy(&f->objs, d);
	/* Twice, or on something else: refused. */
	d = device(f, 0);
	assert_int_equal(dxg_exec_device_init(&f->mem, d), STATUS_INVALID_PARAMETER);
	c = context(f, d);
	assert_int_equal(dxg_exec_device_init(&f->mem, c), STATUS_INVALID_PARAMETER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_cpu_copy_fill),
		T(test_malformed_errors_device),
		T(test_bad_commands),
		T(test_page_faults),
		T(test_bad_sizes),
		T(test_large_buffer),
		T(test_escape_cpu),
		T(test_vulkan_saxpy),
		T(test_pipelines_per_device),
		T(test_escape_malformed),
		T(test_forget_on_destroy),
		T(test_no_stale_import),
		T(test_escape_device_address),
		T(test_device_init_rules),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
