// SPDX-License-Identifier: MIT
/*
 * guest_bw: guest write bandwidth into a mapped allocation against memcpy,
 * run inside the VM (static, busybox initramfs; bench/run.sh boots it).
 *
 * Through libdxg: the first adapter, a device, one allocation of --size
 * bytes (default 4 MiB) in the IO space, Lock2 for a CPU pointer into BAR2
 * (docs/memory.md).  Against an ordinary page-aligned malloc'd buffer of the
 * same size, in the same run and interleaved: memset of the whole buffer,
 * memcpy into it from a private source, and (information) memcpy out of it.
 * The median time per operation gives the ratio mapped / ordinary as a
 * bandwidth fraction (1.0 = the mapping writes as fast as normal memory).
 *
 * An uncached or trapping mapping shows as a fraction far below 1.  Under
 * TCG the absolute speed is the emulator's, and cache attributes (PAT) are
 * not emulated, so there the ratio only shows that stores to the mapping
 * take QEMU's RAM fast path (no MMIO exits, no faults per access); under
 * KVM it also checks the write-back mapping.
 *
 * Prints RESULT lines like the host-side benchmarks; exit 0 when it ran.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dxg/d3dkmt.h>
#include "dxg/protocol.h"

#define GOAL	0.90
#define REPS	9

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static int fail(const char *what, NTSTATUS st)
{
	fprintf(stderr, "guest_bw: %s: 0x%08x (%s)\n", what, (uint32_t)st,
		dxg_ntstatus_name(st));
	printf("guest_bw: FAILED\n");
	return 1;
}

/* Keeps the compiler from dropping stores it thinks nobody reads. */
static void use(const volatile void *p)
{
	(void)*(const volatile uint8_t *)p;
}

enum op { OP_MEMSET, OP_MEMCPY_IN, OP_MEMCPY_OUT, NOP };
static const char *const op_name[NOP] = { "memset", "memcpy in", "memcpy out" };

static uint64_t run_op(enum op op, uint8_t *buf, uint8_t *src, uint8_t *sink,
		       size_t size, int rep)
{
	uint64_t t0 = now_ns();

	switch (op) {
	case OP_MEMSET:
		memset(buf, rep & 0xff, size);
		break;
	case OP_MEMCPY_IN:
		memcpy(buf, src, size);
		break;
	default:
		memcpy(sink, buf, size);
		break;
	}
	use(buf + size - 1);
	use(sink + size - 1);
	return now_ns() - t0;
}

/* An allocation of size bytes, locked for CPU access; NULL on failure. */
static uint8_t *map_allocation(size_t size, NTSTATUS *status, const char **what)
{
	D3DKMT_ADAPTERINFO list[D3DKMT_ADAPTERS_MAX];
	D3DKMT_ENUMADAPTERS3 e = {
		.filter = D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY,
		.adapter_count = D3DKMT_ADAPTERS_MAX,
		.adapters = (__u64)(uintptr_t)list,
	};
	D3DKMT_CREATEDEVICE dev = { 0 };
	D3DDDI_ALLOCATIONINFO2 ai;
	D3DKMT_CREATEALLOCATION ca;
	D3DKMT_LOCK2 lk;
	struct dxg_open_alloc_desc desc = { .version = DXG_OPEN_ALLOC_DESC_VERSION };

	memset(list, 0, sizeof(list));
	*what = "D3DKMTEnumAdapters3 (no adapter?)";
	*status = D3DKMTEnumAdapters3(&e);
	if (!NT_SUCCESS(*status) || !e.adapter_count)
		return NULL;
	dev.adapter = list[0].adapter_handle;
	*what = "D3DKMTCreateDevice";
	*status = D3DKMTCreateDevice(&dev);
	if (!NT_SUCCESS(*status))
		return NULL;
	desc.size = size;
	memset(&ai, 0, sizeof(ai));
	ai.priv_drv_data = (uintptr_t)&desc;
	ai.priv_drv_data_size = sizeof(desc);
	memset(&ca, 0, sizeof(ca));
	ca.device = dev.device;
	ca.alloc_count = 1;
	ca.allocation_info = (uintptr_t)&ai;
	*what = "D3DKMTCreateAllocation2";
	*status = D3DKMTCreateAllocation2(&ca);
	if (!NT_SUCCESS(*status))
		return NULL;
	memset(&lk, 0, sizeof(lk));
	lk.device = dev.device;
	lk.allocation = ai.allocation;
	*what = "D3DKMTLock2";
	*status = D3DKMTLock2(&lk);
	if (!NT_SUCCESS(*status) || !lk.data)
		return NULL;
	return (uint8_t *)(uintptr_t)lk.data;
}

int main(int argc, char **argv)
{
	uint64_t t[2][NOP][REPS];
	size_t size = 4u << 20;
	uint8_t *mapped, *plain, *src, *sink;
	const char *what;
	NTSTATUS st;

	if (argc > 2 && !strcmp(argv[1], "--size"))
		size = (size_t)strtoul(argv[2], NULL, 0) & ~(size_t)4095;
	if (!size)
		size = 4096;

	mapped = map_allocation(size, &st, &what);
	if (!mapped)
		return fail(what, st);

	plain = aligned_alloc(4096, size);
	src = aligned_alloc(4096, size);
	sink = aligned_alloc(4096, size);
	if (!plain || !src || !sink) {
		perror("guest_bw: aligned_alloc");
		return 1;
	}
	/* Touch everything once: page faults are not bandwidth. */
	memset(plain, 1, size);
	memset(src, 2, size);
	memset(sink, 3, size);
	memset(mapped, 4, size);

	for (int r = 0; r < REPS; r++)
		for (int o = 0; o < NOP; o++) {
			/* Alternate which buffer goes first. */
			int first = r & 1;

			t[first][o][r] = run_op((enum op)o, first ? plain : mapped,
						src, sink, size, r);
			t[!first][o][r] = run_op((enum op)o, first ? mapped : plain,
						 src, sink, size, r);
		}

	printf("Guest bandwidth, %zu KiB buffers, %d repetitions (median)\n",
	       size >> 10, REPS);
	printf("  %-12s %14s %14s %8s\n", "operation", "mapped MB/s", "malloc MB/s",
	       "ratio");
	for (int o = 0; o < NOP; o++) {
		double tm = (double)median(t[0][o], REPS);
		double tp = (double)median(t[1][o], REPS);
		double ratio = tp / tm;		/* bandwidth mapped / plain */

		printf("  %-12s %14.0f %14.0f %7.3fx\n", op_name[o],
		       (double)size / tm * 1e3, (double)size / tp * 1e3, ratio);
		if (o == OP_MEMCPY_OUT)
			printf("INFO   guestbw  %-28s %6.3fx  (reads; not a goal)\n",
			       "read mapped/malloc", ratio);
		else
			printf("RESULT guestbw  %-28s %6.3fx  goal >= %.2fx  %s\n",
			       o == OP_MEMSET ? "memset mapped/malloc" :
			       "memcpy mapped/malloc", ratio, GOAL,
			       ratio >= GOAL ? "MET" : "NOT MET");
	}
	printf("guest_bw: OK\n");
	return 0;
}
