/* SPDX-License-Identifier: MIT */
/*
 * The NTSTATUS values that cross the guest/host boundary and the /dev/dxg
 * ioctl return path, and the mapping between them and Linux errno values
 * (the same mapping WSL2's dxgkrnl and libdxg use, so user space written
 * for WSL sees the codes it expects).
 */
#ifndef DXG_NTSTATUS_H
#define DXG_NTSTATUS_H

#include "compat.h"

#define STATUS_SUCCESS			((__s32)0x00000000)
#define STATUS_TIMEOUT			((__s32)0x00000102)
#define STATUS_PENDING			((__s32)0x00000103)
#define STATUS_UNSUCCESSFUL		((__s32)0xC0000001)
#define STATUS_NOT_IMPLEMENTED		((__s32)0xC0000002)
#define STATUS_INVALID_HANDLE		((__s32)0xC0000008)
#define STATUS_INVALID_PARAMETER	((__s32)0xC000000D)
#define STATUS_NO_MEMORY		((__s32)0xC0000017)
#define STATUS_ILLEGAL_INSTRUCTION	((__s32)0xC000001D)
#define STATUS_ACCESS_DENIED		((__s32)0xC0000022)
#define STATUS_BUFFER_TOO_SMALL		((__s32)0xC0000023)
#define STATUS_OBJECT_TYPE_MISMATCH	((__s32)0xC0000024)
#define STATUS_OBJECT_NAME_INVALID	((__s32)0xC0000033)
#define STATUS_OBJECT_NAME_NOT_FOUND	((__s32)0xC0000034)
#define STATUS_OBJECT_NAME_COLLISION	((__s32)0xC0000035)
#define STATUS_QUOTA_EXCEEDED		((__s32)0xC0000044)
#define STATUS_IO_TIMEOUT		((__s32)0xC00000B5)	/* an error; STATUS_TIMEOUT is not */
#define STATUS_NOT_SUPPORTED		((__s32)0xC00000BB)
#define STATUS_DEVICE_REMOVED		((__s32)0xC00002B6)
#define STATUS_GRAPHICS_ALLOCATION_BUSY	((__s32)0xC01E0102)

#define NT_SUCCESS(s) ((__s32)(s) >= 0)

/* Host NTSTATUS -> negative errno (guest kernel side). */
static inline int dxg_ntstatus_to_errno(__s32 status)
{
	if (status >= 0)
		return 0;
	switch (status) {
	case STATUS_OBJECT_NAME_COLLISION:	return -EEXIST;
	case STATUS_NO_MEMORY:			return -ENOMEM;
	case STATUS_QUOTA_EXCEEDED:		return -ENOSPC;
	case STATUS_INVALID_PARAMETER:		return -EINVAL;
	case STATUS_OBJECT_NAME_INVALID:
	case STATUS_OBJECT_NAME_NOT_FOUND:	return -ENOENT;
	case STATUS_BUFFER_TOO_SMALL:		return -EOVERFLOW;
	case STATUS_DEVICE_REMOVED:		return -ENODEV;
	case STATUS_ACCESS_DENIED:		return -EACCES;
	case STATUS_NOT_SUPPORTED:
	case STATUS_NOT_IMPLEMENTED:		return -EPERM;
	case STATUS_ILLEGAL_INSTRUCTION:	return -EOPNOTSUPP;
	case STATUS_INVALID_HANDLE:		return -EBADF;
	case STATUS_GRAPHICS_ALLOCATION_BUSY:	return -EINPROGRESS;
	case STATUS_OBJECT_TYPE_MISMATCH:	return -EPROTOTYPE;
	default:				return -EINVAL;
	}
}

/* errno (positive, as in errno after a failed ioctl) -> NTSTATUS (user space). */
static inline __s32 dxg_errno_to_ntstatus(int err)
{
	switch (err) {
	case 0:			return STATUS_SUCCESS;
	case EEXIST:		return STATUS_OBJECT_NAME_COLLISION;
	case ENOMEM:		return STATUS_NO_MEMORY;
	case ENOSPC:		return STATUS_QUOTA_EXCEEDED;
	case EINVAL:		return STATUS_INVALID_PARAMETER;
	case ENOENT:		return STATUS_OBJECT_NAME_INVALID;
	case EAGAIN:		return STATUS_TIMEOUT;
	case EOVERFLOW:		return STATUS_BUFFER_TOO_SMALL;
	case ENODEV:		return STATUS_DEVICE_REMOVED;
	case EACCES:		return STATUS_ACCESS_DENIED;
	case ENOSYS:
	case EPERM:		return STATUS_NOT_SUPPORTED;
	case EOPNOTSUPP:	return STATUS_ILLEGAL_INSTRUCTION;
	case EBADF:		return STATUS_INVALID_HANDLE;
	case EINPROGRESS:	return STATUS_GRAPHICS_ALLOCATION_BUSY;
	case EPROTOTYPE:	return STATUS_OBJECT_TYPE_MISMATCH;
	default:		return STATUS_UNSUCCESSFUL;
	}
}

#endif /* DXG_NTSTATUS_H */
