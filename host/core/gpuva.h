/* SPDX-License-Identifier: MIT */
/*
 * A GPU virtual address space (one per host device): reservations and
 * mappings of GPU VA ranges onto host memory (the VM's IO space in its
 * memfd).  The command-stream executor translates every address a command
 * names through it, so a guest can only reach memory it mapped into its own
 * device's space.
 *
 * Addresses and sizes are multiples of DXG_GPUVA_PAGE.  All arithmetic is
 * overflow-checked; every function returns 0 or a negative NTSTATUS.
 */
#ifndef DXGHOST_GPUVA_H
#define DXGHOST_GPUVA_H

#include <stddef.h>
#include <stdint.h>

#include "exec/va.h"

#define DXG_GPUVA_PAGE		4096u
/* The space every device gets: [DXG_GPUVA_BASE, DXG_GPUVA_BASE + DXG_GPUVA_SIZE). */
#define DXG_GPUVA_BASE		0x100000000ull		/* 4 GiB: 0 is never valid */
#define DXG_GPUVA_SIZE		0x10000000000ull	/* 1 TiB */

struct dxg_gpuva_space;

struct dxg_gpuva_space *dxg_gpuva_create(uint64_t base, uint64_t size);
void dxg_gpuva_destroy(struct dxg_gpuva_space *s);

/*
 * Reserve @size bytes.  With @fixed_va != 0 exactly there (must be free),
 * else the lowest free range in [@min_va, @max_va) (0 = whole space)
 * aligned to @align (a power of two >= DXG_GPUVA_PAGE, or 0).
 */
int32_t dxg_gpuva_reserve(struct dxg_gpuva_space *s, uint64_t fixed_va,
			  uint64_t min_va, uint64_t max_va, uint64_t size,
			  uint64_t align, uint64_t *out_va);
/* Free a whole reservation (and unmap whatever is mapped in it). */
int32_t dxg_gpuva_free(struct dxg_gpuva_space *s, uint64_t va, uint64_t size);

/*
 * Protection of a mapping (the bits of d3dddigpuva_protection_type, same
 * values).  Without PROT_WRITE a mapping is read-only.  EXECUTE is recorded
 * only: nothing in the command stream executes from a GPU VA.  ZERO and
 * NO_ACCESS are states without memory (host NULL): a zero range discards
 * writes (and reads as zeros where the executor can supply them), a
 * no-access range faults on every access.
 */
#define DXG_GPUVA_PROT_WRITE		(1u << 0)
#define DXG_GPUVA_PROT_EXECUTE		(1u << 1)
#define DXG_GPUVA_PROT_ZERO		(1u << 2)
#define DXG_GPUVA_PROT_NO_ACCESS	(1u << 3)
#define DXG_GPUVA_PROT_RW		DXG_GPUVA_PROT_WRITE

/*
 * Map [@va, @va + @size) — inside one reservation, not already mapped — to
 * host memory @host (an allocation's backing, @size bytes valid).  @owner is
 * an opaque id (the allocation) so a destroyed allocation's mappings can be
 * dropped with dxg_gpuva_unmap_owner().  dxg_gpuva_map() maps read-write;
 * dxg_gpuva_map_prot() takes a protection: @host must be NULL exactly when
 * it is ZERO or NO_ACCESS (then WRITE and EXECUTE are meaningless and
 * refused, and @owner should be 0).
 */
int32_t dxg_gpuva_map(struct dxg_gpuva_space *s, uint64_t va, uint64_t size,
		      void *host, uint64_t owner);
int32_t dxg_gpuva_map_prot(struct dxg_gpuva_space *s, uint64_t va,
			   uint64_t size, void *host, uint64_t owner,
			   uint32_t prot);
/*
 * Map [@va, @va + @size) read-write onto device memory @dev (an engine's
 * object, docs/memory.md §8) from @dev_offset: memory the host's CPU cannot
 * reach, so dxg_gpuva_access() faults on it and only engines use it
 * (dxg_gpuva_resolve()).
 */
int32_t dxg_gpuva_map_dev(struct dxg_gpuva_space *s, uint64_t va, uint64_t size,
			  void *dev, uint64_t dev_offset, uint64_t owner);
int32_t dxg_gpuva_unmap(struct dxg_gpuva_space *s, uint64_t va, uint64_t size);
void dxg_gpuva_unmap_owner(struct dxg_gpuva_space *s, uint64_t owner);

/*
 * Make [@dst, @dst + @size) map what [@src, @src + @size) maps, page for
 * page: the same host memory, owners and protection (a page-table copy, no
 * data moves).  Each range lies in one reservation (not necessarily the
 * same); every source page must be mapped (any state); whatever the
 * destination mapped before is replaced.  The ranges may overlap: the
 * destination gets the source as it was before the call.  On failure the
 * space is unchanged.
 */
int32_t dxg_gpuva_copy(struct dxg_gpuva_space *s, uint64_t src, uint64_t size,
		       uint64_t dst);

/*
 * A deep copy of @s (NULL when out of memory), and an exchange of two
 * spaces' contents: a batch of changes is applied to a copy and swapped in
 * only when every change succeeded.
 */
struct dxg_gpuva_space *dxg_gpuva_clone(const struct dxg_gpuva_space *s);
void dxg_gpuva_swap(struct dxg_gpuva_space *a, struct dxg_gpuva_space *b);

/* Access a command makes to a range (the command stream's flags). */
#define DXG_GPUVA_READ		DXG_VA_READ
#define DXG_GPUVA_WRITE		DXG_VA_WRITE

/*
 * Translate [@va, @va + @len) to a host pointer for @access (DXG_GPUVA_READ
 * and/or DXG_GPUVA_WRITE); the whole range must lie in one mapping with
 * memory whose protection allows the access.  Returns NULL otherwise (the
 * caller reports a fault).  dxg_gpuva_translate() is a read.
 */
void *dxg_gpuva_access(const struct dxg_gpuva_space *s, uint64_t va,
		       uint64_t len, unsigned int access);
void *dxg_gpuva_translate(const struct dxg_gpuva_space *s, uint64_t va,
			  uint64_t len);
/* Does [@va, @va + @len) lie in one mapping in the ZERO state? */
/*
 * The memory behind [va, va + len) for @access, host or device: 0, or -1 (a
 * fault: unmapped, crossing mappings, memoryless, or a forbidden write).
 */
int dxg_gpuva_resolve(const struct dxg_gpuva_space *s, uint64_t va, uint64_t len,
		      unsigned int access, struct dxg_engine_mem *out);
int dxg_gpuva_is_zero(const struct dxg_gpuva_space *s, uint64_t va,
		      uint64_t len);

/* The space as the command stream sees it (exec/va.h); NULL for NULL. */
const struct dxg_va *dxg_gpuva_va(const struct dxg_gpuva_space *s);

/*
 * Monitored fences (docs/sync.md §1): each fence object gets one page of
 * the space, a reservation of its own in the fence window (the top
 * DXG_GPUVA_FENCE_WINDOW bytes), mapped read-only onto the fence page
 * @host.  The host owns it: the guest's free, map, unmap and copy fail on
 * it (STATUS_INVALID_PARAMETER), so it stays what it is until
 * dxg_gpuva_unmap_fence().  @owner is the fence object's id (handle),
 * @device the id of the device whose command buffers may name it.
 */
#define DXG_GPUVA_FENCE_WINDOW	0x100000000ull		/* 4 GiB */
int32_t dxg_gpuva_map_fence(struct dxg_gpuva_space *s, void *host,
			    uint64_t owner, uint32_t device, uint64_t *out_va);
int32_t dxg_gpuva_unmap_fence(struct dxg_gpuva_space *s, uint64_t va,
			      uint64_t owner);
/* Is @va exactly a fence's address?  0 with its owner and device, or -1. */
int dxg_gpuva_fence(const struct dxg_gpuva_space *s, uint64_t va,
		    uint64_t *owner, uint32_t *device);

/*
 * The space as one device's command buffers see it: everything the space
 * maps, and the fences of that device only (dxg_va_fence(); the space's
 * own view, dxg_gpuva_va(), knows no fences).
 */
struct dxg_gpuva_view {
	struct dxg_va va;
	const struct dxg_gpuva_space *space;
	uint32_t device;
};
const struct dxg_va *dxg_gpuva_device_view(struct dxg_gpuva_view *v,
					   const struct dxg_gpuva_space *s,
					   uint32_t device);

#endif /* DXGHOST_GPUVA_H */
