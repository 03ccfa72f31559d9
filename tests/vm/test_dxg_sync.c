// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of sync objects and submission on /dev/dxg
 * (docs/sync.md), run inside a guest with dxgkrnl.ko and a dxghost:
 * monitored fences (read-only fence page), CPU notification objects,
 * signal from CPU/GPU, CPU waits (blocking and with an eventfd), GPU waits
 * released by CPU signals, NOP and FILL command buffers submitted from an
 * allocation mapped at a GPU VA, a malformed buffer putting only its device
 * into an error state, processes killed while waiting or with queued work,
 * and bad input.
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

/* header + NOP (+ FILL of 16 bytes at fill_va when non-zero). */
static uint32_t build(struct cmdbuf *b, uint64_t fill_va, uint32_t pattern)
{
	struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
	};
	struct dxg_cmd_header nop = { .opcode = DXG_CMD_NOP, .size_bytes = 16 };
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = fill_va, .size = 16, .pattern = pattern,
	};
	uint32_t len = sizeof(h);

	memset(b->cpu, 0, 1024);
	memcpy(b->cpu + len, &nop, sizeof(nop));
	len += 16;
	h.num_commands = 1;
	if (fill_va) {
		memcpy(b->cpu + len, &f, sizeof(f));
		len += sizeof(f);
		h.num_commands++;
	}
	h.size_bytes = len;
	memcpy(b->cpu, &h, sizeof(h));
	return len;
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

static void test_fences(struct env *e)
{
	volatile uint64_t *page;
	d3dkmthandle f, ctx;
	int efd = eventfd(0, EFD_CLOEXEC);
	pid_t pid;
	int st;

	expect("CreateSynchronizationObject2 monitored fence",
	       fence_create(e, e->device, 3, &f, &page), 0);
	check("fence page mapped with the initial value",
	      page && mapped((void *)page, PAGE) && *page == 3, "%p",
	      (void *)page);
	check("fence page is read-only",
	      mprotect((void *)page, PAGE, PROT_READ | PROT_WRITE) != 0,
	      "writable");
	/* A process writing to its own fence page dies (child: own fd). */
	pid = fork();
	if (pid == 0) {
		struct env c;
		volatile uint64_t *cp;
		d3dkmthandle cf;

		if (env_open(&c) || fence_create(&c, c.device, 1, &cf, &cp) || !cp)
			_exit(2);
		*cp = 7;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check("a write to the fence page faults", WIFSIGNALED(st) &&
	      (WTERMSIG(st) == SIGSEGV || WTERMSIG(st) == SIGBUS), "status %#x", st);
	check("the fence value is unchanged", *page == 3, "%llu",
	      (unsigned long long)*page);

	expect("SignalFromCpu", signal_cpu(e, f, 5), 0);
	expect("WaitFromCpu (blocking) on a reached value", wait_cpu(e, f, 5, 0), 0);
	check("the page shows the signalled value", *page == 5, "%llu",
	      (unsigned long long)*page);
	expect("SignalFromCpu lower value", signal_cpu(e, f, 1), 0);
	expect("WaitFromCpu after lower signal", wait_cpu(e, f, 5, 0), 0);
	check("a lower value never lowers the fence", *page == 5, "%llu",
	      (unsigned long long)*page);

	expect("WaitFromCpu with an eventfd", wait_cpu(e, f, 6, efd), 0);
	check("eventfd not signalled before the fence", !fired(efd, 100), "fired");
	expect("SignalFromCpu 6", signal_cpu(e, f, 6), 0);
	check("eventfd signalled by the fence", fired(efd, 5000), "not fired");

	/* A signal from a context's queue releases a CPU wait. */
	expect("CreateContextVirtual", context(e, &ctx), 0);
	expect("SignalFromGpu", signal_gpu(e, ctx, f, 8), 0);
	expect("WaitFromCpu after a GPU signal", wait_cpu(e, f, 8, 0), 0);

	/* A GPU wait blocks the context until the CPU signals. */
	d3dkmthandle g;
	volatile uint64_t *gpage;

	fence_create(e, e->device, 0, &g, &gpage);
	expect("WaitFromGpu", wait_gpu(e, ctx, f, 10), 0);
	expect("SignalFromGpu behind the wait", signal_gpu(e, ctx, g, 1), 0);
	expect("WaitFromCpu with an eventfd (2)", wait_cpu(e, g, 1, efd), 0);
	check("the GPU signal waits for the GPU wait", !fired(efd, 200) &&
	      *gpage == 0, "page %llu", (unsigned long long)*gpage);
	expect("SignalFromCpu releases the queue", signal_cpu(e, f, 10), 0);
	check("the queued signal ran", fired(efd, 5000) && *gpage == 1,
	      "page %llu", (unsigned long long)*gpage);

	/* Bad input. */
	{
		struct d3dkmt_createsynchronizationobject2 c = {
			.device = e->device,
		};
		d3dkmthandle hs[40] = { 0 };
		uint64_t vs[40] = { 0 };
		struct d3dkmt_signalsynchronizationobjectfromcpu s = {
			.device = e->device, .object_count = 33,
			.objects = (uintptr_t)hs, .fence_values = (uintptr_t)vs,
		};

		c.info.type = D3DDDI_SEMAPHORE;
		expect("Create semaphore -> EOPNOTSUPP",
		       xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c),
		       -EOPNOTSUPP);
		c.info.type = 77;
		expect("Create bad type -> EINVAL",
		       xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c), -EINVAL);
		c.info.type = D3DDDI_CPU_NOTIFICATION;
		c.info.cpu_notification.event = 0;	/* stdin: not an eventfd */
		expect("CPU notification with a non-eventfd -> EINVAL",
		       xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c), -EINVAL);
		expect("Signal 33 objects -> EINVAL",
		       xioctl(e->fd, LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU, &s),
		       -EINVAL);
		s.object_count = 1;
		expect("Signal a bad handle -> EINVAL",
		       xioctl(e->fd, LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU, &s),
		       -EINVAL);
		s.objects = 8;
		expect("Signal with a bad pointer -> EFAULT",
		       xioctl(e->fd, LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU, &s),
		       -EFAULT);
		expect("Wait on a bad handle -> EINVAL", wait_cpu(e, 0x40000123, 1, 0),
		       -EINVAL);
		expect("Wait with a non-eventfd -> EINVAL", wait_cpu(e, f, 100, 1),
		       -EINVAL);
		expect("Destroy a bad handle -> EINVAL", sync_destroy(e->fd, 0), -EINVAL);
	}
	/* Another process's fence. */
	{
		struct env o;

		if (env_open(&o) == 0) {
			expect("another process's fence -> EINVAL",
			       signal_cpu(&o, f, 100), -EINVAL);
			close(o.fd);
		}
	}
	expect("DestroySynchronizationObject", sync_destroy(e->fd, f), 0);
	check("the fence page is gone", !mapped((void *)page, PAGE), "mapped");
	expect("Destroy twice -> EINVAL", sync_destroy(e->fd, f), -EINVAL);
	sync_destroy(e->fd, g);
	close(efd);
}

static void test_notification(struct env *e)
{
	struct d3dkmt_createsynchronizationobject2 c = { .device = e->device };
	int efd = eventfd(0, EFD_CLOEXEC);
	d3dkmthandle n, ctx;

	c.info.type = D3DDDI_CPU_NOTIFICATION;
	c.info.cpu_notification.event = (uint64_t)efd;
	expect("Create CPU notification", xioctl(e->fd,
	       LX_DXCREATESYNCHRONIZATIONOBJECT, &c), 0);
	n = c.sync_object;
	context(e, &ctx);
	expect("SignalFromGpu a notification", signal_gpu(e, ctx, n, 0), 0);
	check("its eventfd fires", fired(efd, 5000), "not fired");
	expect("SignalFromGpu it again", signal_gpu(e, ctx, n, 0), 0);
	check("its eventfd fires again (persistent)", fired(efd, 5000), "not fired");
	expect("WaitFromCpu on a notification -> EINVAL", wait_cpu(e, n, 1, 0),
	       -EINVAL);
	expect("Destroy the notification", sync_destroy(e->fd, n), 0);
	close(efd);
}

static void test_submit(struct env *e)
{
	struct cmdbuf b;
	d3dkmthandle ctx, f;
	volatile uint64_t *page;
	uint32_t len;

	if (cmdbuf_make(e, &b) || context(e, &ctx) ||
	    fence_create(e, e->device, 0, &f, &page)) {
		fail("submit setup", "%s", strerror(errno));
		return;
	}
	len = build(&b, 0, 0);
	expect("SubmitCommand NOP", submit(e, ctx, b.va, len), 0);
	expect("SignalFromGpu after the submit", signal_gpu(e, ctx, f, 1), 0);
	expect("WaitFromCpu for the submit", wait_cpu(e, f, 1, 0), 0);
	check("device active after a NOP", exec_state(e) ==
	      D3DKMT_DEVICEEXECUTION_ACTIVE, "state %u", exec_state(e));

	/* FILL into the command buffer's own allocation, past the commands. */
	len = build(&b, b.va + 2048, 0xabcd1234);
	expect("SubmitCommand FILL", submit(e, ctx, b.va, len), 0);
	expect("SignalFromGpu after FILL", signal_gpu(e, ctx, f, 2), 0);
	expect("WaitFromCpu for FILL", wait_cpu(e, f, 2, 0), 0);
	{
		uint32_t w;

		memcpy(&w, b.cpu + 2048, 4);
		check("the FILL ran before the signal (zero copy)", w == 0xabcd1234,
		      "%#x", w);
	}

	/* Bad input (checked before anything is sent). */
	{
		struct d3dkmt_submitcommand s = {
			.command_buffer = b.va, .command_length = len,
			.broadcast_context_count = 2,
		};

		s.broadcast_context[0] = ctx;
		s.broadcast_context[1] = ctx;
		expect("Submit to 2 contexts -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITCOMMAND, &s), -EINVAL);
		s.broadcast_context_count = 1;
		s.priv_drv_data_size = 200 * 1024;
		expect("Submit 200 KiB private data -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITCOMMAND, &s), -EINVAL);
		s.priv_drv_data_size = 0;
		s.broadcast_context[0] = 0x40000777;
		expect("Submit to a bad context -> EINVAL",
		       xioctl(e->fd, LX_DXSUBMITCOMMAND, &s), -EINVAL);
	}

	/* A malformed buffer: this device errs, another process's does not. */
	{
		struct env o;

		memset(b.cpu, 0x5a, 64);
		expect("SubmitCommand garbage (async: accepted)",
		       submit(e, ctx, b.va, 64), 0);
		check("GetDeviceState reports the error", exec_state(e) !=
		      D3DKMT_DEVICEEXECUTION_ACTIVE && exec_state(e) != 0,
		      "state %u", exec_state(e));
		if (env_open(&o) == 0) {
			check("another process's device is active",
			      exec_state(&o) == D3DKMT_DEVICEEXECUTION_ACTIVE,
			      "state %u", exec_state(&o));
			close(o.fd);
		}
	}
	sync_destroy(e->fd, f);
}

/* One UpdateGpuVirtualAddress operation with a fence. */
static int update_va(struct env *e, d3dkmthandle ctx, d3dkmthandle fence,
		     uint64_t value, uint32_t flags,
		     const struct d3dddi_updategpuvirtualaddress_operation *op)
{
	struct d3dkmt_updategpuvirtualaddress u = {
		.device = e->device, .context = ctx, .fence_object = fence,
		.num_operations = 1, .operations = (uintptr_t)op,
		.fence_value = value, .flags = flags,
	};

	return xioctl(e->fd, LX_DXUPDATEGPUVIRTUALADDRESS, &u);
}

static struct d3dddi_updategpuvirtualaddress_operation
upd_protect(uint64_t va, d3dkmthandle alloc, uint64_t off, uint64_t prot)
{
	struct d3dddi_updategpuvirtualaddress_operation o = {
		.operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP_PROTECT,
	};

	o.map_protect.base_address = va;
	o.map_protect.size = PAGE;
	o.map_protect.allocation = alloc;
	o.map_protect.allocation_offset = off;
	o.map_protect.protection.value = prot;
	return o;
}

static struct d3dddi_updategpuvirtualaddress_operation
upd_copy(uint64_t src, uint64_t dst)
{
	struct d3dddi_updategpuvirtualaddress_operation o = {
		.operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_COPY,
	};

	o.copy.source_address = src;
	o.copy.size = PAGE;
	o.copy.dest_address = dst;
	return o;
}

/*
 * UpdateGpuVirtualAddress with MAP_PROTECT, COPY and a fence, checked by
 * command buffers.  Its own process: the last step puts the device in
 * the error state.
 */
static void test_update_gpuva(void)
{
	struct d3dddi_updategpuvirtualaddress_operation op;
	struct d3dddi_reservegpuvirtualaddress rv = { .size = 8 * PAGE };
	const uint32_t nowait = D3DKMT_UPDATEGPUVIRTUALADDRESS_FLAG_DO_NOT_WAIT;
	volatile uint64_t *page;
	d3dkmthandle ctx, f, d;
	struct cmdbuf b;
	struct env o;
	uint8_t *dp;
	uint32_t len, w;
	uint64_t va;
	void *p;

	if (env_open(&o)) {
		fail("update gpuva setup", "%s", strerror(errno));
		return;
	}
	rv.adapter = o.adapter;
	if (cmdbuf_make(&o, &b) || context(&o, &ctx) ||
	    fence_create(&o, o.device, 0, &f, &page) || alloc1(o.fd, o.device, 2 * PAGE, &d) ||
	    lock(o.fd, o.device, d, &p) ||
	    xioctl(o.fd, LX_DXRESERVEGPUVIRTUALADDRESS, &rv)) {
		fail("update gpuva setup", "%s", strerror(errno));
		close(o.fd);
		return;
	}
	dp = p;
	va = rv.virtual_address;

	/* va: d page 0 read-only; va + 1: d page 1 read-write. */
	op = upd_protect(va, d, 0, 0);
	expect("UpdateGpuVirtualAddress MAP_PROTECT read-only + fence",
	       update_va(&o, 0, f, 0, 0, &op), 0);
	check("the fence shows fence_value + 1", *page == 1, "%llu",
	      (unsigned long long)*page);
	op = upd_protect(va + PAGE, d, PAGE, D3DDDIGPUVA_PROTECTION_WRITE);
	expect("UpdateGpuVirtualAddress MAP_PROTECT read-write, DO_NOT_WAIT",
	       update_va(&o, 0, f, 4, nowait, &op), 0);
	check("the fence shows 5", *page == 5, "%llu", (unsigned long long)*page);
	/* va + 4 maps what va + 1 maps: a FILL there lands in d page 1. */
	op = upd_copy(va + PAGE, va + 4 * PAGE);
	expect("UpdateGpuVirtualAddress COPY", update_va(&o, 0, 0, 0, 0, &op), 0);
	len = build(&b, va + 4 * PAGE + 64, 0x11223344);
	expect("SubmitCommand FILL through the copy", submit(&o, ctx, b.va, len), 0);
	expect("SignalFromGpu after it", signal_gpu(&o, ctx, f, 6), 0);
	expect("WaitFromCpu for it", wait_cpu(&o, f, 6, 0), 0);
	memcpy(&w, dp + PAGE + 64, 4);
	check("the copied mapping reaches the same memory", w == 0x11223344,
	      "%#x", w);

	/* On the context, without DO_NOT_WAIT: 11 only after 10. */
	op = upd_copy(va + PAGE, va + 5 * PAGE);
	expect("UpdateGpuVirtualAddress on a context waiting for 10",
	       update_va(&o, ctx, f, 10, 0, &op), 0);
	check("the fence did not move yet", *page == 6, "%llu",
	      (unsigned long long)*page);
	expect("SignalFromCpu 10", signal_cpu(&o, f, 10), 0);
	expect("WaitFromCpu 11", wait_cpu(&o, f, 11, 0), 0);
	check("the fence shows 11", *page == 11, "%llu",
	      (unsigned long long)*page);

	/* Bad input. */
	op = upd_copy(va + 2 * PAGE, va + 6 * PAGE);		/* unmapped */
	expect("UpdateGpuVirtualAddress COPY of a hole -> EINVAL",
	       update_va(&o, 0, 0, 0, 0, &op), -EINVAL);
	op = upd_protect(va + 6 * PAGE, d, 0, D3DDDIGPUVA_PROTECTION_SYSTEM_USE_ONLY);
	expect("UpdateGpuVirtualAddress MAP_PROTECT system-use bit -> EINVAL",
	       update_va(&o, 0, 0, 0, 0, &op), -EINVAL);
	op = upd_protect(va + 6 * PAGE, d, 0, 1ull << 40);
	expect("UpdateGpuVirtualAddress MAP_PROTECT unknown bit -> EINVAL",
	       update_va(&o, 0, 0, 0, 0, &op), -EINVAL);
	op = upd_protect(va + 6 * PAGE, 0x40000700, 0, 0);
	expect("UpdateGpuVirtualAddress MAP_PROTECT bad allocation -> EINVAL",
	       update_va(&o, 0, 0, 0, 0, &op), -EINVAL);
	op = upd_protect(va + 6 * PAGE, d, 0, 0);
	expect("UpdateGpuVirtualAddress bad fence -> EINVAL",
	       update_va(&o, 0, 0x40000700, 0, 0, &op), -EINVAL);
	expect("UpdateGpuVirtualAddress fence not reached, no context -> EINVAL",
	       update_va(&o, 0, f, 50, 0, &op), -EINVAL);
	check("a failed update signals nothing", *page == 11, "%llu",
	      (unsigned long long)*page);
	op = upd_protect(va + 6 * PAGE, 0, 0, D3DDDIGPUVA_PROTECTION_NO_ACCESS);
	expect("UpdateGpuVirtualAddress MAP_PROTECT no-access",
	       update_va(&o, 0, 0, 0, 0, &op), 0);

	/* A FILL into the read-only mapping: the device errs. */
	check("device active before", exec_state(&o) ==
	      D3DKMT_DEVICEEXECUTION_ACTIVE, "state %u", exec_state(&o));
	len = build(&b, va + 64, 0x55555555);
	expect("SubmitCommand FILL into read-only (async: accepted)",
	       submit(&o, ctx, b.va, len), 0);
	check("GetDeviceState reports the fault", exec_state(&o) !=
	      D3DKMT_DEVICEEXECUTION_ACTIVE && exec_state(&o) != 0,
	      "state %u", exec_state(&o));
	memcpy(&w, dp + 64, 4);
	check("the read-only page was not written", w == 0, "%#x", w);
	close(o.fd);
}

/* Killed while blocked in a CPU wait / with queued work: nothing left. */
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

		if (env_open(&e) || fence_create(&e, e.device, 0, &f, NULL) ||
		    context(&e, &ctx) || wait_gpu(&e, ctx, f, 5) ||
		    submit(&e, ctx, 0x1000, 64))
			_exit(2);
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		wait_cpu(&e, f, 100, 0);	/* blocks until killed */
		_exit(4);
	}
	close(ready[1]);
	check("child set up its wait", read(ready[0], &c, 1) == 1, "no");
	usleep(200 * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	check("killed while blocked in WaitFromCpu", WIFSIGNALED(st) &&
	      WTERMSIG(st) == SIGKILL, "status %#x", st);
	close(ready[0]);
	for (int i = 0; i < 50 && host_stat("dxg_host_objects") != objs0; i++)
		usleep(100 * 1000);
	check("host objects back to the baseline",
	      host_stat("dxg_host_objects") == objs0, "%ld vs %ld",
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
	test_fences(&e);
	test_notification(&e);
	test_killed();
	test_update_gpuva();
	test_submit(&e);
	close(e.fd);
	printf("%s test_dxg_sync: %d failure(s)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
