// SPDX-License-Identifier: MIT
/*
 * saxpy in plain Vulkan: y = a * x + y over n floats, shaders/saxpy.comp,
 * the problem and the check of samples/saxpy.c.  Each run first restores
 * y from a pristine copy y0 with vkCmdCopyBuffer, so every run computes the
 * same thing.
 */
#include "vks.h"

#include <stdio.h>

#include "saxpy_spv.h"

#define NAME "saxpy"

struct push { uint32_t n; float a; };

int vks_saxpy(struct vkc *c, const struct vkc_opts *o)
{
	uint64_t n = o->size ? o->size : (o->quick ? SAXPY_N_QUICK : SAXPY_N_DEFAULT);
	unsigned int iters = vks_iters(o);
	struct vkc_array x = { 0 }, y = { 0 }, y0 = { 0 };
	struct vkc_kernel k = { 0 };
	struct vkc_timing t;
	VkDescriptorSet set;
	struct push push;
	VkDeviceSize bytes;
	uint64_t bad, first_bad;
	double max_err;
	char rate[64];
	int rc = 1;

	if (n > SAXPY_N_MAX)
		return vks_fail(NAME, "n = %llu (at most %llu)", (unsigned long long)n, SAXPY_N_MAX);
	bytes = n * sizeof(float);
	push = (struct push){ (uint32_t)n, SAXPY_A };
	printf("%s: y = %.1f * x + y, n = %llu floats, %u timed run(s)\n", NAME, push.a,
	       (unsigned long long)n, iters);
	if (vkc_array_create(c, bytes, &x) || vkc_array_create(c, bytes, &y) ||
	    vkc_array_create(c, bytes, &y0) ||
	    vkc_kernel_create(c, saxpy_spv, sizeof(saxpy_spv), 2, sizeof(push), 1, &k))
		goto out;
	saxpy_inputs(x.cpu, y0.cpu, n);
	if (vkc_upload(c, (struct vkc_array *[]){ &x, &y0 }, 2) ||
	    vkc_kernel_set(c, &k, (struct vkc_binding[]){ { &x.gpu, 0, 0 }, { &y.gpu, 0, 0 } },
			   &set))
		goto out;
	{
		const struct vkc_prep prep = { &y.gpu, bytes, &y0.gpu, 0 };
		const struct vkc_dispatch d = { set, &push, { (uint32_t)((n + 63) / 64), 1, 1 } };

		if (vkc_timed_dispatches(c, &k, &prep, &d, 1, iters, &t) ||
		    vkc_download(c, (struct vkc_array *[]){ &y }, 1))
			goto out;
	}
	bad = saxpy_check(push.a, x.cpu, y0.cpu, y.cpu, n, &first_bad, &max_err);
	if (bad) {
		vks_fail(NAME, "%llu of %llu elements wrong (first at %llu: %g, want %g)",
			 (unsigned long long)bad, (unsigned long long)n,
			 (unsigned long long)first_bad, (double)((float *)y.cpu)[first_bad],
			 (double)push.a * ((float *)x.cpu)[first_bad] + ((float *)y0.cpu)[first_bad]);
		goto out;
	}
	printf("%s: correct: all %llu elements match the CPU reference (max |error| %.2e)\n",
	       NAME, (unsigned long long)n, max_err);
	/* x read, y read and written: 12 bytes per element. */
	snprintf(rate, sizeof(rate), "%.2f GB/s, %.2f GFLOP/s", 12.0 * n / (double)t.best_ns,
		 2.0 * n / (double)t.best_ns);
	vks_report(NAME, &t, rate);
	rc = 0;
out:
	vkc_kernel_destroy(c, &k);
	vkc_array_destroy(c, &x);
	vkc_array_destroy(c, &y);
	vkc_array_destroy(c, &y0);
	return vks_finish(NAME, rc);
}
