/* SPDX-License-Identifier: MIT */
/*
 * The problems the samples compute and their CPU references, with no GPU
 * API in sight: the compute-library samples (samples/, dxg-samples) and
 * the plain Vulkan ones (samples/vulkan/, vk-samples) generate the same
 * inputs from the same seeds and judge their results with the same code,
 * so a difference between the two is the GPU path's, not the check's.
 */
#ifndef DXG_SAMPLES_REFERENCE_H
#define DXG_SAMPLES_REFERENCE_H

#include <stddef.h>
#include <stdint.h>

uint64_t sample_now_ns(void);
/* Deterministic pseudo-random numbers (xorshift64*). */
uint64_t sample_rand(uint64_t *state);
/* Uniform in [lo, hi). */
float sample_randf(uint64_t *state, float lo, float hi);

/* ---- sgemm: C = A x B, n x n floats (shaders/sgemm.comp) ---- */
#define SGEMM_N_DEFAULT	512u
#define SGEMM_N_QUICK	128u
#define SGEMM_N_MAX	4096u
#define SGEMM_TILE	16u	/* the shader's workgroup is TILE x TILE */

/* A and B uniform in [-1, 1). */
void sgemm_inputs(float *a, float *b, uint32_t n);
/*
 * Checks every element of C against a double-precision reference, within
 * the rounding bound of an n-term float dot product.  Returns the number of
 * bad elements (UINT64_MAX: out of memory), the largest error and bound.
 */
uint64_t sgemm_check(const float *a, const float *b, const float *c, uint32_t n,
		     double *max_err, double *max_bound);

/* ---- saxpy: y = a * x + y over n floats (shaders/saxpy.comp) ---- */
#define SAXPY_N_DEFAULT	(1u << 21)
#define SAXPY_N_QUICK	(1u << 16)
#define SAXPY_N_MAX	(65535ull * 64)	/* 65535 groups of 64 per dispatch */
#define SAXPY_A		2.5f

/* x and the pristine y0 uniform in [-1, 1). */
void saxpy_inputs(float *x, float *y0, uint64_t n);
/*
 * Checks y = a * x + y0 element by element (one rounding of the product and
 * one of the sum at most).  Returns the number of bad elements, the first
 * bad index and the largest error.
 */
uint64_t saxpy_check(float a, const float *x, const float *y0, const float *y,
		     uint64_t n, uint64_t *first_bad, double *max_err);

/* ---- reduce: the sum of n floats in passes (shaders/reduce.comp) ---- */
#define REDUCE_N_DEFAULT	(1u << 22)
#define REDUCE_N_QUICK		100000u
#define REDUCE_N_MAX		(32ull << 20)	/* 128 MiB: one binding's limit */
#define REDUCE_WG		256u		/* the shader's workgroup size */
#define REDUCE_MAX_PER_THREAD	16u
#define REDUCE_MAX_PASSES	8

struct reduce_pass {
	uint32_t n, per_thread, groups;
	uint64_t out_offset;	/* of the pass's partial sums in the scratch buffer */
};

/*
 * Plans the passes: each adds WG x per_thread elements per workgroup into
 * one partial sum, until one value is left.  Each pass's output starts at a
 * multiple of @align (a power of two) in the scratch buffer.  Returns the
 * number of passes (-1: too many) and the scratch bytes they need.
 */
int reduce_plan(uint64_t n, uint64_t align, struct reduce_pass *p, uint64_t *scratch);
/* The inputs, uniform in [0, 1); returns their sum in double precision. */
double reduce_inputs(float *in, uint64_t n);
/* The error bound of a float sum of @passes passes with total @ref. */
double reduce_bound(int passes, double ref);

/* ---- filter: 5x5 Gaussian blur, then Sobel edges (shaders/filter.comp) ---- */
#define FILTER_W_DEFAULT	640u
#define FILTER_W_QUICK		160u
#define FILTER_W_MAX		4096u
#define FILTER_TILE		16u	/* the shader's workgroup is TILE x TILE */

/* The height for a width (4:3). */
uint32_t filter_height(uint32_t w);
/* The RGBA test image: gradient, discs, a checkerboard, stripes. */
void filter_make_image(uint32_t *img, uint32_t w, uint32_t h);
/* The CPU reference of shaders/filter.comp, the same integer arithmetic. */
void filter_cpu_blur(const uint32_t *src, uint32_t *dst, uint32_t w, uint32_t h);
void filter_cpu_sobel(const uint32_t *src, uint32_t *dst, uint32_t w, uint32_t h);
/* The number of pixels that differ, and the first one's index. */
uint64_t filter_compare(const uint32_t *got, const uint32_t *want, size_t n, size_t *first);

/* An option's number: 0..max, no sign, no trailing text; 0 or -1. */
int sample_parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif /* DXG_SAMPLES_REFERENCE_H */
