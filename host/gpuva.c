// SPDX-License-Identifier: MIT
/*
 * The GPU VA space: a sorted array of reservations, each with a sorted array
 * of its mappings.  Translation (on every command the executor runs) is two
 * binary searches and no allocation.  Reservations and mappings never
 * overlap, so "the last one starting at or below va" is the only candidate.
 */
#include "gpuva.h"

#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"

/*
 * Bounds on the arrays: a hostile guest must not make every insert an
 * O(n) move of megabytes.  Beyond them requests fail with
 * STATUS_QUOTA_EXCEEDED.
 */
#define MAX_RESERVATIONS	65536u
#define MAX_MAPPINGS		65536u	/* per reservation */

struct gpuva_map {
	uint64_t va, size;
	uint8_t *host;
	uint64_t owner;
};

struct gpuva_res {
	uint64_t va, size;
	struct gpuva_map *maps;
	uint32_t nmaps, cap;
};

struct dxg_gpuva_space {
	uint64_t base, end;		/* [base, end) */
	struct gpuva_res *res;
	uint32_t nres, cap;
};

static int page_aligned(uint64_t v)
{
	return (v & (DXG_GPUVA_PAGE - 1)) == 0;
}

/* [va, va + size) as [va, *end): nonzero, page granular, no wraparound. */
static int range_ok(uint64_t va, uint64_t size, uint64_t *end)
{
	return size && page_aligned(va) && page_aligned(size) &&
	       !__builtin_add_overflow(va, size, end);
}

struct dxg_gpuva_space *dxg_gpuva_create(uint64_t base, uint64_t size)
{
	struct dxg_gpuva_space *s;
	uint64_t end;

	/* VA 0 must stay invalid: it is every API's "no address". */
	if (!base || !range_ok(base, size, &end))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->base = base;
	s->end = end;
	return s;
}

void dxg_gpuva_destroy(struct dxg_gpuva_space *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->nres; i++)
		free(s->res[i].maps);
	free(s->res);
	free(s);
}

/* Index of the first reservation with va > @va (upper bound). */
struct dxg_gpuva_space *dxg_gpuva_clone(const struct dxg_gpuva_space *s)
{
	struct dxg_gpuva_space *c = calloc(1, sizeof(*c));
	uint32_t i;

	if (!c)
		return NULL;
	c->base = s->base;
	c->end = s->end;
	if (!s->nres)
		return c;
	c->res = calloc(s->nres, sizeof(*c->res));
	if (!c->res) {
		free(c);
		return NULL;
	}
	c->cap = s->nres;
	for (i = 0; i < s->nres; i++) {
		const struct gpuva_res *r = &s->res[i];

		c->res[i] = (struct gpuva_res){ r->va, r->size, NULL, 0, 0 };
		c->nres = i + 1;
		if (!r->nmaps)
			continue;
		c->res[i].maps = malloc(r->nmaps * sizeof(*r->maps));
		if (!c->res[i].maps) {
			dxg_gpuva_destroy(c);
			return NULL;
		}
		memcpy(c->res[i].maps, r->maps, r->nmaps * sizeof(*r->maps));
		c->res[i].nmaps = r->nmaps;
		c->res[i].cap = r->nmaps;
	}
	return c;
}

void dxg_gpuva_swap(struct dxg_gpuva_space *a, struct dxg_gpuva_space *b)
{
	struct dxg_gpuva_space t = *a;

	*a = *b;
	*b = t;
}

static uint32_t res_upper(const struct dxg_gpuva_space *s, uint64_t va)
{
	uint32_t lo = 0, hi = s->nres;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (s->res[mid].va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t map_upper(const struct gpuva_res *r, uint64_t va)
{
	uint32_t lo = 0, hi = r->nmaps;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (r->maps[mid].va <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The reservation containing [va, end) entirely, or NULL. */
static struct gpuva_res *res_find(const struct dxg_gpuva_space *s,
				  uint64_t va, uint64_t end)
{
	uint32_t i = res_upper(s, va);
	struct gpuva_res *r;

	if (i == 0)
		return NULL;
	r = &s->res[i - 1];
	/* r->va <= va; r->va + r->size cannot overflow (checked at reserve). */
	return end <= r->va + r->size ? r : NULL;
}

/* Grow an array of n elements of esz bytes to hold one more. */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t esz, uint32_t max)
{
	uint32_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	if (n >= max)
		return STATUS_QUOTA_EXCEEDED;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap > max)
		ncap = max;
	p = realloc(*arr, (size_t)ncap * esz);
	if (!p)
		return STATUS_NO_MEMORY;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Is [va, end) free of reservations?  (i = res_upper(s, va)) */
static int res_gap_free(const struct dxg_gpuva_space *s, uint32_t i,
			uint64_t va, uint64_t end)
{
	if (i > 0 && s->res[i - 1].va + s->res[i - 1].size > va)
		return 0;
	if (i < s->nres && s->res[i].va < end)
		return 0;
	return 1;
}

/* Lowest va >= @from aligned to @align, or 0 on overflow. */
static uint64_t align_up(uint64_t from, uint64_t align)
{
	uint64_t v;

	if (__builtin_add_overflow(from, align - 1, &v))
		return 0;
	return v & ~(align - 1);
}

/* The lowest free aligned [va, va + size) within [lo, hi); 0 if none. */
static uint64_t find_free(const struct dxg_gpuva_space *s, uint64_t lo,
			  uint64_t hi, uint64_t size, uint64_t align)
{
	uint64_t cand = align_up(lo, align), end;
	uint32_t i = res_upper(s, cand);

	/* A reservation that starts below cand may still cover it. */
	if (i > 0 && cand && s->res[i - 1].va + s->res[i - 1].size > cand)
		cand = align_up(s->res[i - 1].va + s->res[i - 1].size, align);
	for (;;) {
		if (!cand || __builtin_add_overflow(cand, size, &end) || end > hi)
			return 0;
		if (i >= s->nres || end <= s->res[i].va)
			return cand;
		/* Collides with res[i]: try right after it. */
		cand = align_up(s->res[i].va + s->res[i].size, align);
		i++;
	}
}

int32_t dxg_gpuva_reserve(struct dxg_gpuva_space *s, uint64_t fixed_va,
			  uint64_t min_va, uint64_t max_va, uint64_t size,
			  uint64_t align, uint64_t *out_va)
{
	uint64_t va, end, lo, hi;
	uint32_t i;
	int32_t st;

	*out_va = 0;
	if (!size || !page_aligned(size))
		return STATUS_INVALID_PARAMETER;
	if (align == 0)
		align = DXG_GPUVA_PAGE;
	if (align < DXG_GPUVA_PAGE || (align & (align - 1)))
		return STATUS_INVALID_PARAMETER;
	if (fixed_va) {
		if (!range_ok(fixed_va, size, &end) || fixed_va < s->base ||
		    end > s->end)
			return STATUS_INVALID_PARAMETER;
		if (!res_gap_free(s, res_upper(s, fixed_va), fixed_va, end))
			return STATUS_INVALID_PARAMETER;
		va = fixed_va;
	} else {
		lo = min_va > s->base ? min_va : s->base;
		hi = max_va && max_va < s->end ? max_va : s->end;
		if (lo >= hi)
			return STATUS_INVALID_PARAMETER;
		va = find_free(s, lo, hi, size, align);
		if (!va)
			return STATUS_NO_MEMORY;	/* no room in the range */
	}
	st = grow((void **)&s->res, &s->cap, s->nres, sizeof(*s->res),
		  MAX_RESERVATIONS);
	if (st)
		return st;
	i = res_upper(s, va);
	memmove(&s->res[i + 1], &s->res[i], (s->nres - i) * sizeof(*s->res));
	s->res[i] = (struct gpuva_res){ .va = va, .size = size };
	s->nres++;
	*out_va = va;
	return STATUS_SUCCESS;
}

int32_t dxg_gpuva_free(struct dxg_gpuva_space *s, uint64_t va, uint64_t size)
{
	uint32_t i = res_upper(s, va);
	struct gpuva_res *r;

	if (i == 0)
		return STATUS_INVALID_PARAMETER;
	r = &s->res[i - 1];
	if (r->va != va || r->size != size)
		return STATUS_INVALID_PARAMETER;
	free(r->maps);
	memmove(r, r + 1, (s->nres - i) * sizeof(*r));
	s->nres--;
	return STATUS_SUCCESS;
}

int32_t dxg_gpuva_map(struct dxg_gpuva_space *s, uint64_t va, uint64_t size,
		      void *host, uint64_t owner)
{
	struct gpuva_res *r;
	uint64_t end;
	uint32_t i;
	int32_t st;

	if (!host || !range_ok(va, size, &end))
		return STATUS_INVALID_PARAMETER;
	r = res_find(s, va, end);
	if (!r)
		return STATUS_INVALID_PARAMETER;
	i = map_upper(r, va);
	if (i > 0 && r->maps[i - 1].va + r->maps[i - 1].size > va)
		return STATUS_INVALID_PARAMETER;	/* already mapped */
	if (i < r->nmaps && r->maps[i].va < end)
		return STATUS_INVALID_PARAMETER;
	st = grow((void **)&r->maps, &r->cap, r->nmaps, sizeof(*r->maps),
		  MAX_MAPPINGS);
	if (st)
		return st;
	memmove(&r->maps[i + 1], &r->maps[i], (r->nmaps - i) * sizeof(*r->maps));
	r->maps[i] = (struct gpuva_map){ va, size, host, owner };
	r->nmaps++;
	return STATUS_SUCCESS;
}

int32_t dxg_gpuva_unmap(struct dxg_gpuva_space *s, uint64_t va, uint64_t size)
{
	struct gpuva_res *r;
	struct gpuva_map *m;
	uint64_t end, mend;
	uint32_t i;
	int32_t st;

	if (!range_ok(va, size, &end))
		return STATUS_INVALID_PARAMETER;
	r = res_find(s, va, end);
	if (!r)
		return STATUS_INVALID_PARAMETER;
	/*
	 * A mapping that straddles both ends is split in two: make room for
	 * the extra entry first so that failing leaves everything as it was.
	 */
	i = map_upper(r, va);
	if (i > 0 && r->maps[i - 1].va == va) {
		i--;	/* starts exactly at va: the loop below handles it */
	} else if (i > 0) {
		m = &r->maps[i - 1];
		if (m->va < va && m->va + m->size > end) {
			st = grow((void **)&r->maps, &r->cap, r->nmaps,
				  sizeof(*r->maps), MAX_MAPPINGS);
			if (st)
				return st;
			m = &r->maps[i - 1];
			mend = m->va + m->size;
			memmove(&r->maps[i + 1], &r->maps[i],
				(r->nmaps - i) * sizeof(*r->maps));
			r->maps[i] = (struct gpuva_map){
				end, mend - end, m->host + (end - m->va), m->owner };
			m->size = va - m->va;
			r->nmaps++;
			return STATUS_SUCCESS;
		}
		/* Trim the tail of one that starts below va. */
		if (m->va < va && m->va + m->size > va)
			m->size = va - m->va;
	}
	/* Mappings starting in [va, end): drop, or trim the head of the last. */
	while (i < r->nmaps && r->maps[i].va < end) {
		m = &r->maps[i];
		mend = m->va + m->size;
		if (mend > end) {
			m->host += end - m->va;
			m->size = mend - end;
			m->va = end;
			break;
		}
		memmove(m, m + 1, (r->nmaps - i - 1) * sizeof(*m));
		r->nmaps--;
	}
	return STATUS_SUCCESS;
}

void dxg_gpuva_unmap_owner(struct dxg_gpuva_space *s, uint64_t owner)
{
	uint32_t i, j, k;

	for (i = 0; i < s->nres; i++) {
		struct gpuva_res *r = &s->res[i];

		for (j = k = 0; j < r->nmaps; j++)
			if (r->maps[j].owner != owner)
				r->maps[k++] = r->maps[j];
		r->nmaps = k;
	}
}

void *dxg_gpuva_translate(const struct dxg_gpuva_space *s, uint64_t va,
			  uint64_t len)
{
	const struct gpuva_res *r;
	const struct gpuva_map *m;
	uint64_t end;
	uint32_t i;

	if (!len || __builtin_add_overflow(va, len, &end))
		return NULL;
	r = res_find(s, va, end);
	if (!r)
		return NULL;
	i = map_upper(r, va);
	if (i == 0)
		return NULL;
	m = &r->maps[i - 1];
	if (end > m->va + m->size)
		return NULL;
	return m->host + (va - m->va);
}
