/* SPDX-License-Identifier: MIT */
/*
 * What a sender does when the ring to the host is full, shared by both
 * guest transports (the guest module's channel layer, dxg_channel.c) and
 * the unit tests (header-only, no allocation, no locks).
 *
 * A send attempt that finds no room (-EAGAIN) is retried after a short
 * sleep (1-2 ms in the kernel), at most DXG_SEND_RETRIES_SYNC times for a
 * request that waits for its reply and DXG_SEND_RETRIES_ASYNC times for a
 * fire-and-forget message (the bounds of the reference driver: about
 * 50-100 ms and 5-10 s).  Every other result ends the loop at once: 0,
 * -ENODEV (the channel is gone), -EMSGSIZE (can never fit), ...  A send
 * that is still refused at the bound fails with -EBUSY.
 */
#ifndef DXG_RETRY_H
#define DXG_RETRY_H

#include "compat.h"

#define DXG_SEND_RETRIES_SYNC	50u
#define DXG_SEND_RETRIES_ASYNC	5000u

/* One send attempt: 0, -EAGAIN (ring full: try again) or another error. */
typedef int (*dxg_try_send_fn)(void *ctx);
/* Wait before retry number `attempt` (1-based). */
typedef void (*dxg_backoff_fn)(void *ctx, unsigned int attempt);

/*
 * Try once, then retry a full ring up to `retries` times.  Returns the
 * first result other than -EAGAIN, or -EBUSY once the bound is reached.
 */
static inline int dxg_send_retry(dxg_try_send_fn try_send,
				 dxg_backoff_fn backoff, void *ctx,
				 unsigned int retries)
{
	unsigned int attempt;
	int ret;

	for (attempt = 0; ; attempt++) {
		ret = try_send(ctx);
		if (ret != -EAGAIN)
			return ret;
		if (attempt >= retries)
			return -EBUSY;
		backoff(ctx, attempt + 1);
	}
}

#endif /* DXG_RETRY_H */
