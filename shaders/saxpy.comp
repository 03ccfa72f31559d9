// SPDX-License-Identifier: MIT
// y = a * x + y over n floats; one invocation per element.
// Bindings: 0 = x (read), 1 = y (read/write).  Groups: ceil(n / 64).
#version 450
layout(local_size_x = 64) in;

layout(std430, set = 0, binding = 0) readonly buffer X { float x[]; };
layout(std430, set = 0, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Push { uint n; float a; } pc;

void main()
{
	uint i = gl_GlobalInvocationID.x;

	if (i < pc.n)
		y[i] = pc.a * x[i] + y[i];
}
