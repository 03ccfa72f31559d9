/* SPDX-License-Identifier: MIT */
/*
 * Checks a guest's SPIR-V compute module before any Vulkan driver sees it.
 * Drivers trust their input (Mesa asserts or crashes on some malformed
 * modules, and a crash would take every VM down with dxghost), so the module
 * must pass the SPIR-V validator for the device's Vulkan version and fit the
 * pipeline layout the backend builds: entry point `entry` with the GLCompute
 * model, every resource a buffer of the layout's slots (storage or uniform,
 * as the slot says) or a texel buffer (an image of Dim Buffer, sampled for
 * a uniform texel buffer, storage for a storage one), a 2D (arrayed or
 * not), 3D or cube storage or sampled image (single sampled, not depth),
 * a sampler, or a
 * sampled image of such an image (a combined image sampler); descriptor
 * arrays of constant length, indexed by constants in bounds or by other
 * values that dxg_spirv_clamp() clamps; and no buffer device addresses
 * unless the device gives them out.
 */
#ifndef DXGHOST_SPIRV_CHECK_H
#define DXGHOST_SPIRV_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "engines/engine.h"
#include "engines/vulkan/spirv_arrays.h"

#define DXG_SPIRV_MAGIC		0x07230203u
#define DXG_SPIRV_MAX_SIZE	(4u << 20)	/* bytes */
#define DXG_SPIRV_MAX_ENTRY	255u		/* entry point name bytes */

/* The module may use PhysicalStorageBufferAddresses. */
#define DXG_SPIRV_DEVICE_ADDRESS	(1u << 0)

/* What the check learnt of a module that passed, for its dispatches. */
struct dxg_spirv_facts {
	/*
	 * The slots (bit i: slots[i]) the module never writes
	 * (spirv_writes.h): those a read-only binding may fill.  A storage
	 * texel buffer is never among them (its writes go through an image
	 * value, which the write check does not follow).
	 */
	uint32_t read_only;
	/*
	 * Per texel buffer or image slot, what its view's format must be: the image
	 * type's Image Format (enum dxg_spv_image_format, Unknown: any of
	 * the class) and the numeric class of its Sampled Type.
	 */
	uint8_t texel_spv[DXG_ENGINE_MAX_BINDINGS];
	uint8_t texel_class[DXG_ENGINE_MAX_BINDINGS];
	/*
	 * The texel buffer slots an image atomic (OpImageTexelPointer) uses:
	 * their views' formats need the device's STORAGE_TEXEL_BUFFER_ATOMIC.
	 */
	uint32_t texel_atomic;
	/*
	 * Per image slot, the view type its image type needs (enum
	 * dxg_view_type: Dim 2D, 2D arrayed, 3D, Cube); 0 for other slots.
	 */
	uint8_t image_view[DXG_ENGINE_MAX_BINDINGS];
	/*
	 * The storage image slots whose variable is decorated NonWritable
	 * (and has no image atomic): a staged view of one needs no copy
	 * back after the dispatch (writing one anyway is undefined, and
	 * would lose only the guest's own writes).
	 */
	uint32_t image_no_write;
	/* The descriptor arrays, for dxg_spirv_clamp(). */
	struct dxg_spirv_array arrays[DXG_SPIRV_MAX_ARRAYS];
	uint32_t num_arrays;
};

/*
 * vk_api: the device's Vulkan API version (VK_MAKE_API_VERSION), which
 * picks the SPIR-V versions accepted; flags: DXG_SPIRV_*.  Returns 0 or
 * STATUS_INVALID_PARAMETER (STATUS_NO_MEMORY if the validator cannot run).
 * On success *facts (may be NULL) is filled.
 */
int32_t dxg_spirv_check(const uint32_t *code, size_t size, const char *entry,
			const struct dxg_engine_slot *slots, uint32_t num_slots,
			uint32_t vk_api, uint32_t flags, struct dxg_spirv_facts *facts);

/*
 * The module (@size bytes that passed dxg_spirv_check() with *facts) as a
 * driver may take it: *out NULL where it is that already, else a copy
 * with its dynamic descriptor array indices clamped (spirv_arrays.h,
 * validated again; free() it), *out_size bytes.  Returns 0,
 * STATUS_INVALID_PARAMETER or STATUS_NO_MEMORY.
 */
int32_t dxg_spirv_clamp(const uint32_t *code, size_t size, uint32_t vk_api,
			const struct dxg_spirv_facts *facts, uint32_t **out, size_t *out_size);

#endif /* DXGHOST_SPIRV_CHECK_H */
