// SPDX-License-Identifier: MIT
/* The table-driven dispatcher (host/protocol/dispatch.c), without any transport. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/dispatch.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"
#include "core/execution.h"
#include "core/memory.h"
#include "core/scheduler.h"

#define MSG_CAP	(DXG_MAX_VM_BUS_PACKET_SIZE)

struct fx {
	struct dxg_objects o;
	struct dxg_adapters a;
	struct dxg_dispatch_ctx ctx;
	uint8_t *msg;
	uint8_t *reply;
	struct winluid vgpu;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_int_equal(dxg_objects_init(&f->o, 1000), 0);
	/* Devices get engines: the release hook frees them. */
	assert_int_equal(dxg_objects_add_release(&f->o, dxg_exec_release, NULL), 0);
	dxg_adapters_init(&f->a, 0xabcd1234);
	assert_int_equal(dxg_adapters_add(&f->a, "cpu"), 0);
	f->ctx.objs = &f->o;
	f->ctx.adapters = &f->a;
	f->msg = calloc(1, MSG_CAP);
	f->reply = calloc(1, DXG_REPLY_BUF_SIZE);
	f->vgpu = f->a.list[0].vgpu_luid;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	dxg_objects_fini(&f->o);
	free(f->msg);
	free(f->reply);
	free(f);
	return 0;
}

static void hdr(struct fx *f, uint32_t chan, uint32_t cmd, uint32_t process)
{
	struct dxgkvmb_msg_hdr h;

	memset(f->msg, 0, MSG_CAP);
	memset(&h, 0, sizeof(h));
	h.ext.command_offset = 16;
	h.ext.vgpu_luid = chan == DXGKVMB_VGPU_TO_HOST ? f->vgpu :
			  (struct winluid){ 0, 0 };
	h.hdr.channel = chan;
	h.hdr.command_type = cmd;
	h.hdr.process = process;
	memcpy(f->msg, &h, sizeof(h));
}

/* Word i of the payload after the command header. */
static void arg(struct fx *f, unsigned int i, uint32_t v)
{
	memcpy(f->msg + sizeof(struct dxgkvmb_msg_hdr) + 4 * i, &v, 4);
}

static uint32_t word(const struct fx *f, unsigned int i)
{
	uint32_t v;

	memcpy(&v, f->reply + 4 * i, 4);
	return v;
}

static uint32_t call(struct fx *f, uint32_t len)
{
	uint32_t n;

	memset(f->reply, 0xcc, 64);
	n = dxg_dispatch(&f->ctx, f->msg, len, f->reply);
	assert_true(n >= 4 && n <= DXG_REPLY_BUF_SIZE);
	return n;
}

/* A reply that is only a status. */
static int32_t call_status(struct fx *f, uint32_t len)
{
	assert_int_equal(call(f, len), 4);
	return (int32_t)word(f, 0);
}

#define SZ(type) (uint32_t)(16 + sizeof(type))

static uint32_t create_process(struct fx *f)
{
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS, 0);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createprocess)), 8);
	assert_int_equal(word(f, 1), STATUS_SUCCESS);
	assert_int_not_equal(word(f, 0), 0);
	return word(f, 0);
}

static uint32_t create_device(struct fx *f, uint32_t proc)
{
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createdevice)), 8);
	assert_int_equal(word(f, 1), STATUS_SUCCESS);
	return word(f, 0);
}

/* CREATECONTEXTVIRTUAL payload words: context, device, node, affinity, flags, hint, size */
static uint32_t ccv(struct fx *f, uint32_t proc, uint32_t dev, uint32_t node,
		    uint32_t priv)
{
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL, proc);
	arg(f, 1, dev);
	arg(f, 2, node);
	arg(f, 6, priv);
	return 16 + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + priv;
}

static const uint32_t implemented[][2] = {
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS },
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CLOSEADAPTER },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYADAPTERINFO },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYDEVICE },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYCONTEXT },
	/* memory (host/core/memory.c) */
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEALLOCATION },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYALLOCATION },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_LOCK2 },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_UNLOCK2 },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYPAGINGQUEUE },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MAKERESIDENT },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_EVICT },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_FREEGPUVIRTUALADDRESS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_UPDATEGPUVIRTUALADDRESS },
	/* residency (host/protocol/residency_cmds.c) */
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OFFERALLOCATIONS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_RECLAIMALLOCATIONS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SETALLOCATIONPRIORITY },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETALLOCATIONPRIORITY },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_UPDATEALLOCATIONPROPERTY },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CHANGEVIDEOMEMORYRESERVATION },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_FLUSHHEAPTRANSITIONS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_INVALIDATECACHE },
	/* escapes (host/core/escape.c) */
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ESCAPE },
	/* sync objects and submission (host/protocol/sync_cmds.c) */
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATESYNCOBJECT },
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYSYNCOBJECT },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SIGNALSYNCOBJECT },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMCPU },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMGPU },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SUBMITCOMMAND },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETDEVICESTATE },
	/* hardware queues (host/protocol/hwqueue_cmds.c) */
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEHWQUEUE },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYHWQUEUE },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SUBMITCOMMANDTOHWQUEUE },
	/* priority, device error, observability (host/protocol/state_cmds.c) */
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SETCONTEXTSCHEDULINGPRIORITY },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETCONTEXTSCHEDULINGPRIORITY },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MARKDEVICEASERROR },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYCLOCKCALIBRATION },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYSTATISTICS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ISFEATUREENABLED },
	/* sharing between processes (host/protocol/share_cmds.c) */
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATENTSHAREDOBJECT },
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYNTSHAREDOBJECT },
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_OPENSYNCOBJECT },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENRESOURCE },
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_SHAREOBJECTWITHHOST },
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_VERIFYGUESTRAM },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SETEXISTINGSYSMEMPAGES },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SETEXISTINGSYSMEMSTORE },
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_ESTABLISHGPADL },
	{ DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_TEARDOWNGPADL },
};
#define N_IMPL (sizeof(implemented) / sizeof(implemented[0]))

static int is_implemented(uint32_t chan, uint32_t cmd)
{
	for (size_t i = 0; i < N_IMPL; i++)
		if (implemented[i][0] == chan && implemented[i][1] == cmd)
			return 1;
	return 0;
}

static void test_not_supported(void **state)
{
	struct fx *f = *state;
	const uint32_t extra[] = { 1023, 1024, 4096, 0x7fffffff, 0xffffffff };
	uint32_t proc = create_process(f);

	for (uint32_t chan = 0; chan <= 1; chan++) {
		for (uint32_t cmd = 0; cmd < 1100; cmd++) {
			assert_int_equal(dxg_dispatch_implemented(chan, cmd),
					 is_implemented(chan, cmd));
			if (is_implemented(chan, cmd))
				continue;
			/* a generous size and a valid process: still unsupported */
			hdr(f, chan, cmd, proc);
			assert_int_equal(call_status(f, 4096), STATUS_NOT_SUPPORTED);
		}
		for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			hdr(f, chan, extra[i], proc);
			assert_int_equal(call_status(f, 64), STATUS_NOT_SUPPORTED);
		}
	}
	/* Async messages use the same table. */
	hdr(f, DXGKVMB_VGPU_TO_HOST | DXGKVMB_ASYNC_MSG,
	    DXGK_VMBCOMMAND_CDDSYNCGPUACCESS, proc);
	assert_int_equal(call_status(f, 256), STATUS_NOT_SUPPORTED);
	/* An implemented one is checked like a synchronous one. */
	hdr(f, DXGKVMB_VGPU_TO_HOST | DXGKVMB_ASYNC_MSG,
	    DXGK_VMBCOMMAND_SUBMITCOMMAND, proc);
	assert_int_equal(call_status(f, 256), STATUS_INVALID_PARAMETER);
}

/* Minimum message size of each implemented command. */
static uint32_t min_size(uint32_t cmd, uint32_t chan)
{
	if (chan == DXGKVMB_VM_TO_HOST)
		return cmd == DXGK_VMBCOMMAND_CREATEPROCESS ?
		       SZ(struct dxgkvmb_command_createprocess) :
		       SZ(struct dxgkvmb_command_destroyprocess);
	switch (cmd) {
	case DXGK_VMBCOMMAND_OPENADAPTER: return SZ(struct dxgkvmb_command_openadapter);
	case DXGK_VMBCOMMAND_CLOSEADAPTER: return SZ(struct dxgkvmb_command_closeadapter);
	case DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO:
		return SZ(struct dxgkvmb_command_getinternaladapterinfo);
	case DXGK_VMBCOMMAND_QUERYADAPTERINFO:
		return SZ(struct dxgkvmb_command_queryadapterinfo);
	case DXGK_VMBCOMMAND_CREATEDEVICE: return SZ(struct dxgkvmb_command_createdevice);
	case DXGK_VMBCOMMAND_DESTROYDEVICE: return SZ(struct dxgkvmb_command_destroydevice);
	case DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL:
		return 16 + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED;
	default: return SZ(struct dxgkvmb_command_destroycontext);
	}
}

/* The status of an error reply: 4 bytes, or {0, status} for handle replies. */
static int32_t error_status(struct fx *f, uint32_t n)
{
	if (n == 8) {
		assert_int_equal(word(f, 0), 0);
		return (int32_t)word(f, 1);
	}
	assert_int_equal(n, 4);
	return (int32_t)word(f, 0);
}

static void test_short_messages(void **state)
{
	struct fx *f = *state;
	uint32_t proc = create_process(f);

	for (uint32_t len = 0; len < 40; len++) {
		hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS, 0);
		assert_int_equal(call_status(f, len), STATUS_INVALID_PARAMETER);
	}
	for (size_t i = 0; i < N_IMPL; i++) {
		uint32_t chan = implemented[i][0], cmd = implemented[i][1];
		uint32_t min = min_size(cmd, chan);

		for (uint32_t len = 40; len < min; len += (min - len > 16 ? 8 : 1)) {
			hdr(f, chan, cmd, proc);
			assert_int_equal(error_status(f, call(f, len)),
					 STATUS_INVALID_PARAMETER);
		}
	}
	assert_int_equal(f->o.total, 1);	/* nothing was created */
}

static void test_bad_header(void **state)
{
	struct fx *f = *state;
	const uint32_t offsets[] = { 0, 8, 15, 17, 24, 40, 0xffffffff };
	const uint32_t chans[] = { 2, 3, 0xff, 0x200, 0x80000001 };
	uint32_t len = SZ(struct dxgkvmb_command_getinternaladapterinfo);

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO, 0);
		memcpy(f->msg, &offsets[i], 4);
		assert_int_equal(call_status(f, len), STATUS_INVALID_PARAMETER);
	}
	for (size_t i = 0; i < sizeof(chans) / sizeof(chans[0]); i++) {
		hdr(f, chans[i], DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO, 0);
		assert_int_equal(call_status(f, len), STATUS_INVALID_PARAMETER);
	}
	/* Sane header: the full reply. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO, 0);
	assert_int_equal(call(f, len),
			 sizeof(struct dxgkvmb_command_getinternaladapterinfo_ret));
	/* Unknown vGPU LUID. */
	f->vgpu.a ^= 1;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO, 0);
	assert_int_equal(call_status(f, len), STATUS_INVALID_PARAMETER);
}

static void test_unknown_process(void **state)
{
	struct fx *f = *state;
	const uint32_t bad[] = { 0, 0x40, 0xffffffff, 0x12345678 };
	uint32_t proc = create_process(f), dev = create_device(f, proc);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS, bad[i]);
		assert_int_equal(call_status(f, 40), STATUS_INVALID_HANDLE);
		hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, bad[i]);
		assert_int_equal(error_status(f, call(f, SZ(struct dxgkvmb_command_createdevice))),
				 STATUS_INVALID_HANDLE);
	}
	/* A device handle is not a process handle. */
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS, dev);
	assert_int_equal(call_status(f, 40), STATUS_INVALID_HANDLE);
	/* A destroyed process is gone for good. */
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS, proc);
	assert_int_equal(call_status(f, 40), STATUS_SUCCESS);
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS, proc);
	assert_int_equal(call_status(f, 40), STATUS_INVALID_HANDLE);
	assert_int_equal(f->o.total, 0);
}

static void test_lifecycle_and_cross_process(void **state)
{
	struct fx *f = *state;
	uint32_t p1 = create_process(f), p2 = create_process(f);
	uint32_t d1 = create_device(f, p1), ctx, len;
	uint32_t dsz = SZ(struct dxgkvmb_command_destroydevice);

	len = ccv(f, p1, d1, 0, 100);
	for (uint32_t i = 0; i < 100; i++)
		f->msg[16 + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + i] = (uint8_t)(i ^ 0x5a);
	assert_int_equal(call(f, len), len - 16);
	memcpy(&ctx, f->reply + 24, 4);		/* `context` after the command header */
	assert_int_not_equal(ctx, 0);
	assert_memory_equal(f->reply + 28, f->msg + 16 + 28, len - 16 - 28);
	assert_int_equal(f->o.total, 4);

	/* p2 may not use p1's device or context. */
	assert_int_equal(call_status(f, ccv(f, p2, d1, 0, 0)), STATUS_INVALID_HANDLE);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYDEVICE, p2);
	arg(f, 0, d1);
	assert_int_equal(call_status(f, dsz), STATUS_INVALID_HANDLE);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYCONTEXT, p2);
	arg(f, 0, ctx);
	assert_int_equal(call_status(f, dsz), STATUS_INVALID_HANDLE);
	/* A context handle is not a device handle. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYDEVICE, p1);
	arg(f, 0, ctx);
	assert_int_equal(call_status(f, dsz), STATUS_INVALID_HANDLE);
	/* The CPU engine has one node. */
	assert_int_equal(call_status(f, ccv(f, p1, d1, 1, 0)), STATUS_INVALID_PARAMETER);

	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYCONTEXT, p1);
	arg(f, 0, ctx);
	assert_int_equal(call_status(f, dsz), STATUS_SUCCESS);
	assert_int_equal(call_status(f, dsz), STATUS_INVALID_HANDLE);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYDEVICE, p1);
	arg(f, 0, d1);
	assert_int_equal(call_status(f, dsz), STATUS_SUCCESS);
	assert_int_equal(f->o.total, 2);
}

static void test_oversize_private_data(void **state)
{
	struct fx *f = *state;
	uint32_t p = create_process(f), d = create_device(f, p);
	const uint32_t base = SZ(struct dxgkvmb_command_queryadapterinfo);
	const uint32_t sizes[] = { 0, 5, 0x10000, DXG_MAX_VM_BUS_PACKET_SIZE,
				   0x80000000u, 0xffffffffu };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* private_data_size larger than what the message carries */
		hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYADAPTERINFO, p);
		arg(f, 0, KMTQAITYPE_ADAPTERTYPE);
		arg(f, 1, sizes[i]);
		assert_int_equal(call_status(f, base + 4), STATUS_INVALID_PARAMETER);
		/* context private data that runs past the message (4 bytes sent) */
		ccv(f, p, d, 0, sizes[i] < 5 ? 5 : sizes[i]);
		assert_int_equal(call_status(f, 16 + DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + 4),
				 STATUS_INVALID_PARAMETER);
	}
	/* Largest that fits the protocol. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYADAPTERINFO, p);
	arg(f, 0, KMTQAITYPE_ADAPTERTYPE);
	arg(f, 1, MSG_CAP - base);
	assert_int_equal(call(f, MSG_CAP), 4 + MSG_CAP - base);
	assert_int_equal(word(f, 0), STATUS_SUCCESS);
	assert_int_equal(f->o.total, 2);
}

static int32_t qai(struct fx *f, uint32_t type, uint32_t size, const void *in)
{
	const uint32_t base = SZ(struct dxgkvmb_command_queryadapterinfo);
	uint32_t n;

	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYADAPTERINFO, 0);
	arg(f, 0, type);
	arg(f, 1, size);
	if (in)
		memcpy(f->msg + base, in, size);
	n = call(f, base + size);
	if (n == 4)
		return (int32_t)word(f, 0);
	assert_int_equal(n, 4 + size);
	return (int32_t)word(f, 0);
}

static void test_query_adapter_info(void **state)
{
	struct fx *f = *state;
	struct d3dkmt_adaptertype at;
	struct d3dkmt_query_device_ids ids = { .physical_adapter_index = 0 };
	struct d3dkmt_umdfilenameinfo umd = { .version = KMTUMDVERSION_DX12 };
	uint32_t v;
	uint16_t desc[32];

	assert_int_equal(qai(f, KMTQAITYPE_ADAPTERTYPE, sizeof(at), NULL), 0);
	memcpy(&at, f->reply + 4, sizeof(at));
	assert_true(at.value & D3DKMT_ADAPTERTYPE_RENDER_SUPPORTED);
	assert_false(at.value & D3DKMT_ADAPTERTYPE_DISPLAY_SUPPORTED);

	assert_int_equal(qai(f, KMTQAITYPE_DRIVERVERSION, 4, NULL), 0);
	memcpy(&v, f->reply + 4, 4);
	assert_int_equal(v, KMT_DRIVERVERSION_WDDM_2_7);

	assert_int_equal(qai(f, KMTQAITYPE_WDDM_2_7_CAPS, 4, NULL), 0);
	memcpy(&v, f->reply + 4, 4);	/* hw queues: HWSCH on */
	assert_int_equal(v, D3DKMT_WDDM_2_7_CAPS_HW_SCH_SUPPORTED |
			 D3DKMT_WDDM_2_7_CAPS_HW_SCH_ENABLED |
			 D3DKMT_WDDM_2_7_CAPS_HW_SCH_ENABLED_BY_DEFAULT);

	assert_int_equal(qai(f, KMTQAITYPE_PHYSICALADAPTERDEVICEIDS, sizeof(ids), &ids), 0);
	memcpy(&ids, f->reply + 4, sizeof(ids));
	assert_int_equal(ids.device_ids.vendor_id, DXG_CPU_VENDOR_ID);
	assert_int_equal(ids.device_ids.device_id, DXG_CPU_DEVICE_ID);
	ids.physical_adapter_index = 1;
	assert_int_equal(qai(f, KMTQAITYPE_PHYSICALADAPTERDEVICEIDS, sizeof(ids), &ids),
			 STATUS_INVALID_PARAMETER);

	assert_int_equal(qai(f, KMTQAITYPE_DRIVER_DESCRIPTION,
			     sizeof(struct d3dkmt_driver_description), NULL), 0);
	memcpy(desc, f->reply + 4, sizeof(desc));
	for (size_t i = 0; i <= strlen(DXG_CPU_DESCRIPTION); i++)
		assert_int_equal(desc[i], (uint8_t)DXG_CPU_DESCRIPTION[i]);

	assert_int_equal(qai(f, KMTQAITYPE_UMDRIVERNAME, sizeof(umd), &umd), 0);
	umd.version = 99;
	assert_int_equal(qai(f, KMTQAITYPE_UMDRIVERNAME, sizeof(umd), &umd),
			 STATUS_INVALID_PARAMETER);

	/* Too small for the answer. */
	assert_int_equal(qai(f, KMTQAITYPE_ADAPTERTYPE, 2, NULL), STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(qai(f, KMTQAITYPE_DRIVER_DESCRIPTION, 100, NULL),
			 STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(qai(f, KMTQAITYPE_UMDRIVERNAME, 4, NULL), STATUS_BUFFER_TOO_SMALL);
	/* Unknown types. */
	assert_int_equal(qai(f, KMTQAITYPE_UMDRIVERPRIVATE, 64, NULL), STATUS_NOT_SUPPORTED);
	assert_int_equal(qai(f, 14, 64, NULL), STATUS_NOT_SUPPORTED);
	assert_int_equal(qai(f, 0xffffffff, 64, NULL), STATUS_NOT_SUPPORTED);
}

static void test_adapter_open_close(void **state)
{
	struct fx *f = *state;
	uint32_t h, csz = SZ(struct dxgkvmb_command_closeadapter);

	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER, 0);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_openadapter)), 16);
	h = word(f, 0);
	assert_int_not_equal(h, 0);
	assert_int_equal(word(f, 1), STATUS_SUCCESS);
	assert_int_equal(word(f, 2), DXGK_VMBUS_INTERFACE_VERSION);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CLOSEADAPTER, 0);
	arg(f, 0, h + 1);
	assert_int_equal(call_status(f, csz), STATUS_INVALID_HANDLE);
	arg(f, 0, h);
	assert_int_equal(call_status(f, csz), STATUS_SUCCESS);
	assert_int_equal(call_status(f, csz), STATUS_INVALID_HANDLE);
	assert_int_equal(f->o.total, 0);
}

static void test_quota(void **state)
{
	struct fx *f = *state;
	uint32_t n = 0;

	for (;;) {
		hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS, 0);
		assert_int_equal(call(f, SZ(struct dxgkvmb_command_createprocess)), 8);
		if (word(f, 0) == 0)
			break;
		n++;
	}
	assert_int_equal(n, 1000);
	assert_int_equal((int32_t)word(f, 1), STATUS_QUOTA_EXCEEDED);
}

static void test_random_garbage(void **state)
{
	struct fx *f = *state;
	uint32_t seed = 12345;

	create_device(f, create_process(f));
	for (int i = 0; i < 20000; i++) {
		uint32_t len = 0;

		for (uint32_t j = 0; j < 256; j++) {
			seed = seed * 1103515245u + 12345u;
			f->msg[j] = (uint8_t)(seed >> 16);
		}
		/* Keep some messages plausible so handlers run too. */
		if (i & 1) {
			uint32_t v = 16, chan = (seed >> 8) & 1, cmd = (seed >> 9) % 16;

			memcpy(f->msg, &v, 4);
			memcpy(f->msg + 8, chan ? &(struct winluid){ 0, 0 } : &f->vgpu, 8);
			memcpy(f->msg + 28, &chan, 4);
			if (chan)
				cmd += 1000;
			memcpy(f->msg + 32, &cmd, 4);
		}
		len = seed % 300;
		call(f, len);
	}
	assert_true(f->o.total <= 1000);
}

/*
 * dxghost --windows (docs/protocol.md §5.4): CREATEPROCESS and CREATEDEVICE
 * answer the 4-byte handle (0 on failure), ESCAPE the private data alone
 * (unchanged on failure, for every size mod 8), OPENADAPTER the configured
 * interface version.
 */
static void test_windows_replies(void **state)
{
	struct fx *f = *state;
	uint32_t proc, dev, esz = 16 + DXGKVMB_ESCAPE_FIXED;
	uint8_t data[16];

	f->ctx.windows = true;
	f->ctx.interface_version = 46;
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS, 0);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createprocess)), 4);
	proc = word(f, 0);
	assert_int_not_equal(proc, 0);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createdevice)), 4);
	dev = word(f, 0);
	assert_int_not_equal(dev, 0);
	/* A failed create: handle 0, no status word. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc + 64);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createdevice)), 4);
	assert_int_equal(word(f, 0), 0);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER, 0);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_openadapter)), 16);
	assert_int_not_equal(word(f, 0), 0);
	assert_int_equal(word(f, 2), 46);
	/* Failed escapes (no such adapter): the private data back as it went. */
	for (uint32_t n = 1; n <= sizeof(data); n++) {
		struct dxgkvmb_command_escape c;

		for (uint32_t i = 0; i < n; i++)
			data[i] = (uint8_t)(0x80 + n + i);
		hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ESCAPE, proc);
		memcpy(&c, f->msg + 16, sizeof(c));
		c.adapter = 0x12345678;
		c.device = dev;
		c.type = D3DKMT_ESCAPE_DRIVERPRIVATE;
		c.priv_drv_data_size = n;
		memcpy(f->msg + 16, &c, sizeof(c));
		memcpy(f->msg + esz, data, n);
		assert_int_equal(call(f, esz + n), n > 4 ? n : 4);
		assert_memory_equal(f->reply, data, n);
	}
	/* An escape whose size does not fit the message: the bare status. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ESCAPE, proc);
	arg(f, 2, D3DKMT_ESCAPE_DRIVERPRIVATE);
	arg(f, 4, 64);
	assert_int_equal(call_status(f, esz + 8), STATUS_INVALID_PARAMETER);
}

/* Every byte of the reply from `from` on (of n) is zero. */
static void assert_zero_from(const struct fx *f, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < n; i++)
		assert_int_equal(f->reply[i], 0);
}

/*
 * dxghost --windows fails a command with its whole reply shape (protocol.md
 * §5.4 host item 3): zeros, the status in the status field where the shape
 * has one; the command back with context 0 for CREATECONTEXTVIRTUAL.  The
 * commands here fail: the device (handle 0x4242) does not exist.
 */
static void test_windows_failure_shapes(void **state)
{
	static const struct {
		uint32_t cmd, len, min, status_off;	/* UINT32_MAX: none */
	} fixed[] = {
		{ DXGK_VMBCOMMAND_LOCK2, 16,
		  SZ(struct dxgkvmb_command_lock2), 0 },
		{ DXGK_VMBCOMMAND_MAKERESIDENT, 24,
		  SZ(struct dxgkvmb_command_makeresident) + 4, 16 },
		{ DXGK_VMBCOMMAND_CREATEPAGINGQUEUE, 24,
		  SZ(struct dxgkvmb_command_createpagingqueue), UINT32_MAX },
		{ DXGK_VMBCOMMAND_CREATESYNCOBJECT, 32,
		  SZ(struct dxgkvmb_command_createsyncobject), UINT32_MAX },
		{ DXGK_VMBCOMMAND_EVICT, 8, 16 + DXGKVMB_EVICT_FIXED + 4,
		  UINT32_MAX },
		{ DXGK_VMBCOMMAND_GETDEVICESTATE, 64,
		  SZ(struct dxgkvmb_command_getdevicestate), 56 },
		{ DXGK_VMBCOMMAND_GETCONTEXTSCHEDULINGPRIORITY, 8,
		  SZ(struct dxgkvmb_command_getcontextschedulingpriority), 0 },
		{ DXGK_VMBCOMMAND_QUERYCLOCKCALIBRATION, 32,
		  SZ(struct dxgkvmb_command_queryclockcalibration), 0 },
		{ DXGK_VMBCOMMAND_QUERYSTATISTICS, 784,
		  SZ(struct dxgkvmb_command_querystatistics), 0 },
		{ DXGK_VMBCOMMAND_ISFEATUREENABLED, 16,
		  SZ(struct dxgkvmb_command_isfeatureenabled) - 1, 0 },
		{ DXGK_VMBCOMMAND_DESTROYDEVICE, 4,
		  SZ(struct dxgkvmb_command_destroydevice), 0 },
		/* The fixed part back, zero but for the status. */
		{ DXGK_VMBCOMMAND_CREATEHWQUEUE, DXGKVMB_CREATEHWQUEUE_FIXED,
		  16 + DXGKVMB_CREATEHWQUEUE_FIXED, 24 },
	};
	struct fx *f = *state;
	uint32_t proc, n, ctx_fixed = DXGKVMB_CREATECONTEXTVIRTUAL_FIXED;

	f->ctx.windows = true;
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS, 0);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createprocess)), 4);
	proc = word(f, 0);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		hdr(f, DXGKVMB_VGPU_TO_HOST, fixed[i].cmd, proc);
		/* The device is the first word after the header (LOCK2: in args). */
		arg(f, 0, 0x4242);
		arg(f, 3, 1);	/* MAKERESIDENT/EVICT alloc_count */
		n = call(f, fixed[i].min);
		assert_int_equal(n, fixed[i].len);
		if (fixed[i].status_off != UINT32_MAX) {
			assert_true((int32_t)word(f, fixed[i].status_off / 4) < 0);
			assert_zero_from(f, fixed[i].status_off + 4, n);
			assert_zero_from(f, 0, fixed[i].status_off);
		} else {
			assert_zero_from(f, 0, n);
		}
	}
	/*
	 * The residency lists: the fixed part and a u32 per handle (one for a
	 * resource), zeroed, the status in its field.
	 */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_RECLAIMALLOCATIONS, proc);
	arg(f, 0, 0x4242);
	arg(f, 2, 3);			/* allocation_count */
	n = call(f, SZ(struct dxgkvmb_command_reclaimallocations) + 12);
	assert_int_equal(n, 16 + 12);
	assert_true((int32_t)word(f, 2) < 0);
	assert_zero_from(f, 0, 8);
	assert_zero_from(f, 12, n);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETALLOCATIONPRIORITY, proc);
	arg(f, 0, 0x4242);
	arg(f, 1, 0);			/* no resource */
	arg(f, 2, 3);
	n = call(f, SZ(struct dxgkvmb_command_allocationlist) + 12);
	assert_int_equal(n, 8 + 12);
	assert_true((int32_t)word(f, 0) < 0);
	assert_zero_from(f, 4, n);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY, proc);
	arg(f, 0, 0x4242);
	arg(f, 1, 0x4343);		/* a resource: one value */
	arg(f, 2, 0);
	n = call(f, SZ(struct dxgkvmb_command_allocationlist));
	assert_int_equal(n, 8 + 4);
	assert_true((int32_t)word(f, 0) < 0);
	assert_zero_from(f, 4, n);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_UPDATEALLOCATIONPROPERTY, proc);
	arg(f, 0, 0x4242);
	n = call(f, SZ(struct dxgkvmb_command_updateallocationproperty));
	assert_int_equal(n, 16);
	assert_true((int32_t)word(f, 2) < 0);
	assert_zero_from(f, 0, 8);
	/* QUERYADAPTERINFO of an unknown type: the status and n zero bytes. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYADAPTERINFO, proc);
	arg(f, 0, 0x7777);
	arg(f, 1, 12);
	n = call(f, SZ(struct dxgkvmb_command_queryadapterinfo) + 12);
	assert_int_equal(n, 16);
	assert_true((int32_t)word(f, 0) < 0);
	assert_zero_from(f, 4, n);
	/* CREATECONTEXTVIRTUAL: the command back, context 0. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL, proc);
	arg(f, 1, 0x4242);		/* device */
	arg(f, 6, 4);			/* priv_drv_data_size */
	arg(f, 7, 0xabcdef01);		/* the private data */
	n = call(f, 16 + ctx_fixed + 4);
	assert_int_equal(n, ctx_fixed + 4);
	assert_int_equal(word(f, 6), 0);
	assert_int_equal(word(f, 7), 0x4242);
	assert_int_equal(word(f, 13), 0xabcdef01);
	/* CREATEALLOCATION: 16 + 72 a + the private data, all zero. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEALLOCATION, proc);
	arg(f, 0, 0x4242);		/* device */
	arg(f, 4, 2);			/* alloc_count */
	arg(f, 10 + 1, 40);		/* allocation 0's private data size */
	arg(f, 10 + 4, 24);		/* allocation 1's */
	n = call(f, SZ(struct dxgkvmb_command_createallocation) + 24 + 64);
	assert_int_equal(n, 16 + 2 * 72 + 64);
	assert_zero_from(f, 0, n);
	/* Private data sizes beyond the message: the bare status. */
	arg(f, 10 + 4, 0x10000000);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createallocation) +
			      24 + 64), 4);
	/* An unknown command: the bare status. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, 200, proc);
	assert_int_equal(call_status(f, 64), STATUS_NOT_SUPPORTED);
}

/*
 * Priority, MARKDEVICEASERROR, GETDEVICESTATE's types, QUERYSTATISTICS,
 * QUERYCLOCKCALIBRATION and ISFEATUREENABLED (host/protocol/state_cmds.c),
 * with a scheduler and an IO space.
 */
#define ST_SHM	(1u << 20)
#define ST_IO	(64u * 1024)

static void test_state_commands(void **state)
{
	struct fx *f = *state;
	struct dxgkvmb_command_querystatistics_ret *qs;
	struct d3dkmt_querystatistics_segment_information si;
	struct d3dkmt_querystatistics_adapter_information ai;
	struct dxgkvmb_command_queryclockcalibration_ret cc;
	struct dxg_sched sched;
	struct dxg_mem mem;
	uint8_t *shm = calloc(1, ST_SHM);
	uint32_t proc, proc2, dev, dev2, ctx, ctx2, adapter, n;
	const uint32_t gds = SZ(struct dxgkvmb_command_getdevicestate);
	const uint32_t qsz = SZ(struct dxgkvmb_command_querystatistics);

	assert_non_null(shm);
	assert_int_equal(dxg_mem_init(&mem, shm, ST_SHM, ST_IO), 0);
	assert_int_equal(dxg_sched_init(&sched, &f->o, &mem, NULL, 0, false), 0);
	/* Fences have GPU VAs: the process's spaces go with it. */
	assert_int_equal(dxg_objects_add_release(&f->o, dxg_mem_release, &mem), 0);
	assert_int_equal(dxg_objects_add_release(&f->o, dxg_sched_release,
						 &sched), 0);
	f->ctx.mem = &mem;
	f->ctx.sched = &sched;
	proc = create_process(f);
	proc2 = create_process(f);
	dev = create_device(f, proc);
	dev2 = create_device(f, proc2);
	n = ccv(f, proc, dev, 0, 0);
	assert_int_equal(call(f, n), n - 16);
	ctx = word(f, 6);
	n = ccv(f, proc2, dev2, 0, 0);
	assert_int_equal(call(f, n), n - 16);
	ctx2 = word(f, 6);

	/* Priority: set, read back (each kind), range, other process's context. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SETCONTEXTSCHEDULINGPRIORITY,
	    proc);
	arg(f, 0, ctx);
	arg(f, 1, 5);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_setcontextschedulingpriority2)),
			 STATUS_SUCCESS);
	arg(f, 1, (uint32_t)-4);
	arg(f, 2, 1);			/* in_process */
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_setcontextschedulingpriority2)),
			 STATUS_SUCCESS);
	arg(f, 1, 8);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_setcontextschedulingpriority2)),
			 STATUS_INVALID_PARAMETER);
	arg(f, 0, ctx2);
	arg(f, 1, 1);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_setcontextschedulingpriority2)),
			 STATUS_INVALID_HANDLE);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETCONTEXTSCHEDULINGPRIORITY,
	    proc);
	arg(f, 0, ctx);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_getcontextschedulingpriority)), 8);
	assert_int_equal(word(f, 0), STATUS_SUCCESS);
	assert_int_equal(word(f, 1), 5);
	arg(f, 1, 1);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_getcontextschedulingpriority)), 8);
	assert_int_equal((int32_t)word(f, 1), -4);
	arg(f, 0, dev);			/* a device is no context */
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_getcontextschedulingpriority)),
			 STATUS_INVALID_HANDLE);

	/* GETDEVICESTATE: every type. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETDEVICESTATE, proc);
	arg(f, 0, dev);
	arg(f, 1, D3DKMT_DEVICESTATE_EXECUTION);
	assert_int_equal(call(f, gds), 64);
	assert_int_equal(word(f, 2), D3DKMT_DEVICEEXECUTION_ACTIVE);
	assert_int_equal(word(f, 14), STATUS_SUCCESS);
	for (uint32_t t = D3DKMT_DEVICESTATE_RESET; t <= 7; t += 2) {
		/* RESET (3), PAGE_FAULT (5): a state; 7: no such type. */
		arg(f, 1, t);
		assert_int_equal(call(f, gds), t == 7 ? 4 : 64);
		if (t != 7)
			assert_int_equal(word(f, 14), STATUS_SUCCESS);
	}
	for (uint32_t t = D3DKMT_DEVICESTATE_PRESENT; t <= 6; t += 2) {
		/* The present states name a VidPN source: there is none. */
		arg(f, 1, t);
		assert_int_equal(call_status(f, gds), STATUS_INVALID_PARAMETER);
	}

	/* MARKDEVICEASERROR: the reason is checked, then the device errs. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MARKDEVICEASERROR, proc);
	arg(f, 0, dev);
	arg(f, 1, 7);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_markdeviceaserror)),
			 STATUS_INVALID_PARAMETER);
	arg(f, 0, dev2);
	arg(f, 1, D3DKMT_DEVICE_ERROR_REASON_GENERIC);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_markdeviceaserror)),
			 STATUS_INVALID_HANDLE);
	arg(f, 0, dev);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_markdeviceaserror)),
			 STATUS_SUCCESS);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETDEVICESTATE, proc);
	arg(f, 0, dev);
	arg(f, 1, D3DKMT_DEVICESTATE_EXECUTION);
	assert_int_equal(call(f, gds), 64);
	assert_int_equal(word(f, 2), D3DKMT_DEVICEEXECUTION_ERROR_DMAFAULT);
	arg(f, 0, dev2);		/* the other process's device is untouched */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETDEVICESTATE, proc2);
	arg(f, 0, dev2);
	arg(f, 1, D3DKMT_DEVICESTATE_EXECUTION);
	assert_int_equal(call(f, gds), 64);
	assert_int_equal(word(f, 2), D3DKMT_DEVICEEXECUTION_ACTIVE);

	/* QUERYSTATISTICS: the IO space's real use. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYSTATISTICS, proc);
	arg(f, 0, D3DKMT_QUERYSTATISTICS_ADAPTER);
	assert_int_equal(call(f, qsz), 784);
	qs = (void *)f->reply;
	assert_int_equal(qs->status, STATUS_SUCCESS);
	memcpy(&ai, qs->result.data, sizeof(ai));
	assert_int_equal(ai.nb_segments, 1);
	assert_int_equal(ai.node_count, f->a.list[0].node_count);
	arg(f, 0, D3DKMT_QUERYSTATISTICS_SEGMENT);
	assert_int_equal(call(f, qsz), 784);
	memcpy(&si, qs->result.data, sizeof(si));
	assert_int_equal(si.commit_limit, mem.heap.size);
	assert_int_equal(si.bytes_committed, mem.heap.used);
	assert_int_equal(si.aperture, 1);
	arg(f, 200, 1);			/* query.segment_id: no segment 1 */
	assert_int_equal(call_status(f, qsz), STATUS_INVALID_PARAMETER);
	arg(f, 200, 0);
	arg(f, 4, 0x77777);		/* process: no such host handle */
	assert_int_equal(call_status(f, qsz), STATUS_INVALID_HANDLE);
	arg(f, 4, 0);
	arg(f, 5, 1);			/* process beyond 32 bits */
	assert_int_equal(call_status(f, qsz), STATUS_INVALID_PARAMETER);
	arg(f, 5, 0);
	/* NODE: the scheduler's busy time of the node (nothing ran yet). */
	arg(f, 0, D3DKMT_QUERYSTATISTICS_NODE);
	memset(qs->result.data, 0xee, sizeof(qs->result.data));
	assert_int_equal(call(f, qsz), 784);
	assert_int_equal(qs->status, STATUS_SUCCESS);
	{
		struct d3dkmt_querystatistics_node_information ni;

		memcpy(&ni, qs->result.data, sizeof(ni));
		assert_int_equal(ni.global_information.running_time, 0);
		assert_int_equal(ni.global_information.context_switch, 0);
		assert_int_equal(qs->result.data[sizeof(ni)], 0);
	}
	arg(f, 200, f->a.list[0].node_count);	/* query.node_id: none such */
	assert_int_equal(call_status(f, qsz), STATUS_INVALID_PARAMETER);
	arg(f, 200, 0);
	/* PROCESS_NODE: the process's own share (nothing ran yet). */
	arg(f, 0, D3DKMT_QUERYSTATISTICS_PROCESS_NODE);
	memset(qs->result.data, 0xee, sizeof(qs->result.data));
	assert_int_equal(call(f, qsz), 784);
	assert_int_equal(qs->status, STATUS_SUCCESS);
	{
		struct d3dkmt_querystatistics_process_node_information pn;

		memcpy(&pn, qs->result.data, sizeof(pn));
		assert_int_equal(pn.running_time, 0);
		assert_int_equal(pn.context_switch, 0);
		assert_int_equal(qs->result.data[sizeof(pn)], 0);
	}
	arg(f, 200, f->a.list[0].node_count);	/* query.node_id: none such */
	assert_int_equal(call_status(f, qsz), STATUS_INVALID_PARAMETER);
	arg(f, 200, 0);
	arg(f, 0, 0xffff);
	assert_int_equal(call_status(f, qsz), STATUS_NOT_SUPPORTED);

	/* QUERYCLOCKCALIBRATION: the adapter by the host's handle, node in range. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER, 0);
	arg(f, 0, DXGK_VMBUS_INTERFACE_VERSION);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_openadapter)), 16);
	adapter = word(f, 0);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYCLOCKCALIBRATION, proc);
	arg(f, 0, adapter);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_queryclockcalibration)), 32);
	memcpy(&cc, f->reply, sizeof(cc));
	assert_int_equal(cc.status, STATUS_SUCCESS);
	assert_int_equal(cc.clock_data.gpu_frequency, 1000000000u);
	assert_true(cc.clock_data.gpu_clock_counter > 0);
	arg(f, 1, 99);			/* node_ordinal */
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_queryclockcalibration)),
			 STATUS_INVALID_PARAMETER);
	arg(f, 1, 0);
	arg(f, 0, dev);			/* not an adapter */
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_queryclockcalibration)),
			 STATUS_INVALID_HANDLE);

	/* ISFEATUREENABLED: HWSCH on (hw queues), others off or unknown. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ISFEATUREENABLED, 0);
	arg(f, 0, DXGK_FEATURE_HWSCH);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_isfeatureenabled)), 16);
	assert_int_equal(word(f, 0), STATUS_SUCCESS);
	assert_int_equal(f->reply[12] | f->reply[13] << 8,
			 DXGK_ISFEATUREENABLED_KNOWN_FEATURE |
			 DXGK_ISFEATUREENABLED_ENABLED |
			 DXGK_ISFEATUREENABLED_SUPPORTED_BY_DRIVER |
			 DXGK_ISFEATUREENABLED_SUPPORTED_ON_CONFIG);
	arg(f, 0, DXGK_FEATURE_PAGE_BASED_MEMORY_MANAGER);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_isfeatureenabled)), 16);
	assert_int_equal(f->reply[12] | f->reply[13] << 8,
			 DXGK_ISFEATUREENABLED_KNOWN_FEATURE);
	arg(f, 0, 1234);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_isfeatureenabled)), 16);
	assert_int_equal(f->reply[12] | f->reply[13] << 8, 0);

	dxg_objects_reset(&f->o);
	dxg_sched_fini(&sched);
	dxg_mem_fini(&mem);
	f->ctx.mem = NULL;
	f->ctx.sched = NULL;
	free(shm);
}


/* ---- sharing (host/protocol/share_cmds.c) ---- */

/* The command struct `c` (its header part skipped) after the header. */
static uint32_t put_cmd(struct fx *f, const void *c, uint32_t len,
			const void *tail, uint32_t tail_len)
{
	const uint32_t h = sizeof(struct dxgkvmb_command_hdr);

	memcpy(f->msg + 16 + h, (const uint8_t *)c + h, len - h);
	if (tail_len)
		memcpy(f->msg + 16 + len, tail, tail_len);
	return 16 + len + tail_len;
}

/* A resource of n allocations of 8 KiB each; flags CREATE_RESOURCE | more. */
static int32_t sh_resource(struct fx *f, uint32_t proc, uint32_t dev,
			   uint32_t flags, uint32_t n, uint32_t *res,
			   uint32_t *allocs)
{
	struct dxgkvmb_command_createallocation c = { 0 };
	struct dxgkvmb_command_createallocation_allocinfo ai[4] = { 0 };
	struct dxg_open_alloc_desc d[4] = { 0 };
	uint8_t tail[sizeof(ai) + sizeof(d)];
	uint32_t len, got;

	c.device = dev;
	c.alloc_count = n;
	c.flags = D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE | flags;
	for (uint32_t i = 0; i < n; i++) {
		ai[i].priv_drv_data_size = sizeof(d[i]);
		d[i].version = DXG_OPEN_ALLOC_DESC_VERSION;
		d[i].size = 8192;
	}
	memcpy(tail, ai, n * sizeof(ai[0]));
	memcpy(tail + n * sizeof(ai[0]), d, n * sizeof(d[0]));
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEALLOCATION, proc);
	len = put_cmd(f, &c, sizeof(c), tail,
		      n * (uint32_t)(sizeof(ai[0]) + sizeof(d[0])));
	got = call(f, len);
	if (got == 4)
		return (int32_t)word(f, 0);
	*res = word(f, 1);
	for (uint32_t i = 0; i < n; i++)
		allocs[i] = word(f, 4 + 18 * i);
	return STATUS_SUCCESS;
}

static int32_t sh_create_nt(struct fx *f, uint32_t proc, uint32_t obj,
			    const uint32_t *allocs, uint32_t n, uint32_t *nt)
{
	struct dxgkvmb_command_createntsharedobject c = {
		.object = obj, .allocation_count = n };
	uint32_t got;

	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATENTSHAREDOBJECT, proc);
	got = call(f, put_cmd(f, &c, sizeof(c), allocs, n * 4));
	if (got == 4)
		return (int32_t)word(f, 0);
	assert_int_equal(got, 16);
	assert_int_equal(word(f, 0), STATUS_SUCCESS);
	*nt = word(f, 1);
	return STATUS_SUCCESS;
}

static int32_t sh_status(struct fx *f, uint32_t chan, uint32_t cmd,
			 uint32_t proc, const void *c, uint32_t len)
{
	hdr(f, chan, cmd, proc);
	call(f, put_cmd(f, c, len, NULL, 0));
	return (int32_t)word(f, 0);
}

/* LOCK2's IO-space offset of an allocation. */
static uint64_t sh_lock(struct fx *f, uint32_t proc, uint32_t dev, uint32_t a)
{
	struct dxgkvmb_command_lock2 c = { 0 };
	struct dxgkvmb_command_lock2_ret r;

	c.args.device = dev;
	c.args.allocation = a;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_LOCK2, proc);
	assert_int_equal(call(f, put_cmd(f, &c, sizeof(c), NULL, 0)), sizeof(r));
	memcpy(&r, f->reply, sizeof(r));
	assert_int_equal(r.status, STATUS_SUCCESS);
	return r.cpu_visible_buffer_offset;
}

static void test_share_commands(void **state)
{
	struct fx *f = *state;
	struct dxg_sched sched;
	struct dxg_mem mem;
	uint8_t *shm = calloc(1, ST_SHM);
	struct dxgkvmb_command_openresource orc = { 0 };
	struct dxgkvmb_command_opensyncobject osc = { 0 };
	struct dxgkvmb_command_destroyntsharedobject dnt = { 0 };
	struct dxgkvmb_command_destroyallocation da = { 0 };
	struct dxgkvmb_command_createsyncobject cs = { 0 };
	struct dxgkvmb_command_shareobjectwithhost sw = { 0 };
	struct dxgkvmb_command_opensyncobject_ret osr;
	struct dxgkvmb_openresource_alloc oa[2];
	uint32_t proc, proc2, dev, dev2, res, allocs[2], plain, plain_allocs[2];
	uint32_t nt, nt_sync, res2, so, so2, dup[2], base;
	uint64_t off0, io_used;

	assert_non_null(shm);
	assert_int_equal(dxg_mem_init(&mem, shm, ST_SHM, ST_IO), 0);
	assert_int_equal(dxg_sched_init(&sched, &f->o, &mem, NULL, 0, false), 0);
	assert_int_equal(dxg_objects_add_release(&f->o, dxg_mem_release, &mem), 0);
	assert_int_equal(dxg_objects_add_release(&f->o, dxg_sched_release,
						 &sched), 0);
	f->ctx.mem = &mem;
	f->ctx.sched = &sched;
	proc = create_process(f);
	proc2 = create_process(f);
	dev = create_device(f, proc);
	dev2 = create_device(f, proc2);
	base = f->o.total;
	io_used = mem.heap.used;

	/* Shared: both flags, and a new resource. */
	assert_int_equal(sh_resource(f, proc, dev,
				     D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED,
				     1, &res, allocs), STATUS_NOT_SUPPORTED);
	assert_int_equal(sh_resource(f, proc, dev, 0, 2, &plain, plain_allocs),
			 STATUS_SUCCESS);
	assert_int_equal(sh_resource(f, proc, dev,
				     D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED |
				     D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING,
				     2, &res, allocs), STATUS_SUCCESS);
	/* An unshared resource, wrong lists, another process: refused. */
	assert_int_equal(sh_create_nt(f, proc, plain, plain_allocs, 2, &nt),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(sh_create_nt(f, proc, res, allocs, 1, &nt),
			 STATUS_INVALID_PARAMETER);
	dup[0] = dup[1] = allocs[0];
	assert_int_equal(sh_create_nt(f, proc, res, dup, 2, &nt),
			 STATUS_INVALID_PARAMETER);
	dup[1] = plain_allocs[0];
	assert_int_equal(sh_create_nt(f, proc, res, dup, 2, &nt),
			 STATUS_INVALID_HANDLE);
	assert_int_equal(sh_create_nt(f, proc2, res, allocs, 2, &nt),
			 STATUS_INVALID_HANDLE);
	assert_int_equal(sh_create_nt(f, proc, res, allocs, 2, &nt),
			 STATUS_SUCCESS);
	off0 = sh_lock(f, proc, dev, allocs[0]);
	shm[off0 + 5] = 0x5a;

	/* The creator's resource goes: the NT object keeps the memory. */
	da.device = dev;
	da.resource = res;
	assert_int_equal(sh_status(f, DXGKVMB_VGPU_TO_HOST,
				   DXGK_VMBCOMMAND_DESTROYALLOCATION, proc, &da,
				   sizeof(da)), STATUS_SUCCESS);
	assert_true(mem.heap.used > io_used);

	/* Open in the other process: wrong count, wrong kind, then right. */
	orc.device = dev2;
	orc.nt_handle = nt;
	orc.allocation_count = 1;
	assert_int_equal(sh_status(f, DXGKVMB_VGPU_TO_HOST,
				   DXGK_VMBCOMMAND_OPENRESOURCE, proc2, &orc,
				   sizeof(orc)), STATUS_INVALID_PARAMETER);
	orc.allocation_count = 2;
	orc.device = dev;	/* not proc2's */
	assert_int_equal(sh_status(f, DXGKVMB_VGPU_TO_HOST,
				   DXGK_VMBCOMMAND_OPENRESOURCE, proc2, &orc,
				   sizeof(orc)), STATUS_INVALID_HANDLE);
	orc.device = dev2;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENRESOURCE, proc2);
	assert_int_equal(call(f, put_cmd(f, &orc, sizeof(orc), NULL, 0)),
			 16 + 2 * sizeof(oa[0]));
	assert_int_equal(word(f, 0), STATUS_SUCCESS);
	res2 = word(f, 1);
	assert_int_equal(word(f, 2), 2);
	memcpy(oa, f->reply + 16, sizeof(oa));
	assert_int_equal(oa[0].allocation_size, 8192);
	assert_int_not_equal(oa[0].allocation, allocs[0]);
	/* The same memory, in the creator's order. */
	assert_int_equal(sh_lock(f, proc2, dev2, oa[0].allocation), off0);
	assert_int_equal(shm[off0 + 5], 0x5a);
	/* The NT object goes: the opened resource keeps the memory. */
	dnt.nt_handle = nt;
	assert_int_equal(sh_status(f, DXGKVMB_VM_TO_HOST,
				   DXGK_VMBCOMMAND_DESTROYNTSHAREDOBJECT, 0, &dnt,
				   sizeof(dnt)), STATUS_SUCCESS);
	assert_int_equal(sh_status(f, DXGKVMB_VM_TO_HOST,
				   DXGK_VMBCOMMAND_DESTROYNTSHAREDOBJECT, 0, &dnt,
				   sizeof(dnt)), STATUS_INVALID_HANDLE);
	assert_int_equal(sh_lock(f, proc2, dev2, oa[1].allocation),
			 sh_lock(f, proc2, dev2, oa[1].allocation));
	assert_true(mem.heap.used > io_used);
	da.device = dev2;
	da.resource = res2;
	assert_int_equal(sh_status(f, DXGKVMB_VGPU_TO_HOST,
				   DXGK_VMBCOMMAND_DESTROYALLOCATION, proc2, &da,
				   sizeof(da)), STATUS_SUCCESS);
	da.device = dev;
	da.resource = plain;
	assert_int_equal(sh_status(f, DXGKVMB_VGPU_TO_HOST,
				   DXGK_VMBCOMMAND_DESTROYALLOCATION, proc, &da,
				   sizeof(da)), STATUS_SUCCESS);
	assert_int_equal(mem.heap.used, io_used);	/* with the last user */
	assert_int_equal(f->o.total, base);

	/* A shared fence. */
	cs.args.device = dev;
	cs.args.info.type = D3DDDI_MONITORED_FENCE;
	cs.args.info.flags.value = D3DDDI_SYNCOBJ_FLAG_SHARED;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATESYNCOBJECT, proc);
	assert_int_equal(call(f, put_cmd(f, &cs, sizeof(cs), NULL, 0)), 4);
	assert_int_equal((int32_t)word(f, 0), STATUS_NOT_SUPPORTED);
	cs.args.info.flags.value |= D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATESYNCOBJECT, proc);
	assert_int_equal(call(f, put_cmd(f, &cs, sizeof(cs), NULL, 0)), 32);
	so = word(f, 0);
	dup[0] = 1;
	assert_int_equal(sh_create_nt(f, proc, so, dup, 1, &nt_sync),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(sh_create_nt(f, proc, so, NULL, 0, &nt_sync),
			 STATUS_SUCCESS);
	/* A fence NT handle is no resource. */
	orc.nt_handle = nt_sync;
	orc.allocation_count = 0;
	assert_int_equal(sh_status(f, DXGKVMB_VGPU_TO_HOST,
				   DXGK_VMBCOMMAND_OPENRESOURCE, proc2, &orc,
				   sizeof(orc)), STATUS_INVALID_HANDLE);
	osc.device = dev2;
	osc.nt_handle = nt_sync;
	osc.flags = D3DDDI_SYNCOBJ_FLAG_SHARED;
	assert_int_equal(sh_status(f, DXGKVMB_VM_TO_HOST,
				   DXGK_VMBCOMMAND_OPENSYNCOBJECT, proc2, &osc,
				   sizeof(osc)), STATUS_INVALID_PARAMETER);
	osc.flags = 0;
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_OPENSYNCOBJECT, proc2);
	assert_int_equal(call(f, put_cmd(f, &osc, sizeof(osc), NULL, 0)),
			 sizeof(osr));
	memcpy(&osr, f->reply, sizeof(osr));
	assert_int_equal(osr.status, STATUS_SUCCESS);
	assert_int_equal(osr.type, D3DDDI_MONITORED_FENCE);
	so2 = osr.sync_object;
	assert_non_null(dxg_sync_lookup(&sched, so2, dxg_obj_lookup(&f->o, proc2,
				     DXG_OBJ_PROCESS, NULL)));
	/* One fence: a signal through either is seen through both. */
	dxg_sync_signal(&sched, dxg_obj_lookup(&f->o, so, DXG_OBJ_SYNCOBJECT,
					       NULL), 41);
	assert_int_equal(dxg_sync_value(dxg_obj_lookup(&f->o, so2,
						       DXG_OBJ_SYNCOBJECT, NULL)),
			 41);
	assert_int_equal(*(uint64_t *)(shm + osr.fence_storage_address), 41);
	/* ShareObjectWithHost: objects of the device only. */
	sw.device = dev2;
	sw.object = so2;
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_SHAREOBJECTWITHHOST, proc2);
	assert_int_equal(call(f, put_cmd(f, &sw, sizeof(sw), NULL, 0)), 16);
	assert_int_equal(word(f, 0), STATUS_SUCCESS);
	assert_true(word(f, 2) == so2 && word(f, 3) != 0);
	sw.object = so;
	assert_int_equal(sh_status(f, DXGKVMB_VM_TO_HOST,
				   DXGK_VMBCOMMAND_SHAREOBJECTWITHHOST, proc2, &sw,
				   sizeof(sw)), STATUS_INVALID_HANDLE);
	/* The creator dies, the NT object goes: the opened fence lives on. */
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS, proc);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_destroyprocess)),
			 STATUS_SUCCESS);
	dnt.nt_handle = nt_sync;
	assert_int_equal(sh_status(f, DXGKVMB_VM_TO_HOST,
				   DXGK_VMBCOMMAND_DESTROYNTSHAREDOBJECT, 0, &dnt,
				   sizeof(dnt)), STATUS_SUCCESS);
	assert_int_equal(dxg_sync_value(dxg_obj_lookup(&f->o, so2,
						       DXG_OBJ_SYNCOBJECT, NULL)),
			 41);
	assert_true(mem.heap.used > io_used);
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS, proc2);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_destroyprocess)),
			 STATUS_SUCCESS);
	assert_int_equal(mem.heap.used, io_used);
	assert_int_equal(f->o.total, 0);

	/* Windows: failures in the whole reply shape, the status first. */
	f->ctx.windows = true;
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS, 0);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createprocess)), 4);
	proc = word(f, 0);
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATENTSHAREDOBJECT, proc);
	arg(f, 0, 0x4242);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_createntsharedobject)),
			 16);
	assert_true((int32_t)word(f, 0) < 0);
	assert_zero_from(f, 4, 16);
	orc.device = 0x4242;
	orc.allocation_count = 3;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENRESOURCE, proc);
	assert_int_equal(call(f, put_cmd(f, &orc, sizeof(orc), NULL, 0)),
			 16 + 3 * 16);
	assert_true((int32_t)word(f, 0) < 0);
	assert_zero_from(f, 4, 16 + 3 * 16);
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_OPENSYNCOBJECT, proc);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_opensyncobject)), 32);
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_SHAREOBJECTWITHHOST, proc);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_shareobjectwithhost)),
			 16);
	dxg_objects_reset(&f->o);
	dxg_sched_fini(&sched);
	dxg_mem_fini(&mem);
	free(shm);
}


/* A whole command (its header is hdr()'s): the payload after the header. */
static void body(struct fx *f, const void *cmd, size_t len)
{
	const size_t h = sizeof(struct dxgkvmb_command_hdr);

	memcpy(f->msg + 16 + h, (const uint8_t *)cmd + h, len - h);
}

static uint64_t fence_at(const uint8_t *shm, uint64_t page)
{
	uint64_t v;

	memcpy(&v, shm + page, sizeof(v));
	return v;
}

/*
 * Hardware queues (host/protocol/hwqueue_cmds.c): CREATEHWQUEUE's reply and
 * progress fence, submission ordered behind a GPU wait on the queue, the
 * fence as an ordinary monitored fence of the device (CPU wait), what is
 * refused, and that destroying the queue or its context frees everything.
 */
static void test_hwqueue(void **state)
{
	struct fx *f = *state;
	struct dxg_sched sched;
	struct dxg_mem mem;
	uint8_t *shm = calloc(1, ST_SHM);
	struct dxgkvmb_command_createhwqueue cq;
	struct dxgkvmb_command_submitcommandtohwqueue sq;
	struct dxgkvmb_command_createsyncobject cs;
	struct dxgkvmb_command_createsyncobject_ret cr;
	struct {
		struct dxgkvmb_command_waitforsyncobjectfromgpu c;
		uint8_t tail[12];
	} wg;
	struct {
		struct dxgkvmb_command_signalsyncobject c;
		uint8_t tail[12];
	} sg;
	uint32_t proc, proc2, dev, ctx, ctx2, q, pf, fence, n, base;
	uint64_t page, v = 1;
	const uint32_t cql = 16 + DXGKVMB_CREATEHWQUEUE_FIXED;
	const uint32_t sql = SZ(struct dxgkvmb_command_submitcommandtohwqueue);

	assert_non_null(shm);
	assert_int_equal(dxg_mem_init(&mem, shm, ST_SHM, ST_IO), 0);
	assert_int_equal(dxg_sched_init(&sched, &f->o, &mem, NULL, 0, false), 0);
	/* Fences have GPU VAs: the process's spaces go with it. */
	assert_int_equal(dxg_objects_add_release(&f->o, dxg_mem_release, &mem), 0);
	assert_int_equal(dxg_objects_add_release(&f->o, dxg_sched_release,
						 &sched), 0);
	f->ctx.mem = &mem;
	f->ctx.sched = &sched;
	proc = create_process(f);
	proc2 = create_process(f);
	dev = create_device(f, proc);
	n = ccv(f, proc, dev, 0, 0);
	assert_int_equal(call(f, n), n - 16);
	ctx = word(f, 6);
	n = ccv(f, proc, dev, 0, 0);
	assert_int_equal(call(f, n), n - 16);
	ctx2 = word(f, 6);
	base = f->o.total;

	/* A monitored fence of the device, to wait on. */
	memset(&cs, 0, sizeof(cs));
	cs.args.device = dev;
	cs.args.info.type = D3DDDI_MONITORED_FENCE;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATESYNCOBJECT, proc);
	body(f, &cs, sizeof(cs));
	assert_int_equal(call(f, SZ(cs)), sizeof(cr));
	memcpy(&cr, f->reply, sizeof(cr));
	fence = cr.sync_object;

	/* Refused: unknown flags, private data beyond the message, foreign context. */
	memset(&cq, 0, sizeof(cq));
	cq.context = ctx;
	cq.flags = 2;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEHWQUEUE, proc);
	body(f, &cq, DXGKVMB_CREATEHWQUEUE_FIXED);
	assert_int_equal(call_status(f, cql), STATUS_INVALID_PARAMETER);
	cq.flags = D3DDDI_CREATEHWQUEUE_FLAG_DISABLE_GPU_TIMEOUT;
	cq.priv_drv_data_size = 5;
	body(f, &cq, DXGKVMB_CREATEHWQUEUE_FIXED);
	assert_int_equal(call_status(f, cql + 4), STATUS_INVALID_PARAMETER);
	cq.priv_drv_data_size = 4;
	body(f, &cq, DXGKVMB_CREATEHWQUEUE_FIXED);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEHWQUEUE, proc2);
	body(f, &cq, DXGKVMB_CREATEHWQUEUE_FIXED);
	assert_int_equal(call_status(f, cql + 4), STATUS_INVALID_HANDLE);
	assert_int_equal(f->o.total, base + 1);

	/* Created: the fixed part back with the queue and its fence at 0. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEHWQUEUE, proc);
	body(f, &cq, DXGKVMB_CREATEHWQUEUE_FIXED);
	assert_int_equal(call(f, cql + 4), DXGKVMB_CREATEHWQUEUE_FIXED);
	memcpy(&cq, f->reply, DXGKVMB_CREATEHWQUEUE_FIXED);
	assert_int_equal(cq.status, STATUS_SUCCESS);
	assert_int_not_equal(cq.hwqueue, 0);
	assert_int_not_equal(cq.hwqueue_progress_fence, 0);
	assert_int_equal(cq.context, ctx);
	q = cq.hwqueue;
	pf = cq.hwqueue_progress_fence;
	page = cq.hwqueue_progress_fence_cpuva;
	assert_true(page && page + 8 <= ST_SHM);
	assert_int_equal(fence_at(shm, page), 0);
	assert_int_equal(f->o.total, base + 3);

	/* A GPU wait on the queue for fence = 1, then a submission: blocked. */
	memset(&wg, 0, sizeof(wg));
	wg.c.context = q;
	wg.c.object_count = 1;
	memcpy(wg.tail, &v, 8);
	memcpy(wg.tail + 8, &fence, 4);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMGPU,
	    proc);
	body(f, &wg, sizeof(wg));
	assert_int_equal(call_status(f, 16 + sizeof(wg)), STATUS_SUCCESS);
	memset(&sq, 0, sizeof(sq));
	sq.args.hwqueue = q;
	sq.args.hwqueue_progress_fence_id = 7;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SUBMITCOMMANDTOHWQUEUE,
	    proc);
	body(f, &sq, sizeof(sq));
	assert_int_equal(call_status(f, sql), STATUS_SUCCESS);
	dxg_sched_run(&sched, DXG_SCHED_MAX_QUEUED);
	assert_int_equal(fence_at(shm, page), 0);
	/* Refused: an unknown queue, primaries beyond the message. */
	sq.args.hwqueue = ctx;
	body(f, &sq, sizeof(sq));
	assert_int_equal(call_status(f, sql), STATUS_INVALID_HANDLE);
	sq.args.hwqueue = q;
	sq.args.num_primaries = 1;
	body(f, &sq, sizeof(sq));
	assert_int_equal(call_status(f, sql), STATUS_INVALID_PARAMETER);
	/* The context's other queue is not blocked by it. */
	wg.c.context = ctx2;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMGPU,
	    proc);
	body(f, &wg, sizeof(wg));
	assert_int_equal(call_status(f, 16 + sizeof(wg)), STATUS_SUCCESS);

	/* A CPU wait on the progress fence registers (a fence of the device). */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMCPU,
	    proc);
	{
		struct {
			struct dxgkvmb_command_waitforsyncobjectfromcpu c;
			uint8_t tail[12];
		} wc;
		uint64_t seven = 7;

		memset(&wc, 0, sizeof(wc));
		wc.c.device = dev;
		wc.c.object_count = 1;
		wc.c.guest_event_pointer = 99;
		memcpy(wc.tail, &pf, 4);
		memcpy(wc.tail + 4, &seven, 8);
		body(f, &wc, sizeof(wc));
		assert_int_equal(call_status(f, 16 + sizeof(wc)), STATUS_SUCCESS);
	}
	assert_int_equal(sched.nwaiters, 1);

	/* Signal fence = 1 from the CPU: the submission runs, then the fence. */
	memset(&sg, 0, sizeof(sg));
	sg.c.object_count = 1;
	sg.c.device = dev;
	memcpy(sg.tail, &fence, 4);
	memcpy(sg.tail + 4, &v, 8);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SIGNALSYNCOBJECT, proc);
	body(f, &sg, sizeof(sg));
	assert_int_equal(call_status(f, 16 + sizeof(sg)), STATUS_SUCCESS);
	for (int i = 0; i < 1000 && fence_at(shm, page) != 7; i++)
		dxg_sched_run(&sched, DXG_SCHED_MAX_QUEUED);
	assert_int_equal(fence_at(shm, page), 7);
	assert_int_equal(sched.nwaiters, 0);	/* the CPU wait ended */

	/* The progress fence goes with its queue only. */
	hdr(f, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYSYNCOBJECT, proc);
	arg(f, 0, pf);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_destroysyncobject)),
			 STATUS_INVALID_HANDLE);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYHWQUEUE, proc2);
	arg(f, 0, q);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_destroyhwqueue)),
			 STATUS_INVALID_HANDLE);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYHWQUEUE, proc);
	arg(f, 0, q);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_destroyhwqueue)),
			 STATUS_SUCCESS);
	assert_int_equal(f->o.total, base + 1);

	/* A queue with work pending goes with its context. */
	cq.priv_drv_data_size = 0;
	cq.context = ctx;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEHWQUEUE, proc);
	body(f, &cq, DXGKVMB_CREATEHWQUEUE_FIXED);
	assert_int_equal(call(f, cql), DXGKVMB_CREATEHWQUEUE_FIXED);
	memcpy(&cq, f->reply, DXGKVMB_CREATEHWQUEUE_FIXED);
	wg.c.context = cq.hwqueue;
	v = 100;
	memcpy(wg.tail, &v, 8);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMGPU,
	    proc);
	body(f, &wg, sizeof(wg));
	assert_int_equal(call_status(f, 16 + sizeof(wg)), STATUS_SUCCESS);
	sq.args.hwqueue = cq.hwqueue;
	sq.args.num_primaries = 0;
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SUBMITCOMMANDTOHWQUEUE,
	    proc);
	body(f, &sq, sizeof(sq));
	assert_int_equal(call_status(f, sql), STATUS_SUCCESS);
	assert_int_equal(f->o.total, base + 3);
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYCONTEXT, proc);
	arg(f, 0, ctx);
	assert_int_equal(call_status(f, SZ(struct dxgkvmb_command_destroycontext)),
			 STATUS_SUCCESS);
	assert_int_equal(f->o.total, base);	/* ctx2 and the fence stay */
	dxg_sched_run(&sched, DXG_SCHED_MAX_QUEUED);

	dxg_objects_reset(&f->o);
	assert_int_equal(f->o.total, 0);
	dxg_sched_fini(&sched);
	dxg_mem_fini(&mem);
	f->ctx.mem = NULL;
	f->ctx.sched = NULL;
	free(shm);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_not_supported),
		T(test_short_messages),
		T(test_bad_header),
		T(test_unknown_process),
		T(test_lifecycle_and_cross_process),
		T(test_oversize_private_data),
		T(test_query_adapter_info),
		T(test_adapter_open_close),
		T(test_quota),
		T(test_random_garbage),
		T(test_windows_replies),
		T(test_windows_failure_shapes),
		T(test_state_commands),
		T(test_share_commands),
		T(test_hwqueue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
