/* SPDX-License-Identifier: MIT */
/*
 * The command-stream validator and executor (format: include/dxg/cmdstream.h,
 * spec: docs/command-stream.md).  Input is the host's PRIVATE COPY of a
 * command buffer: the guest can rewrite the original in shared memory at any
 * time, so the caller copies it out first and nothing here ever looks at
 * guest memory for the stream itself.  Every field is read with memcpy (no
 * alignment is assumed); no size field is trusted.
 *
 * The whole buffer is validated before the first command runs, so a
 * malformed buffer has no effect at all.  Functions return 0 or a negative
 * NTSTATUS and set *bad_index to the offending command's index (0-based;
 * DXG_CMD_INDEX_HEADER for the buffer header; untouched on success):
 *   STATUS_INVALID_PARAMETER   malformed header, sizes, counts, alignment,
 *                              reserved fields or flags not zero
 *   STATUS_NOT_SUPPORTED       another version; an opcode this engine lacks
 *                              (DISPATCH on the CPU engine)
 *   STATUS_ILLEGAL_INSTRUCTION unknown opcode
 *   STATUS_ACCESS_DENIED       a range not inside one mapping of the space
 *   anything an engine op returns (while executing)
 */
#ifndef DXGHOST_CMDSTREAM_H
#define DXGHOST_CMDSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "dxg/cmdstream.h"
#include "engines/engine.h"
#include "exec/va.h"

/* Validates without executing anything. */
int32_t dxg_cmdstream_validate(const void *buf, size_t len,
			       const struct dxg_va *va,
			       const struct dxg_engine *e, uint32_t *bad_index);

/*
 * Validates, then executes every command through e->ops and finally flushes
 * the engine, so on return the buffer's effects are visible.  An engine
 * error stops execution at that command (earlier commands took effect).
 */
int32_t dxg_cmdstream_execute(const void *buf, size_t len,
			      const struct dxg_va *va,
			      struct dxg_engine *e, uint32_t *bad_index);

/*
 * Checks a DXG_ESCAPE_CREATE_PIPELINE payload (@len bytes, a private copy)
 * and, when it is well formed, copies its fixed part to *out and points
 * *spirv at the SPIR-V words inside @buf (they need not be aligned: copy
 * them before handing them to an API that wants uint32_t alignment).
 * STATUS_INVALID_PARAMETER otherwise.
 */
int32_t dxg_escape_check_create_pipeline(const void *buf, size_t len,
				struct dxg_escape_create_pipeline *out,
				const uint8_t **spirv);
/*
 * Same for DXG_ESCAPE_CREATE_PIPELINE2: the fixed part to *out, its slots
 * and specialization entries copied into @slots (DXG_CMD_MAX_BINDINGS
 * entries) and @spec (DXG_PIPELINE_MAX_SPEC), and pointers to the
 * specialization data and the SPIR-V inside @buf.
 */
int32_t dxg_escape_check_create_pipeline2(const void *buf, size_t len,
				struct dxg_escape_create_pipeline2 *out,
				struct dxg_pipeline_slot *slots,
				struct dxg_pipeline_spec *spec,
				const uint8_t **spec_data, const uint8_t **spirv);
/* Same for DXG_ESCAPE_DESTROY_PIPELINE. */
int32_t dxg_escape_check_destroy_pipeline(const void *buf, size_t len,
				struct dxg_escape_destroy_pipeline *out);

#endif /* DXGHOST_CMDSTREAM_H */
