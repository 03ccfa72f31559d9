// SPDX-License-Identifier: MIT
/*
 * Host-side test of libdxg's call path, no /dev/dxg needed: the program is
 * linked with -Wl,--wrap=open,--wrap=open64,--wrap=ioctl so the library's open() and
 * ioctl() land here.  "/dev/dxg" opens /dev/null (a real descriptor, so
 * dup3/close behave for real); ioctl follows a small script.
 *
 * Checks: the constructor opened the device once; request words reach the
 * ioctl unchanged; >= 0 results pass through as NTSTATUS; errno mapping;
 * only OpenAdapterFromLuid/EnumAdapters2/EnumAdapters3 retry after
 * ENOTTY/EBADF, once, after reopening on the same descriptor number; no
 * device -> STATUS_UNSUCCESSFUL without an ioctl; CloseDxCoreDevice; the
 * user-space-only stubs; several threads recovering at once; ShareObjects'
 * fd taken from where the driver writes it (through shared_handle).
 *
 * Prints "PASS <name>" / "FAIL <name>: <why>"; exits 1 if anything failed.
 */
#include <dxg/d3dkmt.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);
int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

static int opens, open_fail, open_flags;	/* updated under mock_lock */
static int ioctls;
static unsigned long last_request;
static int stale;	/* like a forked child: ENOTTY until reopened */
static int script_ret, script_errno;	/* what the next ioctls return */
/* ShareObjects answers fd 42 through shared_handle when share_mode is set. */
static int share_mode;
#define SHARE_FD	42
static pthread_mutex_t mock_lock = PTHREAD_MUTEX_INITIALIZER;

int __wrap_open(const char *path, int flags, ...)
{
	int fd;

	if (strcmp(path, "/dev/dxg"))
		return __real_open(path, flags, 0);
	pthread_mutex_lock(&mock_lock);
	opens++;
	open_flags = flags;
	if (open_fail) {
		pthread_mutex_unlock(&mock_lock);
		errno = ENOENT;
		return -1;
	}
	stale = 0;
	fd = __real_open("/dev/null", flags, 0);
	pthread_mutex_unlock(&mock_lock);
	return fd;
}

/* Built with _FILE_OFFSET_BITS=64 (meson's default) open() is open64(). */
int __wrap_open64(const char *path, int flags, ...)
{
	return __wrap_open(path, flags);
}

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	D3DKMT_SHAREOBJECTS *share;
	va_list ap;
	int ret, err;

	(void)fd;
	va_start(ap, request);
	share = va_arg(ap, D3DKMT_SHAREOBJECTS *);
	va_end(ap);
	if (request == LX_DXSHAREOBJECTS && share_mode)
		*(__u64 *)(uintptr_t)share->shared_handle = SHARE_FD;
	pthread_mutex_lock(&mock_lock);
	ioctls++;
	last_request = request;
	if (stale) {
		ret = -1;
		err = ENOTTY;
	} else {
		ret = script_ret;
		err = script_errno;
	}
	pthread_mutex_unlock(&mock_lock);
	if (ret < 0)
		errno = err;
	return ret;
}

static int failures;

static void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS libdxg-mock/%s\n", name);
		return;
	}
	printf("FAIL libdxg-mock/%s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures++;
}

static void set_script(int ret, int err)
{
	pthread_mutex_lock(&mock_lock);
	script_ret = ret;
	script_errno = err;
	pthread_mutex_unlock(&mock_lock);
}

static void *thread_enum(void *arg)
{
	D3DKMT_ENUMADAPTERS2 e = { 0 };

	*(NTSTATUS *)arg = D3DKMTEnumAdapters2(&e);
	return NULL;
}

int main(void)
{
	D3DKMT_ENUMADAPTERS2 e2 = { 0 };
	D3DKMT_ENUMADAPTERS3 e3 = { 0 };
	D3DKMT_OPENADAPTERFROMLUID o = { { 0, 0 }, 0 };
	D3DKMT_QUERYADAPTERINFO q = { 0 };
	D3DKMT_QUERYSTATISTICS qs;
	D3DKMT_SUBMITCOMMAND sc;
	D3DKMT_ISFEATUREENABLED fe = { 0 };
	D3DDDI_MAKERESIDENT mr;
	int fd0, n0, i0;
	NTSTATUS st;

	memset(&qs, 0, sizeof(qs));
	memset(&sc, 0, sizeof(sc));
	memset(&mr, 0, sizeof(mr));

	fd0 = dxg_fd();
	check(opens == 1 && fd0 >= 0 && open_flags == (O_RDONLY | O_CLOEXEC),
	      "constructor-opens", "opens %d fd %d flags 0x%x", opens, fd0, open_flags);

	/* Request words, against docs' table (ioctl-abi.md). */
	D3DKMTOpenAdapterFromLuid(&o);
	check(last_request == 0xc00c4701, "request-0x01", "0x%lx", last_request);
	D3DKMTEnumAdapters2(&e2);
	check(last_request == 0xc0104714, "request-0x14", "0x%lx", last_request);
	D3DKMTSubmitCommand(&sc);
	check(last_request == 0xc180470f, "request-0x0f", "0x%lx", last_request);
	D3DKMTQueryStatistics(&qs);
	check(last_request == 0xc3284743, "request-0x43", "0x%lx", last_request);
	D3DKMTIsFeatureEnabled(&fe);
	check(last_request == 0xc00c4749, "request-0x49", "0x%lx", last_request);

	/* Results. */
	set_script(STATUS_PENDING, 0);
	check(D3DKMTMakeResident(&mr) == STATUS_PENDING, "positive-passthrough", "");
	set_script(-1, EINVAL);
	check(D3DKMTQueryAdapterInfo(&q) == STATUS_INVALID_PARAMETER, "errno-einval", "");
	set_script(-1, EOVERFLOW);
	check(D3DKMTQueryAdapterInfo(&q) == STATUS_BUFFER_TOO_SMALL, "errno-eoverflow", "");
	set_script(-1, EBADF);
	n0 = opens;
	i0 = ioctls;
	st = D3DKMTQueryAdapterInfo(&q);
	check(st == STATUS_INVALID_HANDLE && opens == n0 && ioctls == i0 + 1,
	      "non-retrying-ebadf", "%s, %d opens, %d ioctls", dxg_ntstatus_name(st),
	      opens - n0, ioctls - i0);
	set_script(-1, ENOTTY);
	st = D3DKMTQueryAdapterInfo(&q);
	check(st == STATUS_UNSUCCESSFUL, "errno-enotty", "%s", dxg_ntstatus_name(st));

	/* Retrying calls: one reopen, one retry, same descriptor number. */
	set_script(0, 0);
	pthread_mutex_lock(&mock_lock);
	stale = 1;
	pthread_mutex_unlock(&mock_lock);
	n0 = opens;
	i0 = ioctls;
	st = D3DKMTEnumAdapters3(&e3);
	check(st == STATUS_SUCCESS && opens == n0 + 1 && ioctls == i0 + 2 &&
	      dxg_fd() == fd0, "retry-after-enotty",
	      "%s, %d opens, %d ioctls, fd %d -> %d", dxg_ntstatus_name(st),
	      opens - n0, ioctls - i0, fd0, dxg_fd());

	set_script(-1, EBADF);
	n0 = opens;
	i0 = ioctls;
	st = D3DKMTOpenAdapterFromLuid(&o);
	check(st == STATUS_INVALID_HANDLE && opens == n0 + 1 && ioctls == i0 + 2,
	      "retry-once-only", "%s, %d opens, %d ioctls", dxg_ntstatus_name(st),
	      opens - n0, ioctls - i0);

	/* Threads recovering together all succeed. */
	set_script(0, 0);
	pthread_mutex_lock(&mock_lock);
	stale = 1;
	pthread_mutex_unlock(&mock_lock);
	{
		pthread_t t[8];
		NTSTATUS res[8];
		int ok = 1;

		n0 = opens;
		for (int i = 0; i < 8; i++)
			pthread_create(&t[i], NULL, thread_enum, &res[i]);
		for (int i = 0; i < 8; i++) {
			pthread_join(t[i], NULL);
			ok &= res[i] == STATUS_SUCCESS;
		}
		check(ok && opens > n0 && opens <= n0 + 8 && dxg_fd() == fd0,
		      "threads-recover", "ok %d, %d opens, fd %d", ok, opens - n0,
		      dxg_fd());
	}

	/* No device: STATUS_UNSUCCESSFUL and no ioctl. */
	check(D3DKMTCloseDxCoreDevice() == STATUS_SUCCESS && dxg_fd() == -1,
	      "close-dxcore-device", "fd %d", dxg_fd());
	pthread_mutex_lock(&mock_lock);
	open_fail = 1;
	pthread_mutex_unlock(&mock_lock);
	i0 = ioctls;
	n0 = opens;
	st = D3DKMTQueryAdapterInfo(&q);
	check(st == STATUS_UNSUCCESSFUL && ioctls == i0 && opens == n0,
	      "no-device-non-retrying", "%s, %d ioctls", dxg_ntstatus_name(st),
	      ioctls - i0);
	st = D3DKMTEnumAdapters2(&e2);
	check(st == STATUS_UNSUCCESSFUL && ioctls == i0 && opens == n0 + 1,
	      "no-device-retrying", "%s, %d ioctls, %d opens", dxg_ntstatus_name(st),
	      ioctls - i0, opens - n0);
	pthread_mutex_lock(&mock_lock);
	open_fail = 0;
	pthread_mutex_unlock(&mock_lock);
	st = D3DKMTEnumAdapters2(&e2);
	check(st == STATUS_SUCCESS && dxg_fd() >= 0, "device-back",
	      "%s, fd %d", dxg_ntstatus_name(st), dxg_fd());

	/* User-space-only entry points. */
	i0 = ioctls;
	check(D3DKMTPresent(NULL) == STATUS_NOT_SUPPORTED &&
	      D3DKMTLock(NULL) == STATUS_NOT_SUPPORTED &&
	      D3DKMTPinResources(NULL) == STATUS_NOT_SUPPORTED &&
	      D3DKMTSetStablePowerState(NULL) == STATUS_SUCCESS && ioctls == i0,
	      "stubs", "");
	check(!strcmp(dxg_ntstatus_name(STATUS_BUFFER_TOO_SMALL),
		      "STATUS_BUFFER_TOO_SMALL") &&
	      !strcmp(dxg_ntstatus_name((NTSTATUS)0xC0000999), "0xC0000999"),
	      "ntstatus-name", "");

	/* ShareObjects: the fd written through shared_handle (as in WSL). */
	share_mode = 1;
	{
		D3DKMT_HANDLE h = 7;
		void *nt = NULL;

		st = D3DKMTShareObjects(1, &h, NULL, 0, &nt);
		check(st == STATUS_SUCCESS && (uintptr_t)nt == SHARE_FD &&
		      last_request == LX_DXSHAREOBJECTS,
		      "share-objects-fd-through-pointer", "%s, fd %lu",
		      dxg_ntstatus_name(st), (unsigned long)(uintptr_t)nt);
	}
	share_mode = 0;

	printf("# libdxg-mock: %d failure(s)\n", failures);
	return failures ? 1 : 0;
}
