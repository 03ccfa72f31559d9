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
 * Map [@va, @va + @size) — inside one reservation, not already mapped — to
 * host memory @host (an allocation's backing, @size bytes valid).  @owner is
 * an opaque id (the allocation) so a destroyed allocation's mappings can be
 * dropped with dxg_gpuva_unmap_owner().
 */
int32_t dxg_gpuva_map(struct dxg_gpuva_space *s, uint64_t va, uint64_t size,
		      void *host, uint64_t owner);
int32_t dxg_gpuva_unmap(struct dxg_gpuva_space *s, uint64_t va, uint64_t size);
void dxg_gpuva_unmap_owner(struct dxg_gpuva_space *s, uint64_t owner);

/*
 * A deep copy of @s (NULL when out of memory), and an exchange of two
 * spaces' contents: a batch of changes is applied to a copy and swapped in
 * only when every change succeeded.
 */
struct dxg_gpuva_space *dxg_gpuva_clone(const struct dxg_gpuva_space *s);
void dxg_gpuva_swap(struct dxg_gpuva_space *a, struct dxg_gpuva_space *b);

/*
 * Translate [@va, @va + @len) to a host pointer; the whole range must lie in
 * one mapping.  Returns NULL otherwise (the caller reports a fault).
 */
void *dxg_gpuva_translate(const struct dxg_gpuva_space *s, uint64_t va,
			  uint64_t len);

#endif /* DXGHOST_GPUVA_H */
