/* SPDX-License-Identifier: MIT */
/*
 * dxgcompute: a small compute library for guest programs, over libdxg's
 * D3DKMT calls and the opendxg command stream (include/dxg/cmdstream.h).
 *
 *   struct dxgc_ctx *ctx;           open an adapter: device, context,
 *   dxgc_open(&ctx, 0);             paging queue, fence, GPU VA range
 *   dxgc_buffer_create(ctx, n, &b); CPU-visible memory: b->cpu, b->gpu_va
 *   dxgc_pipeline_create(...);      a SPIR-V compute pipeline (D3DKMTEscape)
 *   dxgc_cmd_create(ctx, 0, &cmd);  a command buffer; record with
 *   dxgc_cmd_begin(cmd);            dxgc_cmd_copy/fill/timestamp/dispatch/
 *   dxgc_cmd_dispatch(cmd, ...);    barrier
 *   dxgc_submit(ctx, cmd, &v);      SubmitCommand + fence signal from the GPU
 *   dxgc_wait(ctx, v, timeout_ms);  until the fence reaches v
 *   dxgc_close(ctx);                frees everything still open
 *
 * Every function that can fail returns an NTSTATUS (STATUS_SUCCESS, 0, on
 * success) and leaves a one-line description of the failure in a per-thread
 * buffer, dxgc_error().  A failed call creates nothing.  See docs/compute.md.
 *
 * A context is not thread-safe: use it from one thread at a time.
 */
#ifndef DXG_COMPUTE_H
#define DXG_COMPUTE_H

#include <stddef.h>
#include <stdint.h>

#include <dxg/d3dkmt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A binding's offset into its buffer must be a multiple of this (the
 * largest minStorageBufferOffsetAlignment of current GPUs; lavapipe: 16). */
#define DXGC_BINDING_ALIGN		256u
/* Default size of a command buffer (dxgc_cmd_create with capacity 0). */
#define DXGC_CMD_DEFAULT_CAPACITY	(64u * 1024)
/* GPU VA reserved per context for buffers and command buffers. */
#define DXGC_VA_RESERVATION		(64ull << 30)
/* dxgc_wait: wait forever. */
#define DXGC_WAIT_INFINITE		UINT32_MAX

struct dxgc_ctx;
struct dxgc_cmd;

/* CPU-visible GPU memory, mapped in this process and in the GPU VA space. */
struct dxgc_buffer {
	void *cpu;		/* CPU pointer (page-aligned, size bytes) */
	uint64_t gpu_va;	/* GPU virtual address (page-aligned) */
	uint64_t size;		/* bytes, as asked for */
	uint64_t alloc_size;	/* bytes mapped: size rounded up to pages */
	D3DKMT_HANDLE allocation;
};

/* A SPIR-V compute pipeline. */
struct dxgc_pipeline {
	uint64_t id;		/* the host's pipeline id */
	uint32_t num_bindings;	/* storage buffers 0..n-1 of set 0 */
	uint32_t push_size;	/* bytes of push constants */
};

/* One storage-buffer binding of a dispatch: [offset, offset + size) of buf.
 * size 0 means "to the end of the buffer". */
struct dxgc_binding {
	const struct dxgc_buffer *buf;
	uint64_t offset;	/* multiple of DXGC_BINDING_ALIGN */
	uint64_t size;
};

/* The last failure on this thread, one line; "" when none.  Never NULL. */
const char *dxgc_error(void);

/*
 * Opens adapter @adapter_index of D3DKMTEnumAdapters3 (compute-only
 * adapters included): creates a device, a context on node 0, a paging
 * queue, a monitored fence and a GPU VA reservation.
 */
NTSTATUS dxgc_open(struct dxgc_ctx **ctx, unsigned int adapter_index);

/* Waits for the context's work (up to 10 s), then destroys every buffer,
 * pipeline and command buffer still open and the context itself.  NULL is
 * a no-op.  Returns the first error met (everything is freed regardless). */
NTSTATUS dxgc_close(struct dxgc_ctx *ctx);

/* How many adapters there are (D3DKMTEnumAdapters3, compute-only included). */
NTSTATUS dxgc_adapter_count(unsigned int *count);
/* The adapter's driver description ("opendxg Vulkan: llvmpipe ..."). */
const char *dxgc_adapter_name(const struct dxgc_ctx *ctx);
/* The LUID of the adapter, and the D3DKMT handles of the context's objects. */
struct winluid dxgc_adapter_luid(const struct dxgc_ctx *ctx);
D3DKMT_HANDLE dxgc_device_handle(const struct dxgc_ctx *ctx);
D3DKMT_HANDLE dxgc_context_handle(const struct dxgc_ctx *ctx);

/* Buffers: @size bytes (> 0), zeroed, CPU-visible; destroy waits for the
 * context's submitted work first (the GPU may still use the memory). */
NTSTATUS dxgc_buffer_create(struct dxgc_ctx *ctx, uint64_t size,
			    struct dxgc_buffer **buf);
NTSTATUS dxgc_buffer_destroy(struct dxgc_ctx *ctx, struct dxgc_buffer *buf);

/*
 * Pipelines: @spirv (@size bytes, a multiple of 4) with compute entry point
 * @entry; its storage buffers are bindings 0..@num_bindings-1 of set 0 and
 * its push-constant block is @push_size bytes.  Invalid SPIR-V fails with
 * the host's status (STATUS_INVALID_PARAMETER).  Destroy waits for the
 * context's submitted work first (the host destroys a pipeline at once).
 */
NTSTATUS dxgc_pipeline_create(struct dxgc_ctx *ctx, const void *spirv,
			      size_t size, const char *entry,
			      uint32_t num_bindings, uint32_t push_size,
			      struct dxgc_pipeline **pipe);
NTSTATUS dxgc_pipeline_destroy(struct dxgc_ctx *ctx, struct dxgc_pipeline *pipe);

/*
 * Command buffers: @capacity bytes (0: DXGC_CMD_DEFAULT_CAPACITY; at most
 * DXG_CMDBUF_MAX_SIZE) of CPU-visible memory.  dxgc_cmd_begin starts a new
 * recording (waiting first for the buffer's previous submission: the host
 * reads it when it runs).  A recording call that fails (bad argument, full
 * buffer) returns its status and makes the recording fail at submit.
 */
NTSTATUS dxgc_cmd_create(struct dxgc_ctx *ctx, uint32_t capacity,
			 struct dxgc_cmd **cmd);
NTSTATUS dxgc_cmd_destroy(struct dxgc_ctx *ctx, struct dxgc_cmd *cmd);
NTSTATUS dxgc_cmd_begin(struct dxgc_cmd *cmd);
/* Copies @size bytes; the ranges may overlap. */
NTSTATUS dxgc_cmd_copy(struct dxgc_cmd *cmd, const struct dxgc_buffer *dst,
		       uint64_t dst_offset, const struct dxgc_buffer *src,
		       uint64_t src_offset, uint64_t size);
/* Fills @size bytes (multiple of 4, offset too) with @pattern. */
NTSTATUS dxgc_cmd_fill(struct dxgc_cmd *cmd, const struct dxgc_buffer *dst,
		       uint64_t offset, uint64_t size, uint32_t pattern);
/* Writes the engine's clock (u64 ns) at @offset (multiple of 8). */
NTSTATUS dxgc_cmd_timestamp(struct dxgc_cmd *cmd, const struct dxgc_buffer *dst,
			    uint64_t offset);
/* Runs @pipe over groups[0] x groups[1] x groups[2] workgroups with
 * bindings[i] bound to binding i (exactly pipe->num_bindings of them) and
 * @push_size bytes of push constants (<= pipe->push_size). */
NTSTATUS dxgc_cmd_dispatch(struct dxgc_cmd *cmd, const struct dxgc_pipeline *pipe,
			   const uint32_t groups[3],
			   const struct dxgc_binding *bindings,
			   uint32_t num_bindings, const void *push,
			   uint32_t push_size);
/* Everything before completes before anything after starts. */
NTSTATUS dxgc_cmd_barrier(struct dxgc_cmd *cmd);
/* Bytes recorded so far (header included), and the commands. */
uint32_t dxgc_cmd_size(const struct dxgc_cmd *cmd);
uint32_t dxgc_cmd_count(const struct dxgc_cmd *cmd);

/*
 * Submits the recording (D3DKMTSubmitCommand) and has the GPU signal the
 * context's fence with the next value when it is done
 * (D3DKMTSignalSynchronizationObjectFromGpu); *@fence_value (may be NULL)
 * gets that value.  The recording stays valid: submit it again or begin anew.
 */
NTSTATUS dxgc_submit(struct dxgc_ctx *ctx, struct dxgc_cmd *cmd,
		     uint64_t *fence_value);

/*
 * Waits until the context's fence reaches @fence_value (0: the last
 * submitted value), at most @timeout_ms (DXGC_WAIT_INFINITE: no limit; 0:
 * only look, never block):
 * reads the fence page the host updates, then blocks in
 * D3DKMTWaitForSynchronizationObjectFromCpu with an eventfd.  Afterwards
 * checks the device: if the host put it into an error state (a rejected
 * command buffer, a failed dispatch), returns STATUS_DEVICE_REMOVED and
 * says why.  STATUS_TIMEOUT (a success code!) when the time ran out: test
 * for it explicitly.
 */
NTSTATUS dxgc_wait(struct dxgc_ctx *ctx, uint64_t fence_value,
		   uint32_t timeout_ms);

/* dxgc_submit + dxgc_wait, with a timeout of @timeout_ms. */
NTSTATUS dxgc_run(struct dxgc_ctx *ctx, struct dxgc_cmd *cmd,
		  uint32_t timeout_ms);

/* The fence value the host has reached (read from the fence page). */
uint64_t dxgc_fence_completed(const struct dxgc_ctx *ctx);
/* The last value dxgc_submit handed out (0 before the first submit). */
uint64_t dxgc_fence_submitted(const struct dxgc_ctx *ctx);

/* The device's execution state, D3DKMT_DEVICEEXECUTION_* (GetDeviceState),
 * and its name ("ACTIVE", "ERROR_DMAFAULT", ...). */
NTSTATUS dxgc_device_state(struct dxgc_ctx *ctx, uint32_t *state);
const char *dxgc_execution_state_name(uint32_t state);

#ifdef __cplusplus
}
#endif

#endif /* DXG_COMPUTE_H */
