/* SPDX-License-Identifier: MIT */
/*
 * The dxgkrnl VM-bus protocol (interface version 40): command ids, message
 * headers and the payloads opendxg uses.  The same bytes travel over the
 * ivshmem transport and over Hyper-V VMBus, to dxghost or to a Windows
 * host.  Layouts are x86_64 and fixed; every one is size-checked below.
 *
 * A guest->host message is: extended header (16 bytes, version >= 40),
 * command header (24 bytes), payload.  Replies carry no header: their
 * layout is implied by the command (see each *_ret struct).
 */
#ifndef DXG_PROTOCOL_H
#define DXG_PROTOCOL_H

#include "compat.h"
#include "../uapi/misc/d3dkmthk.h"

#define DXGK_VMBUS_INTERFACE_VERSION_OLD		27
#define DXGK_VMBUS_INTERFACE_VERSION			40
#define DXGK_VMBUS_LAST_COMPATIBLE_INTERFACE_VERSION	16

/* The per-message limit (also the largest reply a sender may expect). */
#define DXG_MAX_VM_BUS_PACKET_SIZE	(128u * 1024)

/* Global (VM-wide) commands, VM -> host. */
enum dxgkvmb_commandtype_global {
	DXGK_VMBCOMMAND_VM_TO_HOST_FIRST	= 1000,
	DXGK_VMBCOMMAND_CREATEPROCESS		= 1000,
	DXGK_VMBCOMMAND_DESTROYPROCESS		= 1001,
	DXGK_VMBCOMMAND_OPENSYNCOBJECT		= 1002,
	DXGK_VMBCOMMAND_DESTROYSYNCOBJECT	= 1003,
	DXGK_VMBCOMMAND_CREATENTSHAREDOBJECT	= 1004,
	DXGK_VMBCOMMAND_DESTROYNTSHAREDOBJECT	= 1005,
	DXGK_VMBCOMMAND_SIGNALFENCE		= 1006,
	DXGK_VMBCOMMAND_NOTIFYPROCESSFREEZE	= 1007,
	DXGK_VMBCOMMAND_NOTIFYPROCESSTHAW	= 1008,
	DXGK_VMBCOMMAND_QUERYETWSESSION		= 1009,
	DXGK_VMBCOMMAND_SETIOSPACEREGION	= 1010,
	DXGK_VMBCOMMAND_COMPLETETRANSACTION	= 1011,
	/*
	 * opendxg only, sent only to a host that set DXG_HOST_CAP_GUEST_RAM
	 * (include/dxg/ivshmem.h): the guest-RAM handshake (docs/memory.md §11).
	 */
	/*
	 * opendxg only, ivshmem only, sent only to a host that set
	 * DXG_HOST_CAP_GPADL: the stand-in for VMBus's GPADL channel
	 * messages (a guest-chosen handle naming guest pages), which
	 * SETEXISTINGSYSMEMSTORE refers to (docs/memory.md §11).
	 */
	DXGK_VMBCOMMAND_ESTABLISHGPADL		= 1018,
	DXGK_VMBCOMMAND_TEARDOWNGPADL		= 1019,
	DXGK_VMBCOMMAND_VERIFYGUESTRAM		= 1020,
	DXGK_VMBCOMMAND_SHAREOBJECTWITHHOST	= 1021,
	DXGK_VMBCOMMAND_ISFEATUREENABLED_GLOBAL	= 1022,
	DXGK_VMBCOMMAND_INVALID_VM_TO_HOST	= 1023,
};

/* Adapter commands, vGPU -> host. */
enum dxgkvmb_commandtype {
	DXGK_VMBCOMMAND_CREATEDEVICE			= 0,
	DXGK_VMBCOMMAND_DESTROYDEVICE			= 1,
	DXGK_VMBCOMMAND_QUERYADAPTERINFO		= 2,
	DXGK_VMBCOMMAND_DDIQUERYADAPTERINFO		= 3,
	DXGK_VMBCOMMAND_CREATEALLOCATION		= 4,
	DXGK_VMBCOMMAND_DESTROYALLOCATION		= 5,
	DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL		= 6,
	DXGK_VMBCOMMAND_DESTROYCONTEXT			= 7,
	DXGK_VMBCOMMAND_CREATESYNCOBJECT		= 8,
	DXGK_VMBCOMMAND_CREATEPAGINGQUEUE		= 9,
	DXGK_VMBCOMMAND_DESTROYPAGINGQUEUE		= 10,
	DXGK_VMBCOMMAND_MAKERESIDENT			= 11,
	DXGK_VMBCOMMAND_EVICT				= 12,
	DXGK_VMBCOMMAND_ESCAPE				= 13,
	DXGK_VMBCOMMAND_OPENADAPTER			= 14,
	DXGK_VMBCOMMAND_CLOSEADAPTER			= 15,
	DXGK_VMBCOMMAND_FREEGPUVIRTUALADDRESS		= 16,
	DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS		= 17,
	DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS	= 18,
	DXGK_VMBCOMMAND_UPDATEGPUVIRTUALADDRESS		= 19,
	DXGK_VMBCOMMAND_SUBMITCOMMAND			= 20,
	DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO		= 21,
	DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMCPU	= 22,
	DXGK_VMBCOMMAND_LOCK2				= 23,
	DXGK_VMBCOMMAND_UNLOCK2				= 24,
	DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMGPU	= 25,
	DXGK_VMBCOMMAND_SIGNALSYNCOBJECT		= 26,
	DXGK_VMBCOMMAND_SIGNALFENCENTSHAREDBYREF	= 27,
	DXGK_VMBCOMMAND_GETDEVICESTATE			= 28,
	DXGK_VMBCOMMAND_MARKDEVICEASERROR		= 29,
	DXGK_VMBCOMMAND_ADAPTERSTOP			= 30,
	DXGK_VMBCOMMAND_SETQUEUEDLIMIT			= 31,
	DXGK_VMBCOMMAND_OPENRESOURCE			= 32,
	DXGK_VMBCOMMAND_SETCONTEXTSCHEDULINGPRIORITY	= 33,
	DXGK_VMBCOMMAND_PRESENTHISTORYTOKEN		= 34,
	DXGK_VMBCOMMAND_SETREDIRECTEDFLIPFENCEVALUE	= 35,
	DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO		= 36,
	DXGK_VMBCOMMAND_FLUSHHEAPTRANSITIONS		= 37,
	DXGK_VMBCOMMAND_BLT				= 38,
	DXGK_VMBCOMMAND_DDIGETSTANDARDALLOCATIONDRIVERDATA = 39,
	DXGK_VMBCOMMAND_CDDGDICOMMAND			= 40,
	DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY	= 41,
	DXGK_VMBCOMMAND_FLUSHDEVICE			= 42,
	DXGK_VMBCOMMAND_FLUSHADAPTER			= 43,
	DXGK_VMBCOMMAND_DDIGETNODEMETADATA		= 44,
	DXGK_VMBCOMMAND_SETEXISTINGSYSMEMSTORE		= 45,
	DXGK_VMBCOMMAND_ISSYNCOBJECTSIGNALED		= 46,
	DXGK_VMBCOMMAND_CDDSYNCGPUACCESS		= 47,
	DXGK_VMBCOMMAND_QUERYSTATISTICS			= 48,
	DXGK_VMBCOMMAND_CHANGEVIDEOMEMORYRESERVATION	= 49,
	DXGK_VMBCOMMAND_CREATEHWQUEUE			= 50,
	DXGK_VMBCOMMAND_DESTROYHWQUEUE			= 51,
	DXGK_VMBCOMMAND_SUBMITCOMMANDTOHWQUEUE		= 52,
	DXGK_VMBCOMMAND_GETDRIVERSTOREFILE		= 53,
	DXGK_VMBCOMMAND_READDRIVERSTOREFILE		= 54,
	DXGK_VMBCOMMAND_GETNEXTHARDLINK			= 55,
	DXGK_VMBCOMMAND_UPDATEALLOCATIONPROPERTY	= 56,
	DXGK_VMBCOMMAND_OFFERALLOCATIONS		= 57,
	DXGK_VMBCOMMAND_RECLAIMALLOCATIONS		= 58,
	DXGK_VMBCOMMAND_SETALLOCATIONPRIORITY		= 59,
	DXGK_VMBCOMMAND_GETALLOCATIONPRIORITY		= 60,
	DXGK_VMBCOMMAND_GETCONTEXTSCHEDULINGPRIORITY	= 61,
	DXGK_VMBCOMMAND_QUERYCLOCKCALIBRATION		= 62,
	DXGK_VMBCOMMAND_QUERYRESOURCEINFO		= 64,
	DXGK_VMBCOMMAND_LOGEVENT			= 65,
	DXGK_VMBCOMMAND_SETEXISTINGSYSMEMPAGES		= 66,
	DXGK_VMBCOMMAND_INVALIDATECACHE			= 67,
	DXGK_VMBCOMMAND_ISFEATUREENABLED		= 68,
	DXGK_VMBCOMMAND_INVALID				= 69,
};

/* Host -> VM messages (unsolicited, on the global channel). */
enum dxgkvmb_commandtype_host_to_vm {
	DXGK_VMBCOMMAND_SIGNALGUESTEVENT		= 0,
	DXGK_VMBCOMMAND_PROPAGATEPRESENTHISTORYTOKEN	= 1,
	DXGK_VMBCOMMAND_SETGUESTDATA			= 2,
	DXGK_VMBCOMMAND_SIGNALGUESTEVENTPASSIVE		= 3,
	DXGK_VMBCOMMAND_SENDWNFNOTIFICATION		= 4,
	DXGK_VMBCOMMAND_INVALID_HOST_TO_VM		= 5,
};

/* Values of the channel_type byte. */
#define DXGKVMB_VGPU_TO_HOST	0u
#define DXGKVMB_VM_TO_HOST	1u
#define DXGKVMB_HOST_TO_VM	2u
/* Bit 8 of the channel word: fire-and-forget (no completion). */
#define DXGKVMB_ASYNC_MSG	(1u << 8)
#define DXGKVMB_CHANNEL_TYPE(w)	((w) & 0xffu)

/* Precedes the command header when the interface version is >= 40. */
struct dxgkvmb_command_ext_header {
	__u32 command_offset;	/* always sizeof(this) */
	__u32 reserved;
	struct winluid vgpu_luid;	/* zero for VM-wide commands */
};

/* Common command header (both the VM-to-host and the vGPU-to-host shape). */
struct dxgkvmb_command_hdr {
	__u64 command_id;	/* always 0 */
	__u32 process;		/* host process handle, or 0 */
	__u32 channel;		/* channel_type | DXGKVMB_ASYNC_MSG */
	__u32 command_type;
	__u32 reserved;
};

/* The header of every guest->host message as it travels at version 40. */
struct dxgkvmb_msg_hdr {
	struct dxgkvmb_command_ext_header ext;
	struct dxgkvmb_command_hdr hdr;
};

/* ---- VM-wide commands ---- */

#define DXG_PROCESS_NAME_LEN	261
#define DXG_CREATEPROCESS_LINUX	(1u << 3)

struct dxgkvmb_command_createprocess {
	struct dxgkvmb_command_hdr hdr;
	__u64 process;		/* guest cookie (an id, never a kernel pointer) */
	__u32 process_id;
	__u16 process_name[DXG_PROCESS_NAME_LEN];
	__u16 reserved;
	__u32 flags;		/* DXG_CREATEPROCESS_* */
	__u32 reserved2;
};
/*
 * Replies that carry a handle report failure as handle 0.  opendxg's host
 * also puts the reason in the following word; other hosts leave it zero
 * (the guest then falls back to a generic error).
 */
struct dxgkvmb_command_createprocess_ret {
	d3dkmthandle hprocess;	/* 0 on failure */
	__s32 status;		/* opendxg extension, see above */
};

/* DESTROYPROCESS is a bare header whose `process` names the victim. */
struct dxgkvmb_command_destroyprocess {
	struct dxgkvmb_command_hdr hdr;
};

/*
 * SETIOSPACEREGION: the guest tells a Hyper-V host where it reserved the IO
 * space (guest-physical base and length) in the VMBus MMIO pool.  Sent
 * VM-wide on the global channel before any OPENADAPTER; the reply is a bare
 * NTSTATUS.  The ivshmem transport never sends it (the host announces its
 * IO space in the control page).
 */
struct dxgkvmb_command_setiospaceregion {
	struct dxgkvmb_command_hdr hdr;
	__u64 start;
	__u64 length;
	__u32 shared_page_gpadl;	/* unused: 0 */
	__u32 reserved;
};

/* ---- adapter commands ---- */

struct dxgkvmb_command_openadapter {
	struct dxgkvmb_command_hdr hdr;
	__u32 vmbus_interface_version;
	__u32 vmbus_last_compatible_interface_version;
	struct winluid guest_adapter_luid;
};
struct dxgkvmb_command_openadapter_ret {
	d3dkmthandle host_adapter_handle;
	__s32 status;
	__u32 vmbus_interface_version;
	__u32 vmbus_last_compatible_interface_version;
};

struct dxgkvmb_command_closeadapter {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle host_handle;
	__u32 reserved;
};

struct dxgkvmb_command_getinternaladapterinfo {
	struct dxgkvmb_command_hdr hdr;
};
#define DXG_INTERNAL_INFO_HW_SCH_ENABLED	(1u << 3)
#define DXG_INTERNAL_INFO_HW_SCH_CAPABLE	(1u << 4)
#define DXG_INTERNAL_INFO_ASYNC_MSG_ENABLED	(1u << 6)
#define DXG_ADAPTER_DESCRIPTION_LEN		80
#define DXG_DEVICE_INSTANCE_ID_LEN		260
struct dxgkvmb_command_getinternaladapterinfo_ret {
	__u32 device_types;
	__u32 driver_store_copy_mode;
	__u32 driver_ddi_version;
	__u32 flags;		/* DXG_INTERNAL_INFO_* */
	struct winluid host_adapter_luid;
	__u16 device_description[DXG_ADAPTER_DESCRIPTION_LEN];
	__u16 device_instance_id[DXG_DEVICE_INSTANCE_ID_LEN];
	struct winluid host_vgpu_luid;
};

/* Followed by private_data_size bytes of query input/output buffer. */
struct dxgkvmb_command_queryadapterinfo {
	struct dxgkvmb_command_hdr hdr;
	__u32 query_type;
	__u32 private_data_size;
	/* __u8 private_data[]; */
};
/* Reply: status, then private_data_size bytes of result. */
struct dxgkvmb_command_queryadapterinfo_ret {
	__s32 status;
	/* __u8 private_data[]; */
};

struct dxgkvmb_command_createdevice {
	struct dxgkvmb_command_hdr hdr;
	__u32 flags;		/* d3dkmt_createdeviceflags */
	__u8 cdd_device;
	__u8 reserved[3];
	__u64 error_code;	/* guest cookie echoed in SETGUESTDATA */
};
struct dxgkvmb_command_createdevice_ret {
	d3dkmthandle device;	/* 0 on failure */
	__s32 status;		/* opendxg extension, as for CREATEPROCESS */
};

struct dxgkvmb_command_destroydevice {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	__u32 reserved;
};

/*
 * Followed by priv_drv_data_size bytes starting at offset 52 (the fixed part
 * is 52 bytes; sizeof() rounds it to 56).  The reply is the whole command
 * (52 + priv_drv_data_size bytes from the command header on; the extended
 * header is not echoed) with `context` filled in (0 on failure).
 */
#define DXGKVMB_CREATECONTEXTVIRTUAL_FIXED 52u
struct dxgkvmb_command_createcontextvirtual {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle context;	/* out */
	d3dkmthandle device;
	__u32 node_ordinal;
	__u32 engine_affinity;
	__u32 flags;		/* d3dddi_createcontextflags */
	__u32 client_hint;
	__u32 priv_drv_data_size;
	/* __u8 priv_drv_data[]; */
};

struct dxgkvmb_command_destroycontext {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle context;
	__u32 reserved;
};

/* A reply that is only an NTSTATUS. */
struct dxgkvmb_command_status_ret {
	__s32 status;
};

/*
 * ESCAPE (D3DKMTEscape): the fixed part (48 bytes) is followed by
 * priv_drv_data_size bytes of private data.  The reference host replies
 * with the updated private data alone; dxghost replies with an NTSTATUS and
 * then the updated private data (priv_drv_data_size bytes), or with a bare
 * negative NTSTATUS on failure.
 */
#define DXGKVMB_ESCAPE_FIXED 48u
struct dxgkvmb_command_escape {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle adapter;	/* the host's adapter handle */
	d3dkmthandle device;	/* 0: none */
	__u32 type;		/* enum d3dkmt_escapetype */
	__u32 flags;		/* d3dddi_escapeflags */
	__u32 priv_drv_data_size;
	d3dkmthandle context;	/* 0: none */
	/* __u8 priv_drv_data[]; */
};
struct dxgkvmb_command_escape_ret {
	__s32 status;
	/* __u8 priv_drv_data[]; */
};

/* ---- memory (docs/memory.md) ---- */

/*
 * CREATEALLOCATION: the fixed part, then alloc_count allocinfo entries,
 * then private_runtime_data_size bytes of runtime data, priv_drv_data_size
 * bytes of resource private data, and each allocation's private data in
 * order.
 */
struct dxgkvmb_command_createallocation_allocinfo {
	__u32 flags;			/* D3DDDI_ALLOCATIONINFO2_FLAG_* */
	__u32 priv_drv_data_size;
	__u32 vidpn_source_id;
};
struct dxgkvmb_command_createallocation {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle resource;		/* 0, or an existing resource */
	__u32 private_runtime_data_size;
	__u32 priv_drv_data_size;
	__u32 alloc_count;
	__u32 flags;			/* D3DKMT_CREATEALLOCATION_FLAG_* */
	__u64 private_runtime_resource_handle;
	__u8 make_resident;
	__u8 reserved[7];
};
/* dxgkvmb_allocflags (allocinfo_return.allocation_flags) */
#define DXGKVMB_ALLOCFLAG_EXISTING_SYSMEM	(1u << 11)
#define DXGKVMB_ALLOCFLAG_CACHED		(1u << 19)
struct dxgkvmb_describeallocation {
	__u64 allocation;
	__u32 width;
	__u32 height;
	__u32 format;
	__u32 multisample_method;
	__u32 refresh_rate_numerator;
	__u32 refresh_rate_denominator;
	__u32 private_driver_attribute;
	__u32 flags;
	__u32 rotation;
	__u32 reserved;
};
struct dxgkvmb_command_allocinfo_return {
	d3dkmthandle allocation;
	__u32 priv_drv_data_size;	/* echoed private data that follows */
	__u32 allocation_flags;		/* DXGKVMB_ALLOCFLAG_* */
	__u32 reserved;
	__u64 allocation_size;		/* bytes, a page multiple */
	struct dxgkvmb_describeallocation driver_info;
};
/* Reply: this, alloc_count allocinfo_return entries, the private data. */
struct dxgkvmb_command_createallocation_ret {
	__u32 flags;
	d3dkmthandle resource;
	d3dkmthandle global_share;
	__u32 vgpu_flags;
	/* struct dxgkvmb_command_allocinfo_return allocation_info[]; */
};

/*
 * The opendxg adapter's per-allocation private driver data (the first 16
 * bytes; more may follow and are echoed back): how many bytes to allocate.
 */
#define DXG_OPEN_ALLOC_DESC_VERSION	1u
/*
 * flags: the allocation lives in the host device's own memory (device-local,
 * not CPU-visible: LOCK2 refuses it), within the VM's quota; only adapters
 * that report dedicated video memory take it (docs/memory.md §8).
 */
#define DXG_OPEN_ALLOC_DEVICE_LOCAL	(1u << 0)
struct dxg_open_alloc_desc {
	__u32 version;			/* DXG_OPEN_ALLOC_DESC_VERSION */
	__u32 flags;			/* DXG_OPEN_ALLOC_* */
	__u64 size;			/* bytes; rounded up to pages */
};

/* Followed by alloc_count handles (none when `resource` is set). */
struct dxgkvmb_command_destroyallocation {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle resource;
	__u32 alloc_count;
	__u32 flags;			/* D3DDDICB_DESTROYALLOCATION2_FLAG_* */
	/* d3dkmthandle allocations[]; */
};

struct dxgkvmb_command_lock2 {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_lock2 args;
	__u8 use_legacy_lock;
	__u8 reserved[3];
	__u32 flags;
	__u32 priv_drv_data;
	__u32 reserved2;
};
struct dxgkvmb_command_lock2_ret {
	__s32 status;
	__u32 reserved;
	__u64 cpu_visible_buffer_offset;	/* an IO-space address */
};

struct dxgkvmb_command_unlock2 {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_unlock2 args;
	__u8 use_legacy_unlock;
	__u8 reserved[7];
};

struct dxgkvmb_command_createpagingqueue {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_createpagingqueue args;
};
struct dxgkvmb_command_createpagingqueue_ret {
	d3dkmthandle paging_queue;
	d3dkmthandle sync_object;	/* 0 from opendxg hosts */
	__u64 fence_storage_physical_address;	/* IO-space address of the page */
	__u64 fence_storage_offset;
};

struct dxgkvmb_command_destroypagingqueue {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle paging_queue;
	__u32 reserved;
};

/* Followed by alloc_count handles. */
struct dxgkvmb_command_makeresident {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle paging_queue;
	__u32 flags;			/* D3DDDI_MAKERESIDENT_FLAG_* */
	__u32 alloc_count;
	/* d3dkmthandle allocations[]; */
};
struct dxgkvmb_command_makeresident_ret {
	__u64 paging_fence_value;
	__u64 num_bytes_to_trim;
	__s32 status;
	__u32 reserved;
};

/* Fixed part is 36 bytes; alloc_count handles follow at offset 36. */
#define DXGKVMB_EVICT_FIXED	36u
struct dxgkvmb_command_evict {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	__u32 flags;			/* D3DDDI_EVICT_FLAG_* */
	__u32 alloc_count;
	/* d3dkmthandle allocations[]; */
};
/*
 * The reply has no status word.  opendxg hosts fail EVICT with the 4-byte
 * NTSTATUS (padded to 8 by the ring), i.e. a value whose high half is 0
 * and whose low half is a negative NTSTATUS; their successful
 * num_bytes_to_trim is always 0.
 */
struct dxgkvmb_command_evict_ret {
	__u64 num_bytes_to_trim;
};

struct dxgkvmb_command_queryvideomemoryinfo {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle adapter;		/* the host's adapter handle */
	__u32 memory_segment_group;
	__u32 physical_adapter_index;
	__u32 reserved;
};
struct dxgkvmb_command_queryvideomemoryinfo_ret {
	__u64 budget;
	__u64 current_usage;
	__u64 current_reservation;
	__u64 available_for_reservation;
};

/*
 * Offer / reclaim, allocation priority and residency (docs/protocol.md
 * §2.6, docs/memory.md §10).  The facts give the command ids only; these
 * layouts are opendxg's.  OFFERALLOCATIONS and RECLAIMALLOCATIONS are
 * followed by allocation_count handles: allocations, or resources when
 * `resources` is set.  OFFERALLOCATIONS replies with the bare status.
 */
struct dxgkvmb_command_offerallocations {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	__u32 allocation_count;
	__u32 priority;			/* enum d3dkmt_offer_priority */
	__u32 flags;			/* D3DKMT_OFFER_FLAG_* */
	__u32 resources;		/* 1: the handles are resources */
	__u32 reserved;
	/* d3dkmthandle handles[]; */
};

struct dxgkvmb_command_reclaimallocations {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle paging_queue;
	__u32 allocation_count;
	__u32 resources;		/* 1: the handles are resources */
	/* d3dkmthandle handles[]; */
};
/* Followed by allocation_count enum d3dddi_reclaim_result (__u32). */
struct dxgkvmb_command_reclaimallocations_ret {
	__u64 paging_fence_value;
	__s32 status;
	__u32 reserved;
};

/*
 * SET/GETALLOCATIONPRIORITY and QUERYALLOCATIONRESIDENCY name either
 * allocation_count allocations (resource 0) or one resource (count 0: one
 * value for all of its allocations).  SET is followed by the handles, then
 * one __u32 priority per handle (one for a resource) and replies with the
 * bare status; GET and QUERY are followed by the handles and reply with
 * dxgkvmb_command_allocvalues_ret and one __u32 per handle (one for a
 * resource): the priority, or enum d3dkmt_allocationresidencystatus.
 */
struct dxgkvmb_command_allocationlist {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle resource;
	__u32 allocation_count;
	__u32 reserved;
	/* d3dkmthandle allocations[]; (SET: __u32 priorities[]) */
};
struct dxgkvmb_command_allocvalues_ret {
	__s32 status;
	__u32 count;			/* values that follow */
	/* __u32 values[count]; */
};

/* The UAPI block verbatim; device is the paging queue's device. */
struct dxgkvmb_command_updateallocationproperty {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	__u32 reserved;
	struct d3dddi_updateallocproperty args;
};
struct dxgkvmb_command_updateallocationproperty_ret {
	__u64 paging_fence_value;
	__s32 status;
	__u32 reserved;
};

/* adapter is the host's adapter handle; the reply is the bare status. */
struct dxgkvmb_command_changevideomemoryreservation {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle adapter;
	__u32 memory_segment_group;	/* enum d3dkmt_memory_segment_group */
	__u64 reservation;
	__u32 physical_adapter_index;
	__u32 reserved;
};

/* adapter is the host's adapter handle; the reply is the bare status. */
struct dxgkvmb_command_flushheaptransitions {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle adapter;
	__u32 reserved;
};

/* The reply is the bare status. */
struct dxgkvmb_command_invalidatecache {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle allocation;
	__u64 offset;
	__u64 length;
};

/* args.adapter is the host's adapter handle. */
struct dxgkvmb_command_reservegpuva {
	struct dxgkvmb_command_hdr hdr;
	struct d3dddi_reservegpuvirtualaddress args;
};
struct dxgkvmb_command_reservegpuva_ret {
	__u64 virtual_address;
	__u64 paging_fence_value;
};

struct dxgkvmb_command_mapgpuva {
	struct dxgkvmb_command_hdr hdr;
	struct d3dddi_mapgpuvirtualaddress args;
	d3dkmthandle device;
	__u32 reserved;
};
struct dxgkvmb_command_mapgpuva_ret {
	__u64 virtual_address;
	__u64 paging_fence_value;
	__s32 status;
	__u32 reserved;
};

/* args.adapter is the host's adapter handle; the reply is a status. */
struct dxgkvmb_command_freegpuva {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_freegpuvirtualaddress args;
};

/*
 * Reply: a status.  num_operations (1..DXG_MAX_UPDATEGPUVA_OPS) operations
 * of 64 bytes follow the fixed part; they are applied all or nothing.
 */
#define DXG_MAX_UPDATEGPUVA_OPS		1024u
struct dxgkvmb_command_updategpuva {
	struct dxgkvmb_command_hdr hdr;
	__u64 fence_value;
	d3dkmthandle device;
	d3dkmthandle context;
	d3dkmthandle fence_object;
	__u32 num_operations;
	__u32 flags;
	__u32 reserved;
	/* struct d3dddi_updategpuvirtualaddress_operation operations[]; */
};

/* ---- sync objects and submission (docs/sync.md) ---- */

/* args.info.cpu_notification.event carries a guest event id (never an fd). */
struct dxgkvmb_command_createsyncobject {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_createsynchronizationobject2 args;
	__u32 client_hint;
	__u32 reserved;
};
/*
 * sync_object 0 = failure; an opendxg host then replies with the bare
 * NTSTATUS (a short reply).  fence_storage_address is the IO-space address
 * of the monitored fence's page (its first __u64 is the current value,
 * written only by the host); fence_gpu_va is its GPU VA (docs/sync.md §1).
 */
struct dxgkvmb_command_createsyncobject_ret {
	d3dkmthandle sync_object;
	d3dkmthandle global_sync_object;
	__u64 fence_gpu_va;
	__u64 fence_storage_address;
	__u32 fence_storage_offset;
	__u32 reserved;
};

/* VM-wide (1003); the reply is a status. */
struct dxgkvmb_command_destroysyncobject {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle sync_object;
	__u32 reserved;
};

/*
 * Followed by d3dkmthandle objects[object_count],
 * d3dkmthandle contexts[context_count], __u64 fence_values[object_count]
 * (unaligned).  context_count 0: a signal from the CPU (`device` set).
 */
struct dxgkvmb_command_signalsyncobject {
	struct dxgkvmb_command_hdr hdr;
	__u32 object_count;
	__u32 flags;			/* D3DDDICB_SIGNAL_FLAG_* */
	__u32 context_count;
	__u32 reserved;
	__u64 fence_value;		/* legacy fences; unused */
	union {
		__u64 cpu_event_handle;	/* guest event id */
		d3dkmthandle device;	/* signal from the CPU */
	};
};

/*
 * Followed by d3dkmthandle objects[object_count], __u64
 * fence_values[object_count] (unaligned).  The host signals
 * guest_event_pointer (a guest event id) with SIGNALGUESTEVENT once the
 * wait is satisfied; the reply only says whether it was registered.
 */
struct dxgkvmb_command_waitforsyncobjectfromcpu {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	__u32 object_count;
	__u32 flags;			/* D3DDDI_WAITFROMCPU_FLAG_* */
	__u32 reserved;
	__u64 guest_event_pointer;	/* guest event id */
	__u8 dereference_event;
	__u8 reserved2[7];
};

/*
 * The fixed part is 40 bytes; __u64 fence_values[object_count] follow at
 * offset 40, then d3dkmthandle objects[object_count].
 */
#define DXGKVMB_WAITFROMGPU_FIXED	40u
struct dxgkvmb_command_waitforsyncobjectfromgpu {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle context;
	__u32 object_count;
	__u8 legacy_fence_object;
	__u8 reserved[7];
	/* __u64 fence_values[object_count]; d3dkmthandle objects[]; */
};

/*
 * args is the UAPI block (user pointers travel but mean nothing); followed
 * by args.num_history_buffers handles and args.priv_drv_data_size bytes.
 */
struct dxgkvmb_command_submitcommand {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_submitcommand args;
};

struct dxgkvmb_command_getdevicestate {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_getdevicestate args;
};
struct dxgkvmb_command_getdevicestate_ret {
	struct d3dkmt_getdevicestate args;
	__s32 status;
	__u32 reserved;
};

/*
 * CREATEHWQUEUE (docs/protocol.md §2.13): the fixed part (68 bytes) is
 * followed by priv_drv_data_size bytes of private data.  The reply is the
 * fixed part with status, the two handles and the progress fence's page
 * (an IO-space address, as CREATESYNCOBJECT's) and GPU VA filled in; a
 * Windows host sends the private data back too, which the guest does not
 * read.  A failed create has hwqueue 0 and the reason in status.
 */
#define DXGKVMB_CREATEHWQUEUE_FIXED	68u
struct dxgkvmb_command_createhwqueue {
	struct dxgkvmb_command_hdr hdr;
	__s32 status;				/* out */
	d3dkmthandle hwqueue;			/* out */
	d3dkmthandle hwqueue_progress_fence;	/* out: a monitored fence */
	__u32 reserved;
	__u64 hwqueue_progress_fence_cpuva;	/* out: IO-space address */
	__u64 hwqueue_progress_fence_gpuva;	/* out */
	d3dkmthandle context;
	__u32 flags;				/* D3DDDI_CREATEHWQUEUE_FLAG_* */
	__u32 priv_drv_data_size;
	/* __u8 priv_drv_data[]; at offset 68 */
};

/* The reply is the bare status; the queue's progress fence goes with it. */
struct dxgkvmb_command_destroyhwqueue {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle hwqueue;
	__u32 reserved;
};

/*
 * args is the UAPI block (user pointers travel but mean nothing); followed
 * by d3dkmthandle written_primaries[args.num_primaries] and
 * args.priv_drv_data_size bytes of private data.  Once the command buffer
 * ran, the queue's progress fence reaches args.hwqueue_progress_fence_id.
 */
struct dxgkvmb_command_submitcommandtohwqueue {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_submitcommandtohwqueue args;
};

/*
 * Scheduling priority (docs/protocol.md §2.12).  One command for both
 * ioctls of each pair: in_process picks the in-process priority.
 */
struct dxgkvmb_command_setcontextschedulingpriority2 {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle context;
	__s32 priority;
	__u8 in_process;	/* bool */
	__u8 reserved[7];
};
struct dxgkvmb_command_getcontextschedulingpriority {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle context;
	__u8 in_process;	/* bool */
	__u8 reserved[3];
};
struct dxgkvmb_command_getcontextschedulingpriority_ret {
	__s32 status;
	__s32 priority;
};

/* The reply is the bare status. */
struct dxgkvmb_command_markdeviceaserror {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_markdeviceaserror args;
};

/* args.adapter is the host's adapter handle. */
struct dxgkvmb_command_queryclockcalibration {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_queryclockcalibration args;
};
struct dxgkvmb_command_queryclockcalibration_ret {
	__s32 status;
	struct dxgk_gpuclockdata clock_data;	/* byte-packed, 28 bytes */
};

/*
 * args.process is the host's handle of the process asked about (0: the
 * caller's); adapter_luid is the guest's LUID of the adapter.
 */
struct dxgkvmb_command_querystatistics {
	struct dxgkvmb_command_hdr hdr;
	struct d3dkmt_querystatistics args;
};
struct dxgkvmb_command_querystatistics_ret {
	__s32 status;
	__u32 reserved;
	struct d3dkmt_querystatistics_result result;
};

/* The reference's feature descriptor (the guest ignores it). */
struct dxgk_feature_desc {
	__u16 min_supported_version;
	__u16 max_supported_version;
	__u16 flags;		/* supported:1 virtualization_mode:3 global:1 ... */
};

struct dxgkvmb_command_isfeatureenabled {
	struct dxgkvmb_command_hdr hdr;
	__u32 feature_id;	/* enum dxgk_feature_id */
	__u32 reserved;
};
struct dxgkvmb_command_isfeatureenabled_ret {
	__s32 status;
	struct dxgk_feature_desc descriptor;
	struct dxgk_isfeatureenabled_result result;
	__u16 reserved;
};

/* ---- sharing between processes (docs/memory.md §9, docs/protocol.md) ---- */

/*
 * The reference names these commands but its stored facts give no layouts:
 * these are opendxg's.  Every reply starts with the NTSTATUS, so an opendxg
 * host's bare-status failure and a Windows-shaped failure (the whole reply,
 * zeroed, status first) read the same, and every reply is longer than 8
 * bytes, so a bare status padded by the ring is always a short reply.
 */

/*
 * VM-wide (1004): make an NT shared object of `object`, a resource created
 * shared (its allocations) or a sync object created shared, of the
 * header's process.  The NT object is VM-wide: it keeps the memory / the
 * fence alive until DESTROYNTSHAREDOBJECT, whatever becomes of the process.
 */
struct dxgkvmb_command_createntsharedobject {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle object;
	/*
	 * Resources: followed by allocation_count d3dkmthandle, every
	 * allocation of the resource once, in the order opens will list them.
	 * Sync objects: 0.
	 */
	__u32 allocation_count;
};

struct dxgkvmb_command_createntsharedobject_ret {
	__s32 status;
	d3dkmthandle nt_handle;		/* 0 on failure */
	__u32 object_type;		/* DXGKVMB_NTSHARED_* */
	__u32 allocation_count;		/* resources */
};

#define DXGKVMB_NTSHARED_RESOURCE	1
#define DXGKVMB_NTSHARED_SYNCOBJECT	2

/* VM-wide (1005); the reply is a status.  No process: the fd outlives it. */
struct dxgkvmb_command_destroyntsharedobject {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle nt_handle;
	__u32 reserved;
};

/*
 * VM-wide (1002): a new sync object of `device` (the header's process)
 * sharing the fence of NT object nt_handle; the device's adapter must be
 * the shared object's.
 */
struct dxgkvmb_command_opensyncobject {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle nt_handle;
	__u32 flags;			/* d3dddi_synchronizationobject_flags */
	__u32 reserved;
};

struct dxgkvmb_command_opensyncobject_ret {
	__s32 status;
	d3dkmthandle sync_object;	/* 0 on failure */
	__u32 type;			/* D3DDDI_MONITORED_FENCE */
	__u32 reserved;
	__u64 fence_storage_address;	/* as CREATESYNCOBJECT's */
	__u64 fence_gpu_va;
};

/*
 * Adapter (32): a new resource of `device` with allocation_count
 * allocations sharing the memory of NT object nt_handle (the count must be
 * the shared resource's).  The reply is followed by allocation_count
 * dxgkvmb_openresource_alloc, in the shared resource's order.
 */
struct dxgkvmb_command_openresource {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle nt_handle;
	__u32 allocation_count;
	__u32 reserved;
};

struct dxgkvmb_command_openresource_ret {
	__s32 status;
	d3dkmthandle resource;		/* 0 on failure */
	__u32 allocation_count;
	__u32 reserved;
};

struct dxgkvmb_openresource_alloc {
	d3dkmthandle allocation;
	__u32 allocation_flags;		/* DXGKVMB_ALLOCFLAG_* */
	__u64 allocation_size;
};

/*
 * VM-wide (1021): a host-side name of a resource or sync object of `device`
 * (the header's process), for host components (the reference's "VAIL" NT
 * handle): nonzero, and stable for the object's life.
 */
struct dxgkvmb_command_shareobjectwithhost {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle object;
	__u64 reserved;
};

struct dxgkvmb_command_shareobjectwithhost_ret {
	__s32 status;
	__u32 reserved;
	__u64 object_vail_nt_handle;
};

/* ---- host -> VM ---- */

struct dxgkvmb_command_signalguestevent {
	struct dxgkvmb_command_hdr hdr;
	__u64 event;
	__u64 process_id;
	__u8 dereference_event;
	__u8 reserved[7];
};

/* SETGUESTDATA's data_type field (bits 1..4 of flags; bit 0: dereference). */
#define DXG_SETGUESTDATA_DEREFERENCE	(1u << 0)
#define DXG_SETGUESTDATA_TYPE(f)	(((f) >> 1) & 0xfu)
#define DXG_SETGUESTDATA_TYPE_DWORD	0u
#define DXG_SETGUESTDATA_TYPE_UINT64	1u

struct dxgkvmb_command_setguestdata {
	struct dxgkvmb_command_hdr hdr;
	__u64 guest_pointer;	/* the cookie the guest gave (CREATEDEVICE) */
	__u64 data;		/* data64, or data32 in the low half */
	__u32 flags;		/* DXG_SETGUESTDATA_* */
	__u32 reserved;
};

/*
 * SETEXISTINGSYSMEMPAGES (adapter command): the guest-physical page frames
 * of pinned user memory backing an "existing sysmem" allocation, for a host
 * that advertised map_guest_memory.  Followed by num_pages __u64 PFNs; a
 * long list is split into several messages (include/dxg/vmbus.h).
 */
struct dxgkvmb_command_setexistingsysmempages {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle allocation;
	__u32 num_pages;
	__u32 alloc_offset_in_pages;
	/* __u64 pfns[num_pages]; */
};

/*
 * SETEXISTINGSYSMEMSTORE (adapter command): the same for a host without
 * map_guest_memory: the pages are named by a GPADL the guest established
 * over them beforehand (on VMBus's global channel; over ivshmem by
 * ESTABLISHGPADL).  Reply: an NTSTATUS.
 */
struct dxgkvmb_command_setexistingsysmemstore {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle device;
	d3dkmthandle allocation;
	__u32 gpadl;
	__u32 reserved;
};

/*
 * ESTABLISHGPADL (opendxg, VM-wide, ivshmem): pages [first_page,
 * first_page + num_pages) of the GPADL `gpadl` (a nonzero handle the guest
 * chose, as VMBus guests do) of total_pages pages, named by the guest page
 * frames that follow.  The first message (first_page 0) creates it; a
 * GPADL is usable once every page is named.  TEARDOWNGPADL forgets it
 * (what already took its pages keeps them).  Replies: an NTSTATUS.
 */
#define DXG_GPADL_PFNS_PER_MSG	15872u	/* (128 KiB - a page for headers) / 8 */

struct dxgkvmb_command_establishgpadl {
	struct dxgkvmb_command_hdr hdr;
	__u32 gpadl;
	__u32 total_pages;
	__u32 first_page;
	__u32 num_pages;
	/* __u64 pfns[num_pages]; */
};

struct dxgkvmb_command_teardowngpadl {
	struct dxgkvmb_command_hdr hdr;
	__u32 gpadl;
	__u32 reserved;
};

/*
 * VERIFYGUESTRAM (opendxg, VM-wide): the guest says where its RAM ends and
 * names probe pages it filled with random bytes; the host derives where
 * each guest-physical page lies in the guest-RAM file it holds and checks
 * every probe there (docs/memory.md §11).  Reply: an NTSTATUS
 * (struct dxgkvmb_command_status_ret); STATUS_SUCCESS enables
 * SETEXISTINGSYSMEMPAGES for this guest instance.
 */
#define DXG_GUEST_RAM_MAX_PROBES	16u
#define DXG_GUEST_RAM_NONCE		24u

struct dxg_guest_ram_probe {
	__u64 gpa;			/* page-aligned guest-physical address */
	__u8 nonce[DXG_GUEST_RAM_NONCE];	/* the page's first bytes */
};

struct dxgkvmb_command_verifyguestram {
	struct dxgkvmb_command_hdr hdr;
	__u64 ram_top;			/* end of the highest RAM range (bytes) */
	__u32 probe_count;		/* 1..DXG_GUEST_RAM_MAX_PROBES */
	__u32 reserved;
	/* struct dxg_guest_ram_probe probes[probe_count]; */
};

DXG_STATIC_ASSERT(sizeof(struct dxg_guest_ram_probe) == 32, "guest RAM probe");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_verifyguestram) == 40, "VERIFYGUESTRAM");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_setexistingsysmemstore) == 40,
		  "SETEXISTINGSYSMEMSTORE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_establishgpadl) == 40, "ESTABLISHGPADL");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_teardowngpadl) == 32, "TEARDOWNGPADL");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_setexistingsysmempages) == 40,
		  "SETEXISTINGSYSMEMPAGES");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_ext_header) == 16, "ext header");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_hdr) == 24, "command header");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_msg_hdr) == 40, "message header");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createprocess) == 568, "CREATEPROCESS");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_openadapter) == 40, "OPENADAPTER");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_openadapter_ret) == 16, "OPENADAPTER reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_getinternaladapterinfo_ret) == 712,
		  "GETINTERNALADAPTERINFO reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createdevice) == 40, "CREATEDEVICE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createcontextvirtual) == 56,
		  "CREATECONTEXTVIRTUAL");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_createcontextvirtual,
				     priv_drv_data_size) == 48, "CREATECONTEXTVIRTUAL");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_queryadapterinfo) == 32, "QUERYADAPTERINFO");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_escape) == DXGKVMB_ESCAPE_FIXED, "ESCAPE");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_escape, context) == 44, "ESCAPE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_signalguestevent) == 48, "SIGNALGUESTEVENT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_setguestdata) == 48, "SETGUESTDATA");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_setiospaceregion) == 48, "SETIOSPACEREGION");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_setiospaceregion, start) == 24,
		  "SETIOSPACEREGION");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_setiospaceregion,
				     shared_page_gpadl) == 40, "SETIOSPACEREGION");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_setexistingsysmempages) == 40,
		  "SETEXISTINGSYSMEMPAGES");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createallocation_allocinfo) == 12,
		  "CREATEALLOCATION allocinfo");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createallocation) == 64, "CREATEALLOCATION");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_createallocation,
				     private_runtime_resource_handle) == 48, "CREATEALLOCATION");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_describeallocation) == 48, "describeallocation");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_allocinfo_return) == 72, "allocinfo reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createallocation_ret) == 16,
		  "CREATEALLOCATION reply");
DXG_STATIC_ASSERT(sizeof(struct dxg_open_alloc_desc) == 16, "open allocation desc");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_destroyallocation) == 40, "DESTROYALLOCATION");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_lock2) == 64, "LOCK2");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_lock2, flags) == 52, "LOCK2");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_lock2_ret) == 16, "LOCK2 reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_unlock2) == 40, "UNLOCK2");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createpagingqueue) == 56, "CREATEPAGINGQUEUE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createpagingqueue_ret) == 24,
		  "CREATEPAGINGQUEUE reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_destroypagingqueue) == 32, "DESTROYPAGINGQUEUE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_makeresident) == 40, "MAKERESIDENT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_makeresident_ret) == 24, "MAKERESIDENT reply");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_evict, alloc_count) + 4 ==
		  DXGKVMB_EVICT_FIXED, "EVICT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_queryvideomemoryinfo) == 40,
		  "QUERYVIDEOMEMORYINFO");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_queryvideomemoryinfo_ret) == 32,
		  "QUERYVIDEOMEMORYINFO reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_offerallocations) == 48,
		  "OFFERALLOCATIONS");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_reclaimallocations) == 40,
		  "RECLAIMALLOCATIONS");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_reclaimallocations_ret) == 16,
		  "RECLAIMALLOCATIONS reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_allocationlist) == 40,
		  "SET/GETALLOCATIONPRIORITY, QUERYALLOCATIONRESIDENCY");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_allocvalues_ret) == 8,
		  "GETALLOCATIONPRIORITY, QUERYALLOCATIONRESIDENCY reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_updateallocationproperty) == 72,
		  "UPDATEALLOCATIONPROPERTY");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_updateallocationproperty_ret) == 16,
		  "UPDATEALLOCATIONPROPERTY reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_changevideomemoryreservation) == 48,
		  "CHANGEVIDEOMEMORYRESERVATION");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_flushheaptransitions) == 32,
		  "FLUSHHEAPTRANSITIONS");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_invalidatecache) == 48,
		  "INVALIDATECACHE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_reservegpuva) == 96, "RESERVEGPUVA");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_mapgpuva) == 136, "MAPGPUVA");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_mapgpuva, device) == 128,
		  "MAPGPUVA");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_mapgpuva_ret) == 24, "MAPGPUVA reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_freegpuva) == 48, "FREEGPUVA");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_updategpuva) == 56, "UPDATEGPUVA");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_updategpuva, flags) == 48,
		  "UPDATEGPUVA");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createsyncobject) == 128,
		  "CREATESYNCOBJECT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createsyncobject_ret) == 32,
		  "CREATESYNCOBJECT reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_destroysyncobject) == 32,
		  "DESTROYSYNCOBJECT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_signalsyncobject) == 56,
		  "SIGNALSYNCOBJECT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_waitforsyncobjectfromcpu) == 56,
		  "WAITFORSYNCOBJECTFROMCPU");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_waitforsyncobjectfromgpu) ==
		  DXGKVMB_WAITFROMGPU_FIXED, "WAITFORSYNCOBJECTFROMGPU");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_submitcommand) == 408,
		  "SUBMITCOMMAND");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_getdevicestate) == 80,
		  "GETDEVICESTATE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_getdevicestate_ret) == 64,
		  "GETDEVICESTATE reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createhwqueue) == 72,
		  "CREATEHWQUEUE");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_createhwqueue,
				     priv_drv_data_size) == 64, "CREATEHWQUEUE");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_createhwqueue,
				     hwqueue_progress_fence_cpuva) == 40,
		  "CREATEHWQUEUE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_destroyhwqueue) == 32,
		  "DESTROYHWQUEUE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_submitcommandtohwqueue) == 80,
		  "SUBMITCOMMANDTOHWQUEUE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_setcontextschedulingpriority2) == 40,
		  "SETCONTEXTSCHEDULINGPRIORITY");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_getcontextschedulingpriority) == 32,
		  "GETCONTEXTSCHEDULINGPRIORITY");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_getcontextschedulingpriority_ret) == 8,
		  "GETCONTEXTSCHEDULINGPRIORITY reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_markdeviceaserror) == 32,
		  "MARKDEVICEASERROR");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_queryclockcalibration) == 64,
		  "QUERYCLOCKCALIBRATION");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_queryclockcalibration_ret) == 32,
		  "QUERYCLOCKCALIBRATION reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_querystatistics) == 832,
		  "QUERYSTATISTICS");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_querystatistics_ret) == 784,
		  "QUERYSTATISTICS reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_isfeatureenabled) == 32,
		  "ISFEATUREENABLED");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_isfeatureenabled_ret) == 16,
		  "ISFEATUREENABLED reply");
DXG_STATIC_ASSERT(__builtin_offsetof(struct dxgkvmb_command_isfeatureenabled_ret,
				     result) == 10, "ISFEATUREENABLED reply");

/*
 * Fill the two headers every guest->host message starts with.  vgpu_luid
 * NULL: a VM-wide command (channel type VM_TO_HOST, zero LUID); otherwise an
 * adapter command routed by that LUID.  async: fire-and-forget (no reply).
 */
static inline void dxg_msg_fill_hdr(struct dxgkvmb_command_ext_header *ext,
				    struct dxgkvmb_command_hdr *hdr,
				    const struct winluid *vgpu_luid,
				    __u32 process, __u32 command_type,
				    bool async)
{
	memset(ext, 0, sizeof(*ext));
	ext->command_offset = sizeof(*ext);
	if (vgpu_luid)
		ext->vgpu_luid = *vgpu_luid;
	memset(hdr, 0, sizeof(*hdr));
	hdr->process = process;
	hdr->channel = vgpu_luid ? DXGKVMB_VGPU_TO_HOST : DXGKVMB_VM_TO_HOST;
	if (async)
		hdr->channel |= DXGKVMB_ASYNC_MSG;
	hdr->command_type = command_type;
}

DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createntsharedobject) == 32,
		  "CREATENTSHAREDOBJECT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_createntsharedobject_ret) == 16,
		  "CREATENTSHAREDOBJECT reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_destroyntsharedobject) == 32,
		  "DESTROYNTSHAREDOBJECT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_opensyncobject) == 40, "OPENSYNCOBJECT");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_opensyncobject_ret) == 32,
		  "OPENSYNCOBJECT reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_openresource) == 40, "OPENRESOURCE");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_openresource_ret) == 16,
		  "OPENRESOURCE reply");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_openresource_alloc) == 16, "OPENRESOURCE alloc");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_shareobjectwithhost) == 40,
		  "SHAREOBJECTWITHHOST");
DXG_STATIC_ASSERT(sizeof(struct dxgkvmb_command_shareobjectwithhost_ret) == 16,
		  "SHAREOBJECTWITHHOST reply");

#endif /* DXG_PROTOCOL_H */
