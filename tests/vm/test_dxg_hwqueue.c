// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of hardware queues on /dev/dxg (docs/sync.md §8), run
 * inside a guest with dxgkrnl.ko and a dxghost: CreateHwQueue and its
 * progress fence (mapped read-only, readable, advancing as submissions on
 * the queue complete), the adapter's WDDM 2.7 caps, submissions ordered
 * behind GPU waits on the queue and released by signals from another queue
 * or a context, the progress fence as an ordinary fence (CPU and GPU
 * waits), destroying a queue, its context or its device with work pending,
 * a process killed with hw queues, and bad handles, sizes and counts; the
 * legacy SignalSynchronizationObject2 / WaitForSynchronizationObject2, a
 * broadcast signal from several contexts and hw queues, ENQUEUE_CPU_EVENT;
 * SignalSynchronizationObjectFromGpu2 (values, broadcast, CPU event).
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
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE	4096u

struct hwq {
	d3dkmthandle queue, fence;
	volatile uint64_t *page;
	uint64_t gpu_va;
};

static int hwq_create(struct env *e, d3dkmthandle ctx, struct hwq *q)
{
	struct d3dkmt_createhwqueue c = { .context = ctx };
	int r = xioctl(e->fd, LX_DXCREATEHWQUEUE, &c);

	q->queue = c.queue;
	q->fence = c.queue_progress_fence;
	q->page = (volatile uint64_t *)(uintptr_t)c.queue_progress_fence_cpu_va;
	q->gpu_va = c.queue_progress_fence_gpu_va;
	return r;
}

static int hwq_destroy(struct env *e, d3dkmthandle q)
{
	struct d3dkmt_destroyhwqueue d = { .queue = q };

	return xioctl(e->fd, LX_DXDESTROYHWQUEUE, &d);
}

static int hwq_submit(struct env *e, d3dkmthandle q, uint64_t progress,
		      uint64_t va, uint32_t len)
{
	struct d3dkmt_submitcommandtohwqueue s = {
		.hwqueue = q, .hwqueue_progress_fence_id = progress,
		.command_buffer = va, .command_length = len,
	};

	return xioctl(e->fd, LX_DXSUBMITCOMMANDTOHWQUEUE, &s);
}

static int hwq_signal(struct env *e, d3dkmthandle q, d3dkmthandle h,
		      uint64_t v)
{
	struct d3dkmt_submitsignalsyncobjectstohwqueue s = {
		.hwqueue_count = 1, .hwqueues = (uintptr_t)&q,
		.object_count = 1, .objects = (uintptr_t)&h,
		.fence_values = (uintptr_t)&v,
	};

	return xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s);
}

static int hwq_wait(struct env *e, d3dkmthandle q, d3dkmthandle h, uint64_t v)
{
	struct d3dkmt_submitwaitforsyncobjectstohwqueue w = {
		.hwqueue = q, .object_count = 1, .objects = (uintptr_t)&h,
		.fence_values = (uintptr_t)&v,
	};

	return xioctl(e->fd, LX_DXSUBMITWAITFORSYNCOBJECTSTOHWQUEUE, &w);
}

/* header + NOP (+ FILL of 16 bytes at fill_va when non-zero), at `at`. */
static uint32_t build(struct cmdbuf *b, uint32_t at, uint64_t fill_va,
		      uint32_t pattern)
{
	struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
	};
	struct dxg_cmd_header nop = { .opcode = DXG_CMD_NOP, .size_bytes = 16 };
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = fill_va, .size = 16, .pattern = pattern,
	};
	uint8_t *p = b->cpu + at;
	uint32_t len = sizeof(h);

	memset(p, 0, 512);
	memcpy(p + len, &nop, sizeof(nop));
	len += 16;
	h.num_commands = 1;
	if (fill_va) {
		memcpy(p + len, &f, sizeof(f));
		len += sizeof(f);
		h.num_commands++;
	}
	h.size_bytes = len;
	memcpy(p, &h, sizeof(h));
	return len;
}

static long host_objects_settled(long want)
{
	for (int i = 0; i < 50 && host_stat("dxg_host_objects") != want; i++)
		usleep(100 * 1000);
	return host_stat("dxg_host_objects");
}

static void test_caps(struct env *e)
{
	struct d3dkmt_wddm_2_7_caps caps = { 0 };
	struct d3dkmt_queryadapterinfo q = {
		.adapter = e->adapter, .type = KMTQAITYPE_WDDM_2_7_CAPS,
		.private_data = (uintptr_t)&caps,
		.private_data_size = sizeof(caps),
	};

	expect("QueryAdapterInfo WDDM_2_7_CAPS",
	       xioctl(e->fd, LX_DXQUERYADAPTERINFO, &q), 0);
	check("HwSchSupported and HwSchEnabled",
	      (caps.value & D3DKMT_WDDM_2_7_CAPS_HW_SCH_SUPPORTED) &&
	      (caps.value & D3DKMT_WDDM_2_7_CAPS_HW_SCH_ENABLED), "%#x",
	      caps.value);
}

/* Create, the progress fence page, submissions advancing it. */
static void test_progress(struct env *e)
{
	struct cmdbuf b;
	struct hwq q;
	d3dkmthandle ctx;
	uint32_t len, w;

	if (cmdbuf_make(e, &b) || context(e, &ctx)) {
		fail("progress setup", "%s", strerror(errno));
		return;
	}
	expect("CreateHwQueue", hwq_create(e, ctx, &q), 0);
	check("a queue and a progress fence", q.queue && q.fence &&
	      q.queue != q.fence, "%#x %#x", q.queue, q.fence);
	check("progress fence page mapped, value 0",
	      q.page && mapped((void *)q.page, PAGE) && *q.page == 0, "%p",
	      (void *)q.page);
	check("progress fence page is read-only",
	      mprotect((void *)((uintptr_t)q.page & ~(uintptr_t)(PAGE - 1)),
		       PAGE, PROT_READ | PROT_WRITE) != 0, "writable");

	len = build(&b, 0, 0, 0);
	expect("SubmitCommandToHwQueue NOP (progress 1)",
	       hwq_submit(e, q.queue, 1, b.va, len), 0);
	expect("WaitFromCpu on the progress fence", wait_cpu(e, q.fence, 1, 0),
	       0);
	check("the progress fence reads 1", *q.page == 1, "%llu",
	      (unsigned long long)*q.page);
	len = build(&b, 0, b.va + 2048, 0x5eed1234);
	expect("SubmitCommandToHwQueue FILL (progress 2)",
	       hwq_submit(e, q.queue, 2, b.va, len), 0);
	for (int i = 0; i < 500 && *q.page != 2; i++)
		usleep(10 * 1000);
	memcpy(&w, b.cpu + 2048, 4);
	check("the progress fence advanced after the FILL ran",
	      *q.page == 2 && w == 0x5eed1234, "fence %llu fill %#x",
	      (unsigned long long)*q.page, w);
	expect("DestroyHwQueue", hwq_destroy(e, q.queue), 0);
	check("its fence page is gone", !mapped((void *)q.page, PAGE), "mapped");
	expect("DestroyHwQueue twice -> EINVAL", hwq_destroy(e, q.queue),
	       -EINVAL);
	expect("WaitFromCpu on its fence -> EINVAL", wait_cpu(e, q.fence, 1, 0),
	       -EINVAL);
}

/*
 * Queue A waits on fence F, then submits: its progress stays until queue
 * B (another context) signals F.  A context waits on A's progress fence
 * before it signals G.
 */
static void test_order(struct env *e)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	d3dkmthandle c1, c2, c3, f, g;
	volatile uint64_t *gpage;
	struct hwq a, b;
	struct cmdbuf cb;
	uint32_t len;

	if (cmdbuf_make(e, &cb) || context(e, &c1) || context(e, &c2) ||
	    context(e, &c3) || fence_create(e, e->device, 0, &f, NULL) ||
	    fence_create(e, e->device, 0, &g, &gpage) ||
	    hwq_create(e, c1, &a) || hwq_create(e, c2, &b)) {
		fail("order setup", "%s", strerror(errno));
		return;
	}
	len = build(&cb, 0, 0, 0);
	expect("SubmitWaitForSyncObjectsToHwQueue (A waits F=1)",
	       hwq_wait(e, a.queue, f, 1), 0);
	expect("SubmitCommandToHwQueue A (progress 1)",
	       hwq_submit(e, a.queue, 1, cb.va, len), 0);
	expect("a context waits for A's progress", wait_gpu(e, c3, a.fence, 1),
	       0);
	expect("... then signals G", signal_gpu(e, c3, g, 1), 0);
	expect("WaitFromCpu G with an eventfd", wait_cpu(e, g, 1, efd), 0);
	check("A's submission waits for F", !fired(efd, 300) && *a.page == 0 &&
	      *gpage == 0, "A %llu G %llu", (unsigned long long)*a.page,
	      (unsigned long long)*gpage);
	expect("SubmitSignalSyncObjectsToHwQueue (B signals F=1)",
	       hwq_signal(e, b.queue, f, 1), 0);
	check("A ran, then the context's signal", fired(efd, 5000) &&
	      *a.page == 1 && *gpage == 1, "A %llu G %llu",
	      (unsigned long long)*a.page, (unsigned long long)*gpage);

	/* Two queues of one context share its queue: in submission order. */
	{
		struct hwq a2;

		if (hwq_create(e, c1, &a2) == 0) {
			expect("A waits F=2", hwq_wait(e, a.queue, f, 2), 0);
			expect("A2 submits (same context)",
			       hwq_submit(e, a2.queue, 9, cb.va, len), 0);
			usleep(300 * 1000);
			check("A2's work waits behind A's wait (one context)",
			      *a2.page == 0, "%llu",
			      (unsigned long long)*a2.page);
			expect("B signals F=2", hwq_signal(e, b.queue, f, 2), 0);
			expect("A2's progress reaches 9",
			       wait_cpu(e, a2.fence, 9, 0), 0);
			hwq_destroy(e, a2.queue);
		}
	}
	hwq_destroy(e, a.queue);
	hwq_destroy(e, b.queue);
	sync_destroy(e->fd, f);
	sync_destroy(e->fd, g);
	close(efd);
}

static void test_bad_input(struct env *e)
{
	d3dkmthandle ctx, f, hs[40] = { 0 };
	uint64_t vs[40] = { 0 };
	struct hwq q;

	if (context(e, &ctx) || hwq_create(e, ctx, &q) ||
	    fence_create(e, e->device, 0, &f, NULL)) {
		fail("bad-input setup", "%s", strerror(errno));
		return;
	}
	{
		struct d3dkmt_createhwqueue c = { .context = 0 };

		expect("CreateHwQueue on no context -> EINVAL",
		       xioctl(e->fd, LX_DXCREATEHWQUEUE, &c), -EINVAL);
		c.context = e->device;
		expect("CreateHwQueue on a device handle -> EINVAL",
		       xioctl(e->fd, LX_DXCREATEHWQUEUE, &c), -EINVAL);
		c.context = ctx;
		c.flags.value = 0x80;
		expect("CreateHwQueue unknown flags -> EINVAL",
		       xioctl(e->fd, LX_DXCREATEHWQUEUE, &c), -EINVAL);
		c.flags.value = 0;
		c.priv_drv_data_size = 200 * 1024;
		expect("CreateHwQueue 200 KiB private data -> EINVAL",
		       xioctl(e->fd, LX_DXCREATEHWQUEUE, &c), -EINVAL);
		c.priv_drv_data_size = 16;
		c.priv_drv_data = 8;
		expect("CreateHwQueue private data at a bad pointer -> EFAULT",
		       xioctl(e->fd, LX_DXCREATEHWQUEUE, &c), -EFAULT);
	}
	expect("Submit to a context handle -> EINVAL",
	       hwq_submit(e, ctx, 1, 0x1000, 64), -EINVAL);
	expect("Submit to the progress fence handle -> EINVAL",
	       hwq_submit(e, q.fence, 1, 0x1000, 64), -EINVAL);
	{
		struct d3dkmt_submitcommandtohwqueue s = {
			.hwqueue = q.queue, .priv_drv_data_size = 200 * 1024,
		};

		expect("Submit 200 KiB private data -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITCOMMANDTOHWQUEUE, &s), -EINVAL);
		s.priv_drv_data_size = 0;
		s.num_primaries = 17;
		expect("Submit 17 primaries -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITCOMMANDTOHWQUEUE, &s), -EINVAL);
		s.num_primaries = 1;
		s.written_primaries = 8;
		expect("Submit primaries at a bad pointer -> EFAULT",
		       xioctl(e->fd, LX_DXSUBMITCOMMANDTOHWQUEUE, &s), -EFAULT);
	}
	{
		struct d3dkmt_submitsignalsyncobjectstohwqueue s = {
			.hwqueue_count = 2, .hwqueues = (uintptr_t)hs,
			.object_count = 1, .objects = (uintptr_t)&f,
			.fence_values = (uintptr_t)vs,
		};

		for (int i = 0; i < 40; i++)
			hs[i] = q.queue;
		s.hwqueue_count = 65;
		expect("Signal from 65 hw queues -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s),
		       -EINVAL);
		s.hwqueue_count = 0;
		expect("Signal from 0 hw queues -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s),
		       -EINVAL);
		s.hwqueue_count = 2;
		hs[1] = ctx;
		expect("Signal from a queue and a context handle -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s),
		       -EINVAL);
		hs[1] = q.queue;
		s.hwqueue_count = 1;
		s.object_count = 33;
		expect("Signal 33 objects -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s),
		       -EINVAL);
		s.object_count = 0;
		expect("Signal 0 objects -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s),
		       -EINVAL);
		s.object_count = 1;
		s.flags.value = D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT;
		expect("Signal with a CPU event flag -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s),
		       -EINVAL);
		s.flags.value = 0;
		s.hwqueues = 8;
		expect("Signal with a bad queue pointer -> EFAULT",
		       xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s),
		       -EFAULT);
	}
	expect("Signal on a context handle -> EINVAL", hwq_signal(e, ctx, f, 1),
	       -EINVAL);
	expect("Signal a bad object -> EINVAL",
	       hwq_signal(e, q.queue, 0x40000321, 1), -EINVAL);
	expect("Wait on a bad queue -> EINVAL", hwq_wait(e, 0, f, 1), -EINVAL);
	expect("Wait on a bad object -> EINVAL",
	       hwq_wait(e, q.queue, 0x40000321, 1), -EINVAL);
	{
		struct d3dkmt_submitwaitforsyncobjectstohwqueue w = {
			.hwqueue = q.queue, .object_count = 33,
			.objects = (uintptr_t)hs, .fence_values = (uintptr_t)vs,
		};

		expect("Wait on 33 objects -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITWAITFORSYNCOBJECTSTOHWQUEUE, &w),
		       -EINVAL);
		w.object_count = 1;
		w.fence_values = 8;
		expect("Wait with bad values pointer -> EFAULT",
		       xioctl(e->fd, LX_DXSUBMITWAITFORSYNCOBJECTSTOHWQUEUE, &w),
		       -EFAULT);
	}
	expect("DestroySynchronizationObject of a progress fence -> EINVAL",
	       sync_destroy(e->fd, q.fence), -EINVAL);
	expect("the progress fence still works", wait_cpu(e, q.fence, 0, 0), 0);
	expect("DestroyHwQueue of a context handle -> EINVAL",
	       hwq_destroy(e, ctx), -EINVAL);
	/* Another process's queue. */
	{
		struct env o;

		if (env_open(&o) == 0) {
			expect("another process's queue -> EINVAL",
			       hwq_submit(&o, q.queue, 1, 0x1000, 64), -EINVAL);
			expect("another process destroys it -> EINVAL",
			       hwq_destroy(&o, q.queue), -EINVAL);
			close(o.fd);
		}
	}
	hwq_destroy(e, q.queue);
	sync_destroy(e->fd, f);
}

static int signal2(struct env *e, d3dkmthandle ctx, const d3dkmthandle *more,
		   uint32_t nmore, const d3dkmthandle *objs, uint32_t n,
		   uint64_t value, uint32_t flags, int efd)
{
	struct d3dkmt_signalsynchronizationobject2 s = {
		.context = ctx, .object_count = n, .context_count = nmore,
	};

	s.flags.value = flags;
	memcpy(s.object_array, objs, n * sizeof(objs[0]));
	memcpy(s.contexts, more, nmore * sizeof(more[0]));
	if (flags & D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT)
		s.cpu_event_handle = (uint64_t)efd;
	else
		s.fence.fence_value = value;
	return xioctl(e->fd, LX_DXSIGNALSYNCHRONIZATIONOBJECT, &s);
}

static int wait2(struct env *e, d3dkmthandle ctx, const d3dkmthandle *objs,
		 uint32_t n, uint64_t value)
{
	struct d3dkmt_waitforsynchronizationobject2 w = {
		.context = ctx, .object_count = n,
	};

	memcpy(w.object_array, objs, n * sizeof(objs[0]));
	w.fence.fence_value = value;
	return xioctl(e->fd, LX_DXWAITFORSYNCHRONIZATIONOBJECT, &w);
}

/*
 * The legacy SignalSynchronizationObject2 / WaitForSynchronizationObject2
 * (one value for every object), a broadcast signal from two contexts and
 * two hw queues (it happens when the last of them reaches it), and
 * ENQUEUE_CPU_EVENT (an eventfd signalled when the context reaches it).
 */
static void test_legacy_broadcast(struct env *e)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	volatile uint64_t *gp, *hp;
	d3dkmthandle c1, c2, f, g, h, fg[2];
	struct hwq a, b;

	if (context(e, &c1) || context(e, &c2) ||
	    fence_create(e, e->device, 0, &f, NULL) ||
	    fence_create(e, e->device, 0, &g, &gp) ||
	    fence_create(e, e->device, 0, &h, &hp) ||
	    hwq_create(e, c1, &a) || hwq_create(e, c2, &b)) {
		fail("legacy setup", "%s", strerror(errno));
		return;
	}
	/* Legacy wait, then a legacy signal behind it on the same context. */
	expect("WaitForSynchronizationObject2 (F=2)", wait2(e, c1, &f, 1, 2), 0);
	expect("SignalSynchronizationObject2 (G=5) behind it",
	       signal2(e, c1, NULL, 0, &g, 1, 5, 0, -1), 0);
	usleep(200 * 1000);
	check("the legacy signal waits for the legacy wait", *gp == 0, "%llu",
	      (unsigned long long)*gp);
	expect("SignalFromCpu F=2", signal_cpu(e, f, 2), 0);
	expect("G reaches 5", wait_cpu(e, g, 5, 0), 0);
	/* One value for several objects. */
	fg[0] = g;
	fg[1] = h;
	expect("SignalSynchronizationObject2 of two objects (6)",
	       signal2(e, c1, NULL, 0, fg, 2, 6, 0, -1), 0);
	expect("both reach 6", wait_cpu(e, h, 6, 0), 0);
	check("... G too", *gp == 6 && *hp == 6, "%llu %llu",
	      (unsigned long long)*gp, (unsigned long long)*hp);

	/* Broadcast from c1 and c2: c2 is held by a wait on F=3. */
	expect("c2 waits F=3", wait_gpu(e, c2, f, 3), 0);
	expect("SignalSynchronizationObject2 broadcast to c1 and c2 (G=7)",
	       signal2(e, c1, &c2, 1, &g, 1, 7, 0, -1), 0);
	usleep(300 * 1000);
	check("the broadcast waits for its last context", *gp == 6, "%llu",
	      (unsigned long long)*gp);
	expect("SignalFromCpu F=3", signal_cpu(e, f, 3), 0);
	expect("G reaches 7 once both passed", wait_cpu(e, g, 7, 0), 0);

	/* The same with two hw queues. */
	expect("hw queue B waits F=4", hwq_wait(e, b.queue, f, 4), 0);
	{
		d3dkmthandle qs[2] = { a.queue, b.queue };
		uint64_t v = 9;
		struct d3dkmt_submitsignalsyncobjectstohwqueue s = {
			.hwqueue_count = 2, .hwqueues = (uintptr_t)qs,
			.object_count = 1, .objects = (uintptr_t)&h,
			.fence_values = (uintptr_t)&v,
		};

		expect("SubmitSignalSyncObjectsToHwQueue broadcast (H=9)",
		       xioctl(e->fd, LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, &s),
		       0);
	}
	usleep(300 * 1000);
	check("the hw-queue broadcast waits for B", *hp == 6, "%llu",
	      (unsigned long long)*hp);
	expect("SignalFromCpu F=4", signal_cpu(e, f, 4), 0);
	expect("H reaches 9", wait_cpu(e, h, 9, 0), 0);

	/* ENQUEUE_CPU_EVENT behind a wait. */
	expect("c1 waits F=5", wait2(e, c1, &f, 1, 5), 0);
	expect("SignalSynchronizationObject2 ENQUEUE_CPU_EVENT",
	       signal2(e, c1, NULL, 0, NULL, 0, 0,
		       D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT, efd), 0);
	check("the CPU event waits for the context", !fired(efd, 300), "fired");
	expect("SignalFromCpu F=5", signal_cpu(e, f, 5), 0);
	check("the CPU event fires", fired(efd, 5000), "not fired");
	check("... once", !fired(efd, 200), "fired twice");

	/* Bad input. */
	{
		d3dkmthandle many[64] = { 0 };
		struct d3dkmt_createsynchronizationobject2 c = {
			.device = e->device,
		};
		struct d3dkmt_createdevice cd = { .adapter = e->adapter };
		d3dkmthandle other;

		for (int i = 0; i < 64; i++)
			many[i] = c2;
		expect("SignalSynchronizationObject2 to 65 contexts -> EINVAL",
		       signal2(e, c1, many, 64, &g, 1, 8, 0, -1), -EINVAL);
		expect("... 63 more (64 in all) is fine",
		       signal2(e, c1, many, 63, &g, 1, 8, 0, -1), 0);
		expect("... no objects, no event -> EINVAL",
		       signal2(e, c1, NULL, 0, NULL, 0, 8, 0, -1), -EINVAL);
		expect("... an unknown flag -> EINVAL",
		       signal2(e, c1, NULL, 0, &g, 1, 8, 1u << 9, -1), -EINVAL);
		expect("... a bad context -> EINVAL",
		       signal2(e, 0x40000999, NULL, 0, &g, 1, 8, 0, -1), -EINVAL);
		expect("... a CPU event that is no eventfd -> EINVAL",
		       signal2(e, c1, NULL, 0, NULL, 0, 0,
			       D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT, 0), -EINVAL);
		if (xioctl(e->fd, LX_DXCREATEDEVICE, &cd) == 0) {
			struct d3dkmt_createcontextvirtual cc = {
				.device = cd.device,
			};

			xioctl(e->fd, LX_DXCREATECONTEXTVIRTUAL, &cc);
			other = cc.context;
			expect("... a broadcast across devices -> EINVAL",
			       signal2(e, c1, &other, 1, &g, 1, 8, 0, -1),
			       -EINVAL);
			{
				struct d3dkmt_destroydevice d = {
					.device = cd.device,
				};

				xioctl(e->fd, LX_DXDESTROYDEVICE, &d);
			}
		}
		expect("WaitForSynchronizationObject2 0 objects -> EINVAL",
		       wait2(e, c1, &f, 0, 1), -EINVAL);
		expect("WaitForSynchronizationObject2 33 objects -> EINVAL",
		       wait2(e, c1, many, 33, 1), -EINVAL);
		c.info.type = D3DDDI_CPU_NOTIFICATION;
		c.info.cpu_notification.event = (uint64_t)efd;
		if (xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c) == 0) {
			expect("WaitForSynchronizationObject2 on a notification -> EINVAL",
			       wait2(e, c1, &c.sync_object, 1, 1), -EINVAL);
			sync_destroy(e->fd, c.sync_object);
		}
	}
	hwq_destroy(e, a.queue);
	hwq_destroy(e, b.queue);
	sync_destroy(e->fd, f);
	sync_destroy(e->fd, g);
	sync_destroy(e->fd, h);
	close(efd);
}

static int signal_gpu2(struct env *e, const d3dkmthandle *ctxs, uint32_t nc,
		       const d3dkmthandle *objs, const uint64_t *vals,
		       uint32_t n, uint32_t flags, int efd)
{
	struct d3dkmt_signalsynchronizationobjectfromgpu2 s = {
		.object_count = n, .objects = (uintptr_t)objs,
		.context_count = nc, .contexts = (uintptr_t)ctxs,
	};

	s.flags.value = flags;
	if (flags & D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT)
		s.cpu_event_handle = (uint64_t)efd;
	else
		s.monitored_fence_values = (uintptr_t)vals;
	return xioctl(e->fd, LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU2, &s);
}

/*
 * SignalSynchronizationObjectFromGpu2: a value per object, a broadcast
 * from two contexts (the objects move when the last one gets there),
 * ENQUEUE_CPU_EVENT (the union holds the eventfd, no objects), bad input.
 */
static void test_gpu2(struct env *e)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	volatile uint64_t *gp, *hp;
	d3dkmthandle c[2], f, gh[2];
	uint64_t v[2] = { 3, 11 };

	if (efd < 0 || context(e, &c[0]) || context(e, &c[1]) ||
	    fence_create(e, e->device, 0, &f, NULL) ||
	    fence_create(e, e->device, 0, &gh[0], &gp) ||
	    fence_create(e, e->device, 0, &gh[1], &hp)) {
		fail("gpu2 setup", "%s", strerror(errno));
		return;
	}
	/* Per-object values from one context, behind a wait on it. */
	expect("c0 waits F=1", wait_gpu(e, c[0], f, 1), 0);
	expect("FromGpu2: G=3, H=11 from c0",
	       signal_gpu2(e, c, 1, gh, v, 2, 0, -1), 0);
	usleep(200 * 1000);
	check("FromGpu2 waits for its context", *gp == 0 && *hp == 0,
	      "%llu %llu", (unsigned long long)*gp, (unsigned long long)*hp);
	expect("SignalFromCpu F=1", signal_cpu(e, f, 1), 0);
	expect("H reaches 11", wait_cpu(e, gh[1], 11, 0), 0);
	check("... G its own value, 3", *gp == 3 && *hp == 11, "%llu %llu",
	      (unsigned long long)*gp, (unsigned long long)*hp);

	/* Broadcast: c1 is held by a wait on F=2. */
	v[0] = 4;
	expect("c1 waits F=2", wait_gpu(e, c[1], f, 2), 0);
	expect("FromGpu2 broadcast from c0 and c1 (G=4)",
	       signal_gpu2(e, c, 2, gh, v, 1, 0, -1), 0);
	usleep(300 * 1000);
	check("the broadcast waits for its last context", *gp == 3, "%llu",
	      (unsigned long long)*gp);
	expect("SignalFromCpu F=2", signal_cpu(e, f, 2), 0);
	expect("G reaches 4 once both passed", wait_cpu(e, gh[0], 4, 0), 0);

	/* A CPU event from both contexts, c0 held by a wait on F=3. */
	expect("c0 waits F=3", wait_gpu(e, c[0], f, 3), 0);
	expect("FromGpu2 ENQUEUE_CPU_EVENT from c0 and c1",
	       signal_gpu2(e, c, 2, NULL, NULL, 0,
			   D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT, efd), 0);
	check("the CPU event waits for c0", !fired(efd, 300), "fired");
	expect("SignalFromCpu F=3", signal_cpu(e, f, 3), 0);
	check("the CPU event fires", fired(efd, 5000), "not fired");
	check("... once", !fired(efd, 200), "fired twice");

	/* Bad input. */
	{
		d3dkmthandle many[65];

		for (int i = 0; i < 65; i++)
			many[i] = c[i & 1];
		expect("FromGpu2 64 contexts is fine",
		       signal_gpu2(e, many, 64, gh, v, 1, 0, -1), 0);
		expect("FromGpu2 65 contexts -> EINVAL",
		       signal_gpu2(e, many, 65, gh, v, 1, 0, -1), -EINVAL);
		expect("FromGpu2 no context -> EINVAL",
		       signal_gpu2(e, c, 0, gh, v, 1, 0, -1), -EINVAL);
		expect("FromGpu2 no objects, no event -> EINVAL",
		       signal_gpu2(e, c, 1, gh, v, 0, 0, -1), -EINVAL);
		expect("FromGpu2 33 objects -> EINVAL",
		       signal_gpu2(e, c, 1, many, v, 33, 0, -1), -EINVAL);
		expect("FromGpu2 objects with a CPU event -> EINVAL",
		       signal_gpu2(e, c, 1, gh, NULL, 1,
				   D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT, efd),
		       -EINVAL);
		expect("FromGpu2 a CPU event that is no eventfd -> EINVAL",
		       signal_gpu2(e, c, 1, NULL, NULL, 0,
				   D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT,
				   e->fd), -EINVAL);
		expect("FromGpu2 an unknown flag -> EINVAL",
		       signal_gpu2(e, c, 1, gh, v, 1, 1u << 9, -1), -EINVAL);
		expect("FromGpu2 unmapped contexts -> EFAULT",
		       signal_gpu2(e, (const d3dkmthandle *)8, 1, gh, v, 1, 0,
				   -1), -EFAULT);
		expect("FromGpu2 unmapped values -> EFAULT",
		       signal_gpu2(e, c, 1, gh, (const uint64_t *)8, 1, 0, -1),
		       -EFAULT);
		expect("FromGpu2 a bad context -> EINVAL",
		       signal_gpu2(e, &f, 1, gh, v, 1, 0, -1), -EINVAL);
		expect("FromGpu2 a context as the object -> EINVAL",
		       signal_gpu2(e, c, 1, c, v, 1, 0, -1), -EINVAL);
	}
	sync_destroy(e->fd, f);
	sync_destroy(e->fd, gh[0]);
	sync_destroy(e->fd, gh[1]);
	close(efd);
}

/* Queues with work blocked forever, destroyed every way; host objects back. */
static void test_destroy_pending(void)
{
	long objs0 = host_stat("dxg_host_objects");
	d3dkmthandle ctx, ctx2, f;
	struct hwq q1, q2, q3;
	struct env e;

	if (env_open(&e) || context(&e, &ctx) || context(&e, &ctx2) ||
	    fence_create(&e, e.device, 0, &f, NULL) ||
	    hwq_create(&e, ctx, &q1) || hwq_create(&e, ctx, &q2) ||
	    hwq_create(&e, ctx2, &q3)) {
		fail("destroy setup", "%s", strerror(errno));
		return;
	}
	hwq_wait(&e, q1.queue, f, 1000);
	hwq_submit(&e, q1.queue, 1, 0x1000, 64);
	hwq_wait(&e, q3.queue, f, 1000);
	hwq_submit(&e, q3.queue, 1, 0x1000, 64);
	expect("DestroyHwQueue with work pending", hwq_destroy(&e, q1.queue), 0);
	{
		struct d3dkmt_destroycontext d = { .context = ctx };

		expect("DestroyContext with a live hw queue",
		       xioctl(e.fd, LX_DXDESTROYCONTEXT, &d), 0);
	}
	expect("its queue is gone", hwq_submit(&e, q2.queue, 1, 0x1000, 64),
	       -EINVAL);
	check("its progress fence page is gone", !mapped((void *)q2.page, PAGE),
	      "mapped");
	expect("its progress fence is gone", wait_cpu(&e, q2.fence, 0, 0),
	       -EINVAL);
	{
		struct d3dkmt_destroydevice d = { .device = e.device };

		expect("DestroyDevice with a live hw queue with work pending",
		       xioctl(e.fd, LX_DXDESTROYDEVICE, &d), 0);
	}
	expect("the device's queue is gone", hwq_destroy(&e, q3.queue), -EINVAL);
	check("its progress fence page is gone", !mapped((void *)q3.page, PAGE),
	      "mapped");
	close(e.fd);
	check("host objects back to the baseline",
	      host_objects_settled(objs0) == objs0, "%ld vs %ld",
	      host_stat("dxg_host_objects"), objs0);
}

/* Killed with hw queues and queued work, and while waiting on one. */
static void test_killed(void)
{
	long objs0 = host_stat("dxg_host_objects");
	long procs0 = host_stat("dxg_host_processes");
	int ready[2];
	pid_t pid;
	char c;
	int st;

	if (pipe(ready))
		return;
	pid = fork();
	if (pid == 0) {
		struct env e;
		d3dkmthandle f, ctx;
		struct hwq q;

		if (env_open(&e) || fence_create(&e, e.device, 0, &f, NULL) ||
		    context(&e, &ctx) || hwq_create(&e, ctx, &q) ||
		    hwq_wait(&e, q.queue, f, 5) ||
		    hwq_submit(&e, q.queue, 1, 0x1000, 64))
			_exit(2);
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		wait_cpu(&e, q.fence, 1, 0);	/* blocks until killed */
		_exit(4);
	}
	close(ready[1]);
	check("child set up its queue", read(ready[0], &c, 1) == 1, "no");
	usleep(200 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	check("killed while waiting on a progress fence", WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGKILL, "status %#x", st);
	close(ready[0]);
	check("host objects back to the baseline",
	      host_objects_settled(objs0) == objs0, "%ld vs %ld",
	      host_stat("dxg_host_objects"), objs0);
	check("host processes back to the baseline",
	      host_stat("dxg_host_processes") == procs0, "%ld vs %ld",
	      host_stat("dxg_host_processes"), procs0);
}

int main(void)
{
	struct env e;

	if (env_open(&e)) {
		fail("open", "no /dev/dxg adapter: %s", strerror(errno));
		return 1;
	}
	test_caps(&e);
	test_progress(&e);
	test_order(&e);
	test_bad_input(&e);
	test_legacy_broadcast(&e);
	test_gpu2(&e);
	close(e.fd);
	test_destroy_pending();
	test_killed();
	printf("%s test_dxg_hwqueue: %d failure(s)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
