// SPDX-License-Identifier: MIT
/* The samples' inputs and CPU references (reference.h). */
#include "reference.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

uint64_t sample_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t sample_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

float sample_randf(uint64_t *s, float lo, float hi)
{
	/* 24 random bits: exactly representable steps in [0, 1). */
	float u = (float)(sample_rand(s) >> 40) / 16777216.0f;

	return lo + (hi - lo) * u;
}

/* ---- sgemm ---- */

void sgemm_inputs(float *a, float *b, uint32_t n)
{
	uint64_t seed = 0x5eed0001;

	for (size_t i = 0; i < (size_t)n * n; i++) {
		a[i] = sample_randf(&seed, -1.0f, 1.0f);
		b[i] = sample_randf(&seed, -1.0f, 1.0f);
	}
}

uint64_t sgemm_check(const float *a, const float *b, const float *c, uint32_t n,
		     double *max_err, double *max_bound)
{
	double *ref = calloc((size_t)n * n, sizeof(double));
	double *mag = calloc((size_t)n * n, sizeof(double));
	uint64_t bad = 0;

	*max_err = 0;
	*max_bound = 0;
	if (!ref || !mag) {
		free(ref);
		free(mag);
		return UINT64_MAX;
	}
	/* i-k-j order: rows of B and C are walked contiguously. */
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < n; k++) {
			double av = a[(size_t)i * n + k];
			const float *brow = b + (size_t)k * n;
			double *rrow = ref + (size_t)i * n, *mrow = mag + (size_t)i * n;

			for (uint32_t j = 0; j < n; j++) {
				rrow[j] += av * brow[j];
				mrow[j] += fabs(av * brow[j]);
			}
		}
	}
	for (size_t i = 0; i < (size_t)n * n; i++) {
		/* |fl(dot) - dot| <= gamma_K * sum |a_ik b_kj|, gamma_K ~ K eps. */
		double bound = 1.01 * n * FLT_EPSILON * mag[i] + 1e-30;
		double err = fabs((double)c[i] - ref[i]);

		if (!(err <= bound))	/* NaN counts as bad */
			bad++;
		if (err > *max_err || err != err)
			*max_err = err;
		if (bound > *max_bound)
			*max_bound = bound;
	}
	free(ref);
	free(mag);
	return bad;
}

/* ---- saxpy ---- */

void saxpy_inputs(float *x, float *y0, uint64_t n)
{
	uint64_t seed = 0x5eed0002;

	for (uint64_t i = 0; i < n; i++) {
		x[i] = sample_randf(&seed, -1.0f, 1.0f);
		y0[i] = sample_randf(&seed, -1.0f, 1.0f);
	}
}

uint64_t saxpy_check(float a, const float *x, const float *y0, const float *y,
		     uint64_t n, uint64_t *first_bad, double *max_err)
{
	uint64_t bad = 0;

	*first_bad = 0;
	*max_err = 0;
	for (uint64_t i = 0; i < n; i++) {
		double ref = (double)a * x[i] + y0[i];
		/* One rounding of the product and one of the sum at most. */
		double bound = 2.0 * FLT_EPSILON * (fabs((double)a * x[i]) + fabs(y0[i])) + 1e-30;
		double err = fabs((double)y[i] - ref);

		if (!(err <= bound)) {
			if (!bad)
				*first_bad = i;
			bad++;
		}
		if (err > *max_err || err != err)
			*max_err = err;
	}
	return bad;
}

/* ---- reduce ---- */

int reduce_plan(uint64_t n, uint64_t align, struct reduce_pass *p, uint64_t *scratch)
{
	int np = 0;

	*scratch = 0;
	do {
		uint32_t per = REDUCE_MAX_PER_THREAD;

		if (np == REDUCE_MAX_PASSES)
			return -1;
		if (n <= (uint64_t)REDUCE_WG * REDUCE_MAX_PER_THREAD)
			per = (uint32_t)((n + REDUCE_WG - 1) / REDUCE_WG);
		p[np].n = (uint32_t)n;
		p[np].per_thread = per;
		p[np].groups = (uint32_t)((n + (uint64_t)REDUCE_WG * per - 1) /
					  ((uint64_t)REDUCE_WG * per));
		p[np].out_offset = *scratch;
		*scratch += ((uint64_t)p[np].groups * sizeof(float) + align - 1) & ~(align - 1);
		n = p[np].groups;
		np++;
	} while (n > 1);
	return np;
}

double reduce_inputs(float *in, uint64_t n)
{
	uint64_t seed = 0x5eed0003;
	double ref = 0;

	for (uint64_t i = 0; i < n; i++) {
		float v = sample_randf(&seed, 0.0f, 1.0f);

		in[i] = v;
		ref += v;
	}
	return ref;
}

double reduce_bound(int passes, double ref)
{
	/* Each element passes <= 16 sequential and 8 tree additions per pass. */
	return (double)passes * (REDUCE_MAX_PER_THREAD + 8) * FLT_EPSILON * ref + 1e-30;
}

/* ---- filter ---- */

uint32_t filter_height(uint32_t w)
{
	return w * 3 / 4 ? w * 3 / 4 : 1;
}

static uint8_t clamp8(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v;
}

/* Positions are in thousandths of the height, so the picture scales with
 * the width. */
void filter_make_image(uint32_t *img, uint32_t w, uint32_t h)
{
	static const struct { int u, v, r; uint32_t rgb; } discs[] = {
		{ 400, 350, 190, 0xe03c31 }, { 830, 620, 230, 0x2a9d8f },
		{ 600, 760, 100, 0xf4a261 }, { 1070, 280, 130, 0x264653 },
	};
	uint32_t sq = h / 40 ? h / 40 : 1;

	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			int r = (int)(x * 255 / w), g = (int)(y * 255 / h), b = 160;
			int u = (int)((uint64_t)x * 1000 / h), v = (int)((uint64_t)y * 1000 / h);

			for (size_t i = 0; i < sizeof(discs) / sizeof(discs[0]); i++) {
				int du = u - discs[i].u, dv = v - discs[i].v;

				if (du * du + dv * dv <= discs[i].r * discs[i].r) {
					r = (int)(discs[i].rgb >> 16);
					g = (int)(discs[i].rgb >> 8 & 255);
					b = (int)(discs[i].rgb & 255);
				}
			}
			if (u >= 930 && v >= 620 && v < 950 && ((x / sq + y / sq) & 1))
				r = g = b = 250;
			/* Fine stripes: detail the blur removes. */
			if (u >= 100 && u < 530 && v >= 700 && v < 920 && (x / 2 + y / 6) % 3 == 0)
				r = g = b = 20;
			img[(size_t)y * w + x] = clamp8(r) | (uint32_t)clamp8(g) << 8 |
						 (uint32_t)clamp8(b) << 16 | 0xff000000u;
		}
	}
}

static uint32_t at(const uint32_t *img, uint32_t w, uint32_t h, int x, int y)
{
	x = x < 0 ? 0 : x >= (int)w ? (int)w - 1 : x;
	y = y < 0 ? 0 : y >= (int)h ? (int)h - 1 : y;
	return img[(size_t)y * w + (size_t)x];
}

static int luma(uint32_t p)
{
	return (int)((77u * (p & 255) + 150u * (p >> 8 & 255) + 29u * (p >> 16 & 255)) >> 8);
}

void filter_cpu_blur(const uint32_t *src, uint32_t *dst, uint32_t w, uint32_t h)
{
	static const unsigned int k[5] = { 1, 4, 6, 4, 1 };

	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			unsigned int acc[3] = { 0, 0, 0 };

			for (int j = -2; j <= 2; j++) {
				for (int i = -2; i <= 2; i++) {
					uint32_t p = at(src, w, h, (int)x + i, (int)y + j);
					unsigned int kk = k[i + 2] * k[j + 2];

					acc[0] += kk * (p & 255);
					acc[1] += kk * (p >> 8 & 255);
					acc[2] += kk * (p >> 16 & 255);
				}
			}
			dst[(size_t)y * w + x] = ((acc[0] + 128) >> 8) |
						 ((acc[1] + 128) >> 8) << 8 |
						 ((acc[2] + 128) >> 8) << 16 |
						 (src[(size_t)y * w + x] & 0xff000000u);
		}
	}
}

void filter_cpu_sobel(const uint32_t *src, uint32_t *dst, uint32_t w, uint32_t h)
{
	for (int y = 0; y < (int)h; y++) {
		for (int x = 0; x < (int)w; x++) {
#define L(dx, dy) luma(at(src, w, h, x + (dx), y + (dy)))
			int gx = -L(-1, -1) - 2 * L(-1, 0) - L(-1, 1) +
				 L(1, -1) + 2 * L(1, 0) + L(1, 1);
			int gy = -L(-1, -1) - 2 * L(0, -1) - L(1, -1) +
				 L(-1, 1) + 2 * L(0, 1) + L(1, 1);
#undef L
			int m = abs(gx) + abs(gy);
			uint32_t v = m > 255 ? 255 : (uint32_t)m;

			dst[(size_t)y * w + (size_t)x] = v | v << 8 | v << 16 | 0xff000000u;
		}
	}
}

uint64_t filter_compare(const uint32_t *got, const uint32_t *want, size_t n, size_t *first)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (got[i] != want[i]) {
			if (!bad)
				*first = i;
			bad++;
		}
	}
	return bad;
}

int sample_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -1;
	*out = v;
	return 0;
}
