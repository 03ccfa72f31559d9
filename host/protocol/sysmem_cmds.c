// SPDX-License-Identifier: MIT
/*
 * Guest memory the host maps (docs/memory.md §11): the guest-RAM handshake
 * (VERIFYGUESTRAM, opendxg's) and the page frames of existing-sysmem
 * allocations, either in page lists (SETEXISTINGSYSMEMPAGES, as a Hyper-V
 * host that set map_guest_memory receives them) or by a GPADL
 * (SETEXISTINGSYSMEMSTORE, as one without it does; the GPADL comes by
 * ESTABLISHGPADL, ivshmem's stand-in for VMBus's GPADL messages).  The
 * memory service is core/sysmem.c, core/gpadl.c and core/guest_ram.c.
 */
#include <stdio.h>
#include <string.h>

#include "core/gpadl.h"
#include "core/memory.h"
#include "core/sysmem.h"
#include "dxg/ntstatus.h"
#include "dxg/protocol.h"
#include "protocol/cmds.h"

int32_t dxg_h_verifyguestram(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_verifyguestram, c);
	struct dxg_mem *m = ctx->mem;
	int32_t st;

	/*
	 * In Windows mode too: there it is the ivshmem transport's part of
	 * GPADLs (what Hyper-V knows of guest memory without being told),
	 * not a command of the dxgkrnl protocol.
	 */
	if (!m)
		return STATUS_NOT_SUPPORTED;
	if (!c.probe_count || c.probe_count > DXG_GUEST_RAM_MAX_PROBES ||
	    sizeof(c) + (uint64_t)c.probe_count *
			sizeof(struct dxg_guest_ram_probe) > req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	/* Once per guest instance: allocations already use the layout. */
	if (m->ram.verified)
		return STATUS_INVALID_PARAMETER;
	if (!dxg_guest_ram_held(&m->ram)) {
		char why[160] = "this host does not map guest RAM";
		int fd = ctx->guest_ram ?
			 ctx->guest_ram(ctx->guest_ram_arg, why, sizeof(why)) : -1;
		int r = fd >= 0 ? dxg_guest_ram_init(&m->ram, fd) : -1;

		if (r) {
			if (fd >= 0)
				snprintf(why, sizeof(why), "%s", strerror(-r));
			if (ctx->rl)
				dxg_log_rl(ctx->rl, DXG_LOG_INFO,
					   "vm %u: guest RAM not mapped (%s): existing-sysmem allocations refused",
					   ctx->vm_id, why);
			return STATUS_NOT_SUPPORTED;
		}
	}
	st = dxg_guest_ram_verify(&m->ram, c.ram_top, req->cmd + sizeof(c),
				  c.probe_count);
	if (ctx->rl && st < 0)
		dxg_log_rl(ctx->rl, DXG_LOG_WARN,
			   "vm %u: guest RAM not verified (0x%08x): existing-sysmem allocations refused",
			   ctx->vm_id, (uint32_t)st);
	else if (ctx->rl)
		dxg_log_rl(ctx->rl, DXG_LOG_INFO,
			   "vm %u: guest RAM verified (%llu MiB below 4 GiB, %llu MiB above): existing-sysmem allocations in place",
			   ctx->vm_id, (unsigned long long)(m->ram.low >> 20),
			   (unsigned long long)(m->ram.high >> 20));
	return st;
}

int32_t dxg_h_setexistingsysmempages(struct dxg_dispatch_ctx *ctx,
				     struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_setexistingsysmempages, c);
	struct dxg_mem *m = ctx->mem;
	struct dxg_obj *a;

	/* A Windows-mode host is one without map_guest_memory. */
	if (!m || ctx->windows)
		return STATUS_NOT_SUPPORTED;
	a = req_device_alloc(ctx, req, c.device, c.allocation);
	if (!a)
		return STATUS_INVALID_HANDLE;
	if (!a->u.allocation.sys || !c.num_pages ||
	    sizeof(c) + (uint64_t)c.num_pages * sizeof(uint64_t) > req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	return dxg_sysmem_set_pages(a->u.allocation.sys, &m->ram,
				    c.alloc_offset_in_pages, c.num_pages,
				    req->cmd + sizeof(c), &m->sys_runs);
}

int32_t dxg_h_setexistingsysmemstore(struct dxg_dispatch_ctx *ctx,
				     struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_setexistingsysmemstore, c);
	struct dxg_mem *m = ctx->mem;
	const struct dxg_gpadl *g;
	struct dxg_obj *a;

	if (!m)
		return STATUS_NOT_SUPPORTED;
	a = req_device_alloc(ctx, req, c.device, c.allocation);
	if (!a)
		return STATUS_INVALID_HANDLE;
	g = dxg_gpadl_complete(&m->gpadls, c.gpadl);
	/* The GPADL covers the allocation exactly, as the reference makes it. */
	if (!a->u.allocation.sys || !g || g->pages != a->u.allocation.sys->pages)
		return STATUS_INVALID_PARAMETER;
	return dxg_sysmem_set_pages(a->u.allocation.sys, &m->ram, 0, g->pages,
				    g->pfns, &m->sys_runs);
}

int32_t dxg_h_establishgpadl(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_establishgpadl, c);
	struct dxg_mem *m = ctx->mem;

	if (!m)
		return STATUS_NOT_SUPPORTED;
	if (c.num_pages > DXG_GPADL_PFNS_PER_MSG ||
	    sizeof(c) + (uint64_t)c.num_pages * sizeof(uint64_t) > req->cmd_len)
		return STATUS_INVALID_PARAMETER;
	return dxg_gpadl_name(&m->gpadls, &m->ram, c.gpadl, c.total_pages,
			      c.first_page, c.num_pages, req->cmd + sizeof(c));
}

int32_t dxg_h_teardowngpadl(struct dxg_dispatch_ctx *ctx, struct dxg_req *req)
{
	REQ_GET(req, struct dxgkvmb_command_teardowngpadl, c);

	if (!ctx->mem)
		return STATUS_NOT_SUPPORTED;
	return dxg_gpadl_teardown(&ctx->mem->gpadls, c.gpadl);
}
