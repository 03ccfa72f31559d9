// SPDX-License-Identifier: MIT
// Texel buffers through Vulkan (test_odx_texel.c): texels of four bytes
// read as floats (R8G8B8A8_UNORM) at indices read as 16-bit integers
// (R16_UINT), each written to an R32_UINT storage texel buffer, and an
// image atomic counting the invocations.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform samplerBuffer src;
layout(set = 0, binding = 1, r32ui) uniform writeonly uimageBuffer dst;
layout(set = 0, binding = 2, r32ui) uniform uimageBuffer count;
layout(set = 0, binding = 3) uniform usamplerBuffer index;
// Declared, never used: the test leaves its descriptor unwritten.
layout(set = 0, binding = 4, r32f) uniform imageBuffer spare;
layout(push_constant) uniform P { uint n; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i >= p.n)
		return;
	int j = int(texelFetch(index, int(i)).r);
	uvec4 b = uvec4(round(texelFetch(src, j) * 255.0));
	imageStore(dst, int(i), uvec4(b.r + b.g * 2u + b.b * 3u + b.a * 4u));
	imageAtomicAdd(count, 0, 1u);
}
