/* SPDX-License-Identifier: MIT */
/*
 * The formats a texel buffer or an image may have here
 * (docs/command-stream.md, "Texel buffers"): Vulkan's formats with buffer
 * or image support that compute programs use, each with its texel size,
 * its numeric class (what a shader's OpTypeImage Sampled Type must be) and
 * the SPIR-V Image Format that names it.  The guest's driver and the host share this one table:
 * the guest offers a format only where the host's device supports it and
 * the table has it; the host checks a dispatch's view against it.
 */
#ifndef DXG_TEXEL_FORMAT_H
#define DXG_TEXEL_FORMAT_H

#include <stdint.h>

#include <vulkan/vulkan.h>

/* The numeric class of a format, and of a shader's Sampled Type. */
enum dxg_texel_class {
	DXG_TEXEL_NONE = 0,	/* not a texel buffer format here */
	DXG_TEXEL_FLOAT = 1,	/* UNORM, SNORM, SFLOAT, UFLOAT: OpTypeFloat */
	DXG_TEXEL_INT = 2,	/* UINT, SINT: OpTypeInt */
};

/* SPIR-V's Image Format operand (SPIR-V specification, 3.11). */
enum dxg_spv_image_format {
	DXG_SPV_UNKNOWN = 0, DXG_SPV_RGBA32F = 1, DXG_SPV_RGBA16F = 2,
	DXG_SPV_R32F = 3, DXG_SPV_RGBA8 = 4, DXG_SPV_RGBA8_SNORM = 5,
	DXG_SPV_RG32F = 6, DXG_SPV_RG16F = 7, DXG_SPV_R11F_G11F_B10F = 8,
	DXG_SPV_R16F = 9, DXG_SPV_RGBA16 = 10, DXG_SPV_RGB10A2 = 11,
	DXG_SPV_RG16 = 12, DXG_SPV_RG8 = 13, DXG_SPV_R16 = 14, DXG_SPV_R8 = 15,
	DXG_SPV_RGBA16_SNORM = 16, DXG_SPV_RG16_SNORM = 17,
	DXG_SPV_RG8_SNORM = 18, DXG_SPV_R16_SNORM = 19, DXG_SPV_R8_SNORM = 20,
	DXG_SPV_RGBA32I = 21, DXG_SPV_RGBA16I = 22, DXG_SPV_RGBA8I = 23,
	DXG_SPV_R32I = 24, DXG_SPV_RG32I = 25, DXG_SPV_RG16I = 26,
	DXG_SPV_RG8I = 27, DXG_SPV_R16I = 28, DXG_SPV_R8I = 29,
	DXG_SPV_RGBA32UI = 30, DXG_SPV_RGBA16UI = 31, DXG_SPV_RGBA8UI = 32,
	DXG_SPV_R32UI = 33, DXG_SPV_RGB10A2UI = 34, DXG_SPV_RG32UI = 35,
	DXG_SPV_RG16UI = 36, DXG_SPV_RG8UI = 37, DXG_SPV_R16UI = 38,
	DXG_SPV_R8UI = 39,
	DXG_SPV_NONE = 0xff,	/* no SPIR-V format names it: Unknown only */
};

struct dxg_texel_format {
	uint8_t size;		/* bytes per texel; 0: not in the table */
	uint8_t cls;		/* enum dxg_texel_class */
	uint8_t spv;		/* enum dxg_spv_image_format */
};

/* Formats below this are all a texel buffer or an image can have here. */
#define DXG_TEXEL_FORMAT_END	((uint32_t)VK_FORMAT_E5B9G9R9_UFLOAT_PACK32 + 1u)

static inline struct dxg_texel_format dxg_texel_format(uint32_t format)
{
#define TF(f, sz, c, s) case VK_FORMAT_##f: \
	return (struct dxg_texel_format) { sz, DXG_TEXEL_##c, DXG_SPV_##s }
	switch (format) {
	TF(R8_UNORM, 1, FLOAT, R8);		TF(R8_SNORM, 1, FLOAT, R8_SNORM);
	TF(R8_UINT, 1, INT, R8UI);		TF(R8_SINT, 1, INT, R8I);
	TF(R8G8_UNORM, 2, FLOAT, RG8);		TF(R8G8_SNORM, 2, FLOAT, RG8_SNORM);
	TF(R8G8_UINT, 2, INT, RG8UI);		TF(R8G8_SINT, 2, INT, RG8I);
	TF(R8G8B8A8_UNORM, 4, FLOAT, RGBA8);	TF(R8G8B8A8_SNORM, 4, FLOAT, RGBA8_SNORM);
	TF(R8G8B8A8_UINT, 4, INT, RGBA8UI);	TF(R8G8B8A8_SINT, 4, INT, RGBA8I);
	TF(B8G8R8A8_UNORM, 4, FLOAT, NONE);
	/* sRGB, 16-bit packed and shared-exponent formats: images only (no buffer features). */
	TF(R8G8B8A8_SRGB, 4, FLOAT, NONE);	TF(B8G8R8A8_SRGB, 4, FLOAT, NONE);
	TF(A8B8G8R8_SRGB_PACK32, 4, FLOAT, NONE);
	TF(R5G6B5_UNORM_PACK16, 2, FLOAT, NONE);
	TF(A1R5G5B5_UNORM_PACK16, 2, FLOAT, NONE);
	TF(E5B9G9R9_UFLOAT_PACK32, 4, FLOAT, NONE);
	TF(A8B8G8R8_UNORM_PACK32, 4, FLOAT, NONE);
	TF(A8B8G8R8_SNORM_PACK32, 4, FLOAT, NONE);
	TF(A8B8G8R8_UINT_PACK32, 4, INT, NONE);
	TF(A8B8G8R8_SINT_PACK32, 4, INT, NONE);
	TF(A2B10G10R10_UNORM_PACK32, 4, FLOAT, RGB10A2);
	TF(A2B10G10R10_UINT_PACK32, 4, INT, RGB10A2UI);
	TF(R16_UNORM, 2, FLOAT, R16);		TF(R16_SNORM, 2, FLOAT, R16_SNORM);
	TF(R16_UINT, 2, INT, R16UI);		TF(R16_SINT, 2, INT, R16I);
	TF(R16_SFLOAT, 2, FLOAT, R16F);
	TF(R16G16_UNORM, 4, FLOAT, RG16);	TF(R16G16_SNORM, 4, FLOAT, RG16_SNORM);
	TF(R16G16_UINT, 4, INT, RG16UI);	TF(R16G16_SINT, 4, INT, RG16I);
	TF(R16G16_SFLOAT, 4, FLOAT, RG16F);
	TF(R16G16B16A16_UNORM, 8, FLOAT, RGBA16);
	TF(R16G16B16A16_SNORM, 8, FLOAT, RGBA16_SNORM);
	TF(R16G16B16A16_UINT, 8, INT, RGBA16UI);
	TF(R16G16B16A16_SINT, 8, INT, RGBA16I);
	TF(R16G16B16A16_SFLOAT, 8, FLOAT, RGBA16F);
	TF(R32_UINT, 4, INT, R32UI);		TF(R32_SINT, 4, INT, R32I);
	TF(R32_SFLOAT, 4, FLOAT, R32F);
	TF(R32G32_UINT, 8, INT, RG32UI);	TF(R32G32_SINT, 8, INT, RG32I);
	TF(R32G32_SFLOAT, 8, FLOAT, RG32F);
	TF(R32G32B32_UINT, 12, INT, NONE);	TF(R32G32B32_SINT, 12, INT, NONE);
	TF(R32G32B32_SFLOAT, 12, FLOAT, NONE);
	TF(R32G32B32A32_UINT, 16, INT, RGBA32UI);
	TF(R32G32B32A32_SINT, 16, INT, RGBA32I);
	TF(R32G32B32A32_SFLOAT, 16, FLOAT, RGBA32F);
	TF(B10G11R11_UFLOAT_PACK32, 4, FLOAT, R11F_G11F_B10F);
	default:
		return (struct dxg_texel_format) { 0, DXG_TEXEL_NONE, DXG_SPV_NONE };
	}
#undef TF
}

/* The buffer features a texel buffer format may be offered with. */
#define DXG_TEXEL_BUFFER_FEATURES \
	(VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT | \
	 VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT | \
	 VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_ATOMIC_BIT)

#endif /* DXG_TEXEL_FORMAT_H */
