/* SPDX-License-Identifier: MIT */
/*
 * An execution engine: what runs the commands of a validated command
 * buffer (include/dxg/cmdstream.h) for one host device.  The CPU engine
 * (engine_cpu.c) does copy/fill/timestamp in plain C; the Vulkan backend
 * (vk_*.c) adds compute dispatch of SPIR-V pipelines.  An engine sees only
 * host pointers the GPU VA space already translated and bounds-checked.
 *
 * Every function returns 0 or a negative NTSTATUS.
 */
#ifndef DXGHOST_ENGINE_H
#define DXGHOST_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "dxg/cmdstream.h"

#define DXG_ENGINE_MAX_BINDINGS		16
#define DXG_ENGINE_MAX_PUSH_CONSTANTS	128	/* bytes */

/*
 * Memory a command names: host memory (the VM's IO space), or device
 * memory of the engine's device (an object of the engine's kind, which the
 * host's CPU cannot reach).  Exactly one of host and dev is set.
 */
struct dxg_engine_mem {
	void *host;
	void *dev;
	uint64_t dev_offset;
};

/* One buffer binding of a dispatch, already translated. */
struct dxg_engine_binding {
	uint32_t binding;	/* the pipeline's slot index (struct dxg_engine_pipeline) */
	void *host;		/* start of the range in host memory, or NULL */
	uint64_t size;		/* bytes */
	void *dev;		/* or device memory (engine_mem) ... */
	uint64_t dev_offset;	/* ... from this offset */
	/*
	 * The memory may be read-only (DXG_CMD_BINDING_READ_ONLY): the
	 * engine refuses the dispatch (STATUS_ACCESS_DENIED) unless the
	 * pipeline's shader never writes that slot.
	 */
	uint32_t read_only;
	/* A texel buffer or image slot's VkFormat (version 5); 0 for others. */
	uint32_t format;
	/* An image slot's extent (DISPATCH3, DISPATCH4); 0 for other slots. */
	uint32_t width, height;
	/*
	 * A sampler or combined image sampler slot's sampler (DISPATCH4),
	 * unchecked; zero for other slots.  A sampler slot's binding has no
	 * memory (host and dev NULL, size 0).
	 */
	struct dxg_cmd_sampler sampler;
	/* A sampled image's view's component mapping (DISPATCH4); 0: identity. */
	uint8_t swizzle[4];
	/*
	 * An image slot's view (DISPATCH5): its type (enum dxg_view_type),
	 * levels, layers, its first level's depth, the image's alignment
	 * (bytes) and the stride of its layers.  All zero before DISPATCH5
	 * and for every other slot: a 2D view of one level, layer and slice.
	 */
	uint8_t view_type;
	uint16_t levels;
	uint32_t layers, depth;
	uint64_t align, layer_stride;
};

/* A transfer where device memory is involved (copy, fill, update). */
enum dxg_engine_xfer_op {
	DXG_XFER_COPY,		/* src -> dst */
	DXG_XFER_FILL,		/* pattern over dst */
	DXG_XFER_UPDATE,	/* data (size bytes, host) -> dst */
	DXG_XFER_TIMESTAMP,	/* the engine's clock (u64 ns, as timestamp) -> dst */
};

struct dxg_engine_xfer {
	uint32_t op;		/* enum dxg_engine_xfer_op */
	struct dxg_engine_mem dst, src;
	const void *data;
	uint64_t size;
	uint32_t pattern;
};

struct dxg_engine_dispatch {
	uint64_t pipeline;	/* an id from create_pipeline */
	uint32_t base[3];	/* first workgroup ids (0 for DISPATCH) */
	uint32_t groups[3];
	uint32_t num_bindings;
	struct dxg_engine_binding bindings[DXG_ENGINE_MAX_BINDINGS];
	uint32_t push_size;
	uint8_t push[DXG_ENGINE_MAX_PUSH_CONSTANTS];
	/*
	 * Indirect (vkCmdDispatchIndirect): the three group counts are read
	 * here — host memory, or device memory — when the dispatch runs, after
	 * every op before it, and replace groups; a count of 0 dispatches
	 * nothing.  Neither set: groups as given.
	 */
	struct dxg_engine_mem indirect;
};

/* One descriptor of a pipeline's layout. */
struct dxg_engine_slot {
	uint32_t set;		/* < DXG_PIPELINE_MAX_SETS */
	uint32_t binding;
	uint32_t type;		/* enum dxg_slot_type */
	uint32_t element;	/* of a descriptor array; 0: a single buffer */
};

/*
 * What a pipeline is made of, checked for form by the escape (sizes,
 * counts, ranges) and for meaning by the engine (the SPIR-V against the
 * layout and the device).  Pointers are the caller's until create returns.
 */
struct dxg_engine_pipeline {
	const uint32_t *spirv;	/* aligned words */
	size_t spirv_size;	/* bytes */
	const char *entry;
	uint32_t num_slots;
	struct dxg_engine_slot slots[DXG_ENGINE_MAX_BINDINGS];
	uint32_t push_size;
	uint32_t num_spec;
	const struct dxg_pipeline_spec *spec;	/* aligned, num_spec entries */
	const void *spec_data;
	uint32_t spec_data_size;
	uint32_t subgroup_size;	/* required subgroup size, 0: any */
};

/* The version 1 shape: storage buffers 0..n-1 of set 0. */
static inline void dxg_engine_pipeline_v1(struct dxg_engine_pipeline *p,
					  const uint32_t *spirv, size_t size,
					  const char *entry, uint32_t num_bindings,
					  uint32_t push_size)
{
	*p = (struct dxg_engine_pipeline) {
		.spirv = spirv, .spirv_size = size, .entry = entry,
		.num_slots = num_bindings, .push_size = push_size,
	};
	for (uint32_t i = 0; i < num_bindings && i < DXG_ENGINE_MAX_BINDINGS; i++)
		p->slots[i] = (struct dxg_engine_slot) {
			.set = 0, .binding = i, .type = DXG_SLOT_STORAGE_BUFFER,
		};
}

struct dxg_engine;

struct dxg_engine_ops {
	const char *name;
	int32_t (*copy)(struct dxg_engine *e, void *dst, const void *src,
			uint64_t size);
	int32_t (*fill)(struct dxg_engine *e, void *dst, uint64_t size,
			uint32_t pattern);
	/* @size bytes of @data to @dst; @data is valid only during the call. */
	int32_t (*update)(struct dxg_engine *e, void *dst, const void *data,
			  uint64_t size);
	/* Writes a 64-bit nanosecond timestamp of the engine's clock. */
	int32_t (*timestamp)(struct dxg_engine *e, uint64_t *dst);
	/* NULL when the engine cannot run compute pipelines. */
	int32_t (*create_pipeline)(struct dxg_engine *e,
				   const struct dxg_engine_pipeline *p,
				   uint64_t *out_id);
	int32_t (*destroy_pipeline)(struct dxg_engine *e, uint64_t id);
	int32_t (*dispatch)(struct dxg_engine *e,
			    const struct dxg_engine_dispatch *d);
	/*
	 * A transfer from, to or within device memory; NULL when the engine
	 * has none (the CPU engine): host-only transfers use copy, fill and
	 * update.  x->data is valid only during the call.
	 */
	int32_t (*xfer)(struct dxg_engine *e, const struct dxg_engine_xfer *x);
	/* Waits for everything submitted so far (engines may batch). */
	int32_t (*flush)(struct dxg_engine *e);
	/*
	 * The memory owner calls it before it frees or reuses host memory
	 * [host, host + size) that dispatches may have used, so the engine
	 * drops what it keeps about that memory (the Vulkan backend's
	 * imports).  NULL when the engine keeps nothing.
	 */
	void (*forget)(struct dxg_engine *e, void *host, uint64_t size);
	/*
	 * The device address shaders reach memory @m ([m, m + size)) by, for
	 * as long as that memory lives: host memory stays imported until
	 * forget drops it.  NULL when the engine has no device addresses.
	 */
	int32_t (*address)(struct dxg_engine *e, const struct dxg_engine_mem *m,
			   uint64_t size, uint64_t *out);
	/*
	 * How the engine lays out a linear 2D storage image of @format and
	 * extent in device memory (DXG_ESCAPE_IMAGE_LAYOUT); NULL: no images.
	 */
	int32_t (*image_layout)(struct dxg_engine *e, uint32_t format, uint32_t width,
				uint32_t height, uint64_t *size, uint64_t *alignment,
				uint64_t *row_pitch);
	void (*destroy)(struct dxg_engine *e);
};

struct dxg_engine {
	const struct dxg_engine_ops *ops;
	/*
	 * The index of the command being executed, set by the command-stream
	 * executor before each op: an engine that records ops
	 * (engine_record.h) keeps it so a failure found later still names
	 * its command.  Other engines ignore it.
	 */
	uint32_t cmd_index;
};

#endif /* DXGHOST_ENGINE_H */
