// SPDX-License-Identifier: MIT
/*
 * The command-stream validator/executor.  One decoder serves both passes:
 * pass 1 decodes and checks every command (nothing runs), pass 2 decodes
 * again and runs each one.  Decoding twice costs little next to the work
 * and keeps one place that knows the format; the buffer is a private copy,
 * so both passes see the same bytes.
 */
#include "exec/cmdstream.h"

#include <stdbool.h>
#include <string.h>

#include "dxg/ntstatus.h"

DXG_STATIC_ASSERT(DXG_CMD_MAX_BINDINGS == DXG_ENGINE_MAX_BINDINGS,
		  "the stream's and the engine's binding limits agree");
DXG_STATIC_ASSERT(DXG_CMD_MAX_PUSH_SIZE == DXG_ENGINE_MAX_PUSH_CONSTANTS,
		  "the stream's and the engine's push limits agree");

/* One decoded, checked command, ready for the engine. */
struct cmd {
	uint16_t opcode;
	struct dxg_engine_mem dst;	/* host or device memory */
	struct dxg_engine_mem src;	/* COPY */
	const void *data;		/* UPDATE: inside the buffer */
	uint64_t size;
	uint32_t pattern;
	struct dxg_engine_dispatch d;	/* DISPATCH, DISPATCH2 */
	struct dxg_cmd_fence_op fence;	/* FENCE_SIGNAL, FENCE_WAIT */
};

static bool is_fence(uint16_t opcode)
{
	return opcode == DXG_CMD_FENCE_SIGNAL || opcode == DXG_CMD_FENCE_WAIT;
}

/* A host pointer for [va, va + len) inside one mapping, or NULL: a fault. */
#define xlate(s, va, len) dxg_va_access((s), (va), (len), DXG_VA_READ)

static bool mem_none(const struct dxg_engine_mem *m)
{
	return !m->host && !m->dev;
}

/* Device memory is the engine's xfer op's: the CPU engine has none. */
static int32_t mem_supported(const struct dxg_engine *e,
			     const struct dxg_engine_mem *m)
{
	return m->dev && !e->ops->xfer ? STATUS_NOT_SUPPORTED : STATUS_SUCCESS;
}

/*
 * A destination [va, va + len): one writable mapping, host or device
 * memory (*dst), or one range in the zero state, where writes are discarded
 * (*dst empty, and the command becomes a no-op).  Read-only, no-access and
 * unmapped ranges fault.
 */
static int32_t xlate_dst(const struct dxg_va *s, const struct dxg_engine *e,
			 uint64_t va, uint64_t len, struct dxg_engine_mem *dst)
{
	memset(dst, 0, sizeof(*dst));
	if (!dxg_va_resolve(s, va, len, DXG_VA_WRITE, dst))
		return mem_supported(e, dst);
	memset(dst, 0, sizeof(*dst));
	if (dxg_va_is_zero(s, va, len))
		return STATUS_SUCCESS;
	return STATUS_ACCESS_DENIED;
}

/*
 * A COPY whose source is in the zero state reads zeros: it becomes a FILL
 * of 0 where the engine can do one (4-byte granular), else it faults.
 */
static int32_t copy_from_zero(const struct dxg_cmd_copy *k,
			      const struct dxg_va *s,
			      const struct dxg_engine *e, struct cmd *c)
{
	if (!dxg_va_is_zero(s, k->src_va, k->size))
		return STATUS_ACCESS_DENIED;
	if ((!c->dst.dev && !e->ops->fill) || (k->size & 3) || (k->dst_va & 3))
		return STATUS_ACCESS_DENIED;
	c->opcode = DXG_CMD_FILL;
	c->pattern = 0;
	return STATUS_SUCCESS;
}

static int32_t decode_copy(const uint8_t *p, const struct dxg_va *s,
			   const struct dxg_engine *e, struct cmd *c)
{
	struct dxg_cmd_copy k;
	int32_t st;

	memcpy(&k, p, sizeof(k));
	if (k.hdr.size_bytes != sizeof(k) || k.size == 0)
		return STATUS_INVALID_PARAMETER;
	if (!e->ops->copy)
		return STATUS_NOT_SUPPORTED;
	st = xlate_dst(s, e, k.dst_va, k.size, &c->dst);
	if (st < 0)
		return st;
	c->size = k.size;
	memset(&c->src, 0, sizeof(c->src));
	if (!dxg_va_resolve(s, k.src_va, k.size, DXG_VA_READ, &c->src))
		st = mem_supported(e, &c->src);
	else if (!mem_none(&c->dst))
		st = copy_from_zero(&k, s, e, c);
	else if (!dxg_va_is_zero(s, k.src_va, k.size))
		st = STATUS_ACCESS_DENIED;
	if (st >= 0 && mem_none(&c->dst))
		c->opcode = DXG_CMD_NOP;	/* writes to a zero range vanish */
	return st;
}

static int32_t decode_fill(const uint8_t *p, const struct dxg_va *s,
			   const struct dxg_engine *e, struct cmd *c)
{
	struct dxg_cmd_fill k;
	int32_t st;

	memcpy(&k, p, sizeof(k));
	if (k.hdr.size_bytes != sizeof(k) || k.reserved || k.size == 0 ||
	    (k.size & 3) || (k.dst_va & 3))
		return STATUS_INVALID_PARAMETER;
	if (!e->ops->fill)
		return STATUS_NOT_SUPPORTED;
	st = xlate_dst(s, e, k.dst_va, k.size, &c->dst);
	if (st < 0)
		return st;
	if (mem_none(&c->dst))
		c->opcode = DXG_CMD_NOP;
	c->size = k.size;
	c->pattern = k.pattern;
	return STATUS_SUCCESS;
}

static int32_t decode_timestamp(const uint8_t *p,
				const struct dxg_va *s,
				const struct dxg_engine *e, struct cmd *c)
{
	struct dxg_cmd_timestamp k;
	int32_t st;

	memcpy(&k, p, sizeof(k));
	if (k.hdr.size_bytes != sizeof(k) || (k.dst_va & 7))
		return STATUS_INVALID_PARAMETER;
	if (!e->ops->timestamp)
		return STATUS_NOT_SUPPORTED;
	st = xlate_dst(s, e, k.dst_va, sizeof(uint64_t), &c->dst);
	if (st >= 0 && mem_none(&c->dst))
		c->opcode = DXG_CMD_NOP;
	return st;
}

/*
 * A DISPATCH5 binding's view shape into @out: none (levels 0: all zero,
 * every slot but an image's) or a view's, its fields in range (the engine
 * checks them against the slot).
 */
static int32_t decode_shape(const struct dxg_cmd_binding5 *b, struct dxg_engine_binding *out)
{
	if (b->reserved)
		return STATUS_INVALID_PARAMETER;
	if (!b->levels)
		return b->view_type || b->align_log2 || b->layers || b->depth ||
		       b->layer_stride ? STATUS_INVALID_PARAMETER : 0;
	if (b->view_type > DXG_VIEW_TYPE_MAX || !b->layers || !b->depth ||
	    b->align_log2 < DXG_IMAGE_MIN_ALIGN_LOG2 ||
	    b->align_log2 > DXG_IMAGE_MAX_ALIGN_LOG2)
		return STATUS_INVALID_PARAMETER;
	out->view_type = b->view_type;
	out->levels = b->levels;
	out->layers = b->layers;
	out->depth = b->depth;
	out->align = 1ull << b->align_log2;
	out->layer_stride = b->layer_stride;
	return 0;
}

/*
 * The bindings and push constants after a DISPATCH, DISPATCH2, DISPATCH3,
 * DISPATCH4 or DISPATCH5 at q; the counts were bounded by the caller.
 * @stride: a binding's size (DISPATCH3's add an image extent to the
 * others' fields, DISPATCH4's a component mapping and a sampler to
 * DISPATCH3's, DISPATCH5's a view's shape to DISPATCH4's).
 */
static int32_t decode_bindings(const uint8_t *q, uint32_t num_bindings,
			       uint32_t push_size, uint32_t version, size_t stride,
			       const struct dxg_va *s,
			       const struct dxg_engine *e,
			       struct dxg_engine_dispatch *d)
{
	/*
	 * Binding flags exist from version 4 on; before, the field is
	 * reserved.  Version 5 adds a texel format in the high bits (which
	 * slots take one is the engine's check, against the pipeline).
	 */
	const uint32_t allowed = version >= DXG_CMDBUF_VERSION_5 ?
				 DXG_CMD_BINDING_FLAGS | (0xffffu << DXG_CMD_BINDING_FORMAT_SHIFT) :
				 version >= DXG_CMDBUF_VERSION_4 ? DXG_CMD_BINDING_FLAGS : 0;
	const bool samplers = stride >= sizeof(struct dxg_cmd_binding4);
	struct dxg_engine_mem m;
	struct dxg_cmd_binding5 b5;
	uint32_t i, seen = 0;

	d->num_bindings = num_bindings;
	for (i = 0; i < num_bindings; i++, q += stride) {
		struct dxg_cmd_binding4 b;
		bool ro;

		/* Each binding is DISPATCH5's without what its opcode lacks. */
		memset(&b5, 0, sizeof(b5));
		memcpy(&b5, q, stride);
		b = b5.b;
		if ((b.flags & ~allowed) || b.binding >= DXG_CMD_MAX_BINDINGS ||
		    (seen & (1u << b.binding)) || (b.size == 0 && !samplers))
			return STATUS_INVALID_PARAMETER;
		seen |= 1u << b.binding;
		ro = b.flags & DXG_CMD_BINDING_READ_ONLY;
		d->bindings[i] = (struct dxg_engine_binding) {
			.binding = b.binding, .size = b.size, .read_only = ro,
			.format = DXG_CMD_BINDING_FORMAT(b.flags),
			.width = b.width, .height = b.height, .sampler = b.sampler,
			.swizzle = { b.swizzle[0], b.swizzle[1], b.swizzle[2], b.swizzle[3] },
		};
		if (b.reserved || decode_shape(&b5, &d->bindings[i]))
			return STATUS_INVALID_PARAMETER;
		/* A sampler slot's binding has no memory (the engine checks the slot). */
		if (b.size == 0) {
			if (b.va || b.flags || b.width || b.height || b.swizzle[0] ||
			    b.swizzle[1] || b.swizzle[2] || b.swizzle[3])
				return STATUS_INVALID_PARAMETER;
			continue;
		}
		/*
		 * Storage buffers are read-write to the shader: a binding must
		 * be writable memory (not read-only, zero or no-access), host
		 * or device memory; a read-only one readable memory, and the
		 * engine checks that the shader never writes it.
		 */
		if (dxg_va_resolve(s, b.va, b.size,
				   ro ? DXG_VA_READ : DXG_VA_READ | DXG_VA_WRITE, &m))
			return STATUS_ACCESS_DENIED;
		if (mem_supported(e, &m) < 0)
			return STATUS_NOT_SUPPORTED;
		d->bindings[i].host = m.host;
		d->bindings[i].dev = m.dev;
		d->bindings[i].dev_offset = m.dev_offset;
	}
	d->push_size = push_size;
	memcpy(d->push, q, push_size);
	return STATUS_SUCCESS;
}

static int32_t decode_dispatch(const uint8_t *p, uint32_t size,
			       uint32_t version, const struct dxg_va *s,
			       const struct dxg_engine *e, struct cmd *c)
{
	struct dxg_cmd_dispatch k;

	if (size < sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, p, sizeof(k));
	/* Both counts are bounded before the size formula uses them. */
	if (k.num_bindings > DXG_CMD_MAX_BINDINGS ||
	    k.push_size > DXG_CMD_MAX_PUSH_SIZE || (k.push_size & 3) ||
	    k.reserved || k.pipeline == 0 ||
	    size != DXG_CMD_DISPATCH_SIZE(k.num_bindings, k.push_size))
		return STATUS_INVALID_PARAMETER;
	if (!e->ops->dispatch)
		return STATUS_NOT_SUPPORTED;
	memset(c->d.base, 0, sizeof(c->d.base));
	memset(&c->d.indirect, 0, sizeof(c->d.indirect));
	c->d.pipeline = k.pipeline;
	memcpy(c->d.groups, k.groups, sizeof(c->d.groups));
	return decode_bindings(p + sizeof(k), k.num_bindings, k.push_size,
			       version, sizeof(struct dxg_cmd_binding), s, e, &c->d);
}

/* DISPATCH2 to DISPATCH5: the same but for the bindings' @stride. */
static int32_t decode_dispatch2(const uint8_t *p, uint32_t size,
				uint32_t version, size_t stride, const struct dxg_va *s,
				const struct dxg_engine *e, struct cmd *c)
{
	struct dxg_cmd_dispatch2 k;

	if (size < sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, p, sizeof(k));
	if (k.num_bindings > DXG_CMD_MAX_BINDINGS ||
	    k.push_size > DXG_CMD_MAX_PUSH_SIZE || (k.push_size & 3) ||
	    k.pipeline == 0 || (k.indirect_va & 3) ||
	    size != sizeof(k) + k.num_bindings * stride + DXG_ALIGN8(k.push_size))
		return STATUS_INVALID_PARAMETER;
	if (!e->ops->dispatch)
		return STATUS_NOT_SUPPORTED;
	c->d.pipeline = k.pipeline;
	memcpy(c->d.base, k.base, sizeof(c->d.base));
	memcpy(c->d.groups, k.groups, sizeof(c->d.groups));
	memset(&c->d.indirect, 0, sizeof(c->d.indirect));
	/*
	 * The engine reads the counts when the dispatch runs (replayed on
	 * the device's worker), so earlier commands may write them.
	 */
	if (k.indirect_va &&
	    dxg_va_resolve(s, k.indirect_va, 3 * sizeof(uint32_t), DXG_VA_READ,
			   &c->d.indirect))
		return STATUS_ACCESS_DENIED;
	/* Run as DISPATCH2: only the decoding differs. */
	c->opcode = DXG_CMD_DISPATCH2;
	return decode_bindings(p + sizeof(k), k.num_bindings, k.push_size,
			       version, stride, s, e, &c->d);
}

static int32_t decode_update(const uint8_t *p, uint32_t size,
			     const struct dxg_va *s,
			     const struct dxg_engine *e, struct cmd *c)
{
	struct dxg_cmd_update k;
	int32_t st;

	if (size < sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, p, sizeof(k));
	if (k.reserved || k.size == 0 || (k.size & 3) || (k.dst_va & 3) ||
	    k.size > DXG_CMD_MAX_UPDATE || size != DXG_CMD_UPDATE_SIZE(k.size))
		return STATUS_INVALID_PARAMETER;
	if (!e->ops->update)
		return STATUS_NOT_SUPPORTED;
	st = xlate_dst(s, e, k.dst_va, k.size, &c->dst);
	if (st < 0)
		return st;
	/* The data is in the host's private copy of the buffer. */
	c->data = p + sizeof(k);
	c->size = k.size;
	c->opcode = mem_none(&c->dst) ? DXG_CMD_NOP : DXG_CMD_UPDATE;
	return STATUS_SUCCESS;
}

/*
 * FENCE_SIGNAL, FENCE_WAIT: the address must be a fence of the submitting
 * device (its GPU VA space answers); anything else is the GPU's fault.
 */
static int32_t decode_fence(const uint8_t *p, const struct dxg_va *s,
			    struct cmd *c)
{
	struct dxg_cmd_fence k;
	uint64_t id;

	memcpy(&k, p, sizeof(k));
	if (k.reserved || !k.gpu_va || (k.gpu_va & 7))
		return STATUS_INVALID_PARAMETER;
	if (dxg_va_fence(s, k.gpu_va, &id))
		return STATUS_ACCESS_DENIED;
	c->fence.opcode = k.hdr.opcode;
	c->fence.gpu_va = k.gpu_va;
	c->fence.value = k.value;
	return STATUS_SUCCESS;
}

/*
 * Decodes the command at p (@room bytes left in the buffer) into *c and
 * returns its size in *csize.  Checks everything a command can get wrong.
 */
static int32_t decode(const uint8_t *p, uint32_t room, uint32_t version,
		      const struct dxg_va *s,
		      const struct dxg_engine *e, struct cmd *c,
		      uint32_t *csize)
{
	struct dxg_cmd_header h;

	if (room < sizeof(h))
		return STATUS_INVALID_PARAMETER;
	memcpy(&h, p, sizeof(h));
	if (h.size_bytes < sizeof(h) || (h.size_bytes & 7) ||
	    h.size_bytes > room || h.flags)
		return STATUS_INVALID_PARAMETER;
	*csize = h.size_bytes;
	c->opcode = h.opcode;
	switch (h.opcode) {
	case DXG_CMD_NOP:
		return STATUS_SUCCESS;
	case DXG_CMD_BARRIER:
		return h.size_bytes == sizeof(struct dxg_cmd_barrier) ?
			STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
	/* Each fixed-size opcode checks size_bytes before reading its payload. */
	case DXG_CMD_COPY:
		if (h.size_bytes != sizeof(struct dxg_cmd_copy))
			return STATUS_INVALID_PARAMETER;
		return decode_copy(p, s, e, c);
	case DXG_CMD_FILL:
		if (h.size_bytes != sizeof(struct dxg_cmd_fill))
			return STATUS_INVALID_PARAMETER;
		return decode_fill(p, s, e, c);
	case DXG_CMD_TIMESTAMP:
		if (h.size_bytes != sizeof(struct dxg_cmd_timestamp))
			return STATUS_INVALID_PARAMETER;
		return decode_timestamp(p, s, e, c);
	case DXG_CMD_DISPATCH:
		return decode_dispatch(p, h.size_bytes, version, s, e, c);
	/* Version 2's opcodes do not exist in a version 1 buffer. */
	case DXG_CMD_DISPATCH2:
		if (version < DXG_CMDBUF_VERSION_2)
			return STATUS_ILLEGAL_INSTRUCTION;
		return decode_dispatch2(p, h.size_bytes, version,
					sizeof(struct dxg_cmd_binding), s, e, c);
	case DXG_CMD_DISPATCH3:
		if (version < DXG_CMDBUF_VERSION_6)
			return STATUS_ILLEGAL_INSTRUCTION;
		return decode_dispatch2(p, h.size_bytes, version,
					sizeof(struct dxg_cmd_binding3), s, e, c);
	case DXG_CMD_DISPATCH4:
		if (version < DXG_CMDBUF_VERSION_7)
			return STATUS_ILLEGAL_INSTRUCTION;
		return decode_dispatch2(p, h.size_bytes, version,
					sizeof(struct dxg_cmd_binding4), s, e, c);
	case DXG_CMD_DISPATCH5:
		if (version < DXG_CMDBUF_VERSION_8)
			return STATUS_ILLEGAL_INSTRUCTION;
		return decode_dispatch2(p, h.size_bytes, version,
					sizeof(struct dxg_cmd_binding5), s, e, c);
	case DXG_CMD_UPDATE:
		if (version < DXG_CMDBUF_VERSION_2)
			return STATUS_ILLEGAL_INSTRUCTION;
		return decode_update(p, h.size_bytes, s, e, c);
	/* Version 3's: */
	case DXG_CMD_FENCE_SIGNAL:
	case DXG_CMD_FENCE_WAIT:
		if (version < DXG_CMDBUF_VERSION_3)
			return STATUS_ILLEGAL_INSTRUCTION;
		if (h.size_bytes != sizeof(struct dxg_cmd_fence))
			return STATUS_INVALID_PARAMETER;
		return decode_fence(p, s, c);
	default:
		return STATUS_ILLEGAL_INSTRUCTION;
	}
}

/* DISPATCH2: a count of 0 dispatches nothing (indirect ones: the engine's). */
static int32_t run_dispatch2(struct dxg_engine *e, const struct cmd *c)
{
	if (mem_none(&c->d.indirect) &&
	    (!c->d.groups[0] || !c->d.groups[1] || !c->d.groups[2]))
		return STATUS_SUCCESS;
	return e->ops->dispatch(e, &c->d);
}

/* A transfer with device memory on either side: the engine's xfer op. */
static int32_t run_xfer(struct dxg_engine *e, uint32_t op, const struct cmd *c,
			const void *data)
{
	const struct dxg_engine_xfer x = {
		.op = op, .dst = c->dst, .src = c->src, .data = data,
		.size = c->size, .pattern = c->pattern,
	};

	return e->ops->xfer(e, &x);
}

/* Device memory: the engine reads its clock and writes it there. */
static int32_t run_timestamp(struct dxg_engine *e, const struct cmd *c)
{
	struct cmd t = *c;

	if (!c->dst.dev)
		return e->ops->timestamp(e, c->dst.host);
	t.size = sizeof(uint64_t);
	return run_xfer(e, DXG_XFER_TIMESTAMP, &t, NULL);
}

static int32_t run(struct dxg_engine *e, const struct cmd *c)
{
	switch (c->opcode) {
	case DXG_CMD_COPY:
		if (c->dst.dev || c->src.dev)
			return run_xfer(e, DXG_XFER_COPY, c, NULL);
		return e->ops->copy(e, c->dst.host, c->src.host, c->size);
	case DXG_CMD_FILL:
		if (c->dst.dev)
			return run_xfer(e, DXG_XFER_FILL, c, NULL);
		return e->ops->fill(e, c->dst.host, c->size, c->pattern);
	case DXG_CMD_TIMESTAMP:
		return run_timestamp(e, c);
	case DXG_CMD_UPDATE:
		if (c->dst.dev)
			return run_xfer(e, DXG_XFER_UPDATE, c, c->data);
		return e->ops->update(e, c->dst.host, c->data, c->size);
	case DXG_CMD_DISPATCH:
		return e->ops->dispatch(e, &c->d);
	case DXG_CMD_DISPATCH2:
		return run_dispatch2(e, c);
	case DXG_CMD_BARRIER:
	/* Run in one piece (not in segments), a fence command is a barrier. */
	case DXG_CMD_FENCE_SIGNAL:
	case DXG_CMD_FENCE_WAIT:
		/* Engines that batch wait here; ordering is all a barrier means. */
		return e->ops->flush ? e->ops->flush(e) : STATUS_SUCCESS;
	default:
		return STATUS_SUCCESS;
	}
}

/* The buffer header, checked against the copy's length. */
static int32_t check_header(const uint8_t *p, size_t len,
			    struct dxg_cmdbuf_header *h)
{
	if (!p || len < sizeof(*h))
		return STATUS_INVALID_PARAMETER;
	memcpy(h, p, sizeof(*h));
	if (h->magic != DXG_CMDBUF_MAGIC)
		return STATUS_INVALID_PARAMETER;
	if (h->version < DXG_CMDBUF_VERSION || h->version > DXG_CMDBUF_VERSION_MAX)
		return STATUS_NOT_SUPPORTED;
	if (h->size_bytes < sizeof(*h) || h->size_bytes > len ||
	    h->size_bytes > DXG_CMDBUF_MAX_SIZE || (h->size_bytes & 7) ||
	    h->num_commands > (h->size_bytes - sizeof(*h)) / sizeof(struct dxg_cmd_header))
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

/*
 * The commands from *cur on (a checked header @h): @e_run NULL validates
 * them, else they run.  With @fence, the walk stops after the first fence
 * command (*fence gets it); else fence commands are barriers.  *cur moves
 * to where the walk stopped.
 */
static int32_t walk_from(const uint8_t *p, const struct dxg_cmdbuf_header *h,
			 const struct dxg_va *s, const struct dxg_engine *e,
			 struct dxg_engine *e_run, struct dxg_cmd_cursor *cur,
			 struct dxg_cmd_fence_op *fence, uint32_t *bad_index)
{
	uint32_t off = cur->offset, i = cur->index, nf = cur->fences;
	uint32_t csize = 0;
	struct cmd c;
	int32_t st;

	if (fence)
		memset(fence, 0, sizeof(*fence));
	/* A cursor from an earlier copy must still fit this one. */
	if (off < sizeof(*h) || off > h->size_bytes || i > h->num_commands)
		return STATUS_INVALID_PARAMETER;
	for (; i < h->num_commands; i++) {
		*bad_index = i;
		st = decode(p + off, h->size_bytes - off, h->version, s, e, &c, &csize);
		if (st < 0)
			return st;
		off += csize;	/* csize <= h->size_bytes - off: no overflow */
		if (is_fence(c.opcode) && ++nf > DXG_CMD_MAX_FENCES)
			return STATUS_INVALID_PARAMETER;
		if (is_fence(c.opcode) && fence) {
			*fence = c.fence;
			i++;
			break;
		}
		if (e_run) {
			e_run->cmd_index = i;
			st = run(e_run, &c);
			if (st < 0)
				return st;
		}
	}
	/* The commands must account for every byte the header claims. */
	if (i == h->num_commands && !(fence && fence->opcode) &&
	    off != h->size_bytes) {
		*bad_index = DXG_CMD_INDEX_HEADER;
		return STATUS_INVALID_PARAMETER;
	}
	if (e_run && e_run->ops->flush) {
		/* At the end: "after the last command"; else the fence's. */
		*bad_index = fence && fence->opcode ? i - 1 : h->num_commands;
		e_run->cmd_index = *bad_index;
		st = e_run->ops->flush(e_run);
		if (st < 0)
			return st;
	}
	cur->index = i;
	cur->offset = off;
	cur->fences = nf;
	return STATUS_SUCCESS;
}

/* Both passes over the whole buffer; @e_run NULL validates only. */
static int32_t walk(const void *buf, size_t len,
		    const struct dxg_va *s, const struct dxg_engine *e,
		    struct dxg_engine *e_run, uint32_t *bad_index)
{
	struct dxg_cmdbuf_header h;
	struct dxg_cmd_cursor cur = { .offset = sizeof(h) };
	int32_t st;

	*bad_index = DXG_CMD_INDEX_HEADER;
	st = check_header(buf, len, &h);
	if (st < 0)
		return st;
	return walk_from(buf, &h, s, e, e_run, &cur, NULL, bad_index);
}

int32_t dxg_cmdstream_validate(const void *buf, size_t len,
			       const struct dxg_va *va,
			       const struct dxg_engine *e, uint32_t *bad_index)
{
	uint32_t idx;
	int32_t st = walk(buf, len, va, e, NULL, &idx);

	if (st < 0)
		*bad_index = idx;
	return st;
}

int32_t dxg_cmdstream_execute(const void *buf, size_t len,
			      const struct dxg_va *va,
			      struct dxg_engine *e, uint32_t *bad_index)
{
	uint32_t idx;
	int32_t st = walk(buf, len, va, e, NULL, &idx);

	if (st >= 0)
		st = walk(buf, len, va, e, e, &idx);
	if (st < 0)
		*bad_index = idx;
	return st;
}

int32_t dxg_cmdstream_run_segment(const void *buf, size_t len,
				  const struct dxg_va *va,
				  struct dxg_engine *e,
				  struct dxg_cmd_cursor *cur,
				  struct dxg_cmd_fence_op *fence,
				  uint32_t *bad_index)
{
	struct dxg_cmdbuf_header h;
	struct dxg_cmd_cursor at;
	uint32_t idx = DXG_CMD_INDEX_HEADER;
	int32_t st;

	memset(fence, 0, sizeof(*fence));
	st = check_header(buf, len, &h);
	if (st >= 0 && cur->offset == 0) {
		/*
		 * The first segment: the whole buffer is valid or none runs
		 * (and the cursor stays where it was: not started).
		 */
		at = (struct dxg_cmd_cursor){ .offset = sizeof(h) };
		st = walk_from(buf, &h, va, e, NULL, &at, NULL, &idx);
		if (st >= 0)
			*cur = (struct dxg_cmd_cursor){ .offset = sizeof(h) };
	}
	if (st >= 0 && cur->index == h.num_commands &&
	    cur->offset == h.size_bytes)
		return STATUS_SUCCESS;	/* nothing left */
	/*
	 * Translate again up to the next fence (the space may have changed
	 * while the buffer waited), then run that far.
	 */
	if (st >= 0) {
		at = *cur;
		st = walk_from(buf, &h, va, e, NULL, &at, fence, &idx);
	}
	if (st >= 0)
		st = walk_from(buf, &h, va, e, e, cur, fence, &idx);
	if (st < 0)
		*bad_index = idx;
	return st;
}

uint32_t dxg_cmdstream_signals(const void *buf, size_t len,
			       struct dxg_cmd_signal *out, uint32_t max)
{
	const uint8_t *p = buf;
	struct dxg_cmdbuf_header h;
	struct dxg_cmd_header ch;
	struct dxg_cmd_fence k;
	uint32_t off = sizeof(h), i, n = 0;

	if (check_header(buf, len, &h) < 0)
		return 0;
	/* The buffer was validated whole: its sizes hold; still bounded. */
	for (i = 0; i < h.num_commands && h.size_bytes - off >= sizeof(ch); i++) {
		memcpy(&ch, p + off, sizeof(ch));
		if (ch.size_bytes < sizeof(ch) || ch.size_bytes > h.size_bytes - off)
			break;
		if (ch.opcode == DXG_CMD_FENCE_SIGNAL && ch.size_bytes == sizeof(k) &&
		    n < max) {
			memcpy(&k, p + off, sizeof(k));
			out[n].index = i;
			out[n].op = (struct dxg_cmd_fence_op){
				.opcode = k.hdr.opcode, .gpu_va = k.gpu_va,
				.value = k.value,
			};
			n++;
		}
		off += ch.size_bytes;
	}
	return n;
}

int32_t dxg_escape_check_create_pipeline(const void *buf, size_t len,
				struct dxg_escape_create_pipeline *out,
				const uint8_t **spirv)
{
	struct dxg_escape_create_pipeline k;
	uint32_t magic;

	if (!buf || len < sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, buf, sizeof(k));
	if (k.op != DXG_ESCAPE_CREATE_PIPELINE || k.entry[0] == '\0' ||
	    !memchr(k.entry, '\0', sizeof(k.entry)) ||
	    k.num_bindings > DXG_CMD_MAX_BINDINGS ||
	    k.push_size > DXG_CMD_MAX_PUSH_SIZE || (k.push_size & 3) ||
	    k.spirv_size < 5 * sizeof(uint32_t) ||	/* the module header */
	    k.spirv_size > DXG_SPIRV_MAX_SIZE || (k.spirv_size & 3) ||
	    len - sizeof(k) != k.spirv_size)
		return STATUS_INVALID_PARAMETER;
	memcpy(&magic, (const uint8_t *)buf + sizeof(k), sizeof(magic));
	if (magic != DXG_SPIRV_MAGIC)
		return STATUS_INVALID_PARAMETER;
	*out = k;
	*spirv = (const uint8_t *)buf + sizeof(k);
	return STATUS_SUCCESS;
}

int32_t dxg_escape_check_create_pipeline2(const void *buf, size_t len,
				struct dxg_escape_create_pipeline2 *out,
				struct dxg_pipeline_slot *slots,
				struct dxg_pipeline_spec *spec,
				const uint8_t **spec_data, const uint8_t **spirv)
{
	struct dxg_escape_create_pipeline2 k;
	const uint8_t *q = buf;
	uint32_t magic;

	if (!buf || len < sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, buf, sizeof(k));
	/* Every count is bounded before the size formula uses it. */
	if (k.op != DXG_ESCAPE_CREATE_PIPELINE2 || k.entry[0] == '\0' ||
	    !memchr(k.entry, '\0', sizeof(k.entry)) || k.flags ||
	    k.num_slots > DXG_CMD_MAX_BINDINGS ||
	    k.push_size > DXG_CMD_MAX_PUSH_SIZE || (k.push_size & 3) ||
	    k.num_spec > DXG_PIPELINE_MAX_SPEC ||
	    k.spec_data_size > DXG_PIPELINE_MAX_SPEC_DATA ||
	    k.spirv_size < 5 * sizeof(uint32_t) ||
	    k.spirv_size > DXG_SPIRV_MAX_SIZE || (k.spirv_size & 3) ||
	    len != DXG_ESCAPE_CREATE_PIPELINE2_SIZE(k.num_slots, k.num_spec,
						    k.spec_data_size, k.spirv_size))
		return STATUS_INVALID_PARAMETER;
	q += sizeof(k);
	memcpy(slots, q, k.num_slots * sizeof(*slots));
	q += k.num_slots * sizeof(*slots);
	for (uint32_t i = 0; i < k.num_slots; i++)
		if (slots[i].element >= DXG_CMD_MAX_BINDINGS ||
		    slots[i].set >= DXG_PIPELINE_MAX_SETS ||
		    slots[i].binding > DXG_PIPELINE_MAX_BINDING ||
		    slots[i].type > DXG_SLOT_TYPE_MAX)
			return STATUS_INVALID_PARAMETER;
	memcpy(spec, q, k.num_spec * sizeof(*spec));
	q += k.num_spec * sizeof(*spec);
	*spec_data = q;
	q += DXG_ALIGN8(k.spec_data_size);
	memcpy(&magic, q, sizeof(magic));
	if (magic != DXG_SPIRV_MAGIC)
		return STATUS_INVALID_PARAMETER;
	*out = k;
	*spirv = q;
	return STATUS_SUCCESS;
}

int32_t dxg_escape_check_destroy_pipeline(const void *buf, size_t len,
				struct dxg_escape_destroy_pipeline *out)
{
	struct dxg_escape_destroy_pipeline k;

	if (!buf || len != sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, buf, sizeof(k));
	if (k.op != DXG_ESCAPE_DESTROY_PIPELINE || k.reserved || k.pipeline == 0)
		return STATUS_INVALID_PARAMETER;
	*out = k;
	return STATUS_SUCCESS;
}
