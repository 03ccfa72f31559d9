// SPDX-License-Identifier: MIT
/*
 * Raw-ioctl tests of /dev/dxg, run inside a guest with dxgkrnl.ko loaded
 * and a dxghost attached.  No library: every request is issued by hand.
 *
 *   test_dxg_ioctl          the whole suite
 *   test_dxg_ioctl --quick  open, enumerate, create and destroy a device
 *   test_dxg_ioctl --hold   hold a device, print HOLDING, wait (60 s at
 *                           most) for the host to go away, then check that
 *                           /dev/dxg is gone and calls fail with ENODEV
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uapi/misc/d3dkmthk.h"

#include "vmtest.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int open_dxg(void)
{
	return open("/dev/dxg", O_RDWR | O_CLOEXEC);
}

static int close_adapter(int fd, d3dkmthandle h)
{
	struct d3dkmt_closeadapter c = { .adapter_handle = h };

	return xioctl(fd, LX_DXCLOSEADAPTER, &c);
}

static int open_adapter(int fd, struct winluid luid, d3dkmthandle *h)
{
	struct d3dkmt_openadapterfromluid o = { .adapter_luid = luid };
	int r = xioctl(fd, LX_DXOPENADAPTERFROMLUID, &o);

	*h = o.adapter_handle;
	return r;
}

static int create_device(int fd, d3dkmthandle adapter, d3dkmthandle *dev)
{
	struct d3dkmt_createdevice c = { .adapter = adapter };
	int r = xioctl(fd, LX_DXCREATEDEVICE, &c);

	*dev = c.device;
	return r;
}

static int destroy_device(int fd, d3dkmthandle dev)
{
	struct d3dkmt_destroydevice d = { .device = dev };

	return xioctl(fd, LX_DXDESTROYDEVICE, &d);
}

static int create_context(int fd, d3dkmthandle dev, const void *priv,
			  uint32_t size, d3dkmthandle *ctx)
{
	struct d3dkmt_createcontextvirtual c = {
		.device = dev,
		.priv_drv_data = (uintptr_t)priv,
		.priv_drv_data_size = size,
		.client_hint = D3DKMT_CLIENTHINT_VULKAN,
	};
	int r = xioctl(fd, LX_DXCREATECONTEXTVIRTUAL, &c);

	*ctx = c.context;
	return r;
}

static int destroy_context(int fd, d3dkmthandle ctx)
{
	struct d3dkmt_destroycontext d = { .context = ctx };

	return xioctl(fd, LX_DXDESTROYCONTEXT, &d);
}

/* The LUID of the first adapter EnumAdapters2 lists (opened and closed). */
static int first_luid(int fd, struct winluid *luid)
{
	struct d3dkmt_adapterinfo info[D3DKMT_ADAPTERS_MAX];
	struct d3dkmt_enumadapters2 e = {
		.num_adapters = D3DKMT_ADAPTERS_MAX,
		.adapters = (uintptr_t)info,
	};
	uint32_t i;

	if (xioctl(fd, LX_DXENUMADAPTERS2, &e) || !e.num_adapters)
		return -1;
	*luid = info[0].adapter_luid;
	for (i = 0; i < e.num_adapters; i++)
		close_adapter(fd, info[i].adapter_handle);
	return 0;
}

/* ---- dispatcher ---- */

struct dxg_small {
	char x[8];
};

static void test_dispatch(int fd)
{
	struct d3dkmt_closeadapter c = { 0 };
	struct dxg_small s = { { 0 } };
	char big[1024] = { 0 };

	expect("ioctl nr 0 -> ENOTTY",
	       xioctl(fd, _IOWR('G', 0, struct d3dkmt_closeadapter), &c), -ENOTTY);
	expect("ioctl nr LX_IO_MAX+1 -> ENOTTY",
	       xioctl(fd, _IOWR('G', LX_IO_MAX + 1, struct d3dkmt_closeadapter), &c),
	       -ENOTTY);
	expect("ioctl nr 0xff -> ENOTTY",
	       xioctl(fd, _IOWR('G', 0xff, struct d3dkmt_closeadapter), &c), -ENOTTY);
	expect("ioctl wrong magic -> ENOTTY",
	       xioctl(fd, _IOWR('H', 0x15, struct d3dkmt_closeadapter), &c), -ENOTTY);
	expect("ioctl wrong size -> ENOTTY",
	       xioctl(fd, _IOWR('G', 0x14, struct dxg_small), &s), -ENOTTY);
	expect("ioctl wrong direction -> ENOTTY",
	       xioctl(fd, _IOR('G', 0x15, struct d3dkmt_closeadapter), &c), -ENOTTY);
	/* The 8 slots the reference leaves without a handler: -ENOTTY. */
	{
		static const struct { unsigned long req; const char *name; } refused[] = {
			{ LX_DXCREATECONTEXT, "CreateContext" },
			{ LX_DXCREATEHWCONTEXT, "CreateHwContext" },
			{ LX_DXDESTROYHWCONTEXT, "DestroyHwContext" },
			{ LX_DXGETSHAREDRESOURCEADAPTERLUID, "GetSharedResourceAdapterLuid" },
			{ LX_DXOPENRESOURCE, "OpenResource" },
			{ LX_DXOPENSYNCHRONIZATIONOBJECT, "OpenSynchronizationObject" },
			{ LX_DXQUERYRESOURCEINFO, "QueryResourceInfo" },
			{ LX_DXRENDER, "Render" },
		};
		char what[96];

		for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
			snprintf(what, sizeof(what), "%s (no handler in the reference) -> ENOTTY",
				 refused[i].name);
			expect(what, xioctl(fd, refused[i].req, big), -ENOTTY);
		}
	}
	expect("IsFeatureEnabled without an adapter -> EINVAL",
	       xioctl(fd, LX_ISFEATUREENABLED, big), -EINVAL);
	expect("unimplemented with wrong size -> ENOTTY",
	       xioctl(fd, _IOWR('G', 0x06, struct dxg_small), &s), -ENOTTY);
	expect("NULL argument -> EFAULT", xioctl(fd, LX_DXCLOSEADAPTER, NULL),
	       -EFAULT);
	expect("unmapped argument -> EFAULT",
	       xioctl(fd, LX_DXENUMADAPTERS2, (void *)16), -EFAULT);
}

/* ---- enumeration ---- */

static void test_enum2(int fd)
{
	struct d3dkmt_adapterinfo info[D3DKMT_ADAPTERS_MAX + 1];
	struct d3dkmt_enumadapters2 e = { 0 };
	uint32_t n, i;
	int r, ok;

	r = xioctl(fd, LX_DXENUMADAPTERS2, &e);
	n = e.num_adapters;
	if (r == 0 && n >= 1)
		pass("EnumAdapters2 NULL buffer returns the count");
	else
		fail("EnumAdapters2 NULL buffer returns the count", "r=%d n=%u", r, n);
	if (!n)
		return;

	memset(info, 0xab, sizeof(info));
	e.num_adapters = n - 1;
	e.adapters = (uintptr_t)info;
	r = xioctl(fd, LX_DXENUMADAPTERS2, &e);
	expect("EnumAdapters2 small buffer -> EOVERFLOW", r, -EOVERFLOW);
	if (e.num_adapters == n - 1 && ((unsigned char *)info)[0] == 0xab)
		pass("EnumAdapters2 EOVERFLOW writes nothing");
	else
		fail("EnumAdapters2 EOVERFLOW writes nothing", "count %u", e.num_adapters);

	e.num_adapters = D3DKMT_ADAPTERS_MAX + 1;
	expect("EnumAdapters2 count 65 -> EINVAL",
	       xioctl(fd, LX_DXENUMADAPTERS2, &e), -EINVAL);

	e.num_adapters = n;
	e.adapters = 8;
	expect("EnumAdapters2 bad buffer -> EFAULT",
	       xioctl(fd, LX_DXENUMADAPTERS2, &e), -EFAULT);

	memset(info, 0xab, sizeof(info));
	e.num_adapters = D3DKMT_ADAPTERS_MAX;
	e.adapters = (uintptr_t)info;
	r = xioctl(fd, LX_DXENUMADAPTERS2, &e);
	ok = r == 0 && e.num_adapters == n;
	for (i = 0; ok && i < n; i++)
		ok = info[i].adapter_handle != 0;
	if (ok && ((unsigned char *)&info[n])[0] == 0xab)
		pass("EnumAdapters2 lists and opens every adapter");
	else
		fail("EnumAdapters2 lists and opens every adapter", "r=%d n=%u", r,
		     e.num_adapters);
	for (i = 0; ok && i < n; i++)
		ok = close_adapter(fd, info[i].adapter_handle) == 0;
	if (ok)
		pass("CloseAdapter of enumerated handles");
	else
		fail("CloseAdapter of enumerated handles", "failed");
	if (n)
		expect("CloseAdapter twice -> EINVAL",
		       close_adapter(fd, info[0].adapter_handle), -EINVAL);
}

static void test_enum3(int fd)
{
	struct d3dkmt_adapterinfo info[D3DKMT_ADAPTERS_MAX + 1];
	struct d3dkmt_enumadapters3 e = {
		.filter = D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY,
	};
	uint32_t m, i;
	int r, intact;

	r = xioctl(fd, LX_DXENUMADAPTERS3, &e);
	m = e.adapter_count;
	if (r == 0 && m >= 1)
		pass("EnumAdapters3 NULL buffer returns the count");
	else
		fail("EnumAdapters3 NULL buffer returns the count", "r=%d m=%u", r, m);
	if (!m || m > D3DKMT_ADAPTERS_MAX)
		return;

	/* Reference bug: results were written past the caller's count. */
	memset(info, 0xab, sizeof(info));
	e.adapter_count = m - 1;
	e.adapters = (uintptr_t)info;
	r = xioctl(fd, LX_DXENUMADAPTERS3, &e);
	intact = 1;
	for (i = 0; i < sizeof(info); i++)
		intact &= ((unsigned char *)info)[i] == 0xab;
	expect("EnumAdapters3 small buffer -> EOVERFLOW", r, -EOVERFLOW);
	if (intact)
		pass("EnumAdapters3 never writes beyond the caller's count");
	else
		fail("EnumAdapters3 never writes beyond the caller's count",
		     "buffer modified");

	e.adapter_count = 0x10000;
	expect("EnumAdapters3 count 0x10000 -> EINVAL",
	       xioctl(fd, LX_DXENUMADAPTERS3, &e), -EINVAL);

	memset(info, 0xab, sizeof(info));
	e.adapter_count = m;
	r = xioctl(fd, LX_DXENUMADAPTERS3, &e);
	if (r == 0 && e.adapter_count == m &&
	    ((unsigned char *)&info[m])[0] == 0xab)
		pass("EnumAdapters3 exact buffer");
	else
		fail("EnumAdapters3 exact buffer", "r=%d count=%u", r, e.adapter_count);
	for (i = 0; r == 0 && i < m; i++)
		close_adapter(fd, info[i].adapter_handle);
}

/* ---- open / close ---- */

static void test_open_close(int fd)
{
	struct winluid luid, bad = { 0xdeadbeef, 0xfeedface };
	struct d3dkmt_openadapterfromluid o;
	d3dkmthandle h1, h2, h3;
	int r;

	if (first_luid(fd, &luid)) {
		fail("OpenAdapterFromLuid", "no adapter");
		return;
	}
	r = open_adapter(fd, luid, &h1);
	if (r == 0 && h1)
		pass("OpenAdapterFromLuid");
	else
		fail("OpenAdapterFromLuid", "r=%d h=%#x", r, h1);
	r = open_adapter(fd, luid, &h2);
	if (r == 0 && h2 && h2 != h1)
		pass("OpenAdapterFromLuid twice gives two handles");
	else
		fail("OpenAdapterFromLuid twice gives two handles", "r=%d", r);

	expect("OpenAdapterFromLuid unknown LUID -> EINVAL",
	       open_adapter(fd, bad, &h3), -EINVAL);
	/* Reference bug: success was decided by the caller's output field. */
	o.adapter_luid = bad;
	o.adapter_handle = h1;
	expect("OpenAdapterFromLuid unknown LUID, handle prefilled -> EINVAL",
	       xioctl(fd, LX_DXOPENADAPTERFROMLUID, &o), -EINVAL);
	expect("CloseAdapter", close_adapter(fd, h1), 0);
	expect("CloseAdapter stale handle -> EINVAL", close_adapter(fd, h1), -EINVAL);
	r = open_adapter(fd, luid, &h3);
	if (r == 0 && h3 != h1)
		pass("reopened adapter gets a new handle value");
	else
		fail("reopened adapter gets a new handle value", "h1=%#x h3=%#x", h1, h3);
	expect("stale handle still refused after reopen", close_adapter(fd, h1),
	       -EINVAL);
	expect("CloseAdapter 0 -> EINVAL", close_adapter(fd, 0), -EINVAL);
	expect("CloseAdapter 0xffffffff -> EINVAL", close_adapter(fd, 0xffffffffu),
	       -EINVAL);
	expect("CloseAdapter garbage -> EINVAL", close_adapter(fd, h2 ^ 0x00ffff00u),
	       -EINVAL);
	/* A stale generation of a live index. */
	expect("CloseAdapter wrong generation -> EINVAL",
	       close_adapter(fd, h2 ^ 0x1u), -EINVAL);
	close_adapter(fd, h2);
	close_adapter(fd, h3);
}

/* ---- query ---- */

static void test_query(int fd)
{
	struct d3dkmt_queryadapterinfo q = { 0 };
	struct winluid luid;
	d3dkmthandle h;
	uint32_t type = 0;
	int r;

	if (first_luid(fd, &luid) || open_adapter(fd, luid, &h)) {
		fail("QueryAdapterInfo", "no adapter");
		return;
	}
	q.adapter = h;
	q.type = KMTQAITYPE_ADAPTERTYPE;
	q.private_data = (uintptr_t)&type;
	q.private_data_size = sizeof(type);
	r = xioctl(fd, LX_DXQUERYADAPTERINFO, &q);
	if (r == 0 && (type & D3DKMT_ADAPTERTYPE_PARAVIRTUALIZED) &&
	    !(type & (D3DKMT_ADAPTERTYPE_DISPLAY_SUPPORTED |
		      D3DKMT_ADAPTERTYPE_POST_DEVICE |
		      D3DKMT_ADAPTERTYPE_INDIRECT_DISPLAY_DEVICE |
		      D3DKMT_ADAPTERTYPE_ACG_SUPPORTED |
		      D3DKMT_ADAPTERTYPE_SUPPORT_SET_TIMINGS_FROM_VIDPN)))
		pass("QueryAdapterInfo ADAPTERTYPE: paravirtualized, no display");
	else
		fail("QueryAdapterInfo ADAPTERTYPE: paravirtualized, no display",
		     "r=%d type=%#x", r, type);

	q.private_data_size = 0;
	expect("QueryAdapterInfo size 0 -> EINVAL",
	       xioctl(fd, LX_DXQUERYADAPTERINFO, &q), -EINVAL);
	q.private_data_size = 128 * 1024 + 1;
	expect("QueryAdapterInfo size > 128 KiB -> EINVAL",
	       xioctl(fd, LX_DXQUERYADAPTERINFO, &q), -EINVAL);
	{
		/* The largest buffer that fits one message, and one more byte. */
		static uint32_t big[(128 * 1024 - 48) / 4];

		q.private_data = (uintptr_t)big;
		q.private_data_size = sizeof(big);
		r = xioctl(fd, LX_DXQUERYADAPTERINFO, &q);
		if (r == 0 && (big[0] & D3DKMT_ADAPTERTYPE_PARAVIRTUALIZED))
			pass("QueryAdapterInfo with the largest buffer");
		else
			fail("QueryAdapterInfo with the largest buffer", "r=%d", r);
		q.private_data_size = sizeof(big) + 1;
		expect("QueryAdapterInfo one byte over one message -> EINVAL",
		       xioctl(fd, LX_DXQUERYADAPTERINFO, &q), -EINVAL);
		q.private_data = (uintptr_t)&type;
	}
	q.private_data_size = sizeof(type);
	q.private_data = 0;
	expect("QueryAdapterInfo NULL data -> EFAULT",
	       xioctl(fd, LX_DXQUERYADAPTERINFO, &q), -EFAULT);
	q.private_data = (uintptr_t)&type;
	q.adapter = 0;
	expect("QueryAdapterInfo adapter 0 -> EINVAL",
	       xioctl(fd, LX_DXQUERYADAPTERINFO, &q), -EINVAL);
	close_adapter(fd, h);
	q.adapter = h;
	expect("QueryAdapterInfo closed adapter -> EINVAL",
	       xioctl(fd, LX_DXQUERYADAPTERINFO, &q), -EINVAL);
}

/* ---- devices and contexts ---- */

static void test_devices(int fd, long base_objects)
{
	static char big[128 * 1024 + 8];
	struct winluid luid;
	d3dkmthandle a, dev, dev2, ctx, ctx2, x;
	char priv[64];
	long objs;
	int r;

	if (first_luid(fd, &luid) || open_adapter(fd, luid, &a)) {
		fail("CreateDevice", "no adapter");
		return;
	}
	r = create_device(fd, a, &dev);
	if (r == 0 && dev)
		pass("CreateDevice");
	else
		fail("CreateDevice", "r=%d dev=%#x", r, dev);
	objs = host_stat("dxg_host_objects");
	if (objs > base_objects)
		pass("host counts the device");
	else
		fail("host counts the device", "objects %ld, base %ld", objs,
		     base_objects);

	expect("CreateDevice adapter 0 -> EINVAL", create_device(fd, 0, &x), -EINVAL);
	expect("CreateDevice device handle as adapter -> EINVAL",
	       create_device(fd, dev, &x), -EINVAL);

	memset(priv, 0x5a, sizeof(priv));
	r = create_context(fd, dev, priv, sizeof(priv), &ctx);
	if (r == 0 && ctx)
		pass("CreateContextVirtual with private data");
	else
		fail("CreateContextVirtual with private data", "r=%d", r);
	r = create_context(fd, dev, NULL, 0, &ctx2);
	if (r == 0 && ctx2 && ctx2 != ctx)
		pass("CreateContextVirtual without private data");
	else
		fail("CreateContextVirtual without private data", "r=%d", r);
	expect("CreateContextVirtual private data > 128 KiB -> EINVAL",
	       create_context(fd, dev, big, sizeof(big), &x), -EINVAL);
	/* The largest private data that fits one message, and one more byte. */
	r = create_context(fd, dev, big, 128 * 1024 - 68, &x);
	expect("CreateContextVirtual with the largest private data", r, 0);
	if (!r)
		destroy_context(fd, x);
	expect("CreateContextVirtual one byte over one message -> EINVAL",
	       create_context(fd, dev, big, 128 * 1024 - 67, &x), -EINVAL);
	expect("CreateContextVirtual bad private data pointer -> EFAULT",
	       create_context(fd, dev, (void *)8, 16, &x), -EFAULT);
	expect("CreateContextVirtual device 0 -> EINVAL",
	       create_context(fd, 0, NULL, 0, &x), -EINVAL);
	expect("CreateContextVirtual adapter handle as device -> EINVAL",
	       create_context(fd, a, NULL, 0, &x), -EINVAL);
	expect("CreateContextVirtual context handle as device -> EINVAL",
	       create_context(fd, ctx, NULL, 0, &x), -EINVAL);

	expect("DestroyContext device handle -> EINVAL", destroy_context(fd, dev),
	       -EINVAL);
	expect("DestroyContext", destroy_context(fd, ctx), 0);
	expect("DestroyContext twice -> EINVAL", destroy_context(fd, ctx), -EINVAL);
	expect("DestroyDevice context handle -> EINVAL", destroy_device(fd, ctx2),
	       -EINVAL);
	expect("DestroyDevice adapter handle -> EINVAL", destroy_device(fd, a),
	       -EINVAL);

	/* The device outlives its adapter handle. */
	expect("CloseAdapter with a live device", close_adapter(fd, a), 0);
	r = create_context(fd, dev, NULL, 0, &x);
	expect("device usable after its adapter handle closed", r, 0);

	expect("DestroyDevice with live contexts", destroy_device(fd, dev), 0);
	expect("its contexts went with it", destroy_context(fd, ctx2), -EINVAL);
	expect("DestroyDevice twice -> EINVAL", destroy_device(fd, dev), -EINVAL);
	expect("DestroyDevice 0 -> EINVAL", destroy_device(fd, 0), -EINVAL);

	/* Several devices at once. */
	if (first_luid(fd, &luid) || open_adapter(fd, luid, &a))
		return;
	r = create_device(fd, a, &dev);
	r |= create_device(fd, a, &dev2);
	if (r == 0 && dev != dev2)
		pass("two devices on one adapter");
	else
		fail("two devices on one adapter", "r=%d", r);
	destroy_device(fd, dev);
	destroy_device(fd, dev2);
	close_adapter(fd, a);
	objs = host_stat("dxg_host_objects");
	if (objs <= base_objects + 1)	/* + our host process */
		pass("host objects freed by destroy");
	else
		fail("host objects freed by destroy", "objects %ld, base %ld", objs,
		     base_objects);
}

/* ---- other processes ---- */

static void test_other_process(int fd)
{
	int to_parent[2], to_child[2];
	d3dkmthandle h[3] = { 0 };
	struct winluid luid;
	char c = 0;
	pid_t pid;
	int st;

	if (pipe(to_parent) || pipe(to_child) || first_luid(fd, &luid)) {
		fail("other process", "setup");
		return;
	}
	pid = fork();
	if (pid == 0) {
		int cfd = open_dxg();

		if (cfd >= 0 && !open_adapter(cfd, luid, &h[0]) &&
		    !create_device(cfd, h[0], &h[1]))
			create_context(cfd, h[1], NULL, 0, &h[2]);
		if (write(to_parent[1], h, sizeof(h)) != sizeof(h) ||
		    read(to_child[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	if (read(to_parent[0], h, sizeof(h)) != sizeof(h) || !h[0] || !h[1] ||
	    !h[2]) {
		fail("other process", "child could not create objects");
	} else {
		expect("another process's adapter handle -> EINVAL",
		       close_adapter(fd, h[0]), -EINVAL);
		expect("another process's device handle -> EINVAL",
		       destroy_device(fd, h[1]), -EINVAL);
		expect("another process's context handle -> EINVAL",
		       destroy_context(fd, h[2]), -EINVAL);
		expect("CreateDevice on another process's adapter -> EINVAL",
		       create_device(fd, h[0], &h[2]), -EINVAL);
	}
	if (write(to_child[1], &c, 1) != 1)
		fail("other process", "pipe");
	waitpid(pid, &st, 0);
	close(to_parent[0]);
	close(to_parent[1]);
	close(to_child[0]);
	close(to_child[1]);
}

static void test_fork(int fd)
{
	struct winluid luid;
	d3dkmthandle a;
	pid_t pid;
	int st;

	if (first_luid(fd, &luid) || open_adapter(fd, luid, &a)) {
		fail("fork", "no adapter");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct d3dkmt_enumadapters2 e = { 0 };
		int bad = 0;

		bad |= xioctl(fd, LX_DXENUMADAPTERS2, &e) != -ENOTTY;
		bad |= close_adapter(fd, a) != -ENOTTY;
		bad |= xioctl(fd, LX_DXCREATEALLOCATION, &e) != -ENOTTY;
		_exit(bad);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		pass("forked child using the parent's fd -> ENOTTY");
	else
		fail("forked child using the parent's fd -> ENOTTY", "status %#x", st);
	expect("parent's handle unaffected by the child", close_adapter(fd, a), 0);
}

/* ---- concurrency ---- */

struct worker {
	int fd;
	struct winluid luid;
	int errors;
};

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	d3dkmthandle a, dev, ctx;
	int i;

	for (i = 0; i < 50; i++) {
		if (open_adapter(w->fd, w->luid, &a)) {
			w->errors++;
			continue;
		}
		if (!create_device(w->fd, a, &dev)) {
			if (create_context(w->fd, dev, NULL, 0, &ctx))
				w->errors++;
			if (i & 1)
				destroy_context(w->fd, ctx);
			if (destroy_device(w->fd, dev))
				w->errors++;
		} else {
			w->errors++;
		}
		if (close_adapter(w->fd, a))
			w->errors++;
	}
	return NULL;
}

static void test_threads(int fd)
{
	struct worker w[4];
	pthread_t t[4];
	int i, errors = 0;

	for (i = 0; i < 4; i++) {
		w[i].fd = fd;
		w[i].errors = 0;
		if (first_luid(fd, &w[i].luid))
			w[i].errors = 1;
		pthread_create(&t[i], NULL, worker_fn, &w[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
	}
	if (!errors)
		pass("4 threads creating and destroying devices and contexts");
	else
		fail("4 threads creating and destroying devices and contexts",
		     "%d errors", errors);
}

/* A process that exits without destroying anything. */
static void test_exit_cleanup(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int fd = open_dxg();
		struct winluid luid;
		d3dkmthandle a, dev, ctx;
		int i;

		if (fd < 0 || first_luid(fd, &luid))
			_exit(1);
		for (i = 0; i < 8; i++) {
			if (open_adapter(fd, luid, &a) || create_device(fd, a, &dev) ||
			    create_context(fd, dev, NULL, 0, &ctx))
				_exit(1);
		}
		_exit(0);	/* everything left open */
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		pass("process exits with objects left open");
	else
		fail("process exits with objects left open", "status %#x", st);
}

static void test_quick(void)
{
	struct winluid luid;
	d3dkmthandle a, dev;
	int fd = open_dxg();

	if (fd < 0) {
		fail("quick: open /dev/dxg", "%s", strerror(errno));
		return;
	}
	if (!first_luid(fd, &luid) && !open_adapter(fd, luid, &a) &&
	    !create_device(fd, a, &dev) && !destroy_device(fd, dev) &&
	    !close_adapter(fd, a))
		pass("quick: enumerate, open, create and destroy a device");
	else
		fail("quick: enumerate, open, create and destroy a device", "failed");
	close(fd);
}

static void test_hold(void)
{
	struct d3dkmt_enumadapters2 e = { 0 };
	struct winluid luid;
	d3dkmthandle a, dev, ctx;
	int fd = open_dxg(), i;

	if (fd < 0 || first_luid(fd, &luid) || open_adapter(fd, luid, &a) ||
	    create_device(fd, a, &dev) || create_context(fd, dev, NULL, 0, &ctx)) {
		fail("hold: set up a device", "failed");
		return;
	}
	printf("HOLDING\n");
	fflush(stdout);
	for (i = 0; i < 600 && access("/dev/dxg", F_OK) == 0; i++)
		usleep(100000);
	if (access("/dev/dxg", F_OK) != 0)
		pass("hold: /dev/dxg removed when the host left");
	else
		fail("hold: /dev/dxg removed when the host left", "still there");
	expect("hold: EnumAdapters2 after the host left -> ENODEV",
	       xioctl(fd, LX_DXENUMADAPTERS2, &e), -ENODEV);
	expect("hold: DestroyDevice after the host left -> ENODEV",
	       destroy_device(fd, dev), -ENODEV);
	if (close(fd) == 0)
		pass("hold: close after the host left");
	else
		fail("hold: close after the host left", "%s", strerror(errno));
}

int main(int argc, char **argv)
{
	long base_objects, objs, procs;
	struct stat st;
	int fd;

	if (argc > 1 && !strcmp(argv[1], "--quick")) {
		test_quick();
		return failures ? 1 : 0;
	}
	if (argc > 1 && !strcmp(argv[1], "--hold")) {
		test_hold();
		return failures ? 1 : 0;
	}

	base_objects = host_stat("dxg_host_objects");
	if (base_objects >= 0)
		printf("# host objects before the tests: %ld\n", base_objects);
	if (base_objects >= 0)
		pass("host statistics in sysfs");
	else
		fail("host statistics in sysfs", "no dxg_host_objects attribute");
	/* Other tests of this boot may have made the host log: any count. */
	if (host_stat("dxg_host_log_suppressed") >= 0)
		pass("host log lines suppressed, in sysfs");
	else
		fail("host log lines suppressed, in sysfs",
		     "no dxg_host_log_suppressed attribute");

	if (stat("/dev/dxg", &st) == 0 && S_ISCHR(st.st_mode) &&
	    (st.st_mode & 0777) == 0666)
		pass("/dev/dxg is a character device, mode 0666");
	else
		fail("/dev/dxg is a character device, mode 0666", "%s",
		     strerror(errno));
	procs = host_stat("dxg_host_processes");
	fd = open_dxg();
	if (fd < 0) {
		fail("open /dev/dxg", "%s", strerror(errno));
		return 1;
	}
	pass("open /dev/dxg");
	/* Opening alone makes the process exist on the host (CREATEPROCESS). */
	expect("open creates the host process",
	       (int)(host_stat("dxg_host_processes") - procs), 1);

	test_dispatch(fd);
	test_enum2(fd);
	test_enum3(fd);
	test_open_close(fd);
	test_query(fd);
	test_devices(fd, base_objects);
	test_other_process(fd);
	test_fork(fd);
	test_threads(fd);
	close(fd);
	test_exit_cleanup();

	objs = host_stat("dxg_host_objects");
	procs = host_stat("dxg_host_processes");
	if (objs == base_objects && procs == 0)
		pass("host objects back to the baseline after every process left");
	else
		fail("host objects back to the baseline after every process left",
		     "objects %ld (baseline %ld), processes %ld", objs, base_objects,
		     procs);
	return failures ? 1 : 0;
}
