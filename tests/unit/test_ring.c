// SPDX-License-Identifier: MIT
/* The shared ring codec (include/dxg/ring.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dxg/ring.h"

#define RSIZE	DXG_RING_MIN_SIZE

struct fixture {
	uint8_t *mem;
	struct dxg_ring r;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->mem = calloc(1, DXG_RING_HDR_SIZE + RSIZE);
	assert_int_equal(dxg_ring_init(&f->r, f->mem, RSIZE), 0);
	dxg_ring_reset(&f->r);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

static void fill(uint8_t *p, uint32_t n, uint8_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void test_init_sizes(void **state)
{
	struct dxg_ring r;
	uint8_t *dummy = calloc(1, DXG_RING_HDR_SIZE + DXG_RING_MIN_SIZE + 8);

	(void)state;
	assert_int_equal(dxg_ring_init(&r, dummy, DXG_RING_MIN_SIZE - 8), -EINVAL);
	assert_int_equal(dxg_ring_init(&r, dummy, DXG_RING_MAX_SIZE + 8), -EINVAL);
	assert_int_equal(dxg_ring_init(&r, dummy, DXG_RING_MIN_SIZE + 4), -EINVAL);
	assert_int_equal(dxg_ring_init(&r, dummy, DXG_RING_MIN_SIZE + 8), 0);
	assert_ptr_equal(r.data, dummy + DXG_RING_HDR_SIZE);
	free(dummy);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	uint8_t a[24], b[100], out[256];
	struct dxg_pkt_desc d;

	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 99);
	assert_int_equal(dxg_ring_pending(&f->r), 0);
	assert_int_equal(dxg_ring_write2(&f->r, DXG_PKT_DATA_INBAND,
					 DXG_PKT_FLAG_COMPLETION_REQUESTED, 42,
					 a, sizeof(a), b, sizeof(b)), 0);
	assert_int_equal(dxg_ring_pending(&f->r), 1);
	/* The reader sees the payload padded to 8 bytes. */
	assert_int_equal(dxg_ring_read(&f->r, &d, out, sizeof(out)), 128);
	assert_int_equal(d.type, DXG_PKT_DATA_INBAND);
	assert_int_equal(d.flags, DXG_PKT_FLAG_COMPLETION_REQUESTED);
	assert_int_equal(d.trans_id, 42);
	assert_int_equal(d.offset8, 2);
	assert_int_equal(d.len8, 2 + 128 / 8);
	assert_memory_equal(out, a, sizeof(a));
	assert_memory_equal(out + sizeof(a), b, sizeof(b));
	assert_int_equal(dxg_ring_read(&f->r, &d, out, sizeof(out)), -ENODATA);
	assert_int_equal(dxg_ring_pending(&f->r), 0);
}

static void test_padding_and_trailer(void **state)
{
	struct fixture *f = *state;
	uint8_t a[5] = { 1, 2, 3, 4, 5 };
	uint64_t trailer;

	memset(f->r.data, 0xee, 64);
	f->r.hdr->write_index = f->r.hdr->read_index = 8;
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 7, a, 5, NULL, 0), 0);
	/* descriptor at 8, payload at 24, padding 29..31, trailer at 32 */
	assert_memory_equal(f->r.data + 24, a, 5);
	assert_int_equal(f->r.data[29] | f->r.data[30] | f->r.data[31], 0);
	memcpy(&trailer, f->r.data + 32, 8);
	assert_int_equal(trailer, (uint64_t)8 << 32);
	assert_int_equal(f->r.hdr->write_index, 40);
}

static void test_wrap_around(void **state)
{
	struct fixture *f = *state;
	uint8_t in[200], out[256];
	struct dxg_pkt_desc d;

	fill(in, sizeof(in), 3);
	/* Start 24 bytes before the end: the descriptor and payload wrap. */
	for (uint32_t start = RSIZE - 24; start < RSIZE; start += 8) {
		/* Move both indices, then attach a fresh view (cursors reload). */
		f->r.hdr->write_index = f->r.hdr->read_index = start;
		assert_int_equal(dxg_ring_init(&f->r, f->mem, RSIZE), 0);
		assert_int_equal(dxg_ring_write2(&f->r, 6, 0, start, in, 100,
						 in + 100, 100), 0);
		assert_true(f->r.hdr->write_index < start);
		assert_int_equal(dxg_ring_read(&f->r, &d, out, sizeof(out)), 200);
		assert_int_equal(d.trans_id, start);
		assert_memory_equal(out, in, sizeof(in));
		assert_int_equal(f->r.hdr->read_index, f->r.hdr->write_index);
	}
}

static void test_exact_full(void **state)
{
	struct fixture *f = *state;
	uint8_t in[64] = { 0 };
	/* 16 descriptor + 64 payload + 8 trailer */
	const uint32_t total = 88;

	/* Exactly `total` bytes free: the writer must leave one granule. */
	f->r.hdr->write_index = 1000;
	f->r.hdr->read_index = 1000 + total;
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 64, NULL, 0), -EAGAIN);
	assert_int_equal(f->r.hdr->write_index, 1000);
	f->r.hdr->read_index = 1000 + total + 8;
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 64, NULL, 0), 0);
	assert_int_equal(f->r.hdr->write_index, 1000 + total);
}

static void test_fill_until_full(void **state)
{
	struct fixture *f = *state;
	uint8_t in[1000] = { 0 }, out[1024];
	struct dxg_pkt_desc d;
	int n = 0;

	while (dxg_ring_write2(&f->r, 6, 0, (uint64_t)n, in, sizeof(in), NULL, 0) == 0)
		n++;
	/* 1024 bytes each; the writer always leaves one granule free */
	assert_int_equal(n, RSIZE / 1024 - 1);
	for (int i = 0; i < n; i++) {
		assert_int_equal(dxg_ring_read(&f->r, &d, out, sizeof(out)), 1000);
		assert_int_equal(d.trans_id, (uint64_t)i);
	}
	assert_int_equal(dxg_ring_read(&f->r, &d, out, sizeof(out)), -ENODATA);
}

static void test_oversize(void **state)
{
	struct fixture *f = *state;
	static uint8_t big[DXG_MAX_PACKET_PAYLOAD + 8];

	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, big,
					 DXG_MAX_PACKET_PAYLOAD + 1, NULL, 0),
			 -EMSGSIZE);
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, big,
					 DXG_MAX_PACKET_PAYLOAD, big, 8), -EMSGSIZE);
	/* Fits the protocol but never this 16 KiB ring. */
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, big, RSIZE, NULL, 0),
			 -EMSGSIZE);
	assert_int_equal(f->r.hdr->write_index, 0);
}

static void test_read_small_buffer_consumes(void **state)
{
	struct fixture *f = *state;
	uint8_t in[64] = { 0 }, out[16];
	struct dxg_pkt_desc d;

	assert_int_equal(dxg_ring_write2(&f->r, 6, 1, 9, in, 64, NULL, 0), 0);
	assert_int_equal(dxg_ring_read(&f->r, &d, out, sizeof(out)), -EMSGSIZE);
	assert_int_equal(d.trans_id, 9);
	assert_int_equal(dxg_ring_read(&f->r, &d, out, sizeof(out)), -ENODATA);
}

static void test_corrupt_indices(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[64] = { 0 };
	struct dxg_pkt_desc d;
	struct dxg_ring fresh;
	const uint32_t bad[] = { 3, RSIZE, RSIZE + 8, 0xfffffff8u };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f->r.hdr->read_index = 0;
		f->r.hdr->write_index = bad[i];
		assert_int_equal(dxg_ring_read(&f->r, &d, buf, sizeof(buf)), -EPROTO);
		assert_int_equal(dxg_ring_pending(&f->r), -EPROTO);
		assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, buf, 8, NULL, 0),
				 -EPROTO);
		/* A view attaching to a ring whose read_index is bad. */
		f->r.hdr->write_index = 0;
		f->r.hdr->read_index = bad[i];
		assert_int_equal(dxg_ring_init(&fresh, f->mem, RSIZE), 0);
		assert_int_equal(dxg_ring_read(&fresh, &d, buf, sizeof(buf)), -EPROTO);
		assert_int_equal(dxg_ring_pending(&fresh), -EPROTO);
		assert_int_equal(dxg_ring_write2(&fresh, 6, 0, 1, buf, 8, NULL, 0),
				 -EPROTO);
	}
}

/* The consumer keeps its own cursor: a peer rewriting read_index is ignored. */
static void test_consumer_ignores_rewritten_read_index(void **state)
{
	struct fixture *f = *state;
	uint8_t in[32], out[32];
	struct dxg_pkt_desc d;

	fill(in, sizeof(in), 5);
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 32, NULL, 0), 0);
	assert_int_equal(dxg_ring_pending(&f->r), 1);
	f->r.hdr->read_index = 8;	/* the peer scribbles on our index */
	assert_int_equal(dxg_ring_read(&f->r, &d, out, sizeof(out)), 32);
	assert_memory_equal(in, out, 32);
	assert_int_equal(f->r.hdr->read_index, 16 + 32 + 8);
	assert_int_equal(dxg_ring_pending(&f->r), 0);
}

/* Batched read_index stores: held back until publish or 1/8 of the ring. */
static void test_batched_consume(void **state)
{
	struct fixture *f = *state;
	uint8_t in[200] = { 0 }, out[200];
	struct dxg_pkt_desc d;
	uint32_t next = 0, held = 0, pkt = 16 + 200 + 8;

	for (int i = 0; i < 3; i++)
		assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 200, NULL, 0), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dxg_ring_peek(&f->r, &d, out, sizeof(out), &next), 200);
		dxg_ring_consume(&f->r, next);
		held += pkt;
		assert_int_equal(next, held);
		assert_int_equal(f->r.hdr->read_index, 0);	/* not yet */
	}
	assert_int_equal(dxg_ring_peek(&f->r, &d, out, sizeof(out), &next), -ENODATA);
	assert_int_equal(dxg_ring_pending(&f->r), 0);
	dxg_ring_publish(&f->r);
	assert_int_equal(f->r.hdr->read_index, held);

	/* Holding back an eighth of the ring publishes by itself. */
	while (held < 2 * RSIZE / DXG_RING_PUBLISH_DIV) {
		assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 200, NULL, 0), 0);
		assert_int_equal(dxg_ring_peek(&f->r, &d, out, sizeof(out), &next), 200);
		dxg_ring_consume(&f->r, next);
		held += pkt;
	}
	assert_int_not_equal(f->r.hdr->read_index, pkt * 3);
	assert_true(f->r.hdr->read_index <= next);
	assert_true(next - f->r.hdr->read_index < RSIZE / DXG_RING_PUBLISH_DIV);
}

/* A producer short of room asks (pending_send_sz); the consumer answers. */
static void test_producer_asks_for_room(void **state)
{
	struct fixture *f = *state;
	uint8_t in[1000] = { 0 }, out[1000];
	struct dxg_pkt_desc d;
	uint32_t next = 0;
	int n = 0;

	while (dxg_ring_write2(&f->r, 6, 0, 1, in, 1000, NULL, 0) == 0)
		n++;
	assert_true(n > 10);
	assert_int_equal(f->r.hdr->pending_send_sz, 16 + 1000 + 8 + 1);
	/* One packet read: published at once because the producer asked. */
	assert_int_equal(dxg_ring_peek(&f->r, &d, out, sizeof(out), &next), 1000);
	dxg_ring_consume(&f->r, next);
	assert_int_equal(f->r.hdr->read_index, next);
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 1000, NULL, 0), 0);
	assert_int_equal(f->r.hdr->pending_send_sz, 0);	/* withdrawn */

	/* Asked while the consumer already sits on an empty ring. */
	while (dxg_ring_peek(&f->r, &d, out, sizeof(out), &next) == 1000)
		dxg_ring_consume(&f->r, next);
	f->r.hdr->pending_send_sz = 4096;
	assert_int_equal(dxg_ring_pending(&f->r), 0);
	assert_int_equal(f->r.hdr->read_index, f->r.hdr->write_index);
}

/* The producer reloads read_index only when its cached value is short. */
static void test_producer_caches_read_index(void **state)
{
	struct fixture *f = *state;
	uint8_t in[64] = { 0 };

	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 64, NULL, 0), 0);
	f->r.hdr->read_index = 3;	/* bad, but not looked at: room is known */
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 64, NULL, 0), 0);
	/* Once the known room runs out, the bad index is seen. */
	while (dxg_ring_write2(&f->r, 6, 0, 1, in, 64, NULL, 0) == 0)
		;
	assert_int_equal(dxg_ring_write2(&f->r, 6, 0, 1, in, 64, NULL, 0), -EPROTO);
}

static void put_desc(struct fixture *f, uint16_t off8, uint16_t len8)
{
	struct dxg_pkt_desc d = { .type = 6, .offset8 = off8, .len8 = len8 };

	memcpy(f->r.data, &d, sizeof(d));
}

static void test_corrupt_descriptors(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[256];
	struct dxg_pkt_desc d;

	f->r.hdr->read_index = 0;
	f->r.hdr->write_index = 64;		/* 64 bytes claimed */
	put_desc(f, 1, 4);			/* offset8 < 2 */
	assert_int_equal(dxg_ring_read(&f->r, &d, buf, sizeof(buf)), -EPROTO);
	put_desc(f, 3, 2);			/* len8 < offset8 */
	assert_int_equal(dxg_ring_read(&f->r, &d, buf, sizeof(buf)), -EPROTO);
	put_desc(f, 2, 8);			/* 64 + trailer > 64 used */
	assert_int_equal(dxg_ring_read(&f->r, &d, buf, sizeof(buf)), -EPROTO);
	put_desc(f, 2, 0xffff);
	assert_int_equal(dxg_ring_read(&f->r, &d, buf, sizeof(buf)), -EPROTO);
	f->r.hdr->write_index = 16;		/* less than desc + trailer */
	put_desc(f, 2, 2);
	assert_int_equal(dxg_ring_read(&f->r, &d, buf, sizeof(buf)), -EPROTO);
	/* Nothing was consumed. */
	assert_int_equal(f->r.hdr->read_index, 0);
	/* A sane descriptor in the same place reads fine. */
	f->r.hdr->write_index = 64;
	put_desc(f, 2, 7);
	assert_int_equal(dxg_ring_read(&f->r, &d, buf, sizeof(buf)), 40);
	assert_int_equal(f->r.hdr->read_index, 64);
}

static void test_interrupt_mask(void **state)
{
	struct fixture *f = *state;

	assert_true(dxg_ring_consumer_parked(&f->r));
	dxg_ring_set_polling(&f->r, 1);
	assert_int_equal(f->r.hdr->interrupt_mask, 1);
	assert_false(dxg_ring_consumer_parked(&f->r));
	dxg_ring_set_polling(&f->r, 0);
	assert_int_equal(f->r.hdr->interrupt_mask, 0);
	assert_true(dxg_ring_consumer_parked(&f->r));
	f->r.hdr->interrupt_mask = 77;		/* any non-zero value polls */
	assert_false(dxg_ring_consumer_parked(&f->r));
	dxg_ring_reset(&f->r);
	assert_true(dxg_ring_consumer_parked(&f->r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sizes),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_round_trip),
		T(test_padding_and_trailer),
		T(test_wrap_around),
		T(test_exact_full),
		T(test_fill_until_full),
		T(test_oversize),
		T(test_read_small_buffer_consumes),
		T(test_corrupt_indices),
		T(test_consumer_ignores_rewritten_read_index),
		T(test_batched_consume),
		T(test_producer_asks_for_room),
		T(test_producer_caches_read_index),
		T(test_corrupt_descriptors),
		T(test_interrupt_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
