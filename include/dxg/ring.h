/* SPDX-License-Identifier: MIT */
/*
 * One direction of a channel: a ring in the Hyper-V VMBus ring-buffer
 * format, so one packet codec serves both the ivshmem and the VMBus
 * transports.  Shared by the guest module and dxghost (header-only).
 *
 * Layout: a 4 KiB header page (struct dxg_ring_hdr) followed by a data
 * area of `size` bytes.  Indices are byte offsets into the data area.  A
 * packet is a 16-byte descriptor, the payload padded to 8 bytes, and an
 * 8-byte trailer holding the packet's start index in its upper 32 bits.
 * The ring is empty when read_index == write_index, so a writer always
 * leaves at least one granule free.
 *
 * The other side of a ring is hostile: every index read from shared memory
 * is checked before use and every packet is copied out of the ring before
 * the caller parses it (the peer may rewrite the ring meanwhile).
 *
 * Exactly one producer and one consumer per ring; callers serialise.
 */
#ifndef DXG_RING_H
#define DXG_RING_H

#include "compat.h"

#define DXG_RING_HDR_SIZE	4096u

struct dxg_ring_hdr {
	__u32 write_index;	/* producer-owned */
	__u32 read_index;	/* consumer-owned */
	/*
	 * Consumer-owned: non-zero while the consumer is polling (or busy),
	 * so the producer need not interrupt it.  Zero means "parked: ring
	 * the doorbell after you write".
	 */
	__u32 interrupt_mask;
	/*
	 * Producer-owned: non-zero while the producer waits for room (the
	 * bytes it needs, plus one), so a consumer that batches its
	 * read_index stores publishes at once (docs/ivshmem-transport.md §5.2).
	 */
	__u32 pending_send_sz;
	__u32 reserved1[12];
	__u32 feature_bits;
	__u8 reserved2[DXG_RING_HDR_SIZE - 68];
};
DXG_STATIC_ASSERT(sizeof(struct dxg_ring_hdr) == DXG_RING_HDR_SIZE,
		  "ring header is one page");

/* VMBus packet types and flags used by the dxgkrnl protocol. */
#define DXG_PKT_DATA_INBAND		6
#define DXG_PKT_COMPLETION		11
#define DXG_PKT_FLAG_COMPLETION_REQUESTED 1

struct dxg_pkt_desc {
	__u16 type;
	__u16 offset8;	/* descriptor size in 8-byte units (2) */
	__u16 len8;	/* descriptor + payload, in 8-byte units */
	__u16 flags;
	__u64 trans_id;
};
DXG_STATIC_ASSERT(sizeof(struct dxg_pkt_desc) == 16, "VMBus packet descriptor");

#define DXG_PKT_TRAILER_SIZE	8u

/* Smallest and largest data areas we accept (powers of two not required). */
#define DXG_RING_MIN_SIZE	(16u * 1024)
#define DXG_RING_MAX_SIZE	(16u * 1024 * 1024)
/* Largest payload in one packet: the dxgkrnl protocol's 128 KiB limit. */
#define DXG_MAX_PACKET_PAYLOAD	(128u * 1024)

/*
 * A local view of one ring.  `size` comes from a value this side validated
 * once (never re-read from shared memory).
 */
struct dxg_ring {
	struct dxg_ring_hdr *hdr;
	__u8 *data;
	__u32 size;
	/*
	 * Producer only: the consumer's read_index as last loaded (validated),
	 * or DXG_RING_RD_UNKNOWN.  The consumer only moves it forward, so free
	 * space computed from an old value is an underestimate: the producer
	 * loads the real one (a cache line the consumer owns) only when the
	 * old value says the packet does not fit.
	 */
	__u32 peer_rd;
	bool asked_room;	/* producer: we set pending_send_sz */
	/*
	 * Consumer only: where we read next (`rd`) and what we last stored in
	 * read_index (`rd_pub`).  Our own index is never re-read from shared
	 * memory once known, so a peer that rewrites it changes nothing here.
	 */
	__u32 rd;
	__u32 rd_pub;
};

#define DXG_RING_RD_UNKNOWN	0xffffffffu

static inline int dxg_ring_init(struct dxg_ring *r, void *base, __u32 size)
{
	if (size < DXG_RING_MIN_SIZE || size > DXG_RING_MAX_SIZE || (size & 7u))
		return -EINVAL;
	r->hdr = (struct dxg_ring_hdr *)base;
	r->data = (__u8 *)base + DXG_RING_HDR_SIZE;
	r->size = size;
	r->peer_rd = DXG_RING_RD_UNKNOWN;
	r->asked_room = false;
	r->rd = DXG_RING_RD_UNKNOWN;
	r->rd_pub = DXG_RING_RD_UNKNOWN;
	return 0;
}

/*
 * Forget what this view remembers of the indices (the peer reset the ring,
 * e.g. in a new handshake): they are loaded, and checked, at next use.
 */
static inline void dxg_ring_resync(struct dxg_ring *r)
{
	r->peer_rd = DXG_RING_RD_UNKNOWN;
	r->asked_room = false;
	r->rd = DXG_RING_RD_UNKNOWN;
	r->rd_pub = DXG_RING_RD_UNKNOWN;
}

/* Reset both indices; only the side that owns the memory does this, before use. */
static inline void dxg_ring_reset(struct dxg_ring *r)
{
	dxg_write_once(r->hdr->write_index, 0);
	dxg_write_once(r->hdr->read_index, 0);
	dxg_write_once(r->hdr->interrupt_mask, 0);
	dxg_write_once(r->hdr->pending_send_sz, 0);
	dxg_write_once(r->hdr->feature_bits, 0);
	r->peer_rd = DXG_RING_RD_UNKNOWN;
	r->asked_room = false;
	r->rd = 0;
	r->rd_pub = 0;
}

static inline int dxg_ring_index_ok(const struct dxg_ring *r, __u32 idx)
{
	return idx < r->size && !(idx & 7u);
}

static inline void dxg_ring_copy_to(struct dxg_ring *r, __u32 at,
				    const void *src, __u32 len)
{
	__u32 first = r->size - at;

	if (len <= first) {
		memcpy(r->data + at, src, len);
	} else {
		memcpy(r->data + at, src, first);
		memcpy(r->data, (const __u8 *)src + first, len - first);
	}
}

static inline void dxg_ring_copy_from(const struct dxg_ring *r, __u32 at,
				      void *dst, __u32 len)
{
	__u32 first = r->size - at;

	if (len <= first) {
		memcpy(dst, r->data + at, len);
	} else {
		memcpy(dst, r->data + at, first);
		memcpy((__u8 *)dst + first, r->data, len - first);
	}
}

/* Bytes from index @from forward to index @to (0 when they are equal). */
static inline __u32 dxg_ring_dist(const struct dxg_ring *r, __u32 from, __u32 to)
{
	return to >= from ? to - from : r->size - (from - to);
}

/* Producer: load the consumer's read_index (checked) into peer_rd. */
static inline int dxg_ring_load_peer(struct dxg_ring *r)
{
	/* Acquire: the consumer's copy is done before we overwrite. */
	__u32 rd = dxg_load_acquire(&r->hdr->read_index);

	if (!dxg_ring_index_ok(r, rd))
		return -EPROTO;
	r->peer_rd = rd;
	return 0;
}

/* Producer: free bytes by peer_rd (the ring is empty when wr == rd). */
static inline __u32 dxg_ring_room(const struct dxg_ring *r, __u32 wr)
{
	return r->peer_rd == DXG_RING_RD_UNKNOWN ? 0 :
	       r->size - dxg_ring_dist(r, r->peer_rd, wr);
}

static inline __u32 dxg_ring_advance(const struct dxg_ring *r, __u32 at, __u32 by)
{
	/* at < size and by <= size, so this cannot overflow 32 bits twice. */
	at += by;
	return at >= r->size ? at - r->size : at;
}

/*
 * Write one packet whose payload is the concatenation of two parts (a
 * header and a body, either may be empty).
 * Returns 0, -EAGAIN when the ring lacks room now, -EMSGSIZE when the
 * packet can never fit, -EPROTO when the peer corrupted the indices.
 */
static inline int dxg_ring_write2(struct dxg_ring *r, __u16 type, __u16 flags,
				  __u64 trans_id, const void *p1, __u32 len1,
				  const void *p2, __u32 len2)
{
	struct dxg_pkt_desc desc;
	__u32 payload, padded, total, wr, at;
	__u64 trailer;
	static const __u8 zeros[8];

	if (len1 > DXG_MAX_PACKET_PAYLOAD || len2 > DXG_MAX_PACKET_PAYLOAD - len1)
		return -EMSGSIZE;
	payload = len1 + len2;
	padded = DXG_ALIGN8(payload);
	total = (__u32)sizeof(desc) + padded + DXG_PKT_TRAILER_SIZE;
	if (total >= r->size)
		return -EMSGSIZE;

	wr = dxg_read_once(r->hdr->write_index);
	if (!dxg_ring_index_ok(r, wr))
		return -EPROTO;
	if (dxg_ring_room(r, wr) <= total) {
		if (dxg_ring_load_peer(r))
			return -EPROTO;
		if (dxg_ring_room(r, wr) <= total) {
			/*
			 * Ask the consumer to publish what it has read (it may
			 * hold a little back, see dxg_ring_consume()), then
			 * look once more: it may have done so meanwhile.
			 */
			dxg_write_once(r->hdr->pending_send_sz, total + 1);
			r->asked_room = true;
			dxg_full_barrier();
			if (dxg_ring_load_peer(r))
				return -EPROTO;
			if (dxg_ring_room(r, wr) <= total)
				return -EAGAIN;
		}
	}
	if (r->asked_room) {	/* it fits: withdraw the request */
		dxg_write_once(r->hdr->pending_send_sz, 0);
		r->asked_room = false;
	}

	desc.type = type;
	desc.offset8 = (__u16)(sizeof(desc) / 8);
	desc.len8 = (__u16)((sizeof(desc) + padded) / 8);
	desc.flags = flags;
	desc.trans_id = trans_id;

	at = wr;
	dxg_ring_copy_to(r, at, &desc, sizeof(desc));
	at = dxg_ring_advance(r, at, sizeof(desc));
	if (len1) {
		dxg_ring_copy_to(r, at, p1, len1);
		at = dxg_ring_advance(r, at, len1);
	}
	if (len2) {
		dxg_ring_copy_to(r, at, p2, len2);
		at = dxg_ring_advance(r, at, len2);
	}
	if (padded != payload) {
		dxg_ring_copy_to(r, at, zeros, padded - payload);
		at = dxg_ring_advance(r, at, padded - payload);
	}
	trailer = (__u64)wr << 32;
	dxg_ring_copy_to(r, at, &trailer, sizeof(trailer));
	at = dxg_ring_advance(r, at, sizeof(trailer));

	/* Publish: the packet bytes become visible before the new index. */
	dxg_store_release(&r->hdr->write_index, at);
	return 0;
}

/*
 * After a write: does the consumer want a doorbell?  The full barrier
 * orders our index store before the mask load; the consumer does the
 * mirror image (clear mask, barrier, re-check) before it parks, so at
 * least one side always sees the other and no wake-up is lost.
 */
static inline int dxg_ring_consumer_parked(struct dxg_ring *r)
{
	dxg_full_barrier();
	return dxg_read_once(r->hdr->interrupt_mask) == 0;
}

/* Consumer: announce polling (1) or parked (0). */
static inline void dxg_ring_set_polling(struct dxg_ring *r, int polling)
{
	dxg_write_once(r->hdr->interrupt_mask, polling ? 1u : 0u);
	dxg_full_barrier();
}

/*
 * Consumer side.  Reading a packet (dxg_ring_peek) and handing its space
 * back (dxg_ring_consume) are separate, and the store of read_index that
 * hands space back may be batched: read_index shares a cache line with the
 * producer's write_index, so each store pulls that line away from the
 * producer.  A consumer that batches publishes whenever it stops reading
 * (before it parks or sleeps), when it holds back DXG_RING_PUBLISH_DIV-th
 * of the ring, and whenever the producer asks for room (pending_send_sz,
 * set by dxg_ring_write2() when a packet does not fit), so the producer
 * never waits on space that is already free.
 */
#define DXG_RING_PUBLISH_DIV	8u

/* Our read position, loaded (and checked) once after init. */
static inline int dxg_ring_cursor(struct dxg_ring *r, __u32 *rd)
{
	if (r->rd == DXG_RING_RD_UNKNOWN) {
		__u32 v = dxg_read_once(r->hdr->read_index);

		if (!dxg_ring_index_ok(r, v))
			return -EPROTO;
		r->rd = v;
		r->rd_pub = v;
	}
	*rd = r->rd;
	return 0;
}

/* Consumer: store read_index if it is behind what we have read. */
static inline void dxg_ring_publish(struct dxg_ring *r)
{
	if (r->rd != r->rd_pub && r->rd != DXG_RING_RD_UNKNOWN) {
		/* Our copies are complete before the producer may reuse the space. */
		dxg_store_release(&r->hdr->read_index, r->rd);
		r->rd_pub = r->rd;
	}
}

/* Publish now if the producer is waiting for room (a load of its line). */
static inline void dxg_ring_publish_if_asked(struct dxg_ring *r)
{
	if (r->rd != r->rd_pub && dxg_read_once(r->hdr->pending_send_sz))
		dxg_ring_publish(r);
}

/* Consumer: is there anything to read?  (-EPROTO on a corrupted index.) */
static inline int dxg_ring_pending(struct dxg_ring *r)
{
	__u32 wr = dxg_load_acquire(&r->hdr->write_index);
	__u32 rd;

	if (dxg_ring_cursor(r, &rd) || !dxg_ring_index_ok(r, wr))
		return -EPROTO;
	if (wr == rd)
		dxg_ring_publish_if_asked(r);
	return wr != rd;
}

/*
 * Copy the next packet out without consuming it: its descriptor into *desc
 * and its payload (padded length) into buf, and the index just past it into
 * *next.  Returns the payload length (>= 0), -ENODATA when the ring is
 * empty, -EMSGSIZE when the payload does not fit buf (nothing copied; *next
 * is set so the caller can drop it), -EPROTO when the ring is corrupt
 * (*next untouched; the channel must be torn down).  The copy is complete
 * on return; dxg_ring_consume(*next) then hands the space back.
 */
static inline int dxg_ring_peek(struct dxg_ring *r, struct dxg_pkt_desc *desc,
				void *buf, __u32 buf_size, __u32 *next)
{
	__u32 wr, rd, used, plen, total, at;

	wr = dxg_load_acquire(&r->hdr->write_index);
	if (dxg_ring_cursor(r, &rd) || !dxg_ring_index_ok(r, wr))
		return -EPROTO;
	if (wr == rd) {
		dxg_ring_publish_if_asked(r);
		return -ENODATA;
	}
	used = dxg_ring_dist(r, rd, wr);
	if (used < sizeof(*desc) + DXG_PKT_TRAILER_SIZE)
		return -EPROTO;

	dxg_ring_copy_from(r, rd, desc, sizeof(*desc));
	if (desc->offset8 < 2 || desc->len8 < desc->offset8)
		return -EPROTO;
	total = (__u32)desc->len8 * 8u + DXG_PKT_TRAILER_SIZE;
	if (total > used)
		return -EPROTO;
	plen = ((__u32)desc->len8 - desc->offset8) * 8u;
	*next = dxg_ring_advance(r, rd, total);
	if (plen > buf_size)
		return -EMSGSIZE;
	at = dxg_ring_advance(r, rd, (__u32)desc->offset8 * 8u);
	dxg_ring_copy_from(r, at, buf, plen);
	return (int)plen;
}

/*
 * Consumer: done with the packet that ends at `next` (from dxg_ring_peek).
 * Its space is published at once only when enough is held back or the
 * producer asked; otherwise at the next dxg_ring_publish().
 */
static inline void dxg_ring_consume(struct dxg_ring *r, __u32 next)
{
	r->rd = next;
	if (dxg_ring_dist(r, r->rd_pub, next) >= r->size / DXG_RING_PUBLISH_DIV)
		dxg_ring_publish(r);
	else
		dxg_ring_publish_if_asked(r);
}

/*
 * Peek, consume and publish in one, for consumers that do not batch: the
 * packet is consumed on success and on -EMSGSIZE (dropped), never on
 * -ENODATA or -EPROTO.
 */
static inline int dxg_ring_read(struct dxg_ring *r, struct dxg_pkt_desc *desc,
				void *buf, __u32 buf_size)
{
	__u32 next;
	int ret = dxg_ring_peek(r, desc, buf, buf_size, &next);

	if (ret >= 0 || ret == -EMSGSIZE) {
		r->rd = next;
		dxg_ring_publish(r);
	}
	return ret;
}

#endif /* DXG_RING_H */
