/* SPDX-License-Identifier: MIT */
/*
 * The GPU VA layout fuzz_cmdstream builds and the seeds address,
 * so that seed buffers start out valid and mutations explore around real
 * mappings.  Every mapping is its own exactly-sized heap block: a host
 * access one byte outside a mapping lands in an ASan redzone.
 */
#ifndef DXG_FUZZ_LAYOUT_H
#define DXG_FUZZ_LAYOUT_H

#include "core/gpuva.h"

#define FZ_PG		DXG_GPUVA_PAGE
/* Reservation 1: 16 pages at the base of the space. */
#define FZ_RES1		DXG_GPUVA_BASE
#define FZ_RES1_SIZE	(16ull * FZ_PG)
/* Reservation 2: 2 pages at base + 1 MiB. */
#define FZ_RES2		(DXG_GPUVA_BASE + (1ull << 20))
#define FZ_RES2_SIZE	(2ull * FZ_PG)

/* The mappings: {va, size}; the gaps between them are reserved, unmapped. */
#define FZ_MAPPINGS { \
	{ FZ_RES1, 4 * FZ_PG },			/* 0: pages 0..3 */ \
	{ FZ_RES1 + 4 * FZ_PG, FZ_PG },		/* 1: page 4, adjacent to 0 */ \
	{ FZ_RES1 + 8 * FZ_PG, 2 * FZ_PG },	/* 2: pages 8..9 */ \
	{ FZ_RES2, FZ_PG },			/* 3: first page of res 2 */ \
}
#define FZ_NUM_MAPPINGS	4

/*
 * A monitored fence of device FZ_DEVICE (the one the buffers are
 * submitted to): the first page of the fence window.
 */
#define FZ_DEVICE	1u
#define FZ_FENCE	(DXG_GPUVA_BASE + DXG_GPUVA_SIZE - DXG_GPUVA_FENCE_WINDOW)
/* One of another device (FZ_DEVICE + 1): the page after it. */
#define FZ_FENCE_OTHER	(FZ_FENCE + FZ_PG)

/*
 * Protected pages of reservation 1 (docs/memory.md, protection): page 12
 * read-only host memory (the target checks after every input that no
 * command wrote it), page 13 in the zero state (writes vanish), page 14
 * no-access (every access faults).  Neither of the last two has host
 * memory: a translation that hands one out crashes.
 */
#define FZ_RO		(FZ_RES1 + 12 * FZ_PG)
#define FZ_ZERO		(FZ_RES1 + 13 * FZ_PG)
#define FZ_NOACCESS	(FZ_RES1 + 14 * FZ_PG)

/* The vGPU LUID high word fuzz_dispatch's adapters get. */
#define FZ_LUID_HIGH	0x5eed0001u

#endif /* DXG_FUZZ_LAYOUT_H */
