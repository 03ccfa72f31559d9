/* SPDX-License-Identifier: MIT */
/*
 * The compute samples (docs/compute.md): each runs one kernel on an opendxg
 * adapter through the compute library, checks the result against a CPU
 * reference and prints correctness and throughput.  A sample returns 0
 * when the result is correct, 1 otherwise (including any error).
 */
#ifndef DXG_SAMPLES_H
#define DXG_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dxg/compute.h>

#include "reference.h"

struct sample_opts {
	unsigned int adapter;	/* --adapter N */
	unsigned int iters;	/* --iters N: timed runs (0: the sample's default) */
	uint64_t size;		/* --size N: problem size (0: the sample's default) */
	const char *out;	/* --out PATH: the filter's PNG */
	bool quick;		/* --quick: small problems (tests) */
};

struct sample {
	const char *name;
	const char *what;
	int (*run)(const struct sample_opts *o);
};

int sample_saxpy(const struct sample_opts *o);
int sample_sgemm(const struct sample_opts *o);
int sample_reduce(const struct sample_opts *o);
int sample_filter(const struct sample_opts *o);

/* The samples in the order dxg-samples runs them (sgemm first). */
extern const struct sample samples[];
extern const size_t num_samples;

/* ---- helpers (common.c) ---- */

/* Parses the options every sample takes; returns 0, 1 on error, 2 for --help. */
int sample_parse(int argc, char **argv, const char *prog, const char *what,
		 struct sample_opts *o);
/* "name: FAILED: what: <dxgc_error()>"; returns 1. */
int sample_fail_st(const char *name, const char *what, NTSTATUS st);
/* "name: FAILED: <message>"; returns 1. */
int sample_fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The timing the samples share: runs @cmd once to warm up, then @iters
 * times (each a submit and a wait), reads the device time from the TIMESTAMPs at ts->cpu[0] and [1]
 * the recording wrote, and returns the best and mean device time and the
 * best end-to-end (submit to wait returned) time in nanoseconds.
 */
struct sample_timing {
	uint64_t best_ns, mean_ns, best_wall_ns;
};
NTSTATUS sample_time(struct dxgc_ctx *ctx, struct dxgc_cmd *cmd,
		     const struct dxgc_buffer *ts, unsigned int iters,
		     struct sample_timing *t);
/*
 * What a timed run records before its first TIMESTAMP: a FILL of @dst
 * (poison, so a kernel that writes nothing fails the check) or, with @src,
 * a COPY from @src, followed by a BARRIER.
 */
struct sample_prep {
	const struct dxgc_buffer *dst;
	uint64_t size;
	const struct dxgc_buffer *src;	/* NULL: fill with @pattern */
	uint32_t pattern;
};
/* One dispatch of a timed run. */
struct sample_dispatch {
	uint32_t groups[3];
	const struct dxgc_binding *bind;
	uint32_t num_bind;
	const void *push;
	uint32_t push_size;
};
/*
 * Creates *@cmd and records a timed run of @pipe: [@prep, BARRIER,]
 * TIMESTAMP at ts+0, each of @disp followed by a BARRIER, TIMESTAMP at ts+8
 * (@prep may be NULL); then times it with sample_time.  Prints
 * "name: FAILED: recording: ..." or "name: FAILED: run: ..." on an error.
 */
NTSTATUS sample_record_timed_dispatch(const char *name, struct dxgc_ctx *ctx,
				      struct dxgc_cmd **cmd, const struct dxgc_buffer *ts,
				      const struct dxgc_pipeline *pipe,
				      const struct sample_prep *prep,
				      const struct sample_dispatch *disp, unsigned int num_disp,
				      unsigned int iters, struct sample_timing *t);
/* Opens the adapter and prints "name: adapter N: DESCRIPTION". */
NTSTATUS sample_open(const char *name, const struct sample_opts *o,
		     struct dxgc_ctx **ctx);
/*
 * The end of a sample: dxgc_close (reporting a failure), then "name: OK" or
 * "name: FAILED"; returns @rc, or 1 if the close failed.
 */
int sample_finish(const char *name, struct dxgc_ctx *ctx, int rc);

#endif /* DXG_SAMPLES_H */
