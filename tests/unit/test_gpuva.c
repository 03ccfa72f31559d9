// SPDX-License-Identifier: MIT
/* The GPU virtual address space (host/core/gpuva.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "dxg/ntstatus.h"
#include "core/gpuva.h"

#define PG	DXG_GPUVA_PAGE
#define B	DXG_GPUVA_BASE

static uint8_t mem[64 * 4096];

static int setup(void **state)
{
	*state = dxg_gpuva_create(DXG_GPUVA_BASE, DXG_GPUVA_SIZE);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	dxg_gpuva_destroy(*state);
	return 0;
}

static uint64_t reserve(struct dxg_gpuva_space *s, uint64_t size)
{
	uint64_t va = 0;

	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, size, 0, &va), 0);
	return va;
}

static void create_args(void **state)
{
	(void)state;
	assert_null(dxg_gpuva_create(0, DXG_GPUVA_SIZE));	/* VA 0 */
	assert_null(dxg_gpuva_create(B, 0));
	assert_null(dxg_gpuva_create(B + 1, PG));
	assert_null(dxg_gpuva_create(B, PG + 1));
	assert_null(dxg_gpuva_create(UINT64_MAX & ~(uint64_t)(PG - 1), 2 * PG));
	dxg_gpuva_destroy(NULL);
}

static void reserve_lowest_first(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a, b, c;

	a = reserve(s, PG);
	b = reserve(s, 2 * PG);
	assert_int_equal(a, B);
	assert_int_equal(b, B + PG);
	assert_int_equal(dxg_gpuva_free(s, a, PG), 0);
	/* The hole at the bottom is reused when it fits ... */
	c = reserve(s, PG);
	assert_int_equal(c, B);
	/* ... and skipped when it does not. */
	assert_int_equal(dxg_gpuva_free(s, c, PG), 0);
	c = reserve(s, 2 * PG);
	assert_int_equal(c, B + 3 * PG);
}

static void reserve_fixed(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t va;

	assert_int_equal(dxg_gpuva_reserve(s, B + 10 * PG, 0, 0, 4 * PG, 0, &va), 0);
	assert_int_equal(va, B + 10 * PG);
	/* Overlaps at both ends and inside. */
	assert_int_equal(dxg_gpuva_reserve(s, B + 9 * PG, 0, 0, 2 * PG, 0, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(va, 0);
	assert_int_equal(dxg_gpuva_reserve(s, B + 13 * PG, 0, 0, 2 * PG, 0, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_reserve(s, B + 11 * PG, 0, 0, PG, 0, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_reserve(s, B + 8 * PG, 0, 0, 8 * PG, 0, &va),
			 STATUS_INVALID_PARAMETER);
	/* Adjacent is fine. */
	assert_int_equal(dxg_gpuva_reserve(s, B + 14 * PG, 0, 0, PG, 0, &va), 0);
	assert_int_equal(dxg_gpuva_reserve(s, B + 9 * PG, 0, 0, PG, 0, &va), 0);
	/* Outside the space, unaligned, wrapping. */
	assert_int_equal(dxg_gpuva_reserve(s, B - PG, 0, 0, PG, 0, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_reserve(s, B + DXG_GPUVA_SIZE - PG, 0, 0,
					   2 * PG, 0, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_reserve(s, B + 100 * PG + 1, 0, 0, PG, 0, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_reserve(s, UINT64_MAX - PG + 1, 0, 0, 2 * PG,
					   0, &va), STATUS_INVALID_PARAMETER);
	/* The last page of the space. */
	assert_int_equal(dxg_gpuva_reserve(s, B + DXG_GPUVA_SIZE - PG, 0, 0, PG,
					   0, &va), 0);
}

static void reserve_range_and_align(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t va;

	assert_int_equal(dxg_gpuva_reserve(s, 0, B + 5 * PG + 1, 0, PG, 0, &va), 0);
	assert_int_equal(va, B + 6 * PG);
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, PG, 1ull << 20, &va), 0);
	assert_int_equal(va, B);	/* the base is 1 MiB aligned */
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, PG, 1ull << 20, &va), 0);
	assert_int_equal(va, B + (1ull << 20));
	/* Bad alignments and sizes. */
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, PG, 3 * PG, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, PG, 512, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, 0, 0, &va),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, PG + 8, 0, &va),
			 STATUS_INVALID_PARAMETER);
	/* A window that is full or too small: no room, a clear error. */
	assert_int_equal(dxg_gpuva_reserve(s, 0, B, B + PG, PG, 0, &va),
			 STATUS_NO_MEMORY);
	assert_int_equal(dxg_gpuva_reserve(s, 0, B + 100 * PG, B + 101 * PG,
					   2 * PG, 0, &va), STATUS_NO_MEMORY);
	assert_int_equal(dxg_gpuva_reserve(s, 0, B + 100 * PG, B + 100 * PG,
					   PG, 0, &va), STATUS_INVALID_PARAMETER);
	/* Bigger than the space; alignment that overflows. */
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, DXG_GPUVA_SIZE + PG, 0,
					   &va), STATUS_NO_MEMORY);
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, PG, 1ull << 63, &va),
			 STATUS_NO_MEMORY);
	/* Exactly the rest of the space in one go. */
	assert_int_equal(dxg_gpuva_reserve(s, 0, B + (2ull << 20), 0,
					   DXG_GPUVA_SIZE - (2ull << 20), 0, &va), 0);
	assert_int_equal(va, B + (2ull << 20));
}

static void free_rules(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 4 * PG);

	assert_int_equal(dxg_gpuva_free(s, a, 2 * PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_free(s, a + PG, 3 * PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_free(s, 0, PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, a, PG, mem, 1), 0);
	assert_int_equal(dxg_gpuva_free(s, a, 4 * PG), 0);
	assert_int_equal(dxg_gpuva_free(s, a, 4 * PG), STATUS_INVALID_PARAMETER);
	/* Its mapping is gone with it. */
	assert_null(dxg_gpuva_translate(s, a, 1));
}

static void map_and_translate(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 8 * PG);

	assert_int_equal(dxg_gpuva_map(s, a + PG, 2 * PG, mem, 1), 0);
	assert_int_equal(dxg_gpuva_map(s, a + 3 * PG, PG, mem + 10 * PG, 2), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, a + PG, 2 * PG), mem);
	assert_ptr_equal(dxg_gpuva_translate(s, a + PG + 5, 1), mem + 5);
	assert_ptr_equal(dxg_gpuva_translate(s, a + 3 * PG - 8, 8), mem + 2 * PG - 8);
	assert_ptr_equal(dxg_gpuva_translate(s, a + 3 * PG, PG), mem + 10 * PG);
	/* Unmapped, crossing two adjacent mappings, past the end, empty. */
	assert_null(dxg_gpuva_translate(s, a, 1));
	assert_null(dxg_gpuva_translate(s, a + PG - 1, 2));
	assert_null(dxg_gpuva_translate(s, a + 3 * PG - 4, 8));
	assert_null(dxg_gpuva_translate(s, a + 4 * PG - 4, 8));
	assert_null(dxg_gpuva_translate(s, a + PG, 0));
	assert_null(dxg_gpuva_translate(s, a + PG, UINT64_MAX));
	assert_null(dxg_gpuva_translate(s, UINT64_MAX, 2));
	assert_null(dxg_gpuva_translate(s, 0, 1));
}

static void map_rules(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 4 * PG), b = reserve(s, 4 * PG);

	assert_int_equal(b, a + 4 * PG);
	/* Across two reservations, outside any, unaligned, empty, NULL. */
	assert_int_equal(dxg_gpuva_map(s, a + 3 * PG, 2 * PG, mem, 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, b + 4 * PG, PG, mem, 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, a + 1, PG, mem, 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, a, 0, mem, 1), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, a, PG, NULL, 1), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, UINT64_MAX - PG + 1, 2 * PG, mem, 1),
			 STATUS_INVALID_PARAMETER);
	/* Double mapping, overlapping either end. */
	assert_int_equal(dxg_gpuva_map(s, a + PG, 2 * PG, mem, 1), 0);
	assert_int_equal(dxg_gpuva_map(s, a + PG, PG, mem, 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, a, 2 * PG, mem, 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, a + 2 * PG, 2 * PG, mem, 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, a, PG, mem, 1), 0);
	assert_int_equal(dxg_gpuva_map(s, a + 3 * PG, PG, mem, 1), 0);
}

static void unmap_split_and_trim(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 16 * PG);

	assert_int_equal(dxg_gpuva_map(s, a, 8 * PG, mem, 1), 0);
	/* A hole in the middle splits the mapping. */
	assert_int_equal(dxg_gpuva_unmap(s, a + 2 * PG, 2 * PG), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, a, 2 * PG), mem);
	assert_null(dxg_gpuva_translate(s, a + 2 * PG, 1));
	assert_null(dxg_gpuva_translate(s, a + 4 * PG - 1, 1));
	assert_ptr_equal(dxg_gpuva_translate(s, a + 4 * PG, 4 * PG), mem + 4 * PG);
	/* Trim the tail of the first, the head of the second. */
	assert_int_equal(dxg_gpuva_unmap(s, a + PG, 4 * PG), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, a, PG), mem);
	assert_null(dxg_gpuva_translate(s, a, PG + 1));
	assert_null(dxg_gpuva_translate(s, a + 4 * PG, 1));
	assert_ptr_equal(dxg_gpuva_translate(s, a + 5 * PG, 3 * PG), mem + 5 * PG);
	/* Unmapping what is not mapped is fine; outside a reservation is not. */
	assert_int_equal(dxg_gpuva_unmap(s, a + 10 * PG, PG), 0);
	assert_int_equal(dxg_gpuva_unmap(s, a + 15 * PG, 2 * PG),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_unmap(s, a, 0), STATUS_INVALID_PARAMETER);
	/* Everything at once; the freed range can be mapped again. */
	assert_int_equal(dxg_gpuva_unmap(s, a, 16 * PG), 0);
	assert_null(dxg_gpuva_translate(s, a + 5 * PG, 1));
	assert_int_equal(dxg_gpuva_map(s, a, 16 * PG, mem, 3), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, a + 15 * PG, PG), mem + 15 * PG);
}

static void unmap_owner(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 4 * PG), b = reserve(s, 4 * PG);

	assert_int_equal(dxg_gpuva_map(s, a, PG, mem, 7), 0);
	assert_int_equal(dxg_gpuva_map(s, a + PG, PG, mem, 8), 0);
	assert_int_equal(dxg_gpuva_map(s, b + 2 * PG, PG, mem, 7), 0);
	dxg_gpuva_unmap_owner(s, 7);
	assert_null(dxg_gpuva_translate(s, a, 1));
	assert_null(dxg_gpuva_translate(s, b + 2 * PG, 1));
	assert_non_null(dxg_gpuva_translate(s, a + PG, PG));
	/* A split mapping keeps its owner on both sides. */
	assert_int_equal(dxg_gpuva_map(s, b, 2 * PG, mem, 9), 0);
	assert_int_equal(dxg_gpuva_unmap(s, b, PG), 0);
	assert_non_null(dxg_gpuva_translate(s, b + PG, PG));
	dxg_gpuva_unmap_owner(s, 9);
	assert_null(dxg_gpuva_translate(s, b + PG, PG));
}

/* A copy is independent of its source; swap exchanges whole contents. */
static void clone_and_swap(void **state)
{
	struct dxg_gpuva_space *s = *state, *c, *empty;
	uint64_t a = reserve(s, 4 * PG), b = reserve(s, 2 * PG);

	empty = dxg_gpuva_clone(s);		/* reservations, no mappings */
	assert_non_null(empty);
	assert_int_equal(dxg_gpuva_map(s, a, PG, mem, 1), 0);
	c = dxg_gpuva_clone(s);
	assert_non_null(c);
	assert_ptr_equal(dxg_gpuva_translate(c, a + 8, 8), mem + 8);
	/* Changes to the copy do not reach the source, and back. */
	assert_int_equal(dxg_gpuva_unmap(c, a, PG), 0);
	assert_int_equal(dxg_gpuva_map(c, b, PG, mem + PG, 2), 0);
	assert_non_null(dxg_gpuva_translate(s, a, PG));
	assert_null(dxg_gpuva_translate(s, b, 1));
	assert_int_equal(dxg_gpuva_map(s, a + PG, PG, mem, 3), 0);
	assert_null(dxg_gpuva_translate(c, a + PG, 1));
	/* Swap: s has the copy's state, c the old one. */
	dxg_gpuva_swap(s, c);
	assert_null(dxg_gpuva_translate(s, a, 1));
	assert_ptr_equal(dxg_gpuva_translate(s, b, PG), mem + PG);
	assert_non_null(dxg_gpuva_translate(c, a + PG, PG));
	dxg_gpuva_destroy(c);
	/* The reservations came along: a mapping still needs one. */
	assert_int_equal(dxg_gpuva_map(s, a + 2 * PG, PG, mem, 4), 0);
	assert_true(dxg_gpuva_map(s, b + 2 * PG, PG, mem, 4) < 0);
	assert_int_equal(dxg_gpuva_map(empty, a, 4 * PG, mem, 5), 0);
	dxg_gpuva_destroy(empty);
}

/* Many reservations and mappings in mixed order: translation stays exact. */
static void many(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t va;
	unsigned int i;

	for (i = 0; i < 2000; i++) {
		uint64_t at = B + (uint64_t)((i * 7919u) % 2000u) * 2 * PG;

		assert_int_equal(dxg_gpuva_reserve(s, at, 0, 0, PG, 0, &va), 0);
		assert_int_equal(dxg_gpuva_map(s, at, PG, mem + (i % 64) * PG, i), 0);
	}
	for (i = 0; i < 2000; i++) {
		uint64_t at = B + (uint64_t)((i * 7919u) % 2000u) * 2 * PG;

		assert_ptr_equal(dxg_gpuva_translate(s, at + 8, 8),
				 mem + (i % 64) * PG + 8);
		assert_null(dxg_gpuva_translate(s, at + PG, 1));
	}
	/* The first gap big enough for two pages is after them all. */
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, 2 * PG, 0, &va), 0);
	assert_int_equal(va, B + 4000 * PG - PG);
}

#define RO	0u			/* MAP_PROTECT without WRITE */
#define RW	DXG_GPUVA_PROT_RW
#define ZERO	DXG_GPUVA_PROT_ZERO
#define NOACC	DXG_GPUVA_PROT_NO_ACCESS
#define R	DXG_GPUVA_READ
#define W	DXG_GPUVA_WRITE

/* Protection is recorded per mapping and checked by every translation. */
static void protection(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 8 * PG);

	assert_int_equal(dxg_gpuva_map_prot(s, a, PG, mem, 1, RO), 0);
	assert_int_equal(dxg_gpuva_map_prot(s, a + PG, PG, mem + PG, 1,
					    RW | DXG_GPUVA_PROT_EXECUTE), 0);
	assert_int_equal(dxg_gpuva_map_prot(s, a + 2 * PG, PG, NULL, 0, ZERO), 0);
	assert_int_equal(dxg_gpuva_map_prot(s, a + 3 * PG, PG, NULL, 0, NOACC), 0);
	/* Read-only: reads yes, writes no. */
	assert_ptr_equal(dxg_gpuva_access(s, a + 8, 8, R), mem + 8);
	assert_ptr_equal(dxg_gpuva_translate(s, a, PG), mem);
	assert_null(dxg_gpuva_access(s, a + 8, 8, W));
	assert_null(dxg_gpuva_access(s, a + 8, 8, R | W));
	assert_ptr_equal(dxg_gpuva_access(s, a + PG, PG, R | W), mem + PG);
	/* Zero and no-access have no memory: no pointer for any access. */
	assert_null(dxg_gpuva_access(s, a + 2 * PG, 8, R));
	assert_null(dxg_gpuva_access(s, a + 2 * PG, 8, W));
	assert_null(dxg_gpuva_access(s, a + 3 * PG, 8, R));
	assert_true(dxg_gpuva_is_zero(s, a + 2 * PG, PG));
	assert_false(dxg_gpuva_is_zero(s, a + 2 * PG, PG + 1));
	assert_false(dxg_gpuva_is_zero(s, a + 3 * PG, 8));
	assert_false(dxg_gpuva_is_zero(s, a, 8));
	assert_false(dxg_gpuva_is_zero(s, a + 4 * PG, 8));	/* unmapped */
	/* Bad protection words. */
	assert_int_equal(dxg_gpuva_map_prot(s, a + 4 * PG, PG, mem, 1, 1u << 4),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map_prot(s, a + 4 * PG, PG, mem, 1, ZERO),
			 STATUS_INVALID_PARAMETER);		/* memory + state */
	assert_int_equal(dxg_gpuva_map_prot(s, a + 4 * PG, PG, NULL, 0, RW),
			 STATUS_INVALID_PARAMETER);		/* no memory */
	assert_int_equal(dxg_gpuva_map_prot(s, a + 4 * PG, PG, NULL, 0, ZERO | NOACC),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map_prot(s, a + 4 * PG, PG, NULL, 0, ZERO | RW),
			 STATUS_INVALID_PARAMETER);
	/* A split keeps the protection on both sides; states split too. */
	assert_int_equal(dxg_gpuva_map_prot(s, a + 4 * PG, 3 * PG, mem, 2, RO), 0);
	assert_int_equal(dxg_gpuva_unmap(s, a + 5 * PG, PG), 0);
	assert_null(dxg_gpuva_access(s, a + 4 * PG, 8, W));
	assert_ptr_equal(dxg_gpuva_access(s, a + 6 * PG, 8, R), mem + 2 * PG);
	assert_null(dxg_gpuva_access(s, a + 6 * PG, 8, W));
	assert_int_equal(dxg_gpuva_unmap(s, a + 2 * PG, PG), 0);
	assert_false(dxg_gpuva_is_zero(s, a + 2 * PG, 8));
	/* The clone carries protection. */
	{
		struct dxg_gpuva_space *c = dxg_gpuva_clone(s);

		assert_non_null(c);
		assert_null(dxg_gpuva_access(c, a, 8, W));
		assert_ptr_equal(dxg_gpuva_access(c, a, 8, R), mem);
		dxg_gpuva_destroy(c);
	}
}

/* COPY: the destination maps what the source maps, page for page. */
static void copy_basics(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 8 * PG), b = reserve(s, 8 * PG);

	assert_int_equal(dxg_gpuva_map(s, a, 2 * PG, mem, 1), 0);
	assert_int_equal(dxg_gpuva_map_prot(s, a + 2 * PG, PG, mem + 10 * PG, 2, RO), 0);
	assert_int_equal(dxg_gpuva_map_prot(s, a + 3 * PG, PG, NULL, 0, ZERO), 0);
	/* Part of the first mapping, the read-only one and the zero page. */
	assert_int_equal(dxg_gpuva_copy(s, a + PG, 3 * PG, b + 4 * PG), 0);
	assert_ptr_equal(dxg_gpuva_access(s, b + 4 * PG, PG, R | W), mem + PG);
	assert_ptr_equal(dxg_gpuva_access(s, b + 5 * PG, PG, R), mem + 10 * PG);
	assert_null(dxg_gpuva_access(s, b + 5 * PG, 8, W));
	assert_true(dxg_gpuva_is_zero(s, b + 6 * PG, PG));
	assert_null(dxg_gpuva_translate(s, b + 7 * PG, 1));
	/* The source is unchanged. */
	assert_ptr_equal(dxg_gpuva_translate(s, a, 2 * PG), mem);
	/* The copies keep the owner: destroying allocation 1 drops them too. */
	dxg_gpuva_unmap_owner(s, 1);
	assert_null(dxg_gpuva_translate(s, a, 1));
	assert_null(dxg_gpuva_translate(s, b + 4 * PG, 1));
	assert_ptr_equal(dxg_gpuva_translate(s, b + 5 * PG, PG), mem + 10 * PG);
	/* A destination replaces what was there (a split at both ends). */
	assert_int_equal(dxg_gpuva_map(s, b, 4 * PG, mem + 20 * PG, 3), 0);
	assert_int_equal(dxg_gpuva_copy(s, a + 2 * PG, PG, b + PG), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, b, PG), mem + 20 * PG);
	assert_ptr_equal(dxg_gpuva_translate(s, b + PG, PG), mem + 10 * PG);
	assert_ptr_equal(dxg_gpuva_access(s, b + 2 * PG, 2 * PG, W), mem + 22 * PG);
}

static void copy_rules(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 4 * PG), b = reserve(s, 4 * PG);

	assert_int_equal(dxg_gpuva_map(s, a, 2 * PG, mem, 1), 0);
	assert_int_equal(dxg_gpuva_map(s, a + 3 * PG, PG, mem, 1), 0);
	assert_int_equal(dxg_gpuva_map(s, b, PG, mem + 5 * PG, 2), 0);
	/* Source with a hole (page 2), starting in a hole, past a reservation. */
	assert_int_equal(dxg_gpuva_copy(s, a, 4 * PG, b), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, a + 2 * PG, PG, b), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, a + 3 * PG, 2 * PG, b),
			 STATUS_INVALID_PARAMETER);
	/* Destination across two reservations or outside any. */
	assert_int_equal(dxg_gpuva_copy(s, a, 2 * PG, a + 3 * PG),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, a, PG, b + 4 * PG),
			 STATUS_INVALID_PARAMETER);
	/* Unaligned, empty, wrapping. */
	assert_int_equal(dxg_gpuva_copy(s, a + 1, PG, b), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, a, PG, b + 1), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, a, PG + 1, b), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, a, 0, b), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, a, PG, UINT64_MAX - PG + 1),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, UINT64_MAX - PG + 1, 2 * PG, b),
			 STATUS_INVALID_PARAMETER);
	/* A failed copy changed nothing. */
	assert_ptr_equal(dxg_gpuva_translate(s, b, PG), mem + 5 * PG);
	assert_null(dxg_gpuva_translate(s, b + PG, 1));
	assert_ptr_equal(dxg_gpuva_translate(s, a, 2 * PG), mem);
	/* Copying a range onto itself is a no-op. */
	assert_int_equal(dxg_gpuva_copy(s, a, 2 * PG, a), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, a, 2 * PG), mem);
	/*
	 * A source reservation that never had a mapping (no mapping array
	 * at all: fuzz_gpuva found the copy indexing it, undefined
	 * behaviour UBSan reports).
	 */
	{
		uint64_t c = reserve(s, 2 * PG);

		assert_int_equal(dxg_gpuva_copy(s, c, PG, b), STATUS_INVALID_PARAMETER);
		assert_int_equal(dxg_gpuva_copy(s, c + PG, PG, c), STATUS_INVALID_PARAMETER);
	}
}

/* Overlapping ranges: the destination gets the source as it was before. */
static void copy_overlap(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 8 * PG);
	unsigned int i;

	for (i = 0; i < 4; i++)	/* pages 0..3 -> mem pages 10, 11, 12, 13 */
		assert_int_equal(dxg_gpuva_map(s, a + i * PG, PG,
					       mem + (10 + i) * PG, 10 + i), 0);
	/* Forward by one page: 1..4 <- old 0..3. */
	assert_int_equal(dxg_gpuva_copy(s, a, 4 * PG, a + PG), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, a, PG), mem + 10 * PG);
	for (i = 0; i < 4; i++)
		assert_ptr_equal(dxg_gpuva_translate(s, a + (1 + i) * PG, PG),
				 mem + (10 + i) * PG);
	/* Backward by one page: 0..3 <- old 1..4 (= 10, 11, 12, 13). */
	assert_int_equal(dxg_gpuva_copy(s, a + PG, 4 * PG, a), 0);
	for (i = 0; i < 4; i++)
		assert_ptr_equal(dxg_gpuva_translate(s, a + i * PG, PG),
				 mem + (10 + i) * PG);
	assert_ptr_equal(dxg_gpuva_translate(s, a + 4 * PG, PG), mem + 13 * PG);
	/* Owners travel with the pages. */
	dxg_gpuva_unmap_owner(s, 13);
	assert_null(dxg_gpuva_translate(s, a + 3 * PG, 1));
	assert_null(dxg_gpuva_translate(s, a + 4 * PG, 1));
	assert_non_null(dxg_gpuva_translate(s, a + 2 * PG, PG));
}

/* Many pieces copied at once; beyond the per-reservation bound nothing. */
static void copy_many(void **state)
{
	struct dxg_gpuva_space *s = *state;
	const unsigned int n = 40000;
	uint64_t a = reserve(s, n * PG), b = reserve(s, 2 * n * PG);
	unsigned int i;

	for (i = 0; i < n; i++)
		assert_int_equal(dxg_gpuva_map(s, a + (uint64_t)i * PG, PG,
					       mem + (i % 64) * PG, i), 0);
	assert_int_equal(dxg_gpuva_copy(s, a, (uint64_t)n * PG, b), 0);
	for (i = 0; i < n; i += 97)
		assert_ptr_equal(dxg_gpuva_translate(s, b + (uint64_t)i * PG, PG),
				 mem + (i % 64) * PG);
	/* 80000 mappings in b would exceed the bound: refused, b unchanged. */
	assert_int_equal(dxg_gpuva_copy(s, a, (uint64_t)n * PG, b + (uint64_t)n * PG),
			 STATUS_QUOTA_EXCEEDED);
	assert_null(dxg_gpuva_translate(s, b + (uint64_t)n * PG, 1));
	assert_ptr_equal(dxg_gpuva_translate(s, b + (uint64_t)(n - 1) * PG, PG),
			 mem + ((n - 1) % 64) * PG);
	/* Shifting b over itself by a page works (same number of pieces). */
	assert_int_equal(dxg_gpuva_copy(s, b, (uint64_t)n * PG, b + PG), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, b + PG, PG), mem);
	assert_ptr_equal(dxg_gpuva_translate(s, b, PG), mem);
	assert_ptr_equal(dxg_gpuva_translate(s, b + (uint64_t)n * PG, PG),
			 mem + ((n - 1) % 64) * PG);
}

/* Found by fuzz_gpuva: unmapping inside a reservation that never held a
 * mapping (no mapping array yet) is a no-op, not pointer arithmetic on NULL
 * (UBSan in the ASan build). */
/* A fence's page: the host's reservation, read-only, immune to the guest. */
static void fence_pages(void **state)
{
	struct dxg_gpuva_space *s = *state, *c;
	_Alignas(8) static uint8_t page[PG];
	uint64_t fva, fva2, va, owner;
	uint32_t dev;

	assert_int_equal(dxg_gpuva_map_fence(s, NULL, 5, 1, &fva),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map_fence(s, page, 0, 1, &fva),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map_fence(s, page, 5, 1, &fva), 0);
	assert_int_equal(dxg_gpuva_map_fence(s, page, 6, 2, &fva2), 0);
	assert_true(fva >= B + DXG_GPUVA_SIZE - DXG_GPUVA_FENCE_WINDOW);
	assert_int_equal(fva2, fva + PG);
	/* The guest's reservations still start at the bottom. */
	assert_int_equal(dxg_gpuva_reserve(s, 0, 0, 0, 4 * PG, 0, &va), 0);
	assert_int_equal(va, B);
	assert_int_equal(dxg_gpuva_map(s, va, 4 * PG, mem, 9), 0);

	assert_int_equal(dxg_gpuva_fence(s, fva, &owner, &dev), 0);
	assert_int_equal(owner, 5);
	assert_int_equal(dev, 1);
	assert_int_equal(dxg_gpuva_fence(s, fva + 8, &owner, &dev), -1);
	assert_int_equal(dxg_gpuva_fence(s, va, &owner, &dev), -1);
	/* Readable, never writable. */
	assert_ptr_equal(dxg_gpuva_access(s, fva, 8, R), page);
	assert_null(dxg_gpuva_access(s, fva, 8, W));
	/* The guest cannot free, unmap, map over, copy from or onto it. */
	assert_int_equal(dxg_gpuva_free(s, fva, PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_unmap(s, fva, PG), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_map(s, fva, PG, mem, 9), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, fva, PG, va), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_copy(s, va, PG, fva), STATUS_INVALID_PARAMETER);
	dxg_gpuva_unmap_owner(s, 9);
	assert_ptr_equal(dxg_gpuva_access(s, fva, 8, R), page);
	/* A clone keeps it (the batch path of UpdateGpuVirtualAddress). */
	c = dxg_gpuva_clone(s);
	assert_non_null(c);
	assert_int_equal(dxg_gpuva_fence(c, fva2, &owner, &dev), 0);
	assert_int_equal(dev, 2);
	assert_int_equal(dxg_gpuva_free(c, fva2, PG), STATUS_INVALID_PARAMETER);
	dxg_gpuva_destroy(c);
	/* Only its owner takes it back; then the address is free again. */
	assert_int_equal(dxg_gpuva_unmap_fence(s, fva, 6), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_unmap_fence(s, va, 9), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpuva_unmap_fence(s, fva, 5), 0);
	assert_int_equal(dxg_gpuva_fence(s, fva, &owner, &dev), -1);
	assert_null(dxg_gpuva_access(s, fva, 8, R));
	assert_int_equal(dxg_gpuva_map_fence(s, page, 7, 1, &va), 0);
	assert_int_equal(va, fva);
}

static void unmap_never_mapped(void **state)
{
	struct dxg_gpuva_space *s = *state;
	uint64_t a = reserve(s, 8 * PG);

	assert_int_equal(dxg_gpuva_unmap(s, a + PG, 2 * PG), 0);
	assert_null(dxg_gpuva_translate(s, a + PG, 4));
	assert_int_equal(dxg_gpuva_map(s, a, PG, mem, 1), 0);
	assert_int_equal(dxg_gpuva_unmap(s, a + 2 * PG, 2 * PG), 0);
	assert_ptr_equal(dxg_gpuva_translate(s, a, 4), mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_args),
		cmocka_unit_test_setup_teardown(reserve_lowest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(unmap_never_mapped, setup, teardown),
		cmocka_unit_test_setup_teardown(reserve_fixed, setup, teardown),
		cmocka_unit_test_setup_teardown(reserve_range_and_align, setup, teardown),
		cmocka_unit_test_setup_teardown(free_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(map_and_translate, setup, teardown),
		cmocka_unit_test_setup_teardown(map_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(unmap_split_and_trim, setup, teardown),
		cmocka_unit_test_setup_teardown(unmap_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(clone_and_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(many, setup, teardown),
		cmocka_unit_test_setup_teardown(protection, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_basics, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_many, setup, teardown),
		cmocka_unit_test_setup_teardown(fence_pages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
