/* SPDX-License-Identifier: MIT */
/*
 * Host handle table (one per VM): a growable array of slots with a FIFO
 * free list (a freed index is reused as late as possible) and an 8-bit
 * generation per slot, advanced on every reuse, encoded into the handle as
 * include/dxg/handle.h describes.  Lookups are typed and reject free,
 * stale, out-of-range and wrong-type handles.  A hard cap bounds the
 * number of live entries (the VM's quota).
 */
#ifndef DXGHOST_HANDLES_H
#define DXGHOST_HANDLES_H

#include <stdint.h>

/* Slot type 0 means "free"; callers use 1..255. */
#define DXG_HT_FREE		0u
/* Free slots kept in reserve before an index is reused (table grows instead). */
#define DXG_HT_REUSE_RESERVE	64u
#define DXG_HT_NONE		UINT32_MAX

struct dxg_ht_slot {
	void *obj;
	uint32_t next_free;	/* free-list link (DXG_HT_NONE at the tail) */
	uint8_t type;		/* DXG_HT_FREE when unused */
	uint8_t generation;	/* of the current (or last) occupant */
};

struct dxg_handle_table {
	struct dxg_ht_slot *slots;	/* slots[0] is never used */
	uint32_t capacity;		/* allocated slots, including slot 0 */
	uint32_t live;			/* occupied slots */
	uint32_t max_live;		/* quota */
	uint32_t nfree;
	uint32_t free_head, free_tail;
};

/* max_live: 1 .. DXG_HANDLE_MAX_INDEX. Returns 0 or -EINVAL. */
int dxg_ht_init(struct dxg_handle_table *t, uint32_t max_live);
void dxg_ht_destroy(struct dxg_handle_table *t);

/* Returns 0 and *handle, -ENOSPC at the quota, -ENOMEM. type != 0. */
int dxg_ht_alloc(struct dxg_handle_table *t, uint8_t type, void *obj,
		 uint32_t *handle);
/* The object, or NULL when the handle is not a live handle of this type. */
void *dxg_ht_lookup(const struct dxg_handle_table *t, uint32_t handle,
		    uint8_t type);
/* Returns 0 or -EBADF (same rules as lookup). */
int dxg_ht_free(struct dxg_handle_table *t, uint32_t handle, uint8_t type);

#endif /* DXGHOST_HANDLES_H */
