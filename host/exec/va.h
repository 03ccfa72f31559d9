/* SPDX-License-Identifier: MIT */
/*
 * What the command stream needs from a GPU virtual address space: a host
 * pointer for a range a command reads or writes, and whether a range is in
 * the zero state (writes discarded, reads zero).  The space itself -- its
 * reservations, mappings and protection -- belongs to the layer above
 * (core/gpuva.c), which embeds struct dxg_va in it and supplies the ops, so
 * this layer parses and translates without knowing any object.
 */
#ifndef DXGHOST_VA_H
#define DXGHOST_VA_H

#include <stddef.h>
#include <stdint.h>

#include "engines/engine.h"

/* Access a command makes to a range. */
#define DXG_VA_READ	(1u << 0)
#define DXG_VA_WRITE	(1u << 1)

struct dxg_va;

struct dxg_va_ops {
	/*
	 * [addr, addr + len) as a host pointer for @access: the whole range
	 * in one mapping with memory whose protection allows the access; NULL
	 * otherwise (a fault).
	 */
	void *(*access)(const struct dxg_va *va, uint64_t addr, uint64_t len,
			unsigned int access);
	/* Does [addr, addr + len) lie in one mapping in the zero state? */
	int (*is_zero)(const struct dxg_va *va, uint64_t addr, uint64_t len);
	/*
	 * As access, but device memory too: 0 with *out set (host or dev), or
	 * -1 for a fault.
	 */
	int (*resolve)(const struct dxg_va *va, uint64_t addr, uint64_t len,
		       unsigned int access, struct dxg_engine_mem *out);
	/*
	 * Is @addr a monitored fence's GPU VA that the submitting device may
	 * name in FENCE_SIGNAL / FENCE_WAIT?  0 with *id (the fence's id for
	 * the layer above), or -1.  NULL: no fences in this space.
	 */
	int (*fence)(const struct dxg_va *va, uint64_t addr, uint64_t *id);
};

struct dxg_va {
	const struct dxg_va_ops *ops;
};

/* No address space (NULL) has nothing mapped. */
static inline void *dxg_va_access(const struct dxg_va *va, uint64_t addr,
				  uint64_t len, unsigned int access)
{
	return va ? va->ops->access(va, addr, len, access) : NULL;
}

static inline int dxg_va_resolve(const struct dxg_va *va, uint64_t addr,
				 uint64_t len, unsigned int access,
				 struct dxg_engine_mem *out)
{
	return va ? va->ops->resolve(va, addr, len, access, out) : -1;
}

static inline int dxg_va_is_zero(const struct dxg_va *va, uint64_t addr,
				 uint64_t len)
{
	return va ? va->ops->is_zero(va, addr, len) : 0;
}

static inline int dxg_va_fence(const struct dxg_va *va, uint64_t addr,
			       uint64_t *id)
{
	return va && va->ops->fence ? va->ops->fence(va, addr, id) : -1;
}

#endif /* DXGHOST_VA_H */
