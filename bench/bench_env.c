// SPDX-License-Identifier: MIT
#include "bench_env.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "dxg/ntstatus.h"

#define PG	4096u

/* A request on adapter 0 of the process: cmd is the command from its header on. */
static int call(struct bench_env *e, uint32_t type, void *cmd, uint32_t len,
		void *reply, uint32_t cap)
{
	uint8_t *m = calloc(1, BENCH_EXT + len);
	int r;

	if (!m)
		return -ENOMEM;
	memcpy(m + BENCH_EXT, cmd, len);
	gsim_hdr(m, gsim_vgpu(&e->g, 0), DXGKVMB_VGPU_TO_HOST, type, e->proc);
	r = gsim_call(&e->g, m, BENCH_EXT + len, reply, cap);
	free(m);
	return r;
}

int bench_env_setup(struct bench_env *e, uint32_t alloc_size)
{
	struct dxgkvmb_command_createallocation ca = {
		.device = 0, .alloc_count = 1,
	};
	struct dxgkvmb_command_createallocation_allocinfo ai = {
		.priv_drv_data_size = sizeof(struct dxg_open_alloc_desc),
	};
	struct dxg_open_alloc_desc desc = {
		.version = DXG_OPEN_ALLOC_DESC_VERSION, .size = alloc_size,
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

	e->alloc_size = alloc_size;
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
	rv.args.size = alloc_size;
	if (call(e, DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS, &rv, sizeof(rv),
		 &rvr, sizeof(rvr)) != sizeof(rvr) || !rvr.virtual_address)
		return -1;
	mv.args.paging_queue = e->pq;
	mv.args.base_address = rvr.virtual_address;
	mv.args.allocation = e->alloc;
	mv.args.size_in_pages = alloc_size / PG;
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
	    lr.cpu_visible_buffer_offset + alloc_size > e->g.shm_size)
		return -1;
	e->cpu = (uint8_t *)e->g.shm + lr.cpu_visible_buffer_offset;
	return 0;
}


/* SUBMITCOMMAND of the buffer at offset off of the allocation. */
void bench_env_submit_msg(struct bench_env *e, uint8_t *m, uint32_t off,
			  uint32_t len, bool async)
{
	struct dxgkvmb_command_submitcommand c;

	memset(m, 0, BENCH_EXT + sizeof(c));
	gsim_hdr(m, gsim_vgpu(&e->g, 0),
		 DXGKVMB_VGPU_TO_HOST | (async ? DXGKVMB_ASYNC_MSG : 0),
		 DXGK_VMBCOMMAND_SUBMITCOMMAND, e->proc);
	memcpy(&c, m + BENCH_EXT, sizeof(c));
	c.args.command_buffer = e->va + off;
	c.args.command_length = len;
	c.args.broadcast_context_count = 1;
	c.args.broadcast_context[0] = e->ctx;
	memcpy(m + BENCH_EXT, &c, sizeof(c));
}

/* Writes one async packet; spins while the ring is full. */
int bench_env_send_async(struct bench_env *e, const uint8_t *m, uint32_t len)
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

int bench_env_wait_u32(struct bench_env *e, uint32_t off, uint32_t want,
		       uint64_t timeout_ns)
{
	volatile uint32_t *p = (volatile uint32_t *)(e->cpu + off);
	uint64_t deadline = bench_now_ns() + timeout_ns;

	while (*p != want) {
		if (bench_now_ns() > deadline)
			return -ETIMEDOUT;
		bench_cpu_relax();
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return 0;
}
