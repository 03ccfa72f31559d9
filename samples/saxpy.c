// SPDX-License-Identifier: MIT
/*
 * saxpy: y = a * x + y over n floats (default 2^21), shaders/saxpy.comp.
 * Each run first restores y from a pristine copy with a COPY command, so
 * every run computes the same thing; the result is checked element by
 * element (within one rounding of a*x + y, fused or not).
 */
#include "samples.h"

#include <stdio.h>

#include "saxpy_spv.h"

#define NAME "saxpy"

struct push { uint32_t n; float a; };

int sample_saxpy(const struct sample_opts *o)
{
	uint64_t n = o->size ? o->size : (o->quick ? SAXPY_N_QUICK : SAXPY_N_DEFAULT);
	unsigned int iters = o->iters ? o->iters : (o->quick ? 1 : 5);
	struct dxgc_ctx *ctx = NULL;
	struct dxgc_buffer *x = NULL, *y = NULL, *y0 = NULL, *ts = NULL;
	struct dxgc_pipeline *pipe = NULL;
	struct dxgc_cmd *cmd = NULL;
	struct sample_timing t;
	struct push push;
	uint64_t bytes, bad, first_bad;
	double max_err;
	NTSTATUS st;
	int rc = 1;

	if (n > SAXPY_N_MAX)
		return sample_fail(NAME, "n = %llu (at most %llu)", (unsigned long long)n,
				   SAXPY_N_MAX);
	bytes = n * sizeof(float);
	push = (struct push){ (uint32_t)n, SAXPY_A };
	printf("%s: y = %.1f * x + y, n = %llu floats, %u timed run(s)\n", NAME,
	       push.a, (unsigned long long)n, iters);

	st = sample_open(NAME, o, &ctx);
	if (!NT_SUCCESS(st))
		return sample_fail_st(NAME, "open", st);
	if (!NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &x)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &y)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &y0)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, 64, &ts))) {
		sample_fail_st(NAME, "buffers", st);
		goto out;
	}
	st = dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv), "main", 2,
				  sizeof(push), &pipe);
	if (!NT_SUCCESS(st)) {
		sample_fail_st(NAME, "pipeline", st);
		goto out;
	}
	saxpy_inputs(x->cpu, y0->cpu, n);

	{
		const struct dxgc_binding bind[2] = { { x, 0, 0 }, { y, 0, 0 } };
		const struct sample_prep prep = { y, bytes, y0, 0 };
		const struct sample_dispatch d = {
			{ (uint32_t)((n + 63) / 64), 1, 1 }, bind, 2, &push, sizeof(push),
		};

		st = sample_record_timed_dispatch(NAME, ctx, &cmd, ts, pipe, &prep, &d, 1,
						  iters, &t);
		if (!NT_SUCCESS(st))
			goto out;
	}

	bad = saxpy_check(push.a, x->cpu, y0->cpu, y->cpu, n, &first_bad, &max_err);
	if (bad) {
		sample_fail(NAME, "%llu of %llu elements wrong (first at %llu: %g, want %g)",
			    (unsigned long long)bad, (unsigned long long)n,
			    (unsigned long long)first_bad,
			    (double)((float *)y->cpu)[first_bad],
			    (double)push.a * ((float *)x->cpu)[first_bad] +
			    ((float *)y0->cpu)[first_bad]);
		goto out;
	}
	printf("%s: correct: all %llu elements match the CPU reference (max |error| %.2e)\n",
	       NAME, (unsigned long long)n, max_err);
	/* x read, y read and written: 12 bytes per element. */
	printf("%s: device time %.3f ms best, %.3f ms mean: %.2f GB/s, %.2f GFLOP/s; submit to wait %.3f ms\n",
	       NAME, t.best_ns / 1e6, t.mean_ns / 1e6, 12.0 * n / (double)t.best_ns,
	       2.0 * n / (double)t.best_ns, t.best_wall_ns / 1e6);
	rc = 0;
out:
	return sample_finish(NAME, ctx, rc);
}
