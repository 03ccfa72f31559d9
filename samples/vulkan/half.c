// SPDX-License-Identifier: MIT
/*
 * binary16 conversions in plain C (half.h): the compiler's _Float16 is not
 * there on every target this builds for, and these two are all vk-fft needs.
 */
#include "half.h"

#include <string.h>

static uint32_t bits_of(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

static float float_of(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

uint16_t half_from_float(float f)
{
	uint32_t u = bits_of(f);
	uint16_t sign = (uint16_t)(u >> 16 & 0x8000u);
	uint32_t abs = u & 0x7fffffffu;

	if (abs >= 0x7f800000u)			/* inf, or NaN (kept quiet) */
		return sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0);
	if (abs >= 0x477ff000u)			/* rounds to 65536 or more */
		return sign | 0x7c00u;
	if (abs < 0x38800000u) {		/* below 2^-14: a subnormal half */
		/* 0.5 * 2^-24 .. : the float's value in units of 2^-24, rounded
		 * to nearest even by adding it to 0.5 as a float does. */
		float v = float_of(abs) + 0.5f;

		return sign | (uint16_t)(bits_of(v) - 0x3f000000u);
	}
	/* Normal: rebias the exponent, round the 13 dropped mantissa bits. */
	abs += ((uint32_t)(15 - 127) << 23) + 0xfffu + (abs >> 13 & 1);
	return sign | (uint16_t)(abs >> 13);
}

float half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	uint32_t exp = h >> 10 & 0x1f, man = h & 0x3ffu;

	if (exp == 0x1f)			/* inf, NaN */
		return float_of(sign | 0x7f800000u | man << 13);
	if (exp == 0) {				/* zero, subnormal: man * 2^-24 */
		float v = (float)man * (1.0f / 16777216.0f);

		return sign ? -v : v;
	}
	return float_of(sign | (exp + 127 - 15) << 23 | man << 13);
}
