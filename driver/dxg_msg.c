// SPDX-License-Identifier: GPL-2.0
/*
 * The one message builder: every command to a host goes through dxg_call(),
 * which puts the extended header (interface version 40: the vGPU LUID of
 * the target adapter, zero for VM-wide commands) and the command header in
 * front of the caller's command and waits for the reply.  A create's reply
 * that arrives after its waiter gave up is not lost: see dxg_reclaim.c.
 */

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dxg.h"

int dxg_call_luid(struct dxg_host *host, const struct winluid *vgpu_luid,
		  d3dkmthandle process, u32 command_type, void *cmd,
		  u32 cmd_len, void *reply, u32 reply_len)
{
	struct dxgkvmb_command_ext_header ext;
	struct dxg_late_reply *late;
	enum dxg_route route;
	u32 got = 0;
	int ret;

	if (cmd_len < sizeof(struct dxgkvmb_command_hdr))
		return -EINVAL;
	dxg_msg_fill_hdr(&ext, cmd, vgpu_luid, process, command_type, false);
	/*
	 * An adapter command takes the adapter's own channel unless the host
	 * enabled async messages: then everything goes VM-wide, and the
	 * extended header's vGPU LUID routes it (D18).
	 */
	route = vgpu_luid && !READ_ONCE(host->async_msg) ? DXG_ROUTE_ADAPTER :
							   DXG_ROUTE_VM;

	/* A create's reply must reach someone even if we stop waiting. */
	late = dxg_reclaim_prepare(command_type, process, vgpu_luid);
	if (IS_ERR(late))
		return PTR_ERR(late);
	ret = dxg_channel_call(&host->ch, route, &ext, sizeof(ext), cmd,
			       cmd_len, reply, reply_len, &got, &late);
	kfree(late);	/* NULL if the channel kept it */
	if (ret == -EMSGSIZE)
		return -EINVAL;
	if (ret)
		return ret;
	if (got < reply_len) {
		dev_dbg(host->dev, "short reply (%u < %u) to command %u\n",
			got, reply_len, command_type);
		return dxg_reply_short(host->odx_replies, reply, got);
	}
	return 0;
}

int dxg_call(struct dxg_host *host, const struct dxg_adapter *adapter,
	     d3dkmthandle process, u32 command_type, void *cmd, u32 cmd_len,
	     void *reply, u32 reply_len)
{
	return dxg_call_luid(host, adapter ? &adapter->vgpu_luid : NULL,
			     process, command_type, cmd, cmd_len, reply,
			     reply_len);
}

/* For commands whose reply is a bare NTSTATUS: errno or positive status. */
int dxg_call_status(struct dxg_host *host, const struct dxg_adapter *adapter,
		    d3dkmthandle process, u32 command_type, void *cmd,
		    u32 cmd_len)
{
	struct dxgkvmb_command_status_ret r = { 0 };
	int ret;

	ret = dxg_call(host, adapter, process, command_type, cmd, cmd_len,
		       &r, sizeof(r));
	if (ret)
		return ret;
	return r.status < 0 ? dxg_ntstatus_to_errno(r.status) : r.status;
}

/*
 * Replies that carry a new handle and a status word report failure as
 * handle 0 with the reason in the status word.
 */
int dxg_reply_status_handle(d3dkmthandle handle, s32 status, d3dkmthandle *out)
{
	int ret = dxg_reply_new_handle(handle, status);

	if (!ret)
		*out = handle;
	return ret;
}

/*
 * CREATEPROCESS and CREATEDEVICE: an opendxg host answers {handle, status}
 * (8 bytes), a Windows host the handle alone (4 bytes), 0 on failure.
 */
u32 dxg_handle_reply_size(const struct dxg_host *host)
{
	return dxg_reply_handle_len(host->odx_replies);
}

/* Reads a reply of dxg_handle_reply_size() bytes. */
int dxg_reply_handle(const struct dxg_host *host, const void *reply,
		     d3dkmthandle *out)
{
	return dxg_reply_handle_parse(host->odx_replies, reply, out);
}

int dxg_send_async(struct dxg_host *host, const struct dxg_adapter *adapter,
		   d3dkmthandle process, u32 command_type, void *cmd,
		   u32 cmd_len)
{
	struct dxgkvmb_command_ext_header ext;
	int ret;

	if (!READ_ONCE(host->async_msg))
		return dxg_call_status(host, adapter, process, command_type, cmd,
				       cmd_len);
	if (cmd_len < sizeof(struct dxgkvmb_command_hdr))
		return -EINVAL;
	dxg_msg_fill_hdr(&ext, cmd, adapter ? &adapter->vgpu_luid : NULL,
			 process, command_type, true);
	ret = dxg_channel_send_async(&host->ch, &ext, sizeof(ext), cmd,
				     cmd_len);
	return ret == -EMSGSIZE ? -EINVAL : ret;
}
