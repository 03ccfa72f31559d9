/* SPDX-License-Identifier: MIT */
/*
 * The open adapter's command stream, versions 1 to 7: what a command buffer
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
/* Version 2 adds DISPATCH2 and UPDATE; a version 1 buffer means the same. */
#define DXG_CMDBUF_VERSION_2		2u
/* Version 3 adds FENCE_SIGNAL and FENCE_WAIT. */
#define DXG_CMDBUF_VERSION_3		3u
/* Version 4 adds read-only DISPATCH bindings (DXG_CMD_BINDING_READ_ONLY). */
#define DXG_CMDBUF_VERSION_4		4u
/* Version 5 adds a texel format to DISPATCH bindings (texel buffers). */
#define DXG_CMDBUF_VERSION_5		5u
/* Version 6 adds DISPATCH3: bindings with an image's extent (storage images). */
#define DXG_CMDBUF_VERSION_6		6u
/* Version 7 adds DISPATCH4: bindings with a sampler (sampled images, samplers). */
#define DXG_CMDBUF_VERSION_7		7u
/* Version 8 adds DISPATCH5: image views of several levels, layers or slices. */
#define DXG_CMDBUF_VERSION_8		8u
#define DXG_CMDBUF_VERSION_MAX		DXG_CMDBUF_VERSION_8

/* Limits (docs/command-stream.md §5). */
#define DXG_CMDBUF_MAX_SIZE		(16u << 20)	/* whole buffer, bytes */
#define DXG_CMD_MAX_BINDINGS		16u	/* = DXG_ENGINE_MAX_BINDINGS */
#define DXG_CMD_MAX_PUSH_SIZE		128u	/* push constants, bytes */
#define DXG_SPIRV_MAX_SIZE		(4u << 20)	/* bytes */
#define DXG_PIPELINE_ENTRY_LEN		64u	/* entry name, NUL included */
#define DXG_CMD_MAX_UPDATE		65536u	/* UPDATE payload, bytes */
#define DXG_PIPELINE_MAX_SETS		4u	/* descriptor sets 0..3 */
#define DXG_PIPELINE_MAX_BINDING	31u	/* binding numbers 0..31 */
#define DXG_PIPELINE_MAX_SPEC		64u	/* specialization constants */
#define DXG_PIPELINE_MAX_SPEC_DATA	1024u	/* their data, bytes */
#define DXG_CMD_MAX_FENCES		64u	/* FENCE_* commands per buffer */

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
	/* Version 2: */
	DXG_CMD_DISPATCH2	= 7,
	DXG_CMD_UPDATE		= 8,
	/* Version 3: */
	DXG_CMD_FENCE_SIGNAL	= 9,
	DXG_CMD_FENCE_WAIT	= 10,
	DXG_CMD_DISPATCH3	= 11,	/* version 6 */
	DXG_CMD_DISPATCH4	= 12,	/* version 7 */
	DXG_CMD_DISPATCH5	= 13,	/* version 8 */
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
	__u32 flags;		/* DXG_CMD_BINDING_*; 0 before version 4 */
	__u64 va;
	__u64 size;		/* > 0 */
};

/*
 * Binding flags (version 4).  READ_ONLY: the range needs only to be
 * readable (a read-only mapping, a fence's page), and the pipeline's
 * shader must never write that binding (a uniform buffer, or a storage
 * buffer it only reads), else the dispatch faults.
 */
#define DXG_CMD_BINDING_READ_ONLY	0x1u
#define DXG_CMD_BINDING_FLAGS		DXG_CMD_BINDING_READ_ONLY
/*
 * Version 5: bits 16..31 of flags are the VkFormat of a texel buffer slot's
 * view (DXG_SLOT_*_TEXEL_BUFFER), non-zero there and zero for other slots.
 * Only formats below 65536 (Vulkan 1.0's) have texel buffer support here.
 */
#define DXG_CMD_BINDING_FORMAT_SHIFT	16
#define DXG_CMD_BINDING_FORMAT(flags)	((flags) >> DXG_CMD_BINDING_FORMAT_SHIFT)

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
 * DISPATCH2 (version 2): DISPATCH with a base workgroup (vkCmdDispatchBase)
 * and, when indirect_va is not 0, the group counts read from 3 u32 at
 * indirect_va when the command runs (vkCmdDispatchIndirect).  A count of 0
 * dispatches nothing.  Followed by bindings and push constants as DISPATCH;
 * size_bytes is exactly DXG_CMD_DISPATCH2_SIZE(num_bindings, push_size).
 */
struct dxg_cmd_dispatch2 {
	struct dxg_cmd_header hdr;
	__u64 pipeline;
	__u32 base[3];		/* first workgroup ids x, y, z */
	__u32 groups[3];	/* ignored when indirect_va != 0 */
	__u64 indirect_va;	/* 0, or a multiple of 4 */
	__u32 num_bindings;
	__u32 push_size;
};

#define DXG_CMD_DISPATCH2_SIZE(nb, push) \
	(sizeof(struct dxg_cmd_dispatch2) + \
	 (nb) * sizeof(struct dxg_cmd_binding) + DXG_ALIGN8(push))

/*
 * DISPATCH3 (version 6): DISPATCH2's fields, then num_bindings of these,
 * then the push constants.  A binding is DISPATCH's plus the extent of the
 * image a storage image slot's range holds (0 for every other slot): a
 * linear 2D image of the binding's format (flags, as version 5), laid out
 * as DXG_ESCAPE_IMAGE_LAYOUT says, at va.
 */
struct dxg_cmd_binding3 {
	__u32 binding;
	__u32 flags;		/* DXG_CMD_BINDING_*, a format in bits 16..31 */
	__u64 va;
	__u64 size;
	__u32 width;		/* a storage image's; else 0 */
	__u32 height;
};

#define DXG_CMD_DISPATCH3_SIZE(nb, push) \
	(sizeof(struct dxg_cmd_dispatch2) + \
	 (nb) * sizeof(struct dxg_cmd_binding3) + DXG_ALIGN8(push))

/*
 * A sampler's state (version 7): VkSamplerCreateInfo's fields that a
 * compute shader's sampling sees, each the Vulkan enum's value.  Floats
 * are IEEE-754 single bit patterns.  The host makes the Vulkan sampler
 * when the dispatch runs and checks every field against its device
 * (docs/command-stream.md, "Samplers").
 */
struct dxg_cmd_sampler {
	__u8 mag_filter;		/* VkFilter: NEAREST or LINEAR */
	__u8 min_filter;
	__u8 mipmap_mode;		/* VkSamplerMipmapMode */
	__u8 address_mode[3];		/* VkSamplerAddressMode, u v w */
	__u8 flags;			/* DXG_SAMPLER_* */
	__u8 compare_op;		/* VkCompareOp, with DXG_SAMPLER_COMPARE */
	__u8 border_color;		/* VkBorderColor (the six standard ones) */
	__u8 reserved[3];		/* 0 */
	__u32 mip_lod_bias;		/* float */
	__u32 max_anisotropy;		/* float, with DXG_SAMPLER_ANISOTROPY */
	__u32 min_lod, max_lod;		/* float */
	__u32 reserved2;		/* 0 */
};

#define DXG_SAMPLER_ANISOTROPY		0x1u
#define DXG_SAMPLER_COMPARE		0x2u
#define DXG_SAMPLER_UNNORMALIZED	0x4u
#define DXG_SAMPLER_FLAGS		0x7u

/*
 * DISPATCH4 (version 7): DISPATCH3 with these bindings: DISPATCH3's, the
 * view's component mapping and a sampler.  A sampler slot's binding has no
 * memory (va and size 0) and a combined image sampler's has both; every
 * other slot's sampler is zero.  Only sampled images (and combined image
 * samplers) may map components; every other slot's mapping is zero
 * (identity).
 */
struct dxg_cmd_binding4 {
	__u32 binding;
	__u32 flags;
	__u64 va;
	__u64 size;		/* > 0, but 0 for a sampler slot */
	__u32 width;		/* an image slot's; else 0 */
	__u32 height;
	__u8 swizzle[4];	/* VkComponentSwizzle of r, g, b, a */
	__u32 reserved;		/* 0 */
	struct dxg_cmd_sampler sampler;
};

#define DXG_CMD_DISPATCH4_SIZE(nb, push) \
	(sizeof(struct dxg_cmd_dispatch2) + \
	 (nb) * sizeof(struct dxg_cmd_binding4) + DXG_ALIGN8(push))

/* The type of an image slot's view (DISPATCH5). */
enum dxg_view_type {
	DXG_VIEW_2D = 0,	/* DISPATCH3's and DISPATCH4's images */
	DXG_VIEW_2D_ARRAY = 1,
	DXG_VIEW_3D = 2,
	DXG_VIEW_CUBE = 3,	/* six square layers: +X -X +Y -Y +Z -Z */
	DXG_VIEW_TYPE_MAX = DXG_VIEW_CUBE,
};

/* A DISPATCH5 image's alignment: 2^4 .. 2^DXG_IMAGE_MAX_ALIGN_LOG2 bytes. */
#define DXG_IMAGE_MIN_ALIGN_LOG2	4u
#define DXG_IMAGE_MAX_ALIGN_LOG2	24u

/*
 * DISPATCH5 (version 8): DISPATCH4 with these bindings: DISPATCH4's and
 * the shape of an image slot's view, whose subresources lie in the range
 * as docs/command-stream.md ("Image views") lays them out, from va (the
 * view's first level of its first layer) on: each level of each layer (of
 * each slice of a 3D view) a linear 2D image as DXG_ESCAPE_IMAGE_LAYOUT
 * says, at the image's alignment.  A view of one level of a 2D image is
 * DISPATCH4's image.  Every other slot's shape is zero.
 */
struct dxg_cmd_binding5 {
	struct dxg_cmd_binding4 b;	/* width, height: the view's first level's */
	__u8 view_type;		/* enum dxg_view_type */
	__u8 align_log2;	/* the image's alignment, DXG_IMAGE_*_ALIGN_LOG2 */
	__u16 levels;		/* >= 1 */
	__u32 layers;		/* >= 1; 1 but for a 2D array view (6: a cube) */
	__u32 depth;		/* >= 1, the first level's; 1 but for a 3D view */
	__u32 reserved;		/* 0 */
	__u64 layer_stride;	/* a 2D array view's: one layer's start to the next's */
};

#define DXG_CMD_DISPATCH5_SIZE(nb, push) \
	(sizeof(struct dxg_cmd_dispatch2) + \
	 (nb) * sizeof(struct dxg_cmd_binding5) + DXG_ALIGN8(push))

/*
 * UPDATE (version 2): writes size bytes that follow the command at dst_va
 * (vkCmdUpdateBuffer).  size_bytes is exactly 24 + align8(size).
 */
struct dxg_cmd_update {
	struct dxg_cmd_header hdr;
	__u64 dst_va;		/* multiple of 4 */
	__u32 size;		/* > 0, multiple of 4, <= DXG_CMD_MAX_UPDATE */
	__u32 reserved;		/* 0 */
};

#define DXG_CMD_UPDATE_SIZE(n)	(sizeof(struct dxg_cmd_update) + DXG_ALIGN8(n))

/*
 * FENCE_SIGNAL and FENCE_WAIT (version 3): gpu_va is a monitored fence's
 * GPU VA (CreateSynchronizationObject2's fence_gpu_virtual_address) of the
 * submitting device.  SIGNAL raises the fence to value (never lowers it)
 * once every earlier command of the buffer completed; WAIT holds the rest
 * of the buffer until the fence reached value.
 */
struct dxg_cmd_fence {
	struct dxg_cmd_header hdr;
	__u64 gpu_va;		/* multiple of 8, not 0 */
	__u64 value;
	__u64 reserved;		/* 0 */
};

/*
 * D3DKMTEscape (D3DKMT_ESCAPE_DRIVERPRIVATE) payloads: the escape's private
 * data starts with a u32 op.
 */
enum dxg_escape_op {
	DXG_ESCAPE_CREATE_PIPELINE	= 1,
	DXG_ESCAPE_DESTROY_PIPELINE	= 2,
	DXG_ESCAPE_CREATE_PIPELINE2	= 3,
	DXG_ESCAPE_TRIM			= 4,
	DXG_ESCAPE_DEVICE_ADDRESS	= 5,
	DXG_ESCAPE_IMAGE_LAYOUT		= 6,
};

/*
 * IMAGE_LAYOUT: how the host lays out a linear 2D image of format, width
 * and height in memory (what a storage image binding's range holds): its
 * size, the alignment of its start, and the bytes between rows.  The
 * private data is exactly this structure; STATUS_NOT_SUPPORTED where the
 * adapter's device has no such image (the format, the extent).
 */
struct dxg_escape_image_layout {
	__u32 op;			/* DXG_ESCAPE_IMAGE_LAYOUT */
	__u32 format;			/* VkFormat */
	__u32 width, height;		/* >= 1 */
	__u64 size;			/* out */
	__u64 alignment;		/* out: a power of two */
	__u64 row_pitch;		/* out */
};

/*
 * DEVICE_ADDRESS: the address shaders reach an allocation by (Vulkan's
 * buffer device address, docs/command-stream.md §6), for as long as it
 * lives; the private data is exactly this structure.  The allocation is
 * one of the calling device's own (or of its resources), not offered; it
 * is never discarded afterwards.  STATUS_NOT_SUPPORTED where the adapter
 * has no device addresses (the Vulkan device description says whether it
 * has: DXG_VKINFO_DEVICE_ADDRESS).
 */
struct dxg_escape_device_address {
	__u32 op;			/* DXG_ESCAPE_DEVICE_ADDRESS */
	__u32 allocation;		/* D3DKMT_HANDLE */
	__u64 address;			/* out */
};

/*
 * TRIM: the host discards the calling process's offered allocations as
 * memory pressure would (docs/memory.md §10), in reclaim order, until at
 * least `bytes` were discarded (0: all of them); the private data is
 * exactly this structure.  Tests use it to reclaim on demand.
 */
struct dxg_escape_trim {
	__u32 op;			/* DXG_ESCAPE_TRIM */
	__u32 reserved;			/* 0 */
	__u64 bytes;
	__u64 discarded;		/* out: bytes discarded */
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

/* What a pipeline slot holds (the shader's descriptor type). */
enum dxg_slot_type {
	DXG_SLOT_STORAGE_BUFFER	= 0,
	DXG_SLOT_UNIFORM_BUFFER	= 1,
	/* A buffer read through a view of a format (binding flags, version 5). */
	DXG_SLOT_UNIFORM_TEXEL_BUFFER = 2,
	DXG_SLOT_STORAGE_TEXEL_BUFFER = 3,
	/* A linear 2D image of a format in a range (DISPATCH3, version 6). */
	DXG_SLOT_STORAGE_IMAGE = 4,
	/* Version 7 (DISPATCH4): the same image sampled, a sampler, both. */
	DXG_SLOT_SAMPLED_IMAGE = 5,
	DXG_SLOT_SAMPLER = 6,
	DXG_SLOT_COMBINED_IMAGE_SAMPLER = 7,
	DXG_SLOT_TYPE_MAX = DXG_SLOT_COMBINED_IMAGE_SAMPLER,
};

/* An image slot: its binding carries a format and an extent. */
static inline int dxg_slot_is_image(__u32 type)
{
	return type == DXG_SLOT_STORAGE_IMAGE || type == DXG_SLOT_SAMPLED_IMAGE ||
	       type == DXG_SLOT_COMBINED_IMAGE_SAMPLER;
}

/* A slot whose binding carries a sampler (DISPATCH4). */
static inline int dxg_slot_has_sampler(__u32 type)
{
	return type == DXG_SLOT_SAMPLER || type == DXG_SLOT_COMBINED_IMAGE_SAMPLER;
}

/* A texel buffer slot: its binding carries a view's format (version 5). */
static inline int dxg_slot_is_texel_buffer(__u32 type)
{
	return type == DXG_SLOT_UNIFORM_TEXEL_BUFFER || type == DXG_SLOT_STORAGE_TEXEL_BUFFER;
}

/*
 * One descriptor of a CREATE_PIPELINE2 layout.  A DISPATCH of that pipeline
 * names it by its index in the layout (dxg_cmd_binding.binding is the slot
 * index), so every slot gets a buffer at each dispatch.
 */
struct dxg_pipeline_slot {
	__u8 set;		/* < DXG_PIPELINE_MAX_SETS */
	__u8 type;		/* enum dxg_slot_type */
	/*
	 * The element of a descriptor array (0 for a single buffer; was
	 * "reserved, 0").  A binding's elements are 0..n-1, one slot each,
	 * all of one type, and n is the shader's array length.
	 */
	__u16 element;		/* < DXG_CMD_MAX_BINDINGS */
	__u32 binding;		/* <= DXG_PIPELINE_MAX_BINDING */
};

/* One specialization constant: size bytes at offset of the data. */
struct dxg_pipeline_spec {
	__u32 constant_id;
	__u32 offset;
	__u32 size;		/* 1, 2, 4 or 8 */
	__u32 reserved;		/* 0 */
};

/*
 * CREATE_PIPELINE2: a pipeline with a real descriptor layout, specialization
 * constants and a required subgroup size.  Followed by num_slots slots,
 * num_spec entries, spec_data_size bytes of data zero padded to a multiple
 * of 8, then spirv_size bytes of SPIR-V; the private data is exactly
 * DXG_ESCAPE_CREATE_PIPELINE2_SIZE(...) bytes.  Output as CREATE_PIPELINE.
 */
struct dxg_escape_create_pipeline2 {
	__u32 op;			/* DXG_ESCAPE_CREATE_PIPELINE2 */
	char entry[DXG_PIPELINE_ENTRY_LEN];
	__u32 num_slots;		/* <= DXG_CMD_MAX_BINDINGS */
	__u32 push_size;		/* <= DXG_CMD_MAX_PUSH_SIZE, multiple of 4 */
	__u32 spirv_size;
	__u32 num_spec;			/* <= DXG_PIPELINE_MAX_SPEC */
	__u32 spec_data_size;		/* <= DXG_PIPELINE_MAX_SPEC_DATA */
	__u32 subgroup_size;		/* required subgroup size, 0: any */
	__u32 flags;			/* 0 */
	__u64 pipeline;			/* out: the id (never 0) */
};

#define DXG_ESCAPE_CREATE_PIPELINE2_SIZE(slots, spec, data, spirv) \
	(sizeof(struct dxg_escape_create_pipeline2) + \
	 (slots) * sizeof(struct dxg_pipeline_slot) + \
	 (spec) * sizeof(struct dxg_pipeline_spec) + DXG_ALIGN8(data) + (spirv))

/* The first word of every SPIR-V module. */
#define DXG_SPIRV_MAGIC			0x07230203u

DXG_STATIC_ASSERT(sizeof(struct dxg_cmdbuf_header) == 16, "cmdbuf header");
DXG_STATIC_ASSERT(sizeof(struct dxg_escape_trim) == 24, "trim escape");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_header) == 8, "cmd header");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_copy) == 32, "COPY");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_fill) == 32, "FILL");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_timestamp) == 16, "TIMESTAMP");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_binding) == 24, "binding");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_dispatch) == 40, "DISPATCH");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_barrier) == 8, "BARRIER");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_dispatch2) == 56, "DISPATCH2");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_binding3) == 32, "DISPATCH3 binding");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_sampler) == 32, "sampler state");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_binding4) == 72, "DISPATCH4 binding");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_binding5) == 96, "DISPATCH5 binding");
DXG_STATIC_ASSERT(sizeof(struct dxg_escape_image_layout) == 40, "image layout escape");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_update) == 24, "UPDATE");
DXG_STATIC_ASSERT(sizeof(struct dxg_cmd_fence) == 32, "FENCE_SIGNAL, FENCE_WAIT");
DXG_STATIC_ASSERT(sizeof(struct dxg_pipeline_slot) == 8, "slot");
DXG_STATIC_ASSERT(sizeof(struct dxg_pipeline_spec) == 16, "spec entry");
DXG_STATIC_ASSERT(sizeof(struct dxg_escape_create_pipeline2) == 104,
		  "CREATE_PIPELINE2");
DXG_STATIC_ASSERT(sizeof(struct dxg_escape_create_pipeline) == 88,
		  "CREATE_PIPELINE");
DXG_STATIC_ASSERT(sizeof(struct dxg_escape_destroy_pipeline) == 16,
		  "DESTROY_PIPELINE");
/* The largest DISPATCH fits a buffer many times over. */
DXG_STATIC_ASSERT(DXG_CMD_DISPATCH_SIZE(DXG_CMD_MAX_BINDINGS,
					DXG_CMD_MAX_PUSH_SIZE) == 552,
		  "largest DISPATCH");

#endif /* DXG_CMDSTREAM_H */
