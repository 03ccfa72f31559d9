// SPDX-License-Identifier: MIT
// Image views of several layers, slices and levels (test_odx_views.c): a
// 2D array view of three layers and a 3D view rewritten in place; a
// sampled view of three levels fetched at levels 1 and 2; each face of a
// cube sampled at its centre.
#version 450
layout(local_size_x = 4, local_size_y = 4, local_size_z = 1) in;
layout(set = 0, binding = 0, r32ui) uniform uimage2DArray arr;
layout(set = 0, binding = 1, r32ui) uniform uimage3D vol;
layout(set = 0, binding = 2) uniform usampler2D mips;
layout(set = 0, binding = 3) buffer Out { uint v[]; } o;
// Declared, never used: the test leaves its descriptor unwritten.
layout(set = 0, binding = 4, r32ui) uniform uimage2DArray spare;
layout(set = 0, binding = 5) uniform usamplerCube cube;

void main()
{
	ivec3 c = ivec3(gl_GlobalInvocationID);
	ivec2 w = textureSize(mips, 0);

	if (all(lessThan(c, imageSize(arr))))
		imageStore(arr, c, imageLoad(arr, c) + uvec4(1000000u));
	if (all(lessThan(c, imageSize(vol))))
		imageStore(vol, c, imageLoad(vol, c) * 3u);
	if (c.z == 0 && all(lessThan(c.xy, w))) {
		ivec2 t1 = min(c.xy / 2, textureSize(mips, 1) - 1);
		ivec2 t2 = min(c.xy / 4, textureSize(mips, 2) - 1);
		uint i = uint(c.y * w.x + c.x);

		o.v[i] = texelFetch(mips, t1, 1).x;
		o.v[i + uint(w.x * w.y)] = texelFetch(mips, t2, 2).x;
	}
	if (c == ivec3(0)) {
		const vec3 dirs[6] = vec3[](vec3(1, 0, 0), vec3(-1, 0, 0), vec3(0, 1, 0),
					    vec3(0, -1, 0), vec3(0, 0, 1), vec3(0, 0, -1));

		for (int f = 0; f < 6; f++)
			o.v[2 * w.x * w.y + f] = textureLod(cube, dirs[f], 0.0).x;
	}
}
