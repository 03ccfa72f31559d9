// SPDX-License-Identifier: MIT
/*
 * Guest RAM and existing-sysmem allocations (host/core/guest_ram.c,
 * host/core/sysmem.c), over a memfd standing in for QEMU's guest RAM:
 * the layout handshake accepts only probes found where the x86 layout
 * puts them (both parts), and refuses what a hostile guest might send;
 * page lists map the named frames in place, run by run, once each, only
 * inside RAM, and within the VM's mapping budget; GPADLs (host/core/gpadl.c,
 * ivshmem's stand-in for VMBus's) are named in parts, each page once, only
 * over verified RAM, within the VM's bounds, and usable only complete.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/gpadl.h"
#include "core/guest_ram.h"
#include "core/sysmem.h"
#include "dxg/ntstatus.h"

#define PG	DXG_GUEST_RAM_PAGE
#define G4	DXG_GUEST_RAM_4G
#define MB	(1024ull * 1024)

/* A guest-RAM file of @size bytes (sparse) held by @r. */
static void ram_make(struct dxg_guest_ram *r, uint64_t size)
{
	int fd = memfd_create("test-ram", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	assert_int_equal(dxg_guest_ram_init(r, fd), 0);
	assert_true(dxg_guest_ram_held(r));
}

/* Writes a nonce into the file at @off and describes it as a probe of @gpa. */
static void probe_at(struct dxg_guest_ram *r, struct dxg_guest_ram_probe *p,
		     uint64_t gpa, uint64_t off, uint8_t seed)
{
	p->gpa = gpa;
	for (unsigned int i = 0; i < sizeof(p->nonce); i++)
		p->nonce[i] = (uint8_t)(seed * 31 + i * 7 + 1);
	memcpy(r->base + off, p->nonce, sizeof(p->nonce));
}

static void test_low_only(void **state)
{
	struct dxg_guest_ram r;
	struct dxg_guest_ram_probe p[2];
	uint64_t off;

	(void)state;
	ram_make(&r, 64 * MB);
	probe_at(&r, &p[0], 5 * PG, 5 * PG, 1);
	probe_at(&r, &p[1], 60 * MB, 60 * MB, 2);
	assert_int_equal(dxg_guest_ram_offset(&r, 0, &off), -1);	/* unverified */
	assert_int_equal(dxg_guest_ram_verify(&r, 64 * MB - 16 * PG, p, 2),
			 STATUS_SUCCESS);
	assert_true(r.verified);
	assert_int_equal(dxg_guest_ram_offset(&r, 7 * PG, &off), 0);
	assert_int_equal(off, 7 * PG);
	assert_int_equal(dxg_guest_ram_offset(&r, 64 * MB, &off), -1);
	assert_int_equal(dxg_guest_ram_offset(&r, 7 * PG + 1, &off), -1);
	assert_int_equal(dxg_guest_ram_offset(&r, G4, &off), -1);
	dxg_guest_ram_fini(&r);
}

static void test_split(void **state)
{
	/* 3 GiB below the hole... of a 3.5 GiB machine: 512 MiB above 4 GiB. */
	const uint64_t low = 3072 * MB, high = 512 * MB;
	struct dxg_guest_ram r;
	struct dxg_guest_ram_probe p[2];
	uint64_t off;

	(void)state;
	ram_make(&r, low + high);
	probe_at(&r, &p[0], 16 * PG, 16 * PG, 3);
	probe_at(&r, &p[1], G4 + 8 * PG, low + 8 * PG, 4);
	/* Only a low probe: the high part is not shown right. */
	assert_int_equal(dxg_guest_ram_verify(&r, G4 + high, p, 1),
			 STATUS_NOT_SUPPORTED);
	assert_false(r.verified);
	/* A wrong end of RAM puts the high probe elsewhere. */
	assert_int_equal(dxg_guest_ram_verify(&r, G4 + high - PG, p, 2),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_guest_ram_verify(&r, G4 + high, p, 2), STATUS_SUCCESS);
	assert_int_equal(r.low, low);
	assert_int_equal(r.high, high);
	assert_int_equal(dxg_guest_ram_offset(&r, G4, &off), 0);
	assert_int_equal(off, low);
	assert_int_equal(dxg_guest_ram_offset(&r, low, &off), -1);	/* the hole */
	assert_int_equal(dxg_guest_ram_offset(&r, G4 + high, &off), -1);
	dxg_guest_ram_fini(&r);
}

static void test_hostile_verify(void **state)
{
	struct dxg_guest_ram r, none;
	struct dxg_guest_ram_probe p[DXG_GUEST_RAM_MAX_PROBES + 1];

	(void)state;
	dxg_guest_ram_none(&none);
	ram_make(&r, 16 * MB);
	for (unsigned int i = 0; i <= DXG_GUEST_RAM_MAX_PROBES; i++)
		probe_at(&r, &p[i], (uint64_t)(i + 1) * PG, (uint64_t)(i + 1) * PG,
			 (uint8_t)i);
	assert_int_equal(dxg_guest_ram_verify(&none, 16 * MB, p, 1),
			 STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_guest_ram_verify(&r, 16 * MB, p, 0),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_guest_ram_verify(&r, 16 * MB, p,
					      DXG_GUEST_RAM_MAX_PROBES + 1),
			 STATUS_INVALID_PARAMETER);
	/* RAM larger than the file, an unaligned or zero end, a bad nonce. */
	assert_int_equal(dxg_guest_ram_verify(&r, 32 * MB, p, 2), STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_guest_ram_verify(&r, 16 * MB - 1, p, 2), STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_guest_ram_verify(&r, 0, p, 2), STATUS_NOT_SUPPORTED);
	assert_int_equal(dxg_guest_ram_verify(&r, UINT64_MAX - PG + 1, p, 2),
			 STATUS_NOT_SUPPORTED);
	p[1].nonce[3] ^= 1;
	assert_int_equal(dxg_guest_ram_verify(&r, 16 * MB, p, 2), STATUS_NOT_SUPPORTED);
	p[1].nonce[3] ^= 1;
	p[1].gpa = 16 * MB;		/* outside */
	assert_int_equal(dxg_guest_ram_verify(&r, 16 * MB, p, 2), STATUS_NOT_SUPPORTED);
	p[1].gpa = 2 * PG + 8;		/* unaligned */
	assert_int_equal(dxg_guest_ram_verify(&r, 16 * MB, p, 2), STATUS_NOT_SUPPORTED);
	assert_false(r.verified);
	dxg_guest_ram_fini(&r);
	/* Not a regular file with whole pages: not taken. */
	assert_int_equal(dxg_guest_ram_init(&r, -1), -EBADF);
	{
		int fd = memfd_create("odd", MFD_CLOEXEC);

		assert_int_equal(ftruncate(fd, PG + 1), 0);
		assert_int_equal(dxg_guest_ram_init(&r, fd), -EINVAL);
	}
}

static void verified_ram(struct dxg_guest_ram *r, uint64_t size)
{
	struct dxg_guest_ram_probe p;

	ram_make(r, size);
	probe_at(r, &p, 0, 0, 9);
	assert_int_equal(dxg_guest_ram_verify(r, size, &p, 1), STATUS_SUCCESS);
}

static void test_pages_in_place(void **state)
{
	struct dxg_guest_ram r;
	struct dxg_sysmem *s;
	uint32_t runs = 0;
	/* Pages 0..3 of the allocation: frames 10, 11, 12 (one run) and 40. */
	uint64_t pfns[4] = { 10, 11, 12, 40 };

	(void)state;
	verified_ram(&r, 1 * MB);
	assert_int_equal(dxg_sysmem_create(&r, 4 * PG, &runs, &s), STATUS_SUCCESS);
	assert_int_equal(runs, 1);
	assert_false(dxg_sysmem_ready(s));
	r.base[11 * PG + 5] = 0x77;
	r.base[40 * PG] = 0x88;
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 0, 2, pfns, &runs), STATUS_SUCCESS);
	assert_int_equal(runs, 2);
	assert_false(dxg_sysmem_ready(s));
	/* Page 1 again: named once only; nothing changes. */
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 1, 3, pfns + 1, &runs),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 2, 2, pfns + 2, &runs),
			 STATUS_SUCCESS);
	assert_int_equal(runs, 4);	/* 12 follows 11 only across messages */
	assert_true(dxg_sysmem_ready(s));
	assert_int_equal(s->map[PG + 5], 0x77);
	assert_int_equal(s->map[3 * PG], 0x88);
	/* In place both ways: no copy. */
	s->map[2 * PG + 9] = 0x99;
	assert_int_equal(r.base[12 * PG + 9], 0x99);
	dxg_sysmem_destroy(s, &runs);
	assert_int_equal(runs, 0);
	dxg_guest_ram_fini(&r);
}

static void test_pages_hostile(void **state)
{
	struct dxg_guest_ram r, unverified;
	struct dxg_sysmem *s;
	uint32_t runs = 0;
	uint64_t pfns[3] = { 1, 2, 3 };

	(void)state;
	ram_make(&unverified, 1 * MB);
	assert_int_equal(dxg_sysmem_create(&unverified, PG, &runs, &s),
			 STATUS_NOT_SUPPORTED);
	dxg_guest_ram_fini(&unverified);
	verified_ram(&r, 1 * MB);
	assert_int_equal(dxg_sysmem_create(&r, 0, &runs, &s), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sysmem_create(&r, PG + 1, &runs, &s), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sysmem_create(&r, 2 * MB, &runs, &s), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sysmem_create(&r, 3 * PG, &runs, &s), STATUS_SUCCESS);
	/* Past the end, none, counts that wrap. */
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 3, 1, pfns, &runs),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 0, 0, pfns, &runs),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 2, UINT32_MAX, pfns, &runs),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_sysmem_set_pages(s, &r, UINT64_MAX, 1, pfns, &runs),
			 STATUS_INVALID_PARAMETER);
	/* Frames outside RAM, or whose address overflows: nothing named. */
	pfns[2] = 1 * MB / PG;
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 0, 3, pfns, &runs),
			 STATUS_INVALID_PARAMETER);
	pfns[2] = UINT64_MAX;
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 0, 3, pfns, &runs),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(s->named, 0);
	assert_int_equal(runs, 1);
	dxg_sysmem_destroy(s, &runs);
	/* The VM's mapping budget. */
	runs = DXG_SYSMEM_MAX_RUNS;
	assert_int_equal(dxg_sysmem_create(&r, PG, &runs, &s), STATUS_NO_MEMORY);
	runs = DXG_SYSMEM_MAX_RUNS - 2;
	assert_int_equal(dxg_sysmem_create(&r, 3 * PG, &runs, &s), STATUS_SUCCESS);
	pfns[0] = 1;
	pfns[1] = 5;
	pfns[2] = 9;		/* three runs, one left */
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 0, 3, pfns, &runs),
			 STATUS_NO_MEMORY);
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 0, 1, pfns, &runs),
			 STATUS_SUCCESS);
	assert_int_equal(runs, DXG_SYSMEM_MAX_RUNS);
	dxg_sysmem_destroy(s, &runs);
	assert_int_equal(runs, DXG_SYSMEM_MAX_RUNS - 2);
	dxg_guest_ram_fini(&r);
}

static void test_gpadl(void **state)
{
	struct dxg_guest_ram r, unverified;
	struct dxg_gpadls t;
	const struct dxg_gpadl *g;
	uint64_t pfns[4] = { 10, 11, 12, 40 };
	struct dxg_sysmem *s;
	uint32_t runs = 0;

	(void)state;
	dxg_gpadls_init(&t);
	ram_make(&unverified, 1 * MB);
	assert_int_equal(dxg_gpadl_name(&t, &unverified, 7, 4, 0, 4, pfns),
			 STATUS_NOT_SUPPORTED);
	dxg_guest_ram_fini(&unverified);
	verified_ram(&r, 1 * MB);
	/* Handle 0, no pages, a continuation of nothing: refused. */
	assert_int_equal(dxg_gpadl_name(&t, &r, 0, 4, 0, 4, pfns),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 4, 0, 0, pfns),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 4, 2, 2, pfns + 2),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 0, 0, 1, pfns),
			 STATUS_INVALID_PARAMETER);
	/* More pages than it has; a frame outside RAM: nothing made. */
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 2, 0, 3, pfns),
			 STATUS_INVALID_PARAMETER);
	pfns[1] = 1 * MB / PG;
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 4, 0, 2, pfns),
			 STATUS_INVALID_PARAMETER);
	assert_null(t.head);
	pfns[1] = 11;
	/* Two messages; usable only when complete. */
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 4, 0, 2, pfns), STATUS_SUCCESS);
	assert_null(dxg_gpadl_complete(&t, 7));
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 4, 0, 1, pfns),
			 STATUS_INVALID_PARAMETER);	/* a second first */
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 4, 1, 2, pfns + 1),
			 STATUS_INVALID_PARAMETER);	/* page 1 twice */
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 5, 2, 2, pfns + 2),
			 STATUS_INVALID_PARAMETER);	/* another total */
	assert_int_equal(dxg_gpadl_name(&t, &r, 7, 4, 2, 2, pfns + 2), STATUS_SUCCESS);
	g = dxg_gpadl_complete(&t, 7);
	assert_non_null(g);
	assert_int_equal(g->pages, 4);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.pages, 4);
	/* What SETEXISTINGSYSMEMSTORE does with it: the pages in place. */
	r.base[40 * PG + 3] = 0x5a;
	assert_int_equal(dxg_sysmem_create(&r, 4 * PG, &runs, &s), STATUS_SUCCESS);
	assert_int_equal(dxg_sysmem_set_pages(s, &r, 0, g->pages, g->pfns, &runs),
			 STATUS_SUCCESS);
	assert_true(dxg_sysmem_ready(s));
	assert_int_equal(s->map[3 * PG + 3], 0x5a);
	/* Torn down, the allocation keeps its pages; the handle is free again. */
	assert_int_equal(dxg_gpadl_teardown(&t, 7), STATUS_SUCCESS);
	assert_int_equal(dxg_gpadl_teardown(&t, 7), STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_gpadl_teardown(&t, 0), STATUS_INVALID_PARAMETER);
	assert_null(dxg_gpadl_complete(&t, 7));
	assert_int_equal(t.count, 0);
	assert_int_equal(t.pages, 0);
	assert_int_equal(s->map[3 * PG + 3], 0x5a);
	dxg_sysmem_destroy(s, &runs);
	/* The VM's bounds: pages, then count. */
	assert_int_equal(dxg_gpadl_name(&t, &r, 8, DXG_GPADL_MAX_PAGES + 1, 0, 1,
					pfns), STATUS_NO_MEMORY);
	for (uint32_t h = 1; h <= DXG_GPADL_MAX; h++)
		assert_int_equal(dxg_gpadl_name(&t, &r, h, 1, 0, 1, pfns),
				 STATUS_SUCCESS);
	assert_int_equal(dxg_gpadl_name(&t, &r, DXG_GPADL_MAX + 1, 1, 0, 1, pfns),
			 STATUS_NO_MEMORY);
	assert_int_equal(t.count, DXG_GPADL_MAX);
	dxg_gpadls_fini(&t);
	assert_null(t.head);
	assert_int_equal(t.count, 0);
	dxg_guest_ram_fini(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_low_only),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_hostile_verify),
		cmocka_unit_test(test_pages_in_place),
		cmocka_unit_test(test_pages_hostile),
		cmocka_unit_test(test_gpadl),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
