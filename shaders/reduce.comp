// SPDX-License-Identifier: MIT
// Partial sums: each workgroup of 256 adds up its 256 * per_thread elements
// of in[0 .. n) and writes the total to out[workgroup]; the caller adds the
// partials (or runs this again on them).
// Bindings: 0 = in, 1 = out.  Groups: ceil(n / (256 * per_thread)).
#version 450
#define WG 256
layout(local_size_x = WG) in;

layout(std430, set = 0, binding = 0) readonly buffer In { float v[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { float partial[]; };
layout(push_constant) uniform Push { uint n; uint per_thread; } pc;

shared float s[WG];

void main()
{
	uint lid = gl_LocalInvocationID.x;
	uint base = gl_WorkGroupID.x * WG * pc.per_thread;
	float acc = 0.0;

	for (uint j = 0; j < pc.per_thread; j++) {
		uint i = base + j * WG + lid;	/* coalesced: neighbours read neighbours */
		if (i < pc.n)
			acc += v[i];
	}
	s[lid] = acc;
	barrier();
	for (uint step = WG / 2; step > 0; step >>= 1) {
		if (lid < step)
			s[lid] += s[lid + step];
		barrier();
	}
	if (lid == 0)
		partial[gl_WorkGroupID.x] = s[0];
}
