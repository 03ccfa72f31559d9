// SPDX-License-Identifier: MIT
// The descriptor array test kernel (test_odx_descriptors.c): three storage
// buffers in one binding, two elements named by constant indices, the
// third by a run-time one (n is at least 2: element 2).
#version 450
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) buffer B { uint v[]; } bufs[3];
layout(push_constant) uniform P { uint n; } p;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < p.n) {
		bufs[1].v[i] = bufs[0].v[i] * 2u;
		bufs[min(p.n, 2u)].v[i] = bufs[0].v[i] + 7u;
	}
}
