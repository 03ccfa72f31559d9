// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the SPIR-V check a guest's pipeline passes before any
 * Vulkan driver sees it (host/engines/vulkan/spirv_check.c and
 * spirv_arrays.c): the validator, then our scans of resources, descriptor
 * arrays and their uses, and the capabilities; then, for a module that
 * passed, the clamp of its dynamic descriptor array indices (which must
 * give a module the validator takes).  An input is a small header
 * — flags, the layout's slots — then the module's words; the seeds are
 * real modules (glslang-compiled by run-fuzz.sh) with layouts that pass.
 */
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "fuzz_seeds.h"
#include "dxg/ntstatus.h"
#include "engines/vulkan/spirv_check.h"
#include "array_spv.h"
#include "array_dyn_spv.h"
#include "bda_spv.h"
#include "saxpy_spv.h"
#include "texel_spv.h"
#include "image_spv.h"
#include "sample_spv.h"
#include "views_spv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A module that passed: its rewrite, where it has one, passes the validator. */
static void clamp(const uint32_t *words, size_t bytes, const struct dxg_spirv_facts *f)
{
	uint32_t *out = NULL;
	size_t out_size = 0;
	int32_t st = dxg_spirv_clamp(words, bytes, VK_API_VERSION_1_3, f, &out, &out_size);

	/* Memory may run out; nothing else may fail on a module that passed. */
	if (st && st != STATUS_NO_MEMORY)
		abort();
	if (out && (out_size <= bytes || out_size % 4))
		abort();
	free(out);
}
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Header: u8 flags, u8 slot count, then 4 bytes per slot. */
#define HDR(n)	(2u + 4u * (n))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dxg_engine_slot slots[DXG_ENGINE_MAX_BINDINGS];
	struct dxg_spirv_facts f;
	uint32_t n, *words;
	size_t bytes;

	if (size < 2)
		return 0;
	n = data[1] % (DXG_ENGINE_MAX_BINDINGS + 1);
	if (size < HDR(n))
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *s = data + 2 + 4 * i;

		slots[i] = (struct dxg_engine_slot) {
			/* every slot type and a bad one */
			.set = s[0] % 5, .binding = s[1] % 40,
			.type = s[2] % (DXG_SLOT_TYPE_MAX + 2),
			.element = s[3] % 20,
		};
	}
	bytes = (size - HDR(n)) & ~(size_t)3;
	/* Aligned words, as the engine gives the check. */
	words = malloc(bytes ? bytes : 4);
	if (!words)
		return 0;
	memcpy(words, data + HDR(n), bytes);
	/*
	 * A slot the layout does not have is never read-only, nor is a
	 * storage texel buffer or image; only texel buffer and image slots
	 * get a view's rules.
	 */
	if (!dxg_spirv_check(words, bytes, "main", slots, n, VK_API_VERSION_1_3,
			     data[0] & DXG_SPIRV_DEVICE_ADDRESS, &f)) {
		if ((uint64_t)f.read_only >> n)
			abort();
		for (uint32_t i = 0; i < n; i++) {
			bool texel = dxg_slot_is_texel_buffer(slots[i].type) ||
				     dxg_slot_is_image(slots[i].type);

			if (((slots[i].type == DXG_SLOT_STORAGE_TEXEL_BUFFER ||
			      slots[i].type == DXG_SLOT_STORAGE_IMAGE) &&
			     (f.read_only >> i & 1)) ||
			    (!texel && (f.texel_class[i] || f.texel_spv[i])))
				abort();
		}
		clamp(words, bytes, &f);
	}
	free(words);
	return 0;
}

/*
 * A seed: @flags, @n slots of (set s[i], binding b[i], type t[i], element
 * e[i]) (s, t NULL: set 0, storage buffers), @spv.
 */
static void seed(const char *dir, const char *name, uint8_t flags, uint32_t n,
		 const uint8_t *s, const uint8_t *b, const uint8_t *t, const uint8_t *e,
		 const uint32_t *spv, size_t spv_size)
{
	size_t size = HDR(n) + spv_size;
	uint8_t *p = calloc(1, size);

	if (!p)
		exit(1);
	p[0] = flags;
	p[1] = (uint8_t)n;
	for (uint32_t i = 0; i < n; i++) {
		p[2 + 4 * i] = s ? s[i] : 0;
		p[2 + 4 * i + 1] = b[i];
		p[2 + 4 * i + 2] = t ? t[i] : DXG_SLOT_STORAGE_BUFFER;
		p[2 + 4 * i + 3] = e[i];
	}
	memcpy(p + HDR(n), spv, spv_size);
	fz_write_seed(dir, name, p, size);
	free(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t b01[] = { 0, 1 }, e00[] = { 0, 0 };
	static const uint8_t b000[] = { 0, 0, 0 }, e012[] = { 0, 1, 2 };
	/* texel.comp: (0, 0) uniform texel, (0, 1) and (1, 0) storage texel. */
	static const uint8_t s001[] = { 0, 0, 1 }, b010[] = { 0, 1, 0 }, e000[] = { 0, 0, 0 };
	/* image.comp: three storage images, (0, 0), (0, 1), (0, 2). */
	static const uint8_t b012[] = { 0, 1, 2 };
	static const uint8_t t444[] = { DXG_SLOT_STORAGE_IMAGE, DXG_SLOT_STORAGE_IMAGE,
					DXG_SLOT_STORAGE_IMAGE };
	/* sample.comp: combined, sampled, sampler, sampled, sampler, storage buffer. */
	static const uint8_t b0_5[] = { 0, 1, 2, 3, 4, 5 }, e0_5[6] = { 0 };
	static const uint8_t t_smp[] = { DXG_SLOT_COMBINED_IMAGE_SAMPLER, DXG_SLOT_SAMPLED_IMAGE,
					 DXG_SLOT_SAMPLER, DXG_SLOT_SAMPLED_IMAGE,
					 DXG_SLOT_SAMPLER, DXG_SLOT_STORAGE_BUFFER };
	/* views.comp: a 2D array and a 3D storage image, a combined image sampler, a buffer, a cube. */
	static const uint8_t t_views[] = { DXG_SLOT_STORAGE_IMAGE, DXG_SLOT_STORAGE_IMAGE,
					   DXG_SLOT_COMBINED_IMAGE_SAMPLER, DXG_SLOT_STORAGE_BUFFER,
					   DXG_SLOT_COMBINED_IMAGE_SAMPLER };
	static const uint8_t t233[] = { DXG_SLOT_UNIFORM_TEXEL_BUFFER,
					DXG_SLOT_STORAGE_TEXEL_BUFFER,
					DXG_SLOT_STORAGE_TEXEL_BUFFER };
	const char *dir = getenv("DXG_FUZZ_SEEDS");

	(void)argc, (void)argv;
	if (!dir)
		return 0;
	seed(dir, "saxpy", 0, 2, NULL, b01, NULL, e00, saxpy_spv, sizeof(saxpy_spv));
	seed(dir, "array", 0, 3, NULL, b000, NULL, e012, array_spv, sizeof(array_spv));
	seed(dir, "array_dyn", 0, 3, NULL, b000, NULL, e012, array_dyn_spv,
	     sizeof(array_dyn_spv));
	seed(dir, "bda", DXG_SPIRV_DEVICE_ADDRESS, 0, NULL, NULL, NULL, NULL, bda_spv,
	     sizeof(bda_spv));
	seed(dir, "texel", 0, 3, s001, b010, t233, e000, texel_spv, sizeof(texel_spv));
	seed(dir, "image", 0, 3, NULL, b012, t444, e000, image_spv, sizeof(image_spv));
	seed(dir, "sample", 0, 6, NULL, b0_5, t_smp, e0_5, sample_spv, sizeof(sample_spv));
	seed(dir, "views", 0, 5, NULL, b0_5, t_views, e0_5, views_spv, sizeof(views_spv));
	exit(0);
}
