/* SPDX-License-Identifier: MIT */
/*
 * D3DKMT handle encoding shared by the guest module and dxghost.
 *
 * A handle is 32 bits: bits 0-5 "instance", bits 6-29 the table index,
 * bits 30-31 "unique" (the Windows D3DKMT_HANDLE shape).  opendxg uses the
 * 6 instance bits and the 2 unique bits together as an 8-bit generation
 * that advances every time a table slot is reused, so a stale handle is
 * recognised for 255 reuses of its slot (the reference driver's 2-bit
 * counter was reset on every free and stopped detecting anything).
 * Index 0 is never used, so the value 0 is never a valid handle.
 */
#ifndef DXG_HANDLE_H
#define DXG_HANDLE_H

#include "compat.h"

#define DXG_HANDLE_INDEX_BITS	24
#define DXG_HANDLE_MAX_INDEX	((1u << DXG_HANDLE_INDEX_BITS) - 1)

static inline __u32 dxg_handle_make(__u32 index, __u8 generation)
{
	return ((__u32)generation & 0x3fu) | (index << 6) |
	       (((__u32)generation >> 6) << 30);
}

static inline __u32 dxg_handle_index(__u32 handle)
{
	return (handle >> 6) & DXG_HANDLE_MAX_INDEX;
}

static inline __u8 dxg_handle_generation(__u32 handle)
{
	return (__u8)((handle & 0x3fu) | ((handle >> 30) << 6));
}

/* The generation after g; never 0, so a fresh slot's first handle differs from "none". */
static inline __u8 dxg_handle_next_generation(__u8 g)
{
	return g == 0xff ? 1 : (__u8)(g + 1);
}

#endif /* DXG_HANDLE_H */
