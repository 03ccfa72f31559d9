/* SPDX-License-Identifier: MIT */
/*
 * One guest process for the host benchmarks, through the guest simulator
 * (tests/host/guest_sim.c), as a guest driver would set it up: a process,
 * a device and a context on adapter 0, a paging queue, one allocation
 * mapped at a GPU VA and locked (its IO-space bytes visible here), and
 * asynchronous SUBMITCOMMANDs of command buffers inside it.
 */
#ifndef DXG_BENCH_ENV_H
#define DXG_BENCH_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_sim.h"

#define BENCH_EXT	16u	/* the message header before each command */

struct bench_env {
	struct gsim g;
	uint32_t proc, adapter, dev, ctx, pq, alloc;
	uint32_t alloc_size;
	uint64_t va;
	uint8_t *cpu;		/* the allocation, through BAR2 */
};

/* On a connected, handshaken simulator: the process and its allocation. */
int bench_env_setup(struct bench_env *e, uint32_t alloc_size);
/* A SUBMITCOMMAND message (BENCH_EXT + its size) of [va + off, + len). */
void bench_env_submit_msg(struct bench_env *e, uint8_t *m, uint32_t off,
			  uint32_t len, bool async);
#define BENCH_SUBMIT_MSG_SIZE \
	(BENCH_EXT + sizeof(struct dxgkvmb_command_submitcommand))
/* Writes one async packet, ringing a parked host; spins while the ring is full. */
int bench_env_send_async(struct bench_env *e, const uint8_t *m, uint32_t len);
/* Spins until the u32 at off of the allocation is want; 0 or -ETIMEDOUT. */
int bench_env_wait_u32(struct bench_env *e, uint32_t off, uint32_t want,
		       uint64_t timeout_ns);

#endif
