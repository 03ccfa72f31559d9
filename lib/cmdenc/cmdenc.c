// SPDX-License-Identifier: MIT
/* The command-stream encoder (see cmdenc.h). */
#include "cmdenc.h"

#include <string.h>

void dxg_enc_init(struct dxg_enc *e, void *buf, uint32_t cap,
		  dxg_enc_grow_fn grow, void *user)
{
	e->buf = buf;
	e->cap = cap;
	e->grow = grow;
	e->user = user;
	dxg_enc_reset(e);
}

void dxg_enc_reset(struct dxg_enc *e)
{
	e->used = sizeof(struct dxg_cmdbuf_header);
	e->count = 0;
	e->version = DXG_CMDBUF_VERSION;
}

/* Room for @size more bytes, growing the buffer if it can. */
static bool room(struct dxg_enc *e, uint32_t size)
{
	if (e->buf && e->cap >= e->used && size <= e->cap - e->used)
		return true;
	return e->grow && e->grow(e, size) && e->cap >= e->used &&
	       size <= e->cap - e->used;
}

/* Appends one command of @size bytes from the pieces given (NULL: zeros). */
static bool emit(struct dxg_enc *e, uint32_t size, const void *a, uint32_t na,
		 const void *b, uint32_t nb, const void *c, uint32_t nc)
{
	uint8_t *p;

	if (!room(e, size))
		return false;
	p = e->buf + e->used;
	memset(p, 0, size);
	memcpy(p, a, na);
	if (nb)
		memcpy(p + na, b, nb);
	if (nc)
		memcpy(p + na + nb, c, nc);
	e->used += size;
	e->count++;
	return true;
}

/* The buffer's version is the lowest that has every opcode used. */
static void need_version(struct dxg_enc *e, uint32_t version)
{
	if (e->version < version)
		e->version = version;
}

static struct dxg_cmd_header hdr(uint16_t opcode, uint32_t size)
{
	return (struct dxg_cmd_header) { .opcode = opcode, .size_bytes = size };
}

bool dxg_enc_copy(struct dxg_enc *e, uint64_t src_va, uint64_t dst_va,
		  uint64_t size)
{
	const struct dxg_cmd_copy k = {
		.hdr = hdr(DXG_CMD_COPY, sizeof(k)),
		.src_va = src_va, .dst_va = dst_va, .size = size,
	};

	return emit(e, sizeof(k), &k, sizeof(k), NULL, 0, NULL, 0);
}

bool dxg_enc_fill(struct dxg_enc *e, uint64_t dst_va, uint64_t size,
		  uint32_t pattern)
{
	const struct dxg_cmd_fill k = {
		.hdr = hdr(DXG_CMD_FILL, sizeof(k)),
		.dst_va = dst_va, .size = size, .pattern = pattern,
	};

	return emit(e, sizeof(k), &k, sizeof(k), NULL, 0, NULL, 0);
}

bool dxg_enc_timestamp(struct dxg_enc *e, uint64_t dst_va)
{
	const struct dxg_cmd_timestamp k = {
		.hdr = hdr(DXG_CMD_TIMESTAMP, sizeof(k)), .dst_va = dst_va,
	};

	return emit(e, sizeof(k), &k, sizeof(k), NULL, 0, NULL, 0);
}

bool dxg_enc_barrier(struct dxg_enc *e)
{
	const struct dxg_cmd_barrier k = { .hdr = hdr(DXG_CMD_BARRIER, sizeof(k)) };

	return emit(e, sizeof(k), &k, sizeof(k), NULL, 0, NULL, 0);
}

bool dxg_enc_update(struct dxg_enc *e, uint64_t dst_va, const void *data,
		    uint32_t size)
{
	const uint32_t total = (uint32_t)DXG_CMD_UPDATE_SIZE(size);
	const struct dxg_cmd_update k = {
		.hdr = hdr(DXG_CMD_UPDATE, total), .dst_va = dst_va, .size = size,
	};

	if (size > DXG_CMD_MAX_UPDATE ||
	    !emit(e, total, &k, sizeof(k), data, size, NULL, 0))
		return false;
	need_version(e, DXG_CMDBUF_VERSION_2);
	return true;
}

/*
 * Version 5 for a binding with a texel format, 4 for one with other flags
 * (read-only), else as the opcode needs.
 */
static void dispatch_version(struct dxg_enc *e, const struct dxg_enc_dispatch *d,
			     uint32_t version)
{
	for (uint32_t i = 0; i < d->num_bindings; i++) {
		uint32_t f = d->bindings[i].flags;

		if (DXG_CMD_BINDING_FORMAT(f))
			version = DXG_CMDBUF_VERSION_5;
		else if (f && version < DXG_CMDBUF_VERSION_4)
			version = DXG_CMDBUF_VERSION_4;
	}
	need_version(e, version);
}

/* DISPATCH3, 4 and 5: DISPATCH2's fields, then bindings of @stride bytes. */
static bool dispatch_wide(struct dxg_enc *e, const struct dxg_enc_dispatch *d,
			  uint16_t opcode, const void *b, size_t stride, uint32_t version)
{
	struct dxg_cmd_dispatch2 k = {
		.pipeline = d->pipeline, .indirect_va = d->indirect_va,
		.num_bindings = d->num_bindings, .push_size = d->push_size,
	};
	uint32_t size;

	if (d->num_bindings > DXG_CMD_MAX_BINDINGS || d->push_size > DXG_CMD_MAX_PUSH_SIZE)
		return false;
	size = (uint32_t)(sizeof(k) + d->num_bindings * stride + DXG_ALIGN8(d->push_size));
	k.hdr = hdr(opcode, size);
	memcpy(k.base, d->base, sizeof(k.base));
	memcpy(k.groups, d->groups, sizeof(k.groups));
	if (!emit(e, size, &k, sizeof(k), b, (uint32_t)(d->num_bindings * stride), d->push,
		  d->push_size))
		return false;
	need_version(e, version);
	return true;
}

bool dxg_enc_dispatch3(struct dxg_enc *e, const struct dxg_enc_dispatch *d,
		       const struct dxg_cmd_binding3 *b)
{
	return dispatch_wide(e, d, DXG_CMD_DISPATCH3, b, sizeof(*b), DXG_CMDBUF_VERSION_6);
}

bool dxg_enc_dispatch4(struct dxg_enc *e, const struct dxg_enc_dispatch *d,
		       const struct dxg_cmd_binding4 *b)
{
	return dispatch_wide(e, d, DXG_CMD_DISPATCH4, b, sizeof(*b), DXG_CMDBUF_VERSION_7);
}

bool dxg_enc_dispatch5(struct dxg_enc *e, const struct dxg_enc_dispatch *d,
		       const struct dxg_cmd_binding5 *b)
{
	return dispatch_wide(e, d, DXG_CMD_DISPATCH5, b, sizeof(*b), DXG_CMDBUF_VERSION_8);
}

bool dxg_enc_dispatch(struct dxg_enc *e, const struct dxg_enc_dispatch *d)
{
	const uint32_t nb = d->num_bindings * sizeof(struct dxg_cmd_binding);
	bool v2 = d->indirect_va || d->base[0] || d->base[1] || d->base[2];
	uint32_t size;

	if (d->num_bindings > DXG_CMD_MAX_BINDINGS || d->push_size > DXG_CMD_MAX_PUSH_SIZE)
		return false;
	if (!v2) {
		struct dxg_cmd_dispatch k = {
			.pipeline = d->pipeline, .num_bindings = d->num_bindings,
			.push_size = d->push_size,
		};

		size = (uint32_t)DXG_CMD_DISPATCH_SIZE(d->num_bindings, d->push_size);
		k.hdr = hdr(DXG_CMD_DISPATCH, size);
		memcpy(k.groups, d->groups, sizeof(k.groups));
		if (!emit(e, size, &k, sizeof(k), d->bindings, nb, d->push,
			  d->push_size))
			return false;
		dispatch_version(e, d, DXG_CMDBUF_VERSION);
		return true;
	} else {
		struct dxg_cmd_dispatch2 k = {
			.pipeline = d->pipeline, .indirect_va = d->indirect_va,
			.num_bindings = d->num_bindings, .push_size = d->push_size,
		};

		size = (uint32_t)DXG_CMD_DISPATCH2_SIZE(d->num_bindings, d->push_size);
		k.hdr = hdr(DXG_CMD_DISPATCH2, size);
		memcpy(k.base, d->base, sizeof(k.base));
		memcpy(k.groups, d->groups, sizeof(k.groups));
		if (!emit(e, size, &k, sizeof(k), d->bindings, nb, d->push,
			  d->push_size))
			return false;
		dispatch_version(e, d, DXG_CMDBUF_VERSION_2);
		return true;
	}
}

static bool fence(struct dxg_enc *e, uint16_t opcode, uint64_t gpu_va,
		  uint64_t value)
{
	const struct dxg_cmd_fence k = {
		.hdr = hdr(opcode, sizeof(k)), .gpu_va = gpu_va, .value = value,
	};

	if (!emit(e, sizeof(k), &k, sizeof(k), NULL, 0, NULL, 0))
		return false;
	need_version(e, DXG_CMDBUF_VERSION_3);
	return true;
}

bool dxg_enc_fence_signal(struct dxg_enc *e, uint64_t gpu_va, uint64_t value)
{
	return fence(e, DXG_CMD_FENCE_SIGNAL, gpu_va, value);
}

bool dxg_enc_fence_wait(struct dxg_enc *e, uint64_t gpu_va, uint64_t value)
{
	return fence(e, DXG_CMD_FENCE_WAIT, gpu_va, value);
}

uint32_t dxg_enc_finish(struct dxg_enc *e)
{
	const struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = e->version,
		.size_bytes = e->used, .num_commands = e->count,
	};

	memcpy(e->buf, &h, sizeof(h));
	return e->used;
}

bool dxg_enc_append(struct dxg_enc *e, const struct dxg_enc *src)
{
	const uint32_t hdr_size = sizeof(struct dxg_cmdbuf_header);
	uint32_t n;

	if (!src->buf || src->used <= hdr_size)
		return true;
	n = src->used - hdr_size;
	if (!room(e, n))
		return false;
	memcpy(e->buf + e->used, src->buf + hdr_size, n);
	e->used += n;
	e->count += src->count;
	need_version(e, src->version);
	return true;
}
