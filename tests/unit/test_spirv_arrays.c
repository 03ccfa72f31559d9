// SPDX-License-Identifier: MIT
/*
 * Descriptor array indexing (host/engines/vulkan/spirv_arrays.c) on
 * modules assembled here from SPIR-V text: constants in bounds pass and
 * stay; a constant past the array is refused; run-time indices of 32 and
 * 64 bits, signed or not, pass and are clamped by the rewrite, whose
 * output the validator takes, with a bool type added only where the
 * module has none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define kDefaultMaxIdBound test_spirv_arrays_max_id_bound
#include <spirv-tools/libspirv.h>
#undef kDefaultMaxIdBound

#include "dxg/ntstatus.h"
#include "engines/vulkan/spirv_arrays.h"

enum { OP_TYPE_BOOL = 20, OP_SELECT = 169, OP_ULESS_THAN = 176, OP_ACCESS_CHAIN = 65 };

/* %bufs: an array of three storage buffers; %pc: three push constants. */
static const char prelude[] =
	"OpCapability Shader\n"
	"OpCapability Int64\n"
	"OpMemoryModel Logical GLSL450\n"
	"OpEntryPoint GLCompute %main \"main\"\n"
	"OpExecutionMode %main LocalSize 1 1 1\n"
	"OpDecorate %bufs DescriptorSet 0\n"
	"OpDecorate %bufs Binding 0\n"
	"OpDecorate %blk Block\n"
	"OpMemberDecorate %blk 0 Offset 0\n"
	"OpDecorate %rarr ArrayStride 4\n"
	"OpDecorate %pcs Block\n"
	"OpMemberDecorate %pcs 0 Offset 0\n"
	"OpMemberDecorate %pcs 1 Offset 4\n"
	"OpMemberDecorate %pcs 2 Offset 8\n"
	"%void = OpTypeVoid\n"
	"%fnv = OpTypeFunction %void\n"
	"%uint = OpTypeInt 32 0\n"
	"%int = OpTypeInt 32 1\n"
	"%long = OpTypeInt 64 1\n"
	"%c0 = OpConstant %uint 0\n"
	"%c1 = OpConstant %uint 1\n"
	"%c2 = OpConstant %uint 2\n"
	"%c3 = OpConstant %uint 3\n"
	"%rarr = OpTypeRuntimeArray %uint\n"
	"%blk = OpTypeStruct %rarr\n"
	"%arr3 = OpTypeArray %blk %c3\n"
	"%parr = OpTypePointer StorageBuffer %arr3\n"
	"%pblk = OpTypePointer StorageBuffer %blk\n"
	"%pu = OpTypePointer StorageBuffer %uint\n"
	"%pcs = OpTypeStruct %uint %int %long\n"
	"%ppcs = OpTypePointer PushConstant %pcs\n"
	"%ppu = OpTypePointer PushConstant %uint\n"
	"%ppi = OpTypePointer PushConstant %int\n"
	"%ppl = OpTypePointer PushConstant %long\n"
	"%bufs = OpVariable %parr StorageBuffer\n"
	"%pc = OpVariable %ppcs PushConstant\n";

#define MAIN_BEGIN "%main = OpFunction %void None %fnv\n%l0 = OpLabel\n"
#define MAIN_END "OpReturn\nOpFunctionEnd\n"
/* %u, %i, %l: the push constants, unsigned, signed and 64-bit. */
#define LOADS "%pu0 = OpAccessChain %ppu %pc %c0\n%u = OpLoad %uint %pu0\n" \
	      "%pi1 = OpAccessChain %ppi %pc %c1\n%i = OpLoad %int %pi1\n" \
	      "%pl2 = OpAccessChain %ppl %pc %c2\n%l = OpLoad %long %pl2\n"

static bool valid(const uint32_t *code, size_t words)
{
	spv_context ctx = spvContextCreate(SPV_ENV_VULKAN_1_1);
	spv_const_binary_t cb = { code, words };
	spv_diagnostic diag = NULL;
	bool ok = spvValidate(ctx, &cb, &diag) == SPV_SUCCESS;

	if (!ok)
		fprintf(stderr, "invalid: %s\n", diag ? diag->error : "?");
	spvDiagnosticDestroy(diag);
	spvContextDestroy(ctx);
	return ok;
}

static uint32_t *assemble(const char *extra_types, const char *body, size_t *words)
{
	size_t len = strlen(prelude) + strlen(extra_types) + strlen(body) + 1;
	char *text = malloc(len);
	spv_context ctx = spvContextCreate(SPV_ENV_VULKAN_1_1);
	spv_binary bin = NULL;
	spv_diagnostic diag = NULL;
	uint32_t *code;

	assert_non_null(text);
	snprintf(text, len, "%s%s%s", prelude, extra_types, body);
	if (spvTextToBinary(ctx, text, strlen(text), &bin, &diag) != SPV_SUCCESS) {
		fprintf(stderr, "assembly failed: %s\n", diag ? diag->error : "?");
		fail();
	}
	code = malloc(bin->wordCount * 4);
	assert_non_null(code);
	memcpy(code, bin->code, bin->wordCount * 4);
	*words = bin->wordCount;
	assert_true(valid(code, *words));
	spvBinaryDestroy(bin);
	spvDiagnosticDestroy(diag);
	spvContextDestroy(ctx);
	free(text);
	return code;
}

/* The id of the module's (only) descriptor array, %bufs. */
static struct dxg_spirv_array bufs_array(const uint32_t *code, size_t words)
{
	for (size_t i = 5; i < words; i += code[i] >> 16)
		if ((code[i] & 0xffff) == 59 && code[i + 3] == 12)	/* StorageBuffer */
			return (struct dxg_spirv_array) { code[i + 2], 3 };
	fail();
	return (struct dxg_spirv_array) { 0, 0 };
}

static uint32_t count_op(const uint32_t *code, size_t words, uint32_t op)
{
	uint32_t n = 0;

	for (size_t i = 5; i < words; i += code[i] >> 16)
		n += (code[i] & 0xffff) == op;
	return n;
}

/* Checks @body; where it passes, its rewrite (NULL: none) with *out_words. */
static int32_t check_and_rewrite(const char *types, const char *body, uint32_t **out,
				 size_t *out_words, uint32_t *bound_before)
{
	size_t words;
	uint32_t *code = assemble(types, body, &words);
	struct dxg_spirv_array a = bufs_array(code, words);
	int32_t st = dxg_spirv_check_arrays(code, words, code[3], &a, 1);

	*out = NULL;
	*bound_before = code[3];
	if (!st)
		assert_int_equal(dxg_spirv_rewrite_arrays(code, words, code[3], &a, 1, out,
							  out_words), 0);
	free(code);
	return st;
}

/* Constant indices: in bounds pass untouched, past the array refused. */
static void test_constants(void **state)
{
	uint32_t *out, bound;
	size_t words;

	(void)state;
	assert_int_equal(check_and_rewrite("", MAIN_BEGIN
		"%p = OpAccessChain %pu %bufs %c2 %c0 %c1\nOpStore %p %c1\n" MAIN_END,
		&out, &words, &bound), 0);
	assert_null(out);
	assert_int_equal(check_and_rewrite("", MAIN_BEGIN
		"%p = OpAccessChain %pu %bufs %c3 %c0 %c1\nOpStore %p %c1\n" MAIN_END,
		&out, &words, &bound), STATUS_INVALID_PARAMETER);
	/* The variable anywhere but as a chain's base: refused. */
	assert_int_equal(check_and_rewrite("", MAIN_BEGIN
		"%p = OpCopyObject %parr %bufs\n" MAIN_END, &out, &words, &bound),
		STATUS_INVALID_PARAMETER);
}

/*
 * Run-time indices of three types: each chain gets a compare and a
 * select, the module a bool type, and the validator takes the result.
 */
static void test_dynamic(void **state)
{
	uint32_t *out, bound;
	size_t words;

	(void)state;
	assert_int_equal(check_and_rewrite("", MAIN_BEGIN LOADS
		"%p0 = OpAccessChain %pu %bufs %u %c0 %c1\nOpStore %p0 %c1\n"
		"%p1 = OpAccessChain %pu %bufs %i %c0 %c1\nOpStore %p1 %c1\n"
		"%p2 = OpInBoundsAccessChain %pblk %bufs %l\n"
		"%p3 = OpAccessChain %pu %p2 %c0 %u\nOpStore %p3 %c2\n"
		"%p4 = OpAccessChain %pu %bufs %c1 %c0 %u\nOpStore %p4 %c2\n" MAIN_END,
		&out, &words, &bound), 0);
	assert_non_null(out);
	assert_true(valid(out, words));
	assert_int_equal(count_op(out, words, OP_ULESS_THAN), 3);
	assert_int_equal(count_op(out, words, OP_SELECT), 3);
	assert_int_equal(count_op(out, words, OP_TYPE_BOOL), 1);
	/* 6 results, a bool, lengths and lasts of three types: 6 constants. */
	assert_int_equal(out[3], bound + 6 + 1 + 6);
	free(out);
}

/* A module with a bool type keeps it as the only one. */
static void test_bool_kept(void **state)
{
	uint32_t *out, bound;
	size_t words;

	(void)state;
	assert_int_equal(check_and_rewrite("%bool = OpTypeBool\n", MAIN_BEGIN LOADS
		"%p0 = OpAccessChain %pu %bufs %u %c0 %c1\nOpStore %p0 %c1\n" MAIN_END,
		&out, &words, &bound), 0);
	assert_non_null(out);
	assert_true(valid(out, words));
	assert_int_equal(count_op(out, words, OP_TYPE_BOOL), 1);
	assert_int_equal(out[3], bound + 2 + 2);
	free(out);
}

/* The chains are still chains, now on the selects. */
static void test_chain_operand(void **state)
{
	uint32_t *out, bound, sel = 0;
	size_t words;

	(void)state;
	assert_int_equal(check_and_rewrite("", MAIN_BEGIN LOADS
		"%p0 = OpAccessChain %pu %bufs %u %c0 %c1\nOpStore %p0 %c1\n" MAIN_END,
		&out, &words, &bound), 0);
	assert_non_null(out);
	for (size_t i = 5; i < words; i += out[i] >> 16) {
		if ((out[i] & 0xffff) == OP_SELECT)
			sel = out[i + 2];
		if ((out[i] & 0xffff) == OP_ACCESS_CHAIN && out[i + 4] == sel && sel)
			sel = UINT32_MAX;
	}
	assert_int_equal(sel, UINT32_MAX);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_dynamic),
		cmocka_unit_test(test_bool_kept),
		cmocka_unit_test(test_chain_operand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
