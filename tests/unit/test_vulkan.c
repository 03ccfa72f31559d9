// SPDX-License-Identifier: MIT
/*
 * The Vulkan backend (host/engines/vulkan/vk_*.c, host/engines/vulkan/spirv_check.c) on the machine's
 * Vulkan device: lavapipe by default.  A machine without a usable Vulkan
 * device fails these tests (it cannot run the backend), it does not skip.
 */
#include <errno.h>
#include <math.h>
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
#include "dxg/ntstatus.h"
#include "dxg/texel_format.h"
#include "dxg/vkinfo.h"
#include "server/options.h"
#include "engines/vulkan/spirv_check.h"
#include "engines/vulkan/vk_device.h"
#include "engines/vulkan/vk_devmem.h"
#include "engines/vulkan/vk_engine.h"
#include "engines/vulkan/vk_memory.h"
#include "engines/vulkan/vk_status.h"

#include "oob_spv.h"
#include "push_spv.h"
#include "reduce_spv.h"
#include "saxpy_spv.h"
#include "sgemm_spv.h"
#include "spin_spv.h"
#include "layout_spv.h"
#include "bda_spv.h"
#include "array_spv.h"
#include "array_dyn_spv.h"
#include "texel_spv.h"
#include "image_spv.h"
#include "sample_spv.h"
#include "views_spv.h"

#define IO_SIZE		(64u << 20)	/* the "IO space": a memfd mapping */

static struct dxg_vk_device *dev;
static struct dxg_engine *eng;
static uint8_t *io;			/* IO_SIZE bytes, page aligned */

static int group_setup(void **state)
{
	char err[256] = "";
	int fd;

	(void)state;
	if (dxg_vk_device_open(NULL, DXG_VK_OPEN_DEVICE_ADDRESS, &dev, err, sizeof(err))) {
		fprintf(stderr, "test_vulkan: FAIL: no usable Vulkan device: %s\n"
			"(the Vulkan backend needs libvulkan1 and a driver; "
			"lavapipe is in mesa-vulkan-drivers)\n", err);
		return -1;
	}
	eng = dxg_engine_vulkan_create(dev);
	/* As dxghost's IO space: a memfd mapped shared. */
	fd = memfd_create("test-io", MFD_CLOEXEC);
	if (!eng || fd < 0 || ftruncate(fd, IO_SIZE) < 0)
		return -1;
	io = mmap(NULL, IO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return io == MAP_FAILED ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (eng)
		eng->ops->destroy(eng);
	dxg_vk_device_close(dev);
	if (io && io != MAP_FAILED)
		munmap(io, IO_SIZE);
	return 0;
}

/* A version 1 pipeline (storage buffers 0..nb-1 of set 0) on engine e. */
static int32_t make_v1(struct dxg_engine *e, const uint32_t *spv, size_t size,
		       const char *entry, uint32_t nb, uint32_t push, uint64_t *id)
{
	struct dxg_engine_pipeline desc;

	dxg_engine_pipeline_v1(&desc, spv, size, entry, nb, push);
	return e->ops->create_pipeline(e, &desc, id);
}

static uint64_t pipeline(const uint32_t *spv, size_t size, uint32_t nb, uint32_t push)
{
	uint64_t id = 0;

	assert_int_equal(make_v1(eng, spv, size, "main", nb, push, &id), 0);
	assert_int_not_equal(id, 0);
	return id;
}

static void bind(struct dxg_engine_dispatch *d, uint32_t i, void *host, uint64_t size)
{
	d->bindings[i].binding = i;
	d->bindings[i].host = host;
	d->bindings[i].size = size;
	if (d->num_bindings < i + 1)
		d->num_bindings = i + 1;
}

static void test_device_default_lavapipe(void **state)
{
	const struct dxg_vk_limits *l = &dev->limits;

	(void)state;
	print_message("device: %s (%s, driver %s), API %u.%u\n", dev->info.name,
		      dxg_vk_type_name(dev->info.type), dev->info.driver,
		      VK_API_VERSION_MAJOR(dev->info.api_version),
		      VK_API_VERSION_MINOR(dev->info.api_version));
	print_message("limits: storage range %llu, groups %u/%u/%u, push %u, "
		      "storage buffers %u, import align %llu, offset align %llu\n",
		      (unsigned long long)l->max_storage_buffer_range,
		      l->max_group_count[0], l->max_group_count[1], l->max_group_count[2],
		      l->max_push_constants_size, l->max_storage_buffers,
		      (unsigned long long)l->min_import_alignment,
		      (unsigned long long)l->min_storage_offset_alignment);
	assert_true(dev->info.type == VK_PHYSICAL_DEVICE_TYPE_CPU ||
		    !strcmp(dev->info.driver, "llvmpipe"));
	assert_true(dev->info.host_import);
	assert_true(l->max_storage_buffer_range > 0 && l->min_import_alignment > 0);
	assert_string_equal(eng->ops->name, "vulkan");
}

static void test_select_rules(void **state)
{
	struct dxg_vk_info l[3] = {
		{ .name = "NVIDIA GeForce RTX 4090", .type = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU },
		{ .name = "llvmpipe (LLVM 15)", .type = VK_PHYSICAL_DEVICE_TYPE_CPU,
		  .driver = "llvmpipe" },
		{ .name = "AMD Radeon", .type = VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU },
	};

	(void)state;
	assert_int_equal(dxg_vk_select(l, 3, NULL), 1);	/* the CPU device */
	assert_int_equal(dxg_vk_select(l, 3, ""), 1);
	assert_int_equal(dxg_vk_select(l, 1, NULL), 0);	/* else the first */
	assert_int_equal(dxg_vk_select(l, 3, "2"), 2);
	assert_int_equal(dxg_vk_select(l, 3, "3"), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(dxg_vk_select(l, 3, "99999999999999999999"),
			 STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(dxg_vk_select(l, 3, "radeon"), 2);
	assert_int_equal(dxg_vk_select(l, 3, "geforce"), 0);
	assert_int_equal(dxg_vk_select(l, 3, "intel"), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(dxg_vk_select(l, 0, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
}

static void test_status_map(void **state)
{
	(void)state;
	assert_int_equal(dxg_vk_status(VK_SUCCESS), 0);
	assert_int_equal(dxg_vk_status(VK_ERROR_DEVICE_LOST), STATUS_DEVICE_REMOVED);
	assert_int_equal(dxg_vk_status(VK_TIMEOUT), STATUS_IO_TIMEOUT);
	assert_false(NT_SUCCESS(dxg_vk_status(VK_TIMEOUT)));
	assert_int_equal(dxg_vk_status(VK_ERROR_OUT_OF_DEVICE_MEMORY), STATUS_NO_MEMORY);
	assert_int_equal(dxg_vk_status(VK_ERROR_UNKNOWN), STATUS_UNSUCCESSFUL);
}

static void test_import_alignment(void **state)
{
	uint64_t a = dxg_vk_import_alignment(dev);
	struct dxg_vk_import imp;

	(void)state;
	assert_true(a >= (uint64_t)sysconf(_SC_PAGESIZE));
	assert_int_equal(dxg_vk_import(dev, io + 16, a, &imp), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_vk_import(dev, io, a + 100, &imp), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_vk_import(dev, io, 0, &imp), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_vk_import(dev, NULL, a, &imp), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_vk_import(dev, (void *)(UINTPTR_MAX & ~(uintptr_t)(a - 1)),
				       2 * a, &imp), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_vk_import(dev, io + a, 4 * a, &imp), 0);
	assert_ptr_equal(imp.host, io + a);
	assert_true(imp.buf != VK_NULL_HANDLE && imp.mem != VK_NULL_HANDLE);
	dxg_vk_release(dev, &imp);
}

static void cpu_saxpy(float *y, const float *x, float a, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		y[i] = a * x[i] + y[i];
}

/* saxpy on the IO space; x and y at the given offsets. */
static void run_saxpy(uint64_t id, size_t xoff, size_t yoff, uint32_t n)
{
	struct dxg_engine_dispatch d = { .pipeline = id };
	float *x = (float *)(io + xoff), *y = (float *)(io + yoff);
	float *ref = malloc(n * sizeof(float));
	struct { uint32_t n; float a; } pc = { n, 2.5f };

	assert_non_null(ref);
	for (uint32_t i = 0; i < n; i++) {
		x[i] = (float)i * 0.5f;
		y[i] = ref[i] = (float)(n - i);
	}
	cpu_saxpy(ref, x, pc.a, n);
	bind(&d, 0, x, n * sizeof(float));
	bind(&d, 1, y, n * sizeof(float));
	d.groups[0] = (n + 63) / 64;
	d.groups[1] = d.groups[2] = 1;
	d.push_size = sizeof(pc);
	memcpy(d.push, &pc, sizeof(pc));
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	/* Zero copy: the results are in the mapping itself. */
	assert_memory_equal(y, ref, n * sizeof(float));
	free(ref);
}

static void test_saxpy_zero_copy(void **state)
{
	uint64_t id = pipeline(saxpy_spv, sizeof(saxpy_spv), 2, 8);
	uint64_t imports, hits, imports2, hits2;

	(void)state;
	dxg_engine_vulkan_stats(eng, &imports, &hits);
	run_saxpy(id, 0, 1 << 20, 100000);
	dxg_engine_vulkan_stats(eng, &imports2, &hits2);
	assert_int_equal(imports2, imports + 2);
	/* The same allocations again: no new import. */
	run_saxpy(id, 0, 1 << 20, 100000);
	dxg_engine_vulkan_stats(eng, &imports, &hits);
	assert_int_equal(imports, imports2);
	assert_int_equal(hits, hits2 + 2);
	/* Unaligned inside an allocation: a buffer offset into the import. */
	run_saxpy(id, 2 << 20 | 64, 3 << 20 | 4096 | 16, 1000);
	eng->ops->forget(eng, io, IO_SIZE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
}

/*
 * A read-only binding (DXG_CMD_BINDING_READ_ONLY) goes only where the
 * shader never writes: saxpy's x, not its y.  The check is per pipeline,
 * so it holds for a pipeline found in the shared cache too.
 */
static void test_read_only_bindings(void **state)
{
	const uint32_t n = 256;
	float *x = (float *)io, *y = (float *)(io + 65536);
	struct { uint32_t n; float a; } pc = { n, 2.0f };
	struct dxg_engine_dispatch d = { .groups = { (n + 63) / 64, 1, 1 } };
	uint64_t id = pipeline(saxpy_spv, sizeof(saxpy_spv), 2, 8);
	uint64_t id2 = pipeline(saxpy_spv, sizeof(saxpy_spv), 2, 8);

	(void)state;
	for (uint32_t i = 0; i < n; i++) {
		x[i] = (float)i;
		y[i] = 1.0f;
	}
	d.pipeline = id;
	d.push_size = sizeof(pc);
	memcpy(d.push, &pc, sizeof(pc));
	bind(&d, 0, x, n * 4);
	bind(&d, 1, y, n * 4);
	d.bindings[0].read_only = 1;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_true(y[n - 1] == 2.0f * (float)(n - 1) + 1.0f);
	assert_true(x[n - 1] == (float)(n - 1));
	/* y is written: refused, nothing runs. */
	d.bindings[1].read_only = 1;
	d.pipeline = id2;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_ACCESS_DENIED);
	assert_true(y[n - 1] == 2.0f * (float)(n - 1) + 1.0f);
	d.bindings[0].read_only = 0;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_ACCESS_DENIED);
	eng->ops->forget(eng, io, IO_SIZE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id2), 0);
}

static void test_import_cache_invalidate(void **state)
{
	uint64_t id = pipeline(saxpy_spv, sizeof(saxpy_spv), 2, 8);
	uint64_t i0, i1, i2, h;

	(void)state;
	run_saxpy(id, 4 << 20, 5 << 20, 5000);
	dxg_engine_vulkan_stats(eng, &i0, &h);
	run_saxpy(id, 4 << 20, 5 << 20, 5000);
	dxg_engine_vulkan_stats(eng, &i1, &h);
	assert_int_equal(i1, i0);
	/* The owner frees x: its import goes, y's stays. */
	eng->ops->forget(eng, io + (4 << 20), 1 << 20);
	run_saxpy(id, 4 << 20, 5 << 20, 5000);
	dxg_engine_vulkan_stats(eng, &i2, &h);
	assert_int_equal(i2, i1 + 1);
	eng->ops->forget(eng, io, IO_SIZE);
	run_saxpy(id, 4 << 20, 5 << 20, 5000);
	dxg_engine_vulkan_stats(eng, &i1, &h);
	assert_int_equal(i1, i2 + 2);
	eng->ops->forget(eng, io, IO_SIZE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
}

static void test_sgemm(void **state)
{
	const uint32_t m = 70, n = 50, k = 33;	/* not multiples of the tile */
	uint64_t id = pipeline(sgemm_spv, sizeof(sgemm_spv), 3, 12);
	float *a = (float *)io, *b = (float *)(io + (1 << 20));
	float *c = (float *)(io + (2 << 20));
	struct dxg_engine_dispatch d = { .pipeline = id };
	uint32_t pc[3] = { m, n, k };

	(void)state;
	for (uint32_t i = 0; i < m * k; i++)
		a[i] = (float)((i * 7) % 13) - 6.0f;
	for (uint32_t i = 0; i < k * n; i++)
		b[i] = (float)((i * 5) % 11) * 0.25f;
	memset(c, 0xff, m * n * sizeof(float));
	bind(&d, 0, a, m * k * sizeof(float));
	bind(&d, 1, b, k * n * sizeof(float));
	bind(&d, 2, c, m * n * sizeof(float));
	d.groups[0] = (n + 15) / 16;
	d.groups[1] = (m + 15) / 16;
	d.groups[2] = 1;
	d.push_size = sizeof(pc);
	memcpy(d.push, pc, sizeof(pc));
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	for (uint32_t r = 0; r < m; r++)
		for (uint32_t col = 0; col < n; col++) {
			float ref = 0;

			for (uint32_t i = 0; i < k; i++)
				ref += a[r * k + i] * b[i * n + col];
			/* Small integers and quarters: exact in float. */
			assert_true(c[r * n + col] == ref);
		}
	eng->ops->forget(eng, io, IO_SIZE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
}

static void test_reduce(void **state)
{
	const uint32_t n = 1000003, per = 4, groups = (n + 256 * per - 1) / (256 * per);
	uint64_t id = pipeline(reduce_spv, sizeof(reduce_spv), 2, 8);
	float *in = (float *)io, *part = (float *)(io + (8 << 20));
	struct dxg_engine_dispatch d = { .pipeline = id };
	uint32_t pc[2] = { n, per };
	double ref = 0, sum = 0;

	(void)state;
	for (uint32_t i = 0; i < n; i++) {
		in[i] = (float)(i % 17) * 0.5f;
		ref += in[i];
	}
	bind(&d, 0, in, n * sizeof(float));
	bind(&d, 1, part, groups * sizeof(float));
	d.groups[0] = groups;
	d.groups[1] = d.groups[2] = 1;
	d.push_size = sizeof(pc);
	memcpy(d.push, pc, sizeof(pc));
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	for (uint32_t g = 0; g < groups; g++)
		sum += part[g];
	/* Each partial is a sum of <= 1024 halves below 8: exact in float. */
	assert_true(sum == ref);
	eng->ops->forget(eng, io, IO_SIZE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
}

static void test_push_constants(void **state)
{
	uint64_t id = pipeline(push_spv, sizeof(push_spv), 1, 128);
	struct dxg_engine_dispatch d = { .pipeline = id, .groups = { 1, 1, 1 } };
	uint32_t *out = (uint32_t *)io;

	(void)state;
	for (uint32_t i = 0; i < 32; i++)
		memcpy(d.push + 4 * i, &(uint32_t){ 0xc0de0000u + i }, 4);
	d.push_size = 128;
	bind(&d, 0, out, 128);
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	for (uint32_t i = 0; i < 32; i++)
		assert_int_equal(out[i], 0xc0de0000u + i);
	/* A shorter push: the rest of the range reads as zeros. */
	d.push_size = 8;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(out[1], 0xc0de0001u);
	for (uint32_t i = 2; i < 32; i++)
		assert_int_equal(out[i], 0);
	eng->ops->forget(eng, io, IO_SIZE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
}

static int32_t create(const uint32_t *spv, size_t size, const char *entry,
		      uint32_t nb, uint32_t push)
{
	uint64_t id = 0;
	int32_t st = make_v1(eng, spv, size, entry, nb, push, &id);

	if (!st)
		eng->ops->destroy_pipeline(eng, id);
	return st;
}

static void test_invalid_spirv(void **state)
{
	size_t big = DXG_SPIRV_MAX_SIZE + 4;
	uint32_t *buf = calloc(1, big);
	const uint32_t header_only[5] = { DXG_SPIRV_MAGIC, 0x00010000, 0, 1, 0 };

	(void)state;
	assert_non_null(buf);
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv), "main", 2, 8), 0);
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv) - 2, "main", 2, 8),
			 STATUS_INVALID_PARAMETER);		/* size % 4 */
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv) - 64, "main", 2, 8),
			 STATUS_INVALID_PARAMETER);		/* truncated */
	assert_int_equal(create(saxpy_spv, 16, "main", 2, 8), STATUS_INVALID_PARAMETER);
	assert_int_equal(create(header_only, sizeof(header_only), "main", 0, 0),
			 STATUS_INVALID_PARAMETER);		/* no entry point */
	memcpy(buf, saxpy_spv, sizeof(saxpy_spv));
	buf[0] = 0x03022307;					/* byte-swapped */
	assert_int_equal(create(buf, sizeof(saxpy_spv), "main", 2, 8),
			 STATUS_INVALID_PARAMETER);
	memcpy(buf, saxpy_spv, sizeof(saxpy_spv));
	assert_int_equal(create(buf, big, "main", 2, 8), STATUS_INVALID_PARAMETER);
	for (size_t i = 5; i < sizeof(saxpy_spv) / 4; i++)	/* garbage body */
		buf[i] = 0xdeadbeef ^ (uint32_t)(i * 2654435761u);
	assert_int_equal(create(buf, sizeof(saxpy_spv), "main", 2, 8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv), "nope", 2, 8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv), "", 2, 8),
			 STATUS_INVALID_PARAMETER);
	/* The shader uses binding 1; a layout of one binding cannot hold it. */
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv), "main", 1, 8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv), "main", 17, 8),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv), "main", 2, 6),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(create(saxpy_spv, sizeof(saxpy_spv), "main", 2, 132),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(create(NULL, 0, "main", 2, 8), STATUS_INVALID_PARAMETER);
	free(buf);
}

/* layout.comp's layout: storage 0.0, uniform 0.2, storage 1.1; spec 0, 1. */
static void layout_desc(struct dxg_engine_pipeline *p, const uint32_t *spec_data,
			const struct dxg_pipeline_spec *spec)
{
	*p = (struct dxg_engine_pipeline) {
		.spirv = layout_spv, .spirv_size = sizeof(layout_spv), .entry = "main",
		.num_slots = 3, .push_size = 8,
		.num_spec = 2, .spec = spec, .spec_data = spec_data, .spec_data_size = 8,
	};
	p->slots[0] = (struct dxg_engine_slot) { 0, 0, DXG_SLOT_STORAGE_BUFFER, 0 };
	p->slots[1] = (struct dxg_engine_slot) { 0, 2, DXG_SLOT_UNIFORM_BUFFER, 0 };
	p->slots[2] = (struct dxg_engine_slot) { 1, 1, DXG_SLOT_STORAGE_BUFFER, 0 };
}

/* CREATE_PIPELINE2's pipelines: sets, uniform buffers, spec constants, base. */
static void test_pipeline_layouts(void **state)
{
	const uint32_t spec_data[2] = { 64, 3 };
	const struct dxg_pipeline_spec spec[2] = { { 0, 0, 4, 0 }, { 1, 4, 4, 0 } };
	struct dxg_engine_pipeline p, bad;
	struct dxg_engine_dispatch d = { .groups = { 2, 1, 1 }, .base = { 2, 0, 0 },
					 .push_size = 8 };
	uint32_t *in = (uint32_t *)io, *out = (uint32_t *)(io + 4096);
	uint32_t *uni = (uint32_t *)(io + 8192);
	const uint32_t push[2] = { 320, 7 };
	uint64_t id = 0, id2 = 0;

	(void)state;
	layout_desc(&p, spec_data, spec);
	assert_int_equal(eng->ops->create_pipeline(eng, &p, &id), 0);
	for (uint32_t i = 0; i < 320; i++) {
		in[i] = i;
		out[i] = 0xffffffffu;
	}
	uni[0] = 5;
	d.pipeline = id;
	memcpy(d.push, push, sizeof(push));
	/* Slots bound out of order: a slot index, not a binding number. */
	d.num_bindings = 3;
	d.bindings[0] = (struct dxg_engine_binding) { .binding = 2, .host = out,
						     .size = 320 * 4 };
	d.bindings[1] = (struct dxg_engine_binding) { .binding = 0, .host = in,
						     .size = 320 * 4 };
	d.bindings[2] = (struct dxg_engine_binding) { .binding = 1, .host = uni,
						     .size = 16 };
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	for (uint32_t i = 0; i < 320; i++)
		assert_int_equal(out[i], i >= 128 && i < 256 ? i * 3 + 5 + 7 : 0xffffffffu);
	/* base + groups beyond the device's count limit. */
	d.base[0] = dev->limits.max_group_count[0];
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);

	/* The module and the slots must agree; every field is checked. */
	bad = p;
	bad.slots[1].type = DXG_SLOT_STORAGE_BUFFER;	/* the shader's is uniform */
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_INVALID_PARAMETER);
	bad = p;
	bad.num_slots = 2;				/* set 1 binding 1 missing */
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_INVALID_PARAMETER);
	bad = p;
	bad.slots[2].binding = 2;
	bad.slots[2].set = 0;				/* (0, 2) twice */
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_INVALID_PARAMETER);
	bad = p;
	bad.slots[2].set = DXG_PIPELINE_MAX_SETS;
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_INVALID_PARAMETER);
	bad = p;
	bad.slots[0].type = 7;
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_INVALID_PARAMETER);
	{
		const struct dxg_pipeline_spec outside[2] = { { 0, 0, 4, 0 }, { 1, 6, 4, 0 } };
		const struct dxg_pipeline_spec twice[2] = { { 0, 0, 4, 0 }, { 0, 4, 4, 0 } };
		const struct dxg_pipeline_spec odd[2] = { { 0, 0, 4, 0 }, { 1, 4, 3, 0 } };

		bad = p;
		bad.spec = outside;
		assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2),
				 STATUS_INVALID_PARAMETER);
		bad.spec = twice;
		assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2),
				 STATUS_INVALID_PARAMETER);
		bad.spec = odd;
		assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2),
				 STATUS_INVALID_PARAMETER);
	}
	bad = p;
	bad.subgroup_size = 3;				/* not a power of two */
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_NOT_SUPPORTED);
	/* A subgroup size the device has works (where it has the control). */
	if (dev->limits.subgroup_size_control) {
		bad = p;
		bad.subgroup_size = dev->limits.max_subgroup_size;
		assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), 0);
		assert_int_equal(eng->ops->destroy_pipeline(eng, id2), 0);
	}
}

/* shaders/texel.comp's layout: a uniform texel buffer, two storage ones. */
static void texel_desc(struct dxg_engine_pipeline *p)
{
	*p = (struct dxg_engine_pipeline) {
		.spirv = texel_spv, .spirv_size = sizeof(texel_spv), .entry = "main",
		.num_slots = 3, .push_size = 4,
	};
	p->slots[0] = (struct dxg_engine_slot) { 0, 0, DXG_SLOT_UNIFORM_TEXEL_BUFFER, 0 };
	p->slots[1] = (struct dxg_engine_slot) { 0, 1, DXG_SLOT_STORAGE_TEXEL_BUFFER, 0 };
	p->slots[2] = (struct dxg_engine_slot) { 1, 0, DXG_SLOT_STORAGE_TEXEL_BUFFER, 0 };
}

/*
 * Texel buffers: views made per dispatch from each binding's format (and
 * gone after it), reads converted by the format, writes and atomics; the
 * format checked against the device and the shader's declarations.
 */
static void test_texel_buffers(void **state)
{
	enum { N = 200 };
	struct dxg_engine_pipeline p, bad;
	struct dxg_engine_dispatch d = { .groups = { (N + 63) / 64, 1, 1 }, .push_size = 4 };
	uint8_t *src = io;
	uint32_t *dst = (uint32_t *)(io + 4096), *count = (uint32_t *)(io + 8192);
	const uint32_t n = N;
	uint64_t id = 0, id2 = 0;
	long objs;

	(void)state;
	/* lavapipe has these, as Vulkan requires of every device. */
	assert_true(dev->texel_features[VK_FORMAT_R8G8B8A8_UNORM] &
		    VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT);
	assert_true(dev->texel_features[VK_FORMAT_R32_UINT] &
		    VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT);
	assert_int_equal(dev->texel_features[VK_FORMAT_R8G8B8_UNORM], 0);	/* not ours */

	texel_desc(&p);
	assert_int_equal(eng->ops->create_pipeline(eng, &p, &id), 0);
	for (uint32_t i = 0; i < 4 * N; i++)
		src[i] = (uint8_t)(7 * i);
	memset(dst, 0xff, 4 * N);
	count[0] = 5;
	d.pipeline = id;
	memcpy(d.push, &n, 4);
	d.num_bindings = 3;
	d.bindings[0] = (struct dxg_engine_binding) { .binding = 0, .host = src, .size = 4 * N,
						     .format = VK_FORMAT_R8G8B8A8_UNORM };
	d.bindings[1] = (struct dxg_engine_binding) { .binding = 1, .host = dst, .size = 4 * N,
						     .format = VK_FORMAT_R32_UINT };
	d.bindings[2] = (struct dxg_engine_binding) { .binding = 2, .host = count, .size = 16,
						     .format = VK_FORMAT_R32_UINT };
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	/* Again, its memory imported now: the views went with each dispatch. */
	objs = atomic_load(&dev->objects);
	count[0] = 5;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(atomic_load(&dev->objects), objs);
	for (uint32_t i = 0; i < N; i++) {
		uint32_t want = 0;

		for (uint32_t c = 0; c < 4; c++)
			want += (c + 1) * src[4 * i + c];
		assert_int_equal(dst[i], want);
	}
	assert_int_equal(count[0], 5 + N);

	/* What a dispatch may get wrong about a view. */
	d.bindings[1].format = VK_FORMAT_R32_SFLOAT;	/* the shader's is r32ui */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[1].format = VK_FORMAT_R32_SINT;	/* an integer, not r32ui */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[1].format = VK_FORMAT_R32_UINT;
	d.bindings[0].format = VK_FORMAT_R8G8B8A8_UINT;	/* samplerBuffer is float */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[0].format = VK_FORMAT_R8G8B8_UNORM;	/* not a texel format here */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	d.bindings[0].format = 0;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	d.bindings[0].format = 0xffff;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	d.bindings[0].format = VK_FORMAT_R16G16B16A16_SFLOAT;	/* 8-byte texels */
	d.bindings[0].size = 4 * N + 4;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[0].format = VK_FORMAT_R8G8B8A8_UNORM;
	d.bindings[0].size = 4 * N;
	d.bindings[2].host = count + 1;		/* below the texel offset alignment */
	if (dev->limits.min_texel_offset_alignment > 4)
		assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[2].host = count;
	d.bindings[1].read_only = 1;		/* written through an image */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_ACCESS_DENIED);
	d.bindings[1].read_only = 0;
	d.bindings[0].read_only = 1;		/* a uniform texel buffer is only read */
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	d.bindings[0].read_only = 0;
	/* The counter's image atomic needs the format's atomic feature. */
	dev->texel_features[VK_FORMAT_R32_UINT] &= ~VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	dev->texel_features[VK_FORMAT_R32_UINT] |= VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(atomic_load(&dev->objects), objs);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);

	/* A buffer slot takes no format; the layout must say texel buffer. */
	{
		const uint32_t spec_data[2] = { 64, 3 };
		const struct dxg_pipeline_spec spec[2] = { { 0, 0, 4, 0 }, { 1, 4, 4, 0 } };
		struct dxg_engine_dispatch ld = { .groups = { 1, 1, 1 }, .push_size = 8,
						  .num_bindings = 3 };

		layout_desc(&bad, spec_data, spec);
		assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), 0);
		ld.pipeline = id2;
		ld.bindings[0] = (struct dxg_engine_binding) { .binding = 0, .host = dst,
							      .size = 256,
							      .format = VK_FORMAT_R32_UINT };
		ld.bindings[1] = (struct dxg_engine_binding) { .binding = 1, .host = count,
							      .size = 16 };
		ld.bindings[2] = (struct dxg_engine_binding) { .binding = 2, .host = io + 12288,
							      .size = 256 };
		assert_int_equal(eng->ops->dispatch(eng, &ld), STATUS_INVALID_PARAMETER);
		assert_int_equal(eng->ops->destroy_pipeline(eng, id2), 0);
	}
	bad = p;
	bad.slots[0].type = DXG_SLOT_STORAGE_TEXEL_BUFFER;	/* it is sampled */
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_INVALID_PARAMETER);
	bad = p;
	bad.slots[1].type = DXG_SLOT_STORAGE_BUFFER;		/* it is an image */
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_INVALID_PARAMETER);
	bad = p;
	bad.slots[2].type = DXG_SLOT_UNIFORM_TEXEL_BUFFER;
	assert_int_equal(eng->ops->create_pipeline(eng, &bad, &id2), STATUS_INVALID_PARAMETER);
}

/*
 * Storage images: the engine's layout of linear 2D images; images in
 * device memory filled and read back row by row with transfers (what a
 * guest's copies do), read, written and counted into by a kernel; the
 * image and view made per dispatch and gone after it; what a binding may
 * get wrong.
 */
static void test_storage_images(void **state)
{
	enum { W = 37, H = 21 };
	struct dxg_engine_pipeline p = {
		.spirv = image_spv, .spirv_size = sizeof(image_spv), .entry = "main",
		.num_slots = 3, .push_size = 8,
	};
	struct dxg_engine_dispatch d = { .groups = { (W + 7) / 8, (H + 7) / 8, 1 },
					 .push_size = 8, .num_bindings = 3 };
	const uint32_t push[2] = { W, H };
	uint64_t size[3], align[3], pitch[3], off[3], total = 0, id = 0;
	const uint32_t fmt[3] = { VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_UINT,
				  VK_FORMAT_R32_UINT };
	const uint32_t ext[3][2] = { { W, H }, { W, H }, { 1, 1 } };
	struct dxg_vk_devmem *m = NULL;
	uint8_t *src = io + 65536, *back = io + 2 * 65536;
	struct dxg_engine_xfer t;
	long objs;

	(void)state;
	assert_non_null(eng->ops->image_layout);
	assert_true(dev->image_caps[VK_FORMAT_R8G8B8A8_UNORM].features &
		    VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT);
	assert_true(dev->image_caps[VK_FORMAT_R32_UINT].features &
		    VK_FORMAT_FEATURE_STORAGE_IMAGE_ATOMIC_BIT);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(eng->ops->image_layout(eng, fmt[i], ext[i][0], ext[i][1],
							&size[i], &align[i], &pitch[i]), 0);
		assert_true(pitch[i] >= ext[i][0] * 4u && size[i] >= pitch[i] * (ext[i][1] - 1) +
			    ext[i][0] * 4u && align[i] && !(align[i] & (align[i] - 1)));
		total = (total + align[i] - 1) & ~(align[i] - 1);
		off[i] = total;
		total += size[i];
	}
	/* Not such images: no extent, too large, a format without them. */
	assert_int_equal(eng->ops->image_layout(eng, fmt[0], 0, 1, &size[0], &align[0],
						&pitch[0]), STATUS_INVALID_PARAMETER);
	assert_int_equal(eng->ops->image_layout(eng, fmt[0], 1u << 30, 1, &size[0], &align[0],
						&pitch[0]), STATUS_NOT_SUPPORTED);
	assert_int_equal(eng->ops->image_layout(eng, VK_FORMAT_R8G8B8_UNORM, 4, 4, &size[0],
						&align[0], &pitch[0]), STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_vk_devmem_alloc(dev, total, &m), 0);

	/* The source's rows, pitch apart, copied in row by row; the counter zeroed. */
	for (uint32_t y = 0; y < H; y++) {
		for (uint32_t x = 0; x < 4 * W; x++)
			src[y * pitch[0] + x] = (uint8_t)(x * 7 + y * 3);
		t = (struct dxg_engine_xfer) { .op = DXG_XFER_COPY, .size = 4 * W,
			.src = { .host = src + y * pitch[0] },
			.dst = { .dev = m, .dev_offset = off[0] + y * pitch[0] } };
		assert_int_equal(eng->ops->xfer(eng, &t), 0);
	}
	t = (struct dxg_engine_xfer) { .op = DXG_XFER_FILL, .size = 4, .pattern = 5,
				       .dst = { .dev = m, .dev_offset = off[2] } };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);

	p.slots[0] = (struct dxg_engine_slot) { 0, 0, DXG_SLOT_STORAGE_IMAGE, 0 };
	p.slots[1] = (struct dxg_engine_slot) { 0, 1, DXG_SLOT_STORAGE_IMAGE, 0 };
	p.slots[2] = (struct dxg_engine_slot) { 0, 2, DXG_SLOT_STORAGE_IMAGE, 0 };
	assert_int_equal(eng->ops->create_pipeline(eng, &p, &id), 0);
	d.pipeline = id;
	memcpy(d.push, push, sizeof(push));
	for (uint32_t i = 0; i < 3; i++)
		d.bindings[i] = (struct dxg_engine_binding) { .binding = i, .dev = m,
			.dev_offset = off[i], .size = size[i], .format = fmt[i],
			.width = ext[i][0], .height = ext[i][1] };
	objs = atomic_load(&dev->objects);
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(atomic_load(&dev->objects), objs);	/* images and views gone */

	/* Read back row by row: every texel, and the count. */
	for (uint32_t y = 0; y < H; y++) {
		const uint32_t *row = (const uint32_t *)(back + y * pitch[1]);

		t = (struct dxg_engine_xfer) { .op = DXG_XFER_COPY, .size = 4 * W,
			.src = { .dev = m, .dev_offset = off[1] + y * pitch[1] },
			.dst = { .host = back + y * pitch[1] } };
		assert_int_equal(eng->ops->xfer(eng, &t), 0);
		for (uint32_t x = 0; x < W; x++) {
			uint32_t want = y * 10000u;

			for (uint32_t c = 0; c < 4; c++)
				want += (c + 1) * src[y * pitch[0] + 4 * x + c];
			assert_int_equal(row[x], want);
		}
	}
	t = (struct dxg_engine_xfer) { .op = DXG_XFER_COPY, .size = 4,
		.src = { .dev = m, .dev_offset = off[2] }, .dst = { .host = back } };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	assert_int_equal(*(uint32_t *)back, 5 + W * H);

	/* What a binding may get wrong (the read-back imported host memory). */
	objs = atomic_load(&dev->objects);
	d.bindings[1].size = size[1] - 1;		/* the image does not fit */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[1].size = size[1];
	d.bindings[1].format = VK_FORMAT_R32_SFLOAT;	/* the shader's is r32ui */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[1].format = VK_FORMAT_R32_UINT;
	d.bindings[1].width = 0;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[1].width = W;
	d.bindings[1].swizzle[0] = VK_COMPONENT_SWIZZLE_R;	/* storage views map nothing */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[1].swizzle[0] = 0;
	if (align[1] > 1) {
		d.bindings[1].dev_offset = off[1] + 1;	/* not aligned */
		assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
		d.bindings[1].dev_offset = off[1];
	}
	d.bindings[1].dev = NULL;			/* images live in device memory */
	d.bindings[1].host = io;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	d.bindings[1].dev = m;
	d.bindings[1].host = NULL;
	/* The counter's atomic needs the format's atomic feature. */
	dev->image_caps[VK_FORMAT_R32_UINT].features &= ~VK_FORMAT_FEATURE_STORAGE_IMAGE_ATOMIC_BIT;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	dev->image_caps[VK_FORMAT_R32_UINT].features |= VK_FORMAT_FEATURE_STORAGE_IMAGE_ATOMIC_BIT;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(atomic_load(&dev->objects), objs);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
	dxg_vk_devmem_free(dev, m);
}

/* @h rows of @row bytes from host @src, @pitch apart, into device memory @m at @off. */
static void upload_rows(struct dxg_vk_devmem *m, uint64_t off, uint64_t pitch,
			const uint8_t *src, uint64_t row, uint32_t h)
{
	for (uint32_t y = 0; y < h; y++) {
		struct dxg_engine_xfer t = { .op = DXG_XFER_COPY, .size = row,
			.src = { .host = (void *)(src + y * pitch) },
			.dst = { .dev = m, .dev_offset = off + y * pitch } };

		assert_int_equal(eng->ops->xfer(eng, &t), 0);
	}
}

static uint32_t float_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/*
 * Sampled images and samplers (shaders/sample.comp): three images in
 * device memory, sampled through a combined image sampler (nearest), a
 * separate linear sampler (halfway between texels: their mean, the edge
 * clamped) and fetched; every image, view and sampler made per dispatch
 * and gone after it; what a sampler's state or a binding may get wrong.
 */
static void test_sampled_images(void **state)
{
	enum { W = 19, H = 11, NS = 6 };
	struct dxg_engine_pipeline p = {
		.spirv = sample_spv, .spirv_size = sizeof(sample_spv), .entry = "main",
		.num_slots = NS, .push_size = 8,
	};
	struct dxg_engine_dispatch d = { .groups = { (W + 7) / 8, (H + 7) / 8, 1 },
					 .push_size = 8, .num_bindings = NS };
	const uint32_t push[2] = { W, H };
	const uint32_t fmt[3] = { VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_SFLOAT,
				  VK_FORMAT_R32_UINT };
	const uint8_t type[NS] = { DXG_SLOT_COMBINED_IMAGE_SAMPLER, DXG_SLOT_SAMPLED_IMAGE,
				   DXG_SLOT_SAMPLER, DXG_SLOT_SAMPLED_IMAGE, DXG_SLOT_SAMPLER,
				   DXG_SLOT_STORAGE_BUFFER };
	const struct dxg_cmd_sampler nearest = {
		.address_mode = { VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
				  VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
				  VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE },
	};
	struct dxg_cmd_sampler linear = nearest, bad;
	uint64_t size[3], align[3], pitch[3], off[3], total = 0, id = 0;
	struct dxg_vk_devmem *m = NULL;
	uint8_t *src = io + 65536;
	const float *out = (const float *)(io + 4 * 65536);
	struct dxg_spirv_facts f;
	int32_t st;
	long objs;

	(void)state;
	linear.mag_filter = linear.min_filter = VK_FILTER_LINEAR;
	for (int i = 0; i < 3; i++) {
		assert_true(dev->image_caps[fmt[i]].features & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT);
		assert_int_equal(eng->ops->image_layout(eng, fmt[i], W, H, &size[i], &align[i],
							&pitch[i]), 0);
		total = (total + align[i] - 1) & ~(align[i] - 1);
		off[i] = total;
		total += size[i];
	}
	assert_true(dev->image_caps[fmt[1]].features &
		    VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT);
	/* Formats of images only (no buffer features): sRGB, packed, shared exponent. */
	for (uint32_t f = VK_FORMAT_R5G6B5_UNORM_PACK16; f < DXG_TEXEL_FORMAT_END; f++) {
		uint64_t sz, al, pi;

		if (f != VK_FORMAT_R8G8B8A8_SRGB && f != VK_FORMAT_B8G8R8A8_SRGB &&
		    f != VK_FORMAT_R5G6B5_UNORM_PACK16 && f != VK_FORMAT_E5B9G9R9_UFLOAT_PACK32)
			continue;
		assert_true(dev->image_caps[f].features & VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT);
		assert_true(dev->image_caps[f].usage & VK_IMAGE_USAGE_SAMPLED_BIT);
		assert_int_equal(eng->ops->image_layout(eng, f, 5, 3, &sz, &al, &pi), 0);
		assert_true(pi >= 5u * dxg_texel_format(f).size);
	}
	assert_int_equal(dxg_vk_devmem_alloc(dev, total, &m), 0);
	/* rgba8: r = x * 13 + y, a = y * 7; r32f: x * 2 + y * 100; r32ui: x * y + 5. */
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint8_t *t = src + y * pitch[0] + 4 * x;
			float v = (float)(x * 2 + y * 100);
			uint32_t u = x * y + 5;

			t[0] = (uint8_t)(x * 13 + y);
			t[1] = 1;
			t[2] = 2;
			t[3] = (uint8_t)(y * 7);
			memcpy(src + 65536 + y * pitch[1] + 4 * x, &v, 4);
			memcpy(src + 2 * 65536 + y * pitch[2] + 4 * x, &u, 4);
		}
	for (int i = 0; i < 3; i++)
		upload_rows(m, off[i], pitch[i], src + i * 65536, 4 * W, H);

	for (uint32_t i = 0; i < NS; i++)
		p.slots[i] = (struct dxg_engine_slot) { 0, i, type[i], 0 };
	assert_int_equal(dxg_spirv_check(sample_spv, sizeof(sample_spv), "main", p.slots, NS,
					 VK_API_VERSION_1_3, 0, &f), 0);
	assert_int_equal(f.texel_class[0], DXG_TEXEL_FLOAT);
	assert_int_equal(f.texel_class[1], DXG_TEXEL_FLOAT);
	assert_int_equal(f.texel_class[3], DXG_TEXEL_INT);
	assert_true(f.read_only & (1u << 0 | 1u << 1 | 1u << 3));
	assert_int_equal(eng->ops->create_pipeline(eng, &p, &id), 0);
	d.pipeline = id;
	memcpy(d.push, push, sizeof(push));
	for (uint32_t i = 0; i < 3; i++) {
		uint32_t slot = i == 0 ? 0 : i == 1 ? 1 : 3;

		d.bindings[slot] = (struct dxg_engine_binding) { .binding = slot, .dev = m,
			.dev_offset = off[i], .size = size[i], .format = fmt[i],
			.width = W, .height = H, .read_only = 1 };
	}
	d.bindings[0].sampler = nearest;
	d.bindings[2] = (struct dxg_engine_binding) { .binding = 2, .sampler = linear };
	d.bindings[4] = (struct dxg_engine_binding) { .binding = 4, .sampler = nearest };
	d.bindings[5] = (struct dxg_engine_binding) { .binding = 5,
		.host = (void *)out, .size = 16 * W * H };
	/* The first imports the output buffer (kept); the second makes only its own. */
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	objs = atomic_load(&dev->objects);
	memset((void *)out, 0, 16 * W * H);
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(atomic_load(&dev->objects), objs);	/* images, views, samplers gone */
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			const float *o = out + 4 * (y * W + x);
			uint32_t x1 = x + 1 < W ? x + 1 : x;	/* clamped to the edge */
			float mean = (float)(x + x1 + y * 100);

			assert_float_equal(o[0], (float)(uint8_t)(x * 13 + y) / 255.0f, 1e-6);
			assert_float_equal(o[1], (float)(uint8_t)(y * 7) / 255.0f, 1e-6);
			assert_float_equal(o[2], mean, 0.01 * (1 + mean / 100));
			assert_float_equal(o[3], (float)(x * y + 5), 0);
		}

	/* A sampled image's view maps components: r from a, a zero. */
	d.bindings[0].swizzle[0] = VK_COMPONENT_SWIZZLE_A;
	d.bindings[0].swizzle[3] = VK_COMPONENT_SWIZZLE_ZERO;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_float_equal(out[4 * (3 * W + 2)], (float)(uint8_t)(3 * 7) / 255.0f, 1e-6);
	assert_float_equal(out[4 * (3 * W + 2) + 1], 0.0f, 0);
	d.bindings[0].swizzle[3] = VK_COMPONENT_SWIZZLE_A + 1;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	memset(d.bindings[0].swizzle, 0, 4);
	/* Not on a sampler or a buffer. */
	d.bindings[4].swizzle[1] = VK_COMPONENT_SWIZZLE_R;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[4].swizzle[1] = 0;
	d.bindings[5].swizzle[1] = VK_COMPONENT_SWIZZLE_R;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[5].swizzle[1] = 0;

	/* Sampler states the device cannot make, or Vulkan forbids. */
#define BAD_SAMPLER(slot, field, value, want) do {				\
		bad = d.bindings[slot].sampler;					\
		bad.field = value;						\
		d.bindings[slot].sampler = bad;					\
		st = eng->ops->dispatch(eng, &d);				\
		d.bindings[slot].sampler = (slot) == 2 ? linear : nearest;	\
		assert_int_equal(st, want);					\
	} while (0)
	BAD_SAMPLER(2, mag_filter, 2, STATUS_INVALID_PARAMETER);	/* cubic */
	BAD_SAMPLER(0, mipmap_mode, 2, STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, address_mode[1], 5, STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, border_color, 6, STATUS_INVALID_PARAMETER);	/* custom */
	BAD_SAMPLER(4, flags, 8, STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, reserved[2], 1, STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, reserved2, 1, STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, compare_op, VK_COMPARE_OP_LESS, STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, max_anisotropy, float_bits(2.0f), STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, mip_lod_bias, float_bits(NAN), STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, mip_lod_bias, float_bits(dev->limits.max_sampler_lod_bias * 2),
		    STATUS_INVALID_PARAMETER);
	BAD_SAMPLER(4, min_lod, float_bits(1.0f), STATUS_INVALID_PARAMETER);	/* > max */
	BAD_SAMPLER(4, max_lod, float_bits(INFINITY), STATUS_INVALID_PARAMETER);
	/* A negative LOD range is Vulkan's too (a bias may reach it). */
	bad = nearest;
	bad.min_lod = float_bits(-2.0f);
	d.bindings[4].sampler = bad;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	d.bindings[4].sampler = nearest;
	/* Depth comparison needs a depth format: none is offered. */
	bad = nearest;
	bad.flags = DXG_SAMPLER_COMPARE;
	bad.compare_op = VK_COMPARE_OP_LESS;
	d.bindings[4].sampler = bad;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	/* Unnormalized coordinates: with nearest, clamped, one level only. */
	bad = nearest;
	bad.flags = DXG_SAMPLER_UNNORMALIZED;
	d.bindings[4].sampler = bad;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	bad.address_mode[0] = VK_SAMPLER_ADDRESS_MODE_REPEAT;
	d.bindings[4].sampler = bad;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	bad.address_mode[0] = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER;
	bad.mipmap_mode = VK_SAMPLER_MIPMAP_MODE_LINEAR;
	d.bindings[4].sampler = bad;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[4].sampler = nearest;
	/* Anisotropy: within the device's limit, only where it is enabled. */
	bad = linear;
	bad.flags = DXG_SAMPLER_ANISOTROPY;
	bad.max_anisotropy = float_bits(dev->limits.max_sampler_anisotropy + 1);
	d.bindings[2].sampler = bad;
	st = eng->ops->dispatch(eng, &d);
	assert_int_equal(st, dev->limits.sampler_anisotropy ? STATUS_INVALID_PARAMETER :
			 STATUS_NOT_SUPPORTED);
	bad.max_anisotropy = float_bits(1.0f);
	d.bindings[2].sampler = bad;
	assert_int_equal(eng->ops->dispatch(eng, &d),
			 dev->limits.sampler_anisotropy ? 0 : STATUS_NOT_SUPPORTED);
	d.bindings[2].sampler = linear;
	/* A sampler on a slot without one; memory on a sampler slot. */
	d.bindings[1].sampler = nearest;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[1].sampler = (struct dxg_cmd_sampler) { 0 };
	d.bindings[5].sampler.mag_filter = VK_FILTER_LINEAR;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[5].sampler.mag_filter = 0;
	d.bindings[4].host = (void *)out;
	d.bindings[4].size = 16;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[4].host = NULL;
	d.bindings[4].size = 0;
	/* An image without memory; of the other class; without the sampled feature. */
	d.bindings[1].size = 0;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[1].size = size[1];
	d.bindings[3].format = VK_FORMAT_R32_SFLOAT;	/* utexture2D */
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	d.bindings[3].format = VK_FORMAT_R32_UINT;
	dev->image_caps[fmt[2]].features &= ~VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	dev->image_caps[fmt[2]].features |= VK_FORMAT_FEATURE_SAMPLED_IMAGE_BIT;
	/* A combined image sampler's linear filter needs the format's. */
	d.bindings[0].sampler = linear;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	dev->image_caps[fmt[0]].features &= ~VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_NOT_SUPPORTED);
	dev->image_caps[fmt[0]].features |= VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT;
	d.bindings[0].sampler = nearest;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(atomic_load(&dev->objects), objs);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);

	/* The layout must say what the shader declares. */
	p.slots[0].type = DXG_SLOT_SAMPLED_IMAGE;	/* a combined image sampler */
	assert_int_equal(eng->ops->create_pipeline(eng, &p, &id), STATUS_INVALID_PARAMETER);
	p.slots[0].type = DXG_SLOT_COMBINED_IMAGE_SAMPLER;
	p.slots[2].type = DXG_SLOT_SAMPLED_IMAGE;	/* a sampler */
	assert_int_equal(eng->ops->create_pipeline(eng, &p, &id), STATUS_INVALID_PARAMETER);
	p.slots[2].type = DXG_SLOT_SAMPLER;
	p.slots[1].type = DXG_SLOT_STORAGE_IMAGE;	/* sampled */
	assert_int_equal(eng->ops->create_pipeline(eng, &p, &id), STATUS_INVALID_PARAMETER);
	dxg_vk_devmem_free(dev, m);
}

/*
 * Where the protocol puts each level (and slice) of a view of @levels
 * levels from a @w x @h x @depth first level in a range (command-stream.md
 * "Image views"): off[l], slice[l] (bytes between slices), pitch[l]; the
 * span of one layer is returned.
 */
static uint64_t view_layout(uint32_t w, uint32_t h, uint32_t depth, uint32_t levels,
			    uint64_t align, uint64_t *off, uint64_t *slice, uint64_t *pitch)
{
	uint64_t span = 0;

	for (uint32_t l = 0; l < levels; l++) {
		uint64_t size, al;
		uint32_t lw = w >> l ? w >> l : 1, lh = h >> l ? h >> l : 1;
		uint32_t ld = depth >> l ? depth >> l : 1;

		assert_int_equal(eng->ops->image_layout(eng, VK_FORMAT_R32_UINT, lw, lh, &size,
							&al, &pitch[l]), 0);
		assert_true(al <= align);
		slice[l] = (((size + 15) & ~15ull) + align - 1) & ~(align - 1);
		off[l] = span;
		span += ld * slice[l];
	}
	return span;
}

/* @n rows of @row bytes, @pitch apart in @m at @at, into @dst (packed). */
static void download_rows(struct dxg_vk_devmem *m, uint64_t at, uint64_t pitch, uint8_t *dst,
			  uint64_t row, uint32_t n)
{
	for (uint32_t y = 0; y < n; y++) {
		struct dxg_engine_xfer t = { .op = DXG_XFER_COPY, .size = row,
			.src = { .dev = m, .dev_offset = at + y * pitch },
			.dst = { .host = dst + y * row } };

		assert_int_equal(eng->ops->xfer(eng, &t), 0);
	}
}

/*
 * Views of several layers, slices and levels (DISPATCH5): a 2D array and a
 * 3D storage image, each subresource a linear image in device memory as
 * the protocol lays it out, rewritten in place by one kernel; level 1 of a
 * two-level sampled image fetched.  The staged images are gone after each
 * dispatch; shapes that do not fit are refused.
 */
static void test_image_views(void **state)
{
	enum { W = 9, H = 5, L = 3, D = 4, C = 4, NS = 5 };
	const uint64_t A = 256;
	const uint8_t type[NS] = { DXG_SLOT_STORAGE_IMAGE, DXG_SLOT_STORAGE_IMAGE,
				   DXG_SLOT_COMBINED_IMAGE_SAMPLER, DXG_SLOT_STORAGE_BUFFER,
				   DXG_SLOT_COMBINED_IMAGE_SAMPLER };
	struct dxg_engine_pipeline p = {
		.spirv = views_spv, .spirv_size = sizeof(views_spv), .entry = "main",
		.num_slots = NS, .push_size = 16,
	};
	struct dxg_engine_dispatch d = { .groups = { (W + 3) / 4, (H + 3) / 4, 1 },
					 .push_size = 16, .num_bindings = NS };
	const uint32_t push[4] = { W, H, L, D };
	uint64_t aoff[1], aslice[1], apitch[1], voff[1], vslice[1], vpitch[1];
	uint64_t moff[2], mslice[2], mpitch[2], coff[1], cslice[1], cpitch[1];
	uint64_t aspan, vspan, mspan, cspan, base[4];
	struct dxg_vk_devmem *m = NULL;
	uint32_t *row = (uint32_t *)(io + 65536), *out = (uint32_t *)(io + 2 * 65536);
	struct dxg_engine_dispatch bad;
	uint64_t id = 0;
	long objs;

	(void)state;
	aspan = view_layout(W, H, 1, 1, A, aoff, aslice, apitch);
	vspan = view_layout(W, H, D, 1, A, voff, vslice, vpitch);
	mspan = view_layout(W, H, 1, 2, A, moff, mslice, mpitch);
	cspan = view_layout(C, C, 1, 1, A, coff, cslice, cpitch);
	base[0] = 0;
	base[1] = base[0] + L * aspan;
	base[2] = base[1] + vspan;
	base[3] = base[2] + mspan;
	assert_int_equal(dxg_vk_devmem_alloc(dev, base[3] + 6 * cspan, &m), 0);
	/* arr: layer k (k, y, x); vol: slice z (z, y, x) + 7; mips: level l (l, y, x). */
	for (uint32_t k = 0; k < L; k++) {
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++)
				row[y * apitch[0] / 4 + x] = k * 1000 + y * 10 + x;
		upload_rows(m, base[0] + k * aspan, apitch[0], (uint8_t *)row, 4 * W, H);
	}
	for (uint32_t z = 0; z < D; z++) {
		for (uint32_t y = 0; y < H; y++)
			for (uint32_t x = 0; x < W; x++)
				row[y * vpitch[0] / 4 + x] = z * 1000 + y * 10 + x + 7;
		upload_rows(m, base[1] + z * vslice[0], vpitch[0], (uint8_t *)row, 4 * W, H);
	}
	for (uint32_t l = 0; l < 2; l++) {
		uint32_t lw = W >> l, lh = H >> l;

		for (uint32_t y = 0; y < lh; y++)
			for (uint32_t x = 0; x < lw; x++)
				row[y * mpitch[l] / 4 + x] = 50000 * (l + 1) + y * 10 + x;
		upload_rows(m, base[2] + moff[l], mpitch[l], (uint8_t *)row, 4 * lw, lh);
	}
	/* cube: face f all 7000 + f. */
	for (uint32_t f = 0; f < 6; f++) {
		for (uint32_t y = 0; y < C; y++)
			for (uint32_t x = 0; x < C; x++)
				row[y * cpitch[0] / 4 + x] = 7000 + f;
		upload_rows(m, base[3] + f * cspan, cpitch[0], (uint8_t *)row, 4 * C, C);
	}

	for (uint32_t i = 0; i < NS; i++)
		p.slots[i] = (struct dxg_engine_slot) { 0, i, type[i], 0 };
	assert_int_equal(eng->ops->create_pipeline(eng, &p, &id), 0);
	d.pipeline = id;
	memcpy(d.push, push, sizeof(push));
	d.bindings[0] = (struct dxg_engine_binding) { .binding = 0, .dev = m,
		.dev_offset = base[0], .size = L * aspan, .format = VK_FORMAT_R32_UINT,
		.width = W, .height = H, .view_type = DXG_VIEW_2D_ARRAY, .levels = 1,
		.layers = L, .depth = 1, .align = A, .layer_stride = aspan };
	d.bindings[1] = (struct dxg_engine_binding) { .binding = 1, .dev = m,
		.dev_offset = base[1], .size = vspan, .format = VK_FORMAT_R32_UINT,
		.width = W, .height = H, .view_type = DXG_VIEW_3D, .levels = 1,
		.layers = 1, .depth = D, .align = A };
	d.bindings[2] = (struct dxg_engine_binding) { .binding = 2, .dev = m,
		.dev_offset = base[2], .size = mspan, .format = VK_FORMAT_R32_UINT,
		.width = W, .height = H, .view_type = DXG_VIEW_2D, .levels = 2,
		.layers = 1, .depth = 1, .align = A, .read_only = 1 };
	d.bindings[3] = (struct dxg_engine_binding) { .binding = 3, .host = out,
		.size = 4 * (W * H + 6) };
	d.bindings[4] = (struct dxg_engine_binding) { .binding = 4, .dev = m,
		.dev_offset = base[3], .size = 6 * cspan, .format = VK_FORMAT_R32_UINT,
		.width = C, .height = C, .view_type = DXG_VIEW_CUBE, .levels = 1,
		.layers = 6, .depth = 1, .align = A, .layer_stride = cspan, .read_only = 1 };
	memset(out, 0, 4 * (W * H + 6));
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	objs = atomic_load(&dev->objects);
	for (uint32_t f = 0; f < 6; f++)		/* each face at its centre */
		assert_int_equal(out[W * H + f], 7000 + f);
	for (uint32_t k = 0; k < L; k++) {
		download_rows(m, base[0] + k * aspan, apitch[0], (uint8_t *)row, 4 * W, H);
		for (uint32_t i = 0; i < W * H; i++)
			assert_int_equal(row[i], (k * 1000 + i / W * 10 + i % W) * 2 + k);
	}
	for (uint32_t z = 0; z < D; z++) {
		download_rows(m, base[1] + z * vslice[0], vpitch[0], (uint8_t *)row, 4 * W, H);
		for (uint32_t i = 0; i < W * H; i++)
			assert_int_equal(row[i], z * 1000 + i / W * 10 + i % W + 7 + 100 * z);
	}
	for (uint32_t i = 0; i < W * H; i++) {
		uint32_t x = i % W / 2 < 4 ? i % W / 2 : 3, y = i / W / 2 < 2 ? i / W / 2 : 1;

		assert_int_equal(out[i], 100000 + y * 10 + x);
	}

	/* Shapes refused: each a copy of the good dispatch with one thing wrong. */
	bad = d;
	bad.bindings[0].view_type = DXG_VIEW_2D;	/* the shader's is arrayed */
	bad.bindings[0].layers = 1;
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[0].levels = 2;			/* storage: one level */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[0].layer_stride = aspan - A;	/* layers overlap */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[0].size = L * aspan - 4;		/* the range is short */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[1].dev_offset += 16;		/* not at the alignment */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[1].layers = 2;			/* a 3D view has no layers */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[2].levels = 5;			/* more than 9x5 has */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[2].align = 8;			/* below the level's own */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[4].layers = 5;			/* a cube has six */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[4].height = C - 1;			/* and is square */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[3].levels = 1;			/* a buffer has no view */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	/* Every staged image, view and memory is gone after each dispatch. */
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(atomic_load(&dev->objects), objs);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
	dxg_vk_devmem_free(dev, m);
}

/* Device memory: zeroed, filled and read back by transfers, bound to kernels. */
/* The address kernel (shaders/bda.comp) over n words at @addr. */
static int32_t run_bda(uint64_t id, uint64_t addr, uint32_t n)
{
	struct dxg_engine_dispatch d = { .pipeline = id, .groups = { (n + 63) / 64, 1, 1 },
					 .push_size = 16 };

	memcpy(d.push, &addr, 8);
	memcpy(d.push + 8, &n, 4);
	return eng->ops->dispatch(eng, &d);
}

/*
 * The kept (device-address) imports: many ranges kept in any order are
 * found by bisection for dispatch bindings and asked again without a new
 * import; two allocations sharing a page each have an import of their own,
 * so freeing one leaves the other's; freeing drops only what overlaps.
 */
static void test_kept_imports(void **state)
{
	const uint32_t n = 200;
	uint8_t *base = io + (32u << 20);
	struct dxg_vk_import_cache c;
	uint64_t addr[200], a, off, imports;
	VkBuffer buf;

	(void)state;
	dxg_vk_cache_init(&c, dev);
	for (uint32_t i = n; i-- > 0;)		/* descending: sorted on insert */
		assert_int_equal(dxg_vk_cache_keep(&c, base + i * 8192u,
						   4096 + (i % 7) * 16, &addr[i]), 0);
	assert_int_equal(c.kept.n, n);
	for (uint32_t i = 1; i < c.kept.n; i++)
		assert_true(c.kept.e[i - 1].start < c.kept.e[i].start);
	imports = c.imports;
	for (uint32_t i = 0; i < n; i++) {
		struct dxg_vk_kept *k = dxg_vk_kept_find(&c.kept,
							 (uintptr_t)base + i * 8192u + 8,
							 (uintptr_t)base + i * 8192u + 24);

		assert_non_null(k);
		dxg_vk_cache_begin(&c);
		assert_int_equal(dxg_vk_cache_lookup(&c, base + i * 8192u + 8, 16,
						     &buf, &off), 0);
		assert_true(buf == k->buf);
		assert_int_equal(off, 8);
		assert_int_equal(dxg_vk_cache_keep(&c, base + i * 8192u, 64, &a), 0);
		assert_int_equal(a, addr[i]);
	}
	assert_int_equal(c.imports, imports);	/* all served by the kept set */
	/* Between two kept ranges: not theirs. */
	assert_null(dxg_vk_kept_find(&c.kept, (uintptr_t)base + 4096 + 200,
				     (uintptr_t)base + 4096 + 300));

	/* Two allocations in one page: an import each, freed one by one. */
	uint8_t *pg = io + (48u << 20);
	uint64_t a1, a2;

	assert_int_equal(dxg_vk_cache_keep(&c, pg, 2048, &a1), 0);
	assert_int_equal(dxg_vk_cache_keep(&c, pg + 2048, 2048, &a2), 0);
	assert_int_equal(c.imports, imports + 2);
	assert_int_equal(c.kept.n, n + 2);
	assert_int_equal(dxg_vk_cache_invalidate(&c, pg, 2048), 1);
	assert_int_equal(c.kept.n, n + 1);
	assert_int_equal(dxg_vk_cache_keep(&c, pg + 2048, 2048, &a), 0);
	assert_int_equal(a, a2);		/* the neighbour's stays */
	assert_int_equal(c.imports, imports + 2);

	/* Freeing part of the kept ranges drops exactly those. */
	assert_int_equal(dxg_vk_cache_invalidate(&c, base + 10 * 8192u + 100, 8192),
			 2);			/* ranges 10 and 11 */
	assert_null(dxg_vk_kept_find(&c.kept, (uintptr_t)base + 10 * 8192u,
				     (uintptr_t)base + 10 * 8192u + 4));
	assert_non_null(dxg_vk_kept_find(&c.kept, (uintptr_t)base + 12 * 8192u,
					 (uintptr_t)base + 12 * 8192u + 4));
	assert_non_null(dxg_vk_kept_find(&c.kept, (uintptr_t)base + 9 * 8192u,
					 (uintptr_t)base + 9 * 8192u + 4));
	assert_int_equal(c.kept.n, n - 1);
	assert_int_equal(dxg_vk_cache_invalidate(&c, io, IO_SIZE), n - 1);
	assert_int_equal(c.kept.n, 0);
	dxg_vk_cache_fini(&c);
}

/*
 * Buffer device addresses: host memory stays imported while its address
 * may be used (whatever the import cache evicts), until its owner forgets
 * it; device memory has its own; a kernel reaches both by address.  A
 * device opened without them refuses such kernels.
 */
static void test_device_address(void **state)
{
	const uint32_t n = 4096;
	struct dxg_engine_mem m = { .host = io + (8u << 20) };
	uint32_t *w = (uint32_t *)m.host;
	uint64_t id = pipeline(bda_spv, sizeof(bda_spv), 0, 16), a, a2, i0, i1, h;
	uint64_t push = pipeline(push_spv, sizeof(push_spv), 1, 128);
	struct dxg_vk_devmem *dm = NULL;
	struct dxg_engine_xfer t = { .op = DXG_XFER_COPY, .size = n * 4 };
	struct dxg_vk_device *plain = NULL;
	struct dxg_engine *pe;
	char err[256];
	uint64_t pid = 0;

	(void)state;
	assert_true(dev->device_address);	/* lavapipe has it */
	assert_int_equal(eng->ops->address(eng, &m, n * 4, &a), 0);
	assert_int_not_equal(a, 0);
	dxg_engine_vulkan_stats(eng, &i0, &h);
	assert_int_equal(eng->ops->address(eng, &m, n * 4, &a2), 0);
	assert_int_equal(a2, a);
	dxg_engine_vulkan_stats(eng, &i1, &h);
	assert_int_equal(i1, i0);		/* kept: not imported again */
	memset(w, 0, n * 4);
	assert_int_equal(run_bda(id, a, n), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(w[i], 2 * i + 1);
	/* More ranges than the cache holds: the kept import stays. */
	for (uint32_t i = 0; i < DXG_VK_IMPORT_CACHE_SIZE + 6; i++) {
		struct dxg_engine_dispatch d = { .pipeline = push, .groups = { 1, 1, 1 },
						 .push_size = 4 };

		bind(&d, 0, io + (16u << 20) + (uint64_t)i * 65536, 128);
		assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	}
	memset(w, 0, n * 4);
	assert_int_equal(run_bda(id, a, n), 0);
	assert_int_equal(w[n - 1], 2 * (n - 1) + 1);
	dxg_engine_vulkan_stats(eng, &i0, &h);
	assert_int_equal(eng->ops->address(eng, &m, n * 4, &a2), 0);
	dxg_engine_vulkan_stats(eng, &i1, &h);
	assert_int_equal(i1, i0);
	/* Its owner frees it: the import goes; a new address imports anew. */
	eng->ops->forget(eng, m.host, n * 4);
	assert_int_equal(eng->ops->address(eng, &m, n * 4, &a2), 0);
	dxg_engine_vulkan_stats(eng, &i0, &h);
	assert_int_equal(i0, i1 + 1);
	/* Device memory: its buffer's address, plus the offset asked for. */
	assert_int_equal(dxg_vk_devmem_alloc(dev, n * 8, &dm), 0);
	m = (struct dxg_engine_mem) { .dev = dm, .dev_offset = n * 4 };
	assert_int_equal(eng->ops->address(eng, &m, n * 4, &a), 0);
	assert_int_equal(a, dm->address + n * 4);
	m.dev_offset = n * 8;
	assert_int_equal(eng->ops->address(eng, &m, 4, &a2), STATUS_INVALID_PARAMETER);
	assert_int_equal(run_bda(id, a, n), 0);
	t.src.dev = dm;
	t.src.dev_offset = n * 4;
	t.dst.host = w;
	memset(w, 0, n * 4);
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	assert_int_equal(w[0], 1);
	assert_int_equal(w[n - 1], 2 * (n - 1) + 1);
	eng->ops->forget(eng, io, IO_SIZE);
	dxg_vk_devmem_free(dev, dm);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
	assert_int_equal(eng->ops->destroy_pipeline(eng, push), 0);

	/* Without device addresses: no address, and no such kernel. */
	assert_int_equal(dxg_vk_device_open(NULL, 0, &plain, err, sizeof(err)), 0);
	assert_false(plain->device_address);
	pe = dxg_engine_vulkan_create(plain);
	assert_non_null(pe);
	m = (struct dxg_engine_mem) { .host = io };
	assert_int_equal(pe->ops->address(pe, &m, 4096, &a), STATUS_NOT_SUPPORTED);
	assert_int_equal(make_v1(pe, bda_spv, sizeof(bda_spv), "main", 0, 16, &pid),
			 STATUS_INVALID_PARAMETER);
	pe->ops->destroy(pe);
	dxg_vk_device_close(plain);
}

static void test_device_memory(void **state)
{
	struct dxg_vk_devmem *m = NULL;
	const uint32_t n = 1024;
	float *x = (float *)(io + 16384), *y = (float *)(io + 32768);
	float *ref = malloc(n * sizeof(float));
	struct { uint32_t n; float a; } pc = { n, 2.5f };
	struct dxg_engine_xfer t = { .size = n * sizeof(float) };
	struct dxg_engine_dispatch d = { .groups = { (n + 63) / 64, 1, 1 },
					 .push_size = sizeof(pc) };
	uint64_t id = pipeline(saxpy_spv, sizeof(saxpy_spv), 2, 8), ts = 0;
	const uint32_t word = 0xfeedf00d;

	(void)state;
	assert_non_null(ref);
	assert_int_equal(dxg_vk_devmem_alloc(dev, 2 * n * sizeof(float), &m), 0);
	/* It starts zeroed: nothing of an earlier owner shows. */
	memset(y, 0xee, n * sizeof(float));
	t.op = DXG_XFER_COPY;
	t.src.dev = m;
	t.dst.host = y;
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_true(y[i] == 0.0f);
	for (uint32_t i = 0; i < n; i++) {
		x[i] = (float)i * 0.5f;
		y[i] = ref[i] = (float)(n - i);
	}
	cpu_saxpy(ref, x, pc.a, n);
	/* Host -> device, both halves. */
	t.src = (struct dxg_engine_mem) { .host = x };
	t.dst = (struct dxg_engine_mem) { .dev = m, .dev_offset = 0 };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	t.src = (struct dxg_engine_mem) { .host = y };
	t.dst.dev_offset = n * sizeof(float);
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	memset(y, 0, n * sizeof(float));
	/* The kernel on device memory only. */
	d.pipeline = id;
	memcpy(d.push, &pc, sizeof(pc));
	d.num_bindings = 2;
	d.bindings[0] = (struct dxg_engine_binding) { .binding = 0, .dev = m,
		.dev_offset = 0, .size = n * sizeof(float) };
	d.bindings[1] = (struct dxg_engine_binding) { .binding = 1, .dev = m,
		.dev_offset = n * sizeof(float), .size = n * sizeof(float) };
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	/* Device -> host. */
	t.src = (struct dxg_engine_mem) { .dev = m, .dev_offset = n * sizeof(float) };
	t.dst = (struct dxg_engine_mem) { .host = y };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	assert_memory_equal(y, ref, n * sizeof(float));
	/* Fill, update and a timestamp into device memory, read back. */
	t = (struct dxg_engine_xfer) { .op = DXG_XFER_FILL, .size = 64, .pattern = 0x01020304,
				       .dst = { .dev = m } };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	t = (struct dxg_engine_xfer) { .op = DXG_XFER_UPDATE, .size = 4, .data = &word,
				       .dst = { .dev = m, .dev_offset = 4 } };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	t = (struct dxg_engine_xfer) { .op = DXG_XFER_TIMESTAMP, .size = 8,
				       .dst = { .dev = m, .dev_offset = 8 } };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	t = (struct dxg_engine_xfer) { .op = DXG_XFER_COPY, .size = 64,
				       .src = { .dev = m }, .dst = { .host = y } };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	assert_int_equal(((uint32_t *)y)[0], 0x01020304);
	assert_int_equal(((uint32_t *)y)[1], word);
	memcpy(&ts, (uint8_t *)y + 8, 8);
	assert_true(ts != 0);
	assert_int_equal(((uint32_t *)y)[15], 0x01020304);
	/* Out of the memory's bounds, a misaligned update: refused. */
	t.src.dev_offset = 2 * n * sizeof(float) - 32;
	assert_int_equal(eng->ops->xfer(eng, &t), STATUS_INVALID_PARAMETER);
	t = (struct dxg_engine_xfer) { .op = DXG_XFER_UPDATE, .size = 6, .data = &word,
				       .dst = { .dev = m } };
	assert_int_equal(eng->ops->xfer(eng, &t), STATUS_INVALID_PARAMETER);
	eng->ops->destroy_pipeline(eng, id);
	dxg_vk_devmem_free(dev, m);
	free(ref);
}

/*
 * Indirect dispatch: the counts are read when the dispatch runs, from host
 * or device memory, checked as given ones are; a 0 count dispatches nothing.
 */
static void test_indirect_dispatch(void **state)
{
	uint64_t id = pipeline(push_spv, sizeof(push_spv), 1, 128);
	struct dxg_engine_dispatch d = { .pipeline = id, .push_size = 128 };
	uint32_t *out = (uint32_t *)io, *host_counts = (uint32_t *)(io + 8192);
	struct dxg_vk_devmem *m = NULL;
	uint32_t counts[3] = { 1, 1, 1 };
	struct dxg_engine_xfer t = { .op = DXG_XFER_UPDATE, .size = sizeof(counts),
				     .data = counts };

	(void)state;
	for (uint32_t i = 0; i < 32; i++)
		memcpy(d.push + 4 * i, &(uint32_t){ 0xabc00000u + i }, 4);
	bind(&d, 0, out, 128);
	assert_int_equal(dxg_vk_devmem_alloc(dev, 4096, &m), 0);
	t.dst = (struct dxg_engine_mem) { .dev = m, .dev_offset = 16 };
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	/* From device memory. */
	d.indirect = (struct dxg_engine_mem) { .dev = m, .dev_offset = 16 };
	memset(out, 0, 128);
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(out[31], 0xabc0001fu);
	/* A 0 count: nothing runs, no error. */
	counts[0] = 0;
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	memset(out, 0, 128);
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(out[0], 0);
	/* Beyond the device's limit: refused, as a given count is. */
	counts[0] = dev->limits.max_group_count[0] + 1;
	assert_int_equal(eng->ops->xfer(eng, &t), 0);
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	/* Outside the memory: refused. */
	d.indirect.dev_offset = 4096 - 8;
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_PARAMETER);
	/* From host memory, read at run time. */
	d.indirect = (struct dxg_engine_mem) { .host = host_counts };
	host_counts[0] = host_counts[1] = host_counts[2] = 1;
	memset(out, 0, 128);
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(out[0], 0xabc00000u);
	eng->ops->forget(eng, io, IO_SIZE);
	dxg_vk_devmem_free(dev, m);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
}

/*
 * Pipelines are shared by content between a device's engines: the same
 * module, layout and constants build once; another constant is another
 * pipeline; released ones stay for a while (bounded), then go.
 */
static void test_pipeline_sharing(void **state)
{
	struct dxg_engine *e2 = dxg_engine_vulkan_create(dev);
	struct dxg_vk_pcache *c = &dev->pcache;
	uint64_t a, b, x, builds, hits;
	long objs;

	(void)state;
	assert_non_null(e2);
	/* (Earlier tests may have left this one in the cache already.) */
	assert_int_equal(make_v1(eng, saxpy_spv, sizeof(saxpy_spv), "main", 2, 8, &a), 0);
	objs = atomic_load(&dev->objects);
	builds = c->builds;
	hits = c->hits;
	assert_int_equal(make_v1(e2, saxpy_spv, sizeof(saxpy_spv), "main", 2, 8, &b), 0);
	assert_int_equal(c->builds, builds);
	assert_int_equal(c->hits, hits + 1);
	assert_int_equal(atomic_load(&dev->objects), objs);	/* nothing new */
	/* Another layout (a third, unused slot): another pipeline. */
	assert_int_equal(make_v1(e2, saxpy_spv, sizeof(saxpy_spv), "main", 3, 8, &x), 0);
	assert_int_equal(c->builds, builds + 1);
	run_saxpy(a, 0, 1 << 20, 1000);
	/* One engine lets go: the other still runs it. */
	assert_int_equal(eng->ops->destroy_pipeline(eng, a), 0);
	assert_int_equal(e2->ops->destroy_pipeline(e2, x), 0);
	assert_int_equal(e2->ops->destroy_pipeline(e2, b), 0);
	/* Released, kept: made again without a build. */
	assert_true(c->idle >= 2);
	assert_int_equal(make_v1(eng, saxpy_spv, sizeof(saxpy_spv), "main", 3, 8, &a), 0);
	assert_int_equal(c->builds, builds + 1);
	assert_int_equal(eng->ops->destroy_pipeline(eng, a), 0);
	/* Many distinct ones: no more than the bound stays idle. */
	builds = c->builds;
	for (uint32_t i = 0; i < DXG_VK_PCACHE_IDLE + 8; i++) {
		struct dxg_pipeline_spec sp = { .constant_id = 1, .offset = 0, .size = 4 };
		struct dxg_engine_pipeline desc;

		/* A constant the module does not have: Vulkan ignores it. */
		dxg_engine_pipeline_v1(&desc, saxpy_spv, sizeof(saxpy_spv), "main", 2, 8);
		desc.num_spec = 1;
		desc.spec = &sp;
		desc.spec_data = &i;
		desc.spec_data_size = 4;
		assert_int_equal(eng->ops->create_pipeline(eng, &desc, &x), 0);
		assert_int_equal(eng->ops->destroy_pipeline(eng, x), 0);
	}
	assert_int_equal(c->builds, builds + DXG_VK_PCACHE_IDLE + 8);
	assert_int_equal(c->idle, DXG_VK_PCACHE_IDLE);
	/* Another VM (domain) shares nothing with this one... */
	dxg_engine_vulkan_set_domain(e2, 77);
	builds = c->builds;
	assert_int_equal(make_v1(e2, saxpy_spv, sizeof(saxpy_spv), "main", 2, 8, &b), 0);
	assert_int_equal(c->builds, builds + 1);
	assert_int_equal(e2->ops->destroy_pipeline(e2, b), 0);
	/* ... and when it goes, what was kept for it goes. */
	objs = atomic_load(&dev->objects);
	dxg_vk_pcache_drop(c, dev, 77);
	assert_true(atomic_load(&dev->objects) < objs);
	assert_int_equal(c->idle, DXG_VK_PCACHE_IDLE - 1);
	dxg_vk_pcache_drop(c, dev, 0);
	assert_int_equal(c->idle, 0);
	e2->ops->destroy(e2);
}

/* A pipeline of @spv whose layout is @n elements of (set 0, binding 0). */
static int32_t array_pipeline(const uint32_t *spv, size_t size, uint32_t n,
			      const uint32_t *elements, uint64_t *id)
{
	struct dxg_engine_pipeline desc = {
		.spirv = spv, .spirv_size = size, .entry = "main", .num_slots = n,
		.push_size = 12,
	};

	for (uint32_t i = 0; i < n; i++)
		desc.slots[i] = (struct dxg_engine_slot) {
			.set = 0, .binding = 0, .type = DXG_SLOT_STORAGE_BUFFER,
			.element = elements[i],
		};
	return eng->ops->create_pipeline(eng, &desc, id);
}

/*
 * Run-time indices into a descriptor array: in range they pick their
 * element; past the array (unsigned, or negative signed) the last one,
 * which is what the host's clamp makes of them (spirv_arrays.h): an index
 * past a descriptor array is undefined behaviour no robustness covers.
 */
static void dynamic_indices(void)
{
	const uint32_t n = 300, in_order[3] = { 0, 1, 2 };
	const struct { uint32_t which; int32_t signed_which; uint32_t plain, bumped; } cases[] = {
		{ 1, 0, 1, 0 }, { 0, 2, 0, 2 }, { 5, -1, 2, 2 }, { 0xffffffffu, 3, 2, 2 },
		{ 2, INT32_MIN, 2, 2 },
	};
	struct dxg_engine_dispatch d = { .groups = { (n + 63) / 64, 1, 1 }, .push_size = 12 };
	uint32_t *buf[3];
	uint64_t id;

	assert_int_equal(array_pipeline(array_dyn_spv, sizeof(array_dyn_spv), 3, in_order,
					&id), 0);
	d.pipeline = id;
	for (uint32_t k = 0; k < 3; k++) {
		buf[k] = (uint32_t *)(io + k * 65536);
		bind(&d, k, buf[k], n * 4);
	}
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (uint32_t k = 0; k < 3; k++)
			memset(buf[k], 0, n * 4);
		memcpy(d.push, &n, 4);
		memcpy(d.push + 4, &cases[c].which, 4);
		memcpy(d.push + 8, &cases[c].signed_which, 4);
		assert_int_equal(eng->ops->dispatch(eng, &d), 0);
		for (uint32_t k = 0; k < 3; k++)
			for (uint32_t i = 0; i < n; i += 37)
				assert_int_equal(buf[k][i],
						 (k == cases[c].plain ? i : 0) +
						 (k == cases[c].bumped ? 1000000u : 0));
	}
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
}

/*
 * Descriptor arrays: one slot per element; the shader's array as long as
 * the layout's; constant indices in bounds (an index past the array is
 * undefined behaviour no robustness covers), other indices clamped.
 */
static void test_descriptor_arrays(void **state)
{
	const uint32_t n = 1000, in_order[3] = { 0, 1, 2 }, shuffled[3] = { 2, 0, 1 };
	const uint32_t gap[3] = { 0, 1, 3 }, twice[3] = { 0, 1, 1 };
	uint32_t *a = (uint32_t *)io, *b = (uint32_t *)(io + 65536);
	uint32_t *c = (uint32_t *)(io + 131072);
	struct dxg_engine_dispatch d = { .groups = { (n + 63) / 64, 1, 1 }, .push_size = 4 };
	uint64_t id, bad;

	(void)state;
	assert_int_equal(array_pipeline(array_spv, sizeof(array_spv), 3, in_order, &id), 0);
	for (uint32_t i = 0; i < n; i++)
		a[i] = 100 + i;
	memset(b, 0, n * 4);
	memset(c, 0, n * 4);
	d.pipeline = id;
	memcpy(d.push, &n, 4);
	bind(&d, 0, a, n * 4);
	bind(&d, 1, b, n * 4);
	bind(&d, 2, c, n * 4);
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(b[i], 2 * i);
		assert_int_equal(c[i], 107 + i);
	}
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
	/* Slots may come in any order: element 2 first. */
	assert_int_equal(array_pipeline(array_spv, sizeof(array_spv), 3, shuffled, &id), 0);
	memset(b, 0, n * 4);
	bind(&d, 0, c, n * 4);		/* slot 0 is element 2 */
	bind(&d, 1, a, n * 4);
	bind(&d, 2, b, n * 4);
	d.pipeline = id;
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	assert_int_equal(b[n - 1], 2 * (n - 1));
	assert_int_equal(c[n - 1], 107 + n - 1);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
	/* The layout's array shorter or longer than the shader's, gaps, twice. */
	assert_int_equal(array_pipeline(array_spv, sizeof(array_spv), 2, in_order, &bad),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(array_pipeline(array_spv, sizeof(array_spv), 3, gap, &bad),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(array_pipeline(array_spv, sizeof(array_spv), 3, twice, &bad),
			 STATUS_INVALID_PARAMETER);
	dynamic_indices();
	eng->ops->forget(eng, io, IO_SIZE);
}

static void test_dispatch_limits(void **state)
{
	const struct dxg_vk_limits *l = &dev->limits;
	uint64_t id = pipeline(saxpy_spv, sizeof(saxpy_spv), 2, 8);
	struct dxg_engine_dispatch d = { .pipeline = id, .groups = { 1, 1, 1 },
					 .push_size = 8 };
	struct dxg_engine_dispatch bad;

	(void)state;
	bind(&d, 0, io, 256);
	bind(&d, 1, io + 4096, 256);
	assert_int_equal(eng->ops->dispatch(eng, &d), 0);
	for (int dim = 0; dim < 3; dim++) {
		bad = d;
		bad.groups[dim] = 0;
		assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
		bad.groups[dim] = l->max_group_count[dim] + 1;
		if (l->max_group_count[dim] != UINT32_MAX)
			assert_int_equal(eng->ops->dispatch(eng, &bad),
					 STATUS_INVALID_PARAMETER);
	}
	bad = d;	/* one binding beyond maxStorageBufferRange */
	bad.bindings[1].size = l->max_storage_buffer_range + 4;
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;	/* not aligned to minStorageBufferOffsetAlignment */
	bad.bindings[1].host = io + 4096 + l->min_storage_offset_alignment / 2;
	if (l->min_storage_offset_alignment > 1)
		assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;	/* binding 0 twice, binding 1 missing */
	bad.bindings[1].binding = 0;
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.num_bindings = 1;
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.num_bindings = DXG_ENGINE_MAX_BINDINGS + 1;
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.bindings[0].size = 0;
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	bad = d;
	bad.push_size = 12;	/* more than the pipeline declared */
	assert_int_equal(eng->ops->dispatch(eng, &bad), STATUS_INVALID_PARAMETER);
	/* Destroyed pipeline: an unknown id. */
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
	assert_int_equal(eng->ops->dispatch(eng, &d), STATUS_INVALID_HANDLE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), STATUS_INVALID_HANDLE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, 0), STATUS_INVALID_HANDLE);
	eng->ops->forget(eng, io, IO_SIZE);
}

static void test_copy_fill_timestamp(void **state)
{
	uint64_t t0 = 0, t1 = 0;
	uint32_t *p = (uint32_t *)io;

	(void)state;
	assert_int_equal(eng->ops->fill(eng, p, 64, 0xabcd1234u), 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(p[i], 0xabcd1234u);
	assert_int_equal(eng->ops->copy(eng, p + 64, p, 64), 0);
	assert_memory_equal(p + 64, p, 64);
	assert_int_equal(eng->ops->timestamp(eng, &t0), 0);
	assert_int_equal(eng->ops->timestamp(eng, &t1), 0);
	assert_true(t1 >= t0 && t0 > 0);
	assert_int_equal(eng->ops->flush(eng), 0);
}

static void test_timeout_loses_only_that_engine(void **state)
{
	struct dxg_engine *e2 = dxg_engine_vulkan_create(dev);
	uint64_t id, id2 = 0, t;
	struct dxg_engine_dispatch d = { .groups = { 16, 1, 1 }, .push_size = 4 };
	uint32_t iters = 200000;	/* 2e8 steps: ~0.1 s on lavapipe */

	(void)state;
	assert_non_null(e2);
	assert_int_equal(make_v1(e2, spin_spv, sizeof(spin_spv), "main", 1, 4, &id), 0);
	d.pipeline = id;
	memcpy(d.push, &iters, 4);
	bind(&d, 0, io, 256);
	dxg_engine_vulkan_set_timeout(e2, 1000);	/* 1 µs: it cannot finish */
	assert_int_equal(e2->ops->dispatch(e2, &d), STATUS_IO_TIMEOUT);
	assert_true(dxg_engine_vulkan_lost(e2));
	assert_int_equal(e2->ops->dispatch(e2, &d), STATUS_DEVICE_REMOVED);
	assert_int_equal(e2->ops->copy(e2, io, io + 64, 4), STATUS_DEVICE_REMOVED);
	assert_int_equal(e2->ops->timestamp(e2, &t), STATUS_DEVICE_REMOVED);
	assert_int_equal(e2->ops->flush(e2), STATUS_DEVICE_REMOVED);
	assert_int_equal(make_v1(e2, saxpy_spv, sizeof(saxpy_spv), "main", 2, 8, &id2),
			 STATUS_DEVICE_REMOVED);
	/* The other engine carries on. */
	assert_false(dxg_engine_vulkan_lost(eng));
	id2 = pipeline(saxpy_spv, sizeof(saxpy_spv), 2, 8);
	run_saxpy(id2, 1 << 20, 2 << 20, 1000);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id2), 0);
	eng->ops->forget(eng, io, IO_SIZE);
	/* Destroy waits for the abandoned work (within the timeout). */
	dxg_engine_vulkan_set_timeout(e2, DXG_VK_DEFAULT_TIMEOUT_NS);
	e2->ops->destroy(e2);
}

/* A shader indexing far outside its binding reaches nothing else. */
static void test_out_of_bounds_contained(void **state)
{
	uint64_t id = pipeline(oob_spv, sizeof(oob_spv), 1, 8);
	struct dxg_engine_dispatch d = { .pipeline = id, .groups = { 1, 1, 1 },
					 .push_size = 8 };
	uint32_t *page = (uint32_t *)(io + 8192), *next = page + 1024;
	const uint32_t cases[][2] = {
		{ 1000, 2000 }, { 0x3fffffff, 0x20000000 }, { 0xffffffff, 0xfffffff0 },
	};

	(void)state;
	print_message("robustBufferAccess2: %s\n", dev->robust2 ? "yes" : "no");
	bind(&d, 0, page, 64);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (uint32_t i = 0; i < 2048; i++)
			page[i] = 0x11111111u;
		memcpy(d.push, cases[c], 8);
		assert_int_equal(eng->ops->dispatch(eng, &d), 0);
		/* The next page is not part of the import: never touched. */
		for (uint32_t i = 0; i < 1024; i++)
			assert_int_equal(next[i], 0x11111111u);
		if (!dev->robust2)
			continue;
		/* robustBufferAccess2: bounded by the binding's 64 bytes. */
		assert_int_equal(page[0], 0);
		for (uint32_t i = 16; i < 1024; i++)
			assert_int_equal(page[i], 0x11111111u);
	}
	eng->ops->forget(eng, io, IO_SIZE);
	assert_int_equal(eng->ops->destroy_pipeline(eng, id), 0);
}

static void test_adapter_vulkan(void **state)
{
	struct dxg_adapters a;
	struct d3dkmt_adaptertype t;
	struct dxg_options o;
	char *argv[] = { "dxghost", "-a", "cpu", "--adapter", "vulkan:0", NULL };

	(void)state;
	dxg_adapters_init(&a, 0x1234);
	assert_int_equal(dxg_adapters_add(&a, "vulkan"), 0);
	assert_string_equal(a.list[0].kind, "vulkan");
	assert_string_equal(a.list[0].description, dev->info.name);
	assert_int_equal(a.list[0].vendor_id, dev->info.vendor_id);
	assert_int_equal(a.list[0].device_id, dev->info.device_id);
	assert_int_equal(a.list[0].vk_index, (int32_t)dev->info.index);
	assert_int_equal(a.list[0].flags, 0);	/* a render adapter */
	assert_int_equal(dxg_adapter_query(&a.list[0], KMTQAITYPE_ADAPTERTYPE, &t,
					   sizeof(t)), 0);
	assert_true(t.value & D3DKMT_ADAPTERTYPE_RENDER_SUPPORTED);
	/* lavapipe is a CPU device: a software adapter. */
	assert_true(t.value & D3DKMT_ADAPTERTYPE_SOFTWARE_DEVICE);
	assert_int_equal(dxg_adapters_add(&a, "vulkan:llvmpipe"), 0);
	assert_int_equal(dxg_adapters_add(&a, "vulkan:"), 0);
	assert_int_equal(dxg_adapters_add(&a, "vulkan:99"), -ENODEV);
	assert_int_equal(dxg_adapters_add(&a, "vulkan:no such gpu"), -ENODEV);
	assert_int_equal(dxg_adapters_add(&a, "vulkanx"), -EINVAL);
	assert_int_equal(dxg_adapters_add(&a, "cpu"), 0);
	assert_int_equal(a.list[3].vk_index, -1);
	assert_int_equal(a.count, 4);
	assert_int_equal(dxg_options_parse(&o, 5, argv, 1), DXG_OPT_RUN);
	assert_int_equal(o.adapters.count, 2);
	assert_string_equal(o.adapters.list[1].kind, "vulkan");
}

/* The host device's description for a guest Vulkan driver (dxg/vkinfo.h). */
static void vkinfo_ask(struct dxg_vkinfo *q, uint32_t what, uint32_t first)
{
	memset(q, 0xa5, sizeof(*q));	/* the answer must not depend on it */
	memset(&q->hdr, 0, sizeof(q->hdr));
	q->hdr.magic = DXG_VKINFO_MAGIC;
	q->hdr.version = DXG_VKINFO_VERSION;
	q->hdr.what = what;
	q->hdr.first = first;
}

static void test_adapter_vkinfo(void **state)
{
	struct dxg_adapter ad = { .kind = "vulkan", .vk = dev, .vk_index = 0 };
	struct dxg_adapter cpu = { .kind = "cpu", .vk_index = -1 };
	struct dxg_vkinfo *q = malloc(sizeof(*q));
	VkPhysicalDeviceProperties p;
	VkExtensionProperties *all;
	uint32_t n = 0, got = 0, i;
	bool compute = false;

	(void)state;
	assert_non_null(q);
	vkGetPhysicalDeviceProperties(dev->phys, &p);
	vkinfo_ask(q, DXG_VKINFO_DEVICE, 0);
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), 0);
	assert_int_equal(q->hdr.magic, DXG_VKINFO_MAGIC);
	assert_string_equal(q->u.device.properties.deviceName, p.deviceName);
	assert_int_equal(q->u.device.properties.apiVersion, p.apiVersion);
	assert_int_equal(q->u.device.properties.limits.maxComputeWorkGroupInvocations,
			 p.limits.maxComputeWorkGroupInvocations);
	assert_true(q->u.device.features.robustBufferAccess);
	/* lavapipe is a 1.3 device: every newer structure is there, no pointer. */
	assert_int_equal(q->u.device.properties13.sType,
			 VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_PROPERTIES);
	assert_null(q->u.device.properties13.pNext);
	assert_null(q->u.device.features11.pNext);
	assert_true(q->u.device.properties11.subgroupSize >= 1);
	assert_true(q->u.device.queue_family_count >= 1 &&
		    q->u.device.queue_family_count <= DXG_VKINFO_MAX_QUEUE_FAMILIES);
	for (i = 0; i < q->u.device.queue_family_count; i++)
		compute |= !!(q->u.device.queue_families[i].queueFlags &
			      VK_QUEUE_COMPUTE_BIT);
	assert_true(compute);
	assert_true(q->u.device.memory.memoryTypeCount >= 1);

	/* Extensions come in pages; together they are the device's list. */
	assert_int_equal(vkEnumerateDeviceExtensionProperties(dev->phys, NULL, &n,
							      NULL), VK_SUCCESS);
	all = calloc(n, sizeof(*all));
	assert_non_null(all);
	assert_int_equal(vkEnumerateDeviceExtensionProperties(dev->phys, NULL, &n,
							      all), VK_SUCCESS);
	while (got < n) {
		vkinfo_ask(q, DXG_VKINFO_EXTENSIONS, got);
		assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE,
						   q, DXG_VKINFO_SIZE), 0);
		assert_int_equal(q->hdr.total, n);
		assert_true(q->hdr.count >= 1 &&
			    q->hdr.count <= DXG_VKINFO_EXTENSIONS_PER_QUERY);
		for (i = 0; i < q->hdr.count; i++)
			assert_string_equal(q->u.extensions[i].extensionName,
					    all[got + i].extensionName);
		got += q->hdr.count;
	}
	vkinfo_ask(q, DXG_VKINFO_EXTENSIONS, n + 1000);
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), 0);
	assert_int_equal(q->hdr.count, 0);
	free(all);

	/* Texel buffer formats: the device's features, for the table's formats. */
	vkinfo_ask(q, DXG_VKINFO_FORMATS, 0);
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), 0);
	assert_int_equal(q->hdr.total, DXG_TEXEL_FORMAT_END);
	assert_int_equal(q->hdr.count, DXG_TEXEL_FORMAT_END);
	for (i = 0; i < q->hdr.count; i++) {
		VkFormatProperties fp;

		vkGetPhysicalDeviceFormatProperties(dev->phys, i, &fp);
		assert_int_equal(q->u.formats[i].buffer_features,
				 dxg_texel_format(i).size ?
				 fp.bufferFeatures & DXG_TEXEL_BUFFER_FEATURES : 0);
	}
	assert_true(q->u.formats[VK_FORMAT_R32_SFLOAT].buffer_features &
		    VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT);
	vkinfo_ask(q, DXG_VKINFO_FORMATS, 90);
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), 0);
	assert_int_equal(q->hdr.count, DXG_TEXEL_FORMAT_END - 90);
	assert_int_equal(q->u.formats[VK_FORMAT_R32_UINT - 90].buffer_features,
			 dev->texel_features[VK_FORMAT_R32_UINT]);
	vkinfo_ask(q, DXG_VKINFO_FORMATS, DXG_TEXEL_FORMAT_END);
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), 0);
	assert_int_equal(q->hdr.count, 0);

	/* What a guest may send wrong. */
	vkinfo_ask(q, DXG_VKINFO_DEVICE, 0);
	q->hdr.magic++;
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), STATUS_INVALID_PARAMETER);
	vkinfo_ask(q, DXG_VKINFO_DEVICE, 0);
	q->hdr.version = DXG_VKINFO_VERSION + 1;
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), STATUS_INVALID_PARAMETER);
	vkinfo_ask(q, 99, 0);
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), STATUS_INVALID_PARAMETER);
	vkinfo_ask(q, DXG_VKINFO_DEVICE, 0);
	assert_int_equal(dxg_adapter_query(&ad, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE - 1), STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(dxg_adapter_query(&cpu, KMTQAITYPE_UMDRIVERPRIVATE, q,
					   DXG_VKINFO_SIZE), STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_adapter_query(&cpu, KMTQAITYPE_UMDRIVERPRIVATE, q, 64),
			 STATUS_NOT_SUPPORTED);
	free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device_default_lavapipe),
		cmocka_unit_test(test_select_rules),
		cmocka_unit_test(test_status_map),
		cmocka_unit_test(test_import_alignment),
		cmocka_unit_test(test_saxpy_zero_copy),
		cmocka_unit_test(test_import_cache_invalidate),
		cmocka_unit_test(test_read_only_bindings),
		cmocka_unit_test(test_sgemm),
		cmocka_unit_test(test_reduce),
		cmocka_unit_test(test_push_constants),
		cmocka_unit_test(test_invalid_spirv),
		cmocka_unit_test(test_pipeline_layouts),
		cmocka_unit_test(test_device_memory),
		cmocka_unit_test(test_device_address),
		cmocka_unit_test(test_kept_imports),
		cmocka_unit_test(test_indirect_dispatch),
		cmocka_unit_test(test_pipeline_sharing),
		cmocka_unit_test(test_descriptor_arrays),
		cmocka_unit_test(test_texel_buffers),
		cmocka_unit_test(test_storage_images),
		cmocka_unit_test(test_sampled_images),
		cmocka_unit_test(test_image_views),
		cmocka_unit_test(test_dispatch_limits),
		cmocka_unit_test(test_copy_fill_timestamp),
		cmocka_unit_test(test_timeout_loses_only_that_engine),
		cmocka_unit_test(test_out_of_bounds_contained),
		cmocka_unit_test(test_adapter_vulkan),
		cmocka_unit_test(test_adapter_vkinfo),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
