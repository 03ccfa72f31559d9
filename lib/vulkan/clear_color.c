// SPDX-License-Identifier: MIT
/*
 * Clear colors as texels (vkCmdClearColorImage, cmd_image.c): how each
 * image format lays its components out in memory, and the conversions
 * Vulkan's "Conversion from floating-point to normalized fixed-point" and
 * its packed-float rules ask for.  A format is offered for images only if
 * it is described here (odx_image_features()): a clear must be exact.
 *
 * Every format is a list of bit fields of a little-endian texel (a plain
 * format's components are bytes or words in order; BGRA swaps red and
 * blue; the PACK formats name their bits from the most significant), plus
 * E5B9G9R9's shared exponent, which is not per component.
 */
#include <math.h>
#include <string.h>

#include "odx.h"

enum kind { UNORM, SNORM, UINT, SINT, SFLOAT, UFLOAT, SRGB, SHARED_EXP };

struct field {
	uint8_t shift, bits;	/* in the texel; bits 0: the component is absent */
};

struct color_layout {
	uint8_t kind;		/* enum kind (SRGB: UNORM with r, g, b encoded) */
	struct field f[4];	/* r, g, b, a */
};

#define F1(b)		{ { 0, b } }
#define F2(b)		{ { 0, b }, { b, b } }
#define F4(b)		{ { 0, b }, { b, b }, { 2 * b, b }, { 3 * b, b } }
#define BGRA8		{ { 16, 8 }, { 8, 8 }, { 0, 8 }, { 24, 8 } }

static bool layout_of(uint32_t format, struct color_layout *l)
{
#define L(f, k, ...) case VK_FORMAT_##f: \
	*l = (struct color_layout) { k, __VA_ARGS__ }; return true
	switch (format) {
	L(R8_UNORM, UNORM, F1(8)); L(R8_SNORM, SNORM, F1(8));
	L(R8_UINT, UINT, F1(8)); L(R8_SINT, SINT, F1(8));
	L(R8G8_UNORM, UNORM, F2(8)); L(R8G8_SNORM, SNORM, F2(8));
	L(R8G8_UINT, UINT, F2(8)); L(R8G8_SINT, SINT, F2(8));
	L(R8G8B8A8_UNORM, UNORM, F4(8)); L(R8G8B8A8_SNORM, SNORM, F4(8));
	L(R8G8B8A8_UINT, UINT, F4(8)); L(R8G8B8A8_SINT, SINT, F4(8));
	L(R8G8B8A8_SRGB, SRGB, F4(8));
	/* A8B8G8R8_PACK32: r in the low byte, as R8G8B8A8 in memory. */
	L(A8B8G8R8_UNORM_PACK32, UNORM, F4(8)); L(A8B8G8R8_SNORM_PACK32, SNORM, F4(8));
	L(A8B8G8R8_UINT_PACK32, UINT, F4(8)); L(A8B8G8R8_SINT_PACK32, SINT, F4(8));
	L(A8B8G8R8_SRGB_PACK32, SRGB, F4(8));
	L(B8G8R8A8_UNORM, UNORM, BGRA8); L(B8G8R8A8_SRGB, SRGB, BGRA8);
	L(A2B10G10R10_UNORM_PACK32, UNORM, { { 0, 10 }, { 10, 10 }, { 20, 10 }, { 30, 2 } });
	L(A2B10G10R10_UINT_PACK32, UINT, { { 0, 10 }, { 10, 10 }, { 20, 10 }, { 30, 2 } });
	L(R5G6B5_UNORM_PACK16, UNORM, { { 11, 5 }, { 5, 6 }, { 0, 5 } });
	L(A1R5G5B5_UNORM_PACK16, UNORM, { { 10, 5 }, { 5, 5 }, { 0, 5 }, { 15, 1 } });
	L(R16_UNORM, UNORM, F1(16)); L(R16_SNORM, SNORM, F1(16));
	L(R16_UINT, UINT, F1(16)); L(R16_SINT, SINT, F1(16)); L(R16_SFLOAT, SFLOAT, F1(16));
	L(R16G16_UNORM, UNORM, F2(16)); L(R16G16_SNORM, SNORM, F2(16));
	L(R16G16_UINT, UINT, F2(16)); L(R16G16_SINT, SINT, F2(16));
	L(R16G16_SFLOAT, SFLOAT, F2(16));
	L(R16G16B16A16_UNORM, UNORM, F4(16)); L(R16G16B16A16_SNORM, SNORM, F4(16));
	L(R16G16B16A16_UINT, UINT, F4(16)); L(R16G16B16A16_SINT, SINT, F4(16));
	L(R16G16B16A16_SFLOAT, SFLOAT, F4(16));
	L(R32_UINT, UINT, F1(32)); L(R32_SINT, SINT, F1(32)); L(R32_SFLOAT, SFLOAT, F1(32));
	L(R32G32_UINT, UINT, F2(32)); L(R32G32_SINT, SINT, F2(32));
	L(R32G32_SFLOAT, SFLOAT, F2(32));
	L(R32G32B32A32_UINT, UINT, F4(32)); L(R32G32B32A32_SINT, SINT, F4(32));
	L(R32G32B32A32_SFLOAT, SFLOAT, F4(32));
	L(B10G11R11_UFLOAT_PACK32, UFLOAT, { { 0, 11 }, { 11, 11 }, { 22, 10 } });
	L(E5B9G9R9_UFLOAT_PACK32, SHARED_EXP, { { 0, 9 }, { 9, 9 }, { 18, 9 } });
	default:
		return false;
	}
#undef L
}

bool odx_color_format(uint32_t format)
{
	struct color_layout l;

	return layout_of(format, &l);
}

/* @bits of @u at bit @shift of the little-endian texel @out (16 bytes). */
static void put_bits(uint8_t *out, uint32_t shift, uint32_t bits, uint32_t u)
{
	for (uint32_t i = 0; i < bits; i++)
		if (u >> i & 1)
			out[(shift + i) / 8] |= (uint8_t)(1u << ((shift + i) % 8));
}

static float clampf(float v, float lo, float hi)
{
	return v != v ? 0.0f : v < lo ? lo : v > hi ? hi : v;
}

/*
 * A float as an IEEE-like float of @exp_bits exponent and @man_bits
 * mantissa bits (the exponent bias 2^(e-1) - 1), rounded to nearest even;
 * @sign: keep the sign (halves), else negative values are 0 (the unsigned
 * 11- and 10-bit floats).  Overflow goes to infinity, NaN stays NaN.
 */
static uint32_t small_float(float f, uint32_t exp_bits, uint32_t man_bits, bool sign)
{
	const int bias = (1 << (exp_bits - 1)) - 1, emax = (1 << exp_bits) - 1;
	uint32_t x, s, e, m, out;
	int exp;

	memcpy(&x, &f, sizeof(x));
	s = sign ? (x >> 31) << (exp_bits + man_bits) : 0;
	e = (x >> 23) & 0xffu;
	m = x & 0x7fffffu;
	if (e == 0xff)
		return s | (uint32_t)emax << man_bits | (m ? 1u << (man_bits - 1) : 0);
	if (!sign && (x >> 31))
		return 0;
	exp = (int)e - 127 + bias;
	if (exp >= emax)
		return s | (uint32_t)emax << man_bits;
	if (exp <= 0) {				/* subnormal, or zero */
		uint32_t shift = (uint32_t)(1 - exp) + 23 - man_bits, mm = m | 0x800000u;

		if (!e || shift > 24)
			return s;
		out = mm >> shift;
		if ((mm & ((1u << shift) - 1)) > (1u << (shift - 1)) ||
		    ((mm & ((1u << shift) - 1)) == (1u << (shift - 1)) && (out & 1)))
			out++;
		return s | out;
	}
	{
		uint32_t shift = 23 - man_bits, rest = m & ((1u << shift) - 1);

		out = (uint32_t)exp << man_bits | m >> shift;
		if (rest > 1u << (shift - 1) || (rest == 1u << (shift - 1) && (out & 1)))
			out++;		/* may carry into the exponent: right */
		return s | out;
	}
}

/* Vulkan's linear to sRGB encoding of one component in [0, 1]. */
static float srgb_encode(float v)
{
	return v <= 0.0031308f ? v * 12.92f : 1.055f * powf(v, 1.0f / 2.4f) - 0.055f;
}

/* E5B9G9R9: Vulkan's shared-exponent encoding of r, g, b. */
static uint32_t shared_exponent(const float *rgb)
{
	const float max = 65408.0f;	/* (2^9 - 1) / 2^9 * 2^(31 - 15) */
	float c[3], cmax;
	int exp, e;
	uint32_t out;

	for (int i = 0; i < 3; i++)
		c[i] = clampf(rgb[i], 0.0f, max);
	cmax = fmaxf(c[0], fmaxf(c[1], c[2]));
	/* floor(log2(cmax)), exactly: cmax = m * 2^exp with m in [0.5, 1). */
	exp = -17;
	if (cmax > 0.0f) {
		frexpf(cmax, &exp);
		exp--;
	}
	e = (exp < -16 ? -16 : exp) + 16;
	if ((int)floorf(cmax / ldexpf(1.0f, e - 15 - 9) + 0.5f) == 512)
		e++;
	out = (uint32_t)e << 27;
	for (int i = 0; i < 3; i++)
		out |= (uint32_t)floorf(c[i] / ldexpf(1.0f, e - 15 - 9) + 0.5f) << (9 * i);
	return out;
}

/* One component @c of @color in @l's kind and @bits. */
static uint32_t component(const struct color_layout *l, const VkClearColorValue *color,
			  uint32_t c, uint32_t bits)
{
	const uint32_t mask = bits < 32 ? (1u << bits) - 1 : ~0u;
	float f = color->float32[c];

	switch (l->kind) {
	case SRGB:	/* r, g, b encoded, then stored as UNORM */
		if (c < 3)
			f = srgb_encode(clampf(f, 0.0f, 1.0f));
		return (uint32_t)(clampf(f, 0.0f, 1.0f) * (float)mask + 0.5f);
	case UNORM:
		return (uint32_t)(clampf(f, 0.0f, 1.0f) * (float)mask + 0.5f);
	case SNORM: {
		float v = clampf(f, -1.0f, 1.0f) * (float)(mask >> 1);

		return (uint32_t)(int32_t)(v < 0 ? v - 0.5f : v + 0.5f) & mask;
	}
	case UINT:
		return color->uint32[c] > mask ? mask : color->uint32[c];	/* Vulkan: clamped */
	case SINT: {
		int32_t v = color->int32[c], hi = (int32_t)(mask >> 1), lo = -hi - 1;

		return (uint32_t)(v < lo ? lo : v > hi ? hi : v) & mask;
	}
	case UFLOAT:
		return small_float(f, 5, bits - 5, false);
	default: {	/* SFLOAT */
		uint32_t u;

		if (bits == 16)
			return small_float(f, 5, 10, true);
		memcpy(&u, &f, sizeof(u));
		return u;
	}
	}
}

bool odx_pack_color(uint32_t format, const VkClearColorValue *color, uint8_t *out)
{
	struct color_layout l;

	if (!layout_of(format, &l))
		return false;
	memset(out, 0, 16);
	if (l.kind == SHARED_EXP) {
		put_bits(out, 0, 32, shared_exponent(color->float32));
		return true;
	}
	for (uint32_t c = 0; c < 4; c++)
		if (l.f[c].bits)
			put_bits(out, l.f[c].shift, l.f[c].bits,
				 component(&l, color, c, l.f[c].bits));
	return true;
}
