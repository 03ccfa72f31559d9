// SPDX-License-Identifier: GPL-2.0
/*
 * Host events: what a host signals with SIGNALGUESTEVENT(_PASSIVE).
 *
 * Each host keeps a table of pending events under its event_lock, keyed by
 * a 64-bit id from a per-host counter (ids, never kernel pointers, go to
 * the host).  An event is either a completion (a blocking CPU wait; the
 * record lives on the waiter's stack) or an eventfd (an asynchronous CPU
 * wait, one-shot, or a CPU notification object, persistent).
 *
 * The receive path finds the id, signals and, for one-shot events, unlinks
 * the record, all under event_lock; a waiter that gives up (signal) unlinks
 * its record under the same lock.  Either the receive path finishes with a
 * record before its owner continues, or it never sees it (reference bug
 * §8.14: no use after free).  A signal for an unknown id is ignored.
 *
 * A sync point's record (dxg_syncfile.c) carries its dma_fence, which the
 * table does not reference.  Whoever signals it first "claims" it under
 * event_lock: takes a fence reference unless the count already reached 0
 * (then the sync point's release work is about to unlink the record and
 * the record is left alone) and unlinks it; the fence is signalled (with
 * an error when what it waited for went away) after event_lock is
 * dropped, so the fence's lock never nests inside event_lock.
 */

#include <linux/dma-fence.h>
#include <linux/eventfd.h>
#include <linux/slab.h>

#include "dxg.h"

/* Kbuild defines DXG_EVENTFD_SIGNAL_1ARG for kernels >= 6.8. */
static void dxg_eventfd_signal(struct eventfd_ctx *efd)
{
#ifdef DXG_EVENTFD_SIGNAL_1ARG
	eventfd_signal(efd);
#else
	eventfd_signal(efd, 1);
#endif
}

void dxg_host_events_init(struct dxg_host *host)
{
	spin_lock_init(&host->event_lock);
	INIT_LIST_HEAD(&host->events);
	/* Ids are base + 1, + 2, ...: hosts sharing a channel never collide. */
	host->next_event = host->ch.transport->event_id_base;
}

void dxg_host_event_add(struct dxg_host *host, struct dxg_host_event *ev)
{
	spin_lock(&host->event_lock);
	ev->id = ++host->next_event;	/* 64 bits: never wraps to 0 */
	list_add_tail(&ev->node, &host->events);
	spin_unlock(&host->event_lock);
}

bool dxg_host_event_remove(struct dxg_host *host, struct dxg_host_event *ev)
{
	bool linked;

	spin_lock(&host->event_lock);
	linked = !list_empty(&ev->node);
	if (linked)
		list_del_init(&ev->node);
	spin_unlock(&host->event_lock);
	return linked;
}

void dxg_host_event_free(struct dxg_host_event *ev)
{
	if (ev->efd)
		eventfd_ctx_put(ev->efd);
	kfree(ev);
}

/* event_lock held: move a sync point's record to `to`, with a reference. */
static bool dxg_fence_event_claim(struct dxg_host_event *ev,
				  struct list_head *to)
{
	if (!dma_fence_get_rcu(ev->fence))
		return false;		/* being released: its work unlinks it */
	list_move_tail(&ev->node, to);
	return true;
}

/* Signal (with err unless 0) and release the claimed records. */
static void dxg_fence_events_fire(struct list_head *claimed, int err)
{
	struct dxg_host_event *ev, *tmp;

	list_for_each_entry_safe(ev, tmp, claimed, node) {
		struct dma_fence *fence = ev->fence;

		list_del_init(&ev->node);
		if (err)
			dma_fence_set_error(fence, err);
		dma_fence_signal(fence);
		dma_fence_put(fence);
	}
}

static void dxg_host_event_signal(struct dxg_host *host, u64 id)
{
	struct dxg_host_event *ev, *done = NULL;
	LIST_HEAD(claimed);

	spin_lock(&host->event_lock);
	list_for_each_entry(ev, &host->events, node) {
		if (ev->id != id)
			continue;
		if (ev->fence) {
			dxg_fence_event_claim(ev, &claimed);
			break;
		}
		if (ev->efd)
			dxg_eventfd_signal(ev->efd);
		if (ev->oneshot) {
			list_del_init(&ev->node);
			if (ev->done)
				complete(ev->done);
			else
				done = ev;	/* ours now: free it below */
		}
		break;
	}
	spin_unlock(&host->event_lock);
	if (done)
		dxg_host_event_free(done);
	dxg_fence_events_fire(&claimed, 0);
}

/* Drop the one-shot eventfd events of a process that is going away. */
void dxg_host_events_drop(struct dxg_host *host, struct dxg_process *owner)
{
	struct dxg_host_event *ev, *tmp;
	LIST_HEAD(dead);

	spin_lock(&host->event_lock);
	list_for_each_entry_safe(ev, tmp, &host->events, node) {
		if (ev->owner == owner && ev->oneshot && !ev->done &&
		    !ev->fence)
			list_move_tail(&ev->node, &dead);
	}
	spin_unlock(&host->event_lock);
	list_for_each_entry_safe(ev, tmp, &dead, node)
		dxg_host_event_free(ev);
}

void dxg_host_events_fail_fences(struct dxg_host *host,
				 const struct dxg_process *owner,
				 const struct dxg_device *device,
				 const struct dxg_syncobj *so, int err)
{
	struct dxg_host_event *ev, *tmp;
	LIST_HEAD(claimed);

	spin_lock(&host->event_lock);
	list_for_each_entry_safe(ev, tmp, &host->events, node) {
		/* ev->so is held by the sync point while ev is linked. */
		if (!ev->fence || ev->owner != owner ||
		    (device && ev->so->device != device) ||
		    (so && ev->so != so))
			continue;
		dxg_fence_event_claim(ev, &claimed);
	}
	spin_unlock(&host->event_lock);
	dxg_fence_events_fire(&claimed, err);
}

void dxg_host_events_cancel(struct dxg_host *host)
{
	struct dxg_host_event *ev, *tmp;
	LIST_HEAD(claimed);

	spin_lock(&host->event_lock);
	list_for_each_entry_safe(ev, tmp, &host->events, node) {
		if (ev->fence) {
			dxg_fence_event_claim(ev, &claimed);
			continue;
		}
		if (!ev->done)
			continue;
		list_del_init(&ev->node);
		ev->status = -ENODEV;
		complete(ev->done);
	}
	spin_unlock(&host->event_lock);
	/* Nothing will signal them any more. */
	dxg_fence_events_fire(&claimed, -ENODEV);
}

/* An in-band host->VM message (trans_id 0). */
void dxg_host_message(struct dxg_host *host, const void *payload, u32 len)
{
	struct dxgkvmb_command_signalguestevent m;

	if (len < sizeof(m.hdr))
		goto bad;
	memcpy(&m.hdr, payload, sizeof(m.hdr));
	if (DXGKVMB_CHANNEL_TYPE(m.hdr.channel) != DXGKVMB_HOST_TO_VM)
		goto bad;
	switch (m.hdr.command_type) {
	case DXGK_VMBCOMMAND_SIGNALGUESTEVENT:
	case DXGK_VMBCOMMAND_SIGNALGUESTEVENTPASSIVE:
		if (len < sizeof(m))
			goto bad;
		memcpy(&m, payload, sizeof(m));
		dxg_host_event_signal(host, m.event);
		return;
	default:
		dev_dbg(host->dev, "host message %u ignored\n",
			m.hdr.command_type);
		return;
	}
bad:
	dev_warn_ratelimited(host->dev, "malformed host message (%u bytes)\n",
			     len);
}
