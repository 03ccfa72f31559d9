// SPDX-License-Identifier: MIT
/*
 * reduce in plain Vulkan: the sum of n floats, shaders/reduce.comp, in
 * passes planned as samples/reduce.c plans them, all in one command buffer
 * with a barrier between passes.  Each pass binds its slice of one scratch
 * buffer, so the slices start at multiples of minStorageBufferOffsetAlignment.
 * The scratch buffer is filled with NaN first: a pass that wrote nothing
 * cannot pass the check against the CPU's double-precision sum.
 */
#include "vks.h"

#include <math.h>
#include <stdio.h>

#include "reduce_spv.h"

#define NAME "reduce"

struct push { uint32_t n, per_thread; };

int vks_reduce(struct vkc *c, const struct vkc_opts *o)
{
	uint64_t n = o->size ? o->size : (o->quick ? REDUCE_N_QUICK : REDUCE_N_DEFAULT);
	unsigned int iters = vks_iters(o);
	VkDeviceSize align = c->props.limits.minStorageBufferOffsetAlignment;
	struct vkc_array in = { 0 }, scratch = { 0 };
	struct vkc_kernel k = { 0 };
	struct reduce_pass p[REDUCE_MAX_PASSES];
	struct push push[REDUCE_MAX_PASSES];
	struct vkc_dispatch d[REDUCE_MAX_PASSES];
	struct vkc_timing t;
	uint64_t scratch_size;
	double ref, got, err, bound;
	char rate[64];
	int np, rc = 1;

	if (n > REDUCE_N_MAX)
		return vks_fail(NAME, "n = %llu (1 .. %llu)", (unsigned long long)n, REDUCE_N_MAX);
	/* The compute-library samples align to 256; a device may ask more. */
	np = reduce_plan(n, align > 256 ? align : 256, p, &scratch_size);
	if (np < 0 || p[0].groups > c->props.limits.maxComputeWorkGroupCount[0])
		return vks_fail(NAME, "n = %llu needs too many workgroups", (unsigned long long)n);
	printf("%s: sum of n = %llu floats in %d pass(es), %u timed run(s)\n", NAME,
	       (unsigned long long)n, np, iters);
	if (vkc_array_create(c, n * sizeof(float), &in) ||
	    vkc_array_create(c, scratch_size, &scratch) ||
	    vkc_kernel_create(c, reduce_spv, sizeof(reduce_spv), 2, sizeof(struct push),
			      (uint32_t)np, &k))
		goto out;
	ref = reduce_inputs(in.cpu, n);
	if (vkc_upload(c, (struct vkc_array *[]){ &in }, 1))
		goto out;
	for (int i = 0; i < np; i++) {
		/* Pass 0 reads the input, every later one the partials before it. */
		struct vkc_binding b[2] = {
			{ &in.gpu, 0, n * sizeof(float) },
			{ &scratch.gpu, p[i].out_offset, (VkDeviceSize)p[i].groups * sizeof(float) },
		};

		if (i)
			b[0] = (struct vkc_binding){ &scratch.gpu, p[i - 1].out_offset,
						     (VkDeviceSize)p[i].n * sizeof(float) };
		push[i] = (struct push){ p[i].n, p[i].per_thread };
		d[i] = (struct vkc_dispatch){ VK_NULL_HANDLE, &push[i], { p[i].groups, 1, 1 } };
		if (vkc_kernel_set(c, &k, b, &d[i].set))
			goto out;
	}
	{
		const struct vkc_prep prep = { &scratch.gpu, scratch_size, NULL, 0x7fc00000u };

		if (vkc_timed_dispatches(c, &k, &prep, d, (unsigned int)np, iters, &t) ||
		    vkc_download(c, (struct vkc_array *[]){ &scratch }, 1))
			goto out;
	}
	got = ((float *)((char *)scratch.cpu + p[np - 1].out_offset))[0];
	err = fabs(got - ref);
	bound = reduce_bound(np, ref);
	if (!(err <= bound)) {
		vks_fail(NAME, "sum %.9g, CPU reference %.9g (|error| %.3g > bound %.3g)",
			 got, ref, err, bound);
		goto out;
	}
	printf("%s: correct: sum %.7g, CPU reference %.7g (|error| %.2e, bound %.2e)\n",
	       NAME, got, ref, err, bound);
	snprintf(rate, sizeof(rate), "%.2f GB/s, %.2f G elements/s", 4.0 * n / (double)t.best_ns,
		 (double)n / (double)t.best_ns);
	vks_report(NAME, &t, rate);
	rc = 0;
out:
	vkc_kernel_destroy(c, &k);
	vkc_array_destroy(c, &in);
	vkc_array_destroy(c, &scratch);
	return vks_finish(NAME, rc);
}
