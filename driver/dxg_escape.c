// SPDX-License-Identifier: GPL-2.0
/*
 * D3DKMTEscape: private data for the adapter's driver on the host.
 *
 * The private data (1 .. DXG_ESCAPE_MAX_DATA bytes) is copied in once and
 * sent with the adapter's host handle and the optional device and context
 * (which must belong to that adapter, and the context to that device).  An
 * opendxg host replies with a status followed by the updated private data,
 * a Windows host with the updated private data alone (docs/protocol.md §5,
 * D3); either way the data is copied back.  opendxg's own escapes create
 * and destroy compute pipelines on a device (docs/command-stream.md §6).
 */

#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dxg.h"

/* Largest private data: the command must fit in one message. */
#define DXG_ESCAPE_MAX_DATA (DXG_MAX_VM_BUS_PACKET_SIZE - \
			     sizeof(struct dxgkvmb_command_ext_header) - \
			     DXGKVMB_ESCAPE_FIXED)

/* Sends the escape and copies the host's private data back. */
static int dxg_escape_send(struct dxg_process *p, struct dxg_adapter *a,
			   struct d3dkmt_escape *args)
{
	u32 size = args->priv_drv_data_size;
	void __user *udata = u64_to_user_ptr(args->priv_drv_data);
	struct dxgkvmb_command_escape *cmd;
	bool odx = a->host->odx_replies;
	const void *data;
	void *reply;
	d3dkmthandle proc;
	int ret;

	cmd = kvzalloc(DXGKVMB_ESCAPE_FIXED + size, GFP_KERNEL);
	reply = kvzalloc(dxg_reply_escape_len(odx, size), GFP_KERNEL);
	if (!cmd || !reply) {
		ret = -ENOMEM;
		goto out;
	}
	if (copy_from_user((u8 *)cmd + DXGKVMB_ESCAPE_FIXED, udata, size)) {
		ret = -EFAULT;
		goto out;
	}
	cmd->adapter = a->host_handle;
	cmd->device = args->device;
	cmd->type = args->type;
	cmd->flags = args->flags.value;
	cmd->priv_drv_data_size = size;
	cmd->context = args->context;

	ret = dxg_process_host_handle(p, a->host, &proc);
	if (!ret)
		ret = dxg_call(a->host, a, proc, DXGK_VMBCOMMAND_ESCAPE, cmd,
			       DXGKVMB_ESCAPE_FIXED + size, reply,
			       dxg_reply_escape_len(odx, size));
	if (ret)
		goto out;
	ret = dxg_reply_escape(odx, reply, &data);
	if (ret >= 0 && copy_to_user(udata, data, size))
		ret = -EFAULT;
out:
	kvfree(reply);
	kvfree(cmd);
	return ret;
}

int dxg_ioctl_escape(struct dxg_process *p, void *arg)
{
	struct d3dkmt_escape *args = arg;
	struct dxg_device *device = NULL;
	struct dxg_context *ctx = NULL;
	struct dxg_adapter *a;
	int ret = -EINVAL;

	if (args->priv_drv_data_size == 0 ||
	    args->priv_drv_data_size > DXG_ESCAPE_MAX_DATA ||
	    args->priv_drv_data_size > DXG_MAX_PRIVATE_DATA)
		return -EINVAL;
	a = dxg_handle_get(&p->handles, DXG_OBJ_ADAPTER, args->adapter);
	if (!a)
		return -EINVAL;
	if (args->device) {
		device = dxg_handle_get(&p->handles, DXG_OBJ_DEVICE, args->device);
		if (!device || device->adapter != a)
			goto out;
	}
	if (args->context) {
		ctx = dxg_handle_get(&p->handles, DXG_OBJ_CONTEXT, args->context);
		if (!ctx || !device || ctx->device != device)
			goto out;
	}
	if (device) {
		/* Not while the device is being destroyed. */
		down_read(&device->lock);
		if (device->destroyed)
			ret = -EINVAL;
		else
			ret = dxg_adapter_usable(a) ? dxg_escape_send(p, a, args) :
			      -ENODEV;
		up_read(&device->lock);
	} else {
		ret = dxg_adapter_usable(a) ? dxg_escape_send(p, a, args) : -ENODEV;
	}
out:
	if (ctx)
		dxg_context_put(ctx);
	if (device)
		dxg_device_put(device);
	dxg_adapter_put(a);
	return ret;
}
