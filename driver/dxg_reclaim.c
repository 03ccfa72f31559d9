// SPDX-License-Identifier: GPL-2.0
/*
 * Objects the host created for a waiter that gave up.
 *
 * A synchronous create is answered by the host whether or not its caller
 * still waits: a caller killed by a fatal signal, or one that timed out,
 * leaves the host holding an object nobody in the guest knows the handle
 * of.  For a process that is forever (DESTROYPROCESS is sent only for host
 * processes the guest learnt of); for objects inside a process it lasts as
 * long as the process.  So every create in the table below sends its
 * request with a late-reply record (dxg_call() asks dxg_reclaim_prepare());
 * when its waiter gives up the channel keeps listening, and when the reply
 * arrives it comes here, and the object it names is destroyed again with
 * the matching destroy command, from a work item (the receive path cannot
 * wait for a reply).  docs/driver.md lists what is covered and how.
 *
 * Not in the table, because their objects die with an object the guest
 * does know: allocations and resources, GPU VA reservations and mappings,
 * pipelines (escapes) and Lock2 mappings -- all freed with their device or
 * process on the host.
 */

#include <linux/atomic.h>
#include <linux/slab.h>
#include <linux/stddef.h>

#include "dxg.h"

struct dxg_reclaim_rule {
	u32 create;		/* the command whose reply names a new object */
	u32 handle_offset;	/* where in that reply */
	u32 destroy;		/* the command that destroys it */
	bool vm_wide;		/* destroy goes on the VM channel, not the vGPU's */
	bool in_header;		/* the handle is the header's process (DESTROYPROCESS) */
};

/* Every destroy below but DESTROYPROCESS is this: a header and a handle. */
struct dxg_reclaim_msg {
	struct dxgkvmb_command_hdr hdr;
	d3dkmthandle handle;
	u32 reserved;
};

#define DXG_SAME_SHAPE(type, field)					\
	static_assert(offsetof(type, field) ==				\
		      offsetof(struct dxg_reclaim_msg, handle) &&	\
		      sizeof(type) == sizeof(struct dxg_reclaim_msg))
DXG_SAME_SHAPE(struct dxgkvmb_command_closeadapter, host_handle);
DXG_SAME_SHAPE(struct dxgkvmb_command_destroydevice, device);
DXG_SAME_SHAPE(struct dxgkvmb_command_destroycontext, context);
DXG_SAME_SHAPE(struct dxgkvmb_command_destroypagingqueue, paging_queue);
DXG_SAME_SHAPE(struct dxgkvmb_command_destroysyncobject, sync_object);
DXG_SAME_SHAPE(struct dxgkvmb_command_destroyhwqueue, hwqueue);

static const struct dxg_reclaim_rule dxg_reclaim_rules[] = {
	{ DXGK_VMBCOMMAND_CREATEPROCESS,
	  offsetof(struct dxgkvmb_command_createprocess_ret, hprocess),
	  DXGK_VMBCOMMAND_DESTROYPROCESS, true, true },
	{ DXGK_VMBCOMMAND_OPENADAPTER,
	  offsetof(struct dxgkvmb_command_openadapter_ret, host_adapter_handle),
	  DXGK_VMBCOMMAND_CLOSEADAPTER, false, false },
	{ DXGK_VMBCOMMAND_CREATEDEVICE,
	  offsetof(struct dxgkvmb_command_createdevice_ret, device),
	  DXGK_VMBCOMMAND_DESTROYDEVICE, false, false },
	{ DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL,	/* the reply is the command */
	  offsetof(struct dxgkvmb_command_createcontextvirtual, context),
	  DXGK_VMBCOMMAND_DESTROYCONTEXT, false, false },
	{ DXGK_VMBCOMMAND_CREATEPAGINGQUEUE,
	  offsetof(struct dxgkvmb_command_createpagingqueue_ret, paging_queue),
	  DXGK_VMBCOMMAND_DESTROYPAGINGQUEUE, false, false },
	{ DXGK_VMBCOMMAND_CREATEHWQUEUE,	/* its progress fence goes too */
	  offsetof(struct dxgkvmb_command_createhwqueue, hwqueue),
	  DXGK_VMBCOMMAND_DESTROYHWQUEUE, false, false },
	{ DXGK_VMBCOMMAND_CREATESYNCOBJECT,
	  offsetof(struct dxgkvmb_command_createsyncobject_ret, sync_object),
	  DXGK_VMBCOMMAND_DESTROYSYNCOBJECT, true, false },
	/* Sharing (dxg_share.c): an opened fence, an NT object (VM-wide). */
	{ DXGK_VMBCOMMAND_OPENSYNCOBJECT,
	  offsetof(struct dxgkvmb_command_opensyncobject_ret, sync_object),
	  DXGK_VMBCOMMAND_DESTROYSYNCOBJECT, true, false },
	{ DXGK_VMBCOMMAND_CREATENTSHAREDOBJECT,
	  offsetof(struct dxgkvmb_command_createntsharedobject_ret, nt_handle),
	  DXGK_VMBCOMMAND_DESTROYNTSHAREDOBJECT, true, false },
};

static const struct dxg_reclaim_rule *dxg_reclaim_rule(u32 command_type)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dxg_reclaim_rules); i++)
		if (dxg_reclaim_rules[i].create == command_type)
			return &dxg_reclaim_rules[i];
	return NULL;
}

struct dxg_late_reply *dxg_reclaim_prepare(u32 command_type,
					   d3dkmthandle process,
					   const struct winluid *vgpu_luid)
{
	const struct dxg_reclaim_rule *rule = dxg_reclaim_rule(command_type);
	u32 len;
	struct dxg_late_reply *late;

	if (!rule)
		return NULL;
	/* Only the reply's handle is needed, not the whole reply. */
	len = rule->handle_offset + sizeof(d3dkmthandle);
	late = kzalloc(struct_size(late, reply, len), GFP_KERNEL);
	if (!late)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&late->node);
	late->rule = rule;
	late->process = process;
	if (vgpu_luid && !rule->vm_wide) {
		late->undo_on_vgpu = true;
		late->vgpu_luid = *vgpu_luid;
	}
	late->reply_len = len;
	return late;
}

/* Destroy what the late reply names, if it names anything. */
static void dxg_reclaim_one(struct dxg_host *host, struct dxg_late_reply *late)
{
	const struct dxg_reclaim_rule *rule = late->rule;
	struct dxg_reclaim_msg msg = { };
	struct dxgkvmb_command_status_ret r = { 0 };
	d3dkmthandle h, process = late->process;
	u32 len = sizeof(msg);
	int ret;

	if (late->got_len < rule->handle_offset + sizeof(h))
		return;		/* a short reply is a failure: nothing was made */
	memcpy(&h, late->reply + rule->handle_offset, sizeof(h));
	if (!h)
		return;		/* handle 0: the create failed */
	if (rule->in_header) {
		process = h;
		len = sizeof(msg.hdr);
	} else {
		msg.handle = h;
	}
	ret = dxg_call_luid(host, late->undo_on_vgpu ? &late->vgpu_luid : NULL,
			    process, rule->destroy, &msg, len, &r, sizeof(r));
	if (!ret && r.status < 0)
		ret = dxg_ntstatus_to_errno(r.status);
	atomic_inc(&host->reclaimed);
	dev_dbg(host->dev, "command %u: object %#x made for a waiter that gave up, destroyed: %d\n",
		rule->create, h, ret);
}

static void dxg_reclaim_work(struct work_struct *work)
{
	struct dxg_host *host = container_of(work, struct dxg_host,
					     reclaim_work);
	struct dxg_late_reply *late, *tmp;
	LIST_HEAD(batch);

	spin_lock(&host->reclaim_lock);
	list_splice_init(&host->reclaim, &batch);
	host->reclaim_queued = false;
	spin_unlock(&host->reclaim_lock);

	list_for_each_entry_safe(late, tmp, &batch, node) {
		list_del(&late->node);
		if (dxg_host_active(host))
			dxg_reclaim_one(host, late);
		kfree(late);
	}
	/* The reference the queueing took. */
	dxg_host_put(host);
}

void dxg_reclaim_init(struct dxg_host *host)
{
	spin_lock_init(&host->reclaim_lock);
	INIT_LIST_HEAD(&host->reclaim);
	INIT_WORK(&host->reclaim_work, dxg_reclaim_work);
	atomic_set(&host->reclaimed, 0);
}

/* From the receive path: late is ours now. */
void dxg_reclaim_queue(struct dxg_host *host, struct dxg_late_reply *late)
{
	spin_lock(&host->reclaim_lock);
	list_add_tail(&late->node, &host->reclaim);
	if (!host->reclaim_queued) {
		host->reclaim_queued = true;
		dxg_host_get(host);
		schedule_work(&host->reclaim_work);
	}
	spin_unlock(&host->reclaim_lock);
}
