// SPDX-License-Identifier: MIT
// C = A * B, row-major floats: A is M x K, B is K x N, C is M x N.
// One 16 x 16 tile of C per workgroup, A and B staged through shared memory.
// Bindings: 0 = A, 1 = B, 2 = C.  Groups: (ceil(N / 16), ceil(M / 16), 1).
#version 450
#define TILE 16
layout(local_size_x = TILE, local_size_y = TILE) in;

layout(std430, set = 0, binding = 0) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 1) readonly buffer B { float b[]; };
layout(std430, set = 0, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform Push { uint m; uint n; uint k; } pc;

shared float ta[TILE][TILE];
shared float tb[TILE][TILE];

void main()
{
	uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
	uint col = gl_WorkGroupID.x * TILE + tx;
	uint row = gl_WorkGroupID.y * TILE + ty;
	float acc = 0.0;

	for (uint t = 0; t < pc.k; t += TILE) {
		ta[ty][tx] = (row < pc.m && t + tx < pc.k) ? a[row * pc.k + t + tx] : 0.0;
		tb[ty][tx] = (col < pc.n && t + ty < pc.k) ? b[(t + ty) * pc.n + col] : 0.0;
		barrier();
		for (uint i = 0; i < TILE; i++)
			acc += ta[ty][i] * tb[i][tx];
		barrier();
	}
	if (row < pc.m && col < pc.n)
		c[row * pc.n + col] = acc;
}
