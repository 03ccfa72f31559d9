// SPDX-License-Identifier: MIT
/* dxg_ntstatus_name(): symbolic names of the NTSTATUS codes /dev/dxg uses. */
#include <dxg/d3dkmt.h>

#include <stddef.h>
#include <stdio.h>

#define NAME(s) { s, #s }

static const struct {
	NTSTATUS status;
	const char *name;
} dxg_status_names[] = {
	NAME(STATUS_SUCCESS),
	NAME(STATUS_TIMEOUT),
	NAME(STATUS_PENDING),
	NAME(STATUS_UNSUCCESSFUL),
	NAME(STATUS_NOT_IMPLEMENTED),
	NAME(STATUS_INVALID_HANDLE),
	NAME(STATUS_INVALID_PARAMETER),
	NAME(STATUS_NO_MEMORY),
	NAME(STATUS_ILLEGAL_INSTRUCTION),
	NAME(STATUS_ACCESS_DENIED),
	NAME(STATUS_BUFFER_TOO_SMALL),
	NAME(STATUS_OBJECT_TYPE_MISMATCH),
	NAME(STATUS_OBJECT_NAME_INVALID),
	NAME(STATUS_OBJECT_NAME_NOT_FOUND),
	NAME(STATUS_OBJECT_NAME_COLLISION),
	NAME(STATUS_QUOTA_EXCEEDED),
	NAME(STATUS_NOT_SUPPORTED),
	NAME(STATUS_DEVICE_REMOVED),
	NAME(STATUS_GRAPHICS_ALLOCATION_BUSY),
};

DXG_API const char *dxg_ntstatus_name(NTSTATUS status)
{
	static _Thread_local char buf[sizeof("0xFFFFFFFF")];
	size_t i;

	for (i = 0; i < sizeof(dxg_status_names) / sizeof(dxg_status_names[0]); i++)
		if (dxg_status_names[i].status == status)
			return dxg_status_names[i].name;
	snprintf(buf, sizeof(buf), "0x%08X", (unsigned int)status);
	return buf;
}
