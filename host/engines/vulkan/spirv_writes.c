// SPDX-License-Identifier: MIT
/* The resource variables a module may write (see spirv_writes.h). */
#include "engines/vulkan/spirv_writes.h"

#include <stdbool.h>
#include <stdlib.h>

/* As in spirv_arrays.c: libspirv.h defines kDefaultMaxIdBound; rename ours. */
#define kDefaultMaxIdBound dxg_spirv_writes_max_id_bound
#include <spirv-tools/libspirv.h>
#undef kDefaultMaxIdBound

#include "dxg/ntstatus.h"

/* The opcodes looked at (SPIR-V specification, 3.52). */
enum {
	OP_NAME = 5, OP_EXT_INST = 12, OP_ENTRY_POINT = 15,
	OP_FUNCTION = 54, OP_FUNCTION_PARAMETER = 55, OP_FUNCTION_CALL = 57,
	OP_LOAD = 61, OP_COPY_MEMORY = 63, OP_COPY_MEMORY_SIZED = 64,
	OP_ACCESS_CHAIN = 65, OP_IN_BOUNDS_ACCESS_CHAIN = 66,
	OP_PTR_ACCESS_CHAIN = 67, OP_ARRAY_LENGTH = 68,
	OP_IN_BOUNDS_PTR_ACCESS_CHAIN = 70, OP_DECORATE = 71,
	OP_GROUP_DECORATE = 74, OP_COPY_OBJECT = 83, OP_SELECT = 169,
	OP_ATOMIC_LOAD = 227, OP_PHI = 245, OP_DECORATE_ID = 332,
	OP_PTR_EQUAL = 401, OP_PTR_NOT_EQUAL = 402, OP_PTR_DIFF = 403,
	OP_DECORATE_STRING = 5632,
};

/* A fixed point is normally reached in two or three passes. */
#define MAX_PASSES	16

struct walk {
	uint32_t bound;
	uint32_t *taint;	/* by id: which variables the pointer may reach */
	uint32_t *fn_first;	/* by function id: its first parameter's index + 1 */
	uint32_t *fn_count;	/* ... and how many parameters it has */
	uint32_t *params;	/* every OpFunctionParameter's id, in order */
	uint32_t nparams, cap_params;
	uint32_t cur_fn;	/* the function whose parameters come next */
	uint32_t written;
	bool changed, first_pass, nomem;
};

static void taint(struct walk *w, uint32_t id, uint32_t mask)
{
	if (id >= w->bound) {
		w->written |= mask;	/* nowhere to follow it: assume the worst */
		return;
	}
	if ((w->taint[id] | mask) != w->taint[id]) {
		w->taint[id] |= mask;
		w->changed = true;
	}
}

/* Names, decorations and the entry point's interface only name an id. */
static bool names_only(uint16_t op)
{
	return op == OP_NAME || op == OP_ENTRY_POINT || op == OP_DECORATE ||
	       op == OP_DECORATE_ID || op == OP_DECORATE_STRING ||
	       op == OP_GROUP_DECORATE;
}

/* Extended instructions of a NonSemantic.* set (debug info) change nothing. */
static bool non_semantic(spv_ext_inst_type_t t)
{
	return t == SPV_EXT_INST_TYPE_NONSEMANTIC_UNKNOWN ||
	       t == SPV_EXT_INST_TYPE_NONSEMANTIC_SHADER_DEBUGINFO_100 ||
	       t == SPV_EXT_INST_TYPE_NONSEMANTIC_CLSPVREFLECTION;
}

/* Argument @arg of a call to @fn carries @mask into the callee's parameter. */
static void pass_argument(struct walk *w, uint32_t fn, uint32_t arg, uint32_t mask)
{
	if (fn < w->bound && w->fn_first[fn] && arg < w->fn_count[fn]) {
		taint(w, w->params[w->fn_first[fn] - 1 + arg], mask);
		return;
	}
	/* A function defined further on: known after the first pass. */
	if (w->first_pass)
		w->changed = true;
	else
		w->written |= mask;
}

/* Operand @k of @in, holding a pointer that may reach @mask, is used. */
static void use(struct walk *w, const spv_parsed_instruction_t *in, uint16_t k,
		uint32_t mask)
{
	switch (in->opcode) {
	case OP_LOAD:
	case OP_ATOMIC_LOAD:
	case OP_ARRAY_LENGTH:
		if (k == 2)		/* the pointer (structure) read */
			return;
		break;
	case OP_PTR_EQUAL:
	case OP_PTR_NOT_EQUAL:
	case OP_PTR_DIFF:
		return;			/* compared, not dereferenced */
	case OP_COPY_MEMORY:
	case OP_COPY_MEMORY_SIZED:
		if (k == 1)		/* the source; operand 0 is the target */
			return;
		break;
	case OP_ACCESS_CHAIN:
	case OP_IN_BOUNDS_ACCESS_CHAIN:
	case OP_PTR_ACCESS_CHAIN:
	case OP_IN_BOUNDS_PTR_ACCESS_CHAIN:
		if (k == 2) {		/* the base; indices are integers */
			taint(w, in->result_id, mask);
			return;
		}
		break;
	case OP_COPY_OBJECT:
		taint(w, in->result_id, mask);
		return;
	case OP_SELECT:
		if (k >= 3) {		/* either object; 2 is the condition */
			taint(w, in->result_id, mask);
			return;
		}
		break;
	case OP_PHI:
		taint(w, in->result_id, mask);	/* values and labels alternate */
		return;
	case OP_FUNCTION_CALL:
		if (k >= 3) {
			pass_argument(w, in->words[in->operands[2].offset],
				      k - 3u, mask);
			return;
		}
		break;
	case OP_EXT_INST:
		if (non_semantic(in->ext_inst_type))
			return;
		break;
	default:
		break;
	}
	w->written |= mask;
}

static void add_param(struct walk *w, uint32_t id)
{
	if (w->nparams == w->cap_params) {
		uint32_t ncap = w->cap_params ? w->cap_params * 2 : 64;
		uint32_t *np = realloc(w->params, ncap * sizeof(*np));

		if (!np) {
			w->nomem = true;
			return;
		}
		w->params = np;
		w->cap_params = ncap;
	}
	if (w->cur_fn < w->bound) {
		if (!w->fn_first[w->cur_fn])
			w->fn_first[w->cur_fn] = w->nparams + 1;
		w->fn_count[w->cur_fn]++;
	}
	w->params[w->nparams++] = id;
}

static spv_result_t on_instruction(void *user, const spv_parsed_instruction_t *in)
{
	struct walk *w = user;

	if (w->first_pass && in->opcode == OP_FUNCTION)
		w->cur_fn = in->result_id;
	else if (w->first_pass && in->opcode == OP_FUNCTION_PARAMETER)
		add_param(w, in->result_id);
	if (names_only(in->opcode))
		return SPV_SUCCESS;
	for (uint16_t k = 0; k < in->num_operands; k++) {
		const spv_parsed_operand_t *o = &in->operands[k];
		uint32_t id;

		if (o->type != SPV_OPERAND_TYPE_ID)
			continue;
		id = in->words[o->offset];
		if (id < w->bound && w->taint[id])
			use(w, in, k, w->taint[id]);
	}
	return SPV_SUCCESS;
}

int32_t dxg_spirv_find_writes(const uint32_t *code, size_t words, uint32_t bound,
			      const uint32_t *vars, uint32_t n, uint32_t *written)
{
	struct walk w = { .bound = bound, .first_pass = true, .cur_fn = UINT32_MAX };
	spv_context ctx = NULL;
	spv_result_t r = SPV_SUCCESS;
	int32_t st = STATUS_NO_MEMORY;
	int pass;

	*written = 0;
	if (n > DXG_SPIRV_MAX_TRACKED)
		return STATUS_INVALID_PARAMETER;
	if (!n)
		return 0;
	w.taint = calloc(bound, sizeof(*w.taint));
	w.fn_first = calloc(bound, sizeof(*w.fn_first));
	w.fn_count = calloc(bound, sizeof(*w.fn_count));
	ctx = spvContextCreate(SPV_ENV_UNIVERSAL_1_6);
	if (!w.taint || !w.fn_first || !w.fn_count || !ctx)
		goto out;
	for (uint32_t i = 0; i < n; i++)
		taint(&w, vars[i], 1u << i);
	for (pass = 0; pass < MAX_PASSES && w.changed && !w.nomem; pass++) {
		w.changed = false;
		r = spvBinaryParse(ctx, &w, code, words, NULL, on_instruction, NULL);
		w.first_pass = false;
		if (r != SPV_SUCCESS)
			break;
	}
	if (w.nomem)
		goto out;
	st = r == SPV_SUCCESS ? 0 : STATUS_INVALID_PARAMETER;
	/* No fixed point within the passes: nothing is known to be read-only. */
	*written = w.changed ? (uint32_t)((1ull << n) - 1) : w.written;
out:
	if (ctx)
		spvContextDestroy(ctx);
	free(w.taint);
	free(w.fn_first);
	free(w.fn_count);
	free(w.params);
	return st;
}
