// SPDX-License-Identifier: MIT
/* Small helpers for programs that print what /dev/dxg reports. */
#include <dxg/d3dkmt.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

DXG_API size_t dxg_utf16_to_utf8(const __u16 *in, size_t n, char *out,
				 size_t outsz)
{
	size_t o = 0;

	if (!outsz)
		return 0;
	for (size_t i = 0; i < n && in[i]; i++) {
		uint32_t c = in[i];
		char tmp[4];
		size_t len;

		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n &&
		    in[i + 1] >= 0xdc00 && in[i + 1] < 0xe000) {
			c = 0x10000 + ((c - 0xd800) << 10) + (in[i + 1] - 0xdc00u);
			i++;
		} else if (c >= 0xd800 && c < 0xe000) {
			c = 0xfffd;	/* unpaired surrogate */
		}
		if (c < 0x80) {
			tmp[0] = (char)c;
			len = 1;
		} else if (c < 0x800) {
			tmp[0] = (char)(0xc0 | (c >> 6));
			tmp[1] = (char)(0x80 | (c & 0x3f));
			len = 2;
		} else if (c < 0x10000) {
			tmp[0] = (char)(0xe0 | (c >> 12));
			tmp[1] = (char)(0x80 | ((c >> 6) & 0x3f));
			tmp[2] = (char)(0x80 | (c & 0x3f));
			len = 3;
		} else {
			tmp[0] = (char)(0xf0 | (c >> 18));
			tmp[1] = (char)(0x80 | ((c >> 12) & 0x3f));
			tmp[2] = (char)(0x80 | ((c >> 6) & 0x3f));
			tmp[3] = (char)(0x80 | (c & 0x3f));
			len = 4;
		}
		if (o + len >= outsz)
			break;
		memcpy(out + o, tmp, len);
		o += len;
	}
	out[o] = 0;
	return o;
}

static const char *const adaptertype_names[] = {
	"render", "display", "software", "post", "hybrid-discrete",
	"hybrid-integrated", "indirect-display", "paravirtualized", "acg",
	"set-timings-from-vidpn", "detachable", "compute-only", "prototype",
	"runtime-power-management",
};

DXG_API const char *dxg_adaptertype_string(__u32 value, const char *sep,
					   char *out, size_t outsz)
{
	size_t o = 0;

	if (!outsz)
		return out;
	out[0] = 0;
	for (unsigned int b = 0; b < 32; b++) {
		char unknown[16];
		const char *name;
		int n;

		if (!(value & (1u << b)))
			continue;
		if (b < sizeof(adaptertype_names) / sizeof(adaptertype_names[0])) {
			name = adaptertype_names[b];
		} else {
			snprintf(unknown, sizeof(unknown), "bit%u", b);
			name = unknown;
		}
		n = snprintf(out + o, outsz - o, "%s%s", o ? sep : "", name);
		if (n < 0 || (size_t)n >= outsz - o)
			break;
		o += (size_t)n;
	}
	if (!o)
		snprintf(out, outsz, "none");
	return out;
}

NTSTATUS dxg_query_adapter_info(D3DKMT_HANDLE adapter, __u32 type, void *buf,
				__u32 size)
{
	D3DKMT_QUERYADAPTERINFO q = {
		.adapter = adapter,
		.type = type,
		.private_data = (__u64)(uintptr_t)buf,
		.private_data_size = size,
	};

	return D3DKMTQueryAdapterInfo(&q);
}
