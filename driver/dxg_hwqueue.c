// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware queues (docs/sync.md §8).
 *
 * A hw queue belongs to a context; the host runs its work on the context's
 * queue.  Its progress fence is a monitored fence the host creates with it:
 * the driver publishes it as an ordinary sync object (so every wait, signal
 * and sync-file path takes it) marked queue_owned, which only the queue's
 * own destruction removes, and maps its page read-only into the process as
 * any fence's (the CPU VA returned by CreateHwQueue).
 *
 * Whoever unpublishes an object unmaps it: a progress fence is unpublished
 * either by DestroyHwQueue / DestroyContext (through its queue) or by
 * DestroyDevice (with the device's sync objects), never twice.
 */

#include <linux/dma-fence.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"

#define DXG_HWQ_MAX_CMD	(DXG_MAX_VM_BUS_PACKET_SIZE - \
			 sizeof(struct dxgkvmb_command_ext_header))
/* Largest private data of a create: the command must fit in one message. */
#define DXG_HWQ_MAX_DATA (DXG_HWQ_MAX_CMD - DXGKVMB_CREATEHWQUEUE_FIXED)

static void dxg_hwqueue_release(struct kref *ref)
{
	struct dxg_hwqueue *q = container_of(ref, struct dxg_hwqueue, ref);

	if (q->progress)
		dxg_syncobj_put(q->progress);
	dxg_context_put(q->ctx);
	kfree(q);
}

void dxg_hwqueue_get(struct dxg_hwqueue *q)
{
	kref_get(&q->ref);
}

void dxg_hwqueue_put(struct dxg_hwqueue *q)
{
	kref_put(&q->ref, dxg_hwqueue_release);
}

static bool dxg_hwq_of_context(void *obj, const void *arg)
{
	return ((struct dxg_hwqueue *)obj)->ctx == arg;
}

static bool dxg_hwq_of_device(void *obj, const void *arg)
{
	return ((struct dxg_hwqueue *)obj)->ctx->device == arg;
}

void dxg_hwqueues_destroyed(struct dxg_process *p, struct dxg_context *ctx,
			    struct dxg_device *device)
{
	void *batch[32];
	unsigned int n, i;

	do {
		n = dxg_handle_remove_matching(&p->handles, DXG_OBJ_HWQUEUE,
					       ctx ? dxg_hwq_of_context :
						     dxg_hwq_of_device,
					       ctx ? (const void *)ctx :
						     (const void *)device,
					       batch, ARRAY_SIZE(batch));
		for (i = 0; i < n; i++) {
			dxg_queue_fence_drop(p, ((struct dxg_hwqueue *)batch[i])->progress);
			dxg_hwqueue_put(batch[i]);
		}
	} while (n == ARRAY_SIZE(batch));
}

/* Send DESTROYHWQUEUE; a destroyed device took its queues with it. */
static int dxg_hwqueue_destroy_on_host(struct dxg_process *p,
				       struct dxg_device *device,
				       d3dkmthandle h)
{
	struct dxgkvmb_command_destroyhwqueue cmd = { .hwqueue = h };

	return dxg_destroy_on_host(p, device->adapter,
				   DXGK_VMBCOMMAND_DESTROYHWQUEUE, &cmd,
				   sizeof(cmd));
}

/*
 * Publish the fence, then the queue; on failure neither stays.  A
 * DestroyContext that ran meanwhile swept the table before the queue was
 * in it (and the host destroyed the queue with the context): the context
 * must still be published once the queue is.
 */
static int dxg_hwqueue_publish(struct dxg_process *p, struct dxg_hwqueue *q)
{
	struct dxg_context *ctx;
	int ret;

	ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_SYNCOBJECT,
				     q->progress, q->progress->handle);
	if (ret)
		return ret;
	ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_HWQUEUE, q,
				     q->handle);
	if (!ret) {
		ctx = dxg_handle_get(&p->handles, DXG_OBJ_CONTEXT,
				     q->ctx->handle);
		if (ctx != q->ctx) {
			ret = -EINVAL;
			dxg_hwqueue_put(dxg_handle_remove(&p->handles,
							  DXG_OBJ_HWQUEUE,
							  q->handle));
		}
		if (ctx)
			dxg_context_put(ctx);
	}
	if (ret)
		dxg_syncobj_put(dxg_handle_remove(&p->handles,
						  DXG_OBJ_SYNCOBJECT,
						  q->progress->handle));
	return ret;
}

int dxg_ioctl_create_hwqueue(struct dxg_process *p, void *arg)
{
	struct d3dkmt_createhwqueue *args = arg;
	struct dxgkvmb_command_createhwqueue *cmd = NULL, r = { };
	u32 size = args->priv_drv_data_size;
	struct dxg_hwqueue *q = NULL;
	struct dxg_context *ctx;
	struct dxg_device *device;
	struct dxg_syncobj *so;
	u64 cpu_va = 0;
	int ret;

	if (args->flags.value & ~D3DDDI_CREATEHWQUEUE_FLAG_DISABLE_GPU_TIMEOUT ||
	    size > DXG_HWQ_MAX_DATA || size > DXG_MAX_PRIVATE_DATA)
		return -EINVAL;
	ctx = dxg_handle_get(&p->handles, DXG_OBJ_CONTEXT, args->context);
	if (!ctx)
		return -EINVAL;
	device = dxg_device_begin(p, ctx->device->handle);
	if (IS_ERR(device)) {
		dxg_context_put(ctx);
		return PTR_ERR(device);
	}
	if (device != ctx->device) {
		ret = -EINVAL;
		goto out;
	}
	/* sizeof() covers the padding after the fixed part. */
	cmd = kvzalloc(sizeof(*cmd) + size, GFP_KERNEL);
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!cmd || !q) {
		ret = -ENOMEM;
		goto out;
	}
	if (size && copy_from_user((u8 *)cmd + DXGKVMB_CREATEHWQUEUE_FIXED,
				   u64_to_user_ptr(args->priv_drv_data), size)) {
		ret = -EFAULT;
		goto out;
	}
	cmd->context = args->context;
	cmd->flags = args->flags.value;
	cmd->priv_drv_data_size = size;
	/* The reply's fixed part: status, handles, fence page, GPU VA. */
	ret = dxg_device_call(p, device, DXGK_VMBCOMMAND_CREATEHWQUEUE, cmd,
			      DXGKVMB_CREATEHWQUEUE_FIXED + size, &r,
			      DXGKVMB_CREATEHWQUEUE_FIXED);
	if (!ret)
		ret = dxg_reply_new_handle(r.hwqueue, r.status);
	if (ret)
		goto out;
	so = r.hwqueue_progress_fence ?
	     dxg_queue_fence_make(p, device, r.hwqueue_progress_fence,
				  r.hwqueue_progress_fence_cpuva, 0,
				  r.hwqueue_progress_fence_gpuva, &cpu_va) :
	     ERR_PTR(-EPROTO);
	if (IS_ERR(so)) {
		ret = PTR_ERR(so);
		dxg_hwqueue_destroy_on_host(p, device, r.hwqueue);
		goto out;
	}
	kref_init(&q->ref);
	q->ctx = ctx;
	ctx = NULL;		/* the queue holds it now */
	q->handle = r.hwqueue;
	q->progress = so;
	ret = dxg_hwqueue_publish(p, q);
	if (ret) {
		dxg_cpu_map_destroy(p, &so->fence);
		dxg_hwqueue_destroy_on_host(p, device, r.hwqueue);
		goto out;
	}
	args->queue = q->handle;
	args->queue_progress_fence = so->handle;
	args->queue_progress_fence_cpu_va = cpu_va;
	args->queue_progress_fence_gpu_va = so->fence_gpu_va;
out:
	if (q && q->ctx)
		dxg_hwqueue_put(q);	/* the table holds it, or nobody */
	else
		kfree(q);
	kvfree(cmd);
	dxg_device_end(device);
	if (ctx)
		dxg_context_put(ctx);
	return ret;
}

int dxg_ioctl_destroy_hwqueue(struct dxg_process *p, void *arg)
{
	struct d3dkmt_destroyhwqueue *args = arg;
	struct dxg_device *device;
	struct dxg_hwqueue *q;
	int ret = 0;

	q = dxg_handle_remove(&p->handles, DXG_OBJ_HWQUEUE, args->queue);
	if (!q)
		return -EINVAL;
	/* The page goes before the host frees the IO space under it. */
	dxg_queue_fence_drop(p, q->progress);
	device = q->ctx->device;
	down_read(&device->lock);
	if (!device->destroyed)
		ret = dxg_hwqueue_destroy_on_host(p, device, q->handle);
	up_read(&device->lock);
	dxg_hwqueue_put(q);
	return ret;
}

struct dxg_device *dxg_queue_device(struct dxg_process *p,
				    enum dxg_obj_type type, d3dkmthandle h)
{
	struct dxg_device *device = NULL;
	struct dxg_hwqueue *q;
	struct dxg_context *ctx;

	if (type == DXG_OBJ_CONTEXT) {
		ctx = dxg_handle_get(&p->handles, DXG_OBJ_CONTEXT, h);
		if (ctx) {
			device = ctx->device;
			dxg_device_get(device);
			dxg_context_put(ctx);
		}
	} else if (type == DXG_OBJ_HWQUEUE) {
		q = dxg_handle_get(&p->handles, DXG_OBJ_HWQUEUE, h);
		if (q) {
			device = q->ctx->device;
			dxg_device_get(device);
			dxg_hwqueue_put(q);
		}
	}
	return device;
}

/* The device of a hw queue handle, held as by dxg_device_begin(). */
static struct dxg_device *dxg_hwq_device_begin(struct dxg_process *p,
					       d3dkmthandle h)
{
	struct dxg_hwqueue *q = dxg_handle_get(&p->handles, DXG_OBJ_HWQUEUE, h);
	struct dxg_device *device;

	if (!q)
		return ERR_PTR(-EINVAL);
	device = dxg_device_begin(p, q->ctx->device->handle);
	if (!IS_ERR(device) && device != q->ctx->device) {
		dxg_device_end(device);
		device = ERR_PTR(-EINVAL);
	}
	dxg_hwqueue_put(q);
	return device;
}

int dxg_ioctl_submit_command_to_hwqueue(struct dxg_process *p, void *arg)
{
	struct d3dkmt_submitcommandtohwqueue *args = arg;
	struct dxgkvmb_command_submitcommandtohwqueue *cmd;
	u32 np = args->num_primaries, priv = args->priv_drv_data_size;
	struct dxg_device *device;
	u32 len;
	int ret;

	if (np > D3DDDI_MAX_WRITTEN_PRIMARIES || priv > DXG_MAX_PRIVATE_DATA)
		return -EINVAL;
	device = dxg_hwq_device_begin(p, args->hwqueue);
	if (IS_ERR(device))
		return PTR_ERR(device);
	cmd = dxg_cmd_user_tail(sizeof(*cmd), args->written_primaries, np,
				args->priv_drv_data, priv, DXG_HWQ_MAX_CMD, &len);
	if (IS_ERR(cmd)) {
		ret = PTR_ERR(cmd);
	} else {
		cmd->args = *args;
		ret = dxg_device_send(p, device,
				      DXGK_VMBCOMMAND_SUBMITCOMMANDTOHWQUEUE,
				      cmd, len);
		kvfree(cmd);
	}
	dxg_device_end(device);
	return ret;
}

int dxg_ioctl_submit_signal_to_hwqueue(struct dxg_process *p, void *arg)
{
	struct d3dkmt_submitsignalsyncobjectstohwqueue *args = arg;
	d3dkmthandle h[D3DDDI_MAX_OBJECT_SIGNALED];
	d3dkmthandle qs[D3DDDI_MAX_BROADCAST_CONTEXT];
	u64 v[D3DDDI_MAX_OBJECT_SIGNALED];
	u32 nq = args->hwqueue_count;
	int ret;

	/* 1..64 queues of one device (a broadcast); no CPU event here. */
	if (!nq || nq > D3DDDI_MAX_BROADCAST_CONTEXT ||
	    (args->flags.value & ~D3DDDICB_SIGNAL_FLAG_ALLOW_FENCE_REWIND))
		return -EINVAL;
	if (copy_from_user(qs, u64_to_user_ptr(args->hwqueues),
			   nq * sizeof(qs[0])))
		return -EFAULT;
	ret = dxg_copy_refs(args->objects, args->fence_values,
			    args->object_count, h, v);
	if (ret)
		return ret;
	return dxg_signal_queues(p, DXG_OBJ_HWQUEUE, qs, nq, h, v,
				 args->object_count, 0, 0);
}

int dxg_ioctl_submit_wait_to_hwqueue(struct dxg_process *p, void *arg)
{
	struct d3dkmt_submitwaitforsyncobjectstohwqueue *args = arg;
	d3dkmthandle h[D3DDDI_MAX_OBJECT_WAITED_ON];
	u64 v[D3DDDI_MAX_OBJECT_WAITED_ON];
	struct dxg_device *device;
	int ret;

	ret = dxg_copy_refs(args->objects, args->fence_values,
			    args->object_count, h, v);
	if (ret)
		return ret;
	device = dxg_hwq_device_begin(p, args->hwqueue);
	if (IS_ERR(device))
		return PTR_ERR(device);
	ret = dxg_check_syncobjs(p, device, h, args->object_count, true);
	if (!ret)
		ret = dxg_send_wait_from_gpu(p, device, args->hwqueue, h, v,
					     args->object_count);
	dxg_device_end(device);
	return ret;
}
