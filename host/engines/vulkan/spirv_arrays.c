// SPDX-License-Identifier: MIT
/*
 * Indexing of descriptor arrays (see spirv_arrays.h): constants in bounds,
 * other indices clamped by a rewrite.
 */
#include "engines/vulkan/spirv_arrays.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
	OP_NAME = 5, OP_ENTRY_POINT = 15, OP_TYPE_BOOL = 20, OP_TYPE_INT = 21,
	OP_CONSTANT = 43, OP_FUNCTION = 54, OP_ACCESS_CHAIN = 65,
	OP_IN_BOUNDS_ACCESS_CHAIN = 66, OP_DECORATE = 71, OP_ULESS_THAN = 176,
	OP_SELECT = 169, OP_DECORATE_ID = 332,
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

static bool is_chain(const spv_parsed_instruction_t *in)
{
	return (in->opcode == OP_ACCESS_CHAIN || in->opcode == OP_IN_BOUNDS_ACCESS_CHAIN) &&
	       in->num_operands >= 4;
}

/*
 * Operand @k of an access chain on @a: the base, its index a constant in
 * bounds or not a constant (clamped later).
 */
static bool chain_ok(const struct walk *w, const spv_parsed_instruction_t *in,
		     uint16_t k, const struct dxg_spirv_array *a)
{
	uint32_t idx;

	if (!is_chain(in) || k != 2)
		return false;
	idx = in->words[in->operands[3].offset];
	return idx < w->bound && (!w->is_const[idx] || w->value[idx] < a->length);
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

/* ---- the rewrite: dynamic indices clamped ---- */

/* A chain to clamp: where it is, its index and the array's length. */
struct chain {
	size_t at;		/* its first word */
	uint16_t index_word;	/* its first index's word in it */
	uint32_t index, length;
};

/* A constant the clamps need: @value of integer type @type. */
struct konst {
	uint32_t type, value, id;
};

struct rewrite {
	struct walk w;		/* the arrays and which ids are constants */
	uint32_t *type_of;	/* result types, by id */
	uint8_t *int_width;	/* OpTypeInt widths, by id (0: not one) */
	uint32_t bool_type;	/* the module's OpTypeBool, or 0 */
	size_t next;		/* the word after the last instruction seen */
	size_t first_function;	/* 0: none yet */
	struct chain *chains;
	uint32_t nchains, cap;
	bool bad;
};

static bool add_chain(struct rewrite *r, const spv_parsed_instruction_t *in, size_t at,
		      uint32_t length)
{
	if (r->nchains == r->cap) {
		uint32_t ncap = r->cap ? r->cap * 2 : 16;
		struct chain *nc = realloc(r->chains, ncap * sizeof(*nc));

		if (!nc)
			return false;
		r->chains = nc;
		r->cap = ncap;
	}
	r->chains[r->nchains++] = (struct chain) {
		.at = at, .index_word = in->operands[3].offset,
		.index = in->words[in->operands[3].offset], .length = length,
	};
	return true;
}

static spv_result_t on_rewrite(void *user, const spv_parsed_instruction_t *in)
{
	struct rewrite *r = user;
	size_t at = r->next;
	uint32_t id = in->result_id;
	const struct dxg_spirv_array *a;

	r->next += in->num_words;
	if (id && id < r->w.bound && in->type_id)
		r->type_of[id] = in->type_id;
	if (in->opcode == OP_CONSTANT && in->num_words == 4 && id < r->w.bound)
		r->w.is_const[id] = 1;
	else if (in->opcode == OP_TYPE_INT && in->num_words == 4 && id < r->w.bound)
		r->int_width[id] = (uint8_t)(in->words[2] <= 64 ? in->words[2] : 0);
	else if (in->opcode == OP_TYPE_BOOL && !r->bool_type)
		r->bool_type = id;
	else if (in->opcode == OP_FUNCTION && !r->first_function)
		r->first_function = at;
	if (!is_chain(in))
		return SPV_SUCCESS;
	a = arrayed(&r->w, in->words[in->operands[2].offset]);
	if (!a)
		return SPV_SUCCESS;
	{
		uint32_t idx = in->words[in->operands[3].offset];

		if (idx >= r->w.bound || r->w.is_const[idx])
			return SPV_SUCCESS;
		/* In a function (after the first OpFunction), never at module scope. */
		if (!r->first_function)
			r->bad = true;
		else if (!add_chain(r, in, at, a->length))
			return SPV_ERROR_OUT_OF_MEMORY;
	}
	return SPV_SUCCESS;
}

/* The id of constant @value of @type in @k (added with a new id if absent). */
static uint32_t konst_id(struct konst *k, uint32_t *nk, uint32_t type, uint32_t value,
			 uint32_t *next_id)
{
	for (uint32_t i = 0; i < *nk; i++)
		if (k[i].type == type && k[i].value == value)
			return k[i].id;
	k[*nk] = (struct konst) { type, value, (*next_id)++ };
	return k[(*nk)++].id;
}

/* Words of an OpConstant of @width bits. */
static uint32_t konst_words(uint32_t width)
{
	return width > 32 ? 5 : 4;
}

/* The new ids of one chain's clamp and the constants it compares with. */
struct clamp {
	uint32_t lt, sel;	/* the compare's and the select's results */
	uint32_t length, last;	/* the constants' ids */
};

/*
 * The new module: the globals, the bool type and constants the clamps
 * need, then the functions with a compare and a select before each chain.
 */
static uint32_t *emit(const uint32_t *code, size_t words, const struct rewrite *r,
		      const struct konst *k, uint32_t nk, const struct clamp *cl,
		      uint32_t bool_type, uint32_t new_bound, size_t *out_words)
{
	size_t n = words + (r->bool_type ? 0 : 2) + (size_t)r->nchains * 11, o, from;
	uint32_t *out;

	for (uint32_t i = 0; i < nk; i++)
		n += konst_words(r->int_width[k[i].type]);
	out = malloc(n * sizeof(*out));
	if (!out)
		return NULL;
	memcpy(out, code, r->first_function * sizeof(*out));
	out[3] = new_bound;
	o = r->first_function;
	if (!r->bool_type) {
		out[o++] = 2u << 16 | OP_TYPE_BOOL;
		out[o++] = bool_type;
	}
	for (uint32_t i = 0; i < nk; i++) {
		uint32_t wc = konst_words(r->int_width[k[i].type]);

		out[o++] = wc << 16 | OP_CONSTANT;
		out[o++] = k[i].type;
		out[o++] = k[i].id;
		out[o++] = k[i].value;
		if (wc == 5)
			out[o++] = 0;	/* the high word of a 64-bit one */
	}
	from = r->first_function;
	for (uint32_t i = 0; i < r->nchains; i++) {
		const struct chain *c = &r->chains[i];
		uint32_t wc = code[c->at] >> 16;

		memcpy(out + o, code + from, (c->at - from) * sizeof(*out));
		o += c->at - from;
		/* %lt = OpULessThan %bool %index %length */
		out[o++] = 5u << 16 | OP_ULESS_THAN;
		out[o++] = bool_type;
		out[o++] = cl[i].lt;
		out[o++] = c->index;
		out[o++] = cl[i].length;
		/* %sel = OpSelect %type %lt %index %last */
		out[o++] = 6u << 16 | OP_SELECT;
		out[o++] = r->type_of[c->index];
		out[o++] = cl[i].sel;
		out[o++] = cl[i].lt;
		out[o++] = c->index;
		out[o++] = cl[i].last;
		/* The chain, indexed by %sel. */
		memcpy(out + o, code + c->at, wc * sizeof(*out));
		out[o + c->index_word] = cl[i].sel;
		o += wc;
		from = c->at + wc;
	}
	memcpy(out + o, code + from, (words - from) * sizeof(*out));
	*out_words = o + words - from;
	return out;
}

/* Ids for every chain's clamp, the constants in @k: false if one has no integer index. */
static bool plan(const struct rewrite *r, struct konst *k, uint32_t *nk, struct clamp *cl,
		 uint32_t *next_id)
{
	for (uint32_t i = 0; i < r->nchains; i++) {
		uint32_t type = r->type_of[r->chains[i].index];

		if (type >= r->w.bound || !r->int_width[type])
			return false;
		cl[i].lt = (*next_id)++;
		cl[i].sel = (*next_id)++;
		cl[i].length = konst_id(k, nk, type, r->chains[i].length, next_id);
		cl[i].last = konst_id(k, nk, type, r->chains[i].length - 1, next_id);
	}
	return true;
}

static void rewrite_free(struct rewrite *r)
{
	free(r->w.is_const);
	free(r->type_of);
	free(r->int_width);
	free(r->chains);
}

int32_t dxg_spirv_rewrite_arrays(const uint32_t *code, size_t words, uint32_t bound,
				 const struct dxg_spirv_array *arrays, uint32_t n,
				 uint32_t **out, size_t *out_words)
{
	struct rewrite r = { .w = { .bound = bound, .arrays = arrays, .n = n }, .next = 5 };
	struct konst *k = NULL;
	struct clamp *cl = NULL;
	uint32_t nk = 0, next_id = bound, bool_type;
	int32_t st = STATUS_NO_MEMORY;
	spv_context ctx = NULL;
	spv_result_t pr;

	*out = NULL;
	*out_words = 0;
	if (!n)
		return 0;
	r.w.is_const = calloc(bound, 1);
	r.type_of = calloc(bound, sizeof(*r.type_of));
	r.int_width = calloc(bound, 1);
	ctx = spvContextCreate(SPV_ENV_UNIVERSAL_1_6);
	if (!r.w.is_const || !r.type_of || !r.int_width || !ctx)
		goto out;
	pr = spvBinaryParse(ctx, &r, code, words, NULL, on_rewrite, NULL);
	if (pr != SPV_SUCCESS || r.bad) {
		st = pr == SPV_ERROR_OUT_OF_MEMORY ? STATUS_NO_MEMORY : STATUS_INVALID_PARAMETER;
		goto out;
	}
	st = 0;
	if (!r.nchains)
		goto out;
	bool_type = r.bool_type ? r.bool_type : next_id++;
	k = calloc(2 * (size_t)r.nchains, sizeof(*k));
	cl = calloc(r.nchains, sizeof(*cl));
	st = STATUS_NO_MEMORY;
	if (!k || !cl)
		goto out;
	st = STATUS_INVALID_PARAMETER;
	if (!plan(&r, k, &nk, cl, &next_id))
		goto out;
	st = STATUS_NO_MEMORY;
	*out = emit(code, words, &r, k, nk, cl, bool_type, next_id, out_words);
	if (*out)
		st = 0;
out:
	if (ctx)
		spvContextDestroy(ctx);
	free(k);
	free(cl);
	rewrite_free(&r);
	return st;
}
