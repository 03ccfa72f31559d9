// SPDX-License-Identifier: MIT
/*
 * sgemm: C = A x B for square single-precision matrices (default 512),
 * shaders/sgemm.comp (16 x 16 tiles in shared memory).  Every element of C
 * is checked against a CPU reference computed in double precision, within
 * the rounding bound of a K-term float dot product; the device time comes
 * from TIMESTAMP commands around the dispatch.
 */
#include "samples.h"

#include <stdio.h>

#include "sgemm_spv.h"

#define NAME "sgemm"

struct push { uint32_t m, n, k; };

int sample_sgemm(const struct sample_opts *o)
{
	uint32_t n = o->size ? (uint32_t)o->size : (o->quick ? SGEMM_N_QUICK : SGEMM_N_DEFAULT);
	unsigned int iters = o->iters ? o->iters : (o->quick ? 1 : 5);
	struct dxgc_ctx *ctx = NULL;
	struct dxgc_buffer *a = NULL, *b = NULL, *c = NULL, *ts = NULL;
	struct dxgc_pipeline *pipe = NULL;
	struct dxgc_cmd *cmd = NULL;
	struct sample_timing t;
	struct push push;
	uint64_t bytes, bad;
	double max_err, max_bound, flops;
	NTSTATUS st;
	int rc = 1;

	if (n < 1 || n > SGEMM_N_MAX)
		return sample_fail(NAME, "matrix order %u (1 .. %u)", n, SGEMM_N_MAX);
	bytes = (uint64_t)n * n * sizeof(float);
	printf("%s: C = A x B, %u x %u x %u floats, %u timed run(s)\n", NAME, n, n, n, iters);

	st = sample_open(NAME, o, &ctx);
	if (!NT_SUCCESS(st))
		return sample_fail_st(NAME, "open", st);
	if (!NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &a)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &b)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &c)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, 64, &ts))) {
		sample_fail_st(NAME, "buffers", st);
		goto out;
	}
	st = dxgc_pipeline_create(ctx, sgemm_spv, sizeof(sgemm_spv), "main", 3,
				  sizeof(push), &pipe);
	if (!NT_SUCCESS(st)) {
		sample_fail_st(NAME, "pipeline", st);
		goto out;
	}
	sgemm_inputs(a->cpu, b->cpu, n);

	push = (struct push){ n, n, n };
	{
		const struct dxgc_binding bind[3] = {
			{ a, 0, 0 }, { b, 0, 0 }, { c, 0, 0 },
		};
		/* Poison C: the kernel must write all of it. */
		const struct sample_prep prep = { c, bytes, NULL, 0x7fc00000u };
		const struct sample_dispatch d = {
			{ (n + SGEMM_TILE - 1) / SGEMM_TILE, (n + SGEMM_TILE - 1) / SGEMM_TILE, 1 }, bind, 3, &push, sizeof(push),
		};

		st = sample_record_timed_dispatch(NAME, ctx, &cmd, ts, pipe, &prep, &d, 1,
						  iters, &t);
		if (!NT_SUCCESS(st))
			goto out;
	}

	bad = sgemm_check(a->cpu, b->cpu, c->cpu, n, &max_err, &max_bound);
	if (bad == UINT64_MAX) {
		sample_fail(NAME, "out of memory for the CPU reference");
		goto out;
	}
	if (bad) {
		sample_fail(NAME, "%llu of %llu elements wrong (max |error| %.3g, bound %.3g)",
			    (unsigned long long)bad, (unsigned long long)n * n,
			    max_err, max_bound);
		goto out;
	}
	printf("%s: correct: all %llu elements match the CPU reference (max |error| %.2e, bound %.2e)\n",
	       NAME, (unsigned long long)n * n, max_err, max_bound);
	flops = 2.0 * n * n * n;
	printf("%s: device time %.3f ms best, %.3f ms mean: %.2f GFLOP/s; submit to wait %.3f ms\n",
	       NAME, t.best_ns / 1e6, t.mean_ns / 1e6, flops / (double)t.best_ns,
	       t.best_wall_ns / 1e6);
	rc = 0;
out:
	return sample_finish(NAME, ctx, rc);
}
