// SPDX-License-Identifier: MIT
// A layout of its own (CREATE_PIPELINE2): two descriptor sets, storage and
// uniform buffers, push and specialization constants (test_vulkan.c; the
// guest ICD test runs the same kernel through the Vulkan driver).
#version 450
layout(local_size_x_id = 0) in;			// spec constant 0: group size
layout(constant_id = 1) const uint MUL = 1u;	// spec constant 1
layout(set = 0, binding = 0) readonly buffer In { uint a[]; };
layout(set = 0, binding = 2) uniform U { uint add; } u;
layout(set = 1, binding = 1) buffer Out { uint o[]; };
layout(push_constant) uniform P { uint n; uint bias; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.n)
		o[i] = a[i] * MUL + u.add + p.bias;
}
