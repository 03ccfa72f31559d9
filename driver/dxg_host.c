// SPDX-License-Identifier: GPL-2.0
/*
 * Hosts and their adapters.
 *
 * A host is what one transport device connects us to.  Its adapters come
 * from the transport (the ivshmem control page's adapter table); at
 * bring-up each is opened on the host (OPENADAPTER, GETINTERNALADAPTERINFO).
 * When the host goes away its adapters become unusable (-ENODEV) but every
 * object stays until the processes that own it close it.
 */

#include <linux/slab.h>

#include "dxg.h"

static void dxg_host_release(struct kref *ref)
{
	struct dxg_host *host = container_of(ref, struct dxg_host, ref);
	struct dxg_transport *t = host->ch.transport;

	put_device(host->dev);
	kfree(host);
	if (t->ops->release)
		t->ops->release(t);
}

void dxg_host_get(struct dxg_host *host)
{
	kref_get(&host->ref);
}

void dxg_host_put(struct dxg_host *host)
{
	kref_put(&host->ref, dxg_host_release);
}

static void dxg_adapter_release(struct kref *ref)
{
	struct dxg_adapter *adapter = container_of(ref, struct dxg_adapter, ref);

	dxg_host_put(adapter->host);
	kfree(adapter);
}

void dxg_adapter_get(struct dxg_adapter *adapter)
{
	kref_get(&adapter->ref);
}

void dxg_adapter_put(struct dxg_adapter *adapter)
{
	kref_put(&adapter->ref, dxg_adapter_release);
}

bool dxg_adapter_usable(const struct dxg_adapter *adapter)
{
	return adapter->host_handle && dxg_host_active(adapter->host);
}

static void dxg_host_gone_work(struct work_struct *work)
{
	struct dxg_host *host = container_of(work, struct dxg_host, gone_work);

	dxg_registry_remove(host);
}

struct dxg_host *dxg_host_create(struct device *dev, struct dxg_transport *t,
				 const struct dxg_adapter_desc *descs,
				 unsigned int num_adapters, bool odx_replies)
{
	struct dxg_host *host;
	unsigned int i;

	if (num_adapters > DXG_MAX_HOST_ADAPTERS)
		return ERR_PTR(-EINVAL);
	host = kzalloc(sizeof(*host), GFP_KERNEL);
	if (!host)
		return ERR_PTR(-ENOMEM);
	kref_init(&host->ref);
	INIT_LIST_HEAD(&host->node);
	host->dev = get_device(dev);
	dxg_channel_init(&host->ch, t);
	host->state = DXG_HOST_STARTING;
	host->odx_replies = odx_replies;
	INIT_WORK(&host->gone_work, dxg_host_gone_work);
	dxg_host_events_init(host);
	mutex_init(&host->maps_lock);
	INIT_LIST_HEAD(&host->maps);
	mutex_init(&host->procs_lock);
	INIT_LIST_HEAD(&host->procs);
	dxg_reclaim_init(host);
	t->host = host;

	for (i = 0; i < num_adapters; i++) {
		struct dxg_adapter *a = kzalloc(sizeof(*a), GFP_KERNEL);

		if (!a)
			goto fail;
		kref_init(&a->ref);
		dxg_host_get(host);
		a->host = host;
		a->luid = descs[i].luid;
		a->vgpu_luid = descs[i].vgpu_luid;
		a->compute_only = descs[i].compute_only;
		a->vendor_id = descs[i].vendor_id;
		a->device_id = descs[i].device_id;
		host->adapters[host->num_adapters++] = a;
	}
	return host;

fail:
	/* The transport still owns its memory: do not call release on it. */
	while (host->num_adapters)
		dxg_adapter_put(host->adapters[--host->num_adapters]);
	t->host = NULL;
	put_device(host->dev);
	kfree(host);
	return ERR_PTR(-ENOMEM);
}

static int dxg_adapter_open(struct dxg_host *host, struct dxg_adapter *a)
{
	struct dxgkvmb_command_openadapter open = {
		.vmbus_interface_version = DXGK_VMBUS_INTERFACE_VERSION,
		.vmbus_last_compatible_interface_version =
			DXGK_VMBUS_LAST_COMPATIBLE_INTERFACE_VERSION,
		/*
		 * guest_adapter_luid stays 0, as the reference sends it
		 * (protocol.md D15): no host reads it.
		 */
	};
	struct dxgkvmb_command_openadapter_ret open_ret = { 0 };
	struct dxgkvmb_command_getinternaladapterinfo info = { };
	struct dxgkvmb_command_getinternaladapterinfo_ret *info_ret;
	d3dkmthandle h = 0;
	int ret;

	ret = dxg_call(host, a, 0, DXGK_VMBCOMMAND_OPENADAPTER, &open,
		       sizeof(open), &open_ret, sizeof(open_ret));
	if (!ret)
		ret = dxg_reply_status_handle(open_ret.host_adapter_handle,
					      open_ret.status, &h);
	if (ret)
		return ret;

	info_ret = kzalloc(sizeof(*info_ret), GFP_KERNEL);
	if (!info_ret)
		return -ENOMEM;
	ret = dxg_call(host, a, 0, DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO,
		       &info, sizeof(info), info_ret, sizeof(*info_ret));
	if (!ret) {
		a->host_luid = info_ret->host_adapter_luid;
		if (info_ret->flags & DXG_INTERNAL_INFO_ASYNC_MSG_ENABLED)
			host->async_msg = true;
		a->host_handle = h;
	}
	kfree(info_ret);
	return ret;
}

int dxg_host_start(struct dxg_host *host)
{
	unsigned int i, opened = 0;
	int ret;

	for (i = 0; i < host->num_adapters; i++) {
		ret = dxg_adapter_open(host, host->adapters[i]);
		if (ret) {
			dev_warn(host->dev, "adapter %u did not open: %d\n",
				 i, ret);
			continue;
		}
		opened++;
	}
	/* The host may have left meanwhile: then it stays GONE. */
	if (cmpxchg(&host->state, DXG_HOST_STARTING, DXG_HOST_ACTIVE) !=
	    DXG_HOST_STARTING)
		return -ENODEV;
	ret = dxg_registry_add(host);
	if (ret) {
		WRITE_ONCE(host->state, DXG_HOST_GONE);
		dxg_channel_shutdown(&host->ch, -ENODEV);
		return ret;
	}
	dev_info(host->dev, "dxg host ready: %u of %u adapters\n", opened,
		 host->num_adapters);
	return 0;
}

void dxg_host_peer_gone(struct dxg_host *host)
{
	if (xchg(&host->state, DXG_HOST_GONE) == DXG_HOST_GONE)
		return;
	dxg_channel_shutdown(&host->ch, -ENODEV);
	dxg_host_events_cancel(host);
	schedule_work(&host->gone_work);
}

/*
 * Tell the host that its open adapters are closed (D17), for transports
 * that ask for it.  Runs while the channel still works; a host that is
 * gone already fails each call at once (-ENODEV).
 */
static void dxg_host_close_adapters(struct dxg_host *host)
{
	unsigned int i;
	int ret;

	for (i = 0; i < host->num_adapters; i++) {
		struct dxg_adapter *a = host->adapters[i];
		struct dxgkvmb_command_closeadapter cmd = {
			.host_handle = a->host_handle,
		};

		if (!a->host_handle)
			continue;
		ret = dxg_call_status(host, a, 0, DXGK_VMBCOMMAND_CLOSEADAPTER,
				      &cmd, sizeof(cmd));
		if (ret)
			dev_dbg(host->dev, "CLOSEADAPTER of adapter %u: %d\n",
				i, ret);
	}
}

void dxg_host_detach(struct dxg_host *host)
{
	int was = xchg(&host->state, DXG_HOST_GONE);

	/* Unpublished for new callers first; the channel still carries ours. */
	if (host->ch.transport->close_adapters && was != DXG_HOST_GONE)
		dxg_host_close_adapters(host);
	dxg_channel_shutdown(&host->ch, -ENODEV);
	dxg_host_events_cancel(host);
	cancel_work_sync(&host->gone_work);
	dxg_registry_remove(host);
}

void dxg_host_destroy(struct dxg_host *host)
{
	/*
	 * The channel is shut down, so no late reply is queued any more and
	 * the reclaim work finishes at once; it must not outlive the module.
	 */
	flush_work(&host->reclaim_work);
	/* Unlisted since dxg_host_detach(): nobody walks the table any more. */
	while (host->num_adapters)
		dxg_adapter_put(host->adapters[--host->num_adapters]);
	dxg_host_put(host);
}

void dxg_host_receive(struct dxg_host *host, const struct dxg_pkt_desc *desc,
		      const void *payload, u32 len)
{
	struct dxg_late_reply *late;

	switch (desc->type) {
	case DXG_PKT_COMPLETION:
		late = dxg_channel_complete(&host->ch, desc->trans_id, payload,
					    len);
		if (late)	/* its waiter gave up */
			dxg_reclaim_queue(host, late);
		break;
	case DXG_PKT_DATA_INBAND:
		/* Host-to-VM messages (trans_id 0): guest events. */
		dxg_host_message(host, payload, len);
		break;
	default:
		dev_dbg(host->dev, "packet type %u dropped\n", desc->type);
		break;
	}
}
