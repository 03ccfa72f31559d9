// SPDX-License-Identifier: MIT
// Texel buffers (test_vulkan.c): a uniform texel buffer read through a
// float view (glslang makes samplerBuffer a sampled image of Dim Buffer),
// a storage texel buffer written with a declared format, and another one
// counted into with an image atomic.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform samplerBuffer src;		// e.g. R8G8B8A8_UNORM
layout(set = 0, binding = 1, r32ui) uniform writeonly uimageBuffer dst;	// R32_UINT
layout(set = 1, binding = 0, r32ui) uniform uimageBuffer count;		// R32_UINT
layout(push_constant) uniform P { uint n; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i >= p.n)
		return;
	uvec4 b = uvec4(round(texelFetch(src, int(i)) * 255.0));
	imageStore(dst, int(i), uvec4(b.r + b.g * 2u + b.b * 3u + b.a * 4u));
	imageAtomicAdd(count, 0, 1u);
}
