// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of sharing between processes (docs/memory.md §9): file
 * descriptors as NT handles.  Two processes share a buffer (a resource
 * with its private data) and a monitored fence, passed over a unix socket
 * (SCM_RIGHTS), and synchronize through the GPU: the parent FILLs the
 * buffer and signals the fence from the GPU; the child, whose own handles
 * came from the fds (closed before use), waits for the fence, reads the
 * fill, FILLs the second page from its GPU and signals; the parent waits
 * and reads that.  Then: the objects outlive the sharer's handles and its
 * death; what was opened is shared again; fds that are not ours or of the
 * wrong kind are refused; a killed process leaves nothing on the host.
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

#define PAGE		4096u
#define BUF_SIZE	(2 * PAGE)
#define RUNTIME_DATA	"runtime private data"
#define RES_DATA	"resource private data!"

/* ---- helpers ---- */

/* A shared resource of one BUF_SIZE allocation with private data. */
static int shared_resource(struct env *e, d3dkmthandle *res, d3dkmthandle *alloc)
{
	struct dxg_open_alloc_desc d = {
		.version = DXG_OPEN_ALLOC_DESC_VERSION, .size = BUF_SIZE,
	};
	struct d3dddi_allocationinfo2 info = {
		.priv_drv_data = (uintptr_t)&d, .priv_drv_data_size = sizeof(d),
	};
	struct d3dkmt_createallocation ca = {
		.device = e->device, .alloc_count = 1,
		.allocation_info = (uintptr_t)&info,
		.private_runtime_data = (uintptr_t)RUNTIME_DATA,
		.private_runtime_data_size = sizeof(RUNTIME_DATA),
		.priv_drv_data = (uintptr_t)RES_DATA,
		.priv_drv_data_size = sizeof(RES_DATA),
	};
	int r;

	ca.flags.value = D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE |
			 D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED |
			 D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING;
	r = xioctl(e->fd, LX_DXCREATEALLOCATION, &ca);
	*res = ca.resource;
	*alloc = info.allocation;
	return r;
}

static int shared_fence(struct env *e, d3dkmthandle *h)
{
	struct d3dkmt_createsynchronizationobject2 c = { .device = e->device };
	int r;

	c.info.type = D3DDDI_MONITORED_FENCE;
	c.info.flags.value = D3DDDI_SYNCOBJ_FLAG_SHARED |
			     D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING;
	r = xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c);
	*h = c.sync_object;
	return r;
}

/* The fd comes back as a u64 through shared_handle, as in WSL. */
static int share(struct env *e, d3dkmthandle h, int *fd)
{
	uint64_t out = ~0ull;
	struct d3dkmt_shareobjects s = { .object_count = 1,
					 .objects = (uintptr_t)&h,
					 .shared_handle = (uintptr_t)&out };
	int r = xioctl(e->fd, LX_DXSHAREOBJECTS, &s);

	*fd = r ? -1 : (int)out;
	return r;
}

static int open_fence(struct env *e, int fd, d3dkmthandle *h,
		      volatile uint64_t **page)
{
	struct d3dkmt_opensyncobjectfromnthandle2 o = {
		.nt_handle = (uint64_t)fd, .device = e->device,
	};
	int r = xioctl(e->fd, LX_DXOPENSYNCOBJECTFROMNTHANDLE2, &o);

	*h = o.sync_object;
	if (page)
		*page = (volatile uint64_t *)(uintptr_t)
			o.monitored_fence.fence_value_cpu_va;
	return r;
}

struct opened {
	d3dkmthandle res, alloc;
	struct d3dddi_openallocationinfo2 oai;
	char runtime[64], res_priv[64], total[64];
};

static int open_resource_n(struct env *e, int fd, struct opened *o,
			   uint32_t count)
{
	struct d3dkmt_openresourcefromnthandle a = {
		.device = e->device, .nt_handle = (uint64_t)fd,
		.allocation_count = count,
		.open_alloc_info = (uintptr_t)&o->oai,
		.private_runtime_data = (uintptr_t)o->runtime,
		.private_runtime_data_size = sizeof(o->runtime),
		.resource_priv_drv_data = (uintptr_t)o->res_priv,
		.resource_priv_drv_data_size = sizeof(o->res_priv),
		.total_priv_drv_data = (uintptr_t)o->total,
		.total_priv_drv_data_size = sizeof(o->total),
	};
	int r;

	memset(o, 0, sizeof(*o));
	r = xioctl(e->fd, LX_DXOPENRESOURCEFROMNTHANDLE, &a);
	o->res = a.resource;
	o->alloc = o->oai.allocation;
	return r;
}

static int open_resource(struct env *e, int fd, struct opened *o)
{
	return open_resource_n(e, fd, o, 1);
}

static int destroy_resource(struct env *e, d3dkmthandle res)
{
	struct d3dkmt_destroyallocation2 d = { .device = e->device,
					       .resource = res };

	return xioctl(e->fd, LX_DXDESTROYALLOCATION2, &d);
}

/* Submit one FILL of 16 bytes of pattern at va. */
static int fill(struct env *e, d3dkmthandle ctx, struct cmdbuf *b, uint64_t va,
		uint32_t pattern)
{
	struct dxg_cmdbuf_header h = {
		.magic = DXG_CMDBUF_MAGIC, .version = DXG_CMDBUF_VERSION,
		.num_commands = 1,
	};
	struct dxg_cmd_fill f = {
		.hdr = { .opcode = DXG_CMD_FILL, .size_bytes = sizeof(f) },
		.dst_va = va, .size = 16, .pattern = pattern,
	};
	struct d3dkmt_submitcommand s = { .broadcast_context_count = 1 };

	h.size_bytes = sizeof(h) + sizeof(f);
	memcpy(b->cpu, &h, sizeof(h));
	memcpy(b->cpu + sizeof(h), &f, sizeof(f));
	s.command_buffer = b->va;
	s.command_length = h.size_bytes;
	s.broadcast_context[0] = ctx;
	return xioctl(e->fd, LX_DXSUBMITCOMMAND, &s);
}

/* Wait (CPU, eventfd) until fence h of e reaches v, at most ms. */
static int wait_value(struct env *e, d3dkmthandle h, uint64_t v, int ms)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	struct d3dkmt_waitforsynchronizationobjectfromcpu w = {
		.device = e->device, .object_count = 1,
		.objects = (uintptr_t)&h, .fence_values = (uintptr_t)&v,
		.async_event = (uint64_t)efd,
	};
	struct pollfd p = { .fd = efd, .events = POLLIN };
	int r;

	if (efd < 0)
		return -errno;
	r = xioctl(e->fd, LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMCPU, &w);
	if (!r && poll(&p, 1, ms) != 1)
		r = -ETIMEDOUT;
	close(efd);
	return r;
}

static int send_fds(int sock, const int *fds, int n)
{
	char byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	char ctl[CMSG_SPACE(4 * sizeof(int))];
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl,
			    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *c;

	memset(ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fds(int sock, int *fds, int n)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	char ctl[CMSG_SPACE(4 * sizeof(int))];
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(n * sizeof(int)))
		return -1;
	memcpy(fds, CMSG_DATA(c), n * sizeof(int));
	return 0;
}

/* ---- two processes, one buffer and one fence ---- */

#define PATTERN_PARENT	0x11223344u
#define PATTERN_CHILD	0x55667788u

/* The child: opens both from the fds, closes them, then works with them. */
static int child_side(int sock)
{
	struct env c;
	struct cmdbuf b;
	struct opened o;
	struct d3dkmt_queryresourceinfofromnthandle q = { 0 };
	volatile uint64_t *page;
	d3dkmthandle f, ctx;
	uint32_t *cpu;
	uint64_t va;
	int fds[2];
	void *p;

	if (env_open(&c) || context(&c, &ctx) || cmdbuf_make(&c, &b)) {
		fail("child setup", "%s", strerror(errno));
		return 1;
	}
	if (recv_fds(sock, fds, 2)) {
		fail("child: receive the fds (SCM_RIGHTS)", "%s", strerror(errno));
		return 1;
	}
	q.device = c.device;
	q.nt_handle = (uint64_t)fds[0];
	expect("QueryResourceInfoFromNtHandle",
	       xioctl(c.fd, LX_DXQUERYRESOURCEINFOFROMNTHANDLE, &q), 0);
	check("QueryResourceInfoFromNtHandle sizes",
	      q.allocation_count == 1 &&
	      q.private_runtime_data_size == sizeof(RUNTIME_DATA) &&
	      q.resource_priv_drv_data_size == sizeof(RES_DATA) &&
	      q.total_priv_drv_data_size == sizeof(struct dxg_open_alloc_desc),
	      "count %u runtime %u res %u total %u", q.allocation_count,
	      q.private_runtime_data_size, q.resource_priv_drv_data_size,
	      q.total_priv_drv_data_size);
	expect("OpenResourceFromNtHandle", open_resource(&c, fds[0], &o), 0);
	check("opened resource: its own handles",
	      o.res && o.alloc && o.oai.priv_drv_data_size ==
	      sizeof(struct dxg_open_alloc_desc), "res %#x alloc %#x", o.res,
	      o.alloc);
	check("opened resource: the private data as created",
	      !strcmp(o.runtime, RUNTIME_DATA) && !strcmp(o.res_priv, RES_DATA) &&
	      ((struct dxg_open_alloc_desc *)o.total)->size == BUF_SIZE &&
	      o.oai.priv_drv_data == (uintptr_t)o.total,
	      "runtime '%s' res '%s'", o.runtime, o.res_priv);
	expect("OpenSyncObjectFromNtHandle2", open_fence(&c, fds[1], &f, &page),
	       0);
	check("opened fence: its page mapped", page && mapped((void *)page, PAGE),
	      "%p", (void *)page);
	/* The opened objects do not need the fds. */
	close(fds[0]);
	close(fds[1]);

	expect("child: wait for the parent's GPU signal",
	       wait_value(&c, f, 1, 20000), 0);
	check("child: the fence page shows the value", page && *page >= 1,
	      "%llu", page ? (unsigned long long)*page : 0ull);
	if (lock(c.fd, c.device, o.alloc, &p)) {
		fail("child: Lock2 of the opened allocation", "%s",
		     strerror(errno));
		return 1;
	}
	cpu = p;
	check("child reads what the parent's GPU wrote", cpu[0] == PATTERN_PARENT &&
	      cpu[3] == PATTERN_PARENT, "%#x", cpu[0]);
	expect("child: MapGpuVa of the opened allocation",
	       map_va(&c, b.pq, o.alloc, 2, &va), 0);
	expect("child: FILL into the shared buffer",
	       fill(&c, ctx, &b, va + PAGE, PATTERN_CHILD), 0);
	expect("child: SignalFromGpu on the opened fence",
	       signal_gpu(&c, ctx, f, 2), 0);
	expect("child: wait for its own signal", wait_value(&c, f, 2, 20000), 0);
	close(c.fd);
	return failures ? 1 : 0;
}

static void test_two_processes(struct env *e)
{
	struct cmdbuf b;
	d3dkmthandle res, alloc, f, ctx;
	volatile uint32_t *cpu;
	uint64_t va;
	int sv[2], fds[2], st;
	pid_t pid;
	void *p;

	if (context(e, &ctx) || cmdbuf_make(e, &b) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		fail("share setup", "%s", strerror(errno));
		return;
	}
	expect("CreateAllocation shared resource", shared_resource(e, &res, &alloc),
	       0);
	expect("CreateSynchronizationObject2 shared fence", shared_fence(e, &f), 0);
	expect("ShareObjects resource", share(e, res, &fds[0]), 0);
	expect("ShareObjects fence", share(e, f, &fds[1]), 0);
	check("ShareObjects fds are close-on-exec",
	      fds[0] >= 0 && fds[1] >= 0 &&
	      (fcntl(fds[0], F_GETFD) & FD_CLOEXEC) &&
	      (fcntl(fds[1], F_GETFD) & FD_CLOEXEC), "%d %d", fds[0], fds[1]);
	if (lock(e->fd, e->device, alloc, &p) ||
	    map_va(e, b.pq, alloc, 2, &va)) {
		fail("parent: Lock2 / MapGpuVa of the shared allocation", "%s",
		     strerror(errno));
		return;
	}
	cpu = p;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(child_side(sv[1]));
	}
	close(sv[1]);
	expect("send the fds (SCM_RIGHTS)", send_fds(sv[0], fds, 2), 0);
	close(sv[0]);
	/* Ours can go too: the child's copies keep the NT objects. */
	close(fds[0]);
	close(fds[1]);
	expect("parent: FILL into the shared buffer",
	       fill(e, ctx, &b, va, PATTERN_PARENT), 0);
	expect("parent: SignalFromGpu", signal_gpu(e, ctx, f, 1), 0);
	expect("parent: wait for the child's GPU signal",
	       wait_value(e, f, 2, 30000), 0);
	check("parent reads what the child's GPU wrote",
	      cpu[PAGE / 4] == PATTERN_CHILD && cpu[PAGE / 4 + 3] == PATTERN_CHILD,
	      "%#x", cpu[PAGE / 4]);
	check("child passed", waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	      WEXITSTATUS(st) == 0, "status %#x", st);
	expect("ShareObjectWithHost", ({
		struct d3dkmt_shareobjectwithhost s = {
			.device_handle = e->device, .object_handle = res };
		int r = xioctl(e->fd, LX_DXSHAREOBJECTWITHHOST, &s);

		r ? r : s.object_vail_nt_handle ? 0 : -1; }), 0);
	expect("destroy the shared resource", destroy_resource(e, res), 0);
	expect("destroy the shared fence", sync_destroy(e->fd, f), 0);
}

/* ---- lifetime ---- */

static void test_lifetime(struct env *e)
{
	long base = host_stat("dxg_host_objects");
	d3dkmthandle res, alloc, f, f2;
	struct opened o;
	volatile uint64_t *page;
	uint32_t *cpu;
	int rfd, ffd;
	void *p;

	if (shared_resource(e, &res, &alloc) || shared_fence(e, &f) ||
	    lock(e->fd, e->device, alloc, &p)) {
		fail("lifetime setup", "%s", strerror(errno));
		return;
	}
	cpu = p;
	cpu[5] = 0xfeedbeef;
	expect("ShareObjects resource", share(e, res, &rfd), 0);
	expect("ShareObjects fence", share(e, f, &ffd), 0);
	expect("signal the shared fence to 7", signal_cpu(e, f, 7), 0);
	/* The sharer's own objects go: the fds keep the memory and fence. */
	expect("destroy the original resource", destroy_resource(e, res), 0);
	expect("destroy the original fence", sync_destroy(e->fd, f), 0);
	expect("OpenResourceFromNtHandle after the original went",
	       open_resource(e, rfd, &o), 0);
	expect("OpenSyncObjectFromNtHandle2 after the original went",
	       open_fence(e, ffd, &f2, &page), 0);
	close(rfd);
	close(ffd);
	if (lock(e->fd, e->device, o.alloc, &p) == 0) {
		cpu = p;
		check("the memory survived its creator's handles",
		      cpu[5] == 0xfeedbeef, "%#x", cpu[5]);
	} else {
		fail("Lock2 of the opened allocation", "%s", strerror(errno));
	}
	check("the fence survived with its value", page && *page == 7, "%llu",
	      page ? (unsigned long long)*page : 0ull);
	expect("signal the opened fence", signal_cpu(e, f2, 9), 0);
	expect("wait on the opened fence", wait_value(e, f2, 9, 5000), 0);
	expect("destroy the opened resource", destroy_resource(e, o.res), 0);
	expect("destroy the opened fence", sync_destroy(e->fd, f2), 0);
	if (base >= 0)
		check("host objects back to where they were",
		      host_stat("dxg_host_objects") == base, "%ld != %ld",
		      host_stat("dxg_host_objects"), base);
}

/*
 * What was opened can be shared again: a resource opened from an NT handle
 * (the original and the first fd gone) is shared anew and opened from the
 * new fd with the creation data and the same memory; an opened fence too.
 * An opened resource's allocations are fixed like the original's.
 */
static void test_reshare(struct env *e)
{
	long base = host_stat("dxg_host_objects");
	d3dkmthandle res, alloc, f, f2, f3;
	volatile uint64_t *page2, *page3;
	struct opened o, o2;
	int rfd, rfd2, ffd, ffd2;
	uint32_t *cpu;
	void *p;

	if (shared_resource(e, &res, &alloc) || shared_fence(e, &f) ||
	    share(e, res, &rfd) || share(e, f, &ffd) ||
	    open_resource(e, rfd, &o) || open_fence(e, ffd, &f2, &page2)) {
		fail("reshare setup", "%s", strerror(errno));
		return;
	}
	close(rfd);
	close(ffd);
	expect("destroy the original resource", destroy_resource(e, res), 0);
	expect("destroy the original fence", sync_destroy(e->fd, f), 0);
	expect("ShareObjects on the opened resource", share(e, o.res, &rfd2), 0);
	expect("ShareObjects on the opened fence", share(e, f2, &ffd2), 0);
	expect("OpenResourceFromNtHandle of the re-shared resource",
	       open_resource(e, rfd2, &o2), 0);
	check("... the creation data travels on",
	      !strcmp(o2.runtime, RUNTIME_DATA) && !strcmp(o2.res_priv, RES_DATA),
	      "'%s' '%s'", o2.runtime, o2.res_priv);
	if (lock(e->fd, e->device, o.alloc, &p) == 0) {
		cpu = p;
		cpu[3] = 0x5eedf00d;
	}
	if (lock(e->fd, e->device, o2.alloc, &p) == 0) {
		cpu = p;
		check("... the same memory", cpu[3] == 0x5eedf00d, "%#x", cpu[3]);
	} else {
		fail("Lock2 of the re-opened allocation", "%s", strerror(errno));
	}
	expect("OpenSyncObjectFromNtHandle2 of the re-shared fence",
	       open_fence(e, ffd2, &f3, &page3), 0);
	expect("signal the third object to 4", signal_cpu(e, f3, 4), 0);
	expect("... the second sees it", wait_value(e, f2, 4, 5000), 0);
	check("... on its page", page2 && *page2 == 4, "%llu",
	      page2 ? (unsigned long long)*page2 : 0ull);
	{
		struct d3dddi_allocationinfo2 info = { 0 };
		struct d3dkmt_createallocation ca = {
			.device = e->device, .resource = o.res, .alloc_count = 1,
			.allocation_info = (uintptr_t)&info,
		};

		expect("an allocation added to an opened resource -> EINVAL",
		       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	}
	close(rfd2);
	close(ffd2);
	expect("destroy the first opened resource", destroy_resource(e, o.res), 0);
	expect("destroy the second", destroy_resource(e, o2.res), 0);
	expect("destroy the opened fences", sync_destroy(e->fd, f2) |
	       sync_destroy(e->fd, f3), 0);
	if (base >= 0)
		check("host objects back after re-sharing",
		      host_stat("dxg_host_objects") == base, "%ld != %ld",
		      host_stat("dxg_host_objects"), base);
}

/* ---- the sharer dies ---- */

static void test_sharer_killed(struct env *e)
{
	long base = host_stat("dxg_host_objects");
	int sv[2], fds[2] = { -1, -1 }, st;
	struct opened o;
	d3dkmthandle f2;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		fail("kill setup", "%s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct env c;
		d3dkmthandle res, alloc, f;
		int cf[2];

		close(sv[0]);
		if (env_open(&c) || shared_resource(&c, &res, &alloc) ||
		    shared_fence(&c, &f) || share(&c, res, &cf[0]) ||
		    share(&c, f, &cf[1]) || send_fds(sv[1], cf, 2))
			_exit(2);
		pause();	/* killed here, everything still open */
		_exit(0);
	}
	close(sv[1]);
	expect("receive the fds of the sharer", recv_fds(sv[0], fds, 2), 0);
	close(sv[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	check("the sharer was killed", WIFSIGNALED(st), "status %#x", st);
	expect("OpenResourceFromNtHandle from a dead sharer",
	       open_resource(e, fds[0], &o), 0);
	expect("OpenSyncObjectFromNtHandle2 from a dead sharer",
	       open_fence(e, fds[1], &f2, NULL), 0);
	close(fds[0]);
	close(fds[1]);
	expect("destroy the opened resource", destroy_resource(e, o.res), 0);
	expect("destroy the opened fence", sync_destroy(e->fd, f2), 0);
	if (base >= 0)
		check("a killed sharer leaves nothing on the host",
		      host_stat("dxg_host_objects") == base, "%ld != %ld",
		      host_stat("dxg_host_objects"), base);

	/* A killed opener (fds and opened objects): nothing left either. */
	{
		d3dkmthandle res, alloc;
		int rfd, ready[2];
		char byte = 0;

		if (shared_resource(e, &res, &alloc) || share(e, res, &rfd) ||
		    pipe(ready)) {
			fail("opener setup", "%s", strerror(errno));
			return;
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			struct env c;
			struct opened co;

			/* The fd came by fork (close-on-exec only affects exec). */
			if (env_open(&c) || open_resource(&c, rfd, &co))
				_exit(2);
			if (write(ready[1], "r", 1) != 1)
				_exit(3);
			pause();
			_exit(0);
		}
		close(ready[1]);
		check("the opener opened by an inherited fd",
		      read(ready[0], &byte, 1) == 1 && byte == 'r', "no");
		close(ready[0]);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		check("the opener was killed", WIFSIGNALED(st), "status %#x", st);
		close(rfd);
		expect("destroy the shared resource", destroy_resource(e, res), 0);
		if (base >= 0)
			check("a killed opener leaves nothing on the host",
			      host_stat("dxg_host_objects") == base, "%ld != %ld",
			      host_stat("dxg_host_objects"), base);
	}
}

/* ---- refused ---- */

static void test_refused(struct env *e)
{
	d3dkmthandle res, alloc, plain_res, plain_alloc, f, plain_f, h;
	struct d3dkmt_shareobjects s = { .object_count = 2 };
	struct d3dkmt_queryresourceinfofromnthandle q = { .device = 0 };
	d3dkmthandle two[2];
	struct opened o;
	int rfd, ffd, nullfd, closedfd;

	if (shared_resource(e, &res, &alloc) || shared_fence(e, &f) ||
	    share(e, res, &rfd) || share(e, f, &ffd) ||
	    alloc_n(e->fd, e->device, PAGE, 1, &plain_alloc, &plain_res) ||
	    fence_create(e, e->device, 0, &plain_f, NULL)) {
		fail("refused setup", "%s", strerror(errno));
		return;
	}
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	closedfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	close(closedfd);

	expect("ShareObjects of an unshared resource",
	       share(e, plain_res, &(int){0}), -EINVAL);
	expect("ShareObjects of an unshared fence", share(e, plain_f, &(int){0}),
	       -EINVAL);
	expect("ShareObjects of an allocation", share(e, alloc, &(int){0}),
	       -EINVAL);
	expect("ShareObjects of a device", share(e, e->device, &(int){0}),
	       -EINVAL);
	two[0] = res;
	two[1] = f;
	s.objects = (uintptr_t)two;
	expect("ShareObjects of two objects", xioctl(e->fd, LX_DXSHAREOBJECTS, &s),
	       -EINVAL);
	s.object_count = 1;
	s.objects = 16;
	expect("ShareObjects bad pointer", xioctl(e->fd, LX_DXSHAREOBJECTS, &s),
	       -EFAULT);
	{
		/* Where the fd goes is bad: -EFAULT, and no fd is left open. */
		int before = open("/dev/null", O_RDONLY | O_CLOEXEC), after;

		close(before);
		s.objects = (uintptr_t)&res;
		s.shared_handle = 16;
		expect("ShareObjects with a bad shared_handle pointer -> EFAULT",
		       xioctl(e->fd, LX_DXSHAREOBJECTS, &s), -EFAULT);
		after = open("/dev/null", O_RDONLY | O_CLOEXEC);
		check("... and no fd was installed", after == before, "fd %d, then %d",
		      before, after);
		close(after);
	}
	expect("SHARED alone (global handles) refused", ({
		struct d3dkmt_createsynchronizationobject2 c = {
			.device = e->device };
		c.info.type = D3DDDI_MONITORED_FENCE;
		c.info.flags.value = D3DDDI_SYNCOBJ_FLAG_SHARED;
		xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c); }),
	       -EOPNOTSUPP);

	expect("OpenSyncObjectFromNtHandle2 of a resource fd",
	       open_fence(e, rfd, &h, NULL), -EINVAL);
	expect("OpenResourceFromNtHandle of a fence fd",
	       open_resource(e, ffd, &o), -EINVAL);
	expect("OpenResourceFromNtHandle of /dev/null",
	       open_resource(e, nullfd, &o), -EINVAL);
	expect("OpenSyncObjectFromNtHandle2 of /dev/null",
	       open_fence(e, nullfd, &h, NULL), -EINVAL);
	expect("OpenResourceFromNtHandle of /dev/dxg",
	       open_resource(e, e->fd, &o), -EINVAL);
	expect("OpenResourceFromNtHandle of a closed fd",
	       open_resource(e, closedfd, &o), -EBADF);
	expect("OpenSyncObjectFromNtHandle2 of fd -1",
	       open_fence(e, -1, &h, NULL), -EBADF);
	expect("OpenResourceFromNtHandle wrong allocation count",
	       open_resource_n(e, rfd, &o, 2), -EINVAL);
	q.nt_handle = (uint64_t)ffd;
	q.device = e->device;
	expect("QueryResourceInfoFromNtHandle of a fence fd",
	       xioctl(e->fd, LX_DXQUERYRESOURCEINFOFROMNTHANDLE, &q), -EINVAL);
	q.nt_handle = (uint64_t)rfd;
	q.device = 0x12345;
	expect("QueryResourceInfoFromNtHandle bad device",
	       xioctl(e->fd, LX_DXQUERYRESOURCEINFOFROMNTHANDLE, &q), -EINVAL);
	{
		struct d3dkmt_openresourcefromnthandle a = {
			.device = e->device, .nt_handle = (uint64_t)rfd,
			.allocation_count = 1, .open_alloc_info = 16,
			.private_runtime_data_size = 64,
			.resource_priv_drv_data_size = 64,
			.total_priv_drv_data_size = 64,
		};
		long before = host_stat("dxg_host_objects");

		expect("OpenResourceFromNtHandle bad pointers",
		       xioctl(e->fd, LX_DXOPENRESOURCEFROMNTHANDLE, &a), -EFAULT);
		if (before >= 0)
			check("a failed open leaves nothing on the host",
			      host_stat("dxg_host_objects") == before, "%ld != %ld",
			      host_stat("dxg_host_objects"), before);
	}
	expect("ShareObjectWithHost of a device", ({
		struct d3dkmt_shareobjectwithhost sw = {
			.device_handle = e->device, .object_handle = e->device };
		xioctl(e->fd, LX_DXSHAREOBJECTWITHHOST, &sw); }), -EINVAL);
	/* Adding allocations to a shared resource: fixed at creation. */
	{
		struct dxg_open_alloc_desc d = {
			.version = DXG_OPEN_ALLOC_DESC_VERSION, .size = PAGE,
		};
		struct d3dddi_allocationinfo2 info = {
			.priv_drv_data = (uintptr_t)&d,
			.priv_drv_data_size = sizeof(d),
		};
		struct d3dkmt_createallocation ca = {
			.device = e->device, .resource = res, .alloc_count = 1,
			.allocation_info = (uintptr_t)&info,
		};

		expect("CreateAllocation into a shared resource",
		       xioctl(e->fd, LX_DXCREATEALLOCATION, &ca), -EINVAL);
	}
	close(rfd);
	close(ffd);
	close(nullfd);
	destroy_resource(e, res);
	destroy_resource(e, plain_res);
	sync_destroy(e->fd, f);
	sync_destroy(e->fd, plain_f);
}

int main(void)
{
	struct env e;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env_open(&e)) {
		fail("open", "no /dev/dxg adapter: %s", strerror(errno));
		return 1;
	}
	test_two_processes(&e);
	test_lifetime(&e);
	test_reshare(&e);
	test_sharer_killed(&e);
	test_refused(&e);
	close(e.fd);
	printf("%s test_dxg_share: %d failure(s)\n", failures ? "FAIL" : "PASS",
	       failures);
	return failures ? 1 : 0;
}
