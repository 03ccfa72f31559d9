// SPDX-License-Identifier: MIT
/*
 * The GPU VA space: a sorted array of reservations, each with a sorted array
 * of its mappings.  Translation (on every command the executor runs) is two
 * binary searches and no allocation.  Reservations and mappings never
 * overlap, so "the last one starting at or below va" is the only candidate.
 */
#include "core/gpuva.h"

#include <stdbool.h>
#include <stddef.h>
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
	uint8_t *host;		/* NULL in the ZERO and NO_ACCESS states */
	uint64_t owner;
	uint32_t prot;		/* DXG_GPUVA_PROT_* */
	void *dev;		/* device memory instead of host memory, or NULL */
	uint64_t dev_offset;	/* of va in dev */
};

struct gpuva_res {
	uint64_t va, size;
	struct gpuva_map *maps;
	uint32_t nmaps, cap;
	/* A fence's page (dxg_gpuva_map_fence): the host's, not the guest's. */
	bool fence;
	uint32_t device;	/* the fence's device */
};

struct dxg_gpuva_space {
	struct dxg_va va;		/* what the command stream sees (exec/va.h) */
	uint64_t base, end;		/* [base, end) */
	struct gpuva_res *res;
	uint32_t nres, cap;
};

static const struct dxg_va_ops gpuva_va_ops;

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
	s->va.ops = &gpuva_va_ops;
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

struct dxg_gpuva_space *dxg_gpuva_clone(const struct dxg_gpuva_space *s)
{
	struct dxg_gpuva_space *c = calloc(1, sizeof(*c));
	uint32_t i;

	if (!c)
		return NULL;
	c->va.ops = &gpuva_va_ops;
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

		c->res[i] = (struct gpuva_res){
			.va = r->va, .size = r->size,
			.fence = r->fence, .device = r->device,
		};
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

/* Index of the first reservation with va > @va (upper bound). */
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

/* As res_find, for the guest's own changes: never a fence's reservation. */
static struct gpuva_res *res_find_guest(const struct dxg_gpuva_space *s,
					uint64_t va, uint64_t end)
{
	struct gpuva_res *r = res_find(s, va, end);

	return r && !r->fence ? r : NULL;
}

/* Grow an array of esz-byte elements to hold @need (at most @max). */
static int grow_to(void **arr, uint32_t *cap, uint64_t need, size_t esz,
		   uint32_t max)
{
	uint32_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	if (need > max)
		return STATUS_QUOTA_EXCEEDED;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < need)
		ncap = (uint32_t)need;
	if (ncap > max)
		ncap = max;
	p = realloc(*arr, (size_t)ncap * esz);
	if (!p)
		return STATUS_NO_MEMORY;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* Grow an array of n elements of esz bytes to hold one more. */
static int grow(void **arr, uint32_t *cap, uint32_t n, size_t esz, uint32_t max)
{
	return grow_to(arr, cap, (uint64_t)n + 1, esz, max);
}

/* The part of a mapping that starts @off bytes into it (va and size untouched). */
static struct gpuva_map map_at(const struct gpuva_map *m, uint64_t off)
{
	struct gpuva_map r = *m;

	if (r.host)
		r.host += off;
	if (r.dev)
		r.dev_offset += off;
	return r;
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

/* Drops reservation @i and what it maps. */
static int32_t res_remove(struct dxg_gpuva_space *s, uint32_t i)
{
	struct gpuva_res *r = &s->res[i];

	free(r->maps);
	memmove(r, r + 1, (s->nres - i - 1) * sizeof(*r));
	s->nres--;
	return STATUS_SUCCESS;
}

int32_t dxg_gpuva_free(struct dxg_gpuva_space *s, uint64_t va, uint64_t size)
{
	uint32_t i = res_upper(s, va);
	struct gpuva_res *r;

	if (i == 0)
		return STATUS_INVALID_PARAMETER;
	r = &s->res[i - 1];
	if (r->va != va || r->size != size || r->fence)
		return STATUS_INVALID_PARAMETER;
	return res_remove(s, i - 1);
}

/* Protection words dxg_gpuva_map_prot() accepts for @host (NULL or not). */
static int prot_ok(uint32_t prot, const void *host)
{
	const uint32_t state = DXG_GPUVA_PROT_ZERO | DXG_GPUVA_PROT_NO_ACCESS;

	if (prot & ~(DXG_GPUVA_PROT_WRITE | DXG_GPUVA_PROT_EXECUTE | state))
		return 0;
	if (!host)	/* exactly one memoryless state, nothing else */
		return prot == DXG_GPUVA_PROT_ZERO ||
		       prot == DXG_GPUVA_PROT_NO_ACCESS;
	return !(prot & state);
}

/* Inserts @m into @r (its va and size checked by the caller's range_ok). */
static int32_t insert_in(struct gpuva_res *r, const struct gpuva_map *m)
{
	uint64_t va = m->va, end = m->va + m->size;
	uint32_t i;
	int32_t st;

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
	r->maps[i] = *m;
	r->nmaps++;
	return STATUS_SUCCESS;
}

/* Inserts @m into the guest's reservation that holds it. */
static int32_t insert(struct dxg_gpuva_space *s, const struct gpuva_map *m)
{
	struct gpuva_res *r = res_find_guest(s, m->va, m->va + m->size);

	if (!r)
		return STATUS_INVALID_PARAMETER;
	return insert_in(r, m);
}

int32_t dxg_gpuva_map_prot(struct dxg_gpuva_space *s, uint64_t va,
			   uint64_t size, void *host, uint64_t owner,
			   uint32_t prot)
{
	const struct gpuva_map m = {
		.va = va, .size = size, .host = host, .owner = owner, .prot = prot,
	};
	uint64_t end;

	if (!prot_ok(prot, host) || !range_ok(va, size, &end))
		return STATUS_INVALID_PARAMETER;
	return insert(s, &m);
}

int32_t dxg_gpuva_map_dev(struct dxg_gpuva_space *s, uint64_t va, uint64_t size,
			  void *dev, uint64_t dev_offset, uint64_t owner)
{
	const struct gpuva_map m = {
		.va = va, .size = size, .owner = owner, .prot = DXG_GPUVA_PROT_RW,
		.dev = dev, .dev_offset = dev_offset,
	};
	uint64_t end;

	if (!dev || !range_ok(va, size, &end))
		return STATUS_INVALID_PARAMETER;
	return insert(s, &m);
}

int32_t dxg_gpuva_map(struct dxg_gpuva_space *s, uint64_t va, uint64_t size,
		      void *host, uint64_t owner)
{
	if (!host)
		return STATUS_INVALID_PARAMETER;
	return dxg_gpuva_map_prot(s, va, size, host, owner, DXG_GPUVA_PROT_RW);
}

int32_t dxg_gpuva_unmap(struct dxg_gpuva_space *s, uint64_t va, uint64_t size)
{
	struct gpuva_res *r;
	struct gpuva_map *m;
	uint64_t end, mend;
	uint32_t i, k;
	int32_t st;

	if (!range_ok(va, size, &end))
		return STATUS_INVALID_PARAMETER;
	r = res_find_guest(s, va, end);
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
			r->maps[i] = map_at(m, end - m->va);
			r->maps[i].va = end;
			r->maps[i].size = mend - end;
			m->size = va - m->va;
			r->nmaps++;
			return STATUS_SUCCESS;
		}
		/* Trim the tail of one that starts below va. */
		if (m->va < va && m->va + m->size > va)
			m->size = va - m->va;
	}
	/*
	 * Mappings starting in [va, end): drop the ones wholly inside with one
	 * move (a big unmap stays linear), trim the head of the last.
	 */
	k = i;
	while (k < r->nmaps && r->maps[k].va + r->maps[k].size <= end)
		k++;
	if (k > i) {	/* (maps may be NULL when there is nothing to drop) */
		memmove(&r->maps[i], &r->maps[k], (r->nmaps - k) * sizeof(*m));
		r->nmaps -= k - i;
	}
	if (i < r->nmaps && r->maps[i].va < end) {
		m = &r->maps[i];
		mend = m->va + m->size;
		*m = map_at(m, end - m->va);
		m->size = mend - end;
		m->va = end;
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

/*
 * Snapshot the mappings of [src, send) in @r (every page mapped) into a new
 * array, moved to start at @dst.  *n gets its length.
 */
static int32_t copy_snapshot(const struct gpuva_res *r, uint64_t src,
			     uint64_t send, uint64_t dst,
			     struct gpuva_map **out, uint32_t *n)
{
	uint32_t i = map_upper(r, src), k = 0;
	struct gpuva_map *v;
	uint64_t at = src;

	if (i > 0 && r->maps[i - 1].va + r->maps[i - 1].size > src)
		i--;	/* the mapping that covers src */
	v = malloc((size_t)(r->nmaps - i + 1) * sizeof(*v));
	if (!v)
		return STATUS_NO_MEMORY;
	for (; at < send; i++) {
		const struct gpuva_map *m;
		uint64_t mend;

		/*
		 * A hole before the next mapping (or none left): not mapped.
		 * Index only after the bound check: a reservation that never
		 * had a mapping has no array (maps NULL).
		 */
		if (i >= r->nmaps || r->maps[i].va > at) {
			free(v);
			return STATUS_INVALID_PARAMETER;
		}
		m = &r->maps[i];
		mend = m->va + m->size;
		v[k] = map_at(m, at - m->va);
		v[k].va = at - src + dst;
		v[k].size = (mend < send ? mend : send) - at;
		at += v[k++].size;
	}
	*out = v;
	*n = k;
	return STATUS_SUCCESS;
}

/* How many mappings of @r lie wholly inside [va, end). */
static uint32_t maps_inside(const struct gpuva_res *r, uint64_t va,
			    uint64_t end)
{
	uint32_t i = map_upper(r, va), n = 0;

	if (i > 0 && r->maps[i - 1].va == va)
		i--;
	for (; i < r->nmaps && r->maps[i].va + r->maps[i].size <= end; i++)
		n++;
	return n;
}

int32_t dxg_gpuva_copy(struct dxg_gpuva_space *s, uint64_t src, uint64_t size,
		       uint64_t dst)
{
	struct gpuva_res *rs, *rd;
	struct gpuva_map *v;
	uint64_t send, dend;
	uint32_t k, j;
	int32_t st;

	if (!range_ok(src, size, &send) || !range_ok(dst, size, &dend))
		return STATUS_INVALID_PARAMETER;
	/* A fence's page is never copied: it would outlive the fence. */
	rs = res_find_guest(s, src, send);
	rd = res_find_guest(s, dst, dend);
	if (!rs || !rd)
		return STATUS_INVALID_PARAMETER;
	/* The source first: with overlap it is about to change. */
	st = copy_snapshot(rs, src, send, dst, &v, &k);
	if (st)
		return st;
	/*
	 * Room for the pieces and for the split the unmap may make, less the
	 * mappings it removes whole: the bound counts the result.
	 */
	st = grow_to((void **)&rd->maps, &rd->cap,
		     (uint64_t)rd->nmaps - maps_inside(rd, dst, dend) + k + 1,
		     sizeof(*rd->maps), MAX_MAPPINGS);
	if (!st)
		st = dxg_gpuva_unmap(s, dst, size);	/* cannot fail now */
	if (st) {
		free(v);
		return st;
	}
	j = map_upper(rd, dst);
	memmove(&rd->maps[j + k], &rd->maps[j], (rd->nmaps - j) * sizeof(*v));
	memcpy(&rd->maps[j], v, (size_t)k * sizeof(*v));
	rd->nmaps += k;
	free(v);
	return STATUS_SUCCESS;
}

/* The mapping holding all of [va, va + len), or NULL. */
static const struct gpuva_map *map_find(const struct dxg_gpuva_space *s,
					uint64_t va, uint64_t len)
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
	return end <= m->va + m->size ? m : NULL;
}

void *dxg_gpuva_access(const struct dxg_gpuva_space *s, uint64_t va,
		       uint64_t len, unsigned int access)
{
	const struct gpuva_map *m = map_find(s, va, len);

	/* Memoryless states and device memory (host NULL) fault here. */
	if (!m || !m->host)
		return NULL;
	if ((access & DXG_GPUVA_WRITE) && !(m->prot & DXG_GPUVA_PROT_WRITE))
		return NULL;
	return m->host + (va - m->va);
}

void *dxg_gpuva_translate(const struct dxg_gpuva_space *s, uint64_t va,
			  uint64_t len)
{
	return dxg_gpuva_access(s, va, len, DXG_GPUVA_READ);
}

int dxg_gpuva_resolve(const struct dxg_gpuva_space *s, uint64_t va, uint64_t len,
		      unsigned int access, struct dxg_engine_mem *out)
{
	const struct gpuva_map *m = map_find(s, va, len);

	if (!m || (!m->host && !m->dev))
		return -1;
	if ((access & DXG_GPUVA_WRITE) && !(m->prot & DXG_GPUVA_PROT_WRITE))
		return -1;
	*out = (struct dxg_engine_mem) {
		.host = m->host ? m->host + (va - m->va) : NULL,
		.dev = m->dev,
		.dev_offset = m->dev ? m->dev_offset + (va - m->va) : 0,
	};
	return 0;
}

int dxg_gpuva_is_zero(const struct dxg_gpuva_space *s, uint64_t va,
		      uint64_t len)
{
	const struct gpuva_map *m = map_find(s, va, len);

	return m && (m->prot & DXG_GPUVA_PROT_ZERO);
}

/* The command stream's view (exec/va.h): the same lookups. */
static const struct dxg_gpuva_space *from_va(const struct dxg_va *va)
{
	return (const struct dxg_gpuva_space *)((const char *)va -
		offsetof(struct dxg_gpuva_space, va));
}

static void *va_access(const struct dxg_va *va, uint64_t addr, uint64_t len,
		       unsigned int access)
{
	return dxg_gpuva_access(from_va(va), addr, len, access);
}

static int va_is_zero(const struct dxg_va *va, uint64_t addr, uint64_t len)
{
	return dxg_gpuva_is_zero(from_va(va), addr, len);
}

static int va_resolve(const struct dxg_va *va, uint64_t addr, uint64_t len,
		      unsigned int access, struct dxg_engine_mem *out)
{
	return dxg_gpuva_resolve(from_va(va), addr, len, access, out);
}

static const struct dxg_va_ops gpuva_va_ops = {
	.access = va_access,
	.is_zero = va_is_zero,
	.resolve = va_resolve,
};

const struct dxg_va *dxg_gpuva_va(const struct dxg_gpuva_space *s)
{
	return s ? &s->va : NULL;
}

/* ---- fences ---- */

int32_t dxg_gpuva_map_fence(struct dxg_gpuva_space *s, void *host,
			    uint64_t owner, uint32_t device, uint64_t *out_va)
{
	const uint64_t lo = s->end - s->base > DXG_GPUVA_FENCE_WINDOW ?
			    s->end - DXG_GPUVA_FENCE_WINDOW : s->base;
	struct gpuva_map m = {
		.size = DXG_GPUVA_PAGE, .host = host, .owner = owner,
		.prot = 0,	/* read-only */
	};
	struct gpuva_res *r;
	uint64_t va;
	int32_t st;

	*out_va = 0;
	if (!host || !owner)
		return STATUS_INVALID_PARAMETER;
	st = dxg_gpuva_reserve(s, 0, lo, 0, DXG_GPUVA_PAGE, 0, &va);
	if (st)
		return st;
	r = res_find(s, va, va + DXG_GPUVA_PAGE);
	m.va = va;
	st = insert_in(r, &m);
	if (st) {
		(void)dxg_gpuva_free(s, va, DXG_GPUVA_PAGE);
		return st;
	}
	r->fence = true;
	r->device = device;
	*out_va = va;
	return STATUS_SUCCESS;
}

/* The fence reservation at exactly @va, or NULL. */
static struct gpuva_res *fence_res(const struct dxg_gpuva_space *s,
				   uint64_t va, uint32_t *index)
{
	uint32_t i = res_upper(s, va);
	struct gpuva_res *r;

	if (i == 0)
		return NULL;
	r = &s->res[i - 1];
	if (!r->fence || r->va != va || r->nmaps != 1)
		return NULL;
	if (index)
		*index = i - 1;
	return r;
}

int32_t dxg_gpuva_unmap_fence(struct dxg_gpuva_space *s, uint64_t va,
			      uint64_t owner)
{
	uint32_t i;
	struct gpuva_res *r = fence_res(s, va, &i);

	if (!r || r->maps[0].owner != owner)
		return STATUS_INVALID_PARAMETER;
	return res_remove(s, i);
}

int dxg_gpuva_fence(const struct dxg_gpuva_space *s, uint64_t va,
		    uint64_t *owner, uint32_t *device)
{
	const struct gpuva_res *r = s ? fence_res(s, va, NULL) : NULL;

	if (!r)
		return -1;
	*owner = r->maps[0].owner;
	*device = r->device;
	return 0;
}

static const struct dxg_gpuva_space *from_view(const struct dxg_va *va)
{
	return ((const struct dxg_gpuva_view *)(const void *)va)->space;
}

static void *view_access(const struct dxg_va *va, uint64_t addr, uint64_t len,
			 unsigned int access)
{
	return dxg_gpuva_access(from_view(va), addr, len, access);
}

static int view_is_zero(const struct dxg_va *va, uint64_t addr, uint64_t len)
{
	return dxg_gpuva_is_zero(from_view(va), addr, len);
}

static int view_resolve(const struct dxg_va *va, uint64_t addr, uint64_t len,
			unsigned int access, struct dxg_engine_mem *out)
{
	return dxg_gpuva_resolve(from_view(va), addr, len, access, out);
}

static int view_fence(const struct dxg_va *va, uint64_t addr, uint64_t *id)
{
	const struct dxg_gpuva_view *v = (const void *)va;
	uint32_t device;

	if (dxg_gpuva_fence(v->space, addr, id, &device) || device != v->device)
		return -1;
	return 0;
}

static const struct dxg_va_ops view_ops = {
	.access = view_access,
	.is_zero = view_is_zero,
	.resolve = view_resolve,
	.fence = view_fence,
};

const struct dxg_va *dxg_gpuva_device_view(struct dxg_gpuva_view *v,
					   const struct dxg_gpuva_space *s,
					   uint32_t device)
{
	if (!s)
		return NULL;
	v->va.ops = &view_ops;
	v->space = s;
	v->device = device;
	return &v->va;
}
