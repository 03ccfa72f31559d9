/* SPDX-License-Identifier: MIT */
/*
 * The command-stream encoder (docs/command-stream.md): appends commands to a
 * buffer and writes its header.  One encoder serves the compute library,
 * which records straight into GPU-visible memory of a fixed size, and the
 * Vulkan driver, which records into memory that grows.  It checks nothing
 * but room: callers check their own arguments, the host checks everything.
 * The buffer's version is the lowest that has every opcode used.
 */
#ifndef DXG_CMDENC_H
#define DXG_CMDENC_H

#include <stdbool.h>
#include <stdint.h>

#include "dxg/cmdstream.h"

struct dxg_enc;

/* Makes room for @need more bytes: true when e->buf now has it. */
typedef bool (*dxg_enc_grow_fn)(struct dxg_enc *e, uint32_t need);

struct dxg_enc {
	uint8_t *buf;		/* the header is at buf[0] */
	uint32_t cap;		/* bytes at buf */
	uint32_t used;		/* header included */
	uint32_t count;		/* commands */
	uint32_t version;	/* DXG_CMDBUF_VERSION .. DXG_CMDBUF_VERSION_MAX */
	dxg_enc_grow_fn grow;	/* NULL: a fixed buffer */
	void *user;		/* the grow function's */
};

/* A dispatch as the encoder takes it; bindings name pipeline slots. */
struct dxg_enc_dispatch {
	uint64_t pipeline;
	uint32_t base[3];
	uint32_t groups[3];
	uint64_t indirect_va;	/* 0: groups */
	const struct dxg_cmd_binding *bindings;
	uint32_t num_bindings;
	const void *push;
	uint32_t push_size;	/* multiple of 4 */
};

void dxg_enc_init(struct dxg_enc *e, void *buf, uint32_t cap,
		  dxg_enc_grow_fn grow, void *user);
/* Empties the buffer (the header's room stays). */
void dxg_enc_reset(struct dxg_enc *e);

/* Each returns false when there is no room (nothing was appended). */
bool dxg_enc_copy(struct dxg_enc *e, uint64_t src_va, uint64_t dst_va,
		  uint64_t size);
bool dxg_enc_fill(struct dxg_enc *e, uint64_t dst_va, uint64_t size,
		  uint32_t pattern);
bool dxg_enc_timestamp(struct dxg_enc *e, uint64_t dst_va);
bool dxg_enc_barrier(struct dxg_enc *e);
/* UPDATE (version 2): @size bytes of @data, a multiple of 4. */
bool dxg_enc_update(struct dxg_enc *e, uint64_t dst_va, const void *data,
		    uint32_t size);
/* DISPATCH, or DISPATCH2 (version 2) for a base or indirect counts. */
bool dxg_enc_dispatch(struct dxg_enc *e, const struct dxg_enc_dispatch *d);
/*
 * DISPATCH3 (version 6): @d's fields but its bindings, which are @b's (a
 * storage image's extent beside each binding).
 */
bool dxg_enc_dispatch3(struct dxg_enc *e, const struct dxg_enc_dispatch *d,
		       const struct dxg_cmd_binding3 *b);
/* DISPATCH4 (version 7): as DISPATCH3, with bindings that carry a sampler. */
bool dxg_enc_dispatch4(struct dxg_enc *e, const struct dxg_enc_dispatch *d,
		       const struct dxg_cmd_binding4 *b);
/* DISPATCH5 (version 8): as DISPATCH4, with bindings that carry an image view's shape. */
bool dxg_enc_dispatch5(struct dxg_enc *e, const struct dxg_enc_dispatch *d,
		       const struct dxg_cmd_binding5 *b);

/*
 * FENCE_SIGNAL / FENCE_WAIT (version 3): @gpu_va is a monitored fence's
 * fence_gpu_virtual_address (of the device the buffer is submitted to);
 * at most DXG_CMD_MAX_FENCES of them per buffer (the host checks).
 */
bool dxg_enc_fence_signal(struct dxg_enc *e, uint64_t gpu_va, uint64_t value);
bool dxg_enc_fence_wait(struct dxg_enc *e, uint64_t gpu_va, uint64_t value);

/* Writes the header at buf[0]; returns the buffer's size in bytes. */
uint32_t dxg_enc_finish(struct dxg_enc *e);
/*
 * Appends @src's commands (another encoder's, not finished or finished:
 * its header is not copied) after @e's: Vulkan's secondary command buffers.
 */
bool dxg_enc_append(struct dxg_enc *e, const struct dxg_enc *src);

#endif /* DXG_CMDENC_H */
