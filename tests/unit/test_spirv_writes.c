// SPDX-License-Identifier: MIT
/*
 * Which resource variables a module may write (host/engines/vulkan/
 * spirv_writes.c), on modules assembled here from SPIR-V text (the uses
 * glslang never emits: function parameters, selects and phis of pointers,
 * pointers stored or converted), and which slots dxg_spirv_check() gives
 * read-only bindings, on the sample shaders glslang built.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define kDefaultMaxIdBound test_spirv_writes_max_id_bound
#include <spirv-tools/libspirv.h>
#undef kDefaultMaxIdBound
#include <vulkan/vulkan.h>

#include "dxg/ntstatus.h"
#include "dxg/texel_format.h"
#include "engines/vulkan/spirv_check.h"
#include "engines/vulkan/spirv_writes.h"

#include "layout_spv.h"
#include "saxpy_spv.h"
#include "texel_spv.h"
#include "image_spv.h"
#include "views_spv.h"

/* Two storage buffers %a and %b, and what the cases below need. */
static const char prelude[] =
	"OpCapability Shader\n"
	"OpCapability VariablePointersStorageBuffer\n"
	"OpCapability Int64\n"
	"%glsl = OpExtInstImport \"GLSL.std.450\"\n"
	"%dbg = OpExtInstImport \"NonSemantic.Shader.DebugInfo.100\"\n"
	"OpMemoryModel Logical GLSL450\n"
	"OpEntryPoint GLCompute %main \"main\"\n"
	"OpExecutionMode %main LocalSize 1 1 1\n"
	"OpName %a \"a\"\n"
	"OpDecorate %a DescriptorSet 0\n"
	"OpDecorate %a Binding 0\n"
	"OpDecorate %b DescriptorSet 0\n"
	"OpDecorate %b Binding 1\n"
	"%void = OpTypeVoid\n"
	"%bool = OpTypeBool\n"
	"%fnv = OpTypeFunction %void\n"
	"%uint = OpTypeInt 32 0\n"
	"%ulong = OpTypeInt 64 0\n"
	"%float = OpTypeFloat 32\n"
	"%c0 = OpConstant %uint 0\n"
	"%c1 = OpConstant %uint 1\n"
	"%true = OpConstantTrue %bool\n"
	"%arr = OpTypeRuntimeArray %uint\n"
	"%blk = OpTypeStruct %arr\n"
	"%pblk = OpTypePointer StorageBuffer %blk\n"
	"%pu = OpTypePointer StorageBuffer %uint\n"
	"%ppu = OpTypePointer Function %pu\n"
	"%pf = OpTypePointer StorageBuffer %float\n"
	"%fnp = OpTypeFunction %void %pu\n"
	"%fnr = OpTypeFunction %pu\n"
	"%a = OpVariable %pblk StorageBuffer\n"
	"%b = OpVariable %pblk StorageBuffer\n";

/* Assembles prelude + @body; *va and *vb get the two variables' ids. */
static uint32_t *assemble(const char *body, size_t *words, uint32_t *va,
			  uint32_t *vb)
{
	size_t len = strlen(prelude) + strlen(body) + 1;
	char *text = malloc(len);
	spv_context ctx = spvContextCreate(SPV_ENV_UNIVERSAL_1_6);
	spv_binary bin = NULL;
	spv_diagnostic diag = NULL;
	uint32_t *code, nvars = 0;

	assert_non_null(text);
	snprintf(text, len, "%s%s", prelude, body);
	if (spvTextToBinary(ctx, text, strlen(text), &bin, &diag) != SPV_SUCCESS) {
		fprintf(stderr, "assembly failed: %s\n", diag ? diag->error : "?");
		fail();
	}
	code = malloc(bin->wordCount * 4);
	assert_non_null(code);
	memcpy(code, bin->code, bin->wordCount * 4);
	*words = bin->wordCount;
	/* The OpVariables of the StorageBuffer class, in order: a, b. */
	for (size_t i = 5; i < *words; i += code[i] >> 16) {
		assert_true(code[i] >> 16);
		if ((code[i] & 0xffff) == 59 && code[i + 3] == 12)
			(nvars++ ? vb : va)[0] = code[i + 2];
	}
	assert_int_equal(nvars, 2);
	spvBinaryDestroy(bin);
	spvDiagnosticDestroy(diag);
	spvContextDestroy(ctx);
	free(text);
	return code;
}

/* The written mask over (a, b) of prelude + @body. */
static uint32_t written(const char *body)
{
	uint32_t va, vb, vars[2], w = 0xdead;
	size_t words;
	uint32_t *code = assemble(body, &words, &va, &vb);

	vars[0] = va;
	vars[1] = vb;
	assert_int_equal(dxg_spirv_find_writes(code, words, code[3], vars, 2, &w), 0);
	free(code);
	return w;
}

#define MAIN_BEGIN "%main = OpFunction %void None %fnv\n%l0 = OpLabel\n"
#define MAIN_END "OpReturn\nOpFunctionEnd\n"
#define CHAIN_A "%pa = OpAccessChain %pu %a %c0 %c1\n"
#define CHAIN_B "%pb = OpAccessChain %pu %b %c0 %c0\n"

/* Loads read; stores, atomics that write and copy targets write. */
static void test_direct_uses(void **state)
{
	(void)state;
	/* Nothing uses them. */
	assert_int_equal(written(MAIN_BEGIN MAIN_END), 0);
	/* Load a, store to b. */
	assert_int_equal(written(MAIN_BEGIN CHAIN_A CHAIN_B
				 "%x = OpLoad %uint %pa\n"
				 "OpStore %pb %x\n" MAIN_END), 2);
	/* An in-bounds chain of a chain, stored to. */
	assert_int_equal(written(MAIN_BEGIN
				 "%p1 = OpInBoundsAccessChain %pu %a %c0 %c0\n"
				 "%p2 = OpCopyObject %pu %p1\n"
				 "OpStore %p2 %c1\n" MAIN_END), 1);
	/* Atomics: a load reads, an add writes. */
	assert_int_equal(written(MAIN_BEGIN CHAIN_A CHAIN_B
				 "%x = OpAtomicLoad %uint %pa %c1 %c0\n"
				 "%y = OpAtomicIAdd %uint %pb %c1 %c0 %x\n" MAIN_END), 2);
	/* A copy reads its source and writes its target. */
	assert_int_equal(written(MAIN_BEGIN CHAIN_A CHAIN_B
				 "OpCopyMemory %pb %pa\n" MAIN_END), 2);
	assert_int_equal(written(MAIN_BEGIN CHAIN_A CHAIN_B
				 "OpCopyMemory %pa %pb\n" MAIN_END), 1);
	/* The length of a runtime array, pointer comparisons: reads. */
	assert_int_equal(written(MAIN_BEGIN CHAIN_A CHAIN_B
				 "%n = OpArrayLength %uint %a 0\n"
				 "%e = OpPtrEqual %bool %pa %pb\n" MAIN_END), 0);
}

/* Pointers that flow through selects, phis and function calls. */
static void test_flow(void **state)
{
	(void)state;
	/* A select of a or b, stored to: both may be written. */
	assert_int_equal(written(MAIN_BEGIN CHAIN_A CHAIN_B
				 "%s = OpSelect %pu %true %pa %pb\n"
				 "OpStore %s %c1\n" MAIN_END), 3);
	assert_int_equal(written(MAIN_BEGIN CHAIN_A CHAIN_B
				 "%s = OpSelect %pu %true %pa %pb\n"
				 "%x = OpLoad %uint %s\n" MAIN_END), 0);
	/* A phi whose value is defined after it (a loop's back edge). */
	assert_int_equal(written(MAIN_BEGIN CHAIN_B "OpBranch %l1\n"
				 "%l1 = OpLabel\n"
				 "%ph = OpPhi %pu %pb %l0 %pa %l2\n"
				 "OpStore %ph %c0\n"
				 "OpLoopMerge %l3 %l2 None\nOpBranch %l2\n"
				 "%l2 = OpLabel\n" CHAIN_A
				 "OpBranchConditional %true %l1 %l3\n"
				 "%l3 = OpLabel\n" MAIN_END), 3);
	/* A callee defined after the call, storing through its parameter. */
	assert_int_equal(written(MAIN_BEGIN CHAIN_A CHAIN_B
				 "%r = OpFunctionCall %void %store %pb\n"
				 "%r2 = OpFunctionCall %void %load %pa\n" MAIN_END
				 "%store = OpFunction %void None %fnp\n"
				 "%sp = OpFunctionParameter %pu\n%l5 = OpLabel\n"
				 "OpStore %sp %c1\nOpReturn\nOpFunctionEnd\n"
				 "%load = OpFunction %void None %fnp\n"
				 "%lp = OpFunctionParameter %pu\n%l6 = OpLabel\n"
				 "%v = OpLoad %uint %lp\nOpReturn\nOpFunctionEnd\n"), 2);
}

/* Escapes count as writes; names, decorations and debug info do not. */
static void test_escapes(void **state)
{
	(void)state;
	/* Stored as a pointer into a function variable. */
	assert_int_equal(written(MAIN_BEGIN
				 "%fv = OpVariable %ppu Function\n" CHAIN_A
				 "OpStore %fv %pa\n" MAIN_END), 1);
	/* Returned from a function. */
	assert_int_equal(written(MAIN_BEGIN MAIN_END
				 "%get = OpFunction %pu None %fnr\n%l7 = OpLabel\n"
				 CHAIN_B "OpReturnValue %pb\nOpFunctionEnd\n"), 2);
	/* Converted to an integer, cast to another pointer type. */
	assert_int_equal(written(MAIN_BEGIN CHAIN_A
				 "%i = OpConvertPtrToU %ulong %pa\n" MAIN_END), 1);
	assert_int_equal(written(MAIN_BEGIN CHAIN_B
				 "%c = OpBitcast %pf %pb\n" MAIN_END), 2);
	/* An extended instruction with a pointer operand (modf's out). */
	assert_int_equal(written(MAIN_BEGIN
				 "%pfa = OpAccessChain %pf %a %c0 %c0\n"
				 "%f0 = OpConvertUToF %float %c0\n"
				 "%m = OpExtInst %float %glsl Modf %f0 %pfa\n" MAIN_END), 1);
	/* Non-semantic debug information naming a variable: nothing. */
	assert_int_equal(written(MAIN_BEGIN
				 "%d = OpExtInst %void %dbg DebugValue %a %a %a\n"
				 MAIN_END), 0);
}

static void test_limits(void **state)
{
	uint32_t vars[DXG_SPIRV_MAX_TRACKED + 1] = { 0 }, va, vb, w = 7;
	size_t words;
	uint32_t *code = assemble(MAIN_BEGIN MAIN_END, &words, &va, &vb);

	(void)state;
	assert_int_equal(dxg_spirv_find_writes(code, words, code[3], vars,
					       DXG_SPIRV_MAX_TRACKED + 1, &w),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(dxg_spirv_find_writes(code, words, code[3], vars, 0, &w), 0);
	assert_int_equal(w, 0);
	/* An id past the bound cannot be followed: written. */
	vars[0] = code[3] + 5;
	assert_int_equal(dxg_spirv_find_writes(code, words, code[3], vars, 1, &w), 0);
	assert_int_equal(w, 1);
	/* A module the parser refuses: its last instruction runs past the end. */
	vars[0] = va;
	code[words - 1] += 1u << 16;
	assert_int_equal(dxg_spirv_find_writes(code, words, code[3], vars, 1, &w),
			 STATUS_INVALID_PARAMETER);
	free(code);
}

/* dxg_spirv_check's read-only slots on glslang's output. */
static void test_check_slots(void **state)
{
	struct dxg_engine_pipeline v1;
	struct dxg_engine_slot slots[3] = {
		{ 0, 0, DXG_SLOT_STORAGE_BUFFER, 0 },
		{ 0, 2, DXG_SLOT_UNIFORM_BUFFER, 0 },
		{ 1, 1, DXG_SLOT_STORAGE_BUFFER, 0 },
	};
	struct dxg_spirv_facts f = { .read_only = 0xdead };

	(void)state;
	/* saxpy: x (readonly) is slot 0; y, written, is slot 1. */
	dxg_engine_pipeline_v1(&v1, saxpy_spv, sizeof(saxpy_spv), "main", 2, 8);
	assert_int_equal(dxg_spirv_check(saxpy_spv, sizeof(saxpy_spv), "main",
					 v1.slots, 2, VK_API_VERSION_1_0, 0, &f), 0);
	assert_int_equal(f.read_only, 1);
	/* A slot the shader does not use at all is read-only too. */
	v1.slots[2] = (struct dxg_engine_slot) { 0, 2, DXG_SLOT_STORAGE_BUFFER, 0 };
	assert_int_equal(dxg_spirv_check(saxpy_spv, sizeof(saxpy_spv), "main",
					 v1.slots, 3, VK_API_VERSION_1_0, 0, &f), 0);
	assert_int_equal(f.read_only, 5);
	/* layout.comp: storage In (read), uniform U, storage Out (written). */
	assert_int_equal(dxg_spirv_check(layout_spv, sizeof(layout_spv), "main",
					 slots, 3, VK_API_VERSION_1_0, 0, &f), 0);
	assert_int_equal(f.read_only, 3);
	/* A refused module leaves nothing read-only. */
	assert_int_equal(dxg_spirv_check(saxpy_spv, sizeof(saxpy_spv), "nope",
					 v1.slots, 2, VK_API_VERSION_1_0, 0, &f),
			 STATUS_INVALID_PARAMETER);
	assert_int_equal(f.read_only, 0);
}

/*
 * texel.comp: a samplerBuffer (a sampled image of a buffer image, float),
 * an r32ui image written, an r32ui image counted into by an atomic.  What
 * each view must be; only the uniform texel buffer is read-only.
 */
static void test_texel_facts(void **state)
{
	const struct dxg_engine_slot slots[3] = {
		{ 0, 0, DXG_SLOT_UNIFORM_TEXEL_BUFFER, 0 },
		{ 0, 1, DXG_SLOT_STORAGE_TEXEL_BUFFER, 0 },
		{ 1, 0, DXG_SLOT_STORAGE_TEXEL_BUFFER, 0 },
	};
	struct dxg_engine_slot swapped[3];
	struct dxg_spirv_facts f;

	(void)state;
	assert_int_equal(dxg_spirv_check(texel_spv, sizeof(texel_spv), "main", slots, 3,
					 VK_API_VERSION_1_3, 0, &f), 0);
	assert_int_equal(f.read_only, 1);
	assert_int_equal(f.texel_class[0], DXG_TEXEL_FLOAT);
	assert_int_equal(f.texel_spv[0], DXG_SPV_UNKNOWN);
	assert_int_equal(f.texel_class[1], DXG_TEXEL_INT);
	assert_int_equal(f.texel_spv[1], DXG_SPV_R32UI);
	assert_int_equal(f.texel_spv[2], DXG_SPV_R32UI);
	assert_int_equal(f.texel_atomic, 1u << 2);	/* only `count` has an atomic */
	/* A storage slot for the sampled image, and a buffer slot for an image. */
	memcpy(swapped, slots, sizeof(swapped));
	swapped[0].type = DXG_SLOT_STORAGE_TEXEL_BUFFER;
	assert_int_equal(dxg_spirv_check(texel_spv, sizeof(texel_spv), "main", swapped, 3,
					 VK_API_VERSION_1_3, 0, &f), STATUS_INVALID_PARAMETER);
	memcpy(swapped, slots, sizeof(swapped));
	swapped[1].type = DXG_SLOT_STORAGE_BUFFER;
	assert_int_equal(dxg_spirv_check(texel_spv, sizeof(texel_spv), "main", swapped, 3,
					 VK_API_VERSION_1_3, 0, &f), STATUS_INVALID_PARAMETER);
	/* A texel slot for a buffer variable. */
	memcpy(swapped, slots, sizeof(swapped));
	assert_int_equal(dxg_spirv_check(saxpy_spv, sizeof(saxpy_spv), "main", swapped, 2,
					 VK_API_VERSION_1_3, 0, &f), STATUS_INVALID_PARAMETER);
	/* image.comp: 2D storage images (rgba8 read, r32ui written, r32ui atomic). */
	{
		struct dxg_engine_slot img[3] = {
			{ 0, 0, DXG_SLOT_STORAGE_IMAGE, 0 },
			{ 0, 1, DXG_SLOT_STORAGE_IMAGE, 0 },
			{ 0, 2, DXG_SLOT_STORAGE_IMAGE, 0 },
		};

		assert_int_equal(dxg_spirv_check(image_spv, sizeof(image_spv), "main", img, 3,
						 VK_API_VERSION_1_3, 0, &f), 0);
		assert_int_equal(f.read_only, 0);	/* storage images never */
		assert_int_equal(f.texel_spv[0], DXG_SPV_RGBA8);
		assert_int_equal(f.texel_class[0], DXG_TEXEL_FLOAT);
		assert_int_equal(f.texel_spv[1], DXG_SPV_R32UI);
		assert_int_equal(f.texel_class[2], DXG_TEXEL_INT);
		assert_int_equal(f.texel_atomic, 1u << 2);
		/* Only the readonly one needs no copy back when staged. */
		assert_int_equal(f.image_no_write, 1u << 0);
		assert_int_equal(f.image_view[0], DXG_VIEW_2D);
		/* A 2D image is not a texel buffer, nor the other way round. */
		img[1].type = DXG_SLOT_STORAGE_TEXEL_BUFFER;
		assert_int_equal(dxg_spirv_check(image_spv, sizeof(image_spv), "main", img, 3,
						 VK_API_VERSION_1_3, 0, &f),
				 STATUS_INVALID_PARAMETER);
		memcpy(swapped, slots, sizeof(swapped));
		swapped[1].type = DXG_SLOT_STORAGE_IMAGE;
		assert_int_equal(dxg_spirv_check(texel_spv, sizeof(texel_spv), "main", swapped, 3,
						 VK_API_VERSION_1_3, 0, &f),
				 STATUS_INVALID_PARAMETER);
	}
	/* views.comp: the view types its images need; written, so copied back. */
	{
		const struct dxg_engine_slot vs[5] = {
			{ 0, 0, DXG_SLOT_STORAGE_IMAGE, 0 },
			{ 0, 1, DXG_SLOT_STORAGE_IMAGE, 0 },
			{ 0, 2, DXG_SLOT_COMBINED_IMAGE_SAMPLER, 0 },
			{ 0, 3, DXG_SLOT_STORAGE_BUFFER, 0 },
			{ 0, 4, DXG_SLOT_COMBINED_IMAGE_SAMPLER, 0 },
		};

		assert_int_equal(dxg_spirv_check(views_spv, sizeof(views_spv), "main", vs, 5,
						 VK_API_VERSION_1_3, 0, &f), 0);
		assert_int_equal(f.image_view[0], DXG_VIEW_2D_ARRAY);
		assert_int_equal(f.image_view[1], DXG_VIEW_3D);
		assert_int_equal(f.image_view[2], DXG_VIEW_2D);
		assert_int_equal(f.image_view[4], DXG_VIEW_CUBE);
		assert_int_equal(f.image_no_write, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct_uses),
		cmocka_unit_test(test_flow),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_check_slots),
		cmocka_unit_test(test_texel_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
