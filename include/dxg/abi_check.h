/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * opendxg - compile-time checks of the /dev/dxg ABI.
 *
 * Including this header in any translation unit (kernel or user space)
 * verifies, at compile time only, that the definitions in
 * include/uapi/misc/d3dkmthk.h match the layout used by WSL2's dxgkrnl and by
 * libdxg:
 *
 *   - the size of every ioctl argument block (0x01 .. 0x49),
 *   - every LX_* request word,
 *   - the size of the blocks reached through pointers and of the common
 *     query-result blocks,
 *   - the offset of the members user space relies on.
 *
 * The expected numbers were taken from the reference ABI table (x86_64
 * sizeof values measured against libdxg's headers), not from this
 * implementation.  Since the UAPI structures contain no implicit padding, the
 * same numbers must also hold when the header is compiled for i386.
 *
 * The header contains nothing but static assertions: it emits no code and no
 * data and may be included any number of times.
 */

#ifndef _DXG_ABI_CHECK_H
#define _DXG_ABI_CHECK_H

#include "../uapi/misc/d3dkmthk.h"

#define DXG_ABI_ASSERT(expr, msg)	_Static_assert(expr, msg)

#define DXG_ABI_SIZE(type, size)					\
	DXG_ABI_ASSERT(sizeof(struct type) == (size),			\
		       "dxg ABI: sizeof(struct " #type ") != " #size)

#define DXG_ABI_OFFSET(type, member, off)				\
	DXG_ABI_ASSERT(__builtin_offsetof(struct type, member) == (off),\
		       "dxg ABI: offsetof(struct " #type ", " #member	\
		       ") != " #off)

#define DXG_ABI_REQUEST(req, value)					\
	DXG_ABI_ASSERT((req) == (value),				\
		       "dxg ABI: " #req " != " #value)

/* ------------------------------------------------------------------------ */
/* Basic types                                                               */
/* ------------------------------------------------------------------------ */

DXG_ABI_ASSERT(sizeof(d3dkmthandle) == 4, "dxg ABI: d3dkmthandle is 32 bits");
DXG_ABI_ASSERT(sizeof(ntstatus) == 4, "dxg ABI: ntstatus is 32 bits");
DXG_ABI_SIZE(winluid, 8);
DXG_ABI_OFFSET(winluid, a, 0);
DXG_ABI_OFFSET(winluid, b, 4);
DXG_ABI_ASSERT(LX_IO_MAX == 0x49, "dxg ABI: LX_IO_MAX != 0x49");

/* ------------------------------------------------------------------------ */
/* Argument block sizes, ioctl 0x01 .. 0x49                                  */
/* ------------------------------------------------------------------------ */

DXG_ABI_SIZE(d3dkmt_openadapterfromluid, 12);			/* 0x01 */
DXG_ABI_SIZE(d3dkmt_createdevice, 64);				/* 0x02 */
DXG_ABI_SIZE(d3dkmt_createcontext, 96);				/* 0x03 */
DXG_ABI_SIZE(d3dkmt_createcontextvirtual, 40);			/* 0x04 */
DXG_ABI_SIZE(d3dkmt_destroycontext, 4);				/* 0x05 */
DXG_ABI_SIZE(d3dkmt_createallocation, 72);			/* 0x06 */
DXG_ABI_SIZE(d3dkmt_createpagingqueue, 32);			/* 0x07 */
DXG_ABI_SIZE(d3dddi_reservegpuvirtualaddress, 72);		/* 0x08 */
DXG_ABI_SIZE(d3dkmt_queryadapterinfo, 24);			/* 0x09 */
DXG_ABI_SIZE(d3dkmt_queryvideomemoryinfo, 56);			/* 0x0a */
DXG_ABI_SIZE(d3dddi_makeresident, 48);				/* 0x0b */
DXG_ABI_SIZE(d3dddi_mapgpuvirtualaddress, 104);			/* 0x0c */
DXG_ABI_SIZE(d3dkmt_escape, 32);				/* 0x0d */
DXG_ABI_SIZE(d3dkmt_getdevicestate, 56);			/* 0x0e */
DXG_ABI_SIZE(d3dkmt_submitcommand, 384);			/* 0x0f */
DXG_ABI_SIZE(d3dkmt_createsynchronizationobject2, 96);		/* 0x10 */
DXG_ABI_SIZE(d3dkmt_signalsynchronizationobject2, 464);		/* 0x11 */
DXG_ABI_SIZE(d3dkmt_waitforsynchronizationobject2, 200);	/* 0x12 */
DXG_ABI_SIZE(d3dkmt_destroyallocation2, 24);			/* 0x13 */
DXG_ABI_SIZE(d3dkmt_enumadapters2, 16);				/* 0x14 */
DXG_ABI_SIZE(d3dkmt_closeadapter, 4);				/* 0x15 */
DXG_ABI_SIZE(d3dkmt_changevideomemoryreservation, 32);		/* 0x16 */
DXG_ABI_SIZE(d3dkmt_createhwcontext, 40);			/* 0x17 */
DXG_ABI_SIZE(d3dkmt_createhwqueue, 48);				/* 0x18 */
DXG_ABI_SIZE(d3dkmt_destroydevice, 4);				/* 0x19 */
DXG_ABI_SIZE(d3dkmt_destroyhwcontext, 4);			/* 0x1a */
DXG_ABI_SIZE(d3dkmt_destroyhwqueue, 4);				/* 0x1b */
DXG_ABI_SIZE(d3dddi_destroypagingqueue, 4);			/* 0x1c */
DXG_ABI_SIZE(d3dkmt_destroysynchronizationobject, 4);		/* 0x1d */
DXG_ABI_SIZE(d3dkmt_evict, 32);					/* 0x1e */
DXG_ABI_SIZE(d3dkmt_flushheaptransitions, 4);			/* 0x1f */
DXG_ABI_SIZE(d3dkmt_freegpuvirtualaddress, 24);			/* 0x20 */
DXG_ABI_SIZE(d3dkmt_getcontextinprocessschedulingpriority, 8);	/* 0x21 */
DXG_ABI_SIZE(d3dkmt_getcontextschedulingpriority, 8);		/* 0x22 */
DXG_ABI_SIZE(d3dkmt_getsharedresourceadapterluid, 24);		/* 0x23 */
DXG_ABI_SIZE(d3dkmt_invalidatecache, 24);			/* 0x24 */
DXG_ABI_SIZE(d3dkmt_lock2, 24);					/* 0x25 */
DXG_ABI_SIZE(d3dkmt_markdeviceaserror, 8);			/* 0x26 */
DXG_ABI_SIZE(d3dkmt_offerallocations, 40);			/* 0x27 */
DXG_ABI_SIZE(d3dkmt_openresource, 72);				/* 0x28 */
DXG_ABI_SIZE(d3dkmt_opensynchronizationobject, 72);		/* 0x29 */
DXG_ABI_SIZE(d3dkmt_queryallocationresidency, 32);		/* 0x2a */
DXG_ABI_SIZE(d3dkmt_queryresourceinfo, 32);			/* 0x2b */
DXG_ABI_SIZE(d3dkmt_reclaimallocations2, 40);			/* 0x2c */
DXG_ABI_SIZE(d3dkmt_render, 368);				/* 0x2d */
DXG_ABI_SIZE(d3dkmt_setallocationpriority, 32);			/* 0x2e */
DXG_ABI_SIZE(d3dkmt_setcontextinprocessschedulingpriority, 8);	/* 0x2f */
DXG_ABI_SIZE(d3dkmt_setcontextschedulingpriority, 8);		/* 0x30 */
DXG_ABI_SIZE(d3dkmt_signalsynchronizationobjectfromcpu, 32);	/* 0x31 */
DXG_ABI_SIZE(d3dkmt_signalsynchronizationobjectfromgpu, 80);	/* 0x32 */
DXG_ABI_SIZE(d3dkmt_signalsynchronizationobjectfromgpu2, 96);	/* 0x33 */
DXG_ABI_SIZE(d3dkmt_submitcommandtohwqueue, 56);		/* 0x34 */
DXG_ABI_SIZE(d3dkmt_submitsignalsyncobjectstohwqueue, 40);	/* 0x35 */
DXG_ABI_SIZE(d3dkmt_submitwaitforsyncobjectstohwqueue, 24);	/* 0x36 */
DXG_ABI_SIZE(d3dkmt_unlock2, 8);				/* 0x37 */
DXG_ABI_SIZE(d3dddi_updateallocproperty, 40);			/* 0x38 */
DXG_ABI_SIZE(d3dkmt_updategpuvirtualaddress, 56);		/* 0x39 */
DXG_ABI_SIZE(d3dkmt_waitforsynchronizationobjectfromcpu, 40);	/* 0x3a */
DXG_ABI_SIZE(d3dkmt_waitforsynchronizationobjectfromgpu, 80);	/* 0x3b */
DXG_ABI_SIZE(d3dkmt_getallocationpriority, 32);			/* 0x3c */
DXG_ABI_SIZE(d3dkmt_queryclockcalibration, 40);			/* 0x3d */
DXG_ABI_SIZE(d3dkmt_enumadapters3, 24);				/* 0x3e */
DXG_ABI_SIZE(d3dkmt_shareobjects, 40);				/* 0x3f */
DXG_ABI_SIZE(d3dkmt_opensyncobjectfromnthandle2, 88);		/* 0x40 */
DXG_ABI_SIZE(d3dkmt_queryresourceinfofromnthandle, 40);		/* 0x41 */
DXG_ABI_SIZE(d3dkmt_openresourcefromnthandle, 104);		/* 0x42 */
DXG_ABI_SIZE(d3dkmt_querystatistics, 808);			/* 0x43 */
DXG_ABI_SIZE(d3dkmt_shareobjectwithhost, 24);			/* 0x44 */
DXG_ABI_SIZE(d3dkmt_createsyncfile, 24);			/* 0x45 */
DXG_ABI_SIZE(d3dkmt_waitsyncfile, 16);				/* 0x46 */
DXG_ABI_SIZE(d3dkmt_opensyncobjectfromsyncfile, 40);		/* 0x47 */
DXG_ABI_SIZE(d3dkmt_enumprocesses, 24);				/* 0x48 */
DXG_ABI_SIZE(d3dkmt_isfeatureenabled, 12);			/* 0x49 */

/* ------------------------------------------------------------------------ */
/* Request words                                                             */
/* ------------------------------------------------------------------------ */

DXG_ABI_REQUEST(LX_DXOPENADAPTERFROMLUID, 0xc00c4701u);
DXG_ABI_REQUEST(LX_DXCREATEDEVICE, 0xc0404702u);
DXG_ABI_REQUEST(LX_DXCREATECONTEXT, 0xc0604703u);
DXG_ABI_REQUEST(LX_DXCREATECONTEXTVIRTUAL, 0xc0284704u);
DXG_ABI_REQUEST(LX_DXDESTROYCONTEXT, 0xc0044705u);
DXG_ABI_REQUEST(LX_DXCREATEALLOCATION, 0xc0484706u);
DXG_ABI_REQUEST(LX_DXCREATEPAGINGQUEUE, 0xc0204707u);
DXG_ABI_REQUEST(LX_DXRESERVEGPUVIRTUALADDRESS, 0xc0484708u);
DXG_ABI_REQUEST(LX_DXQUERYADAPTERINFO, 0xc0184709u);
DXG_ABI_REQUEST(LX_DXQUERYVIDEOMEMORYINFO, 0xc038470au);
DXG_ABI_REQUEST(LX_DXMAKERESIDENT, 0xc030470bu);
DXG_ABI_REQUEST(LX_DXMAPGPUVIRTUALADDRESS, 0xc068470cu);
DXG_ABI_REQUEST(LX_DXESCAPE, 0xc020470du);
DXG_ABI_REQUEST(LX_DXGETDEVICESTATE, 0xc038470eu);
DXG_ABI_REQUEST(LX_DXSUBMITCOMMAND, 0xc180470fu);
DXG_ABI_REQUEST(LX_DXCREATESYNCHRONIZATIONOBJECT, 0xc0604710u);
DXG_ABI_REQUEST(LX_DXSIGNALSYNCHRONIZATIONOBJECT, 0xc1d04711u);
DXG_ABI_REQUEST(LX_DXWAITFORSYNCHRONIZATIONOBJECT, 0xc0c84712u);
DXG_ABI_REQUEST(LX_DXDESTROYALLOCATION2, 0xc0184713u);
DXG_ABI_REQUEST(LX_DXENUMADAPTERS2, 0xc0104714u);
DXG_ABI_REQUEST(LX_DXCLOSEADAPTER, 0xc0044715u);
DXG_ABI_REQUEST(LX_DXCHANGEVIDEOMEMORYRESERVATION, 0xc0204716u);
DXG_ABI_REQUEST(LX_DXCREATEHWCONTEXT, 0xc0284717u);
DXG_ABI_REQUEST(LX_DXCREATEHWQUEUE, 0xc0304718u);
DXG_ABI_REQUEST(LX_DXDESTROYDEVICE, 0xc0044719u);
DXG_ABI_REQUEST(LX_DXDESTROYHWCONTEXT, 0xc004471au);
DXG_ABI_REQUEST(LX_DXDESTROYHWQUEUE, 0xc004471bu);
DXG_ABI_REQUEST(LX_DXDESTROYPAGINGQUEUE, 0xc004471cu);
DXG_ABI_REQUEST(LX_DXDESTROYSYNCHRONIZATIONOBJECT, 0xc004471du);
DXG_ABI_REQUEST(LX_DXEVICT, 0xc020471eu);
DXG_ABI_REQUEST(LX_DXFLUSHHEAPTRANSITIONS, 0xc004471fu);
DXG_ABI_REQUEST(LX_DXFREEGPUVIRTUALADDRESS, 0xc0184720u);
DXG_ABI_REQUEST(LX_DXGETCONTEXTINPROCESSSCHEDULINGPRIORITY, 0xc0084721u);
DXG_ABI_REQUEST(LX_DXGETCONTEXTSCHEDULINGPRIORITY, 0xc0084722u);
DXG_ABI_REQUEST(LX_DXGETSHAREDRESOURCEADAPTERLUID, 0xc0184723u);
DXG_ABI_REQUEST(LX_DXINVALIDATECACHE, 0xc0184724u);
DXG_ABI_REQUEST(LX_DXLOCK2, 0xc0184725u);
DXG_ABI_REQUEST(LX_DXMARKDEVICEASERROR, 0xc0084726u);
DXG_ABI_REQUEST(LX_DXOFFERALLOCATIONS, 0xc0284727u);
DXG_ABI_REQUEST(LX_DXOPENRESOURCE, 0xc0484728u);
DXG_ABI_REQUEST(LX_DXOPENSYNCHRONIZATIONOBJECT, 0xc0484729u);
DXG_ABI_REQUEST(LX_DXQUERYALLOCATIONRESIDENCY, 0xc020472au);
DXG_ABI_REQUEST(LX_DXQUERYRESOURCEINFO, 0xc020472bu);
DXG_ABI_REQUEST(LX_DXRECLAIMALLOCATIONS2, 0xc028472cu);
DXG_ABI_REQUEST(LX_DXRENDER, 0xc170472du);
DXG_ABI_REQUEST(LX_DXSETALLOCATIONPRIORITY, 0xc020472eu);
DXG_ABI_REQUEST(LX_DXSETCONTEXTINPROCESSSCHEDULINGPRIORITY, 0xc008472fu);
DXG_ABI_REQUEST(LX_DXSETCONTEXTSCHEDULINGPRIORITY, 0xc0084730u);
DXG_ABI_REQUEST(LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU, 0xc0204731u);
DXG_ABI_REQUEST(LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU, 0xc0504732u);
DXG_ABI_REQUEST(LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU2, 0xc0604733u);
DXG_ABI_REQUEST(LX_DXSUBMITCOMMANDTOHWQUEUE, 0xc0384734u);
DXG_ABI_REQUEST(LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE, 0xc0284735u);
DXG_ABI_REQUEST(LX_DXSUBMITWAITFORSYNCOBJECTSTOHWQUEUE, 0xc0184736u);
DXG_ABI_REQUEST(LX_DXUNLOCK2, 0xc0084737u);
DXG_ABI_REQUEST(LX_DXUPDATEALLOCPROPERTY, 0xc0284738u);
DXG_ABI_REQUEST(LX_DXUPDATEGPUVIRTUALADDRESS, 0xc0384739u);
DXG_ABI_REQUEST(LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMCPU, 0xc028473au);
DXG_ABI_REQUEST(LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMGPU, 0xc050473bu);
DXG_ABI_REQUEST(LX_DXGETALLOCATIONPRIORITY, 0xc020473cu);
DXG_ABI_REQUEST(LX_DXQUERYCLOCKCALIBRATION, 0xc028473du);
DXG_ABI_REQUEST(LX_DXENUMADAPTERS3, 0xc018473eu);
DXG_ABI_REQUEST(LX_DXSHAREOBJECTS, 0xc028473fu);
DXG_ABI_REQUEST(LX_DXOPENSYNCOBJECTFROMNTHANDLE2, 0xc0584740u);
DXG_ABI_REQUEST(LX_DXQUERYRESOURCEINFOFROMNTHANDLE, 0xc0284741u);
DXG_ABI_REQUEST(LX_DXOPENRESOURCEFROMNTHANDLE, 0xc0684742u);
DXG_ABI_REQUEST(LX_DXQUERYSTATISTICS, 0xc3284743u);
DXG_ABI_REQUEST(LX_DXSHAREOBJECTWITHHOST, 0xc0184744u);
DXG_ABI_REQUEST(LX_DXCREATESYNCFILE, 0xc0184745u);
DXG_ABI_REQUEST(LX_DXWAITSYNCFILE, 0xc0104746u);
DXG_ABI_REQUEST(LX_DXOPENSYNCOBJECTFROMSYNCFILE, 0xc0284747u);
DXG_ABI_REQUEST(LX_DXENUMPROCESSES, 0xc0184748u);
DXG_ABI_REQUEST(LX_ISFEATUREENABLED, 0xc00c4749u);

/* ------------------------------------------------------------------------ */
/* Blocks reached through pointers, and query results                        */
/* ------------------------------------------------------------------------ */

DXG_ABI_SIZE(d3dkmt_adapterinfo, 20);
DXG_ABI_SIZE(d3dddi_allocationinfo2, 96);
DXG_ABI_SIZE(d3dddi_openallocationinfo2, 80);
DXG_ABI_SIZE(d3dkmt_createstandardallocation, 24);
DXG_ABI_SIZE(d3dddi_updategpuvirtualaddress_operation, 64);
DXG_ABI_SIZE(d3dddi_allocationlist, 8);
DXG_ABI_SIZE(d3dddi_patchlocationlist, 24);
DXG_ABI_SIZE(d3dddi_synchronizationobjectinfo2, 80);
DXG_ABI_SIZE(dxgk_gpuclockdata, 28);
/* The leading members of Windows' QueryStatistics results opendxg fills. */
DXG_ABI_SIZE(d3dkmt_querystatistics_adapter_information, 40);
DXG_ABI_SIZE(d3dkmt_querystatistics_memory, 16);
DXG_ABI_SIZE(d3dkmt_querystatistics_segment_information, 112);
DXG_ABI_SIZE(d3dkmt_querystatistics_system_memory, 72);
DXG_ABI_SIZE(d3dkmt_querystatistics_process_information, 80);
DXG_ABI_SIZE(d3dkmt_querystatistics_process_adapter_information, 16);
DXG_ABI_SIZE(d3dkmt_querystatistics_process_segment_information, 40);
DXG_ABI_SIZE(d3dkmt_querystatistics_process_node_information, 16);
DXG_ABI_SIZE(d3dkmt_querystatistics_node_information, 16);
DXG_ABI_SIZE(d3dkmt_drt_escape_head, 12);
DXG_ABI_SIZE(d3dkmt_ht_desc, 40);
DXG_ABI_SIZE(d3dkmdt_gdisurfacedata, 24);
DXG_ABI_SIZE(d3dkmt_querystatistics_result, 0x308);

DXG_ABI_SIZE(d3dkmt_adaptertype, 4);
DXG_ABI_SIZE(d3dkmt_wddm_2_7_caps, 4);
DXG_ABI_SIZE(d3dkmt_device_ids, 24);
DXG_ABI_SIZE(d3dkmt_query_device_ids, 28);
DXG_ABI_SIZE(d3dkmt_umdfilenameinfo, 4 + 2 * 260);
DXG_ABI_SIZE(d3dkmt_openglinfo, 2 * 260 + 8);
DXG_ABI_SIZE(d3dkmt_driver_description, 2 * 4096);
DXG_ABI_SIZE(d3dkmt_segmentsizeinfo, 24);
DXG_ABI_SIZE(d3dkmt_segmentgroupsizeinfo, 56);
DXG_ABI_SIZE(d3dkmt_adapteraddress, 12);
DXG_ABI_SIZE(d3dkmt_adapterregistryinfo, 4 * 2 * 260);
DXG_ABI_SIZE(d3dkmt_query_adapter_unique_guid, 80);
DXG_ABI_SIZE(d3dkmt_umd_driver_version, 8);
DXG_ABI_SIZE(d3dkmt_kmd_driver_version, 8);
DXG_ABI_SIZE(d3dkmt_physical_adapter_count, 4);
DXG_ABI_SIZE(dxgk_isfeatureenabled_result, 4);

/* ------------------------------------------------------------------------ */
/* Member offsets                                                            */
/* ------------------------------------------------------------------------ */

/* Adapter enumeration and opening. */
DXG_ABI_OFFSET(d3dkmt_adapterinfo, adapter_handle, 0);
DXG_ABI_OFFSET(d3dkmt_adapterinfo, adapter_luid, 4);
DXG_ABI_OFFSET(d3dkmt_adapterinfo, num_sources, 12);
DXG_ABI_OFFSET(d3dkmt_adapterinfo, present_move_regions_preferred, 16);

DXG_ABI_OFFSET(d3dkmt_enumadapters2, num_adapters, 0);
DXG_ABI_OFFSET(d3dkmt_enumadapters2, adapters, 8);

DXG_ABI_OFFSET(d3dkmt_enumadapters3, filter, 0);
DXG_ABI_OFFSET(d3dkmt_enumadapters3, adapter_count, 8);
DXG_ABI_OFFSET(d3dkmt_enumadapters3, adapters, 16);

DXG_ABI_OFFSET(d3dkmt_openadapterfromluid, adapter_luid, 0);
DXG_ABI_OFFSET(d3dkmt_openadapterfromluid, adapter_handle, 8);

DXG_ABI_OFFSET(d3dkmt_closeadapter, adapter_handle, 0);

/* Devices and contexts. */
DXG_ABI_OFFSET(d3dkmt_createdevice, adapter, 0);
DXG_ABI_OFFSET(d3dkmt_createdevice, flags, 8);
DXG_ABI_OFFSET(d3dkmt_createdevice, device, 12);
DXG_ABI_OFFSET(d3dkmt_createdevice, command_buffer, 16);
DXG_ABI_OFFSET(d3dkmt_createdevice, allocation_list, 32);
DXG_ABI_OFFSET(d3dkmt_createdevice, patch_location_list, 48);

DXG_ABI_OFFSET(d3dkmt_createcontext, context, 32);
DXG_ABI_OFFSET(d3dkmt_createcontext, command_buffer, 40);
DXG_ABI_OFFSET(d3dkmt_createcontext, obsolete, 88);

DXG_ABI_OFFSET(d3dkmt_createcontextvirtual, device, 0);
DXG_ABI_OFFSET(d3dkmt_createcontextvirtual, node_ordinal, 4);
DXG_ABI_OFFSET(d3dkmt_createcontextvirtual, engine_affinity, 8);
DXG_ABI_OFFSET(d3dkmt_createcontextvirtual, flags, 12);
DXG_ABI_OFFSET(d3dkmt_createcontextvirtual, priv_drv_data, 16);
DXG_ABI_OFFSET(d3dkmt_createcontextvirtual, priv_drv_data_size, 24);
DXG_ABI_OFFSET(d3dkmt_createcontextvirtual, client_hint, 28);
DXG_ABI_OFFSET(d3dkmt_createcontextvirtual, context, 32);

DXG_ABI_OFFSET(d3dkmt_createhwcontext, priv_drv_data, 24);
DXG_ABI_OFFSET(d3dkmt_createhwcontext, context, 32);

DXG_ABI_OFFSET(d3dkmt_createhwqueue, priv_drv_data, 16);
DXG_ABI_OFFSET(d3dkmt_createhwqueue, queue, 24);
DXG_ABI_OFFSET(d3dkmt_createhwqueue, queue_progress_fence, 28);
DXG_ABI_OFFSET(d3dkmt_createhwqueue, queue_progress_fence_cpu_va, 32);
DXG_ABI_OFFSET(d3dkmt_createhwqueue, queue_progress_fence_gpu_va, 40);

DXG_ABI_OFFSET(d3dkmt_createpagingqueue, paging_queue, 8);
DXG_ABI_OFFSET(d3dkmt_createpagingqueue, sync_object, 12);
DXG_ABI_OFFSET(d3dkmt_createpagingqueue, fence_cpu_virtual_address, 16);
DXG_ABI_OFFSET(d3dkmt_createpagingqueue, physical_adapter_index, 24);

/* Adapter information. */
DXG_ABI_OFFSET(d3dkmt_queryadapterinfo, adapter, 0);
DXG_ABI_OFFSET(d3dkmt_queryadapterinfo, type, 4);
DXG_ABI_OFFSET(d3dkmt_queryadapterinfo, private_data, 8);
DXG_ABI_OFFSET(d3dkmt_queryadapterinfo, private_data_size, 16);

DXG_ABI_OFFSET(d3dkmt_query_device_ids, device_ids, 4);
DXG_ABI_OFFSET(d3dkmt_umdfilenameinfo, umd_file_name, 4);
DXG_ABI_OFFSET(d3dkmt_segmentgroupsizeinfo, legacy_info, 8);
DXG_ABI_OFFSET(d3dkmt_segmentgroupsizeinfo, local_memory, 32);

DXG_ABI_OFFSET(d3dkmt_queryvideomemoryinfo, adapter, 8);
DXG_ABI_OFFSET(d3dkmt_queryvideomemoryinfo, budget, 16);
DXG_ABI_OFFSET(d3dkmt_queryvideomemoryinfo, physical_adapter_index, 48);

DXG_ABI_OFFSET(d3dkmt_escape, type, 8);
DXG_ABI_OFFSET(d3dkmt_escape, priv_drv_data, 16);
DXG_ABI_OFFSET(d3dkmt_escape, context, 28);

DXG_ABI_OFFSET(d3dkmt_getdevicestate, execution_state, 8);
DXG_ABI_OFFSET(d3dkmt_getdevicestate, present_state_dwm, 8);

/* Allocations. */
DXG_ABI_OFFSET(d3dddi_allocationinfo2, allocation, 0);
DXG_ABI_OFFSET(d3dddi_allocationinfo2, sysmem, 8);
DXG_ABI_OFFSET(d3dddi_allocationinfo2, priv_drv_data, 16);
DXG_ABI_OFFSET(d3dddi_allocationinfo2, priv_drv_data_size, 24);
DXG_ABI_OFFSET(d3dddi_allocationinfo2, vidpn_source_id, 28);
DXG_ABI_OFFSET(d3dddi_allocationinfo2, flags, 32);
DXG_ABI_OFFSET(d3dddi_allocationinfo2, gpu_virtual_address, 40);
DXG_ABI_OFFSET(d3dddi_allocationinfo2, priority, 48);
DXG_ABI_OFFSET(d3dddi_allocationinfo2, reserved2, 56);

DXG_ABI_OFFSET(d3dkmt_createallocation, resource, 4);
DXG_ABI_OFFSET(d3dkmt_createallocation, global_share, 8);
DXG_ABI_OFFSET(d3dkmt_createallocation, private_runtime_data, 16);
DXG_ABI_OFFSET(d3dkmt_createallocation, priv_drv_data, 32);
DXG_ABI_OFFSET(d3dkmt_createallocation, priv_drv_data_size, 40);
DXG_ABI_OFFSET(d3dkmt_createallocation, alloc_count, 44);
DXG_ABI_OFFSET(d3dkmt_createallocation, allocation_info, 48);
DXG_ABI_OFFSET(d3dkmt_createallocation, flags, 56);
DXG_ABI_OFFSET(d3dkmt_createallocation, private_runtime_resource_handle, 64);

DXG_ABI_OFFSET(d3dkmt_createstandardallocation, existing_heap_data, 8);
DXG_ABI_OFFSET(d3dkmt_createstandardallocation, flags, 16);

DXG_ABI_OFFSET(d3dkmt_destroyallocation2, allocations, 8);
DXG_ABI_OFFSET(d3dkmt_destroyallocation2, flags, 20);

DXG_ABI_OFFSET(d3dddi_openallocationinfo2, priv_drv_data, 8);
DXG_ABI_OFFSET(d3dddi_openallocationinfo2, priv_drv_data_size, 16);
DXG_ABI_OFFSET(d3dddi_openallocationinfo2, gpu_va, 24);
DXG_ABI_OFFSET(d3dddi_openallocationinfo2, reserved2, 32);

DXG_ABI_OFFSET(d3dkmt_lock2, data, 16);

/* Residency and GPU virtual addresses. */
DXG_ABI_OFFSET(d3dddi_makeresident, allocation_list, 8);
DXG_ABI_OFFSET(d3dddi_makeresident, priority_list, 16);
DXG_ABI_OFFSET(d3dddi_makeresident, flags, 24);
DXG_ABI_OFFSET(d3dddi_makeresident, paging_fence_value, 32);
DXG_ABI_OFFSET(d3dddi_makeresident, num_bytes_to_trim, 40);

DXG_ABI_OFFSET(d3dkmt_evict, num_bytes_to_trim, 24);

DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, base_address, 8);
DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, allocation, 32);
DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, offset_in_pages, 40);
DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, protection, 56);
DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, driver_protection, 64);
DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, reserved0, 72);
DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, reserved1, 80);
DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, virtual_address, 88);
DXG_ABI_OFFSET(d3dddi_mapgpuvirtualaddress, paging_fence_value, 96);

DXG_ABI_OFFSET(d3dddi_reservegpuvirtualaddress, base_address, 8);
DXG_ABI_OFFSET(d3dddi_reservegpuvirtualaddress, size, 32);
DXG_ABI_OFFSET(d3dddi_reservegpuvirtualaddress, reservation_type, 40);
DXG_ABI_OFFSET(d3dddi_reservegpuvirtualaddress, driver_protection, 48);
DXG_ABI_OFFSET(d3dddi_reservegpuvirtualaddress, virtual_address, 56);
DXG_ABI_OFFSET(d3dddi_reservegpuvirtualaddress, paging_fence_value, 64);

DXG_ABI_OFFSET(d3dddi_updategpuvirtualaddress_operation, map, 8);
DXG_ABI_OFFSET(d3dkmt_updategpuvirtualaddress, operations, 16);
DXG_ABI_OFFSET(d3dkmt_updategpuvirtualaddress, fence_value, 40);
DXG_ABI_OFFSET(d3dkmt_updategpuvirtualaddress, flags, 48);

DXG_ABI_OFFSET(d3dddi_updateallocproperty, paging_fence_value, 24);
DXG_ABI_OFFSET(d3dddi_updateallocproperty, property_mask_value, 32);

/* Synchronization objects. */
DXG_ABI_OFFSET(d3dddi_synchronizationobjectinfo2, flags, 4);
DXG_ABI_OFFSET(d3dddi_synchronizationobjectinfo2, monitored_fence, 8);
DXG_ABI_OFFSET(d3dddi_synchronizationobjectinfo2, shared_handle, 72);
DXG_ABI_OFFSET(d3dkmt_createsynchronizationobject2, info, 8);
DXG_ABI_OFFSET(d3dkmt_createsynchronizationobject2, sync_object, 88);

DXG_ABI_OFFSET(d3dkmt_waitforsynchronizationobject2, object_array, 8);
DXG_ABI_OFFSET(d3dkmt_waitforsynchronizationobject2, fence, 136);

DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobject2, flags, 136);
DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobject2, context_count, 140);
DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobject2, contexts, 144);
DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobject2, fence, 400);

DXG_ABI_OFFSET(d3dkmt_waitforsynchronizationobjectfromcpu, objects, 8);
DXG_ABI_OFFSET(d3dkmt_waitforsynchronizationobjectfromcpu, fence_values, 16);
DXG_ABI_OFFSET(d3dkmt_waitforsynchronizationobjectfromcpu, async_event, 24);
DXG_ABI_OFFSET(d3dkmt_waitforsynchronizationobjectfromcpu, flags, 32);

DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobjectfromcpu, flags, 24);
DXG_ABI_OFFSET(d3dkmt_waitforsynchronizationobjectfromgpu, fence_value, 16);
DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobjectfromgpu, monitored_fence_values, 16);
DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobjectfromgpu2, flags, 16);
DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobjectfromgpu2, contexts, 24);
DXG_ABI_OFFSET(d3dkmt_signalsynchronizationobjectfromgpu2, fence_value, 32);

DXG_ABI_OFFSET(d3dkmt_opensyncobjectfromnthandle2, device, 8);
DXG_ABI_OFFSET(d3dkmt_opensyncobjectfromnthandle2, sync_object, 16);
DXG_ABI_OFFSET(d3dkmt_opensyncobjectfromnthandle2, monitored_fence, 24);

/* Submission. */
DXG_ABI_OFFSET(d3dkmt_submitcommand, command_length, 8);
DXG_ABI_OFFSET(d3dkmt_submitcommand, present_history_token, 16);
DXG_ABI_OFFSET(d3dkmt_submitcommand, broadcast_context_count, 24);
DXG_ABI_OFFSET(d3dkmt_submitcommand, broadcast_context, 28);
DXG_ABI_OFFSET(d3dkmt_submitcommand, priv_drv_data, 288);
DXG_ABI_OFFSET(d3dkmt_submitcommand, num_primaries, 300);
DXG_ABI_OFFSET(d3dkmt_submitcommand, written_primaries, 304);
DXG_ABI_OFFSET(d3dkmt_submitcommand, num_history_buffers, 368);
DXG_ABI_OFFSET(d3dkmt_submitcommand, history_buffer_array, 376);

DXG_ABI_OFFSET(d3dkmt_submitcommandtohwqueue, hwqueue_progress_fence_id, 8);
DXG_ABI_OFFSET(d3dkmt_submitcommandtohwqueue, command_buffer, 16);
DXG_ABI_OFFSET(d3dkmt_submitcommandtohwqueue, priv_drv_data, 32);
DXG_ABI_OFFSET(d3dkmt_submitcommandtohwqueue, written_primaries, 48);

DXG_ABI_OFFSET(d3dkmt_submitsignalsyncobjectstohwqueue, objects, 24);
DXG_ABI_OFFSET(d3dkmt_submitsignalsyncobjectstohwqueue, fence_values, 32);

DXG_ABI_OFFSET(d3dkmt_render, new_command_buffer, 24);
DXG_ABI_OFFSET(d3dkmt_render, flags, 68);
DXG_ABI_OFFSET(d3dkmt_render, present_history_token, 72);
DXG_ABI_OFFSET(d3dkmt_render, broadcast_context, 84);
DXG_ABI_OFFSET(d3dkmt_render, queued_buffer_count, 340);
DXG_ABI_OFFSET(d3dkmt_render, obsolete, 344);
DXG_ABI_OFFSET(d3dkmt_render, priv_drv_data, 352);

/* Offer / reclaim / priorities. */
DXG_ABI_OFFSET(d3dkmt_offerallocations, allocation_count, 24);
DXG_ABI_OFFSET(d3dkmt_offerallocations, flags, 32);
DXG_ABI_OFFSET(d3dkmt_reclaimallocations2, results, 24);
DXG_ABI_OFFSET(d3dkmt_reclaimallocations2, paging_fence_value, 32);
DXG_ABI_OFFSET(d3dkmt_setallocationpriority, priorities, 24);
DXG_ABI_OFFSET(d3dkmt_queryallocationresidency, residency_status, 24);

/* Clock calibration (byte packed). */
DXG_ABI_OFFSET(d3dkmt_queryclockcalibration, clock_data, 12);
DXG_ABI_OFFSET(dxgk_gpuclockdata, flags, 24);
DXG_ABI_OFFSET(d3dkmt_querystatistics_adapter_information, zero_length_dma_buffers, 24);
DXG_ABI_OFFSET(d3dkmt_querystatistics_segment_information, memory, 24);
DXG_ABI_OFFSET(d3dkmt_querystatistics_segment_information, aperture, 40);
DXG_ABI_OFFSET(d3dkmt_querystatistics_segment_information,
	       total_bytes_evicted_by_priority, 48);
DXG_ABI_OFFSET(d3dkmt_querystatistics_segment_information, segment_properties, 104);
DXG_ABI_OFFSET(d3dkmt_querystatistics_process_information, system_memory, 8);
DXG_ABI_OFFSET(d3dkmt_querystatistics_process_segment_information,
	       allocs_committed, 32);
DXG_ABI_OFFSET(d3dkmt_querystatistics_process_node_information,
	       context_switch, 8);

DXG_ABI_OFFSET(d3dkmt_getsharedresourceadapterluid, handle, 8);
DXG_ABI_OFFSET(d3dkmt_getsharedresourceadapterluid, adapter_luid, 16);

/* Shared resources. */
DXG_ABI_OFFSET(d3dkmt_openresource, open_alloc_info, 16);
DXG_ABI_OFFSET(d3dkmt_openresource, private_runtime_data, 24);
DXG_ABI_OFFSET(d3dkmt_openresource, resource_priv_drv_data, 40);
DXG_ABI_OFFSET(d3dkmt_openresource, total_priv_drv_data, 56);
DXG_ABI_OFFSET(d3dkmt_openresource, resource, 68);

DXG_ABI_OFFSET(d3dkmt_openresourcefromnthandle, nt_handle, 8);
DXG_ABI_OFFSET(d3dkmt_openresourcefromnthandle, open_alloc_info, 24);
DXG_ABI_OFFSET(d3dkmt_openresourcefromnthandle, private_runtime_data, 40);
DXG_ABI_OFFSET(d3dkmt_openresourcefromnthandle, resource_priv_drv_data, 56);
DXG_ABI_OFFSET(d3dkmt_openresourcefromnthandle, total_priv_drv_data, 72);
DXG_ABI_OFFSET(d3dkmt_openresourcefromnthandle, resource, 80);
DXG_ABI_OFFSET(d3dkmt_openresourcefromnthandle, keyed_mutex_private_data, 88);
DXG_ABI_OFFSET(d3dkmt_openresourcefromnthandle, sync_object, 100);

DXG_ABI_OFFSET(d3dkmt_queryresourceinfofromnthandle, private_runtime_data, 16);
DXG_ABI_OFFSET(d3dkmt_queryresourceinfofromnthandle, allocation_count, 36);

DXG_ABI_OFFSET(d3dkmt_shareobjects, objects, 8);
DXG_ABI_OFFSET(d3dkmt_shareobjects, desired_access, 24);
DXG_ABI_OFFSET(d3dkmt_shareobjects, shared_handle, 32);

DXG_ABI_OFFSET(d3dkmt_shareobjectwithhost, object_vail_nt_handle, 16);

/* Statistics. */
DXG_ABI_OFFSET(d3dkmt_querystatistics, adapter_luid, 4);
DXG_ABI_OFFSET(d3dkmt_querystatistics, process, 16);
DXG_ABI_OFFSET(d3dkmt_querystatistics, result, 24);
DXG_ABI_OFFSET(d3dkmt_querystatistics, query, 800);

/* Sync files, processes, features. */
DXG_ABI_OFFSET(d3dkmt_createsyncfile, fence_value, 8);
DXG_ABI_OFFSET(d3dkmt_createsyncfile, sync_file_handle, 16);
DXG_ABI_OFFSET(d3dkmt_waitsyncfile, context, 8);
DXG_ABI_OFFSET(d3dkmt_opensyncobjectfromsyncfile, device, 8);
DXG_ABI_OFFSET(d3dkmt_opensyncobjectfromsyncfile, syncobj, 12);
DXG_ABI_OFFSET(d3dkmt_opensyncobjectfromsyncfile, fence_value, 16);
DXG_ABI_OFFSET(d3dkmt_opensyncobjectfromsyncfile, fence_value_cpu_va, 24);
DXG_ABI_OFFSET(d3dkmt_opensyncobjectfromsyncfile, fence_value_gpu_va, 32);
DXG_ABI_OFFSET(d3dkmt_enumprocesses, buffer, 8);
DXG_ABI_OFFSET(d3dkmt_enumprocesses, buffer_count, 16);
DXG_ABI_OFFSET(d3dkmt_isfeatureenabled, feature_id, 4);
DXG_ABI_OFFSET(d3dkmt_isfeatureenabled, result, 8);
DXG_ABI_OFFSET(dxgk_isfeatureenabled_result, value, 2);

/* ------------------------------------------------------------------------ */
/* Enumerator values that travel through the ABI                             */
/* ------------------------------------------------------------------------ */

DXG_ABI_ASSERT(KMTQAITYPE_UMDRIVERPRIVATE == 0, "dxg ABI: KMTQAITYPE value");
DXG_ABI_ASSERT(KMTQAITYPE_UMDRIVERNAME == 1, "dxg ABI: KMTQAITYPE value");
DXG_ABI_ASSERT(KMTQAITYPE_DRIVERVERSION == 13, "dxg ABI: KMTQAITYPE value");
DXG_ABI_ASSERT(KMTQAITYPE_ADAPTERTYPE == 15, "dxg ABI: KMTQAITYPE value");
DXG_ABI_ASSERT(KMTQAITYPE_PHYSICALADAPTERDEVICEIDS == 31,
	       "dxg ABI: KMTQAITYPE value");
DXG_ABI_ASSERT(KMTQAITYPE_ADAPTERTYPE_RENDER == 57, "dxg ABI: KMTQAITYPE value");
DXG_ABI_ASSERT(KMTQAITYPE_DRIVER_DESCRIPTION == 65, "dxg ABI: KMTQAITYPE value");
DXG_ABI_ASSERT(KMTQAITYPE_WDDM_2_7_CAPS == 70, "dxg ABI: KMTQAITYPE value");
DXG_ABI_ASSERT(D3DDDI_MONITORED_FENCE == 5, "dxg ABI: sync object type value");
DXG_ABI_ASSERT(D3DKMT_STANDARDALLOCATIONTYPE_CROSSADAPTER == 2,
	       "dxg ABI: standard allocation type value");
DXG_ABI_ASSERT(D3DKMT_ADAPTERTYPE_COMPUTE_ONLY == (1u << 11),
	       "dxg ABI: adapter type bit");
DXG_ABI_ASSERT(D3DKMT_ADAPTERTYPE_PARAVIRTUALIZED == (1u << 7),
	       "dxg ABI: adapter type bit");
DXG_ABI_ASSERT(DXGK_FEATURE_PAGE_BASED_MEMORY_MANAGER == 32,
	       "dxg ABI: feature id value");

#endif /* _DXG_ABI_CHECK_H */
