// SPDX-License-Identifier: MIT
/* The command-stream validator/executor (host/exec/cmdstream.c) and the CPU engine. */
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

/* A texel format as a version 5 binding carries it (VkFormat VK_FORMAT_R32_UINT). */
#define FMT_R32_UINT	98u

#define PG	DXG_GPUVA_PAGE
#define HDR	DXG_CMD_INDEX_HEADER

/*
 * The fixture's GPU VA layout, one reservation of 16 pages at va0:
 *   pages 0..7   -> a (8 pages)
 *   pages 8..11  -> b (4 pages, a separate host block)
 *   pages 12..15 -> reserved, unmapped
 */
struct fx {
	struct dxg_gpuva_space *s;
	struct dxg_engine *cpu;
	uint64_t va0;
	uint8_t *a, *b;
	uint8_t buf[4096];
	uint32_t len;		/* bytes written into buf */
	uint32_t ncmds;
};

/* An engine that records the dispatches it is given. */
struct fake {
	struct dxg_engine e;
	struct dxg_engine_dispatch last;
	unsigned int dispatches, flushes, copies;
	int32_t fail_dispatch;
};

static int32_t fake_copy(struct dxg_engine *e, void *dst, const void *src,
			 uint64_t size)
{
	((struct fake *)e)->copies++;
	memmove(dst, src, size);
	return 0;
}

static int32_t fake_update(struct dxg_engine *e, void *dst, const void *data,
			   uint64_t size)
{
	return fake_copy(e, dst, data, size);
}

/*
 * As engines do: indirect counts in host memory are read now (when the
 * dispatch runs), and a 0 count dispatches nothing.
 */
static int32_t fake_dispatch(struct dxg_engine *e,
			     const struct dxg_engine_dispatch *d)
{
	struct fake *f = (struct fake *)e;
	struct dxg_engine_dispatch t = *d;

	if (t.indirect.host) {
		memcpy(t.groups, t.indirect.host, sizeof(t.groups));
		if (!t.groups[0] || !t.groups[1] || !t.groups[2])
			return 0;
	}
	f->last = t;
	f->dispatches++;
	return f->fail_dispatch;
}

static int32_t fake_flush(struct dxg_engine *e)
{
	((struct fake *)e)->flushes++;
	return 0;
}

static const struct dxg_engine_ops fake_ops = {
	.name = "fake",
	.copy = fake_copy,
	.update = fake_update,
	.dispatch = fake_dispatch,
	.flush = fake_flush,
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->s = dxg_gpuva_create(DXG_GPUVA_BASE, DXG_GPUVA_SIZE);
	f->cpu = dxg_engine_cpu_create();
	f->a = calloc(8, PG);
	f->b = calloc(4, PG);
	assert_non_null(f->s);
	assert_non_null(f->cpu);
	assert_int_equal(dxg_gpuva_reserve(f->s, 0, 0, 0, 16 * PG, 0, &f->va0), 0);
	assert_int_equal(dxg_gpuva_map(f->s, f->va0, 8 * PG, f->a, 1), 0);
	assert_int_equal(dxg_gpuva_map(f->s, f->va0 + 8 * PG, 4 * PG, f->b, 2), 0);
	f->len = sizeof(struct dxg_cmdbuf_header);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	f->cpu->ops->destroy(f->cpu);
	dxg_gpuva_destroy(f->s);
	free(f->a);
	free(f->b);
	free(f);
	return 0;
}

/* ---- building buffers ---- */

static void put(struct fx *f, const void *p, uint32_t n)
{
	assert_true(f->len + n <= sizeof(f->buf));
	if (!n)
		return;		/* p may be NULL */
	memcpy(f->buf + f->len, p, n);
	f->len += n;
}

/* Finishes the header (format @version) to describe what was put. */
static uint32_t finish_v(struct fx *f, uint32_t version)
{
	struct dxg_cmdbuf_header h = { DXG_CMDBUF_MAGIC, version, f->len, f->ncmds };

	memcpy(f->buf, &h, sizeof(h));
	return f->len;
}

static uint32_t finish(struct fx *f)
{
	return finish_v(f, DXG_CMDBUF_VERSION);
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

static void cmd_ts(struct fx *f, uint64_t dst)
{
	struct dxg_cmd_timestamp c = { { DXG_CMD_TIMESTAMP, 0, sizeof(c) }, dst };

	put(f, &c, sizeof(c));
	f->ncmds++;
}

static void cmd_simple(struct fx *f, uint16_t op, uint32_t size)
{
	struct dxg_cmd_header h = { op, 0, size };
	static const uint8_t zero[64];

	put(f, &h, sizeof(h));
	assert_true(size >= 8 && size - 8 <= sizeof(zero));
	put(f, zero, size - 8);
	f->ncmds++;
}

static void cmd_dispatch(struct fx *f, uint64_t pipe, uint32_t nb,
			 const struct dxg_cmd_binding *b, uint32_t push_size,
			 const void *push)
{
	struct dxg_cmd_dispatch c = {
		{ DXG_CMD_DISPATCH, 0, (uint32_t)DXG_CMD_DISPATCH_SIZE(nb, push_size) },
		pipe, { 4, 2, 1 }, nb, push_size, 0 };
	static const uint8_t zero[8];

	put(f, &c, sizeof(c));
	put(f, b, nb * (uint32_t)sizeof(*b));
	put(f, push, push_size);
	put(f, zero, DXG_ALIGN8(push_size) - push_size);
	f->ncmds++;
}

/* Runs the buffer on the CPU engine; checks status and index. */
static void expect(struct fx *f, struct dxg_engine *e, int32_t st, uint32_t idx)
{
	uint32_t bad = 0x5a5a5a5a, bad2 = 0x5a5a5a5a;

	assert_int_equal(dxg_cmdstream_validate(f->buf, f->len, dxg_gpuva_va(f->s), e, &bad2), st);
	assert_int_equal(dxg_cmdstream_execute(f->buf, f->len, dxg_gpuva_va(f->s), e, &bad), st);
	if (st < 0) {
		assert_int_equal(bad, idx);
		assert_int_equal(bad2, idx);
	} else {
		assert_int_equal(bad, 0x5a5a5a5a);	/* untouched on success */
	}
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* ---- the header ---- */

static void header_errors(void **state)
{
	struct fx *f = *state;
	struct dxg_cmdbuf_header h;
	uint32_t bad;

	cmd_simple(f, DXG_CMD_NOP, 8);
	finish(f);
	expect(f, f->cpu, 0, 0);

	/* Truncated: shorter than the header, and the header claiming more. */
	assert_int_equal(dxg_cmdstream_execute(f->buf, 15, dxg_gpuva_va(f->s), f->cpu, &bad),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(bad, HDR);
	assert_int_equal(dxg_cmdstream_execute(f->buf, 0, dxg_gpuva_va(f->s), f->cpu, &bad),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_cmdstream_execute(NULL, 64, dxg_gpuva_va(f->s), f->cpu, &bad),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_cmdstream_execute(f->buf, f->len - 8, dxg_gpuva_va(f->s), f->cpu,
					       &bad), STATUS_INVALID_PARAMETER);
	assert_int_equal(bad, HDR);
	/* Bytes after size_bytes are not ours to look at. */
	assert_int_equal(dxg_cmdstream_execute(f->buf, sizeof(f->buf), dxg_gpuva_va(f->s),
					       f->cpu, &bad), 0);

#define MUT(field, val, st) do { \
		memcpy(&h, f->buf, sizeof(h)); \
		h.field = (val); \
		memcpy(f->buf, &h, sizeof(h)); \
		expect(f, f->cpu, (st), HDR); \
		finish(f); \
	} while (0)
	MUT(magic, 0x43475845, STATUS_INVALID_PARAMETER);
	MUT(magic, 0, STATUS_INVALID_PARAMETER);
	MUT(version, 0, STATUS_NOT_SUPPORTED);
	MUT(version, DXG_CMDBUF_VERSION_MAX + 1, STATUS_NOT_SUPPORTED);
	MUT(size_bytes, 0, STATUS_INVALID_PARAMETER);
	MUT(size_bytes, 8, STATUS_INVALID_PARAMETER);
	MUT(size_bytes, 0xffffffff, STATUS_INVALID_PARAMETER);
	MUT(size_bytes, 0xfffffff8, STATUS_INVALID_PARAMETER);
	MUT(size_bytes, 20, STATUS_INVALID_PARAMETER);	/* not 8-granular */
	MUT(num_commands, 0xffffffff, STATUS_INVALID_PARAMETER);
	MUT(num_commands, 2, STATUS_INVALID_PARAMETER);
	/* Fewer commands than bytes: the rest is unaccounted for. */
	MUT(num_commands, 0, STATUS_INVALID_PARAMETER);
#undef MUT
}

static void header_limits(void **state)
{
	struct fx *f = *state;
	size_t big = DXG_CMDBUF_MAX_SIZE + 8;
	uint8_t *p = calloc(1, big);
	struct dxg_cmdbuf_header h = { DXG_CMDBUF_MAGIC, DXG_CMDBUF_VERSION, 0, 1 };
	struct dxg_cmd_header nop = { DXG_CMD_NOP, 0, 0 };
	uint32_t bad;

	/* One NOP filling the largest buffer is valid; 8 bytes more is not. */
	h.size_bytes = DXG_CMDBUF_MAX_SIZE;
	nop.size_bytes = DXG_CMDBUF_MAX_SIZE - sizeof(h);
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &nop, sizeof(nop));
	assert_int_equal(dxg_cmdstream_execute(p, big, dxg_gpuva_va(f->s), f->cpu, &bad), 0);
	h.size_bytes += 8;
	nop.size_bytes += 8;
	memcpy(p, &h, sizeof(h));
	memcpy(p + sizeof(h), &nop, sizeof(nop));
	assert_int_equal(dxg_cmdstream_execute(p, big, dxg_gpuva_va(f->s), f->cpu, &bad),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(bad, HDR);
	free(p);

	/* An empty buffer is valid. */
	finish(f);
	expect(f, f->cpu, 0, 0);
}

/* ---- command framing ---- */

static void framing_errors(void **state)
{
	struct fx *f = *state;
	struct dxg_cmd_header h;

	cmd_simple(f, DXG_CMD_NOP, 16);
	cmd_simple(f, DXG_CMD_BARRIER, 8);
	finish(f);
	expect(f, f->cpu, 0, 0);

#define MUT2(off, field, val, st, idx) do { \
		memcpy(&h, f->buf + (off), sizeof(h)); \
		h.field = (val); \
		memcpy(f->buf + (off), &h, sizeof(h)); \
		expect(f, f->cpu, (st), (idx)); \
		f->len = 16; f->ncmds = 0; \
		cmd_simple(f, DXG_CMD_NOP, 16); \
		cmd_simple(f, DXG_CMD_BARRIER, 8); \
		finish(f); \
	} while (0)
	MUT2(16, size_bytes, 0, STATUS_INVALID_PARAMETER, 0);
	MUT2(16, size_bytes, 4, STATUS_INVALID_PARAMETER, 0);
	MUT2(16, size_bytes, 12, STATUS_INVALID_PARAMETER, 0);	/* unaligned */
	MUT2(16, size_bytes, 32, STATUS_INVALID_PARAMETER, 0);	/* crosses the end */
	MUT2(16, size_bytes, 0xfffffff8, STATUS_INVALID_PARAMETER, 0);
	MUT2(16, size_bytes, 24, STATUS_INVALID_PARAMETER, 1);	/* #1 misplaced */
	MUT2(16, flags, 1, STATUS_INVALID_PARAMETER, 0);
	MUT2(32, opcode, 0, STATUS_ILLEGAL_INSTRUCTION, 1);
	MUT2(32, opcode, 7, STATUS_ILLEGAL_INSTRUCTION, 1);
	MUT2(32, opcode, 0xffff, STATUS_ILLEGAL_INSTRUCTION, 1);
	MUT2(32, size_bytes, 16, STATUS_INVALID_PARAMETER, 1);	/* BARRIER is 8 */
	MUT2(32, flags, 0x8000, STATUS_INVALID_PARAMETER, 1);
#undef MUT2
}

/* Wrong size for each fixed-size opcode: too small and too big. */
static void opcode_sizes(void **state)
{
	struct fx *f = *state;
	static const struct { uint16_t op; uint32_t size; } bad[] = {
		{ DXG_CMD_COPY, 8 }, { DXG_CMD_COPY, 24 }, { DXG_CMD_COPY, 40 },
		{ DXG_CMD_FILL, 8 }, { DXG_CMD_FILL, 24 }, { DXG_CMD_FILL, 40 },
		{ DXG_CMD_TIMESTAMP, 8 }, { DXG_CMD_TIMESTAMP, 24 },
		{ DXG_CMD_DISPATCH, 8 }, { DXG_CMD_DISPATCH, 32 },
		{ DXG_CMD_BARRIER, 16 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f->len = 16;
		f->ncmds = 0;
		cmd_simple(f, DXG_CMD_NOP, 8);
		cmd_simple(f, bad[i].op, bad[i].size);
		finish(f);
		expect(f, f->cpu, STATUS_INVALID_PARAMETER, 1);
	}
}

/* ---- COPY / FILL / TIMESTAMP ---- */

static void copy_fill_results(void **state)
{
	struct fx *f = *state;
	unsigned int i;

	for (i = 0; i < 64; i++)
		f->a[i] = (uint8_t)i;
	cmd_copy(f, f->va0, f->va0 + 8 * PG + 100, 64);	/* a -> b, any alignment */
	cmd_fill(f, f->va0 + PG, 12, 0xdeadbeef);
	cmd_fill(f, f->va0 + 2 * PG, PG, 0x01020304);
	cmd_simple(f, DXG_CMD_BARRIER, 8);
	/* Reads what the first copy wrote. */
	cmd_copy(f, f->va0 + 8 * PG + 100, f->va0 + 3 * PG, 64);
	finish(f);
	expect(f, f->cpu, 0, 0);
	assert_memory_equal(f->b + 100, f->a, 64);
	assert_memory_equal(f->a + 3 * PG, f->a, 64);
	for (i = 0; i < 3; i++)
		assert_int_equal(rd32(f->a + PG + 4 * i), 0xdeadbeef);
	assert_int_equal(rd32(f->a + PG + 12), 0);
	for (i = 0; i < PG / 4; i++)
		assert_int_equal(rd32(f->a + 2 * PG + 4 * i), 0x01020304);
	assert_int_equal(rd32(f->a + 3 * PG - 4), 0x01020304);
	/* The whole of one mapping, exactly. */
	f->len = 16;
	f->ncmds = 0;
	cmd_fill(f, f->va0, 8 * PG, 0x55aa55aa);
	finish(f);
	expect(f, f->cpu, 0, 0);
	assert_int_equal(rd32(f->a + 8 * PG - 4), 0x55aa55aa);
}

static void copy_overlap_is_memmove(void **state)
{
	struct fx *f = *state;
	uint8_t want[128];
	unsigned int i;

	for (i = 0; i < 128; i++)
		f->a[i] = (uint8_t)(i + 1);
	cmd_copy(f, f->va0, f->va0 + 16, 100);		/* forwards overlap */
	finish(f);
	for (i = 0; i < 128; i++)
		want[i] = (uint8_t)(i + 1);
	memmove(want + 16, want, 100);
	expect(f, f->cpu, 0, 0);
	assert_memory_equal(f->a, want, 128);

	f->len = 16;
	f->ncmds = 0;
	cmd_copy(f, f->va0 + 16, f->va0 + 4, 100);	/* backwards overlap */
	finish(f);
	memmove(want + 4, want + 16, 100);
	expect(f, f->cpu, 0, 0);
	assert_memory_equal(f->a, want, 128);
}

static void timestamp_results(void **state)
{
	struct fx *f = *state;
	uint64_t t1, t2;

	cmd_ts(f, f->va0 + 8);
	cmd_ts(f, f->va0 + 8 * PG + 4 * PG - 8);	/* last word of b */
	finish(f);
	expect(f, f->cpu, 0, 0);
	memcpy(&t1, f->a + 8, 8);
	memcpy(&t2, f->b + 4 * PG - 8, 8);
	assert_true(t1 != 0);
	assert_true(t2 >= t1);
}

/* Builds one command and checks its status and index (it is command 1). */
#define ONE(build, st) do { \
		f->len = 16; f->ncmds = 0; \
		cmd_simple(f, DXG_CMD_NOP, 8); \
		build; \
		finish(f); \
		expect(f, f->cpu, (st), 1); \
	} while (0)

static void copy_fill_ts_errors(void **state)
{
	struct fx *f = *state;
	uint64_t v = f->va0, end_b = f->va0 + 12 * PG;
	struct dxg_cmd_fill fl = { { DXG_CMD_FILL, 0, sizeof(fl) }, v, 4, 0, 1 };

	ONE(cmd_copy(f, v, v + PG, 0), STATUS_INVALID_PARAMETER);
	ONE(cmd_fill(f, v, 0, 1), STATUS_INVALID_PARAMETER);
	ONE(cmd_fill(f, v, 6, 1), STATUS_INVALID_PARAMETER);	/* not 4 multiple */
	ONE(cmd_fill(f, v + 2, 4, 1), STATUS_INVALID_PARAMETER);	/* unaligned */
	ONE((put(f, &fl, sizeof(fl)), f->ncmds++), STATUS_INVALID_PARAMETER);
	ONE(cmd_ts(f, v + 4), STATUS_INVALID_PARAMETER);
	ONE(cmd_ts(f, v + 1), STATUS_INVALID_PARAMETER);
	/* Not mapped: VA 0, the unmapped pages, outside the reservation. */
	ONE(cmd_copy(f, 0, v, 8), STATUS_ACCESS_DENIED);
	ONE(cmd_copy(f, v, end_b, 8), STATUS_ACCESS_DENIED);
	ONE(cmd_fill(f, end_b + PG, 4, 1), STATUS_ACCESS_DENIED);
	ONE(cmd_ts(f, f->va0 + 16 * PG), STATUS_ACCESS_DENIED);
	ONE(cmd_ts(f, DXG_GPUVA_BASE - 8), STATUS_ACCESS_DENIED);
	/* Crossing from one mapping into the next (a -> b are adjacent VAs). */
	ONE(cmd_copy(f, v + 8 * PG - 8, v, 16), STATUS_ACCESS_DENIED);
	ONE(cmd_fill(f, v + 8 * PG - 4, 8, 1), STATUS_ACCESS_DENIED);
	/* Past the end of the last mapping, by one byte. */
	ONE(cmd_copy(f, v, end_b - 63, 64), STATUS_ACCESS_DENIED);
	/* Sizes that wrap the address space. */
	ONE(cmd_copy(f, v, v + 64, UINT64_MAX), STATUS_ACCESS_DENIED);
	ONE(cmd_copy(f, UINT64_MAX - 3, v, 8), STATUS_ACCESS_DENIED);
	ONE(cmd_fill(f, v, 0xfffffffffffffffcull, 1), STATUS_ACCESS_DENIED);
	ONE(cmd_ts(f, 0xfffffffffffffff8ull), STATUS_ACCESS_DENIED);

	/* After an unmap the same command faults. */
	ONE(cmd_fill(f, v + 8 * PG, 4, 1), STATUS_SUCCESS);
	assert_int_equal(dxg_gpuva_unmap(f->s, v + 8 * PG, PG), 0);
	ONE(cmd_fill(f, v + 8 * PG, 4, 1), STATUS_ACCESS_DENIED);
	ONE(cmd_fill(f, v + 9 * PG, 4, 1), STATUS_SUCCESS);
}

/*
 * Protection (docs/command-stream.md): pages 12..15 of the fixture become
 * 12 read-only (onto a's first page), 13 zero, 14 no-access.
 */
static void protect_pages(struct fx *f)
{
	uint64_t v = f->va0;

	assert_int_equal(dxg_gpuva_map_prot(f->s, v + 12 * PG, PG, f->a, 1, 0), 0);
	assert_int_equal(dxg_gpuva_map_prot(f->s, v + 13 * PG, PG, NULL, 0,
					    DXG_GPUVA_PROT_ZERO), 0);
	assert_int_equal(dxg_gpuva_map_prot(f->s, v + 14 * PG, PG, NULL, 0,
					    DXG_GPUVA_PROT_NO_ACCESS), 0);
}

static void protection_enforced(void **state)
{
	struct fx *f = *state;
	uint64_t v = f->va0, ro = v + 12 * PG, zero = v + 13 * PG;
	uint64_t none = v + 14 * PG;

	protect_pages(f);
	memset(f->a, 0xab, 64);
	/* No write through a read-only mapping, by any command. */
	ONE(cmd_fill(f, ro, 16, 1), STATUS_ACCESS_DENIED);
	ONE(cmd_copy(f, v + PG, ro, 8), STATUS_ACCESS_DENIED);
	ONE(cmd_ts(f, ro + 8), STATUS_ACCESS_DENIED);
	assert_int_equal(f->a[0], 0xab);
	/* Reading it is fine: it is a's first page. */
	ONE(cmd_copy(f, ro, v + 9 * PG, 64), STATUS_SUCCESS);
	assert_memory_equal(f->b + PG, f->a, 64);
	/* No-access: nothing at all. */
	ONE(cmd_copy(f, none, v, 8), STATUS_ACCESS_DENIED);
	ONE(cmd_copy(f, v, none, 8), STATUS_ACCESS_DENIED);
	ONE(cmd_fill(f, none, 4, 1), STATUS_ACCESS_DENIED);
	ONE(cmd_ts(f, none), STATUS_ACCESS_DENIED);
	/* Zero: writes vanish (the commands succeed and do nothing) ... */
	ONE(cmd_fill(f, zero, PG, 1), STATUS_SUCCESS);
	ONE(cmd_ts(f, zero + 8), STATUS_SUCCESS);
	ONE(cmd_copy(f, v, zero, 64), STATUS_SUCCESS);
	ONE(cmd_copy(f, none, zero, 64), STATUS_ACCESS_DENIED);	/* still read */
	ONE(cmd_copy(f, zero, zero + 64, 64), STATUS_SUCCESS);
	/* ... reads give zeros (a fill of 0, 4-byte granular on this engine). */
	ONE(cmd_copy(f, zero + 100, v + 16, 32), STATUS_SUCCESS);
	assert_int_equal(rd32(f->a + 12), 0xabababab);
	assert_int_equal(rd32(f->a + 16), 0);
	assert_int_equal(rd32(f->a + 44), 0);
	assert_int_equal(rd32(f->a + 48), 0xabababab);
	ONE(cmd_copy(f, zero, v + 1, 32), STATUS_ACCESS_DENIED);
	ONE(cmd_copy(f, zero, v, 31), STATUS_ACCESS_DENIED);
	/* Crossing from a read-only page into a writable one is a fault. */
	ONE(cmd_fill(f, ro - 4, 8, 1), STATUS_ACCESS_DENIED);
	/* Protection comes from the space at run time: unmapped, remapped RW. */
	assert_int_equal(dxg_gpuva_unmap(f->s, ro, PG), 0);
	assert_int_equal(dxg_gpuva_map(f->s, ro, PG, f->a, 1), 0);
	ONE(cmd_fill(f, ro, 16, 0x01010101), STATUS_SUCCESS);
	assert_int_equal(rd32(f->a), 0x01010101);
}

/* A storage-buffer binding is read-write: it needs writable memory. */
static void dispatch_binding_protection(void **state)
{
	struct fx *f = *state;
	struct fake k = { .e.ops = &fake_ops };
	struct dxg_cmd_binding ok = { 0, 0, f->va0, 64 };
	struct dxg_cmd_binding b[3] = {
		{ 1, 0, f->va0 + 12 * PG, 64 },		/* read-only */
		{ 1, 0, f->va0 + 13 * PG, 64 },		/* zero */
		{ 1, 0, f->va0 + 14 * PG, 64 },		/* no-access */
	};
	unsigned int i;

	protect_pages(f);
	for (i = 0; i < 3; i++) {
		struct dxg_cmd_binding two[2] = { ok, b[i] };

		f->len = 16;
		f->ncmds = 0;
		cmd_dispatch(f, 1, 2, two, 0, NULL);
		finish(f);
		expect(f, &k.e, STATUS_ACCESS_DENIED, 0);
	}
	assert_int_equal(k.dispatches, 0);

	/*
	 * Version 4's read-only binding needs only readable memory (the
	 * engine then checks the shader): the read-only page, not zero or
	 * no-access memory.
	 */
	for (i = 0; i < 3; i++) {
		struct dxg_cmd_binding two[2] = { ok, b[i] };

		two[1].flags = DXG_CMD_BINDING_READ_ONLY;
		f->len = 16;
		f->ncmds = 0;
		cmd_dispatch(f, 1, 2, two, 0, NULL);
		finish_v(f, DXG_CMDBUF_VERSION_4);
		expect(f, &k.e, i ? STATUS_ACCESS_DENIED : STATUS_SUCCESS,
		       i ? 0 : 1);
	}
	assert_int_equal(k.dispatches, 1);
	assert_ptr_equal(k.last.bindings[1].host, f->a);
	assert_int_equal(k.last.bindings[1].read_only, 1);
	assert_int_equal(k.last.bindings[0].read_only, 0);
	/* Writable memory may be bound read-only too. */
	{
		struct dxg_cmd_binding two[2] = { ok, ok };

		two[1].binding = 1;
		two[1].flags = DXG_CMD_BINDING_READ_ONLY;
		f->len = 16;
		f->ncmds = 0;
		cmd_dispatch(f, 1, 2, two, 0, NULL);
		finish_v(f, DXG_CMDBUF_VERSION_4);
		expect(f, &k.e, STATUS_SUCCESS, 1);
		assert_int_equal(k.last.bindings[1].read_only, 1);
		/* The flag before version 4, and a flag version 4 lacks. */
		finish_v(f, DXG_CMDBUF_VERSION_3);
		expect(f, &k.e, STATUS_INVALID_PARAMETER, 0);
		two[1].flags = 2;
		f->len = 16;
		f->ncmds = 0;
		cmd_dispatch(f, 1, 2, two, 0, NULL);
		finish_v(f, DXG_CMDBUF_VERSION_4);
		expect(f, &k.e, STATUS_INVALID_PARAMETER, 0);
		/*
		 * Version 5's texel format, in the high bits: passed on to
		 * the engine (which checks it against the pipeline), with
		 * the read-only flag beside it; not a field before 5.
		 */
		two[1].flags = DXG_CMD_BINDING_READ_ONLY |
			       (FMT_R32_UINT << DXG_CMD_BINDING_FORMAT_SHIFT);
		f->len = 16;
		f->ncmds = 0;
		cmd_dispatch(f, 1, 2, two, 0, NULL);
		finish_v(f, DXG_CMDBUF_VERSION_4);
		expect(f, &k.e, STATUS_INVALID_PARAMETER, 0);
		finish_v(f, DXG_CMDBUF_VERSION_5);
		expect(f, &k.e, STATUS_SUCCESS, 1);
		assert_int_equal(k.last.bindings[1].format, FMT_R32_UINT);
		assert_int_equal(k.last.bindings[1].read_only, 1);
		assert_int_equal(k.last.bindings[0].format, 0);
		/* Version 5 still has no other flag. */
		two[1].flags = 2 | (FMT_R32_UINT << DXG_CMD_BINDING_FORMAT_SHIFT);
		f->len = 16;
		f->ncmds = 0;
		cmd_dispatch(f, 1, 2, two, 0, NULL);
		finish_v(f, DXG_CMDBUF_VERSION_5);
		expect(f, &k.e, STATUS_INVALID_PARAMETER, 0);
	}
	assert_int_equal(k.dispatches, 3);
}

/* A malformed command anywhere means nothing runs, not even the ones before. */
static void nothing_runs_when_invalid(void **state)
{
	struct fx *f = *state;

	cmd_fill(f, f->va0, 16, 0x11111111);
	cmd_ts(f, f->va0 + 13 * PG);		/* unmapped */
	finish(f);
	expect(f, f->cpu, STATUS_ACCESS_DENIED, 1);
	assert_int_equal(rd32(f->a), 0);
}

/* ---- DISPATCH ---- */

static void dispatch_not_supported_on_cpu(void **state)
{
	struct fx *f = *state;
	struct dxg_cmd_binding b = { 0, 0, f->va0, 64 };

	cmd_fill(f, f->va0, 16, 0x11111111);
	cmd_dispatch(f, 7, 1, &b, 0, NULL);
	finish(f);
	expect(f, f->cpu, STATUS_NOT_SUPPORTED, 1);
	assert_int_equal(rd32(f->a), 0);
}

static void dispatch_reaches_engine(void **state)
{
	struct fx *f = *state;
	struct fake k = { .e.ops = &fake_ops };
	struct dxg_cmd_binding b[3] = {
		{ 2, 0, f->va0 + 64, 128 },
		{ 0, 0, f->va0 + 8 * PG, 4 * PG },
		{ 5, 0, f->va0 + PG, 8 },
	};
	uint8_t push[20];
	unsigned int i;

	for (i = 0; i < sizeof(push); i++)
		push[i] = (uint8_t)(0xa0 + i);
	cmd_dispatch(f, 0x1234567890ull, 3, b, sizeof(push), push);
	cmd_simple(f, DXG_CMD_BARRIER, 8);
	finish(f);
	expect(f, &k.e, 0, 0);
	/* validate ran nothing; execute ran the dispatch and flushed twice. */
	assert_int_equal(k.dispatches, 1);
	assert_int_equal(k.flushes, 2);
	assert_int_equal(k.last.pipeline, 0x1234567890ull);
	assert_int_equal(k.last.groups[0], 4);
	assert_int_equal(k.last.groups[1], 2);
	assert_int_equal(k.last.groups[2], 1);
	assert_int_equal(k.last.num_bindings, 3);
	assert_int_equal(k.last.bindings[0].binding, 2);
	assert_ptr_equal(k.last.bindings[0].host, f->a + 64);
	assert_int_equal(k.last.bindings[0].size, 128);
	assert_int_equal(k.last.bindings[1].binding, 0);
	assert_ptr_equal(k.last.bindings[1].host, f->b);
	assert_int_equal(k.last.bindings[1].size, 4 * PG);
	assert_ptr_equal(k.last.bindings[2].host, f->a + PG);
	assert_int_equal(k.last.push_size, 20);
	assert_memory_equal(k.last.push, push, 20);

	/* No bindings, no push constants, the largest push. */
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch(f, 1, 0, NULL, 0, NULL);
	finish(f);
	expect(f, &k.e, 0, 0);
	assert_int_equal(k.last.num_bindings, 0);
	assert_int_equal(k.last.push_size, 0);
	{
		uint8_t big[DXG_CMD_MAX_PUSH_SIZE];

		memset(big, 0x77, sizeof(big));
		f->len = 16;
		f->ncmds = 0;
		cmd_dispatch(f, 1, 0, NULL, sizeof(big), big);
		finish(f);
		expect(f, &k.e, 0, 0);
		assert_memory_equal(k.last.push, big, sizeof(big));
	}

	/* An engine error stops the buffer at that command. */
	k.fail_dispatch = STATUS_DEVICE_REMOVED;
	k.copies = 0;
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch(f, 1, 0, NULL, 0, NULL);
	cmd_copy(f, f->va0, f->va0 + PG, 8);
	finish(f);
	{
		uint32_t bad;

		assert_int_equal(dxg_cmdstream_execute(f->buf, f->len, dxg_gpuva_va(f->s), &k.e,
						       &bad), STATUS_DEVICE_REMOVED);
		assert_int_equal(bad, 0);
		assert_int_equal(k.copies, 0);
	}
}

static void dispatch_errors(void **state)
{
	struct fx *f = *state;
	struct fake k = { .e.ops = &fake_ops };
	struct dxg_cmd_binding b[DXG_CMD_MAX_BINDINGS + 1];
	struct dxg_cmd_dispatch d;
	uint32_t push[40] = { 0 }, i;

	for (i = 0; i < DXG_CMD_MAX_BINDINGS + 1; i++)
		b[i] = (struct dxg_cmd_binding){ i, 0, f->va0, 16 };

#define D(build, st) do { \
		f->len = 16; f->ncmds = 0; \
		cmd_simple(f, DXG_CMD_NOP, 8); \
		build; \
		finish(f); \
		expect(f, &k.e, (st), 1); \
	} while (0)
	/* The limits themselves pass. */
	D(cmd_dispatch(f, 1, DXG_CMD_MAX_BINDINGS, b, 4, push), STATUS_SUCCESS);
	assert_int_equal(k.last.num_bindings, DXG_CMD_MAX_BINDINGS);
	/* Too many bindings, push too big or not a multiple of 4, pipeline 0. */
	D(cmd_dispatch(f, 1, DXG_CMD_MAX_BINDINGS + 1, b, 0, NULL),
	  STATUS_INVALID_PARAMETER);
	D(cmd_dispatch(f, 1, 0, NULL, DXG_CMD_MAX_PUSH_SIZE + 4, push),
	  STATUS_INVALID_PARAMETER);
	D(cmd_dispatch(f, 1, 0, NULL, 6, push), STATUS_INVALID_PARAMETER);
	D(cmd_dispatch(f, 0, 0, NULL, 0, NULL), STATUS_INVALID_PARAMETER);
	/* Bad bindings: duplicate, number too big, empty, reserved, unmapped. */
	b[1].binding = 0;
	D(cmd_dispatch(f, 1, 2, b, 0, NULL), STATUS_INVALID_PARAMETER);
	b[1].binding = DXG_CMD_MAX_BINDINGS;
	D(cmd_dispatch(f, 1, 2, b, 0, NULL), STATUS_INVALID_PARAMETER);
	b[1].binding = 0xffffffff;
	D(cmd_dispatch(f, 1, 2, b, 0, NULL), STATUS_INVALID_PARAMETER);
	b[1].binding = 1;
	b[1].size = 0;
	D(cmd_dispatch(f, 1, 2, b, 0, NULL), STATUS_INVALID_PARAMETER);
	b[1].size = 16;
	b[1].flags = DXG_CMD_BINDING_READ_ONLY;	/* before version 4: reserved */
	D(cmd_dispatch(f, 1, 2, b, 0, NULL), STATUS_INVALID_PARAMETER);
	b[1].flags = 0;
	b[1].va = f->va0 + 12 * PG;
	D(cmd_dispatch(f, 1, 2, b, 0, NULL), STATUS_ACCESS_DENIED);
	b[1].va = f->va0 + 8 * PG - 8;		/* crosses a -> b */
	D(cmd_dispatch(f, 1, 2, b, 0, NULL), STATUS_ACCESS_DENIED);
	b[1].va = f->va0;
	b[1].size = UINT64_MAX;
	D(cmd_dispatch(f, 1, 2, b, 0, NULL), STATUS_ACCESS_DENIED);
	b[1].size = 16;

	/* size_bytes that disagrees with the counts, either way. */
	memset(&d, 0, sizeof(d));
	d.hdr = (struct dxg_cmd_header){ DXG_CMD_DISPATCH, 0, 64 };
	d.pipeline = 1;
	d.num_bindings = 1;				/* needs 64 */
	D((put(f, &d, sizeof(d)), put(f, b, 24), f->ncmds++), STATUS_SUCCESS);
	d.num_bindings = 0;				/* needs 40 */
	D((put(f, &d, sizeof(d)), put(f, b, 24), f->ncmds++),
	  STATUS_INVALID_PARAMETER);
	d.hdr.size_bytes = 40;
	d.num_bindings = 1;				/* needs 64, claims 40 */
	D((put(f, &d, sizeof(d)), f->ncmds++), STATUS_INVALID_PARAMETER);
	d.num_bindings = 0xffffffff;
	D((put(f, &d, sizeof(d)), f->ncmds++), STATUS_INVALID_PARAMETER);
	d.num_bindings = 0;
	d.push_size = 0xfffffffc;
	D((put(f, &d, sizeof(d)), f->ncmds++), STATUS_INVALID_PARAMETER);
	d.push_size = 0;
	d.reserved = 1;
	D((put(f, &d, sizeof(d)), f->ncmds++), STATUS_INVALID_PARAMETER);
	d.reserved = 0;
	d.push_size = 4;				/* needs 48, claims 40 */
	D((put(f, &d, sizeof(d)), f->ncmds++), STATUS_INVALID_PARAMETER);
	/* A DISPATCH whose bindings would run past the buffer's end. */
	d.push_size = 0;
	d.num_bindings = 16;
	d.hdr.size_bytes = (uint32_t)DXG_CMD_DISPATCH_SIZE(16, 0);
	D((put(f, &d, sizeof(d)), f->ncmds++), STATUS_INVALID_PARAMETER);
#undef D
}

/* ---- escapes ---- */

static void escapes(void **state)
{
	struct fx *f = *state;
	struct dxg_escape_create_pipeline c, out;
	struct dxg_escape_destroy_pipeline d = { DXG_ESCAPE_DESTROY_PIPELINE, 0, 5 }, dout;
	uint32_t spirv[6] = { DXG_SPIRV_MAGIC, 0x10000, 0, 10, 0, 0 };
	const uint8_t *code;
	uint8_t *p = (uint8_t *)f->buf;
	size_t n = sizeof(c) + sizeof(spirv);

	memset(&c, 0, sizeof(c));
	c.op = DXG_ESCAPE_CREATE_PIPELINE;
	strcpy(c.entry, "main");
	c.num_bindings = 3;
	c.push_size = 8;
	c.spirv_size = sizeof(spirv);
#define C(mut, st) do { \
		struct dxg_escape_create_pipeline t = c; \
		mut; \
		memcpy(p, &t, sizeof(t)); \
		memcpy(p + sizeof(t), spirv, sizeof(spirv)); \
		assert_int_equal(dxg_escape_check_create_pipeline(p, n, &out, \
								  &code), (st)); \
	} while (0)
	C((void)0, 0);
	assert_ptr_equal(code, p + sizeof(c));
	assert_string_equal(out.entry, "main");
	assert_int_equal(out.num_bindings, 3);
	C(t.op = 2, STATUS_INVALID_PARAMETER);
	C(t.entry[0] = 0, STATUS_INVALID_PARAMETER);
	C(memset(t.entry, 'x', sizeof(t.entry)), STATUS_INVALID_PARAMETER);
	C(t.num_bindings = DXG_CMD_MAX_BINDINGS + 1, STATUS_INVALID_PARAMETER);
	C(t.push_size = DXG_CMD_MAX_PUSH_SIZE + 4, STATUS_INVALID_PARAMETER);
	C(t.push_size = 2, STATUS_INVALID_PARAMETER);
	C(t.spirv_size = 20, STATUS_INVALID_PARAMETER);	/* disagrees with n */
	C(t.spirv_size = 0xfffffffc, STATUS_INVALID_PARAMETER);
	C(t.spirv_size = 22, STATUS_INVALID_PARAMETER);
	C(t.spirv_size = 0, STATUS_INVALID_PARAMETER);
	spirv[0] = 0x03022307;		/* wrong endianness */
	C((void)0, STATUS_INVALID_PARAMETER);
	spirv[0] = DXG_SPIRV_MAGIC;
	assert_int_equal(dxg_escape_check_create_pipeline(p, sizeof(c) - 1, &out,
							  &code),
			 STATUS_INVALID_PARAMETER);
	/* Too short to hold the SPIR-V header at all. */
	c.spirv_size = 16;
	n = sizeof(c) + 16;
	C((void)0, STATUS_INVALID_PARAMETER);
#undef C

	assert_int_equal(dxg_escape_check_destroy_pipeline(&d, sizeof(d), &dout), 0);
	assert_int_equal(dout.pipeline, 5);
	assert_int_equal(dxg_escape_check_destroy_pipeline(&d, sizeof(d) + 8, &dout),
			 STATUS_INVALID_PARAMETER);
	d.pipeline = 0;
	assert_int_equal(dxg_escape_check_destroy_pipeline(&d, sizeof(d), &dout),
			 STATUS_INVALID_PARAMETER);
	d.pipeline = 5;
	d.op = DXG_ESCAPE_CREATE_PIPELINE;
	assert_int_equal(dxg_escape_check_destroy_pipeline(&d, sizeof(d), &dout),
			 STATUS_INVALID_PARAMETER);
}

/* The CPU engine's fill for sizes that are not powers of two. */
static void cpu_fill_sizes(void **state)
{
	struct fx *f = *state;
	uint32_t n;

	for (n = 4; n <= 300; n += 4) {
		uint32_t i;

		memset(f->a, 0, 320);
		assert_int_equal(f->cpu->ops->fill(f->cpu, f->a, n, 0xa1b2c3d4), 0);
		for (i = 0; i < n; i += 4)
			assert_int_equal(rd32(f->a + i), 0xa1b2c3d4);
		assert_int_equal(rd32(f->a + n), 0);
	}
	assert_string_equal(f->cpu->ops->name, "cpu");
	assert_null(f->cpu->ops->dispatch);
	assert_null(f->cpu->ops->create_pipeline);
}


/* ---- version 3: FENCE_SIGNAL and FENCE_WAIT ---- */

#define FDEV	7u		/* the fence's device */
#define FOWNER	0x77u		/* the fence object's id */

static void cmd_fence(struct fx *f, uint16_t op, uint64_t va, uint64_t value,
		      uint64_t reserved)
{
	struct dxg_cmd_fence c = { { op, 0, sizeof(c) }, va, value, reserved };

	put(f, &c, sizeof(c));
	f->ncmds++;
}

static void restart(struct fx *f)
{
	f->len = sizeof(struct dxg_cmdbuf_header);
	f->ncmds = 0;
}

/* Validate and execute through device @dev's view of the space. */
static void expect_dev(struct fx *f, struct dxg_engine *e, uint32_t dev,
		       int32_t st, uint32_t idx)
{
	struct dxg_gpuva_view view;
	const struct dxg_va *v = dxg_gpuva_device_view(&view, f->s, dev);
	uint32_t bad = 0x5a5a5a5a, bad2 = 0x5a5a5a5a;

	assert_int_equal(dxg_cmdstream_validate(f->buf, f->len, v, e, &bad2), st);
	assert_int_equal(dxg_cmdstream_execute(f->buf, f->len, v, e, &bad), st);
	assert_int_equal(bad, st < 0 ? idx : 0x5a5a5a5a);
	if (st < 0)
		assert_int_equal(bad2, idx);
}

static uint64_t map_fence(struct fx *f, uint8_t *page)
{
	uint64_t fva, owner;
	uint32_t dev;

	assert_int_equal(dxg_gpuva_map_fence(f->s, page, FOWNER, FDEV, &fva), 0);
	assert_int_equal(fva & (PG - 1), 0);
	assert_true(fva >= DXG_GPUVA_BASE + DXG_GPUVA_SIZE - DXG_GPUVA_FENCE_WINDOW);
	assert_int_equal(dxg_gpuva_fence(f->s, fva, &owner, &dev), 0);
	assert_int_equal(owner, FOWNER);
	assert_int_equal(dev, FDEV);
	return fva;
}

static void fence_commands(void **state)
{
	struct fx *f = *state;
	_Alignas(8) static uint8_t page[PG];
	struct fake k = { .e.ops = &fake_ops };
	uint64_t fva = map_fence(f, page);
	uint64_t v = 42;
	uint32_t i;

	/* Parsed and accepted for the fence's own device only. */
	cmd_copy(f, f->va0 + 512, f->va0, 16);
	cmd_fence(f, DXG_CMD_FENCE_SIGNAL, fva, 5, 0);
	cmd_fence(f, DXG_CMD_FENCE_WAIT, fva, 6, 0);
	cmd_copy(f, f->va0, f->va0 + 64, 16);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, 0, 0);
	expect_dev(f, f->cpu, FDEV + 1, STATUS_ACCESS_DENIED, 1);
	/* The space's own view knows no fences. */
	expect(f, f->cpu, STATUS_ACCESS_DENIED, 1);
	/* Run in one piece, a fence command is a barrier. */
	expect_dev(f, &k.e, FDEV, 0, 0);
	assert_int_equal(k.flushes, 3);	/* two fences, the end */
	/* Version gate: no fence commands before version 3. */
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect_dev(f, f->cpu, FDEV, STATUS_ILLEGAL_INSTRUCTION, 1);
	finish_v(f, DXG_CMDBUF_VERSION);
	expect_dev(f, f->cpu, FDEV, STATUS_ILLEGAL_INSTRUCTION, 1);

	/* Malformed: reserved, address 0, unaligned, a wrong size. */
	restart(f);
	cmd_fence(f, DXG_CMD_FENCE_WAIT, fva, 1, 1);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, STATUS_INVALID_PARAMETER, 0);
	restart(f);
	cmd_fence(f, DXG_CMD_FENCE_SIGNAL, 0, 1, 0);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, STATUS_INVALID_PARAMETER, 0);
	restart(f);
	cmd_fence(f, DXG_CMD_FENCE_SIGNAL, fva + 4, 1, 0);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, STATUS_INVALID_PARAMETER, 0);
	restart(f);
	cmd_simple(f, DXG_CMD_FENCE_WAIT, 24);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, STATUS_INVALID_PARAMETER, 0);

	/* Not a fence's address: inside its page, an allocation, unmapped. */
	const uint64_t bad_va[] = { fva + 8, f->va0, f->va0 + 12 * PG, 8 };

	for (i = 0; i < sizeof(bad_va) / sizeof(bad_va[0]); i++) {
		restart(f);
		cmd_fill(f, f->va0, 16, 1);
		cmd_fence(f, DXG_CMD_FENCE_WAIT, bad_va[i], 1, 0);
		finish_v(f, DXG_CMDBUF_VERSION_3);
		expect_dev(f, f->cpu, FDEV, STATUS_ACCESS_DENIED, 1);
	}

	/* The fence page reads (COPY from it) but is never written. */
	memcpy(page, &v, sizeof(v));
	restart(f);
	cmd_copy(f, fva, f->va0 + 256, 8);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, 0, 0);
	assert_memory_equal(f->a + 256, &v, sizeof(v));
	restart(f);
	cmd_fill(f, fva, 8, 0);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, STATUS_ACCESS_DENIED, 0);
	/* A DISPATCH binds it read-only only (version 4). */
	{
		struct fake k = { .e.ops = &fake_ops };
		struct dxg_cmd_binding b = { 0, 0, fva, 8 };

		restart(f);
		cmd_dispatch(f, 1, 1, &b, 0, NULL);
		finish_v(f, DXG_CMDBUF_VERSION_4);
		expect_dev(f, &k.e, FDEV, STATUS_ACCESS_DENIED, 0);
		b.flags = DXG_CMD_BINDING_READ_ONLY;
		restart(f);
		cmd_dispatch(f, 1, 1, &b, 0, NULL);
		finish_v(f, DXG_CMDBUF_VERSION_4);
		expect_dev(f, &k.e, FDEV, 0, 1);
		assert_ptr_equal(k.last.bindings[0].host, page);
		assert_int_equal(k.last.bindings[0].read_only, 1);
	}

	/* At most DXG_CMD_MAX_FENCES per buffer. */
	restart(f);
	for (i = 0; i < DXG_CMD_MAX_FENCES; i++)
		cmd_fence(f, DXG_CMD_FENCE_SIGNAL, fva, i, 0);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, 0, 0);
	cmd_fence(f, DXG_CMD_FENCE_WAIT, fva, 0, 0);
	finish_v(f, DXG_CMDBUF_VERSION_3);
	expect_dev(f, f->cpu, FDEV, STATUS_INVALID_PARAMETER, DXG_CMD_MAX_FENCES);
	assert_int_equal(dxg_gpuva_unmap_fence(f->s, fva, FOWNER), 0);
}

/* One segment through the view of device FDEV. */
static int32_t segment(struct fx *f, struct dxg_engine *e,
		       struct dxg_cmd_cursor *cur, struct dxg_cmd_fence_op *op,
		       uint32_t *bad)
{
	struct dxg_gpuva_view view;

	return dxg_cmdstream_run_segment(f->buf, f->len,
					 dxg_gpuva_device_view(&view, f->s, FDEV),
					 e, cur, op, bad);
}

static void fence_segments(void **state)
{
	struct fx *f = *state;
	_Alignas(8) static uint8_t page[PG];
	struct fake k = { .e.ops = &fake_ops };
	uint64_t fva = map_fence(f, page);
	struct dxg_cmd_cursor cur = { 0 };
	struct dxg_cmd_fence_op op;
	struct dxg_cmd_signal sig[8];
	uint32_t bad = 0x5a5a5a5a;

	/* COPY | SIGNAL 5 | COPY COPY | WAIT 9 | SIGNAL 10 | COPY */
	cmd_copy(f, f->va0, f->va0 + 64, 8);
	cmd_fence(f, DXG_CMD_FENCE_SIGNAL, fva, 5, 0);
	cmd_copy(f, f->va0, f->va0 + 128, 8);
	cmd_copy(f, f->va0, f->va0 + 192, 8);
	cmd_fence(f, DXG_CMD_FENCE_WAIT, fva, 9, 0);
	cmd_fence(f, DXG_CMD_FENCE_SIGNAL, fva, 10, 0);
	cmd_copy(f, f->va0, f->va0 + 256, 8);
	finish_v(f, DXG_CMDBUF_VERSION_3);

	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), 0);
	assert_int_equal(k.copies, 1);
	assert_int_equal(k.flushes, 1);		/* each segment ends flushed */
	assert_int_equal(op.opcode, DXG_CMD_FENCE_SIGNAL);
	assert_int_equal(op.gpu_va, fva);
	assert_int_equal(op.value, 5);
	assert_int_equal(cur.index, 2);
	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), 0);
	assert_int_equal(k.copies, 3);
	assert_int_equal(op.opcode, DXG_CMD_FENCE_WAIT);
	assert_int_equal(op.value, 9);
	/* An empty segment between two fence commands. */
	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), 0);
	assert_int_equal(k.copies, 3);
	assert_int_equal(op.opcode, DXG_CMD_FENCE_SIGNAL);
	assert_int_equal(op.value, 10);
	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), 0);
	assert_int_equal(k.copies, 4);
	assert_int_equal(op.opcode, 0);		/* done */
	assert_int_equal(cur.index, 7);
	assert_int_equal(bad, 0x5a5a5a5a);

	/* A malformed buffer runs nothing, not even its first segment. */
	cur = (struct dxg_cmd_cursor){ 0 };
	k.copies = 0;
	cmd_fill(f, f->va0, 3, 0);		/* size not a multiple of 4 */
	finish_v(f, DXG_CMDBUF_VERSION_3);
	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), STATUS_INVALID_PARAMETER);
	assert_int_equal(bad, 7);
	assert_int_equal(k.copies, 0);
	assert_int_equal(cur.offset, 0);	/* not started */
	f->len -= sizeof(struct dxg_cmd_fill);
	f->ncmds--;
	finish_v(f, DXG_CMDBUF_VERSION_3);

	/*
	 * The space changes while the buffer waits: the later segment
	 * faults when it starts; its FENCE_SIGNALs are still there to do.
	 */
	cur = (struct dxg_cmd_cursor){ 0 };
	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), 0);
	assert_int_equal(dxg_gpuva_unmap(f->s, f->va0, 8 * PG), 0);
	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), STATUS_ACCESS_DENIED);
	assert_int_equal(bad, 2);
	assert_int_equal(k.copies, 1);
	assert_int_equal(dxg_cmdstream_signals(f->buf, f->len, sig, 8), 2);
	assert_int_equal(sig[0].index, 1);
	assert_int_equal(sig[0].op.value, 5);
	assert_int_equal(sig[1].index, 5);
	assert_int_equal(sig[1].op.opcode, DXG_CMD_FENCE_SIGNAL);
	assert_int_equal(sig[1].op.gpu_va, fva);
	assert_int_equal(sig[1].op.value, 10);
	assert_int_equal(dxg_cmdstream_signals(f->buf, f->len, sig, 1), 1);

	/* A cursor that does not fit the (changed) buffer: refused. */
	cur.offset = f->len + 8;
	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), STATUS_INVALID_PARAMETER);
	cur = (struct dxg_cmd_cursor){ .index = 99, .offset = 16 };
	assert_int_equal(segment(f, &k.e, &cur, &op, &bad), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_unmap_fence(f->s, fva, FOWNER), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* ---- version 2: DISPATCH2 and UPDATE ---- */

static void cmd_update(struct fx *f, uint64_t dst, const void *data, uint32_t n)
{
	struct dxg_cmd_update c = { { DXG_CMD_UPDATE, 0, (uint32_t)DXG_CMD_UPDATE_SIZE(n) },
				    dst, n, 0 };
	static const uint8_t zero[8];

	put(f, &c, sizeof(c));
	put(f, data, n);
	put(f, zero, DXG_ALIGN8(n) - n);
	f->ncmds++;
}

static void cmd_dispatch2(struct fx *f, const uint32_t base[3], const uint32_t groups[3],
			  uint64_t indirect, const struct dxg_cmd_binding *b, uint32_t nb)
{
	struct dxg_cmd_dispatch2 c = {
		.hdr = { DXG_CMD_DISPATCH2, 0, (uint32_t)DXG_CMD_DISPATCH2_SIZE(nb, 0) },
		.pipeline = 7, .indirect_va = indirect, .num_bindings = nb,
	};

	memcpy(c.base, base, sizeof(c.base));
	memcpy(c.groups, groups, sizeof(c.groups));
	put(f, &c, sizeof(c));
	put(f, b, nb * (uint32_t)sizeof(*b));
	f->ncmds++;
}

static void update_results(void **state)
{
	struct fx *f = *state;
	const uint8_t data[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const uint8_t zero[64];

	cmd_update(f, f->va0 + 100, data, sizeof(data));
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, f->cpu, 0, 0);
	assert_memory_equal(f->a + 100, data, sizeof(data));
	assert_memory_equal(f->a + 112, zero, 8);	/* nothing past size */

	/* Version 1 has no UPDATE. */
	finish(f);
	expect(f, f->cpu, STATUS_ILLEGAL_INSTRUCTION, 0);

	/* Misaligned, empty, too big, size_bytes not matching, unmapped. */
	{
		struct { uint64_t va; uint32_t n; int32_t st; } bad[] = {
			{ f->va0 + 2, 4, STATUS_INVALID_PARAMETER },
			{ f->va0, 6, STATUS_INVALID_PARAMETER },
			{ f->va0 + 12 * PG, 8, STATUS_ACCESS_DENIED },
			{ f->va0 + 8 * PG - 4, 8, STATUS_ACCESS_DENIED },	/* two mappings */
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			f->len = 16;
			f->ncmds = 0;
			cmd_update(f, bad[i].va, data, bad[i].n);
			finish_v(f, DXG_CMDBUF_VERSION_2);
			expect(f, f->cpu, bad[i].st, 0);
		}
	}
	{
		struct dxg_cmd_update c = { { DXG_CMD_UPDATE, 0, 24 + 8 }, f->va0,
					    DXG_CMD_MAX_UPDATE + 4, 0 };

		f->len = 16;
		f->ncmds = 0;
		put(f, &c, sizeof(c));
		put(f, zero, 8);
		f->ncmds++;
		finish_v(f, DXG_CMDBUF_VERSION_2);
		expect(f, f->cpu, STATUS_INVALID_PARAMETER, 0);
	}
}

static void dispatch2_base_and_indirect(void **state)
{
	struct fx *f = *state;
	struct fake k = { .e.ops = &fake_ops };
	const struct dxg_cmd_binding b = { 0, 0, f->va0 + PG, 256 };
	const uint32_t base[3] = { 3, 2, 1 }, groups[3] = { 4, 5, 6 };
	const uint32_t later[3] = { 9, 8, 7 }, zero3[3] = { 0 };

	cmd_dispatch2(f, base, groups, 0, &b, 1);
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, &k.e, 0, 0);
	assert_int_equal(k.dispatches, 1);
	assert_memory_equal(k.last.base, base, sizeof(base));
	assert_memory_equal(k.last.groups, groups, sizeof(groups));
	assert_ptr_equal(k.last.bindings[0].host, f->a + PG);

	/* Indirect: the counts an earlier command of the buffer wrote. */
	f->len = 16;
	f->ncmds = 0;
	memcpy(f->a + 64, groups, sizeof(groups));
	cmd_update(f, f->va0 + 64, later, sizeof(later));
	cmd_simple(f, DXG_CMD_BARRIER, 8);
	cmd_dispatch2(f, zero3, groups, f->va0 + 64, &b, 1);
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, &k.e, 0, 0);
	assert_int_equal(k.dispatches, 2);
	assert_memory_equal(k.last.groups, later, sizeof(later));

	/* A zero count dispatches nothing. */
	memset(f->a + 64, 0, 12);
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch2(f, zero3, groups, f->va0 + 64, &b, 1);
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, &k.e, 0, 0);
	assert_int_equal(k.dispatches, 2);

	/* Unmapped or misaligned indirect address; DISPATCH2 in version 1. */
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch2(f, zero3, groups, f->va0 + 12 * PG, &b, 1);
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, &k.e, STATUS_ACCESS_DENIED, 0);
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch2(f, zero3, groups, f->va0 + 2, &b, 1);
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, &k.e, STATUS_INVALID_PARAMETER, 0);
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch2(f, base, groups, 0, &b, 1);
	finish(f);
	expect(f, &k.e, STATUS_ILLEGAL_INSTRUCTION, 0);
	/* The CPU engine has no dispatch. */
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, f->cpu, STATUS_NOT_SUPPORTED, 0);
}

/* DISPATCH3 at f: DISPATCH2's fields, 32-byte bindings, no push constants. */
static void cmd_dispatch3(struct fx *f, const uint32_t groups[3],
			  const struct dxg_cmd_binding3 *b, uint32_t nb, uint32_t size_adjust)
{
	struct dxg_cmd_dispatch2 c = {
		{ DXG_CMD_DISPATCH3, 0, (uint32_t)DXG_CMD_DISPATCH3_SIZE(nb, 0) + size_adjust },
		7, { 0, 0, 0 }, { groups[0], groups[1], groups[2] }, 0, nb, 0 };
	static const uint8_t zero[8];

	put(f, &c, sizeof(c));
	put(f, b, nb * (uint32_t)sizeof(*b));
	put(f, zero, size_adjust);
	f->ncmds++;
}

/*
 * DISPATCH3 (version 6): bindings carry an image's extent to the engine
 * beside the format; runs as DISPATCH2 does; not in version 5, not of a
 * size that does not add up.
 */
static void dispatch3_image_extent(void **state)
{
	struct fx *f = *state;
	struct fake k = { .e.ops = &fake_ops };
	const uint32_t groups[3] = { 2, 3, 1 };
	const struct dxg_cmd_binding3 b[2] = {
		{ 0, FMT_R32_UINT << DXG_CMD_BINDING_FORMAT_SHIFT, f->va0 + PG, 4096, 33, 17 },
		{ 1, 0, f->va0 + 2 * PG, 256, 0, 0 },
	};

	cmd_dispatch3(f, groups, b, 2, 0);
	finish_v(f, DXG_CMDBUF_VERSION_6);
	expect(f, &k.e, 0, 0);
	assert_int_equal(k.dispatches, 1);
	assert_memory_equal(k.last.groups, groups, sizeof(groups));
	assert_int_equal(k.last.bindings[0].format, FMT_R32_UINT);
	assert_int_equal(k.last.bindings[0].width, 33);
	assert_int_equal(k.last.bindings[0].height, 17);
	assert_ptr_equal(k.last.bindings[0].host, f->a + PG);
	assert_int_equal(k.last.bindings[1].width, 0);
	assert_ptr_equal(k.last.bindings[1].host, f->a + 2 * PG);
	/* Version 5 has no DISPATCH3. */
	finish_v(f, DXG_CMDBUF_VERSION_5);
	expect(f, &k.e, STATUS_ILLEGAL_INSTRUCTION, 0);
	/* The size is DISPATCH3's formula, not DISPATCH2's. */
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch3(f, groups, b, 2, 8);
	finish_v(f, DXG_CMDBUF_VERSION_6);
	expect(f, &k.e, STATUS_INVALID_PARAMETER, 0);
	/* A binding's range is checked as DISPATCH's are. */
	{
		struct dxg_cmd_binding3 far[1] = { b[0] };

		far[0].va = f->va0 + 12 * PG;		/* unmapped */
		f->len = 16;
		f->ncmds = 0;
		cmd_dispatch3(f, groups, far, 1, 0);
		finish_v(f, DXG_CMDBUF_VERSION_6);
		expect(f, &k.e, STATUS_ACCESS_DENIED, 0);
	}
	assert_int_equal(k.dispatches, 1);
}

/* DISPATCH4 at f: DISPATCH2's fields, 64-byte bindings, no push constants. */
static void cmd_dispatch4(struct fx *f, const struct dxg_cmd_binding4 *b, uint32_t nb,
			  uint32_t size_adjust)
{
	struct dxg_cmd_dispatch2 c = {
		{ DXG_CMD_DISPATCH4, 0, (uint32_t)DXG_CMD_DISPATCH4_SIZE(nb, 0) + size_adjust },
		7, { 0, 0, 0 }, { 1, 1, 1 }, 0, nb, 0 };
	static const uint8_t zero[8];

	put(f, &c, sizeof(c));
	put(f, b, nb * (uint32_t)sizeof(*b));
	put(f, zero, size_adjust);
	f->ncmds++;
}

/* One DISPATCH4 of @b alone at f, version @v, and what the engine answers. */
static void dispatch4_one(struct fx *f, struct fake *k, const struct dxg_cmd_binding4 *b,
			  uint32_t v, int32_t want)
{
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch4(f, b, 1, 0);
	finish_v(f, v);
	expect(f, &k->e, want, 0);
}

/*
 * DISPATCH4 (version 7): bindings carry a sampler's state to the engine
 * as it was sent (the engine checks it); a sampler slot's binding has no
 * memory, and then nothing else either; not in version 6.
 */
static void dispatch4_sampler(void **state)
{
	struct fx *f = *state;
	struct fake k = { .e.ops = &fake_ops };
	struct dxg_cmd_binding4 b[2] = {
		{ 0, FMT_R32_UINT << DXG_CMD_BINDING_FORMAT_SHIFT, f->va0 + PG, 4096, 33, 17,
		  { 1, 2, 3, 4 }, 0,
		  { .mag_filter = 1, .address_mode = { 2, 3, 4 }, .max_lod = 0x3f800000u } },
		{ 1, 0, 0, 0, 0, 0, { 0 }, 0,
		  { .min_filter = 1, .flags = DXG_SAMPLER_UNNORMALIZED } },
	};

	cmd_dispatch4(f, b, 2, 0);
	finish_v(f, DXG_CMDBUF_VERSION_7);
	expect(f, &k.e, 0, 0);
	assert_int_equal(k.dispatches, 1);
	assert_int_equal(k.last.bindings[0].format, FMT_R32_UINT);
	assert_int_equal(k.last.bindings[0].width, 33);
	assert_ptr_equal(k.last.bindings[0].host, f->a + PG);
	assert_memory_equal(&k.last.bindings[0].sampler, &b[0].sampler, sizeof(b[0].sampler));
	assert_memory_equal(k.last.bindings[0].swizzle, b[0].swizzle, 4);
	assert_null(k.last.bindings[1].host);
	assert_null(k.last.bindings[1].dev);
	assert_int_equal(k.last.bindings[1].size, 0);
	assert_memory_equal(&k.last.bindings[1].sampler, &b[1].sampler, sizeof(b[1].sampler));
	/* Version 6 has no DISPATCH4. */
	finish_v(f, DXG_CMDBUF_VERSION_6);
	expect(f, &k.e, STATUS_ILLEGAL_INSTRUCTION, 0);
	/* The size is DISPATCH4's formula. */
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch4(f, b, 2, 8);
	finish_v(f, DXG_CMDBUF_VERSION_7);
	expect(f, &k.e, STATUS_INVALID_PARAMETER, 0);
	/* No memory: no address, flags or extent either. */
	b[1].va = f->va0 + PG;
	dispatch4_one(f, &k, &b[1], DXG_CMDBUF_VERSION_7, STATUS_INVALID_PARAMETER);
	b[1].va = 0;
	b[1].width = 1;
	dispatch4_one(f, &k, &b[1], DXG_CMDBUF_VERSION_7, STATUS_INVALID_PARAMETER);
	b[1].width = 0;
	b[1].flags = DXG_CMD_BINDING_READ_ONLY;
	dispatch4_one(f, &k, &b[1], DXG_CMDBUF_VERSION_7, STATUS_INVALID_PARAMETER);
	b[1].flags = 0;
	b[1].swizzle[2] = 1;
	dispatch4_one(f, &k, &b[1], DXG_CMDBUF_VERSION_7, STATUS_INVALID_PARAMETER);
	b[1].swizzle[2] = 0;
	/* The reserved word is 0. */
	b[0].reserved = 1;
	dispatch4_one(f, &k, &b[0], DXG_CMDBUF_VERSION_7, STATUS_INVALID_PARAMETER);
	b[0].reserved = 0;
	/* Memory is resolved as ever. */
	b[0].va = f->va0 + 12 * PG;		/* unmapped */
	dispatch4_one(f, &k, &b[0], DXG_CMDBUF_VERSION_7, STATUS_ACCESS_DENIED);
	b[1].va = 0;
	assert_int_equal(k.dispatches, 1);
}

/* One DISPATCH5 of the @nb bindings @b at f, version @v, and what the engine answers. */
static void dispatch5(struct fx *f, struct fake *k, const struct dxg_cmd_binding5 *b,
		      uint32_t nb, uint32_t v, int32_t want)
{
	struct dxg_cmd_dispatch2 c = {
		{ DXG_CMD_DISPATCH5, 0, (uint32_t)DXG_CMD_DISPATCH5_SIZE(nb, 0) },
		7, { 0, 0, 0 }, { 1, 1, 1 }, 0, nb, 0 };

	f->len = 16;
	f->ncmds = 0;
	put(f, &c, sizeof(c));
	put(f, b, nb * (uint32_t)sizeof(*b));
	f->ncmds++;
	finish_v(f, v);
	expect(f, &k->e, want, 0);
}

/*
 * DISPATCH5 (version 8): an image binding's view shape reaches the engine
 * (the alignment as bytes); a binding without one (levels 0) has every
 * shape field zero, as before; each field in range; not in version 7.
 */
static void dispatch5_views(void **state)
{
	struct fx *f = *state;
	struct fake k = { .e.ops = &fake_ops };
	struct dxg_cmd_binding5 b[2] = {
		{ { 0, FMT_R32_UINT << DXG_CMD_BINDING_FORMAT_SHIFT, f->va0 + PG, 8192, 33, 17,
		    { 0 }, 0, { 0 } }, DXG_VIEW_2D_ARRAY, 8, 2, 3, 1, 0, 2048 },
		{ { 1, 0, f->va0 + 3 * PG, 256, 0, 0, { 0 }, 0, { 0 } }, 0, 0, 0, 0, 0, 0, 0 },
	};
	struct dxg_cmd_binding5 one;

	dispatch5(f, &k, b, 2, DXG_CMDBUF_VERSION_8, 0);
	assert_int_equal(k.dispatches, 1);
	assert_int_equal(k.last.bindings[0].view_type, DXG_VIEW_2D_ARRAY);
	assert_int_equal(k.last.bindings[0].levels, 2);
	assert_int_equal(k.last.bindings[0].layers, 3);
	assert_int_equal(k.last.bindings[0].depth, 1);
	assert_int_equal(k.last.bindings[0].align, 256);
	assert_int_equal(k.last.bindings[0].layer_stride, 2048);
	assert_int_equal(k.last.bindings[0].width, 33);
	assert_ptr_equal(k.last.bindings[0].host, f->a + PG);
	assert_int_equal(k.last.bindings[1].levels, 0);
	assert_int_equal(k.last.bindings[1].align, 0);
	/* Version 7 has no DISPATCH5. */
	dispatch5(f, &k, b, 2, DXG_CMDBUF_VERSION_7, STATUS_ILLEGAL_INSTRUCTION);
	/* Each field out of range, or set without a view. */
	one = b[0];
	one.view_type = DXG_VIEW_TYPE_MAX + 1;
	dispatch5(f, &k, &one, 1, DXG_CMDBUF_VERSION_8, STATUS_INVALID_PARAMETER);
	one = b[0];
	one.align_log2 = DXG_IMAGE_MIN_ALIGN_LOG2 - 1;
	dispatch5(f, &k, &one, 1, DXG_CMDBUF_VERSION_8, STATUS_INVALID_PARAMETER);
	one.align_log2 = DXG_IMAGE_MAX_ALIGN_LOG2 + 1;
	dispatch5(f, &k, &one, 1, DXG_CMDBUF_VERSION_8, STATUS_INVALID_PARAMETER);
	one = b[0];
	one.layers = 0;
	dispatch5(f, &k, &one, 1, DXG_CMDBUF_VERSION_8, STATUS_INVALID_PARAMETER);
	one = b[0];
	one.depth = 0;
	dispatch5(f, &k, &one, 1, DXG_CMDBUF_VERSION_8, STATUS_INVALID_PARAMETER);
	one = b[0];
	one.reserved = 1;
	dispatch5(f, &k, &one, 1, DXG_CMDBUF_VERSION_8, STATUS_INVALID_PARAMETER);
	one = b[1];
	one.layer_stride = 64;			/* no view, yet a stride */
	dispatch5(f, &k, &one, 1, DXG_CMDBUF_VERSION_8, STATUS_INVALID_PARAMETER);
	one = b[1];
	one.depth = 1;
	dispatch5(f, &k, &one, 1, DXG_CMDBUF_VERSION_8, STATUS_INVALID_PARAMETER);
	assert_int_equal(k.dispatches, 1);
}

/* CREATE_PIPELINE2: the layout parsed, every count and field bounded. */
static void escape_pipeline2(void **state)
{
	struct dxg_pipeline_slot slots[DXG_CMD_MAX_BINDINGS];
	struct dxg_pipeline_spec spec[DXG_PIPELINE_MAX_SPEC];
	struct dxg_escape_create_pipeline2 c = {
		.op = DXG_ESCAPE_CREATE_PIPELINE2, .entry = "main", .num_slots = 2,
		.push_size = 8, .spirv_size = 24, .num_spec = 1, .spec_data_size = 4,
	}, out;
	const struct dxg_pipeline_slot s2[2] = { { 1, DXG_SLOT_UNIFORM_BUFFER, 0, 3 },
						  { 0, DXG_SLOT_STORAGE_BUFFER, 0, 0 } };
	const struct dxg_pipeline_spec sp = { 5, 0, 4, 0 };
	uint32_t spirv[6] = { DXG_SPIRV_MAGIC, 0x10000, 0, 10, 0, 0 };
	const uint8_t data[8] = { 42 };
	uint8_t p[256];
	const uint8_t *sd, *code;
	size_t n = DXG_ESCAPE_CREATE_PIPELINE2_SIZE(2, 1, 4, 24);

	(void)state;
	assert_true(n <= sizeof(p));
#define BUILD(hdr) do { \
		memcpy(p, &(hdr), sizeof(hdr)); \
		memcpy(p + 104, s2, sizeof(s2)); \
		memcpy(p + 120, &sp, sizeof(sp)); \
		memcpy(p + 136, data, 8); \
		memcpy(p + 144, spirv, sizeof(spirv)); \
	} while (0)
	BUILD(c);
	assert_int_equal(n, 168);
	assert_int_equal(dxg_escape_check_create_pipeline2(p, n, &out, slots, spec,
							   &sd, &code), 0);
	assert_int_equal(out.num_slots, 2);
	assert_int_equal(slots[0].set, 1);
	assert_int_equal(slots[0].binding, 3);
	assert_int_equal(slots[0].type, DXG_SLOT_UNIFORM_BUFFER);
	assert_int_equal(spec[0].constant_id, 5);
	assert_ptr_equal(sd, p + 136);
	assert_ptr_equal(code, p + 144);
	/* Every size and field: one bad value each. */
	assert_int_not_equal(dxg_escape_check_create_pipeline2(p, n - 4, &out, slots,
							       spec, &sd, &code), 0);
#define BAD(field, v) do { \
		struct dxg_escape_create_pipeline2 t = c; \
		t.field = v; \
		BUILD(t); \
		assert_int_equal(dxg_escape_check_create_pipeline2(p, n, &out, slots, \
				 spec, &sd, &code), STATUS_INVALID_PARAMETER); \
	} while (0)
	BAD(flags, 1);
	BAD(num_slots, DXG_CMD_MAX_BINDINGS + 1);
	BAD(num_spec, DXG_PIPELINE_MAX_SPEC + 1);
	BAD(spec_data_size, 0xfffffff9u);
	BAD(push_size, 6);
	BAD(spirv_size, 0xfffffffcu);
	BAD(num_slots, 3);	/* the sizes no longer add up */
	BAD(op, DXG_ESCAPE_CREATE_PIPELINE);
#undef BAD
	/* A slot's set beyond the limit, an unknown type, an element too far. */
	BUILD(c);
	p[104] = DXG_PIPELINE_MAX_SETS;
	assert_int_equal(dxg_escape_check_create_pipeline2(p, n, &out, slots, spec,
							   &sd, &code),
			 STATUS_INVALID_PARAMETER);
	BUILD(c);
	p[105] = DXG_SLOT_TYPE_MAX + 1;
	assert_int_equal(dxg_escape_check_create_pipeline2(p, n, &out, slots, spec,
							   &sd, &code),
			 STATUS_INVALID_PARAMETER);
	BUILD(c);
	p[105] = DXG_SLOT_STORAGE_TEXEL_BUFFER;	/* a texel buffer (the engine checks the SPIR-V) */
	assert_int_equal(dxg_escape_check_create_pipeline2(p, n, &out, slots, spec,
							   &sd, &code), 0);
	assert_int_equal(slots[0].type, DXG_SLOT_STORAGE_TEXEL_BUFFER);
	BUILD(c);
	p[106] = DXG_CMD_MAX_BINDINGS;	/* the element (u16) */
	assert_int_equal(dxg_escape_check_create_pipeline2(p, n, &out, slots, spec,
							   &sd, &code),
			 STATUS_INVALID_PARAMETER);
	BUILD(c);
	p[106] = DXG_CMD_MAX_BINDINGS - 1;	/* the form is fine; the layout is the engine's */
	assert_int_equal(dxg_escape_check_create_pipeline2(p, n, &out, slots, spec,
							   &sd, &code), 0);
	assert_int_equal(slots[0].element, DXG_CMD_MAX_BINDINGS - 1);
	/* Not SPIR-V where the module should start. */
	BUILD(c);
	p[144] ^= 0xff;
	assert_int_equal(dxg_escape_check_create_pipeline2(p, n, &out, slots, spec,
							   &sd, &code),
			 STATUS_INVALID_PARAMETER);
#undef BUILD
}

/* ---- device memory: the engine's xfer op, never a host pointer ---- */

struct fake_dev {
	struct dxg_engine e;
	struct dxg_engine_xfer x[8];
	struct dxg_engine_dispatch d;
	unsigned int nx, nd;
};

static int32_t fd_xfer(struct dxg_engine *e, const struct dxg_engine_xfer *x)
{
	struct fake_dev *f = (struct fake_dev *)e;

	if (f->nx < 8)
		f->x[f->nx] = *x;
	f->nx++;
	return 0;
}

static int32_t fd_dispatch(struct dxg_engine *e, const struct dxg_engine_dispatch *d)
{
	struct fake_dev *f = (struct fake_dev *)e;

	f->d = *d;
	f->nd++;
	return 0;
}

static int32_t fd_copy(struct dxg_engine *e, void *dst, const void *src, uint64_t n)
{
	(void)e, (void)dst, (void)src, (void)n;
	fail_msg("a host copy for device memory");
	return 0;
}

static int32_t fd_fill(struct dxg_engine *e, void *dst, uint64_t n, uint32_t p)
{
	(void)e, (void)dst, (void)n, (void)p;
	fail_msg("a host fill for device memory");
	return 0;
}

static int32_t fd_update(struct dxg_engine *e, void *dst, const void *src, uint64_t n)
{
	return fd_copy(e, dst, src, n);
}

static int32_t fd_timestamp(struct dxg_engine *e, uint64_t *dst)
{
	(void)e, (void)dst;
	fail_msg("a host timestamp into device memory");
	return 0;
}

static const struct dxg_engine_ops fd_ops = {
	.name = "fake-dev", .copy = fd_copy, .fill = fd_fill, .update = fd_update,
	.timestamp = fd_timestamp, .dispatch = fd_dispatch, .xfer = fd_xfer,
};

static void device_memory(void **state)
{
	struct fx *f = *state;
	struct fake_dev k = { .e.ops = &fd_ops };
	int devobj;
	uint64_t dva;
	const uint32_t data[2] = { 7, 9 }, zero3[3] = { 0 }, g[3] = { 1, 1, 1 };
	const struct dxg_cmd_binding b = { 0, 0, 0, 256 };
	struct dxg_cmd_binding bd = b;

	/* 4 device pages at the reservation's last 4 pages (unmapped so far). */
	dva = f->va0 + 12 * PG;
	assert_int_equal(dxg_gpuva_map_dev(f->s, dva, 4 * PG, &devobj, 8 * PG, 9), 0);
	assert_null(dxg_gpuva_translate(f->s, dva, 4));	/* no host pointer, ever */

	cmd_copy(f, f->va0, dva + 16, 64);		/* host -> device */
	cmd_copy(f, dva + 64, f->va0 + 128, 32);	/* device -> host */
	cmd_fill(f, dva, 64, 0x55aa55aa);
	cmd_update(f, dva + PG, data, sizeof(data));
	cmd_ts(f, dva + 2 * PG);
	bd.va = dva + 256;
	cmd_dispatch2(f, zero3, g, 0, &bd, 1);
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, &k.e, 0, 0);
	assert_int_equal(k.nx, 5);
	assert_int_equal(k.x[0].op, DXG_XFER_COPY);
	assert_ptr_equal(k.x[0].src.host, f->a);
	assert_ptr_equal(k.x[0].dst.dev, &devobj);
	assert_int_equal(k.x[0].dst.dev_offset, 8 * PG + 16);
	assert_int_equal(k.x[0].size, 64);
	assert_ptr_equal(k.x[1].src.dev, &devobj);
	assert_int_equal(k.x[1].src.dev_offset, 8 * PG + 64);
	assert_ptr_equal(k.x[1].dst.host, f->a + 128);
	assert_int_equal(k.x[2].op, DXG_XFER_FILL);
	assert_int_equal(k.x[2].pattern, 0x55aa55aa);
	assert_int_equal(k.x[3].op, DXG_XFER_UPDATE);
	assert_int_equal(k.x[3].size, 8);
	assert_int_equal(k.x[4].op, DXG_XFER_TIMESTAMP);
	assert_int_equal(k.x[4].dst.dev_offset, 10 * PG);
	assert_int_equal(k.nd, 1);
	assert_null(k.d.bindings[0].host);
	assert_ptr_equal(k.d.bindings[0].dev, &devobj);
	assert_int_equal(k.d.bindings[0].dev_offset, 8 * PG + 256);

	/* The CPU engine has no device memory: refused before anything runs. */
	expect(f, f->cpu, STATUS_NOT_SUPPORTED, 0);
	/* Indirect counts in device memory: the engine reads them there. */
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch2(f, zero3, g, dva + 4 * PG - 12, &b, 0);
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, &k.e, 0, 0);
	assert_ptr_equal(k.d.indirect.dev, &devobj);
	assert_int_equal(k.d.indirect.dev_offset, 12 * PG - 12);
	assert_null(k.d.indirect.host);
	/* Not past its end. */
	f->len = 16;
	f->ncmds = 0;
	cmd_dispatch2(f, zero3, g, dva + 4 * PG - 8, &b, 0);
	finish_v(f, DXG_CMDBUF_VERSION_2);
	expect(f, &k.e, STATUS_ACCESS_DENIED, 0);
	/* A range from host into device memory crosses two mappings. */
	f->len = 16;
	f->ncmds = 0;
	cmd_fill(f, dva - 4, 8, 0);
	finish(f);
	expect(f, &k.e, STATUS_ACCESS_DENIED, 0);
	/* Unmapping by owner drops it like any mapping. */
	dxg_gpuva_unmap_owner(f->s, 9);
	f->len = 16;
	f->ncmds = 0;
	cmd_fill(f, dva, 8, 0);
	finish(f);
	expect(f, &k.e, STATUS_ACCESS_DENIED, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(header_errors),
		T(header_limits),
		T(framing_errors),
		T(opcode_sizes),
		T(copy_fill_results),
		T(copy_overlap_is_memmove),
		T(timestamp_results),
		T(copy_fill_ts_errors),
		T(nothing_runs_when_invalid),
		T(dispatch_not_supported_on_cpu),
		T(dispatch_reaches_engine),
		T(dispatch_errors),
		T(protection_enforced),
		T(dispatch_binding_protection),
		T(escapes),
		T(cpu_fill_sizes),
		T(update_results),
		T(dispatch2_base_and_indirect),
		T(dispatch3_image_extent),
		T(dispatch4_sampler),
		T(dispatch5_views),
		T(escape_pipeline2),
		T(device_memory),
		T(fence_commands),
		T(fence_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
