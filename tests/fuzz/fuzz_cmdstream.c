// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the command-stream validator/executor on arbitrary
 * bytes, against a GPU VA space with a few mappings (fuzz_layout.h).  Each
 * input runs twice: on the CPU engine (copy/fill/timestamp really touch the
 * mapped blocks) and on a compute engine that touches every byte of every
 * binding it is given (and writes the writable ones), so a translation
 * that strays outside a mapping trips ASan.  The buffers are the device FZ_DEVICE's, which has a fence
 * (FZ_FENCE); version 3 inputs also run in segments, as the scheduler
 * runs them.  A read-only page must come out of every input unchanged,
 * and the zero and no-access pages have no memory to stray into.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/gpuva.h"
#include "exec/cmdstream.h"
#include "dxg/ntstatus.h"
#include "engines/engine_cpu.h"
#include "fuzz_layout.h"
#include "fuzz_seeds.h"

static struct dxg_gpuva_space *space;
static struct dxg_gpuva_view view;
static const struct dxg_va *dva;	/* the space as FZ_DEVICE sees it */
static struct dxg_engine *cpu;
/* The read-only page's memory and the pattern it must keep. */
static uint8_t *ro_page;
#define FZ_RO_BYTE	0x5a

static int32_t touch_dispatch(struct dxg_engine *e,
			      const struct dxg_engine_dispatch *d)
{
	volatile uint8_t sum = 0;
	uint32_t i;
	uint64_t j;

	(void)e;
	if (d->num_bindings > DXG_ENGINE_MAX_BINDINGS ||
	    d->push_size > DXG_ENGINE_MAX_PUSH_CONSTANTS)
		abort();
	for (i = 0; i < d->num_bindings; i++) {
		uint8_t *p = d->bindings[i].host;

		for (j = 0; j < d->bindings[i].size; j++)
			sum ^= p[j];
		/*
		 * A shader writes only what it may: a read-only binding
		 * (version 4) goes only to a slot it never writes, which the
		 * real engine checks against the SPIR-V.
		 */
		/* A sampler binding (DISPATCH4) has no memory. */
		if (!d->bindings[i].read_only && d->bindings[i].size)
			p[d->bindings[i].size - 1] = sum;
	}
	for (i = 0; i < d->push_size; i++)
		sum ^= d->push[i];
	/* Indirect counts in host memory: read now, as engines do. */
	if (d->indirect.host)
		for (j = 0; j < 3 * sizeof(uint32_t); j++)
			sum ^= ((const uint8_t *)d->indirect.host)[j];
	return STATUS_SUCCESS;
}

static int32_t fwd_copy(struct dxg_engine *e, void *dst, const void *src,
			uint64_t size)
{
	(void)e;
	return cpu->ops->copy(cpu, dst, src, size);
}

static int32_t fwd_fill(struct dxg_engine *e, void *dst, uint64_t size,
			uint32_t pattern)
{
	(void)e;
	return cpu->ops->fill(cpu, dst, size, pattern);
}

static int32_t fwd_update(struct dxg_engine *e, void *dst, const void *data,
			  uint64_t size)
{
	(void)e;
	return cpu->ops->update(cpu, dst, data, size);
}

static int32_t fwd_timestamp(struct dxg_engine *e, uint64_t *dst)
{
	(void)e;
	return cpu->ops->timestamp(cpu, dst);
}

static const struct dxg_engine_ops compute_ops = {
	.name = "fuzz-compute",
	.copy = fwd_copy,
	.update = fwd_update,
	.fill = fwd_fill,
	.timestamp = fwd_timestamp,
	.dispatch = touch_dispatch,
};
static struct dxg_engine compute = { .ops = &compute_ops };

static void setup(void)
{
	static const struct { uint64_t va, size; } maps[] = FZ_MAPPINGS;
	uint64_t va;
	unsigned int i;

	space = dxg_gpuva_create(DXG_GPUVA_BASE, DXG_GPUVA_SIZE);
	cpu = dxg_engine_cpu_create();
	if (!space || !cpu ||
	    dxg_gpuva_reserve(space, FZ_RES1, 0, 0, FZ_RES1_SIZE, 0, &va) ||
	    dxg_gpuva_reserve(space, FZ_RES2, 0, 0, FZ_RES2_SIZE, 0, &va))
		abort();
	for (i = 0; i < FZ_NUM_MAPPINGS; i++) {
		/* Never freed: they live as long as the fuzzer. */
		void *host = calloc(1, maps[i].size);

		if (!host || dxg_gpuva_map(space, maps[i].va, maps[i].size, host, i))
			abort();
	}
	/* Fence pages: FZ_DEVICE's, then another device's. */
	for (i = 0; i < 2; i++) {
		void *page = calloc(1, FZ_PG);

		if (!page ||
		    dxg_gpuva_map_fence(space, page, 1000 + i, FZ_DEVICE + i, &va) ||
		    va != (i ? FZ_FENCE_OTHER : FZ_FENCE))
			abort();
	}
	ro_page = malloc(FZ_PG);
	if (!ro_page)
		abort();
	memset(ro_page, FZ_RO_BYTE, FZ_PG);
	if (dxg_gpuva_map_prot(space, FZ_RO, FZ_PG, ro_page, 100, 0) ||
	    dxg_gpuva_map_prot(space, FZ_ZERO, FZ_PG, NULL, 0,
			       DXG_GPUVA_PROT_ZERO) ||
	    dxg_gpuva_map_prot(space, FZ_NOACCESS, FZ_PG, NULL, 0,
			       DXG_GPUVA_PROT_NO_ACCESS))
		abort();
	dva = dxg_gpuva_device_view(&view, space, FZ_DEVICE);
}

/*
 * The buffer in segments, as the scheduler runs it: the first agrees with
 * validation, each stops at a fence command or the end, at most
 * DXG_CMD_MAX_FENCES + 1 of them; after a failure the FENCE_SIGNALs left
 * are FZ_FENCE's, in order.
 */
static void segments(const uint8_t *data, size_t size, int32_t v)
{
	struct dxg_cmd_cursor cur = { 0 };
	struct dxg_cmd_fence_op op;
	uint32_t bad = 0, n;
	int32_t st;

	for (n = 0; n <= DXG_CMD_MAX_FENCES + 1; n++) {
		st = dxg_cmdstream_run_segment(data, size, dva, &compute, &cur,
					       &op, &bad);
		if (n == 0 && (st < 0) != (v < 0))
			abort();
		if (st < 0) {
			struct dxg_cmd_signal sig[DXG_CMD_MAX_FENCES];
			uint32_t k, ns;

			if (n == 0)
				return;		/* nothing ran, nothing signals */
			ns = dxg_cmdstream_signals(data, size, sig,
						   DXG_CMD_MAX_FENCES);
			for (k = 0; k < ns; k++)
				if (sig[k].op.opcode != DXG_CMD_FENCE_SIGNAL ||
				    sig[k].op.gpu_va != FZ_FENCE ||
				    (k && sig[k].index <= sig[k - 1].index))
					abort();
			return;
		}
		if (!op.opcode)
			return;
		if (op.gpu_va != FZ_FENCE)
			abort();
	}
	abort();	/* more segments than fence commands */
}

/* Protection: nothing may have written the read-only page. */
static void check_ro(void)
{
	for (uint32_t i = 0; i < FZ_PG; i++)
		if (ro_page[i] != FZ_RO_BYTE)
			abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t bad = 0;
	int32_t v, st;

	v = dxg_cmdstream_validate(data, size, dva, &compute, &bad);
	st = dxg_cmdstream_execute(data, size, dva, &compute, &bad);
	/* Validation is the first half of execution: they must agree. */
	if ((v < 0) != (st < 0))
		abort();
	st = dxg_cmdstream_execute(data, size, dva, cpu, &bad);
	if (st >= 0 && v < 0)
		abort();
	segments(data, size, v);
	check_ro();
	return 0;
}

/* ---- seeds (DXG_FUZZ_SEEDS=DIR) ---- */

struct seed {
	uint8_t b[2048];
	uint32_t len, n;
};

static void add(struct seed *s, const void *p, uint32_t n)
{
	if (s->len + n > sizeof(s->b))
		abort();
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void emit_v(struct seed *s, const char *dir, const char *name,
		   uint32_t version)
{
	struct dxg_cmdbuf_header h = { DXG_CMDBUF_MAGIC, version, s->len, s->n };
	uint32_t bad;

	memcpy(s->b, &h, sizeof(h));
	/* A seed that does not run cleanly would teach the fuzzer nothing. */
	if (dxg_cmdstream_execute(s->b, s->len, dva, &compute, &bad) < 0)
		abort();
	fz_write_seed(dir, name, s->b, s->len);
	memset(s, 0, sizeof(*s));
	s->len = sizeof(h);
}

static void emit(struct seed *s, const char *dir, const char *name)
{
	emit_v(s, dir, name, DXG_CMDBUF_VERSION);
}

static void write_seeds(const char *dir)
{
	struct seed s = { .len = sizeof(struct dxg_cmdbuf_header) };
	struct dxg_cmd_copy c = { { DXG_CMD_COPY, 0, sizeof(c) },
				  FZ_RES1 + 64, FZ_RES1 + 8 * FZ_PG, 256 };
	struct dxg_cmd_fill f = { { DXG_CMD_FILL, 0, sizeof(f) },
				  FZ_RES2, FZ_PG, 0xa5a5a5a5u, 0 };
	struct dxg_cmd_timestamp t = { { DXG_CMD_TIMESTAMP, 0, sizeof(t) },
				       FZ_RES1 + 4 * FZ_PG + 8 };
	struct dxg_cmd_header nop = { DXG_CMD_NOP, 0, 16 };
	struct dxg_cmd_header bar = { DXG_CMD_BARRIER, 0, 8 };
	struct dxg_cmd_dispatch d = {
		{ DXG_CMD_DISPATCH, 0, (uint32_t)DXG_CMD_DISPATCH_SIZE(2, 12) },
		1, { 8, 1, 1 }, 2, 12, 0 };
	struct dxg_cmd_binding b[2] = {
		{ 0, 0, FZ_RES1, 4 * FZ_PG },
		{ 1, 0, FZ_RES2 + 128, 256 },
	};
	const uint32_t push[4] = { 1, 2, 3, 0 };
	const uint64_t zero = 0;

	emit(&s, dir, "empty");
	add(&s, &c, sizeof(c)); s.n++;
	add(&s, &f, sizeof(f)); s.n++;
	add(&s, &bar, sizeof(bar)); s.n++;
	add(&s, &t, sizeof(t)); s.n++;
	add(&s, &nop, sizeof(nop)); add(&s, &zero, 8); s.n++;
	emit(&s, dir, "copy-fill-ts");
	add(&s, &d, sizeof(d));
	add(&s, b, sizeof(b));
	add(&s, push, 16);
	s.n++;
	add(&s, &bar, sizeof(bar)); s.n++;
	c.src_va = FZ_RES1 + 4 * FZ_PG - 16;	/* overlapping, at an edge */
	c.dst_va = FZ_RES1 + 4 * FZ_PG - 12;
	c.size = 12;
	add(&s, &c, sizeof(c)); s.n++;
	emit(&s, dir, "dispatch");
	{
		/* Version 2: UPDATE writes the counts DISPATCH2 reads. */
		const uint32_t groups[4] = { 2, 1, 1, 0 };
		struct dxg_cmd_update u = {
			{ DXG_CMD_UPDATE, 0, (uint32_t)DXG_CMD_UPDATE_SIZE(12) },
			FZ_RES1 + 2 * FZ_PG, 12, 0 };
		struct dxg_cmd_dispatch2 d2 = {
			.hdr = { DXG_CMD_DISPATCH2, 0,
				 (uint32_t)DXG_CMD_DISPATCH2_SIZE(2, 12) },
			.pipeline = 1, .base = { 1, 0, 0 }, .groups = { 1, 1, 1 },
			.indirect_va = FZ_RES1 + 2 * FZ_PG, .num_bindings = 2,
			.push_size = 12,
		};

		add(&s, &u, sizeof(u));
		add(&s, groups, 16);
		s.n++;
		add(&s, &bar, sizeof(bar)); s.n++;
		add(&s, &d2, sizeof(d2));
		add(&s, b, sizeof(b));
		add(&s, push, 16);
		s.n++;
		emit_v(&s, dir, "v2-update-dispatch2", DXG_CMDBUF_VERSION_2);
	}
	{
		/* Version 3: segments between fence commands; the fence read. */
		struct dxg_cmd_fence fs = { { DXG_CMD_FENCE_SIGNAL, 0, sizeof(fs) },
					    FZ_FENCE, 3, 0 };
		struct dxg_cmd_fence fw = { { DXG_CMD_FENCE_WAIT, 0, sizeof(fw) },
					    FZ_FENCE, 2, 0 };
		struct dxg_cmd_copy cf = { { DXG_CMD_COPY, 0, sizeof(cf) },
					   FZ_FENCE, FZ_RES1 + 16, 8 };

		add(&s, &f, sizeof(f)); s.n++;
		add(&s, &fw, sizeof(fw)); s.n++;
		add(&s, &cf, sizeof(cf)); s.n++;
		add(&s, &fs, sizeof(fs)); s.n++;
		add(&s, &fs, sizeof(fs)); s.n++;
		add(&s, &t, sizeof(t)); s.n++;
		emit_v(&s, dir, "v3-fences", DXG_CMDBUF_VERSION_3);
		/* Another device's fence: a fault to mutate from. */
		fw.gpu_va = FZ_FENCE_OTHER;
		add(&s, &fw, sizeof(fw)); s.n++;
		{
			struct dxg_cmdbuf_header h = { DXG_CMDBUF_MAGIC,
						       DXG_CMDBUF_VERSION_3,
						       s.len, s.n };

			memcpy(s.b, &h, sizeof(h));
		}
		fz_write_seed(dir, "v3-other-device", s.b, s.len);
		memset(&s, 0, sizeof(s));
		s.len = sizeof(struct dxg_cmdbuf_header);
	}
	{
		/*
		 * Protection: copies out of the read-only page into a
		 * writable one and into the zero page (discarded), a fill
		 * of the zero page.  Mutations then aim writes at the
		 * read-only and no-access pages.
		 */
		struct dxg_cmd_copy c2 = { { DXG_CMD_COPY, 0, sizeof(c2) },
					   FZ_RO + 8, FZ_RES1 + 16, 64 };
		struct dxg_cmd_fill f2 = { { DXG_CMD_FILL, 0, sizeof(f2) },
					   FZ_ZERO, 256, 0x11111111u, 0 };

		add(&s, &c2, sizeof(c2)); s.n++;
		c2.dst_va = FZ_ZERO + 64;
		add(&s, &c2, sizeof(c2)); s.n++;
		add(&s, &f2, sizeof(f2)); s.n++;
		emit_v(&s, dir, "protection", DXG_CMDBUF_VERSION_2);
	}
	{
		/*
		 * Version 4: read-only bindings of the fence's page and of
		 * the read-only page, beside a writable one.
		 */
		struct dxg_cmd_binding rb[3] = {
			{ 0, DXG_CMD_BINDING_READ_ONLY, FZ_FENCE, 8 },
			{ 1, DXG_CMD_BINDING_READ_ONLY, FZ_RO, 256 },
			{ 2, 0, FZ_RES1, FZ_PG },
		};

		d.hdr.size_bytes = (uint32_t)DXG_CMD_DISPATCH_SIZE(3, 12);
		d.num_bindings = 3;
		add(&s, &d, sizeof(d));
		add(&s, rb, sizeof(rb));
		add(&s, push, 16);
		s.n++;
		emit_v(&s, dir, "v4-read-only-bindings", DXG_CMDBUF_VERSION_4);
	}
	{
		/* Version 5: texel formats (R8G8B8A8_UNORM, R32_UINT) on bindings. */
		struct dxg_cmd_binding tb[2] = {
			{ 0, DXG_CMD_BINDING_READ_ONLY | (37u << DXG_CMD_BINDING_FORMAT_SHIFT),
			  FZ_RO, 256 },
			{ 1, 98u << DXG_CMD_BINDING_FORMAT_SHIFT, FZ_RES1, FZ_PG },
		};

		d.hdr.size_bytes = (uint32_t)DXG_CMD_DISPATCH_SIZE(2, 12);
		d.num_bindings = 2;
		add(&s, &d, sizeof(d));
		add(&s, tb, sizeof(tb));
		add(&s, push, 16);
		s.n++;
		emit_v(&s, dir, "v5-texel-bindings", DXG_CMDBUF_VERSION_5);
	}
	{
		/* Version 6: DISPATCH3, a storage image's extent on a binding. */
		struct dxg_cmd_dispatch2 d3 = {
			{ DXG_CMD_DISPATCH3, 0, (uint32_t)DXG_CMD_DISPATCH3_SIZE(2, 12) },
			1, { 0, 0, 0 }, { 2, 2, 1 }, 0, 2, 12,
		};
		struct dxg_cmd_binding3 ib[2] = {
			{ 0, 37u << DXG_CMD_BINDING_FORMAT_SHIFT, FZ_RES1, FZ_PG, 16, 16 },
			{ 1, 0, FZ_RES1, 256, 0, 0 },
		};

		add(&s, &d3, sizeof(d3));
		add(&s, ib, sizeof(ib));
		add(&s, push, 16);
		s.n++;
		emit_v(&s, dir, "v6-dispatch3-image", DXG_CMDBUF_VERSION_6);
	}
	{
		/* Version 7: DISPATCH4, a combined image sampler and a sampler alone. */
		struct dxg_cmd_dispatch2 d4 = {
			{ DXG_CMD_DISPATCH4, 0, (uint32_t)DXG_CMD_DISPATCH4_SIZE(2, 12) },
			1, { 0, 0, 0 }, { 2, 2, 1 }, 0, 2, 12,
		};
		struct dxg_cmd_binding4 sb[2] = {
			{ 0, 37u << DXG_CMD_BINDING_FORMAT_SHIFT, FZ_RES1, FZ_PG, 16, 16,
			  { 6, 0, 0, 2 }, 0,
			  { .mag_filter = 1, .min_filter = 1, .max_lod = 0x3f800000u } },
			{ 1, 0, 0, 0, 0, 0, { 0 }, 0,
			  { .address_mode = { 3, 3, 3 }, .flags = DXG_SAMPLER_UNNORMALIZED } },
		};

		add(&s, &d4, sizeof(d4));
		add(&s, sb, sizeof(sb));
		add(&s, push, 16);
		s.n++;
		emit_v(&s, dir, "v7-dispatch4-sampler", DXG_CMDBUF_VERSION_7);
	}
	{
		/* Version 8: DISPATCH5, a 2D array view of two levels and a buffer. */
		struct dxg_cmd_dispatch2 d5 = {
			{ DXG_CMD_DISPATCH5, 0, (uint32_t)DXG_CMD_DISPATCH5_SIZE(2, 12) },
			1, { 0, 0, 0 }, { 2, 2, 1 }, 0, 2, 12,
		};
		struct dxg_cmd_binding5 vb[2] = {
			{ { 0, 37u << DXG_CMD_BINDING_FORMAT_SHIFT, FZ_RES1, FZ_PG, 8, 8,
			    { 0 }, 0, { 0 } }, DXG_VIEW_2D_ARRAY, 8, 2, 2, 1, 0, 1024 },
			{ { 1, 0, FZ_RES1, 256, 0, 0, { 0 }, 0, { 0 } }, 0, 0, 0, 0, 0, 0, 0 },
		};

		add(&s, &d5, sizeof(d5));
		add(&s, vb, sizeof(vb));
		add(&s, push, 16);
		s.n++;
		emit_v(&s, dir, "v8-dispatch5-views", DXG_CMDBUF_VERSION_8);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("DXG_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	setup();
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}
