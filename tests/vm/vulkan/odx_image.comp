// SPDX-License-Identifier: MIT
// Storage images through Vulkan (test_odx_image.c): an rgba8 image read as
// floats, an r32ui image written with each texel's sum and row, and a 1x1
// r32ui image counted into by an image atomic, bound as three descriptors
// of one set; a fourth image declared and never used, left unwritten.
#version 450
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0, rgba8) uniform readonly image2D src;
layout(set = 0, binding = 1, r32ui) uniform writeonly uimage2D dst;
layout(set = 0, binding = 2, r32ui) uniform uimage2D count;
// Declared, never used: the test leaves its descriptor unwritten.
layout(set = 0, binding = 3, r32f) uniform image2D spare;
layout(push_constant) uniform P { uint w, h; } p;

void main()
{
	ivec2 c = ivec2(gl_GlobalInvocationID.xy);

	if (c.x >= int(p.w) || c.y >= int(p.h))
		return;
	uvec4 b = uvec4(round(imageLoad(src, c) * 255.0));
	imageStore(dst, c, uvec4(b.r + b.g * 2u + b.b * 3u + b.a * 4u + uint(c.y) * 10000u +
				 uint(c.x) * 7u));
	imageAtomicAdd(count, ivec2(0, 0), 1u);
}
