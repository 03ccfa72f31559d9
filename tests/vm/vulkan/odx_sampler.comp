// SPDX-License-Identifier: MIT
// Sampled images and samplers through Vulkan (test_odx_sampler.c): an rgba8
// image through a combined image sampler whose sampler is the layout's
// immutable one (nearest), a second rgba8 image through a view that maps r
// from g and a separate linear sampler, halfway between two texels, an
// r32ui image fetched (a separate nearest sampler beside it, written by a
// template); a combined image sampler declared and never used, left
// unwritten.
#version 450
layout(local_size_x = 8, local_size_y = 8) in;
layout(set = 0, binding = 0) uniform sampler2D comb;
layout(set = 0, binding = 1) uniform texture2D tex;
layout(set = 0, binding = 2) uniform sampler linear_smp;
layout(set = 0, binding = 3) uniform utexture2D itex;
layout(set = 0, binding = 4) uniform sampler nearest_smp;
layout(set = 0, binding = 5, std430) writeonly buffer Out { vec4 o[]; };
// Declared, never used: the test leaves its descriptor unwritten (its
// immutable sampler filters linearly, which its integer format cannot).
layout(set = 0, binding = 6) uniform usampler2D spare;
layout(push_constant) uniform P { uint w, h; } p;

void main()
{
	ivec2 c = ivec2(gl_GlobalInvocationID.xy);

	if (c.x >= int(p.w) || c.y >= int(p.h))
		return;
	vec2 size = vec2(p.w, p.h);
	vec2 uv = (vec2(c) + 0.5) / size;
	vec4 a = textureLod(comb, uv, 0.0);
	float b = textureLod(sampler2D(tex, linear_smp), uv + vec2(0.5 / size.x, 0.0), 0.0).r;
	uint u = texelFetch(usampler2D(itex, nearest_smp), c, 0).r;
	o[c.y * int(p.w) + c.x] = vec4(a.r, a.a, b, float(u));
}
