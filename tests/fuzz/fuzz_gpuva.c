// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the GPU VA space (host/core/gpuva.c) against a page-by-page
 * model.  The guest drives reserve/map/unmap/free/copy and protections
 * through the memory commands, so every sequence of calls must keep the
 * space consistent: each input is a list of 8-byte operations on a small
 * space, and after every operation each answer is compared with the
 * model's (success or failure, the chosen address, the exact translated
 * pointer, for reads and for writes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_seeds.h"
#include "core/gpuva.h"

#define W	64u			/* pages in the space */
#define PG	DXG_GPUVA_PAGE
#define BASE	DXG_GPUVA_BASE

static uint8_t *arena;			/* W pages every mapping points into */

struct model {
	int res_start[W];		/* first page of the page's reservation, or -1 */
	unsigned int res_len[W];	/* at res_start: its length in pages */
	unsigned int map_id[W];		/* 0: not mapped */
	uint8_t *host[W];		/* the page's host address when mapped */
	uint64_t owner[W];
	uint32_t prot[W];		/* DXG_GPUVA_PROT_* of the page's mapping */
	unsigned int next_id;
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int res_free(const struct model *m, unsigned int p, unsigned int n)
{
	unsigned int i;

	for (i = p; i < p + n; i++)
		if (m->res_start[i] >= 0)
			return 0;
	return 1;
}

static void reserve_model(struct model *m, unsigned int p, unsigned int n)
{
	unsigned int i;

	for (i = p; i < p + n; i++)
		m->res_start[i] = (int)p;
	m->res_len[p] = n;
}

static void unmap_page(struct model *m, unsigned int i)
{
	m->map_id[i] = 0;
	m->host[i] = NULL;
	m->owner[i] = 0;
	m->prot[i] = 0;
}

/* gpuva.h's rule: memory with WRITE/EXECUTE, or exactly one memoryless state. */
static int prot_ok(uint32_t prot, const void *host)
{
	const uint32_t state = DXG_GPUVA_PROT_ZERO | DXG_GPUVA_PROT_NO_ACCESS;

	if (prot & ~(DXG_GPUVA_PROT_WRITE | DXG_GPUVA_PROT_EXECUTE | state))
		return 0;
	if (!host)
		return prot == DXG_GPUVA_PROT_ZERO || prot == DXG_GPUVA_PROT_NO_ACCESS;
	return !(prot & state);
}

/* One reservation holds all of [p, p + n). */
static int one_res(const struct model *m, unsigned int p, unsigned int n)
{
	unsigned int i;

	if (n == 0 || p + n > W || m->res_start[p] < 0)
		return 0;
	for (i = p; i < p + n; i++)
		if (m->res_start[i] != m->res_start[p])
			return 0;
	return 1;
}

/* One mapping with memory holds the range, and allows the access. */
static void *expect_access(const struct model *m, uint64_t va, uint64_t len,
			   int write)
{
	uint64_t first, last, i, end;

	if (len == 0 || __builtin_add_overflow(va, len, &end) || va < BASE ||
	    end > BASE + (uint64_t)W * PG)
		return NULL;
	first = (va - BASE) / PG;
	last = (end - 1 - BASE) / PG;
	if (!m->map_id[first] || !m->host[first] ||
	    (write && !(m->prot[first] & DXG_GPUVA_PROT_WRITE)))
		return NULL;
	for (i = first + 1; i <= last; i++)
		if (m->map_id[i] != m->map_id[first] ||
		    m->host[i] != m->host[i - 1] + PG)
			return NULL;
	return m->host[first] + (va - BASE) % PG;
}

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dxg_gpuva_space *s = dxg_gpuva_create(BASE, (uint64_t)W * PG);
	static struct model m;
	unsigned int i, ops = 0;

	check(s != NULL);
	memset(&m, 0, sizeof(m));
	for (i = 0; i < W; i++)
		m.res_start[i] = -1;
	for (; size >= 8 && ops < 256; data += 8, size -= 8, ops++) {
		unsigned int p = data[1] % W, n = data[2] % (W / 2);
		uint64_t va = BASE + (uint64_t)p * PG, out = 0, len;
		int32_t st;

		switch (data[0] % 9) {
		case 0: {	/* reserve at a fixed address */
			int ok = n && p + n <= W && res_free(&m, p, n);

			st = dxg_gpuva_reserve(s, va, 0, 0, (uint64_t)n * PG, 0, &out);
			check((st == 0) == ok);
			if (ok) {
				check(out == va);
				reserve_model(&m, p, n);
			}
			break;
		}
		case 1: {	/* reserve the lowest fit in [lo, hi), aligned */
			unsigned int lo = data[3] % W, hi = data[4] % (W + 1);
			unsigned int al = 1u << (data[5] % 4), c, want = W;
			unsigned int elo = lo, ehi = hi ? hi : W;

			if (n && elo < ehi)
				for (c = (elo + al - 1) / al * al; c + n <= ehi; c += al)
					if (res_free(&m, c, n)) {
						want = c;
						break;
					}
			st = dxg_gpuva_reserve(s, 0, lo ? BASE + (uint64_t)lo * PG : 0,
					       hi ? BASE + (uint64_t)hi * PG : 0,
					       (uint64_t)n * PG, (uint64_t)al * PG, &out);
			check((st == 0) == (want < W));
			if (want < W) {
				check(out == BASE + (uint64_t)want * PG);
				reserve_model(&m, want, n);
			}
			break;
		}
		case 2: {	/* free a whole reservation */
			int ok = m.res_start[p] == (int)p && m.res_len[p] == n;

			st = dxg_gpuva_free(s, va, (uint64_t)n * PG);
			check((st == 0) == ok);
			if (ok)
				for (i = p; i < p + n; i++) {
					m.res_start[i] = -1;
					unmap_page(&m, i);
				}
			break;
		}
		case 3: {	/* map onto arena page k */
			/* The host block is the caller's to size: keep it inside. */
			unsigned int k = data[3] % (W - n + 1), owner = data[4] % 4;
			int ok = one_res(&m, p, n);

			for (i = p; ok && i < p + n; i++)
				if (m.map_id[i])
					ok = 0;
			st = dxg_gpuva_map(s, va, (uint64_t)n * PG, arena + (size_t)k * PG,
					   owner);
			check((st == 0) == ok);
			if (ok) {
				m.next_id++;
				for (i = 0; i < n; i++) {
					m.map_id[p + i] = m.next_id;
					m.host[p + i] = arena + (size_t)(k + i) * PG;
					m.owner[p + i] = owner;
					m.prot[p + i] = DXG_GPUVA_PROT_RW;
				}
			}
			break;
		}
		case 6: {	/* map with a protection (read-only, zero, no access...) */
			unsigned int k = data[3] % (W - n + 1), owner = data[4] % 4;
			uint32_t prot = data[5] & 0x1f;
			uint8_t *host = (data[6] & 1) ? NULL : arena + (size_t)k * PG;
			int ok = prot_ok(prot, host) && one_res(&m, p, n);

			for (i = p; ok && i < p + n; i++)
				if (m.map_id[i])
					ok = 0;
			st = dxg_gpuva_map_prot(s, va, (uint64_t)n * PG, host, owner,
						prot);
			check((st == 0) == ok);
			if (ok) {
				m.next_id++;
				for (i = 0; i < n; i++) {
					m.map_id[p + i] = m.next_id;
					m.host[p + i] = host ? host + (size_t)i * PG : NULL;
					m.owner[p + i] = owner;
					m.prot[p + i] = prot;
				}
			}
			break;
		}
		case 7: {	/* copy the mappings of [p, p + n) to [q, q + n) */
			static struct model snap;
			unsigned int q = data[3] % W, id = 0, last = 0;
			int ok = one_res(&m, p, n) && one_res(&m, q, n);

			for (i = p; ok && i < p + n; i++)
				if (!m.map_id[i])
					ok = 0;
			st = dxg_gpuva_copy(s, va, (uint64_t)n * PG,
					    BASE + (uint64_t)q * PG);
			check((st == 0) == ok);
			if (!ok)
				break;
			/* Each source mapping's piece is a mapping of its own. */
			snap = m;
			for (i = 0; i < n; i++) {
				if (i == 0 || snap.map_id[p + i] != last) {
					last = snap.map_id[p + i];
					id = ++m.next_id;
				}
				m.map_id[q + i] = id;
				m.host[q + i] = snap.host[p + i];
				m.owner[q + i] = snap.owner[p + i];
				m.prot[q + i] = snap.prot[p + i];
			}
			break;
		}
		case 4: {	/* unmap a range of one reservation */
			int ok = one_res(&m, p, n);

			st = dxg_gpuva_unmap(s, va, (uint64_t)n * PG);
			check((st == 0) == ok);
			if (ok)
				for (i = p; i < p + n; i++)
					unmap_page(&m, i);
			break;
		}
		case 5: {	/* drop one owner's mappings */
			unsigned int owner = data[3] % 4;

			dxg_gpuva_unmap_owner(s, owner);
			for (i = 0; i < W; i++)
				if (m.map_id[i] && m.owner[i] == owner)
					unmap_page(&m, i);
			break;
		}
		default: {	/* translate, sometimes with wild values */
			uint64_t off = (uint64_t)(data[3] | data[4] << 8 | (data[5] & 3) << 16);
			uint8_t *got;

			len = (uint64_t)(data[6] | (data[7] & 0x7f) << 8);
			if (data[7] & 0x80)
				len = UINT64_MAX - len;
			va = (data[5] & 0x80) ? UINT64_MAX - off : BASE - PG + off;
			if (data[5] & 0x40) {	/* a write */
				got = dxg_gpuva_access(s, va, len, DXG_GPUVA_READ |
						       DXG_GPUVA_WRITE);
				check(got == expect_access(&m, va, len, 1));
			} else {
				got = dxg_gpuva_translate(s, va, len);
				check(got == expect_access(&m, va, len, 0));
			}
			if (got)	/* ASan: the whole range is host memory */
				got[len - 1] ^= 0;
			break;
		}
		}
	}
	dxg_gpuva_destroy(s);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t seed[] = {
		0, 0, 16, 0, 0, 0, 0, 0,	/* reserve pages 0..15 */
		1, 0, 8, 4, 0, 1, 0, 0,		/* reserve 8 pages >= 4, 2-aligned */
		3, 2, 4, 10, 1, 0, 0, 0,	/* map 2..5 -> arena 10.. owner 1 */
		3, 16, 2, 0, 2, 0, 0, 0,	/* map 16..17 -> arena 0.. owner 2 */
		8, 0, 0, 0x10, 0x20, 0, 0x40, 0,	/* translate */
		6, 8, 2, 20, 3, 0, 0, 0,	/* map 8..9 read-only -> arena 20.. */
		6, 10, 1, 0, 0, 4, 1, 0,	/* page 10 zero */
		6, 11, 1, 0, 0, 8, 1, 0,	/* page 11 no access */
		7, 8, 4, 16, 0, 0, 0, 0,	/* copy 8..11 to 16.. (replaced) */
		8, 0, 0, 0x00, 0x80, 0x40, 0x10, 0,	/* write to the read-only copy */
		8, 0, 0, 0x00, 0x80, 0, 0x10, 0,	/* read it */
		4, 3, 1, 0, 0, 0, 0, 0,		/* unmap page 3 (split) */
		8, 0, 0, 0x00, 0x40, 0, 0x10, 0,
		5, 0, 0, 1, 0, 0, 0, 0,		/* drop owner 1 */
		2, 0, 16, 0, 0, 0, 0, 0,	/* free the first reservation */
	};
	/*
	 * A regression seed: a copy out of a reservation that never had a
	 * mapping indexed its (NULL) mapping array, which UBSan reports.
	 */
	static const uint8_t empty_copy[] = {
		0, 0, 4, 0, 0, 0, 0, 0,		/* reserve pages 0..3 */
		0, 8, 2, 0, 0, 0, 0, 0,		/* reserve 8..9, nothing mapped */
		7, 8, 1, 0, 0, 0, 0, 0,		/* copy page 8 to page 0: fails */
	};
	const char *dir = getenv("DXG_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	arena = calloc(W, PG);
	check(arena != NULL);
	if (dir) {
		fz_write_seed(dir, "ops", seed, sizeof(seed));
		fz_write_seed(dir, "copy-from-empty-reservation", empty_copy,
			      sizeof(empty_copy));
		exit(0);
	}
	return 0;
}
