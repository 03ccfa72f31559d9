/* SPDX-License-Identifier: MIT */
/*
 * Execution on the host: each device's engine (CPU or Vulkan, from its
 * adapter), pipelines created through D3DKMTEscape, and running one
 * submitted command buffer.  The scheduler (host/sched.c) calls
 * dxg_exec_submit() in submission order per context and signals fences
 * afterwards; everything about a command buffer's contents lives here.
 *
 * Functions return 0 or a negative NTSTATUS.
 */
#ifndef DXGHOST_EXEC_H
#define DXGHOST_EXEC_H

#include <stdint.h>

#include "objects.h"

struct dxg_mem;

/* Pipelines one device may hold at once (DXG_ESCAPE_CREATE_PIPELINE). */
#define DXG_EXEC_MAX_PIPELINES	1024u

/*
 * Object release hook (register with dxg_objects_add_release): destroys a
 * device's engine and pipelines; for an allocation, makes every engine of
 * its device forget imports of its memory before the memory is freed.
 */
void dxg_exec_release(void *arg, struct dxg_obj *obj);

/* Creates the engine of a new device (called by the CREATEDEVICE handler). */
int32_t dxg_exec_device_init(struct dxg_mem *mem, struct dxg_obj *device);

/*
 * Runs the command buffer at GPU VA [@va, @va + @size) of @context's
 * process/adapter VA space: copies it out of guest memory, validates and
 * executes it on the device's engine.  A malformed buffer or an engine
 * failure puts the device into an error state (dxg_exec_device_state) and
 * returns the error; the caller still signals the submission's fences.
 */
int32_t dxg_exec_submit(struct dxg_mem *mem, struct dxg_obj *context,
			uint64_t va, uint64_t size);

/* D3DKMT_DEVICEEXECUTION_* of a device (ACTIVE until an error). */
uint32_t dxg_exec_device_state(const struct dxg_obj *device);

/*
 * The ESCAPE command's payload for @device (include/dxg/cmdstream.h
 * escape formats): creates or destroys a pipeline.  @data/@size are the
 * private copy of the escape's private data, updated in place for the reply.
 */
int32_t dxg_exec_escape(struct dxg_mem *mem, struct dxg_obj *device,
			void *data, uint32_t size);

#endif /* DXGHOST_EXEC_H */
