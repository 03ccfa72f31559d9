/* SPDX-License-Identifier: MIT */
/*
 * GPADLs over ivshmem (docs/memory.md §11): the stand-in for VMBus's GPADL
 * channel messages, so that a Windows-mode host (one without
 * map_guest_memory) takes existing-sysmem allocations as a Hyper-V host
 * does, by SETEXISTINGSYSMEMSTORE naming a GPADL.  A GPADL is a
 * guest-chosen nonzero handle and the guest page frames of its pages,
 * named by one or more ESTABLISHGPADL messages, each page once; only
 * guest RAM the VM verified can be named.  The VM's GPADLs are bounded in
 * number and in pages, and forgotten with the guest instance.
 */
#ifndef DXGHOST_GPADL_H
#define DXGHOST_GPADL_H

#include <stdint.h>

#include "core/guest_ram.h"

#define DXG_GPADL_MAX		4096u		/* per VM */
#define DXG_GPADL_MAX_PAGES	(1u << 22)	/* per VM: 16 GiB of pages */

struct dxg_gpadl {
	struct dxg_gpadl *next;
	uint32_t handle;
	uint32_t pages, named;
	uint64_t pfns[];	/* DXG_GPADL_UNNAMED until named */
};

struct dxg_gpadls {
	struct dxg_gpadl *head;
	uint32_t count;
	uint64_t pages;		/* over all of them */
};

void dxg_gpadls_init(struct dxg_gpadls *t);
/* Forgets every GPADL (a new guest instance, the VM's end). */
void dxg_gpadls_fini(struct dxg_gpadls *t);

/*
 * ESTABLISHGPADL: pages [@first, @first + @count) of GPADL @handle of
 * @total pages, by the @count unaligned u64 page frames at @pfns.  The
 * message with @first 0 creates it.  A refused message changes nothing.
 * An NTSTATUS: STATUS_INVALID_PARAMETER (a bad handle, range, repeated or
 * not-RAM page, or a total that disagrees), STATUS_NOT_SUPPORTED (guest RAM
 * not verified), STATUS_NO_MEMORY (over the VM's bounds).
 */
int32_t dxg_gpadl_name(struct dxg_gpadls *t, const struct dxg_guest_ram *r,
		       uint32_t handle, uint32_t total, uint32_t first,
		       uint32_t count, const void *pfns);
/* TEARDOWNGPADL: STATUS_SUCCESS or STATUS_INVALID_PARAMETER (unknown). */
int32_t dxg_gpadl_teardown(struct dxg_gpadls *t, uint32_t handle);
/* The GPADL @handle with every page named, or NULL. */
const struct dxg_gpadl *dxg_gpadl_complete(const struct dxg_gpadls *t,
					   uint32_t handle);

#endif /* DXGHOST_GPADL_H */
