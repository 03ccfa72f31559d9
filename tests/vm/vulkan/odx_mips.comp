// SPDX-License-Identifier: MIT
// Mipmaps and array layers (test_odx_mips.c): one level of one layer of an
// r32ui image from the level above it, a texel of each 2x2 block plus one,
// through two 2D views of one subresource each.
#version 450
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0, r32ui) uniform readonly uimage2D src;
layout(set = 0, binding = 1, r32ui) uniform writeonly uimage2D dst;

void main()
{
	ivec2 c = ivec2(gl_GlobalInvocationID.xy);

	if (any(greaterThanEqual(c, imageSize(dst))))
		return;
	imageStore(dst, c, imageLoad(src, 2 * c) + uvec4(1u));
}
