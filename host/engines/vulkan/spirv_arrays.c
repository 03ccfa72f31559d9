// SPDX-License-Identifier: MIT
/* Constant, in-bounds indexing of descriptor arrays (see spirv_arrays.h). */
#include "engines/vulkan/spirv_arrays.h"

#include <stdbool.h>
#include <stdlib.h>

/*
 * libspirv.h defines (not declares) kDefaultMaxIdBound, which C gives
 * external linkage: spirv_check.c has it already, so here it gets a name
 * of its own.
 */
#define kDefaultMaxIdBound dxg_spirv_arrays_max_id_bound
#include <spirv-tools/libspirv.h>
#undef kDefaultMaxIdBound

#include "dxg/ntstatus.h"

enum {
	OP_NAME = 5, OP_ENTRY_POINT = 15, OP_CONSTANT = 43,
	OP_ACCESS_CHAIN = 65, OP_IN_BOUNDS_ACCESS_CHAIN = 66,
	OP_DECORATE = 71, OP_DECORATE_ID = 332,
};

struct walk {
	uint32_t bound;
	uint32_t *value;	/* 32-bit integer constants, by id */
	uint8_t *is_const;
	const struct dxg_spirv_array *arrays;
	uint32_t n;
	bool bad;
};

static const struct dxg_spirv_array *arrayed(const struct walk *w, uint32_t id)
{
	for (uint32_t i = 0; i < w->n; i++)
		if (w->arrays[i].var == id)
			return &w->arrays[i];
	return NULL;
}

static bool is_id(spv_operand_type_t t)
{
	return t == SPV_OPERAND_TYPE_ID || t == SPV_OPERAND_TYPE_TYPE_ID ||
	       t == SPV_OPERAND_TYPE_MEMORY_SEMANTICS_ID ||
	       t == SPV_OPERAND_TYPE_SCOPE_ID;
}

/* Operand @k of an access chain on @a: the base, its index a constant in bounds. */
static bool chain_ok(const struct walk *w, const spv_parsed_instruction_t *in,
		     uint16_t k, const struct dxg_spirv_array *a)
{
	uint32_t idx;

	if ((in->opcode != OP_ACCESS_CHAIN && in->opcode != OP_IN_BOUNDS_ACCESS_CHAIN) ||
	    k != 2 || in->num_operands < 4)
		return false;
	idx = in->words[in->operands[3].offset];
	return idx < w->bound && w->is_const[idx] && w->value[idx] < a->length;
}

static spv_result_t on_instruction(void *user, const spv_parsed_instruction_t *in)
{
	struct walk *w = user;

	if (in->opcode == OP_CONSTANT && in->num_words == 4 && in->result_id < w->bound) {
		w->is_const[in->result_id] = 1;
		w->value[in->result_id] = in->words[3];
	}
	/* Names, decorations and the interface only name the variable. */
	if (in->opcode == OP_NAME || in->opcode == OP_ENTRY_POINT ||
	    in->opcode == OP_DECORATE || in->opcode == OP_DECORATE_ID)
		return SPV_SUCCESS;
	for (uint16_t k = 0; k < in->num_operands; k++) {
		const spv_parsed_operand_t *o = &in->operands[k];
		const struct dxg_spirv_array *a;

		if (!is_id(o->type))
			continue;
		a = arrayed(w, in->words[o->offset]);
		if (a && !chain_ok(w, in, k, a))
			w->bad = true;
	}
	return SPV_SUCCESS;
}

int32_t dxg_spirv_check_arrays(const uint32_t *code, size_t words, uint32_t bound,
			       const struct dxg_spirv_array *arrays, uint32_t n)
{
	struct walk w = { .bound = bound, .arrays = arrays, .n = n };
	spv_context ctx;
	spv_result_t r;

	if (!n)
		return 0;
	w.value = calloc(bound, sizeof(*w.value));
	w.is_const = calloc(bound, 1);
	ctx = spvContextCreate(SPV_ENV_UNIVERSAL_1_6);
	if (!w.value || !w.is_const || !ctx) {
		free(w.value);
		free(w.is_const);
		if (ctx)
			spvContextDestroy(ctx);
		return STATUS_NO_MEMORY;
	}
	r = spvBinaryParse(ctx, &w, code, words, NULL, on_instruction, NULL);
	spvContextDestroy(ctx);
	free(w.value);
	free(w.is_const);
	return r == SPV_SUCCESS && !w.bad ? 0 : STATUS_INVALID_PARAMETER;
}
