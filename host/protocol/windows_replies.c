// SPDX-License-Identifier: MIT
/*
 * The reply a Windows host sends when a command fails (dxghost --windows,
 * docs/protocol.md §5.4, host item 3).  A Windows host never answers with a
 * bare status where the command's reply has a larger shape: it sends the
 * whole shape, zeroed, with the status in the status field where there is
 * one.  The guest reads a failed create from its zero handle and treats a
 * reply shorter than the shape as a protocol error (D4), so every shape
 * here is exactly as long as the guest's reply buffer for the command.
 *
 * One table, indexed by command id; commands without an entry reply with
 * the bare status (their reply is the status alone).
 */
#include "protocol/windows_replies.h"

#include <stddef.h>
#include <string.h>

#include "dxg/protocol.h"

enum win_shape {
	WIN_STATUS = 0,		/* the 4-byte status */
	WIN_FIXED,		/* len zero bytes, the status at status_off */
	WIN_ADAPTERINFO,	/* the status, private_data_size zero bytes */
	WIN_CONTEXT,		/* the command back with `context` 0 */
	WIN_ALLOCATION,		/* 16 + 72 a + the private data, zeroed */
	WIN_ESCAPE,		/* the request's private data, unchanged */
	WIN_OPENRESOURCE,	/* 16 + 16 a, zeroed, the status first */
	WIN_LIST,		/* len + 4 bytes per value the request names */
};

#define NO_STATUS	UINT16_MAX

struct win_reply {
	enum win_shape shape;
	uint16_t len;		/* WIN_FIXED */
	uint16_t status_off;	/* WIN_FIXED; NO_STATUS: the shape has none */
	/* WIN_LIST: where the request's count is, and its resource (or NONE). */
	uint16_t count_off, resource_off;
};

#define NONE	UINT16_MAX

#define FIXED(id, type, st) [DXGK_VMBCOMMAND_##id] = \
	{ WIN_FIXED, sizeof(type), (st), 0, 0 }
#define FIXED_STATUS(id, type) [DXGK_VMBCOMMAND_##id] = \
	{ WIN_FIXED, sizeof(type), offsetof(type, status), 0, 0 }
#define SHAPE(id, s) [DXGK_VMBCOMMAND_##id] = { (s), 0, NO_STATUS, 0, 0 }
/* A fixed part then one __u32 per handle (one for a resource). */
#define LIST(id, ret, cmd, res) [DXGK_VMBCOMMAND_##id] = \
	{ WIN_LIST, sizeof(ret), offsetof(ret, status), \
	  offsetof(cmd, allocation_count), (res) }

static const struct win_reply win_replies[DXGK_VMBCOMMAND_INVALID_VM_TO_HOST] = {
	/* The creates whose reply is the new handle alone. */
	FIXED(CREATEPROCESS, d3dkmthandle, NO_STATUS),
	FIXED(CREATEDEVICE, d3dkmthandle, NO_STATUS),
	FIXED_STATUS(OPENADAPTER, struct dxgkvmb_command_openadapter_ret),
	FIXED(GETINTERNALADAPTERINFO,
	      struct dxgkvmb_command_getinternaladapterinfo_ret, NO_STATUS),
	SHAPE(QUERYADAPTERINFO, WIN_ADAPTERINFO),
	SHAPE(CREATECONTEXTVIRTUAL, WIN_CONTEXT),
	SHAPE(CREATEALLOCATION, WIN_ALLOCATION),
	FIXED_STATUS(LOCK2, struct dxgkvmb_command_lock2_ret),
	FIXED(CREATEPAGINGQUEUE, struct dxgkvmb_command_createpagingqueue_ret,
	      NO_STATUS),
	FIXED_STATUS(MAKERESIDENT, struct dxgkvmb_command_makeresident_ret),
	FIXED(EVICT, struct dxgkvmb_command_evict_ret, NO_STATUS),
	FIXED(QUERYVIDEOMEMORYINFO,
	      struct dxgkvmb_command_queryvideomemoryinfo_ret, NO_STATUS),
	FIXED(RESERVEGPUVIRTUALADDRESS, struct dxgkvmb_command_reservegpuva_ret,
	      NO_STATUS),
	FIXED_STATUS(MAPGPUVIRTUALADDRESS, struct dxgkvmb_command_mapgpuva_ret),
	LIST(RECLAIMALLOCATIONS, struct dxgkvmb_command_reclaimallocations_ret,
	     struct dxgkvmb_command_reclaimallocations, NONE),
	LIST(GETALLOCATIONPRIORITY, struct dxgkvmb_command_allocvalues_ret,
	     struct dxgkvmb_command_allocationlist,
	     offsetof(struct dxgkvmb_command_allocationlist, resource)),
	LIST(QUERYALLOCATIONRESIDENCY, struct dxgkvmb_command_allocvalues_ret,
	     struct dxgkvmb_command_allocationlist,
	     offsetof(struct dxgkvmb_command_allocationlist, resource)),
	FIXED_STATUS(UPDATEALLOCATIONPROPERTY,
		     struct dxgkvmb_command_updateallocationproperty_ret),
	FIXED(CREATESYNCOBJECT, struct dxgkvmb_command_createsyncobject_ret,
	      NO_STATUS),
	/* The fixed part of the command back, status set, hwqueue 0. */
	[DXGK_VMBCOMMAND_CREATEHWQUEUE] = { WIN_FIXED, DXGKVMB_CREATEHWQUEUE_FIXED,
		offsetof(struct dxgkvmb_command_createhwqueue, status) },
	FIXED_STATUS(GETDEVICESTATE, struct dxgkvmb_command_getdevicestate_ret),
	FIXED_STATUS(GETCONTEXTSCHEDULINGPRIORITY,
		     struct dxgkvmb_command_getcontextschedulingpriority_ret),
	FIXED_STATUS(QUERYCLOCKCALIBRATION,
		     struct dxgkvmb_command_queryclockcalibration_ret),
	FIXED_STATUS(QUERYSTATISTICS, struct dxgkvmb_command_querystatistics_ret),
	FIXED_STATUS(ISFEATUREENABLED, struct dxgkvmb_command_isfeatureenabled_ret),
	SHAPE(ESCAPE, WIN_ESCAPE),
	/* Sharing (share_cmds.c): opendxg's layouts, the status first. */
	FIXED_STATUS(CREATENTSHAREDOBJECT,
		     struct dxgkvmb_command_createntsharedobject_ret),
	FIXED_STATUS(OPENSYNCOBJECT, struct dxgkvmb_command_opensyncobject_ret),
	FIXED_STATUS(SHAREOBJECTWITHHOST,
		     struct dxgkvmb_command_shareobjectwithhost_ret),
	SHAPE(OPENRESOURCE, WIN_OPENRESOURCE),
};

/*
 * The length of the variable shapes, from the request (hostile: every
 * size is bounded by the request and the reply buffer).  0: the request
 * does not describe a shape (the guest never sends such a request), and
 * the reply falls back to the bare status.
 */
static uint32_t adapterinfo_len(const uint8_t *cmd, uint32_t cmd_len)
{
	struct dxgkvmb_command_queryadapterinfo c;

	if (cmd_len < sizeof(c))
		return 0;
	memcpy(&c, cmd, sizeof(c));
	if (!c.private_data_size ||
	    c.private_data_size > DXG_REPLY_BUF_SIZE - sizeof(int32_t))
		return 0;
	return (uint32_t)sizeof(int32_t) + c.private_data_size;
}

static uint32_t context_len(const uint8_t *cmd, uint32_t cmd_len)
{
	struct dxgkvmb_command_createcontextvirtual c;

	if (cmd_len < DXGKVMB_CREATECONTEXTVIRTUAL_FIXED)
		return 0;
	memcpy(&c, cmd, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED);
	if (c.priv_drv_data_size > cmd_len - DXGKVMB_CREATECONTEXTVIRTUAL_FIXED ||
	    c.priv_drv_data_size > DXG_REPLY_BUF_SIZE -
				   DXGKVMB_CREATECONTEXTVIRTUAL_FIXED)
		return 0;
	return DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + c.priv_drv_data_size;
}

static uint32_t allocation_len(const uint8_t *cmd, uint32_t cmd_len)
{
	struct dxgkvmb_command_createallocation c;
	struct dxgkvmb_command_createallocation_allocinfo info;
	uint64_t len;

	if (cmd_len < sizeof(c))
		return 0;
	memcpy(&c, cmd, sizeof(c));
	if (!c.alloc_count ||
	    (uint64_t)c.alloc_count * sizeof(info) > cmd_len - sizeof(c))
		return 0;
	len = sizeof(struct dxgkvmb_command_createallocation_ret) +
	      (uint64_t)c.alloc_count *
	      sizeof(struct dxgkvmb_command_allocinfo_return);
	for (uint32_t i = 0; i < c.alloc_count && len <= DXG_REPLY_BUF_SIZE;
	     i++) {
		memcpy(&info, cmd + sizeof(c) + (uint64_t)i * sizeof(info),
		       sizeof(info));
		len += info.priv_drv_data_size;
	}
	return len <= DXG_REPLY_BUF_SIZE ? (uint32_t)len : 0;
}

static uint32_t openresource_len(const uint8_t *cmd, uint32_t cmd_len)
{
	struct dxgkvmb_command_openresource c;
	uint64_t len;

	if (cmd_len < sizeof(c))
		return 0;
	memcpy(&c, cmd, sizeof(c));
	len = sizeof(struct dxgkvmb_command_openresource_ret) +
	      (uint64_t)c.allocation_count *
	      sizeof(struct dxgkvmb_openresource_alloc);
	return len <= DXG_REPLY_BUF_SIZE ? (uint32_t)len : 0;
}

/* WIN_LIST: the fixed part and a __u32 per value the request names. */
static uint32_t list_len(const struct win_reply *w, const uint8_t *cmd,
			 uint32_t cmd_len)
{
	uint32_t n, res = 0;
	uint64_t len;

	if (cmd_len < (uint32_t)w->count_off + sizeof(n) ||
	    (w->resource_off != NONE &&
	     cmd_len < (uint32_t)w->resource_off + sizeof(res)))
		return 0;
	memcpy(&n, cmd + w->count_off, sizeof(n));
	if (w->resource_off != NONE)
		memcpy(&res, cmd + w->resource_off, sizeof(res));
	if (res)
		n = 1;
	len = w->len + (uint64_t)n * sizeof(uint32_t);
	return len <= DXG_REPLY_BUF_SIZE ? (uint32_t)len : 0;
}

/* ESCAPE: the private data the request carried, as a Windows host echoes it. */
static uint32_t escape_reply(const uint8_t *cmd, uint32_t cmd_len,
			     uint8_t *reply)
{
	struct dxgkvmb_command_escape e;

	if (cmd_len < DXGKVMB_ESCAPE_FIXED)
		return 0;
	memcpy(&e, cmd, DXGKVMB_ESCAPE_FIXED);
	if (!e.priv_drv_data_size ||
	    e.priv_drv_data_size > cmd_len - DXGKVMB_ESCAPE_FIXED ||
	    e.priv_drv_data_size > DXG_REPLY_BUF_SIZE)
		return 0;
	/* Replies are at least 4 bytes: pad with zeros. */
	memset(reply, 0, sizeof(int32_t));
	memcpy(reply, cmd + DXGKVMB_ESCAPE_FIXED, e.priv_drv_data_size);
	return e.priv_drv_data_size < sizeof(int32_t) ?
	       (uint32_t)sizeof(int32_t) : e.priv_drv_data_size;
}

uint32_t dxg_windows_error_reply(uint32_t command, const uint8_t *cmd,
				 uint32_t cmd_len, int32_t st, uint8_t *reply)
{
	const struct win_reply *w = NULL;
	uint16_t status_off = NO_STATUS;
	uint32_t len = 0;

	if (command < sizeof(win_replies) / sizeof(win_replies[0]))
		w = &win_replies[command];
	switch (w ? w->shape : WIN_STATUS) {
	case WIN_STATUS:
		break;
	case WIN_FIXED:
		len = w->len;
		status_off = w->status_off;
		break;
	case WIN_ADAPTERINFO:
		len = adapterinfo_len(cmd, cmd_len);
		status_off = 0;
		break;
	case WIN_CONTEXT:
		len = context_len(cmd, cmd_len);
		if (len) {
			/* The command back with context 0: the guest's failure. */
			memcpy(reply, cmd, len);
			memset(reply + offsetof(struct dxgkvmb_command_createcontextvirtual,
						context), 0, sizeof(d3dkmthandle));
			return len;
		}
		break;
	case WIN_ALLOCATION:
		len = allocation_len(cmd, cmd_len);
		break;
	case WIN_OPENRESOURCE:
		len = openresource_len(cmd, cmd_len);
		status_off = 0;
		break;
	case WIN_LIST:
		len = list_len(w, cmd, cmd_len);
		status_off = w->status_off;
		break;
	case WIN_ESCAPE:
		len = escape_reply(cmd, cmd_len, reply);
		if (len)
			return len;
		break;
	}
	if (len < sizeof(st)) {
		memcpy(reply, &st, sizeof(st));
		return sizeof(st);
	}
	memset(reply, 0, len);
	if (status_off != NO_STATUS)
		memcpy(reply + status_off, &st, sizeof(st));
	return len;
}
