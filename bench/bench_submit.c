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
#include "guest_sim.h"
#include "dxg/cmdstream.h"
#include "dxg/ntstatus.h"

#define GOAL_RATE	500000.0	/* submissions per second */
#define EXT		16u
#define PG		4096u
#define ALLOC_SIZE	(64u * 1024)
#define OFF_NOP		0u		/* command buffers inside the allocation */
#define OFF_FILL	256u
#define OFF_MARK	4096u

struct env {
	struct gsim g;
	uint32_t proc, adapter, dev, ctx, pq, alloc;
	uint64_t va;
	uint8_t *cpu;		/* the allocation, through BAR2 */
};

/* A request on adapter 0 of the process: cmd is the command from its header on. */
static int call(struct env *e, uint32_t type, void *cmd, uint32_t len,
		void *reply, uint32_t cap)
{
	uint8_t *m = calloc(1, EXT + len);
	int r;

	if (!m)
		return -ENOMEM;
	memcpy(m + EXT, cmd, len);
	gsim_hdr(m, gsim_vgpu(&e->g, 0), DXGKVMB_VGPU_TO_HOST, type, e->proc);
	r = gsim_call(&e->g, m, EXT + len, reply, cap);
	free(m);
	return r;
}

static int setup(struct env *e)
{
	struct dxgkvmb_command_createallocation ca = {
		.device = 0, .alloc_count = 1,
	};
	struct dxgkvmb_command_createallocation_allocinfo ai = {
		.priv_drv_data_size = sizeof(struct dxg_open_alloc_desc),
	};
	struct dxg_open_alloc_desc desc = {
		.version = DXG_OPEN_ALLOC_DESC_VERSION, .size = ALLOC_SIZE,
	};
	uint8_t cbuf[sizeof(ca) + sizeof(ai) + sizeof(desc)];
	uint8_t crep[16 + 72 + sizeof(desc)];
	struct dxgkvmb_command_allocinfo_return air;
	struct dxgkvmb_command_createpagingqueue cq = { 0 };
	struct dxgkvmb_command_createpagingqueue_ret qr = { 0 };
	struct dxgkvmb_command_reservegpuva rv = { 0 };
	struct dxgkvmb_command_reservegpuva_ret rvr = { 0 };
	struct dxgkvmb_command_mapgpuva mv = { 0 };
	struct dxgkvmb_command_mapgpuva_ret mvr = { 0 };
	struct dxgkvmb_command_lock2 lk = { 0 };
	struct dxgkvmb_command_lock2_ret lr = { .status = -1 };

	if (gsim_open_adapter(&e->g, 0, &e->adapter) != STATUS_SUCCESS ||
	    gsim_create_process(&e->g, &e->proc) != STATUS_SUCCESS ||
	    gsim_create_device(&e->g, e->proc, 0, &e->dev) != STATUS_SUCCESS ||
	    gsim_create_context(&e->g, e->proc, 0, e->dev, 0, 0, &e->ctx) !=
	    STATUS_SUCCESS)
		return -1;

	cq.args.device = e->dev;
	if (call(e, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE, &cq, sizeof(cq), &qr,
		 sizeof(qr)) != sizeof(qr) || !qr.paging_queue)
		return -1;
	e->pq = qr.paging_queue;

	ca.device = e->dev;
	memcpy(cbuf, &ca, sizeof(ca));
	memcpy(cbuf + sizeof(ca), &ai, sizeof(ai));
	memcpy(cbuf + sizeof(ca) + sizeof(ai), &desc, sizeof(desc));
	if (call(e, DXGK_VMBCOMMAND_CREATEALLOCATION, cbuf, sizeof(cbuf), crep,
		 sizeof(crep)) != (int)sizeof(crep))
		return -1;
	memcpy(&air, crep + 16, sizeof(air));
	e->alloc = air.allocation;

	rv.args.adapter = e->adapter;
	rv.args.size = ALLOC_SIZE;
	if (call(e, DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS, &rv, sizeof(rv),
		 &rvr, sizeof(rvr)) != sizeof(rvr) || !rvr.virtual_address)
		return -1;
	mv.args.paging_queue = e->pq;
	mv.args.base_address = rvr.virtual_address;
	mv.args.allocation = e->alloc;
	mv.args.size_in_pages = ALLOC_SIZE / PG;
	mv.args.protection.value = D3DDDIGPUVA_PROTECTION_WRITE;
	mv.device = e->dev;
	if (call(e, DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS, &mv, sizeof(mv), &mvr,
		 sizeof(mvr)) != sizeof(mvr))
		return -1;
	e->va = rvr.virtual_address;

	lk.args.device = e->dev;
	lk.args.allocation = e->alloc;
	if (call(e, DXGK_VMBCOMMAND_LOCK2, &lk, sizeof(lk), &lr, sizeof(lr)) !=
	    sizeof(lr) || lr.status != STATUS_SUCCESS ||
	    lr.cpu_visible_buffer_offset + ALLOC_SIZE > e->g.shm_size)
		return -1;
	e->cpu = (uint8_t *)e->g.shm + lr.cpu_visible_buffer_offset;
	return 0;
}

/* The two command buffers; returns their lengths. */
static void write_buffers(struct env *e, uint32_t *nop_len, uint32_t *fill_len)
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

/* SUBMITCOMMAND of the buffer at offset off of the allocation. */
static void submit_msg(struct env *e, uint8_t *m, uint32_t off, uint32_t len,
		       bool async)
{
	struct dxgkvmb_command_submitcommand c;

	memset(m, 0, EXT + sizeof(c));
	gsim_hdr(m, gsim_vgpu(&e->g, 0),
		 DXGKVMB_VGPU_TO_HOST | (async ? DXGKVMB_ASYNC_MSG : 0),
		 DXGK_VMBCOMMAND_SUBMITCOMMAND, e->proc);
	memcpy(&c, m + EXT, sizeof(c));
	c.args.command_buffer = e->va + off;
	c.args.command_length = len;
	c.args.broadcast_context_count = 1;
	c.args.broadcast_context[0] = e->ctx;
	memcpy(m + EXT, &c, sizeof(c));
}

/* Writes one async packet; spins while the ring is full. */
static int send_async(struct env *e, const uint8_t *m, uint32_t len)
{
	uint64_t deadline = bench_now_ns() + 5000000000ull;
	int ret;

	while ((ret = dxg_ring_write2(&e->g.g2h, DXG_PKT_DATA_INBAND, 0, 0, m,
				      len, NULL, 0)) == -EAGAIN) {
		if (bench_now_ns() > deadline)
			return -EBUSY;
		bench_cpu_relax();
	}
	if (ret)
		return ret;
	if (dxg_ring_consumer_parked(&e->g.g2h)) {
		e->g.kicks++;
		gsim_ring_host(&e->g, DXG_IVSHMEM_VEC_RING);
	}
	return 0;
}

static int wait_marker(struct env *e, uint32_t want)
{
	volatile uint32_t *mark = (volatile uint32_t *)(e->cpu + OFF_MARK);
	uint64_t deadline = bench_now_ns() + 10000000000ull;

	while (*mark != want) {
		if (bench_now_ns() > deadline)
			return -ETIMEDOUT;
		bench_cpu_relax();
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return 0;
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
	uint8_t nop[EXT + sizeof(struct dxgkvmb_command_submitcommand)];
	uint8_t fill[sizeof(nop)];
	uint32_t nop_len, fill_len, probe[4] = { 0 };
	struct env e;
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
	if (gsim_connect(&e.g, dmn.sock) || gsim_handshake(&e.g, 1) || setup(&e)) {
		fprintf(stderr, "bench_submit: set-up through the simulator failed\n");
		goto out;
	}
	write_buffers(&e, &nop_len, &fill_len);
	submit_msg(&e, nop, OFF_NOP, nop_len, false);

	/* Probe: does the host know SUBMITCOMMAND at all? */
	n = gsim_call(&e.g, nop, sizeof(nop), probe, sizeof(probe));
	if (n >= 4 && (int32_t)probe[0] == STATUS_NOT_SUPPORTED) {
		printf("Submissions: dxghost does not implement SUBMITCOMMAND yet\n");
		printf("RESULT submit   %-28s %10s  goal >= %.0f/s  NOT MEASURABLE YET\n",
		       "async batched NOP submits/s", "-", GOAL_RATE);
		rc = 0;
		goto out;
	}
	submit_msg(&e, nop, OFF_NOP, nop_len, true);
	submit_msg(&e, fill, OFF_FILL, fill_len, true);

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
			if (send_async(&e, nop, sizeof(nop)))
				goto ring_error;
		if (send_async(&e, fill, sizeof(fill)))
			goto ring_error;
		if (wait_marker(&e, marker)) {
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
