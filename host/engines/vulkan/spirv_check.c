// SPDX-License-Identifier: MIT
/* SPIR-V checks before a module reaches the Vulkan driver. */
#include "engines/vulkan/spirv_check.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <spirv-tools/libspirv.h>
#include <vulkan/vulkan.h>

#include "dxg/ntstatus.h"
#include "dxg/texel_format.h"
#include "engines/vulkan/spirv_arrays.h"
#include "engines/vulkan/spirv_writes.h"

/* The few opcodes, decorations and storage classes looked at (SPIR-V spec). */
enum {
	OP_ENTRY_POINT = 15, OP_CAPABILITY = 17, OP_TYPE_INT = 21, OP_TYPE_FLOAT = 22,
	OP_TYPE_IMAGE = 25, OP_TYPE_SAMPLER = 26, OP_TYPE_SAMPLED_IMAGE = 27,
	OP_TYPE_ARRAY = 28, OP_TYPE_RUNTIME_ARRAY = 29,
	DIM_2D = 1, DIM_3D = 2, DIM_CUBE = 3, DIM_BUFFER = 5, IMAGE_SAMPLED = 1, IMAGE_STORAGE = 2, DEPTH_YES = 1,
	/* What an image or sampler type is to us (id_info.texel). */
	TEXEL_UNIFORM = 1, TEXEL_STORAGE = 2, STORAGE_IMAGE_KIND = 3,
	SAMPLED_IMAGE_KIND = 4, COMBINED_KIND = 5, SAMPLER = 6,
	OP_CONSTANT = 43, OP_IMAGE_TEXEL_POINTER = 60, OP_ACCESS_CHAIN = 65,
	OP_IN_BOUNDS_ACCESS_CHAIN = 66,
	OP_TYPE_POINTER = 32, OP_VARIABLE = 59, OP_DECORATE = 71,
	DEC_BUFFER_BLOCK = 3, DEC_NON_WRITABLE = 24, DEC_BINDING = 33, DEC_DESCRIPTOR_SET = 34,
	SC_UNIFORM_CONSTANT = 0, SC_UNIFORM = 2, SC_STORAGE_BUFFER = 12,
	MODEL_GLCOMPUTE = 5,
	CAP_PHYSICAL_STORAGE_BUFFER_ADDRESSES = 5347,
};

#define F_SET		0x01u
#define F_BINDING	0x02u
#define F_BUFFER_BLOCK	0x04u
#define F_ARRAY		0x08u
#define F_POINTER	0x10u
#define F_VARIABLE	0x20u
#define F_RUNTIME	0x40u	/* an OpTypeRuntimeArray */
#define F_CONST		0x80u	/* a 32-bit OpConstant: value */

struct id_info {
	uint8_t flags;
	uint32_t set, binding;
	uint32_t sc;		/* pointer or variable storage class */
	uint32_t type;		/* pointer: pointee; variable: its pointer type;
				 * array: its element type */
	uint32_t len_id;	/* array: its length's id */
	uint32_t value;		/* constant */
	uint8_t cls;		/* a scalar type: enum dxg_texel_class */
	/*
	 * An image type: of Dim Buffer, sampled (TEXEL_UNIFORM) or storage
	 * (TEXEL_STORAGE); of Dim 2D (arrayed or not), 3D or Cube, single
	 * sampled, not a depth image: storage (STORAGE_IMAGE_KIND) or
	 * sampled (SAMPLED_IMAGE_KIND); a sampled image type of the latter
	 * (COMBINED_KIND); a sampler type (SAMPLER); or 0.
	 */
	uint8_t texel;
	uint8_t spv_format;	/* image: its Image Format */
	uint8_t view;		/* image: enum dxg_view_type its views need */
	/* A pointer an OpImageTexelPointer (an image atomic) names. */
	uint8_t atomic;
	uint8_t non_writable;	/* decorated NonWritable (GLSL's readonly) */
	uint32_t chain_base;	/* an access chain: its base pointer, or 0 */
};

static spv_target_env target_env(uint32_t vk_api)
{
	if (vk_api >= VK_API_VERSION_1_3)
		return SPV_ENV_VULKAN_1_3;
	if (vk_api >= VK_API_VERSION_1_2)
		return SPV_ENV_VULKAN_1_2;
	return SPV_ENV_VULKAN_1_1;
}

static int32_t validate(const uint32_t *code, size_t words, uint32_t vk_api)
{
	spv_context ctx = spvContextCreate(target_env(vk_api));
	spv_const_binary_t bin = { .code = code, .wordCount = words };
	spv_result_t r;

	if (!ctx)
		return STATUS_NO_MEMORY;
	r = spvValidate(ctx, &bin, NULL);
	spvContextDestroy(ctx);
	return r == SPV_SUCCESS ? 0 : STATUS_INVALID_PARAMETER;
}

static void decorate(struct id_info *t, const uint32_t *ins, uint32_t wc)
{
	struct id_info *d = &t[ins[1]];

	if (ins[2] == DEC_BUFFER_BLOCK)
		d->flags |= F_BUFFER_BLOCK;
	if (ins[2] == DEC_NON_WRITABLE)
		d->non_writable = 1;
	if (wc < 4)
		return;
	if (ins[2] == DEC_DESCRIPTOR_SET) {
		d->flags |= F_SET;
		d->set = ins[3];
	} else if (ins[2] == DEC_BINDING) {
		d->flags |= F_BINDING;
		d->binding = ins[3];
	}
}

/*
 * An OpTypeImage: buffer images (texel buffers) and 2D (arrayed or not),
 * 3D and cube storage and sampled images are what a layout may have; the
 * view an image needs goes to its view.
 */
static void image_type(struct id_info *t, const uint32_t *ins)
{
	struct id_info *i = &t[ins[1]];
	const bool arrayed = ins[5];
	const bool image_dim = ins[3] == DIM_2D || ins[3] == DIM_3D || ins[3] == DIM_CUBE;

	i->type = ins[2];		/* its Sampled Type */
	/* Multisampled; arrayed but for 2D; an Image Format beyond ours. */
	if (ins[6] || (arrayed && ins[3] != DIM_2D) || ins[8] >= 0xff)
		return;
	if (ins[3] == DIM_BUFFER && ins[7] == IMAGE_SAMPLED)
		i->texel = TEXEL_UNIFORM;
	else if (ins[3] == DIM_BUFFER && ins[7] == IMAGE_STORAGE)
		i->texel = TEXEL_STORAGE;
	else if (image_dim && ins[7] == IMAGE_STORAGE)
		i->texel = STORAGE_IMAGE_KIND;
	else if (image_dim && ins[7] == IMAGE_SAMPLED && ins[4] != DEPTH_YES)
		i->texel = SAMPLED_IMAGE_KIND;
	i->spv_format = (uint8_t)ins[8];
	i->view = ins[3] == DIM_3D ? DXG_VIEW_3D : ins[3] == DIM_CUBE ? DXG_VIEW_CUBE :
		  arrayed ? DXG_VIEW_2D_ARRAY : DXG_VIEW_2D;
}

/*
 * An OpTypeSampledImage: of a buffer image, glslang's samplerBuffer (a
 * uniform texel buffer to Vulkan); of a 2D sampled image, a combined image
 * sampler.
 */
static void sampled_image_type(struct id_info *t, const uint32_t *ins)
{
	const struct id_info *image = &t[ins[2]];

	if (image->texel == TEXEL_UNIFORM) {
		t[ins[1]] = *image;
	} else if (image->texel == SAMPLED_IMAGE_KIND) {
		t[ins[1]] = *image;
		t[ins[1]].texel = COMBINED_KIND;
	}
}

static bool entry_matches(const uint32_t *ins, uint32_t wc, const char *entry)
{
	size_t max = (size_t)(wc - 3) * 4;

	return wc > 3 && ins[1] == MODEL_GLCOMPUTE &&
	       strnlen((const char *)&ins[3], max) < max &&
	       !strcmp((const char *)&ins[3], entry);
}

/*
 * One pass over the instructions; false when one is malformed, or declares
 * raw device addresses (PhysicalStorageBufferAddresses) that the device
 * does not give out: a driver that compiles such a shader anyway (lavapipe
 * does) would let it reach any address of the daemon.
 */
static bool scan(const uint32_t *code, size_t words, uint32_t bound,
		 struct id_info *t, const char *entry, uint32_t flags,
		 bool *found)
{
	for (size_t i = 5; i < words;) {
		const uint32_t *ins = &code[i];
		uint32_t wc = ins[0] >> 16, op = ins[0] & 0xffffu;

		if (!wc || wc > words - i)
			return false;
		/* Every id operand read below must be < bound. */
		if (op == OP_ENTRY_POINT)
			*found |= entry_matches(ins, wc, entry);
		else if (op == OP_CAPABILITY && wc == 2 &&
			 ins[1] == CAP_PHYSICAL_STORAGE_BUFFER_ADDRESSES &&
			 !(flags & DXG_SPIRV_DEVICE_ADDRESS))
			return false;
		else if (op == OP_DECORATE && wc >= 3 && ins[1] < bound)
			decorate(t, ins, wc);
		else if ((op == OP_TYPE_INT || op == OP_TYPE_FLOAT) && wc >= 3 &&
			 ins[1] < bound)
			t[ins[1]].cls = op == OP_TYPE_INT ? DXG_TEXEL_INT : DXG_TEXEL_FLOAT;
		else if (op == OP_TYPE_IMAGE && wc >= 9 && ins[1] < bound &&
			 ins[2] < bound)
			image_type(t, ins);
		else if (op == OP_TYPE_SAMPLED_IMAGE && wc == 3 && ins[1] < bound &&
			 ins[2] < bound)
			sampled_image_type(t, ins);
		else if (op == OP_TYPE_SAMPLER && wc == 2 && ins[1] < bound)
			t[ins[1]].texel = SAMPLER;
		else if ((op == OP_TYPE_ARRAY || op == OP_TYPE_RUNTIME_ARRAY) &&
			 wc >= 3 && ins[1] < bound) {
			t[ins[1]].flags |= F_ARRAY |
					   (op == OP_TYPE_RUNTIME_ARRAY ? F_RUNTIME : 0);
			t[ins[1]].type = ins[2];
			t[ins[1]].len_id = wc >= 4 ? ins[3] : 0;
		} else if (op == OP_CONSTANT && wc == 4 && ins[2] < bound) {
			t[ins[2]].flags |= F_CONST;
			t[ins[2]].value = ins[3];
		}
		else if (op == OP_TYPE_POINTER && wc == 4 && ins[1] < bound) {
			t[ins[1]].flags |= F_POINTER;
			t[ins[1]].sc = ins[2];
			t[ins[1]].type = ins[3];
		} else if (op == OP_VARIABLE && wc >= 4 && ins[2] < bound) {
			t[ins[2]].flags |= F_VARIABLE;
			t[ins[2]].type = ins[1];
			t[ins[2]].sc = ins[3];
		} else if ((op == OP_ACCESS_CHAIN || op == OP_IN_BOUNDS_ACCESS_CHAIN) &&
			   wc >= 4 && ins[2] < bound && ins[3] < bound) {
			t[ins[2]].chain_base = ins[3];
		} else if (op == OP_IMAGE_TEXEL_POINTER && wc == 6 && ins[3] < bound) {
			t[ins[3]].atomic = 1;
		}
		i += wc;
	}
	return true;
}

/*
 * An image atomic names its image by a variable or an access chain into
 * one (a descriptor array): the variable is what the atomic uses.  Chains
 * of chains are followed a bounded number of steps (the validator has
 * already refused cycles).
 */
static void atomics_to_variables(struct id_info *t, uint32_t bound)
{
	for (uint32_t id = 0; id < bound; id++) {
		uint32_t p = id;

		if (!t[id].atomic)
			continue;
		for (int step = 0; step < 8 && t[p].chain_base; step++) {
			p = t[p].chain_base;
			t[p].atomic = 1;
		}
	}
}

/*
 * The slot of the layout at (set, binding) (element 0), or NULL; *count:
 * how many elements the layout has there.
 */
static const struct dxg_engine_slot *find_slot(const struct dxg_engine_slot *slots,
					       uint32_t n, uint32_t set,
					       uint32_t binding, uint32_t *count)
{
	const struct dxg_engine_slot *first = NULL;

	*count = 0;
	for (uint32_t i = 0; i < n; i++)
		if (slots[i].set == set && slots[i].binding == binding) {
			(*count)++;
			if (!slots[i].element)
				first = &slots[i];
		}
	return first;
}

/* What a slot's variable must be (id_info.texel), or 0 for buffers. */
static uint8_t image_kind(uint32_t slot_type)
{
	switch (slot_type) {
	case DXG_SLOT_UNIFORM_TEXEL_BUFFER:
		return TEXEL_UNIFORM;
	case DXG_SLOT_STORAGE_TEXEL_BUFFER:
		return TEXEL_STORAGE;
	case DXG_SLOT_STORAGE_IMAGE:
		return STORAGE_IMAGE_KIND;
	case DXG_SLOT_SAMPLED_IMAGE:
		return SAMPLED_IMAGE_KIND;
	case DXG_SLOT_COMBINED_IMAGE_SAMPLER:
		return COMBINED_KIND;
	case DXG_SLOT_SAMPLER:
		return SAMPLER;
	default:
		return 0;
	}
}

/*
 * A texel buffer, image or sampler slot's variable: a UniformConstant of
 * the slot's kind (image_kind()); an image's Sampled Type a scalar.  What
 * a view of an image must be goes to *facts.
 */
static bool texel_ok(const struct id_info *t, uint32_t bound,
		     const struct id_info *v, const struct id_info *image,
		     const struct dxg_engine_slot *slot, uint32_t slot_index,
		     struct dxg_spirv_facts *facts)
{
	if (v->sc != SC_UNIFORM_CONSTANT || image->texel != image_kind(slot->type))
		return false;
	if (image->texel == SAMPLER)
		return true;
	if (image->type >= bound || !t[image->type].cls)
		return false;
	facts->texel_spv[slot_index] = image->spv_format;
	facts->texel_class[slot_index] = t[image->type].cls;
	facts->image_view[slot_index] = image->view;
	if (v->atomic)
		facts->texel_atomic |= 1u << slot_index;
	else if (v->non_writable && slot->type == DXG_SLOT_STORAGE_IMAGE)
		facts->image_no_write |= 1u << slot_index;
	return true;
}


/*
 * A resource variable must be one buffer of our layout, of its type, or an
 * array of them as long as the layout's elements there (its constant
 * length goes to *length, 0 for a single buffer).
 */
static bool resource_ok(const struct id_info *t, uint32_t bound,
			const struct id_info *v, const struct dxg_engine_slot *slots,
			uint32_t num_slots, uint32_t *length,
			struct dxg_spirv_facts *facts)
{
	const struct id_info *ptr, *pointee;
	const struct dxg_engine_slot *slot;
	uint32_t count;

	*length = 0;
	if ((v->flags & (F_SET | F_BINDING)) != (F_SET | F_BINDING) ||
	    v->type >= bound)
		return false;
	slot = find_slot(slots, num_slots, v->set, v->binding, &count);
	if (!slot)
		return false;
	ptr = &t[v->type];
	if (!(ptr->flags & F_POINTER) || ptr->type >= bound)
		return false;
	pointee = &t[ptr->type];
	if (pointee->flags & F_ARRAY) {
		/* A descriptor array: of constant length, that of the layout. */
		if ((pointee->flags & F_RUNTIME) || pointee->len_id >= bound ||
		    !(t[pointee->len_id].flags & F_CONST) || pointee->type >= bound ||
		    t[pointee->len_id].value != count)
			return false;
		*length = count;
		pointee = &t[pointee->type];
		if (pointee->flags & F_ARRAY)
			return false;
	} else if (count != 1) {
		return false;
	}
	if (image_kind(slot->type)) {
		/* Every element of an array: the same image type, the same rule. */
		for (uint32_t i = 0; i < num_slots; i++)
			if (slots[i].set == v->set && slots[i].binding == v->binding &&
			    !texel_ok(t, bound, v, pointee, &slots[i], i, facts))
				return false;
		return true;
	}
	if (slot->type == DXG_SLOT_UNIFORM_BUFFER)
		return v->sc == SC_UNIFORM && !(pointee->flags & F_BUFFER_BLOCK);
	if (v->sc == SC_STORAGE_BUFFER)
		return true;
	/* SPIR-V 1.0 spells a storage buffer "Uniform + BufferBlock". */
	return v->sc == SC_UNIFORM && (pointee->flags & F_BUFFER_BLOCK);
}

/* The resource variables, for the write check (up to DXG_SPIRV_MAX_TRACKED). */
struct resources {
	uint32_t n;
	bool overflow;
	uint32_t id[DXG_SPIRV_MAX_TRACKED];
	uint32_t set[DXG_SPIRV_MAX_TRACKED], binding[DXG_SPIRV_MAX_TRACKED];
};

static void add_resource(struct resources *r, uint32_t id, const struct id_info *v)
{
	if (r->n == DXG_SPIRV_MAX_TRACKED) {
		r->overflow = true;
		return;
	}
	r->id[r->n] = id;
	r->set[r->n] = v->set;
	r->binding[r->n++] = v->binding;
}

/*
 * The slots no variable the module may write is bound to (two variables
 * may alias one binding): every slot of the layout, less those.  With too
 * many variables to follow, none.
 */
static int32_t read_only_slots(const uint32_t *code, size_t words, uint32_t bound,
			       const struct resources *r,
			       const struct dxg_engine_slot *slots,
			       uint32_t num_slots, uint32_t *out)
{
	uint32_t written, ro = (uint32_t)((1ull << num_slots) - 1);
	int32_t st;

	*out = 0;
	if (r->overflow)
		return 0;
	st = dxg_spirv_find_writes(code, words, bound, r->id, r->n, &written);
	if (st)
		return st;
	for (uint32_t i = 0; i < r->n; i++)
		for (uint32_t s = 0; (written & (1u << i)) && s < num_slots; s++)
			if (slots[s].set == r->set[i] && slots[s].binding == r->binding[i])
				ro &= ~(1u << s);
	*out = ro;
	return 0;
}

static int32_t check_layout(const uint32_t *code, size_t words,
			    const char *entry, const struct dxg_engine_slot *slots,
			    uint32_t num_slots, uint32_t flags,
			    struct dxg_spirv_facts *facts)
{
	struct dxg_spirv_array arrays[DXG_SPIRV_MAX_ARRAYS];
	uint32_t bound = code[3], narrays = 0, length;
	struct resources res = { 0 };
	struct id_info *t;
	bool found = false, ok;
	int32_t st;

	/* Ids are defined by instructions: a sparser bound is not worth RAM. */
	if (!bound || bound > words)
		return STATUS_INVALID_PARAMETER;
	t = calloc(bound, sizeof(*t));
	if (!t)
		return STATUS_NO_MEMORY;
	ok = scan(code, words, bound, t, entry, flags, &found) && found;
	if (ok)
		atomics_to_variables(t, bound);
	for (uint32_t id = 0; ok && id < bound; id++) {
		const struct id_info *v = &t[id];
		bool resource = (v->flags & F_VARIABLE) &&
				(v->sc == SC_UNIFORM || v->sc == SC_STORAGE_BUFFER ||
				 v->sc == SC_UNIFORM_CONSTANT);

		/* Decorated non-variables (e.g. structs) carry no binding. */
		if (!resource && !(v->flags & (F_SET | F_BINDING) && (v->flags & F_VARIABLE)))
			continue;
		ok = resource_ok(t, bound, v, slots, num_slots, &length, facts);
		if (ok)
			add_resource(&res, id, v);
		if (ok && length) {
			/* Arrays use slots: there are no more than slots. */
			ok = narrays < DXG_SPIRV_MAX_ARRAYS;
			if (ok)
				arrays[narrays++] = (struct dxg_spirv_array) { id, length };
		}
	}
	free(t);
	if (!ok)
		return STATUS_INVALID_PARAMETER;
	memcpy(facts->arrays, arrays, narrays * sizeof(arrays[0]));
	facts->num_arrays = narrays;
	st = dxg_spirv_check_arrays(code, words, bound, arrays, narrays);
	if (!st)
		st = read_only_slots(code, words, bound, &res, slots, num_slots,
				     &facts->read_only);
	/* Storage texel buffers and images are written through image values: never read-only. */
	for (uint32_t i = 0; i < num_slots; i++)
		if (slots[i].type == DXG_SLOT_STORAGE_TEXEL_BUFFER ||
		    slots[i].type == DXG_SLOT_STORAGE_IMAGE)
			facts->read_only &= ~(1u << i);
	return st;
}

int32_t dxg_spirv_check(const uint32_t *code, size_t size, const char *entry,
			const struct dxg_engine_slot *slots, uint32_t num_slots,
			uint32_t vk_api, uint32_t flags, struct dxg_spirv_facts *facts)
{
	size_t words = size / 4, elen;
	struct dxg_spirv_facts f = { 0 };
	int32_t st;

	if (facts)
		memset(facts, 0, sizeof(*facts));
	if (num_slots > DXG_ENGINE_MAX_BINDINGS)
		return STATUS_INVALID_PARAMETER;

	if (!code || !entry || size % 4 || size < 20 || size > DXG_SPIRV_MAX_SIZE)
		return STATUS_INVALID_PARAMETER;
	/* A byte-swapped magic is valid SPIR-V but not what Vulkan takes. */
	if (code[0] != DXG_SPIRV_MAGIC)
		return STATUS_INVALID_PARAMETER;
	elen = strnlen(entry, DXG_SPIRV_MAX_ENTRY + 1);
	if (!elen || elen > DXG_SPIRV_MAX_ENTRY)
		return STATUS_INVALID_PARAMETER;
	st = validate(code, words, vk_api);
	if (!st)
		st = check_layout(code, words, entry, slots, num_slots, flags, &f);
	if (!st && facts)
		*facts = f;
	return st;
}

int32_t dxg_spirv_clamp(const uint32_t *code, size_t size, uint32_t vk_api,
			const struct dxg_spirv_facts *facts, uint32_t **out, size_t *out_size)
{
	size_t words = 0;
	int32_t st;

	*out = NULL;
	*out_size = 0;
	if (facts->num_arrays > DXG_SPIRV_MAX_ARRAYS || size < 20)
		return STATUS_INVALID_PARAMETER;
	st = dxg_spirv_rewrite_arrays(code, size / 4, code[3], facts->arrays,
				      facts->num_arrays, out, &words);
	if (st || !*out)
		return st;
	/* What reaches the driver passed the validator, the rewrite too. */
	st = validate(*out, words, vk_api);
	if (st) {
		free(*out);
		*out = NULL;
		return st;
	}
	*out_size = words * 4;
	return 0;
}
