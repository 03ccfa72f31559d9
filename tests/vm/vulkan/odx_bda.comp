// SPDX-License-Identifier: MIT
// The buffer device address test kernel (test_odx_bda.c): it reads through
// a pointer in push constants and writes through a pointer it loads from
// memory, so both kinds of use of an address reach the right memory.
#version 450
#extension GL_EXT_buffer_reference : require
layout(local_size_x = 64) in;
layout(buffer_reference, std430, buffer_reference_align = 4) buffer Words { uint w[]; };
layout(buffer_reference, std430, buffer_reference_align = 8) buffer Table { Words dst; };
layout(push_constant) uniform P { Words src; Table table; uint n; uint mul; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.n)
		p.table.dst.w[i] = p.src.w[i] * p.mul + 1u;
}
