// SPDX-License-Identifier: MIT
// Test shader: a descriptor array indexed by run-time values, unsigned and
// signed, which the host clamps to the array (test_vulkan.c).
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer B { uint v[]; } bufs[3];
layout(push_constant) uniform P { uint n; uint which; int signed_which; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.n) {
		bufs[p.which].v[i] = i;
		bufs[p.signed_which].v[i] += 1000000u;
	}
}
