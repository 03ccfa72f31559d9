// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduling priority, device error state and the observability ioctls
 * (docs/ioctls.md): Set/GetContext[InProcess]SchedulingPriority,
 * MarkDeviceAsError, QueryClockCalibration, QueryStatistics,
 * EnumProcesses (answered here, from the guest's own processes) and
 * IsFeatureEnabled.
 */

#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "dxg.h"

static int dxg_set_priority(struct dxg_process *p, d3dkmthandle context,
			    s32 priority, bool in_process)
{
	struct dxgkvmb_command_setcontextschedulingpriority2 cmd = {
		.context = context, .priority = priority, .in_process = in_process,
	};
	struct dxg_device *device = dxg_ctx_device_begin(p, context);
	int ret;

	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_device_call(p, device,
			      DXGK_VMBCOMMAND_SETCONTEXTSCHEDULINGPRIORITY,
			      &cmd, sizeof(cmd), NULL, 0);
	dxg_device_end(device);
	return ret;
}

static int dxg_get_priority(struct dxg_process *p, d3dkmthandle context,
			    s32 *priority, bool in_process)
{
	struct dxgkvmb_command_getcontextschedulingpriority cmd = {
		.context = context, .in_process = in_process,
	};
	struct dxgkvmb_command_getcontextschedulingpriority_ret r = { };
	struct dxg_device *device = dxg_ctx_device_begin(p, context);
	int ret;

	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_device_call(p, device,
			      DXGK_VMBCOMMAND_GETCONTEXTSCHEDULINGPRIORITY,
			      &cmd, sizeof(cmd), &r, sizeof(r));
	if (!ret && r.status < 0)
		ret = dxg_ntstatus_to_errno(r.status);
	if (!ret)
		*priority = r.priority;
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_set_context_priority(struct dxg_process *p, void *arg)
{
	struct d3dkmt_setcontextschedulingpriority *args = arg;

	return dxg_set_priority(p, args->context, args->priority, false);
}

int dxg_ioctl_set_context_inproc_priority(struct dxg_process *p, void *arg)
{
	struct d3dkmt_setcontextinprocessschedulingpriority *args = arg;

	return dxg_set_priority(p, args->context, args->priority, true);
}

int dxg_ioctl_get_context_priority(struct dxg_process *p, void *arg)
{
	struct d3dkmt_getcontextschedulingpriority *args = arg;

	return dxg_get_priority(p, args->context, &args->priority, false);
}

int dxg_ioctl_get_context_inproc_priority(struct dxg_process *p, void *arg)
{
	struct d3dkmt_getcontextinprocessschedulingpriority *args = arg;

	return dxg_get_priority(p, args->context, &args->priority, true);
}

int dxg_ioctl_mark_device_as_error(struct dxg_process *p, void *arg)
{
	struct d3dkmt_markdeviceaserror *args = arg;
	struct dxgkvmb_command_markdeviceaserror cmd = { .args = *args };
	struct dxg_device *device = dxg_device_begin(p, args->device);
	int ret;

	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_MARKDEVICEASERROR,
			      &cmd, sizeof(cmd), NULL, 0);
	dxg_device_end(device);
	return ret;
}

/* An adapter handle of p, usable, with p's process on its host. */
static struct dxg_adapter *dxg_state_adapter(struct dxg_process *p,
					     d3dkmthandle h, d3dkmthandle *proc)
{
	struct dxg_adapter *a = dxg_handle_get(&p->handles, DXG_OBJ_ADAPTER, h);
	int ret;

	if (!a)
		return ERR_PTR(-EINVAL);
	ret = dxg_adapter_usable(a) ? 0 : -ENODEV;
	if (!ret && proc)
		ret = dxg_process_host_handle(p, a->host, proc);
	if (ret) {
		dxg_adapter_put(a);
		return ERR_PTR(ret);
	}
	return a;
}

/*
 * The GPU counter is the host's (the engines' timestamp clock); the CPU
 * counter is this guest's CLOCK_MONOTONIC in ns at the middle of the round
 * trip, so the pair is off by at most half of it (docs/ioctls.md).
 */
int dxg_ioctl_query_clock_calibration(struct dxg_process *p, void *arg)
{
	struct d3dkmt_queryclockcalibration *args = arg;
	struct dxgkvmb_command_queryclockcalibration cmd = { .args = *args };
	struct dxgkvmb_command_queryclockcalibration_ret r = { };
	struct dxgk_gpuclockdata d;
	struct dxg_adapter *a;
	d3dkmthandle proc;
	u64 t0, t1;
	int ret;

	a = dxg_state_adapter(p, args->adapter, &proc);
	if (IS_ERR(a))
		return PTR_ERR(a);
	cmd.args.adapter = a->host_handle;
	t0 = ktime_get_ns();
	ret = dxg_call(a->host, a, proc, DXGK_VMBCOMMAND_QUERYCLOCKCALIBRATION,
		       &cmd, sizeof(cmd), &r, sizeof(r));
	t1 = ktime_get_ns();
	if (!ret && r.status < 0)
		ret = dxg_ntstatus_to_errno(r.status);
	if (!ret) {
		memcpy(&d, &r.clock_data, sizeof(d));
		d.cpu_clock_counter = t0 + (t1 - t0) / 2;
		memcpy(&args->clock_data, &d, sizeof(d));
	}
	dxg_adapter_put(a);
	return ret;
}

int dxg_ioctl_query_statistics(struct dxg_process *p, void *arg)
{
	struct d3dkmt_querystatistics *args = arg;
	struct dxgkvmb_command_querystatistics *cmd;
	struct dxgkvmb_command_querystatistics_ret *r;
	struct dxg_adapter *a;
	d3dkmthandle proc, target = 0;
	struct pid *pid;
	int ret;

	a = dxg_registry_find_luid(&args->adapter_luid);
	if (!a)
		return -EINVAL;
	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!cmd || !r) {
		ret = -ENOMEM;
		goto out;
	}
	ret = dxg_process_host_handle(p, a->host, &proc);
	if (ret)
		goto out;
	/* A pid of the caller's namespace: that process's host handle. */
	if (args->process) {
		ret = -EINVAL;
		if (args->process > INT_MAX)
			goto out;
		pid = find_get_pid((int)args->process);
		if (!pid)
			goto out;
		ret = dxg_process_host_handle_by_pid(a->host, pid, &target);
		put_pid(pid);
		if (ret)
			goto out;
	}
	cmd->args = *args;
	cmd->args.process = target;
	ret = dxg_call(a->host, a, proc, DXGK_VMBCOMMAND_QUERYSTATISTICS, cmd,
		       sizeof(*cmd), r, sizeof(*r));
	if (!ret && r->status < 0)
		ret = dxg_ntstatus_to_errno(r->status);
	if (!ret)
		args->result = r->result;
out:
	kfree(r);
	kfree(cmd);
	dxg_adapter_put(a);
	return ret;
}

/* Processes listed at most (a VM has far fewer /dev/dxg users). */
#define DXG_ENUM_PROCESSES_MAX	65536u

/*
 * Answered in the guest, as the reference: the pids of the caller's
 * namespace whose process holds a handle of the adapter.  A NULL buffer or
 * one too small is -EOVERFLOW (STATUS_BUFFER_TOO_SMALL) with the count
 * written back; as the reference, only the low 32 bits of buffer_count
 * are written (the dispatcher copies the block out on -EOVERFLOW too).
 */
int dxg_ioctl_enum_processes(struct dxg_process *p, void *arg)
{
	struct d3dkmt_enumprocesses *args = arg;
	unsigned int n, cap = 64;
	struct dxg_adapter *a;
	u32 *pids = NULL, count;
	int ret = 0;

	a = dxg_registry_find_luid(&args->adapter_luid);
	if (!a)
		return -EINVAL;
	for (;;) {
		pids = kvmalloc_array(cap, sizeof(*pids), GFP_KERNEL);
		if (!pids) {
			ret = -ENOMEM;
			goto out;
		}
		n = dxg_process_list_users(a, pids, cap);
		if (n <= cap || cap >= DXG_ENUM_PROCESSES_MAX)
			break;
		kvfree(pids);
		cap = min_t(unsigned int, n, DXG_ENUM_PROCESSES_MAX);
	}
	n = min(n, cap);
	count = n;
	if (!args->buffer || n > args->buffer_count)
		ret = -EOVERFLOW;
	else if (n && copy_to_user(u64_to_user_ptr(args->buffer), pids,
				   n * sizeof(*pids)))
		ret = -EFAULT;
	/* The reference writes a u32 over the u64 count: its low half. */
	memcpy(&args->buffer_count, &count, sizeof(count));
out:
	kvfree(pids);
	dxg_adapter_put(a);
	return ret;
}

int dxg_ioctl_is_feature_enabled(struct dxg_process *p, void *arg)
{
	struct d3dkmt_isfeatureenabled *args = arg;
	struct dxgkvmb_command_isfeatureenabled cmd = {
		.feature_id = args->feature_id,
	};
	struct dxgkvmb_command_isfeatureenabled_ret r = { };
	struct dxg_adapter *a;
	int ret;

	a = dxg_state_adapter(p, args->adapter, NULL);
	if (IS_ERR(a))
		return PTR_ERR(a);
	/* As the reference: the adapter's command, without a process. */
	ret = dxg_call(a->host, a, 0, DXGK_VMBCOMMAND_ISFEATUREENABLED, &cmd,
		       sizeof(cmd), &r, sizeof(r));
	if (!ret && r.status < 0)
		ret = dxg_ntstatus_to_errno(r.status);
	if (!ret)
		args->result = r.result;
	dxg_adapter_put(a);
	return ret;
}
