/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * opendxg - user-visible ABI of the /dev/dxg character device.
 *
 * This header describes every argument block exchanged through the /dev/dxg
 * ioctls (numbers 0x01 .. 0x49), together with the structures that are only
 * reached through pointers stored in those blocks and the result blocks of
 * the most common adapter-information queries.  The byte layout of every
 * structure is binary compatible with the Hyper-V "dxgkrnl" driver shipped in
 * WSL2 kernels and with Microsoft's user-mode thunk library (libdxg), so that
 * unmodified WDDM user-mode drivers keep working.
 *
 * Layout rules used throughout this file:
 *
 *  - Every user-space address is carried as a __u64, in the kernel as well as
 *    in user space, so 32-bit and 64-bit processes share one layout.  Kernel
 *    code converts with u64_to_user_ptr().
 *  - Any gap the x86_64 compiler would insert is spelled out as a named
 *    "reserved" member.  Because no structure relies on implicit padding, the
 *    layout is also identical on i386, where 64-bit integers are only 4-byte
 *    aligned inside structures.  Reserved members must be zero.
 *  - Enumerated values are stored in fixed-width integer members; the enum
 *    types below only provide the constants.
 *  - Bit-field flag words are plain integers (a struct with one "value"
 *    member, so the member keeps a distinct type); the bit positions are
 *    given by the *_FLAG_* / bit constants that follow each of them.
 *  - Strings returned by the host are UTF-16 code units (__u16), never
 *    wchar_t.
 *
 * include/dxg/abi_check.h holds compile-time checks of the sizes, offsets and
 * request words defined here.
 */

#ifndef _UAPI_MISC_D3DKMTHK_H
#define _UAPI_MISC_D3DKMTHK_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* ------------------------------------------------------------------------ */
/* Basic types                                                               */
/* ------------------------------------------------------------------------ */

/*
 * Kernel object handle (the D3DKMT_HANDLE of the Windows interface).  Opaque
 * to user space.  The driver encodes it as: bits 0-5 instance, bits 6-29
 * table index, bits 30-31 uniqueness counter.  Zero is never a valid handle.
 */
typedef __u32 d3dkmthandle;

#define D3DKMTHANDLE_INSTANCE_MASK	0x0000003fu
#define D3DKMTHANDLE_INDEX_SHIFT	6
#define D3DKMTHANDLE_INDEX_MASK		0x3fffffc0u
#define D3DKMTHANDLE_UNIQUE_SHIFT	30
#define D3DKMTHANDLE_UNIQUE_MASK	0xc0000000u
#define D3DKMTHANDLE_INVALID		0u

/* Windows LUID: a = low part, b = high part. */
struct winluid {
	__u32 a;
	__u32 b;
};

/*
 * Windows NTSTATUS.  Negative values are failures; zero and positive values
 * are success or informational codes (for example STATUS_PENDING, 0x103),
 * which the driver returns unchanged as a positive ioctl result.
 */
typedef __s32 ntstatus;

/* ------------------------------------------------------------------------ */
/* Limits                                                                    */
/* ------------------------------------------------------------------------ */

#define D3DDDI_MAX_WRITTEN_PRIMARIES		16
#define D3DDDI_MAX_MPO_PRESENT_DIRTY_RECTS	0xfff
#define D3DKMT_CREATEALLOCATION_MAX		1024
#define D3DKMT_MAKERESIDENT_ALLOC_MAX		10240
#define D3DKMT_ADAPTERS_MAX			64
#define D3DDDI_MAX_BROADCAST_CONTEXT		64
#define D3DDDI_MAX_OBJECT_WAITED_ON		32
#define D3DDDI_MAX_OBJECT_SIGNALED		32

/* Length, in UTF-16 units, of the fixed path buffers used by queries. */
#define D3DKMT_MAX_PATH				260

/* ------------------------------------------------------------------------ */
/* Adapters                                                                  */
/* ------------------------------------------------------------------------ */

/* One adapter as reported by LX_DXENUMADAPTERS2 / LX_DXENUMADAPTERS3. */
struct d3dkmt_adapterinfo {
	d3dkmthandle	adapter_handle;
	struct winluid	adapter_luid;
	__u32		num_sources;
	__u32		present_move_regions_preferred;
};

/* 0x14 */
struct d3dkmt_enumadapters2 {
	__u32		num_adapters;	/* in: array length, out: count */
	__u32		reserved;
	__u64		adapters;	/* struct d3dkmt_adapterinfo[] or 0 */
};

/* Filter word of LX_DXENUMADAPTERS3 (64 bits wide). */
#define D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY	(1ull << 0)
#define D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_DISPLAY_ONLY	(1ull << 1)

/* 0x3e */
struct d3dkmt_enumadapters3 {
	__u64		filter;		/* D3DKMT_ENUMADAPTERS_FILTER_* */
	__u32		adapter_count;	/* in: array length, out: count */
	__u32		reserved;
	__u64		adapters;	/* struct d3dkmt_adapterinfo[] or 0 */
};

/* 0x15 */
struct d3dkmt_closeadapter {
	d3dkmthandle	adapter_handle;
};

/* 0x01 */
struct d3dkmt_openadapterfromluid {
	struct winluid	adapter_luid;	/* in */
	d3dkmthandle	adapter_handle;	/* out */
};

/* ------------------------------------------------------------------------ */
/* Legacy command-buffer description lists                                  */
/* ------------------------------------------------------------------------ */

struct d3dddi_allocationlist {
	d3dkmthandle	allocation;
	__u32		value;		/* D3DDDI_ALLOCATIONLIST_* */
};

#define D3DDDI_ALLOCATIONLIST_WRITE_OPERATION		(1u << 0)
#define D3DDDI_ALLOCATIONLIST_DO_NOT_RETIRE_INSTANCE	(1u << 1)
#define D3DDDI_ALLOCATIONLIST_OFFER_PRIORITY_SHIFT	2
#define D3DDDI_ALLOCATIONLIST_OFFER_PRIORITY_MASK	(7u << 2)

struct d3dddi_patchlocationlist {
	__u32		allocation_index;
	__u32		value;		/* bits 0-23: slot id */
	__u32		driver_id;
	__u32		allocation_offset;
	__u32		patch_offset;
	__u32		split_offset;
};

#define D3DDDI_PATCHLOCATIONLIST_SLOT_ID_MASK		0x00ffffffu

/* ------------------------------------------------------------------------ */
/* Devices                                                                   */
/* ------------------------------------------------------------------------ */

struct d3dkmt_createdeviceflags {
	__u32		value;
};

#define D3DKMT_CREATEDEVICE_FLAG_LEGACY_MODE		(1u << 0)
#define D3DKMT_CREATEDEVICE_FLAG_REQUEST_VSYNC		(1u << 1)
#define D3DKMT_CREATEDEVICE_FLAG_DISABLE_GPU_TIMEOUT	(1u << 2)

/* 0x02 */
struct d3dkmt_createdevice {
	union {
		d3dkmthandle	adapter;	  /* in: user-mode creation */
		__u64		adapter_pointer;  /* kernel-mode creation */
	};
	struct d3dkmt_createdeviceflags	flags;
	d3dkmthandle	device;			/* out */
	__u64		command_buffer;
	__u32		command_buffer_size;
	__u32		reserved;
	__u64		allocation_list;	/* struct d3dddi_allocationlist[] */
	__u32		allocation_list_size;
	__u32		reserved1;
	__u64		patch_location_list;	/* struct d3dddi_patchlocationlist[] */
	__u32		patch_location_list_size;
	__u32		reserved2;
};

/* 0x19 */
struct d3dkmt_destroydevice {
	d3dkmthandle	device;
};

/* ------------------------------------------------------------------------ */
/* Contexts and hardware queues                                              */
/* ------------------------------------------------------------------------ */

enum d3dkmt_clienthint {
	D3DKMT_CLIENTHINT_UNKNOWN		= 0,
	D3DKMT_CLIENTHINT_OPENGL		= 1,
	D3DKMT_CLIENTHINT_CDD			= 2,
	D3DKMT_CLIENTHINT_OPENCL		= 3,
	D3DKMT_CLIENTHINT_VULKAN		= 4,
	D3DKMT_CLIENTHINT_CUDA			= 5,
	D3DKMT_CLIENTHINT_RESERVED		= 6,
	D3DKMT_CLIENTHINT_DX7			= 7,
	D3DKMT_CLIENTHINT_DX8			= 8,
	D3DKMT_CLIENTHINT_DX9			= 9,
	D3DKMT_CLIENTHINT_DX10			= 10,
	D3DKMT_CLIENTHINT_DX11			= 11,
	D3DKMT_CLIENTHINT_DX12			= 12,
	D3DKMT_CLIENTHINT_9ON12			= 13,
	D3DKMT_CLIENTHINT_11ON12		= 14,
	D3DKMT_CLIENTHINT_MFT_ENCODE		= 15,
	D3DKMT_CLIENTHINT_GLON12		= 16,
	D3DKMT_CLIENTHINT_CLON12		= 17,
	D3DKMT_CLIENTHINT_DML_TENSORFLOW	= 18,
	D3DKMT_CLIENTHINT_ONEAPI_LEVEL0		= 19,
	D3DKMT_CLIENTHINT_MAX
};

struct d3dddi_createcontextflags {
	__u32		value;
};

#define D3DDDI_CREATECONTEXT_FLAG_NULL_RENDERING	(1u << 0)
#define D3DDDI_CREATECONTEXT_FLAG_INITIAL_DATA		(1u << 1)
#define D3DDDI_CREATECONTEXT_FLAG_DISABLE_GPU_TIMEOUT	(1u << 2)
#define D3DDDI_CREATECONTEXT_FLAG_SYNCHRONIZATION_ONLY	(1u << 3)
#define D3DDDI_CREATECONTEXT_FLAG_HW_QUEUE_SUPPORTED	(1u << 4)

/* 0x03 (no handler in dxgkrnl) */
struct d3dkmt_createcontext {
	d3dkmthandle	device;
	__u32		node_ordinal;
	__u32		engine_affinity;
	struct d3dddi_createcontextflags flags;
	__u64		priv_drv_data;
	__u32		priv_drv_data_size;
	__u32		client_hint;		/* enum d3dkmt_clienthint */
	d3dkmthandle	context;		/* out */
	__u32		reserved;
	__u64		command_buffer;
	__u32		command_buffer_size;
	__u32		reserved1;
	__u64		allocation_list;
	__u32		allocation_list_size;
	__u32		reserved2;
	__u64		patch_location_list;
	__u32		patch_location_list_size;
	__u32		reserved3;
	__u64		obsolete;
};

/* 0x05 */
struct d3dkmt_destroycontext {
	d3dkmthandle	context;
};

/* 0x04 */
struct d3dkmt_createcontextvirtual {
	d3dkmthandle	device;
	__u32		node_ordinal;
	__u32		engine_affinity;
	struct d3dddi_createcontextflags flags;
	__u64		priv_drv_data;
	__u32		priv_drv_data_size;
	__u32		client_hint;		/* enum d3dkmt_clienthint */
	d3dkmthandle	context;		/* out */
	__u32		reserved;
};

struct d3dddi_createhwcontextflags {
	__u32		value;			/* no bits defined */
};

struct d3dddi_createhwqueueflags {
	__u32		value;
};

#define D3DDDI_CREATEHWQUEUE_FLAG_DISABLE_GPU_TIMEOUT	(1u << 0)

/* 0x17 (no handler in dxgkrnl) */
struct d3dkmt_createhwcontext {
	d3dkmthandle	device;
	__u32		node_ordinal;
	__u32		engine_affinity;
	struct d3dddi_createhwcontextflags flags;
	__u32		priv_drv_data_size;
	__u32		reserved;
	__u64		priv_drv_data;
	d3dkmthandle	context;		/* out */
	__u32		reserved1;
};

/* 0x1a (no handler in dxgkrnl) */
struct d3dkmt_destroyhwcontext {
	d3dkmthandle	context;
};

/* 0x18 */
struct d3dkmt_createhwqueue {
	d3dkmthandle	context;
	struct d3dddi_createhwqueueflags flags;
	__u32		priv_drv_data_size;
	__u32		reserved;
	__u64		priv_drv_data;
	d3dkmthandle	queue;			/* out */
	d3dkmthandle	queue_progress_fence;	/* out */
	__u64		queue_progress_fence_cpu_va;	/* out */
	__u64		queue_progress_fence_gpu_va;	/* out */
};

/* 0x1b */
struct d3dkmt_destroyhwqueue {
	d3dkmthandle	queue;
};

/* Scheduling priority: 0x21, 0x22, 0x2f, 0x30 */
struct d3dkmt_setcontextschedulingpriority {
	d3dkmthandle	context;
	__s32		priority;
};

struct d3dkmt_setcontextinprocessschedulingpriority {
	d3dkmthandle	context;
	__s32		priority;
};

struct d3dkmt_getcontextschedulingpriority {
	d3dkmthandle	context;
	__s32		priority;		/* out */
};

struct d3dkmt_getcontextinprocessschedulingpriority {
	d3dkmthandle	context;
	__s32		priority;		/* out */
};

/* ------------------------------------------------------------------------ */
/* Paging queues                                                             */
/* ------------------------------------------------------------------------ */

enum d3dddi_pagingqueue_priority {
	D3DDDI_PAGINGQUEUE_PRIORITY_BELOW_NORMAL	= -1,
	D3DDDI_PAGINGQUEUE_PRIORITY_NORMAL		= 0,
	D3DDDI_PAGINGQUEUE_PRIORITY_ABOVE_NORMAL	= 1,
};

/* 0x07 */
struct d3dkmt_createpagingqueue {
	d3dkmthandle	device;
	__s32		priority;	/* enum d3dddi_pagingqueue_priority */
	d3dkmthandle	paging_queue;	/* out */
	d3dkmthandle	sync_object;	/* out */
	__u64		fence_cpu_virtual_address;	/* out */
	__u32		physical_adapter_index;
	__u32		reserved;
};

/* 0x1c */
struct d3dddi_destroypagingqueue {
	d3dkmthandle	paging_queue;
};

/* ------------------------------------------------------------------------ */
/* Legacy render submission                                                  */
/* ------------------------------------------------------------------------ */

struct d3dkmt_renderflags {
	__u32		value;
};

#define D3DKMT_RENDER_FLAG_RESIZE_COMMAND_BUFFER	(1u << 0)
#define D3DKMT_RENDER_FLAG_RESIZE_ALLOCATION_LIST	(1u << 1)
#define D3DKMT_RENDER_FLAG_RESIZE_PATCH_LOCATION_LIST	(1u << 2)
#define D3DKMT_RENDER_FLAG_NULL_RENDERING		(1u << 3)
#define D3DKMT_RENDER_FLAG_PRESENT_REDIRECTED		(1u << 4)
#define D3DKMT_RENDER_FLAG_RENDER_KM			(1u << 5)
#define D3DKMT_RENDER_FLAG_RENDER_KM_READBACK		(1u << 6)

/* 0x2d (no handler in dxgkrnl) */
struct d3dkmt_render {
	union {
		d3dkmthandle	device;
		d3dkmthandle	context;
	};
	__u32		command_offset;
	__u32		command_length;
	__u32		allocation_count;
	__u32		patch_location_count;
	__u32		reserved;
	__u64		new_command_buffer;
	__u32		new_command_buffer_size;
	__u32		reserved1;
	__u64		new_allocation_list;
	__u32		new_allocation_list_size;
	__u32		reserved2;
	__u64		new_patch_location_list;
	__u32		new_patch_location_list_size;
	struct d3dkmt_renderflags flags;
	__u64		present_history_token;
	__u32		broadcast_context_count;
	d3dkmthandle	broadcast_context[D3DDDI_MAX_BROADCAST_CONTEXT];
	__u32		queued_buffer_count;
	__u64		obsolete;
	__u64		priv_drv_data;
	__u32		priv_drv_data_size;
	__u32		reserved3;
};

/* ------------------------------------------------------------------------ */
/* Allocations                                                               */
/* ------------------------------------------------------------------------ */

enum d3dkmt_standardallocationtype {
	D3DKMT_STANDARDALLOCATIONTYPE_EXISTINGHEAP	= 1,
	D3DKMT_STANDARDALLOCATIONTYPE_CROSSADAPTER	= 2,
};

struct d3dkmt_standardallocation_existingheap {
	__u64		size;
};

struct d3dkmt_createstandardallocationflags {
	__u32		value;			/* no bits defined */
};

/* Pointed to by d3dkmt_createallocation.standard_allocation. */
struct d3dkmt_createstandardallocation {
	__u32		type;		/* enum d3dkmt_standardallocationtype */
	__u32		reserved;
	struct d3dkmt_standardallocation_existingheap existing_heap_data;
	struct d3dkmt_createstandardallocationflags flags;
	__u32		reserved1;
};

#define D3DDDI_ALLOCATIONINFO2_FLAG_PRIMARY		(1u << 0)
#define D3DDDI_ALLOCATIONINFO2_FLAG_STEREO		(1u << 1)
#define D3DDDI_ALLOCATIONINFO2_FLAG_OVERRIDE_PRIORITY	(1u << 2)

/* Element of the array at d3dkmt_createallocation.allocation_info. */
struct d3dddi_allocationinfo2 {
	d3dkmthandle	allocation;		/* out */
	__u32		reserved;
	__u64		sysmem;			/* existing user memory or 0 */
	__u64		priv_drv_data;
	__u32		priv_drv_data_size;
	__u32		vidpn_source_id;
	__u32		flags;			/* D3DDDI_ALLOCATIONINFO2_FLAG_* */
	__u32		reserved1;
	__u64		gpu_virtual_address;
	union {
		__u32	priority;
		__u64	unused;
	};
	__u64		reserved2[5];
};

struct d3dkmt_createallocationflags {
	__u32		value;
};

#define D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE		(1u << 0)
#define D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED		(1u << 1)
#define D3DKMT_CREATEALLOCATION_FLAG_NON_SECURE			(1u << 2)
#define D3DKMT_CREATEALLOCATION_FLAG_CREATE_PROTECTED		(1u << 3)
#define D3DKMT_CREATEALLOCATION_FLAG_RESTRICT_SHARED_ACCESS	(1u << 4)
#define D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM		(1u << 5)
#define D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING	(1u << 6)
#define D3DKMT_CREATEALLOCATION_FLAG_READ_ONLY			(1u << 7)
#define D3DKMT_CREATEALLOCATION_FLAG_CREATE_WRITE_COMBINED	(1u << 8)
#define D3DKMT_CREATEALLOCATION_FLAG_CREATE_CACHED		(1u << 9)
#define D3DKMT_CREATEALLOCATION_FLAG_SWAP_CHAIN_BACK_BUFFER	(1u << 10)
#define D3DKMT_CREATEALLOCATION_FLAG_CROSS_ADAPTER		(1u << 11)
#define D3DKMT_CREATEALLOCATION_FLAG_OPEN_CROSS_ADAPTER		(1u << 12)
#define D3DKMT_CREATEALLOCATION_FLAG_PARTIAL_SHARED_CREATION	(1u << 13)
#define D3DKMT_CREATEALLOCATION_FLAG_ZEROED			(1u << 14)
#define D3DKMT_CREATEALLOCATION_FLAG_WRITE_WATCH		(1u << 15)
#define D3DKMT_CREATEALLOCATION_FLAG_STANDARD_ALLOCATION	(1u << 16)
#define D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SECTION		(1u << 17)

/* 0x06 */
struct d3dkmt_createallocation {
	d3dkmthandle	device;
	d3dkmthandle	resource;		/* in/out */
	d3dkmthandle	global_share;		/* out */
	__u32		reserved;
	__u64		private_runtime_data;
	__u32		private_runtime_data_size;
	__u32		reserved1;
	union {
		__u64	standard_allocation;	/* struct d3dkmt_createstandardallocation */
		__u64	priv_drv_data;
	};
	__u32		priv_drv_data_size;
	__u32		alloc_count;
	__u64		allocation_info;	/* struct d3dddi_allocationinfo2[] */
	struct d3dkmt_createallocationflags flags;
	__u32		reserved2;
	__u64		private_runtime_resource_handle;
};

struct d3dddicb_destroyallocation2flags {
	__u32		value;
};

#define D3DDDICB_DESTROYALLOCATION2_FLAG_ASSUME_NOT_IN_USE	(1u << 0)
#define D3DDDICB_DESTROYALLOCATION2_FLAG_SYNCHRONOUS_DESTROY	(1u << 1)
#define D3DDDICB_DESTROYALLOCATION2_FLAG_SYSTEM_USE_ONLY	(1u << 31)

/* 0x13 */
struct d3dkmt_destroyallocation2 {
	d3dkmthandle	device;
	d3dkmthandle	resource;
	__u64		allocations;		/* d3dkmthandle[] */
	__u32		alloc_count;
	struct d3dddicb_destroyallocation2flags flags;
};

/* ------------------------------------------------------------------------ */
/* Residency                                                                 */
/* ------------------------------------------------------------------------ */

struct d3dddi_makeresident_flags {
	__u32		value;
};

#define D3DDDI_MAKERESIDENT_FLAG_CANT_TRIM_FURTHER	(1u << 0)
#define D3DDDI_MAKERESIDENT_FLAG_MUST_SUCCEED		(1u << 1)

/* 0x0b */
struct d3dddi_makeresident {
	d3dkmthandle	paging_queue;
	__u32		alloc_count;
	__u64		allocation_list;	/* d3dkmthandle[] */
	__u64		priority_list;		/* __u32[] */
	struct d3dddi_makeresident_flags flags;
	__u32		reserved;
	__u64		paging_fence_value;	/* out */
	__u64		num_bytes_to_trim;	/* out */
};

struct d3dddi_evict_flags {
	__u32		value;
};

#define D3DDDI_EVICT_FLAG_EVICT_ONLY_IF_NECESSARY	(1u << 0)
#define D3DDDI_EVICT_FLAG_NOT_WRITTEN_TO		(1u << 1)

/* 0x1e */
struct d3dkmt_evict {
	d3dkmthandle	device;
	__u32		alloc_count;
	__u64		allocations;		/* d3dkmthandle[] */
	struct d3dddi_evict_flags flags;
	__u32		reserved;
	__u64		num_bytes_to_trim;	/* out */
};

/* ------------------------------------------------------------------------ */
/* GPU virtual address management                                            */
/* ------------------------------------------------------------------------ */

/* 64-bit protection word. */
struct d3dddigpuva_protection_type {
	__u64		value;
};

#define D3DDDIGPUVA_PROTECTION_WRITE		(1ull << 0)
#define D3DDDIGPUVA_PROTECTION_EXECUTE		(1ull << 1)
#define D3DDDIGPUVA_PROTECTION_ZERO		(1ull << 2)
#define D3DDDIGPUVA_PROTECTION_NO_ACCESS	(1ull << 3)
#define D3DDDIGPUVA_PROTECTION_SYSTEM_USE_ONLY	(1ull << 4)

enum d3dddi_updategpuvirtualaddress_operation_type {
	D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP		= 0,
	D3DDDI_UPDATEGPUVIRTUALADDRESS_UNMAP		= 1,
	D3DDDI_UPDATEGPUVIRTUALADDRESS_COPY		= 2,
	D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP_PROTECT	= 3,
};

/* Element of the array at d3dkmt_updategpuvirtualaddress.operations. */
struct d3dddi_updategpuvirtualaddress_operation {
	__u32		operation;	/* enum ..._operation_type */
	__u32		reserved;
	union {
		struct {
			__u64		base_address;
			__u64		size;
			d3dkmthandle	allocation;
			__u32		reserved;
			__u64		allocation_offset;
			__u64		allocation_size;
		} map;
		struct {
			__u64		base_address;
			__u64		size;
			d3dkmthandle	allocation;
			__u32		reserved;
			__u64		allocation_offset;
			__u64		allocation_size;
			struct d3dddigpuva_protection_type protection;
			__u64		driver_protection;
		} map_protect;
		struct {
			__u64		base_address;
			__u64		size;
			struct d3dddigpuva_protection_type protection;
		} unmap;
		struct {
			__u64		source_address;
			__u64		size;
			__u64		dest_address;
		} copy;
	};
};

enum d3dddigpuva_reservation_type {
	D3DDDIGPUVA_RESERVE_NO_ACCESS	= 0,
	D3DDDIGPUVA_RESERVE_ZERO	= 1,
	D3DDDIGPUVA_RESERVE_NO_COMMIT	= 2,
};

#define D3DKMT_UPDATEGPUVIRTUALADDRESS_FLAG_DO_NOT_WAIT	(1u << 0)

/* 0x39 */
struct d3dkmt_updategpuvirtualaddress {
	d3dkmthandle	device;
	d3dkmthandle	context;
	d3dkmthandle	fence_object;
	__u32		num_operations;
	__u64		operations;	/* struct d3dddi_updategpuvirtualaddress_operation[] */
	__u32		reserved0;
	__u32		reserved1;
	__u64		reserved2;
	__u64		fence_value;
	__u32		flags;		/* D3DKMT_UPDATEGPUVIRTUALADDRESS_FLAG_* */
	__u32		reserved3;
};

/* 0x0c */
struct d3dddi_mapgpuvirtualaddress {
	d3dkmthandle	paging_queue;
	__u32		reserved2;
	__u64		base_address;
	__u64		minimum_address;
	__u64		maximum_address;
	d3dkmthandle	allocation;
	__u32		reserved3;
	__u64		offset_in_pages;
	__u64		size_in_pages;
	struct d3dddigpuva_protection_type protection;
	__u64		driver_protection;
	__u32		reserved0;
	__u32		reserved4;
	__u64		reserved1;
	__u64		virtual_address;	/* out */
	__u64		paging_fence_value;	/* out */
};

/* 0x08 */
struct d3dddi_reservegpuvirtualaddress {
	d3dkmthandle	adapter;
	__u32		reserved;
	__u64		base_address;
	__u64		minimum_address;
	__u64		maximum_address;
	__u64		size;
	__u32		reservation_type;	/* enum d3dddigpuva_reservation_type */
	__u32		reserved1;
	__u64		driver_protection;
	__u64		virtual_address;	/* out */
	__u64		paging_fence_value;	/* out */
};

/* 0x20 */
struct d3dkmt_freegpuvirtualaddress {
	d3dkmthandle	adapter;
	__u32		reserved;
	__u64		base_address;
	__u64		size;
};

/* ------------------------------------------------------------------------ */
/* Video memory budget                                                       */
/* ------------------------------------------------------------------------ */

enum d3dkmt_memory_segment_group {
	D3DKMT_MEMORY_SEGMENT_GROUP_LOCAL	= 0,
	D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL	= 1,
};

/* 0x0a */
struct d3dkmt_queryvideomemoryinfo {
	__u64		process;		/* must be 0 */
	d3dkmthandle	adapter;
	__u32		memory_segment_group;	/* enum d3dkmt_memory_segment_group */
	__u64		budget;			/* out */
	__u64		current_usage;		/* out */
	__u64		current_reservation;	/* out */
	__u64		available_for_reservation; /* out */
	__u32		physical_adapter_index;
	__u32		reserved;
};

/* 0x16 */
struct d3dkmt_changevideomemoryreservation {
	__u64		process;		/* must be 0 */
	d3dkmthandle	adapter;
	__u32		memory_segment_group;	/* enum d3dkmt_memory_segment_group */
	__u64		reservation;
	__u32		physical_adapter_index;
	__u32		reserved;
};

/* ------------------------------------------------------------------------ */
/* Adapter information queries                                               */
/* ------------------------------------------------------------------------ */

/*
 * Query codes for d3dkmt_queryadapterinfo.type.  The numbering follows the
 * Windows KMTQUERYADAPTERINFOTYPE enumeration (value 14 is not assigned).
 * The host decides which of them a virtual adapter answers.
 */
enum kmtqueryadapterinfotype {
	KMTQAITYPE_UMDRIVERPRIVATE				= 0,
	KMTQAITYPE_UMDRIVERNAME					= 1,
	KMTQAITYPE_UMOPENGLINFO					= 2,
	KMTQAITYPE_GETSEGMENTSIZE				= 3,
	KMTQAITYPE_ADAPTERGUID					= 4,
	KMTQAITYPE_FLIPQUEUEINFO				= 5,
	KMTQAITYPE_ADAPTERADDRESS				= 6,
	KMTQAITYPE_SETWORKINGSETINFO				= 7,
	KMTQAITYPE_ADAPTERREGISTRYINFO				= 8,
	KMTQAITYPE_CURRENTDISPLAYMODE				= 9,
	KMTQAITYPE_MODELIST					= 10,
	KMTQAITYPE_CHECKDRIVERUPDATESTATUS			= 11,
	KMTQAITYPE_VIRTUALADDRESSINFO				= 12,
	KMTQAITYPE_DRIVERVERSION				= 13,
	KMTQAITYPE_ADAPTERTYPE					= 15,
	KMTQAITYPE_OUTPUTDUPLCONTEXTSCOUNT			= 16,
	KMTQAITYPE_WDDM_1_2_CAPS				= 17,
	KMTQAITYPE_UMD_DRIVER_VERSION				= 18,
	KMTQAITYPE_DIRECTFLIP_SUPPORT				= 19,
	KMTQAITYPE_MULTIPLANEOVERLAY_SUPPORT			= 20,
	KMTQAITYPE_DLIST_DRIVER_NAME				= 21,
	KMTQAITYPE_WDDM_1_3_CAPS				= 22,
	KMTQAITYPE_MULTIPLANEOVERLAY_HUD_SUPPORT		= 23,
	KMTQAITYPE_WDDM_2_0_CAPS				= 24,
	KMTQAITYPE_NODEMETADATA					= 25,
	KMTQAITYPE_CPDRIVERNAME					= 26,
	KMTQAITYPE_XBOX						= 27,
	KMTQAITYPE_INDEPENDENTFLIP_SUPPORT			= 28,
	KMTQAITYPE_MIRACASTCOMPANIONDRIVERNAME			= 29,
	KMTQAITYPE_PHYSICALADAPTERCOUNT				= 30,
	KMTQAITYPE_PHYSICALADAPTERDEVICEIDS			= 31,
	KMTQAITYPE_DRIVERCAPS_EXT				= 32,
	KMTQAITYPE_QUERY_MIRACAST_DRIVER_TYPE			= 33,
	KMTQAITYPE_QUERY_GPUMMU_CAPS				= 34,
	KMTQAITYPE_QUERY_MULTIPLANEOVERLAY_DECODE_SUPPORT	= 35,
	KMTQAITYPE_QUERY_HW_PROTECTION_TEARDOWN_COUNT		= 36,
	KMTQAITYPE_QUERY_ISBADDRIVERFORHWPROTECTIONDISABLED	= 37,
	KMTQAITYPE_MULTIPLANEOVERLAY_SECONDARY_SUPPORT		= 38,
	KMTQAITYPE_INDEPENDENTFLIP_SECONDARY_SUPPORT		= 39,
	KMTQAITYPE_PANELFITTER_SUPPORT				= 40,
	KMTQAITYPE_PHYSICALADAPTERPNPKEY			= 41,
	KMTQAITYPE_GETSEGMENTGROUPSIZE				= 42,
	KMTQAITYPE_MPO3DDI_SUPPORT				= 43,
	KMTQAITYPE_HWDRM_SUPPORT				= 44,
	KMTQAITYPE_MPOKERNELCAPS_SUPPORT			= 45,
	KMTQAITYPE_MULTIPLANEOVERLAY_STRETCH_SUPPORT		= 46,
	KMTQAITYPE_GET_DEVICE_VIDPN_OWNERSHIP_INFO		= 47,
	KMTQAITYPE_QUERYREGISTRY				= 48,
	KMTQAITYPE_KMD_DRIVER_VERSION				= 49,
	KMTQAITYPE_BLOCKLIST_KERNEL				= 50,
	KMTQAITYPE_BLOCKLIST_RUNTIME				= 51,
	KMTQAITYPE_ADAPTERGUID_RENDER				= 52,
	KMTQAITYPE_ADAPTERADDRESS_RENDER			= 53,
	KMTQAITYPE_ADAPTERREGISTRYINFO_RENDER			= 54,
	KMTQAITYPE_CHECKDRIVERUPDATESTATUS_RENDER		= 55,
	KMTQAITYPE_DRIVERVERSION_RENDER				= 56,
	KMTQAITYPE_ADAPTERTYPE_RENDER				= 57,
	KMTQAITYPE_WDDM_1_2_CAPS_RENDER				= 58,
	KMTQAITYPE_WDDM_1_3_CAPS_RENDER				= 59,
	KMTQAITYPE_QUERY_ADAPTER_UNIQUE_GUID			= 60,
	KMTQAITYPE_NODEPERFDATA					= 61,
	KMTQAITYPE_ADAPTERPERFDATA				= 62,
	KMTQAITYPE_ADAPTERPERFDATA_CAPS				= 63,
	KMTQUITYPE_GPUVERSION					= 64, /* sic: "QUI" */
	KMTQAITYPE_DRIVER_DESCRIPTION				= 65,
	KMTQAITYPE_DRIVER_DESCRIPTION_RENDER			= 66,
	KMTQAITYPE_SCANOUT_CAPS					= 67,
	KMTQAITYPE_PARAVIRTUALIZATION_RENDER			= 68,
	KMTQAITYPE_SERVICENAME					= 69,
	KMTQAITYPE_WDDM_2_7_CAPS				= 70,
	KMTQAITYPE_DISPLAY_UMDRIVERNAME				= 71,
	KMTQAITYPE_TRACKEDWORKLOAD_SUPPORT			= 72,
	KMTQAITYPE_HYBRID_DLIST_DLL_SUPPORT			= 73,
	KMTQAITYPE_DISPLAY_CAPS					= 74,
	KMTQAITYPE_WDDM_2_9_CAPS				= 75,
	KMTQAITYPE_CROSSADAPTERRESOURCE_SUPPORT			= 76,
	KMTQAITYPE_WDDM_3_0_CAPS				= 77,
};

/* Alias with the conventional spelling. */
#define KMTQAITYPE_GPUVERSION	KMTQUITYPE_GPUVERSION

/* 0x09 */
struct d3dkmt_queryadapterinfo {
	d3dkmthandle	adapter;
	__u32		type;		/* enum kmtqueryadapterinfotype */
	__u64		private_data;	/* result buffer */
	__u32		private_data_size;
	__u32		reserved;
};

/* Result of KMTQAITYPE_ADAPTERTYPE and KMTQAITYPE_ADAPTERTYPE_RENDER. */
struct d3dkmt_adaptertype {
	__u32		value;
};

#define D3DKMT_ADAPTERTYPE_RENDER_SUPPORTED			(1u << 0)
#define D3DKMT_ADAPTERTYPE_DISPLAY_SUPPORTED			(1u << 1)
#define D3DKMT_ADAPTERTYPE_SOFTWARE_DEVICE			(1u << 2)
#define D3DKMT_ADAPTERTYPE_POST_DEVICE				(1u << 3)
#define D3DKMT_ADAPTERTYPE_HYBRID_DISCRETE			(1u << 4)
#define D3DKMT_ADAPTERTYPE_HYBRID_INTEGRATED			(1u << 5)
#define D3DKMT_ADAPTERTYPE_INDIRECT_DISPLAY_DEVICE		(1u << 6)
#define D3DKMT_ADAPTERTYPE_PARAVIRTUALIZED			(1u << 7)
#define D3DKMT_ADAPTERTYPE_ACG_SUPPORTED			(1u << 8)
#define D3DKMT_ADAPTERTYPE_SUPPORT_SET_TIMINGS_FROM_VIDPN	(1u << 9)
#define D3DKMT_ADAPTERTYPE_DETACHABLE				(1u << 10)
#define D3DKMT_ADAPTERTYPE_COMPUTE_ONLY				(1u << 11)
#define D3DKMT_ADAPTERTYPE_PROTOTYPE				(1u << 12)
#define D3DKMT_ADAPTERTYPE_RUNTIME_POWER_MANAGEMENT		(1u << 13)

/* Version of the user-mode driver asked for by KMTQAITYPE_UMDRIVERNAME. */
enum kmtumdversion {
	KMTUMDVERSION_DX9	= 0,
	KMTUMDVERSION_DX10	= 1,
	KMTUMDVERSION_DX11	= 2,
	KMTUMDVERSION_DX12	= 3,
	NUM_KMTUMDVERSIONS	= 4,
};

/* In/out block of KMTQAITYPE_UMDRIVERNAME. */
struct d3dkmt_umdfilenameinfo {
	__u32		version;			/* in: enum kmtumdversion */
	__u16		umd_file_name[D3DKMT_MAX_PATH];	/* out: UTF-16 */
};

/* Result of KMTQAITYPE_UMOPENGLINFO. */
struct d3dkmt_openglinfo {
	__u16		umd_opengl_icd_file_name[D3DKMT_MAX_PATH];
	__u32		version;
	__u32		flags;
};

/* Result of KMTQAITYPE_GETSEGMENTSIZE. */
struct d3dkmt_segmentsizeinfo {
	__u64		dedicated_video_memory_size;
	__u64		dedicated_system_memory_size;
	__u64		shared_system_memory_size;
};

/* In/out block of KMTQAITYPE_GETSEGMENTGROUPSIZE. */
struct d3dkmt_segmentgroupsizeinfo {
	__u32		physical_adapter_index;		/* in */
	__u32		reserved;
	struct d3dkmt_segmentsizeinfo legacy_info;
	__u64		local_memory;
	__u64		non_local_memory;
	__u64		non_budget_memory;
};

/* Result of KMTQAITYPE_ADAPTERADDRESS(_RENDER). */
struct d3dkmt_adapteraddress {
	__u32		bus_number;
	__u32		device_number;
	__u32		function_number;
};

/* Result of KMTQAITYPE_ADAPTERREGISTRYINFO(_RENDER); UTF-16 strings. */
struct d3dkmt_adapterregistryinfo {
	__u16		adapter_string[D3DKMT_MAX_PATH];
	__u16		bios_string[D3DKMT_MAX_PATH];
	__u16		dac_type[D3DKMT_MAX_PATH];
	__u16		chip_type[D3DKMT_MAX_PATH];
};

/*
 * Result of KMTQAITYPE_DRIVERVERSION(_RENDER): one __u32 holding a value of
 * enum d3dkmt_driverversion.
 */
enum d3dkmt_driverversion {
	KMT_DRIVERVERSION_WDDM_1_0		= 1000,
	KMT_DRIVERVERSION_WDDM_1_1_PRERELEASE	= 1102,
	KMT_DRIVERVERSION_WDDM_1_1		= 1105,
	KMT_DRIVERVERSION_WDDM_1_2		= 1200,
	KMT_DRIVERVERSION_WDDM_1_3		= 1300,
	KMT_DRIVERVERSION_WDDM_2_0		= 2000,
	KMT_DRIVERVERSION_WDDM_2_1		= 2100,
	KMT_DRIVERVERSION_WDDM_2_2		= 2200,
	KMT_DRIVERVERSION_WDDM_2_3		= 2300,
	KMT_DRIVERVERSION_WDDM_2_4		= 2400,
	KMT_DRIVERVERSION_WDDM_2_5		= 2500,
	KMT_DRIVERVERSION_WDDM_2_6		= 2600,
	KMT_DRIVERVERSION_WDDM_2_7		= 2700,
	KMT_DRIVERVERSION_WDDM_2_8		= 2800,
	KMT_DRIVERVERSION_WDDM_2_9		= 2900,
	KMT_DRIVERVERSION_WDDM_3_0		= 3000,
};

/* Result of KMTQAITYPE_UMD_DRIVER_VERSION / KMTQAITYPE_KMD_DRIVER_VERSION. */
struct d3dkmt_umd_driver_version {
	__u64		driver_version;
};

struct d3dkmt_kmd_driver_version {
	__u64		driver_version;
};

/* Result of KMTQAITYPE_PHYSICALADAPTERCOUNT. */
struct d3dkmt_physical_adapter_count {
	__u32		count;
};

/* PCI identity of one physical adapter. */
struct d3dkmt_device_ids {
	__u32		vendor_id;
	__u32		device_id;
	__u32		sub_vendor_id;
	__u32		sub_system_id;
	__u32		revision_id;
	__u32		bus_type;
};

/* In/out block of KMTQAITYPE_PHYSICALADAPTERDEVICEIDS. */
struct d3dkmt_query_device_ids {
	__u32		physical_adapter_index;		/* in */
	struct d3dkmt_device_ids device_ids;		/* out */
};

/* Result of KMTQAITYPE_QUERY_ADAPTER_UNIQUE_GUID (UTF-16 text). */
struct d3dkmt_query_adapter_unique_guid {
	__u16		adapter_unique_guid[40];
};

/* Result of KMTQAITYPE_DRIVER_DESCRIPTION(_RENDER) (UTF-16 text). */
#define D3DKMT_DRIVER_DESCRIPTION_LENGTH	4096

struct d3dkmt_driver_description {
	__u16		driver_description[D3DKMT_DRIVER_DESCRIPTION_LENGTH];
};

/* Result of KMTQAITYPE_PARAVIRTUALIZATION_RENDER. */
struct d3dkmt_paravirtualization {
	__u8		secure_container;
};

/* Result of KMTQAITYPE_WDDM_2_7_CAPS. */
struct d3dkmt_wddm_2_7_caps {
	__u32		value;
};

#define D3DKMT_WDDM_2_7_CAPS_HW_SCH_SUPPORTED			(1u << 0)
#define D3DKMT_WDDM_2_7_CAPS_HW_SCH_ENABLED			(1u << 1)
#define D3DKMT_WDDM_2_7_CAPS_HW_SCH_ENABLED_BY_DEFAULT		(1u << 2)
#define D3DKMT_WDDM_2_7_CAPS_INDEPENDENT_VIDPN_VSYNC_CONTROL	(1u << 3)

/* ------------------------------------------------------------------------ */
/* Escapes                                                                   */
/* ------------------------------------------------------------------------ */

enum d3dkmt_escapetype {
	D3DKMT_ESCAPE_DRIVERPRIVATE			= 0,
	D3DKMT_ESCAPE_VIDMM				= 1,
	D3DKMT_ESCAPE_TDRDBGCTRL			= 2,
	D3DKMT_ESCAPE_VIDSCH				= 3,
	D3DKMT_ESCAPE_DEVICE				= 4,
	D3DKMT_ESCAPE_DMM				= 5,
	D3DKMT_ESCAPE_DEBUG_SNAPSHOT			= 6,
	D3DKMT_ESCAPE_DRT_TEST				= 8,
	D3DKMT_ESCAPE_DIAGNOSTICS			= 9,
	D3DKMT_ESCAPE_OUTPUTDUPL_SNAPSHOT		= 10,
	D3DKMT_ESCAPE_OUTPUTDUPL_DIAGNOSTICS		= 11,
	D3DKMT_ESCAPE_BDD_PNP				= 12,
	D3DKMT_ESCAPE_BDD_FALLBACK			= 13,
	D3DKMT_ESCAPE_ACTIVATE_SPECIFIC_DIAG		= 14,
	D3DKMT_ESCAPE_MODES_PRUNED_OUT			= 15,
	D3DKMT_ESCAPE_WHQL_INFO				= 16,
	D3DKMT_ESCAPE_BRIGHTNESS			= 17,
	D3DKMT_ESCAPE_EDID_CACHE			= 18,
	D3DKMT_ESCAPE_MIRACAST_DISPLAY_REQUEST		= 20,
	D3DKMT_ESCAPE_HISTORY_BUFFER_STATUS		= 21,
	D3DKMT_ESCAPE_MIRACAST_ADAPTER_DIAG_INFO	= 23,
	D3DKMT_ESCAPE_FORCE_BDDFALLBACK_HEADLESS	= 24,
	D3DKMT_ESCAPE_REQUEST_MACHINE_CRASH		= 25,
	D3DKMT_ESCAPE_SOFTGPU_ENABLE_DISABLE_HMD	= 27,
	D3DKMT_ESCAPE_PROCESS_VERIFIER_OPTION		= 28,
	D3DKMT_ESCAPE_ADAPTER_VERIFIER_OPTION		= 29,
	D3DKMT_ESCAPE_IDD_REQUEST			= 30,
	D3DKMT_ESCAPE_DOD_SET_DIRTYRECT_MODE		= 31,
	D3DKMT_ESCAPE_LOG_CODEPOINT_PACKET		= 32,
	D3DKMT_ESCAPE_LOG_USERMODE_DAIG_PACKET		= 33, /* sic */
	D3DKMT_ESCAPE_GET_EXTERNAL_DIAGNOSTICS		= 34,
	D3DKMT_ESCAPE_GET_DISPLAY_CONFIGURATIONS	= 36,
	D3DKMT_ESCAPE_QUERY_IOMMU_STATUS		= 37,
	D3DKMT_ESCAPE_CCD_DATABASE			= 38,
	D3DKMT_ESCAPE_QUERY_DMA_REMAPPING_STATUS	= 39,
};

/* Command of a D3DKMT_ESCAPE_DRT_TEST escape. */
enum d3dkmt_drt_test_command {
	D3DKMT_DRT_TEST_COMMAND_HANDLETABLE	= 39,
};

struct d3dkmt_drt_escape_head {
	__u32		signature;
	__u32		buffer_size;
	__u32		command;	/* enum d3dkmt_drt_test_command */
};

enum d3dkmt_ht_command {
	D3DKMT_HT_COMMAND_ALLOC		= 0,
	D3DKMT_HT_COMMAND_FREE		= 1,
	D3DKMT_HT_COMMAND_ASSIGN	= 2,
	D3DKMT_HT_COMMAND_GET		= 3,
	D3DKMT_HT_COMMAND_DESTROY	= 4,
};

/* Private data of a handle-table DRT test escape. */
struct d3dkmt_ht_desc {
	struct d3dkmt_drt_escape_head head;
	__u32		command;	/* enum d3dkmt_ht_command */
	__u32		index;
	d3dkmthandle	handle;
	__u32		object_type;
	__u32		reserved;
	__u64		object;
};

struct d3dddi_escapeflags {
	__u32		value;
};

#define D3DDDI_ESCAPE_FLAG_HARDWARE_ACCESS		(1u << 0)
#define D3DDDI_ESCAPE_FLAG_DEVICE_STATUS_QUERY		(1u << 1)
#define D3DDDI_ESCAPE_FLAG_CHANGE_FRAME_LATENCY		(1u << 2)
#define D3DDDI_ESCAPE_FLAG_NO_ADAPTER_SYNCHRONIZATION	(1u << 3)
/* bit 4 reserved */
#define D3DDDI_ESCAPE_FLAG_VIRTUAL_MACHINE_DATA		(1u << 5)
#define D3DDDI_ESCAPE_FLAG_DRIVER_KNOWN_ESCAPE		(1u << 6)
#define D3DDDI_ESCAPE_FLAG_DRIVER_COMMON_ESCAPE		(1u << 7)

/* 0x0d */
struct d3dkmt_escape {
	d3dkmthandle	adapter;
	d3dkmthandle	device;
	__u32		type;		/* enum d3dkmt_escapetype */
	struct d3dddi_escapeflags flags;
	__u64		priv_drv_data;
	__u32		priv_drv_data_size;
	d3dkmthandle	context;
};

/* ------------------------------------------------------------------------ */
/* Device state                                                              */
/* ------------------------------------------------------------------------ */

enum dxgk_render_pipeline_stage {
	DXGK_RENDER_PIPELINE_STAGE_UNKNOWN		= 0,
	DXGK_RENDER_PIPELINE_STAGE_INPUT_ASSEMBLER	= 1,
	DXGK_RENDER_PIPELINE_STAGE_VERTEX_SHADER	= 2,
	DXGK_RENDER_PIPELINE_STAGE_GEOMETRY_SHADER	= 3,
	DXGK_RENDER_PIPELINE_STAGE_STREAM_OUTPUT	= 4,
	DXGK_RENDER_PIPELINE_STAGE_RASTERIZER		= 5,
	DXGK_RENDER_PIPELINE_STAGE_PIXEL_SHADER		= 6,
	DXGK_RENDER_PIPELINE_STAGE_OUTPUT_MERGER	= 7,
};

enum dxgk_page_fault_flags {
	DXGK_PAGE_FAULT_WRITE			= 0x01,
	DXGK_PAGE_FAULT_FENCE_INVALID		= 0x02,
	DXGK_PAGE_FAULT_ADAPTER_RESET_REQUIRED	= 0x04,
	DXGK_PAGE_FAULT_ENGINE_RESET_REQUIRED	= 0x08,
	DXGK_PAGE_FAULT_FATAL_HARDWARE_ERROR	= 0x10,
	DXGK_PAGE_FAULT_IOMMU			= 0x20,
	DXGK_PAGE_FAULT_HW_CONTEXT_VALID	= 0x40,
	DXGK_PAGE_FAULT_PROCESS_HANDLE_VALID	= 0x80,
};

enum dxgk_general_error_code {
	DXGK_GENERAL_ERROR_PAGE_FAULT		= 0,
	DXGK_GENERAL_ERROR_INVALID_INSTRUCTION	= 1,
};

/*
 * Fault code word: bit 0 tells whether bits 1-31 hold a device specific code
 * or an enum dxgk_general_error_code.
 */
struct dxgk_fault_error_code {
	__u32		value;
};

#define DXGK_FAULT_ERROR_CODE_IS_DEVICE_SPECIFIC	(1u << 0)
#define DXGK_FAULT_ERROR_CODE_SHIFT			1

enum d3dkmt_deviceexecution_state {
	D3DKMT_DEVICEEXECUTION_ACTIVE			= 1,
	D3DKMT_DEVICEEXECUTION_RESET			= 2,
	D3DKMT_DEVICEEXECUTION_HUNG			= 3,
	D3DKMT_DEVICEEXECUTION_STOPPED			= 4,
	D3DKMT_DEVICEEXECUTION_ERROR_OUTOFMEMORY	= 5,
	D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT		= 6,
	D3DKMT_DEVICEEXECUTION_ERROR_DMAPAGEFAULT	= 7,
};

struct d3dkmt_devicereset_state {
	__u32		value;
};

#define D3DKMT_DEVICERESET_STATE_DESKTOP_SWITCHED	(1u << 0)

struct d3dkmt_present_stats {
	__u32		present_count;
	__u32		present_refresh_count;
	__u32		sync_refresh_count;
	__u32		reserved;
	__u64		sync_qpc_time;
	__u64		sync_gpu_time;
};

struct d3dkmt_devicepresent_state {
	__u32		vidpn_source_id;
	__u32		reserved;
	struct d3dkmt_present_stats present_stats;
};

struct d3dkmt_present_stats_dwm {
	__u32		present_count;
	__u32		present_refresh_count;
	__u64		present_qpc_time;
	__u32		sync_refresh_count;
	__u32		reserved;
	__u64		sync_qpc_time;
	__u32		custom_present_duration;
	__u32		reserved1;
};

struct d3dkmt_devicepagefault_state {
	__u64		faulted_primitive_api_sequence_number;
	__u32		faulted_pipeline_stage;	/* enum dxgk_render_pipeline_stage */
	__u32		faulted_bind_table_entry;
	__u32		page_fault_flags;	/* enum dxgk_page_fault_flags bits */
	struct dxgk_fault_error_code fault_error_code;
	__u64		faulted_virtual_address;
};

struct d3dkmt_devicepresent_state_dwm {
	__u32		vidpn_source_id;
	__u32		reserved;
	struct d3dkmt_present_stats_dwm present_stats;
};

struct d3dkmt_devicepresent_queue_state {
	__u32		vidpn_source_id;
	__u8		queued_present_limit_reached;	/* boolean */
	__u8		reserved[3];
};

enum d3dkmt_devicestate_type {
	D3DKMT_DEVICESTATE_EXECUTION		= 1,
	D3DKMT_DEVICESTATE_PRESENT		= 2,
	D3DKMT_DEVICESTATE_RESET		= 3,
	D3DKMT_DEVICESTATE_PRESENT_DWM		= 4,
	D3DKMT_DEVICESTATE_PAGE_FAULT		= 5,
	D3DKMT_DEVICESTATE_PRESENT_QUEUE	= 6,
};

/* 0x0e */
struct d3dkmt_getdevicestate {
	d3dkmthandle	device;
	__u32		state_type;	/* enum d3dkmt_devicestate_type */
	union {
		__u32	execution_state; /* enum d3dkmt_deviceexecution_state */
		struct d3dkmt_devicepresent_state	present_state;
		struct d3dkmt_devicereset_state		reset_state;
		struct d3dkmt_devicepresent_state_dwm	present_state_dwm;
		struct d3dkmt_devicepagefault_state	page_fault_state;
		struct d3dkmt_devicepresent_queue_state	present_queue_state;
	};
};

/* 0x26 */
#define D3DKMT_DEVICE_ERROR_REASON_GENERIC		0x80000000u
#define D3DKMT_DEVICE_ERROR_REASON_DRIVER_ERROR		0x80000006u

struct d3dkmt_markdeviceaserror {
	d3dkmthandle	device;
	__u32		reason;		/* D3DKMT_DEVICE_ERROR_REASON_* */
};

/* ------------------------------------------------------------------------ */
/* GDI surface descriptions (standard allocation private data)               */
/* ------------------------------------------------------------------------ */

enum d3dkmdt_gdisurfacetype {
	D3DKMDT_GDISURFACE_INVALID				= 0,
	D3DKMDT_GDISURFACE_TEXTURE				= 1,
	D3DKMDT_GDISURFACE_STAGING_CPUVISIBLE			= 2,
	D3DKMDT_GDISURFACE_STAGING				= 3,
	D3DKMDT_GDISURFACE_LOOKUPTABLE				= 4,
	D3DKMDT_GDISURFACE_EXISTINGSYSMEM			= 5,
	D3DKMDT_GDISURFACE_TEXTURE_CPUVISIBLE			= 6,
	D3DKMDT_GDISURFACE_TEXTURE_CROSSADAPTER			= 7,
	D3DKMDT_GDISURFACE_TEXTURE_CPUVISIBLE_CROSSADAPTER	= 8,
};

struct d3dddi_rational {
	__u32		numerator;
	__u32		denominator;
};

enum d3dddiformat {
	D3DDDIFMT_UNKNOWN	= 0,
};

struct d3dkmdt_gdisurfacedata {
	__u32		width;
	__u32		height;
	__u32		format;		/* enum d3dddiformat */
	__u32		type;		/* enum d3dkmdt_gdisurfacetype */
	__u32		flags;
	__u32		pitch;
};

struct d3dkmdt_stagingsurfacedata {
	__u32		width;
	__u32		height;
	__u32		pitch;
};

struct d3dkmdt_sharedprimarysurfacedata {
	__u32		width;
	__u32		height;
	__u32		format;		/* enum d3dddiformat */
	struct d3dddi_rational refresh_rate;
	__u32		vidpn_source_id;
};

struct d3dkmdt_shadowsurfacedata {
	__u32		width;
	__u32		height;
	__u32		format;		/* enum d3dddiformat */
	__u32		pitch;
};

enum d3dkmdt_standardallocationtype {
	D3DKMDT_STANDARDALLOCATION_SHAREDPRIMARYSURFACE	= 1,
	D3DKMDT_STANDARDALLOCATION_SHADOWSURFACE	= 2,
	D3DKMDT_STANDARDALLOCATION_STAGINGSURFACE	= 3,
	D3DKMDT_STANDARDALLOCATION_GDISURFACE		= 4,
};

/* ------------------------------------------------------------------------ */
/* Synchronization objects                                                   */
/* ------------------------------------------------------------------------ */

struct d3dddi_synchronizationobject_flags {
	__u32		value;
};

#define D3DDDI_SYNCOBJ_FLAG_SHARED			(1u << 0)
#define D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING		(1u << 1)
#define D3DDDI_SYNCOBJ_FLAG_CROSS_ADAPTER		(1u << 2)
#define D3DDDI_SYNCOBJ_FLAG_TOP_OF_PIPELINE		(1u << 3)
#define D3DDDI_SYNCOBJ_FLAG_NO_SIGNAL			(1u << 4)
#define D3DDDI_SYNCOBJ_FLAG_NO_WAIT			(1u << 5)
#define D3DDDI_SYNCOBJ_FLAG_NO_SIGNAL_MAX_VALUE_ON_TDR	(1u << 6)
#define D3DDDI_SYNCOBJ_FLAG_NO_GPU_ACCESS		(1u << 7)

enum d3dddi_synchronizationobject_type {
	D3DDDI_SYNCHRONIZATION_MUTEX		= 1,
	D3DDDI_SEMAPHORE			= 2,
	D3DDDI_FENCE				= 3,
	D3DDDI_CPU_NOTIFICATION			= 4,
	D3DDDI_MONITORED_FENCE			= 5,
	D3DDDI_PERIODIC_MONITORED_FENCE		= 6,
	D3DDDI_SYNCHRONIZATION_TYPE_LIMIT
};

struct d3dddi_synchronizationobjectinfo2 {
	__u32		type;	/* enum d3dddi_synchronizationobject_type */
	struct d3dddi_synchronizationobject_flags flags;
	union {
		struct {
			__u32	initial_state;
		} synchronization_mutex;

		struct {
			__u32	max_count;
			__u32	initial_count;
		} semaphore;

		struct {
			__u64	fence_value;
		} fence;

		struct {
			__u64	event;		/* eventfd descriptor */
		} cpu_notification;

		struct {
			__u64	initial_fence_value;
			__u64	fence_cpu_virtual_address;	/* out */
			__u64	fence_gpu_virtual_address;	/* out */
			__u32	engine_affinity;
			__u32	reserved;
		} monitored_fence;

		struct {
			d3dkmthandle	adapter;
			__u32		vidpn_target_id;
			__u64		time;
			__u64		fence_cpu_virtual_address;	/* out */
			__u64		fence_gpu_virtual_address;	/* out */
			__u32		engine_affinity;
			__u32		reserved;
		} periodic_monitored_fence;

		struct {
			__u64	reserved[8];
		} reserved;
	};
	d3dkmthandle	shared_handle;
	__u32		reserved1;
};

/* 0x10 */
struct d3dkmt_createsynchronizationobject2 {
	d3dkmthandle	device;
	__u32		reserved;
	struct d3dddi_synchronizationobjectinfo2 info;
	d3dkmthandle	sync_object;		/* out */
	__u32		reserved1;
};

/* 0x12 */
struct d3dkmt_waitforsynchronizationobject2 {
	d3dkmthandle	context;
	__u32		object_count;
	d3dkmthandle	object_array[D3DDDI_MAX_OBJECT_WAITED_ON];
	union {
		struct {
			__u64	fence_value;
		} fence;
		__u64	reserved[8];
	};
};

struct d3dddicb_signalflags {
	__u32		value;
};

#define D3DDDICB_SIGNAL_FLAG_SIGNAL_AT_SUBMISSION	(1u << 0)
#define D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT		(1u << 1)
#define D3DDDICB_SIGNAL_FLAG_ALLOW_FENCE_REWIND		(1u << 2)
#define D3DDDICB_SIGNAL_FLAG_INTERNAL0			(1u << 31)

/* 0x11 */
struct d3dkmt_signalsynchronizationobject2 {
	d3dkmthandle	context;
	__u32		object_count;
	d3dkmthandle	object_array[D3DDDI_MAX_OBJECT_SIGNALED];
	struct d3dddicb_signalflags flags;
	__u32		context_count;
	d3dkmthandle	contexts[D3DDDI_MAX_BROADCAST_CONTEXT];
	union {
		struct {
			__u64	fence_value;
		} fence;
		__u64	cpu_event_handle;	/* eventfd descriptor */
		__u64	reserved[8];
	};
};

struct d3dddi_waitforsynchronizationobjectfromcpu_flags {
	__u32		value;
};

#define D3DDDI_WAITFROMCPU_FLAG_WAIT_ANY		(1u << 0)

/* 0x3a */
struct d3dkmt_waitforsynchronizationobjectfromcpu {
	d3dkmthandle	device;
	__u32		object_count;
	__u64		objects;		/* d3dkmthandle[] */
	__u64		fence_values;		/* __u64[] */
	__u64		async_event;		/* eventfd descriptor or 0 */
	struct d3dddi_waitforsynchronizationobjectfromcpu_flags flags;
	__u32		reserved;
};

/* 0x31 */
struct d3dkmt_signalsynchronizationobjectfromcpu {
	d3dkmthandle	device;
	__u32		object_count;
	__u64		objects;		/* d3dkmthandle[] */
	__u64		fence_values;		/* __u64[] */
	struct d3dddicb_signalflags flags;
	__u32		reserved;
};

/* 0x3b */
struct d3dkmt_waitforsynchronizationobjectfromgpu {
	d3dkmthandle	context;
	__u32		object_count;
	__u64		objects;		/* d3dkmthandle[] */
	union {
		__u64	monitored_fence_values;	/* __u64[] */
		__u64	fence_value;
		__u64	reserved[8];
	};
};

/* 0x32 */
struct d3dkmt_signalsynchronizationobjectfromgpu {
	d3dkmthandle	context;
	__u32		object_count;
	__u64		objects;		/* d3dkmthandle[] */
	union {
		__u64	monitored_fence_values;	/* __u64[] */
		__u64	reserved[8];
	};
};

/* 0x33 */
struct d3dkmt_signalsynchronizationobjectfromgpu2 {
	__u32		object_count;
	__u32		reserved1;
	__u64		objects;		/* d3dkmthandle[] */
	struct d3dddicb_signalflags flags;
	__u32		context_count;
	__u64		contexts;		/* d3dkmthandle[] */
	union {
		__u64	fence_value;
		__u64	cpu_event_handle;
		__u64	monitored_fence_values;	/* __u64[] */
		__u64	reserved[8];
	};
};

/* 0x1d */
struct d3dkmt_destroysynchronizationobject {
	d3dkmthandle	sync_object;
};

/* 0x29 (no handler in dxgkrnl) */
struct d3dkmt_opensynchronizationobject {
	d3dkmthandle	shared_handle;
	d3dkmthandle	sync_object;		/* out */
	__u64		reserved[8];
};

/* Not an ioctl argument; kept for completeness. */
struct d3dkmt_opensyncobjectfromnthandle {
	__u64		nt_handle;
	d3dkmthandle	sync_object;
	__u32		reserved;
};

/* 0x40 */
struct d3dkmt_opensyncobjectfromnthandle2 {
	__u64		nt_handle;		/* file descriptor */
	d3dkmthandle	device;
	struct d3dddi_synchronizationobject_flags flags;
	d3dkmthandle	sync_object;		/* out */
	__u32		reserved1;
	union {
		struct {
			__u64	fence_value_cpu_va;	/* out */
			__u64	fence_value_gpu_va;	/* out */
			__u32	engine_affinity;
			__u32	reserved;
		} monitored_fence;
		__u64	reserved[8];
	};
};

/* ------------------------------------------------------------------------ */
/* Command submission                                                        */
/* ------------------------------------------------------------------------ */

struct d3dkmt_submitcommandflags {
	__u32		value;
};

#define D3DKMT_SUBMITCOMMAND_FLAG_NULL_RENDERING	(1u << 0)
#define D3DKMT_SUBMITCOMMAND_FLAG_PRESENT_REDIRECTED	(1u << 1)

/* 0x0f */
struct d3dkmt_submitcommand {
	__u64		command_buffer;		/* GPU VA */
	__u32		command_length;
	struct d3dkmt_submitcommandflags flags;
	__u64		present_history_token;
	__u32		broadcast_context_count;
	d3dkmthandle	broadcast_context[D3DDDI_MAX_BROADCAST_CONTEXT];
	__u32		reserved;
	__u64		priv_drv_data;
	__u32		priv_drv_data_size;
	__u32		num_primaries;
	d3dkmthandle	written_primaries[D3DDDI_MAX_WRITTEN_PRIMARIES];
	__u32		num_history_buffers;
	__u32		reserved1;
	__u64		history_buffer_array;	/* d3dkmthandle[] */
};

/* 0x34 */
struct d3dkmt_submitcommandtohwqueue {
	d3dkmthandle	hwqueue;
	__u32		reserved;
	__u64		hwqueue_progress_fence_id;
	__u64		command_buffer;		/* GPU VA */
	__u32		command_length;
	__u32		priv_drv_data_size;
	__u64		priv_drv_data;
	__u32		num_primaries;
	__u32		reserved1;
	__u64		written_primaries;	/* d3dkmthandle[] */
};

/* 0x36 */
struct d3dkmt_submitwaitforsyncobjectstohwqueue {
	d3dkmthandle	hwqueue;
	__u32		object_count;
	__u64		objects;		/* d3dkmthandle[] */
	__u64		fence_values;		/* __u64[] */
};

/* 0x35 */
struct d3dkmt_submitsignalsyncobjectstohwqueue {
	struct d3dddicb_signalflags flags;
	__u32		hwqueue_count;
	__u64		hwqueues;		/* d3dkmthandle[] */
	__u32		object_count;
	__u32		reserved;
	__u64		objects;		/* d3dkmthandle[] */
	__u64		fence_values;		/* __u64[] */
};

/* ------------------------------------------------------------------------ */
/* Allocation priority, residency, lock                                      */
/* ------------------------------------------------------------------------ */

/* Allocation priorities (Windows D3DDDI_ALLOCATIONPRIORITY_*). */
#define D3DDDI_ALLOCATIONPRIORITY_MINIMUM	0x28000000u
#define D3DDDI_ALLOCATIONPRIORITY_LOW		0x50000000u
#define D3DDDI_ALLOCATIONPRIORITY_NORMAL	0x78000000u
#define D3DDDI_ALLOCATIONPRIORITY_HIGH		0xa0000000u
#define D3DDDI_ALLOCATIONPRIORITY_MAXIMUM	0xc8000000u

/* 0x2e */
struct d3dkmt_setallocationpriority {
	d3dkmthandle	device;
	d3dkmthandle	resource;
	__u64		allocation_list;	/* d3dkmthandle[] */
	__u32		allocation_count;
	__u32		reserved;
	__u64		priorities;		/* __u32[] */
};

/* 0x3c */
struct d3dkmt_getallocationpriority {
	d3dkmthandle	device;
	d3dkmthandle	resource;
	__u64		allocation_list;	/* d3dkmthandle[] */
	__u32		allocation_count;
	__u32		reserved;
	__u64		priorities;		/* out: __u32[] */
};

enum d3dkmt_allocationresidencystatus {
	D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINGPUMEMORY	= 1,
	D3DKMT_ALLOCATIONRESIDENCYSTATUS_RESIDENTINSHAREDMEMORY	= 2,
	D3DKMT_ALLOCATIONRESIDENCYSTATUS_NOTRESIDENT		= 3,
};

/* 0x2a */
struct d3dkmt_queryallocationresidency {
	d3dkmthandle	device;
	d3dkmthandle	resource;
	__u64		allocations;		/* d3dkmthandle[] */
	__u32		allocation_count;
	__u32		reserved;
	__u64		residency_status;	/* out: __u32[] of the enum above */
};

struct d3dddicb_lock2flags {
	__u32		value;			/* no bits defined */
};

/* 0x25 */
struct d3dkmt_lock2 {
	d3dkmthandle	device;
	d3dkmthandle	allocation;
	struct d3dddicb_lock2flags flags;
	__u32		reserved;
	__u64		data;			/* out: CPU VA */
};

/* 0x37 */
struct d3dkmt_unlock2 {
	d3dkmthandle	device;
	d3dkmthandle	allocation;
};

/* ------------------------------------------------------------------------ */
/* Allocation properties, offer / reclaim                                    */
/* ------------------------------------------------------------------------ */

struct d3dddi_updateallocproperty_flags {
	__u32		value;
};

#define D3DDDI_UPDATEALLOCPROPERTY_FLAG_ACCESSED_PHYSICALLY	(1u << 0)

/* Five (segment id : 5, direction : 1) pairs, lowest first. */
struct d3dddi_segmentpreference {
	__u32		value;
};

#define D3DDDI_SEGMENTPREFERENCE_BITS_PER_ENTRY		6
#define D3DDDI_SEGMENTPREFERENCE_SEGMENT_ID_MASK	0x1fu
#define D3DDDI_SEGMENTPREFERENCE_DIRECTION_BIT		(1u << 5)

#define D3DDDI_UPDATEALLOCPROPERTY_SET_ACCESSED_PHYSICALLY	(1u << 0)
#define D3DDDI_UPDATEALLOCPROPERTY_SET_SUPPORTED_SEGMENT_SET	(1u << 1)
#define D3DDDI_UPDATEALLOCPROPERTY_SET_PREFERRED_SEGMENT	(1u << 2)

/* 0x38 */
struct d3dddi_updateallocproperty {
	d3dkmthandle	paging_queue;
	d3dkmthandle	allocation;
	__u32		supported_segment_set;
	struct d3dddi_segmentpreference preferred_segment;
	struct d3dddi_updateallocproperty_flags flags;
	__u32		reserved;
	__u64		paging_fence_value;	/* out */
	__u32		property_mask_value;	/* D3DDDI_UPDATEALLOCPROPERTY_SET_* */
	__u32		reserved1;
};

enum d3dkmt_offer_priority {
	D3DKMT_OFFER_PRIORITY_LOW	= 1,
	D3DKMT_OFFER_PRIORITY_NORMAL	= 2,
	D3DKMT_OFFER_PRIORITY_HIGH	= 3,
	D3DKMT_OFFER_PRIORITY_AUTO	= 4,
};

struct d3dkmt_offer_flags {
	__u32		value;
};

#define D3DKMT_OFFER_FLAG_OFFER_IMMEDIATELY	(1u << 0)
#define D3DKMT_OFFER_FLAG_ALLOW_DECOMMIT	(1u << 1)

/* 0x27 */
struct d3dkmt_offerallocations {
	d3dkmthandle	device;
	__u32		reserved;
	__u64		resources;		/* d3dkmthandle[] */
	__u64		allocations;		/* d3dkmthandle[] */
	__u32		allocation_count;
	__u32		priority;		/* enum d3dkmt_offer_priority */
	struct d3dkmt_offer_flags flags;
	__u32		reserved1;
};

enum d3dddi_reclaim_result {
	D3DDDI_RECLAIM_RESULT_OK		= 0,
	D3DDDI_RECLAIM_RESULT_DISCARDED		= 1,
	D3DDDI_RECLAIM_RESULT_NOT_COMMITTED	= 2,
};

/* 0x2c */
struct d3dkmt_reclaimallocations2 {
	d3dkmthandle	paging_queue;
	__u32		allocation_count;
	__u64		resources;		/* d3dkmthandle[] */
	__u64		allocations;		/* d3dkmthandle[] */
	union {
		__u64	discarded;		/* out: __u32[] (booleans) */
		__u64	results;		/* out: __u32[] of the enum above */
	};
	__u64		paging_fence_value;	/* out */
};

/* ------------------------------------------------------------------------ */
/* Clock calibration, heaps, caches                                          */
/* ------------------------------------------------------------------------ */

#define DXGK_GPUCLOCKDATA_FLAG_CONTEXT_MANAGEMENT_PROCESSOR	(1u << 0)

/* Byte-packed: the 64-bit members are not naturally aligned. */
struct dxgk_gpuclockdata {
	__u64		gpu_frequency;
	__u64		gpu_clock_counter;
	__u64		cpu_clock_counter;
	__u32		flags;		/* DXGK_GPUCLOCKDATA_FLAG_* */
} __attribute__((packed));

/* 0x3d */
struct d3dkmt_queryclockcalibration {
	d3dkmthandle	adapter;
	__u32		node_ordinal;
	__u32		physical_adapter_index;
	struct dxgk_gpuclockdata clock_data;	/* out */
} __attribute__((packed));

/* 0x1f */
struct d3dkmt_flushheaptransitions {
	d3dkmthandle	adapter;
};

/* 0x23 (no handler in dxgkrnl) */
struct d3dkmt_getsharedresourceadapterluid {
	d3dkmthandle	global_share;
	__u32		reserved;
	__u64		handle;
	struct winluid	adapter_luid;		/* out */
};

/* 0x24 */
struct d3dkmt_invalidatecache {
	d3dkmthandle	device;
	d3dkmthandle	allocation;
	__u64		offset;
	__u64		length;
};

/* ------------------------------------------------------------------------ */
/* Shared resources                                                          */
/* ------------------------------------------------------------------------ */

/* Element of the open_alloc_info arrays below. */
struct d3dddi_openallocationinfo2 {
	d3dkmthandle	allocation;		/* out */
	__u32		reserved;
	__u64		priv_drv_data;
	__u32		priv_drv_data_size;
	__u32		reserved1;
	__u64		gpu_va;
	__u64		reserved2[6];
};

/* 0x28 (no handler in dxgkrnl) */
struct d3dkmt_openresource {
	d3dkmthandle	device;
	d3dkmthandle	global_share;
	__u32		allocation_count;
	__u32		reserved;
	__u64		open_alloc_info;	/* struct d3dddi_openallocationinfo2[] */
	__u64		private_runtime_data;
	__s32		private_runtime_data_size;
	__u32		reserved1;
	__u64		resource_priv_drv_data;
	__u32		resource_priv_drv_data_size;
	__u32		reserved2;
	__u64		total_priv_drv_data;
	__u32		total_priv_drv_data_size;
	d3dkmthandle	resource;		/* out */
};

/* 0x42 */
struct d3dkmt_openresourcefromnthandle {
	d3dkmthandle	device;
	__u32		reserved;
	__u64		nt_handle;		/* file descriptor */
	__u32		allocation_count;
	__u32		reserved1;
	__u64		open_alloc_info;	/* struct d3dddi_openallocationinfo2[] */
	__s32		private_runtime_data_size;
	__u32		reserved2;
	__u64		private_runtime_data;
	__u32		resource_priv_drv_data_size;
	__u32		reserved3;
	__u64		resource_priv_drv_data;
	__u32		total_priv_drv_data_size;
	__u32		reserved4;
	__u64		total_priv_drv_data;
	d3dkmthandle	resource;		/* out */
	d3dkmthandle	keyed_mutex;		/* out */
	__u64		keyed_mutex_private_data;
	__u32		keyed_mutex_private_data_size;
	d3dkmthandle	sync_object;		/* out */
};

/* 0x41 */
struct d3dkmt_queryresourceinfofromnthandle {
	d3dkmthandle	device;
	__u32		reserved;
	__u64		nt_handle;		/* file descriptor */
	__u64		private_runtime_data;
	__u32		private_runtime_data_size;	/* in/out */
	__u32		total_priv_drv_data_size;	/* out */
	__u32		resource_priv_drv_data_size;	/* out */
	__u32		allocation_count;		/* out */
};

/* 0x2b (no handler in dxgkrnl) */
struct d3dkmt_queryresourceinfo {
	d3dkmthandle	device;
	d3dkmthandle	global_share;
	__u64		private_runtime_data;
	__u32		private_runtime_data_size;
	__u32		total_priv_drv_data_size;
	__u32		resource_priv_drv_data_size;
	__u32		allocation_count;
};

/* 0x3f */
struct d3dkmt_shareobjects {
	__u32		object_count;		/* must be 1 */
	__u32		reserved;
	__u64		objects;		/* d3dkmthandle[] */
	__u64		object_attr;		/* ignored */
	__u32		desired_access;		/* ignored */
	__u32		reserved1;
	__u64		shared_handle;		/* in: user pointer to a __u64 that
						 * receives the new file descriptor */
};

/* 0x44 */
struct d3dkmt_shareobjectwithhost {
	d3dkmthandle	device_handle;
	d3dkmthandle	object_handle;
	__u64		reserved;
	__u64		object_vail_nt_handle;	/* out */
};

/* ------------------------------------------------------------------------ */
/* Statistics                                                                */
/* ------------------------------------------------------------------------ */

enum d3dkmt_querystatistics_type {
	D3DKMT_QUERYSTATISTICS_ADAPTER			= 0,
	D3DKMT_QUERYSTATISTICS_PROCESS			= 1,
	D3DKMT_QUERYSTATISTICS_PROCESS_ADAPTER		= 2,
	D3DKMT_QUERYSTATISTICS_SEGMENT			= 3,
	D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT		= 4,
	D3DKMT_QUERYSTATISTICS_NODE			= 5,
	D3DKMT_QUERYSTATISTICS_PROCESS_NODE		= 6,
	D3DKMT_QUERYSTATISTICS_VIDPNSOURCE		= 7,
	D3DKMT_QUERYSTATISTICS_PROCESS_VIDPNSOURCE	= 8,
	D3DKMT_QUERYSTATISTICS_PROCESS_SEGMENT_GROUP	= 9,
	D3DKMT_QUERYSTATISTICS_PHYSICAL_ADAPTER		= 10,
};

enum d3dkmt_queryresult_preemption_attempt_result {
	D3DKMT_PREEMPTIONATTEMPT				= 0,
	D3DKMT_PREEMPTIONATTEMPTSUCCESS				= 1,
	D3DKMT_PREEMPTIONATTEMPTMISSNOCOMMAND			= 2,
	D3DKMT_PREEMPTIONATTEMPTMISSNOTENABLED			= 3,
	D3DKMT_PREEMPTIONATTEMPTMISSNEXTFENCE			= 4,
	D3DKMT_PREEMPTIONATTEMPTMISSPAGINGCOMMAND		= 5,
	D3DKMT_PREEMPTIONATTEMPTMISSSPLITTEDCOMMAND		= 6,
	D3DKMT_PREEMPTIONATTEMPTMISSFENCECOMMAND		= 7,
	D3DKMT_PREEMPTIONATTEMPTMISSRENDERPENDINGFLIP		= 8,
	D3DKMT_PREEMPTIONATTEMPTMISSNOTMAKINGPROGRESS		= 9,
	D3DKMT_PREEMPTIONATTEMPTMISSLESSPRIORITY		= 10,
	D3DKMT_PREEMPTIONATTEMPTMISSREMAININGQUANTUM		= 11,
	D3DKMT_PREEMPTIONATTEMPTMISSREMAININGPREEMPTIONQUANTUM	= 12,
	D3DKMT_PREEMPTIONATTEMPTMISSALREADYPREEMPTING		= 13,
	D3DKMT_PREEMPTIONATTEMPTMISSGLOBALBLOCK			= 14,
	D3DKMT_PREEMPTIONATTEMPTMISSALREADYRUNNING		= 15,
	D3DKMT_PREEMPTIONATTEMPTSTATISTICSMAX			= 16,
};

/*
 * The statistics result is a union of many host-defined layouts; the driver
 * only moves it between user space and the host, so it is kept opaque here.
 */
#define D3DKMT_QUERYSTATISTICS_RESULT_SIZE	0x308

struct d3dkmt_querystatistics_result {
	__u8		data[D3DKMT_QUERYSTATISTICS_RESULT_SIZE];
};

/*
 * The leading members of Windows' result layouts that opendxg fills, at
 * Windows' offsets (everything after them in the result is zero); the
 * figures are the host's (docs/ioctls.md, QueryStatistics).
 */
struct d3dkmt_querystatistics_adapter_information {	/* _ADAPTER */
	__u32		nb_segments;
	__u32		node_count;
	__u32		vidpn_source_count;
	__u32		vsync_enabled;
	__u32		tdr_detected_count;
	__u32		reserved;
	__s64		zero_length_dma_buffers;
	__u64		restarted_period;
};

struct d3dkmt_querystatistics_memory {
	__u64		total_bytes_evicted;
	__u32		allocs_committed;
	__u32		allocs_resident;
};

#define D3DKMT_QUERYSTATISTICS_SEGMENT_SYSTEM_MEMORY	(1ull << 0)

struct d3dkmt_querystatistics_segment_information {	/* _SEGMENT */
	__u64		commit_limit;
	__u64		bytes_committed;
	__u64		bytes_resident;
	struct d3dkmt_querystatistics_memory memory;
	__u32		aperture;		/* boolean */
	__u32		reserved;
	__u64		total_bytes_evicted_by_priority[5];
	__u64		system_memory_end_address;
	__u64		power_flags;
	__u64		segment_properties;	/* _SEGMENT_SYSTEM_MEMORY ... */
};

struct d3dkmt_querystatistics_system_memory {
	__u64		bytes_allocated;
	__u64		bytes_reserved;
	__u32		small_allocation_blocks;
	__u32		large_allocation_blocks;
	__u64		write_combined_bytes_allocated;
	__u64		write_combined_bytes_reserved;
	__u64		cached_bytes_allocated;
	__u64		cached_bytes_reserved;
	__u64		section_bytes_allocated;
	__u64		section_bytes_reserved;
};

struct d3dkmt_querystatistics_process_information {	/* _PROCESS */
	__u32		node_count;
	__u32		vidpn_source_count;
	struct d3dkmt_querystatistics_system_memory system_memory;
};

struct d3dkmt_querystatistics_process_adapter_information { /* _PROCESS_ADAPTER */
	__u32		nb_segments;
	__u32		node_count;
	__u32		vidpn_source_count;
	__u32		virtual_memory_usage;
};

struct d3dkmt_querystatistics_process_segment_information { /* _PROCESS_SEGMENT */
	__u64		bytes_committed;
	__u64		maximum_working_set;
	__u64		minimum_working_set;
	__u32		nb_referenced_allocation_evicted_in_period;
	__u32		padding;
	__u32		allocs_committed;	/* VideoMemory.AllocsCommitted */
	__u32		reserved;
};

/*
 * _NODE: Windows' D3DKMT_QUERYSTATISTICS_NODE_INFORMATION starts with its
 * GlobalInformation, a _PROCESS_NODE_INFORMATION, whose leading members
 * are these: the node's running time in 100 ns units (what busy % tools
 * sample twice) and its context switches (opendxg: jobs started).
 */
struct d3dkmt_querystatistics_process_node_information {
	__s64		running_time;		/* 100 ns units */
	__u32		context_switch;
	__u32		reserved;
};

struct d3dkmt_querystatistics_node_information {	/* _NODE */
	struct d3dkmt_querystatistics_process_node_information global_information;
};

/* 0x43 */
struct d3dkmt_querystatistics {
	__u32		type;		/* enum d3dkmt_querystatistics_type */
	struct winluid	adapter_luid;
	__u32		reserved;
	__u64		process;	/* pid in the caller's namespace, or 0 */
	struct d3dkmt_querystatistics_result result;	/* out */
	union {				/* in: selector for per-item queries */
		__u32	segment_id;
		__u32	node_id;
		__u32	vidpn_source_id;
		__u32	segment_group;	/* enum d3dkmt_memory_segment_group */
		__u32	physical_adapter_index;
	} query;
	__u32		reserved1;
};

/* ------------------------------------------------------------------------ */
/* Sync files, process enumeration, feature queries                          */
/* ------------------------------------------------------------------------ */

/* 0x45 */
struct d3dkmt_createsyncfile {
	d3dkmthandle	device;
	d3dkmthandle	monitored_fence;
	__u64		fence_value;
	__u64		sync_file_handle;	/* out: file descriptor */
};

/* 0x46 */
struct d3dkmt_waitsyncfile {
	__u64		sync_file_handle;	/* file descriptor */
	d3dkmthandle	context;
	__u32		reserved;
};

/* 0x47 */
struct d3dkmt_opensyncobjectfromsyncfile {
	__u64		sync_file_handle;	/* file descriptor */
	d3dkmthandle	device;
	d3dkmthandle	syncobj;		/* out */
	__u64		fence_value;		/* out */
	__u64		fence_value_cpu_va;	/* out */
	__u64		fence_value_gpu_va;	/* out */
};

/* 0x48 */
struct d3dkmt_enumprocesses {
	struct winluid	adapter_luid;
	__u64		buffer;			/* out: __u32[] of pids */
	__u64		buffer_count;		/* in/out; low 32 bits written */
};

enum dxgk_feature_id {
	DXGK_FEATURE_HWSCH			= 0,
	DXGK_FEATURE_PAGE_BASED_MEMORY_MANAGER	= 32,
	DXGK_FEATURE_KERNEL_MODE_TESTING	= 33,
	DXGK_FEATURE_MAX
};

struct dxgk_isfeatureenabled_result {
	__u16		version;
	__u16		value;		/* DXGK_ISFEATUREENABLED_* */
};

#define DXGK_ISFEATUREENABLED_ENABLED			(1u << 0)
#define DXGK_ISFEATUREENABLED_KNOWN_FEATURE		(1u << 1)
#define DXGK_ISFEATUREENABLED_SUPPORTED_BY_DRIVER	(1u << 2)
#define DXGK_ISFEATUREENABLED_SUPPORTED_ON_CONFIG	(1u << 3)

/* 0x49 */
struct d3dkmt_isfeatureenabled {
	d3dkmthandle	adapter;
	__u32		feature_id;	/* enum dxgk_feature_id */
	struct dxgk_isfeatureenabled_result result;	/* out */
};

/* ------------------------------------------------------------------------ */
/* Request words                                                             */
/* ------------------------------------------------------------------------ */

#define DXG_IOCTL_MAGIC		0x47	/* 'G' */

#define LX_DXOPENADAPTERFROMLUID \
	_IOWR(DXG_IOCTL_MAGIC, 0x01, struct d3dkmt_openadapterfromluid)
#define LX_DXCREATEDEVICE \
	_IOWR(DXG_IOCTL_MAGIC, 0x02, struct d3dkmt_createdevice)
#define LX_DXCREATECONTEXT \
	_IOWR(DXG_IOCTL_MAGIC, 0x03, struct d3dkmt_createcontext)
#define LX_DXCREATECONTEXTVIRTUAL \
	_IOWR(DXG_IOCTL_MAGIC, 0x04, struct d3dkmt_createcontextvirtual)
#define LX_DXDESTROYCONTEXT \
	_IOWR(DXG_IOCTL_MAGIC, 0x05, struct d3dkmt_destroycontext)
#define LX_DXCREATEALLOCATION \
	_IOWR(DXG_IOCTL_MAGIC, 0x06, struct d3dkmt_createallocation)
#define LX_DXCREATEPAGINGQUEUE \
	_IOWR(DXG_IOCTL_MAGIC, 0x07, struct d3dkmt_createpagingqueue)
#define LX_DXRESERVEGPUVIRTUALADDRESS \
	_IOWR(DXG_IOCTL_MAGIC, 0x08, struct d3dddi_reservegpuvirtualaddress)
#define LX_DXQUERYADAPTERINFO \
	_IOWR(DXG_IOCTL_MAGIC, 0x09, struct d3dkmt_queryadapterinfo)
#define LX_DXQUERYVIDEOMEMORYINFO \
	_IOWR(DXG_IOCTL_MAGIC, 0x0a, struct d3dkmt_queryvideomemoryinfo)
#define LX_DXMAKERESIDENT \
	_IOWR(DXG_IOCTL_MAGIC, 0x0b, struct d3dddi_makeresident)
#define LX_DXMAPGPUVIRTUALADDRESS \
	_IOWR(DXG_IOCTL_MAGIC, 0x0c, struct d3dddi_mapgpuvirtualaddress)
#define LX_DXESCAPE \
	_IOWR(DXG_IOCTL_MAGIC, 0x0d, struct d3dkmt_escape)
#define LX_DXGETDEVICESTATE \
	_IOWR(DXG_IOCTL_MAGIC, 0x0e, struct d3dkmt_getdevicestate)
#define LX_DXSUBMITCOMMAND \
	_IOWR(DXG_IOCTL_MAGIC, 0x0f, struct d3dkmt_submitcommand)
#define LX_DXCREATESYNCHRONIZATIONOBJECT \
	_IOWR(DXG_IOCTL_MAGIC, 0x10, struct d3dkmt_createsynchronizationobject2)
#define LX_DXSIGNALSYNCHRONIZATIONOBJECT \
	_IOWR(DXG_IOCTL_MAGIC, 0x11, struct d3dkmt_signalsynchronizationobject2)
#define LX_DXWAITFORSYNCHRONIZATIONOBJECT \
	_IOWR(DXG_IOCTL_MAGIC, 0x12, struct d3dkmt_waitforsynchronizationobject2)
#define LX_DXDESTROYALLOCATION2 \
	_IOWR(DXG_IOCTL_MAGIC, 0x13, struct d3dkmt_destroyallocation2)
#define LX_DXENUMADAPTERS2 \
	_IOWR(DXG_IOCTL_MAGIC, 0x14, struct d3dkmt_enumadapters2)
#define LX_DXCLOSEADAPTER \
	_IOWR(DXG_IOCTL_MAGIC, 0x15, struct d3dkmt_closeadapter)
#define LX_DXCHANGEVIDEOMEMORYRESERVATION \
	_IOWR(DXG_IOCTL_MAGIC, 0x16, struct d3dkmt_changevideomemoryreservation)
#define LX_DXCREATEHWCONTEXT \
	_IOWR(DXG_IOCTL_MAGIC, 0x17, struct d3dkmt_createhwcontext)
#define LX_DXCREATEHWQUEUE \
	_IOWR(DXG_IOCTL_MAGIC, 0x18, struct d3dkmt_createhwqueue)
#define LX_DXDESTROYDEVICE \
	_IOWR(DXG_IOCTL_MAGIC, 0x19, struct d3dkmt_destroydevice)
#define LX_DXDESTROYHWCONTEXT \
	_IOWR(DXG_IOCTL_MAGIC, 0x1a, struct d3dkmt_destroyhwcontext)
#define LX_DXDESTROYHWQUEUE \
	_IOWR(DXG_IOCTL_MAGIC, 0x1b, struct d3dkmt_destroyhwqueue)
#define LX_DXDESTROYPAGINGQUEUE \
	_IOWR(DXG_IOCTL_MAGIC, 0x1c, struct d3dddi_destroypagingqueue)
#define LX_DXDESTROYSYNCHRONIZATIONOBJECT \
	_IOWR(DXG_IOCTL_MAGIC, 0x1d, struct d3dkmt_destroysynchronizationobject)
#define LX_DXEVICT \
	_IOWR(DXG_IOCTL_MAGIC, 0x1e, struct d3dkmt_evict)
#define LX_DXFLUSHHEAPTRANSITIONS \
	_IOWR(DXG_IOCTL_MAGIC, 0x1f, struct d3dkmt_flushheaptransitions)
#define LX_DXFREEGPUVIRTUALADDRESS \
	_IOWR(DXG_IOCTL_MAGIC, 0x20, struct d3dkmt_freegpuvirtualaddress)
#define LX_DXGETCONTEXTINPROCESSSCHEDULINGPRIORITY \
	_IOWR(DXG_IOCTL_MAGIC, 0x21, \
	      struct d3dkmt_getcontextinprocessschedulingpriority)
#define LX_DXGETCONTEXTSCHEDULINGPRIORITY \
	_IOWR(DXG_IOCTL_MAGIC, 0x22, struct d3dkmt_getcontextschedulingpriority)
#define LX_DXGETSHAREDRESOURCEADAPTERLUID \
	_IOWR(DXG_IOCTL_MAGIC, 0x23, struct d3dkmt_getsharedresourceadapterluid)
#define LX_DXINVALIDATECACHE \
	_IOWR(DXG_IOCTL_MAGIC, 0x24, struct d3dkmt_invalidatecache)
#define LX_DXLOCK2 \
	_IOWR(DXG_IOCTL_MAGIC, 0x25, struct d3dkmt_lock2)
#define LX_DXMARKDEVICEASERROR \
	_IOWR(DXG_IOCTL_MAGIC, 0x26, struct d3dkmt_markdeviceaserror)
#define LX_DXOFFERALLOCATIONS \
	_IOWR(DXG_IOCTL_MAGIC, 0x27, struct d3dkmt_offerallocations)
#define LX_DXOPENRESOURCE \
	_IOWR(DXG_IOCTL_MAGIC, 0x28, struct d3dkmt_openresource)
#define LX_DXOPENSYNCHRONIZATIONOBJECT \
	_IOWR(DXG_IOCTL_MAGIC, 0x29, struct d3dkmt_opensynchronizationobject)
#define LX_DXQUERYALLOCATIONRESIDENCY \
	_IOWR(DXG_IOCTL_MAGIC, 0x2a, struct d3dkmt_queryallocationresidency)
#define LX_DXQUERYRESOURCEINFO \
	_IOWR(DXG_IOCTL_MAGIC, 0x2b, struct d3dkmt_queryresourceinfo)
#define LX_DXRECLAIMALLOCATIONS2 \
	_IOWR(DXG_IOCTL_MAGIC, 0x2c, struct d3dkmt_reclaimallocations2)
#define LX_DXRENDER \
	_IOWR(DXG_IOCTL_MAGIC, 0x2d, struct d3dkmt_render)
#define LX_DXSETALLOCATIONPRIORITY \
	_IOWR(DXG_IOCTL_MAGIC, 0x2e, struct d3dkmt_setallocationpriority)
#define LX_DXSETCONTEXTINPROCESSSCHEDULINGPRIORITY \
	_IOWR(DXG_IOCTL_MAGIC, 0x2f, \
	      struct d3dkmt_setcontextinprocessschedulingpriority)
#define LX_DXSETCONTEXTSCHEDULINGPRIORITY \
	_IOWR(DXG_IOCTL_MAGIC, 0x30, struct d3dkmt_setcontextschedulingpriority)
#define LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU \
	_IOWR(DXG_IOCTL_MAGIC, 0x31, \
	      struct d3dkmt_signalsynchronizationobjectfromcpu)
#define LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU \
	_IOWR(DXG_IOCTL_MAGIC, 0x32, \
	      struct d3dkmt_signalsynchronizationobjectfromgpu)
#define LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU2 \
	_IOWR(DXG_IOCTL_MAGIC, 0x33, \
	      struct d3dkmt_signalsynchronizationobjectfromgpu2)
#define LX_DXSUBMITCOMMANDTOHWQUEUE \
	_IOWR(DXG_IOCTL_MAGIC, 0x34, struct d3dkmt_submitcommandtohwqueue)
#define LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE \
	_IOWR(DXG_IOCTL_MAGIC, 0x35, \
	      struct d3dkmt_submitsignalsyncobjectstohwqueue)
#define LX_DXSUBMITWAITFORSYNCOBJECTSTOHWQUEUE \
	_IOWR(DXG_IOCTL_MAGIC, 0x36, \
	      struct d3dkmt_submitwaitforsyncobjectstohwqueue)
#define LX_DXUNLOCK2 \
	_IOWR(DXG_IOCTL_MAGIC, 0x37, struct d3dkmt_unlock2)
#define LX_DXUPDATEALLOCPROPERTY \
	_IOWR(DXG_IOCTL_MAGIC, 0x38, struct d3dddi_updateallocproperty)
#define LX_DXUPDATEGPUVIRTUALADDRESS \
	_IOWR(DXG_IOCTL_MAGIC, 0x39, struct d3dkmt_updategpuvirtualaddress)
#define LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMCPU \
	_IOWR(DXG_IOCTL_MAGIC, 0x3a, \
	      struct d3dkmt_waitforsynchronizationobjectfromcpu)
#define LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMGPU \
	_IOWR(DXG_IOCTL_MAGIC, 0x3b, \
	      struct d3dkmt_waitforsynchronizationobjectfromgpu)
#define LX_DXGETALLOCATIONPRIORITY \
	_IOWR(DXG_IOCTL_MAGIC, 0x3c, struct d3dkmt_getallocationpriority)
#define LX_DXQUERYCLOCKCALIBRATION \
	_IOWR(DXG_IOCTL_MAGIC, 0x3d, struct d3dkmt_queryclockcalibration)
#define LX_DXENUMADAPTERS3 \
	_IOWR(DXG_IOCTL_MAGIC, 0x3e, struct d3dkmt_enumadapters3)
#define LX_DXSHAREOBJECTS \
	_IOWR(DXG_IOCTL_MAGIC, 0x3f, struct d3dkmt_shareobjects)
#define LX_DXOPENSYNCOBJECTFROMNTHANDLE2 \
	_IOWR(DXG_IOCTL_MAGIC, 0x40, struct d3dkmt_opensyncobjectfromnthandle2)
#define LX_DXQUERYRESOURCEINFOFROMNTHANDLE \
	_IOWR(DXG_IOCTL_MAGIC, 0x41, struct d3dkmt_queryresourceinfofromnthandle)
#define LX_DXOPENRESOURCEFROMNTHANDLE \
	_IOWR(DXG_IOCTL_MAGIC, 0x42, struct d3dkmt_openresourcefromnthandle)
#define LX_DXQUERYSTATISTICS \
	_IOWR(DXG_IOCTL_MAGIC, 0x43, struct d3dkmt_querystatistics)
#define LX_DXSHAREOBJECTWITHHOST \
	_IOWR(DXG_IOCTL_MAGIC, 0x44, struct d3dkmt_shareobjectwithhost)
#define LX_DXCREATESYNCFILE \
	_IOWR(DXG_IOCTL_MAGIC, 0x45, struct d3dkmt_createsyncfile)
#define LX_DXWAITSYNCFILE \
	_IOWR(DXG_IOCTL_MAGIC, 0x46, struct d3dkmt_waitsyncfile)
#define LX_DXOPENSYNCOBJECTFROMSYNCFILE \
	_IOWR(DXG_IOCTL_MAGIC, 0x47, struct d3dkmt_opensyncobjectfromsyncfile)
#define LX_DXENUMPROCESSES \
	_IOWR(DXG_IOCTL_MAGIC, 0x48, struct d3dkmt_enumprocesses)
#define LX_ISFEATUREENABLED \
	_IOWR(DXG_IOCTL_MAGIC, 0x49, struct d3dkmt_isfeatureenabled)

#define LX_IO_MAX		0x49

#endif /* _UAPI_MISC_D3DKMTHK_H */
