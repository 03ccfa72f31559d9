/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the guest test programs (tests/vm): the failure
 * counter, "PASS <name>" / "FAIL <name>: <why>" reporting, ioctl returning
 * -errno, the host statistics the driver exposes in sysfs and a probe for
 * mapped ranges.  Each program is one translation unit, so everything here
 * is static.
 *
 * A program that issues raw D3DKMT ioctls through a plain device (one
 * adapter, one device) defines VMTEST_RAW_ENV before including this header
 * and gets struct env, env_open(), alloc_n(), alloc1() and lock() as well;
 * it must include "uapi/misc/d3dkmthk.h" and "dxg/protocol.h" first.
 */
#ifndef OPENDXG_TESTS_VM_VMTEST_H
#define OPENDXG_TESTS_VM_VMTEST_H

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* FAIL lines printed so far; main() exits 1 if it is non-zero. */
static int failures;

static inline void pass(const char *name)
{
	printf("PASS %s\n", name);
	fflush(stdout);
}

static inline void vfail(const char *name, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static inline void vfail(const char *name, const char *fmt, va_list ap)
{
	printf("FAIL %s: ", name);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	failures++;
}

static inline void fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
}

/* PASS if @ok, else FAIL with the printf-style reason. */
static inline void check(const char *name, int ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void check(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		pass(name);
		return;
	}
	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
}

/* Expect a given result (0, positive or -errno). */
static inline void expect(const char *name, int got, int want)
{
	if (got == want)
		pass(name);
	else
		fail(name, "got %d (%s), want %d (%s)", got,
		     got < 0 ? strerror(-got) : "ok", want,
		     want < 0 ? strerror(-want) : "ok");
}

/* ioctl returning 0 / positive, or -errno. */
static inline int xioctl(int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

/*
 * DXG_TEST_WINDOWS_HOST=1: the host answers as a Windows host does
 * (dxghost --windows, the windows scenario): a failed escape reports no
 * reason, it returns its private data unchanged and the ioctl succeeds.
 */
static inline int windows_host(void)
{
	const char *v = getenv("DXG_TEST_WINDOWS_HOST");

	return v && *v == '1';
}

/* What an escape the host fails returns: want, or 0 from a Windows host. */
static inline int host_escape_err(int want)
{
	return windows_host() ? 0 : want;
}

/*
 * What a create the host fails returns: want, or -EINVAL from a Windows
 * host, whose failed creates carry no reason, only a zero handle
 * (docs/protocol.md §5.1 D4a).
 */
static inline int host_create_err(int want)
{
	return windows_host() ? -EINVAL : want;
}

/*
 * Sum of a host statistic (dxg_host_objects, dxg_host_processes,
 * dxg_host_io_used, ...) over every bound device; -1 if none can be read.
 */
static inline long host_stat(const char *attr)
{
	char pattern[128];
	glob_t g;
	long sum = -1;

	snprintf(pattern, sizeof(pattern), "/sys/bus/pci/devices/*/%s", attr);
	if (glob(pattern, 0, NULL, &g))
		return -1;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		long v;

		if (!f)
			continue;
		if (fscanf(f, "%ld", &v) == 1)
			sum = (sum < 0 ? 0 : sum) + v;
		fclose(f);
	}
	globfree(&g);
	return sum;
}

/* Is [p, p + len) mapped in this process? */
static inline int mapped(const void *p, size_t len)
{
	return msync((void *)p, len, MS_ASYNC) == 0;
}

/*
 * User pages pinned in the whole guest (pin_user_pages: /proc/vmstat's
 * FOLL_PIN counters, acquired minus released); -1: unknown.  Nothing else
 * in the test guest pins pages, so a pin the driver forgot shows here.
 * The counters are per CPU until folded: reading vm.stat_refresh (root)
 * folds them first, else they are off by up to a threshold per CPU.
 */
static inline long pins_held(void)
{
	char name[64];
	long v, acq = -1, rel = -1;
	int rf = open("/proc/sys/vm/stat_refresh", O_RDONLY | O_CLOEXEC);
	FILE *f;

	if (rf < 0 || read(rf, name, sizeof(name)) < 0) {
		if (rf >= 0)
			close(rf);
		return -1;
	}
	close(rf);
	f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %ld", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired"))
			acq = v;
		else if (!strcmp(name, "nr_foll_pin_released"))
			rel = v;
	}
	if (f)
		fclose(f);
	return acq < 0 || rel < 0 ? -1 : acq - rel;
}

#ifdef VMTEST_RAW_ENV

/* /dev/dxg, the first adapter and a device on it. */
struct env {
	int fd;
	d3dkmthandle adapter;
	d3dkmthandle device;
};

/* Opens /dev/dxg with @mode (O_RDWR, O_RDONLY, ...); 0 or -1. */
static inline int env_open_mode(struct env *e, int mode)
{
	struct d3dkmt_adapterinfo info[D3DKMT_ADAPTERS_MAX];
	struct d3dkmt_enumadapters2 en = {
		.num_adapters = D3DKMT_ADAPTERS_MAX,
		.adapters = (uintptr_t)info,
	};
	struct d3dkmt_createdevice cd = { 0 };

	memset(e, 0, sizeof(*e));
	e->fd = open("/dev/dxg", mode | O_CLOEXEC);
	if (e->fd < 0 || xioctl(e->fd, LX_DXENUMADAPTERS2, &en) ||
	    !en.num_adapters)
		return -1;
	e->adapter = info[0].adapter_handle;
	cd.adapter = e->adapter;
	if (xioctl(e->fd, LX_DXCREATEDEVICE, &cd))
		return -1;
	e->device = cd.device;
	return 0;
}

static inline int env_open(struct env *e)
{
	return env_open_mode(e, O_RDWR);
}

/*
 * @n allocations of `size` bytes each (the opendxg descriptor as private
 * data), as one resource if @resource is given.
 */
static inline int alloc_n(int fd, d3dkmthandle dev, uint64_t size, uint32_t n,
			  d3dkmthandle *out, d3dkmthandle *resource)
{
	struct d3dddi_allocationinfo2 *info = calloc(n, sizeof(*info));
	struct dxg_open_alloc_desc *d = calloc(n, sizeof(*d));
	struct d3dkmt_createallocation ca = {
		.device = dev,
		.alloc_count = n,
		.allocation_info = (uintptr_t)info,
	};
	int r;

	for (uint32_t i = 0; i < n; i++) {
		d[i].version = DXG_OPEN_ALLOC_DESC_VERSION;
		d[i].size = size;
		info[i].priv_drv_data = (uintptr_t)&d[i];
		info[i].priv_drv_data_size = sizeof(d[i]);
	}
	if (resource)
		ca.flags.value = D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE;
	r = xioctl(fd, LX_DXCREATEALLOCATION, &ca);
	for (uint32_t i = 0; i < n && out; i++)
		out[i] = r ? 0 : info[i].allocation;
	if (resource)
		*resource = ca.resource;
	free(info);
	free(d);
	return r;
}

/* One allocation of `size` bytes. */
static inline int alloc1(int fd, d3dkmthandle dev, uint64_t size,
			 d3dkmthandle *out)
{
	return alloc_n(fd, dev, size, 1, out, NULL);
}

/* Lock2: maps allocation @a, *p its CPU address. */
static inline int lock(int fd, d3dkmthandle dev, d3dkmthandle a, void **p)
{
	struct d3dkmt_lock2 l = { .device = dev, .allocation = a };
	int r = xioctl(fd, LX_DXLOCK2, &l);

	*p = (void *)(uintptr_t)l.data;
	return r;
}

/* A monitored fence of device dev; *page (if asked) is its CPU-visible value. */
/* A context on e's device, without private data. */
static inline int context(struct env *e, d3dkmthandle *ctx)
{
	struct d3dkmt_createcontextvirtual cc = { .device = e->device };
	int r = xioctl(e->fd, LX_DXCREATECONTEXTVIRTUAL, &cc);

	*ctx = cc.context;
	return r;
}

/* A CPU wait for h to reach v; asynchronous (efd fires) when efd > 0. */
static inline int wait_cpu(struct env *e, d3dkmthandle h, uint64_t v, int efd)
{
	struct d3dkmt_waitforsynchronizationobjectfromcpu w = {
		.device = e->device, .object_count = 1,
		.objects = (uintptr_t)&h, .fence_values = (uintptr_t)&v,
		.async_event = efd > 0 ? (uint64_t)efd : 0,
	};

	return xioctl(e->fd, LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMCPU, &w);
}

/* Is the eventfd signalled within ms? */
static inline int fired(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, ms) != 1)
		return 0;
	return read(efd, &v, sizeof(v)) == sizeof(v);
}

static inline int fence_create(struct env *e, d3dkmthandle dev, uint64_t init,
			       d3dkmthandle *h, volatile uint64_t **page)
{
	struct d3dkmt_createsynchronizationobject2 c = { .device = dev };
	int r;

	c.info.type = D3DDDI_MONITORED_FENCE;
	c.info.monitored_fence.initial_fence_value = init;
	r = xioctl(e->fd, LX_DXCREATESYNCHRONIZATIONOBJECT, &c);
	*h = c.sync_object;
	if (page)
		*page = (volatile uint64_t *)(uintptr_t)
			c.info.monitored_fence.fence_cpu_virtual_address;
	return r;
}

static inline int sync_destroy(int fd, d3dkmthandle h)
{
	struct d3dkmt_destroysynchronizationobject d = { .sync_object = h };

	return xioctl(fd, LX_DXDESTROYSYNCHRONIZATIONOBJECT, &d);
}

static inline int signal_cpu(struct env *e, d3dkmthandle h, uint64_t v)
{
	struct d3dkmt_signalsynchronizationobjectfromcpu s = {
		.device = e->device, .object_count = 1,
		.objects = (uintptr_t)&h, .fence_values = (uintptr_t)&v,
	};

	return xioctl(e->fd, LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU, &s);
}

static inline int signal_gpu(struct env *e, d3dkmthandle ctx, d3dkmthandle h,
			     uint64_t v)
{
	struct d3dkmt_signalsynchronizationobjectfromgpu s = {
		.context = ctx, .object_count = 1, .objects = (uintptr_t)&h,
	};

	s.monitored_fence_values = (uintptr_t)&v;
	return xioctl(e->fd, LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU, &s);
}

static inline int wait_gpu(struct env *e, d3dkmthandle ctx, d3dkmthandle h,
			   uint64_t v)
{
	struct d3dkmt_waitforsynchronizationobjectfromgpu w = {
		.context = ctx, .object_count = 1, .objects = (uintptr_t)&h,
	};

	w.monitored_fence_values = (uintptr_t)&v;
	return xioctl(e->fd, LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMGPU, &w);
}

/* The device's execution state (D3DKMT_DEVICEEXECUTION_*), 0 on error. */
static inline uint32_t exec_state(struct env *e)
{
	struct d3dkmt_getdevicestate s = {
		.device = e->device, .state_type = D3DKMT_DEVICESTATE_EXECUTION,
	};

	return xioctl(e->fd, LX_DXGETDEVICESTATE, &s) ? 0 : s.execution_state;
}

/* Maps allocation @a read-write at a GPU VA the host picks (*va); 0 or -errno. */
static inline int map_va(struct env *e, d3dkmthandle pq, d3dkmthandle a,
			 uint64_t pages, uint64_t *va)
{
	struct d3dddi_mapgpuvirtualaddress mv = {
		.paging_queue = pq, .allocation = a, .size_in_pages = pages,
		.protection.value = D3DDDIGPUVA_PROTECTION_WRITE,
	};
	int r = xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv);

	*va = mv.virtual_address;
	return r < 0 ? r : 0;
}

/* A page-sized allocation, Lock2-mapped and mapped at a GPU VA. */
struct cmdbuf {
	d3dkmthandle alloc, pq;
	uint8_t *cpu;
	uint64_t va;
};

static inline int cmdbuf_make(struct env *e, struct cmdbuf *b)
{
	struct d3dkmt_createpagingqueue cq = { .device = e->device };
	struct d3dddi_mapgpuvirtualaddress mv = {
		.size_in_pages = 1,
		.protection.value = D3DDDIGPUVA_PROTECTION_WRITE,
	};
	void *p;

	if (alloc1(e->fd, e->device, 4096, &b->alloc) ||
	    lock(e->fd, e->device, b->alloc, &p) ||
	    xioctl(e->fd, LX_DXCREATEPAGINGQUEUE, &cq))
		return -1;
	b->cpu = p;
	b->pq = cq.paging_queue;
	mv.paging_queue = cq.paging_queue;
	mv.allocation = b->alloc;
	if (xioctl(e->fd, LX_DXMAPGPUVIRTUALADDRESS, &mv) < 0)
		return -1;
	b->va = mv.virtual_address;
	return 0;
}

#endif /* VMTEST_RAW_ENV */

#endif /* OPENDXG_TESTS_VM_VMTEST_H */
