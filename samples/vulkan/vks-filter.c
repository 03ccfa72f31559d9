// SPDX-License-Identifier: MIT
/*
 * filter in plain Vulkan: a 5x5 Gaussian blur of the test image of
 * samples/filter.c, then Sobel edges of the blurred image, shaders/filter.comp
 * (integer arithmetic only), two dispatches with a barrier between them.
 * Both outputs must equal the CPU reference bit for bit.  (No PNG here:
 * dxg-samples writes one.)
 */
#include "vks.h"

#include <stdio.h>
#include <stdlib.h>

#include "filter_spv.h"

#define NAME "filter"

struct push { uint32_t width, height, mode; };

int vks_filter(struct vkc *c, const struct vkc_opts *o)
{
	uint32_t w = o->size ? (uint32_t)o->size : (o->quick ? FILTER_W_QUICK : FILTER_W_DEFAULT);
	uint32_t h = filter_height(w);
	unsigned int iters = vks_iters(o);
	struct vkc_array in = { 0 }, blur = { 0 }, edges = { 0 };
	struct vkc_kernel k = { 0 };
	struct vkc_timing t;
	uint32_t *ref_blur = NULL, *ref_edges = NULL;
	VkDescriptorSet sb, se;
	VkDeviceSize bytes;
	size_t npx, first = 0;
	uint64_t bad;
	char rate[64];
	int rc = 1;

	if (o->size > FILTER_W_MAX)
		return vks_fail(NAME, "width %llu (1 .. %u)", (unsigned long long)o->size,
				FILTER_W_MAX);
	npx = (size_t)w * h;
	bytes = npx * sizeof(uint32_t);
	printf("%s: 5x5 Gaussian blur, then Sobel edges, %u x %u RGBA image, %u timed run(s)\n",
	       NAME, w, h, iters);
	if (vkc_array_create(c, bytes, &in) || vkc_array_create(c, bytes, &blur) ||
	    vkc_array_create(c, bytes, &edges) ||
	    vkc_kernel_create(c, filter_spv, sizeof(filter_spv), 2, sizeof(struct push), 2, &k))
		goto out;
	filter_make_image(in.cpu, w, h);
	if (vkc_upload(c, (struct vkc_array *[]){ &in }, 1) ||
	    vkc_kernel_set(c, &k, (struct vkc_binding[]){ { &in.gpu, 0, 0 }, { &blur.gpu, 0, 0 } },
			   &sb) ||
	    vkc_kernel_set(c, &k, (struct vkc_binding[]){ { &blur.gpu, 0, 0 }, { &edges.gpu, 0, 0 } },
			   &se))
		goto out;
	{
		const struct push pb = { w, h, 0 }, pe = { w, h, 1 };
		const uint32_t gx = (w + FILTER_TILE - 1) / FILTER_TILE;
		const uint32_t gy = (h + FILTER_TILE - 1) / FILTER_TILE;
		const struct vkc_dispatch d[2] = {
			{ sb, &pb, { gx, gy, 1 } },
			{ se, &pe, { gx, gy, 1 } },
		};

		if (vkc_timed_dispatches(c, &k, NULL, d, 2, iters, &t) ||
		    vkc_download(c, (struct vkc_array *[]){ &blur, &edges }, 2))
			goto out;
	}
	ref_blur = malloc(bytes);
	ref_edges = malloc(bytes);
	if (!ref_blur || !ref_edges) {
		vks_fail(NAME, "out of memory for the CPU reference");
		goto out;
	}
	filter_cpu_blur(in.cpu, ref_blur, w, h);
	filter_cpu_sobel(ref_blur, ref_edges, w, h);
	bad = filter_compare(blur.cpu, ref_blur, npx, &first);
	if (bad) {
		vks_fail(NAME, "blur: %llu of %zu pixels differ (first (%zu, %zu): 0x%08X, want 0x%08X)",
			 (unsigned long long)bad, npx, first % w, first / w,
			 ((uint32_t *)blur.cpu)[first], ref_blur[first]);
		goto out;
	}
	bad = filter_compare(edges.cpu, ref_edges, npx, &first);
	if (bad) {
		vks_fail(NAME, "edges: %llu of %zu pixels differ (first (%zu, %zu): 0x%08X, want 0x%08X)",
			 (unsigned long long)bad, npx, first % w, first / w,
			 ((uint32_t *)edges.cpu)[first], ref_edges[first]);
		goto out;
	}
	printf("%s: correct: blur and edges equal the CPU reference in all %zu pixels\n", NAME, npx);
	snprintf(rate, sizeof(rate), "%.1f Mpixel/s (2 passes)", npx * 1e3 / (double)t.best_ns);
	vks_report(NAME, &t, rate);
	rc = 0;
out:
	free(ref_blur);
	free(ref_edges);
	vkc_kernel_destroy(c, &k);
	vkc_array_destroy(c, &in);
	vkc_array_destroy(c, &blur);
	vkc_array_destroy(c, &edges);
	return vks_finish(NAME, rc);
}
