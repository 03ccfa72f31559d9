/* SPDX-License-Identifier: MIT */
/*
 * The tiny layer that lets the shared headers in include/dxg/ compile both
 * in the guest kernel module and in user space (dxghost, tests).  Only
 * fixed-width types, static asserts and the memory-ordering primitives the
 * ring codec needs live here.
 */
#ifndef DXG_COMPAT_H
#define DXG_COMPAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <asm/barrier.h>

#define DXG_STATIC_ASSERT(expr, msg) static_assert(expr, msg)
#define dxg_load_acquire(p)	smp_load_acquire(p)
#define dxg_store_release(p, v)	smp_store_release(p, v)
#define dxg_read_once(x)	READ_ONCE(x)
#define dxg_write_once(x, v)	WRITE_ONCE(x, v)
#define dxg_full_barrier()	smp_mb()
#else
#include <linux/types.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define DXG_STATIC_ASSERT(expr, msg) _Static_assert(expr, msg)
#define dxg_load_acquire(p)	__atomic_load_n(p, __ATOMIC_ACQUIRE)
#define dxg_store_release(p, v)	__atomic_store_n(p, v, __ATOMIC_RELEASE)
#define dxg_read_once(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define dxg_write_once(x, v)	__atomic_store_n(&(x), v, __ATOMIC_RELAXED)
#define dxg_full_barrier()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

/* Round up to a multiple of 8, the VMBus packet granule. */
#define DXG_ALIGN8(x) (((x) + 7u) & ~7u)

#endif /* DXG_COMPAT_H */
