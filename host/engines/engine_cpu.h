/* SPDX-License-Identifier: MIT */
/*
 * The CPU engine: copy, fill and timestamp in plain C on the host CPU, no
 * compute (DISPATCH on it fails with STATUS_NOT_SUPPORTED).  It is what the
 * `cpu` adapter runs and what tests and fuzzers execute command buffers on.
 */
#ifndef DXGHOST_ENGINE_CPU_H
#define DXGHOST_ENGINE_CPU_H

#include "engines/engine.h"

/* NULL when out of memory; freed with e->ops->destroy(e). */
struct dxg_engine *dxg_engine_cpu_create(void);

#endif /* DXGHOST_ENGINE_CPU_H */
