// SPDX-License-Identifier: MIT
/*
 * The adapter commands: OPENADAPTER and CLOSEADAPTER (a VM-wide handle per
 * opened adapter), GETINTERNALADAPTERINFO and QUERYADAPTERINFO, answered
 * from the adapter's description (core/adapter.c) and the VM's memory
 * segments (core/memory.c).
 */
#include <stddef.h>
#include <string.h>

#include "core/adapter.h"
#include "core/memory.h"
#include "dxg/ntstatus.h"
#include "dxg/vkinfo.h"
#include "dxg/protocol.h"
#include "protocol/cmds.h"

int32_t dxg_h_openadapter(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	struct dxgkvmb_command_openadapter_ret r = {
		.vmbus_interface_version = ctx->interface_version ?
			ctx->interface_version : DXGK_VMBUS_INTERFACE_VERSION,
		.vmbus_last_compatible_interface_version =
			DXGK_VMBUS_LAST_COMPATIBLE_INTERFACE_VERSION,
	};
	struct dxg_obj *a;
	int32_t st;

	st = dxg_obj_create(ctx->objs, DXG_OBJ_ADAPTER, NULL, req->adapter, &a);
	if (st < 0)
		return st;
	r.host_adapter_handle = a->handle;
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

int32_t dxg_h_closeadapter(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_closeadapter, c);
	struct dxg_obj *a = req_object(ctx, req, c.host_handle, DXG_OBJ_ADAPTER);

	/* Opened adapters are VM-wide: they have no owning process. */
	if (!a || a->process)
		return STATUS_INVALID_HANDLE;
	dxg_obj_destroy(ctx->objs, a);
	return STATUS_SUCCESS;
}

int32_t dxg_h_getinternaladapterinfo(struct dxg_dispatch_ctx *ctx,
				     struct dxg_req *req)
{
	struct dxgkvmb_command_getinternaladapterinfo_ret r;

	(void)ctx;
	memset(&r, 0, sizeof(r));
	r.flags = ctx->no_async ? 0 : DXG_INTERNAL_INFO_ASYNC_MSG_ENABLED;
	/* Hw queues are offered (WDDM 2.7 caps, core/adapter.c). */
	r.flags |= DXG_INTERNAL_INFO_HW_SCH_ENABLED |
		   DXG_INTERNAL_INFO_HW_SCH_CAPABLE;
	r.driver_ddi_version = KMT_DRIVERVERSION_WDDM_2_7;
	r.host_adapter_luid = req->adapter->luid;
	r.host_vgpu_luid = req->adapter->vgpu_luid;
	dxg_utf16_copy(r.device_description, DXG_ADAPTER_DESCRIPTION_LEN,
		       req->adapter->description);
	put_reply(req, &r, sizeof(r));
	return STATUS_SUCCESS;
}

/*
 * What the Vulkan device description says about this VM rather than the
 * device (include/dxg/vkinfo.h): whether its guest RAM is mapped, and
 * whether this VM's device gives out device addresses (only a device of
 * its own does).
 */
static void vkinfo_vm_flags(const struct dxg_dispatch_ctx *ctx,
			    const struct dxg_adapter *ad, uint32_t type,
			    uint8_t *buf, uint32_t size)
{
	struct dxg_vkinfo_header h;
	uint32_t flags = 0;
	const size_t off = offsetof(struct dxg_vkinfo, u.device.flags);

	if (type != KMTQAITYPE_UMDRIVERPRIVATE || size < DXG_VKINFO_SIZE)
		return;
	memcpy(&h, buf, sizeof(h));
	if (h.what != DXG_VKINFO_DEVICE)
		return;
	if (ctx->mem && ctx->mem->ram.verified)
		flags |= DXG_VKINFO_DEVICE_GUEST_MEMORY;
	if (dxg_adapter_device_address(ad))
		flags |= DXG_VKINFO_DEVICE_ADDRESS;
	/* A Vulkan adapter's engines stage such views (vk_image_staged.h). */
	flags |= DXG_VKINFO_DEVICE_IMAGE_VIEWS;
	memcpy(buf + off, &flags, sizeof(flags));
}

int32_t dxg_h_queryadapterinfo(struct dxg_dispatch_ctx *ctx,
			       struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_queryadapterinfo, c);
	uint32_t room = req->cmd_len - (uint32_t)sizeof(c);
	struct dxgkvmb_command_queryadapterinfo_ret r = { STATUS_SUCCESS };
	int32_t st;

	if (c.private_data_size == 0 || c.private_data_size > room ||
	    c.private_data_size > DXG_REPLY_BUF_SIZE - sizeof(r))
		return STATUS_INVALID_PARAMETER;
	memcpy(req->reply + sizeof(r), req->cmd + sizeof(c), c.private_data_size);
	/* Memory segments are the VM's IO space (docs/memory.md). */
	st = dxg_mem_query_segments(ctx->mem, req->adapter, c.query_type,
				    req->reply + sizeof(r), c.private_data_size);
	if (st == STATUS_NOT_SUPPORTED)
		st = dxg_adapter_query(req->adapter, c.query_type,
				       req->reply + sizeof(r),
				       c.private_data_size);
	if (st < 0)
		return st;
	vkinfo_vm_flags(ctx, req->adapter, c.query_type, req->reply + sizeof(r),
			c.private_data_size);
	memcpy(req->reply, &r, sizeof(r));
	req->reply_len = (uint32_t)sizeof(r) + c.private_data_size;
	return STATUS_SUCCESS;
}
