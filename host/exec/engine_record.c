// SPDX-License-Identifier: MIT
/* The recording engine (see engine_record.h). */
#include "exec/engine_record.h"

#include <stdlib.h>
#include <string.h>

#include "dxg/ntstatus.h"

/* Ops a recording grows by at first; it doubles after that. */
#define REC_FIRST_CAP	16u

static struct dxg_engine_record *to_rec(struct dxg_engine *e)
{
	return (struct dxg_engine_record *)e;
}

/* A new zeroed op at the end, or NULL when out of memory. */
static struct dxg_rec_op *append(struct dxg_engine *e, uint32_t kind)
{
	struct dxg_recording *rec = to_rec(e)->rec;
	struct dxg_rec_op *op;

	if (rec->n == rec->cap) {
		uint32_t cap = rec->cap ? rec->cap * 2 : REC_FIRST_CAP;
		struct dxg_rec_op *ops;

		/* The stream bounds the count (16 MiB / 8-byte NOPs at most). */
		if (cap < rec->cap)
			return NULL;
		ops = realloc(rec->ops, (size_t)cap * sizeof(*ops));
		if (!ops)
			return NULL;
		rec->ops = ops;
		rec->cap = cap;
	}
	op = &rec->ops[rec->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->cmd_index = e->cmd_index;
	return op;
}

static int32_t rec_copy(struct dxg_engine *e, void *dst, const void *src,
			uint64_t size)
{
	struct dxg_rec_op *op = append(e, DXG_REC_COPY);

	if (!op)
		return STATUS_NO_MEMORY;
	op->dst = dst;
	op->src = src;
	op->size = size;
	return STATUS_SUCCESS;
}

static int32_t rec_fill(struct dxg_engine *e, void *dst, uint64_t size,
			uint32_t pattern)
{
	struct dxg_rec_op *op = append(e, DXG_REC_FILL);

	if (!op)
		return STATUS_NO_MEMORY;
	op->dst = dst;
	op->size = size;
	op->pattern = pattern;
	return STATUS_SUCCESS;
}

static int32_t rec_timestamp(struct dxg_engine *e, uint64_t *dst)
{
	struct dxg_rec_op *op = append(e, DXG_REC_TIMESTAMP);

	if (!op)
		return STATUS_NO_MEMORY;
	op->dst = dst;
	return STATUS_SUCCESS;
}

static int32_t rec_dispatch(struct dxg_engine *e,
			    const struct dxg_engine_dispatch *d)
{
	struct dxg_engine_dispatch *copy = malloc(sizeof(*copy));
	struct dxg_rec_op *op = copy ? append(e, DXG_REC_DISPATCH) : NULL;

	if (!op) {
		free(copy);
		return STATUS_NO_MEMORY;
	}
	*copy = *d;
	op->d = copy;
	return STATUS_SUCCESS;
}

/* A heap copy of @size bytes of @data for @op (NULL data: nothing). */
static int32_t keep_data(struct dxg_rec_op *op, const void *data, uint64_t size)
{
	if (!data)
		return STATUS_SUCCESS;
	op->data = malloc(size ? size : 1);
	if (!op->data)
		return STATUS_NO_MEMORY;
	memcpy(op->data, data, size);
	return STATUS_SUCCESS;
}

static int32_t rec_update(struct dxg_engine *e, void *dst, const void *data,
			  uint64_t size)
{
	struct dxg_rec_op *op = append(e, DXG_REC_UPDATE);

	if (!op)
		return STATUS_NO_MEMORY;
	op->dst = dst;
	op->size = size;
	return keep_data(op, data, size);
}

static int32_t rec_xfer(struct dxg_engine *e, const struct dxg_engine_xfer *x)
{
	struct dxg_engine_xfer *copy = malloc(sizeof(*copy));
	struct dxg_rec_op *op = copy ? append(e, DXG_REC_XFER) : NULL;

	if (!op) {
		free(copy);
		return STATUS_NO_MEMORY;
	}
	*copy = *x;
	op->x = copy;
	if (x->op != DXG_XFER_UPDATE)
		return STATUS_SUCCESS;
	if (keep_data(op, x->data, x->size))
		return STATUS_NO_MEMORY;
	copy->data = op->data;
	return STATUS_SUCCESS;
}

static int32_t rec_flush(struct dxg_engine *e)
{
	return append(e, DXG_REC_FLUSH) ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}

/* Only advertised (so the validator accepts escapes' ops); never called. */
static int32_t rec_create_pipeline(struct dxg_engine *e,
				   const struct dxg_engine_pipeline *desc,
				   uint64_t *out_id)
{
	(void)e, (void)desc, (void)out_id;
	return STATUS_NOT_SUPPORTED;
}

static int32_t rec_destroy_pipeline(struct dxg_engine *e, uint64_t id)
{
	(void)e, (void)id;
	return STATUS_NOT_SUPPORTED;
}

static const struct dxg_engine_ops record_ops = {
	.name = "record",
	.copy = rec_copy,
	.update = rec_update,
	.fill = rec_fill,
	.timestamp = rec_timestamp,
	.create_pipeline = rec_create_pipeline,
	.destroy_pipeline = rec_destroy_pipeline,
	.dispatch = rec_dispatch,
	.xfer = rec_xfer,
	.flush = rec_flush,
};

/* Keep an op only when the real engine has it. */
#define KEEP_IF(real, table, op) \
	do { if (!(real)->ops->op) (table).op = NULL; } while (0)

void dxg_engine_record_init(struct dxg_engine_record *r,
			    const struct dxg_engine *real,
			    struct dxg_recording *rec)
{
	memset(r, 0, sizeof(*r));
	r->ops = record_ops;
	KEEP_IF(real, r->ops, copy);
	KEEP_IF(real, r->ops, update);
	KEEP_IF(real, r->ops, xfer);
	KEEP_IF(real, r->ops, fill);
	KEEP_IF(real, r->ops, timestamp);
	KEEP_IF(real, r->ops, create_pipeline);
	KEEP_IF(real, r->ops, destroy_pipeline);
	KEEP_IF(real, r->ops, dispatch);
	KEEP_IF(real, r->ops, flush);
	r->ops.name = real->ops->name;
	r->base.ops = &r->ops;
	r->rec = rec;
}

static int32_t replay_one(struct dxg_engine *e, const struct dxg_rec_op *op)
{
	switch (op->kind) {
	case DXG_REC_COPY:
		return e->ops->copy(e, op->dst, op->src, op->size);
	case DXG_REC_FILL:
		return e->ops->fill(e, op->dst, op->size, op->pattern);
	case DXG_REC_TIMESTAMP:
		return e->ops->timestamp(e, op->dst);
	case DXG_REC_DISPATCH:
		return e->ops->dispatch(e, op->d);
	case DXG_REC_FLUSH:
		return e->ops->flush(e);
	case DXG_REC_UPDATE:
		return e->ops->update(e, op->dst, op->data, op->size);
	case DXG_REC_XFER:
		return e->ops->xfer(e, op->x);
	default:
		return STATUS_INVALID_PARAMETER;
	}
}

int32_t dxg_recording_replay(const struct dxg_recording *rec,
			     struct dxg_engine *e, uint32_t *bad_index)
{
	for (uint32_t i = 0; i < rec->n; i++) {
		int32_t st = replay_one(e, &rec->ops[i]);

		if (st < 0) {
			*bad_index = rec->ops[i].cmd_index;
			return st;
		}
	}
	return STATUS_SUCCESS;
}

void dxg_recording_free(struct dxg_recording *rec)
{
	for (uint32_t i = 0; i < rec->n; i++) {
		free(rec->ops[i].d);
		free(rec->ops[i].x);
		free(rec->ops[i].data);
	}
	free(rec->ops);
	rec->ops = NULL;
	rec->n = rec->cap = 0;
}

bool dxg_recording_is_light(const struct dxg_recording *rec, uint64_t max_bytes)
{
	uint64_t bytes = 0;

	for (uint32_t i = 0; i < rec->n; i++) {
		const struct dxg_rec_op *op = &rec->ops[i];

		/* Device work is never light: a thread hand-off is cheap next to it. */
		if (op->kind == DXG_REC_DISPATCH || op->kind == DXG_REC_XFER)
			return false;
		if (op->kind == DXG_REC_COPY || op->kind == DXG_REC_FILL ||
		    op->kind == DXG_REC_UPDATE) {
			if (op->size > max_bytes - bytes)
				return false;
			bytes += op->size;
		}
	}
	return true;
}
