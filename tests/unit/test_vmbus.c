// SPDX-License-Identifier: MIT
/*
 * The pure part of the Hyper-V VMBus transport (include/dxg/vmbus.h), the
 * ring-full retry policy both transports use (include/dxg/retry.h) and the
 * message headers (include/dxg/protocol.h): the same code the guest module
 * compiles, here against fakes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dxg/retry.h"
#include "dxg/vmbus.h"

/* ---- config space ---- */

/* dwords 192..223 as a host would present them */
static void cfg_words(uint32_t dw[DXG_VMBUS_CFG_DWORDS])
{
	static const __u8 guid[16] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01,
	};
	unsigned int i;

	memset(dw, 0, DXG_VMBUS_CFG_DWORDS * sizeof(dw[0]));
	for (i = 0; i < 16; i++)
		dw[i / 4] |= (uint32_t)guid[i] << (8 * (i % 4));
	dw[4] = 40;			/* 208: version */
	dw[5] = 0xdeadbeef;		/* 212: vGPU LUID low */
	dw[6] = 0x00c0ffee;		/* 216: vGPU LUID high */
	dw[7] = DXG_VMBUS_HOST_CAP_MAP_GUEST_MEMORY;	/* 220 */
}

static void test_cfg_version(void **state)
{
	uint32_t v = 0;

	(void)state;
	assert_int_equal(dxg_vmbus_cfg_version(40, &v), 0);
	assert_int_equal(v, 40);
	/* newer hosts are clamped to what we speak */
	assert_int_equal(dxg_vmbus_cfg_version(46, &v), 0);
	assert_int_equal(v, 40);
	/* 0 means an old host (27): refused */
	assert_int_equal(dxg_vmbus_cfg_version(0, &v), -EPROTONOSUPPORT);
	assert_int_equal(v, DXGK_VMBUS_INTERFACE_VERSION_OLD);
	assert_int_equal(dxg_vmbus_cfg_version(39, &v), -EPROTONOSUPPORT);
	assert_int_equal(v, 39);
}

static void test_cfg_parse_good(void **state)
{
	uint32_t dw[DXG_VMBUS_CFG_DWORDS];
	struct dxg_vmbus_cfg cfg;

	(void)state;
	cfg_words(dw);
	assert_int_equal(dxg_vmbus_cfg_parse(dw, DXG_VMBUS_CFG_DWORDS, 40, &cfg), 0);
	assert_int_equal(cfg.channel_guid[0], 0x11);
	assert_int_equal(cfg.channel_guid[15], 0x01);
	assert_int_equal(cfg.luid.a, 0x44332211);
	assert_int_equal(cfg.luid.b, 0x88776655);
	assert_int_equal(cfg.vgpu_luid.a, 0xdeadbeef);
	assert_int_equal(cfg.vgpu_luid.b, 0x00c0ffee);
	assert_int_equal(cfg.host_caps, DXG_VMBUS_HOST_CAP_MAP_GUEST_MEMORY);
	assert_int_equal(cfg.version, 40);
	assert_int_equal(dxg_vmbus_sysmem_mode(cfg.host_caps), DXG_VMBUS_SYSMEM_PAGES);
	assert_int_equal(dxg_vmbus_sysmem_mode(0), DXG_VMBUS_SYSMEM_GPADL);
}

static void test_cfg_parse_short_and_bad(void **state)
{
	uint32_t dw[DXG_VMBUS_CFG_DWORDS];
	struct dxg_vmbus_cfg cfg;

	(void)state;
	cfg_words(dw);
	assert_int_equal(dxg_vmbus_cfg_parse(dw, DXG_VMBUS_CFG_DWORDS - 1, 40, &cfg),
			 -EINVAL);
	assert_int_equal(dxg_vmbus_cfg_parse(NULL, DXG_VMBUS_CFG_DWORDS, 40, &cfg),
			 -EINVAL);
	assert_int_equal(dxg_vmbus_cfg_parse(dw, DXG_VMBUS_CFG_DWORDS, 27, &cfg),
			 -EPROTONOSUPPORT);
	/* no channel GUID: nothing to pair with */
	dw[0] = 0;
	dw[1] = 0;
	assert_int_equal(dxg_vmbus_cfg_parse(dw, DXG_VMBUS_CFG_DWORDS, 40, &cfg),
			 -EINVAL);
}

static void test_guid_to_luid(void **state)
{
	const __u8 g[16] = { 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0, 0xc0, 0xd0 };
	struct winluid l;

	(void)state;
	dxg_vmbus_guid_to_luid(g, &l);
	assert_int_equal(l.a, 0x04030201);
	assert_int_equal(l.b, 0xd0c0b0a0);
}

/* ---- pairing ---- */

static const struct winluid luid1 = { 1, 100 }, luid2 = { 2, 200 };
static int pci1, pci2, chan1, chan2, global1, global2;	/* cookies */

static void test_pair_pci_first(void **state)
{
	struct dxg_vmbus_pairing p;
	bool active;
	int i;

	(void)state;
	memset(&p, 0, sizeof(p));
	i = dxg_vmbus_pair_add(&p, DXG_VMBUS_END_PCI, &luid1, &pci1);
	assert_true(i >= 0);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), -1);
	assert_int_equal(dxg_vmbus_pair_set_global(&p, &global1), 0);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), -1);	/* no channel */
	/* a channel of another vGPU does not pair */
	assert_int_not_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_CHANNEL, &luid2, &chan2), i);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), -1);
	assert_int_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_CHANNEL, &luid1, &chan1), i);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), i);
	assert_int_equal(dxg_vmbus_pair_start(&p, i), dxg_vmbus_tag(i, 1));
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), -1);

	/* the second vGPU's PCI device arrives: it starts too */
	i = dxg_vmbus_pair_add(&p, DXG_VMBUS_END_PCI, &luid2, &pci2);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), i);
	dxg_vmbus_pair_start(&p, i);

	/* removing the first vGPU's channel stops it, and only it */
	i = dxg_vmbus_pair_remove(&p, DXG_VMBUS_END_CHANNEL, &chan1, &active);
	assert_true(i >= 0);
	assert_true(active);
	assert_int_equal(p.slot[i].state, DXG_VMBUS_SLOT_WAITING);
	assert_int_equal(p.slot[1 - i].state, DXG_VMBUS_SLOT_ACTIVE);
	/* it comes back: the same slot restarts in a new generation */
	assert_int_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_CHANNEL, &luid1, &chan1), i);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), i);
	assert_int_equal(dxg_vmbus_pair_start(&p, i), dxg_vmbus_tag(i, 2));
	assert_int_not_equal(dxg_vmbus_tag(i, 2), dxg_vmbus_tag(i, 1));
}

static void test_pair_channel_first(void **state)
{
	struct dxg_vmbus_pairing p;
	bool active = true;
	int i;

	(void)state;
	memset(&p, 0, sizeof(p));
	i = dxg_vmbus_pair_add(&p, DXG_VMBUS_END_CHANNEL, &luid1, &chan1);
	assert_true(i >= 0);
	assert_int_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_PCI, &luid1, &pci1), i);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), -1);	/* no global yet */
	assert_int_equal(dxg_vmbus_pair_set_global(&p, &global1), 0);
	assert_int_equal(dxg_vmbus_pair_set_global(&p, &global2), -EEXIST);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), i);
	dxg_vmbus_pair_start(&p, i);

	/* the global channel leaves: the slot waits again */
	assert_int_equal(dxg_vmbus_pair_clear_global(&p, &global2), -ENOENT);
	assert_int_equal(dxg_vmbus_pair_clear_global(&p, &global1), 0);
	assert_int_equal(p.slot[i].state, DXG_VMBUS_SLOT_WAITING);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), -1);
	assert_int_equal(dxg_vmbus_pair_set_global(&p, &global2), 0);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), i);

	/* a failed start is not retried until something arrives */
	dxg_vmbus_pair_start(&p, i);
	dxg_vmbus_pair_start_failed(&p, i);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), -1);
	assert_int_equal(dxg_vmbus_pair_remove(&p, DXG_VMBUS_END_PCI, &pci1, &active), i);
	assert_false(active);
	assert_int_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_PCI, &luid1, &pci1), i);
	assert_int_equal(dxg_vmbus_pair_next_ready(&p), i);

	/* both ends gone: the slot is free for anyone */
	dxg_vmbus_pair_remove(&p, DXG_VMBUS_END_PCI, &pci1, &active);
	dxg_vmbus_pair_remove(&p, DXG_VMBUS_END_CHANNEL, &chan1, &active);
	assert_int_equal(p.slot[i].state, DXG_VMBUS_SLOT_FREE);
	assert_int_equal(dxg_vmbus_pair_remove(&p, DXG_VMBUS_END_CHANNEL, &chan1, &active),
			 -ENOENT);
}

static void test_pair_errors(void **state)
{
	static int cookies[DXG_VMBUS_MAX_GPUS + 1];
	struct dxg_vmbus_pairing p;
	struct winluid l;
	unsigned int n;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_int_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_PCI, &luid1, NULL), -EINVAL);
	assert_true(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_PCI, &luid1, &pci1) >= 0);
	/* the same device twice, or a second device with the same LUID */
	assert_int_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_PCI, &luid1, &pci1), -EEXIST);
	assert_int_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_PCI, &luid1, &pci2), -EEXIST);
	/* a full table */
	for (n = 1; n < DXG_VMBUS_MAX_GPUS; n++) {
		l.a = 1000 + n;
		l.b = 0;
		assert_true(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_CHANNEL, &l, &cookies[n]) >= 0);
	}
	l.a = 5000;
	assert_int_equal(dxg_vmbus_pair_add(&p, DXG_VMBUS_END_CHANNEL, &l, &cookies[0]),
			 -ENOSPC);
}

/* ---- tags, transaction ids, event ids, host messages ---- */

static void test_tags(void **state)
{
	__u64 tid, id;
	__u8 tag, t;

	(void)state;
	tag = dxg_vmbus_tag(5, 3);
	assert_int_equal(dxg_vmbus_tag_slot(tag), 5);
	assert_int_equal(dxg_vmbus_tag(5, 11), tag);	/* generation is 3 bits */
	assert_true(dxg_vmbus_tid_encode(42, tag, &tid));
	assert_true(dxg_vmbus_tid_decode(tid, &t, &id));
	assert_int_equal(t, tag);
	assert_int_equal(id, 42);
	assert_false(dxg_vmbus_tid_encode(0, tag, &tid));
	assert_false(dxg_vmbus_tid_encode(1ull << 56, tag, &tid));
	assert_true(dxg_vmbus_tid_encode((1ull << 56) - 1, tag, &tid));
	assert_false(dxg_vmbus_tid_encode(1, 0x05, &tid));	/* not a host tag */
	/* an untagged transaction id belongs to nobody */
	assert_false(dxg_vmbus_tid_decode(42, &t, &id));
	assert_false(dxg_vmbus_tid_decode(0, &t, &id));
}

static void test_host_msg_tag(void **state)
{
	struct dxgkvmb_command_signalguestevent m;
	__u8 tag = dxg_vmbus_tag(7, 1);

	(void)state;
	memset(&m, 0, sizeof(m));
	m.hdr.channel = DXGKVMB_HOST_TO_VM;
	m.hdr.command_type = DXGK_VMBCOMMAND_SIGNALGUESTEVENT;
	m.event = dxg_vmbus_event_base(tag) + 3;
	assert_int_equal(dxg_vmbus_host_msg_tag(&m, sizeof(m)), tag);
	m.hdr.command_type = DXGK_VMBCOMMAND_SIGNALGUESTEVENTPASSIVE;
	assert_int_equal(dxg_vmbus_host_msg_tag(&m, sizeof(m)), tag);
	assert_int_equal(dxg_vmbus_host_msg_tag(&m, sizeof(m) - 1), -EPROTO);
	m.event = 3;		/* nobody's event */
	assert_int_equal(dxg_vmbus_host_msg_tag(&m, sizeof(m)), -ENOENT);
	/* any other host->VM message goes to every host */
	m.hdr.command_type = DXGK_VMBCOMMAND_SETGUESTDATA;
	assert_int_equal(dxg_vmbus_host_msg_tag(&m, sizeof(m.hdr)), 0);
	m.hdr.channel = DXGKVMB_VGPU_TO_HOST;
	assert_int_equal(dxg_vmbus_host_msg_tag(&m, sizeof(m)), -EPROTO);
	assert_int_equal(dxg_vmbus_host_msg_tag(&m, 8), -EPROTO);
}

/* ---- received packets ---- */

static void test_parse_packet(void **state)
{
	__u8 buf[64];
	struct dxg_pkt_desc d = {
		.type = DXG_PKT_COMPLETION, .offset8 = 2, .len8 = 4,
		.trans_id = 0x1234,
	}, out;
	uint32_t off, len;

	(void)state;
	memset(buf, 0xab, sizeof(buf));
	memcpy(buf, &d, sizeof(d));
	assert_int_equal(dxg_vmbus_parse_packet(buf, 32, &out, &off, &len), 0);
	assert_int_equal(out.trans_id, 0x1234);
	assert_int_equal(off, 16);
	assert_int_equal(len, 16);
	/* longer than what was copied */
	assert_int_equal(dxg_vmbus_parse_packet(buf, 24, &out, &off, &len), -EPROTO);
	assert_int_equal(dxg_vmbus_parse_packet(buf, 8, &out, &off, &len), -EPROTO);
	/* payload before the end of the descriptor, or past the packet */
	d.offset8 = 1;
	memcpy(buf, &d, sizeof(d));
	assert_int_equal(dxg_vmbus_parse_packet(buf, 32, &out, &off, &len), -EPROTO);
	d.offset8 = 5;
	memcpy(buf, &d, sizeof(d));
	assert_int_equal(dxg_vmbus_parse_packet(buf, 32, &out, &off, &len), -EPROTO);
	/* an empty payload is fine */
	d.offset8 = 2;
	d.len8 = 2;
	memcpy(buf, &d, sizeof(d));
	assert_int_equal(dxg_vmbus_parse_packet(buf, 16, &out, &off, &len), 0);
	assert_int_equal(len, 0);
}

static void test_parse_packet_oversized(void **state)
{
	uint32_t size = 16 + DXG_MAX_PACKET_PAYLOAD + 8;
	__u8 *buf = calloc(1, size);
	struct dxg_pkt_desc d = { .type = DXG_PKT_DATA_INBAND, .offset8 = 2 }, out;
	uint32_t off, len;

	(void)state;
	d.len8 = (uint16_t)(size / 8);
	memcpy(buf, &d, sizeof(d));
	assert_int_equal(dxg_vmbus_parse_packet(buf, size, &out, &off, &len), -EMSGSIZE);
	d.len8 = (uint16_t)((16 + DXG_MAX_PACKET_PAYLOAD) / 8);
	memcpy(buf, &d, sizeof(d));
	assert_int_equal(dxg_vmbus_parse_packet(buf, size, &out, &off, &len), 0);
	assert_int_equal(len, DXG_MAX_PACKET_PAYLOAD);
	free(buf);
}

/* ---- IO space, SETIOSPACEREGION and the message headers ---- */

static void test_io_range(void **state)
{
	const __u64 base = 0xf8000000ull, size = 64ull << 20, pg = 4096;

	(void)state;
	assert_true(dxg_vmbus_io_range_ok(base, size, base, pg, pg));
	assert_true(dxg_vmbus_io_range_ok(base, size, base + size - pg, pg, pg));
	assert_true(dxg_vmbus_io_range_ok(base, size, base, size, pg));
	assert_false(dxg_vmbus_io_range_ok(base, size, base + size, pg, pg));
	assert_false(dxg_vmbus_io_range_ok(base, size, base - pg, pg, pg));
	assert_false(dxg_vmbus_io_range_ok(base, size, base + size - pg, 2 * pg, pg));
	assert_false(dxg_vmbus_io_range_ok(base, size, base + 1, pg, pg));
	assert_false(dxg_vmbus_io_range_ok(base, size, base, pg + 1, pg));
	assert_false(dxg_vmbus_io_range_ok(base, size, base, 0, pg));
	/* no wrap-around */
	assert_false(dxg_vmbus_io_range_ok(base, size, base + pg, UINT64_MAX - pg + 1, pg));
}

static void test_setiospaceregion_bytes(void **state)
{
	struct {
		struct dxgkvmb_command_ext_header ext;
		struct dxgkvmb_command_setiospaceregion cmd;
	} msg;
	const __u8 want[64] = {
		/* extended header: offset 16, reserved, zero vGPU LUID */
		16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		/* command header: id 0, process 0, VM_TO_HOST, 1010 */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
		0xf2, 0x03, 0, 0, 0, 0, 0, 0,
		/* start 0xf8000000, length 64 MiB, gpadl 0 */
		0, 0, 0, 0xf8, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
	};

	(void)state;
	assert_int_equal(sizeof(msg), 64);
	memset(&msg, 0x5a, sizeof(msg));
	assert_int_equal(dxg_vmbus_build_setiospaceregion(&msg.cmd, 0xf8000000ull,
							  64ull << 20), 0);
	dxg_msg_fill_hdr(&msg.ext, &msg.cmd.hdr, NULL, 0,
			 DXGK_VMBCOMMAND_SETIOSPACEREGION, false);
	assert_memory_equal(&msg, want, sizeof(want));

	assert_int_equal(dxg_vmbus_build_setiospaceregion(&msg.cmd, 0xf8000000ull, 0),
			 -EINVAL);
	assert_int_equal(dxg_vmbus_build_setiospaceregion(&msg.cmd, 0xf8001000ull,
							  64ull << 20), -EINVAL);
	assert_int_equal(dxg_vmbus_build_setiospaceregion(&msg.cmd, 0xffffffffffff0000ull,
							  0x20000), -EINVAL);
}

static void test_msg_hdr(void **state)
{
	struct dxgkvmb_command_ext_header ext;
	struct dxgkvmb_command_hdr hdr;
	const struct winluid v = { 0x11223344, 0x55667788 };

	(void)state;
	memset(&ext, 0xff, sizeof(ext));
	memset(&hdr, 0xff, sizeof(hdr));
	dxg_msg_fill_hdr(&ext, &hdr, &v, 0x40000001, DXGK_VMBCOMMAND_SUBMITCOMMAND, true);
	assert_int_equal(ext.command_offset, 16);
	assert_int_equal(ext.reserved, 0);
	assert_int_equal(ext.vgpu_luid.a, v.a);
	assert_int_equal(ext.vgpu_luid.b, v.b);
	assert_int_equal(hdr.command_id, 0);
	assert_int_equal(hdr.process, 0x40000001);
	assert_int_equal(hdr.channel, DXGKVMB_VGPU_TO_HOST | DXGKVMB_ASYNC_MSG);
	assert_int_equal(hdr.command_type, DXGK_VMBCOMMAND_SUBMITCOMMAND);
	assert_int_equal(hdr.reserved, 0);

	dxg_msg_fill_hdr(&ext, &hdr, NULL, 0, DXGK_VMBCOMMAND_CREATEPROCESS, false);
	assert_int_equal(ext.vgpu_luid.a, 0);
	assert_int_equal(ext.vgpu_luid.b, 0);
	assert_int_equal(hdr.channel, DXGKVMB_VM_TO_HOST);
}

/* ---- page lists and GPADL ranges ---- */

static void test_pagelist(void **state)
{
	enum { N = 10 };
	__u64 pfns[N];
	__u8 buf[sizeof(struct dxgkvmb_command_setexistingsysmempages) + 4 * 8];
	struct dxgkvmb_command_setexistingsysmempages cmd;
	__u64 got;
	unsigned int i;
	int len;

	(void)state;
	for (i = 0; i < N; i++)
		pfns[i] = 0x1000 + i;
	assert_int_equal(DXG_VMBUS_PFNS_PER_MSG, 15867);
	assert_int_equal(dxg_vmbus_pagelist_msgs(N, 4), 3);
	assert_int_equal(dxg_vmbus_pagelist_msgs(8, 4), 2);
	assert_int_equal(dxg_vmbus_pagelist_msgs(1, 4), 1);
	assert_int_equal(dxg_vmbus_pagelist_msgs(0, 4), 0);
	assert_int_equal(dxg_vmbus_pagelist_msgs(4, 0), 0);
	assert_int_equal(dxg_vmbus_pagelist_msgs(15868, DXG_VMBUS_PFNS_PER_MSG), 2);

	/* the last, short message */
	len = dxg_vmbus_build_pagelist_msg(buf, sizeof(buf), 7, 9, pfns, N, 2, 4);
	assert_int_equal(len, sizeof(cmd) + 2 * 8);
	memcpy(&cmd, buf, sizeof(cmd));
	assert_int_equal(cmd.device, 7);
	assert_int_equal(cmd.allocation, 9);
	assert_int_equal(cmd.num_pages, 2);
	assert_int_equal(cmd.alloc_offset_in_pages, 8);
	assert_int_equal(cmd.hdr.command_type, 0);	/* the message layer's */
	memcpy(&got, buf + sizeof(cmd) + 8, 8);
	assert_int_equal(got, 0x1009);

	/* a full one */
	len = dxg_vmbus_build_pagelist_msg(buf, sizeof(buf), 7, 9, pfns, N, 1, 4);
	assert_int_equal(len, sizeof(buf));
	memcpy(&cmd, buf, sizeof(cmd));
	assert_int_equal(cmd.num_pages, 4);
	assert_int_equal(cmd.alloc_offset_in_pages, 4);
	memcpy(&got, buf + sizeof(cmd), 8);
	assert_int_equal(got, 0x1004);

	/* past the end, no room, bad arguments */
	assert_int_equal(dxg_vmbus_build_pagelist_msg(buf, sizeof(buf), 7, 9, pfns, N, 3, 4),
			 -EINVAL);
	assert_int_equal(dxg_vmbus_build_pagelist_msg(buf, sizeof(buf) - 1, 7, 9, pfns, N, 0, 4),
			 -ENOSPC);
	assert_int_equal(dxg_vmbus_build_pagelist_msg(buf, sizeof(buf), 7, 9, pfns, 0, 0, 4),
			 -EINVAL);
	assert_int_equal(dxg_vmbus_build_pagelist_msg(buf, sizeof(buf), 7, 9, pfns, N, 0, 0),
			 -EINVAL);
	assert_int_equal(dxg_vmbus_build_pagelist_msg(buf, sizeof(buf), 7, 9, pfns, N, 0,
						      DXG_MAX_PACKET_PAYLOAD), -EINVAL);
}

static void test_pagelist_overflow(void **state)
{
	/* offsets past 2^32 pages do not fit the protocol (never read: checked first) */
	static __u64 pfn;
	__u8 buf[64];
	__u64 npages = (1ull << 32) + 8;

	(void)state;
	assert_int_equal(dxg_vmbus_build_pagelist_msg(buf, sizeof(buf), 1, 1, &pfn, npages,
						      (1ull << 32) / 4 + 1, 4), -EOVERFLOW);
	/* an index whose offset would wrap 64 bits is past the end */
	assert_int_equal(dxg_vmbus_build_pagelist_msg(buf, sizeof(buf), 1, 1, &pfn, npages,
						      UINT64_MAX / 2, 4), -EINVAL);
}

static void test_gpa_range(void **state)
{
	const __u64 pfns[3] = { 0x10, 0x20, 0x30 };
	__u8 buf[8 + 3 * 8];
	struct dxg_vmbus_gpa_range r;
	__u64 p;

	(void)state;
	assert_int_equal(dxg_vmbus_gpa_pages(0, 4096, 4096), 1);
	assert_int_equal(dxg_vmbus_gpa_pages(0, 4097, 4096), 2);
	assert_int_equal(dxg_vmbus_gpa_pages(4095, 2, 4096), 2);
	assert_int_equal(dxg_vmbus_gpa_pages(100, 8192, 4096), 3);
	assert_int_equal(dxg_vmbus_gpa_pages(4096, 1, 4096), 0);
	assert_int_equal(dxg_vmbus_gpa_pages(0, 0, 4096), 0);
	assert_int_equal(dxg_vmbus_gpa_pages(4095, UINT32_MAX, 4096), 1048577);

	assert_int_equal(dxg_vmbus_build_gpa_range(buf, sizeof(buf), 100, 8192, pfns, 3, 4096),
			 sizeof(buf));
	memcpy(&r, buf, sizeof(r));
	assert_int_equal(r.byte_count, 8192);
	assert_int_equal(r.byte_offset, 100);
	memcpy(&p, buf + 8 + 16, 8);
	assert_int_equal(p, 0x30);
	/* the PFN count must match the pages touched */
	assert_int_equal(dxg_vmbus_build_gpa_range(buf, sizeof(buf), 0, 8192, pfns, 3, 4096),
			 -EINVAL);
	assert_int_equal(dxg_vmbus_build_gpa_range(buf, sizeof(buf), 100, 8192, pfns, 2, 4096),
			 -EINVAL);
	assert_int_equal(dxg_vmbus_build_gpa_range(buf, sizeof(buf) - 1, 100, 8192, pfns, 3,
						   4096), -ENOSPC);
}

/* ---- the ring-full retry, against a fake channel ---- */

struct fake_channel {
	unsigned int full_for;	/* attempts that find the ring full */
	bool gone;		/* the channel goes away ... */
	unsigned int gone_at;	/* ... at this attempt */
	unsigned int attempts;
	unsigned int backoffs;
	unsigned int last_backoff;
};

static int fake_try_send(void *ctx)
{
	struct fake_channel *c = ctx;

	c->attempts++;
	if (c->gone && c->attempts >= c->gone_at)
		return -ENODEV;
	if (c->attempts <= c->full_for)
		return -EAGAIN;
	return 0;
}

static void fake_backoff(void *ctx, unsigned int attempt)
{
	struct fake_channel *c = ctx;

	c->backoffs++;
	c->last_backoff = attempt;
}

static void test_retry_succeeds_after_n(void **state)
{
	struct fake_channel c = { .full_for = 7 };

	(void)state;
	assert_int_equal(dxg_send_retry(fake_try_send, fake_backoff, &c,
					DXG_SEND_RETRIES_SYNC), 0);
	assert_int_equal(c.attempts, 8);
	assert_int_equal(c.backoffs, 7);
	assert_int_equal(c.last_backoff, 7);

	/* exactly at the bound still succeeds */
	memset(&c, 0, sizeof(c));
	c.full_for = DXG_SEND_RETRIES_SYNC;
	assert_int_equal(dxg_send_retry(fake_try_send, fake_backoff, &c,
					DXG_SEND_RETRIES_SYNC), 0);
	assert_int_equal(c.attempts, DXG_SEND_RETRIES_SYNC + 1);

	/* no retry needed: no sleep */
	memset(&c, 0, sizeof(c));
	assert_int_equal(dxg_send_retry(fake_try_send, fake_backoff, &c, 0), 0);
	assert_int_equal(c.backoffs, 0);
}

static void test_retry_gives_up(void **state)
{
	struct fake_channel c = { .full_for = UINT32_MAX };

	(void)state;
	assert_int_equal(DXG_SEND_RETRIES_SYNC, 50);
	assert_int_equal(DXG_SEND_RETRIES_ASYNC, 5000);
	assert_int_equal(dxg_send_retry(fake_try_send, fake_backoff, &c,
					DXG_SEND_RETRIES_SYNC), -EBUSY);
	assert_int_equal(c.attempts, DXG_SEND_RETRIES_SYNC + 1);
	assert_int_equal(c.backoffs, DXG_SEND_RETRIES_SYNC);

	memset(&c, 0, sizeof(c));
	c.full_for = UINT32_MAX;
	assert_int_equal(dxg_send_retry(fake_try_send, fake_backoff, &c,
					DXG_SEND_RETRIES_ASYNC), -EBUSY);
	assert_int_equal(c.attempts, DXG_SEND_RETRIES_ASYNC + 1);
}

static void test_retry_channel_gone(void **state)
{
	struct fake_channel c = { .full_for = UINT32_MAX, .gone = true, .gone_at = 4 };

	(void)state;
	assert_int_equal(dxg_send_retry(fake_try_send, fake_backoff, &c,
					DXG_SEND_RETRIES_ASYNC), -ENODEV);
	assert_int_equal(c.attempts, 4);
	assert_int_equal(c.backoffs, 3);

	/* gone from the start: one attempt, no sleep */
	memset(&c, 0, sizeof(c));
	c.gone = true;
	c.gone_at = 1;
	assert_int_equal(dxg_send_retry(fake_try_send, fake_backoff, &c,
					DXG_SEND_RETRIES_SYNC), -ENODEV);
	assert_int_equal(c.attempts, 1);
	assert_int_equal(c.backoffs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_version),
		cmocka_unit_test(test_cfg_parse_good),
		cmocka_unit_test(test_cfg_parse_short_and_bad),
		cmocka_unit_test(test_guid_to_luid),
		cmocka_unit_test(test_pair_pci_first),
		cmocka_unit_test(test_pair_channel_first),
		cmocka_unit_test(test_pair_errors),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_host_msg_tag),
		cmocka_unit_test(test_parse_packet),
		cmocka_unit_test(test_parse_packet_oversized),
		cmocka_unit_test(test_io_range),
		cmocka_unit_test(test_setiospaceregion_bytes),
		cmocka_unit_test(test_msg_hdr),
		cmocka_unit_test(test_pagelist),
		cmocka_unit_test(test_pagelist_overflow),
		cmocka_unit_test(test_gpa_range),
		cmocka_unit_test(test_retry_succeeds_after_n),
		cmocka_unit_test(test_retry_gives_up),
		cmocka_unit_test(test_retry_channel_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
