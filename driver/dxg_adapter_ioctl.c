// SPDX-License-Identifier: GPL-2.0
/*
 * Adapter ioctls: enumerate, open, close, query.
 *
 * Adapter handles are local to the process (made by the guest); every
 * listed or opened adapter gets its own handle, which the caller closes.
 */

#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"

/* The most adapters all hosts together can list (checked by the callers). */
#define DXG_ENUM_MAX	(D3DKMT_ADAPTERS_MAX)

int dxg_ioctl_open_adapter_from_luid(struct dxg_process *p, void *arg)
{
	struct d3dkmt_openadapterfromluid *args = arg;
	struct dxg_adapter *a;
	d3dkmthandle h;
	int ret;

	/* Success is decided here, never by what the caller left in the output. */
	args->adapter_handle = 0;
	a = dxg_registry_find_luid(&args->adapter_luid);
	if (!a)
		return -EINVAL;
	ret = dxg_handle_alloc_local(&p->handles, p, DXG_OBJ_ADAPTER, a, &h);
	dxg_adapter_put(a);
	if (ret)
		return ret;
	args->adapter_handle = h;
	return 0;
}

/*
 * List up to `capacity` adapters into the user array at `uptr`.
 * capacity == 0 or uptr == 0: only report the count.  A capacity below the
 * count: -EOVERFLOW and nothing written.  Never writes more than the
 * caller's capacity, nor more entries than it has adapters.
 */
static int dxg_enum_adapters(struct dxg_process *p, bool compute_only,
			     u64 uptr, u32 capacity, u32 max_capacity,
			     u32 *count)
{
	struct dxg_adapter *adapters[DXG_ENUM_MAX];
	struct d3dkmt_adapterinfo *info = NULL;
	unsigned int n, total, i;
	size_t bytes;
	int ret = 0;

	n = dxg_registry_collect(adapters, ARRAY_SIZE(adapters), compute_only,
				 &total);
	if (!uptr) {
		*count = total;
		goto out;
	}
	if (capacity < total) {
		ret = -EOVERFLOW;
		goto out;
	}
	if (capacity > max_capacity || total > n) {
		ret = -EINVAL;
		goto out;
	}
	if (!n) {
		*count = 0;
		goto out;
	}
	if (check_mul_overflow((size_t)n, sizeof(*info), &bytes)) {
		ret = -EINVAL;
		goto out;
	}
	info = kzalloc(bytes, GFP_KERNEL);
	if (!info) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = dxg_handle_alloc_local(&p->handles, p, DXG_OBJ_ADAPTER,
					     adapters[i], &info[i].adapter_handle);
		if (ret)
			break;
		info[i].adapter_luid = adapters[i]->luid;
	}
	if (!ret && copy_to_user(u64_to_user_ptr(uptr), info, bytes))
		ret = -EFAULT;
	if (ret) {
		/* Close what this call opened: the caller never saw it. */
		while (i--) {
			void *a = dxg_handle_remove(&p->handles, DXG_OBJ_ADAPTER,
						    info[i].adapter_handle);

			if (a)
				dxg_adapter_put(a);
		}
		goto out;
	}
	*count = n;
out:
	kfree(info);
	for (i = 0; i < n; i++)
		dxg_adapter_put(adapters[i]);
	return ret;
}

int dxg_ioctl_enum_adapters2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_enumadapters2 *args = arg;

	return dxg_enum_adapters(p, false, args->adapters, args->num_adapters,
				 D3DKMT_ADAPTERS_MAX, &args->num_adapters);
}

int dxg_ioctl_enum_adapters3(struct dxg_process *p, void *arg)
{
	struct d3dkmt_enumadapters3 *args = arg;
	bool compute = args->filter &
		       D3DKMT_ENUMADAPTERS_FILTER_INCLUDE_COMPUTE_ONLY;

	return dxg_enum_adapters(p, compute, args->adapters,
				 args->adapter_count, 0xffff,
				 &args->adapter_count);
}

int dxg_ioctl_close_adapter(struct dxg_process *p, void *arg)
{
	struct d3dkmt_closeadapter *args = arg;
	struct dxg_adapter *a;

	a = dxg_handle_remove(&p->handles, DXG_OBJ_ADAPTER, args->adapter_handle);
	if (!a)
		return -EINVAL;
	dxg_adapter_put(a);
	return 0;
}

/* What the host reports is overridden with what this guest can do. */
static void dxg_fixup_adapter_type(const struct dxg_adapter *a, void *data)
{
	u32 v;

	memcpy(&v, data, sizeof(v));
	v &= ~(D3DKMT_ADAPTERTYPE_DISPLAY_SUPPORTED |
	       D3DKMT_ADAPTERTYPE_POST_DEVICE |
	       D3DKMT_ADAPTERTYPE_INDIRECT_DISPLAY_DEVICE |
	       D3DKMT_ADAPTERTYPE_ACG_SUPPORTED |
	       D3DKMT_ADAPTERTYPE_SUPPORT_SET_TIMINGS_FROM_VIDPN |
	       D3DKMT_ADAPTERTYPE_COMPUTE_ONLY);
	v |= D3DKMT_ADAPTERTYPE_PARAVIRTUALIZED;
	if (a->compute_only)
		v |= D3DKMT_ADAPTERTYPE_COMPUTE_ONLY;
	memcpy(data, &v, sizeof(v));
}

/* Largest query buffer: the command must fit in one message. */
#define DXG_QAI_MAX_DATA (DXG_MAX_VM_BUS_PACKET_SIZE - \
			  sizeof(struct dxgkvmb_command_ext_header) - \
			  sizeof(struct dxgkvmb_command_queryadapterinfo))

int dxg_ioctl_query_adapter_info(struct dxg_process *p, void *arg)
{
	struct d3dkmt_queryadapterinfo *args = arg;
	struct dxgkvmb_command_queryadapterinfo *cmd = NULL;
	struct dxgkvmb_command_queryadapterinfo_ret *reply = NULL;
	u32 size = args->private_data_size;
	void __user *udata = u64_to_user_ptr(args->private_data);
	struct dxg_adapter *a;
	d3dkmthandle proc;
	int ret;

	if (size == 0 || size > DXG_QAI_MAX_DATA)
		return -EINVAL;
	a = dxg_handle_get(&p->handles, DXG_OBJ_ADAPTER, args->adapter);
	if (!a)
		return -EINVAL;
	if (!dxg_adapter_usable(a)) {
		ret = -ENODEV;
		goto out;
	}
	cmd = kvzalloc(sizeof(*cmd) + size, GFP_KERNEL);
	reply = kvzalloc(sizeof(*reply) + size, GFP_KERNEL);
	if (!cmd || !reply) {
		ret = -ENOMEM;
		goto out;
	}
	/* Some queries carry input in the buffer: the host gets a copy. */
	if (copy_from_user(cmd + 1, udata, size)) {
		ret = -EFAULT;
		goto out;
	}
	cmd->query_type = args->type;
	cmd->private_data_size = size;

	ret = dxg_process_host_handle(p, a->host, &proc);
	if (ret)
		goto out;
	ret = dxg_call(a->host, a, proc, DXGK_VMBCOMMAND_QUERYADAPTERINFO, cmd,
		       sizeof(*cmd) + size, reply, sizeof(*reply) + size);
	if (ret)
		goto out;
	if (reply->status < 0) {
		ret = dxg_ntstatus_to_errno(reply->status);
		goto out;
	}
	if ((args->type == KMTQAITYPE_ADAPTERTYPE ||
	     args->type == KMTQAITYPE_ADAPTERTYPE_RENDER) &&
	    size >= sizeof(struct d3dkmt_adaptertype))
		dxg_fixup_adapter_type(a, reply + 1);
	if (copy_to_user(udata, reply + 1, size)) {
		ret = -EFAULT;
		goto out;
	}
	ret = reply->status;
out:
	kvfree(reply);
	kvfree(cmd);
	dxg_adapter_put(a);
	return ret;
}
