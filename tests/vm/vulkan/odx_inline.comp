// SPDX-License-Identifier: MIT
// The inline uniform block test kernel (test_odx_inline.c): two uniform
// blocks that the set layout makes inline uniform blocks (in SPIR-V they
// are ordinary uniform blocks) and one storage buffer.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) uniform P { uvec4 mul_add; uvec4 count; } p;
layout(set = 0, binding = 1) buffer O { uint v[]; } o;
layout(set = 0, binding = 2) uniform Q { uvec4 k; } q;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.count.x)
		o.v[i] = i * p.mul_add.x + p.mul_add.y + q.k.z;
}
