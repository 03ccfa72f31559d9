// SPDX-License-Identifier: MIT
// Test shader: busy work for the timeout test; pc.iters iterations per
// invocation of a dependent chain the compiler cannot fold.
#version 450
layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) buffer Out { uint o[]; };
layout(push_constant) uniform Push { uint iters; } pc;

void main()
{
	uint x = gl_GlobalInvocationID.x;

	for (uint i = 0; i < pc.iters; i++)
		x = x * 1664525u + 1013904223u;
	o[gl_GlobalInvocationID.x % 64u] = x;
}
