// SPDX-License-Identifier: MIT
// Test shader: a hostile store at any index of a small binding, and a load
// from another index into o[0].
#version 450
layout(local_size_x = 1) in;

layout(std430, set = 0, binding = 0) buffer Out { uint o[]; };
layout(push_constant) uniform Push { uint store; uint load; } pc;

void main()
{
	uint v = o[pc.load];

	o[pc.store] = 0xdeadbeefu;
	o[0] = v;
}
