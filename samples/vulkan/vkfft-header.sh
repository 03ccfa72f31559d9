#!/bin/sh
# SPDX-License-Identifier: MIT
# vkfft-header.sh IN OUT GLSLANG_C_INTERFACE_H: copies vkFFT.h, fixing the
# one thing that keeps Debian bookworm's VkFFT (1.2.26) from building
# against its glslang (12).
#
# VkFFT fills a glslang_resource_t positionally, written for glslang's
# layout before 11.12; glslang 11.12 added nine mesh-shader EXT limits
# before maxDualSourceDrawBuffersEXT, so VkFFT's nested "limits" initializer
# lands on an int (an error in C++, silently wrong fields in C).  Where the
# glslang header has those fields, their values (glslang's defaults; no
# compute shader reads them) go in before maxDualSourceDrawBuffersEXT.
# Nothing else changes; a VkFFT that already fills them is copied as is.
# The copy starts with "#pragma GCC system_header": it is a third-party
# header, found first by the build's include path, whose warnings are not
# the project's to fix (the installed one is a system header too).
set -eu
in=$1 out=$2 glslang=$3
marker='/\* \.maxDualSourceDrawBuffersEXT = \*/ 1,'
if grep -q 'max_mesh_output_vertices_ext' "$glslang" &&
   ! grep -q 'maxMeshOutputVerticesEXT' "$in"; then
	n=$(grep -c "$marker" "$in" || true)
	if [ "$n" -eq 0 ]; then
		echo "vkfft-header.sh: no '$marker' in $in: a VkFFT this script does not know" >&2
		exit 1
	fi
	{ echo '#pragma GCC system_header'; sed "s|^\([[:space:]]*\)\($marker\)|\1/* mesh EXT limits, glslang >= 11.12 (vkfft-header.sh) */ 256, 256, 128, 128, 128, 128, 128, 128, 4,\n\1\2|" \
		"$in"; } >"$out"
else
	{ echo '#pragma GCC system_header'; cat "$in"; } >"$out"
fi
