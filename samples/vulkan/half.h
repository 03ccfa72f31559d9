/* SPDX-License-Identifier: MIT */
/* IEEE 754 binary16 <-> float on the CPU, for vk-fft's half-precision data. */
#ifndef HALF_H
#define HALF_H

#include <stdint.h>

/* Rounded to nearest, ties to even; overflow gives infinity. */
uint16_t half_from_float(float f);
/* Exact. */
float half_to_float(uint16_t h);

#endif /* HALF_H */
