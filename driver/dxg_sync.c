// SPDX-License-Identifier: GPL-2.0
/*
 * Sync objects, submission and device state (docs/sync.md).
 *
 * Monitored fences live on the host: the fence page (its first u64 is the
 * current value, written only by the host) is mapped read-only into the
 * creating process with the Lock2 grant mechanism (dxg_memory.c).  CPU
 * notification objects carry a persistent host event that signals the
 * caller's eventfd.  Submit, signal and GPU-wait are asynchronous
 * messages when the host accepts them: every handle is checked here first
 * (it must be the caller's and belong to the same device), so the host
 * rarely has a reason to fail one it cannot answer.
 */

#include <linux/completion.h>
#include <linux/dma-fence.h>
#include <linux/eventfd.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"

#define DXG_MAX_CMD	(DXG_MAX_VM_BUS_PACKET_SIZE - \
			 sizeof(struct dxgkvmb_command_ext_header))
#define DXG_SUBMIT_MAX_HISTORY	1024u
#define DXG_SYNC_UNSUPPORTED_FLAGS D3DDDI_SYNCOBJ_FLAG_CROSS_ADAPTER
/* Monitored fences may be shared through NT handles (dxg_share.c). */
#define DXG_SYNC_SHARED_FLAGS (D3DDDI_SYNCOBJ_FLAG_SHARED | \
	D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING)

static void dxg_syncobj_release(struct kref *ref)
{
	struct dxg_syncobj *so = container_of(ref, struct dxg_syncobj, ref);

	if (so->notify) {
		dxg_host_event_remove(so->device->adapter->host, so->notify);
		dxg_host_event_free(so->notify);
	}
	dxg_device_put(so->device);
	kfree(so);
}

void dxg_syncobj_get(struct dxg_syncobj *so)
{
	kref_get(&so->ref);
}

void dxg_syncobj_put(struct dxg_syncobj *so)
{
	kref_put(&so->ref, dxg_syncobj_release);
}

/* ---- helpers ---- */

/* The device of a context handle, held as by dxg_device_begin(). */
struct dxg_device *dxg_ctx_device_begin(struct dxg_process *p, d3dkmthandle h)
{
	struct dxg_context *ctx = dxg_handle_get(&p->handles, DXG_OBJ_CONTEXT,
						 h);
	struct dxg_device *device;

	if (!ctx)
		return ERR_PTR(-EINVAL);
	device = dxg_device_begin(p, ctx->device->handle);
	if (!IS_ERR(device) && device != ctx->device) {
		dxg_device_end(device);
		device = ERR_PTR(-EINVAL);
	}
	dxg_context_put(ctx);
	return device;
}

/* An asynchronous message for the device's adapter (device held). */
int dxg_device_send(struct dxg_process *p, struct dxg_device *device,
		    u32 type, void *cmd, u32 len)
{
	struct dxg_adapter *a = device->adapter;
	d3dkmthandle proc;
	int ret;

	if (!dxg_adapter_usable(a))
		return -ENODEV;
	ret = dxg_process_host_handle(p, a->host, &proc);
	if (ret)
		return ret;
	return dxg_send_async(a->host, a, proc, type, cmd, len);
}

/*
 * Copy `count` (1..32) handles and, when uvals is set, as many u64 values
 * from user space into h[] and v[].
 */
int dxg_copy_refs(u64 uh, u64 uvals, u32 count, d3dkmthandle *h, u64 *v)
{
	if (!count || count > D3DDDI_MAX_OBJECT_WAITED_ON)
		return -EINVAL;
	if (copy_from_user(h, u64_to_user_ptr(uh), count * sizeof(*h)))
		return -EFAULT;
	if (v && copy_from_user(v, u64_to_user_ptr(uvals), count * sizeof(*v)))
		return -EFAULT;
	return 0;
}

/* Every handle a sync object of device (a monitored fence if fences). */
int dxg_check_syncobjs(struct dxg_process *p, struct dxg_device *device,
		       const d3dkmthandle *h, u32 count, bool fences)
{
	u32 i;

	for (i = 0; i < count; i++) {
		struct dxg_syncobj *so;
		bool ok;

		so = dxg_handle_get(&p->handles, DXG_OBJ_SYNCOBJECT, h[i]);
		if (!so)
			return -EINVAL;
		ok = so->device == device &&
		     (!fences || so->type == D3DDDI_MONITORED_FENCE);
		dxg_syncobj_put(so);
		if (!ok)
			return -EINVAL;
	}
	return 0;
}

/* DESTROYSYNCOBJECT is VM-wide (no adapter in the header). */
int dxg_syncobj_destroy_on_host(struct dxg_process *p, struct dxg_adapter *a,
				d3dkmthandle h)
{
	struct dxgkvmb_command_destroysyncobject cmd = { .sync_object = h };
	d3dkmthandle proc;
	int ret;

	if (!dxg_adapter_usable(a))
		return 0;
	ret = dxg_process_host_handle(p, a->host, &proc);
	if (!ret)
		ret = dxg_call_status(a->host, NULL, proc,
				      DXGK_VMBCOMMAND_DESTROYSYNCOBJECT, &cmd,
				      sizeof(cmd));
	return ret == -ENODEV ? 0 : ret;
}

/* ---- create / destroy ---- */

static struct dxg_host_event *dxg_event_from_fd(struct dxg_process *p, u64 fd,
						bool oneshot)
{
	struct dxg_host_event *ev;
	struct eventfd_ctx *efd;

	if (fd > INT_MAX)
		return ERR_PTR(-EINVAL);
	efd = eventfd_ctx_fdget((int)fd);	/* refuses anything else */
	if (IS_ERR(efd))
		return ERR_CAST(efd);
	ev = kzalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev) {
		eventfd_ctx_put(efd);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&ev->node);
	ev->efd = efd;
	ev->owner = p;
	ev->oneshot = oneshot;
	return ev;
}

int dxg_ioctl_create_sync_object(struct dxg_process *p, void *arg)
{
	struct d3dkmt_createsynchronizationobject2 *args = arg;
	struct dxgkvmb_command_createsyncobject cmd = { .args = *args };
	struct dxgkvmb_command_createsyncobject_ret r = { 0 };
	u32 type = args->info.type;
	struct dxg_device *device;
	struct dxg_syncobj *so;
	struct dxg_host *host;
	u64 fence_va = 0;
	int ret;

	if (args->info.flags.value & DXG_SYNC_UNSUPPORTED_FLAGS)
		return -EOPNOTSUPP;
	if (type != D3DDDI_MONITORED_FENCE && type != D3DDDI_CPU_NOTIFICATION)
		return !type || type >= D3DDDI_SYNCHRONIZATION_TYPE_LIMIT ?
		       -EINVAL : -EOPNOTSUPP;
	/* Global-handle sharing (SHARED alone) is not supported. */
	if ((args->info.flags.value & DXG_SYNC_SHARED_FLAGS) &&
	    ((args->info.flags.value & DXG_SYNC_SHARED_FLAGS) !=
	     DXG_SYNC_SHARED_FLAGS || type != D3DDDI_MONITORED_FENCE))
		return -EOPNOTSUPP;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	host = device->adapter->host;
	so = kzalloc(sizeof(*so), GFP_KERNEL);
	if (!so) {
		ret = -ENOMEM;
		goto out;
	}
	kref_init(&so->ref);
	dxg_device_get(device);
	so->device = device;
	so->type = type;
	so->shared = args->info.flags.value & DXG_SYNC_SHARED_FLAGS;
	cmd.args.sync_object = 0;
	if (type == D3DDDI_CPU_NOTIFICATION) {
		struct dxg_host_event *ev;

		ev = dxg_event_from_fd(p, args->info.cpu_notification.event,
				       false);
		if (IS_ERR(ev)) {
			ret = PTR_ERR(ev);
			goto out_put;
		}
		dxg_host_event_add(host, ev);
		so->notify = ev;
		cmd.args.info.cpu_notification.event = ev->id;
	} else {
		cmd.args.info.monitored_fence.fence_cpu_virtual_address = 0;
		cmd.args.info.monitored_fence.fence_gpu_virtual_address = 0;
	}
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_CREATESYNCOBJECT, &cmd,
			      sizeof(cmd), &r, sizeof(r));
	if (!ret)
		ret = dxg_reply_new_handle(r.sync_object, 0);
	if (ret)
		goto out_put;
	so->handle = r.sync_object;
	if (type == D3DDDI_MONITORED_FENCE) {
		/* Its values are a timeline of their own (dxg_syncfile.c). */
		so->fence_context = dma_fence_context_alloc(1);
		ret = dxg_fence_map_create(p, host, &so->fence,
					   r.fence_storage_address,
					   r.fence_storage_offset, &fence_va);
		so->fence_cpu_va = fence_va;
		so->fence_gpu_va = r.fence_gpu_va;
	}
	if (!ret) {
		ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_SYNCOBJECT,
					     so, so->handle);
		if (ret)
			dxg_cpu_map_destroy(p, &so->fence);
	}
	if (ret) {
		dxg_syncobj_destroy_on_host(p, device->adapter, r.sync_object);
		goto out_put;
	}
	args->sync_object = so->handle;
	if (type == D3DDDI_MONITORED_FENCE) {
		args->info.monitored_fence.fence_cpu_virtual_address =
			fence_va;
		args->info.monitored_fence.fence_gpu_virtual_address =
			r.fence_gpu_va;
	}
out_put:
	dxg_syncobj_put(so);
out:
	dxg_device_end(device);
	return ret;
}

int dxg_syncobj_add_opened(struct dxg_process *p, struct dxg_device *device,
			   d3dkmthandle h, u64 storage, u64 gpu_va,
			   u64 *cpu_va)
{
	struct dxg_syncobj *so = kzalloc(sizeof(*so), GFP_KERNEL);
	int ret;

	if (!so) {
		dxg_syncobj_destroy_on_host(p, device->adapter, h);
		return -ENOMEM;
	}
	kref_init(&so->ref);
	dxg_device_get(device);
	so->device = device;
	so->type = D3DDDI_MONITORED_FENCE;
	so->shared = true;		/* it came from an NT handle */
	so->handle = h;
	so->fence_context = dma_fence_context_alloc(1);
	ret = dxg_fence_map_create(p, device->adapter->host, &so->fence,
				   storage, 0, cpu_va);
	so->fence_cpu_va = *cpu_va;
	so->fence_gpu_va = gpu_va;
	if (!ret) {
		ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_SYNCOBJECT,
					     so, h);
		if (ret)
			dxg_cpu_map_destroy(p, &so->fence);
	}
	if (ret)
		dxg_syncobj_destroy_on_host(p, device->adapter, h);
	dxg_syncobj_put(so);
	return ret;
}

struct dxg_syncobj *dxg_queue_fence_make(struct dxg_process *p,
					 struct dxg_device *device,
					 d3dkmthandle h, u64 storage,
					 u64 offset, u64 gpu_va, u64 *cpu_va)
{
	struct dxg_syncobj *so;
	int ret;

	so = kzalloc(sizeof(*so), GFP_KERNEL);
	if (!so)
		return ERR_PTR(-ENOMEM);
	kref_init(&so->ref);
	dxg_device_get(device);
	so->device = device;
	so->type = D3DDDI_MONITORED_FENCE;
	so->queue_owned = true;
	so->handle = h;
	so->fence_context = dma_fence_context_alloc(1);
	so->fence_gpu_va = gpu_va;
	ret = dxg_fence_map_create(p, device->adapter->host, &so->fence,
				   storage, offset, cpu_va);
	if (ret) {
		dxg_syncobj_put(so);
		return ERR_PTR(ret);
	}
	so->fence_cpu_va = *cpu_va;
	return so;
}

void dxg_queue_fence_drop(struct dxg_process *p, struct dxg_syncobj *so)
{
	if (dxg_handle_remove(&p->handles, DXG_OBJ_SYNCOBJECT, so->handle) != so)
		return;		/* not ours (or gone): whoever took it unmaps */
	dxg_cpu_map_destroy(p, &so->fence);
	/* Its sync files fail before the host destroys it. */
	dxg_host_events_fail_fences(so->device->adapter->host, p, NULL, so,
				    -ECANCELED);
	dxg_syncobj_put(so);	/* the table's reference */
}

int dxg_ioctl_destroy_sync_object(struct dxg_process *p, void *arg)
{
	struct d3dkmt_destroysynchronizationobject *args = arg;
	struct dxg_device *device;
	struct dxg_syncobj *so;
	bool owned;
	int ret = 0;

	/* A hw queue's progress fence goes with its queue only. */
	so = dxg_handle_get(&p->handles, DXG_OBJ_SYNCOBJECT, args->sync_object);
	if (!so)
		return -EINVAL;
	owned = so->queue_owned;
	dxg_syncobj_put(so);
	if (owned)
		return -EINVAL;
	so = dxg_handle_remove(&p->handles, DXG_OBJ_SYNCOBJECT,
			       args->sync_object);
	if (!so)
		return -EINVAL;
	/* The page goes before the host frees the IO space under it. */
	dxg_cpu_map_destroy(p, &so->fence);
	device = so->device;
	/*
	 * Its pending sync files fail before the host destroys it (the host
	 * would count a destroyed fence as reached).
	 */
	dxg_host_events_fail_fences(device->adapter->host, p, NULL, so,
				    -ECANCELED);
	down_read(&device->lock);
	/* A destroyed device took its sync objects with it on the host. */
	if (!device->destroyed)
		ret = dxg_syncobj_destroy_on_host(p, device->adapter,
						  so->handle);
	up_read(&device->lock);
	dxg_syncobj_put(so);
	return ret;
}

static bool dxg_so_of_device(void *obj, const void *arg)
{
	return ((struct dxg_syncobj *)obj)->device == arg;
}

void dxg_sync_device_destroyed(struct dxg_process *p, struct dxg_device *device)
{
	void *batch[64];
	unsigned int n, i;

	/* No sync file of the device can be created any more (destroyed). */
	dxg_host_events_fail_fences(device->adapter->host, p, device, NULL,
				    -ECANCELED);
	do {
		n = dxg_handle_remove_matching(&p->handles, DXG_OBJ_SYNCOBJECT,
					       dxg_so_of_device, device, batch,
					       ARRAY_SIZE(batch));
		for (i = 0; i < n; i++) {
			struct dxg_syncobj *so = batch[i];

			dxg_cpu_map_destroy(p, &so->fence);
			dxg_syncobj_put(so);
		}
	} while (n == ARRAY_SIZE(batch));
}

/* ---- signal ---- */

/*
 * SIGNALSYNCOBJECT: objects[n], contexts[nc], values[n] after the fixed
 * part; nc 0 is a signal from the CPU on behalf of the device.
 */
static int dxg_send_signal_ev(struct dxg_process *p, struct dxg_device *device,
			      const d3dkmthandle *h, const u64 *v, u32 n,
			      const d3dkmthandle *ctx, u32 nc, u32 flags,
			      u64 event)
{
	struct dxgkvmb_command_signalsyncobject *cmd;
	u32 len = sizeof(*cmd) + n * (sizeof(*h) + sizeof(*v)) +
		  nc * sizeof(*ctx);
	u8 *pos;
	int ret;

	cmd = kzalloc(len, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	cmd->object_count = n;
	cmd->flags = flags;
	cmd->context_count = nc;
	if (!nc)
		cmd->device = device->handle;
	else if (event)
		cmd->cpu_event_handle = event;
	pos = (u8 *)(cmd + 1);
	memcpy(pos, h, n * sizeof(*h));
	pos += n * sizeof(*h);
	memcpy(pos, ctx, nc * sizeof(*ctx));
	pos += nc * sizeof(*ctx);
	memcpy(pos, v, n * sizeof(*v));
	ret = dxg_device_send(p, device, DXGK_VMBCOMMAND_SIGNALSYNCOBJECT, cmd,
			      len);
	kfree(cmd);
	return ret;
}

int dxg_send_signal(struct dxg_process *p, struct dxg_device *device,
		    const d3dkmthandle *h, const u64 *v, u32 n,
		    const d3dkmthandle *ctx, u32 nc, u32 flags)
{
	return dxg_send_signal_ev(p, device, h, v, n, ctx, nc, flags, 0);
}

int dxg_signal_queues(struct dxg_process *p, enum dxg_obj_type type,
		      const d3dkmthandle *qs, u32 nc, const d3dkmthandle *h,
		      const u64 *v, u32 n, u32 flags, u64 efd)
{
	struct dxg_host_event *ev = NULL;
	struct dxg_device *device, *d;
	struct dxg_host *host;
	u32 i;
	int ret = 0;

	d = dxg_queue_device(p, type, qs[0]);
	if (!d)
		return -EINVAL;
	device = dxg_device_begin(p, d->handle);
	if (!IS_ERR(device) && device != d) {
		dxg_device_end(device);
		device = ERR_PTR(-EINVAL);
	}
	dxg_device_put(d);
	if (IS_ERR(device))
		return PTR_ERR(device);
	host = device->adapter->host;
	/* A broadcast's queues are all of the one device. */
	for (i = 1; i < nc && !ret; i++) {
		d = dxg_queue_device(p, type, qs[i]);
		if (d != device)
			ret = -EINVAL;
		if (d)
			dxg_device_put(d);
	}
	if (!ret)
		ret = dxg_check_syncobjs(p, device, h, n, false);
	if (!ret && (flags & D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT)) {
		ev = dxg_event_from_fd(p, efd, true);
		if (IS_ERR(ev))
			ret = PTR_ERR(ev);
		else	/* pending before the host can signal it */
			dxg_host_event_add(host, ev);
	}
	if (!ret)
		ret = dxg_send_signal_ev(p, device, h, v, n, qs, nc, flags,
					 ev ? ev->id : 0);
	/* Not sent: take the event back unless it fired. */
	if (ret && !IS_ERR_OR_NULL(ev) && dxg_host_event_remove(host, ev))
		dxg_host_event_free(ev);
	dxg_device_end(device);
	return ret;
}

/* 0x11: from a context and context_count more (a broadcast). */
int dxg_ioctl_signal_sync_object2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_signalsynchronizationobject2 *args = arg;
	d3dkmthandle qs[D3DDDI_MAX_BROADCAST_CONTEXT];
	u64 v[D3DDDI_MAX_OBJECT_SIGNALED];
	u32 n = args->object_count, nc = args->context_count, i;
	u32 flags = args->flags.value;
	bool cpu_event = flags & D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT;

	if ((flags & ~(D3DDDICB_SIGNAL_FLAG_ALLOW_FENCE_REWIND |
		       D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT)) ||
	    n > D3DDDI_MAX_OBJECT_SIGNALED || (!n && !cpu_event) ||
	    nc >= D3DDDI_MAX_BROADCAST_CONTEXT)
		return -EINVAL;
	qs[0] = args->context;
	memcpy(&qs[1], args->contexts, nc * sizeof(qs[0]));
	/* One value for every object (the legacy fence value). */
	for (i = 0; i < n; i++)
		v[i] = args->fence.fence_value;
	return dxg_signal_queues(p, DXG_OBJ_CONTEXT, qs, nc + 1,
				 args->object_array, v, n, flags,
				 cpu_event ? args->cpu_event_handle : 0);
}

/* 0x12: the context waits until every fence reached the one value. */
int dxg_ioctl_wait_sync_object2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_waitforsynchronizationobject2 *args = arg;
	u64 v[D3DDDI_MAX_OBJECT_WAITED_ON];
	u32 n = args->object_count, i;
	struct dxg_device *device;
	int ret;

	if (!n || n > D3DDDI_MAX_OBJECT_WAITED_ON)
		return -EINVAL;
	for (i = 0; i < n; i++)
		v[i] = args->fence.fence_value;
	device = dxg_ctx_device_begin(p, args->context);
	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_check_syncobjs(p, device, args->object_array, n, true);
	if (!ret)
		ret = dxg_send_wait_from_gpu(p, device, args->context,
					     args->object_array, v, n);
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_signal_from_cpu(struct dxg_process *p, void *arg)
{
	struct d3dkmt_signalsynchronizationobjectfromcpu *args = arg;
	d3dkmthandle h[D3DDDI_MAX_OBJECT_SIGNALED];
	u64 v[D3DDDI_MAX_OBJECT_SIGNALED];
	struct dxg_device *device;
	int ret;

	if (args->flags.value & ~D3DDDICB_SIGNAL_FLAG_ALLOW_FENCE_REWIND)
		return -EINVAL;
	ret = dxg_copy_refs(args->objects, args->fence_values,
			    args->object_count, h, v);
	if (ret)
		return ret;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_check_syncobjs(p, device, h, args->object_count, true);
	if (!ret)
		ret = dxg_send_signal(p, device, h, v, args->object_count, NULL,
				      0, 0);
	dxg_device_end(device);
	return ret;
}

static int dxg_signal_from_gpu(struct dxg_process *p, d3dkmthandle context,
			       u64 uobjs, u64 uvals, u32 n, u32 flags)
{
	d3dkmthandle h[D3DDDI_MAX_OBJECT_SIGNALED];
	u64 v[D3DDDI_MAX_OBJECT_SIGNALED];
	struct dxg_device *device;
	int ret;

	ret = dxg_copy_refs(uobjs, uvals, n, h, v);
	if (ret)
		return ret;
	device = dxg_ctx_device_begin(p, context);
	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_check_syncobjs(p, device, h, n, false);
	if (!ret)
		ret = dxg_send_signal(p, device, h, v, n, &context, 1, flags);
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_signal_from_gpu(struct dxg_process *p, void *arg)
{
	struct d3dkmt_signalsynchronizationobjectfromgpu *args = arg;

	return dxg_signal_from_gpu(p, args->context, args->objects,
				   args->monitored_fence_values,
				   args->object_count, 0);
}

/*
 * 0x33: from contexts[0 .. context_count) of one device, a broadcast (the
 * objects reach their values when the last context gets there).  The
 * union holds either the per-object values or, with ENQUEUE_CPU_EVENT, the
 * eventfd to signal then; with the event there are no values, so no
 * objects either.
 */
int dxg_ioctl_signal_from_gpu2(struct dxg_process *p, void *arg)
{
	struct d3dkmt_signalsynchronizationobjectfromgpu2 *args = arg;
	d3dkmthandle qs[D3DDDI_MAX_BROADCAST_CONTEXT];
	d3dkmthandle h[D3DDDI_MAX_OBJECT_SIGNALED];
	u64 v[D3DDDI_MAX_OBJECT_SIGNALED];
	u32 n = args->object_count, nc = args->context_count;
	u32 flags = args->flags.value;
	bool cpu_event = flags & D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT;
	int ret;

	if ((flags & ~(D3DDDICB_SIGNAL_FLAG_ALLOW_FENCE_REWIND |
		       D3DDDICB_SIGNAL_FLAG_ENQUEUE_CPU_EVENT)) ||
	    !nc || nc > D3DDDI_MAX_BROADCAST_CONTEXT || (cpu_event && n))
		return -EINVAL;
	if (copy_from_user(qs, u64_to_user_ptr(args->contexts),
			   nc * sizeof(qs[0])))
		return -EFAULT;
	if (!cpu_event) {
		ret = dxg_copy_refs(args->objects, args->monitored_fence_values,
				    n, h, v);
		if (ret)
			return ret;
	}
	return dxg_signal_queues(p, DXG_OBJ_CONTEXT, qs, nc, h, v, n, flags,
				 cpu_event ? args->cpu_event_handle : 0);
}

/* ---- waits ---- */

int dxg_ioctl_wait_from_cpu(struct dxg_process *p, void *arg)
{
	struct d3dkmt_waitforsynchronizationobjectfromcpu *args = arg;
	struct dxgkvmb_command_waitforsyncobjectfromcpu *cmd = NULL;
	d3dkmthandle h[D3DDDI_MAX_OBJECT_WAITED_ON];
	u64 v[D3DDDI_MAX_OBJECT_WAITED_ON];
	DECLARE_COMPLETION_ONSTACK(done);
	struct dxg_host_event stack_ev = {
		.done = &done, .oneshot = true, .owner = p,
	};
	struct dxg_host_event *ev = &stack_ev;
	u32 n = args->object_count, len;
	struct dxg_device *device;
	struct dxg_host *host;
	int ret;

	INIT_LIST_HEAD(&stack_ev.node);
	if (args->flags.value & ~D3DDDI_WAITFROMCPU_FLAG_WAIT_ANY)
		return -EINVAL;
	ret = dxg_copy_refs(args->objects, args->fence_values, n, h, v);
	if (ret)
		return ret;
	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	host = device->adapter->host;
	ret = dxg_check_syncobjs(p, device, h, n, true);
	if (ret)
		goto out;
	len = sizeof(*cmd) + n * (sizeof(*h) + sizeof(*v));
	cmd = kzalloc(len, GFP_KERNEL);
	if (!cmd) {
		ret = -ENOMEM;
		goto out;
	}
	if (args->async_event) {
		ev = dxg_event_from_fd(p, args->async_event, true);
		if (IS_ERR(ev)) {
			ret = PTR_ERR(ev);
			goto out;
		}
	}
	/* Pending before the host can possibly signal it. */
	dxg_host_event_add(host, ev);
	cmd->device = device->handle;
	cmd->object_count = n;
	cmd->flags = args->flags.value;
	cmd->guest_event_pointer = ev->id;
	memcpy(cmd + 1, h, n * sizeof(*h));
	memcpy((u8 *)(cmd + 1) + n * sizeof(*h), v, n * sizeof(*v));
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMCPU,
			      cmd, len, NULL, 0);
	if (ret > 0)
		ret = 0;
	if (ret) {
		/* Not registered: take the event back unless it fired. */
		if (dxg_host_event_remove(host, ev) && ev != &stack_ev)
			dxg_host_event_free(ev);
		goto out;
	}
	if (ev != &stack_ev)
		goto out;		/* the eventfd is signalled later */

	/* Never hold the device across an unbounded wait. */
	dxg_host_get(host);
	kfree(cmd);
	cmd = NULL;
	dxg_device_end(device);
	ret = wait_for_completion_interruptible(&done) ? -EINTR : 0;
	/* Interrupted: unlink, unless the host signalled meanwhile. */
	if (ret && !dxg_host_event_remove(host, &stack_ev))
		ret = 0;
	if (!ret)
		ret = stack_ev.status;
	dxg_host_put(host);
	return ret;
out:
	kfree(cmd);
	dxg_device_end(device);
	return ret;
}

int dxg_send_wait_from_gpu(struct dxg_process *p, struct dxg_device *device,
			   d3dkmthandle context, const d3dkmthandle *h,
			   const u64 *v, u32 n)
{
	struct dxgkvmb_command_waitforsyncobjectfromgpu *cmd;
	u32 len = DXGKVMB_WAITFROMGPU_FIXED + n * (sizeof(*h) + sizeof(*v));
	int ret;

	cmd = kzalloc(len, GFP_KERNEL);
	if (!cmd)
		return -ENOMEM;
	cmd->context = context;
	cmd->object_count = n;
	memcpy((u8 *)cmd + DXGKVMB_WAITFROMGPU_FIXED, v, n * sizeof(*v));
	memcpy((u8 *)cmd + DXGKVMB_WAITFROMGPU_FIXED + n * sizeof(*v), h,
	       n * sizeof(*h));
	ret = dxg_device_send(p, device, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMGPU,
			      cmd, len);
	kfree(cmd);
	return ret;
}

int dxg_ioctl_wait_from_gpu(struct dxg_process *p, void *arg)
{
	struct d3dkmt_waitforsynchronizationobjectfromgpu *args = arg;
	d3dkmthandle h[D3DDDI_MAX_OBJECT_WAITED_ON];
	u64 v[D3DDDI_MAX_OBJECT_WAITED_ON];
	u32 n = args->object_count;
	struct dxg_device *device;
	int ret;

	ret = dxg_copy_refs(args->objects, args->monitored_fence_values, n, h,
			    v);
	if (ret)
		return ret;
	device = dxg_ctx_device_begin(p, args->context);
	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_check_syncobjs(p, device, h, n, true);
	if (!ret)
		ret = dxg_send_wait_from_gpu(p, device, args->context, h, v, n);
	dxg_device_end(device);
	return ret;
}

/* ---- submission and device state ---- */

void *dxg_cmd_user_tail(size_t fixed, u64 uhandles, u32 n, u64 upriv,
			u32 priv, u64 max, u32 *len)
{
	u64 l = fixed + (u64)n * sizeof(d3dkmthandle) + priv;
	u8 *cmd;

	if (l > max || l > U32_MAX)
		return ERR_PTR(-EINVAL);
	cmd = kvzalloc(l, GFP_KERNEL);
	if (!cmd)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(cmd + fixed, u64_to_user_ptr(uhandles),
			   n * sizeof(d3dkmthandle)) ||
	    copy_from_user(cmd + fixed + n * sizeof(d3dkmthandle),
			   u64_to_user_ptr(upriv), priv)) {
		kvfree(cmd);
		return ERR_PTR(-EFAULT);
	}
	*len = (u32)l;
	return cmd;
}

int dxg_ioctl_submit_command(struct dxg_process *p, void *arg)
{
	struct d3dkmt_submitcommand *args = arg;
	struct dxgkvmb_command_submitcommand *cmd;
	u32 nh = args->num_history_buffers, priv = args->priv_drv_data_size;
	struct dxg_device *device;
	u32 len;
	int ret;

	/* Exactly one context: broadcast needs linked adapters. */
	if (args->broadcast_context_count != 1 ||
	    nh > DXG_SUBMIT_MAX_HISTORY || priv > DXG_MAX_PRIVATE_DATA ||
	    args->num_primaries > D3DDDI_MAX_WRITTEN_PRIMARIES)
		return -EINVAL;
	device = dxg_ctx_device_begin(p, args->broadcast_context[0]);
	if (IS_ERR(device))
		return PTR_ERR(device);
	cmd = dxg_cmd_user_tail(sizeof(*cmd), args->history_buffer_array, nh,
				args->priv_drv_data, priv, DXG_MAX_CMD, &len);
	if (IS_ERR(cmd)) {
		ret = PTR_ERR(cmd);
	} else {
		cmd->args = *args;
		ret = dxg_device_send(p, device, DXGK_VMBCOMMAND_SUBMITCOMMAND,
				      cmd, len);
		kvfree(cmd);
	}
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_get_device_state(struct dxg_process *p, void *arg)
{
	struct d3dkmt_getdevicestate *args = arg;
	struct dxgkvmb_command_getdevicestate cmd = { .args = *args };
	struct dxgkvmb_command_getdevicestate_ret r = { };
	struct dxg_device *device;
	int ret;

	device = dxg_device_begin(p, args->device);
	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_GETDEVICESTATE, &cmd,
			      sizeof(cmd), &r, sizeof(r));
	if (!ret && r.status < 0)
		ret = dxg_ntstatus_to_errno(r.status);
	if (!ret) {
		/* The state of the type asked for; the rest is the caller's. */
		r.args.device = args->device;
		r.args.state_type = args->state_type;
		*args = r.args;
	}
	dxg_device_end(device);
	return ret;
}
