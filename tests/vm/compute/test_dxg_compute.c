// SPDX-License-Identifier: MIT
/*
 * The guest compute library (lib/compute, docs/compute.md) against the real
 * driver and dxghost, inside a guest: open a compute adapter, buffers,
 * fill/copy/timestamp on the CPU-side engine, a saxpy dispatch verified
 * element by element, resubmission and many submissions, recording errors,
 * invalid SPIR-V, work on a destroyed pipeline and on an unmapped range
 * (device errors stay with their device), and teardown leaving the host's
 * object and IO-space counts at their baseline.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <dxg/compute.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "saxpy_spv.h"
#include "vmtest.h"

#define WAIT_MS	30000u
#define PAGE	4096u

/* A call that must succeed: the failure message is the library's. */
static int ok(const char *name, NTSTATUS st)
{
	check(name, NT_SUCCESS(st) && st != STATUS_TIMEOUT, "%s (%s)", dxgc_error(),
	      dxg_ntstatus_name(st));
	return NT_SUCCESS(st) && st != STATUS_TIMEOUT;
}

static void expect_st(const char *name, NTSTATUS got, NTSTATUS want)
{
	check(name, got == want, "got %s, want %s (%s)", dxg_ntstatus_name(got),
	      dxg_ntstatus_name(want), dxgc_error());
}

/* Opens the first adapter that creates the saxpy pipeline. */
static struct dxgc_ctx *open_compute(unsigned int *index)
{
	unsigned int n = 0;

	if (!NT_SUCCESS(dxgc_adapter_count(&n)))
		return NULL;
	for (unsigned int i = 0; i < n; i++) {
		struct dxgc_ctx *ctx;
		struct dxgc_pipeline *p;

		if (!NT_SUCCESS(dxgc_open(&ctx, i)))
			continue;
		if (NT_SUCCESS(dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv),
						    "main", 2, 8, &p))) {
			dxgc_pipeline_destroy(ctx, p);
			*index = i;
			return ctx;
		}
		dxgc_close(ctx);
	}
	return NULL;
}

static int all_equal(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return 0;
	return 1;
}

static void test_buffers_and_cpu_engine(struct dxgc_ctx *ctx)
{
	struct dxgc_buffer *a = NULL, *b = NULL, *ts = NULL;
	struct dxgc_cmd *cmd = NULL;
	uint32_t *pa, *pb;
	uint64_t v1 = 0, v2 = 0;
	int good;

	if (!ok("buffer_create 100000 bytes", dxgc_buffer_create(ctx, 100000, &a)) ||
	    !ok("buffer_create 1 page", dxgc_buffer_create(ctx, PAGE, &b)) ||
	    !ok("buffer_create timestamps", dxgc_buffer_create(ctx, 64, &ts)))
		goto out;
	check("buffer: CPU pointer and GPU VA are page-aligned and non-zero",
	      a->cpu && a->gpu_va && !((uintptr_t)a->cpu % PAGE) && !(a->gpu_va % PAGE),
	      "cpu %p va %#llx", a->cpu, (unsigned long long)a->gpu_va);
	check("buffer: size rounded up to pages", a->size == 100000 &&
	      a->alloc_size == 25 * PAGE, "size %llu alloc %llu",
	      (unsigned long long)a->size, (unsigned long long)a->alloc_size);
	check("buffer: new memory reads zero", all_equal(a->cpu, a->alloc_size, 0), "dirty");
	check("buffers: GPU VA ranges do not overlap",
	      a->gpu_va + a->alloc_size <= b->gpu_va || b->gpu_va + b->alloc_size <= a->gpu_va,
	      "a %#llx b %#llx", (unsigned long long)a->gpu_va, (unsigned long long)b->gpu_va);
	expect_st("buffer_create 0 bytes -> INVALID_PARAMETER",
		  dxgc_buffer_create(ctx, 0, &b), STATUS_INVALID_PARAMETER);
	check("buffer_create failure leaves the out pointer NULL", b == NULL, "%p", (void *)b);
	if (!ok("buffer_create 1 page again", dxgc_buffer_create(ctx, PAGE, &b)))
		goto out;

	if (!ok("cmd_create", dxgc_cmd_create(ctx, 0, &cmd)) || !ok("cmd_begin", dxgc_cmd_begin(cmd)))
		goto out;
	check("an empty recording is just the header", dxgc_cmd_size(cmd) == 16 &&
	      dxgc_cmd_count(cmd) == 0, "%u bytes", dxgc_cmd_size(cmd));
	ok("submit an empty command buffer", dxgc_submit(ctx, cmd, &v1));
	ok("wait for it", dxgc_wait(ctx, v1, WAIT_MS));
	check("the fence reached the submitted value", dxgc_fence_completed(ctx) >= v1 &&
	      v1 == dxgc_fence_submitted(ctx), "completed %llu, submitted %llu",
	      (unsigned long long)dxgc_fence_completed(ctx), (unsigned long long)v1);

	/* FILL, then COPY what was filled (BARRIER between), then TIMESTAMPs. */
	memset(a->cpu, 0x11, a->size);
	for (uint32_t i = 49000; i < 53000; i++)
		((uint8_t *)a->cpu)[i] = (uint8_t)(i * 7);
	dxgc_cmd_begin(cmd);
	ok("record timestamp", dxgc_cmd_timestamp(cmd, ts, 0));
	ok("record fill", dxgc_cmd_fill(cmd, a, 256, 4096, 0xa5a5a5a5u));
	ok("record barrier", dxgc_cmd_barrier(cmd));
	ok("record copy", dxgc_cmd_copy(cmd, b, 8, a, 256, 4096 - 8));
	ok("record overlapping copy (memmove)", dxgc_cmd_copy(cmd, a, 50000, a, 49000, 3000));
	ok("record barrier 2", dxgc_cmd_barrier(cmd));
	ok("record timestamp 2", dxgc_cmd_timestamp(cmd, ts, 8));
	check("7 commands recorded", dxgc_cmd_count(cmd) == 7, "%u", dxgc_cmd_count(cmd));
	if (!ok("run fill/copy/timestamp", dxgc_run(ctx, cmd, WAIT_MS)))
		goto out;
	pa = a->cpu;
	pb = b->cpu;
	good = all_equal((uint8_t *)a->cpu + 256, 4096, 0xa5) &&
	       all_equal(a->cpu, 256, 0x11) && all_equal((uint8_t *)a->cpu + 4352, 4096, 0x11);
	check("fill wrote the pattern, only there", good, "a[64] %#x a[63] %#x", pa[64], pa[63]);
	check("copy after a barrier sees the fill", all_equal(pb, 8, 0) &&
	      all_equal((uint8_t *)pb + 8, 4096 - 8, 0xa5) &&
	      all_equal((uint8_t *)pb + 4096, PAGE - 4096, 0), "b[2] %#x", pb[2]);
	good = 1;
	for (uint32_t i = 0; i < 3000; i++)
		good &= ((uint8_t *)a->cpu)[50000 + i] == (uint8_t)((49000 + i) * 7);
	check("overlapping copy has memmove semantics", good, "corrupted");
	check("timestamps are written and ordered",
	      ((uint64_t *)ts->cpu)[0] && ((uint64_t *)ts->cpu)[1] >= ((uint64_t *)ts->cpu)[0],
	      "%llu %llu", (unsigned long long)((uint64_t *)ts->cpu)[0],
	      (unsigned long long)((uint64_t *)ts->cpu)[1]);

	/* The same recording again, then many submissions in a row. */
	memset(b->cpu, 0, PAGE);
	ok("resubmit the same recording", dxgc_submit(ctx, cmd, &v1));
	ok("wait", dxgc_wait(ctx, 0, WAIT_MS));
	check("resubmission ran again", all_equal((uint8_t *)pb + 8, 4096 - 8, 0xa5), "not");
	dxgc_cmd_begin(cmd);
	dxgc_cmd_fill(cmd, b, 0, 4, 0);
	good = 1;
	for (int i = 0; i < 200 && good; i++)
		good = NT_SUCCESS(dxgc_submit(ctx, cmd, &v2));
	check("200 submissions queued", good, "%s", dxgc_error());
	ok("wait for the last of them", dxgc_wait(ctx, v2, WAIT_MS));
	check("fence values count the submissions", v2 == v1 + 200 &&
	      dxgc_fence_completed(ctx) >= v2, "v1 %llu v2 %llu",
	      (unsigned long long)v1, (unsigned long long)v2);
	expect_st("wait for a value never submitted -> INVALID_PARAMETER",
		  dxgc_wait(ctx, v2 + 1, 0), STATUS_INVALID_PARAMETER);
	{
		NTSTATUS st = dxgc_wait(ctx, v2, 0);

		check("wait with timeout 0 on a reached value succeeds", st == STATUS_SUCCESS,
		      "%s", dxg_ntstatus_name(st));
	}

	/* Recording errors are caught before anything reaches the host. */
	dxgc_cmd_begin(cmd);
	expect_st("copy past the end of a buffer -> INVALID_PARAMETER",
		  dxgc_cmd_copy(cmd, b, 1, a, 0, PAGE), STATUS_INVALID_PARAMETER);
	expect_st("submit after a failed recording call fails the same way",
		  dxgc_submit(ctx, cmd, NULL), STATUS_INVALID_PARAMETER);
	dxgc_cmd_begin(cmd);
	expect_st("fill with a size not a multiple of 4 -> INVALID_PARAMETER",
		  dxgc_cmd_fill(cmd, a, 0, 6, 0), STATUS_INVALID_PARAMETER);
	dxgc_cmd_begin(cmd);
	expect_st("timestamp at an odd offset -> INVALID_PARAMETER",
		  dxgc_cmd_timestamp(cmd, ts, 4), STATUS_INVALID_PARAMETER);
	dxgc_cmd_begin(cmd);
	check("begin clears a failed recording", NT_SUCCESS(dxgc_run(ctx, cmd, WAIT_MS)),
	      "%s", dxgc_error());
	dxgc_cmd_destroy(ctx, cmd);
	cmd = NULL;
	{
		struct dxgc_cmd *small = NULL;
		NTSTATUS st = STATUS_SUCCESS;
		int n = 0;

		if (ok("cmd_create with 256 bytes", dxgc_cmd_create(ctx, 256, &small))) {
			dxgc_cmd_begin(small);
			while (NT_SUCCESS(st = dxgc_cmd_fill(small, a, 0, 4, 0)) && n < 100)
				n++;
			check("a full command buffer -> BUFFER_TOO_SMALL after 7 fills",
			      st == STATUS_BUFFER_TOO_SMALL && n == 7, "%s after %d",
			      dxg_ntstatus_name(st), n);
			dxgc_cmd_destroy(ctx, small);
		}
	}
out:
	dxgc_cmd_destroy(ctx, cmd);
	ok("destroy buffers", dxgc_buffer_destroy(ctx, a));
	dxgc_buffer_destroy(ctx, b);
	dxgc_buffer_destroy(ctx, ts);
}

struct saxpy_push { uint32_t n; float a; };

/* Records y = 3 x + y over n elements; x[i] = i, y[i] = 1. */
static int saxpy_setup(struct dxgc_ctx *ctx, uint32_t n, struct dxgc_buffer **x,
		       struct dxgc_buffer **y, struct dxgc_pipeline **p,
		       struct dxgc_cmd **cmd)
{
	const struct saxpy_push push = { n, 3.0f };
	const uint32_t groups[3] = { (n + 63) / 64, 1, 1 };
	struct dxgc_binding bind[2];

	*x = *y = NULL;
	*p = NULL;
	*cmd = NULL;
	if (!NT_SUCCESS(dxgc_buffer_create(ctx, n * 4ull, x)) ||
	    !NT_SUCCESS(dxgc_buffer_create(ctx, n * 4ull, y)) ||
	    !NT_SUCCESS(dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv), "main",
					     2, sizeof(push), p)) ||
	    !NT_SUCCESS(dxgc_cmd_create(ctx, 0, cmd)))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		((float *)(*x)->cpu)[i] = (float)i;
		((float *)(*y)->cpu)[i] = 1.0f;
	}
	bind[0] = (struct dxgc_binding){ *x, 0, 0 };
	bind[1] = (struct dxgc_binding){ *y, 0, 0 };
	dxgc_cmd_begin(*cmd);
	return NT_SUCCESS(dxgc_cmd_dispatch(*cmd, *p, groups, bind, 2, &push,
					    sizeof(push))) ? 0 : -1;
}

static void test_saxpy(struct dxgc_ctx *ctx)
{
	const uint32_t n = 10000;
	struct dxgc_buffer *x, *y;
	struct dxgc_pipeline *p;
	struct dxgc_cmd *cmd;
	uint32_t bad = 0, first = 0;

	if (saxpy_setup(ctx, n, &x, &y, &p, &cmd)) {
		check("saxpy setup", 0, "%s", dxgc_error());
		return;
	}
	pass("saxpy setup");
	if (ok("saxpy dispatch runs", dxgc_run(ctx, cmd, WAIT_MS))) {
		for (uint32_t i = 0; i < n; i++) {
			if (((float *)y->cpu)[i] != 3.0f * (float)i + 1.0f) {
				if (!bad)
					first = i;
				bad++;
			}
		}
		check("saxpy result equals the CPU reference", !bad,
		      "%u wrong, first y[%u] = %g", bad, first, (double)((float *)y->cpu)[first]);
	}
	/* Binding and push-constant rules, checked while recording. */
	{
		struct dxgc_binding bind[2] = { { x, 16, 0 }, { y, 0, 0 } };
		const uint32_t g[3] = { 1, 1, 1 };
		const uint8_t push[132] = { 0 };

		dxgc_cmd_begin(cmd);
		expect_st("binding offset not 256-aligned -> INVALID_PARAMETER",
			  dxgc_cmd_dispatch(cmd, p, g, bind, 2, push, 8), STATUS_INVALID_PARAMETER);
		bind[0].offset = 0;
		expect_st("wrong number of bindings -> INVALID_PARAMETER",
			  dxgc_cmd_dispatch(cmd, p, g, bind, 1, push, 8), STATUS_INVALID_PARAMETER);
		expect_st("more push constants than the pipeline's -> INVALID_PARAMETER",
			  dxgc_cmd_dispatch(cmd, p, g, bind, 2, push, 12), STATUS_INVALID_PARAMETER);
		bind[1].offset = y->size;
		expect_st("binding past the end of its buffer -> INVALID_PARAMETER",
			  dxgc_cmd_dispatch(cmd, p, g, bind, 2, push, 8), STATUS_INVALID_PARAMETER);
	}
	ok("pipeline_destroy", dxgc_pipeline_destroy(ctx, p));
	ok("cmd_destroy", dxgc_cmd_destroy(ctx, cmd));
	ok("buffer_destroy x", dxgc_buffer_destroy(ctx, x));
	ok("buffer_destroy y", dxgc_buffer_destroy(ctx, y));
}

static void test_bad_spirv(struct dxgc_ctx *ctx)
{
	uint32_t junk[64];
	struct dxgc_pipeline *p = (struct dxgc_pipeline *)1;
	NTSTATUS st;

	/*
	 * The host's reason for a failed pipeline: none from a Windows host
	 * (the escape's data comes back unchanged, pipeline 0), which the
	 * library reports as STATUS_UNSUCCESSFUL.
	 */
	NTSTATUS bad = windows_host() ? STATUS_UNSUCCESSFUL : STATUS_INVALID_PARAMETER;

	for (size_t i = 0; i < 64; i++)
		junk[i] = 0x01010101u * (uint32_t)i;
	junk[0] = 0x07230203u;
	st = dxgc_pipeline_create(ctx, junk, sizeof(junk), "main", 2, 8, &p);
	check("garbage SPIR-V -> INVALID_PARAMETER with a clear message",
	      st == bad && (windows_host() || strstr(dxgc_error(), "rejected")) && !p,
	      "%s: %s", dxg_ntstatus_name(st), dxgc_error());
	printf("# message: %s\n", dxgc_error());
	st = dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv) / 2 & ~3ul, "main", 2, 8, &p);
	expect_st("truncated SPIR-V -> INVALID_PARAMETER", st, bad);
	junk[0] = 0x12345678u;
	st = dxgc_pipeline_create(ctx, junk, sizeof(junk), "main", 2, 8, &p);
	check("no SPIR-V magic -> INVALID_PARAMETER, said so",
	      st == STATUS_INVALID_PARAMETER && strstr(dxgc_error(), "not SPIR-V"),
	      "%s: %s", dxg_ntstatus_name(st), dxgc_error());
	expect_st("SPIR-V size not a multiple of 4 -> INVALID_PARAMETER",
		  dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv) - 2, "main", 2, 8, &p),
		  STATUS_INVALID_PARAMETER);
	expect_st("unknown entry point -> INVALID_PARAMETER",
		  dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv), "nope", 2, 8, &p),
		  bad);
	expect_st("fewer bindings than the shader uses -> INVALID_PARAMETER",
		  dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv), "main", 1, 8, &p),
		  bad);
	expect_st("17 bindings -> INVALID_PARAMETER",
		  dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv), "main", 17, 8, &p),
		  STATUS_INVALID_PARAMETER);
	expect_st("push constants of 6 bytes -> INVALID_PARAMETER",
		  dxgc_pipeline_create(ctx, saxpy_spv, sizeof(saxpy_spv), "main", 2, 6, &p),
		  STATUS_INVALID_PARAMETER);
	{
		uint32_t state = 0;

		check("rejected pipelines leave the device ACTIVE",
		      NT_SUCCESS(dxgc_device_state(ctx, &state)) &&
		      state == D3DKMT_DEVICEEXECUTION_ACTIVE, "%s", dxgc_execution_state_name(state));
	}
}

/* Work on a destroyed pipeline: the device fails, another context carries on. */
static void test_destroyed_pipeline(unsigned int adapter, struct dxgc_ctx *good)
{
	struct dxgc_ctx *ctx;
	struct dxgc_buffer *x, *y;
	struct dxgc_pipeline *p;
	struct dxgc_cmd *cmd;
	uint32_t state = 0;
	NTSTATUS st;

	if (!ok("second context", dxgc_open(&ctx, adapter)))
		return;
	if (saxpy_setup(ctx, 1000, &x, &y, &p, &cmd)) {
		check("second context: saxpy setup", 0, "%s", dxgc_error());
		dxgc_close(ctx);
		return;
	}
	ok("destroy the pipeline after recording a dispatch", dxgc_pipeline_destroy(ctx, p));
	st = dxgc_run(ctx, cmd, WAIT_MS);
	check("dispatch with a destroyed pipeline -> DEVICE_REMOVED, state HUNG, said so",
	      st == STATUS_DEVICE_REMOVED && strstr(dxgc_error(), "HUNG"),
	      "%s: %s", dxg_ntstatus_name(st), dxgc_error());
	printf("# message: %s\n", dxgc_error());
	check("the output was not written", ((float *)y->cpu)[5] == 1.0f, "y[5] = %g",
	      (double)((float *)y->cpu)[5]);
	check("GetDeviceState says HUNG", NT_SUCCESS(dxgc_device_state(ctx, &state)) &&
	      state == D3DKMT_DEVICEEXECUTION_HUNG, "%s", dxgc_execution_state_name(state));
	st = dxgc_run(ctx, cmd, WAIT_MS);
	check("later work on the failed device fails too", !NT_SUCCESS(st),
	      "%s", dxg_ntstatus_name(st));
	check("the other context's device is still ACTIVE",
	      NT_SUCCESS(dxgc_device_state(good, &state)) &&
	      state == D3DKMT_DEVICEEXECUTION_ACTIVE, "%s", dxgc_execution_state_name(state));
	test_saxpy(good);
	st = dxgc_close(ctx);
	check("closing the failed context frees it", NT_SUCCESS(st) || st == STATUS_DEVICE_REMOVED,
	      "%s: %s", dxg_ntstatus_name(st), dxgc_error());
}

/* A copy from a buffer destroyed after recording: the GPU's page fault. */
static void test_unmapped_range(unsigned int adapter)
{
	struct dxgc_ctx *ctx;
	struct dxgc_buffer *a, *b;
	struct dxgc_cmd *cmd;
	uint32_t state = 0;
	NTSTATUS st;

	if (!ok("third context", dxgc_open(&ctx, adapter)))
		return;
	if (!ok("buffers", dxgc_buffer_create(ctx, PAGE, &a)) ||
	    !ok("buffers 2", dxgc_buffer_create(ctx, PAGE, &b)) ||
	    !ok("cmd", dxgc_cmd_create(ctx, 0, &cmd))) {
		dxgc_close(ctx);
		return;
	}
	dxgc_cmd_begin(cmd);
	dxgc_cmd_copy(cmd, b, 0, a, 0, PAGE);
	ok("destroy the source after recording", dxgc_buffer_destroy(ctx, a));
	st = dxgc_run(ctx, cmd, WAIT_MS);
	check("copy from an unmapped range -> DEVICE_REMOVED, ERROR_DMAPAGEFAULT",
	      st == STATUS_DEVICE_REMOVED && strstr(dxgc_error(), "DMAPAGEFAULT"),
	      "%s: %s", dxg_ntstatus_name(st), dxgc_error());
	check("GetDeviceState says ERROR_DMAPAGEFAULT",
	      NT_SUCCESS(dxgc_device_state(ctx, &state)) &&
	      state == D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT, "%s",
	      dxgc_execution_state_name(state));
	dxgc_close(ctx);
}

/* Close with work still queued: close waits, then frees everything. */
static void test_close_busy(unsigned int adapter)
{
	struct dxgc_ctx *ctx;
	struct dxgc_buffer *x, *y;
	struct dxgc_pipeline *p;
	struct dxgc_cmd *cmd;
	int good = 1;

	if (!ok("fourth context", dxgc_open(&ctx, adapter)))
		return;
	if (saxpy_setup(ctx, 1 << 20, &x, &y, &p, &cmd)) {
		check("fourth context: saxpy setup", 0, "%s", dxgc_error());
		dxgc_close(ctx);
		return;
	}
	for (int i = 0; i < 10 && good; i++)
		good = NT_SUCCESS(dxgc_submit(ctx, cmd, NULL));
	check("10 dispatches queued", good, "%s", dxgc_error());
	ok("close with the work queued waits and frees everything", dxgc_close(ctx));
}

int main(void)
{
	struct dxgc_ctx *ctx;
	unsigned int adapter = 0;
	long objs0, io0;

	objs0 = host_stat("dxg_host_objects");
	io0 = host_stat("dxg_host_io_used");
	ctx = open_compute(&adapter);
	check("a compute adapter opens and creates the saxpy pipeline", ctx != NULL,
	      "%s", dxgc_error());
	if (!ctx)
		return 1;
	printf("# adapter %u: %s\n", adapter, dxgc_adapter_name(ctx));
	check("adapter has a name", dxgc_adapter_name(ctx)[0] != '\0', "empty");

	test_buffers_and_cpu_engine(ctx);
	test_saxpy(ctx);
	test_bad_spirv(ctx);
	test_destroyed_pipeline(adapter, ctx);
	test_unmapped_range(adapter);
	test_close_busy(adapter);

	{
		struct dxgc_buffer *left;

		/* Left open on purpose: dxgc_close frees it. */
		dxgc_buffer_create(ctx, 3 * PAGE, &left);
	}
	ok("close", dxgc_close(ctx));
	ok("close NULL", dxgc_close(NULL));
	check("host objects back at the baseline", host_stat("dxg_host_objects") == objs0,
	      "%ld, baseline %ld", host_stat("dxg_host_objects"), objs0);
	check("host IO space back at the baseline", host_stat("dxg_host_io_used") == io0,
	      "%ld, baseline %ld", host_stat("dxg_host_io_used"), io0);
	return failures ? 1 : 0;
}
