/* SPDX-License-Identifier: MIT */
/*
 * The protocol server: one table-driven dispatcher for the dxgkrnl VM-bus
 * commands of one VM.  Input is one guest->host message already copied out
 * of shared memory; output is the reply payload (never empty: a request
 * that fails validation gets a 4-byte negative NTSTATUS).
 */
#ifndef DXGHOST_DISPATCH_H
#define DXGHOST_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/adapter.h"
#include "core/objects.h"
#include "util/log.h"

/* The reply buffer must hold the largest reply. */
#define DXG_REPLY_BUF_SIZE	(128u * 1024)

struct dxg_mem;
struct dxg_sched;

struct dxg_dispatch_ctx {
	struct dxg_objects *objs;
	struct dxg_mem *mem;		/* NULL: no IO space (memory commands fail) */
	struct dxg_sched *sched;	/* NULL: sync/submit commands fail */
	const struct dxg_adapters *adapters;
	struct dxg_ratelimit *rl;	/* per-VM log limiter */
	unsigned int vm_id;
	/*
	 * Answer as a Windows host does (dxghost --windows, docs/protocol.md
	 * §5.4): a 4-byte handle for CREATEPROCESS and CREATEDEVICE, the
	 * private data alone for ESCAPE, failures in the whole reply shape.
	 */
	bool windows;
	/*
	 * dxghost --no-async: GETINTERNALADAPTERINFO does not enable
	 * asynchronous messages, so the guest sends submissions, signals
	 * and GPU waits synchronously (as to a Windows host without them).
	 */
	bool no_async;
	uint32_t interface_version;	/* OPENADAPTER's; 0: the default */
	/*
	 * Opens the guest's RAM for the VERIFYGUESTRAM handshake (the server
	 * layer's, docs/memory.md §11): a new descriptor, or -1 with the
	 * reason in why.  NULL: this host never maps guest RAM.
	 */
	int (*guest_ram)(void *arg, char *why, size_t len);
	void *guest_ram_arg;
};

/* Handler flags. */
#define DXG_CMD_NEEDS_PROCESS	(1u << 0)	/* hdr.process must be live */
#define DXG_CMD_OPT_PROCESS	(1u << 1)	/* hdr.process 0 or live */
#define DXG_CMD_NEEDS_ADAPTER	(1u << 2)	/* ext.vgpu_luid must name one */
#define DXG_CMD_HANDLE_REPLY	(1u << 3)	/* 8-byte {handle, status} reply:
						 * errors reply {0, status};
						 * windows: the 4-byte handle
						 * (windows_replies.c) */

/*
 * Dispatches msg (len bytes) and writes the reply into reply (capacity
 * DXG_REPLY_BUF_SIZE).  Returns the reply length (>= 4).
 */
uint32_t dxg_dispatch(struct dxg_dispatch_ctx *ctx, const void *msg,
		      uint32_t len, void *reply);

/* Is there a handler for (channel type, command id)?  For tests and logs. */
int dxg_dispatch_implemented(uint32_t channel_type, uint32_t command);
const char *dxg_dispatch_name(uint32_t channel_type, uint32_t command);

#endif /* DXGHOST_DISPATCH_H */
