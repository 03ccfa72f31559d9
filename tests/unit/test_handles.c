// SPDX-License-Identifier: MIT
/* The host handle table (host/core/handles.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dxg/handle.h"
#include "core/handles.h"

static int objs[16];

static void test_encoding(void **state)
{
	(void)state;
	for (uint32_t g = 1; g < 256; g++) {
		uint32_t h = dxg_handle_make(12345, (uint8_t)g);

		assert_int_equal(dxg_handle_index(h), 12345);
		assert_int_equal(dxg_handle_generation(h), g);
	}
	assert_int_equal(dxg_handle_next_generation(0xff), 1);
	assert_int_equal(dxg_handle_next_generation(0), 1);
}

static void test_alloc_lookup_free(void **state)
{
	struct dxg_handle_table t;
	uint32_t h[3];

	(void)state;
	assert_int_equal(dxg_ht_init(&t, 100), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dxg_ht_alloc(&t, 1, &objs[i], &h[i]), 0);
		assert_int_not_equal(h[i], 0);
	}
	assert_int_not_equal(h[0], h[1]);
	assert_int_equal(t.live, 3);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(dxg_ht_lookup(&t, h[i], 1), &objs[i]);
	assert_int_equal(dxg_ht_free(&t, h[1], 1), 0);
	assert_null(dxg_ht_lookup(&t, h[1], 1));
	assert_int_equal(dxg_ht_free(&t, h[1], 1), -EBADF);	/* double free */
	assert_ptr_equal(dxg_ht_lookup(&t, h[2], 1), &objs[2]);
	assert_int_equal(t.live, 2);
	dxg_ht_destroy(&t);
}

static void test_wrong_type(void **state)
{
	struct dxg_handle_table t;
	uint32_t h;

	(void)state;
	assert_int_equal(dxg_ht_init(&t, 10), 0);
	assert_int_equal(dxg_ht_alloc(&t, 3, &objs[0], &h), 0);
	assert_null(dxg_ht_lookup(&t, h, 4));
	assert_null(dxg_ht_lookup(&t, h, DXG_HT_FREE));
	assert_int_equal(dxg_ht_free(&t, h, 4), -EBADF);
	assert_ptr_equal(dxg_ht_lookup(&t, h, 3), &objs[0]);
	assert_int_equal(dxg_ht_alloc(&t, DXG_HT_FREE, &objs[0], &h), -EINVAL);
	dxg_ht_destroy(&t);
}

static void test_garbage_handles(void **state)
{
	struct dxg_handle_table t;
	uint32_t h;

	(void)state;
	assert_int_equal(dxg_ht_init(&t, 10), 0);
	assert_null(dxg_ht_lookup(&t, 0x40, 1));	/* empty table */
	assert_int_equal(dxg_ht_alloc(&t, 1, &objs[0], &h), 0);
	assert_null(dxg_ht_lookup(&t, 0, 1));
	assert_null(dxg_ht_lookup(&t, dxg_handle_make(0, 1), 1));	/* index 0 */
	assert_null(dxg_ht_lookup(&t, 0xffffffffu, 1));
	assert_null(dxg_ht_lookup(&t, dxg_handle_make(DXG_HANDLE_MAX_INDEX, 1), 1));
	assert_null(dxg_ht_lookup(&t, h ^ 0x1u, 1));		/* wrong generation */
	assert_null(dxg_ht_lookup(&t, h ^ 0x80000000u, 1));
	/* A free slot inside the table (never allocated, generation 0 or 1). */
	assert_null(dxg_ht_lookup(&t, dxg_handle_make(dxg_handle_index(h) + 1, 1), 1));
	assert_null(dxg_ht_lookup(&t, dxg_handle_make(dxg_handle_index(h) + 1, 0), 1));
	assert_int_equal(dxg_ht_free(&t, 0, 1), -EBADF);
	dxg_ht_destroy(&t);
	assert_int_equal(dxg_ht_init(&t, 0), -EINVAL);
	assert_int_equal(dxg_ht_init(&t, DXG_HANDLE_MAX_INDEX + 1), -EINVAL);
}

static void test_fifo_reuse(void **state)
{
	struct dxg_handle_table t;
	uint32_t a, b;

	(void)state;
	assert_int_equal(dxg_ht_init(&t, 1000), 0);
	assert_int_equal(dxg_ht_alloc(&t, 1, &objs[0], &a), 0);
	assert_int_equal(dxg_ht_free(&t, a, 1), 0);
	/* A freed index goes to the back of the queue, behind the reserve. */
	for (unsigned int i = 0; i < DXG_HT_REUSE_RESERVE; i++) {
		assert_int_equal(dxg_ht_alloc(&t, 1, &objs[0], &b), 0);
		assert_int_not_equal(dxg_handle_index(b), dxg_handle_index(a));
	}
	dxg_ht_destroy(&t);
}

/* With a quota of one the same few slots are reused over and over. */
static void test_stale_many_generations(void **state)
{
	struct dxg_handle_table t;
	uint32_t first, h, slot_handles[256];
	unsigned int reuses = 0;

	(void)state;
	assert_int_equal(dxg_ht_init(&t, 1), 0);
	assert_int_equal(dxg_ht_alloc(&t, 1, &objs[0], &first), 0);
	slot_handles[0] = first;
	assert_int_equal(dxg_ht_free(&t, first, 1), 0);
	while (reuses < 254) {
		assert_int_equal(dxg_ht_alloc(&t, 1, &objs[1], &h), 0);
		if (dxg_handle_index(h) == dxg_handle_index(first)) {
			/* every earlier handle of this slot is stale */
			for (unsigned int i = 0; i <= reuses; i++) {
				assert_int_not_equal(slot_handles[i], h);
				assert_null(dxg_ht_lookup(&t, slot_handles[i], 1));
			}
			slot_handles[++reuses] = h;
		}
		assert_ptr_equal(dxg_ht_lookup(&t, h, 1), &objs[1]);
		assert_int_equal(dxg_ht_free(&t, h, 1), 0);
	}
	/* The capacity stays bounded by quota + reserve. */
	assert_true(t.capacity <= 1 + DXG_HT_REUSE_RESERVE + 1);
	dxg_ht_destroy(&t);
}

static void test_quota(void **state)
{
	struct dxg_handle_table t;
	uint32_t h[50], extra;

	(void)state;
	assert_int_equal(dxg_ht_init(&t, 50), 0);
	for (int i = 0; i < 50; i++)
		assert_int_equal(dxg_ht_alloc(&t, 2, &objs[0], &h[i]), 0);
	assert_int_equal(dxg_ht_alloc(&t, 2, &objs[0], &extra), -ENOSPC);
	assert_int_equal(dxg_ht_free(&t, h[7], 2), 0);
	assert_int_equal(dxg_ht_alloc(&t, 2, &objs[0], &extra), 0);
	assert_int_equal(dxg_ht_alloc(&t, 2, &objs[0], &extra), -ENOSPC);
	dxg_ht_destroy(&t);
}

static void test_growth(void **state)
{
	struct dxg_handle_table t;
	uint32_t *h = malloc(10000 * sizeof(*h));

	(void)state;
	assert_int_equal(dxg_ht_init(&t, 10000), 0);
	for (int i = 0; i < 10000; i++)
		assert_int_equal(dxg_ht_alloc(&t, 1, &h[i], &h[i]), 0);
	for (int i = 0; i < 10000; i++) {
		/* h[i] now holds the handle; the object was its own address */
		assert_ptr_equal(dxg_ht_lookup(&t, h[i], 1), &h[i]);
	}
	for (int i = 0; i < 10000; i += 2)
		assert_int_equal(dxg_ht_free(&t, h[i], 1), 0);
	assert_int_equal(t.live, 5000);
	dxg_ht_destroy(&t);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_alloc_lookup_free),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_garbage_handles),
		cmocka_unit_test(test_fifo_reuse),
		cmocka_unit_test(test_stale_many_generations),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
