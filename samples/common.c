// SPDX-License-Identifier: MIT
/* Helpers shared by the compute samples: options, errors, timing. */
#include "samples.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_MS 30000u

const struct sample samples[] = {
	{ "sgemm", "C = A x B, single-precision matrix multiply", sample_sgemm },
	{ "saxpy", "y = a * x + y over a vector", sample_saxpy },
	{ "reduce", "sum of a vector, tree reduction in passes", sample_reduce },
	{ "filter", "5x5 Gaussian blur then Sobel edges over an image, written as PNG", sample_filter },
};
const size_t num_samples = sizeof(samples) / sizeof(samples[0]);

int sample_parse(int argc, char **argv, const char *prog, const char *what,
		 struct sample_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("Usage: %s [--adapter N] [--size N] [--iters N] [--out PNG] [--quick]\n"
			       "%s on an opendxg adapter (/dev/dxg), checked against a CPU reference.\n"
			       "  --adapter N  the adapter's index in D3DKMTEnumAdapters3 (default 0)\n"
			       "  --size N     problem size (elements, matrix order or image width)\n"
			       "  --iters N    timed runs (default 5)\n"
			       "  --out PNG    where the filter sample writes its image (default filter.png)\n"
			       "  --quick      small problems, one run\n"
			       "Exit status 0 when every result is correct.\n", prog, what);
			return 2;
		}
		if (!strcmp(a, "--quick")) {
			o->quick = true;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "%s: %s needs a value (or is unknown; see --help)\n", prog, a);
			return 1;
		}
		if (!strcmp(a, "--adapter") && !sample_parse_u64(argv[i + 1], 63, &v)) {
			o->adapter = (unsigned int)v;
		} else if (!strcmp(a, "--size") && !sample_parse_u64(argv[i + 1], 1ull << 32, &v) && v) {
			o->size = v;
		} else if (!strcmp(a, "--iters") && !sample_parse_u64(argv[i + 1], 10000, &v) && v) {
			o->iters = (unsigned int)v;
		} else if (!strcmp(a, "--out")) {
			o->out = argv[i + 1];
		} else {
			fprintf(stderr, "%s: bad option %s %s (see --help)\n", prog, a, argv[i + 1]);
			return 1;
		}
		i++;
	}
	return 0;
}

int sample_fail_st(const char *name, const char *what, NTSTATUS st)
{
	const char *why = dxgc_error();

	if (*why)
		printf("%s: FAILED: %s: %s\n", name, what, why);
	else
		printf("%s: FAILED: %s: %s (0x%08X)\n", name, what,
		       dxg_ntstatus_name(st), (unsigned int)st);
	fflush(stdout);
	return 1;
}

int sample_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s: FAILED: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 1;
}

NTSTATUS sample_open(const char *name, const struct sample_opts *o,
		     struct dxgc_ctx **ctx)
{
	NTSTATUS st = dxgc_open(ctx, o->adapter);

	if (!NT_SUCCESS(st))
		return st;
	printf("%s: adapter %u: %s\n", name, o->adapter, dxgc_adapter_name(*ctx));
	return STATUS_SUCCESS;
}

int sample_finish(const char *name, struct dxgc_ctx *ctx, int rc)
{
	NTSTATUS st = dxgc_close(ctx);

	if (!NT_SUCCESS(st))
		rc = sample_fail_st(name, "teardown", st);
	printf("%s: %s\n", name, rc ? "FAILED" : "OK");
	fflush(stdout);
	return rc;
}

NTSTATUS sample_time(struct dxgc_ctx *ctx, struct dxgc_cmd *cmd,
		     const struct dxgc_buffer *ts, unsigned int iters,
		     struct sample_timing *t)
{
	const volatile uint64_t *stamp = ts->cpu;
	uint64_t sum = 0;

	memset(t, 0, sizeof(*t));
	/* One untimed run first: the device compiles the pipeline on first use. */
	{
		NTSTATUS st = dxgc_run(ctx, cmd, WAIT_MS);

		if (st == STATUS_TIMEOUT)
			return STATUS_IO_TIMEOUT;
		if (!NT_SUCCESS(st))
			return st;
	}
	t->best_ns = UINT64_MAX;
	t->best_wall_ns = UINT64_MAX;
	for (unsigned int i = 0; i < iters; i++) {
		uint64_t t0 = sample_now_ns(), d;
		NTSTATUS st = dxgc_run(ctx, cmd, WAIT_MS);

		if (st == STATUS_TIMEOUT)
			return STATUS_IO_TIMEOUT;
		if (!NT_SUCCESS(st))
			return st;
		d = sample_now_ns() - t0;
		if (d < t->best_wall_ns)
			t->best_wall_ns = d;
		d = stamp[1] - stamp[0];
		if (stamp[1] < stamp[0] || !stamp[0])
			return STATUS_UNSUCCESSFUL;	/* no timestamps written */
		if (d < t->best_ns)
			t->best_ns = d;
		sum += d;
	}
	t->mean_ns = iters ? sum / iters : 0;
	return STATUS_SUCCESS;
}

NTSTATUS sample_record_timed_dispatch(const char *name, struct dxgc_ctx *ctx,
				      struct dxgc_cmd **cmd, const struct dxgc_buffer *ts,
				      const struct dxgc_pipeline *pipe,
				      const struct sample_prep *prep,
				      const struct sample_dispatch *disp, unsigned int num_disp,
				      unsigned int iters, struct sample_timing *t)
{
	NTSTATUS st = dxgc_cmd_create(ctx, 0, cmd);

	if (NT_SUCCESS(st))
		st = dxgc_cmd_begin(*cmd);
	if (NT_SUCCESS(st) && prep) {
		if (prep->src)
			st = dxgc_cmd_copy(*cmd, prep->dst, 0, prep->src, 0, prep->size);
		else
			st = dxgc_cmd_fill(*cmd, prep->dst, 0, prep->size, prep->pattern);
		if (NT_SUCCESS(st))
			st = dxgc_cmd_barrier(*cmd);
	}
	if (NT_SUCCESS(st))
		st = dxgc_cmd_timestamp(*cmd, ts, 0);
	for (unsigned int i = 0; i < num_disp && NT_SUCCESS(st); i++) {
		st = dxgc_cmd_dispatch(*cmd, pipe, disp[i].groups, disp[i].bind,
				       disp[i].num_bind, disp[i].push, disp[i].push_size);
		if (NT_SUCCESS(st))
			st = dxgc_cmd_barrier(*cmd);
	}
	if (NT_SUCCESS(st))
		st = dxgc_cmd_timestamp(*cmd, ts, 8);
	if (!NT_SUCCESS(st)) {
		sample_fail_st(name, "recording", st);
		return st;
	}
	st = sample_time(ctx, *cmd, ts, iters, t);
	if (!NT_SUCCESS(st))
		sample_fail_st(name, "run", st);
	return st;
}
