// SPDX-License-Identifier: MIT
/*
 * bench_roundtrip: the round trip of a host-answered call through dxghost,
 * from the guest simulator (tests/host/guest_sim.c, which connects exactly
 * as QEMU does), against the floors of this machine measured in the same
 * run between two plain processes:
 *
 *   eventfd ping-pong   each side sleeps in read() on an eventfd and the
 *                       other wakes it with write(): two wake-ups per trip
 *   spin ping-pong      each side spins on a word in shared memory
 *
 * Two regimes (docs/performance.md):
 *
 *   polled  calls back to back: dxghost stays in its polling loop (it
 *           parks only after DXG_CHANNEL_SPIN_NS of idle), so the guest
 *           rings no doorbell.  The guest either sleeps for the reply (as
 *           the driver does: the host rings its vector 0) or spins on the
 *           host->guest ring with its interrupt_mask set (both sides
 *           polling, the shape of the spin ping-pong).  Compared with the
 *           spin ping-pong.
 *   parked  calls spaced by --gap (default 200 us, four times the host's
 *           50 us park threshold): dxghost is asleep in epoll_wait, the
 *           guest rings the doorbell and sleeps for the reply.  Compared
 *           with the eventfd ping-pong spaced the same way.
 *
 * Rounds interleave the configurations so slow drifts of a shared machine
 * hit them all alike; samples are pooled, median and p99 printed, and the
 * ratios of the medians are the figures.  Exit status 0 when everything
 * ran (goals missed are reported, not failed), 1 on errors.
 *
 * Usage: bench_roundtrip DXGHOST [--rounds N] [--iters N] [--gap US] [--quick]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "guest_sim.h"
#include "dxg/ntstatus.h"

#define GOAL_PARKED	1.2	/* x eventfd ping-pong */
#define GOAL_POLLED	3.0	/* x spin ping-pong */

enum cfg {
	EFD_B2B, EFD_GAP, SPIN_B2B, HOST_POLL_SLEEP, HOST_POLL_SPIN, HOST_PARKED,
	NCFG
};

static const char *const cfg_name[NCFG] = {
	[EFD_B2B] = "eventfd ping-pong, back to back",
	[EFD_GAP] = "eventfd ping-pong, spaced",
	[SPIN_B2B] = "shm spin ping-pong, back to back",
	[HOST_POLL_SLEEP] = "dxghost polled, guest sleeps for reply",
	[HOST_POLL_SPIN] = "dxghost polled, guest spins for reply",
	[HOST_PARKED] = "dxghost parked (spaced), guest sleeps",
};

static struct bench_samples samples[NCFG];
static uint64_t gap_ns = 200000;

/* ---- floors: two plain processes ---- */

struct efd_pair {
	int to_child, to_parent;
	pid_t child;
};

static void efd_child(int in, int out)
{
	uint64_t v, one = 1;

	for (;;) {
		if (read(in, &v, sizeof(v)) != sizeof(v) || v >= 2)
			_exit(0);
		if (write(out, &one, sizeof(one)) != sizeof(one))
			_exit(1);
	}
}

static int efd_start(struct efd_pair *p)
{
	p->to_child = eventfd(0, EFD_CLOEXEC);
	p->to_parent = eventfd(0, EFD_CLOEXEC);
	if (p->to_child < 0 || p->to_parent < 0)
		return -1;
	p->child = fork();
	if (p->child < 0)
		return -1;
	if (p->child == 0)
		efd_child(p->to_child, p->to_parent);
	return 0;
}

static void efd_stop(struct efd_pair *p)
{
	uint64_t stop = 2;

	if (write(p->to_child, &stop, sizeof(stop)) != sizeof(stop))
		kill(p->child, SIGKILL);
	waitpid(p->child, NULL, 0);
	close(p->to_child);
	close(p->to_parent);
}

static int efd_run(struct efd_pair *p, struct bench_samples *s, unsigned int n,
		   uint64_t gap)
{
	uint64_t one = 1, v;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t t0;

		if (gap)
			bench_spin_ns(gap);
		t0 = bench_now_ns();
		if (write(p->to_child, &one, sizeof(one)) != sizeof(one) ||
		    read(p->to_parent, &v, sizeof(v)) != sizeof(v))
			return -1;
		bench_samples_add(s, (double)(bench_now_ns() - t0));
	}
	return 0;
}

/* Two words on separate cache lines of a shared page. */
struct spin_page {
	_Alignas(64) _Atomic uint64_t ping;
	_Alignas(64) _Atomic uint64_t pong;
};

#define SPIN_STOP UINT64_MAX

/* One round: fork a spinning child, n trips, stop it (it must not burn a
 * CPU while the other configurations run). */
static int spin_run(struct bench_samples *s, unsigned int n)
{
	struct spin_page *sp = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t child;

	if (sp == MAP_FAILED)
		return -1;
	atomic_store(&sp->ping, 0);
	atomic_store(&sp->pong, 0);
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		uint64_t last = 0;

		for (;;) {
			uint64_t v;

			while ((v = atomic_load_explicit(&sp->ping,
							 memory_order_acquire)) == last)
				bench_cpu_relax();
			if (v == SPIN_STOP)
				_exit(0);
			atomic_store_explicit(&sp->pong, v, memory_order_release);
			last = v;
		}
	}
	for (uint64_t i = 1; i <= n; i++) {
		uint64_t t0 = bench_now_ns();

		atomic_store_explicit(&sp->ping, i, memory_order_release);
		while (atomic_load_explicit(&sp->pong, memory_order_acquire) != i)
			bench_cpu_relax();
		bench_samples_add(s, (double)(bench_now_ns() - t0));
	}
	atomic_store(&sp->ping, SPIN_STOP);
	waitpid(child, NULL, 0);
	munmap(sp, 4096);
	return 0;
}

/* ---- through dxghost ---- */

struct host_ctx {
	struct gsim g;
	uint8_t msg[16 + sizeof(struct dxgkvmb_command_queryadapterinfo) + 8];
	uint32_t len;
	uint64_t parked_sends, sends;
};

/*
 * The call: QUERYADAPTERINFO(DRIVERVERSION) on adapter 0 — answered by the
 * host from its tables, so the trip is the transport plus the dispatcher.
 */
static void host_msg(struct host_ctx *h)
{
	struct dxgkvmb_command_queryadapterinfo c;

	memset(h->msg, 0, sizeof(h->msg));
	gsim_hdr(h->msg, gsim_vgpu(&h->g, 0), DXGKVMB_VGPU_TO_HOST,
		 DXGK_VMBCOMMAND_QUERYADAPTERINFO, 0);
	memcpy(&c, h->msg + 16, sizeof(c));
	c.query_type = KMTQAITYPE_DRIVERVERSION;
	c.private_data_size = sizeof(uint32_t);
	memcpy(h->msg + 16, &c, sizeof(c));
	h->len = (uint32_t)(16 + sizeof(c) + sizeof(uint32_t));
}

/* Sleeps for the reply as the guest driver does (the host rings vector 0). */
static int recv_sleep(struct gsim *g, struct dxg_pkt_desc *d, void *buf,
		      uint32_t cap)
{
	for (;;) {
		struct pollfd p = { .fd = g->guest_efd[0], .events = POLLIN };
		uint64_t v;
		int ret = dxg_ring_read(&g->h2g, d, buf, cap);

		if (ret != -ENODATA)
			return ret;
		if (poll(&p, 1, GSIM_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
		if (read(g->guest_efd[0], &v, sizeof(v)) < 0 && errno != EAGAIN)
			return -errno;
	}
}

/* Spins on the ring (our interrupt_mask is set: the host does not ring). */
static int recv_spin(struct gsim *g, struct dxg_pkt_desc *d, void *buf,
		     uint32_t cap)
{
	uint64_t deadline = bench_now_ns() + GSIM_TIMEOUT_MS * 1000000ull;
	int ret;

	uint32_t next;
	unsigned int spins = 0;

	/*
	 * A polling consumer batches its read_index stores (include/dxg/ring.h):
	 * the space is handed back lazily, and at the end of the run.
	 */
	while ((ret = dxg_ring_peek(&g->h2g, d, buf, cap, &next)) == -ENODATA) {
		if (++spins % 1024 == 0 && bench_now_ns() > deadline)
			return -ETIMEDOUT;
		bench_cpu_relax();
	}
	if (ret >= 0 || ret == -EMSGSIZE)
		dxg_ring_consume(&g->h2g, next);
	return ret;
}

static int host_run(struct host_ctx *h, struct bench_samples *s, unsigned int n,
		    uint64_t gap, bool spin)
{
	struct gsim *g = &h->g;
	uint8_t reply[64];
	struct dxg_pkt_desc d;

	dxg_ring_set_polling(&g->h2g, spin);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t id = g->next_trans++, t0;
		int32_t st;
		int ret;

		if (gap)
			bench_spin_ns(gap);
		t0 = bench_now_ns();
		h->sends++;
		h->parked_sends += dxg_ring_consumer_parked(&g->g2h);
		ret = gsim_send(g, DXG_PKT_DATA_INBAND,
				DXG_PKT_FLAG_COMPLETION_REQUESTED, id, h->msg, h->len);
		if (!ret)
			ret = spin ? recv_spin(g, &d, reply, sizeof(reply)) :
				     recv_sleep(g, &d, reply, sizeof(reply));
		if (ret < 0 || d.type != DXG_PKT_COMPLETION || d.trans_id != id) {
			fprintf(stderr, "bench_roundtrip: call failed (%d)\n", ret);
			return -1;
		}
		bench_samples_add(s, (double)(bench_now_ns() - t0));
		memcpy(&st, reply, sizeof(st));
		if (st != STATUS_SUCCESS) {
			fprintf(stderr, "bench_roundtrip: status 0x%08x\n", (uint32_t)st);
			return -1;
		}
	}
	dxg_ring_publish(&g->h2g);
	dxg_ring_set_polling(&g->h2g, 0);
	return 0;
}

/* ---- report ---- */

static void row(enum cfg c, double *med)
{
	double p99 = bench_quantile(&samples[c], 0.99);

	med[c] = bench_median(&samples[c]);
	printf("  %-42s %9.2f %9.2f %8zu\n", cfg_name[c], med[c] / 1000,
	       p99 / 1000, samples[c].n);
}

static void ratio(const char *name, double r, double goal)
{
	printf("RESULT roundtrip %-28s %6.2fx  goal <= %.1fx  %s\n", name, r, goal,
	       r <= goal ? "MET" : "NOT MET");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench_roundtrip DXGHOST [--rounds N] [--iters N] [--gap US] [--quick]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int rounds = 6, iters = 3000, gap_iters;
	struct bench_daemon dmn = { 0 };
	struct host_ctx h;
	struct efd_pair efd;
	uint32_t hproc;
	double med[NCFG];
	int rc = 1;

	if (argc < 2)
		usage();
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--iters") && i + 1 < argc)
			iters = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--gap") && i + 1 < argc)
			gap_ns = (uint64_t)atoi(argv[++i]) * 1000;
		else if (!strcmp(argv[i], "--quick"))
			rounds = 2, iters = 500;
		else
			usage();
	}
	if (!rounds || !iters)
		usage();
	/* Spaced trips cost gap + trip each: fewer of them. */
	gap_iters = iters / 3 ? iters / 3 : 1;

	if (bench_daemon_start(&dmn, argv[1], NULL)) {
		fprintf(stderr, "bench_roundtrip: cannot start %s\n", argv[1]);
		return 1;
	}
	if (gsim_connect(&h.g, dmn.sock) || gsim_handshake(&h.g, 1) ||
	    gsim_create_process(&h.g, &hproc) != STATUS_SUCCESS) {
		fprintf(stderr, "bench_roundtrip: guest simulator could not attach\n");
		goto out_daemon;
	}
	h.sends = h.parked_sends = 0;
	host_msg(&h);
	if (efd_start(&efd)) {
		perror("bench_roundtrip: eventfd pair");
		goto out_sim;
	}
	/* Warm-up: page faults, caches, the host's first dispatch. */
	if (efd_run(&efd, &samples[EFD_B2B], 200, 0) ||
	    host_run(&h, &samples[HOST_POLL_SLEEP], 200, 0, false))
		goto out_efd;
	for (int c = 0; c < NCFG; c++)
		samples[c].n = 0;

	for (unsigned int r = 0; r < rounds; r++) {
		uint64_t p0, s0;

		if (efd_run(&efd, &samples[EFD_B2B], iters, 0) ||
		    spin_run(&samples[SPIN_B2B], iters) ||
		    host_run(&h, &samples[HOST_POLL_SLEEP], iters, 0, false) ||
		    host_run(&h, &samples[HOST_POLL_SPIN], iters, 0, true) ||
		    efd_run(&efd, &samples[EFD_GAP], gap_iters, gap_ns))
			goto out_efd;
		p0 = h.parked_sends;
		s0 = h.sends;
		if (host_run(&h, &samples[HOST_PARKED], gap_iters, gap_ns, false))
			goto out_efd;
		/* The regime check: spaced calls must find the host parked. */
		if (h.parked_sends - p0 < (h.sends - s0) * 9 / 10)
			fprintf(stderr, "bench_roundtrip: warning: only %llu of %llu spaced calls found the host parked\n",
				(unsigned long long)(h.parked_sends - p0),
				(unsigned long long)(h.sends - s0));
	}

	printf("Round trips (%u rounds interleaved, gap %llu us for spaced runs)\n",
	       rounds, (unsigned long long)(gap_ns / 1000));
	printf("  %-42s %9s %9s %8s\n", "configuration", "median us", "p99 us",
	       "samples");
	for (int c = 0; c < NCFG; c++)
		row((enum cfg)c, med);
	printf("\n");
	ratio("parked/eventfd(spaced)", med[HOST_PARKED] / med[EFD_GAP], GOAL_PARKED);
	ratio("polled-spin/spin", med[HOST_POLL_SPIN] / med[SPIN_B2B], GOAL_POLLED);
	printf("INFO   roundtrip %-28s %6.2fx  (the driver's way: guest sleeps)\n",
	       "polled-sleep/spin", med[HOST_POLL_SLEEP] / med[SPIN_B2B]);
	printf("INFO   roundtrip %-28s %6.2fx\n", "polled-sleep/eventfd(b2b)",
	       med[HOST_POLL_SLEEP] / med[EFD_B2B]);
	printf("INFO   roundtrip %-28s %6.2fx\n", "eventfd(spaced)/eventfd(b2b)",
	       med[EFD_GAP] / med[EFD_B2B]);
	rc = 0;
out_efd:
	efd_stop(&efd);
out_sim:
	gsim_close(&h.g);
out_daemon:
	bench_daemon_stop(&dmn);
	for (int c = 0; c < NCFG; c++)
		bench_samples_free(&samples[c]);
	return rc;
}
