/* SPDX-License-Identifier: MIT */
/*
 * Descriptor arrays in a guest's SPIR-V.  An index past a descriptor array
 * is undefined behaviour that no robustness feature covers (on lavapipe the
 * descriptor is a pointer read from past the array).  So each use of an
 * arrayed resource variable must be an access chain whose first index is a
 * constant below the array's length, or not a constant at all (dynamic
 * indexing, a Vulkan 1.0 feature) — the only other places it may appear
 * are its name, decorations and the entry point's interface — and before
 * the module reaches a driver every dynamic index is clamped to the
 * array's last element (dxg_spirv_rewrite_arrays()).  Operands are found
 * with SPIRV-Tools' parser, so only id operands are looked at.
 */
#ifndef DXGHOST_SPIRV_ARRAYS_H
#define DXGHOST_SPIRV_ARRAYS_H

#include <stddef.h>
#include <stdint.h>

#define DXG_SPIRV_MAX_ARRAYS	16u	/* arrayed variables looked at */

struct dxg_spirv_array {
	uint32_t var;		/* the resource variable's id */
	uint32_t length;	/* its array length (descriptors) */
};

/*
 * Checks every use of the @n variables (a module that already passed the
 * validator; @bound its id bound).  Returns 0, STATUS_INVALID_PARAMETER
 * or STATUS_NO_MEMORY.
 */
int32_t dxg_spirv_check_arrays(const uint32_t *code, size_t words, uint32_t bound,
			       const struct dxg_spirv_array *arrays, uint32_t n);

/*
 * A copy of the module (which passed dxg_spirv_check_arrays() for the
 * same arrays) in which the first index of every access chain into one of
 * the @n arrays that is not a constant is replaced by
 * `index < length ? index : length - 1` (unsigned: a negative index is
 * large), computed just before the chain: *out (malloc'd, *out_words
 * words), or NULL where there is no such chain.  Returns 0,
 * STATUS_INVALID_PARAMETER or STATUS_NO_MEMORY.  The caller validates the
 * result.
 */
int32_t dxg_spirv_rewrite_arrays(const uint32_t *code, size_t words, uint32_t bound,
				 const struct dxg_spirv_array *arrays, uint32_t n,
				 uint32_t **out, size_t *out_words);

#endif /* DXGHOST_SPIRV_ARRAYS_H */
