// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the SPIR-V check a guest's pipeline passes before any
 * Vulkan driver sees it (host/engines/vulkan/spirv_check.c and
 * spirv_arrays.c): the validator, then our scans of resources, descriptor
 * arrays and their uses, and the capabilities.  An input is a small header
 * — flags, the layout's slots — then the module's words; the seeds are
 * real modules (glslang-compiled by run-fuzz.sh) with layouts that pass.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#include "fuzz_seeds.h"
#include "engines/vulkan/spirv_check.h"
#include "array_spv.h"
#include "bda_spv.h"
#include "saxpy_spv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Header: u8 flags, u8 slot count, then 4 bytes per slot. */
#define HDR(n)	(2u + 4u * (n))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dxg_engine_slot slots[DXG_ENGINE_MAX_BINDINGS];
	uint32_t n, ro, *words;
	size_t bytes;

	if (size < 2)
		return 0;
	n = data[1] % (DXG_ENGINE_MAX_BINDINGS + 1);
	if (size < HDR(n))
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *s = data + 2 + 4 * i;

		slots[i] = (struct dxg_engine_slot) {
			.set = s[0] % 5, .binding = s[1] % 40, .type = s[2] % 3,
			.element = s[3] % 20,
		};
	}
	bytes = (size - HDR(n)) & ~(size_t)3;
	/* Aligned words, as the engine gives the check. */
	words = malloc(bytes ? bytes : 4);
	if (!words)
		return 0;
	memcpy(words, data + HDR(n), bytes);
	/* A slot the layout does not have is never read-only. */
	if (!dxg_spirv_check(words, bytes, "main", slots, n, VK_API_VERSION_1_3,
			     data[0] & DXG_SPIRV_DEVICE_ADDRESS, &ro) &&
	    (uint64_t)ro >> n)
		abort();
	free(words);
	return 0;
}

/* A seed: @flags, @n slots of (set 0, binding b[i], storage, element e[i]), @spv. */
static void seed(const char *dir, const char *name, uint8_t flags, uint32_t n,
		 const uint8_t *b, const uint8_t *e, const uint32_t *spv, size_t spv_size)
{
	size_t size = HDR(n) + spv_size;
	uint8_t *p = calloc(1, size);

	if (!p)
		exit(1);
	p[0] = flags;
	p[1] = (uint8_t)n;
	for (uint32_t i = 0; i < n; i++) {
		p[2 + 4 * i + 1] = b[i];
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
	const char *dir = getenv("DXG_FUZZ_SEEDS");

	(void)argc, (void)argv;
	if (!dir)
		return 0;
	seed(dir, "saxpy", 0, 2, b01, e00, saxpy_spv, sizeof(saxpy_spv));
	seed(dir, "array", 0, 3, b000, e012, array_spv, sizeof(array_spv));
	seed(dir, "bda", DXG_SPIRV_DEVICE_ADDRESS, 0, NULL, NULL, bda_spv, sizeof(bda_spv));
	exit(0);
}
