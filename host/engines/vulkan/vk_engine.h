/* SPDX-License-Identifier: MIT */
/*
 * The Vulkan execution engine (engine.h): SPIR-V compute dispatch on a
 * Vulkan device over zero-copy imports of guest memory; copy, fill and
 * timestamp run on the host CPU (the CPU engine's code: on memory the CPU
 * already maps, a synchronous memcpy beats a GPU round trip over PCIe).
 *
 * Execution is synchronous: dispatch returns once the work completed (or
 * failed), so flush has nothing to wait for.  A wait longer than the
 * timeout, or a device loss, marks the engine lost: that call fails with
 * STATUS_IO_TIMEOUT or STATUS_DEVICE_REMOVED and every later call with
 * STATUS_DEVICE_REMOVED.  Other engines are not affected.
 *
 * Threads: one thread (the device's worker) at a time runs the command
 * ops; pipelines may be created from another thread meanwhile (an engine
 * mutex, never held across the fence wait).  Destroying a pipeline in use,
 * forget and destroy need the worker idle (core/execution.c sees to that).  Engines
 * on different workers share their device's queue under its queue_lock.
 * Rules and limits: docs/vulkan-backend.md.
 */
#ifndef DXGHOST_VK_ENGINE_H
#define DXGHOST_VK_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "engines/engine.h"
#include "engines/vulkan/vk_device.h"
#include "util/log.h"

#define DXG_VK_DEFAULT_TIMEOUT_NS	(10ull * 1000 * 1000 * 1000)

/*
 * dev must outlive the engine (the engine does not own it).  NULL when out
 * of memory or Vulkan objects cannot be created.
 */
struct dxg_engine *dxg_engine_vulkan_create(struct dxg_vk_device *dev);

/* The Vulkan engine's own controls; e must come from dxg_engine_vulkan_create. */
void dxg_engine_vulkan_set_timeout(struct dxg_engine *e, uint64_t ns);
/* Its errors go through rl (the VM's limiter; NULL: unlimited), set before use. */
void dxg_engine_vulkan_set_log(struct dxg_engine *e, struct dxg_ratelimit *rl);
/*
 * The VM the engine works for: its pipelines are shared only with that
 * VM's other engines (vk_pcache.h).  Before its first pipeline.
 */
void dxg_engine_vulkan_set_domain(struct dxg_engine *e, uint64_t domain);
bool dxg_engine_vulkan_lost(const struct dxg_engine *e);
/* Import cache statistics: imports made and cache hits so far. */
void dxg_engine_vulkan_stats(const struct dxg_engine *e, uint64_t *imports,
			     uint64_t *hits);

#endif /* DXGHOST_VK_ENGINE_H */
