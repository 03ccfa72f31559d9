// SPDX-License-Identifier: MIT
// Test shader: image views of several layers, slices and levels
// (test_vulkan.c): a 2D array and a 3D storage image rewritten in place,
// a texel of level 1 of a sampled image fetched into a buffer, each face
// of a cube sampled at its centre.
#version 450
layout(local_size_x = 4, local_size_y = 4) in;
layout(set = 0, binding = 0, r32ui) uniform uimage2DArray arr;
layout(set = 0, binding = 1, r32ui) uniform uimage3D vol;
layout(set = 0, binding = 2) uniform usampler2D mips;
layout(set = 0, binding = 3) buffer Out { uint v[]; } o;
layout(set = 0, binding = 4) uniform usamplerCube cube;
layout(push_constant) uniform P { uint w, h, layers, depth; } p;

void main()
{
	ivec2 c = ivec2(gl_GlobalInvocationID.xy);

	if (c.x >= int(p.w) || c.y >= int(p.h))
		return;
	for (int k = 0; k < int(p.layers); k++) {
		uint v = imageLoad(arr, ivec3(c, k)).x;
		imageStore(arr, ivec3(c, k), uvec4(v * 2u + uint(k)));
	}
	for (int z = 0; z < int(p.depth); z++) {
		uint v = imageLoad(vol, ivec3(c, z)).x;
		imageStore(vol, ivec3(c, z), uvec4(v + 100u * uint(z)));
	}
	ivec2 t = clamp(c / 2, ivec2(0), textureSize(mips, 1) - 1);
	o.v[c.y * int(p.w) + c.x] = texelFetch(mips, t, 1).x;
	if (c == ivec2(0)) {
		const vec3 dirs[6] = vec3[](vec3(1, 0, 0), vec3(-1, 0, 0), vec3(0, 1, 0),
					    vec3(0, -1, 0), vec3(0, 0, 1), vec3(0, 0, -1));

		for (int f = 0; f < 6; f++)
			o.v[int(p.w * p.h) + f] = textureLod(cube, dirs[f], 0.0).x;
	}
}
