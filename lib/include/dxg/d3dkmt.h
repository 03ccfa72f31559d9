/* SPDX-License-Identifier: MIT */
/*
 * libdxg: the D3DKMT C API over /dev/dxg (opendxg's libdxg-compatible thunk
 * library).
 *
 * Every D3DKMT* entry point below issues one ioctl on /dev/dxg with the
 * argument block it is given, exactly as Microsoft's libdxg does on WSL2:
 *
 *  - /dev/dxg is opened (O_RDONLY | O_CLOEXEC) when the library is loaded.
 *    If it cannot be opened, every call returns STATUS_UNSUCCESSFUL without
 *    an ioctl.
 *  - An ioctl result >= 0 is returned unchanged (0, or an NTSTATUS success
 *    code such as STATUS_PENDING); -1 is turned into an NTSTATUS with
 *    dxg_errno_to_ntstatus() (include/dxg/ntstatus.h).
 *  - D3DKMTOpenAdapterFromLuid, D3DKMTEnumAdapters2 and D3DKMTEnumAdapters3
 *    retry once after ENOTTY or EBADF, having reopened /dev/dxg: that is how
 *    a forked child, whose inherited descriptor dxgkrnl refuses, recovers.
 *
 * The argument types are the Linux UAPI structures of
 * include/uapi/misc/d3dkmthk.h under their WDDM names; their layout is the
 * one libdxg and WSL2's dxgkrnl use, so binaries built against the Windows
 * headers call this library unchanged.  See docs/libdxg.md.
 */
#ifndef DXG_D3DKMT_H
#define DXG_D3DKMT_H

#include <stddef.h>
#include <linux/types.h>
#include <uapi/misc/d3dkmthk.h>
#include <dxg/ntstatus.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DXG_API __attribute__((visibility("default")))
#else
#define DXG_API
#endif

typedef __s32 NTSTATUS;
typedef d3dkmthandle D3DKMT_HANDLE;

/* Structures reached through pointers in the argument blocks. */
typedef struct d3dkmt_adapterinfo D3DKMT_ADAPTERINFO;
typedef struct d3dkmt_adaptertype D3DKMT_ADAPTERTYPE;
typedef struct d3dkmt_query_device_ids D3DKMT_QUERY_DEVICE_IDS;
typedef struct d3dkmt_device_ids D3DKMT_DEVICE_IDS;
typedef struct d3dkmt_driver_description D3DKMT_DRIVER_DESCRIPTION;
typedef struct d3dddi_allocationinfo2 D3DDDI_ALLOCATIONINFO2;
typedef struct d3dddi_openallocationinfo2 D3DDDI_OPENALLOCATIONINFO2;

/* Argument blocks of the /dev/dxg entry points (ioctls 0x01..0x49). */
typedef struct d3dkmt_openadapterfromluid D3DKMT_OPENADAPTERFROMLUID;
typedef struct d3dkmt_createdevice D3DKMT_CREATEDEVICE;
typedef struct d3dkmt_createcontext D3DKMT_CREATECONTEXT;
typedef struct d3dkmt_createcontextvirtual D3DKMT_CREATECONTEXTVIRTUAL;
typedef struct d3dkmt_destroycontext D3DKMT_DESTROYCONTEXT;
typedef struct d3dkmt_createallocation D3DKMT_CREATEALLOCATION;
typedef struct d3dkmt_createpagingqueue D3DKMT_CREATEPAGINGQUEUE;
typedef struct d3dddi_reservegpuvirtualaddress D3DDDI_RESERVEGPUVIRTUALADDRESS;
typedef struct d3dkmt_queryadapterinfo D3DKMT_QUERYADAPTERINFO;
typedef struct d3dkmt_queryvideomemoryinfo D3DKMT_QUERYVIDEOMEMORYINFO;
typedef struct d3dddi_makeresident D3DDDI_MAKERESIDENT;
typedef struct d3dddi_mapgpuvirtualaddress D3DDDI_MAPGPUVIRTUALADDRESS;
typedef struct d3dkmt_escape D3DKMT_ESCAPE;
typedef struct d3dkmt_getdevicestate D3DKMT_GETDEVICESTATE;
typedef struct d3dkmt_submitcommand D3DKMT_SUBMITCOMMAND;
typedef struct d3dkmt_createsynchronizationobject2 D3DKMT_CREATESYNCHRONIZATIONOBJECT2;
typedef struct d3dkmt_signalsynchronizationobject2 D3DKMT_SIGNALSYNCHRONIZATIONOBJECT2;
typedef struct d3dkmt_waitforsynchronizationobject2 D3DKMT_WAITFORSYNCHRONIZATIONOBJECT2;
typedef struct d3dkmt_destroyallocation2 D3DKMT_DESTROYALLOCATION2;
typedef struct d3dkmt_enumadapters2 D3DKMT_ENUMADAPTERS2;
typedef struct d3dkmt_closeadapter D3DKMT_CLOSEADAPTER;
typedef struct d3dkmt_changevideomemoryreservation D3DKMT_CHANGEVIDEOMEMORYRESERVATION;
typedef struct d3dkmt_createhwcontext D3DKMT_CREATEHWCONTEXT;
typedef struct d3dkmt_createhwqueue D3DKMT_CREATEHWQUEUE;
typedef struct d3dkmt_destroydevice D3DKMT_DESTROYDEVICE;
typedef struct d3dkmt_destroyhwcontext D3DKMT_DESTROYHWCONTEXT;
typedef struct d3dkmt_destroyhwqueue D3DKMT_DESTROYHWQUEUE;
typedef struct d3dddi_destroypagingqueue D3DDDI_DESTROYPAGINGQUEUE;
typedef struct d3dkmt_destroysynchronizationobject D3DKMT_DESTROYSYNCHRONIZATIONOBJECT;
typedef struct d3dkmt_evict D3DKMT_EVICT;
typedef struct d3dkmt_flushheaptransitions D3DKMT_FLUSHHEAPTRANSITIONS;
typedef struct d3dkmt_freegpuvirtualaddress D3DKMT_FREEGPUVIRTUALADDRESS;
typedef struct d3dkmt_getcontextinprocessschedulingpriority D3DKMT_GETCONTEXTINPROCESSSCHEDULINGPRIORITY;
typedef struct d3dkmt_getcontextschedulingpriority D3DKMT_GETCONTEXTSCHEDULINGPRIORITY;
typedef struct d3dkmt_getsharedresourceadapterluid D3DKMT_GETSHAREDRESOURCEADAPTERLUID;
typedef struct d3dkmt_invalidatecache D3DKMT_INVALIDATECACHE;
typedef struct d3dkmt_lock2 D3DKMT_LOCK2;
typedef struct d3dkmt_markdeviceaserror D3DKMT_MARKDEVICEASERROR;
typedef struct d3dkmt_offerallocations D3DKMT_OFFERALLOCATIONS;
typedef struct d3dkmt_openresource D3DKMT_OPENRESOURCE;
typedef struct d3dkmt_opensynchronizationobject D3DKMT_OPENSYNCHRONIZATIONOBJECT;
typedef struct d3dkmt_queryallocationresidency D3DKMT_QUERYALLOCATIONRESIDENCY;
typedef struct d3dkmt_queryresourceinfo D3DKMT_QUERYRESOURCEINFO;
typedef struct d3dkmt_reclaimallocations2 D3DKMT_RECLAIMALLOCATIONS2;
typedef struct d3dkmt_render D3DKMT_RENDER;
typedef struct d3dkmt_setallocationpriority D3DKMT_SETALLOCATIONPRIORITY;
typedef struct d3dkmt_setcontextinprocessschedulingpriority D3DKMT_SETCONTEXTINPROCESSSCHEDULINGPRIORITY;
typedef struct d3dkmt_setcontextschedulingpriority D3DKMT_SETCONTEXTSCHEDULINGPRIORITY;
typedef struct d3dkmt_signalsynchronizationobjectfromcpu D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMCPU;
typedef struct d3dkmt_signalsynchronizationobjectfromgpu D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMGPU;
typedef struct d3dkmt_signalsynchronizationobjectfromgpu2 D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMGPU2;
typedef struct d3dkmt_submitcommandtohwqueue D3DKMT_SUBMITCOMMANDTOHWQUEUE;
typedef struct d3dkmt_submitsignalsyncobjectstohwqueue D3DKMT_SUBMITSIGNALSYNCOBJECTSTOHWQUEUE;
typedef struct d3dkmt_submitwaitforsyncobjectstohwqueue D3DKMT_SUBMITWAITFORSYNCOBJECTSTOHWQUEUE;
typedef struct d3dkmt_unlock2 D3DKMT_UNLOCK2;
typedef struct d3dddi_updateallocproperty D3DDDI_UPDATEALLOCPROPERTY;
typedef struct d3dkmt_updategpuvirtualaddress D3DKMT_UPDATEGPUVIRTUALADDRESS;
typedef struct d3dkmt_waitforsynchronizationobjectfromcpu D3DKMT_WAITFORSYNCHRONIZATIONOBJECTFROMCPU;
typedef struct d3dkmt_waitforsynchronizationobjectfromgpu D3DKMT_WAITFORSYNCHRONIZATIONOBJECTFROMGPU;
typedef struct d3dkmt_getallocationpriority D3DKMT_GETALLOCATIONPRIORITY;
typedef struct d3dkmt_queryclockcalibration D3DKMT_QUERYCLOCKCALIBRATION;
typedef struct d3dkmt_enumadapters3 D3DKMT_ENUMADAPTERS3;
typedef struct d3dkmt_shareobjects D3DKMT_SHAREOBJECTS;
typedef struct d3dkmt_opensyncobjectfromnthandle2 D3DKMT_OPENSYNCOBJECTFROMNTHANDLE2;
typedef struct d3dkmt_queryresourceinfofromnthandle D3DKMT_QUERYRESOURCEINFOFROMNTHANDLE;
typedef struct d3dkmt_openresourcefromnthandle D3DKMT_OPENRESOURCEFROMNTHANDLE;
typedef struct d3dkmt_querystatistics D3DKMT_QUERYSTATISTICS;
typedef struct d3dkmt_shareobjectwithhost D3DKMT_SHAREOBJECTWITHHOST;
typedef struct d3dkmt_createsyncfile D3DKMT_CREATESYNCFILE;
typedef struct d3dkmt_waitsyncfile D3DKMT_WAITSYNCFILE;
typedef struct d3dkmt_opensyncobjectfromsyncfile D3DKMT_OPENSYNCOBJECTFROMSYNCFILE;
typedef struct d3dkmt_enumprocesses D3DKMT_ENUMPROCESSES;
typedef struct d3dkmt_isfeatureenabled D3DKMT_ISFEATUREENABLED;

/*
 * The /dev/dxg entry points, in ioctl-number order (0x01..0x49).  Slots
 * 0x03, 0x17, 0x1a, 0x23, 0x28, 0x29, 0x2b and 0x2d have no handler in
 * dxgkrnl and return STATUS_UNSUCCESSFUL; libdxg issues them all the same.
 */
DXG_API NTSTATUS D3DKMTOpenAdapterFromLuid(D3DKMT_OPENADAPTERFROMLUID *args);
DXG_API NTSTATUS D3DKMTCreateDevice(D3DKMT_CREATEDEVICE *args);
DXG_API NTSTATUS D3DKMTCreateContext(D3DKMT_CREATECONTEXT *args);
DXG_API NTSTATUS D3DKMTCreateContextVirtual(D3DKMT_CREATECONTEXTVIRTUAL *args);
DXG_API NTSTATUS D3DKMTDestroyContext(D3DKMT_DESTROYCONTEXT *args);
DXG_API NTSTATUS D3DKMTCreateAllocation2(D3DKMT_CREATEALLOCATION *args);
DXG_API NTSTATUS D3DKMTCreatePagingQueue(D3DKMT_CREATEPAGINGQUEUE *args);
DXG_API NTSTATUS D3DKMTReserveGpuVirtualAddress(D3DDDI_RESERVEGPUVIRTUALADDRESS *args);
DXG_API NTSTATUS D3DKMTQueryAdapterInfo(D3DKMT_QUERYADAPTERINFO *args);
DXG_API NTSTATUS D3DKMTQueryVideoMemoryInfo(D3DKMT_QUERYVIDEOMEMORYINFO *args);
DXG_API NTSTATUS D3DKMTMakeResident(D3DDDI_MAKERESIDENT *args);
DXG_API NTSTATUS D3DKMTMapGpuVirtualAddress(D3DDDI_MAPGPUVIRTUALADDRESS *args);
DXG_API NTSTATUS D3DKMTEscape(D3DKMT_ESCAPE *args);
DXG_API NTSTATUS D3DKMTGetDeviceState(D3DKMT_GETDEVICESTATE *args);
DXG_API NTSTATUS D3DKMTSubmitCommand(D3DKMT_SUBMITCOMMAND *args);
DXG_API NTSTATUS D3DKMTCreateSynchronizationObject2(D3DKMT_CREATESYNCHRONIZATIONOBJECT2 *args);
DXG_API NTSTATUS D3DKMTSignalSynchronizationObject2(D3DKMT_SIGNALSYNCHRONIZATIONOBJECT2 *args);
DXG_API NTSTATUS D3DKMTWaitForSynchronizationObject2(D3DKMT_WAITFORSYNCHRONIZATIONOBJECT2 *args);
DXG_API NTSTATUS D3DKMTDestroyAllocation2(D3DKMT_DESTROYALLOCATION2 *args);
DXG_API NTSTATUS D3DKMTEnumAdapters2(D3DKMT_ENUMADAPTERS2 *args);
DXG_API NTSTATUS D3DKMTCloseAdapter(D3DKMT_CLOSEADAPTER *args);
DXG_API NTSTATUS D3DKMTChangeVideoMemoryReservation(D3DKMT_CHANGEVIDEOMEMORYRESERVATION *args);
DXG_API NTSTATUS D3DKMTCreateHwContext(D3DKMT_CREATEHWCONTEXT *args);
DXG_API NTSTATUS D3DKMTCreateHwQueue(D3DKMT_CREATEHWQUEUE *args);
DXG_API NTSTATUS D3DKMTDestroyDevice(D3DKMT_DESTROYDEVICE *args);
DXG_API NTSTATUS D3DKMTDestroyHwContext(D3DKMT_DESTROYHWCONTEXT *args);
DXG_API NTSTATUS D3DKMTDestroyHwQueue(D3DKMT_DESTROYHWQUEUE *args);
DXG_API NTSTATUS D3DKMTDestroyPagingQueue(D3DDDI_DESTROYPAGINGQUEUE *args);
DXG_API NTSTATUS D3DKMTDestroySynchronizationObject(D3DKMT_DESTROYSYNCHRONIZATIONOBJECT *args);
DXG_API NTSTATUS D3DKMTEvict(D3DKMT_EVICT *args);
DXG_API NTSTATUS D3DKMTFlushHeapTransitions(D3DKMT_FLUSHHEAPTRANSITIONS *args);
DXG_API NTSTATUS D3DKMTFreeGpuVirtualAddress(D3DKMT_FREEGPUVIRTUALADDRESS *args);
DXG_API NTSTATUS D3DKMTGetContextInProcessSchedulingPriority(D3DKMT_GETCONTEXTINPROCESSSCHEDULINGPRIORITY *args);
DXG_API NTSTATUS D3DKMTGetContextSchedulingPriority(D3DKMT_GETCONTEXTSCHEDULINGPRIORITY *args);
DXG_API NTSTATUS D3DKMTGetSharedResourceAdapterLuid(D3DKMT_GETSHAREDRESOURCEADAPTERLUID *args);
DXG_API NTSTATUS D3DKMTInvalidateCache(D3DKMT_INVALIDATECACHE *args);
DXG_API NTSTATUS D3DKMTLock2(D3DKMT_LOCK2 *args);
DXG_API NTSTATUS D3DKMTMarkDeviceAsError(D3DKMT_MARKDEVICEASERROR *args);
DXG_API NTSTATUS D3DKMTOfferAllocations(D3DKMT_OFFERALLOCATIONS *args);
DXG_API NTSTATUS D3DKMTOpenResource2(D3DKMT_OPENRESOURCE *args);
DXG_API NTSTATUS D3DKMTOpenSynchronizationObject(D3DKMT_OPENSYNCHRONIZATIONOBJECT *args);
DXG_API NTSTATUS D3DKMTQueryAllocationResidency(D3DKMT_QUERYALLOCATIONRESIDENCY *args);
DXG_API NTSTATUS D3DKMTQueryResourceInfo(D3DKMT_QUERYRESOURCEINFO *args);
DXG_API NTSTATUS D3DKMTReclaimAllocations2(D3DKMT_RECLAIMALLOCATIONS2 *args);
DXG_API NTSTATUS D3DKMTRender(D3DKMT_RENDER *args);
DXG_API NTSTATUS D3DKMTSetAllocationPriority(D3DKMT_SETALLOCATIONPRIORITY *args);
DXG_API NTSTATUS D3DKMTSetContextInProcessSchedulingPriority(D3DKMT_SETCONTEXTINPROCESSSCHEDULINGPRIORITY *args);
DXG_API NTSTATUS D3DKMTSetContextSchedulingPriority(D3DKMT_SETCONTEXTSCHEDULINGPRIORITY *args);
DXG_API NTSTATUS D3DKMTSignalSynchronizationObjectFromCpu(D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMCPU *args);
DXG_API NTSTATUS D3DKMTSignalSynchronizationObjectFromGpu(D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMGPU *args);
DXG_API NTSTATUS D3DKMTSignalSynchronizationObjectFromGpu2(D3DKMT_SIGNALSYNCHRONIZATIONOBJECTFROMGPU2 *args);
DXG_API NTSTATUS D3DKMTSubmitCommandToHwQueue(D3DKMT_SUBMITCOMMANDTOHWQUEUE *args);
DXG_API NTSTATUS D3DKMTSubmitSignalSyncObjectsToHwQueue(D3DKMT_SUBMITSIGNALSYNCOBJECTSTOHWQUEUE *args);
DXG_API NTSTATUS D3DKMTSubmitWaitForSyncObjectsToHwQueue(D3DKMT_SUBMITWAITFORSYNCOBJECTSTOHWQUEUE *args);
DXG_API NTSTATUS D3DKMTUnlock2(D3DKMT_UNLOCK2 *args);
DXG_API NTSTATUS D3DKMTUpdateAllocationProperty(D3DDDI_UPDATEALLOCPROPERTY *args);
DXG_API NTSTATUS D3DKMTUpdateGpuVirtualAddress(D3DKMT_UPDATEGPUVIRTUALADDRESS *args);
DXG_API NTSTATUS D3DKMTWaitForSynchronizationObjectFromCpu(D3DKMT_WAITFORSYNCHRONIZATIONOBJECTFROMCPU *args);
DXG_API NTSTATUS D3DKMTWaitForSynchronizationObjectFromGpu(D3DKMT_WAITFORSYNCHRONIZATIONOBJECTFROMGPU *args);
DXG_API NTSTATUS D3DKMTGetAllocationPriority(D3DKMT_GETALLOCATIONPRIORITY *args);
DXG_API NTSTATUS D3DKMTQueryClockCalibration(D3DKMT_QUERYCLOCKCALIBRATION *args);
DXG_API NTSTATUS D3DKMTEnumAdapters3(D3DKMT_ENUMADAPTERS3 *args);
DXG_API NTSTATUS D3DKMTShareObjectsInternal(D3DKMT_SHAREOBJECTS *args);
DXG_API NTSTATUS D3DKMTOpenSyncObjectFromNtHandle2(D3DKMT_OPENSYNCOBJECTFROMNTHANDLE2 *args);
DXG_API NTSTATUS D3DKMTQueryResourceInfoFromNtHandle(D3DKMT_QUERYRESOURCEINFOFROMNTHANDLE *args);
DXG_API NTSTATUS D3DKMTOpenResourceFromNtHandle(D3DKMT_OPENRESOURCEFROMNTHANDLE *args);
DXG_API NTSTATUS D3DKMTQueryStatistics(D3DKMT_QUERYSTATISTICS *args);
DXG_API NTSTATUS D3DKMTShareObjectWithHost(D3DKMT_SHAREOBJECTWITHHOST *args);
DXG_API NTSTATUS D3DKMTCreateSyncFile(D3DKMT_CREATESYNCFILE *args);
DXG_API NTSTATUS D3DKMTWaitSyncFile(D3DKMT_WAITSYNCFILE *args);
DXG_API NTSTATUS D3DKMTOpenSyncObjectFromSyncFile(D3DKMT_OPENSYNCOBJECTFROMSYNCFILE *args);
DXG_API NTSTATUS D3DKMTEnumProcesses(D3DKMT_ENUMPROCESSES *args);
DXG_API NTSTATUS D3DKMTIsFeatureEnabled(D3DKMT_ISFEATUREENABLED *args);

/*
 * D3DKMTShareObjects in its Windows form: shares one object and stores the
 * "NT handle" (a file descriptor) in *phSharedNtHandle.  pObjectAttributes
 * and dwDesiredAccess are ignored by dxgkrnl.  Takes the fd where the
 * reference's driver puts it (through the shared_handle pointer) and where
 * opendxg's does (in shared_handle itself, docs/memory.md §9).
 */
DXG_API NTSTATUS D3DKMTShareObjects(__u32 cObjects,
				    const D3DKMT_HANDLE *hObjects,
				    void *pObjectAttributes,
				    __u32 dwDesiredAccess,
				    void **phSharedNtHandle);

/*
 * Calls that never reach /dev/dxg.  As in libdxg they return
 * STATUS_NOT_SUPPORTED (presentation, keyed mutexes, protected sessions,
 * tracked workloads and the legacy Lock/Unlock are absent on this stack);
 * SetStablePowerState succeeds without doing anything.  The argument is
 * not looked at.
 */
DXG_API NTSTATUS D3DKMTPresent(void *args);
DXG_API NTSTATUS D3DKMTSubmitPresentToHwQueue(void *args);
DXG_API NTSTATUS D3DKMTLock(void *args);
DXG_API NTSTATUS D3DKMTUnlock(void *args);
DXG_API NTSTATUS D3DKMTGetMultisampleMethodList(void *args);
DXG_API NTSTATUS D3DKMTSetQueuedLimit(void *args);
DXG_API NTSTATUS D3DKMTOpenNtHandleFromName(void *args);
DXG_API NTSTATUS D3DKMTOpenSyncObjectNtHandleFromName(void *args);
DXG_API NTSTATUS D3DKMTSetDisplayPrivateDriverFormat(void *args);
DXG_API NTSTATUS D3DKMTCreateKeyedMutex(void *args);
DXG_API NTSTATUS D3DKMTCreateKeyedMutex2(void *args);
DXG_API NTSTATUS D3DKMTOpenKeyedMutex(void *args);
DXG_API NTSTATUS D3DKMTOpenKeyedMutex2(void *args);
DXG_API NTSTATUS D3DKMTDestroyKeyedMutex(void *args);
DXG_API NTSTATUS D3DKMTAcquireKeyedMutex(void *args);
DXG_API NTSTATUS D3DKMTAcquireKeyedMutex2(void *args);
DXG_API NTSTATUS D3DKMTReleaseKeyedMutex(void *args);
DXG_API NTSTATUS D3DKMTReleaseKeyedMutex2(void *args);
DXG_API NTSTATUS D3DKMTCreateProtectedSession(void *args);
DXG_API NTSTATUS D3DKMTDestroyProtectedSession(void *args);
DXG_API NTSTATUS D3DKMTQueryProtectedSessionStatus(void *args);
DXG_API NTSTATUS D3DKMTQueryProtectedSessionInfoFromNtHandle(void *args);
DXG_API NTSTATUS D3DKMTOpenProtectedSessionFromNtHandle(void *args);
DXG_API NTSTATUS D3DKMTPinResources(void *args);
DXG_API NTSTATUS D3DKMTUnpinResources(void *args);
DXG_API NTSTATUS D3DKMTSetStablePowerState(void *args);

/*
 * Closes the library's /dev/dxg descriptor (libdxg export).  Later calls
 * return STATUS_UNSUCCESSFUL, except OpenAdapterFromLuid / EnumAdapters2 /
 * EnumAdapters3, which open /dev/dxg again.
 */
DXG_API NTSTATUS D3DKMTCloseDxCoreDevice(void);

/* ---- opendxg extensions (not in Microsoft's libdxg) -------------------- */

/*
 * Symbolic name of an NTSTATUS ("STATUS_INVALID_HANDLE"); for a code it does
 * not know, its hex spelling ("0xC0000123") in a per-thread buffer.  Never
 * NULL.
 */
DXG_API const char *dxg_ntstatus_name(NTSTATUS status);

/* The library's /dev/dxg descriptor, or -1 when it has none (tests). */
DXG_API int dxg_fd(void);

/*
 * Convert the first @n UTF-16 units of @in (stopping at a 0 unit) to a
 * NUL-terminated UTF-8 string in @out (@outsz bytes, truncated on a
 * character boundary).  Returns the length written.
 */
DXG_API size_t dxg_utf16_to_utf8(const __u16 *in, size_t n, char *out,
				 size_t outsz);

/*
 * Spell the D3DKMT_ADAPTERTYPE_* bits of @value as names separated by @sep
 * ("render, software, paravirtualized"; "none" for 0) into @out; returns out.
 */
DXG_API const char *dxg_adaptertype_string(__u32 value, const char *sep,
					   char *out, size_t outsz);

/*
 * D3DKMTQueryAdapterInfo for one query @type into @buf (@size bytes): the
 * struct filled in for the caller.
 */
DXG_API NTSTATUS dxg_query_adapter_info(D3DKMT_HANDLE adapter, __u32 type,
					void *buf, __u32 size);

#ifdef __cplusplus
}
#endif

#endif /* DXG_D3DKMT_H */
