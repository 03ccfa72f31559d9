// SPDX-License-Identifier: MIT
/*
 * The recording engine (host/exec/engine_record.c): what a command buffer
 * records runs nothing until it is replayed, the recorder offers exactly
 * the real engine's ops (so validation answers the same), and a replay
 * failure names the failing command.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/gpuva.h"
#include "exec/cmdstream.h"
#include "dxg/ntstatus.h"
#include "engines/engine_cpu.h"
#include "exec/engine_record.h"

#define PG	DXG_GPUVA_PAGE

/* An engine with dispatch, whose fill can be made to fail. */
struct fake {
	struct dxg_engine e;
	struct dxg_engine_dispatch last;
	unsigned int dispatches, fills, flushes;
	int32_t fail_fill;
};

static int32_t fake_fill(struct dxg_engine *e, void *dst, uint64_t size,
			 uint32_t pattern)
{
	struct fake *f = (struct fake *)e;

	(void)dst, (void)size, (void)pattern;
	f->fills++;
	return f->fail_fill;
}

static int32_t fake_dispatch(struct dxg_engine *e,
			     const struct dxg_engine_dispatch *d)
{
	struct fake *f = (struct fake *)e;

	f->last = *d;
	f->dispatches++;
	return 0;
}

static int32_t fake_flush(struct dxg_engine *e)
{
	((struct fake *)e)->flushes++;
	return 0;
}

static int32_t fake_create(struct dxg_engine *e, const struct dxg_engine_pipeline *p,
			   uint64_t *id)
{
	(void)e, (void)p, (void)id;
	return 0;
}

static const struct dxg_engine_ops fake_ops = {
	.name = "fake",
	.fill = fake_fill,
	.create_pipeline = fake_create,
	.dispatch = fake_dispatch,
	.flush = fake_flush,
};

/* The recorder advertises what the real engine has, nothing more. */
static void test_ops_follow_real_engine(void **state)
{
	struct dxg_engine *cpu = dxg_engine_cpu_create();
	struct fake fk = { .e = { .ops = &fake_ops } };
	struct dxg_recording rec = { 0 };
	struct dxg_engine_record r;

	(void)state;
	assert_non_null(cpu);
	dxg_engine_record_init(&r, cpu, &rec);
	assert_non_null(r.base.ops->copy);
	assert_non_null(r.base.ops->fill);
	assert_non_null(r.base.ops->timestamp);
	assert_non_null(r.base.ops->flush);
	assert_null(r.base.ops->dispatch);
	assert_null(r.base.ops->create_pipeline);
	assert_null(r.base.ops->forget);
	assert_string_equal(r.base.ops->name, "cpu");
	dxg_engine_record_init(&r, &fk.e, &rec);
	assert_null(r.base.ops->copy);
	assert_null(r.base.ops->timestamp);
	assert_non_null(r.base.ops->dispatch);
	assert_non_null(r.base.ops->create_pipeline);
	cpu->ops->destroy(cpu);
}

/* Recorded ops run nothing; the replay does, in order, on the real engine. */
static void test_record_then_replay(void **state)
{
	struct dxg_engine *cpu = dxg_engine_cpu_create();
	struct dxg_recording rec = { 0 };
	struct dxg_engine_record r;
	uint8_t src[64], dst[64], zero[64] = { 0 };
	uint32_t fill[16];
	uint64_t ts = 0;
	uint32_t bad = 77;

	(void)state;
	memset(src, 0x5a, sizeof(src));
	memset(dst, 0, sizeof(dst));
	memset(fill, 0, sizeof(fill));
	dxg_engine_record_init(&r, cpu, &rec);
	r.base.cmd_index = 3;
	assert_int_equal(r.base.ops->copy(&r.base, dst, src, sizeof(dst)), 0);
	r.base.cmd_index = 4;
	assert_int_equal(r.base.ops->fill(&r.base, fill, sizeof(fill), 0xabcd1234), 0);
	assert_int_equal(r.base.ops->timestamp(&r.base, &ts), 0);
	assert_int_equal(r.base.ops->flush(&r.base), 0);
	for (int i = 0; i < 40; i++)	/* grows past the first capacity */
		assert_int_equal(r.base.ops->flush(&r.base), 0);
	assert_int_equal(rec.n, 44);
	assert_int_equal(rec.ops[0].kind, DXG_REC_COPY);
	assert_int_equal(rec.ops[0].cmd_index, 3);
	assert_int_equal(rec.ops[1].cmd_index, 4);
	/* Nothing ran yet. */
	assert_memory_equal(dst, zero, sizeof(dst));
	assert_int_equal(fill[0], 0);
	assert_int_equal(ts, 0);
	assert_int_equal(dxg_recording_replay(&rec, cpu, &bad), 0);
	assert_int_equal(bad, 77);		/* untouched on success */
	assert_memory_equal(dst, src, sizeof(dst));
	assert_int_equal(fill[15], 0xabcd1234);
	assert_true(ts != 0);
	dxg_recording_free(&rec);
	assert_null(rec.ops);
	cpu->ops->destroy(cpu);
}

/* A fake xfer: what it was given, with the data it could read then. */
struct fake_xfer {
	struct dxg_engine e;
	struct dxg_engine_xfer last;
	uint8_t data[16];
	unsigned int n;
};

static int32_t fake_xfer(struct dxg_engine *e, const struct dxg_engine_xfer *x)
{
	struct fake_xfer *f = (struct fake_xfer *)e;

	f->last = *x;
	if (x->op == DXG_XFER_UPDATE)
		memcpy(f->data, x->data, x->size < 16 ? x->size : 16);
	f->n++;
	return 0;
}

static const struct dxg_engine_ops xfer_ops = { .name = "xfer", .xfer = fake_xfer };

/*
 * UPDATE data lives in the command buffer's copy, which is freed before the
 * replay: the recording keeps its own copy, for host and device memory.
 */
static void test_update_data_kept(void **state)
{
	struct dxg_engine *cpu = dxg_engine_cpu_create();
	struct fake_xfer fx = { .e = { .ops = &xfer_ops } };
	struct dxg_recording rec = { 0 };
	struct dxg_engine_record r;
	uint8_t data[16], dst[16] = { 0 }, want[16];
	struct dxg_engine_xfer x = { .op = DXG_XFER_UPDATE, .data = data, .size = 16 };
	int dev;
	uint32_t bad = 0;

	(void)state;
	for (int i = 0; i < 16; i++)
		want[i] = data[i] = (uint8_t)(i + 1);
	dxg_engine_record_init(&r, cpu, &rec);
	assert_null(r.base.ops->xfer);		/* the CPU engine has none */
	assert_int_equal(r.base.ops->update(&r.base, dst, data, sizeof(data)), 0);
	memset(data, 0xee, sizeof(data));	/* the buffer's copy is gone */
	assert_int_equal(dxg_recording_replay(&rec, cpu, &bad), 0);
	assert_memory_equal(dst, want, sizeof(dst));
	dxg_recording_free(&rec);

	for (int i = 0; i < 16; i++)
		data[i] = (uint8_t)(i + 1);
	x.dst.dev = &dev;
	x.dst.dev_offset = 256;
	dxg_engine_record_init(&r, &fx.e, &rec);
	assert_null(r.base.ops->update);
	assert_int_equal(r.base.ops->xfer(&r.base, &x), 0);
	memset(data, 0xee, sizeof(data));
	memset(&x, 0, sizeof(x));
	assert_int_equal(fx.n, 0);
	assert_false(dxg_recording_is_light(&rec, UINT64_MAX));	/* device work */
	assert_int_equal(dxg_recording_replay(&rec, &fx.e, &bad), 0);
	assert_int_equal(fx.n, 1);
	assert_int_equal(fx.last.op, DXG_XFER_UPDATE);
	assert_ptr_equal(fx.last.dst.dev, &dev);
	assert_int_equal(fx.last.dst.dev_offset, 256);
	assert_memory_equal(fx.data, want, 16);
	dxg_recording_free(&rec);
	cpu->ops->destroy(cpu);
}

/* A dispatch is copied (the caller's struct is gone by replay time). */
static void test_dispatch_copied_and_failure_index(void **state)
{
	struct fake fk = { .e = { .ops = &fake_ops } };
	struct dxg_recording rec = { 0 };
	struct dxg_engine_record r;
	struct dxg_engine_dispatch d = { .pipeline = 9, .groups = { 1, 2, 3 },
					 .push_size = 4 };
	uint32_t bad = 0, word;

	(void)state;
	dxg_engine_record_init(&r, &fk.e, &rec);
	r.base.cmd_index = 0;
	assert_int_equal(r.base.ops->dispatch(&r.base, &d), 0);
	memset(&d, 0xee, sizeof(d));
	r.base.cmd_index = 1;
	assert_int_equal(r.base.ops->fill(&r.base, &word, 4, 1), 0);
	r.base.cmd_index = 2;
	assert_int_equal(r.base.ops->dispatch(&r.base, &fk.last), 0);
	assert_int_equal(fk.dispatches, 0);
	fk.fail_fill = STATUS_DEVICE_REMOVED;
	assert_int_equal(dxg_recording_replay(&rec, &fk.e, &bad),
			 STATUS_DEVICE_REMOVED);
	assert_int_equal(bad, 1);
	assert_int_equal(fk.dispatches, 1);	/* stopped at the failure */
	assert_int_equal(fk.last.pipeline, 9);
	assert_int_equal(fk.last.groups[2], 3);
	dxg_recording_free(&rec);
}

/* Light recordings (may run on the loop): no DISPATCH, few bytes. */
static void test_light(void **state)
{
	struct fake fk = { .e = { .ops = &fake_ops } };
	struct dxg_engine *cpu = dxg_engine_cpu_create();
	struct dxg_recording rec = { 0 }, rd = { 0 };
	struct dxg_engine_record r;
	struct dxg_engine_dispatch d = { .pipeline = 1, .groups = { 1, 1, 1 } };
	static uint8_t a[8192], b[8192];
	uint64_t ts;

	(void)state;
	dxg_engine_record_init(&r, cpu, &rec);
	assert_true(dxg_recording_is_light(&rec, 0));		/* empty: a NOP */
	assert_int_equal(r.base.ops->timestamp(&r.base, &ts), 0);
	assert_true(dxg_recording_is_light(&rec, 0));		/* no bytes */
	assert_int_equal(r.base.ops->copy(&r.base, a, b, 4096), 0);
	assert_int_equal(r.base.ops->fill(&r.base, a, 4096, 7), 0);
	assert_true(dxg_recording_is_light(&rec, 8192));
	assert_false(dxg_recording_is_light(&rec, 8191));
	assert_false(dxg_recording_is_light(&rec, 4096));
	dxg_recording_free(&rec);
	/* A DISPATCH is never light, whatever the bytes. */
	dxg_engine_record_init(&r, &fk.e, &rd);
	assert_int_equal(r.base.ops->dispatch(&r.base, &d), 0);
	assert_false(dxg_recording_is_light(&rd, UINT64_MAX));
	dxg_recording_free(&rd);
	cpu->ops->destroy(cpu);
}

/* Whole buffers through the validator: same answers as the real engine. */
static void test_through_cmdstream(void **state)
{
	struct dxg_gpuva_space *s = dxg_gpuva_create(DXG_GPUVA_BASE, DXG_GPUVA_SIZE);
	struct dxg_engine *cpu = dxg_engine_cpu_create();
	uint8_t *mem = calloc(2, PG);
	struct dxg_recording rec = { 0 };
	struct dxg_engine_record r;
	_Alignas(8) uint8_t buf[256];
	struct dxg_cmdbuf_header h = { .magic = DXG_CMDBUF_MAGIC,
				       .version = DXG_CMDBUF_VERSION };
	struct dxg_cmd_fill fl = { .hdr = { .opcode = DXG_CMD_FILL,
					    .size_bytes = sizeof(fl) },
				   .size = PG, .pattern = 0x11223344 };
	struct dxg_cmd_dispatch dp = { .hdr = { .opcode = DXG_CMD_DISPATCH,
						.size_bytes = DXG_CMD_DISPATCH_SIZE(0, 0) },
				       .pipeline = 1, .groups = { 1, 1, 1 } };
	uint64_t va;
	uint32_t bad = 0, len;

	(void)state;
	assert_non_null(s);
	assert_non_null(mem);
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, 2 * PG, 0, &va), 0);
	assert_int_equal(dxg_gpuva_map(s, va, 2 * PG, mem, 1), 0);
	fl.dst_va = va;
	len = sizeof(h);
	memcpy(buf + len, &fl, sizeof(fl));
	len += sizeof(fl);
	h.size_bytes = len;
	h.num_commands = 1;
	memcpy(buf, &h, sizeof(h));
	dxg_engine_record_init(&r, cpu, &rec);
	assert_int_equal(dxg_cmdstream_execute(buf, len, dxg_gpuva_va(s), &r.base, &bad), 0);
	assert_int_equal(rec.n, 2);			/* the fill and the flush */
	assert_int_equal(rec.ops[1].kind, DXG_REC_FLUSH);
	assert_int_equal(rec.ops[1].cmd_index, 1);	/* after the last */
	assert_int_equal(mem[0], 0);
	assert_int_equal(dxg_recording_replay(&rec, cpu, &bad), 0);
	assert_int_equal(mem[PG - 1], 0x11);
	dxg_recording_free(&rec);

	/* DISPATCH on the CPU engine: not supported, nothing recorded. */
	memcpy(buf + len, &dp, sizeof(dp));
	len += sizeof(dp);
	h.size_bytes = len;
	h.num_commands = 2;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(dxg_cmdstream_execute(buf, len, dxg_gpuva_va(s), &r.base, &bad),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(bad, 1);
	assert_int_equal(rec.n, 0);
	dxg_recording_free(&rec);
	free(mem);
	dxg_gpuva_destroy(s);
	cpu->ops->destroy(cpu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_follow_real_engine),
		cmocka_unit_test(test_record_then_replay),
		cmocka_unit_test(test_dispatch_copied_and_failure_index),
		cmocka_unit_test(test_light),
		cmocka_unit_test(test_update_data_kept),
		cmocka_unit_test(test_through_cmdstream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
