// SPDX-License-Identifier: MIT
// The descriptor array test kernel (test_odx_arrays.c): three storage
// buffers in one binding, each element named by a constant index.
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer B { uint v[]; } bufs[3];
layout(push_constant) uniform P { uint n; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.n) {
		bufs[1].v[i] = bufs[0].v[i] * 2u;
		bufs[2].v[i] = bufs[0].v[i] + 7u;
	}
}
