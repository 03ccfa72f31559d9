/* SPDX-License-Identifier: MIT */
/*
 * The open adapter's command stream, version 1: what a command buffer
 * submitted to an opendxg adapter contains, and the D3DKMTEscape payloads
 * that create and destroy SPIR-V compute pipelines.  Shared by the guest
 * (the compute library records buffers) and the host (dxghost validates and
 * executes them).  The specification is docs/command-stream.md.
 *
 * Every field is little-endian; every structure has a fixed size checked
 * below.  Commands address memory by GPU virtual address, as real GPUs do.
 * A reader must not assume any alignment of the buffer itself: dxghost
 * reads every field with memcpy.
 */
#ifndef DXG_CMDSTREAM_H
#define DXG_CMDSTREAM_H

#include "compat.h"

/* "DXGC" in memory order: the bytes 'D' 'X' 'G' 'C'. */
#define DXG_CMDBUF_MAGIC		0x43475844u
#define DXG_CMDBUF_VERSION		1u

/* Limits (docs/command-stream.md §5). */
#define DXG_CMDBUF_MAX_SIZE		(16u << 20)	/* whole buffer, bytes */
#define DXG_CMD_MAX_BINDINGS		16u	/* = DXG_ENGINE_MAX_BINDINGS */
#define DXG_CMD_MAX_PUSH_SIZE		128u	/* push constants, bytes */
#define DXG_SPIRV_MAX_SIZE		(4u << 20)	/* bytes */
#define DXG_PIPELINE_ENTRY_LEN		64u	/* entry name, NUL included */

/* The command index reported for errors in the buffer header itself. */
#define DXG_CMD_INDEX_HEADER		0xffffffffu

/* The buffer starts with this header; size_bytes counts it. */
struct dxg_cmdbuf_header {
	__u32 magic;		/* DXG_CMDBUF_MAGIC */
	__u32 version;		/* DXG_CMDBUF_VERSION */
	__u32 size_bytes;	/* header + all commands */
	__u32 num_commands;
};

/* Opcodes.  0 is never valid, so a zeroed buffer is rejected. */
enum dxg_cmd_opcode {
	DXG_CMD_NOP		= 1,
	DXG_CMD_COPY		= 2,
	DXG_CMD_FILL		= 3,
	DXG_CMD_TIMESTAMP	= 4,
	DXG_CMD_DISPATCH	= 5,
	DXG_CMD_BARRIER		= 6,
};

/* Every command starts with this; size_bytes counts it and the payload. */
struct dxg_cmd_header {
	__u16 opcode;		/* enum dxg_cmd_opcode */
	__u16 flags;		/* none defined in version 1: must be 0 */
	__u32 size_bytes;	/* multiple of 8, >= 8 */
};

/* NOP: any size (padding); the payload is ignored. */

/* COPY: size bytes from src_va to dst_va; the ranges may overlap (memmove). */
struct dxg_cmd_copy {
	struct dxg_cmd_header hdr;
	__u64 src_va;
	__u64 dst_va;
	__u64 size;		/* > 0 */
};

/* FILL: size bytes at dst_va with the 32-bit pattern repeated. */
struct dxg_cmd_fill {
	struct dxg_cmd_header hdr;
	__u64 dst_va;		/* multiple of 4 */
	__u64 size;		/* > 0, multiple of 4 */
	__u32 pattern;
	__u32 reserved;		/* 0 */
};

/* TIMESTAMP: writes the engine clock (u64 nanoseconds) at dst_va. */
struct dxg_cmd_timestamp {
	struct dxg_cmd_header hdr;
	__u64 dst_va;		/* multiple of 8 */
};

/* One storage-buffer binding of a DISPATCH. */
struct dxg_cmd_binding {
	__u32 binding;		/* the shader's binding (set 0), < DXG_CMD_MAX_BINDINGS */
	__u32 reserved;		/* 0 */
	__u64 va;
	__u64 size;		/* > 0 */
};

/*
 * DISPATCH: runs a compute pipeline.  Followed by num_bindings
 * struct dxg_cmd_binding, then push_size bytes of push constants, zero
 * padded to a multiple of 8.  size_bytes is exactly
 * DXG_CMD_DISPATCH_SIZE(num_bindings, push_size).
 */
struct dxg_cmd_dispatch {
	struct dxg_cmd_header hdr;
	__u64 pipeline;		/* an id from DXG_ESCAPE_CREATE_PIPELINE */
	__u32 groups[3];	/* workgroup counts x, y, z */
	__u32 num_bindings;	/* <= DXG_CMD_MAX_BINDINGS */
	__u32 push_size;	/* <= DXG_CMD_MAX_PUSH_SIZE, multiple of 4 */
	__u32 reserved;		/* 0 */
};

#define DXG_CMD_DISPATCH_SIZE(nb, push) \
	(sizeof(struct dxg_cmd_dispatch) + \
	 (nb) * sizeof(struct dxg_cmd_binding) + DXG_ALIGN8(push))

/* BARRIER: everything before it completes before anything after it starts. */
struct dxg_cmd_barrier {
	struct dxg_cmd_header hdr;
};

/*
 * D3DKMTEscape (D3DKMT_ESCAPE_DRIVERPRIVATE) payloads: the escape's private
 * data starts with a u32 op.
 */
enum dxg_escape_op {
	DXG_ESCAPE_CREATE_PIPELINE	= 1,
	DXG_ESCAPE_DESTROY_PIPELINE	= 2,
};

/*
 * CREATE_PIPELINE: followed by spirv_size bytes of SPIR-V; the private data
 * is exactly sizeof(struct) + spirv_size bytes.  On success the host writes
 * the new pipeline's id into `pipeline` (the escape's data comes back).
 */
struct dxg_escape_create_pipeline {
	__u32 op;			/* DXG_ESCAPE_CREATE_PIPELINE */
	char entry[DXG_PIPELINE_ENTRY_LEN];	/* NUL-terminated, not empty */
	__u32 num_bindings;		/* bindings 0..n-1, <= DXG_CMD_MAX_BINDINGS */
	__u32 push_size;		/* <= DXG_CMD_MAX_PUSH_SIZE, multiple of 4 */
	__u32 spirv_size;		/* bytes, multiple of 4, <= DXG_SPIRV_MAX_SIZE */
	__u64 pipeline;			/* out: the id (never 0) */
};

/* DESTROY_PIPELINE: the private data is exactly this structure. */
struct dxg_escape_destroy_pipeline {
	__u32 op;			/* DXG_ESCAPE_DESTROY_PIPELINE */
	__u32 reserved;			/* 0 */
	__u64 pipeline;
};

/* The first word of every SPIR-V module. */
#define DXG_SPIRV_MAGIC			0x07230203u

DXG_STATIC_ASSERT(sizeof(struct dxg_cmdbuf_header) == 16, "cmdbuf header");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_header) == 8, "cmd header");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_copy) == 32, "COPY");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_fill) == 32, "FILL");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_timestamp) == 16, "TIMESTAMP");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_binding) == 24, "binding");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_dispatch) == 40, "DISPATCH");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_barrier) == 8, "BARRIER");
DXG_STATIC_ASSERT(sizeof(struct dxg_escape_create_pipeline) == 88,
		  "CREATE_PIPELINE");
DXG_STATIC_ASSERT(sizeof(struct dxg_escape_destroy_pipeline) == 16,
		  "DESTROY_PIPELINE");
/* The largest DISPATCH fits a buffer many times over. */
DXG_STATIC_ASSERT(DXG_CMD_DISPATCH_SIZE(DXG_CMD_MAX_BINDINGS,
					DXG_CMD_MAX_PUSH_SIZE) == 552,
		  "largest DISPATCH");

#endif /* DXG_CMDSTREAM_H */
