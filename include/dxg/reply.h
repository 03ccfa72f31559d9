/* SPDX-License-Identifier: MIT */
/*
 * How the guest reads a host's replies, for both kinds of host: an opendxg
 * host (dxghost, DXG_HOST_CAP_ODX_REPLIES) and a Windows host, which knows
 * none of opendxg's reply extensions (docs/protocol.md §5).  `odx` is "the
 * host uses opendxg's reply extensions".
 *
 * The rules are pure functions over the bytes of one reply, here rather
 * than in driver/ so that a user-space unit test (tests/unit/test_reply.c)
 * can feed them each reply shape of both hosts: the driver's copies of
 * them would otherwise be exercised only in a VM, against one host.
 */
#ifndef DXG_REPLY_H
#define DXG_REPLY_H

#include "compat.h"
#include "ntstatus.h"

/*
 * A reply shorter than the command's reply layout (got < the size asked
 * for).  An opendxg host fails a command with a bare 4-byte NTSTATUS, so a
 * negative first word is the reason (D4, D22).  A Windows host always
 * sends the whole reply shape: there the first word of a short reply is
 * data, never a status, and a short reply is a protocol error.
 */
static inline int dxg_reply_short(bool odx, const void *reply, __u32 got)
{
	__s32 status;

	if (odx && got >= sizeof(status)) {
		memcpy(&status, reply, sizeof(status));
		if (status < 0)
			return dxg_ntstatus_to_errno(status);
	}
	return -EPROTO;
}

/*
 * CREATEPROCESS and CREATEDEVICE (D1, D2): an opendxg host answers
 * {handle, status} (8 bytes), a Windows host the 4-byte handle, 0 on
 * failure.
 */
static inline __u32 dxg_reply_handle_len(bool odx)
{
	return odx ? 2 * sizeof(__u32) : sizeof(__u32);
}

/*
 * A reply's new handle: 0 means the host failed the create.  The reason is
 * in `status` where the reply has one (pass 0 where it has none); without
 * one the failure is -EINVAL, an ordinary failure and not a protocol error
 * (D4a: a Windows host fails CREATESYNCOBJECT, CREATEPAGINGQUEUE and
 * CREATEALLOCATION with the whole reply and a zero handle).
 */
static inline int dxg_reply_new_handle(__u32 handle, __s32 status)
{
	if (handle)
		return 0;
	return status < 0 ? dxg_ntstatus_to_errno(status) : -EINVAL;
}

/* Reads a reply of dxg_reply_handle_len(odx) bytes. */
static inline int dxg_reply_handle_parse(bool odx, const void *reply,
					 __u32 *out)
{
	__u32 w[2] = { 0, 0 };

	memcpy(w, reply, dxg_reply_handle_len(odx));
	/* A Windows host has no status word: w[1] stays 0. */
	*out = w[0];
	return dxg_reply_new_handle(w[0], (__s32)w[1]);
}

/*
 * EVICT's reply is num_bytes_to_trim alone (D5).  An opendxg host fails it
 * with the bare NTSTATUS, which the ring pads to 8 bytes: a value whose
 * high half is 0 and whose low half is negative.  From a Windows host
 * every value is a byte count.
 */
static inline int dxg_reply_evict(bool odx, __u64 value, __u64 *trim)
{
	__s32 st = (__s32)(__u32)value;

	if (odx && !(value >> 32) && st < 0)
		return dxg_ntstatus_to_errno(st);
	*trim = value;
	return 0;
}

/*
 * Where a monitored fence's value lives (D11): the host gives a storage
 * address and an offset from it.  The page that holds address + offset is
 * mapped and the fence is at *in_page in it; the 8-byte value must lie
 * inside that page, naturally aligned.  page_size is a power of two.
 */
static inline int dxg_reply_fence_storage(__u64 address, __u64 offset,
					  __u64 page_size, __u64 *page,
					  __u64 *in_page)
{
	__u64 at = address + offset;

	if (at < address || (at & 7))
		return -EPROTO;
	*page = at & ~(page_size - 1);
	*in_page = at & (page_size - 1);
	return 0;
}

/*
 * ESCAPE (D3).  An opendxg host answers {status, data[n]} or fails with the
 * bare status (a short reply: dxg_reply_short()); a Windows host answers
 * the n bytes of updated private data alone.  dxg_reply_escape_len() is the
 * size to ask for; dxg_reply_escape() returns the status (>= 0: the data at
 * *data is valid) or a negative errno.
 */
static inline __u32 dxg_reply_escape_len(bool odx, __u32 n)
{
	return (odx ? sizeof(__s32) : 0) + n;
}

static inline int dxg_reply_escape(bool odx, const void *reply,
				   const void **data)
{
	__s32 status = STATUS_SUCCESS;

	if (odx)
		memcpy(&status, reply, sizeof(status));
	*data = (const __u8 *)reply + (odx ? sizeof(status) : 0);
	return status < 0 ? dxg_ntstatus_to_errno(status) : status;
}

#endif /* DXG_REPLY_H */
