// SPDX-License-Identifier: GPL-2.0
/*
 * Devices and contexts.
 *
 * Their handles are the host's, mirrored into the process's table.  A
 * device belongs to the adapter of the adapter handle it was created from
 * and holds that adapter; closing the adapter handle does not destroy it.
 * Destroying a device unpublishes it, waits for the ioctls running on it
 * (device lock, write side), unpublishes its contexts and tells the host,
 * which destroys the contexts with it.
 */

#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"

static void dxg_device_release(struct kref *ref)
{
	struct dxg_device *device = container_of(ref, struct dxg_device, ref);

	dxg_adapter_put(device->adapter);
	kfree(device);
}

void dxg_device_get(struct dxg_device *device)
{
	kref_get(&device->ref);
}

void dxg_device_put(struct dxg_device *device)
{
	kref_put(&device->ref, dxg_device_release);
}

static void dxg_context_release(struct kref *ref)
{
	struct dxg_context *ctx = container_of(ref, struct dxg_context, ref);

	dxg_device_put(ctx->device);
	kfree(ctx);
}

void dxg_context_get(struct dxg_context *ctx)
{
	kref_get(&ctx->ref);
}

void dxg_context_put(struct dxg_context *ctx)
{
	kref_put(&ctx->ref, dxg_context_release);
}

/* Destroy an object on the host; a host that is gone destroyed it already. */
int dxg_destroy_on_host(struct dxg_process *p, struct dxg_adapter *a,
			u32 command_type, void *cmd, u32 cmd_len)
{
	d3dkmthandle proc;
	int ret;

	if (!dxg_adapter_usable(a))
		return 0;
	ret = dxg_process_host_handle(p, a->host, &proc);
	if (!ret)
		ret = dxg_call_status(a->host, a, proc, command_type, cmd,
				      cmd_len);
	return ret == -ENODEV ? 0 : ret;
}

int dxg_ioctl_create_device(struct dxg_process *p, void *arg)
{
	struct d3dkmt_createdevice *args = arg;
	struct dxgkvmb_command_createdevice cmd = {
		.flags = args->flags.value,
	};
	struct dxgkvmb_command_createdevice_ret r = { 0 };
	struct dxgkvmb_command_destroydevice undo = { };
	struct dxg_device *device = NULL;
	struct dxg_adapter *a;
	d3dkmthandle proc, h = 0;
	int ret;

	a = dxg_handle_get(&p->handles, DXG_OBJ_ADAPTER, args->adapter);
	if (!a)
		return -EINVAL;
	if (!dxg_adapter_usable(a)) {
		ret = -ENODEV;
		goto out;
	}
	device = kzalloc(sizeof(*device), GFP_KERNEL);
	if (!device) {
		ret = -ENOMEM;
		goto out;
	}
	ret = dxg_process_host_handle(p, a->host, &proc);
	if (ret)
		goto out;
	ret = dxg_call(a->host, a, proc, DXGK_VMBCOMMAND_CREATEDEVICE, &cmd,
		       sizeof(cmd), &r, dxg_handle_reply_size(a->host));
	if (!ret)
		ret = dxg_reply_handle(a->host, &r, &h);
	if (ret)
		goto out;

	kref_init(&device->ref);
	init_rwsem(&device->lock);
	dxg_adapter_get(a);
	device->adapter = a;
	device->handle = h;
	ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_DEVICE, device, h);
	dxg_device_put(device);		/* the table holds it now, or nobody */
	device = NULL;
	if (ret) {
		undo.device = h;
		dxg_destroy_on_host(p, a, DXGK_VMBCOMMAND_DESTROYDEVICE, &undo,
				    sizeof(undo));
		goto out;
	}
	args->device = h;
out:
	kfree(device);
	dxg_adapter_put(a);
	return ret;
}

int dxg_ioctl_destroy_device(struct dxg_process *p, void *arg)
{
	struct d3dkmt_destroydevice *args = arg;
	struct dxgkvmb_command_destroydevice cmd = { .device = args->device };
	struct dxg_device *device;
	int ret;

	device = dxg_handle_remove(&p->handles, DXG_OBJ_DEVICE, args->device);
	if (!device)
		return -EINVAL;
	down_write(&device->lock);
	device->destroyed = true;
	up_write(&device->lock);
	dxg_handle_remove_contexts(&p->handles, device);
	dxg_hwqueues_destroyed(p, NULL, device);
	/* Mappings go before the host frees the IO space under them. */
	dxg_memory_device_destroyed(p, device);
	dxg_sync_device_destroyed(p, device);
	ret = dxg_destroy_on_host(p, device->adapter,
				  DXGK_VMBCOMMAND_DESTROYDEVICE, &cmd,
				  sizeof(cmd));
	/* The host let go of the device's guest pages (else: at close). */
	if (!ret)
		dxg_sysmem_release_device(p, device);
	dxg_device_put(device);
	return ret;
}

/* Largest private data: the command must fit in one message. */
#define DXG_CCV_MAX_DATA (DXG_MAX_VM_BUS_PACKET_SIZE - \
			  sizeof(struct dxgkvmb_command_ext_header) - \
			  DXGKVMB_CREATECONTEXTVIRTUAL_FIXED)

int dxg_ioctl_create_context_virtual(struct dxg_process *p, void *arg)
{
	struct d3dkmt_createcontextvirtual *args = arg;
	struct dxgkvmb_command_createcontextvirtual *cmd = NULL, *reply = NULL;
	struct dxgkvmb_command_destroycontext undo = { };
	u32 size = args->priv_drv_data_size;
	u32 cmd_len = DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + size;
	struct dxg_context *ctx = NULL;
	struct dxg_device *device;
	struct dxg_adapter *a;
	d3dkmthandle proc;
	int ret;

	if (size > DXG_CCV_MAX_DATA || size > DXG_MAX_PRIVATE_DATA)
		return -EINVAL;
	device = dxg_handle_get(&p->handles, DXG_OBJ_DEVICE, args->device);
	if (!device)
		return -EINVAL;
	a = device->adapter;

	/* sizeof() covers the 4 bytes of padding after the fixed part. */
	cmd = kvzalloc(sizeof(*cmd) + size, GFP_KERNEL);
	reply = kvzalloc(sizeof(*reply) + size, GFP_KERNEL);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!cmd || !reply || !ctx) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (size && copy_from_user((u8 *)cmd + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED,
				   u64_to_user_ptr(args->priv_drv_data), size)) {
		ret = -EFAULT;
		goto out_put;
	}
	cmd->device = args->device;
	cmd->node_ordinal = args->node_ordinal;
	cmd->engine_affinity = args->engine_affinity;
	cmd->flags = args->flags.value;
	cmd->client_hint = args->client_hint;
	cmd->priv_drv_data_size = size;

	down_read(&device->lock);
	if (device->destroyed) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (!dxg_adapter_usable(a)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = dxg_process_host_handle(p, a->host, &proc);
	if (ret)
		goto out_unlock;
	/* The reply is the whole command with `context` filled in. */
	ret = dxg_call(a->host, a, proc, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL,
		       cmd, cmd_len, reply, cmd_len);
	if (!ret)
		ret = dxg_reply_status_handle(reply->context, 0, &args->context);
	if (ret)
		goto out_unlock;

	kref_init(&ctx->ref);
	dxg_device_get(device);
	ctx->device = device;
	ctx->handle = args->context;
	ret = dxg_handle_insert_host(&p->handles, p, DXG_OBJ_CONTEXT, ctx,
				     ctx->handle);
	dxg_context_put(ctx);
	ctx = NULL;
	if (ret) {
		undo.context = args->context;
		dxg_destroy_on_host(p, a, DXGK_VMBCOMMAND_DESTROYCONTEXT, &undo,
				    sizeof(undo));
		args->context = 0;
	}
out_unlock:
	up_read(&device->lock);
out_put:
	kfree(ctx);
	kvfree(reply);
	kvfree(cmd);
	dxg_device_put(device);
	return ret;
}

int dxg_ioctl_destroy_context(struct dxg_process *p, void *arg)
{
	struct d3dkmt_destroycontext *args = arg;
	struct dxgkvmb_command_destroycontext cmd = { .context = args->context };
	struct dxg_context *ctx;
	struct dxg_device *device;
	int ret = 0;

	ctx = dxg_handle_remove(&p->handles, DXG_OBJ_CONTEXT, args->context);
	if (!ctx)
		return -EINVAL;
	device = ctx->device;
	/* The host destroys the context's hw queues with it. */
	dxg_hwqueues_destroyed(p, ctx, NULL);
	down_read(&device->lock);
	/* A destroyed device took its contexts with it on the host. */
	if (!device->destroyed)
		ret = dxg_destroy_on_host(p, device->adapter,
					  DXGK_VMBCOMMAND_DESTROYCONTEXT, &cmd,
					  sizeof(cmd));
	up_read(&device->lock);
	dxg_context_put(ctx);
	return ret;
}
