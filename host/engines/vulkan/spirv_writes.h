/* SPDX-License-Identifier: MIT */
/*
 * Which resource variables a guest's SPIR-V module may write, so that a
 * read-only DISPATCH binding (DXG_CMD_BINDING_READ_ONLY: a read-only
 * mapping, a fence's page) is only ever given to a binding the shader
 * cannot write.  Decorations are a promise, not a proof (NonWritable on a
 * buffer the code still stores to is invalid SPIR-V that drivers compile
 * anyway), so this follows the uses instead: the pointers derived from a
 * variable (access chains, copies, selects, phis, function parameters)
 * may only be read (OpLoad, OpAtomicLoad, a copy's source, OpArrayLength,
 * pointer comparisons) or named by non-semantic instructions.  Any other
 * use — a store, an atomic that writes, a copy's target, a pointer stored,
 * returned, converted or passed to an extended instruction — counts as a
 * write.  Conservative by construction: an unknown use is a write.
 * Operands are found with SPIRV-Tools' parser, so only id operands count.
 */
#ifndef DXGHOST_SPIRV_WRITES_H
#define DXGHOST_SPIRV_WRITES_H

#include <stddef.h>
#include <stdint.h>

#define DXG_SPIRV_MAX_TRACKED	32u	/* variables one call follows */

/*
 * Sets bit i of *written for each vars[i] (@n <= DXG_SPIRV_MAX_TRACKED
 * variable ids of a module with id bound @bound) that the module may write
 * through.  Returns 0, STATUS_INVALID_PARAMETER (a module the parser
 * refuses, or too many variables) or STATUS_NO_MEMORY.
 */
int32_t dxg_spirv_find_writes(const uint32_t *code, size_t words, uint32_t bound,
			      const uint32_t *vars, uint32_t n, uint32_t *written);

#endif /* DXGHOST_SPIRV_WRITES_H */
