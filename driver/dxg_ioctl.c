// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/dxg ioctl dispatcher.
 *
 * One table, indexed by ioctl number, holds the full request word of every
 * D3DKMT ioctl (WSL2's ABI: the size bits are part of the contract) and
 * the handler, or NULL where opendxg does not implement it yet.  The
 * dispatcher refuses with -ENOTTY a number outside 1..LX_IO_MAX, a request
 * word that differs from the table's in any bit, and a caller outside the
 * thread group that opened the file (user space relies on it after fork),
 * and the 8 slots the reference refuses the same way; a valid request
 * without a handler yet gets -EOPNOTSUPP.  It copies the
 * argument block in, runs the handler on the kernel copy and copies it
 * back out when the handler succeeded (0 or a positive NTSTATUS, which is
 * returned unchanged), or, for the ones marked so, failed with
 * -EOVERFLOW.  Handlers never touch the user's argument block.
 */

#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"
/* Every ABI struct size, offset and request word, checked at build time. */
#include "dxg/abi_check.h"

struct dxg_ioctl_desc {
	unsigned int cmd;
	const char *name;
	int (*handler)(struct dxg_process *p, void *arg);
	bool refused;		/* the reference's -ENOTTY */
	bool out_on_overflow;	/* copy the block out on -EOVERFLOW too */
};

#define DXG_IOCTL(req, fn) \
	[_IOC_NR(req)] = { .cmd = (req), .name = #req, .handler = (fn) }
/* Its count goes back with -EOVERFLOW (EnumProcesses, as the reference). */
#define DXG_IOCTL_OVF(req, fn) \
	[_IOC_NR(req)] = { .cmd = (req), .name = #req, .handler = (fn), \
			   .out_on_overflow = true }
/*
 * The 8 slots the reference leaves without a handler (facts §1.3): user
 * space (libdxg) may issue them and expects the reference's -ENOTTY.
 */
#define DXG_IOCTL_REFUSED(req) \
	[_IOC_NR(req)] = { .cmd = (req), .name = #req, .refused = true }

static const struct dxg_ioctl_desc dxg_ioctls[LX_IO_MAX + 1] = {
	DXG_IOCTL(LX_DXOPENADAPTERFROMLUID, dxg_ioctl_open_adapter_from_luid),
	DXG_IOCTL(LX_DXCREATEDEVICE, dxg_ioctl_create_device),
	DXG_IOCTL_REFUSED(LX_DXCREATECONTEXT),
	DXG_IOCTL(LX_DXCREATECONTEXTVIRTUAL, dxg_ioctl_create_context_virtual),
	DXG_IOCTL(LX_DXDESTROYCONTEXT, dxg_ioctl_destroy_context),
	DXG_IOCTL(LX_DXCREATEALLOCATION, dxg_ioctl_create_allocation),
	DXG_IOCTL(LX_DXCREATEPAGINGQUEUE, dxg_ioctl_create_paging_queue),
	DXG_IOCTL(LX_DXRESERVEGPUVIRTUALADDRESS, dxg_ioctl_reserve_gpu_va),
	DXG_IOCTL(LX_DXQUERYADAPTERINFO, dxg_ioctl_query_adapter_info),
	DXG_IOCTL(LX_DXQUERYVIDEOMEMORYINFO,
		  dxg_ioctl_query_video_memory_info),
	DXG_IOCTL(LX_DXMAKERESIDENT, dxg_ioctl_make_resident),
	DXG_IOCTL(LX_DXMAPGPUVIRTUALADDRESS, dxg_ioctl_map_gpu_va),
	DXG_IOCTL(LX_DXESCAPE, dxg_ioctl_escape),
	DXG_IOCTL(LX_DXGETDEVICESTATE, dxg_ioctl_get_device_state),
	DXG_IOCTL(LX_DXSUBMITCOMMAND, dxg_ioctl_submit_command),
	DXG_IOCTL(LX_DXCREATESYNCHRONIZATIONOBJECT, dxg_ioctl_create_sync_object),
	DXG_IOCTL(LX_DXSIGNALSYNCHRONIZATIONOBJECT,
		  dxg_ioctl_signal_sync_object2),
	DXG_IOCTL(LX_DXWAITFORSYNCHRONIZATIONOBJECT,
		  dxg_ioctl_wait_sync_object2),
	DXG_IOCTL(LX_DXDESTROYALLOCATION2, dxg_ioctl_destroy_allocation2),
	DXG_IOCTL(LX_DXENUMADAPTERS2, dxg_ioctl_enum_adapters2),
	DXG_IOCTL(LX_DXCLOSEADAPTER, dxg_ioctl_close_adapter),
	DXG_IOCTL(LX_DXCHANGEVIDEOMEMORYRESERVATION,
		  dxg_ioctl_change_vidmem_reservation),
	DXG_IOCTL_REFUSED(LX_DXCREATEHWCONTEXT),
	DXG_IOCTL(LX_DXCREATEHWQUEUE, dxg_ioctl_create_hwqueue),
	DXG_IOCTL(LX_DXDESTROYDEVICE, dxg_ioctl_destroy_device),
	DXG_IOCTL_REFUSED(LX_DXDESTROYHWCONTEXT),
	DXG_IOCTL(LX_DXDESTROYHWQUEUE, dxg_ioctl_destroy_hwqueue),
	DXG_IOCTL(LX_DXDESTROYPAGINGQUEUE, dxg_ioctl_destroy_paging_queue),
	DXG_IOCTL(LX_DXDESTROYSYNCHRONIZATIONOBJECT, dxg_ioctl_destroy_sync_object),
	DXG_IOCTL(LX_DXEVICT, dxg_ioctl_evict),
	DXG_IOCTL(LX_DXFLUSHHEAPTRANSITIONS, dxg_ioctl_flush_heap_transitions),
	DXG_IOCTL(LX_DXFREEGPUVIRTUALADDRESS, dxg_ioctl_free_gpu_va),
	DXG_IOCTL(LX_DXGETCONTEXTINPROCESSSCHEDULINGPRIORITY,
		  dxg_ioctl_get_context_inproc_priority),
	DXG_IOCTL(LX_DXGETCONTEXTSCHEDULINGPRIORITY,
		  dxg_ioctl_get_context_priority),
	DXG_IOCTL_REFUSED(LX_DXGETSHAREDRESOURCEADAPTERLUID),
	DXG_IOCTL(LX_DXINVALIDATECACHE, dxg_ioctl_invalidate_cache),
	DXG_IOCTL(LX_DXLOCK2, dxg_ioctl_lock2),
	DXG_IOCTL(LX_DXMARKDEVICEASERROR, dxg_ioctl_mark_device_as_error),
	DXG_IOCTL(LX_DXOFFERALLOCATIONS, dxg_ioctl_offer_allocations),
	DXG_IOCTL_REFUSED(LX_DXOPENRESOURCE),
	DXG_IOCTL_REFUSED(LX_DXOPENSYNCHRONIZATIONOBJECT),
	DXG_IOCTL(LX_DXQUERYALLOCATIONRESIDENCY,
		  dxg_ioctl_query_allocation_residency),
	DXG_IOCTL_REFUSED(LX_DXQUERYRESOURCEINFO),
	DXG_IOCTL(LX_DXRECLAIMALLOCATIONS2, dxg_ioctl_reclaim_allocations2),
	DXG_IOCTL_REFUSED(LX_DXRENDER),
	DXG_IOCTL(LX_DXSETALLOCATIONPRIORITY,
		  dxg_ioctl_set_allocation_priority),
	DXG_IOCTL(LX_DXSETCONTEXTINPROCESSSCHEDULINGPRIORITY,
		  dxg_ioctl_set_context_inproc_priority),
	DXG_IOCTL(LX_DXSETCONTEXTSCHEDULINGPRIORITY,
		  dxg_ioctl_set_context_priority),
	DXG_IOCTL(LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMCPU, dxg_ioctl_signal_from_cpu),
	DXG_IOCTL(LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU, dxg_ioctl_signal_from_gpu),
	DXG_IOCTL(LX_DXSIGNALSYNCHRONIZATIONOBJECTFROMGPU2,
		  dxg_ioctl_signal_from_gpu2),
	DXG_IOCTL(LX_DXSUBMITCOMMANDTOHWQUEUE,
		  dxg_ioctl_submit_command_to_hwqueue),
	DXG_IOCTL(LX_DXSUBMITSIGNALSYNCOBJECTSTOHWQUEUE,
		  dxg_ioctl_submit_signal_to_hwqueue),
	DXG_IOCTL(LX_DXSUBMITWAITFORSYNCOBJECTSTOHWQUEUE,
		  dxg_ioctl_submit_wait_to_hwqueue),
	DXG_IOCTL(LX_DXUNLOCK2, dxg_ioctl_unlock2),
	DXG_IOCTL(LX_DXUPDATEALLOCPROPERTY, dxg_ioctl_update_alloc_property),
	DXG_IOCTL(LX_DXUPDATEGPUVIRTUALADDRESS, dxg_ioctl_update_gpu_va),
	DXG_IOCTL(LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMCPU, dxg_ioctl_wait_from_cpu),
	DXG_IOCTL(LX_DXWAITFORSYNCHRONIZATIONOBJECTFROMGPU, dxg_ioctl_wait_from_gpu),
	DXG_IOCTL(LX_DXGETALLOCATIONPRIORITY,
		  dxg_ioctl_get_allocation_priority),
	DXG_IOCTL(LX_DXQUERYCLOCKCALIBRATION, dxg_ioctl_query_clock_calibration),
	DXG_IOCTL(LX_DXENUMADAPTERS3, dxg_ioctl_enum_adapters3),
	DXG_IOCTL(LX_DXSHAREOBJECTS, dxg_ioctl_share_objects),
	DXG_IOCTL(LX_DXOPENSYNCOBJECTFROMNTHANDLE2,
		  dxg_ioctl_open_syncobj_from_nt_handle2),
	DXG_IOCTL(LX_DXQUERYRESOURCEINFOFROMNTHANDLE,
		  dxg_ioctl_query_resource_info_from_nt_handle),
	DXG_IOCTL(LX_DXOPENRESOURCEFROMNTHANDLE,
		  dxg_ioctl_open_resource_from_nt_handle),
	DXG_IOCTL(LX_DXQUERYSTATISTICS, dxg_ioctl_query_statistics),
	DXG_IOCTL(LX_DXSHAREOBJECTWITHHOST,
		  dxg_ioctl_share_object_with_host),
	DXG_IOCTL(LX_DXCREATESYNCFILE, dxg_ioctl_create_sync_file),
	DXG_IOCTL(LX_DXWAITSYNCFILE, dxg_ioctl_wait_sync_file),
	DXG_IOCTL(LX_DXOPENSYNCOBJECTFROMSYNCFILE,
		  dxg_ioctl_open_syncobj_from_sync_file),
	DXG_IOCTL_OVF(LX_DXENUMPROCESSES, dxg_ioctl_enum_processes),
	DXG_IOCTL(LX_ISFEATUREENABLED, dxg_ioctl_is_feature_enabled),
};

/* Argument blocks up to this size are copied to the stack. */
#define DXG_IOCTL_STACK_ARG	128

long dxg_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct dxg_process *p = f->private_data;
	u64 stack_buf[DXG_IOCTL_STACK_ARG / sizeof(u64)];
	void __user *uarg = (void __user *)arg;
	const struct dxg_ioctl_desc *d;
	unsigned int nr = _IOC_NR(cmd);
	unsigned int size;
	void *buf;
	int ret;

	if (nr < 1 || nr > LX_IO_MAX)
		return -ENOTTY;
	d = &dxg_ioctls[array_index_nospec(nr, LX_IO_MAX + 1)];
	if (cmd != d->cmd)
		return -ENOTTY;
	if (task_tgid(current) != p->tgid || d->refused)
		return -ENOTTY;
	if (!d->handler)
		return -EOPNOTSUPP;
	if (dxg_registry_empty())
		return -ENODEV;

	size = _IOC_SIZE(cmd);
	if (size <= sizeof(stack_buf)) {
		buf = stack_buf;
	} else {
		buf = kmalloc(size, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
	}
	if (copy_from_user(buf, uarg, size)) {
		ret = -EFAULT;
		goto out;
	}
	ret = d->handler(p, buf);
	if ((ret >= 0 || (ret == -EOVERFLOW && d->out_on_overflow)) &&
	    copy_to_user(uarg, buf, size))
		ret = -EFAULT;
	if (ret < 0)
		pr_debug("dxgkrnl: %s: %d\n", d->name, ret);
out:
	if (buf != stack_buf)
		kfree(buf);
	return ret;
}
