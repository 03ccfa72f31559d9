// SPDX-License-Identifier: MIT
#include "server/channel.h"

#include <errno.h>
#include <string.h>

#include "dxg/ntstatus.h"
#include "protocol/dispatch.h"
#include "protocol/events.h"

/* Returns 0, -EAGAIN (kept pending) or -EPROTO. */
static int flush_reply(struct dxg_vm *vm)
{
	int ret = dxg_ring_write2(&vm->h2g, DXG_PKT_COMPLETION, 0,
				  vm->reply_trans_id, vm->txbuf, vm->reply_len,
				  NULL, 0);

	if (ret == -EAGAIN) {
		if (!vm->reply_pending)
			vm->reply_since_ms = dxg_now_ms();
		vm->reply_pending = true;
		return ret;
	}
	vm->reply_pending = false;
	if (ret)
		return -EPROTO;		/* -EMSGSIZE cannot happen: replies fit */
	vm->replies++;
	return 0;
}

static int reply(struct dxg_vm *vm, uint64_t trans_id, uint32_t len)
{
	vm->reply_trans_id = trans_id;
	vm->reply_len = len;
	return flush_reply(vm);
}

static int reply_status(struct dxg_vm *vm, uint64_t trans_id, int32_t st)
{
	memcpy(vm->txbuf, &st, sizeof(st));
	return reply(vm, trans_id, sizeof(st));
}

/*
 * Write pending guest events (SIGNALGUESTEVENT, in-band, trans_id 0) to the
 * host->guest ring.  Returns how many were written, or -EPROTO.  Events that
 * do not fit wait for room like a reply does (docs/sync.md).
 */
static int flush_events(struct dxg_vm *vm)
{
	struct dxgkvmb_command_signalguestevent msg;
	struct dxg_guest_event ev;
	int n = 0, ret;

	while (dxg_sched_peek_event(&vm->sched, &ev)) {
		dxg_encode_guest_event(&ev, &msg);
		ret = dxg_ring_write2(&vm->h2g, DXG_PKT_DATA_INBAND, 0, 0, &msg,
				      sizeof(msg), NULL, 0);
		if (ret == -EAGAIN) {
			if (!vm->events_since_ms)
				vm->events_since_ms = dxg_now_ms();
			return n;
		}
		if (ret)
			return -EPROTO;
		dxg_sched_pop_event(&vm->sched);
		vm->events++;
		n++;
	}
	vm->events_since_ms = 0;
	return n;
}

static int handle_packet(struct dxg_vm *vm, const struct dxg_pkt_desc *d,
			 int len)
{
	bool wants = d->flags & DXG_PKT_FLAG_COMPLETION_REQUESTED;
	struct dxg_dispatch_ctx ctx = {
		.objs = &vm->objs, .mem = &vm->mem, .sched = &vm->sched,
		.adapters = vm->adapters,
		.rl = &vm->rl, .vm_id = vm->id,
		.windows = vm->windows,
		.no_async = vm->no_async,
		.interface_version = vm->interface_version,
		.guest_ram = vm->guest_ram ? dxg_vm_guest_ram : NULL,
		.guest_ram_arg = vm,
	};
	uint32_t rlen;

	if (len == -EMSGSIZE || d->type != DXG_PKT_DATA_INBAND) {
		dxg_log_rl(&vm->rl, DXG_LOG_WARN,
			   "vm %u: bad packet (type %u, %s)", vm->id, d->type,
			   len == -EMSGSIZE ? "oversize" : "not in-band");
		return wants ? reply_status(vm, d->trans_id,
					    STATUS_INVALID_PARAMETER) : 0;
	}
	rlen = dxg_dispatch(&ctx, vm->rxbuf, (uint32_t)len, vm->txbuf);
	vm->requests++;
	dxg_vm_update_stats(vm);
	return wants ? reply(vm, d->trans_id, rlen) : 0;
}

/* Serve up to one batch; returns packets handled or -EPROTO. */
static int serve(struct dxg_vm *vm)
{
	struct dxg_pkt_desc d;
	uint64_t replies = vm->replies;
	int n = 0, len, ret = 0, events = 0;

	while (n < (int)DXG_CHANNEL_BATCH) {
		uint32_t next;

		len = dxg_ring_peek(&vm->g2h, &d, vm->rxbuf,
				    DXG_MAX_PACKET_PAYLOAD, &next);
		if (len == -ENODATA || len == -EPROTO) {
			ret = len == -EPROTO ? -EPROTO : 0;
			break;
		}
		n++;
		/* Copied out: answer, then hand the space back (maybe batched). */
		ret = handle_packet(vm, &d, len);
		dxg_ring_consume(&vm->g2h, next);
		if (ret)
			break;
	}
	/* Queued work that is runnable (or jobs back), then its events. */
	if (ret != -EPROTO && dxg_sched_busy(&vm->sched))
		n += (int)dxg_sched_run(&vm->sched, DXG_SCHED_BUDGET);
	if (ret != -EPROTO) {
		events = flush_events(vm);
		if (events < 0)
			ret = -EPROTO;
	}
	/* One doorbell per batch, and only when the guest has packets to read. */
	if ((vm->replies != replies || events > 0 || ret == -EAGAIN) &&
	    dxg_ring_consumer_parked(&vm->h2g))
		dxg_vm_kick_guest(vm, DXG_IVSHMEM_VEC_RING);
	return ret == -EPROTO ? -EPROTO : n;
}

/* Serve if possible; returns packets handled, 0 when blocked, -EPROTO. */
static int step(struct dxg_vm *vm)
{
	if (!vm->serving)
		return 0;
	if (vm->reply_pending) {
		int ret;

		dxg_ring_publish(&vm->g2h);	/* we stop reading meanwhile */
		ret = flush_reply(vm);

		if (ret == -EAGAIN) {
			if (dxg_now_ms() - vm->reply_since_ms > DXG_CHANNEL_STALL_MS) {
				dxg_vm_drop_guest_state(vm, DXG_LOG_WARN,
							"guest does not drain its ring");
			}
			return 0;
		}
		if (ret)
			return ret;
		if (dxg_ring_consumer_parked(&vm->h2g))
			dxg_vm_kick_guest(vm, DXG_IVSHMEM_VEC_RING);
	}
	if (vm->events_since_ms &&
	    dxg_now_ms() - vm->events_since_ms > DXG_CHANNEL_STALL_MS) {
		dxg_vm_drop_guest_state(vm, DXG_LOG_WARN,
					"guest does not drain its ring (events)");
		return 0;
	}
	return serve(vm);
}

static void park(struct dxg_vm *vm)
{
	int pending;

	dxg_ring_publish(&vm->g2h);		/* everything we read, first */
	dxg_ring_set_polling(&vm->g2h, 0);	/* mask = 0, full barrier */
	pending = dxg_ring_pending(&vm->g2h);	/* the lost-wake-up re-check */
	if (pending == 0) {
		vm->polling = false;
		return;
	}
	dxg_ring_set_polling(&vm->g2h, 1);	/* work (or corruption) arrived */
}

static void after_step(struct dxg_vm *vm, int n, uint64_t now_ns)
{
	if (n == -EPROTO) {
		dxg_vm_drop_guest_state(vm, DXG_LOG_WARN, "corrupt ring");
		return;
	}
	if (n > 0 || vm->reply_pending || dxg_sched_busy(&vm->sched))
		vm->last_work_ns = now_ns;
	else if (now_ns - vm->last_work_ns >= DXG_CHANNEL_SPIN_NS)
		park(vm);
}

void dxg_channel_kick(struct dxg_vm *vm, uint64_t now_ns)
{
	if (!vm->serving)
		return;
	if (!vm->polling) {
		dxg_ring_set_polling(&vm->g2h, 1);
		vm->polling = true;
	}
	vm->last_work_ns = now_ns;
	after_step(vm, step(vm), now_ns);
}

void dxg_channel_poll(struct dxg_vm *vm, uint64_t now_ns)
{
	if (!vm->serving || !vm->polling)
		return;
	after_step(vm, step(vm), now_ns);
}

void dxg_channel_jobs_done(struct dxg_vm *vm, uint64_t now_ns)
{
	dxg_eventfd_drain(dxg_sched_wake_fd(&vm->sched));
	/* Finish the entries even when not serving (their jobs are freed). */
	dxg_sched_collect(&vm->sched);
	if (vm->serving)
		dxg_channel_kick(vm, now_ns);	/* run what follows, send events */
}

bool dxg_channel_has_work(struct dxg_vm *vm)
{
	/* dxg_ring_pending() is non-zero for a packet and for -EPROTO alike. */
	return dxg_ring_pending(&vm->g2h) != 0 || dxg_sched_busy(&vm->sched);
}
