// SPDX-License-Identifier: MIT
/*
 * filter: an image filter chain on the GPU, shaders/filter.comp: a 5x5
 * Gaussian blur of a generated RGBA test image (default 640 x 480), then
 * Sobel edges of the blurred image, two dispatches in one command buffer
 * with a BARRIER between them.  The shader uses integer arithmetic only,
 * so both outputs must equal the CPU reference bit for bit.  Writes the
 * original, the blurred image and the edges side by side as a PNG
 * (--out, default filter.png).
 */
#include "samples.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBPNG
#include <png.h>
#include <setjmp.h>
#endif

#include "filter_spv.h"

#define NAME "filter"

struct push { uint32_t width, height, mode; };

#ifdef HAVE_LIBPNG
/* The three images side by side, RGB.  Returns 0 or -1 (message printed). */
static int write_png(const char *path, const uint32_t *const img[3], uint32_t w,
		     uint32_t h)
{
	png_structp png = NULL;
	png_infop info = NULL;
	uint8_t *row = NULL;
	FILE *f = fopen(path, "wb");
	int volatile ret = -1;

	if (!f) {
		printf("%s: cannot write %s\n", NAME, path);
		return -1;
	}
	row = malloc((size_t)w * 3 * 3);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (png)
		info = png_create_info_struct(png);
	if (!row || !png || !info)
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_IHDR(png, info, w * 3, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 9);
	png_write_info(png, info);
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t p = 0; p < 3; p++) {
			for (uint32_t x = 0; x < w; x++) {
				uint32_t v = img[p][(size_t)y * w + x];
				uint8_t *o = row + ((size_t)p * w + x) * 3;

				o[0] = v & 255;
				o[1] = v >> 8 & 255;
				o[2] = v >> 16 & 255;
			}
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	ret = 0;
out:
	if (png)
		png_destroy_write_struct(&png, info ? &info : NULL);
	free(row);
	if (fclose(f) && !ret)
		ret = -1;
	if (ret)
		printf("%s: writing %s failed\n", NAME, path);
	return ret;
}
#endif

int sample_filter(const struct sample_opts *o)
{
	uint32_t w = o->size ? (uint32_t)o->size : (o->quick ? FILTER_W_QUICK : FILTER_W_DEFAULT);
	uint32_t h = filter_height(w);
	unsigned int iters = o->iters ? o->iters : (o->quick ? 1 : 5);
	const char *out_path = o->out ? o->out : "filter.png";
	struct dxgc_ctx *ctx = NULL;
	struct dxgc_buffer *in = NULL, *blur = NULL, *edges = NULL, *ts = NULL;
	struct dxgc_pipeline *pipe = NULL;
	struct dxgc_cmd *cmd = NULL;
	struct sample_timing t;
	uint32_t *ref_blur = NULL, *ref_edges = NULL;
	uint64_t bytes, bad;
	size_t npx, first = 0;
	NTSTATUS st;
	int rc = 1;

	if (w < 1 || w > FILTER_W_MAX)
		return sample_fail(NAME, "width %u (1 .. %u)", w, FILTER_W_MAX);
	npx = (size_t)w * h;
	bytes = npx * sizeof(uint32_t);
	printf("%s: 5x5 Gaussian blur, then Sobel edges, %u x %u RGBA image, %u timed run(s)\n",
	       NAME, w, h, iters);

	st = sample_open(NAME, o, &ctx);
	if (!NT_SUCCESS(st))
		return sample_fail_st(NAME, "open", st);
	if (!NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &in)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &blur)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, bytes, &edges)) ||
	    !NT_SUCCESS(st = dxgc_buffer_create(ctx, 64, &ts))) {
		sample_fail_st(NAME, "buffers", st);
		goto out;
	}
	st = dxgc_pipeline_create(ctx, filter_spv, sizeof(filter_spv), "main", 2,
				  sizeof(struct push), &pipe);
	if (!NT_SUCCESS(st)) {
		sample_fail_st(NAME, "pipeline", st);
		goto out;
	}
	filter_make_image(in->cpu, w, h);

	{
		const struct push pb = { w, h, 0 }, pe = { w, h, 1 };
		const struct dxgc_binding bb[2] = { { in, 0, 0 }, { blur, 0, 0 } };
		const struct dxgc_binding be[2] = { { blur, 0, 0 }, { edges, 0, 0 } };
		const struct sample_dispatch d[2] = {
			{ { (w + FILTER_TILE - 1) / FILTER_TILE, (h + FILTER_TILE - 1) / FILTER_TILE, 1 }, bb, 2, &pb, sizeof(pb) },
			{ { (w + FILTER_TILE - 1) / FILTER_TILE, (h + FILTER_TILE - 1) / FILTER_TILE, 1 }, be, 2, &pe, sizeof(pe) },
		};

		st = sample_record_timed_dispatch(NAME, ctx, &cmd, ts, pipe, NULL, d, 2,
						  iters, &t);
		if (!NT_SUCCESS(st))
			goto out;
	}

	ref_blur = malloc(bytes);
	ref_edges = malloc(bytes);
	if (!ref_blur || !ref_edges) {
		sample_fail(NAME, "out of memory for the CPU reference");
		goto out;
	}
	filter_cpu_blur(in->cpu, ref_blur, w, h);
	filter_cpu_sobel(ref_blur, ref_edges, w, h);
	bad = filter_compare(blur->cpu, ref_blur, npx, &first);
	if (bad) {
		sample_fail(NAME, "blur: %llu of %zu pixels differ (first (%zu, %zu): 0x%08X, want 0x%08X)",
			    (unsigned long long)bad, npx, first % w, first / w,
			    ((uint32_t *)blur->cpu)[first], ref_blur[first]);
		goto out;
	}
	bad = filter_compare(edges->cpu, ref_edges, npx, &first);
	if (bad) {
		sample_fail(NAME, "edges: %llu of %zu pixels differ (first (%zu, %zu): 0x%08X, want 0x%08X)",
			    (unsigned long long)bad, npx, first % w, first / w,
			    ((uint32_t *)edges->cpu)[first], ref_edges[first]);
		goto out;
	}
	printf("%s: correct: blur and edges equal the CPU reference in all %zu pixels\n",
	       NAME, npx);
	printf("%s: device time %.3f ms best, %.3f ms mean: %.1f Mpixel/s (2 passes); submit to wait %.3f ms\n",
	       NAME, t.best_ns / 1e6, t.mean_ns / 1e6, npx * 1e3 / (double)t.best_ns,
	       t.best_wall_ns / 1e6);
#ifdef HAVE_LIBPNG
	{
		const uint32_t *const imgs[3] = { in->cpu, blur->cpu, edges->cpu };

		if (write_png(out_path, imgs, w, h))
			goto out;
		printf("%s: wrote %s (%u x %u: original | blurred | edges)\n", NAME,
		       out_path, w * 3, h);
	}
#else
	printf("%s: built without libpng: no %s written\n", NAME, out_path);
#endif
	rc = 0;
out:
	free(ref_blur);
	free(ref_edges);
	return sample_finish(NAME, ctx, rc);
}
