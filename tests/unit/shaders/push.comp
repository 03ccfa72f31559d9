// SPDX-License-Identifier: MIT
// Test shader: copies the 32 push-constant words to out[0..31].
#version 450
layout(local_size_x = 32) in;

layout(std430, set = 0, binding = 0) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push { uint w[32]; } pc;

void main()
{
	o[gl_LocalInvocationID.x] = pc.w[gl_LocalInvocationID.x];
}
