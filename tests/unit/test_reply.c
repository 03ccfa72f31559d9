// SPDX-License-Identifier: MIT
/*
 * The guest's reading of host replies (include/dxg/reply.h), outside the
 * VM: each reply shape of docs/protocol.md §5.1 from both kinds of host,
 * and, end to end, what dxghost's dispatcher answers in its opendxg and
 * Windows modes read back through the guest's rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dxg/reply.h"
#include "dxg/protocol.h"
#include "protocol/dispatch.h"

/* D4, D22: short replies. */
static void test_short(void **state)
{
	int32_t st = STATUS_NO_MEMORY;
	uint8_t r[8] = { 0 };

	(void)state;
	memcpy(r, &st, sizeof(st));
	/* opendxg: a negative first word is the reason. */
	assert_int_equal(dxg_reply_short(true, r, 4), -ENOMEM);
	assert_int_equal(dxg_reply_short(true, r, 8), -ENOMEM);
	/* Windows: the first word is data, a short reply a protocol error. */
	assert_int_equal(dxg_reply_short(false, r, 4), -EPROTO);
	/* Too short for a status, or a non-negative first word. */
	assert_int_equal(dxg_reply_short(true, r, 3), -EPROTO);
	st = 5;
	memcpy(r, &st, sizeof(st));
	assert_int_equal(dxg_reply_short(true, r, 4), -EPROTO);
	assert_int_equal(dxg_reply_short(true, r, 0), -EPROTO);
}

/* D1, D2: CREATEPROCESS and CREATEDEVICE. */
static void test_handle(void **state)
{
	uint32_t r[2], h = 0xdead;

	(void)state;
	assert_int_equal(dxg_reply_handle_len(true), 8);
	assert_int_equal(dxg_reply_handle_len(false), 4);
	/* Success from both hosts. */
	r[0] = 0x40000001;
	r[1] = 0;
	assert_int_equal(dxg_reply_handle_parse(true, r, &h), 0);
	assert_int_equal(h, 0x40000001);
	r[1] = 0xc0000017;	/* a Windows host's padding is never read */
	assert_int_equal(dxg_reply_handle_parse(false, r, &h), 0);
	assert_int_equal(h, 0x40000001);
	/* Failure: opendxg's status, Windows's bare 0 (whatever the padding). */
	r[0] = 0;
	r[1] = (uint32_t)STATUS_QUOTA_EXCEEDED;
	assert_int_equal(dxg_reply_handle_parse(true, r, &h), -ENOSPC);
	assert_int_equal(dxg_reply_handle_parse(false, r, &h), -EINVAL);
	r[1] = 0;
	assert_int_equal(dxg_reply_handle_parse(true, r, &h), -EINVAL);
}

/* D4a: a zero handle in a full reply is an ordinary failure. */
static void test_new_handle(void **state)
{
	(void)state;
	assert_int_equal(dxg_reply_new_handle(7, 0), 0);
	assert_int_equal(dxg_reply_new_handle(7, STATUS_NO_MEMORY), 0);
	assert_int_equal(dxg_reply_new_handle(0, 0), -EINVAL);
	assert_int_equal(dxg_reply_new_handle(0, STATUS_INVALID_HANDLE), -EBADF);
	assert_int_equal(dxg_reply_new_handle(0, STATUS_NO_MEMORY), -ENOMEM);
	assert_int_equal(dxg_reply_new_handle(0, STATUS_PENDING), -EINVAL);
}

/* D5: EVICT's num_bytes_to_trim. */
static void test_evict(void **state)
{
	__u64 trim = 1, odx_fail = (uint32_t)STATUS_NO_MEMORY;
	__u64 three_gib = 3ull << 30;

	(void)state;
	assert_int_equal(dxg_reply_evict(true, odx_fail, &trim), -ENOMEM);
	assert_int_equal(trim, 1);
	/* From a Windows host 3 GiB - 0x17 is a byte count, not a failure. */
	assert_int_equal(dxg_reply_evict(false, odx_fail, &trim), 0);
	assert_int_equal(trim, odx_fail);
	assert_int_equal(dxg_reply_evict(false, three_gib, &trim), 0);
	assert_int_equal(trim, three_gib);
	/* opendxg: high half set, or low half non-negative: a count. */
	assert_int_equal(dxg_reply_evict(true, (1ull << 32) | odx_fail, &trim), 0);
	assert_int_equal(trim, (1ull << 32) | odx_fail);
	assert_int_equal(dxg_reply_evict(true, 4096, &trim), 0);
	assert_int_equal(trim, 4096);
}

/* D11: fence storage with an offset. */
static void test_fence_storage(void **state)
{
	__u64 page = 0, in_page = 0;

	(void)state;
	assert_int_equal(dxg_reply_fence_storage(0x10000, 0, 4096, &page,
						 &in_page), 0);
	assert_int_equal(page, 0x10000);
	assert_int_equal(in_page, 0);
	/* A Windows host may put the fence inside a page, or past the address. */
	assert_int_equal(dxg_reply_fence_storage(0x10000, 0x1238, 4096, &page,
						 &in_page), 0);
	assert_int_equal(page, 0x11000);
	assert_int_equal(in_page, 0x238);
	assert_int_equal(dxg_reply_fence_storage(0x10ff8, 0, 4096, &page,
						 &in_page), 0);
	assert_int_equal(page, 0x10000);
	assert_int_equal(in_page, 0xff8);
	/* Unaligned values and wrap-around are refused. */
	assert_int_equal(dxg_reply_fence_storage(0x10000, 4, 4096, &page,
						 &in_page), -EPROTO);
	assert_int_equal(dxg_reply_fence_storage(UINT64_MAX - 7, 16, 4096, &page,
						 &in_page), -EPROTO);
}

/* D3: ESCAPE, for every size mod 8. */
static void test_escape(void **state)
{
	uint8_t r[4 + 16];
	const void *data = NULL;
	int32_t st;

	(void)state;
	for (uint32_t n = 1; n <= 16; n++) {
		assert_int_equal(dxg_reply_escape_len(true, n), 4 + n);
		assert_int_equal(dxg_reply_escape_len(false, n), n);
	}
	/* opendxg: {status, data}. */
	st = STATUS_SUCCESS;
	memcpy(r, &st, 4);
	memset(r + 4, 0xab, 16);
	assert_int_equal(dxg_reply_escape(true, r, &data), 0);
	assert_ptr_equal(data, r + 4);
	st = STATUS_PENDING;
	memcpy(r, &st, 4);
	assert_int_equal(dxg_reply_escape(true, r, &data), STATUS_PENDING);
	st = STATUS_INVALID_PARAMETER;
	memcpy(r, &st, 4);
	assert_int_equal(dxg_reply_escape(true, r, &data), -EINVAL);
	/* Windows: the data alone, its first word whatever it is. */
	assert_int_equal(dxg_reply_escape(false, r, &data), 0);
	assert_ptr_equal(data, r);
}

/*
 * End to end: dxghost's dispatcher in both modes, read by the guest's rules
 * as the driver reads them.  Each create fails (the process does not
 * exist); the guest must see an ordinary failure from either host, never a
 * protocol error, and the Windows reply must never be short.
 */
struct host_fx {
	struct dxg_objects o;
	struct dxg_adapters a;
	struct dxg_dispatch_ctx ctx;
	uint8_t msg[512];
	uint8_t *reply;
};

static uint32_t host_call(struct host_fx *f, uint32_t cmd, uint32_t cmd_size)
{
	struct dxgkvmb_msg_hdr h;

	memset(&h, 0, sizeof(h));
	h.ext.command_offset = sizeof(h.ext);
	h.ext.vgpu_luid = f->a.list[0].vgpu_luid;
	h.hdr.channel = DXGKVMB_VGPU_TO_HOST;
	h.hdr.command_type = cmd;
	h.hdr.process = 0x999;	/* no such process */
	memset(f->msg, 0, sizeof(f->msg));
	memcpy(f->msg, &h, sizeof(h));
	memset(f->reply, 0xcc, 4096);
	return dxg_dispatch(&f->ctx, f->msg, (uint32_t)sizeof(h.ext) + cmd_size,
			    f->reply);
}

/* What the driver would make of a reply of `got` bytes when it asked for want. */
static int guest_reads(bool odx, const uint8_t *reply, uint32_t got,
		       uint32_t want, uint32_t handle_off)
{
	uint32_t h;

	if (got < want)
		return dxg_reply_short(odx, reply, got);
	memcpy(&h, reply + handle_off, sizeof(h));
	return dxg_reply_new_handle(h, 0);
}

static void test_host_round_trip(void **state)
{
	static const struct {
		uint32_t cmd, cmd_size, want, handle_off;
	} creates[] = {
		{ DXGK_VMBCOMMAND_CREATESYNCOBJECT,
		  sizeof(struct dxgkvmb_command_createsyncobject),
		  sizeof(struct dxgkvmb_command_createsyncobject_ret), 0 },
		{ DXGK_VMBCOMMAND_CREATEPAGINGQUEUE,
		  sizeof(struct dxgkvmb_command_createpagingqueue),
		  sizeof(struct dxgkvmb_command_createpagingqueue_ret), 0 },
		{ DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS,
		  sizeof(struct dxgkvmb_command_reservegpuva),
		  sizeof(struct dxgkvmb_command_reservegpuva_ret), 0 },
	};
	struct host_fx *f = calloc(1, sizeof(*f));
	uint32_t got, h;

	(void)state;
	assert_non_null(f);
	f->reply = calloc(1, DXG_REPLY_BUF_SIZE);
	assert_non_null(f->reply);
	assert_int_equal(dxg_objects_init(&f->o, 100), 0);
	dxg_adapters_init(&f->a, 0x1234);
	assert_int_equal(dxg_adapters_add(&f->a, "cpu"), 0);
	f->ctx.objs = &f->o;
	f->ctx.adapters = &f->a;
	for (int windows = 0; windows <= 1; windows++) {
		bool odx = !windows;

		f->ctx.windows = windows;
		for (size_t i = 0; i < sizeof(creates) / sizeof(creates[0]); i++) {
			got = host_call(f, creates[i].cmd, creates[i].cmd_size);
			assert_true(got >= 4);
			if (windows)
				assert_int_equal(got, creates[i].want);
			/* The process is unknown: -EBADF (opendxg) or -EINVAL. */
			assert_int_equal(guest_reads(odx, f->reply, got,
						     creates[i].want,
						     creates[i].handle_off),
					 odx ? -EBADF : -EINVAL);
		}
		/* CREATEDEVICE: the handle reply of the mode's size. */
		got = host_call(f, DXGK_VMBCOMMAND_CREATEDEVICE,
				sizeof(struct dxgkvmb_command_createdevice));
		assert_int_equal(got, dxg_reply_handle_len(odx));
		assert_int_equal(dxg_reply_handle_parse(odx, f->reply, &h),
				 odx ? -EBADF : -EINVAL);
	}
	dxg_objects_fini(&f->o);
	free(f->reply);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_handle),
		cmocka_unit_test(test_new_handle),
		cmocka_unit_test(test_evict),
		cmocka_unit_test(test_fence_storage),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_host_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
