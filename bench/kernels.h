/* SPDX-License-Identifier: MIT */
/*
 * The kernels benchmark (d) times (docs/performance.md): the sample shaders
 * at sizes where one dispatch takes a millisecond or more on lavapipe, and a
 * short saxpy that shows the fixed cost per dispatch.  bench_compute runs
 * them on the host (direct Vulkan, dxghost's engine, its executor) and
 * guest_compute runs the same table in a guest through /dev/dxg, so both
 * sides time exactly the same dispatches.
 */
#ifndef DXG_BENCH_KERNELS_H
#define DXG_BENCH_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_MAXB	3
#define BENCH_NKERNELS	4

struct bench_kernel {
	const char *name;
	const uint32_t *spirv;
	size_t spirv_size;
	uint32_t nb;			/* storage-buffer bindings 0..nb-1 */
	uint64_t size[BENCH_MAXB];	/* bytes per binding */
	uint32_t groups[3];
	uint32_t push[4];
	uint32_t push_size;
	bool goal;			/* counts for the >= 1 ms goal */
	float init[BENCH_MAXB];		/* every element of each binding, before a run */
	/* expected first element of binding `check` after one run on fresh inputs */
	uint32_t check;
	float expect;
};

/* The table, in the order the benchmarks run it. */
void bench_kernels(struct bench_kernel k[BENCH_NKERNELS]);

/* Fresh inputs: every float of binding i is k->init[i] (exact results). */
void bench_kernel_inputs(const struct bench_kernel *k, void *const *b);

/* After one run on fresh inputs: is the checked element right? */
bool bench_kernel_check(const struct bench_kernel *k, void *const *b,
			const char *prog, const char *path);

#endif /* DXG_BENCH_KERNELS_H */
