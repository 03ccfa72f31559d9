// SPDX-License-Identifier: MIT
// Test shader: a descriptor array indexed by a run-time value, which the
// host refuses (test_vulkan.c).
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer B { uint v[]; } bufs[3];
layout(push_constant) uniform P { uint n; uint which; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.n)
		bufs[p.which].v[i] = i;
}
