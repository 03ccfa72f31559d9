// SPDX-License-Identifier: MIT
/* The options vk-samples and vk-fft share (vkctx.h). */
#include "vkctx.h"

#include "../reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vkc_parse(int argc, char **argv, const char *usage, struct vkc_opts *o,
	      char **args, int *nargs)
{
	const char *prog = argv[0];
	const char *env = getenv("ODX_VALIDATE");

	memset(o, 0, sizeof(*o));
	o->device = -1;
	/* The environment switch lets a test (or a guest) turn validation on
	 * for a program run by something that passes no options. */
	o->validate = env && !strcmp(env, "1");
	*nargs = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("%s"
			       "Options:\n"
			       "  --device N   the Vulkan device's index in vkEnumeratePhysicalDevices\n"
			       "               (default: the first with a compute queue)\n"
			       "  --size N     problem size\n"
			       "  --iters N    timed runs (default 5)\n"
			       "  --quick      small problems, one timed run\n"
			       "  --validate   enable VK_LAYER_KHRONOS_validation (also ODX_VALIDATE=1);\n"
			       "               any warning or error it reports fails the run\n"
			       "  --staging    move data through staging buffers and vkCmdCopyBuffer,\n"
			       "               as on a device with device-only memory, even where the\n"
			       "               working buffers are host-visible\n"
			       "  --host-memory  working buffers in host-visible memory even where the\n"
			       "               device has device-only memory (placement benchmarks)\n"
			       "Exit status 0 when every result is correct.\n", usage);
			return 2;
		}
		if (!strcmp(a, "--quick")) {
			o->quick = true;
			continue;
		}
		if (!strcmp(a, "--validate")) {
			o->validate = true;
			continue;
		}
		if (!strcmp(a, "--staging")) {
			o->staging = true;
			continue;
		}
		if (!strcmp(a, "--host-memory")) {
			o->host_memory = true;
			continue;
		}
		if (a[0] != '-') {
			args[(*nargs)++] = argv[i];
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "%s: %s needs a value (or is unknown; see --help)\n", prog, a);
			return 1;
		}
		if (!strcmp(a, "--device") && !sample_parse_u64(argv[i + 1], 1023, &v)) {
			o->device = (int)v;
		} else if (!strcmp(a, "--size") && !sample_parse_u64(argv[i + 1], 1ull << 32, &v) && v) {
			o->size = v;
		} else if (!strcmp(a, "--iters") && !sample_parse_u64(argv[i + 1], 10000, &v) && v) {
			o->iters = (unsigned int)v;
		} else {
			fprintf(stderr, "%s: bad option %s %s (see --help)\n", prog, a, argv[i + 1]);
			return 1;
		}
		i++;
	}
	return 0;
}
