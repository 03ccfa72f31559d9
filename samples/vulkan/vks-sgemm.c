// SPDX-License-Identifier: MIT
/*
 * sgemm in plain Vulkan: C = A x B for square single-precision matrices,
 * shaders/sgemm.comp, the problem and the check of samples/sgemm.c.  C is
 * filled with NaN before every run, so a kernel that writes nothing fails.
 */
#include "vks.h"

#include <stdio.h>

#include "sgemm_spv.h"

#define NAME "sgemm"

struct push { uint32_t m, n, k; };

int vks_sgemm(struct vkc *c, const struct vkc_opts *o)
{
	uint32_t n = o->size ? (uint32_t)o->size : (o->quick ? SGEMM_N_QUICK : SGEMM_N_DEFAULT);
	unsigned int iters = vks_iters(o);
	struct vkc_array a = { 0 }, b = { 0 }, m = { 0 };
	struct vkc_kernel k = { 0 };
	struct vkc_timing t;
	VkDescriptorSet set;
	struct push push;
	VkDeviceSize bytes;
	uint64_t bad;
	double max_err, max_bound;
	char rate[64];
	int rc = 1;

	if (o->size > SGEMM_N_MAX)
		return vks_fail(NAME, "matrix order %llu (1 .. %u)", (unsigned long long)o->size,
				SGEMM_N_MAX);
	bytes = (VkDeviceSize)n * n * sizeof(float);
	printf("%s: C = A x B, %u x %u x %u floats, %u timed run(s)\n", NAME, n, n, n, iters);
	if (vkc_array_create(c, bytes, &a) || vkc_array_create(c, bytes, &b) ||
	    vkc_array_create(c, bytes, &m) ||
	    vkc_kernel_create(c, sgemm_spv, sizeof(sgemm_spv), 3, sizeof(push), 1, &k))
		goto out;
	sgemm_inputs(a.cpu, b.cpu, n);
	if (vkc_upload(c, (struct vkc_array *[]){ &a, &b }, 2) ||
	    vkc_kernel_set(c, &k, (struct vkc_binding[]){ { &a.gpu, 0, 0 }, { &b.gpu, 0, 0 },
							  { &m.gpu, 0, 0 } }, &set))
		goto out;
	push = (struct push){ n, n, n };
	{
		const struct vkc_prep prep = { &m.gpu, bytes, NULL, 0x7fc00000u };
		const struct vkc_dispatch d = {
			set, &push,
			{ (n + SGEMM_TILE - 1) / SGEMM_TILE, (n + SGEMM_TILE - 1) / SGEMM_TILE, 1 },
		};

		if (vkc_timed_dispatches(c, &k, &prep, &d, 1, iters, &t) ||
		    vkc_download(c, (struct vkc_array *[]){ &m }, 1))
			goto out;
	}
	bad = sgemm_check(a.cpu, b.cpu, m.cpu, n, &max_err, &max_bound);
	if (bad == UINT64_MAX) {
		vks_fail(NAME, "out of memory for the CPU reference");
		goto out;
	}
	if (bad) {
		vks_fail(NAME, "%llu of %llu elements wrong (max |error| %.3g, bound %.3g)",
			 (unsigned long long)bad, (unsigned long long)n * n, max_err, max_bound);
		goto out;
	}
	printf("%s: correct: all %llu elements match the CPU reference (max |error| %.2e, bound %.2e)\n",
	       NAME, (unsigned long long)n * n, max_err, max_bound);
	snprintf(rate, sizeof(rate), "%.2f GFLOP/s", 2.0 * n * n * n / (double)t.best_ns);
	vks_report(NAME, &t, rate);
	rc = 0;
out:
	vkc_kernel_destroy(c, &k);
	vkc_array_destroy(c, &a);
	vkc_array_destroy(c, &b);
	vkc_array_destroy(c, &m);
	return vks_finish(NAME, rc);
}
