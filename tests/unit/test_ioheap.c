// SPDX-License-Identifier: MIT
/* The IO-space heap (host/core/ioheap.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dxg/ntstatus.h"
#include "core/ioheap.h"

#define PG	DXG_IOHEAP_PAGE
#define BASE	(1024u * 1024)

static void test_init_bounds(void **state)
{
	struct dxg_ioheap h;

	(void)state;
	assert_int_equal(dxg_ioheap_init(&h, BASE + 1, 16 * PG), -EINVAL);
	assert_int_equal(dxg_ioheap_init(&h, BASE, 16 * PG + 5), -EINVAL);
	assert_int_equal(dxg_ioheap_init(&h, UINT64_MAX - PG + 1, 2 * PG), -EINVAL);
	assert_int_equal(dxg_ioheap_init(&h, BASE, 0), 0);
	{
		uint64_t off;

		assert_int_equal(dxg_ioheap_alloc(&h, 1, &off), STATUS_NO_MEMORY);
	}
	dxg_ioheap_fini(&h);
}

static void test_round(void **state)
{
	(void)state;
	assert_int_equal(dxg_ioheap_round(0), 0);
	assert_int_equal(dxg_ioheap_round(1), PG);
	assert_int_equal(dxg_ioheap_round(PG), PG);
	assert_int_equal(dxg_ioheap_round(PG + 1), 2 * PG);
	assert_int_equal(dxg_ioheap_round(UINT64_MAX), 0);
	assert_int_equal(dxg_ioheap_round(UINT64_MAX - PG + 2), 0);
}

static void test_alloc_free_coalesce(void **state)
{
	struct dxg_ioheap h;
	uint64_t a, b, c, d;

	(void)state;
	assert_int_equal(dxg_ioheap_init(&h, BASE, 8 * PG), 0);
	assert_int_equal(dxg_ioheap_alloc(&h, 0, &a), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_alloc(&h, UINT64_MAX, &a), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_alloc(&h, 1, &a), STATUS_SUCCESS);
	assert_int_equal(a, BASE);
	assert_int_equal(dxg_ioheap_alloc(&h, 2 * PG, &b), STATUS_SUCCESS);
	assert_int_equal(b, BASE + PG);
	assert_int_equal(dxg_ioheap_alloc(&h, PG, &c), STATUS_SUCCESS);
	assert_int_equal(c, BASE + 3 * PG);
	assert_int_equal(h.used, 4 * PG);
	/* Quota: 4 pages left, 5 do not fit, never a partial result. */
	assert_int_equal(dxg_ioheap_alloc(&h, 5 * PG, &d), STATUS_NO_MEMORY);
	assert_int_equal(d, 0);
	/* Free the middle, then its neighbours: one extent again. */
	assert_int_equal(dxg_ioheap_free(&h, b, 2 * PG), STATUS_SUCCESS);
	/* Double free and overlapping frees are refused. */
	assert_int_equal(dxg_ioheap_free(&h, b, 2 * PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_free(&h, b + PG, PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_free(&h, a, 2 * PG), STATUS_INVALID_PARAMETER);
	/* First fit reuses the hole. */
	assert_int_equal(dxg_ioheap_alloc(&h, PG, &d), STATUS_SUCCESS);
	assert_int_equal(d, b);
	assert_int_equal(dxg_ioheap_free(&h, d, PG), STATUS_SUCCESS);
	assert_int_equal(dxg_ioheap_free(&h, a, 1), STATUS_SUCCESS);
	assert_int_equal(dxg_ioheap_free(&h, c, PG), STATUS_SUCCESS);
	assert_int_equal(h.used, 0);
	assert_int_equal(h.allocations, 0);
	assert_non_null(h.free);
	assert_null(h.free->next);
	assert_int_equal(h.free->size, 8 * PG);
	/* The whole heap in one piece. */
	assert_int_equal(dxg_ioheap_alloc(&h, 8 * PG, &a), STATUS_SUCCESS);
	assert_null(h.free);
	assert_int_equal(dxg_ioheap_alloc(&h, 1, &b), STATUS_NO_MEMORY);
	assert_int_equal(dxg_ioheap_free(&h, a, 8 * PG), STATUS_SUCCESS);
	dxg_ioheap_fini(&h);
}

static void test_bad_free(void **state)
{
	struct dxg_ioheap h;
	uint64_t a;

	(void)state;
	assert_int_equal(dxg_ioheap_init(&h, BASE, 4 * PG), 0);
	assert_int_equal(dxg_ioheap_alloc(&h, PG, &a), STATUS_SUCCESS);
	assert_int_equal(dxg_ioheap_free(&h, a + 1, PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_free(&h, BASE - PG, PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_free(&h, BASE + 4 * PG, PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_free(&h, a, UINT64_MAX), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_free(&h, UINT64_MAX & ~(uint64_t)(PG - 1), PG),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_ioheap_free(&h, a, 0), STATUS_INVALID_PARAMETER);
	assert_int_equal(h.used, PG);
	assert_int_equal(dxg_ioheap_free(&h, a, PG), STATUS_SUCCESS);
	dxg_ioheap_fini(&h);
}

/* Random alloc/free against a page bitmap: no overlap, exact accounting. */
static void test_random(void **state)
{
	enum { PAGES = 256, SLOTS = 64 };
	struct dxg_ioheap h;
	uint8_t owner[PAGES];
	uint64_t off[SLOTS] = { 0 }, len[SLOTS] = { 0 }, used = 0;
	unsigned int seed = 12345;

	(void)state;
	memset(owner, 0, sizeof(owner));
	assert_int_equal(dxg_ioheap_init(&h, BASE, PAGES * PG), 0);
	for (int i = 0; i < 20000; i++) {
		unsigned int s = (unsigned int)rand_r(&seed) % SLOTS;

		if (len[s]) {
			assert_int_equal(dxg_ioheap_free(&h, off[s], len[s]), STATUS_SUCCESS);
			for (uint64_t p = (off[s] - BASE) / PG; p < (off[s] - BASE + len[s]) / PG; p++)
				owner[p] = 0;
			used -= len[s];
			len[s] = 0;
		} else {
			uint64_t n = 1 + (uint64_t)rand_r(&seed) % 24;
			int32_t st = dxg_ioheap_alloc(&h, n * PG, &off[s]);

			if (st == STATUS_NO_MEMORY)
				continue;
			assert_int_equal(st, STATUS_SUCCESS);
			for (uint64_t p = (off[s] - BASE) / PG; p < (off[s] - BASE) / PG + n; p++) {
				assert_true(p < PAGES);
				assert_int_equal(owner[p], 0);
				owner[p] = (uint8_t)(s + 1);
			}
			len[s] = n * PG;
			used += len[s];
		}
		assert_int_equal(h.used, used);
	}
	dxg_ioheap_fini(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_bounds),
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_alloc_free_coalesce),
		cmocka_unit_test(test_bad_free),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
