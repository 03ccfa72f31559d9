/* SPDX-License-Identifier: MIT */
/*
 * The pure part of the Hyper-V VMBus transport (driver/dxg_vmbus.c): what
 * can be decided without a channel, a PCI device or a lock, so that it
 * compiles both in the guest module and in the user-space unit tests
 * (tests/unit/test_vmbus.c).  Header-only; no allocation.
 *
 *   - the vGPU PCI device's config space (version, LUIDs, capabilities)
 *   - pairing PCI devices with vGPU channels by LUID, in either order
 *   - the tags that keep the hosts sharing the global channel apart
 *     (transaction ids of their requests, ids of their guest events)
 *   - the IO-space window check and the SETIOSPACEREGION payload
 *   - a received raw VMBus packet
 *   - guest memory for the host: SETEXISTINGSYSMEMPAGES page lists and
 *     GPADL range descriptors
 *
 * Facts: docs/hyper-v.md and the reference fact sheet sections 2 and 4.
 */
#ifndef DXG_VMBUS_H
#define DXG_VMBUS_H

#include "compat.h"
#include "protocol.h"
#include "ring.h"

/* The virtual GPU PCI devices a Hyper-V host gives a GPU-PV guest. */
#define DXG_VMBUS_PCI_VENDOR_ID		0x1414	/* Microsoft */
#define DXG_VMBUS_PCI_RENDER_ID		0x008e	/* virtual render */
#define DXG_VMBUS_PCI_COMPUTE_ID	0x008a	/* compute accelerator */

/* Each direction of each channel. */
#define DXG_VMBUS_RING_SIZE		(256u * 1024)
/* vGPUs per VM: the slot is 4 bits of a tag (below). */
#define DXG_VMBUS_MAX_GPUS		16u

/* ---- config space of the vGPU PCI device (read as aligned dwords) ---- */

#define DXG_VMBUS_CFG_GUID		192u	/* 16 bytes: vGPU channel instance */
#define DXG_VMBUS_CFG_VERSION		208u	/* read host's, write ours */
#define DXG_VMBUS_CFG_VGPU_LUID		212u	/* read, 8 bytes (version >= 40) */
#define DXG_VMBUS_CFG_GUEST_CAPS	212u	/* write (same register) */
#define DXG_VMBUS_CFG_HOST_CAPS		220u	/* read (version >= 40) */
#define DXG_VMBUS_CFG_DWORDS		8u	/* 192 .. 223 */

#define DXG_VMBUS_GUEST_CAP_WSL2		(1u << 0)
#define DXG_VMBUS_HOST_CAP_MAP_GUEST_MEMORY	(1u << 0)

struct dxg_vmbus_cfg {
	__u8 channel_guid[16];		/* as the bytes of a guid_t */
	struct winluid luid;		/* guest-visible, from the GUID */
	struct winluid vgpu_luid;	/* routes commands (extended header) */
	__u32 version;			/* negotiated interface version */
	__u32 host_caps;		/* DXG_VMBUS_HOST_CAP_* */
};

/*
 * The guest-visible LUID of a vGPU: the first 8 bytes of its channel's
 * instance GUID, as two little-endian 32-bit words.  The same conversion
 * of a vGPU channel offer's instance GUID pairs the two.
 */
static inline void dxg_vmbus_guid_to_luid(const __u8 guid[16],
					  struct winluid *luid)
{
	luid->a = (__u32)guid[0] | (__u32)guid[1] << 8 |
		  (__u32)guid[2] << 16 | (__u32)guid[3] << 24;
	luid->b = (__u32)guid[4] | (__u32)guid[5] << 8 |
		  (__u32)guid[6] << 16 | (__u32)guid[7] << 24;
}

static inline bool dxg_vmbus_luid_equal(const struct winluid *x,
					const struct winluid *y)
{
	return x->a == y->a && x->b == y->b;
}

/*
 * The host's version register: 0 means an old host (27).  Everything this
 * driver sends needs the extended header of version 40, so an older host
 * is refused (-EPROTONOSUPPORT); a newer one is clamped to 40, the value
 * the guest writes back.  *version: the effective version either way.
 */
static inline int dxg_vmbus_cfg_version(__u32 raw, __u32 *version)
{
	if (!raw)
		raw = DXGK_VMBUS_INTERFACE_VERSION_OLD;
	if (raw < DXGK_VMBUS_INTERFACE_VERSION) {
		*version = raw;
		return -EPROTONOSUPPORT;
	}
	*version = DXGK_VMBUS_INTERFACE_VERSION;
	return 0;
}

/*
 * Parse the dwords read at 192..223 after the version was negotiated.
 * -EINVAL: fewer than DXG_VMBUS_CFG_DWORDS, or no channel GUID (a zero
 * LUID pairs with nothing); -EPROTONOSUPPORT: version below 40.
 */
static inline int dxg_vmbus_cfg_parse(const __u32 *dw, unsigned int ndw,
				      __u32 version, struct dxg_vmbus_cfg *out)
{
	unsigned int i;

	if (!dw || ndw < DXG_VMBUS_CFG_DWORDS)
		return -EINVAL;
	if (version < DXGK_VMBUS_INTERFACE_VERSION)
		return -EPROTONOSUPPORT;
	memset(out, 0, sizeof(*out));
	for (i = 0; i < 16; i++)
		out->channel_guid[i] = (__u8)(dw[i / 4] >> (8 * (i % 4)));
	dxg_vmbus_guid_to_luid(out->channel_guid, &out->luid);
	if (!out->luid.a && !out->luid.b)
		return -EINVAL;
	out->vgpu_luid.a = dw[(DXG_VMBUS_CFG_VGPU_LUID - DXG_VMBUS_CFG_GUID) / 4];
	out->vgpu_luid.b = dw[(DXG_VMBUS_CFG_VGPU_LUID - DXG_VMBUS_CFG_GUID) / 4 + 1];
	out->host_caps = dw[(DXG_VMBUS_CFG_HOST_CAPS - DXG_VMBUS_CFG_GUID) / 4];
	out->version = version;
	return 0;
}

/* ---- tags: several hosts (one per vGPU) share the global channel ---- */

/*
 * Each started vGPU is one dxg_host with its own request ids and guest
 * event ids.  On the shared global channel its tag, a byte
 * {1, generation:3, slot:4}, tells whose they are: a request's VMBus
 * transaction id is (id << 8 | tag); a guest event id is (tag << 56 | n).
 * The generation keeps a late reply for a removed vGPU away from the next
 * vGPU in its slot.
 */
#define DXG_VMBUS_TAG_HOST	0x80u

static inline __u8 dxg_vmbus_tag(unsigned int slot, unsigned int gen)
{
	return (__u8)(DXG_VMBUS_TAG_HOST | (gen & 7u) << 4 | (slot & 15u));
}

/* ---- pairing: PCI devices, vGPU channels, the global channel ---- */

/*
 * A vGPU needs its PCI device (config space: LUIDs, version, caps), its
 * VMBus channel (matched by LUID) and the VM's global channel.  They arrive
 * and leave in any order; the table records what is present and says
 * which vGPU can start.  The cookies are the caller's (device pointers);
 * the table never dereferences them.  The caller serialises.
 */
enum dxg_vmbus_end {
	DXG_VMBUS_END_PCI,
	DXG_VMBUS_END_CHANNEL,
	DXG_VMBUS_NUM_ENDS,
};

enum dxg_vmbus_slot_state {
	DXG_VMBUS_SLOT_FREE,		/* no end present */
	DXG_VMBUS_SLOT_WAITING,		/* not started: an end is missing */
	DXG_VMBUS_SLOT_ACTIVE,		/* started by the caller */
	DXG_VMBUS_SLOT_FAILED,		/* start failed; retried on a new arrival */
};

struct dxg_vmbus_slot {
	struct winluid luid;
	const void *end[DXG_VMBUS_NUM_ENDS];
	__u8 state;			/* enum dxg_vmbus_slot_state */
	__u8 gen;			/* bumped at each start (tags) */
};

struct dxg_vmbus_pairing {
	struct dxg_vmbus_slot slot[DXG_VMBUS_MAX_GPUS];
	const void *global;
};

/* Record an arrival: the slot index, -EEXIST (twice), -ENOSPC, -EINVAL. */
static inline int dxg_vmbus_pair_add(struct dxg_vmbus_pairing *p,
				     enum dxg_vmbus_end end,
				     const struct winluid *luid,
				     const void *cookie)
{
	int i, free_slot = -1;

	if (!cookie || end >= DXG_VMBUS_NUM_ENDS)
		return -EINVAL;
	for (i = 0; i < (int)DXG_VMBUS_MAX_GPUS; i++) {
		struct dxg_vmbus_slot *s = &p->slot[i];

		if (s->state == DXG_VMBUS_SLOT_FREE) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (s->end[end] == cookie)
			return -EEXIST;
		if (!dxg_vmbus_luid_equal(&s->luid, luid))
			continue;
		if (s->end[end])
			return -EEXIST;	/* a second device with this LUID */
		s->end[end] = cookie;
		if (s->state == DXG_VMBUS_SLOT_FAILED)
			s->state = DXG_VMBUS_SLOT_WAITING;
		return i;
	}
	if (free_slot < 0)
		return -ENOSPC;
	p->slot[free_slot].luid = *luid;
	p->slot[free_slot].end[end] = cookie;
	p->slot[free_slot].state = DXG_VMBUS_SLOT_WAITING;
	return free_slot;
}

/*
 * Record a departure: the slot index or -ENOENT.  *was_active: the caller
 * had started this vGPU and must stop it (before or after this call, under
 * its lock).  The other end, if present, waits for a new partner.
 */
static inline int dxg_vmbus_pair_remove(struct dxg_vmbus_pairing *p,
					enum dxg_vmbus_end end,
					const void *cookie, bool *was_active)
{
	int i;

	*was_active = false;
	if (!cookie || end >= DXG_VMBUS_NUM_ENDS)
		return -ENOENT;
	for (i = 0; i < (int)DXG_VMBUS_MAX_GPUS; i++) {
		struct dxg_vmbus_slot *s = &p->slot[i];

		if (s->state == DXG_VMBUS_SLOT_FREE || s->end[end] != cookie)
			continue;
		*was_active = s->state == DXG_VMBUS_SLOT_ACTIVE;
		s->end[end] = NULL;
		s->state = DXG_VMBUS_SLOT_WAITING;
		if (!s->end[DXG_VMBUS_END_PCI] && !s->end[DXG_VMBUS_END_CHANNEL]) {
			s->state = DXG_VMBUS_SLOT_FREE;
			s->luid.a = 0;
			s->luid.b = 0;
		}
		return i;
	}
	return -ENOENT;
}

/* The one global channel of the VM: 0, or -EEXIST for a second one. */
static inline int dxg_vmbus_pair_set_global(struct dxg_vmbus_pairing *p,
					    const void *cookie)
{
	if (!cookie)
		return -EINVAL;
	if (p->global)
		return -EEXIST;
	p->global = cookie;
	return 0;
}

/* The global channel left; the caller stopped every ACTIVE slot first. */
static inline int dxg_vmbus_pair_clear_global(struct dxg_vmbus_pairing *p,
					      const void *cookie)
{
	unsigned int i;

	if (!cookie || p->global != cookie)
		return -ENOENT;
	p->global = NULL;
	for (i = 0; i < DXG_VMBUS_MAX_GPUS; i++)
		if (p->slot[i].state == DXG_VMBUS_SLOT_ACTIVE ||
		    p->slot[i].state == DXG_VMBUS_SLOT_FAILED)
			p->slot[i].state = DXG_VMBUS_SLOT_WAITING;
	return 0;
}

/* The first slot that can start now (both ends and the global channel), or -1. */
static inline int dxg_vmbus_pair_next_ready(const struct dxg_vmbus_pairing *p)
{
	unsigned int i;

	if (!p->global)
		return -1;
	for (i = 0; i < DXG_VMBUS_MAX_GPUS; i++) {
		const struct dxg_vmbus_slot *s = &p->slot[i];

		if (s->state == DXG_VMBUS_SLOT_WAITING &&
		    s->end[DXG_VMBUS_END_PCI] && s->end[DXG_VMBUS_END_CHANNEL])
			return (int)i;
	}
	return -1;
}

/*
 * The caller starts slot i now: it is ACTIVE, in a new generation.
 * Returns the tag of this start.
 */
static inline __u8 dxg_vmbus_pair_start(struct dxg_vmbus_pairing *p,
					unsigned int i)
{
	p->slot[i].gen++;
	p->slot[i].state = DXG_VMBUS_SLOT_ACTIVE;
	return dxg_vmbus_tag(i, p->slot[i].gen);
}

/* The start failed: FAILED until an end arrives again. */
static inline void dxg_vmbus_pair_start_failed(struct dxg_vmbus_pairing *p,
					       unsigned int i)
{
	p->slot[i].state = DXG_VMBUS_SLOT_FAILED;
}

/* ---- tagged ids on the global channel ---- */

static inline unsigned int dxg_vmbus_tag_slot(__u8 tag)
{
	return tag & 15u;
}

/* false: id 0 (no reply expected: sent as 0) or too large to tag. */
static inline bool dxg_vmbus_tid_encode(__u64 id, __u8 tag, __u64 *tid)
{
	if (!id || id >> 56 || !(tag & DXG_VMBUS_TAG_HOST))
		return false;
	*tid = id << 8 | tag;
	return true;
}

/* false: not a tagged transaction id (nobody's). */
static inline bool dxg_vmbus_tid_decode(__u64 tid, __u8 *tag, __u64 *id)
{
	*tag = (__u8)tid;
	*id = tid >> 8;
	return (*tag & DXG_VMBUS_TAG_HOST) && *id;
}

/* The first guest event id of a host is this + 1 (see dxg_transport). */
static inline __u64 dxg_vmbus_event_base(__u8 tag)
{
	return (__u64)tag << 56;
}

/*
 * Which host a host->VM message on the global channel is for: a tag for
 * SIGNALGUESTEVENT(_PASSIVE) (from the event id), 0 for any other
 * host->VM message (every host sees it), -ENOENT for an event id no host
 * made, -EPROTO for a malformed message.
 */
static inline int dxg_vmbus_host_msg_tag(const void *payload, __u32 len)
{
	struct dxgkvmb_command_signalguestevent m;
	__u8 tag;

	if (!payload || len < sizeof(m.hdr))
		return -EPROTO;
	memcpy(&m.hdr, payload, sizeof(m.hdr));
	if (DXGKVMB_CHANNEL_TYPE(m.hdr.channel) != DXGKVMB_HOST_TO_VM)
		return -EPROTO;
	if (m.hdr.command_type != DXGK_VMBCOMMAND_SIGNALGUESTEVENT &&
	    m.hdr.command_type != DXGK_VMBCOMMAND_SIGNALGUESTEVENTPASSIVE)
		return 0;
	if (len < sizeof(m))
		return -EPROTO;
	memcpy(&m, payload, sizeof(m));
	tag = (__u8)(m.event >> 56);
	return (tag & DXG_VMBUS_TAG_HOST) ? tag : -ENOENT;
}

/* ---- received packets ---- */

/*
 * A packet as vmbus_recvpacket_raw() copies it out of the ring: the
 * 16-byte descriptor, the payload at offset8 * 8, padding up to len8 * 8.
 * The copy is ours; the host may have written anything into it.  -EPROTO:
 * malformed; -EMSGSIZE: a payload over the protocol's 128 KiB.
 */
static inline int dxg_vmbus_parse_packet(const void *buf, __u32 len,
					 struct dxg_pkt_desc *desc,
					 __u32 *payload_off, __u32 *payload_len)
{
	__u32 off, total;

	if (!buf || len < sizeof(*desc))
		return -EPROTO;
	memcpy(desc, buf, sizeof(*desc));
	off = (__u32)desc->offset8 * 8u;
	total = (__u32)desc->len8 * 8u;
	if (off < sizeof(*desc) || off > total || total > len)
		return -EPROTO;
	if (total - off > DXG_MAX_PACKET_PAYLOAD)
		return -EMSGSIZE;
	*payload_off = off;
	*payload_len = total - off;
	return 0;
}

/* ---- the IO space: a window of guest-physical addresses ---- */

/* Is [addr, addr + len) a page-aligned, non-empty range inside the window? */
static inline bool dxg_vmbus_io_range_ok(__u64 base, __u64 size, __u64 addr,
					 __u64 len, __u64 page_size)
{
	__u64 mask = page_size - 1;

	return len && !(addr & mask) && !(len & mask) && addr >= base &&
	       addr - base <= size && len <= size - (addr - base);
}

/*
 * SETIOSPACEREGION's payload (the caller's message layer fills the
 * headers).  The window must be non-empty, 64 KiB aligned (how it is
 * reserved) and must not wrap: -EINVAL otherwise.
 */
#define DXG_VMBUS_IO_SPACE_ALIGN	(64u * 1024)

static inline int dxg_vmbus_build_setiospaceregion(
		struct dxgkvmb_command_setiospaceregion *cmd,
		__u64 start, __u64 length)
{
	if (!length || (start | length) & (DXG_VMBUS_IO_SPACE_ALIGN - 1) ||
	    start + length < start)
		return -EINVAL;
	memset(cmd, 0, sizeof(*cmd));
	cmd->start = start;
	cmd->length = length;
	cmd->shared_page_gpadl = 0;
	return 0;
}

/* ---- guest memory shared with the host ("existing sysmem") ---- */

/*
 * A host with map_guest_memory takes page lists (SETEXISTINGSYSMEMPAGES);
 * any other needs a GPADL (SETEXISTINGSYSMEMSTORE names it).
 */
enum dxg_vmbus_sysmem_mode {
	DXG_VMBUS_SYSMEM_GPADL,
	DXG_VMBUS_SYSMEM_PAGES,
};

static inline enum dxg_vmbus_sysmem_mode dxg_vmbus_sysmem_mode(__u32 host_caps)
{
	return (host_caps & DXG_VMBUS_HOST_CAP_MAP_GUEST_MEMORY) ?
	       DXG_VMBUS_SYSMEM_PAGES : DXG_VMBUS_SYSMEM_GPADL;
}

/*
 * PFNs per SETEXISTINGSYSMEMPAGES message: as many as fit under the
 * 128 KiB message limit with a page of slack for the headers (as the
 * reference does): 15867.
 */
#define DXG_VMBUS_PFNS_PER_MSG						\
	((DXG_MAX_PACKET_PAYLOAD -					\
	  sizeof(struct dxgkvmb_command_setexistingsysmempages) - 4096u) / 8u)

/* Messages needed for npages PFNs at per_msg a message (0: invalid). */
static inline __u64 dxg_vmbus_pagelist_msgs(__u64 npages, __u32 per_msg)
{
	if (!npages || !per_msg)
		return 0;
	return npages / per_msg + (npages % per_msg != 0);
}

/*
 * Build message `index` of the page list of an allocation of npages pages
 * (pfns[0 .. npages)) into buf: the command (headers zero, for the message
 * layer to fill) followed by its PFNs.  Returns the message length;
 * -EINVAL: index past the end or bad arguments; -EOVERFLOW: a page offset
 * that does not fit the protocol's 32 bits; -ENOSPC: buf too small.
 */
static inline int dxg_vmbus_build_pagelist_msg(void *buf, __u32 buf_len,
					       d3dkmthandle device,
					       d3dkmthandle allocation,
					       const __u64 *pfns, __u64 npages,
					       __u64 index, __u32 per_msg)
{
	struct dxgkvmb_command_setexistingsysmempages cmd;
	__u64 first, count, need;

	if (!buf || !pfns || !npages || !per_msg ||
	    per_msg > DXG_MAX_PACKET_PAYLOAD / 8u)
		return -EINVAL;
	if (index >= dxg_vmbus_pagelist_msgs(npages, per_msg))
		return -EINVAL;
	first = index * per_msg;	/* < npages: no overflow */
	count = npages - first;
	if (count > per_msg)
		count = per_msg;
	if (first > 0xffffffffull)
		return -EOVERFLOW;
	need = sizeof(cmd) + count * 8u;
	if (need > buf_len)
		return -ENOSPC;
	memset(&cmd, 0, sizeof(cmd));
	cmd.device = device;
	cmd.allocation = allocation;
	cmd.num_pages = (__u32)count;
	cmd.alloc_offset_in_pages = (__u32)first;
	memcpy(buf, &cmd, sizeof(cmd));
	memcpy((__u8 *)buf + sizeof(cmd), pfns + first, count * 8u);
	return (int)need;
}

/*
 * One VMBus GPA range, the body of a GPADL: the byte count and the offset
 * into the first page of a buffer, then the PFN of every page it touches.
 */
struct dxg_vmbus_gpa_range {
	__u32 byte_count;
	__u32 byte_offset;
	/* __u64 pfn_array[]; */
};
DXG_STATIC_ASSERT(sizeof(struct dxg_vmbus_gpa_range) == 8, "GPA range");

/* Pages a buffer of len bytes at offset in its first page touches; 0: invalid. */
static inline __u32 dxg_vmbus_gpa_pages(__u32 offset, __u32 len, __u32 page_size)
{
	__u64 end = (__u64)offset + len;

	if (!len || !page_size || offset >= page_size)
		return 0;
	return (__u32)((end + page_size - 1) / page_size);
}

/*
 * Build the GPA range of a buffer of len bytes starting offset bytes into
 * page pfns[0]; npfns must be exactly the pages it touches.  Returns the
 * bytes written; -EINVAL: bad arguments or page count; -ENOSPC: buf too
 * small.
 */
static inline int dxg_vmbus_build_gpa_range(void *buf, __u32 buf_len,
					    __u32 offset, __u32 len,
					    const __u64 *pfns, __u32 npfns,
					    __u32 page_size)
{
	struct dxg_vmbus_gpa_range r;
	__u64 need;

	if (!buf || !pfns || !npfns ||
	    dxg_vmbus_gpa_pages(offset, len, page_size) != npfns)
		return -EINVAL;
	need = sizeof(r) + (__u64)npfns * 8u;
	if (need > buf_len || need > 0x7fffffffull)
		return -ENOSPC;
	r.byte_count = len;
	r.byte_offset = offset;
	memcpy(buf, &r, sizeof(r));
	memcpy((__u8 *)buf + sizeof(r), pfns, (__u64)npfns * 8u);
	return (int)need;
}

#endif /* DXG_VMBUS_H */
