// SPDX-License-Identifier: MIT
#include "engines/engine_cpu.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dxg/ntstatus.h"

/*
 * Guest memory reaches us through pointers the GPU VA space translated;
 * they carry no alignment promise for the host (the mapping's host address
 * is the allocation's, not the GPU VA's), so every access is a memcpy.
 * Execution is synchronous: when an op returns its effect is visible, and
 * flush has nothing to wait for.
 */

static int32_t cpu_copy(struct dxg_engine *e, void *dst, const void *src,
			uint64_t size)
{
	(void)e;
	memmove(dst, src, size);	/* the stream allows overlapping copies */
	return STATUS_SUCCESS;
}

static int32_t cpu_update(struct dxg_engine *e, void *dst, const void *data,
			  uint64_t size)
{
	return cpu_copy(e, dst, data, size);
}

static int32_t cpu_fill(struct dxg_engine *e, void *dst, uint64_t size,
			uint32_t pattern)
{
	uint8_t *p = dst;
	uint64_t done;

	(void)e;
	if (size < 4)
		return size ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
	/* One pattern, then double what is written until it is all done. */
	memcpy(p, &pattern, 4);
	for (done = 4; done < size; ) {
		uint64_t n = done < size - done ? done : size - done;

		memcpy(p + done, p, n);
		done += n;
	}
	return STATUS_SUCCESS;
}

static int32_t cpu_timestamp(struct dxg_engine *e, uint64_t *dst)
{
	struct timespec ts;
	uint64_t ns;

	(void)e;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	memcpy(dst, &ns, sizeof(ns));
	return STATUS_SUCCESS;
}

static int32_t cpu_flush(struct dxg_engine *e)
{
	(void)e;
	return STATUS_SUCCESS;
}

static void cpu_destroy(struct dxg_engine *e)
{
	free(e);
}

static const struct dxg_engine_ops cpu_ops = {
	.name = "cpu",
	.copy = cpu_copy,
	.update = cpu_update,
	.fill = cpu_fill,
	.timestamp = cpu_timestamp,
	.flush = cpu_flush,
	.destroy = cpu_destroy,
};

struct dxg_engine *dxg_engine_cpu_create(void)
{
	struct dxg_engine *e = calloc(1, sizeof(*e));

	if (e)
		e->ops = &cpu_ops;
	return e;
}
