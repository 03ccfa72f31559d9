// SPDX-License-Identifier: MIT
/*
 * guest_compute: benchmark (d) through the whole path, inside the guest.
 * The kernels of bench/kernels.c (the same SPIR-V, sizes and bindings that
 * bench_compute runs directly on the host's Vulkan device) are dispatched
 * from this guest program through the compute library: D3DKMTSubmitCommand
 * on /dev/dxg -> dxgkrnl -> the ring -> dxghost's scheduler, executor and
 * Vulkan engine -> the fence signal -> the guest event -> this process.
 *
 * A sample is one dispatch, submit to wait returned (guest clock), the way
 * the direct path times one vkQueueSubmit + vkWaitForFences.  Every kernel
 * is checked once on fresh inputs (that run is also the warm-up).  Prints a
 * table, and one machine-readable line per kernel for bench_compute --guest:
 *
 *   GUESTCOMPUTE <index> <median ns> <name>
 *
 * Exit 0 when everything ran and checked ("guest_compute: OK").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dxg/compute.h>

#include "bench.h"
#include "kernels.h"

#define PROG	"guest_compute"

struct run {
	struct dxgc_buffer *buf[BENCH_MAXB];
	struct dxgc_pipeline *pipe;
	struct dxgc_cmd *cmd;
};

static int fail(const char *what, NTSTATUS st)
{
	fprintf(stderr, PROG ": %s: 0x%08x: %s\n", what, (unsigned int)st,
		dxgc_error());
	return -1;
}

static int setup(struct dxgc_ctx *ctx, const struct bench_kernel *k,
		 struct run *r)
{
	struct dxgc_binding b[BENCH_MAXB];
	NTSTATUS st;

	for (uint32_t i = 0; i < k->nb; i++) {
		st = dxgc_buffer_create(ctx, k->size[i], &r->buf[i]);
		if (st)
			return fail("buffer", st);
		b[i] = (struct dxgc_binding) { r->buf[i], 0, k->size[i] };
	}
	st = dxgc_pipeline_create(ctx, k->spirv, k->spirv_size, "main", k->nb,
				  k->push_size, &r->pipe);
	if (st)
		return fail("pipeline", st);
	st = dxgc_cmd_create(ctx, 0, &r->cmd);
	if (!st)
		st = dxgc_cmd_begin(r->cmd);
	if (!st)
		st = dxgc_cmd_dispatch(r->cmd, r->pipe, k->groups, b, k->nb,
				       k->push, k->push_size);
	return st ? fail("record", st) : 0;
}

/* One timed dispatch: submit, then wait for its fence value. */
static int once(struct dxgc_ctx *ctx, struct run *r, double *ns)
{
	uint64_t t0 = bench_now_ns(), v;
	NTSTATUS st = dxgc_submit(ctx, r->cmd, &v);

	if (!st)
		st = dxgc_wait(ctx, v, 60000);
	if (st)		/* STATUS_TIMEOUT included */
		return fail("submit/wait", st);
	*ns = (double)(bench_now_ns() - t0);
	return 0;
}

static int bench(struct dxgc_ctx *ctx, unsigned int index,
		 const struct bench_kernel *k, unsigned int reps)
{
	struct bench_samples s = { 0 };
	struct run r = { 0 };
	void *cpu[BENCH_MAXB];
	double ns;
	int rc = setup(ctx, k, &r);

	if (!rc) {
		for (uint32_t i = 0; i < k->nb; i++)
			cpu[i] = r.buf[i]->cpu;
		bench_kernel_inputs(k, cpu);
		rc = once(ctx, &r, &ns);
		if (!rc && !bench_kernel_check(k, cpu, PROG, "the guest"))
			rc = -1;
	}
	for (unsigned int i = 0; i < reps && !rc; i++) {
		rc = once(ctx, &r, &ns);
		if (!rc)
			bench_samples_add(&s, ns);
	}
	if (!rc) {
		printf("  %-18s %11.3f %11.3f\n", k->name, bench_median(&s) / 1e6,
		       bench_quantile(&s, 0.9) / 1e6);
		printf("GUESTCOMPUTE %u %.0f %s\n", index, bench_median(&s), k->name);
	}
	bench_samples_free(&s);
	/* dxgc_close() frees whatever is left; free now to reuse the IO space. */
	if (r.cmd)
		dxgc_cmd_destroy(ctx, r.cmd);
	if (r.pipe)
		dxgc_pipeline_destroy(ctx, r.pipe);
	for (uint32_t i = 0; i < k->nb; i++)
		if (r.buf[i])
			dxgc_buffer_destroy(ctx, r.buf[i]);
	return rc;
}

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [--reps N] [--adapter N] [--quick]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct bench_kernel kernels[BENCH_NKERNELS];
	unsigned int reps = 15, adapter = 0;
	struct dxgc_ctx *ctx;
	NTSTATUS st;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reps") && i + 1 < argc)
			reps = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--adapter") && i + 1 < argc)
			adapter = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			reps = 3;
		else
			usage();
	}
	if (!reps)
		usage();
	bench_kernels(kernels);
	st = dxgc_open(&ctx, adapter);
	if (st) {
		fail("open", st);
		return 1;
	}
	printf("Guest compute on %s, %u dispatches per kernel (submit to wait returned)\n",
	       dxgc_adapter_name(ctx), reps);
	printf("  %-18s %11s %11s\n", "kernel", "median ms", "p90 ms");
	for (unsigned int i = 0; i < BENCH_NKERNELS && !rc; i++)
		rc = bench(ctx, i, &kernels[i], reps);
	st = dxgc_close(ctx);
	if (st && !rc)
		rc = fail("close", st);
	if (!rc)
		printf(PROG ": OK\n");
	return rc ? 1 : 0;
}
