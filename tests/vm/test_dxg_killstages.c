// SPDX-License-Identifier: MIT
/*
 * A guest process killed at every stage of each operation, under load
 * (issue 12, docs/reliability.md §4): for each operation a child sets up
 * its device, says it is ready, and repeats the operation until it is
 * SIGKILLed; the kill comes after a delay that sweeps 0..~6 ms in steps,
 * so over the rounds it lands in every stage (before, inside and after the
 * host round trips, while pages are pinned, while work runs).  Meanwhile
 * another process keeps the engine busy.  Afterwards the host holds none of
 * the killed processes' objects, every pinned page was released
 * (/proc/vmstat's FOLL_PIN counters balance), and /dev/dxg works.
 *
 * Operations: open + CreateDevice + close; an IO-space allocation mapped
 * at a GPU VA and destroyed; an existing-sysmem allocation (pinned user
 * pages) mapped and destroyed; a submission and a CPU wait for it; a sync
 * file created and polled; ShareObjects of a shared resource.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdenc.h"
#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define ROUNDS		24	/* kills per operation */
#define STEP_US		250	/* the delay grows by this each round */
#define PAGE		4096u

/* What a child needs for its operation (set up before it says ready). */
struct child {
	struct env e;
	struct cmdbuf pg;
	d3dkmthandle ctx, fence;
	uint64_t fv;
	uint8_t *user;		/* 16 pages of its own memory */
};

static void op_open(struct child *c)
{
	struct env e;

	if (!env_open(&e))
		close(e.fd);
	(void)c;
}

static void op_alloc(struct child *c)
{
	d3dkmthandle a;
	uint64_t va;

	if (alloc1(c->e.fd, c->e.device, 8 * PAGE, &a))
		return;
	map_va(&c->e, c->pg.pq, a, 8, &va);
	{
		struct d3dkmt_destroyallocation2 d = {
			.device = c->e.device, .alloc_count = 1,
			.allocations = (uintptr_t)&a,
		};

		xioctl(c->e.fd, LX_DXDESTROYALLOCATION2, &d);
	}
}

static void op_sysmem(struct child *c)
{
	struct dxg_open_alloc_desc d = {
		.version = DXG_OPEN_ALLOC_DESC_VERSION, .size = 16 * PAGE,
	};
	struct d3dddi_allocationinfo2 info = {
		.sysmem = (uintptr_t)c->user, .priv_drv_data = (uintptr_t)&d,
		.priv_drv_data_size = sizeof(d),
	};
	struct d3dkmt_createallocation ca = {
		.device = c->e.device, .alloc_count = 1,
		.allocation_info = (uintptr_t)&info,
	};
	struct d3dkmt_destroyallocation2 da = {
		.device = c->e.device, .alloc_count = 1,
		.allocations = (uintptr_t)&info.allocation,
	};
	uint64_t va;

	ca.flags.value = D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM;
	if (xioctl(c->e.fd, LX_DXCREATEALLOCATION, &ca))
		return;
	map_va(&c->e, c->pg.pq, info.allocation, 16, &va);
	xioctl(c->e.fd, LX_DXDESTROYALLOCATION2, &da);
}

static void op_submit(struct child *c)
{
	struct d3dkmt_submitcommand s = {
		.command_buffer = c->pg.va, .broadcast_context_count = 1,
	};
	struct dxg_enc enc;

	dxg_enc_init(&enc, c->pg.cpu, 1024, NULL, NULL);
	dxg_enc_fill(&enc, c->pg.va + 2048, 2048, 0x5a5a5a5au);
	s.command_length = dxg_enc_finish(&enc);
	s.broadcast_context[0] = c->ctx;
	if (!xioctl(c->e.fd, LX_DXSUBMITCOMMAND, &s) &&
	    !signal_gpu(&c->e, c->ctx, c->fence, ++c->fv))
		wait_cpu(&c->e, c->fence, c->fv, 0);
}

static void op_syncfile(struct child *c)
{
	struct d3dkmt_createsyncfile sf = {
		.device = c->e.device, .monitored_fence = c->fence,
		.fence_value = c->fv + 1, .sync_file_handle = ~0ull,
	};
	struct pollfd p = { .events = POLLIN };

	if (xioctl(c->e.fd, LX_DXCREATESYNCFILE, &sf))
		return;
	signal_cpu(&c->e, c->fence, ++c->fv);
	p.fd = (int)sf.sync_file_handle;
	poll(&p, 1, 2000);
	close(p.fd);
}

static void op_share(struct child *c)
{
	struct dxg_open_alloc_desc d = {
		.version = DXG_OPEN_ALLOC_DESC_VERSION, .size = PAGE,
	};
	struct d3dddi_allocationinfo2 info = {
		.priv_drv_data = (uintptr_t)&d, .priv_drv_data_size = sizeof(d),
	};
	struct d3dkmt_createallocation ca = {
		.device = c->e.device, .alloc_count = 1,
		.allocation_info = (uintptr_t)&info,
	};
	struct d3dkmt_shareobjects so = { .object_count = 1 };
	struct d3dkmt_destroyallocation2 da = { .device = c->e.device };
	uint64_t fd = ~0ull;

	ca.flags.value = D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE |
			 D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED |
			 D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING;
	if (xioctl(c->e.fd, LX_DXCREATEALLOCATION, &ca))
		return;
	so.objects = (uintptr_t)&ca.resource;
	so.shared_handle = (uintptr_t)&fd;
	if (!xioctl(c->e.fd, LX_DXSHAREOBJECTS, &so))
		close((int)fd);
	da.resource = ca.resource;
	xioctl(c->e.fd, LX_DXDESTROYALLOCATION2, &da);
}

static const struct {
	const char *name;
	void (*op)(struct child *c);
} ops[] = {
	{ "open+device", op_open },
	{ "allocation", op_alloc },
	{ "existing sysmem", op_sysmem },
	{ "submit+wait", op_submit },
	{ "sync file", op_syncfile },
	{ "share", op_share },
};

static int child_setup(struct child *c)
{
	memset(c, 0, sizeof(*c));
	c->user = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->user == MAP_FAILED || env_open(&c->e) || context(&c->e, &c->ctx) ||
	    cmdbuf_make(&c->e, &c->pg) ||
	    fence_create(&c->e, c->e.device, 0, &c->fence, NULL))
		return -1;
	memset(c->user, 1, 16 * PAGE);
	return 0;
}

/* Runs op in a child until killed after delay_us; 0 if it got that far. */
static int round_once(void (*op)(struct child *c), unsigned int delay_us)
{
	int p[2], st;
	char ok = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		struct child c;

		close(p[0]);
		if (child_setup(&c))
			_exit(2);
		if (write(p[1], "R", 1) != 1)
			_exit(3);
		for (;;)
			op(&c);
	}
	close(p[1]);
	if (read(p[0], &ok, 1) == 1)
		usleep(delay_us);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(p[0]);
	return ok == 'R' ? 0 : -1;
}

/* Another process keeps the engine busy until told to stop. */
static pid_t load_start(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct child c;

		if (child_setup(&c))
			_exit(2);
		for (;;)
			op_submit(&c);
	}
	return pid;
}

int main(void)
{
	long objs = host_stat("dxg_host_objects"), procs, pins = pins_held();
	pid_t load;
	int st;

	check("FOLL_PIN counters readable", pins >= 0, "%ld", pins);
	load = load_start();
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		int ready = 0;

		for (unsigned int k = 0; k < ROUNDS; k++)
			ready += !round_once(ops[i].op, (k * STEP_US) % 6000);
		check(ops[i].name, ready == ROUNDS,
		      "the child was ready in %d of %d rounds", ready, ROUNDS);
	}
	kill(load, SIGKILL);
	waitpid(load, &st, 0);
	/* The host drops a killed process when its file is released. */
	for (int i = 0; i < 100; i++) {
		procs = host_stat("dxg_host_processes");
		if (procs == 0 && host_stat("dxg_host_objects") == objs)
			break;
		usleep(100000);
	}
	check("killed at every stage: no host process left",
	      host_stat("dxg_host_processes") == 0, "%ld",
	      host_stat("dxg_host_processes"));
	check("killed at every stage: host objects back to the baseline",
	      host_stat("dxg_host_objects") == objs, "%ld -> %ld", objs,
	      host_stat("dxg_host_objects"));
	check("killed at every stage: every pinned page released",
	      pins_held() == pins, "%ld -> %ld", pins, pins_held());
	{
		struct env e;

		check("/dev/dxg works afterwards", env_open(&e) == 0, "%s",
		      strerror(errno));
		close(e.fd);
	}
	printf("%s test_dxg_killstages: %d failure(s)\n",
	       failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
