// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the protocol dispatcher (host/protocol/dispatch.c) on arbitrary
 * guest->host messages, with a fresh VM per input (object table and
 * IO-space heap, so the memory commands run too) so that inputs stay
 * independent.  An input is a sequence of messages, each a 4-byte
 * little-endian length (clipped to what is left) and that many bytes, so
 * the fuzzer can create a process, open an adapter, create a device... and
 * reach the handlers behind them.  Each message is copied into a heap block
 * of exactly its length: an over-read trips ASan, as a read past the
 * private copy would in dxghost.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "protocol/dispatch.h"
#include "dxg/cmdstream.h"
#include "dxg/protocol.h"
#include "core/execution.h"
#include "core/memory.h"
#include "core/scheduler.h"
#include "server/vm.h"
#include "fuzz_layout.h"
#include "fuzz_seeds.h"

/* Enough to exercise the quota path without slowing every input down. */
#define FZ_MAX_OBJECTS	64
#define FZ_MAX_MESSAGES	64
/* A small BAR2 with dxghost's layout: the IO space starts where a VM's does. */
#define FZ_SHM_SIZE	(DXG_VM_IO_SPACE_OFFSET + (4u << 20))

/* The VM's shared memory, reused by every input (its contents do not matter). */
static uint8_t *fz_shm(void)
{
	static uint8_t *shm;

	if (!shm && !(shm = calloc(1, FZ_SHM_SIZE)))
		abort();
	return shm;
}

/*
 * Guest RAM (docs/memory.md §11): one memfd mapping for the whole run,
 * emptied for every input (so that what one input wrote there cannot
 * steer the next), its first page starting with fz_ram_nonce, which the
 * sysmem seed's VERIFYGUESTRAM names.  Each VM borrows it (unverified).
 */
#define FZ_RAM_SIZE	(1u << 20)
static const uint8_t fz_ram_nonce[DXG_GUEST_RAM_NONCE] = "opendxg fuzz guest RAM";

static struct dxg_guest_ram fz_ram(void)
{
	static struct dxg_guest_ram ram = { .fd = -1 };
	int fd;

	if (!ram.base) {
		fd = memfd_create("fuzz-guest-ram", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, FZ_RAM_SIZE) ||
		    dxg_guest_ram_init(&ram, fd))
			abort();
	} else if (madvise(ram.base, ram.size, MADV_REMOVE)) {
		abort();
	}
	memcpy(ram.base, fz_ram_nonce, sizeof(fz_ram_nonce));
	return ram;
}

/* A fresh VM: object table, IO-space heap, guest RAM, two CPU adapters. */
static void vm_init(struct dxg_objects *objs, struct dxg_mem *mem,
		    struct dxg_adapters *ads, struct dxg_dispatch_ctx *ctx)
{
	struct dxg_sched *sched;

	if (dxg_objects_init(objs, FZ_MAX_OBJECTS) ||
	    dxg_mem_init(mem, fz_shm(), FZ_SHM_SIZE, DXG_VM_IO_SPACE_OFFSET))
		abort();
	mem->ram = fz_ram();
	/* As host/server/vm.c: engines forget allocations before memory frees them. */
	dxg_objects_add_release(objs, dxg_exec_release, mem);
	dxg_objects_add_release(objs, dxg_mem_release, mem);
	sched = malloc(sizeof(*sched));
	if (!sched)
		abort();
	/* As host/server/vm.c: queues, fences and waiters go after memory. */
	if (dxg_sched_init(sched, objs, mem, NULL, 0, false))
		abort();
	dxg_objects_add_release(objs, dxg_sched_release, sched);
	dxg_adapters_init(ads, FZ_LUID_HIGH);
	if (dxg_adapters_add(ads, "cpu") || dxg_adapters_add(ads, "cpu"))
		abort();
	*ctx = (struct dxg_dispatch_ctx){ .objs = objs, .mem = mem,
					  .sched = sched, .adapters = ads };
}

static void vm_fini(struct dxg_objects *objs, struct dxg_mem *mem,
		    struct dxg_dispatch_ctx *ctx)
{
	dxg_objects_fini(objs);		/* releases every object's memory */
	dxg_sched_fini(ctx->sched);
	free(ctx->sched);
	dxg_guest_ram_none(&mem->ram);	/* borrowed: fz_ram() keeps it */
	dxg_mem_fini(mem);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dxg_dispatch_ctx ctx;
	struct dxg_objects objs;
	struct dxg_adapters ads;
	struct dxg_mem mem;
	struct dxg_ratelimit rl;
	static uint8_t *reply;
	unsigned int n;

	if (!reply && !(reply = malloc(DXG_REPLY_BUF_SIZE)))
		abort();
	vm_init(&objs, &mem, &ads, &ctx);
	if (dxg_ratelimit_init(&rl, 1, NULL))
		abort();
	ctx.rl = &rl;
	/* The input's last byte picks dxghost --windows's reply shapes. */
	ctx.windows = size && (data[size - 1] & 1);
	for (n = 0; n < FZ_MAX_MESSAGES && size >= 4; n++) {
		uint32_t len, out;
		uint8_t *msg;

		memcpy(&len, data, 4);
		data += 4;
		size -= 4;
		if (len > size)
			len = (uint32_t)size;
		if (len > DXG_MAX_VM_BUS_PACKET_SIZE)
			len = DXG_MAX_VM_BUS_PACKET_SIZE;
		msg = malloc(len ? len : 1);
		if (!msg)
			abort();
		memcpy(msg, data, len);
		out = dxg_dispatch(&ctx, msg, len, reply);
		/* The dispatcher's contract: never empty, never past the buffer. */
		if (out < 4 || out > DXG_REPLY_BUF_SIZE)
			abort();
		free(msg);
		data += len;
		size -= len;
	}
	vm_fini(&objs, &mem, &ctx);
	dxg_ratelimit_fini(&rl);
	return 0;
}

/* ---- seeds (DXG_FUZZ_SEEDS=DIR) ---- */

/*
 * A seed is a message sequence; building it runs each message through a
 * live dispatcher so that later messages can name the handles earlier ones
 * returned (a fresh table hands out the same handles every time).
 */
struct seed {
	struct dxg_objects objs;
	struct dxg_mem mem;
	struct dxg_adapters ads;
	struct dxg_dispatch_ctx ctx;
	uint8_t out[8192];
	uint32_t len;
	_Alignas(8) uint8_t msg[1024];
	_Alignas(8) uint8_t reply[DXG_REPLY_BUF_SIZE];
};

static void seed_begin(struct seed *s)
{
	vm_init(&s->objs, &s->mem, &s->ads, &s->ctx);
	s->len = 0;
}

/* Starts a message: headers for (channel, command, process, adapter). */
static uint8_t *msg(struct seed *s, uint32_t chan, uint32_t cmd,
		    uint32_t process, unsigned int adapter)
{
	struct dxgkvmb_msg_hdr h;

	memset(s->msg, 0, sizeof(s->msg));
	memset(&h, 0, sizeof(h));
	h.ext.command_offset = sizeof(h.ext);
	if (chan == DXGKVMB_VGPU_TO_HOST)
		h.ext.vgpu_luid = s->ads.list[adapter].vgpu_luid;
	h.hdr.channel = chan;
	h.hdr.command_type = cmd;
	h.hdr.process = process;
	memcpy(s->msg, &h, sizeof(h));
	return s->msg + sizeof(h.ext);	/* where the command struct goes */
}

/* Sends the current message (@cmd_len bytes from the command header on). */
static uint32_t send(struct seed *s, uint32_t cmd_len, uint32_t *word0)
{
	uint32_t len = (uint32_t)sizeof(struct dxgkvmb_command_ext_header) + cmd_len;
	uint32_t n;

	if (s->len + 4 + len > sizeof(s->out))
		abort();
	memcpy(s->out + s->len, &len, 4);
	memcpy(s->out + s->len + 4, s->msg, len);
	s->len += 4 + len;
	n = dxg_dispatch(&s->ctx, s->msg, len, s->reply);
	if (word0)
		memcpy(word0, s->reply, 4);
	return n;
}

static void seed_end(struct seed *s, const char *dir, const char *name)
{
	fz_write_seed(dir, name, s->out, s->len);
	vm_fini(&s->objs, &s->mem, &s->ctx);
}

#define CMD(T) ((T *)(void *)p)

static uint32_t create_process(struct seed *s)
{
	uint8_t *p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATEPROCESS, 0, 0);
	uint32_t h;

	CMD(struct dxgkvmb_command_createprocess)->process_id = 42;
	CMD(struct dxgkvmb_command_createprocess)->flags = DXG_CREATEPROCESS_LINUX;
	send(s, sizeof(struct dxgkvmb_command_createprocess), &h);
	return h;
}

/* Reply word i of the last message. */
static uint32_t reply_word(const struct seed *s, unsigned int i)
{
	uint32_t v;

	memcpy(&v, s->reply + 4 * i, 4);
	return v;
}

/* A process with adapter 0 open, a device and a paging queue on it. */
static void seed_device(struct seed *s, uint32_t *proc, uint32_t *adapter,
			uint32_t *dev, uint32_t *queue)
{
	uint8_t *p;

	*proc = create_process(s);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER, *proc, 0);
	CMD(struct dxgkvmb_command_openadapter)->vmbus_interface_version =
		DXGK_VMBUS_INTERFACE_VERSION;
	send(s, sizeof(struct dxgkvmb_command_openadapter), adapter);
	msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, *proc, 0);
	send(s, sizeof(struct dxgkvmb_command_createdevice), dev);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE, *proc, 0);
	CMD(struct dxgkvmb_command_createpagingqueue)->args.device = *dev;
	send(s, sizeof(struct dxgkvmb_command_createpagingqueue), queue);
}

/*
 * Memory: a device with a paging queue and an allocation, a GPU VA range
 * reserved and the allocation mapped into it, then freed.  Each step must
 * succeed, or the seed would stop teaching the fuzzer half way.
 */
static void write_memory_seed(struct seed *s)
{
	struct dxg_open_alloc_desc desc = { DXG_OPEN_ALLOC_DESC_VERSION, 0, 8192 };
	struct dxgkvmb_command_createallocation_allocinfo ai = { 0, sizeof(desc), 0 };
	uint32_t proc, adapter, dev, queue, alloc;
	uint64_t va;
	uint8_t *p;

	seed_device(s, &proc, &adapter, &dev, &queue);

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEALLOCATION, proc, 0);
	CMD(struct dxgkvmb_command_createallocation)->device = dev;
	CMD(struct dxgkvmb_command_createallocation)->alloc_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_createallocation), &ai, sizeof(ai));
	memcpy(p + sizeof(struct dxgkvmb_command_createallocation) + sizeof(ai),
	       &desc, sizeof(desc));
	send(s, sizeof(struct dxgkvmb_command_createallocation) + sizeof(ai) +
		sizeof(desc), NULL);
	alloc = reply_word(s, sizeof(struct dxgkvmb_command_createallocation_ret) / 4);

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS,
		proc, 0);
	CMD(struct dxgkvmb_command_reservegpuva)->args.adapter = adapter;
	CMD(struct dxgkvmb_command_reservegpuva)->args.size = 16 * 4096;
	send(s, sizeof(struct dxgkvmb_command_reservegpuva), NULL);
	memcpy(&va, s->reply, 8);

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS,
		proc, 0);
	CMD(struct dxgkvmb_command_mapgpuva)->device = dev;
	CMD(struct dxgkvmb_command_mapgpuva)->args.paging_queue = queue;
	CMD(struct dxgkvmb_command_mapgpuva)->args.allocation = alloc;
	CMD(struct dxgkvmb_command_mapgpuva)->args.base_address = va + 4096;
	CMD(struct dxgkvmb_command_mapgpuva)->args.size_in_pages = 2;
	CMD(struct dxgkvmb_command_mapgpuva)->args.protection.value =
		D3DDDIGPUVA_PROTECTION_WRITE;
	send(s, sizeof(struct dxgkvmb_command_mapgpuva), NULL);
	if (!proc || !adapter || !dev || !queue || !alloc || !va ||
	    ((struct dxgkvmb_command_mapgpuva_ret *)(void *)s->reply)->status)
		abort();

	/* Residency: offer, residency, priorities, reclaim, properties. */
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OFFERALLOCATIONS, proc, 0);
	CMD(struct dxgkvmb_command_offerallocations)->device = dev;
	CMD(struct dxgkvmb_command_offerallocations)->allocation_count = 1;
	CMD(struct dxgkvmb_command_offerallocations)->priority =
		D3DKMT_OFFER_PRIORITY_LOW;
	memcpy(p + sizeof(struct dxgkvmb_command_offerallocations), &alloc, 4);
	send(s, sizeof(struct dxgkvmb_command_offerallocations) + 4, NULL);
	{
		static const uint32_t list_cmds[] = {
			DXGK_VMBCOMMAND_QUERYALLOCATIONRESIDENCY,
			DXGK_VMBCOMMAND_SETALLOCATIONPRIORITY,
			DXGK_VMBCOMMAND_GETALLOCATIONPRIORITY,
		};
		const uint32_t prio = D3DDDI_ALLOCATIONPRIORITY_HIGH;

		for (unsigned int i = 0; i < 3; i++) {
			p = msg(s, DXGKVMB_VGPU_TO_HOST, list_cmds[i], proc, 0);
			CMD(struct dxgkvmb_command_allocationlist)->device = dev;
			CMD(struct dxgkvmb_command_allocationlist)->allocation_count = 1;
			memcpy(p + sizeof(struct dxgkvmb_command_allocationlist),
			       &alloc, 4);
			memcpy(p + sizeof(struct dxgkvmb_command_allocationlist) + 4,
			       &prio, 4);
			send(s, sizeof(struct dxgkvmb_command_allocationlist) + 8,
			     NULL);
		}
	}
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_RECLAIMALLOCATIONS, proc, 0);
	CMD(struct dxgkvmb_command_reclaimallocations)->device = dev;
	CMD(struct dxgkvmb_command_reclaimallocations)->paging_queue = queue;
	CMD(struct dxgkvmb_command_reclaimallocations)->allocation_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_reclaimallocations), &alloc, 4);
	send(s, sizeof(struct dxgkvmb_command_reclaimallocations) + 4, NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_UPDATEALLOCATIONPROPERTY,
		proc, 0);
	CMD(struct dxgkvmb_command_updateallocationproperty)->device = dev;
	CMD(struct dxgkvmb_command_updateallocationproperty)->args.paging_queue = queue;
	CMD(struct dxgkvmb_command_updateallocationproperty)->args.allocation = alloc;
	CMD(struct dxgkvmb_command_updateallocationproperty)->args.supported_segment_set = 1;
	CMD(struct dxgkvmb_command_updateallocationproperty)->args.property_mask_value =
		D3DDDI_UPDATEALLOCPROPERTY_SET_SUPPORTED_SEGMENT_SET;
	send(s, sizeof(struct dxgkvmb_command_updateallocationproperty), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_INVALIDATECACHE, proc, 0);
	CMD(struct dxgkvmb_command_invalidatecache)->device = dev;
	CMD(struct dxgkvmb_command_invalidatecache)->allocation = alloc;
	CMD(struct dxgkvmb_command_invalidatecache)->length = 4096;
	send(s, sizeof(struct dxgkvmb_command_invalidatecache), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CHANGEVIDEOMEMORYRESERVATION,
		proc, 0);
	CMD(struct dxgkvmb_command_changevideomemoryreservation)->adapter = adapter;
	CMD(struct dxgkvmb_command_changevideomemoryreservation)->reservation = 4096;
	send(s, sizeof(struct dxgkvmb_command_changevideomemoryreservation), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_FLUSHHEAPTRANSITIONS, proc, 0);
	CMD(struct dxgkvmb_command_flushheaptransitions)->adapter = adapter;
	send(s, sizeof(struct dxgkvmb_command_flushheaptransitions), NULL);

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_FREEGPUVIRTUALADDRESS,
		proc, 0);
	CMD(struct dxgkvmb_command_freegpuva)->args.adapter = adapter;
	CMD(struct dxgkvmb_command_freegpuva)->args.base_address = va;
	CMD(struct dxgkvmb_command_freegpuva)->args.size = 16 * 4096;
	send(s, sizeof(struct dxgkvmb_command_freegpuva), NULL);
	if (reply_word(s, 0))
		abort();
}

/* A GPADL of pages 7 and 10 in two ESTABLISHGPADL messages, named by STORE. */
static void write_gpadl_store(struct seed *s, uint32_t proc, uint32_t dev,
			      uint32_t alloc)
{
	uint32_t st = 1;
	uint64_t pfn;
	uint8_t *p;

	for (uint32_t i = 0; i < 2; i++) {
		p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_ESTABLISHGPADL, 0, 0);
		CMD(struct dxgkvmb_command_establishgpadl)->gpadl = 5;
		CMD(struct dxgkvmb_command_establishgpadl)->total_pages = 2;
		CMD(struct dxgkvmb_command_establishgpadl)->first_page = i;
		CMD(struct dxgkvmb_command_establishgpadl)->num_pages = 1;
		pfn = 7 + 3 * i;
		memcpy(p + sizeof(struct dxgkvmb_command_establishgpadl), &pfn,
		       sizeof(pfn));
		send(s, sizeof(struct dxgkvmb_command_establishgpadl) + sizeof(pfn),
		     &st);
		if (st)
			abort();
	}
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SETEXISTINGSYSMEMSTORE,
		proc, 0);
	CMD(struct dxgkvmb_command_setexistingsysmemstore)->device = dev;
	CMD(struct dxgkvmb_command_setexistingsysmemstore)->allocation = alloc;
	CMD(struct dxgkvmb_command_setexistingsysmemstore)->gpadl = 5;
	send(s, sizeof(struct dxgkvmb_command_setexistingsysmemstore), &st);
	if (st)
		abort();
	p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_TEARDOWNGPADL, 0, 0);
	CMD(struct dxgkvmb_command_teardowngpadl)->gpadl = 5;
	send(s, sizeof(struct dxgkvmb_command_teardowngpadl), &st);
	if (st)
		abort();
	(void)p;
}

/*
 * Guest memory the host maps: the handshake, an existing-sysmem allocation
 * whose two pages are named in two messages (page lists, or a GPADL as a
 * host without map_guest_memory takes them), mapped at a GPU VA.
 */
static void write_sysmem_seed(struct seed *s, bool gpadl)
{
	struct dxg_open_alloc_desc desc = { DXG_OPEN_ALLOC_DESC_VERSION, 0, 8192 };
	struct dxgkvmb_command_createallocation_allocinfo ai = { 0, sizeof(desc), 0 };
	struct dxg_guest_ram_probe pr = { .gpa = 0 };
	uint32_t proc, adapter, dev, queue, alloc, st = 1;
	uint64_t pfn;
	uint8_t *p;

	memcpy(pr.nonce, fz_ram_nonce, sizeof(pr.nonce));
	p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_VERIFYGUESTRAM, 0, 0);
	CMD(struct dxgkvmb_command_verifyguestram)->ram_top = FZ_RAM_SIZE;
	CMD(struct dxgkvmb_command_verifyguestram)->probe_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_verifyguestram), &pr, sizeof(pr));
	send(s, sizeof(struct dxgkvmb_command_verifyguestram) + sizeof(pr), &st);
	if (st)
		abort();
	seed_device(s, &proc, &adapter, &dev, &queue);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEALLOCATION, proc, 0);
	CMD(struct dxgkvmb_command_createallocation)->device = dev;
	CMD(struct dxgkvmb_command_createallocation)->alloc_count = 1;
	CMD(struct dxgkvmb_command_createallocation)->flags =
		D3DKMT_CREATEALLOCATION_FLAG_EXISTING_SYSMEM;
	memcpy(p + sizeof(struct dxgkvmb_command_createallocation), &ai, sizeof(ai));
	memcpy(p + sizeof(struct dxgkvmb_command_createallocation) + sizeof(ai),
	       &desc, sizeof(desc));
	send(s, sizeof(struct dxgkvmb_command_createallocation) + sizeof(ai) +
		sizeof(desc), NULL);
	alloc = reply_word(s, sizeof(struct dxgkvmb_command_createallocation_ret) / 4);
	if (!alloc)
		abort();
	if (gpadl)
		write_gpadl_store(s, proc, dev, alloc);
	for (uint32_t i = 0; !gpadl && i < 2; i++) {
		p = msg(s, DXGKVMB_VGPU_TO_HOST,
			DXGK_VMBCOMMAND_SETEXISTINGSYSMEMPAGES, proc, 0);
		CMD(struct dxgkvmb_command_setexistingsysmempages)->device = dev;
		CMD(struct dxgkvmb_command_setexistingsysmempages)->allocation = alloc;
		CMD(struct dxgkvmb_command_setexistingsysmempages)->num_pages = 1;
		CMD(struct dxgkvmb_command_setexistingsysmempages)->alloc_offset_in_pages = i;
		pfn = 7 + 3 * i;
		memcpy(p + sizeof(struct dxgkvmb_command_setexistingsysmempages),
		       &pfn, sizeof(pfn));
		send(s, sizeof(struct dxgkvmb_command_setexistingsysmempages) +
			sizeof(pfn), &st);
		if (!alloc || st)
			abort();
	}
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MAPGPUVIRTUALADDRESS,
		proc, 0);
	CMD(struct dxgkvmb_command_mapgpuva)->device = dev;
	CMD(struct dxgkvmb_command_mapgpuva)->args.paging_queue = queue;
	CMD(struct dxgkvmb_command_mapgpuva)->args.allocation = alloc;
	CMD(struct dxgkvmb_command_mapgpuva)->args.size_in_pages = 2;
	CMD(struct dxgkvmb_command_mapgpuva)->args.protection.value =
		D3DDDIGPUVA_PROTECTION_WRITE;
	send(s, sizeof(struct dxgkvmb_command_mapgpuva), NULL);
	if (((struct dxgkvmb_command_mapgpuva_ret *)(void *)s->reply)->status)
		abort();
}

/* Priority, device state and the observability commands on a live context. */
static void write_state_seed(struct seed *s)
{
	uint32_t proc, adapter, dev, ctxh = 0;
	uint8_t *p;

	proc = create_process(s);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER, proc, 0);
	CMD(struct dxgkvmb_command_openadapter)->vmbus_interface_version =
		DXGK_VMBUS_INTERFACE_VERSION;
	send(s, sizeof(struct dxgkvmb_command_openadapter), &adapter);
	msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc, 0);
	send(s, sizeof(struct dxgkvmb_command_createdevice), &dev);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL,
		proc, 0);
	CMD(struct dxgkvmb_command_createcontextvirtual)->device = dev;
	send(s, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED, NULL);
	memcpy(&ctxh, s->reply + offsetof(struct dxgkvmb_command_createcontextvirtual,
					  context), 4);
	p = msg(s, DXGKVMB_VGPU_TO_HOST,
		DXGK_VMBCOMMAND_SETCONTEXTSCHEDULINGPRIORITY, proc, 0);
	CMD(struct dxgkvmb_command_setcontextschedulingpriority2)->context = ctxh;
	CMD(struct dxgkvmb_command_setcontextschedulingpriority2)->priority = 3;
	send(s, sizeof(struct dxgkvmb_command_setcontextschedulingpriority2), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST,
		DXGK_VMBCOMMAND_GETCONTEXTSCHEDULINGPRIORITY, proc, 0);
	CMD(struct dxgkvmb_command_getcontextschedulingpriority)->context = ctxh;
	send(s, sizeof(struct dxgkvmb_command_getcontextschedulingpriority), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYSTATISTICS, proc, 0);
	CMD(struct dxgkvmb_command_querystatistics)->args.type =
		D3DKMT_QUERYSTATISTICS_SEGMENT;
	send(s, sizeof(struct dxgkvmb_command_querystatistics), NULL);
	/* NODE: the scheduler's busy time (after the context's creation). */
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYSTATISTICS, proc, 0);
	CMD(struct dxgkvmb_command_querystatistics)->args.type =
		D3DKMT_QUERYSTATISTICS_NODE;
	send(s, sizeof(struct dxgkvmb_command_querystatistics), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYCLOCKCALIBRATION,
		proc, 0);
	CMD(struct dxgkvmb_command_queryclockcalibration)->args.adapter = adapter;
	send(s, sizeof(struct dxgkvmb_command_queryclockcalibration), NULL);
	msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ISFEATUREENABLED, 0, 0);
	send(s, sizeof(struct dxgkvmb_command_isfeatureenabled), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MARKDEVICEASERROR, proc, 0);
	CMD(struct dxgkvmb_command_markdeviceaserror)->args.device = dev;
	CMD(struct dxgkvmb_command_markdeviceaserror)->args.reason =
		D3DKMT_DEVICE_ERROR_REASON_GENERIC;
	send(s, sizeof(struct dxgkvmb_command_markdeviceaserror), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETDEVICESTATE, proc, 0);
	CMD(struct dxgkvmb_command_getdevicestate)->args.device = dev;
	CMD(struct dxgkvmb_command_getdevicestate)->args.state_type =
		D3DKMT_DEVICESTATE_EXECUTION;
	send(s, sizeof(struct dxgkvmb_command_getdevicestate), NULL);
	(void)p;
}


/*
 * Sharing: a shared resource and a shared fence of one process, NT objects
 * of both, opened by a second process, the NT objects destroyed.  Each step
 * must succeed.
 */
static void write_share_seed(struct seed *s)
{
	struct dxg_open_alloc_desc desc = { DXG_OPEN_ALLOC_DESC_VERSION, 0, 8192 };
	struct dxgkvmb_command_createallocation_allocinfo ai = { 0, sizeof(desc), 0 };
	uint32_t proc, proc2, dev, dev2, res, alloc, so, nt_res, nt_so, st;
	uint8_t *p;

	proc = create_process(s);
	proc2 = create_process(s);
	msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc, 0);
	send(s, sizeof(struct dxgkvmb_command_createdevice), &dev);
	msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc2, 0);
	send(s, sizeof(struct dxgkvmb_command_createdevice), &dev2);

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEALLOCATION, proc, 0);
	CMD(struct dxgkvmb_command_createallocation)->device = dev;
	CMD(struct dxgkvmb_command_createallocation)->alloc_count = 1;
	CMD(struct dxgkvmb_command_createallocation)->flags =
		D3DKMT_CREATEALLOCATION_FLAG_CREATE_RESOURCE |
		D3DKMT_CREATEALLOCATION_FLAG_CREATE_SHARED |
		D3DKMT_CREATEALLOCATION_FLAG_NT_SECURITY_SHARING;
	memcpy(p + sizeof(struct dxgkvmb_command_createallocation), &ai, sizeof(ai));
	memcpy(p + sizeof(struct dxgkvmb_command_createallocation) + sizeof(ai),
	       &desc, sizeof(desc));
	send(s, sizeof(struct dxgkvmb_command_createallocation) + sizeof(ai) +
		sizeof(desc), NULL);
	res = reply_word(s, 1);
	alloc = reply_word(s, sizeof(struct dxgkvmb_command_createallocation_ret) / 4);

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATESYNCOBJECT, proc, 0);
	CMD(struct dxgkvmb_command_createsyncobject)->args.device = dev;
	CMD(struct dxgkvmb_command_createsyncobject)->args.info.type =
		D3DDDI_MONITORED_FENCE;
	CMD(struct dxgkvmb_command_createsyncobject)->args.info.flags.value =
		D3DDDI_SYNCOBJ_FLAG_SHARED | D3DDDI_SYNCOBJ_FLAG_NT_SECURITY_SHARING;
	send(s, sizeof(struct dxgkvmb_command_createsyncobject), &so);

	p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATENTSHAREDOBJECT, proc, 0);
	CMD(struct dxgkvmb_command_createntsharedobject)->object = res;
	CMD(struct dxgkvmb_command_createntsharedobject)->allocation_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_createntsharedobject), &alloc, 4);
	send(s, sizeof(struct dxgkvmb_command_createntsharedobject) + 4, &st);
	nt_res = reply_word(s, 1);
	if (st)
		abort();
	p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_CREATENTSHAREDOBJECT, proc, 0);
	CMD(struct dxgkvmb_command_createntsharedobject)->object = so;
	send(s, sizeof(struct dxgkvmb_command_createntsharedobject), &st);
	nt_so = reply_word(s, 1);
	if (st)
		abort();

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENRESOURCE, proc2, 0);
	CMD(struct dxgkvmb_command_openresource)->device = dev2;
	CMD(struct dxgkvmb_command_openresource)->nt_handle = nt_res;
	CMD(struct dxgkvmb_command_openresource)->allocation_count = 1;
	send(s, sizeof(struct dxgkvmb_command_openresource), &st);
	if (st)
		abort();
	p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_OPENSYNCOBJECT, proc2, 0);
	CMD(struct dxgkvmb_command_opensyncobject)->device = dev2;
	CMD(struct dxgkvmb_command_opensyncobject)->nt_handle = nt_so;
	send(s, sizeof(struct dxgkvmb_command_opensyncobject), &st);
	if (st)
		abort();
	p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_SHAREOBJECTWITHHOST, proc, 0);
	CMD(struct dxgkvmb_command_shareobjectwithhost)->device = dev;
	CMD(struct dxgkvmb_command_shareobjectwithhost)->object = res;
	send(s, sizeof(struct dxgkvmb_command_shareobjectwithhost), &st);
	if (st)
		abort();
	p = msg(s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYNTSHAREDOBJECT, 0, 0);
	CMD(struct dxgkvmb_command_destroyntsharedobject)->nt_handle = nt_res;
	send(s, sizeof(struct dxgkvmb_command_destroyntsharedobject), &st);
	if (st)
		abort();
}

/* A hw queue, a submission to it, a wait and a signal naming it, its destroy. */
static void write_hwqueue_seed(struct seed *s)
{
	uint32_t proc, adapter, dev, ctxh = 0, q = 0;
	uint8_t *p;

	proc = create_process(s);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER, proc, 0);
	CMD(struct dxgkvmb_command_openadapter)->vmbus_interface_version =
		DXGK_VMBUS_INTERFACE_VERSION;
	send(s, sizeof(struct dxgkvmb_command_openadapter), &adapter);
	msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc, 0);
	send(s, sizeof(struct dxgkvmb_command_createdevice), &dev);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL,
		proc, 0);
	CMD(struct dxgkvmb_command_createcontextvirtual)->device = dev;
	send(s, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED, NULL);
	memcpy(&ctxh, s->reply + offsetof(struct dxgkvmb_command_createcontextvirtual,
					  context), 4);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEHWQUEUE, proc, 0);
	CMD(struct dxgkvmb_command_createhwqueue)->context = ctxh;
	send(s, DXGKVMB_CREATEHWQUEUE_FIXED, NULL);
	memcpy(&q, s->reply + offsetof(struct dxgkvmb_command_createhwqueue,
				       hwqueue), 4);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SUBMITCOMMANDTOHWQUEUE,
		proc, 0);
	CMD(struct dxgkvmb_command_submitcommandtohwqueue)->args.hwqueue = q;
	CMD(struct dxgkvmb_command_submitcommandtohwqueue)->args.hwqueue_progress_fence_id = 1;
	send(s, sizeof(struct dxgkvmb_command_submitcommandtohwqueue), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYHWQUEUE, proc, 0);
	CMD(struct dxgkvmb_command_destroyhwqueue)->hwqueue = q;
	send(s, sizeof(struct dxgkvmb_command_destroyhwqueue), NULL);
	(void)p;
	(void)adapter;
}

/* Reply status of commands whose reply starts with it (a seed's check). */
static void want_ok(const struct seed *s, const char *what)
{
	if (reply_word(s, 0)) {
		fprintf(stderr, "seed: %s failed: 0x%08x\n", what, reply_word(s, 0));
		abort();
	}
}

/*
 * The rest of the table: Lock2/Unlock2, residency (MakeResident, Evict),
 * video memory info, an escape, UpdateGpuVirtualAddress, a fence signalled
 * from the CPU and waited for from the CPU and the GPU, a submission, then
 * every destroy of the objects made on the way.
 */
static void write_sync_seed(struct seed *s)
{
	struct dxg_open_alloc_desc desc = { DXG_OPEN_ALLOC_DESC_VERSION, 0, 8192 };
	struct dxgkvmb_command_createallocation_allocinfo ai = { 0, sizeof(desc), 0 };
	struct d3dddi_updategpuvirtualaddress_operation ops[4];
	struct dxg_escape_trim trim = { DXG_ESCAPE_TRIM, 0, 0, 0 };
	struct dxg_escape_device_address addr = { DXG_ESCAPE_DEVICE_ADDRESS, 0, 0 };
	uint32_t proc, adapter, dev, ctxh = 0, queue, alloc, so;
	const uint64_t one = 1;
	uint64_t va;
	uint8_t *p;

	proc = create_process(s);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER, proc, 0);
	CMD(struct dxgkvmb_command_openadapter)->vmbus_interface_version =
		DXGK_VMBUS_INTERFACE_VERSION;
	send(s, sizeof(struct dxgkvmb_command_openadapter), &adapter);
	msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc, 0);
	send(s, sizeof(struct dxgkvmb_command_createdevice), &dev);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL,
		proc, 0);
	CMD(struct dxgkvmb_command_createcontextvirtual)->device = dev;
	send(s, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED, NULL);
	memcpy(&ctxh, s->reply + offsetof(struct dxgkvmb_command_createcontextvirtual,
					  context), 4);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEPAGINGQUEUE, proc, 0);
	CMD(struct dxgkvmb_command_createpagingqueue)->args.device = dev;
	send(s, sizeof(struct dxgkvmb_command_createpagingqueue), &queue);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEALLOCATION, proc, 0);
	CMD(struct dxgkvmb_command_createallocation)->device = dev;
	CMD(struct dxgkvmb_command_createallocation)->alloc_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_createallocation), &ai, sizeof(ai));
	memcpy(p + sizeof(struct dxgkvmb_command_createallocation) + sizeof(ai),
	       &desc, sizeof(desc));
	send(s, sizeof(struct dxgkvmb_command_createallocation) + sizeof(ai) +
		sizeof(desc), NULL);
	alloc = reply_word(s, sizeof(struct dxgkvmb_command_createallocation_ret) / 4);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATESYNCOBJECT, proc, 0);
	CMD(struct dxgkvmb_command_createsyncobject)->args.device = dev;
	CMD(struct dxgkvmb_command_createsyncobject)->args.info.type =
		D3DDDI_MONITORED_FENCE;
	send(s, sizeof(struct dxgkvmb_command_createsyncobject), &so);
	if (!proc || !adapter || !dev || !ctxh || !queue || !alloc || !so)
		abort();

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_LOCK2, proc, 0);
	CMD(struct dxgkvmb_command_lock2)->args.device = dev;
	CMD(struct dxgkvmb_command_lock2)->args.allocation = alloc;
	send(s, sizeof(struct dxgkvmb_command_lock2), NULL);
	want_ok(s, "lock2");
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_UNLOCK2, proc, 0);
	CMD(struct dxgkvmb_command_unlock2)->args.device = dev;
	CMD(struct dxgkvmb_command_unlock2)->args.allocation = alloc;
	send(s, sizeof(struct dxgkvmb_command_unlock2), NULL);
	want_ok(s, "unlock2");
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_EVICT, proc, 0);
	CMD(struct dxgkvmb_command_evict)->device = dev;
	CMD(struct dxgkvmb_command_evict)->alloc_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_evict), &alloc, 4);
	send(s, sizeof(struct dxgkvmb_command_evict) + 4, NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_MAKERESIDENT, proc, 0);
	CMD(struct dxgkvmb_command_makeresident)->device = dev;
	CMD(struct dxgkvmb_command_makeresident)->paging_queue = queue;
	CMD(struct dxgkvmb_command_makeresident)->alloc_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_makeresident), &alloc, 4);
	send(s, sizeof(struct dxgkvmb_command_makeresident) + 4, NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYVIDEOMEMORYINFO,
		proc, 0);
	CMD(struct dxgkvmb_command_queryvideomemoryinfo)->adapter = adapter;
	send(s, sizeof(struct dxgkvmb_command_queryvideomemoryinfo), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ESCAPE, proc, 0);
	CMD(struct dxgkvmb_command_escape)->adapter = adapter;
	CMD(struct dxgkvmb_command_escape)->device = dev;
	CMD(struct dxgkvmb_command_escape)->priv_drv_data_size = sizeof(trim);
	memcpy(p + DXGKVMB_ESCAPE_FIXED, &trim, sizeof(trim));
	send(s, DXGKVMB_ESCAPE_FIXED + sizeof(trim), NULL);
	want_ok(s, "escape");
	/* A device address of the allocation (refused: CPU adapters). */
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_ESCAPE, proc, 0);
	CMD(struct dxgkvmb_command_escape)->adapter = adapter;
	CMD(struct dxgkvmb_command_escape)->device = dev;
	CMD(struct dxgkvmb_command_escape)->type = D3DKMT_ESCAPE_DRIVERPRIVATE;
	CMD(struct dxgkvmb_command_escape)->priv_drv_data_size = sizeof(addr);
	addr.allocation = alloc;
	memcpy(p + DXGKVMB_ESCAPE_FIXED, &addr, sizeof(addr));
	send(s, DXGKVMB_ESCAPE_FIXED + sizeof(addr), NULL);

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_RESERVEGPUVIRTUALADDRESS,
		proc, 0);
	CMD(struct dxgkvmb_command_reservegpuva)->args.adapter = adapter;
	CMD(struct dxgkvmb_command_reservegpuva)->args.size = 16 * 4096;
	send(s, sizeof(struct dxgkvmb_command_reservegpuva), NULL);
	memcpy(&va, s->reply, 8);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_UPDATEGPUVIRTUALADDRESS,
		proc, 0);
	CMD(struct dxgkvmb_command_updategpuva)->device = dev;
	CMD(struct dxgkvmb_command_updategpuva)->context = ctxh;
	CMD(struct dxgkvmb_command_updategpuva)->num_operations = 4;
	/* Map, map read-only, copy the mapping, unmap part of it. */
	memset(ops, 0, sizeof(ops));
	ops[0].operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP;
	ops[0].map.base_address = va;
	ops[0].map.size = 8192;
	ops[0].map.allocation = alloc;
	ops[0].map.allocation_size = 8192;
	ops[1].operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_MAP_PROTECT;
	ops[1].map_protect.base_address = va + 4 * 4096;
	ops[1].map_protect.size = 8192;
	ops[1].map_protect.allocation = alloc;
	ops[1].map_protect.allocation_size = 8192;
	ops[2].operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_COPY;
	ops[2].copy.source_address = va + 4 * 4096;
	ops[2].copy.size = 8192;
	ops[2].copy.dest_address = va + 8 * 4096;
	ops[3].operation = D3DDDI_UPDATEGPUVIRTUALADDRESS_UNMAP;
	ops[3].unmap.base_address = va + 9 * 4096;
	ops[3].unmap.size = 4096;
	memcpy(p + sizeof(struct dxgkvmb_command_updategpuva), ops, sizeof(ops));
	send(s, sizeof(struct dxgkvmb_command_updategpuva) + sizeof(ops), NULL);
	want_ok(s, "updategpuva");

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SIGNALSYNCOBJECT, proc, 0);
	CMD(struct dxgkvmb_command_signalsyncobject)->object_count = 1;
	CMD(struct dxgkvmb_command_signalsyncobject)->device = dev;
	memcpy(p + sizeof(struct dxgkvmb_command_signalsyncobject), &so, 4);
	memcpy(p + sizeof(struct dxgkvmb_command_signalsyncobject) + 4, &one, 8);
	send(s, sizeof(struct dxgkvmb_command_signalsyncobject) + 12, NULL);
	want_ok(s, "signal from cpu");
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMCPU,
		proc, 0);
	CMD(struct dxgkvmb_command_waitforsyncobjectfromcpu)->device = dev;
	CMD(struct dxgkvmb_command_waitforsyncobjectfromcpu)->object_count = 1;
	CMD(struct dxgkvmb_command_waitforsyncobjectfromcpu)->guest_event_pointer = 7;
	memcpy(p + sizeof(struct dxgkvmb_command_waitforsyncobjectfromcpu), &so, 4);
	memcpy(p + sizeof(struct dxgkvmb_command_waitforsyncobjectfromcpu) + 4,
	       &one, 8);
	send(s, sizeof(struct dxgkvmb_command_waitforsyncobjectfromcpu) + 12, NULL);
	want_ok(s, "wait from cpu");
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_WAITFORSYNCOBJECTFROMGPU,
		proc, 0);
	CMD(struct dxgkvmb_command_waitforsyncobjectfromgpu)->context = ctxh;
	CMD(struct dxgkvmb_command_waitforsyncobjectfromgpu)->object_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_waitforsyncobjectfromgpu), &one, 8);
	memcpy(p + sizeof(struct dxgkvmb_command_waitforsyncobjectfromgpu) + 8,
	       &so, 4);
	send(s, sizeof(struct dxgkvmb_command_waitforsyncobjectfromgpu) + 12, NULL);
	want_ok(s, "wait from gpu");
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SUBMITCOMMAND, proc, 0);
	CMD(struct dxgkvmb_command_submitcommand)->args.command_buffer = va;
	CMD(struct dxgkvmb_command_submitcommand)->args.command_length = 16;
	CMD(struct dxgkvmb_command_submitcommand)->args.broadcast_context_count = 1;
	CMD(struct dxgkvmb_command_submitcommand)->args.broadcast_context[0] = ctxh;
	send(s, sizeof(struct dxgkvmb_command_submitcommand), NULL);
	/* A signal from the GPU: one object, one context, after the submission. */
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_SIGNALSYNCOBJECT, proc, 0);
	CMD(struct dxgkvmb_command_signalsyncobject)->object_count = 1;
	CMD(struct dxgkvmb_command_signalsyncobject)->context_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_signalsyncobject), &so, 4);
	memcpy(p + sizeof(struct dxgkvmb_command_signalsyncobject) + 4, &ctxh, 4);
	memcpy(p + sizeof(struct dxgkvmb_command_signalsyncobject) + 8, &one, 8);
	send(s, sizeof(struct dxgkvmb_command_signalsyncobject) + 16, NULL);

	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYSYNCOBJECT, proc, 0);
	CMD(struct dxgkvmb_command_destroysyncobject)->sync_object = so;
	send(s, sizeof(struct dxgkvmb_command_destroysyncobject), NULL);
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYALLOCATION, proc, 0);
	CMD(struct dxgkvmb_command_destroyallocation)->device = dev;
	CMD(struct dxgkvmb_command_destroyallocation)->alloc_count = 1;
	memcpy(p + sizeof(struct dxgkvmb_command_destroyallocation), &alloc, 4);
	send(s, sizeof(struct dxgkvmb_command_destroyallocation) + 4, NULL);
	want_ok(s, "destroy allocation");
	p = msg(s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYPAGINGQUEUE, proc, 0);
	CMD(struct dxgkvmb_command_destroypagingqueue)->paging_queue = queue;
	send(s, sizeof(struct dxgkvmb_command_destroypagingqueue), NULL);
	want_ok(s, "destroy paging queue");
}

static void write_seeds(const char *dir)
{
	static struct seed s;
	uint32_t proc, adapter, dev, ctxh = 0;
	uint8_t *p;

	seed_begin(&s);
	create_process(&s);
	seed_end(&s, dir, "createprocess");

	seed_begin(&s);
	proc = create_process(&s);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_OPENADAPTER, proc, 0);
	CMD(struct dxgkvmb_command_openadapter)->vmbus_interface_version =
		DXGK_VMBUS_INTERFACE_VERSION;
	send(&s, sizeof(struct dxgkvmb_command_openadapter), &adapter);
	msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_GETINTERNALADAPTERINFO, 0, 0);
	send(&s, sizeof(struct dxgkvmb_command_getinternaladapterinfo), NULL);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_QUERYADAPTERINFO, proc, 0);
	CMD(struct dxgkvmb_command_queryadapterinfo)->query_type =
		KMTQAITYPE_ADAPTERTYPE;
	CMD(struct dxgkvmb_command_queryadapterinfo)->private_data_size = 8;
	send(&s, sizeof(struct dxgkvmb_command_queryadapterinfo) + 8, NULL);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc, 0);
	send(&s, sizeof(struct dxgkvmb_command_createdevice), &dev);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL,
		proc, 0);
	CMD(struct dxgkvmb_command_createcontextvirtual)->device = dev;
	CMD(struct dxgkvmb_command_createcontextvirtual)->priv_drv_data_size = 8;
	send(&s, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED + 8, NULL);
	memcpy(&ctxh, s.reply + offsetof(struct dxgkvmb_command_createcontextvirtual,
					 context), 4);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYCONTEXT, proc, 0);
	CMD(struct dxgkvmb_command_destroycontext)->context = ctxh;
	send(&s, sizeof(struct dxgkvmb_command_destroycontext), NULL);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_DESTROYDEVICE, proc, 0);
	CMD(struct dxgkvmb_command_destroydevice)->device = dev;
	send(&s, sizeof(struct dxgkvmb_command_destroydevice), NULL);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CLOSEADAPTER, 0, 0);
	CMD(struct dxgkvmb_command_closeadapter)->host_handle = adapter;
	send(&s, sizeof(struct dxgkvmb_command_closeadapter), NULL);
	msg(&s, DXGKVMB_VM_TO_HOST, DXGK_VMBCOMMAND_DESTROYPROCESS, proc, 0);
	send(&s, sizeof(struct dxgkvmb_command_destroyprocess), NULL);
	seed_end(&s, dir, "lifecycle");

	/* Two processes with devices on the second adapter, left alive. */
	seed_begin(&s);
	proc = create_process(&s);
	create_process(&s);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATEDEVICE, proc, 1);
	send(&s, sizeof(struct dxgkvmb_command_createdevice), &dev);
	p = msg(&s, DXGKVMB_VGPU_TO_HOST, DXGK_VMBCOMMAND_CREATECONTEXTVIRTUAL,
		proc, 1);
	CMD(struct dxgkvmb_command_createcontextvirtual)->device = dev;
	send(&s, DXGKVMB_CREATECONTEXTVIRTUAL_FIXED, NULL);
	seed_end(&s, dir, "two-processes");

	seed_begin(&s);
	write_memory_seed(&s);
	seed_end(&s, dir, "memory");

	seed_begin(&s);
	write_sysmem_seed(&s, false);
	seed_end(&s, dir, "sysmem");

	seed_begin(&s);
	write_sysmem_seed(&s, true);
	seed_end(&s, dir, "sysmem-gpadl");

	seed_begin(&s);
	write_state_seed(&s);
	seed_end(&s, dir, "state");

	seed_begin(&s);
	write_share_seed(&s);
	seed_end(&s, dir, "share");

	seed_begin(&s);
	write_hwqueue_seed(&s);
	seed_end(&s, dir, "hwqueue");

	seed_begin(&s);
	write_sync_seed(&s);
	seed_end(&s, dir, "sync-submit");
	(void)p;
	if (!ctxh)
		abort();	/* the lifecycle seed must have made a context */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("DXG_FUZZ_SEEDS");

	(void)argc;
	(void)argv;
	/* Failures are expected by the million; keep the log for crashes. */
	dxg_log_set_level(DXG_LOG_ERROR);
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}
