/* SPDX-License-Identifier: MIT */
/*
 * vk-samples: the compute samples of samples/ (sgemm, saxpy, reduce,
 * filter) in plain Vulkan.  Each computes the same problem as its
 * compute-library twin (../reference.h), runs it on the device of @c,
 * checks the result against the same CPU reference and prints its
 * throughput.  Each returns 0 when the result is correct, 1 otherwise
 * (every error included).
 */
#ifndef VKS_H
#define VKS_H

#include "vkctx.h"

#include "../reference.h"

int vks_sgemm(struct vkc *c, const struct vkc_opts *o);
int vks_saxpy(struct vkc *c, const struct vkc_opts *o);
int vks_reduce(struct vkc *c, const struct vkc_opts *o);
int vks_filter(struct vkc *c, const struct vkc_opts *o);

/* ---- helpers (vks-common.c) ---- */

/* Timed runs: --iters, or 5 (1 with --quick). */
unsigned int vks_iters(const struct vkc_opts *o);
/* "name: FAILED: <message>"; returns 1. */
int vks_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "name: device time B ms best, M ms mean: RATE; submit to wait W ms"
 * ("wall time" where the queue has no timestamps). */
void vks_report(const char *name, const struct vkc_timing *t, const char *rate);
/* The end of a sample: "name: OK" or "name: FAILED"; returns @rc. */
int vks_finish(const char *name, int rc);

#endif /* VKS_H */
