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
 *   STATUS_ACCESS_DENIED       a range not inside one mapping of the space;
 *                              a fence command's address not a fence of
 *                              the device (dxg_va_fence)
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
 * Version 3's fence commands split a buffer into segments that the
 * scheduler runs one at a time (docs/command-stream.md §3, FENCE_*).
 * The cursor says where the next segment starts; all zero: the buffer
 * has not started.
 */
struct dxg_cmd_cursor {
	uint32_t index;		/* the next command */
	uint32_t offset;	/* its byte offset; 0: not started */
	uint32_t fences;	/* fence commands passed */
};

/* A fence command: opcode 0 for none. */
struct dxg_cmd_fence_op {
	uint16_t opcode;	/* DXG_CMD_FENCE_SIGNAL or DXG_CMD_FENCE_WAIT */
	uint64_t gpu_va;
	uint64_t value;
};

/*
 * Runs the next segment of the buffer (a private copy, made again for each
 * segment: the caller keeps none while the buffer waits): the first one
 * validates the whole buffer first (a malformed buffer runs nothing and
 * leaves the cursor not started); every one decodes and translates its own
 * commands again, runs them up to the next fence command and flushes.  On success *fence is that command
 * (the cursor is past it) or has opcode 0 (the buffer is done).  An error
 * stops the buffer (*bad_index as above).  dxg_cmdstream_execute() runs a
 * buffer in one piece, fence commands as barriers.
 */
int32_t dxg_cmdstream_run_segment(const void *buf, size_t len,
				  const struct dxg_va *va,
				  struct dxg_engine *e,
				  struct dxg_cmd_cursor *cur,
				  struct dxg_cmd_fence_op *fence,
				  uint32_t *bad_index);
/*
 * The FENCE_SIGNAL commands of a buffer that validated (the first segment
 * ran), at most @max of them, in order, with their command indices: what
 * is still signalled after the buffer failed while running.  Returns how
 * many.
 */
struct dxg_cmd_signal {
	uint32_t index;
	struct dxg_cmd_fence_op op;
};
uint32_t dxg_cmdstream_signals(const void *buf, size_t len,
			       struct dxg_cmd_signal *out, uint32_t max);

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
