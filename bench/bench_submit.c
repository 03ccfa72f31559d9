// SPDX-License-Identifier: MIT
/*
 * bench_submit: submissions per second through dxghost, asynchronous and
 * batched, from the guest simulator (tests/host/guest_sim.c).
 *
 * Set-up, as a guest process would do it: a process, a device and a
 * context on adapter 0, a paging queue, one 64 KiB allocation mapped at a
 * GPU VA and locked (its IO-space bytes are visible here).  The allocation
 * holds two command buffers (include/dxg/cmdstream.h): a NOP buffer and a
 * FILL buffer that writes a marker word into the same allocation.
 *
 * One round: N asynchronous SUBMITCOMMAND messages of the NOP buffer
 * (type 6, no completion, DXGKVMB_ASYNC_MSG in the channel word) written
 * back to back into the guest->host ring — the doorbell rings only when
 * the host is parked, so they arrive in batches — and then one FILL
 * submission on the same context.  The host completes a context's work in
 * order, so the marker appearing in memory means all N+1 ran.  Rate =
 * (N+1) / (marker seen - first send).  The median over rounds is printed.
 *
 * When the host does not implement SUBMITCOMMAND yet (a synchronous probe
 * answers STATUS_NOT_SUPPORTED) the program says "not measurable yet" and
 * exits 0.
 *
 * Usage: bench_submit DXGHOST [--rounds N] [--count N] [--quick]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_env.h"
#include "dxg/cmdstream.h"
#include "dxg/ntstatus.h"

#define GOAL_RATE	500000.0	/* submissions per second */
#define ALLOC_SIZE	(64u * 1024)
#define OFF_NOP		0u		/* command buffers inside the allocation */
#define OFF_FILL	256u
#define OFF_MARK	4096u

/* The two command buffers; returns their lengths. */
static void write_buffers(struct bench_env *e, uint32_t *nop_len, uint32_t *fill_len)
{
	struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.num_commands = 1,
	};
	struct dxg_cmd_header nop = { .opcode = DXG_CMD_NOP, .size_bytes = 8 };
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = e->va + OFF_MARK, .size = 4,
	};

	h.size_bytes = sizeof(h) + sizeof(nop);
	memcpy(e->cpu + OFF_NOP, &h, sizeof(h));
	memcpy(e->cpu + OFF_NOP + sizeof(h), &nop, sizeof(nop));
	*nop_len = h.size_bytes;
	h.size_bytes = sizeof(h) + sizeof(f);
	memcpy(e->cpu + OFF_FILL, &h, sizeof(h));
	memcpy(e->cpu + OFF_FILL + sizeof(h), &f, sizeof(f));
	*fill_len = h.size_bytes;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_submit DXGHOST [--rounds N] [--count N] [--quick]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int rounds = 7, count = 20000;
	struct bench_daemon dmn = { 0 };
	struct bench_samples rate = { 0 };
	uint8_t nop[BENCH_SUBMIT_MSG_SIZE];
	uint8_t fill[sizeof(nop)];
	uint32_t nop_len, fill_len, probe[4] = { 0 };
	struct bench_env e;
	int rc = 1, n;

	if (argc < 2)
		usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			rounds = 3, count = 2000;
		else
			usage();
	}
	if (!rounds || !count)
		usage();
	memset(&e, 0, sizeof(e));
	if (bench_daemon_start(&dmn, argv[1], NULL)) {
		fprintf(stderr, "bench_submit: cannot start %s\n", argv[1]);
		return 1;
	}
	if (gsim_connect(&e.g, dmn.sock) || gsim_handshake(&e.g, 1) || bench_env_setup(&e, ALLOC_SIZE)) {
		fprintf(stderr, "bench_submit: set-up through the simulator failed\n");
		goto out;
	}
	write_buffers(&e, &nop_len, &fill_len);
	bench_env_submit_msg(&e, nop, OFF_NOP, nop_len, false);

	/* Probe: does the host know SUBMITCOMMAND at all? */
	n = gsim_call(&e.g, nop, sizeof(nop), probe, sizeof(probe));
	if (n >= 4 && (int32_t)probe[0] == STATUS_NOT_SUPPORTED) {
		printf("Submissions: dxghost does not implement SUBMITCOMMAND yet\n");
		printf("RESULT submit   %-28s %10s  goal >= %.0f/s  NOT MEASURABLE YET\n",
		       "async batched NOP submits/s", "-", GOAL_RATE);
		rc = 0;
		goto out;
	}
	bench_env_submit_msg(&e, nop, OFF_NOP, nop_len, true);
	bench_env_submit_msg(&e, fill, OFF_FILL, fill_len, true);

	for (unsigned int r = 0; r <= rounds; r++) {	/* round 0: warm-up */
		struct dxg_cmd_fill f;
		uint32_t marker = 0xb0000000u + r;
		uint64_t t0;

		/* A new marker for this round, in the FILL buffer. */
		memcpy(&f, e.cpu + OFF_FILL + sizeof(struct dxg_cmdbuf_header), sizeof(f));
		f.pattern = marker;
		memcpy(e.cpu + OFF_FILL + sizeof(struct dxg_cmdbuf_header), &f, sizeof(f));
		__atomic_thread_fence(__ATOMIC_RELEASE);
		e.g.kicks = 0;
		t0 = bench_now_ns();
		for (unsigned int i = 0; i < count; i++)
			if (bench_env_send_async(&e, nop, sizeof(nop)))
				goto ring_error;
		if (bench_env_send_async(&e, fill, sizeof(fill)))
			goto ring_error;
		if (bench_env_wait_u32(&e, OFF_MARK, marker, 10000000000ull)) {
			fprintf(stderr, "bench_submit: the FILL after %u submissions never ran\n",
				count);
			goto out;
		}
		if (r)
			bench_samples_add(&rate, (double)(count + 1) * 1e9 /
					  (double)(bench_now_ns() - t0));
		if (r == rounds)
			printf("Submissions: %u rounds of %u async NOP submits + 1 FILL, %u doorbells in the last round\n",
			       rounds, count, e.g.kicks);
	}
	{
		double med = bench_median(&rate);
		double lo = bench_quantile(&rate, 0.0), hi = bench_quantile(&rate, 1.0);

		printf("  median %.0f/s (min %.0f, max %.0f), %.2f us per submission\n",
		       med, lo, hi, 1e6 / med);
		printf("RESULT submit   %-28s %10.0f  goal >= %.0f/s  %s\n",
		       "async batched NOP submits/s", med, GOAL_RATE,
		       med >= GOAL_RATE ? "MET" : "NOT MET");
	}
	rc = 0;
	goto out;
ring_error:
	fprintf(stderr, "bench_submit: the guest->host ring stayed full\n");
out:
	gsim_close(&e.g);
	bench_daemon_stop(&dmn);
	bench_samples_free(&rate);
	return rc;
}
