// SPDX-License-Identifier: GPL-2.0
/*
 * Requests and replies over one transport.
 *
 * A synchronous request is a record on the channel's pending list, keyed
 * by a 64-bit id that travels as the packet's transaction id.  The receive
 * path finds the record under the channel lock, copies the reply into the
 * caller's buffer and completes it, all under that lock; a waiter that
 * gives up (fatal signal, timeout) unlinks its record under the same lock.
 * So either the receive path sees the record and finishes with it before
 * the waiter continues, or it never sees it: the record and the reply
 * buffer can live on the waiter's stack.
 *
 * A request whose reply must not be lost even when its waiter gives up (a
 * create: the host makes the object whether or not anyone waits) brings a
 * heap record, struct dxg_late_reply.  When the waiter gives up, that record
 * takes the request's place under the same lock and the channel owns it;
 * the late reply lands in it and is handed to the receive path's caller
 * (dxg_reclaim.c undoes what the host created), or it is freed when the
 * channel shuts down (the host then forgets everything anyway).  The ring
 * bounds how many such records can wait: a request is recorded only once
 * its packet is in the ring.
 */

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "dxg.h"
#include "dxg/retry.h"

struct dxg_request {
	struct list_head node;		/* channel pending list; empty = done */
	u64 id;
	struct completion done;
	void *reply;
	u32 reply_len;
	u32 got_len;			/* length of the reply packet */
	int status;
};

void dxg_channel_init(struct dxg_channel *ch, struct dxg_transport *t)
{
	ch->transport = t;
	spin_lock_init(&ch->lock);
	INIT_LIST_HEAD(&ch->pending);
	INIT_LIST_HEAD(&ch->abandoned);
	ch->next_id = 0;
	ch->dead_err = 0;
}

struct dxg_send_ctx {
	struct dxg_channel *ch;
	enum dxg_route route;
	u64 id;
	u16 flags;
	const void *buf1, *buf2;
	u32 len1, len2;
};

static int dxg_channel_try_send(void *arg)
{
	struct dxg_send_ctx *c = arg;
	struct dxg_transport *t = c->ch->transport;
	int ret = READ_ONCE(c->ch->dead_err);

	if (ret)
		return ret;
	return t->ops->send_packet(t, c->route, c->id, c->flags, c->buf1,
				   c->len1, c->buf2, c->len2);
}

static void dxg_channel_backoff(void *arg, unsigned int attempt)
{
	usleep_range(1000, 2000);
}

/*
 * Write one packet, retrying a full ring with bounded backoff (the policy
 * is include/dxg/retry.h's, unit-tested there).
 */
static int dxg_channel_send(struct dxg_channel *ch, enum dxg_route route,
			    u64 id, u16 flags, const void *buf1, u32 len1,
			    const void *buf2, u32 len2, unsigned int retries)
{
	struct dxg_send_ctx c = {
		.ch = ch, .route = route, .id = id, .flags = flags,
		.buf1 = buf1, .len1 = len1, .buf2 = buf2, .len2 = len2,
	};
	int ret;

	ret = dxg_send_retry(dxg_channel_try_send, dxg_channel_backoff, &c,
			     retries);
	if (!ret)
		ch->transport->ops->kick(ch->transport);
	return ret;
}

int dxg_channel_call(struct dxg_channel *ch, enum dxg_route route,
		     const void *buf1, u32 len1,
		     const void *buf2, u32 len2, void *reply, u32 reply_len,
		     u32 *got_len, struct dxg_late_reply **late)
{
	struct dxg_request req = {
		.reply = reply,
		.reply_len = reply_len,
	};
	long left;
	int ret;

	init_completion(&req.done);

	spin_lock(&ch->lock);
	ret = ch->dead_err;
	if (ret) {
		spin_unlock(&ch->lock);
		return ret;
	}
	req.id = ++ch->next_id;
	if (!req.id)	/* 0 is not a valid request id */
		req.id = ++ch->next_id;
	list_add_tail(&req.node, &ch->pending);
	spin_unlock(&ch->lock);

	ret = dxg_channel_send(ch, route, req.id,
			       DXG_PKT_FLAG_COMPLETION_REQUESTED,
			       buf1, len1, buf2, len2, DXG_SEND_RETRIES_SYNC);
	if (ret) {
		spin_lock(&ch->lock);
		if (!list_empty(&req.node))
			list_del_init(&req.node);
		spin_unlock(&ch->lock);
		return ret;
	}

	left = wait_for_completion_killable_timeout(&req.done,
						    msecs_to_jiffies(DXG_CALL_TIMEOUT_MS));

	spin_lock(&ch->lock);
	if (!list_empty(&req.node)) {
		/* Not completed: nobody else can reach the record now. */
		list_del_init(&req.node);
		ret = left < 0 ? -EINTR : -ETIMEDOUT;
		/* Unless the reply still matters: then the channel waits on. */
		if (late && *late && !ch->dead_err) {
			(*late)->id = req.id;
			list_add_tail(&(*late)->node, &ch->abandoned);
			*late = NULL;
		}
	} else {
		ret = req.status;
		*got_len = req.got_len;
	}
	spin_unlock(&ch->lock);
	return ret;
}

int dxg_channel_send_async(struct dxg_channel *ch, const void *buf1, u32 len1,
			   const void *buf2, u32 len2)
{
	/* Asynchronous messages only ever go VM-wide (the global channel). */
	return dxg_channel_send(ch, DXG_ROUTE_VM, 0, 0, buf1, len1, buf2, len2,
				DXG_SEND_RETRIES_ASYNC);
}

struct dxg_late_reply *dxg_channel_complete(struct dxg_channel *ch,
					    u64 trans_id, const void *buf,
					    u32 len)
{
	struct dxg_late_reply *late;
	struct dxg_request *req;

	spin_lock(&ch->lock);
	list_for_each_entry(req, &ch->pending, node) {
		if (req->id != trans_id)
			continue;
		list_del_init(&req->node);
		memcpy(req->reply, buf, min(len, req->reply_len));
		req->got_len = len;
		req->status = 0;
		complete(&req->done);
		spin_unlock(&ch->lock);
		return NULL;
	}
	list_for_each_entry(late, &ch->abandoned, node) {
		if (late->id != trans_id)
			continue;
		list_del_init(&late->node);
		memcpy(late->reply, buf, min(len, late->reply_len));
		late->got_len = len;
		spin_unlock(&ch->lock);
		return late;
	}
	spin_unlock(&ch->lock);
	pr_debug("dxgkrnl: reply for unknown request %llu dropped\n",
		 trans_id);
	return NULL;
}

void dxg_channel_shutdown(struct dxg_channel *ch, int err)
{
	struct dxg_late_reply *late, *ltmp;
	struct dxg_request *req, *tmp;

	spin_lock(&ch->lock);
	if (!ch->dead_err)
		WRITE_ONCE(ch->dead_err, err);
	list_for_each_entry_safe(req, tmp, &ch->pending, node) {
		list_del_init(&req->node);
		req->status = ch->dead_err;
		complete(&req->done);
	}
	/* No reply comes any more; the host dropped the VM's objects. */
	list_for_each_entry_safe(late, ltmp, &ch->abandoned, node) {
		list_del(&late->node);
		kfree(late);
	}
	spin_unlock(&ch->lock);
}
