// SPDX-License-Identifier: MIT
/*
 * The escapes of the open command stream (docs/command-stream.md §6):
 * compute pipelines created from SPIR-V (with the fixed version 1 layout or
 * a layout of their own) and destroyed on a device's engine, trimming
 * offered memory, and allocations' device addresses.
 * The escape's private data is the caller's private copy (the ESCAPE
 * command's, protocol/escape_cmds.c), checked here before the engine sees
 * it; outputs are written in place.  A malformed escape fails alone: the
 * device's execution state is not touched.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/execution.h"
#include "core/residency.h"
#include "dxg/ntstatus.h"
#include "exec/cmdstream.h"
#include "exec/worker.h"
#include "uapi/misc/d3dkmthk.h"

/* What an escape acts on: its device, and what it may look up. */
struct esc {
	struct dxg_mem *mem;
	struct dxg_objects *objs;
	struct dxg_obj *dev;
};

/*
 * The common part of both create escapes: the device may take another
 * pipeline, the engine builds it from aligned copies, and the id goes back
 * at @id_offset of the escape's data.
 */
static int32_t create_pipeline(struct dxg_obj *dev, struct dxg_engine_pipeline *desc,
			       const uint8_t *spirv, void *data, size_t id_offset)
{
	struct dxg_engine *e = dev->u.device.engine;
	uint32_t *words;
	uint64_t id = 0;
	int32_t st;

	if (!e->ops->create_pipeline)
		return STATUS_NOT_SUPPORTED;	/* no compute on this adapter */
	if (dxg_exec_device_state(dev) != D3DKMT_DEVICEEXECUTION_ACTIVE)
		return STATUS_DEVICE_REMOVED;
	if (dev->u.device.num_pipelines >= DXG_EXEC_MAX_PIPELINES)
		return STATUS_QUOTA_EXCEEDED;
	/* The words sit at an offset of the copy: give the API aligned ones. */
	words = malloc(desc->spirv_size);
	if (!words)
		return STATUS_NO_MEMORY;
	memcpy(words, spirv, desc->spirv_size);
	desc->spirv = words;
	st = e->ops->create_pipeline(e, desc, &id);
	free(words);
	if (st < 0)
		return st;
	dev->u.device.num_pipelines++;
	memcpy((uint8_t *)data + id_offset, &id, sizeof(id));
	return STATUS_SUCCESS;
}

static int32_t esc_create_pipeline(const struct esc *x, void *data,
				   uint32_t size)
{
	struct dxg_obj *dev = x->dev;
	struct dxg_escape_create_pipeline k;
	struct dxg_engine_pipeline desc;
	const uint8_t *spirv;
	int32_t st;

	st = dxg_escape_check_create_pipeline(data, size, &k, &spirv);
	if (st < 0)
		return st;
	dxg_engine_pipeline_v1(&desc, NULL, k.spirv_size, k.entry,
			       k.num_bindings, k.push_size);
	return create_pipeline(dev, &desc, spirv, data,
			       offsetof(struct dxg_escape_create_pipeline, pipeline));
}

static int32_t esc_create_pipeline2(const struct esc *x, void *data,
				    uint32_t size)
{
	struct dxg_obj *dev = x->dev;
	struct dxg_pipeline_slot slots[DXG_CMD_MAX_BINDINGS];
	struct dxg_pipeline_spec spec[DXG_PIPELINE_MAX_SPEC];
	struct dxg_escape_create_pipeline2 k;
	struct dxg_engine_pipeline desc = { 0 };
	const uint8_t *spirv, *spec_data;
	int32_t st;

	st = dxg_escape_check_create_pipeline2(data, size, &k, slots, spec,
					       &spec_data, &spirv);
	if (st < 0)
		return st;
	desc.spirv_size = k.spirv_size;
	desc.entry = k.entry;
	desc.num_slots = k.num_slots;
	for (uint32_t i = 0; i < k.num_slots; i++)
		desc.slots[i] = (struct dxg_engine_slot) {
			.set = slots[i].set,
			.binding = slots[i].binding,
			.type = slots[i].type,
			.element = slots[i].element,
		};
	desc.push_size = k.push_size;
	desc.num_spec = k.num_spec;
	desc.spec = spec;
	desc.spec_data = spec_data;
	desc.spec_data_size = k.spec_data_size;
	desc.subgroup_size = k.subgroup_size;
	return create_pipeline(dev, &desc, spirv, data,
			       offsetof(struct dxg_escape_create_pipeline2, pipeline));
}

static int32_t esc_destroy_pipeline(const struct esc *x, void *data,
				    uint32_t size)
{
	struct dxg_obj *dev = x->dev;
	struct dxg_engine *e = dev->u.device.engine;
	struct dxg_escape_destroy_pipeline k;
	int32_t st;

	st = dxg_escape_check_destroy_pipeline(data, size, &k);
	if (st < 0)
		return st;
	if (!e->ops->destroy_pipeline)
		return STATUS_NOT_SUPPORTED;
	/* Queued and running jobs may use it: they finish first. */
	dxg_worker_drain(dev->u.device.worker);
	st = e->ops->destroy_pipeline(e, k.pipeline);
	if (st == STATUS_INVALID_HANDLE)
		return STATUS_INVALID_PARAMETER;	/* not a pipeline of this device */
	if (st < 0)
		return st;
	if (dev->u.device.num_pipelines)
		dev->u.device.num_pipelines--;
	return STATUS_SUCCESS;
}

/* The process's offered allocations go, as under memory pressure. */
static int32_t esc_trim(const struct esc *x, void *data, uint32_t size)
{
	struct dxg_escape_trim k;

	if (size != sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, data, sizeof(k));
	if (k.reserved)
		return STATUS_INVALID_PARAMETER;
	if (!x->mem)
		return STATUS_NOT_SUPPORTED;
	/* Both kinds, IO space and device memory, in one reclaim order. */
	k.discarded = dxg_res_trim(x->mem, x->dev->process, DXG_RES_TRIM_ALL,
				   k.bytes);
	memcpy(data, &k, sizeof(k));
	return STATUS_SUCCESS;
}

/*
 * The allocation's device address (Vulkan's buffer device address).  Its
 * memory must stay where the address points while it lives: it is never
 * discarded from now on, and an offered one is refused.
 */
static int32_t esc_device_address(const struct esc *x, void *data, uint32_t size)
{
	struct dxg_engine *e = x->dev->u.device.engine;
	struct dxg_escape_device_address k;
	struct dxg_engine_mem m = { 0 };
	uint64_t address;
	struct dxg_obj *a;
	int32_t st;

	if (size != sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, data, sizeof(k));
	a = dxg_obj_lookup(x->objs, k.allocation, DXG_OBJ_ALLOCATION,
			   x->dev->process);
	if (!a || dxg_alloc_device(a) != x->dev)
		return STATUS_INVALID_HANDLE;
	if (!e->ops->address)
		return STATUS_NOT_SUPPORTED;
	if (!x->mem || !a->u.allocation.size || a->u.allocation.offer_priority)
		return STATUS_INVALID_PARAMETER;
	if (dxg_exec_device_state(x->dev) != D3DKMT_DEVICEEXECUTION_ACTIVE)
		return STATUS_DEVICE_REMOVED;
	m.dev = a->u.allocation.dev;
	if (!m.dev) {
		m.host = dxg_mem_alloc_ptr(x->mem, a);
		if (!m.host)
			return STATUS_INVALID_PARAMETER;
	}
	st = e->ops->address(e, &m, a->u.allocation.size, &address);
	if (st < 0)
		return st;
	k.address = address;
	a->u.allocation.no_discard = true;
	memcpy(data, &k, sizeof(k));
	return STATUS_SUCCESS;
}

/*
 * How the device lays out a storage image in device memory: what a guest
 * needs to size, place and fill one (docs/command-stream.md §6).
 */
static int32_t esc_image_layout(const struct esc *x, void *data, uint32_t size)
{
	struct dxg_engine *e = x->dev->u.device.engine;
	struct dxg_escape_image_layout k;
	uint64_t bytes, align, pitch;
	int32_t st;

	if (size != sizeof(k))
		return STATUS_INVALID_PARAMETER;
	memcpy(&k, data, sizeof(k));
	if (!k.width || !k.height)
		return STATUS_INVALID_PARAMETER;
	/* Images live in device memory: an adapter without it has none. */
	if (!e->ops->image_layout || !dxg_mem_has_device(x->mem, x->dev->adapter))
		return STATUS_NOT_SUPPORTED;
	st = e->ops->image_layout(e, k.format, k.width, k.height, &bytes, &align, &pitch);
	if (st < 0)
		return st;
	k.size = bytes;
	k.alignment = align;
	k.row_pitch = pitch;
	memcpy(data, &k, sizeof(k));
	return STATUS_SUCCESS;
}

static const struct {
	uint32_t op;
	int32_t (*fn)(const struct esc *x, void *data, uint32_t size);
} escape_ops[] = {
	{ DXG_ESCAPE_CREATE_PIPELINE, esc_create_pipeline },
	{ DXG_ESCAPE_DESTROY_PIPELINE, esc_destroy_pipeline },
	{ DXG_ESCAPE_CREATE_PIPELINE2, esc_create_pipeline2 },
	{ DXG_ESCAPE_TRIM, esc_trim },
	{ DXG_ESCAPE_DEVICE_ADDRESS, esc_device_address },
	{ DXG_ESCAPE_IMAGE_LAYOUT, esc_image_layout },
};

int32_t dxg_exec_escape(struct dxg_mem *mem, struct dxg_objects *objs,
			struct dxg_obj *device, void *data, uint32_t size)
{
	const struct esc x = { .mem = mem, .objs = objs, .dev = device };
	uint32_t op;

	if (!device || device->type != DXG_OBJ_DEVICE || !device->u.device.engine)
		return STATUS_INVALID_HANDLE;
	if (!data || size < sizeof(op))
		return STATUS_INVALID_PARAMETER;
	memcpy(&op, data, sizeof(op));
	for (size_t i = 0; i < sizeof(escape_ops) / sizeof(escape_ops[0]); i++)
		if (escape_ops[i].op == op)
			return escape_ops[i].fn(&x, data, size);
	return STATUS_NOT_SUPPORTED;
}
