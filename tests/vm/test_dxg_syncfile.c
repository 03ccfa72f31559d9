// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of sync files on /dev/dxg (docs/sync.md §7), run inside
 * a guest with dxgkrnl.ko and a dxghost: CreateSyncFile gives a real
 * sync_file (poll(), SYNC_IOC_FILE_INFO, SYNC_IOC_MERGE) signalled when
 * the monitored fence reaches the value; nothing is left when it is closed
 * first; it fails (status < 0) when its sync object, device or process
 * goes away; WaitSyncFile queues a real GPU wait; WaitSyncFile and
 * OpenSyncObjectFromSyncFile refuse whatever is not one of our sync files
 * (pipes, eventfds, /dev/null, /dev/dxg, closed fds, a dma-buf's sync file)
 * and another process's sync files of a fence that is not shared; the same
 * two ioctls on another process's sync files of a shared fence (a GPU wait
 * on the caller's context, an object of the caller's own).
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
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>

#include "dxg/protocol.h"
#include "uapi/misc/d3dkmthk.h"

#define VMTEST_RAW_ENV
#include "vmtest.h"

/* CreateSyncFile: the new fd, or -errno. */
static int sf_create(int fd, d3dkmthandle dev, d3dkmthandle fence, uint64_t v)
{
	struct d3dkmt_createsyncfile c = {
		.device = dev, .monitored_fence = fence, .fence_value = v,
		.sync_file_handle = ~0ull,
	};
	int r = xioctl(fd, LX_DXCREATESYNCFILE, &c);

	return r ? r : (int)c.sync_file_handle;
}

static int sf_wait(int fd, uint64_t sf, d3dkmthandle ctx)
{
	struct d3dkmt_waitsyncfile w = { .sync_file_handle = sf,
					 .context = ctx };

	return xioctl(fd, LX_DXWAITSYNCFILE, &w);
}

static int sf_open(int fd, uint64_t sf, d3dkmthandle dev,
		   struct d3dkmt_opensyncobjectfromsyncfile *o)
{
	memset(o, 0, sizeof(*o));
	o->sync_file_handle = sf;
	o->device = dev;
	return xioctl(fd, LX_DXOPENSYNCOBJECTFROMSYNCFILE, o);
}

/* Is fd readable within ms? */
static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* SYNC_IOC_FILE_INFO: the file's status; fi the first fence's info. */
static int sf_info(int fd, struct sync_file_info *info,
		   struct sync_fence_info *fi)
{
	struct sync_fence_info all[8];

	memset(info, 0, sizeof(*info));
	memset(fi, 0, sizeof(*fi));
	if (ioctl(fd, SYNC_IOC_FILE_INFO, info))
		return -errno;
	if (!info->num_fences || info->num_fences > 8)
		return 0;
	info->sync_fence_info = (uintptr_t)all;
	if (ioctl(fd, SYNC_IOC_FILE_INFO, info))
		return -errno;
	*fi = all[0];
	return 0;
}

static int sf_status(int fd)
{
	struct sync_file_info info;
	struct sync_fence_info fi;

	return sf_info(fd, &info, &fi) ? -1000 : info.status;
}

static long module_refs(void)
{
	FILE *f = fopen("/sys/module/dxgkrnl/refcnt", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The module's reference count settles at want within 5 s. */
static int refs_settle(long want)
{
	for (int i = 0; i < 50 && module_refs() != want; i++)
		usleep(100 * 1000);
	return module_refs() == want;
}

static void test_signal(struct env *e)
{
	struct sync_file_info info;
	struct sync_fence_info fi;
	volatile uint64_t *page;
	d3dkmthandle f;
	int sf, sf2, sf0;

	if (fence_create(e, e->device, 0, &f, &page)) {
		fail("signal: create fence", "%s", strerror(errno));
		return;
	}
	sf = sf_create(e->fd, e->device, f, 5);
	check("CreateSyncFile for a value not reached", sf >= 0, "%d", sf);
	if (sf < 0)
		return;
	check("the sync file is close-on-exec",
	      (fcntl(sf, F_GETFD) & FD_CLOEXEC) != 0, "flags %#x",
	      fcntl(sf, F_GETFD));
	check("poll() times out before the value", !readable(sf, 300),
	      "readable");
	check("FILE_INFO: one fence, active",
	      !sf_info(sf, &info, &fi) && info.num_fences == 1 &&
	      info.status == 0 && fi.status == 0,
	      "n %u status %d/%d", info.num_fences, info.status, fi.status);
	check("FILE_INFO: our driver and timeline names",
	      !strcmp(fi.driver_name, "dxgkrnl") &&
	      !strcmp(fi.obj_name, "dxg_monitored_fence"), "'%s' '%s'",
	      fi.driver_name, fi.obj_name);
	expect("signal the fence below the value", signal_cpu(e, f, 4), 0);
	check("still not readable below the value", !readable(sf, 300),
	      "readable");
	expect("signal the fence to the value", signal_cpu(e, f, 5), 0);
	check("poll() readable once the value is reached", readable(sf, 5000),
	      "not readable after 5 s");
	check("FILE_INFO: status 1 (signalled)",
	      !sf_info(sf, &info, &fi) && info.status == 1 && fi.status == 1,
	      "status %d/%d", info.status, fi.status);

	sf2 = sf_create(e->fd, e->device, f, 3);
	check("a sync file for a reached value is signalled at once",
	      sf2 >= 0 && readable(sf2, 2000) && sf_status(sf2) == 1,
	      "fd %d status %d", sf2, sf2 >= 0 ? sf_status(sf2) : 0);
	sf0 = sf_create(e->fd, e->device, f, 0);
	check("value 0 is signalled at once",
	      sf0 >= 0 && readable(sf0, 2000) && sf_status(sf0) == 1,
	      "fd %d", sf0);
	close(sf0);
	close(sf2);
	close(sf);
	sync_destroy(e->fd, f);
}

/* Closed before it was signalled: nothing of it stays. */
static void test_close_early(struct env *e)
{
	long refs0 = module_refs(), objs0;
	d3dkmthandle f;
	int sf[8], ok = 1;

	if (fence_create(e, e->device, 0, &f, NULL)) {
		fail("close early: create fence", "%s", strerror(errno));
		return;
	}
	objs0 = host_stat("dxg_host_objects");
	for (int i = 0; i < 8; i++) {
		sf[i] = sf_create(e->fd, e->device, f, 100 + i);
		ok &= sf[i] >= 0;
	}
	check("8 pending sync files", ok, "a create failed");
	check("each pending sync file holds the module",
	      refs0 < 0 || module_refs() == refs0 + 8, "refcnt %ld, was %ld",
	      module_refs(), refs0);
	for (int i = 0; i < 8; i++)
		if (sf[i] >= 0)
			close(sf[i]);
	check("closed before the signal: module references back",
	      refs0 < 0 || refs_settle(refs0), "refcnt %ld, was %ld",
	      module_refs(), refs0);
	/* The host's waiters now fire to ids nobody knows: ignored. */
	expect("signal after the sync files were closed",
	       signal_cpu(e, f, 200), 0);
	expect("destroy the fence", sync_destroy(e->fd, f), 0);
	check("host objects back", host_stat("dxg_host_objects") == objs0 - 1,
	      "%ld vs %ld", host_stat("dxg_host_objects"), objs0 - 1);
}

/* WaitSyncFile queues a GPU wait: a later signal on the context waits. */
static void test_wait(struct env *e)
{
	volatile uint64_t *page2;
	d3dkmthandle f, f2, ctx;
	int sf, sfa, sfb, sfm;

	if (fence_create(e, e->device, 0, &f, NULL) ||
	    fence_create(e, e->device, 0, &f2, &page2) || context(e, &ctx)) {
		fail("wait: set up", "%s", strerror(errno));
		return;
	}
	sf = sf_create(e->fd, e->device, f, 10);
	expect("WaitSyncFile on a pending sync file", sf_wait(e->fd, sf, ctx),
	       0);
	expect("signal f2 from the GPU after the wait",
	       signal_gpu(e, ctx, f2, 1), 0);
	usleep(300 * 1000);
	check("the context waits for the sync file", *page2 == 0, "f2 = %llu",
	      (unsigned long long)*page2);
	expect("signal the sync file's fence", signal_cpu(e, f, 10), 0);
	for (int i = 0; i < 50 && *page2 != 1; i++)
		usleep(100 * 1000);
	check("then the context runs on", *page2 == 1, "f2 = %llu",
	      (unsigned long long)*page2);
	check("and the sync file is signalled", readable(sf, 5000), "no");
	expect("WaitSyncFile on a signalled sync file",
	       sf_wait(e->fd, sf, ctx), 0);

	/* Merged: an array of two of ours. */
	sfa = sf_create(e->fd, e->device, f, 20);
	sfb = sf_create(e->fd, e->device, f2, 5);
	{
		struct sync_merge_data m = { .name = "m", .fd2 = sfb };

		sfm = sfa >= 0 && sfb >= 0 &&
		      !ioctl(sfa, SYNC_IOC_MERGE, &m) ? (int)m.fence : -1;
	}
	check("SYNC_IOC_MERGE of two of our sync files", sfm >= 0, "%s",
	      strerror(errno));
	if (sfm >= 0) {
		struct d3dkmt_opensyncobjectfromsyncfile o;

		expect("WaitSyncFile on a merged sync file",
		       sf_wait(e->fd, sfm, ctx), 0);
		expect("OpenSyncObjectFromSyncFile refuses two fences",
		       sf_open(e->fd, sfm, e->device, &o), -EINVAL);
		signal_cpu(e, f, 20);
		check("the merged file waits for both",
		      !readable(sfm, 200), "readable");
		signal_cpu(e, f2, 5);
		check("the merged file signals when both did",
		      readable(sfm, 5000) && sf_status(sfm) == 1,
		      "status %d", sf_status(sfm));
		close(sfm);
	}
	if (sfa >= 0)
		close(sfa);
	if (sfb >= 0)
		close(sfb);
	close(sf);
	sync_destroy(e->fd, f);
	sync_destroy(e->fd, f2);
}

static void test_open(struct env *e)
{
	struct d3dkmt_opensyncobjectfromsyncfile o;
	struct d3dkmt_createdevice cd = { .adapter = e->adapter };
	volatile uint64_t *page;
	d3dkmthandle f;
	int sf;

	if (fence_create(e, e->device, 0, &f, &page)) {
		fail("open: create fence", "%s", strerror(errno));
		return;
	}
	sf = sf_create(e->fd, e->device, f, 7);
	expect("OpenSyncObjectFromSyncFile (same process)",
	       sf_open(e->fd, sf, e->device, &o), 0);
	check("it names the fence, the value and its page",
	      o.syncobj == f && o.fence_value == 7 &&
	      o.fence_value_cpu_va == (uintptr_t)page,
	      "%#x/%#x %llu %#llx/%p", o.syncobj, f,
	      (unsigned long long)o.fence_value,
	      (unsigned long long)o.fence_value_cpu_va, (void *)page);
	if (!xioctl(e->fd, LX_DXCREATEDEVICE, &cd)) {
		struct d3dkmt_destroydevice dd = { .device = cd.device };

		expect("OpenSyncObjectFromSyncFile on another device",
		       sf_open(e->fd, sf, cd.device, &o), -EINVAL);
		xioctl(e->fd, LX_DXDESTROYDEVICE, &dd);
	}
	expect("OpenSyncObjectFromSyncFile on a bad device",
	       sf_open(e->fd, sf, 0x12345, &o), -EINVAL);
	close(sf);
	sync_destroy(e->fd, f);
}

/* A sync file whose fence is not ours: a dma-buf's (udmabuf) */
static int foreign_sync_file(void)
{
	struct udmabuf_create uc = { .flags = UDMABUF_FLAGS_CLOEXEC,
				     .size = 4096 };
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_RW,
					       .fd = -1 };
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	int mfd, buf = -1;

	if (dev < 0)
		return -1;
	mfd = memfd_create("dxg", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd >= 0 && !ftruncate(mfd, 4096) &&
	    !fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		uc.memfd = mfd;
		buf = ioctl(dev, UDMABUF_CREATE, &uc);
	}
	if (buf >= 0 && ioctl(buf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex))
		ex.fd = -1;
	if (buf >= 0)
		close(buf);
	if (mfd >= 0)
		close(mfd);
	close(dev);
	return ex.fd;
}

struct bad_fd {
	const char *what;
	int fd;
	int want;
};

/* What is not one of our sync files is refused, never used as ours. */
static void test_refused(struct env *e)
{
	struct d3dkmt_opensyncobjectfromsyncfile o;
	struct d3dkmt_createsynchronizationobject2 cn = { .device = e->device };
	d3dkmthandle f, ctx;
	int p[2], efd, null, closed, foreign, sf;
	struct bad_fd bad[6];
	char name[128];
	unsigned int n = 0;

	if (fence_create(e, e->device, 0, &f, NULL) || context(e, &ctx) ||
	    pipe(p)) {
		fail("refused: set up", "%s", strerror(errno));
		return;
	}
	efd = eventfd(0, EFD_CLOEXEC);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	closed = dup(null);
	close(closed);
	bad[n++] = (struct bad_fd){ "a pipe", p[0], -EINVAL };
	bad[n++] = (struct bad_fd){ "an eventfd", efd, -EINVAL };
	bad[n++] = (struct bad_fd){ "/dev/null", null, -EINVAL };
	bad[n++] = (struct bad_fd){ "/dev/dxg", e->fd, -EINVAL };
	bad[n++] = (struct bad_fd){ "a closed fd", closed, -EBADF };
	foreign = foreign_sync_file();
	if (foreign >= 0)
		bad[n++] = (struct bad_fd){ "a dma-buf's sync file", foreign,
					     -EINVAL };
	else
		printf("# no /dev/udmabuf: the foreign sync file is not tried\n");
	for (unsigned int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "WaitSyncFile refuses %s",
			 bad[i].what);
		expect(name, sf_wait(e->fd, bad[i].fd, ctx), bad[i].want);
		snprintf(name, sizeof(name),
			 "OpenSyncObjectFromSyncFile refuses %s", bad[i].what);
		expect(name, sf_open(e->fd, bad[i].fd, e->device, &o),
		       bad[i].want);
	}
	expect("WaitSyncFile refuses fd -1", sf_wait(e->fd, ~0ull, ctx),
	       -EBADF);
	expect("OpenSyncObjectFromSyncFile refuses fd 2^32",
	       sf_open(e->fd, 1ull << 32, e->device, &o), -EBADF);

	sf = sf_create(e->fd, e->device, f, 1);
	{
		struct d3dkmt_waitsyncfile w = { .sync_file_handle = sf,
						 .context = ctx,
						 .reserved = 1 };

		expect("WaitSyncFile: reserved must be 0",
		       xioctl(e->fd, LX_DXWAITSYNCFILE, &w), -EINVAL);
	}
	expect("WaitSyncFile: a bad context", sf_wait(e->fd, sf, 0x4242),
	       -EINVAL);
	expect("WaitSyncFile: a device handle as context",
	       sf_wait(e->fd, sf, e->device), -EINVAL);
	close(sf);

	/* CreateSyncFile takes only a monitored fence of the device. */
	expect("CreateSyncFile: a bad device",
	       sf_create(e->fd, 0x4242, f, 1), -EINVAL);
	expect("CreateSyncFile: a device handle as the fence",
	       sf_create(e->fd, e->device, e->device, 1), -EINVAL);
	expect("CreateSyncFile: a context handle as the fence",
	       sf_create(e->fd, e->device, ctx, 1), -EINVAL);
	cn.info.type = D3DDDI_CPU_NOTIFICATION;
	cn.info.cpu_notification.event = (uint64_t)efd;
	if (!xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &cn)) {
		expect("CreateSyncFile: a CPU notification object",
		       sf_create(e->fd, e->device, cn.sync_object, 1),
		       -EINVAL);
		sync_destroy(e->fd, cn.sync_object);
	}
	if (foreign >= 0)
		close(foreign);
	close(p[0]);
	close(p[1]);
	close(efd);
	close(null);
	sync_destroy(e->fd, f);
}

/* The sync object or device goes away: its sync files fail. */
static void test_owner_gone(struct env *e)
{
	struct d3dkmt_createdevice cd = { .adapter = e->adapter };
	struct d3dkmt_destroydevice dd = { 0 };
	d3dkmthandle f, f2;
	int sf, sf2;

	if (fence_create(e, e->device, 0, &f, NULL)) {
		fail("owner gone: create fence", "%s", strerror(errno));
		return;
	}
	sf = sf_create(e->fd, e->device, f, 3);
	expect("destroy the sync object under a pending sync file",
	       sync_destroy(e->fd, f), 0);
	check("the sync file fails (-ECANCELED)",
	      sf >= 0 && readable(sf, 5000) && sf_status(sf) == -ECANCELED,
	      "status %d", sf >= 0 ? sf_status(sf) : 0);
	if (sf >= 0)
		close(sf);

	if (xioctl(e->fd, LX_DXCREATEDEVICE, &cd) ||
	    fence_create(e, cd.device, 0, &f2, NULL)) {
		fail("owner gone: second device", "%s", strerror(errno));
		return;
	}
	sf2 = sf_create(e->fd, cd.device, f2, 3);
	dd.device = cd.device;
	expect("destroy the device under a pending sync file",
	       xioctl(e->fd, LX_DXDESTROYDEVICE, &dd), 0);
	check("its sync file fails (-ECANCELED)",
	      sf2 >= 0 && readable(sf2, 5000) && sf_status(sf2) == -ECANCELED,
	      "status %d", sf2 >= 0 ? sf_status(sf2) : 0);
	if (sf2 >= 0)
		close(sf2);
}

static int send_fd(int sock, int fd)
{
	char c = 'f';
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&m);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * Another process's sync file of a fence that is not shared: refused
 * while its creator lives (nothing lets this process reach it on the
 * host), failed once the creator exits.
 */
static void test_other_process(struct env *e)
{
	struct d3dkmt_opensyncobjectfromsyncfile o;
	long refs0 = module_refs();

	d3dkmthandle ctx;
	int sv[2], sf, st;
	pid_t pid;
	char c;

	if (context(e, &ctx) || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		fail("other process: set up", "%s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct env ce;
		d3dkmthandle f;
		int s;

		close(sv[0]);
		if (env_open(&ce) || fence_create(&ce, ce.device, 0, &f, NULL))
			_exit(2);
		s = sf_create(ce.fd, ce.device, f, 9);
		if (s < 0 || send_fd(sv[1], s))
			_exit(3);
		close(s);
		/* Exit (closing /dev/dxg) when the parent says so. */
		if (read(sv[1], &c, 1) != 1)
			_exit(4);
		_exit(0);
	}
	close(sv[1]);
	sf = recv_fd(sv[0]);
	check("a child's pending sync file received", sf >= 0, "none");
	if (sf >= 0) {
		expect("WaitSyncFile on another process's sync file",
		       sf_wait(e->fd, sf, ctx), -EOPNOTSUPP);
		expect("OpenSyncObjectFromSyncFile of another process's",
		       sf_open(e->fd, sf, e->device, &o), -EOPNOTSUPP);
		check("still pending", !readable(sf, 200), "readable");
	}
	if (write(sv[0], "x", 1) != 1)
		fail("other process: tell the child", "%s", strerror(errno));
	waitpid(pid, &st, 0);
	check("the child exited", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
	if (sf >= 0) {
		check("its creator exited: the sync file fails (-ECANCELED)",
		      readable(sf, 5000) && sf_status(sf) == -ECANCELED,
		      "status %d", sf_status(sf));
		expect("WaitSyncFile on it now: nothing to wait for",
		       sf_wait(e->fd, sf, ctx), 0);
		close(sf);
	}
	close(sv[0]);
	check("module references back after the child",
	      refs0 < 0 || refs_settle(refs0), "refcnt %ld, was %ld",
	      module_refs(), refs0);
}

/* *page reaches v within ms? */
static int page_reaches(volatile uint64_t *page, uint64_t v, int ms)
{
	for (int i = 0; i < ms / 10 && *page < v; i++)
		usleep(10 * 1000);
	return *page >= v;
}

/*
 * Another process's sync files of a *shared* fence (docs/sync.md §7):
 * WaitSyncFile queues a real GPU wait on the caller's context and
 * OpenSyncObjectFromSyncFile gives the caller an object of its own on the
 * same fence.  A wait whose fence can no longer be signalled by anyone
 * (the creator gone, the opened object destroyed) is released when the
 * last sync file holding the fence is closed; the host's objects go back.
 */
static void test_other_process_shared(struct env *e)
{
	struct d3dkmt_opensyncobjectfromsyncfile o = { 0 };
	long objs0 = host_stat("dxg_host_objects");
	volatile uint64_t *gp, *op = NULL;
	d3dkmthandle ctx, g;
	int sv[2], sf1 = -1, sf2 = -1, st;
	pid_t pid;
	char c;

	if (context(e, &ctx) || fence_create(e, e->device, 0, &g, &gp) ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		fail("shared other process: set up", "%s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct d3dkmt_createsynchronizationobject2 cf = { 0 };
		struct env ce;
		int a, b;

		close(sv[0]);
		if (env_open(&ce))
			_exit(2);
		cf.device = ce.device;
		cf.info.type = D3DDDI_MONITORED_FENCE;
		cf.info.flags.value = D3DDDI_SYNCOBJ_FLAG_SHARED |
				      D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING;
		if (xioctl(ce.fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &cf))
			_exit(3);
		a = sf_create(ce.fd, ce.device, cf.sync_object, 9);
		b = sf_create(ce.fd, ce.device, cf.sync_object, 12);
		if (a < 0 || b < 0 || send_fd(sv[1], a) || send_fd(sv[1], b))
			_exit(4);
		close(a);
		close(b);
		/* 's': signal 9 from the CPU; anything else: exit. */
		while (read(sv[1], &c, 1) == 1 && c == 's')
			if (signal_cpu(&ce, cf.sync_object, 9))
				_exit(5);
		_exit(0);
	}
	close(sv[1]);
	sf1 = recv_fd(sv[0]);
	sf2 = recv_fd(sv[0]);
	check("the child's two sync files received", sf1 >= 0 && sf2 >= 0,
	      "%d %d", sf1, sf2);
	if (sf1 < 0 || sf2 < 0)
		goto out;
	expect("WaitSyncFile on another process's shared fence (9)",
	       sf_wait(e->fd, sf1, ctx), 0);
	expect("SignalFromGpu G=1 behind it", signal_gpu(e, ctx, g, 1), 0);
	expect("OpenSyncObjectFromSyncFile of another process's shared fence",
	       sf_open(e->fd, sf1, e->device, &o), 0);
	op = (volatile uint64_t *)(uintptr_t)o.fence_value_cpu_va;
	check("... an object of its own, value 9, a page and a GPU VA",
	      o.syncobj && o.fence_value == 9 && op && o.fence_value_gpu_va,
	      "handle %#x value %llu cpu %p gpu %#llx", o.syncobj,
	      (unsigned long long)o.fence_value, (void *)op,
	      (unsigned long long)o.fence_value_gpu_va);
	usleep(300 * 1000);
	check("the context waits for the other process's fence",
	      *gp == 0 && !readable(sf1, 0), "G %llu",
	      (unsigned long long)*gp);
	if (write(sv[0], "s", 1) != 1)
		fail("shared other process: tell the child", "%s",
		     strerror(errno));
	check("the child's signal releases the wait: G reaches 1",
	      page_reaches(gp, 1, 5000), "G %llu", (unsigned long long)*gp);
	check("... the sync file signalled", readable(sf1, 5000) &&
	      sf_status(sf1) == 1, "status %d", sf_status(sf1));
	check("... the opened object sees 9", op && page_reaches(op, 9, 5000),
	      "%llu", op ? (unsigned long long)*op : 0ull);
	expect("a CPU wait on the opened object for 9",
	       wait_cpu(e, o.syncobj, 9, 0), 0);

	/* A wait nobody can release any more goes with the last holder. */
	expect("WaitSyncFile on the second (12)", sf_wait(e->fd, sf2, ctx), 0);
	expect("SignalFromGpu G=2 behind it", signal_gpu(e, ctx, g, 2), 0);
	if (write(sv[0], "x", 1) != 1)
		fail("shared other process: stop the child", "%s",
		     strerror(errno));
	waitpid(pid, &st, 0);
	pid = -1;
	check("the child exited", WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "status %#x", st);
	check("its creator exited: the second sync file fails",
	      readable(sf2, 5000) && sf_status(sf2) == -ECANCELED,
	      "status %d", sf_status(sf2));
	usleep(300 * 1000);
	check("the wait stays while the opened object holds the fence",
	      *gp == 1, "G %llu", (unsigned long long)*gp);
	expect("destroy the opened object", sync_destroy(e->fd, o.syncobj),
	       0);
	close(sf1);		/* the first sync file held it too */
	sf1 = -1;
	usleep(300 * 1000);
	check("... and while a sync file holds it", *gp == 1, "G %llu",
	      (unsigned long long)*gp);
	close(sf2);
	sf2 = -1;
	check("closing the last sync file releases the wait: G reaches 2",
	      page_reaches(gp, 2, 5000), "G %llu", (unsigned long long)*gp);
out:
	if (pid > 0) {
		if (write(sv[0], "x", 1) != 1)
			kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	if (sf1 >= 0)
		close(sf1);
	if (sf2 >= 0)
		close(sf2);
	close(sv[0]);
	sync_destroy(e->fd, g);
	{
		struct d3dkmt_destroycontext d = { .context = ctx };

		xioctl(e->fd, LX_DXDESTROYCONTEXT, &d);
	}
	for (int i = 0; i < 50 && host_stat("dxg_host_objects") != objs0; i++)
		usleep(100 * 1000);
	check("host objects back after the shared sync files",
	      host_stat("dxg_host_objects") == objs0, "%ld vs %ld",
	      host_stat("dxg_host_objects"), objs0);
}

/* Killed with pending sync files: they fail, nothing stays. */
static void test_killed(void)
{
	long procs0 = host_stat("dxg_host_processes");
	long refs0 = module_refs();
	int sv[2], sf, st;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return;
	pid = fork();
	if (pid == 0) {
		struct env ce;
		d3dkmthandle f;
		int s;

		close(sv[0]);
		if (env_open(&ce) || fence_create(&ce, ce.device, 0, &f, NULL))
			_exit(2);
		for (int i = 0; i < 4; i++)
			sf_create(ce.fd, ce.device, f, 50 + i);	/* leaked */
		s = sf_create(ce.fd, ce.device, f, 9);
		if (s < 0 || send_fd(sv[1], s))
			_exit(3);
		pause();
		_exit(4);
	}
	close(sv[1]);
	sf = recv_fd(sv[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	check("killed with pending sync files",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status %#x", st);
	check("the survivor fails (-ECANCELED)",
	      sf >= 0 && readable(sf, 5000) && sf_status(sf) == -ECANCELED,
	      "status %d", sf >= 0 ? sf_status(sf) : 0);
	if (sf >= 0)
		close(sf);
	close(sv[0]);
	check("module references back", refs0 < 0 || refs_settle(refs0),
	      "refcnt %ld, was %ld", module_refs(), refs0);
	for (int i = 0; i < 50 && host_stat("dxg_host_processes") != procs0;
	     i++)
		usleep(100 * 1000);
	check("host processes back", host_stat("dxg_host_processes") == procs0,
	      "%ld vs %ld", host_stat("dxg_host_processes"), procs0);
}

int main(void)
{
	struct env e;

	if (env_open(&e)) {
		fail("open", "no /dev/dxg adapter: %s", strerror(errno));
		return 1;
	}
	test_signal(&e);
	test_close_early(&e);
	test_wait(&e);
	test_open(&e);
	test_refused(&e);
	test_owner_gone(&e);
	test_other_process(&e);
	test_other_process_shared(&e);
	test_killed();
	close(e.fd);
	printf("%s test_dxg_syncfile: %d failure(s)\n",
	       failures ? "FAIL" : "PASS", failures);
	return failures ? 1 : 0;
}
