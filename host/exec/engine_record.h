/* SPDX-License-Identifier: MIT */
/*
 * The recording engine: an engine (engine.h) that runs nothing but appends
 * every op it is given, with the host pointers the GPU VA space already
 * translated, to a recording.  dxghost's event loop validates and
 * translates a command buffer against it (dxg_cmdstream_execute) -- the
 * object tables and VA spaces are the loop's alone -- and the device's
 * engine worker (exec/worker.h) later replays the recording on the real
 * engine, off the loop.
 *
 * Data that lives only as long as the command buffer's copy (UPDATE's) is
 * copied into the recording.
 *
 * The recorder offers exactly the ops its real engine has, so validation
 * answers as the real engine would (DISPATCH on the CPU engine stays
 * STATUS_NOT_SUPPORTED).  Pipelines are never created or destroyed through
 * it (those go to the real engine from the escapes).
 */
#ifndef DXGHOST_ENGINE_RECORD_H
#define DXGHOST_ENGINE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "engines/engine.h"

enum dxg_rec_kind {
	DXG_REC_COPY = 1,
	DXG_REC_FILL,
	DXG_REC_TIMESTAMP,
	DXG_REC_DISPATCH,
	DXG_REC_FLUSH,
	DXG_REC_UPDATE,
	DXG_REC_XFER,
};

/* One recorded op; the pointers are the translated ones. */
struct dxg_rec_op {
	uint32_t kind;			/* enum dxg_rec_kind */
	uint32_t cmd_index;		/* the command it came from */
	void *dst;			/* COPY, FILL, TIMESTAMP */
	const void *src;		/* COPY */
	uint64_t size;			/* COPY, FILL */
	uint32_t pattern;		/* FILL */
	struct dxg_engine_dispatch *d;	/* DISPATCH: a heap copy */
	struct dxg_engine_xfer *x;	/* XFER: a heap copy */
	void *data;			/* UPDATE, XFER: a heap copy of the data */
};

struct dxg_recording {
	struct dxg_rec_op *ops;
	uint32_t n, cap;
};

struct dxg_engine_record {
	struct dxg_engine base;
	struct dxg_engine_ops ops;	/* the real engine's set, recording */
	struct dxg_recording *rec;
};

/* Records into @rec (zeroed or empty) what would run on @real. */
void dxg_engine_record_init(struct dxg_engine_record *r,
			    const struct dxg_engine *real,
			    struct dxg_recording *rec);

/*
 * Runs the recording's ops in order on @e and stops at the first failure,
 * whose command index goes to *bad_index.  Returns 0 or that failure.
 */
int32_t dxg_recording_replay(const struct dxg_recording *rec,
			     struct dxg_engine *e, uint32_t *bad_index);

/* Frees the ops (the recording itself is the caller's). */
void dxg_recording_free(struct dxg_recording *rec);
/*
 * Is the recording cheap enough to run on the event loop itself: no
 * DISPATCH (the only op whose time the guest controls) and at most
 * @max_bytes copied or filled?
 */
bool dxg_recording_is_light(const struct dxg_recording *rec,
			    uint64_t max_bytes);

#endif /* DXGHOST_ENGINE_RECORD_H */
