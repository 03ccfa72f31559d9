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

#define DXG_ENGINE_MAX_BINDINGS		16
#define DXG_ENGINE_MAX_PUSH_CONSTANTS	128	/* bytes */

/* One storage-buffer binding of a dispatch, already translated. */
struct dxg_engine_binding {
	uint32_t binding;	/* the shader's binding number (set 0) */
	void *host;		/* start of the range in host memory */
	uint64_t size;		/* bytes */
};

struct dxg_engine_dispatch {
	uint64_t pipeline;	/* an id from create_pipeline */
	uint32_t groups[3];
	uint32_t num_bindings;
	struct dxg_engine_binding bindings[DXG_ENGINE_MAX_BINDINGS];
	uint32_t push_size;
	uint8_t push[DXG_ENGINE_MAX_PUSH_CONSTANTS];
};

struct dxg_engine;

struct dxg_engine_ops {
	const char *name;
	int32_t (*copy)(struct dxg_engine *e, void *dst, const void *src,
			uint64_t size);
	int32_t (*fill)(struct dxg_engine *e, void *dst, uint64_t size,
			uint32_t pattern);
	/* Writes a 64-bit nanosecond timestamp of the engine's clock. */
	int32_t (*timestamp)(struct dxg_engine *e, uint64_t *dst);
	/* NULL when the engine cannot run compute pipelines. */
	int32_t (*create_pipeline)(struct dxg_engine *e, const uint32_t *spirv,
				   size_t spirv_size, const char *entry,
				   uint32_t num_bindings, uint32_t push_size,
				   uint64_t *out_id);
	int32_t (*destroy_pipeline)(struct dxg_engine *e, uint64_t id);
	int32_t (*dispatch)(struct dxg_engine *e,
			    const struct dxg_engine_dispatch *d);
	/* Waits for everything submitted so far (engines may batch). */
	int32_t (*flush)(struct dxg_engine *e);
	/*
	 * The memory owner calls it before it frees or reuses host memory
	 * [host, host + size) that dispatches may have used, so the engine
	 * drops what it keeps about that memory (the Vulkan backend's
	 * imports).  NULL when the engine keeps nothing.
	 */
	void (*forget)(struct dxg_engine *e, void *host, uint64_t size);
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
