// SPDX-License-Identifier: MIT
// Image filters over RGBA8 pixels packed one per uint (R in the low byte),
// row-major, width x height; edges clamp.  Integer arithmetic only, so a
// CPU reference matches bit for bit.
//   mode 0: 5x5 Gaussian blur (weights 1 4 6 4 1 squared, / 256, rounded);
//           alpha is kept.
//   mode 1: Sobel edge magnitude of the luminance (77 R + 150 G + 29 B) / 256,
//           |gx| + |gy| clamped to 255, as opaque grey.
// Bindings: 0 = in, 1 = out.  Groups: (ceil(width / 16), ceil(height / 16), 1).
#version 450
layout(local_size_x = 16, local_size_y = 16) in;

layout(std430, set = 0, binding = 0) readonly buffer In { uint src[]; };
layout(std430, set = 0, binding = 1) writeonly buffer Out { uint dst[]; };
layout(push_constant) uniform Push { uint width; uint height; uint mode; } pc;

uint px(int x, int y)
{
	x = clamp(x, 0, int(pc.width) - 1);
	y = clamp(y, 0, int(pc.height) - 1);
	return src[uint(y) * pc.width + uint(x)];
}

int luma(uint p)
{
	return int((77u * (p & 255u) + 150u * ((p >> 8) & 255u) + 29u * ((p >> 16) & 255u)) >> 8);
}

void main()
{
	int x = int(gl_GlobalInvocationID.x), y = int(gl_GlobalInvocationID.y);
	const int w[5] = int[5](1, 4, 6, 4, 1);

	if (x >= int(pc.width) || y >= int(pc.height))
		return;
	if (pc.mode == 0u) {
		uvec3 acc = uvec3(0u);

		for (int j = -2; j <= 2; j++) {
			for (int i = -2; i <= 2; i++) {
				uint p = px(x + i, y + j);
				uint k = uint(w[i + 2] * w[j + 2]);

				acc += k * uvec3(p & 255u, (p >> 8) & 255u, (p >> 16) & 255u);
			}
		}
		acc = (acc + 128u) >> 8;
		dst[uint(y) * pc.width + uint(x)] = acc.r | (acc.g << 8) | (acc.b << 16) |
						    (px(x, y) & 0xff000000u);
	} else {
		int gx = -luma(px(x - 1, y - 1)) - 2 * luma(px(x - 1, y)) - luma(px(x - 1, y + 1))
			 + luma(px(x + 1, y - 1)) + 2 * luma(px(x + 1, y)) + luma(px(x + 1, y + 1));
		int gy = -luma(px(x - 1, y - 1)) - 2 * luma(px(x, y - 1)) - luma(px(x + 1, y - 1))
			 + luma(px(x - 1, y + 1)) + 2 * luma(px(x, y + 1)) + luma(px(x + 1, y + 1));
		uint m = uint(min(abs(gx) + abs(gy), 255));

		dst[uint(y) * pc.width + uint(x)] = m | (m << 8) | (m << 16) | 0xff000000u;
	}
}
