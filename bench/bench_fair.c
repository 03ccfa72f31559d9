// SPDX-License-Identifier: MIT
/*
 * bench_fair: what one VM keeps of a shared engine while another VM floods
 * it (issue 12: fair scheduling between VMs), through the guest simulator
 * (tests/host/guest_sim.c, bench_env.h).
 *
 * Two VMs on one dxghost, each a process with a device, a context and a
 * mapped allocation.  VM B measures the latency of one small job: an
 * asynchronous SUBMITCOMMAND of a FILL that writes a new marker word,
 * spun on until the marker is in memory.  Phase 1: B alone (A connected,
 * idle).  Phase 2: a thread keeps A's guest->host ring full of long
 * buffers (FILLs over A's whole allocation, many times each) while B
 * measures again.  Printed: B's median latency in both phases and their
 * ratio; with a fair share of an engine split two ways the ratio stays
 * near 2 or below (B's job waits at most for A's share), without any it
 * grows with A's queue.
 *
 * Usage: bench_fair DXGHOST [--isolation process|none] [--jobs N] [--quick]
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_env.h"
#include "dxg/cmdstream.h"

#define ALLOC_A		(4u << 20)
#define ALLOC_B		(64u * 1024)
#define OFF_CMD		0u	/* the command buffer, at the start */
#define OFF_MARK	4096u	/* B's marker word */
#define OFF_DATA	8192u	/* what A's fills write: the rest */
#define A_FILLS		64u	/* per long buffer: 64 x 4 MiB */
#define GOAL_RATIO	2.0

struct flood {
	struct bench_env *a;
	atomic_bool stop;
	unsigned long long sent;
	int err;
};

/* A buffer of n FILLs of [va, va + size) at off of e's allocation. */
static uint32_t write_fills(struct bench_env *e, uint32_t off, uint32_t n,
			    uint64_t va, uint64_t size, uint32_t pattern)
{
	struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.size_bytes = (uint32_t)(sizeof(h) + n * sizeof(struct dxg_cmd_fill)),
		.num_commands = n,
	};
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = va, .size = size, .pattern = pattern,
	};

	memcpy(e->cpu + off, &h, sizeof(h));
	for (uint32_t i = 0; i < n; i++)
		memcpy(e->cpu + off + sizeof(h) + i * sizeof(f), &f, sizeof(f));
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return h.size_bytes;
}

static void *flood_main(void *arg)
{
	struct flood *fl = arg;
	uint8_t m[BENCH_SUBMIT_MSG_SIZE];
	uint32_t len = write_fills(fl->a, OFF_CMD, A_FILLS, fl->a->va + OFF_DATA,
				   ALLOC_A - OFF_DATA, 0xa5a5a5a5u);

	bench_env_submit_msg(fl->a, m, OFF_CMD, len, true);
	while (!atomic_load(&fl->stop)) {
		int r = bench_env_send_async(fl->a, m, sizeof(m));

		if (r == -EBUSY)	/* the ring is full: A's queue is long */
			continue;
		if (r) {
			fl->err = r;
			break;
		}
		fl->sent++;
	}
	return NULL;
}

/* jobs of B's small FILL, one at a time: their latencies in ns. */
static int measure(struct bench_env *b, unsigned int jobs, uint32_t *marker,
		   struct bench_samples *lat)
{
	uint8_t m[BENCH_SUBMIT_MSG_SIZE];

	for (unsigned int i = 0; i < jobs; i++) {
		uint32_t len = write_fills(b, OFF_CMD, 1, b->va + OFF_MARK, 4,
					   ++*marker);
		uint64_t t0;

		bench_env_submit_msg(b, m, OFF_CMD, len, true);
		t0 = bench_now_ns();
		if (bench_env_send_async(b, m, sizeof(m)) ||
		    bench_env_wait_u32(b, OFF_MARK, *marker, 60000000000ull))
			return -1;
		bench_samples_add(lat, (double)(bench_now_ns() - t0));
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_fair DXGHOST [--isolation process|none] [--jobs N] [--quick]\n");
	exit(2);
}

static int connect_env(struct bench_env *e, const char *sock, uint32_t size)
{
	memset(e, 0, sizeof(*e));
	return gsim_connect(&e->g, sock) || gsim_handshake(&e->g, 1) ||
	       bench_env_setup(e, size) ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *isolation = "process";
	unsigned int jobs = 40;
	struct bench_daemon dmn = { 0 };
	struct bench_samples alone = { 0 }, flooded = { 0 };
	struct bench_env a, b;
	struct flood fl = { .a = &a };
	pthread_t th;
	uint32_t marker = 0x5eed0000u;
	double m_alone, m_flood;
	int rc = 1;

	if (argc < 2)
		usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--isolation") && i + 1 < argc)
			isolation = argv[++i];
		else if (!strcmp(argv[i], "--jobs") && i + 1 < argc)
			jobs = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			jobs = 15;
		else
			usage();
	}
	if (!jobs)
		usage();
	if (bench_daemon_start(&dmn, argv[1],
			       (const char *[]){ "--isolation", isolation, NULL })) {
		fprintf(stderr, "bench_fair: cannot start %s\n", argv[1]);
		return 1;
	}
	if (connect_env(&a, dmn.sock, ALLOC_A) || connect_env(&b, dmn.sock, ALLOC_B)) {
		fprintf(stderr, "bench_fair: set-up through the simulator failed\n");
		goto out;
	}
	/* Warm-up, then B alone. */
	if (measure(&b, 3, &marker, &alone))
		goto timeout;
	bench_samples_free(&alone);
	memset(&alone, 0, sizeof(alone));
	if (measure(&b, jobs, &marker, &alone))
		goto timeout;

	atomic_init(&fl.stop, false);
	if (pthread_create(&th, NULL, flood_main, &fl)) {
		fprintf(stderr, "bench_fair: no thread\n");
		goto out;
	}
	bench_spin_ns(200000000ull);	/* A's queue fills first */
	rc = measure(&b, jobs, &marker, &flooded) ? 2 : 0;
	atomic_store(&fl.stop, true);
	pthread_join(th, NULL);
	if (rc == 2)
		goto timeout;
	if (fl.err) {
		fprintf(stderr, "bench_fair: VM A's submissions failed (%d)\n", fl.err);
		rc = 1;
		goto out;
	}
	m_alone = bench_median(&alone);
	m_flood = bench_median(&flooded);
	printf("Fairness (--isolation %s): VM B's small job, %u times, alone and while VM A floods (%llu long buffers sent, %u MiB each)\n",
	       isolation, jobs, fl.sent, A_FILLS * (ALLOC_A >> 20));
	printf("  alone: median %.0f us (p90 %.0f); A flooding: median %.0f us (p90 %.0f)\n",
	       m_alone / 1e3, bench_quantile(&alone, 0.9) / 1e3, m_flood / 1e3,
	       bench_quantile(&flooded, 0.9) / 1e3);
	printf("RESULT fair     %-28s %10.2f  goal <= %.2f  %s\n",
	       isolation[0] == 'p' ? "B latency flooded/alone" :
	       "B latency flooded/alone (1p)", m_flood / m_alone, GOAL_RATIO,
	       m_flood / m_alone <= GOAL_RATIO ? "MET" : "NOT MET");
	rc = 0;
	goto out;
timeout:
	fprintf(stderr, "bench_fair: VM B's job did not complete within 60 s\n");
	rc = 1;
out:
	gsim_close(&a.g);
	gsim_close(&b.g);
	bench_daemon_stop(&dmn);
	bench_samples_free(&alone);
	bench_samples_free(&flooded);
	return rc;
}
