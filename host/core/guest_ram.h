/* SPDX-License-Identifier: MIT */
/*
 * The guest's RAM as the host holds it (docs/memory.md §11): the file
 * behind QEMU's memory-backend-memfd (share=on), mapped whole, and where
 * each guest-physical page lies in it.  The layout is never assumed: the
 * guest's VERIFYGUESTRAM names where its RAM ends and probe pages it filled
 * with random bytes; dxg_guest_ram_verify() derives the one layout an x86
 * PC machine can have (RAM below the PCI hole at file offset = address,
 * the rest from 4 GiB on right after it in the file) and accepts it only
 * if every probe is found where the layout puts it, at least one in each
 * part.  Until then nothing is translated.
 */
#ifndef DXGHOST_GUEST_RAM_H
#define DXGHOST_GUEST_RAM_H

#include <stdbool.h>
#include <stdint.h>

#include "dxg/protocol.h"

#define DXG_GUEST_RAM_PAGE	4096u
#define DXG_GUEST_RAM_4G	0x100000000ull

struct dxg_guest_ram {
	int fd;			/* the guest-RAM file; -1: none */
	uint8_t *base;		/* all of it, shared */
	uint64_t size;
	bool verified;
	uint64_t low;		/* [0, low) lies at offset = address */
	uint64_t high;		/* [4 GiB, 4 GiB + high) right after low */
};

/* No guest RAM (what a zeroed struct means too, except fd). */
void dxg_guest_ram_none(struct dxg_guest_ram *r);
/* Maps the file @fd (taken over: closed by fini, also on failure). */
int dxg_guest_ram_init(struct dxg_guest_ram *r, int fd);
void dxg_guest_ram_fini(struct dxg_guest_ram *r);
static inline bool dxg_guest_ram_held(const struct dxg_guest_ram *r)
{
	return r->base != NULL;
}

/*
 * The handshake: STATUS_SUCCESS and r->verified, or STATUS_NOT_SUPPORTED
 * (no RAM held, or the probes disagree with the layout: r->verified is
 * then false), or STATUS_INVALID_PARAMETER (malformed).  @probes may be
 * unaligned (they come straight from a message).
 */
int32_t dxg_guest_ram_verify(struct dxg_guest_ram *r, uint64_t ram_top,
			     const void *probes, uint32_t count);

/* The file offset of the guest page at @gpa: 0, or -1 (not RAM, unverified). */
int dxg_guest_ram_offset(const struct dxg_guest_ram *r, uint64_t gpa,
			 uint64_t *off);

#endif /* DXGHOST_GUEST_RAM_H */
