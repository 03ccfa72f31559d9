// SPDX-License-Identifier: GPL-2.0
/*
 * Residency and memory management ioctls: OfferAllocations,
 * ReclaimAllocations2, Set/GetAllocationPriority,
 * QueryAllocationResidency, UpdateAllocationProperty,
 * ChangeVideoMemoryReservation, FlushHeapTransitions and InvalidateCache.
 * The host decides what an offer means (docs/memory.md §10); the guest
 * bounds every count, copies every user array in once before it is sent,
 * checks every handle against the caller's table and copies results out
 * only after the whole reply was checked.
 *
 * Locks: the device's lock (read) for the host round trip, as every
 * device ioctl (docs/driver.md); handle lookups take the table's lock
 * inside it.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"

/* Each handle a resource of @device. */
static int dxg_check_resources(struct dxg_process *p, struct dxg_device *device,
			       const d3dkmthandle *h, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		struct dxg_resource *r;
		bool ok;

		r = dxg_handle_get(&p->handles, DXG_OBJ_RESOURCE, h[i]);
		if (!r)
			return -EINVAL;
		ok = r->device == device;
		dxg_resource_put(r);
		if (!ok)
			return -EINVAL;
	}
	return 0;
}

/*
 * A message of @fixed bytes (whose first part the caller fills) followed by
 * @count handles copied from @uptr, each an allocation (or, with
 * @resources, a resource) of @device; @extra more bytes are left zeroed
 * after them.
 */
static void *dxg_handle_msg(struct dxg_process *p, struct dxg_device *device,
			    u32 fixed, u64 uptr, u32 count, bool resources,
			    u32 extra, u32 *len)
{
	d3dkmthandle *h;
	void *msg;
	int ret;

	if (!count || count > DXG_MAX_RESIDENCY)
		return ERR_PTR(-EINVAL);
	h = dxg_copy_handles(uptr, count);
	if (IS_ERR(h))
		return h;
	ret = resources ? dxg_check_resources(p, device, h, count) :
			  dxg_check_allocs(p, device, h, count);
	if (ret) {
		kvfree(h);
		return ERR_PTR(ret);
	}
	*len = fixed + count * sizeof(*h) + extra;
	msg = kvzalloc(*len, GFP_KERNEL);
	if (!msg) {
		kvfree(h);
		return ERR_PTR(-ENOMEM);
	}
	memcpy((u8 *)msg + fixed, h, count * sizeof(*h));
	kvfree(h);
	return msg;
}

/* Exactly one of the two lists (the reference's rule). */
static int dxg_one_list(u64 resources, u64 allocations)
{
	return !resources == !allocations ? -EINVAL : 0;
}

int dxg_ioctl_offer_allocations(struct dxg_process *p, void *arg)
{
	struct d3dkmt_offerallocations *args = arg;
	struct dxgkvmb_command_offerallocations *cmd;
	struct dxg_device *device;
	bool res = args->resources;
	u32 len;
	int ret;

	ret = dxg_one_list(args->resources, args->allocations);
	if (ret)
		return ret;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	cmd = dxg_handle_msg(p, device, sizeof(*cmd),
			     res ? args->resources : args->allocations,
			     args->allocation_count, res, 0, &len);
	if (IS_ERR(cmd)) {
		ret = PTR_ERR(cmd);
		goto out;
	}
	cmd->device = device->handle;
	cmd->allocation_count = args->allocation_count;
	cmd->priority = args->priority;
	cmd->flags = args->flags.value;
	cmd->resources = res;
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_OFFERALLOCATIONS, cmd,
			      len, NULL, 0);
	kvfree(cmd);
out:
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_reclaim_allocations2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_reclaimallocations2 *args = arg;
	struct dxgkvmb_command_reclaimallocations *cmd;
	struct dxgkvmb_command_reclaimallocations_ret *r = NULL;
	struct dxg_device *device;
	bool res = args->resources;
	u32 n = args->allocation_count, len, rlen;
	int ret;

	ret = dxg_one_list(args->resources, args->allocations);
	if (ret)
		return ret;
	device = dxg_pq_device_begin(p, args->paging_queue);
	if (IS_ERR(device))
		return PTR_ERR(device);
	cmd = dxg_handle_msg(p, device, sizeof(*cmd),
			     res ? args->resources : args->allocations, n, res,
			     0, &len);
	if (IS_ERR(cmd)) {
		ret = PTR_ERR(cmd);
		cmd = NULL;
		goto out;
	}
	rlen = sizeof(*r) + n * sizeof(u32);
	r = kvzalloc(rlen, GFP_KERNEL);
	if (!r) {
		ret = -ENOMEM;
		goto out;
	}
	cmd->device = device->handle;
	cmd->paging_queue = args->paging_queue;
	cmd->allocation_count = n;
	cmd->resources = res;
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_RECLAIMALLOCATIONS,
			      cmd, len, r, rlen);
	if (ret)
		goto out;
	if (r->status < 0) {
		ret = dxg_ntstatus_to_errno(r->status);
		goto out;
	}
	/* pResults / pDiscarded: one value per handle, when asked for. */
	if (args->results &&
	    copy_to_user(u64_to_user_ptr(args->results), r + 1,
			 n * sizeof(u32))) {
		ret = -EFAULT;
		goto out;
	}
	args->paging_fence_value = r->paging_fence_value;
	ret = r->status;
out:
	kvfree(r);
	kvfree(cmd);
	dxg_device_end(device);
	return ret;
}

/*
 * Set/GetAllocationPriority and QueryAllocationResidency have one layout:
 * a device, a resource or a list of allocations, and an array of values
 * (one for a resource).  SET sends the values; GET and QUERY return them.
 */
struct dxg_alloc_values_args {
	d3dkmthandle device;
	d3dkmthandle resource;
	__u64 allocations;
	__u32 allocation_count;
	__u32 reserved;
	__u64 values;
};

#define DXG_SAME_LIST(type, list, vals)					  \
	static_assert(sizeof(type) == sizeof(struct dxg_alloc_values_args) && \
		      offsetof(type, resource) ==			  \
		      offsetof(struct dxg_alloc_values_args, resource) && \
		      offsetof(type, list) ==				  \
		      offsetof(struct dxg_alloc_values_args, allocations) && \
		      offsetof(type, allocation_count) ==		  \
		      offsetof(struct dxg_alloc_values_args, allocation_count) && \
		      offsetof(type, vals) ==				  \
		      offsetof(struct dxg_alloc_values_args, values))
DXG_SAME_LIST(struct d3dkmt_setallocationpriority, allocation_list, priorities);
DXG_SAME_LIST(struct d3dkmt_getallocationpriority, allocation_list, priorities);
DXG_SAME_LIST(struct d3dkmt_queryallocationresidency, allocations,
	      residency_status);

static int dxg_alloc_values(struct dxg_process *p, void *arg, u32 type,
			    bool send)
{
	struct dxg_alloc_values_args *args = arg;
	struct dxgkvmb_command_allocationlist *cmd;
	struct dxgkvmb_command_allocvalues_ret *r = NULL;
	struct dxg_device *device;
	u32 n, len, rlen;
	int ret;

	if (!args->values)
		return -EINVAL;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	if (args->resource) {
		/* One value for all of the resource's allocations. */
		if (args->allocation_count || args->allocations) {
			ret = -EINVAL;
			goto out_dev;
		}
		ret = dxg_check_resources(p, device, &args->resource, 1);
		if (ret)
			goto out_dev;
		n = 1;
		len = sizeof(*cmd) + (send ? sizeof(u32) : 0);
		cmd = kvzalloc(len, GFP_KERNEL);
		if (!cmd) {
			ret = -ENOMEM;
			goto out_dev;
		}
	} else {
		n = args->allocation_count;
		cmd = dxg_handle_msg(p, device, sizeof(*cmd), args->allocations,
				     n, false, send ? n * sizeof(u32) : 0, &len);
		if (IS_ERR(cmd)) {
			ret = PTR_ERR(cmd);
			goto out_dev;
		}
	}
	cmd->device = device->handle;
	cmd->resource = args->resource;
	cmd->allocation_count = args->resource ? 0 : n;
	if (send) {
		/* The values go last: copied in once, checked by the host. */
		if (copy_from_user((u8 *)cmd + len - n * sizeof(u32),
				   u64_to_user_ptr(args->values),
				   n * sizeof(u32))) {
			ret = -EFAULT;
			goto out;
		}
		ret = dxg_device_call(p, device, type, cmd, len, NULL, 0);
		goto out;
	}
	rlen = sizeof(*r) + n * sizeof(u32);
	r = kvzalloc(rlen, GFP_KERNEL);
	if (!r) {
		ret = -ENOMEM;
		goto out;
	}
	ret = dxg_device_call(p, device, type, cmd, len, r, rlen);
	if (ret)
		goto out;
	if (r->status < 0) {
		ret = dxg_ntstatus_to_errno(r->status);
		goto out;
	}
	if (r->count != n) {		/* not the reply asked for */
		ret = -EPROTO;
		goto out;
	}
	if (copy_to_user(u64_to_user_ptr(args->values), r + 1,
			 n * sizeof(u32)))
		ret = -EFAULT;
out:
	kvfree(r);
	kvfree(cmd);
out_dev:
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_set_allocation_priority(struct dxg_process *p, void *arg)
{
	return dxg_alloc_values(p, arg, DXGK_VMBCOMMAND_SETALLOCATIONPRIORITY,
				true);
}

int dxg_ioctl_get_allocation_priority(struct dxg_process *p, void *arg)
{
	return dxg_alloc_values(p, arg, DXGK_VMBCOMMAND_GETALLOCATIONPRIORITY,
				false);
}

int dxg_ioctl_query_allocation_residency(struct dxg_process *p, void *arg)
{
	return dxg_alloc_values(p, arg,
				DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY, false);
}

int dxg_ioctl_update_alloc_property(struct dxg_process *p, void *arg)
{
	struct d3dddi_updateallocproperty *args = arg;
	struct dxgkvmb_command_updateallocationproperty cmd = { .args = *args };
	struct dxgkvmb_command_updateallocationproperty_ret r = { 0 };
	int ret;

	ret = dxg_pq_alloc_call(p, args->paging_queue, args->allocation,
				DXGK_VMBCOMMAND_UPDATEALLOCATIONPROPERTY, &cmd,
				sizeof(cmd), &cmd.device, &r, sizeof(r),
				&r.status);
	if (ret >= 0)
		args->paging_fence_value = r.paging_fence_value;
	return ret;
}

/* Adapter handles only: these two do not take a paging queue's. */
static bool dxg_is_adapter(struct dxg_process *p, d3dkmthandle h)
{
	struct dxg_adapter *a = dxg_handle_get(&p->handles, DXG_OBJ_ADAPTER, h);

	if (!a)
		return false;
	dxg_adapter_put(a);
	return true;
}

int dxg_ioctl_change_vidmem_reservation(struct dxg_process *p, void *arg)
{
	struct d3dkmt_changevideomemoryreservation *args = arg;
	struct dxgkvmb_command_changevideomemoryreservation cmd = {
		.memory_segment_group = args->memory_segment_group,
		.reservation = args->reservation,
		.physical_adapter_index = args->physical_adapter_index,
	};

	if (args->process)	/* no cross-process reservations */
		return -EINVAL;
	if (args->memory_segment_group > D3DKMT_MEMORY_SEGMENT_GROUP_NON_LOCAL)
		return -EINVAL;
	if (!dxg_is_adapter(p, args->adapter))
		return -EINVAL;
	return dxg_va_adapter_call(p, args->adapter,
				   DXGK_VMBCOMMAND_CHANGEVIDEOMEMORYRESERVATION,
				   &cmd, sizeof(cmd), &cmd.adapter, NULL, 0);
}

int dxg_ioctl_flush_heap_transitions(struct dxg_process *p, void *arg)
{
	struct d3dkmt_flushheaptransitions *args = arg;
	struct dxgkvmb_command_flushheaptransitions cmd = { };

	if (!dxg_is_adapter(p, args->adapter))
		return -EINVAL;
	return dxg_va_adapter_call(p, args->adapter,
				   DXGK_VMBCOMMAND_FLUSHHEAPTRANSITIONS, &cmd,
				   sizeof(cmd), &cmd.adapter, NULL, 0);
}

int dxg_ioctl_invalidate_cache(struct dxg_process *p, void *arg)
{
	struct d3dkmt_invalidatecache *args = arg;
	struct dxgkvmb_command_invalidatecache cmd = {
		.allocation = args->allocation,
		.offset = args->offset,
		.length = args->length,
	};
	struct dxg_device *device;
	u64 end;
	int ret;

	/* The host checks the range against the allocation; no wrap here. */
	if (check_add_overflow(args->offset, args->length, &end))
		return -EINVAL;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_check_allocs(p, device, &args->allocation, 1);
	if (!ret) {
		cmd.device = device->handle;
		ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_INVALIDATECACHE,
				      &cmd, sizeof(cmd), NULL, 0);
	}
	dxg_device_end(device);
	return ret;
}
