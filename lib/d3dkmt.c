// SPDX-License-Identifier: MIT
/*
 * libdxg: the D3DKMT entry points and the /dev/dxg descriptor behind them.
 *
 * One path serves every ioctl: dxg_call().  The entry points are generated
 * from lib/thunks.def, each checked at compile time against its request
 * word (the size bits must equal the argument struct's size, or dxgkrnl
 * answers ENOTTY).
 *
 * The descriptor.  It is opened by a constructor and closed by a destructor,
 * as libdxg does.  A retrying call that fails with ENOTTY/EBADF (a forked
 * child using its parent's descriptor) opens /dev/dxg again and installs
 * the new file *on the same descriptor number* with dup3(), so a thread
 * that loaded the number a moment earlier reaches either the old file or
 * the new one, never an unrelated file that happened to get the number.
 * A generation counter stops several threads that failed together from
 * reopening more than once; the mutex serialises the reopen itself and is
 * made fork-safe with pthread_atfork().
 */
#include <dxg/d3dkmt.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define DXG_DEVICE_PATH	"/dev/dxg"

#define DXG_CALL_RETRY	1u	/* reopen /dev/dxg and retry after ENOTTY/EBADF */

static int dxg_fd_g = -1;		/* accessed with __atomic builtins */
static unsigned int dxg_gen_g;		/* bumped by every (re)open/close */
static pthread_mutex_t dxg_lock = PTHREAD_MUTEX_INITIALIZER;

static int load_fd(void)
{
	return __atomic_load_n(&dxg_fd_g, __ATOMIC_ACQUIRE);
}

static unsigned int load_gen(void)
{
	return __atomic_load_n(&dxg_gen_g, __ATOMIC_ACQUIRE);
}

static int open_dxg(void)
{
	int fd;

	do
		fd = open(DXG_DEVICE_PATH, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&dxg_lock);
}

static void atfork_release(void)
{
	pthread_mutex_unlock(&dxg_lock);
}

__attribute__((constructor)) static void dxg_lib_init(void)
{
	int saved = errno;

	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
	pthread_mutex_lock(&dxg_lock);
	if (load_fd() < 0)
		__atomic_store_n(&dxg_fd_g, open_dxg(), __ATOMIC_RELEASE);
	pthread_mutex_unlock(&dxg_lock);
	errno = saved;
}

static void close_fd_locked(void)
{
	int fd = __atomic_exchange_n(&dxg_fd_g, -1, __ATOMIC_ACQ_REL);

	if (fd >= 0) {
		close(fd);
		__atomic_add_fetch(&dxg_gen_g, 1, __ATOMIC_RELEASE);
	}
}

__attribute__((destructor)) static void dxg_lib_fini(void)
{
	pthread_mutex_lock(&dxg_lock);
	close_fd_locked();
	pthread_mutex_unlock(&dxg_lock);
}

/*
 * Open /dev/dxg again, unless another thread already did since the caller
 * sampled @gen.  Returns the descriptor to retry on, or -1.
 */
static int dxg_reopen(unsigned int gen)
{
	int fd, nfd;

	pthread_mutex_lock(&dxg_lock);
	fd = load_fd();
	if (load_gen() != gen && fd >= 0)
		goto out;		/* somebody else reopened it */

	nfd = open_dxg();
	if (nfd < 0) {
		close_fd_locked();
		fd = -1;
	} else if (fd < 0) {
		__atomic_store_n(&dxg_fd_g, nfd, __ATOMIC_RELEASE);
		fd = nfd;
	} else if (nfd != fd) {
		/* Replace the file behind the number the other threads hold. */
		if (dup3(nfd, fd, O_CLOEXEC) >= 0) {
			close(nfd);
		} else {
			__atomic_store_n(&dxg_fd_g, nfd, __ATOMIC_RELEASE);
			close(fd);
			fd = nfd;
		}
	}
	__atomic_add_fetch(&dxg_gen_g, 1, __ATOMIC_RELEASE);
out:
	pthread_mutex_unlock(&dxg_lock);
	return fd;
}

static NTSTATUS dxg_call(unsigned long request, void *args, unsigned int flags)
{
	unsigned int gen = load_gen();
	int fd = load_fd();
	int ret, err;

	if (fd < 0) {
		/* libdxg: no device, no ioctl.  Retrying calls try to open it. */
		if (!(flags & DXG_CALL_RETRY))
			return STATUS_UNSUCCESSFUL;
		fd = dxg_reopen(gen);
		if (fd < 0)
			return STATUS_UNSUCCESSFUL;
		gen = load_gen();
	}

	ret = ioctl(fd, request, args);
	if (ret >= 0)
		return ret;
	err = errno;

	if ((flags & DXG_CALL_RETRY) && (err == ENOTTY || err == EBADF)) {
		fd = dxg_reopen(gen);
		if (fd < 0)
			return STATUS_UNSUCCESSFUL;
		ret = ioctl(fd, request, args);
		if (ret >= 0)
			return ret;
		err = errno;
	}
	return dxg_errno_to_ntstatus(err);
}

/* ---- generated /dev/dxg entry points ---------------------------------- */

#define DXG_THUNK(name, type, request, flags)				\
	_Static_assert(_IOC_SIZE(request) == sizeof(type),		\
		       #name ": request size differs from its argument");	\
	DXG_API NTSTATUS name(type *args)				\
	{								\
		return dxg_call(request, args, flags);			\
	}
#include "thunks.def"
#undef DXG_THUNK

DXG_API NTSTATUS D3DKMTShareObjects(__u32 cObjects,
				    const D3DKMT_HANDLE *hObjects,
				    void *pObjectAttributes,
				    __u32 dwDesiredAccess,
				    void **phSharedNtHandle)
{
	D3DKMT_SHAREOBJECTS args = {
		.object_count = cObjects,
		.objects = (__u64)(uintptr_t)hObjects,
		.object_attr = (__u64)(uintptr_t)pObjectAttributes,
		.desired_access = dwDesiredAccess,
	};
	__u64 handle = 0;
	NTSTATUS status;

	/* The driver writes the fd through shared_handle (a pointer to a u64). */
	args.shared_handle = (__u64)(uintptr_t)&handle;
	status = dxg_call(LX_DXSHAREOBJECTS, &args, 0);
	if (NT_SUCCESS(status) && phSharedNtHandle)
		*phSharedNtHandle = (void *)(uintptr_t)handle;
	return status;
}

/* ---- entry points that never reach /dev/dxg --------------------------- */

#define DXG_UNSUPPORTED(name)						\
	DXG_API NTSTATUS name(void *args)				\
	{								\
		(void)args;						\
		return STATUS_NOT_SUPPORTED;				\
	}

DXG_UNSUPPORTED(D3DKMTPresent)
DXG_UNSUPPORTED(D3DKMTSubmitPresentToHwQueue)
DXG_UNSUPPORTED(D3DKMTLock)
DXG_UNSUPPORTED(D3DKMTUnlock)
DXG_UNSUPPORTED(D3DKMTGetMultisampleMethodList)
DXG_UNSUPPORTED(D3DKMTSetQueuedLimit)
DXG_UNSUPPORTED(D3DKMTOpenNtHandleFromName)
DXG_UNSUPPORTED(D3DKMTOpenSyncObjectNtHandleFromName)
DXG_UNSUPPORTED(D3DKMTSetDisplayPrivateDriverFormat)
DXG_UNSUPPORTED(D3DKMTCreateKeyedMutex)
DXG_UNSUPPORTED(D3DKMTCreateKeyedMutex2)
DXG_UNSUPPORTED(D3DKMTOpenKeyedMutex)
DXG_UNSUPPORTED(D3DKMTOpenKeyedMutex2)
DXG_UNSUPPORTED(D3DKMTDestroyKeyedMutex)
DXG_UNSUPPORTED(D3DKMTAcquireKeyedMutex)
DXG_UNSUPPORTED(D3DKMTAcquireKeyedMutex2)
DXG_UNSUPPORTED(D3DKMTReleaseKeyedMutex)
DXG_UNSUPPORTED(D3DKMTReleaseKeyedMutex2)
DXG_UNSUPPORTED(D3DKMTCreateProtectedSession)
DXG_UNSUPPORTED(D3DKMTDestroyProtectedSession)
DXG_UNSUPPORTED(D3DKMTQueryProtectedSessionStatus)
DXG_UNSUPPORTED(D3DKMTQueryProtectedSessionInfoFromNtHandle)
DXG_UNSUPPORTED(D3DKMTOpenProtectedSessionFromNtHandle)
DXG_UNSUPPORTED(D3DKMTPinResources)
DXG_UNSUPPORTED(D3DKMTUnpinResources)

DXG_API NTSTATUS D3DKMTSetStablePowerState(void *args)
{
	(void)args;
	return STATUS_SUCCESS;
}

DXG_API NTSTATUS D3DKMTCloseDxCoreDevice(void)
{
	pthread_mutex_lock(&dxg_lock);
	close_fd_locked();
	pthread_mutex_unlock(&dxg_lock);
	return STATUS_SUCCESS;
}

DXG_API int dxg_fd(void)
{
	return load_fd();
}
