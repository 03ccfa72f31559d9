// SPDX-License-Identifier: MIT
/*
 * reduce: the sum of n floats (default 2^22), shaders/reduce.comp.  Each
 * pass adds 256 x per_thread elements per workgroup into one partial sum;
 * passes repeat on the partials (with a BARRIER between them) until one
 * value is left, all in one command buffer.  The scratch memory is FILLed
 * with NaN first, so a pass that wrote nothing cannot pass the check
 * against the CPU's double-precision sum.
 */
#include "samples.h"

#include <math.h>
#include <stdio.h>

#include "reduce_spv.h"

#define NAME		"reduce"
#define MAX_PASSES	REDUCE_MAX_PASSES

struct push { uint32_t n, per_thread; };

int sample_reduce(const struct sample_opts *o)
{
	uint64_t n = o->size ? o->size : (o->quick ? REDUCE_N_QUICK : REDUCE_N_DEFAULT);
	unsigned int iters = o->iters ? o->iters : (o->quick ? 1 : 5);
	struct dxgc_ctx *ctx = NULL;
	struct dxgc_buffer *in = NULL, *scratch = NULL, *ts = NULL;
	struct dxgc_pipeline *pipe = NULL;
	struct dxgc_cmd *cmd = NULL;
	struct reduce_pass passes[MAX_PASSES];
	struct push push[MAX_PASSES];
	struct dxgc_binding bind[MAX_PASSES][2];
	struct sample_dispatch disp[MAX_PASSES];
	struct sample_timing t;
	uint64_t scratch_size;
	double ref, got, err, bound;
	int np;
	NTSTATUS st;
	int rc = 1;

	if (n < 1 || n > REDUCE_N_MAX)
		return sample_fail(NAME, "n = %llu (1 .. %llu)", (unsigned long long)n,
				   REDUCE_N_MAX);
	np = reduce_plan(n, 256, passes, &scratch_size);
	if (np < 0 || passes[0].groups > 65535)
		return sample_fail(NAME, "n = %llu needs too many workgroups", (unsigned long long)n);
	printf("%s: sum of n = %llu floats in %d pass(es), %u timed run(s)\n", NAME,
	       (unsigned long long)n, np, iters);

	st = sample_open(NAME, o, &ctx);
	if (!NT_SUCCESS(st))
		return sample_fail_st(NAME, "open", st);
	if (!NT_SUCCESS(st = dxgc_buffer_create(ctx, n * sizeof(float), &in)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, scratch_size, &scratch)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, 64, &ts))) {
		sample_fail_st(NAME, "buffers", st);
		goto out;
	}
	st = dxgc_pipeline_create(ctx, reduce_spv, sizeof(reduce_spv), "main", 2,
				  sizeof(struct push), &pipe);
	if (!NT_SUCCESS(st)) {
		sample_fail_st(NAME, "pipeline", st);
		goto out;
	}
	ref = reduce_inputs(in->cpu, n);

	for (int i = 0; i < np; i++) {
		push[i] = (struct push){ passes[i].n, passes[i].per_thread };
		bind[i][0] = (struct dxgc_binding){ in, 0, n * sizeof(float) };
		bind[i][1] = (struct dxgc_binding){
			scratch, passes[i].out_offset, (uint64_t)passes[i].groups * sizeof(float),
		};
		if (i) {
			bind[i][0].buf = scratch;
			bind[i][0].offset = passes[i - 1].out_offset;
			bind[i][0].size = (uint64_t)passes[i].n * sizeof(float);
		}
		disp[i] = (struct sample_dispatch){
			{ passes[i].groups, 1, 1 }, bind[i], 2, &push[i], sizeof(push[i]),
		};
	}
	{
		const struct sample_prep prep = { scratch, scratch_size & ~3ull, NULL, 0x7fc00000u };

		st = sample_record_timed_dispatch(NAME, ctx, &cmd, ts, pipe, &prep, disp,
						  (unsigned int)np, iters, &t);
		if (!NT_SUCCESS(st))
			goto out;
	}

	got = ((float *)((char *)scratch->cpu + passes[np - 1].out_offset))[0];
	err = fabs(got - ref);
	bound = reduce_bound(np, ref);
	if (!(err <= bound)) {
		sample_fail(NAME, "sum %.9g, CPU reference %.9g (|error| %.3g > bound %.3g)",
			    got, ref, err, bound);
		goto out;
	}
	printf("%s: correct: sum %.7g, CPU reference %.7g (|error| %.2e, bound %.2e)\n",
	       NAME, got, ref, err, bound);
	printf("%s: device time %.3f ms best, %.3f ms mean: %.2f GB/s, %.2f G elements/s; submit to wait %.3f ms\n",
	       NAME, t.best_ns / 1e6, t.mean_ns / 1e6, 4.0 * n / (double)t.best_ns,
	       (double)n / (double)t.best_ns, t.best_wall_ns / 1e6);
	rc = 0;
out:
	return sample_finish(NAME, ctx, rc);
}
