// SPDX-License-Identifier: MIT
// Test shader: writes dst[i] = 2i + 1 through a buffer device address in
// its push constants (no descriptors at all).
#version 450
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 64) in;
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Words { uint w[]; };
layout(push_constant) uniform P { Words dst; uint n; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.n)
		p.dst.w[i] = i * 2u + 1u;
}
