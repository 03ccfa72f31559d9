// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of scheduling priority, device error state and the
 * observability ioctls (docs/ioctls.md, docs/sync.md): the ORDER in which
 * queued work of contexts of different priorities runs (each job records
 * which job ran before it), Set/GetContext[InProcess]SchedulingPriority,
 * MarkDeviceAsError, GetDeviceState of every type, QueryStatistics,
 * QueryClockCalibration, EnumProcesses and IsFeatureEnabled, with bad
 * input (bad and foreign handles, wrong types, sizes and pointers).
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE	4096u
#define NJOBS	4		/* three low contexts and one raised */
#define SLOT	2048u		/* the id of the job that ran last */
#define REC	2064u		/* job i's record: the slot when it ran */

static int destroy_context(struct env *e, d3dkmthandle ctx)
{
	struct d3dkmt_destroycontext d = { .context = ctx };

	return xioctl(e->fd, LX_DXDESTROYCONTEXT, &d);
}

static int fence(struct env *e, d3dkmthandle *h)
{
	struct d3dkmt_createsynchronizationobject2 c = { .device = e->device };
	int r;

	c.info.type = D3DDDI_MONITORED_FENCE;
	r = xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c);
	*h = c.sync_object;
	return r;
}

static int submit(struct env *e, d3dkmthandle ctx, uint64_t va, uint32_t len)
{
	struct d3dkmt_submitcommand s = {
		.command_buffer = va, .command_length = len,
		.broadcast_context_count = 1,
	};

	s.broadcast_context[0] = ctx;
	return xioctl(e->fd, LX_DXSUBMITCOMMAND, &s);
}

/*
 * Job i's buffer at 256 i: COPY the slot to its record, FILL the slot
 * with i + 1.  Afterwards record i holds the id of the job before it.
 */
static uint32_t job(struct cmdbuf *pg, unsigned int i)
{
	struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.num_commands = 2,
	};
	struct dxg_cmd_copy c = {
		.hdr = { .opcode = DXG_CMD_COPY, .size_bytes = sizeof(c) },
		.src_va = pg->va + SLOT, .dst_va = pg->va + REC + 16 * i,
		.size = 16,
	};
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = pg->va + SLOT, .size = 16, .pattern = i + 1,
	};
	uint8_t *b = pg->cpu + 256 * i;

	h.size_bytes = sizeof(h) + sizeof(c) + sizeof(f);
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), &c, sizeof(c));
	memcpy(b + sizeof(h) + sizeof(c), &f, sizeof(f));
	return h.size_bytes;
}

static uint32_t rec(struct cmdbuf *pg, unsigned int i)
{
	uint32_t v;

	memcpy(&v, pg->cpu + REC + 16 * i, 4);
	return v;
}

static int set_prio(int fd, unsigned long req, d3dkmthandle ctx, int32_t p)
{
	struct d3dkmt_setcontextschedulingpriority s = {
		.context = ctx, .priority = p,
	};

	return xioctl(fd, req, &s);
}

static int get_prio(int fd, unsigned long req, d3dkmthandle ctx, int32_t *p)
{
	struct d3dkmt_getcontextschedulingpriority g = { .context = ctx };
	int r = xioctl(fd, req, &g);

	*p = g.priority;
	return r;
}

enum raise { NONE, BEFORE, QUEUED, INPROC_QUEUED };

/*
 * Contexts 0..2 queue a job each behind a gate (a GPU wait on a fence the
 * CPU signals last), context 3 queues its job after them; `how` raises
 * context 3: before it queues, after everything queued, or by its
 * in-process priority.  Returns the job order as "3012"-style digits.
 */
static void order_run(struct env *e, struct cmdbuf *pg, enum raise how,
		      char out[NJOBS + 1])
{
	d3dkmthandle ctx[NJOBS], done[NJOBS], gate;
	unsigned int i, n = 0;
	uint32_t prev = 0;

	memset(pg->cpu + SLOT, 0, PAGE - SLOT);
	memset(out, '?', NJOBS);
	out[NJOBS] = 0;
	if (fence(e, &gate))
		return;
	for (i = 0; i < NJOBS; i++)
		if (context(e, &ctx[i]) || fence(e, &done[i]))
			return;
	for (i = 0; i < NJOBS; i++) {
		if (i == NJOBS - 1 && how == BEFORE &&
		    set_prio(e->fd, LX_DXSETCONTEXTSCHEDULINGPRIORITY, ctx[i], 5))
			return;
		if (wait_gpu(e, ctx[i], gate, 1) ||
		    submit(e, ctx[i], pg->va + 256 * i, job(pg, i)) ||
		    signal_gpu(e, ctx[i], done[i], 1))
			return;
	}
	if (how == QUEUED)
		set_prio(e->fd, LX_DXSETCONTEXTSCHEDULINGPRIORITY, ctx[NJOBS - 1], 3);
	if (how == INPROC_QUEUED)
		set_prio(e->fd, LX_DXSETCONTEXTINPROCESSSCHEDULINGPRIORITY,
			 ctx[NJOBS - 1], 2);
	/* Nothing ran yet: every queue waits at the gate. */
	for (i = 0; i < NJOBS; i++)
		if (rec(pg, i) != 0)
			return;
	signal_cpu(e, gate, 1);
	for (i = 0; i < NJOBS; i++)
		if (wait_cpu(e, done[i], 1, 0))
			return;
	/* Follow the chain: the job whose record is the previous job's id. */
	for (n = 0; n < NJOBS; n++) {
		for (i = 0; i < NJOBS && rec(pg, i) != prev; i++)
			;
		if (i == NJOBS)
			break;
		out[n] = (char)('0' + i);
		prev = i + 1;
	}
	for (i = 0; i < NJOBS; i++)
		destroy_context(e, ctx[i]);
}

static void test_priority_order(struct env *e)
{
	struct cmdbuf pg;
	char order[NJOBS + 1];

	if (cmdbuf_make(e, &pg)) {
		fail("priority setup", "%s", strerror(errno));
		return;
	}
	order_run(e, &pg, NONE, order);
	check("equal priorities run in queue order", !strcmp(order, "0123"),
	      "order %s", order);
	order_run(e, &pg, BEFORE, order);
	check("a raised context's queued work overtakes the low ones",
	      !strcmp(order, "3012"), "order %s", order);
	order_run(e, &pg, QUEUED, order);
	check("raised while queued: its work still goes first",
	      !strcmp(order, "3012"), "order %s", order);
	order_run(e, &pg, INPROC_QUEUED, order);
	check("in-process priority orders equals", !strcmp(order, "3012"),
	      "order %s", order);
}

static void test_priority_api(struct env *e)
{
	d3dkmthandle ctx, other_ctx;
	struct env o;
	int32_t p = 99;

	if (context(e, &ctx)) {
		fail("priority api setup", "%s", strerror(errno));
		return;
	}
	expect("SetContextSchedulingPriority 5",
	       set_prio(e->fd, LX_DXSETCONTEXTSCHEDULINGPRIORITY, ctx, 5), 0);
	expect("GetContextSchedulingPriority",
	       get_prio(e->fd, LX_DXGETCONTEXTSCHEDULINGPRIORITY, ctx, &p), 0);
	expect("GetContextSchedulingPriority -> 5", p, 5);
	expect("SetContextInProcessSchedulingPriority -3",
	       set_prio(e->fd, LX_DXSETCONTEXTINPROCESSSCHEDULINGPRIORITY, ctx, -3), 0);
	get_prio(e->fd, LX_DXGETCONTEXTINPROCESSSCHEDULINGPRIORITY, ctx, &p);
	expect("GetContextInProcessSchedulingPriority -> -3", p, -3);
	get_prio(e->fd, LX_DXGETCONTEXTSCHEDULINGPRIORITY, ctx, &p);
	expect("the scheduling priority is its own", p, 5);
	expect("priority 8 -> EINVAL",
	       set_prio(e->fd, LX_DXSETCONTEXTSCHEDULINGPRIORITY, ctx, 8), -EINVAL);
	expect("in-process priority -8 -> EINVAL",
	       set_prio(e->fd, LX_DXSETCONTEXTINPROCESSSCHEDULINGPRIORITY, ctx, -8),
	       -EINVAL);
	expect("set priority of a bad handle -> EINVAL",
	       set_prio(e->fd, LX_DXSETCONTEXTSCHEDULINGPRIORITY, 0x40000777, 1),
	       -EINVAL);
	expect("get priority of a device handle -> EINVAL",
	       get_prio(e->fd, LX_DXGETCONTEXTSCHEDULINGPRIORITY, e->device, &p),
	       -EINVAL);
	if (env_open(&o) == 0 && context(&o, &other_ctx) == 0) {
		expect("another process's context -> EINVAL",
		       set_prio(e->fd, LX_DXSETCONTEXTSCHEDULINGPRIORITY,
				other_ctx, 1), -EINVAL);
		get_prio(o.fd, LX_DXGETCONTEXTSCHEDULINGPRIORITY, other_ctx, &p);
		expect("... and its priority is untouched", p, 0);
		close(o.fd);
	}
	expect("GetContextSchedulingPriority NULL -> EFAULT",
	       xioctl(e->fd, LX_DXGETCONTEXTSCHEDULINGPRIORITY, NULL), -EFAULT);
	expect("SetContextSchedulingPriority wrong size -> ENOTTY",
	       xioctl(e->fd, _IOWR('G', 0x30, uint32_t), &p), -ENOTTY);
	destroy_context(e, ctx);
	expect("priority of a destroyed context -> EINVAL",
	       set_prio(e->fd, LX_DXSETCONTEXTSCHEDULINGPRIORITY, ctx, 1), -EINVAL);
}

static void test_device_state(void)
{
	static const uint32_t present[] = {
		D3DKMT_DEVICESTATE_PRESENT, D3DKMT_DEVICESTATE_PRESENT_DWM,
		D3DKMT_DEVICESTATE_PRESENT_QUEUE,
	};
	struct d3dkmt_getdevicestate s;
	struct d3dkmt_markdeviceaserror m = { 0 };
	struct env e, o;
	struct cmdbuf pg;
	d3dkmthandle ctx, f;
	uint32_t w;

	if (env_open(&e) || env_open(&o) || cmdbuf_make(&e, &pg) ||
	    context(&e, &ctx) || fence(&e, &f)) {
		fail("device state setup", "%s", strerror(errno));
		return;
	}
	expect("EXECUTION: active", exec_state(&e), D3DKMT_DEVICEEXECUTION_ACTIVE);
	memset(&s, 0xff, sizeof(s));
	s.device = e.device;
	s.state_type = D3DKMT_DEVICESTATE_RESET;
	expect("RESET", xioctl(e.fd, LX_DXGETDEVICESTATE, &s), 0);
	expect("RESET: no reset flags", s.reset_state.value, 0);
	memset(&s, 0xff, sizeof(s));
	s.device = e.device;
	s.state_type = D3DKMT_DEVICESTATE_PAGE_FAULT;
	expect("PAGE_FAULT", xioctl(e.fd, LX_DXGETDEVICESTATE, &s), 0);
	expect("PAGE_FAULT: no fault address",
	       (int)s.page_fault_state.faulted_virtual_address, 0);
	for (size_t i = 0; i < 3; i++) {
		char what[64];

		memset(&s, 0, sizeof(s));
		s.device = e.device;
		s.state_type = present[i];
		snprintf(what, sizeof(what), "state type %u (no VidPN source) -> EINVAL",
			 present[i]);
		expect(what, xioctl(e.fd, LX_DXGETDEVICESTATE, &s), -EINVAL);
	}
	s.state_type = 0;
	expect("state type 0 -> EINVAL", xioctl(e.fd, LX_DXGETDEVICESTATE, &s),
	       -EINVAL);
	s.state_type = 7;
	expect("state type 7 -> EINVAL", xioctl(e.fd, LX_DXGETDEVICESTATE, &s),
	       -EINVAL);
	s.device = o.device;		/* another process's handle */
	s.state_type = D3DKMT_DEVICESTATE_EXECUTION;
	expect("another process's device -> EINVAL",
	       xioctl(e.fd, LX_DXGETDEVICESTATE, &s), -EINVAL);

	/* MarkDeviceAsError: the reason is checked, then the device errs. */
	m.device = e.device;
	m.reason = 7;
	expect("MarkDeviceAsError bad reason -> EINVAL",
	       xioctl(e.fd, LX_DXMARKDEVICEASERROR, &m), -EINVAL);
	m.reason = D3DKMT_DEVICE_ERROR_REASON_GENERIC;
	m.device = 0x40000777;
	expect("MarkDeviceAsError bad handle -> EINVAL",
	       xioctl(e.fd, LX_DXMARKDEVICEASERROR, &m), -EINVAL);
	m.device = ctx;
	expect("MarkDeviceAsError of a context handle -> EINVAL",
	       xioctl(e.fd, LX_DXMARKDEVICEASERROR, &m), -EINVAL);
	m.device = o.device;
	expect("MarkDeviceAsError of another process's device -> EINVAL",
	       xioctl(e.fd, LX_DXMARKDEVICEASERROR, &m), -EINVAL);
	expect("MarkDeviceAsError NULL -> EFAULT",
	       xioctl(e.fd, LX_DXMARKDEVICEASERROR, NULL), -EFAULT);
	expect("still active", exec_state(&e), D3DKMT_DEVICEEXECUTION_ACTIVE);
	m.device = e.device;
	m.reason = D3DKMT_DEVICE_ERROR_REASON_DRIVER_ERROR;
	expect("MarkDeviceAsError", xioctl(e.fd, LX_DXMARKDEVICEASERROR, &m), 0);
	expect("GetDeviceState: error", exec_state(&e),
	       D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT);
	/* New work is refused: a FILL submitted now never runs. */
	memset(pg.cpu + SLOT, 0, 16);
	submit(&e, ctx, pg.va, job(&pg, 0));
	signal_gpu(&e, ctx, f, 1);
	expect("the signal behind the refused work", wait_cpu(&e, f, 1, 0), 0);
	memcpy(&w, pg.cpu + SLOT, 4);
	expect("the errored device ran nothing", (int)w, 0);
	expect("another process's device stays active", exec_state(&o),
	       D3DKMT_DEVICEEXECUTION_ACTIVE);
	close(o.fd);
	close(e.fd);
}

static int adapter_luid(struct env *e, struct winluid *luid)
{
	struct d3dkmt_adapterinfo info[D3DKMT_ADAPTERS_MAX];
	struct d3dkmt_enumadapters2 en = {
		.num_adapters = D3DKMT_ADAPTERS_MAX, .adapters = (uintptr_t)info,
	};
	struct d3dkmt_closeadapter c;

	if (xioctl(e->fd, LX_DXENUMADAPTERS2, &en) || !en.num_adapters)
		return -1;
	*luid = info[0].adapter_luid;
	for (uint32_t i = 0; i < en.num_adapters; i++) {
		c.adapter_handle = info[i].adapter_handle;
		xioctl(e->fd, LX_DXCLOSEADAPTER, &c);
	}
	return 0;
}

static int stats(struct env *e, struct winluid luid, uint32_t type,
		 uint64_t process, uint32_t seg, struct d3dkmt_querystatistics *q)
{
	memset(q, 0, sizeof(*q));
	q->type = type;
	q->adapter_luid = luid;
	q->process = process;
	q->query.segment_id = seg;
	return xioctl(e->fd, LX_DXQUERYSTATISTICS, q);
}

/* Allocations and bytes over every segment (VM-wide, or the process's). */
static void seg_sum(struct env *e, struct winluid luid, uint32_t nseg,
		    int process, uint64_t *bytes, uint32_t *allocs)
{
	static struct d3dkmt_querystatistics q;

	*bytes = 0;
	*allocs = 0;
	for (uint32_t s = 0; s < nseg; s++) {
		if (process) {
			struct d3dkmt_querystatistics_process_segment_information ps;

			stats(e, luid, D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT, 0, s, &q);
			memcpy(&ps, q.result.data, sizeof(ps));
			*bytes += ps.bytes_committed;
			*allocs += ps.allocs_committed;
		} else {
			struct d3dkmt_querystatistics_segment_information si;

			stats(e, luid, D3DKMT_QUERYSTATISTICS_SEGMENT, 0, s, &q);
			memcpy(&si, q.result.data, sizeof(si));
			*allocs += si.memory.allocs_committed;
			*bytes += si.bytes_committed;
		}
	}
}

static void test_statistics(struct env *e)
{
	static struct d3dkmt_querystatistics q;
	struct d3dkmt_querystatistics_adapter_information ai;
	struct d3dkmt_querystatistics_segment_information si;
	struct d3dkmt_querystatistics_process_information pi;
	struct winluid luid, bad = { 0x12345, 0x6789 };
	uint64_t b0, b1, pb0, pb1;
	uint32_t a0, a1, pa0, pa1;
	d3dkmthandle alloc;

	if (adapter_luid(e, &luid)) {
		fail("statistics setup", "%s", strerror(errno));
		return;
	}
	expect("QueryStatistics ADAPTER",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_ADAPTER, 0, 0, &q), 0);
	memcpy(&ai, q.result.data, sizeof(ai));
	check("adapter: segments and nodes", ai.nb_segments >= 1 &&
	      ai.nb_segments <= 2 && ai.node_count >= 1, "%u segments, %u nodes",
	      ai.nb_segments, ai.node_count);
	expect("QueryStatistics SEGMENT 0",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_SEGMENT, 0, 0, &q), 0);
	memcpy(&si, q.result.data, sizeof(si));
	check("segment 0: the IO space, in use", si.commit_limit > 0 &&
	      si.bytes_committed > 0 && si.bytes_committed <= si.commit_limit &&
	      si.aperture == 1, "limit %llu committed %llu",
	      (unsigned long long)si.commit_limit,
	      (unsigned long long)si.bytes_committed);

	/* A 64 KiB allocation shows in the VM's and the process's figures. */
	seg_sum(e, luid, ai.nb_segments, 0, &b0, &a0);
	seg_sum(e, luid, ai.nb_segments, 1, &pb0, &pa0);
	if (alloc1(e->fd, e->device, 65536, &alloc)) {
		fail("statistics allocation", "%s", strerror(errno));
		return;
	}
	seg_sum(e, luid, ai.nb_segments, 0, &b1, &a1);
	seg_sum(e, luid, ai.nb_segments, 1, &pb1, &pa1);
	expect("segments: one allocation more", (int)(a1 - a0), 1);
	check("segments: its bytes committed", b1 - b0 >= 65536, "%llu",
	      (unsigned long long)(b1 - b0));
	expect("process segments: one allocation more", (int)(pa1 - pa0), 1);
	expect("process segments: exactly its bytes", (int)(pb1 - pb0), 65536);
	expect("QueryStatistics PROCESS by pid",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_PROCESS, (uint64_t)getpid(),
		     0, &q), 0);
	memcpy(&pi, q.result.data, sizeof(pi));
	check("process: system memory allocated", ai.nb_segments == 2 ||
	      pi.system_memory.bytes_allocated >= 65536, "%llu",
	      (unsigned long long)pi.system_memory.bytes_allocated);
	{
		struct d3dkmt_destroyallocation2 d = {
			.device = e->device, .allocations = (uintptr_t)&alloc,
			.alloc_count = 1,
		};

		xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d);
	}
	seg_sum(e, luid, ai.nb_segments, 1, &pb1, &pa1);
	expect("process segments: back after the destroy", (int)(pb1 - pb0), 0);
	expect("QueryStatistics PROCESS_ADAPTER",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_PROCESS_ADAPTER, 0, 0, &q), 0);

	/* Bad input. */
	expect("segment beyond the adapter's -> EINVAL",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_SEGMENT, 0, 5, &q), -EINVAL);
	expect("unknown adapter LUID -> EINVAL",
	       stats(e, bad, D3DKMT_QUERYSTATISTICS_ADAPTER, 0, 0, &q), -EINVAL);
	expect("pid 1 (no /dev/dxg user) -> EINVAL",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_PROCESS, 1, 0, &q), -EINVAL);
	expect("no such pid -> EINVAL",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_PROCESS, 1u << 30, 0, &q),
	       -EINVAL);
	expect("pid beyond 32 bits -> EINVAL",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_PROCESS, 1ull << 40, 0, &q),
	       -EINVAL);
	expect("QueryStatistics NODE 0",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_NODE, 0, 0, &q), 0);
	{
		struct d3dkmt_querystatistics_node_information ni;

		memcpy(&ni, q.result.data, sizeof(ni));
		check("node 0: running time and jobs counted",
		      ni.global_information.running_time >= 0 &&
		      ni.global_information.context_switch > 0,
		      "running %lld, %u jobs",
		      (long long)ni.global_information.running_time,
		      ni.global_information.context_switch);
	}
	expect("node beyond the adapter's -> EINVAL",
	       stats(e, luid, D3DKMT_QUERYSTATISTICS_NODE, 0, ai.node_count, &q),
	       -EINVAL);
	/*
	 * PROCESS_NODE: this open's host process ran the priority test's
	 * jobs (its share of the node's time, no more); a new open, none.
	 */
	{
		struct d3dkmt_querystatistics_node_information ni;
		struct d3dkmt_querystatistics_process_node_information pn;
		struct env o;

		expect("QueryStatistics PROCESS_NODE 0",
		       stats(e, luid, D3DKMT_QUERYSTATISTICS_PROCESS_NODE, 0, 0, &q),
		       0);
		memcpy(&pn, q.result.data, sizeof(pn));
		expect("QueryStatistics NODE 0 after it",
		       stats(e, luid, D3DKMT_QUERYSTATISTICS_NODE, 0, 0, &q), 0);
		memcpy(&ni, q.result.data, sizeof(ni));
		check("process node 0: its jobs, within the node's figures",
		      pn.context_switch >= 4 && pn.running_time >= 0 &&
		      pn.context_switch <= ni.global_information.context_switch &&
		      pn.running_time <= ni.global_information.running_time,
		      "process %lld / %u jobs, node %lld / %u jobs",
		      (long long)pn.running_time, pn.context_switch,
		      (long long)ni.global_information.running_time,
		      ni.global_information.context_switch);
		if (env_open(&o) == 0) {
			expect("PROCESS_NODE of a new open",
			       stats(&o, luid, D3DKMT_QUERYSTATISTICS_PROCESS_NODE,
				     0, 0, &q), 0);
			memcpy(&pn, q.result.data, sizeof(pn));
			check("... nothing run", pn.running_time == 0 &&
			      pn.context_switch == 0, "%lld / %u jobs",
			      (long long)pn.running_time, pn.context_switch);
			close(o.fd);
		}
		expect("PROCESS_NODE beyond the adapter's nodes -> EINVAL",
		       stats(e, luid, D3DKMT_QUERYSTATISTICS_PROCESS_NODE, 0,
			     ai.node_count, &q), -EINVAL);
	}
	expect("unknown type -> EPERM",
	       stats(e, luid, 0x777, 0, 0, &q), -EPERM);
	expect("QueryStatistics NULL -> EFAULT",
	       xioctl(e->fd, LX_DXQUERYSTATISTICS, NULL), -EFAULT);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void test_clock(struct env *e)
{
	struct d3dkmt_queryclockcalibration c = { .adapter = e->adapter };
	struct dxgk_gpuclockdata d1, d2;
	uint64_t t0, t1;

	t0 = now_ns();
	expect("QueryClockCalibration", xioctl(e->fd, LX_DXQUERYCLOCKCALIBRATION, &c),
	       0);
	t1 = now_ns();
	memcpy(&d1, &c.clock_data, sizeof(d1));
	check("GPU frequency 1 GHz (ns)", d1.gpu_frequency == 1000000000u, "%llu",
	      (unsigned long long)d1.gpu_frequency);
	check("CPU counter within the call (CLOCK_MONOTONIC ns)",
	      d1.cpu_clock_counter >= t0 && d1.cpu_clock_counter <= t1,
	      "%llu not in [%llu, %llu]", (unsigned long long)d1.cpu_clock_counter,
	      (unsigned long long)t0, (unsigned long long)t1);
	usleep(2000);
	xioctl(e->fd, LX_DXQUERYCLOCKCALIBRATION, &c);
	memcpy(&d2, &c.clock_data, sizeof(d2));
	check("both clocks advance together (within 50 ms)",
	      d2.gpu_clock_counter > d1.gpu_clock_counter &&
	      d2.cpu_clock_counter > d1.cpu_clock_counter &&
	      llabs((long long)(d2.gpu_clock_counter - d1.gpu_clock_counter) -
		    (long long)(d2.cpu_clock_counter - d1.cpu_clock_counter)) <
	      50000000, "gpu +%llu cpu +%llu",
	      (unsigned long long)(d2.gpu_clock_counter - d1.gpu_clock_counter),
	      (unsigned long long)(d2.cpu_clock_counter - d1.cpu_clock_counter));
	c.node_ordinal = 99;
	expect("node 99 -> EINVAL", xioctl(e->fd, LX_DXQUERYCLOCKCALIBRATION, &c),
	       -EINVAL);
	c.node_ordinal = 0;
	c.adapter = e->device;
	expect("a device handle as adapter -> EINVAL",
	       xioctl(e->fd, LX_DXQUERYCLOCKCALIBRATION, &c), -EINVAL);
	expect("QueryClockCalibration NULL -> EFAULT",
	       xioctl(e->fd, LX_DXQUERYCLOCKCALIBRATION, NULL), -EFAULT);
}

static int enum_procs(struct env *e, struct winluid luid, uint32_t *buf,
		      uint64_t *count)
{
	struct d3dkmt_enumprocesses p = {
		.adapter_luid = luid, .buffer = (uintptr_t)buf,
		.buffer_count = *count,
	};
	int r = xioctl(e->fd, LX_DXENUMPROCESSES, &p);

	*count = p.buffer_count;
	return r;
}

static int listed(const uint32_t *buf, uint64_t n, pid_t pid)
{
	for (uint64_t i = 0; i < n; i++)
		if (buf[i] == (uint32_t)pid)
			return 1;
	return 0;
}

static void test_enum_processes(struct env *e)
{
	struct winluid luid, bad = { 0x12345, 0x6789 };
	uint32_t buf[64];
	uint64_t n = 64, n2;
	int go[2], ready[2];
	pid_t child;
	char c = 0;

	if (adapter_luid(e, &luid)) {
		fail("enum processes setup", "%s", strerror(errno));
		return;
	}
	expect("EnumProcesses", enum_procs(e, luid, buf, &n), 0);
	check("this process is listed", listed(buf, n, getpid()), "%llu listed",
	      (unsigned long long)n);
	n2 = 0;
	expect("NULL buffer -> EOVERFLOW", enum_procs(e, luid, NULL, &n2),
	       -EOVERFLOW);
	expect("... with the count", (int)n2, (int)n);
	n2 = 0;
	expect("zero-length buffer -> EOVERFLOW", enum_procs(e, luid, buf, &n2),
	       -EOVERFLOW);
	n2 = (1ull << 32) | 64;
	expect("count with high bits", enum_procs(e, luid, buf, &n2), 0);
	check("only the count's low 32 bits are written (as the reference)",
	      n2 == ((1ull << 32) | n), "%#llx", (unsigned long long)n2);
	n2 = 64;
	expect("unknown LUID -> EINVAL", enum_procs(e, bad, buf, &n2), -EINVAL);
	n2 = 64;
	expect("unmapped buffer -> EFAULT", enum_procs(e, luid, (uint32_t *)16, &n2),
	       -EFAULT);
	expect("EnumProcesses NULL -> EFAULT",
	       xioctl(e->fd, LX_DXENUMPROCESSES, NULL), -EFAULT);

	/* A child with the adapter open is listed while it lives. */
	if (pipe(go) || pipe(ready))
		return;
	child = fork();
	if (child == 0) {
		struct env ce;

		close(go[1]);
		close(ready[0]);
		c = env_open(&ce) ? 'n' : 'y';
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		fail("enum processes child", "no adapter in the child");
	} else {
		n = 64;
		enum_procs(e, luid, buf, &n);
		check("a child using the adapter is listed", listed(buf, n, child),
		      "%llu listed", (unsigned long long)n);
	}
	close(go[1]);
	waitpid(child, NULL, 0);
	n = 64;
	enum_procs(e, luid, buf, &n);
	check("... and not after it exited", !listed(buf, n, child), "%llu listed",
	      (unsigned long long)n);
	close(ready[0]);
}

static void test_feature(struct env *e)
{
	struct d3dkmt_isfeatureenabled f = {
		.adapter = e->adapter, .feature_id = DXGK_FEATURE_HWSCH,
	};

	expect("IsFeatureEnabled HWSCH", xioctl(e->fd, LX_ISFEATUREENABLED, &f), 0);
	expect("HWSCH: known, on (hw queues)", f.result.value,
	       DXGK_ISFEATUREENABLED_KNOWN_FEATURE |
	       DXGK_ISFEATUREENABLED_ENABLED |
	       DXGK_ISFEATUREENABLED_SUPPORTED_BY_DRIVER |
	       DXGK_ISFEATUREENABLED_SUPPORTED_ON_CONFIG);
	f.feature_id = DXGK_FEATURE_PAGE_BASED_MEMORY_MANAGER;
	xioctl(e->fd, LX_ISFEATUREENABLED, &f);
	expect("PAGE_BASED_MEMORY_MANAGER: known, off", f.result.value,
	       DXGK_ISFEATUREENABLED_KNOWN_FEATURE);
	f.feature_id = 1234;
	expect("an unknown feature", xioctl(e->fd, LX_ISFEATUREENABLED, &f), 0);
	expect("... is not known", f.result.value, 0);
	f.adapter = e->device;
	expect("a device handle as adapter -> EINVAL",
	       xioctl(e->fd, LX_ISFEATUREENABLED, &f), -EINVAL);
	f.adapter = 0;
	expect("no adapter -> EINVAL", xioctl(e->fd, LX_ISFEATUREENABLED, &f),
	       -EINVAL);
	expect("IsFeatureEnabled NULL -> EFAULT",
	       xioctl(e->fd, LX_ISFEATUREENABLED, NULL), -EFAULT);
}

int main(void)
{
	struct env e;

	if (env_open(&e)) {
		fail("open", "no /dev/dxg adapter: %s", strerror(errno));
		return 1;
	}
	test_priority_order(&e);
	test_priority_api(&e);
	test_device_state();
	test_statistics(&e);
	test_clock(&e);
	test_enum_processes(&e);
	test_feature(&e);
	close(e.fd);
	printf("%s test_dxg_sched: %d failure(s)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
