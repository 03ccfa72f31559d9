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
	/* priority, device error, observability (host/protocol/state_cmds.c) */
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SETCONTEXTSCHEDULINGPRIORITY },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETCONTEXTSCHEDULINGPRIORITY },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MARKDEVICEASERROR },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYCLOCKCALIBRATION },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYSTATISTICS },
	{ DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ISFEATUREENABLED },
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
	    DXGK_VMBCOMMAND_SUBMITCOMMANDTOHWQUEUE, proc);
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
	arg(f, 0, D3DKMT_QUERYSTATISTICS_NODE);
	assert_int_equal(call_status(f, qsz), STATUS_NOT_SUPPORTED);
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

	/* ISFEATUREENABLED: known and off, or unknown. */
	hdr(f, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ISFEATUREENABLED, 0);
	arg(f, 0, DXGK_FEATURE_HWSCH);
	assert_int_equal(call(f, SZ(struct dxgkvmb_command_isfeatureenabled)), 16);
	assert_int_equal(word(f, 0), STATUS_SUCCESS);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
