// SPDX-License-Identifier: MIT
/* The benchmark kernels (kernels.h). */
#include "kernels.h"

#include <stdio.h>
#include <string.h>

#include "reduce_spv.h"
#include "saxpy_spv.h"
#include "sgemm_spv.h"

void bench_kernels(struct bench_kernel k[BENCH_NKERNELS])
{
	const uint32_t sm = 256, sn = 256, sk = 256;		/* sgemm */
	const uint32_t ns = 3u << 20, nsmall = 1u << 14;	/* saxpy (<= 65535 groups) */
	const uint32_t nr = 1u << 22, pt = 16;			/* reduce */
	const float a = 3.0f;

	k[0] = (struct bench_kernel) {
		"saxpy 3M", saxpy_spv, sizeof(saxpy_spv), 2,
		{ (uint64_t)ns * 4, (uint64_t)ns * 4 }, { ns / 64, 1, 1 },
		{ ns, 0 }, 8, true, { 1.0f, 2.0f }, 1, 5.0f,
	};
	memcpy(&k[0].push[1], &a, sizeof(a));
	k[1] = (struct bench_kernel) {
		"sgemm 256^3", sgemm_spv, sizeof(sgemm_spv), 3,
		{ (uint64_t)sm * sk * 4, (uint64_t)sk * sn * 4, (uint64_t)sm * sn * 4 },
		{ sn / 16, sm / 16, 1 }, { sm, sn, sk }, 12, true, { 1.0f, 1.0f, 0.0f },
		2, (float)sk,
	};
	k[2] = (struct bench_kernel) {
		"reduce 4M", reduce_spv, sizeof(reduce_spv), 2,
		{ (uint64_t)nr * 4, (uint64_t)nr / (256 * pt) * 4 },
		{ nr / (256 * pt), 1, 1 }, { nr, pt }, 8, true, { 1.0f, 0.0f },
		1, (float)(256 * pt),
	};
	k[3] = k[0];
	k[3].name = "saxpy 16K (short)";
	k[3].size[0] = k[3].size[1] = (uint64_t)nsmall * 4;
	k[3].groups[0] = nsmall / 64;
	k[3].push[0] = nsmall;
	k[3].goal = false;
}

static void fill_floats(void *p, uint64_t bytes, float v)
{
	float *f = p;

	for (uint64_t i = 0; i < bytes / sizeof(float); i++)
		f[i] = v;
}

void bench_kernel_inputs(const struct bench_kernel *k, void *const *b)
{
	for (uint32_t i = 0; i < k->nb; i++)
		fill_floats(b[i], k->size[i], k->init[i]);
}

bool bench_kernel_check(const struct bench_kernel *k, void *const *b,
			const char *prog, const char *path)
{
	float got;

	memcpy(&got, b[k->check], sizeof(got));
	if (got != k->expect)
		fprintf(stderr, "%s: %s via %s: got %g, want %g\n", prog, k->name,
			path, (double)got, (double)k->expect);
	return got == k->expect;
}
